//! The records the engine returns, as plain Kotlin data classes / Swift structs.
//!
//! Each is built from the core type of the same name; instants are `SystemTime`
//! (`java.time.Instant`), sids are strings, free-form JSON is JSON text. The records
//! all bindings share are declared from [`iamkit_bindings::records!`] and read from
//! the core value's JSON. Records that hold a secret (a client
//! secret, an access or refresh token, an authorization code) print it as
//! `<redacted>` (their exported `Debug`, Kotlin's `toString`).

use std::fmt;
use std::time::SystemTime;

use serde::{Deserialize, Deserializer};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::clock::to_system;
use crate::error::{internal, Result};

/// A core value as the record `T`, read from its JSON.
pub fn record<T: serde::de::DeserializeOwned>(value: &impl serde::Serialize) -> Result<T> {
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .map_err(|e| internal(format!("a record does not have its shape: {e}")))
}

fn instant<'de, D: Deserializer<'de>>(from: D) -> std::result::Result<SystemTime, D::Error> {
    let text = String::deserialize(from)?;
    OffsetDateTime::parse(&text, &Rfc3339)
        .map(to_system)
        .map_err(serde::de::Error::custom)
}

fn opt_instant<'de, D: Deserializer<'de>>(
    from: D,
) -> std::result::Result<Option<SystemTime>, D::Error> {
    match Option::<String>::deserialize(from)? {
        None => Ok(None),
        Some(text) => OffsetDateTime::parse(&text, &Rfc3339)
            .map(|at| Some(to_system(at)))
            .map_err(serde::de::Error::custom),
    }
}

fn json_text<'de, D: Deserializer<'de>>(from: D) -> std::result::Result<String, D::Error> {
    serde_json::Value::deserialize(from).map(|v| v.to_string())
}

fn opt_json_text<'de, D: Deserializer<'de>>(
    from: D,
) -> std::result::Result<Option<String>, D::Error> {
    Option::<serde_json::Value>::deserialize(from).map(|v| v.map(|v| v.to_string()))
}

