//! The authorization-code flow: consent, codes, grants and PKCE.
//!
//! A user of the organization who holds the Owner or Administrator role and does not
//! sign in through SSO approves an organization authorization-code app. That records
//! an [`Authorization`] (the "authorized app") and issues a code that works once,
//! within five minutes, for the same app and redirect URI. Each code starts a
//! [`Grant`]: every token the code leads to is bound to it, so reusing the code or
//! revoking the authorization stops them all.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

mod consent;
mod retention;
mod ticket;

pub(crate) use consent::{approve, check, revoke, Tables};
pub use retention::MAX_PENDING_CODES;
pub(crate) use ticket::TicketKey;
pub use ticket::TICKET_LIFETIME;

use crate::error_code::ErrorCode;
use crate::ids::{AuthorizationSid, ClientId, GrantSid, OrganizationSid, RefreshTokenSid, UserSid};
use crate::secrets::{SecretHash, SecretString};

/// How long an authorization code works after it is issued.
pub const CODE_LIFETIME: Duration = Duration::minutes(5);

/// The scope that asks for a refresh token.
pub const OFFLINE_ACCESS: &str = "offline_access";

/// An authorization request (`GET /v2/authorize`) approved by a signed-in user.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuthorizeRequest {
    /// The app's client id.
    pub client_id: String,
    /// Must be `code`.
    pub response_type: String,
    /// Must equal the app's registered redirect URL exactly.
    pub redirect_uri: String,
    /// Space-separated: `offline_access` and/or a subset of the app's scopes (all of
    /// them when none is named).
    pub scope: Option<String>,
    /// Opaque value echoed back in the redirect.
    pub state: Option<String>,
    /// The signed-in user who approves.
    pub user_sid: String,
    /// PKCE challenge (RFC 7636).
    pub code_challenge: Option<String>,
    /// `S256` or `plain` (the default when a challenge is given).
    pub code_challenge_method: Option<String>,
}

/// What an approved authorization returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeResponse {
    /// The authorization code (valid five minutes, once).
    pub code: SecretString,
    /// Where to send the user: `REDIRECT_URL?code=CODE&state=STATE`.
    pub redirect_to: SecretString,
    /// The recorded authorization.
    pub authorization: Authorization,
    /// When the code stops working.
    pub expires_at: OffsetDateTime,
}

/// An app a user has authorized for the organization (an "authorized app").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorization {
    /// Its sid.
    pub sid: AuthorizationSid,
    /// The authorized app.
    pub client_id: ClientId,
    /// The app's organization.
    pub organization_sid: OrganizationSid,
    /// Who authorized it.
    pub authorized_by: UserSid,
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// When it was first authorized.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it was revoked, if it was.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub revoked_at: Option<OffsetDateTime>,
}

/// A PKCE challenge method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PkceMethod {
    /// `BASE64URL(SHA256(verifier)) == challenge`.
    S256,
    /// `verifier == challenge`.
    #[serde(rename = "plain")]
    Plain,
}

/// A PKCE challenge recorded with a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pkce {
    /// The challenge as sent.
    pub challenge: String,
    /// How the verifier is checked against it.
    pub method: PkceMethod,
}

impl Pkce {
    /// Validates a challenge and method from an authorization request (RFC 7636 §4.2:
    /// 43–128 characters of `[A-Za-z0-9-._~]`).
    pub fn parse(challenge: &str, method: Option<&str>) -> Result<Self, AuthorizeError> {
        let method = match method {
            None | Some("plain") => PkceMethod::Plain,
            Some("S256") => PkceMethod::S256,
            Some(other) => {
                return Err(AuthorizeError::InvalidRequest(format!(
                    "unsupported code_challenge_method {:?}: use S256 or plain",
                    other.chars().take(32).collect::<String>()
                )))
            }
        };
        if !is_pkce_value(challenge) {
            return Err(AuthorizeError::InvalidRequest(
                "code_challenge must be 43-128 characters of A-Z a-z 0-9 - . _ ~".into(),
            ));
        }
        Ok(Self {
            challenge: challenge.to_owned(),
            method,
        })
    }

    /// Whether `verifier` answers this challenge (compared in constant time).
    pub fn verify(&self, verifier: &str) -> bool {
        if !is_pkce_value(verifier) {
            return false;
        }
        let expected = match self.method {
            PkceMethod::Plain => verifier.to_owned(),
            PkceMethod::S256 => URL_SAFE_NO_PAD
                .encode(ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes()).as_ref()),
        };
        SecretHash::of(expected.as_bytes()) == SecretHash::of(self.challenge.as_bytes())
    }
}

