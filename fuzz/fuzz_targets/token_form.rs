//! Any bytes as a form body and `Authorization` header to the Token API,
//! introspection and revocation, through the emulator's router: the answer is 200,
//! 400 or 401 with a JSON body, and every refusal names an RFC 6749 error. The
//! placeholders `CLIENT` and `SECRET` in the input stand for the demo app's real
//! credentials, so the fuzzer also reaches the paths past client authentication.
#![no_main]

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use iamkit::{Algorithm, Engine};
use iamkit_server::{demo, router, state, ServerOptions};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tower::ServiceExt;

const ENDPOINTS: [&str; 3] = ["/v2/token", "/v2/introspect", "/v2/revoke"];
const CONTENT_TYPES: [&str; 4] = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=utf-8",
    "APPLICATION/X-WWW-FORM-URLENCODED",
    "application/json",
];
const ERRORS: [&str; 6] = [
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
];

struct Fixture {
    runtime: tokio::runtime::Runtime,
    router: Router,
    client_id: String,
    secret: String,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let engine = Arc::new(
            Engine::builder()
                .algorithm(Algorithm::HS256)
                .build()
                .expect("engine"),
        );
        let (state, admin) = state(engine.clone(), &ServerOptions::default());
        let boot = demo::seed(&engine, "http://127.0.0.1:1", &admin).expect("demo");
        let app = boot.apps.expect("demo apps").org_client_credentials;
        Fixture {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .expect("runtime"),
            router: router(state),
            client_id: app.client_id,
            secret: app.client_secret,
        }
    })
}

/// `data` with the placeholders replaced by the demo app's credentials.
fn with_credentials(data: &[u8], f: &Fixture) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + 64);
    let mut rest = data;
    while !rest.is_empty() {
        if let Some(tail) = rest.strip_prefix(b"CLIENT") {
            out.extend_from_slice(f.client_id.as_bytes());
            rest = tail;
        } else if let Some(tail) = rest.strip_prefix(b"SECRET") {
            out.extend_from_slice(f.secret.as_bytes());
            rest = tail;
        } else {
            out.push(rest[0]);
            rest = &rest[1..];
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, data)) = data.split_first() else {
        return;
    };
    let f = fixture();
    let data = with_credentials(data, f);
    // Up to the first NUL: the Authorization header; after it: the body.
    let (authorization, body) = match data.iter().position(|&b| b == 0) {
        Some(at) => (Some(&data[..at]), &data[at + 1..]),
        None => (None, &data[..]),
    };
    let path = ENDPOINTS[usize::from(selector) % ENDPOINTS.len()];
    let content_type = CONTENT_TYPES[usize::from(selector / 4) % CONTENT_TYPES.len()];
    let mut request = Request::post(path).header(header::CONTENT_TYPE, content_type);
    if let Some(value) = authorization {
        match header::HeaderValue::from_bytes(value) {
            Ok(value) => request = request.header(header::AUTHORIZATION, value),
            Err(_) => return,
        }
    }
    let request = request.body(Body::from(body.to_vec())).expect("request");
    let (status, bytes) = f.runtime.block_on(async {
        let response = f.router.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, bytes)
    });
    assert!(
        [
            StatusCode::OK,
            StatusCode::BAD_REQUEST,
            StatusCode::UNAUTHORIZED
        ]
        .contains(&status),
        "{path}: {status}"
    );
    if status == StatusCode::OK {
        if path != "/v2/revoke" {
            let body: Value = serde_json::from_slice(&bytes).expect("a JSON answer");
            assert!(body.is_object());
        }
        return;
    }
    let body: Value = serde_json::from_slice(&bytes).expect("a JSON error");
    let error = body["error"].as_str().expect("an RFC 6749 error");
    assert!(ERRORS.contains(&error), "{path}: unexpected error {error}");
    assert_eq!(body["status"], status.as_u16());
    if status == StatusCode::UNAUTHORIZED {
        assert_eq!(error, "invalid_client");
    }
});