/// The Kotlin form of a field of [`iamkit_bindings::records!`], added to the
/// fields declared so far; then the record itself.
macro_rules! uniffi_record {
    (@ $doc:tt $name:ident [$($done:tt)*] $(#[$d:meta])* $field:ident: Text, $($rest:tt)*) => {
        uniffi_record!(@ $doc $name [$($done)* $(#[$d])* pub $field: String,] $($rest)*);
    };
    (@ $doc:tt $name:ident [$($done:tt)*] $(#[$d:meta])* $field:ident: OptText, $($rest:tt)*) => {
        uniffi_record!(@ $doc $name [$($done)* $(#[$d])* pub $field: Option<String>,] $($rest)*);
    };
    (@ $doc:tt $name:ident [$($done:tt)*] $(#[$d:meta])* $field:ident: Texts, $($rest:tt)*) => {
        uniffi_record!(@ $doc $name [$($done)* $(#[$d])* pub $field: Vec<String>,] $($rest)*);
    };
    (@ $doc:tt $name:ident [$($done:tt)*] $(#[$d:meta])* $field:ident: Bool, $($rest:tt)*) => {
        uniffi_record!(@ $doc $name [$($done)* $(#[$d])* pub $field: bool,] $($rest)*);
    };
    (@ $doc:tt $name:ident [$($done:tt)*] $(#[$d:meta])* $field:ident: OptInt, $($rest:tt)*) => {
        uniffi_record!(@ $doc $name [$($done)* $(#[$d])* pub $field: Option<i64>,] $($rest)*);
    };
    (@ $doc:tt $name:ident [$($done:tt)*] $(#[$d:meta])* $field:ident: Instant, $($rest:tt)*) => {
        uniffi_record!(@ $doc $name [$($done)* $(#[$d])*
            #[serde(deserialize_with = "instant")]
            pub $field: SystemTime,] $($rest)*);
    };
    (@ $doc:tt $name:ident [$($done:tt)*] $(#[$d:meta])* $field:ident: OptInstant, $($rest:tt)*) => {
        uniffi_record!(@ $doc $name [$($done)* $(#[$d])*
            #[serde(deserialize_with = "opt_instant")]
            pub $field: Option<SystemTime>,] $($rest)*);
    };
    (@ $doc:tt $name:ident [$($done:tt)*] $(#[$d:meta])* $field:ident: Details, $($rest:tt)*) => {
        uniffi_record!(@ $doc $name [$($done)* $(#[$d])* #[doc = " As JSON text."]
            #[serde(deserialize_with = "json_text")]
            pub $field: String,] $($rest)*);
    };
    (@ $doc:tt $name:ident [$($done:tt)*] $(#[$d:meta])* $field:ident: OptJson, $($rest:tt)*) => {
        uniffi_record!(@ $doc $name [$($done)* $(#[$d])* #[doc = " As JSON text."]
            #[serde(deserialize_with = "opt_json_text")]
            pub $field: Option<String>,] $($rest)*);
    };
    (@ [$($doc:tt)*] $name:ident [$($done:tt)*]) => {
        $($doc)*
        #[derive(Debug, Clone, PartialEq, Eq, Deserialize, uniffi::Record)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($done)*
        }
    };
}

/// Declares the records every binding shares.
macro_rules! uniffi_records {
    ($($(#[$doc:meta])* $name:ident { $($fields:tt)* })*) => {
        $(uniffi_record!(@ [$(#[$doc])*] $name [] $($fields)*);)*
    };
}

iamkit_bindings::records!(uniffi_records);

/// What a secret-bearing record prints instead of the secret.
const REDACTED: &str = "<redacted>";

/// An OAuth app as callers see it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct App {
    /// The client id (`OQ…`).
    pub client_id: String,
    /// The organization the app belongs to, directly or through its account.
    pub organization_sid: String,
    /// The owning account, for account apps.
    pub account_sid: Option<String>,
    /// `client_credentials` or `authorization_code`.
    pub grant_type: String,
    /// Its name.
    pub name: String,
    /// What it is for.
    pub description: Option<String>,
    /// The company behind it.
    pub company_name: Option<String>,
    /// Logos and other images.
    pub image_urls: Vec<String>,
    /// Its homepage.
    pub homepage_url: Option<String>,
    /// Its terms of service.
    pub terms_of_service_url: Option<String>,
    /// Where the consent page sends the user back (authorization-code apps).
    pub redirect_url: Option<String>,
    /// The consent page URL of an authorization-code app.
    pub authorization_url: Option<String>,
    /// The permissions its tokens carry.
    pub scopes: Vec<String>,
    /// Lifetime of its access tokens, in seconds.
    pub token_ttl: u64,
    /// When it was created.
    pub created_at: SystemTime,
    /// When it was last changed.
    pub updated_at: SystemTime,
    /// Who created it.
    pub created_by: String,
}

impl App {
    /// The record of `app`, with the consent page URL the engine gives it.
    pub fn of(engine: &iamkit::Engine, app: iamkit::App) -> Self {
        Self {
            authorization_url: engine.authorization_url(&app),
            client_id: app.client_id.to_string(),
            organization_sid: app.owner.organization_sid().to_string(),
            account_sid: app.owner.account_sid().map(|a| a.to_string()),
            grant_type: app.grant_type.as_str().to_owned(),
            name: app.name,
            description: app.description,
            company_name: app.company_name,
            image_urls: app.image_urls,
            homepage_url: app.homepage_url,
            terms_of_service_url: app.terms_of_service_url,
            redirect_url: app.redirect_url,
            scopes: app.scopes,
            token_ttl: app.token_ttl,
            created_at: to_system(app.created_at),
            updated_at: to_system(app.updated_at),
            created_by: app.created_by,
        }
    }
}

/// A new account and its auth token, shown this once.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct CreatedAccount {
    /// The account.
    pub account: Account,
    /// Its auth token; the engine keeps only its hash.
    pub auth_token: String,
}

impl fmt::Debug for CreatedAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatedAccount")
            .field("account", &self.account)
            .field("auth_token", &REDACTED)
            .finish()
    }
}

/// A new app and its client secret, shown this once.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct CreatedApp {
    /// The app.
    pub app: App,
    /// Its client secret.
    pub client_secret: String,
}

impl fmt::Debug for CreatedApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatedApp")
            .field("app", &self.app)
            .field("client_secret", &REDACTED)
            .finish()
    }
}

/// An app after a secret rotation, its new secret (shown this once) and how long
/// the previous one keeps working.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct RotatedSecret {
    /// The app.
    pub app: App,
    /// The new client secret.
    pub client_secret: String,
    /// Until when the previous secret works, if it still does.
    pub previous_valid_until: Option<SystemTime>,
}

impl fmt::Debug for RotatedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RotatedSecret")
            .field("app", &self.app)
            .field("client_secret", &REDACTED)
            .field("previous_valid_until", &self.previous_valid_until)
            .finish()
    }
}

/// The answer to an approved authorization request.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct Authorized {
    /// The authorization code, for the Token API.
    pub code: String,
    /// Where to send the user: the redirect URI with `code` and `state`.
    pub redirect_to: String,
    /// The authorization the approval made or extended.
    pub authorization: Authorization,
    /// When the code expires.
    pub expires_at: SystemTime,
}

impl TryFrom<iamkit::AuthorizeResponse> for Authorized {
    type Error = crate::error::IamkitError;

    fn try_from(r: iamkit::AuthorizeResponse) -> Result<Self> {
        Ok(Self {
            code: r.code.expose().to_owned(),
            redirect_to: r.redirect_to.expose().to_owned(),
            authorization: record(&r.authorization)?,
            expires_at: to_system(r.expires_at),
        })
    }
}

impl fmt::Debug for Authorized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authorized")
            .field("code", &REDACTED)
            .field("redirect_to", &REDACTED)
            .field("authorization", &self.authorization)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// A Token API response, with Twilio's fields plus the granted `scope`.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct TokenResponse {
    /// The access token (a JWT).
    pub access_token: String,
    /// Always null: the Token API issues no ID tokens.
    pub id_token: Option<String>,
    /// Always `Bearer`.
    pub token_type: String,
    /// The access token's lifetime in seconds.
    pub expires_in: u64,
    /// A refresh token, for authorization-code grants that asked for
    /// `offline_access`.
    pub refresh_token: Option<String>,
    /// The granted scopes, space-separated.
    pub scope: String,
}

impl From<iamkit::TokenResponse> for TokenResponse {
    fn from(t: iamkit::TokenResponse) -> Self {
        Self {
            access_token: t.access_token.expose().to_owned(),
            id_token: t.id_token,
            token_type: t.token_type.to_owned(),
            expires_in: t.expires_in,
            refresh_token: t.refresh_token.map(|r| r.expose().to_owned()),
            scope: t.scope,
        }
    }
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &REDACTED)
            .field("id_token", &self.id_token)
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| REDACTED),
            )
            .field("scope", &self.scope)
            .finish()
    }
}

/// The claims of a valid access token (JWT claim names).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Subject: the approving user for authorization-code tokens, else the client id.
    pub sub: String,
    /// Audience.
    pub aud: String,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Not before (Unix seconds).
    pub nbf: i64,
    /// Expires at (Unix seconds).
    pub exp: i64,
    /// The token id.
    pub jti: String,
    /// The granted permissions, space-separated.
    pub scope: String,
    /// The app the token was issued to.
    pub client_id: String,
    /// The app's organization.
    pub organization_sid: String,
    /// The owning account, for account apps.
    pub account_sid: Option<String>,
    /// The authorization-code grant the token descends from, if any.
    pub grant_sid: Option<String>,
}

impl From<iamkit::Claims> for Claims {
    fn from(c: iamkit::Claims) -> Self {
        Self {
            iss: c.iss,
            sub: c.sub,
            aud: c.aud,
            iat: c.iat,
            nbf: c.nbf,
            exp: c.exp,
            jti: c.jti.to_string(),
            scope: c.scope,
            client_id: c.client_id.to_string(),
            organization_sid: c.organization_sid.to_string(),
            account_sid: c.account_sid.map(|a| a.to_string()),
            grant_sid: c.grant_sid.map(|g| g.to_string()),
        }
    }
}

/// RFC 7662 introspection: `active`, and the token's facts when it is.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Introspection {
    /// Whether the token is currently valid.
    pub active: bool,
    /// Its scopes, space-separated.
    pub scope: Option<String>,
    /// The app it was issued to.
    pub client_id: Option<String>,
    /// `access_token` or `refresh_token`.
    pub token_type: Option<String>,
    /// Expiry (Unix seconds).
    pub exp: Option<i64>,
    /// Issue time (Unix seconds).
    pub iat: Option<i64>,
    /// Not-before (Unix seconds).
    pub nbf: Option<i64>,
    /// The subject.
    pub sub: Option<String>,
    /// The audience.
    pub aud: Option<String>,
    /// The issuer.
    pub iss: Option<String>,
    /// The token id.
    pub jti: Option<String>,
    /// The owning organization.
    pub organization_sid: Option<String>,
    /// The owning account, for account apps.
    pub account_sid: Option<String>,
}

impl From<iamkit::Introspection> for Introspection {
    fn from(i: iamkit::Introspection) -> Self {
        Self {
            active: i.active,
            scope: i.scope,
            client_id: i.client_id.map(|c| c.to_string()),
            token_type: i.token_type,
            exp: i.exp,
            iat: i.iat,
            nbf: i.nbf,
            sub: i.sub,
            aud: i.aud,
            iss: i.iss,
            jti: i.jti,
            organization_sid: i.organization_sid.map(|o| o.to_string()),
            account_sid: i.account_sid.map(|a| a.to_string()),
        }
    }
}

/// An allowed call: the permission that allows it and the token's claims.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Access {
    /// The catalogue permission, e.g. `managed-users/list`.
    pub permission: String,
    /// The token's claims.
    pub claims: Claims,
}

impl From<iamkit::Access> for Access {
    fn from(a: iamkit::Access) -> Self {
        Self {
            permission: a.permission,
            claims: a.claims.into(),
        }
    }
}

/// A role, as Twilio's Role resource.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RoleInfo {
    /// The role's sid (`IX…`).
    pub sid: String,
    /// Its display name, e.g. `Owner`.
    pub friendly_name: String,
    /// Always `organization`.
    pub kind: String,
    /// What it gives access to.
    pub external_description: String,
    /// Its product group: `iam`.
    pub product_group: String,
    /// The lowest scope it can be assigned at: `ACCOUNT`.
    pub lowest_level: String,
}

impl From<iamkit::RoleInfo> for RoleInfo {
    fn from(r: iamkit::RoleInfo) -> Self {
        Self {
            sid: r.sid.to_string(),
            friendly_name: r.friendly_name.to_owned(),
            kind: r.kind.to_owned(),
            external_description: r.external_description.to_owned(),
            product_group: r.product_group.to_owned(),
            lowest_level: r.lowest_level.to_owned(),
        }
    }
}

/// Where a page is and how to reach its neighbours.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PageMeta {
    /// The member holding the items: `content`.
    pub key: String,
    /// Items per page.
    pub page_size: u32,
    /// The page's number, from 0.
    pub page: u32,
    /// The first page of this list.
    pub first_page_url: String,
    /// This page.
    pub url: String,
    /// The next page, if there is one.
    pub next_page_url: Option<String>,
    /// The previous page, if there is one.
    pub previous_page_url: Option<String>,
    /// The page token of the next page.
    pub next_token: Option<String>,
    /// The page token of the previous page.
    pub previous_token: Option<String>,
}

/// A page of role assignments.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RoleAssignmentPage {
    /// The assignments, oldest first.
    pub content: Vec<RoleAssignment>,
    /// Where this page is.
    pub meta: PageMeta,
}

impl PageMeta {
    /// The meta of a core page, its links on the list served at `list_url`.
    fn of(meta: iamkit::PageMeta, list_url: &str) -> Self {
        let links = meta.links(list_url);
        Self {
            key: meta.key.to_owned(),
            page_size: meta.page_size,
            page: meta.page,
            first_page_url: links.first_page_url,
            url: links.url,
            next_page_url: links.next_page_url,
            previous_page_url: links.previous_page_url,
            next_token: meta.next_token,
            previous_token: meta.previous_token,
        }
    }
}

impl RoleAssignmentPage {
    /// The page of `page`, its links on the list served at `list_url`.
    pub fn of(page: iamkit::RoleAssignmentPage, list_url: &str) -> Result<Self> {
        Ok(Self {
            content: record(&page.content)?,
            meta: PageMeta::of(page.meta, list_url),
        })
    }
}

/// A page of an organization's accounts.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AccountPage {
    /// The accounts, oldest first.
    pub content: Vec<Account>,
    /// Where this page is.
    pub meta: PageMeta,
}

impl AccountPage {
    /// The page of `page`, its links on the list served at `list_url`.
    pub fn of(page: iamkit::AccountPage, list_url: &str) -> Result<Self> {
        Ok(Self {
            content: record(&page.content)?,
            meta: PageMeta::of(page.meta, list_url),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_responses_print_no_token() {
        let t = TokenResponse {
            access_token: "eyJ.secret.jwt".into(),
            id_token: None,
            token_type: "Bearer".into(),
            expires_in: 3600,
            refresh_token: Some("refresh-secret".into()),
            scope: "a".into(),
        };
        let shown = format!("{t:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }

    #[test]
    fn created_accounts_print_no_auth_token() {
        let created = CreatedAccount {
            account: Account {
                sid: "AC0".into(),
                organization_sid: "OR0".into(),
                name: "Prod".into(),
                owner_sid: None,
                created_at: std::time::UNIX_EPOCH,
            },
            auth_token: "0123456789abcdef0123456789abcdef".into(),
        };
        let shown = format!("{created:?}");
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
        assert!(shown.contains("auth_token: \"<redacted>\""), "{shown}");
    }
}
