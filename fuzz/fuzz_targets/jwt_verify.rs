//! JWT verification input: any string given to `verify` and `introspect`, and
//! structured mutations of a valid token (bytes flipped, inserted or cut in one
//! part, parts swapped, decoded JSON members changed and re-encoded). Nothing may
//! panic, and only the untouched token may verify: a mutated token that verifies
//! would be a forgery.
#![no_main]

use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use iamkit::{Actor, Algorithm, Claims, Engine, NewApp, OwnerSid, TokenRequest};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

struct Issued {
    engine: Engine,
    token: String,
    claims: Claims,
}

/// One engine per algorithm whose signatures are not malleable (ECDSA's are: a
/// signature (r, s) and (r, n - s) both verify, which is not a forgery).
fn issued() -> &'static [Issued] {
    static ISSUED: OnceLock<Vec<Issued>> = OnceLock::new();
    ISSUED.get_or_init(|| {
        [Algorithm::HS256, Algorithm::EdDSA]
            .into_iter()
            .map(|algorithm| {
                let engine = Engine::builder()
                    .algorithm(algorithm)
                    .build()
                    .expect("engine");
                let org = engine.create_organization("Fuzz").expect("organization");
                let app = engine
                    .create_app(
                        NewApp::client_credentials(
                            OwnerSid::Organization(org.sid),
                            "fuzz",
                            &["managed-users/list"],
                        ),
                        &Actor::admin(),
                    )
                    .expect("app");
                let token = engine
                    .token(&TokenRequest::client_credentials(
                        &app.app.client_id.to_string(),
                        app.client_secret.expose(),
                    ))
                    .expect("token")
                    .access_token
                    .expose()
                    .to_owned();
                let claims = engine.verify(&token).expect("a fresh token verifies");
                Issued {
                    engine,
                    token,
                    claims,
                }
            })
            .collect()
    })
}

/// Changes one decoded JSON part: sets member `key` to `value` (both from the
/// input), or removes it when `value` is empty.
fn rewrite_json(part: &str, key: &str, value: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    let mut json: Value = serde_json::from_slice(&bytes).ok()?;
    let object = json.as_object_mut()?;
    if value.is_empty() {
        object.remove(key);
    } else {
        let value = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.into()));
        object.insert(key.into(), value);
    }
    Some(URL_SAFE_NO_PAD.encode(json.to_string()))
}

fn mutate(token: &str, op: u8, at: usize, data: &[u8]) -> Option<String> {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let part = usize::from(op >> 4) % parts.len();
    let text = String::from_utf8_lossy(data);
    match op % 8 {
        0 => {
            // Flip bits of one byte.
            let mut bytes = parts[part].clone().into_bytes();
            let i = at % bytes.len().max(1);
            *bytes.get_mut(i)? ^= data.first().copied().unwrap_or(1).max(1);
            parts[part] = String::from_utf8(bytes).ok()?;
        }
        1 => {
            let i = at % (parts[part].len() + 1);
            if !parts[part].is_char_boundary(i) {
                return None;
            }
            parts[part].insert_str(i, &text);
        }
        2 => {
            let len = parts[part].len();
            let start = at % (len + 1);
            let end = (start + data.len()).min(len);
            if !parts[part].is_char_boundary(start) || !parts[part].is_char_boundary(end) {
                return None;
            }
            parts[part].replace_range(start..end, "");
        }
        3 => parts[part] = text.into_owned(),
        4 => {
            let other = at % parts.len();
            parts.swap(part, other);
        }
        5 | 6 => {
            // A JSON member of the header (5) or the claims (6), re-encoded.
            let index = usize::from(op % 8 - 5);
            let (key, value) = text.split_once('=').unwrap_or((&text, ""));
            parts[index] = rewrite_json(&parts[index], key, value)?;
        }
        _ => {
            let i = at % (parts.len() + 1);
            parts.insert(i, text.into_owned());
        }
    }
    Some(parts.join("."))
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let all = issued();
    let issued = &all[usize::from(selector & 1) % all.len()];
    let candidate = if selector & 2 == 0 {
        // Any string.
        match std::str::from_utf8(rest) {
            Ok(text) => text.to_owned(),
            Err(_) => return,
        }
    } else {
        let Some((&op, rest)) = rest.split_first() else {
            return;
        };
        let Some((&at, rest)) = rest.split_first() else {
            return;
        };
        match mutate(&issued.token, op, usize::from(at), rest) {
            Some(token) => token,
            None => return,
        }
    };
    let verified = issued.engine.verify(&candidate);
    let introspected = issued.engine.introspect(&candidate);
    assert_eq!(introspected.active, verified.is_ok());
    if let Ok(claims) = verified {
        assert_eq!(candidate, issued.token, "a changed token verified");
        assert_eq!(claims, issued.claims);
    }
    let _ = issued
        .engine
        .check_access(&candidate, "GET", "/scim/v2/Users");
});
