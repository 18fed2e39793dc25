//! The records callers fill in: engine options and the arguments of the engine's
//! requests, with defaults so that Kotlin callers name only what they need.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use crate::clock::ManualClock;

/// What a secret-bearing record prints instead of the secret.
const REDACTED: &str = "<redacted>";

/// How to make an engine. Every field has a default, so an option added later (such
/// as a database path) is a new defaulted field and existing callers keep compiling.
#[derive(Clone, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct EngineOptions {
    /// The clock the engine reads; the system clock when null.
    #[uniffi(default)]
    pub clock: Option<Arc<ManualClock>>,
    /// The signing algorithm of a fresh key: `ES256` (when null), `EdDSA` or
    /// `HS256`. A database that keeps a key of another algorithm refuses it.
    #[uniffi(default)]
    pub algorithm: Option<String>,
    /// The issuer (`iss`) and base URL; the engine's default when null.
    #[uniffi(default)]
    pub issuer: Option<String>,
    /// An RS256 private key (PKCS#8 PEM) to sign with instead of a fresh key.
    #[uniffi(default)]
    pub rs256_key_pem: Option<String>,
    /// A SQLite file that keeps the state and signing key (created owner-only);
    /// in memory when null.
    #[uniffi(default)]
    pub database: Option<String>,
    /// The rules SCIM users follow: `twilio` (when null) or `rfc7643`.
    #[uniffi(default)]
    pub scim_rules: Option<String>,
}

impl fmt::Debug for EngineOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EngineOptions")
            .field("clock", &self.clock)
            .field("algorithm", &self.algorithm)
            .field("issuer", &self.issuer)
            .field(
                "rs256_key_pem",
                &self.rs256_key_pem.as_ref().map(|_| REDACTED),
            )
            .field(
                "database",
                &self.database.as_deref().map(iamkit::Database::parse),
            )
            .field("scim_rules", &self.scim_rules)
            .finish()
    }
}

/// A managed user to create.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NewUser {
    /// The organization.
    pub organization_sid: String,
    /// The user name (an email address).
    pub user_name: String,
    /// Organization roles by name (`Owner`, `Administrator`, …) or sid.
    #[uniffi(default)]
    pub roles: Vec<String>,
    /// Whether the user signs in through SSO.
    #[uniffi(default)]
    pub sso: bool,
}

/// An app to create.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NewApp {
    /// The owning organization (`OR…`) or account (`AC…`).
    pub owner_sid: String,
    /// The app's name.
    pub name: String,
    /// The permissions its tokens carry.
    pub scopes: Vec<String>,
    /// `client_credentials` or `authorization_code`.
    #[uniffi(default = "client_credentials")]
    pub grant_type: String,
    /// Where the consent page sends the user back (authorization-code apps).
    #[uniffi(default)]
    pub redirect_url: Option<String>,
    /// Access token lifetime in seconds (account apps).
    #[uniffi(default)]
    pub token_ttl: Option<u64>,
    /// What the app is for.
    #[uniffi(default)]
    pub description: Option<String>,
    /// The company behind it.
    #[uniffi(default)]
    pub company_name: Option<String>,
    /// Logos and other images.
    #[uniffi(default)]
    pub image_urls: Vec<String>,
    /// Its homepage.
    #[uniffi(default)]
    pub homepage_url: Option<String>,
    /// Its terms of service.
    #[uniffi(default)]
    pub terms_of_service_url: Option<String>,
}

/// Changes to an app; null fields are kept.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct AppUpdate {
    /// A new name.
    #[uniffi(default)]
    pub name: Option<String>,
    /// A new description.
    #[uniffi(default)]
    pub description: Option<String>,
    /// A new company name.
    #[uniffi(default)]
    pub company_name: Option<String>,
    /// New image URLs.
    #[uniffi(default)]
    pub image_urls: Option<Vec<String>>,
    /// A new homepage.
    #[uniffi(default)]
    pub homepage_url: Option<String>,
    /// New terms of service.
    #[uniffi(default)]
    pub terms_of_service_url: Option<String>,
    /// A new redirect URL.
    #[uniffi(default)]
    pub redirect_url: Option<String>,
    /// New scopes.
    #[uniffi(default)]
    pub scopes: Option<Vec<String>>,
    /// A new token lifetime in seconds.
    #[uniffi(default)]
    pub token_ttl: Option<u64>,
}

