//! OAuth apps: their fields, the rules that bound them, and their secrets.
//!
//! An app belongs to an organization or to one of its accounts. Organization apps use
//! the `client_credentials` or `authorization_code` grant and a fixed 3,600-second
//! token lifetime; account apps use `client_credentials` only and a lifetime of 60 s
//! to 30 days. Scopes name permissions of the level's catalogue (1 to 100, no
//! duplicates). The engine keeps only hashes of the current secret and of at most one
//! previous secret, which stays valid until the end of its grace period.
//! An authorization-code app's redirect URL is `https`, or plain `http` only to a
//! loopback host (RFC 8252 §7.3), so that codes never cross a network in clear.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::catalogue::Catalogue;
use crate::error_code::{ErrorCode, UnknownOrganization};
use crate::ids::{AccountSid, ClientId, OrganizationSid, SidError, UserSid};
use crate::secrets::SecretHash;

/// Shortest account-app token lifetime, in seconds (1 minute).
pub const MIN_TOKEN_TTL: u64 = 60;
/// Longest account-app token lifetime, in seconds (30 days).
pub const MAX_TOKEN_TTL: u64 = 30 * 24 * 3600;
/// Account-app token lifetime when none is given, and the fixed lifetime of
/// organization-app tokens, in seconds (1 hour).
pub const DEFAULT_TOKEN_TTL: u64 = 3600;
/// Longest grace period of an account app's previous secret, in seconds (30 days).
pub const MAX_GRACE: u64 = 30 * 24 * 3600;
/// The fixed grace period of an organization app's previous secret (24 hours).
pub const ORGANIZATION_GRACE: u64 = 24 * 3600;
/// Most scopes an app may hold.
pub const MAX_SCOPES: usize = 100;
/// Longest app name, in characters.
pub const MAX_NAME_LEN: usize = 255;
/// Longest description or company name, in characters.
pub const MAX_TEXT_LEN: usize = 1024;
/// Longest URL, in bytes.
pub const MAX_URL_LEN: usize = 2048;
/// Most image URLs an app may list.
pub const MAX_IMAGES: usize = 10;

/// The OAuth grant an app uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantType {
    /// RFC 6749 §4.4: the app authenticates as itself.
    ClientCredentials,
    /// RFC 6749 §4.1: a user of the organization approves the app.
    AuthorizationCode,
}

impl GrantType {
    /// The RFC 6749 name of the grant.
    pub fn as_str(self) -> &'static str {
        match self {
            GrantType::ClientCredentials => "client_credentials",
            GrantType::AuthorizationCode => "authorization_code",
        }
    }

    /// Parses an RFC 6749 grant name.
    pub fn parse(value: &str) -> Result<Self, AppError> {
        match value {
            "client_credentials" => Ok(GrantType::ClientCredentials),
            "authorization_code" => Ok(GrantType::AuthorizationCode),
            other => Err(AppError::UnknownGrantType(other.chars().take(64).collect())),
        }
    }
}

impl fmt::Display for GrantType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who owns an app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "level", rename_all = "snake_case")]
pub enum Owner {
    /// An organization-level app.
    Organization {
        /// The owning organization.
        organization_sid: OrganizationSid,
    },
    /// An account-level app.
    Account {
        /// The owning account.
        account_sid: AccountSid,
        /// The organization the account belongs to.
        organization_sid: OrganizationSid,
    },
}

impl Owner {
    /// The organization the app belongs to, directly or through its account.
    pub fn organization_sid(&self) -> OrganizationSid {
        match self {
            Owner::Organization { organization_sid }
            | Owner::Account {
                organization_sid, ..
            } => *organization_sid,
        }
    }

    /// The owning account, for account apps.
    pub fn account_sid(&self) -> Option<AccountSid> {
        match self {
            Owner::Organization { .. } => None,
            Owner::Account { account_sid, .. } => Some(*account_sid),
        }
    }

    /// Whether this is an organization-level app.
    pub fn is_organization(&self) -> bool {
        matches!(self, Owner::Organization { .. })
    }
}

/// The owner named when creating an app: an organization or an account sid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerSid {
    /// Create an organization-level app.
    Organization(OrganizationSid),
    /// Create an account-level app.
    Account(AccountSid),
}

impl std::str::FromStr for OwnerSid {
    type Err = AppError;
    /// Parses an `OR…` or `AC…` sid.
    fn from_str(s: &str) -> Result<Self, AppError> {
        if s.starts_with("AC") {
            Ok(OwnerSid::Account(s.parse()?))
        } else {
            Ok(OwnerSid::Organization(s.parse()?))
        }
    }
}

