//! CORS: the `Access-Control-*` headers of Twilio's APIs on every answer to a
//! granted origin, preflights answered on every served path, and nothing granted to
//! other origins.

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::{Emulator, Reply, URL};
use iamkit::{Engine, ManualClock};
use iamkit_server::{demo, router, state, CorsOrigins, ServerOptions};

const CORS_HEADERS: [&str; 7] = [
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-expose-headers",
    "access-control-max-age",
    "vary",
];

const ALLOW_METHODS: &str = "GET,POST,PUT,PATCH,DELETE,OPTIONS";
const ALLOW_HEADERS: &str = "accept,authorization,content-type,if-match,if-modified-since,if-none-match,if-unmodified-since,idempotency-key";
const VARY: &str = "origin, access-control-request-method, access-control-request-headers";

/// An emulator with the demo organization whose CORS grants `origins`.
fn emulator(origins: CorsOrigins) -> Emulator {
    let clock = ManualClock::parse("2026-01-01T00:00:00Z").unwrap();
    let engine = Arc::new(
        Engine::builder()
            .clock(clock.clone())
            .issuer(URL)
            .build()
            .unwrap(),
    );
    let options = ServerOptions {
        admin_token: Some("admin-secret".into()),
        cors_origins: origins,
        ..ServerOptions::default()
    };
    let (state, token) = state(engine.clone(), &options);
    let boot = demo::seed(&engine, URL, &token).unwrap();
    Emulator {
        clock,
        engine,
        router: router(state),
        boot,
    }
}

/// The CORS headers of an answer, by name, in a fixed order.
fn cors(r: &Reply) -> Vec<(&'static str, String)> {
    CORS_HEADERS
        .iter()
        .filter(|name| r.headers.contains_key(**name))
        .map(|name| (*name, r.header(name).to_owned()))
        .collect()
}