impl From<AppUpdate> for iamkit::AppUpdate {
    fn from(u: AppUpdate) -> Self {
        Self {
            name: u.name,
            description: u.description,
            company_name: u.company_name,
            image_urls: u.image_urls,
            homepage_url: u.homepage_url,
            terms_of_service_url: u.terms_of_service_url,
            redirect_url: u.redirect_url,
            scopes: u.scopes,
            token_ttl: u.token_ttl,
        }
    }
}

/// A signed-in user's approval of an authorization-code app (the consent page's
/// request).
#[derive(Debug, Clone, uniffi::Record)]
pub struct AuthorizeRequest {
    /// The app.
    pub client_id: String,
    /// The redirect URI; it must equal the app's exactly.
    pub redirect_uri: String,
    /// The approving user.
    pub user_sid: String,
    /// Always `code`.
    #[uniffi(default = "code")]
    pub response_type: String,
    /// Requested scopes, space-separated (`offline_access` asks for a refresh token).
    #[uniffi(default)]
    pub scope: Option<String>,
    /// The client's state, returned in the redirect.
    #[uniffi(default)]
    pub state: Option<String>,
    /// The PKCE challenge.
    #[uniffi(default)]
    pub code_challenge: Option<String>,
    /// `S256` or `plain`.
    #[uniffi(default)]
    pub code_challenge_method: Option<String>,
}

impl From<AuthorizeRequest> for iamkit::AuthorizeRequest {
    fn from(r: AuthorizeRequest) -> Self {
        Self {
            client_id: r.client_id,
            response_type: r.response_type,
            redirect_uri: r.redirect_uri,
            scope: r.scope,
            state: r.state,
            user_sid: r.user_sid,
            code_challenge: r.code_challenge,
            code_challenge_method: r.code_challenge_method,
        }
    }
}

/// A Token API request, with the form fields as sent.
#[derive(Clone, uniffi::Record)]
#[uniffi::export(Debug)]
pub struct TokenRequest {
    /// `client_credentials`, `authorization_code` or `refresh_token`.
    pub grant_type: String,
    /// The app's client id.
    #[uniffi(default)]
    pub client_id: Option<String>,
    /// The app's client secret.
    #[uniffi(default)]
    pub client_secret: Option<String>,
    /// The authorization code.
    #[uniffi(default)]
    pub code: Option<String>,
    /// The redirect URI the code was issued for.
    #[uniffi(default)]
    pub redirect_uri: Option<String>,
    /// The refresh token.
    #[uniffi(default)]
    pub refresh_token: Option<String>,
    /// The PKCE verifier.
    #[uniffi(default)]
    pub code_verifier: Option<String>,
    /// A space-separated subset of the app's scopes.
    #[uniffi(default)]
    pub scope: Option<String>,
}

impl From<TokenRequest> for iamkit::TokenRequest {
    fn from(r: TokenRequest) -> Self {
        Self {
            grant_type: r.grant_type,
            client_id: r.client_id,
            client_secret: r.client_secret.map(Into::into),
            code: r.code.map(Into::into),
            redirect_uri: r.redirect_uri,
            refresh_token: r.refresh_token.map(Into::into),
            code_verifier: r.code_verifier.map(Into::into),
            scope: r.scope,
        }
    }
}

impl fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hidden = |s: &Option<String>| s.as_ref().map(|_| REDACTED);
        f.debug_struct("TokenRequest")
            .field("grant_type", &self.grant_type)
            .field("client_id", &self.client_id)
            .field("client_secret", &hidden(&self.client_secret))
            .field("code", &hidden(&self.code))
            .field("redirect_uri", &self.redirect_uri)
            .field("refresh_token", &hidden(&self.refresh_token))
            .field("code_verifier", &hidden(&self.code_verifier))
            .field("scope", &self.scope)
            .finish()
    }
}