/// An OAuth app as callers see it. It never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct App {
    /// The client id.
    pub client_id: ClientId,
    /// The owning organization or account.
    pub owner: Owner,
    /// The grant the app uses.
    pub grant_type: GrantType,
    /// The app's name.
    pub name: String,
    /// What the app is for.
    pub description: Option<String>,
    /// The company behind the app.
    pub company_name: Option<String>,
    /// Logos and other images of the app.
    pub image_urls: Vec<String>,
    /// The app's homepage.
    pub homepage_url: Option<String>,
    /// The app's terms of service.
    pub terms_of_service_url: Option<String>,
    /// Where the authorization page sends the user back (authorization-code apps).
    pub redirect_url: Option<String>,
    /// The permissions tokens of this app carry.
    pub scopes: Vec<String>,
    /// Lifetime of the access tokens it gets, in seconds.
    pub token_ttl: u64,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it was last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Who created it.
    pub created_by: String,
}

/// What [`crate::Engine::create_app`] needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApp {
    /// The organization or account that will own the app.
    pub owner: OwnerSid,
    /// The grant the app uses.
    pub grant_type: GrantType,
    /// Its name (required).
    pub name: String,
    /// What it is for.
    pub description: Option<String>,
    /// The company behind it.
    pub company_name: Option<String>,
    /// Images of it (absolute URLs).
    pub image_urls: Vec<String>,
    /// Its homepage (absolute URL).
    pub homepage_url: Option<String>,
    /// Its terms of service (absolute URL).
    pub terms_of_service_url: Option<String>,
    /// Required for authorization-code apps, refused for the others: an absolute
    /// `https` URL without a fragment, or plain `http` only to a loopback host
    /// (127.0.0.0/8, `[::1]`, `localhost`; RFC 8252 §7.3).
    pub redirect_url: Option<String>,
    /// Permissions of the level's catalogue.
    pub scopes: Vec<String>,
    /// Token lifetime in seconds: account apps 60–2,592,000 (default 3,600);
    /// organization apps only 3,600.
    pub token_ttl: Option<u64>,
}

impl NewApp {
    /// A client-credentials app with just a name and scopes.
    pub fn client_credentials(owner: OwnerSid, name: &str, scopes: &[&str]) -> Self {
        Self {
            owner,
            grant_type: GrantType::ClientCredentials,
            name: name.to_owned(),
            description: None,
            company_name: None,
            image_urls: Vec::new(),
            homepage_url: None,
            terms_of_service_url: None,
            redirect_url: None,
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            token_ttl: None,
        }
    }

    /// An organization authorization-code app with a name, redirect URL and scopes.
    pub fn authorization_code(
        organization: OrganizationSid,
        name: &str,
        redirect_url: &str,
        scopes: &[&str],
    ) -> Self {
        Self {
            grant_type: GrantType::AuthorizationCode,
            redirect_url: Some(redirect_url.to_owned()),
            ..Self::client_credentials(OwnerSid::Organization(organization), name, scopes)
        }
    }
}

/// An app as the admin API and the bindings show it: its fields and, for an
/// authorization-code app, the URL where users approve it
/// ([`crate::Engine::app_record`]).
#[derive(Debug, Clone, Serialize)]
pub struct AppRecord<'a> {
    /// The app.
    #[serde(flatten)]
    pub app: &'a App,
    /// Its authorization page, for authorization-code apps.
    pub authorization_url: Option<String>,
}

/// A new app as text, the way the admin API's JSON body and the bindings' arguments
/// give it; [`NewAppFields::parse`] reads the owner sid and the grant name with the
/// engine's errors. Absent optional fields are unset, absent lists empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAppFields {
    /// The owning organization (`OR…`) or account (`AC…`).
    pub owner_sid: String,
    /// `client_credentials` or `authorization_code`.
    pub grant_type: String,
    /// Its name (required).
    pub name: String,
    /// What it is for.
    #[serde(default)]
    pub description: Option<String>,
    /// The company behind it.
    #[serde(default)]
    pub company_name: Option<String>,
    /// Images of it (absolute URLs).
    #[serde(default)]
    pub image_urls: Vec<String>,
    /// Its homepage (absolute URL).
    #[serde(default)]
    pub homepage_url: Option<String>,
    /// Its terms of service (absolute URL).
    #[serde(default)]
    pub terms_of_service_url: Option<String>,
    /// Required for authorization-code apps, refused for the others (see
    /// [`NewApp::redirect_url`]).
    #[serde(default)]
    pub redirect_url: Option<String>,
    /// Permissions of the level's catalogue.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Token lifetime in seconds (see [`NewApp::token_ttl`]).
    #[serde(default)]
    pub token_ttl: Option<u64>,
}