fn is_pkce_value(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// One code and everything it led to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// Its sid (tokens carry it as `grant_sid`).
    pub sid: GrantSid,
    /// The authorization it belongs to.
    pub authorization_sid: AuthorizationSid,
    /// The app.
    pub client_id: ClientId,
    /// The approving user.
    pub user_sid: UserSid,
    /// The scopes tokens of this grant carry.
    pub scopes: Vec<String>,
    /// Whether a refresh token was asked for.
    pub offline_access: bool,
    /// The redirect URI the code was issued for.
    pub redirect_uri: String,
    /// Hash of the code.
    pub code_hash: SecretHash,
    /// The PKCE challenge, if the request carried one.
    pub pkce: Option<Pkce>,
    /// When the code was issued.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// When the code was redeemed.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub redeemed_at: Option<OffsetDateTime>,
    /// When the grant was revoked (code reuse, revocation of a refresh token).
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub revoked_at: Option<OffsetDateTime>,
}

impl Grant {
    /// Whether the code is past its five minutes at `now`.
    pub fn code_expired(&self, now: OffsetDateTime) -> bool {
        now >= self.issued_at + CODE_LIFETIME
    }
}

/// How refresh tokens live: their lifetime and whether each use rotates them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// How long a refresh token works after the code that started its grant was
    /// redeemed; rotated tokens keep the first one's end (default 90 days).
    pub lifetime: Duration,
    /// Whether each use returns a new refresh token and retires the one used; using
    /// a retired token again revokes the whole authorization (RFC 9700 §4.14.2).
    /// Off by default.
    pub rotate: bool,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        Self {
            lifetime: Duration::days(90),
            rotate: false,
        }
    }
}

/// A refresh token's record; the token itself is known only by its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshToken {
    /// Its sid.
    pub sid: RefreshTokenSid,
    /// The grant it continues.
    pub grant_sid: GrantSid,
    /// The app it belongs to.
    pub client_id: ClientId,
    /// When it stops working (see [`RefreshToken::expires_at`]).
    #[serde(
        with = "time::serde::rfc3339::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub expires: Option<OffsetDateTime>,
    /// When it was exchanged for its successor (rotation): using it again is a reuse.
    #[serde(
        with = "time::serde::rfc3339::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub rotated_at: Option<OffsetDateTime>,
}

impl RefreshToken {
    /// When the token stops working: its recorded end, or for a token recorded
    /// without one, `lifetime` after its grant's code was issued.
    pub fn expires_at(&self, grant: &Grant, lifetime: Duration) -> OffsetDateTime {
        self.expires.unwrap_or(grant.issued_at + lifetime)
    }

    /// Whether it can be exchanged at `now`: not expired and not rotated out.
    pub fn usable(&self, grant: &Grant, lifetime: Duration, now: OffsetDateTime) -> bool {
        self.rotated_at.is_none() && now < self.expires_at(grant, lifetime)
    }
}

/// Builds `redirect_uri?code=…&state=…`, keeping any query the URI already has.
pub(crate) fn redirect_with(redirect_uri: &str, params: &[(&str, &str)]) -> String {
    let mut url = String::from(redirect_uri);
    let mut sep = if redirect_uri.contains('?') { '&' } else { '?' };
    for (name, value) in params {
        url.push(sep);
        url.push_str(name);
        url.push('=');
        url.extend(url::form_urlencoded::byte_serialize(value.as_bytes()));
        sep = '&';
    }
    url
}

/// Why an authorization request is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthorizeError {
    /// The client id names no app. Never redirected.
    #[error("unknown client_id")]
    UnknownClient,
    /// The redirect URI is not the app's registered one. Never redirected.
    #[error("redirect_uri does not match the app's registered redirect URL")]
    RedirectUriMismatch,
    /// The app is not an organization authorization-code app.
    #[error("this app does not use the authorization_code grant")]
    UnauthorizedClient,
    /// `response_type` is not `code`.
    #[error("unsupported response_type {0:?}: use code")]
    UnsupportedResponseType(String),
    /// A requested scope is not among the app's scopes.
    #[error("scope {0:?} is not granted to this app")]
    InvalidScope(String),
    /// A parameter is malformed (PKCE, state).
    #[error("{0}")]
    InvalidRequest(String),
    /// The user is unknown or belongs to another organization.
    #[error("the signed-in user is not a user of the app's organization")]
    UnknownUser,
    /// The user lacks the Owner or Administrator role.
    #[error("only an organization Owner or Administrator may authorize apps")]
    NotAnAdministrator,
    /// The user is deactivated (SCIM `active: false`).
    #[error("the signed-in user is deactivated")]
    InactiveUser,
    /// The user signs in through SSO, which the authorization page does not support.
    #[error("single-sign-on users cannot use the authorization page")]
    SsoUser,
    /// The user declined.
    #[error("the user denied the request")]
    Denied,
    /// A consent form without a ticket that this engine issued for this very
    /// request: a cross-site request forgery, or a doctored form. Never redirected.
    #[error("the form was not issued by the consent page for this request: reload the page")]
    ForgedConsent,
    /// The consent page was rendered longer ago than [`TICKET_LIFETIME`]. Never
    /// redirected.
    #[error("the consent page has expired: reload it and decide again")]
    ConsentExpired,
    /// The app already has [`MAX_PENDING_CODES`] codes waiting to be redeemed;
    /// another is issued once one is redeemed or expires.
    #[error("this app has too many unredeemed authorization codes: redeem or let them expire")]
    TooManyPendingCodes,
    /// The store could not keep the change; nothing was applied.
    #[error(transparent)]
    Store(#[from] crate::error_code::StoreError),
}

