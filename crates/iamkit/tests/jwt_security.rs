//! Forged, tampered and foreign tokens are each refused with their own error, for
//! every signing algorithm.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use common::World;
use iamkit::{Algorithm, Engine, EngineConfig, SigningKey, TokenError};
use serde_json::{json, Value};

fn parts(token: &str) -> (Value, Value, String) {
    let mut it = token.split('.');
    let header =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(it.next().unwrap()).unwrap()).unwrap();
    let payload =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(it.next().unwrap()).unwrap()).unwrap();
    (header, payload, it.next().unwrap().to_owned())
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

fn rs256_key() -> SigningKey {
    SigningKey::rs256_from_pem(include_str!("fixtures/rs256-test-key.pem")).unwrap()
}

fn worlds() -> Vec<World> {
    vec![
        World::new(),
        World::with(Engine::builder().algorithm(Algorithm::EdDSA)),
        World::with(Engine::builder().algorithm(Algorithm::HS256)),
        World::with(Engine::builder().signing_key(rs256_key())),
    ]
}

#[test]
fn every_algorithm_issues_tokens_that_verify_and_publishes_its_key() {
    for w in worlds() {
        let app = w.org_app(&["managed-users/list"]);
        let token = w.token(&app);
        let (header, _, _) = parts(token.access_token.expose());
        assert_eq!(header["alg"], w.engine.algorithm().as_str());
        let claims = w.engine.verify(token.access_token.expose()).unwrap();
        assert_eq!(claims.client_id, app.app.client_id);
        let keys = w.engine.jwks()["keys"].as_array().unwrap().clone();
        if w.engine.algorithm() == Algorithm::HS256 {
            assert!(keys.is_empty(), "a symmetric key must never be published");
        } else {
            assert_eq!(keys.len(), 1);
            assert_eq!(keys[0]["kid"], header["kid"]);
            assert_eq!(keys[0]["alg"], w.engine.algorithm().as_str());
            assert!(keys[0].get("d").is_none(), "no private part in a JWK");
        }
    }
}

#[test]
fn alg_none_is_refused() {
    for w in worlds() {
        let token = w.token(&w.org_app(&["managed-users/list"]));
        let (mut header, payload, _) = parts(token.access_token.expose());
        header["alg"] = json!("none");
        let forged = format!("{}.{}.", b64(&header), b64(&payload));
        assert_eq!(
            w.engine.verify(&forged),
            Err(TokenError::AlgorithmNotAllowed("none".into()))
        );
    }
}

#[test]
fn hs256_signed_with_the_public_key_is_refused() {
    let w = World::new();
    let token = w.token(&w.org_app(&["managed-users/list"]));
    let (mut header, payload, _) = parts(token.access_token.expose());
    header["alg"] = json!("HS256");
    let public_jwk = serde_json::to_vec(&w.engine.jwks()["keys"][0]).unwrap();
    let message = format!("{}.{}", b64(&header), b64(&payload));
    let tag = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &public_jwk),
        message.as_bytes(),
    );
    let forged = format!("{message}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()));
    assert_eq!(
        w.engine.verify(&forged),
        Err(TokenError::AlgorithmNotAllowed("HS256".into()))
    );
}

#[test]
fn a_tampered_payload_is_refused() {
    for w in worlds() {
        let app = w.org_app(&["managed-users/list"]);
        let token = w.token(&app);
        let (header, mut payload, signature) = parts(token.access_token.expose());
        payload["scope"] = json!("managed-users/list managed-users/delete");
        let forged = format!("{}.{}.{signature}", b64(&header), b64(&payload));
        assert_eq!(w.engine.verify(&forged), Err(TokenError::BadSignature));
    }
}

#[test]
fn expired_by_one_second_and_not_yet_valid() {
    let w = World::new();
    let token = w.token(&w.org_app(&["managed-users/list"]));
    let t = token.access_token.expose();
    w.clock.advance(time::Duration::seconds(3599));
    assert!(w.engine.verify(t).is_ok());
    w.clock.advance(time::Duration::seconds(1));
    assert_eq!(w.engine.verify(t), Err(TokenError::Expired));
    w.clock.advance(time::Duration::seconds(-3601));
    assert_eq!(w.engine.verify(t), Err(TokenError::NotYetValid));
}

#[test]
fn a_token_of_another_issuer_or_audience_is_refused() {
    let key = SigningKey::generate(Algorithm::ES256).unwrap();
    let other = World::with(
        Engine::builder()
            .signing_key(key.clone())
            .issuer("https://elsewhere.example"),
    );
    let token = other.token(&other.org_app(&["managed-users/list"]));
    let home = World::with(Engine::builder().signing_key(key.clone()));
    assert_eq!(
        home.engine.verify(token.access_token.expose()),
        Err(TokenError::WrongIssuer)
    );

    let config = EngineConfig {
        audience: "https://other-api.example".into(),
        ..EngineConfig::default()
    };
    let other = World::with(Engine::builder().signing_key(key).config(config));
    let token = other.token(&other.org_app(&["managed-users/list"]));
    assert_eq!(
        home.engine.verify(token.access_token.expose()),
        Err(TokenError::WrongAudience)
    );
}

