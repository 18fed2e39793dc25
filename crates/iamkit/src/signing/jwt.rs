//! Access tokens as JWTs: the claims, signing, and signature verification.
//!
//! Signing uses the key's cached `ring` key pair. Verification splits the token and
//! parses its header once, checks the signature with the key (see
//! [`SigningKey::verify`]), and reads the claims once; the engine then checks
//! issuer, audience and times against its own clock (never the system time) and the
//! state (app, grant, revocation).

use std::borrow::Cow;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::keys::SigningKey;
use super::part::with_decoded;
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
    // Sized for the claims of a token, so that writing them does not reallocate.
    let mut payload = Vec::with_capacity(512);
    serde_json::to_writer(&mut payload, claims).expect("claims serialize to JSON");
    let mut token = String::with_capacity(key.encoded_header().len() + payload.len() * 4 / 3 + 400);
    token.push_str(key.encoded_header());
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
    let signature = key.sign(token.as_bytes());
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut token);
    token
}

/// Checks the token's form, header, algorithm, key id and signature; returns its
/// claims without looking at times, issuer or state.
///
/// The token is split once and its header parsed once, before any cryptography, so
/// that `alg: none`, another algorithm and another key are refused as such; then the
/// signature over `header.payload` is checked and the claims are read once.
pub(crate) fn verify_signature(token: &str, key: &SigningKey) -> Result<Claims, TokenError> {
    let (message, signature) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
    let (header, payload) = message.split_once('.').ok_or(TokenError::Malformed)?;
    if payload.contains('.') {
        return Err(TokenError::Malformed);
    }
    with_decoded(header, |header| {
        let header: Header<'_> =
            serde_json::from_slice(header).map_err(|_| TokenError::Malformed)?;
        if header.alg != key.algorithm().as_str() {
            return Err(TokenError::AlgorithmNotAllowed(header.alg.into_owned()));
        }
        if header.kid.as_deref() != Some(key.kid_text()) {
            return Err(TokenError::UnknownKey);
        }
        Ok(())
    })??;
    if !key.verify(message.as_bytes(), signature)? {
        return Err(TokenError::BadSignature);
    }
    decode_part(payload)
}

/// The JWS header members an iamkit token carries, and no others: an unknown member
/// (`crit`, `jku`, `jwk`, `x5u`…) or a repeated one makes the token malformed.
/// Its strings borrow from the decoded header where they hold no escapes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Header<'a> {
    #[serde(borrow)]
    alg: Cow<'a, str>,
    #[serde(borrow)]
    kid: Option<Cow<'a, str>>,
    #[serde(borrow, rename = "typ")]
    _typ: Option<Cow<'a, str>>,
}

/// The header and the claims of a compact JWS as JSON objects, each `None` if it
/// does not decode; nothing is verified. For showing a token to people.
pub(crate) fn decode_unverified(
    token: &str,
) -> (Option<serde_json::Value>, Option<serde_json::Value>) {
    let mut parts = token.split('.');
    let mut next = || {
        parts
            .next()
            .and_then(|p| decode_part::<serde_json::Value>(p).ok())
            .filter(serde_json::Value::is_object)
    };
    let header = next();
    (header, next())
}

/// A base64url part of the token, decoded as JSON.
fn decode_part<T: DeserializeOwned>(part: &str) -> Result<T, TokenError> {
    with_decoded(part, |bytes| {
        serde_json::from_slice(bytes).map_err(|_| TokenError::Malformed)
    })?
}

#[cfg(test)]
mod tests {
    use ring::hmac;
    use serde_json::{json, Value};

    use super::*;
    use crate::ids::Sid;
    use crate::signing::Algorithm;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn claims() -> Claims {
        Claims {
            iss: "https://issuer.example".into(),
            sub: "me".into(),
            aud: "https://api.example".into(),
            iat: 1,
            nbf: 1,
            exp: 2,
            jti: TokenId::generate(),
            scope: "a b".into(),
            client_id: ClientId::generate(),
            organization_sid: OrganizationSid::generate(),
            account_sid: None,
            grant_sid: None,
        }
    }