impl NewAppFields {
    /// The new app these fields describe: `invalid_sid` for a malformed owner,
    /// `unknown_grant_type` for a grant name that is not one of the two.
    pub fn parse(self) -> Result<NewApp, AppError> {
        Ok(NewApp {
            owner: self.owner_sid.parse()?,
            grant_type: GrantType::parse(&self.grant_type)?,
            name: self.name,
            description: self.description,
            company_name: self.company_name,
            image_urls: self.image_urls,
            homepage_url: self.homepage_url,
            terms_of_service_url: self.terms_of_service_url,
            redirect_url: self.redirect_url,
            scopes: self.scopes,
            token_ttl: self.token_ttl,
        })
    }
}

/// Changes to an app; `None` leaves a field as it is. For optional text and URL
/// fields an empty string clears the field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AppUpdate {
    /// A new name.
    pub name: Option<String>,
    /// A new description.
    pub description: Option<String>,
    /// A new company name.
    pub company_name: Option<String>,
    /// New image URLs (replacing the list).
    pub image_urls: Option<Vec<String>>,
    /// A new homepage URL.
    pub homepage_url: Option<String>,
    /// A new terms-of-service URL.
    pub terms_of_service_url: Option<String>,
    /// A new redirect URL (authorization-code apps; cannot be cleared), under the
    /// rules of [`NewApp::redirect_url`].
    pub redirect_url: Option<String>,
    /// New scopes (replacing the list).
    pub scopes: Option<Vec<String>>,
    /// A new token lifetime in seconds (account apps).
    pub token_ttl: Option<u64>,
}

/// An app as the store keeps it: the public record plus secret hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredApp {
    /// The public record.
    #[serde(flatten)]
    pub app: App,
    /// Hash of the current secret.
    pub secret: SecretHash,
    /// The previous secret while its grace period lasts.
    pub previous_secret: Option<PreviousSecret>,
}

/// A rotated-out secret and the end of its grace period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousSecret {
    /// Its hash.
    pub hash: SecretHash,
    /// The first instant at which it no longer works.
    #[serde(with = "time::serde::rfc3339")]
    pub valid_until: OffsetDateTime,
}

impl StoredApp {
    /// Whether `secret` is the current secret, or the previous one within its grace
    /// period at `now`. Both comparisons always run, in constant time.
    pub fn accepts_secret(&self, secret: &str, now: OffsetDateTime) -> bool {
        let candidate = SecretHash::of(secret.as_bytes());
        let current = self.secret == candidate;
        let previous = self
            .previous_secret
            .is_some_and(|p| p.hash == candidate && now < p.valid_until);
        current | previous
    }
}

/// Validated fields shared by creation and update.
pub(crate) struct Details {
    pub name: String,
    pub description: Option<String>,
    pub company_name: Option<String>,
    pub image_urls: Vec<String>,
    pub homepage_url: Option<String>,
    pub terms_of_service_url: Option<String>,
    pub redirect_url: Option<String>,
}

impl Details {
    /// Validates every field of a new app except scopes and lifetime.
    pub(crate) fn of_new(new: &NewApp) -> Result<Self, AppError> {
        let details = Self {
            name: name(&new.name)?,
            description: text("description", new.description.as_deref())?,
            company_name: text("company_name", new.company_name.as_deref())?,
            image_urls: images(&new.image_urls)?,
            homepage_url: url_field("homepage_url", new.homepage_url.as_deref())?,
            terms_of_service_url: url_field(
                "terms_of_service_url",
                new.terms_of_service_url.as_deref(),
            )?,
            redirect_url: redirect(new.grant_type, new.redirect_url.as_deref())?,
        };
        Ok(details)
    }

