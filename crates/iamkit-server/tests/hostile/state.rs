//! What requests without credentials could make grow, or wipe, stays bounded; old
//! refresh tokens end; a state import leaves a trace and refuses what it would
//! silently ignore.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::Emulator;

/// An approval through the admin API, as the consent page records one.
async fn approve(e: &Emulator, scope: &str) -> Value {
    let (id, _, redirect) = e.code_app();
    let owner = e.boot.users[0].sid.clone();
    let body =
        json!({"client_id": id, "redirect_uri": redirect, "user_sid": owner, "scope": scope});
    e.admin(Method::POST, "/authorizations", Some(body))
        .await
        .json()
}

async fn advance(e: &Emulator, seconds: u64) {
    let r = e
        .admin(
            Method::POST,
            "/clock",
            Some(json!({"advance_seconds": seconds})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

async fn state(e: &Emulator) -> Value {
    e.admin(Method::GET, "/state", None).await.json()
}

fn entries(state: &Value, table: &str) -> usize {
    state["state"][table].as_object().map_or(0, |m| m.len())
}

#[tokio::test]
async fn unredeemed_codes_are_capped_and_dropped_once_expired() {
    let e = Emulator::new();
    for _ in 0..iamkit::authorize::MAX_PENDING_CODES {
        assert!(approve(&e, "").await["code"].is_string());
    }
    let refused = approve(&e, "").await;
    assert_eq!(refused["error"], "temporarily_unavailable", "{refused}");
    assert_eq!(refused["code"], 20503, "{refused}");
    assert_eq!(entries(&state(&e).await, "grants"), 1_000);
    advance(&e, 300).await;
    assert!(approve(&e, "").await["code"].is_string());
    let kept = state(&e).await;
    assert_eq!((entries(&kept, "grants"), entries(&kept, "codes")), (1, 1));
}

#[tokio::test]
async fn refused_token_requests_leave_the_apps_events_listed() {
    let e = Emulator::new();
    let (id, _) = e.cc();
    for i in 0..300 {
        let bogus = format!("OQ{i:032x}");
        let fields = [
            ("grant_type", "client_credentials"),
            ("client_id", bogus.as_str()),
            ("client_secret", "admin"),
        ];
        assert_eq!(
            e.form("/v2/token", &fields).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let created = e
        .admin(
            Method::GET,
            "/audit-events?event_type=oauth-apps.created",
            None,
        )
        .await
        .json();
    let subjects: Vec<&str> = created["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|ev| ev["subject"].as_str())
        .collect();
    assert!(subjects.contains(&id.as_str()), "{created}");
    let refused = e
        .admin(
            Method::GET,
            "/audit-events?event_type=oauth-tokens.refused",
            None,
        )
        .await
        .json();
    let refused = refused["events"].as_array().unwrap();
    assert_eq!(refused.len(), 300);
    assert!(refused
        .iter()
        .all(|ev| ev["actor"] == "unknown-client" && ev["subject"] == "unknown-client"));
}

#[tokio::test]
async fn a_refresh_token_stops_after_its_lifetime() {
    let e = Emulator::new();
    let (id, secret, redirect) = e.code_app();
    let approved = approve(&e, "offline_access").await;
    let code = approved["code"].as_str().unwrap();
    let issued = e
        .form(
            "/v2/token",
            &[
                ("grant_type", "authorization_code"),
                ("client_id", &id),
                ("client_secret", &secret),
                ("code", code),
                ("redirect_uri", &redirect),
            ],
        )
        .await
        .json();
    let refresh = issued["refresh_token"].as_str().unwrap().to_owned();
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", id.as_str()),
        ("client_secret", secret.as_str()),
        ("refresh_token", refresh.as_str()),
    ];
    advance(&e, 89 * 86_400).await;
    assert_eq!(e.form("/v2/token", &form).await.status, StatusCode::OK);
    advance(&e, 311 * 86_400).await;
    let r = e.form("/v2/token", &form).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    assert_eq!(r.json()["error"], "invalid_grant");
    assert!(r.json()["error_description"]
        .as_str()
        .unwrap()
        .contains("expired"));
}

#[tokio::test]
async fn a_state_import_is_audited_and_refuses_unknown_or_future_fields() {
    let e = Emulator::new();
    let exported = state(&e).await;
    let mut backdoor = exported.clone();
    backdoor["state"]["never_expire"] = json!(true);
    assert!(approve(&e, "").await["code"].is_string());
    let mut future = state(&e).await;
    let grants = future["state"]["grants"].as_object_mut().unwrap();
    let grant = grants.values_mut().next().unwrap();
    grant["issued_at"] = json!("2099-01-01T00:00:00Z");
    for (doctored, message) in [
        (backdoor, "unknown field state.never_expire"),
        (future, "is dated after the engine clock"),
    ] {
        let r = e.admin(Method::PUT, "/state", Some(doctored)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
        assert_eq!(r.json()["error"], "invalid_state");
        assert!(
            r.json()["error_description"]
                .as_str()
                .unwrap()
                .contains(message),
            "{}",
            r.text
        );
    }
    let r = e.admin(Method::PUT, "/state", Some(exported)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let imported = e
        .admin(Method::GET, "/audit-events?event_type=state.imported", None)
        .await
        .json();
    assert_eq!(imported["events"][0]["actor"], "admin", "{imported}");
}