#[test]
fn a_token_signed_by_another_key_is_refused() {
    let a = World::new();
    let b = World::new();
    let token = a.token(&a.org_app(&["managed-users/list"]));
    assert_eq!(
        b.engine.verify(token.access_token.expose()),
        Err(TokenError::UnknownKey)
    );
}

#[test]
fn malformed_tokens_are_refused() {
    let w = World::new();
    for bad in [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "!!!.e30.sig",
        "e30.e30.",
        "eyJhbGciOiJFUzI1NiJ9.bm90LWpzb24.c2ln",
    ] {
        let err = w.engine.verify(bad).unwrap_err();
        assert!(
            matches!(err, TokenError::Malformed | TokenError::UnknownKey),
            "{bad:?} gave {err:?}"
        );
    }
    assert_eq!(w.engine.verify("a.b"), Err(TokenError::Malformed));
}

#[test]
fn rs256_rejects_bad_pem() {
    assert!(SigningKey::rs256_from_pem("not a key").is_err());
    assert_eq!(
        SigningKey::generate(Algorithm::RS256).unwrap_err(),
        iamkit::KeyError::CannotGenerateRsa
    );
    assert!(SigningKey::hs256_from_secret(b"short").is_err());
}

#[test]
fn inspection_shows_header_claims_and_the_verdict_with_its_code() {
    let w = World::new();
    let token = w.token(&w.org_app(&["managed-users/list"]));
    let t = token.access_token.expose();
    let seen = w.engine.inspect_token(t);
    assert!(seen.valid);
    assert_eq!((seen.code, seen.message), (None, None));
    let (header, payload, _) = parts(t);
    assert_eq!(seen.header, Some(header));
    assert_eq!(seen.claims, Some(payload));

    w.clock.advance(time::Duration::seconds(3600 + 90));
    let seen = w.engine.inspect_token(t);
    assert!(!seen.valid);
    assert_eq!(seen.code.as_deref(), Some("token_expired"));
    assert_eq!(seen.message.as_deref(), Some("the token has expired"));
    assert_eq!(seen.expired_seconds_ago, Some(90));

    let other = World::with(Engine::builder().issuer("https://elsewhere.test"));
    let foreign = other.token(&other.org_app(&["managed-users/list"]));
    let seen = w.engine.inspect_token(foreign.access_token.expose());
    assert_eq!(seen.code.as_deref(), Some("unknown_key"));
    assert!(
        seen.claims.is_some(),
        "an untrusted token's claims are still shown"
    );

    let seen = w.engine.inspect_token("not a token");
    assert_eq!(seen.code.as_deref(), Some("malformed_token"));
    assert_eq!(
        (seen.header, seen.claims, seen.expired_seconds_ago),
        (None, None, None)
    );
}

/// The order `n` of the P-256 group, as hex (SEC 2 §2.4.2).
const P256_N: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

/// An ES256 signature's `s` (its last 32 bytes) replaced by `n - s`.
fn high_s_twin(signature: &[u8]) -> Vec<u8> {
    let n: Vec<u8> = (0..P256_N.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&P256_N[i..i + 2], 16).unwrap())
        .collect();
    let (r, s) = signature.split_at(32);
    let mut twin = vec![0; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = i16::from(n[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(d < 0);
        twin[i] = (d + 256 * borrow) as u8;
    }
    [r, &twin].concat()
}

/// Whether an ES256 signature's `s` is at most `n / 2` (twice `s` at most `n`).
fn is_low_s(signature: &[u8]) -> bool {
    let s = &signature[32..];
    high_s_twin(signature)[32..] >= *s
}

/// Issued ES256 tokens carry low-S signatures, and a token's high-S twin (a valid
/// ECDSA signature of the same claims) is refused as `invalid_signature`.
#[test]
fn es256_tokens_are_low_s_and_a_high_s_twin_is_refused() {
    let w = World::new();
    assert_eq!(w.engine.algorithm(), Algorithm::ES256);
    let app = w.org_app(&["managed-users/list"]);
    for _ in 0..200 {
        let token = w.token(&app);
        let t = token.access_token.expose();
        let (message, signature) = t.rsplit_once('.').unwrap();
        let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
        assert!(is_low_s(&signature), "{t}");
        assert!(w.engine.verify(t).is_ok());
        let twin = format!(
            "{message}.{}",
            URL_SAFE_NO_PAD.encode(high_s_twin(&signature))
        );
        assert_eq!(w.engine.verify(&twin), Err(TokenError::BadSignature));
        let seen = w.engine.inspect_token(&twin);
        assert_eq!(seen.code.as_deref(), Some("invalid_signature"));
    }
}