async fn preflight(e: &Emulator, path: &str, origin: &str, method: &str) -> Reply {
    e.send(
        Request::builder()
            .method(Method::OPTIONS)
            .uri(path)
            .header("origin", origin)
            .header("access-control-request-method", method)
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

async fn get_from(e: &Emulator, path: &str, origin: &str) -> Reply {
    e.send(
        Request::get(path)
            .header("origin", origin)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// What a granted, echoed origin gets on a preflight.
fn granted_preflight(origin: &str) -> Vec<(&'static str, String)> {
    vec![
        ("access-control-allow-origin", origin.into()),
        ("access-control-allow-credentials", "true".into()),
        ("access-control-allow-methods", ALLOW_METHODS.into()),
        ("access-control-allow-headers", ALLOW_HEADERS.into()),
        ("access-control-max-age", "3600".into()),
        ("vary", VARY.into()),
    ]
}

/// Every path the emulator serves, with sids that fit their templates.
fn served_paths(e: &Emulator) -> Vec<String> {
    let org = e.boot.organization_sid.clone().unwrap();
    let account = e.boot.account_sid.clone().unwrap();
    let client = e
        .boot
        .apps
        .as_ref()
        .unwrap()
        .org_client_credentials
        .client_id
        .clone();
    let mut paths: Vec<String> = iamkit::endpoints::ORGANIZATION_ROUTES
        .iter()
        .map(|r| {
            r.path
                .replace("{OR}", &org)
                .replace("{US}", "US0123456789abcdef0123456789abcdef")
                .replace("{IY}", "IY0123456789abcdef0123456789abcdef")
        })
        .collect();
    paths.extend(
        [
            "/v2/token",
            "/v1/token",
            "/v2/authorize",
            "/v2/introspect",
            "/v2/revoke",
            "/.well-known/oauth-authorization-server",
            "/.well-known/openid-configuration",
            "/.well-known/jwks.json",
            "/healthz",
            "/scim/v2/ServiceProviderConfig",
            "/scim/v2/ResourceTypes",
            "/scim/v2/Schemas",
            "/v1/Account/OAuthApps",
            "/admin/v1/apps",
        ]
        .map(String::from),
    );
    paths.push(format!("/Organizations/{org}/Accounts"));
    paths.push(format!("/Organizations/{org}/Accounts/{account}"));
    paths.push(format!("/v1/Account/OAuthApps/{client}"));
    paths.push(format!("/admin/v1/apps/{client}"));
    paths
}

#[tokio::test]
async fn every_served_path_answers_a_preflight_from_a_local_page() {
    let e = Emulator::new();
    let origin = "http://localhost:3000";
    for path in served_paths(&e) {
        for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
            let r = preflight(&e, &path, origin, method).await;
            assert_eq!(
                (r.status, r.text.as_str()),
                (StatusCode::OK, ""),
                "{method} {path}"
            );
            assert_eq!(cors(&r), granted_preflight(origin), "{method} {path}");
        }
    }
}

#[tokio::test]
async fn answers_to_a_granted_origin_carry_twilios_headers_errors_too() {
    let e = Emulator::new();
    let expected = |origin: &str| {
        vec![
            ("access-control-allow-origin", origin.to_owned()),
            ("access-control-allow-credentials", "true".to_owned()),
            ("access-control-expose-headers", "etag,location".to_owned()),
            ("vary", VARY.to_owned()),
        ]
    };
    for origin in [
        "http://localhost:3000",
        "http://127.0.0.1:8080",
        "https://[::1]",
    ] {
        let ok = get_from(&e, "/healthz", origin).await;
        assert_eq!(ok.status, StatusCode::OK);
        assert_eq!(cors(&ok), expected(origin), "{origin}");
        let refused = get_from(&e, "/scim/v2/Users", origin).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            cors(&refused),
            expected(origin),
            "a 401 is readable: {origin}"
        );
    }
    // A request without an Origin (not from a browser page) is served as before.
    let plain = e.get("/healthz").await;
    assert_eq!(
        cors(&plain),
        [
            ("access-control-expose-headers", "etag,location".to_owned()),
            ("vary", VARY.to_owned())
        ]
    );
}

#[tokio::test]
async fn other_origins_get_no_grant() {
    let e = Emulator::new();
    for origin in [
        "https://evil.example",
        "http://localhost.evil.example",
        "null",
        "http://10.0.0.1:3000",
    ] {
        let r = get_from(&e, "/healthz", origin).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "served, but not readable by the page"
        );
        assert_eq!(
            cors(&r),
            [
                ("access-control-expose-headers", "etag,location".to_owned()),
                ("vary", VARY.to_owned())
            ],
            "{origin}"
        );
        let p = preflight(&e, "/v2/token", origin, "POST").await;
        let granted: Vec<_> = cors(&p)
            .into_iter()
            .filter(|(name, _)| {
                name.starts_with("access-control-allow-origin")
                    || *name == "access-control-allow-credentials"
            })
            .collect();
        assert_eq!(granted, [], "{origin}");
    }
}

#[tokio::test]
async fn configured_origins_replace_the_local_ones() {
    let e = emulator(CorsOrigins::Only(vec!["https://app.example".into()]));
    let r = preflight(&e, "/v1/Account/OAuthApps", "https://app.example", "POST").await;
    assert_eq!(cors(&r), granted_preflight("https://app.example"));
    for origin in [
        "http://localhost:3000",
        "https://app.example:8443",
        "http://app.example",
    ] {
        let r = get_from(&e, "/healthz", origin).await;
        assert!(
            !r.headers.contains_key("access-control-allow-origin"),
            "{origin}"
        );
        assert!(
            !r.headers.contains_key("access-control-allow-credentials"),
            "{origin}"
        );
    }
}

#[tokio::test]
async fn any_origin_is_answered_with_a_star_and_no_credentials() {
    let e = emulator(CorsOrigins::Any);
    let r = preflight(
        &e,
        "/Organizations/OR0123456789abcdef0123456789abcdef/Accounts",
        "https://anywhere.example",
        "GET",
    )
    .await;
    assert_eq!(
        cors(&r),
        [
            ("access-control-allow-origin", "*".to_owned()),
            ("access-control-allow-methods", ALLOW_METHODS.to_owned()),
            ("access-control-allow-headers", ALLOW_HEADERS.to_owned()),
            ("access-control-max-age", "3600".to_owned()),
            ("vary", VARY.to_owned()),
        ]
    );
    let token = get_from(&e, "/.well-known/jwks.json", "https://anywhere.example").await;
    assert_eq!(token.header("access-control-allow-origin"), "*");
    assert!(!token
        .headers
        .contains_key("access-control-allow-credentials"));
}
