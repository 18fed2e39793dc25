//! The Token API: requests, responses, introspection, their errors, and the rules of
//! each grant.

pub(crate) mod grant;
mod jti;

pub use crate::signing::{Algorithm, Claims, KeyError, SigningKey, StoredKey, TokenError};

use serde::{Deserialize, Serialize};

use crate::error_code::ErrorCode;
use crate::ids::{AccountSid, ClientId, OrganizationSid};
use crate::secrets::SecretString;

/// A Token API request (`POST /v2/token`), with the form fields as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenRequest {
    /// `client_credentials`, `authorization_code` or `refresh_token`.
    pub grant_type: String,
    /// The app's client id.
    pub client_id: Option<String>,
    /// The app's client secret.
    pub client_secret: Option<SecretString>,
    /// The authorization code (`authorization_code` grant).
    pub code: Option<SecretString>,
    /// The redirect URI the code was issued for (`authorization_code` grant).
    pub redirect_uri: Option<String>,
    /// The refresh token (`refresh_token` grant).
    pub refresh_token: Option<SecretString>,
    /// The PKCE verifier, when the authorization carried a challenge.
    pub code_verifier: Option<SecretString>,
    /// A space-separated subset of the app's scopes, to narrow the token.
    pub scope: Option<String>,
}

impl TokenRequest {
    /// A client-credentials request.
    pub fn client_credentials(client_id: &str, client_secret: &str) -> Self {
        Self {
            grant_type: "client_credentials".into(),
            client_id: Some(client_id.into()),
            client_secret: Some(client_secret.into()),
            ..Self::default()
        }
    }

    /// An authorization-code request.
    pub fn authorization_code(
        client_id: &str,
        client_secret: &str,
        code: &str,
        redirect_uri: &str,
    ) -> Self {
        Self {
            grant_type: "authorization_code".into(),
            code: Some(code.into()),
            redirect_uri: Some(redirect_uri.into()),
            ..Self::client_credentials(client_id, client_secret)
        }
    }

    /// A refresh-token request.
    pub fn refresh_token(client_id: &str, client_secret: &str, refresh_token: &str) -> Self {
        Self {
            grant_type: "refresh_token".into(),
            refresh_token: Some(refresh_token.into()),
            ..Self::client_credentials(client_id, client_secret)
        }
    }
}

/// A Token API response, with the fields of Twilio's Token API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenResponse {
    /// The access token (a JWT).
    pub access_token: SecretString,
    /// Always `None`: the Token API issues no ID tokens.
    pub id_token: Option<String>,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// The access token's lifetime in seconds.
    pub expires_in: u64,
    /// A refresh token, for authorization-code grants that asked for
    /// `offline_access`.
    pub refresh_token: Option<SecretString>,
    /// The scopes the access token carries, space-separated.
    pub scope: String,
}

/// The shape of a token response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenBody {
    /// As Twilio's Token API sends it: `access_token`, `id_token`, `token_type`,
    /// `expires_in` and `refresh_token`, the absent ones `null`; no `scope`.
    #[default]
    Twilio,
    /// RFC 6749 §5.1: absent fields omitted, `scope` included.
    Rfc6749,
    /// Every field, the absent ones `null`, `scope` included: what the language
    /// bindings return.
    Complete,
}

impl TokenResponse {
    /// The response body in `shape`. This exposes the tokens: send it only to the
    /// client.
    pub fn body(&self, shape: TokenBody) -> serde_json::Value {
        let mut body = serde_json::Map::new();
        let mut put = |name: &str, value: Option<serde_json::Value>| match value {
            Some(value) => {
                body.insert(name.into(), value);
            }
            None if shape != TokenBody::Rfc6749 => {
                body.insert(name.into(), serde_json::Value::Null);
            }
            None => {}
        };
        put("access_token", Some(self.access_token.expose().into()));
        put("id_token", self.id_token.clone().map(Into::into));
        put("token_type", Some(self.token_type.into()));
        put("expires_in", Some(self.expires_in.into()));
        put(
            "refresh_token",
            self.refresh_token.as_ref().map(|t| t.expose().into()),
        );
        if shape != TokenBody::Twilio {
            put("scope", Some(self.scope.clone().into()));
        }
        serde_json::Value::Object(body)
    }
}

/// What the engine makes of a token, for people debugging one: its header and
/// claims as sent, and the verdict [`crate::Engine::verify`] gives now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInspection {
    /// Whether the token verifies now.
    pub valid: bool,
    /// The stable code of the refusal (`token_expired`, `token_revoked`,
    /// `invalid_issuer`, `invalid_signature`, …); `None` when valid.
    pub code: Option<String>,
    /// The refusal, for people; `None` when valid.
    pub message: Option<String>,
    /// For an expired token, how many seconds ago (by the engine clock) it expired.
    pub expired_seconds_ago: Option<i64>,
    /// The JOSE header, if it decodes (never trusted).
    pub header: Option<serde_json::Value>,
    /// The claims, if they decode; verified only when `valid`.
    pub claims: Option<serde_json::Value>,
}

/// RFC 7662 introspection of a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Introspection {
    /// Whether the token is currently valid.
    pub active: bool,
    /// Its scopes, space-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The app it was issued to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    /// `access_token` or `refresh_token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// Expiry (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// Issue time (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Not-before (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// The subject: the user for authorization-code tokens, else the client id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// The audience.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    /// The issuer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// The token id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// The owning organization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_sid: Option<OrganizationSid>,
    /// The owning account, for account apps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_sid: Option<AccountSid>,
}

