//! Access tokens as JWTs: the engine's signing keys, signing and checking a
//! signature, the claims, and why a token does not verify.

mod jwt;
mod keys;
mod low_s;
mod part;

pub use jwt::Claims;
pub(crate) use jwt::{decode_unverified, sign, verify_signature};
pub use keys::{Algorithm, KeyError, SigningKey, StoredKey};

use crate::error_code::ErrorCode;

/// Why an access token does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Not a well-formed JWT.
    #[error("the token is not a well-formed JWT")]
    Malformed,
    /// The header names an algorithm other than the engine key's (including `none`).
    #[error("the token's algorithm {0:?} is not accepted")]
    AlgorithmNotAllowed(String),
    /// The `kid` names no key of the engine.
    #[error("the token was signed by an unknown key")]
    UnknownKey,
    /// The signature does not verify (forged or tampered).
    #[error("the token's signature is invalid")]
    BadSignature,
    /// The token came from another issuer.
    #[error("the token was issued by another issuer")]
    WrongIssuer,
    /// The token is meant for another audience.
    #[error("the token is meant for another audience")]
    WrongAudience,
    /// The token's `exp` has passed.
    #[error("the token has expired")]
    Expired,
    /// The token's `nbf` is still ahead.
    #[error("the token is not valid yet")]
    NotYetValid,
    /// The app the token was issued to has been deleted.
    #[error("the app that obtained the token was deleted")]
    AppDeleted,
    /// The authorization or grant behind the token was revoked.
    #[error("the authorization behind the token was revoked")]
    AuthorizationRevoked,
    /// The token itself was revoked.
    #[error("the token was revoked")]
    Revoked,
    /// The engine cannot tell whether the token was revoked: its store has not
    /// heard from the shared database within its staleness bound.
    #[error(transparent)]
    Store(#[from] crate::error_code::StoreError),
}

impl ErrorCode for TokenError {
    fn code(&self) -> &'static str {
        match self {
            TokenError::Malformed => "malformed_token",
            TokenError::AlgorithmNotAllowed(_) => "invalid_algorithm",
            TokenError::UnknownKey => "unknown_key",
            TokenError::BadSignature => "invalid_signature",
            TokenError::WrongIssuer => "invalid_issuer",
            TokenError::WrongAudience => "invalid_audience",
            TokenError::Expired => "token_expired",
            TokenError::NotYetValid => "token_not_yet_valid",
            TokenError::AppDeleted => "app_deleted",
            TokenError::AuthorizationRevoked => "authorization_revoked",
            TokenError::Revoked => "token_revoked",
            TokenError::Store(e) => e.code(),
        }
    }

    fn status(&self) -> u16 {
        match self {
            TokenError::Store(e) => e.status(),
            _ => 401,
        }
    }

    fn twilio_code(&self) -> u32 {
        match self {
            TokenError::Store(e) => e.twilio_code(),
            _ => 20003,
        }
    }
}
