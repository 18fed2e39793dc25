//! Access tokens as JWTs: the claims, signing, and signature verification.
//!
//! Signing and the cryptographic half of verification go through `jsonwebtoken`;
//! the engine then checks issuer, audience and times against its own clock (never
//! the system time) and the state checks (app, grant, revocation).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Header, Validation};
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

/// Signs `claims` with `key`, stamping its `kid`.
pub(crate) fn sign(claims: &Claims, key: &SigningKey) -> String {
    let mut header = Header::new(key.algorithm().jwt());
    header.kid = Some(key.kid().to_string());
    // Encoding fails only when the key's family and the header's algorithm differ,
    // which `SigningKey` rules out by construction.
    jsonwebtoken::encode(&header, claims, key.encoding())
        .expect("the signing key matches its algorithm")
}

/// Checks the token's form, algorithm, key id and signature; returns its claims
/// without looking at times, issuer or state.
pub(crate) fn verify_signature(token: &str, key: &SigningKey) -> Result<Claims, TokenError> {
    let header = header_fields(token)?;
    if header.alg != key.algorithm().as_str() {
        return Err(TokenError::AlgorithmNotAllowed(header.alg));
    }
    if header.kid.as_deref() != Some(key.kid().to_string().as_str()) {
        return Err(TokenError::UnknownKey);
    }
    let mut validation = Validation::new(key.algorithm().jwt());
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<Claims>(token, key.decoding(), &validation)
        .map(|data| data.claims)
        .map_err(|e| match e.kind() {
            ErrorKind::InvalidSignature => TokenError::BadSignature,
            ErrorKind::InvalidAlgorithm => TokenError::AlgorithmNotAllowed(header.alg.clone()),
            _ => TokenError::Malformed,
        })
}

#[derive(Deserialize)]
struct RawHeader {
    alg: String,
    kid: Option<String>,
}

/// Reads the header without trusting it, so that `alg: none` and unknown algorithms
/// are reported as such rather than as malformed tokens.
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