impl Introspection {
    /// The answer for a token that is not valid: only `active: false`.
    pub fn inactive() -> Self {
        Self {
            active: false,
            scope: None,
            client_id: None,
            token_type: None,
            exp: None,
            iat: None,
            nbf: None,
            sub: None,
            aud: None,
            iss: None,
            jti: None,
            organization_sid: None,
            account_sid: None,
        }
    }
}

/// An error of the Token API, each with its RFC 6749 §5.2 code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthError {
    /// A required parameter is missing.
    #[error("missing required parameter {0}")]
    MissingParameter(&'static str),
    /// A parameter is malformed or not allowed here.
    #[error("invalid parameter {name}: {reason}")]
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The grant type is not one the Token API knows.
    #[error("unsupported grant_type {0:?}")]
    UnsupportedGrantType(String),
    /// Unknown client, or wrong (or expired) secret. One message for both, so the
    /// answer does not reveal which client ids exist.
    #[error("client authentication failed")]
    InvalidClient,
    /// The app may not use this grant.
    #[error("this app may not use the {0} grant")]
    UnauthorizedClient(&'static str),
    /// The code is unknown or was issued to another client.
    #[error("the authorization code is invalid")]
    InvalidCode,
    /// The code is older than five minutes.
    #[error("the authorization code has expired")]
    CodeExpired,
    /// The code was already used; what its first use issued is now revoked.
    #[error("the authorization code was already used; the tokens it issued are revoked")]
    CodeReused,
    /// `redirect_uri` differs from the one the code was issued for.
    #[error("redirect_uri does not match the one the code was issued for")]
    RedirectUriMismatch,
    /// The PKCE verifier is missing or does not match the challenge.
    #[error("the PKCE code_verifier is missing or does not match the code_challenge")]
    PkceMismatch,
    /// The refresh token is unknown, revoked or belongs to another client.
    #[error("the refresh token is invalid or revoked")]
    InvalidRefreshToken,
    /// The refresh token is past its lifetime.
    #[error("the refresh token has expired: authorize the app again")]
    RefreshTokenExpired,
    /// The refresh token was rotated out and used again: the whole authorization is
    /// now revoked (RFC 9700 §4.14.2).
    #[error("the refresh token was already exchanged; the authorization is revoked")]
    RefreshTokenReused,
    /// The authorization behind the code or refresh token was revoked.
    #[error("the authorization was revoked")]
    AuthorizationRevoked,
    /// A requested scope is not among the app's scopes.
    #[error("scope {0:?} is not granted to this app")]
    InvalidScope(String),
    /// The store could not keep the change; nothing was applied.
    #[error(transparent)]
    Store(#[from] crate::error_code::StoreError),
}

impl ErrorCode for OAuthError {
    fn code(&self) -> &'static str {
        match self {
            // RFC 6749's vocabulary: a database out of reach is worth retrying.
            OAuthError::Store(crate::error_code::StoreError::Unavailable(_)) => {
                "temporarily_unavailable"
            }
            OAuthError::Store(_) => "server_error",
            OAuthError::MissingParameter(_) | OAuthError::InvalidParameter { .. } => {
                "invalid_request"
            }
            OAuthError::UnsupportedGrantType(_) => "unsupported_grant_type",
            OAuthError::InvalidClient => "invalid_client",
            OAuthError::UnauthorizedClient(_) => "unauthorized_client",
            OAuthError::InvalidCode
            | OAuthError::CodeExpired
            | OAuthError::CodeReused
            | OAuthError::RedirectUriMismatch
            | OAuthError::PkceMismatch
            | OAuthError::InvalidRefreshToken
            | OAuthError::RefreshTokenExpired
            | OAuthError::RefreshTokenReused
            | OAuthError::AuthorizationRevoked => "invalid_grant",
            OAuthError::InvalidScope(_) => "invalid_scope",
        }
    }

    fn status(&self) -> u16 {
        match self {
            OAuthError::Store(e) => e.status(),
            OAuthError::InvalidClient => 401,
            _ => 400,
        }
    }

    fn twilio_code(&self) -> u32 {
        match self {
            OAuthError::Store(e) => e.twilio_code(),
            OAuthError::InvalidClient => 20003,
            _ => 20001,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(refresh: Option<&str>) -> TokenResponse {
        TokenResponse {
            access_token: "a.b.c".into(),
            id_token: None,
            token_type: "Bearer",
            expires_in: 3600,
            refresh_token: refresh.map(Into::into),
            scope: "x y".into(),
        }
    }

    #[test]
    fn each_shape_is_rendered_whole() {
        let r = response(None);
        assert_eq!(
            r.body(TokenBody::Twilio),
            serde_json::json!({"access_token": "a.b.c", "id_token": null, "token_type": "Bearer", "expires_in": 3600, "refresh_token": null})
        );
        assert_eq!(
            r.body(TokenBody::Rfc6749),
            serde_json::json!({"access_token": "a.b.c", "token_type": "Bearer", "expires_in": 3600, "scope": "x y"})
        );
        assert_eq!(
            response(Some("r")).body(TokenBody::Complete),
            serde_json::json!({"access_token": "a.b.c", "id_token": null, "token_type": "Bearer", "expires_in": 3600, "refresh_token": "r", "scope": "x y"})
        );
    }
}