    /// Applies an update on top of an app's current fields, validating what changes.
    pub(crate) fn updated(app: &App, update: &AppUpdate) -> Result<Self, AppError> {
        let keep_or =
            |field: &'static str, new: &Option<String>, old: &Option<String>, is_url| match new {
                None => Ok(old.clone()),
                Some(v) if is_url => url_field(field, Some(v)),
                Some(v) => text(field, Some(v)),
            };
        Ok(Self {
            name: match &update.name {
                Some(n) => name(n)?,
                None => app.name.clone(),
            },
            description: keep_or("description", &update.description, &app.description, false)?,
            company_name: keep_or(
                "company_name",
                &update.company_name,
                &app.company_name,
                false,
            )?,
            image_urls: match &update.image_urls {
                Some(urls) => images(urls)?,
                None => app.image_urls.clone(),
            },
            homepage_url: keep_or(
                "homepage_url",
                &update.homepage_url,
                &app.homepage_url,
                true,
            )?,
            terms_of_service_url: keep_or(
                "terms_of_service_url",
                &update.terms_of_service_url,
                &app.terms_of_service_url,
                true,
            )?,
            redirect_url: match &update.redirect_url {
                Some(r) => redirect(app.grant_type, Some(r))?,
                None => app.redirect_url.clone(),
            },
        })
    }
}

fn name(value: &str) -> Result<String, AppError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(AppError::MissingName);
    }
    if trimmed.chars().count() > MAX_NAME_LEN || trimmed.chars().any(char::is_control) {
        return Err(AppError::InvalidField {
            field: "name",
            reason: format!("at most {MAX_NAME_LEN} characters, no control characters"),
        });
    }
    Ok(trimmed.to_owned())
}

fn text(field: &'static str, value: Option<&str>) -> Result<Option<String>, AppError> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if v.chars().count() > MAX_TEXT_LEN => Err(AppError::InvalidField {
            field,
            reason: format!("at most {MAX_TEXT_LEN} characters"),
        }),
        Some(v) => Ok(Some(v.to_owned())),
    }
}

fn url_field(field: &'static str, value: Option<&str>) -> Result<Option<String>, AppError> {
    match value {
        None | Some("") => Ok(None),
        Some(v) => absolute_url(field, v).map(Some),
    }
}

fn images(urls: &[String]) -> Result<Vec<String>, AppError> {
    if urls.len() > MAX_IMAGES {
        return Err(AppError::InvalidField {
            field: "image_urls",
            reason: format!("at most {MAX_IMAGES} images"),
        });
    }
    urls.iter().map(|u| absolute_url("image_urls", u)).collect()
}

fn redirect(grant: GrantType, value: Option<&str>) -> Result<Option<String>, AppError> {
    match (grant, value) {
        (GrantType::AuthorizationCode, None | Some("")) => Err(AppError::MissingRedirectUrl),
        (GrantType::AuthorizationCode, Some(v)) => {
            let url = absolute_url("redirect_url", v)?;
            let invalid = |reason: &str| AppError::InvalidUrl {
                field: "redirect_url",
                reason: reason.into(),
            };
            if url.contains('#') {
                return Err(invalid("a redirect URL has no fragment (RFC 6749 §3.1.2)"));
            }
            if !secure_redirect(&url) {
                return Err(invalid(
                    "plain http is allowed only to a loopback host (127.0.0.0/8, [::1] or \
                     localhost; RFC 8252 §7.3): use https",
                ));
            }
            Ok(Some(url))
        }
        (GrantType::ClientCredentials, None | Some("")) => Ok(None),
        (GrantType::ClientCredentials, Some(_)) => Err(AppError::RedirectUrlNotAllowed),
    }
}

/// Whether a redirect URL (already an absolute `http` or `https` URL) keeps the
/// code out of the network's view: `https`, or plain `http` to the loopback
/// interface — an IPv4 address in 127.0.0.0/8, `[::1]` or `localhost` — as native
/// apps receive codes (RFC 8252 §7.3; RFC 9700 refuses other plain-HTTP redirects).
fn secure_redirect(value: &str) -> bool {
    let Ok(url) = url::Url::parse(value) else {
        return false;
    };
    if url.scheme() != "http" {
        return true;
    }
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Checks that `value` is an absolute `http` or `https` URL and returns it unchanged
/// (the redirect URL is later compared byte for byte).
fn absolute_url(field: &'static str, value: &str) -> Result<String, AppError> {
    let invalid = |reason: &str| AppError::InvalidUrl {
        field,
        reason: reason.to_owned(),
    };
    if value.len() > MAX_URL_LEN {
        return Err(invalid("too long"));
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid(
            "only printable ASCII, no spaces (percent-encode the rest)",
        ));
    }
    let parsed = url::Url::parse(value).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(invalid("an absolute http or https URL is required"));
    }
    Ok(value.to_owned())
}

