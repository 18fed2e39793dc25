//! Access tokens as JWTs: the claims, signing, and signature verification.
//!
//! Signing uses the key's cached `ring` key pair; the cryptographic half of
//! verification goes through `jsonwebtoken`; the engine then checks issuer, audience and times against its own clock (never
//! the system time) and the state checks (app, grant, revocation).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::errors::ErrorKind;
use serde::{Deserialize, Serialize};

use super::keys::SigningKey;
use super::TokenError;
use crate::ids::{AccountSid, ClientId, GrantSid, OrganizationSid, TokenId};

/// The claims of an iamkit access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer: the engine's issuer URL.
    pub iss: String,
    /// Subject: the approving user for authorization-code tokens, else the client id.
    pub sub: String,
    /// Audience: the engine's audience.
    pub aud: String,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Not before (Unix seconds).
    pub nbf: i64,
    /// Expires at (Unix seconds): the token is refused from this second on.
    pub exp: i64,
    /// The token id.
    pub jti: TokenId,
    /// The granted permissions, space-separated.
    pub scope: String,
    /// The app the token was issued to.
    pub client_id: ClientId,
    /// The organization the app belongs to.
    pub organization_sid: OrganizationSid,
    /// The account that owns the app, for account apps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_sid: Option<AccountSid>,
    /// The authorization-code grant the token descends from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_sid: Option<GrantSid>,
}

impl Claims {
    /// The scopes as a list.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope.split(' ').filter(|s| !s.is_empty())
    }
}

/// Signs `claims` with `key`: the key's header, the claims as base64url JSON, and
/// the signature over both.
pub(crate) fn sign(claims: &Claims, key: &SigningKey) -> String {
    let payload = serde_json::to_vec(claims).expect("claims serialize to JSON");
    let mut token = String::with_capacity(key.encoded_header().len() + payload.len() * 4 / 3 + 400);
    token.push_str(key.encoded_header());
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
    let signature = key.sign(token.as_bytes());
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut token);
    token
}

/// Checks the token's form, algorithm, key id and signature; returns its claims
/// without looking at times, issuer or state.
pub(crate) fn verify_signature(token: &str, key: &SigningKey) -> Result<Claims, TokenError> {
    match jsonwebtoken::decode::<Claims>(token, key.decoding(), key.validation()) {
        Ok(data) if data.header.kid.as_deref() == Some(key.kid_text()) => Ok(data.claims),
        Ok(_) => Err(TokenError::UnknownKey),
        Err(error) => Err(classify(token, key, &error)),
    }
}

/// Names why a token failed, reading its header without trusting it, so that
/// `alg: none`, another algorithm and another key are reported as such rather than
/// as a bad signature or a malformed token.
fn classify(token: &str, key: &SigningKey, error: &jsonwebtoken::errors::Error) -> TokenError {
    let Ok(header) = header_fields(token) else {
        return TokenError::Malformed;
    };
    if header.alg != key.algorithm().as_str() {
        return TokenError::AlgorithmNotAllowed(header.alg);
    }
    if header.kid.as_deref() != Some(key.kid_text()) {
        return TokenError::UnknownKey;
    }
    match error.kind() {
        ErrorKind::InvalidSignature => TokenError::BadSignature,
        ErrorKind::InvalidAlgorithm => TokenError::AlgorithmNotAllowed(header.alg),
        _ => TokenError::Malformed,
    }
}

#[derive(Deserialize)]
struct RawHeader {
    alg: String,
    kid: Option<String>,
}

fn header_fields(token: &str) -> Result<RawHeader, TokenError> {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| TokenError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed)
}
