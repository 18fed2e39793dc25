//! The admin API: token check, apps, rotation, clock, audit, state and faults.

mod common;

use axum::http::{Method, StatusCode};
use common::Emulator;
use serde_json::json;

#[tokio::test]
async fn the_admin_api_needs_its_token() {
    let e = Emulator::new();
    let r = e.get("/admin/v1/organizations").await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (StatusCode::UNAUTHORIZED, json!("invalid_token"))
    );
    let r = e.admin(Method::GET, "/organizations", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["organizations"][0]["name"], "Demo Organization");
}

async fn token(e: &Emulator, id: &str, secret: &str) -> StatusCode {
    e.form(
        "/v2/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ],
    )
    .await
    .status
}

#[tokio::test]
async fn apps_are_created_viewed_updated_rotated_and_deleted() {
    let e = Emulator::new();
    let account = e.boot.account_sid.clone().unwrap();
    let body = json!({"owner_sid": account, "grant_type": "client_credentials", "name": "Reporter", "scopes": ["messages/list"], "token_ttl": 60});
    let r = e.admin(Method::POST, "/apps", Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let created = r.json();
    let id = created["client_id"].as_str().unwrap().to_owned();
    let secret = created["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(created["token_ttl"], 60);

    let viewed = e
        .admin(Method::GET, &format!("/apps/{id}"), None)
        .await
        .json();
    assert!(
        viewed.get("client_secret").is_none(),
        "the secret is shown once"
    );

    let r = e
        .admin(
            Method::POST,
            &format!("/apps/{id}"),
            Some(json!({"token_ttl": 59})),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_token_ttl"))
    );
    let r = e
        .admin(
            Method::POST,
            &format!("/apps/{id}"),
            Some(json!({"name": "Renamed"})),
        )
        .await;
    assert_eq!(r.json()["name"], "Renamed");
    let r = e
        .admin(
            Method::POST,
            &format!("/apps/{id}"),
            Some(json!({"nmae": "typo"})),
        )
        .await;
    assert_eq!(r.json()["error"], "invalid_request");

    let rotated = e
        .admin(
            Method::POST,
            &format!("/apps/{id}/rotate"),
            Some(json!({"grace_seconds": 30})),
        )
        .await
        .json();
    let new_secret = rotated["client_secret"].as_str().unwrap().to_owned();
    assert_eq!(
        rotated["previous_secret_valid_until"],
        "2026-01-01T00:00:30Z"
    );
    assert_eq!(token(&e, &id, &secret).await, StatusCode::OK);
    e.admin(Method::POST, "/clock", Some(json!({"advance_seconds": 29})))
        .await;
    assert_eq!(token(&e, &id, &secret).await, StatusCode::OK);
    e.admin(Method::POST, "/clock", Some(json!({"advance_seconds": 1})))
        .await;
    assert_eq!(token(&e, &id, &secret).await, StatusCode::UNAUTHORIZED);
    assert_eq!(token(&e, &id, &new_secret).await, StatusCode::OK);

    let events = e
        .admin(
            Method::GET,
            &format!("/audit-events?event_type=oauth-apps.secret-rotated&subject={id}"),
            None,
        )
        .await
        .json();
    assert_eq!(events["events"][0]["details"]["grace_period_seconds"], 30);

    assert_eq!(
        e.admin(Method::DELETE, &format!("/apps/{id}"), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(token(&e, &id, &new_secret).await, StatusCode::UNAUTHORIZED);
    let r = e.admin(Method::GET, &format!("/apps/{id}"), None).await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (StatusCode::NOT_FOUND, json!(20404))
    );
}

#[tokio::test]
async fn the_clock_moves_tokens_codes_and_secrets_to_their_exact_boundaries() {
    let e = Emulator::new();
    let token = e.cc_token().await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let clock = e.admin(Method::GET, "/clock", None).await.json();
    assert_eq!(
        clock,
        json!({"now": "2026-01-01T00:00:00Z", "adjustable": true})
    );
    e.admin(
        Method::POST,
        "/clock",
        Some(json!({"advance_seconds": 3599})),
    )
    .await;
    assert!(e.engine.verify(&token).is_ok());
    let r = e
        .admin(Method::POST, "/clock", Some(json!({"advance_seconds": 1})))
        .await;
    assert_eq!(r.json()["now"], "2026-01-01T01:00:00Z");
    assert_eq!(
        e.engine.verify(&token).unwrap_err(),
        iamkit::TokenError::Expired
    );

    let r = e
        .admin(
            Method::POST,
            "/clock",
            Some(json!({"set": "2027-05-05T00:00:00Z"})),
        )
        .await;
    assert_eq!(r.json()["now"], "2027-05-05T00:00:00Z");
    let r = e.admin(Method::POST, "/clock", Some(json!({}))).await;
    assert_eq!(r.json()["error"], "invalid_request");
    let r = e
        .admin(Method::POST, "/clock", Some(json!({"set": "tomorrow"})))
        .await;
    assert_eq!(r.json()["error"], "invalid_request");
}

#[tokio::test]
async fn faults_answer_the_next_requests_then_stop() {
    let e = Emulator::new();
    let rule =
        json!({"path": "/v2/token", "count": 2, "status": 503, "body": {"message": "try later"}});
    assert_eq!(
        e.admin(Method::POST, "/faults", Some(rule)).await.status,
        StatusCode::CREATED
    );
    for _ in 0..2 {
        let r = e.cc_token().await;
        assert_eq!(
            (r.status, r.json()),
            (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"message": "try later"})
            )
        );
    }
    assert_eq!(e.cc_token().await.status, StatusCode::OK);
    let r = e
        .admin(
            Method::POST,
            "/faults",
            Some(json!({"path": "/admin/v1/clock", "count": 1, "status": 500})),
        )
        .await;
    assert_eq!(r.json()["error"], "invalid_request");
    assert_eq!(
        r.json()["error_description"],
        "the admin API cannot be faulted"
    );
    for path in ["/console", "/console/sign-in"] {
        let r = e
            .admin(
                Method::POST,
                "/faults",
                Some(json!({"path": path, "count": 1, "status": 500})),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            r.json()["error_description"],
            "the Console cannot be faulted"
        );
    }
    let r = e
        .admin(
            Method::POST,
            "/faults",
            Some(json!({"path": "/v2/token", "count": 1, "status": 99})),
        )
        .await;
    assert_eq!(r.json()["error"], "invalid_request");
}

#[tokio::test]
async fn state_exports_without_secrets_and_imports() {
    let e = Emulator::new();
    let (_, secret) = e.cc();
    let r = e.admin(Method::GET, "/state", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.text.contains(&secret));
    let other = Emulator::new();
    let imported = other
        .send(
            axum::http::Request::put("/admin/v1/state")
                .header("authorization", "Bearer admin-secret")
                .body(axum::body::Body::from(r.text.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(imported.status, StatusCode::NO_CONTENT);
    let bad = other
        .send(
            axum::http::Request::put("/admin/v1/state")
                .header("authorization", "Bearer admin-secret")
                .body(axum::body::Body::from("{"))
                .unwrap(),
        )
        .await;
    assert_eq!(bad.json()["error"], "invalid_state");
}

#[tokio::test]
async fn authorized_apps_are_listed_and_revoked() {
    let e = Emulator::new();
    let (id, _, redirect) = e.code_app();
    let owner = e.boot.users[0].sid.clone();
    let approved = e
        .admin(
            Method::POST,
            "/authorizations",
            Some(
                json!({"client_id": id, "redirect_uri": redirect, "user_sid": owner, "state": "s"}),
            ),
        )
        .await;
    assert_eq!(approved.status, StatusCode::CREATED, "{}", approved.text);
    let code = approved.json()["code"].as_str().unwrap().to_owned();
    assert_eq!(
        approved.json()["redirect_to"],
        format!("{redirect}?code={code}&state=s")
    );
    assert_eq!(approved.json()["expires_at"], "2026-01-01T00:05:00Z");
    // The same rules as the page: an unknown user is refused, nothing recorded.
    let nobody = e
        .admin(
            Method::POST,
            "/authorizations",
            Some(json!({"client_id": id, "redirect_uri": redirect, "user_sid": "US00000000000000000000000000000000"})),
        )
        .await;
    assert_eq!(
        (nobody.status, nobody.json()["error"].clone()),
        (StatusCode::FORBIDDEN, json!("access_denied"))
    );
    let listed = e.authorized_apps().await;
    assert_eq!(listed[0]["authorized_by"], owner);
    let sid = listed[0]["sid"].as_str().unwrap().to_owned();
    assert_eq!(
        e.admin(Method::DELETE, &format!("/authorizations/{sid}"), None)
            .await
            .status,
        StatusCode::OK
    );
    let r = e
        .admin(Method::DELETE, &format!("/authorizations/{sid}"), None)
        .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (StatusCode::NOT_FOUND, json!("authorization_not_found"))
    );
}