/// Checks an app's scopes against its level's catalogue.
pub(crate) fn check_scopes(catalogue: &Catalogue, scopes: &[String]) -> Result<(), AppError> {
    if scopes.is_empty() {
        return Err(AppError::MissingScopes);
    }
    if scopes.len() > MAX_SCOPES {
        return Err(AppError::TooManyScopes(scopes.len()));
    }
    let mut seen = std::collections::HashSet::with_capacity(scopes.len());
    for scope in scopes {
        if !catalogue.contains(scope) {
            return Err(AppError::UnknownScope(scope.chars().take(128).collect()));
        }
        if !seen.insert(scope.as_str()) {
            return Err(AppError::DuplicateScope(scope.clone()));
        }
    }
    Ok(())
}

/// The token lifetime an app gets, or why the requested one is refused.
pub(crate) fn token_ttl(owner: &Owner, requested: Option<u64>) -> Result<u64, AppError> {
    match (owner.is_organization(), requested) {
        (_, None) => Ok(DEFAULT_TOKEN_TTL),
        (true, Some(DEFAULT_TOKEN_TTL)) => Ok(DEFAULT_TOKEN_TTL),
        (true, Some(value)) => Err(AppError::InvalidTokenTtl {
            value,
            min: DEFAULT_TOKEN_TTL,
            max: DEFAULT_TOKEN_TTL,
        }),
        (false, Some(value)) if (MIN_TOKEN_TTL..=MAX_TOKEN_TTL).contains(&value) => Ok(value),
        (false, Some(value)) => Err(AppError::InvalidTokenTtl {
            value,
            min: MIN_TOKEN_TTL,
            max: MAX_TOKEN_TTL,
        }),
    }
}

/// The grace period of a rotation, or why the requested one is refused.
pub(crate) fn grace_period(owner: &Owner, requested: Option<u64>) -> Result<Duration, AppError> {
    let seconds = match (owner.is_organization(), requested) {
        (true, None) => ORGANIZATION_GRACE,
        (true, Some(value)) if value == ORGANIZATION_GRACE => value,
        (true, Some(value)) => {
            return Err(AppError::InvalidGracePeriod {
                value,
                min: ORGANIZATION_GRACE,
                max: ORGANIZATION_GRACE,
            })
        }
        (false, None) => 0,
        (false, Some(value)) if value <= MAX_GRACE => value,
        (false, Some(value)) => {
            return Err(AppError::InvalidGracePeriod {
                value,
                min: 0,
                max: MAX_GRACE,
            })
        }
    };
    Ok(Duration::seconds(seconds as i64))
}