    /// A token with this header and payload, correctly signed with the key of
    /// `SECRET`.
    fn hs256(header: &str, payload: &Value) -> String {
        let message = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload.to_string())
        );
        let tag = hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, SECRET),
            message.as_bytes(),
        );
        format!("{message}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
    }

    #[test]
    fn a_signed_token_verifies_to_its_claims_for_every_generated_algorithm() {
        let claims = claims();
        for algorithm in [Algorithm::HS256, Algorithm::ES256, Algorithm::EdDSA] {
            let key = SigningKey::generate(algorithm).unwrap();
            let token = sign(&claims, &key);
            assert_eq!(verify_signature(&token, &key), Ok(claims.clone()));
        }
    }

    #[test]
    fn a_correctly_signed_header_with_a_member_iamkit_never_sets_is_malformed() {
        let key = SigningKey::hs256_from_secret(SECRET).unwrap();
        let kid = key.kid_text();
        let payload = serde_json::to_value(claims()).unwrap();
        let plain = format!(r#"{{"typ":"JWT","alg":"HS256","kid":"{kid}"}}"#);
        assert!(verify_signature(&hs256(&plain, &payload), &key).is_ok());
        for header in [
            format!(r#"{{"typ":"JWT","alg":"HS256","kid":"{kid}","crit":["exp"]}}"#),
            format!(r#"{{"alg":"HS256","kid":"{kid}","jku":"https://evil.example/jwks"}}"#),
            format!(r#"{{"alg":"HS256","kid":"{kid}","jwk":{{"kty":"oct","k":"AA"}}}}"#),
            format!(r#"{{"alg":"HS256","alg":"HS256","kid":"{kid}"}}"#),
            format!(r#"{{"alg":"HS256","kid":"{kid}","typ":7}}"#),
            format!(r#"{{"alg":"HS256","kid":["{kid}"]}}"#),
            format!(r#"{{"alg":"HS256","kid":"{kid}"}} trailing"#),
        ] {
            assert_eq!(
                verify_signature(&hs256(&header, &payload), &key),
                Err(TokenError::Malformed),
                "{header}"
            );
        }
    }

    #[test]
    fn a_signature_that_is_not_canonical_base64url_is_malformed() {
        for algorithm in [Algorithm::HS256, Algorithm::ES256, Algorithm::EdDSA] {
            let key = SigningKey::generate(algorithm).unwrap();
            let token = sign(&claims(), &key);
            let (message, signature) = token.rsplit_once('.').unwrap();
            for bad in [
                format!("{signature}="),
                format!("{}+", &signature[1..]),
                format!("{} ", &signature[1..]),
                "!!!!".to_owned(),
            ] {
                assert_eq!(
                    verify_signature(&format!("{message}.{bad}"), &key),
                    Err(TokenError::Malformed),
                    "{algorithm} {bad}"
                );
            }
            // The right length in valid base64url, but not the signature.
            let forged = "A".repeat(signature.len());
            assert_eq!(
                verify_signature(&format!("{message}.{forged}"), &key),
                Err(TokenError::BadSignature),
                "{algorithm}"
            );
        }
    }

    /// Every ES256 signature the engine makes is low-S (200 of them: a high `s`
    /// comes from `ring` about half the time), and the high-S twin of one, though
    /// a valid ECDSA signature, is refused as an invalid signature.
    #[test]
    fn es256_signatures_are_low_s_and_their_high_s_twins_are_refused() {
        use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_FIXED};
        let key = SigningKey::generate(Algorithm::ES256).unwrap();
        let jwk = key.public_jwk().unwrap();
        let coordinate = |c: &str| URL_SAFE_NO_PAD.decode(jwk[c].as_str().unwrap()).unwrap();
        let point = [vec![4], coordinate("x"), coordinate("y")].concat();
        let public = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point);
        let claims = claims();
        for _ in 0..200 {
            let token = sign(&claims, &key);
            let (message, signature) = token.rsplit_once('.').unwrap();
            let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
            assert!(!super::super::low_s::is_high_s(&signature), "{token}");
            assert_eq!(verify_signature(&token, &key), Ok(claims.clone()));
            let twin = super::super::low_s::twin(&signature);
            assert_ne!(twin, signature);
            assert!(
                public.verify(message.as_bytes(), &twin).is_ok(),
                "the twin is a valid ECDSA signature"
            );
            let forged = format!("{message}.{}", URL_SAFE_NO_PAD.encode(&twin));
            assert_eq!(
                verify_signature(&forged, &key),
                Err(TokenError::BadSignature)
            );
        }
    }

    #[test]
    fn correctly_signed_claims_that_are_not_an_iamkit_token_are_malformed() {
        let key = SigningKey::hs256_from_secret(SECRET).unwrap();
        let header = format!(
            r#"{{"typ":"JWT","alg":"HS256","kid":"{}"}}"#,
            key.kid_text()
        );
        let mut missing = serde_json::to_value(claims()).unwrap();
        missing.as_object_mut().unwrap().remove("exp");
        let mut wrong_type = serde_json::to_value(claims()).unwrap();
        wrong_type["exp"] = json!("tomorrow");
        let mut bad_id = serde_json::to_value(claims()).unwrap();
        bad_id["client_id"] = json!("' OR 1=1 --");
        for payload in [missing, wrong_type, bad_id, json!([1, 2]), json!(null)] {
            assert_eq!(
                verify_signature(&hs256(&header, &payload), &key),
                Err(TokenError::Malformed),
                "{payload}"
            );
        }
    }

    #[test]
    fn the_header_is_judged_before_the_signature() {
        let key = SigningKey::hs256_from_secret(SECRET).unwrap();
        let payload = serde_json::to_value(claims()).unwrap();
        let other_alg = format!(r#"{{"alg":"HS512","kid":"{}"}}"#, key.kid_text());
        let unsigned = |header: &str| {
            format!(
                "{}.{}.",
                URL_SAFE_NO_PAD.encode(header),
                URL_SAFE_NO_PAD.encode(payload.to_string())
            )
        };
        assert_eq!(
            verify_signature(&unsigned(&other_alg), &key),
            Err(TokenError::AlgorithmNotAllowed("HS512".into()))
        );
        assert_eq!(
            verify_signature(&unsigned(r#"{"alg":"HS256"}"#), &key),
            Err(TokenError::UnknownKey)
        );
        assert_eq!(
            verify_signature(&unsigned(r#"{"alg":"HS256","kid":"KY0"}"#), &key),
            Err(TokenError::UnknownKey)
        );
        let ours = format!(r#"{{"alg":"HS256","kid":"{}"}}"#, key.kid_text());
        assert_eq!(
            verify_signature(&unsigned(&ours), &key),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            verify_signature(&format!("{}.x", unsigned(&ours)), &key),
            Err(TokenError::Malformed),
            "four parts"
        );
    }
}