/// Which attributes of a SCIM user to return (RFC 7644 §3.9).
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct ScimProjection {
    /// Return only these attributes (and those always returned).
    #[uniffi(default)]
    pub attributes: Vec<String>,
    /// Leave these attributes out.
    #[uniffi(default)]
    pub excluded_attributes: Vec<String>,
}

/// A SCIM list query: filter, sorting, paging and projection.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct ScimQuery {
    /// A SCIM filter, e.g. `userName eq "a@b.example"`.
    #[uniffi(default)]
    pub filter: Option<String>,
    /// The attribute to sort by.
    #[uniffi(default)]
    pub sort_by: Option<String>,
    /// `ascending` or `descending`.
    #[uniffi(default)]
    pub sort_order: Option<String>,
    /// The 1-based index of the first result.
    #[uniffi(default)]
    pub start_index: Option<u64>,
    /// Results per page.
    #[uniffi(default)]
    pub count: Option<u64>,
    /// Return only these attributes.
    #[uniffi(default)]
    pub attributes: Vec<String>,
    /// Leave these attributes out.
    #[uniffi(default)]
    pub excluded_attributes: Vec<String>,
}

/// A role to give a user in a scope.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NewRoleAssignment {
    /// The role's sid (`IX…`).
    pub role_sid: String,
    /// The organization or one of its accounts.
    pub scope: String,
    /// The user.
    pub identity: String,
}

impl From<NewRoleAssignment> for iamkit::NewRoleAssignment {
    fn from(r: NewRoleAssignment) -> Self {
        Self {
            role_sid: r.role_sid,
            scope: r.scope,
            identity: r.identity,
        }
    }
}

/// Which role assignments to list, and the page.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct RoleAssignmentQuery {
    /// Only this user's.
    #[uniffi(default)]
    pub identity: Option<String>,
    /// Only in this scope.
    #[uniffi(default)]
    pub scope: Option<String>,
    /// Items per page, 1 to 100.
    #[uniffi(default)]
    pub page_size: Option<u32>,
    /// The page token of the page to return.
    #[uniffi(default)]
    pub page_token: Option<String>,
}

impl From<RoleAssignmentQuery> for iamkit::RoleAssignmentQuery {
    fn from(q: RoleAssignmentQuery) -> Self {
        Self {
            identity: q.identity,
            scope: q.scope,
            page_size: q.page_size,
            page_token: q.page_token,
        }
    }
}

/// Which page of an organization's accounts to list.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct AccountQuery {
    /// Items per page, 1 to 100 (default 50).
    #[uniffi(default)]
    pub page_size: Option<u32>,
    /// The page token of the page to return.
    #[uniffi(default)]
    pub page_token: Option<String>,
}

impl From<AccountQuery> for iamkit::AccountQuery {
    fn from(q: AccountQuery) -> Self {
        Self {
            page_size: q.page_size,
            page_token: q.page_token,
        }
    }
}

/// Which audit events to list; every field narrows the result.
#[derive(Debug, Clone, Default, uniffi::Record)]
pub struct AuditQuery {
    /// Only events of this type, e.g. `oauth-apps.created`.
    #[uniffi(default)]
    pub event_type: Option<String>,
    /// Only events about this subject.
    #[uniffi(default)]
    pub subject: Option<String>,
    /// Only events at or after this instant.
    #[uniffi(default)]
    pub since: Option<SystemTime>,
    /// Only events before this instant.
    #[uniffi(default)]
    pub until: Option<SystemTime>,
    /// At most this many (the newest).
    #[uniffi(default)]
    pub limit: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_requests_print_no_secret() {
        let r = TokenRequest {
            grant_type: "client_credentials".into(),
            client_id: Some("OQ1".into()),
            client_secret: Some("hunter2".into()),
            code: None,
            redirect_uri: None,
            refresh_token: None,
            code_verifier: Some("pkce-value-42".into()),
            scope: None,
        };
        let shown = format!("{r:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("pkce-value-42"),
            "{shown}"
        );
        assert!(shown.contains("OQ1"), "{shown}");
    }
}