/// Errors of managing organizations, accounts, users and apps.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// A sid argument is malformed.
    #[error(transparent)]
    InvalidSid(#[from] SidError),
    /// No organization has this sid.
    #[error("organization {0} not found")]
    OrganizationNotFound(OrganizationSid),
    /// No account has this sid.
    #[error("account {0} not found")]
    AccountNotFound(AccountSid),
    /// No user has this sid.
    #[error("user {0} not found")]
    UserNotFound(UserSid),
    /// No app has this client id.
    #[error("app {0} not found")]
    AppNotFound(ClientId),
    /// No active authorization has this sid.
    #[error("authorization {0} not found")]
    AuthorizationNotFound(crate::ids::AuthorizationSid),
    /// A request body does not parse as the API's JSON.
    #[error("invalid JSON body: {0}")]
    InvalidBody(String),
    /// The owner named for a new account is not a user of its organization.
    #[error("invalid owner {0}: use the sid of a user of the account's organization")]
    InvalidOwner(UserSid),
    /// The account SID and auth token do not authenticate an account (unknown
    /// account, wrong token, or an account without one).
    #[error("the account SID and auth token do not match")]
    InvalidAccountCredentials,
    /// A request authenticated as one account names another as the owner.
    #[error(
        "the auth token of account {authenticated} manages only that account's apps, not {named}'s"
    )]
    OtherAccount {
        /// The account the request is authenticated as.
        authenticated: AccountSid,
        /// The owner the request names.
        named: String,
    },
    /// The user name is already taken (ignoring case).
    #[error("user name {0:?} is already taken")]
    UserNameTaken(String),
    /// The app has no name.
    #[error("an app needs a name")]
    MissingName,
    /// A text field is out of bounds.
    #[error("invalid {field}: {reason}")]
    InvalidField {
        /// The field.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A URL field is not an acceptable absolute URL.
    #[error("invalid {field}: {reason}")]
    InvalidUrl {
        /// The field.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The grant type name is not known.
    #[error("unknown grant type {0:?}: use client_credentials or authorization_code")]
    UnknownGrantType(String),
    /// Account apps support only the client-credentials grant.
    #[error("account apps support only the client_credentials grant")]
    GrantTypeNotAllowed,
    /// Authorization-code apps need a redirect URL.
    #[error("an authorization_code app needs a redirect_url")]
    MissingRedirectUrl,
    /// Client-credentials apps take no redirect URL.
    #[error("a client_credentials app takes no redirect_url")]
    RedirectUrlNotAllowed,
    /// The app asks for no scope.
    #[error("an app needs at least one scope")]
    MissingScopes,
    /// The app asks for more than 100 scopes.
    #[error("an app may have at most 100 scopes, not {0}")]
    TooManyScopes(usize),
    /// A scope is not a permission of the app level's catalogue.
    #[error("{0:?} is not a permission available to apps of this level")]
    UnknownScope(String),
    /// A scope is listed twice.
    #[error("scope {0:?} is listed twice")]
    DuplicateScope(String),
    /// The token lifetime is out of range.
    #[error("token lifetime {value} s is out of range: {min}..={max} s")]
    InvalidTokenTtl {
        /// The requested lifetime.
        value: u64,
        /// The shortest allowed.
        min: u64,
        /// The longest allowed.
        max: u64,
    },
    /// The rotation grace period is out of range.
    #[error("grace period {value} s is out of range: {min}..={max} s")]
    InvalidGracePeriod {
        /// The requested grace period.
        value: u64,
        /// The shortest allowed.
        min: u64,
        /// The longest allowed.
        max: u64,
    },
    /// The page size or page token of a list is refused.
    #[error(transparent)]
    Page(#[from] crate::paging::PageError),
    /// The store could not keep the change; nothing was applied.
    #[error(transparent)]
    Store(#[from] crate::error_code::StoreError),
}

impl ErrorCode for AppError {
    fn code(&self) -> &'static str {
        match self {
            AppError::Store(e) => e.code(),
            AppError::Page(e) => e.code(),
            AppError::InvalidSid(_) => "invalid_sid",
            AppError::OrganizationNotFound(_) => "organization_not_found",
            AppError::AccountNotFound(_) => "account_not_found",
            AppError::UserNotFound(_) => "user_not_found",
            AppError::AppNotFound(_) => "app_not_found",
            AppError::AuthorizationNotFound(_) => "authorization_not_found",
            AppError::UserNameTaken(_) => "user_name_taken",
            AppError::InvalidBody(_) => "invalid_request",
            AppError::InvalidOwner(_) => "invalid_account_owner",
            AppError::InvalidAccountCredentials => "invalid_credentials",
            AppError::OtherAccount { .. } => "wrong_account",
            AppError::MissingName => "missing_name",
            AppError::InvalidField { .. } => "invalid_field",
            AppError::InvalidUrl { .. } => "invalid_url",
            AppError::UnknownGrantType(_) => "unsupported_grant_type",
            AppError::GrantTypeNotAllowed => "grant_type_not_allowed",
            AppError::MissingRedirectUrl => "missing_redirect_url",
            AppError::RedirectUrlNotAllowed => "redirect_url_not_allowed",
            AppError::MissingScopes => "missing_scope",
            AppError::TooManyScopes(_) => "too_many_scopes",
            AppError::UnknownScope(_) => "invalid_scope",
            AppError::DuplicateScope(_) => "duplicate_scope",
            AppError::InvalidTokenTtl { .. } => "invalid_token_ttl",
            AppError::InvalidGracePeriod { .. } => "invalid_grace_period",
        }
    }

    fn status(&self) -> u16 {
        match self {
            AppError::Store(e) => e.status(),
            AppError::OrganizationNotFound(_)
            | AppError::AccountNotFound(_)
            | AppError::UserNotFound(_)
            | AppError::AppNotFound(_)
            | AppError::AuthorizationNotFound(_) => 404,
            AppError::UserNameTaken(_) => 409,
            AppError::InvalidAccountCredentials => 401,
            AppError::OtherAccount { .. } => 403,
            _ => 400,
        }
    }

    fn twilio_code(&self) -> u32 {
        match self.status() {
            500 => 20500,
            503 => 20503,
            401 => 20003,
            403 => 20403,
            404 => 20404,
            409 => 20409,
            _ => 20001,
        }
    }
}

impl From<UnknownOrganization> for AppError {
    fn from(UnknownOrganization(sid): UnknownOrganization) -> Self {
        AppError::OrganizationNotFound(sid)
    }
}