impl AuthorizeError {
    /// Whether the error may be sent to the redirect URI (RFC 6749 §4.1.2.1): not
    /// when the client or the redirect URI itself is in doubt, nor when the form
    /// may not come from the user's own consent page.
    pub fn redirectable(&self) -> bool {
        !matches!(
            self,
            AuthorizeError::UnknownClient
                | AuthorizeError::RedirectUriMismatch
                | AuthorizeError::ForgedConsent
                | AuthorizeError::ConsentExpired
        )
    }

    /// The RFC 6749 §4.1.2.1 error redirect: `redirect_uri?error=…&error_description=…&state=…`,
    /// or `None` when the error must not be redirected.
    pub fn redirect_to(&self, redirect_uri: &str, state: Option<&str>) -> Option<String> {
        if !self.redirectable() {
            return None;
        }
        let description = self.to_string();
        let mut params = vec![
            ("error", self.code()),
            ("error_description", description.as_str()),
        ];
        if let Some(state) = state {
            params.push(("state", state));
        }
        Some(redirect_with(redirect_uri, &params))
    }
}

impl ErrorCode for AuthorizeError {
    fn code(&self) -> &'static str {
        match self {
            AuthorizeError::Store(e) => e.code(),
            AuthorizeError::UnknownClient => "invalid_client",
            AuthorizeError::RedirectUriMismatch => "redirect_uri_mismatch",
            AuthorizeError::UnauthorizedClient => "unauthorized_client",
            AuthorizeError::UnsupportedResponseType(_) => "unsupported_response_type",
            AuthorizeError::InvalidScope(_) => "invalid_scope",
            AuthorizeError::InvalidRequest(_) => "invalid_request",
            AuthorizeError::UnknownUser
            | AuthorizeError::InactiveUser
            | AuthorizeError::NotAnAdministrator
            | AuthorizeError::SsoUser
            | AuthorizeError::Denied => "access_denied",
            AuthorizeError::ForgedConsent => "forged_consent",
            AuthorizeError::ConsentExpired => "consent_expired",
            AuthorizeError::TooManyPendingCodes => "temporarily_unavailable",
        }
    }

    fn status(&self) -> u16 {
        match self {
            AuthorizeError::Store(e) => e.status(),
            AuthorizeError::UnknownUser
            | AuthorizeError::InactiveUser
            | AuthorizeError::NotAnAdministrator
            | AuthorizeError::SsoUser
            | AuthorizeError::Denied
            | AuthorizeError::ForgedConsent
            | AuthorizeError::ConsentExpired => 403,
            AuthorizeError::TooManyPendingCodes => 503,
            _ => 400,
        }
    }

    fn twilio_code(&self) -> u32 {
        match self.status() {
            500 => 20500,
            503 => 20503,
            403 => 20403,
            _ => 20001,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_matches_rfc7636_appendix_b() {
        let pkce =
            Pkce::parse("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", Some("S256")).unwrap();
        assert!(pkce.verify("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        assert!(!pkce.verify("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXx"));
    }

    #[test]
    fn pkce_plain_and_bad_parameters() {
        let v = "a".repeat(43);
        assert!(Pkce::parse(&v, None).unwrap().verify(&v));
        assert!(matches!(
            Pkce::parse(&v, Some("S512")),
            Err(AuthorizeError::InvalidRequest(_))
        ));
        assert!(matches!(
            Pkce::parse("short", Some("S256")),
            Err(AuthorizeError::InvalidRequest(_))
        ));
    }

    #[test]
    fn errors_redirect_only_when_the_client_and_uri_are_trusted() {
        assert_eq!(
            AuthorizeError::Denied.redirect_to("https://x.test/cb", Some("s")),
            Some(
                "https://x.test/cb?error=access_denied&error_description=the+user+denied+the+request&state=s"
                    .into()
            )
        );
        assert_eq!(
            AuthorizeError::RedirectUriMismatch.redirect_to("https://evil.test/cb", None),
            None
        );
        for page_only in [
            AuthorizeError::UnknownClient,
            AuthorizeError::ForgedConsent,
            AuthorizeError::ConsentExpired,
        ] {
            assert_eq!(page_only.redirect_to("https://x.test/cb", None), None);
        }
    }

    #[test]
    fn redirect_keeps_existing_query_and_encodes() {
        assert_eq!(
            redirect_with("https://x.test/cb", &[("code", "a+b"), ("state", "s t")]),
            "https://x.test/cb?code=a%2Bb&state=s+t"
        );
        assert_eq!(
            redirect_with("https://x.test/cb?v=1", &[("code", "c")]),
            "https://x.test/cb?v=1&code=c"
        );
    }
}
