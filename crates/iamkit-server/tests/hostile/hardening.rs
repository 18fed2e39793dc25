//! Finding 12: a SCIM attribute of any size, a second (high-S) signature for every
//! token, and plain-HTTP redirect URLs to any host.

use axum::http::{Method, StatusCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};

use crate::common::Emulator;

const SCIM: &str = "application/scim+json";

fn user(name: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": name,
        "emails": [{"value": name, "type": "work", "primary": true}],
    })
}

/// A 512 KiB `displayName` is `invalidValue` naming the attribute and the limit,
/// and stores nothing.
#[tokio::test]
async fn a_huge_scim_attribute_is_refused() {
    let e = Emulator::new();
    let token = e.org_token(None).await;
    let mut big = user("ann@acme.example");
    big["displayName"] = json!("x".repeat(512 * 1024));
    let r = e
        .bearer(Method::POST, "/scim/v2/Users", &token, Some((SCIM, big)))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let body = r.json();
    assert_eq!(body["scimType"], "invalidValue");
    assert_eq!(
        body["detail"],
        "invalid value: `displayName` must be at most 4096 characters, not 524288"
    );
    let listed = e
        .bearer(
            Method::GET,
            "/scim/v2/Users?filter=userName%20eq%20%22ann@acme.example%22",
            &token,
            None,
        )
        .await;
    assert_eq!(listed.json()["totalResults"], 0);
}

/// The order `n` of the P-256 group, as hex.
const P256_N: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

/// The token with its ES256 signature's `s` replaced by `n - s`.
fn high_s_twin(token: &str) -> String {
    let (message, signature) = token.rsplit_once('.').unwrap();
    let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
    let n: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&P256_N[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    let (r, s) = signature.split_at(32);
    let mut twin = vec![0u8; 32];
    let mut borrow = 0u16;
    for i in (0..32).rev() {
        let d = 256 + u16::from(n[i]) - u16::from(s[i]) - borrow;
        twin[i] = (d & 0xff) as u8;
        borrow = u16::from(d < 256);
    }
    format!("{message}.{}", URL_SAFE_NO_PAD.encode([r, &twin].concat()))
}

/// A token's high-S twin, a valid ECDSA signature of the same claims, is refused.
#[tokio::test]
async fn a_high_s_copy_of_a_token_is_refused() {
    let e = Emulator::new();
    let token = e.org_token(None).await;
    let ok = e.bearer(Method::GET, "/scim/v2/Users", &token, None).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text);
    let twin = high_s_twin(&token);
    let refused = e.bearer(Method::GET, "/scim/v2/Users", &twin, None).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.text);
    assert!(
        refused.text.contains("the token's signature is invalid"),
        "{}",
        refused.text
    );
}

/// An authorization-code app redirecting over plain HTTP to a host other than a
/// loopback one is `invalid_url`; to 127.0.0.1 it is created.
#[tokio::test]
async fn a_plain_http_redirect_url_must_be_loopback() {
    let e = Emulator::new();
    let org = e.boot.organization_sid.clone().unwrap();
    let app = |redirect: &str| {
        json!({
            "owner_sid": org,
            "grant_type": "authorization_code",
            "name": "web",
            "redirect_url": redirect,
            "scopes": ["managed-users/list"],
        })
    };
    let refused = e
        .admin(Method::POST, "/apps", Some(app("http://example.com/cb")))
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
    assert_eq!(refused.json()["error"], "invalid_url");
    let created = e
        .admin(Method::POST, "/apps", Some(app("http://127.0.0.1:8080/cb")))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
}
