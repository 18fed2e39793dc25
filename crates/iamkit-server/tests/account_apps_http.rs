//! Twilio's API for account OAuth apps over HTTP: `POST /v1/Account/OAuthApps`,
//! `PUT` and `DELETE /v1/Account/OAuthApps/{sid}`, with HTTP Basic as the account
//! SID and its auth token.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::{Emulator, Reply};
use serde_json::{json, Value};

const APPS: &str = "/v1/Account/OAuthApps";

/// The demo account's SID and auth token.
fn demo_account(e: &Emulator) -> (String, String) {
    (
        e.boot.account_sid.clone().unwrap(),
        e.boot.account_auth_token.clone().unwrap(),
    )
}

/// A request with HTTP Basic credentials and, when given, a JSON body.
async fn basic(
    e: &Emulator,
    method: Method,
    path: &str,
    (user, password): (&str, &str),
    body: Option<Value>,
) -> Reply {
    let credentials = STANDARD.encode(format!("{user}:{password}"));
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Basic {credentials}"));
    let body = match body {
        Some(value) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(value.to_string())
        }
        None => Body::empty(),
    };
    e.send(request.body(body).unwrap()).await
}

async fn as_demo(e: &Emulator, method: Method, path: &str, body: Option<Value>) -> Reply {
    let (sid, token) = demo_account(e);
    basic(e, method, path, (&sid, &token), body).await
}

/// The body the Twilio SDKs send: every field, unset ones `null`.
fn sdk_body(name: &str, allow: &[&str], ttl: Option<u64>) -> Value {
    json!({
        "type": null,
        "friendly_name": name,
        "owner_sid": null,
        "description": null,
        "client_sid": null,
        "token_endpoint_auth_method": null,
        "policy": {"allow": allow, "deny": null},
        "access_token_ttl": ttl,
    })
}

/// Twilio's error body: `code`, `message`, `more_info`, `status`.
fn twilio_error(r: &Reply) -> (StatusCode, String, u64, String) {
    let body = r.json();
    assert_eq!(
        body["more_info"],
        format!("https://www.twilio.com/docs/errors/{}", body["code"]),
        "{}",
        r.text
    );
    assert_eq!(body["status"], r.status.as_u16(), "{}", r.text);
    (
        r.status,
        body["error"].as_str().unwrap().to_owned(),
        body["code"].as_u64().unwrap(),
        body["message"].as_str().unwrap().to_owned(),
    )
}

async fn token_for(e: &Emulator, client_id: &str, secret: &str) -> Reply {
    e.form(
        "/v2/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
        ],
    )
    .await
}

#[tokio::test]
async fn an_account_creates_updates_and_deletes_its_apps() {
    let e = Emulator::new();
    let (account, _) = demo_account(&e);
    let made = as_demo(
        &e,
        Method::POST,
        APPS,
        Some(sdk_body(
            "Reporter",
            &["messages/read", "messages/list"],
            Some(120),
        )),
    )
    .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let body = made.json();
    let sid = body["sid"].as_str().unwrap().to_owned();
    let secret = body["secret"].as_str().unwrap().to_owned();
    assert!(sid.starts_with("OQ") && sid.len() == 34, "{sid}");
    assert_eq!(
        body,
        json!({
            "type": "client_credentials",
            "sid": sid,
            "friendly_name": "Reporter",
            "date_created": "2026-01-01T00:00:00Z",
            "created_by": account,
            "secret": secret,
            "status": "active",
            "policy": {"allow": ["messages/read", "messages/list"], "deny": []},
            "access_token_ttl": 120,
        })
    );
    let token = token_for(&e, &sid, &secret).await;
    assert_eq!(
        (token.status, token.json()["expires_in"].clone()),
        (StatusCode::OK, json!(120))
    );

    let path = format!("{APPS}/{sid}");
    let updated = as_demo(
        &e,
        Method::PUT,
        &path,
        Some(json!({
            "type": null, "friendly_name": null, "description": "Nightly reports",
            "policy": {"allow": ["messages/read"], "deny": []}, "access_token_ttl": 3600,
        })),
    )
    .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.text);
    let body = updated.json();
    assert_eq!(body["friendly_name"], "Reporter", "null keeps the name");
    assert_eq!(body["description"], "Nightly reports");
    assert_eq!(
        body["policy"],
        json!({"allow": ["messages/read"], "deny": []})
    );
    assert_eq!(body["access_token_ttl"], 3600);
    assert_eq!(body.get("secret"), None, "the secret is shown once");
    assert_eq!(
        token_for(&e, &sid, &secret).await.json()["expires_in"],
        3600
    );

    let events = e.engine.audit_events(&iamkit::AuditQuery {
        subject: Some(sid.clone()),
        ..Default::default()
    });
    assert_eq!(
        events
            .iter()
            .filter(|ev| ev.event_type.starts_with("oauth-apps."))
            .map(|ev| (ev.event_type.as_str(), ev.actor.as_str()))
            .collect::<Vec<_>>(),
        [
            ("oauth-apps.created", account.as_str()),
            ("oauth-apps.updated", account.as_str())
        ]
    );

    let deleted = as_demo(&e, Method::DELETE, &path, None).await;
    assert_eq!(
        (deleted.status, deleted.text.as_str()),
        (StatusCode::NO_CONTENT, "")
    );
    assert_eq!(
        token_for(&e, &sid, &secret).await.status,
        StatusCode::UNAUTHORIZED
    );
    let again = as_demo(&e, Method::DELETE, &path, None).await;
    assert_eq!(
        twilio_error(&again),
        (
            StatusCode::NOT_FOUND,
            "app_not_found".into(),
            20404,
            format!("app {sid} not found")
        )
    );
    let export = e.engine.export_state();
    assert!(!export.contains(&secret), "the export keeps only hashes");
    assert!(
        !export.contains(&demo_account(&e).1),
        "the export keeps only hashes"
    );
}

#[tokio::test]
async fn requests_without_the_accounts_credentials_are_401s_asking_for_basic() {
    let e = Emulator::new();
    let (account, token) = demo_account(&e);
    let body = Some(sdk_body("x", &["messages/read"], None));
    let unknown = "AC0123456789abcdef0123456789abcdef";
    for (what, reply) in [
        (
            "a wrong token",
            basic(
                &e,
                Method::POST,
                APPS,
                (&account, "0".repeat(32).as_str()),
                body.clone(),
            )
            .await,
        ),
        (
            "an unknown account",
            basic(&e, Method::POST, APPS, (unknown, &token), body.clone()).await,
        ),
        (
            "a malformed sid",
            basic(&e, Method::POST, APPS, ("nope", &token), body.clone()).await,
        ),
        (
            "an empty token",
            basic(&e, Method::POST, APPS, (&account, ""), body.clone()).await,
        ),
    ] {
        assert_eq!(
            twilio_error(&reply),
            (
                StatusCode::UNAUTHORIZED,
                "invalid_credentials".into(),
                20003,
                "the account SID and auth token do not match".into()
            ),
            "{what}"
        );
        assert_eq!(
            reply.header("www-authenticate"),
            "Basic realm=\"iamkit\"",
            "{what}"
        );
    }
    let org_token = e.org_token(None).await;
    let bearer = e
        .bearer(
            Method::POST,
            APPS,
            &org_token,
            Some(("application/json", json!({}))),
        )
        .await;
    let none = e
        .send(Request::post(APPS).body(Body::empty()).unwrap())
        .await;
    let garbled = e
        .send(
            Request::delete(format!("{APPS}/OQ0123456789abcdef0123456789abcdef"))
                .header(header::AUTHORIZATION, "Basic !!!")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    for (what, reply) in [
        ("a bearer token", bearer),
        ("no credentials", none),
        ("garbled Basic", garbled),
    ] {
        assert_eq!(
            twilio_error(&reply),
            (
                StatusCode::UNAUTHORIZED,
                "invalid_credentials".into(),
                20003,
                "HTTP Basic with the account SID and its auth token is required".into()
            ),
            "{what}"
        );
        assert_eq!(
            reply.header("www-authenticate"),
            "Basic realm=\"iamkit\"",
            "{what}"
        );
    }
    // Nothing was created by any of them.
    let account_sid: iamkit::AccountSid = account.parse().unwrap();
    assert_eq!(
        e.engine.apps(iamkit::OwnerSid::Account(account_sid)).len(),
        1
    );
}

#[tokio::test]
async fn the_rules_of_account_apps_hold_with_typed_errors() {
    let e = Emulator::new();
    let (account, _) = demo_account(&e);
    let other = "AC0123456789abcdef0123456789abcdef";
    let hundred_and_one: Vec<String> = (0..101).map(|i| format!("messages/p{i}")).collect();
    let cases: Vec<(&str, Value, StatusCode, &str, u64, String)> = vec![
        ("a TTL under a minute", sdk_body("x", &["messages/read"], Some(59)), StatusCode::BAD_REQUEST, "invalid_token_ttl", 20001, "token lifetime 59 s is out of range: 60..=2592000 s".into()),
        ("a TTL over 30 days", sdk_body("x", &["messages/read"], Some(2_592_001)), StatusCode::BAD_REQUEST, "invalid_token_ttl", 20001, "token lifetime 2592001 s is out of range: 60..=2592000 s".into()),
        ("101 permissions", json!({"friendly_name": "x", "policy": {"allow": hundred_and_one}}), StatusCode::BAD_REQUEST, "too_many_scopes", 20001, "an app may have at most 100 scopes, not 101".into()),
        ("no permission", json!({"friendly_name": "x", "policy": null}), StatusCode::BAD_REQUEST, "missing_scope", 20001, "an app needs at least one scope".into()),
        ("an organization permission", sdk_body("x", &["managed-users/list"], None), StatusCode::BAD_REQUEST, "invalid_scope", 20001, "\"managed-users/list\" is not a permission available to apps of this level".into()),
        ("no name", sdk_body("", &["messages/read"], None), StatusCode::BAD_REQUEST, "missing_name", 20001, "an app needs a name".into()),
        ("the authorization-code grant", json!({"type": "authorization_code", "friendly_name": "x", "policy": {"allow": ["messages/read"]}}), StatusCode::BAD_REQUEST, "grant_type_not_allowed", 20001, "account apps support only the client_credentials grant".into()),
        ("denied permissions", json!({"friendly_name": "x", "policy": {"allow": ["messages/read"], "deny": ["messages/list"]}}), StatusCode::BAD_REQUEST, "invalid_field", 20001, "invalid policy.deny: permissions are not denied: policy.allow lists all an app may do".into()),
        ("a chosen client id", json!({"friendly_name": "x", "client_sid": "OQ0123456789abcdef0123456789abcdef", "policy": {"allow": ["messages/read"]}}), StatusCode::BAD_REQUEST, "invalid_field", 20001, "invalid client_sid: the engine picks an app's client id".into()),
        ("another account as owner", json!({"friendly_name": "x", "owner_sid": other, "policy": {"allow": ["messages/read"]}}), StatusCode::FORBIDDEN, "wrong_account", 20403, format!("the auth token of account {account} manages only that account's apps, not {other}'s")),
        ("an unknown field", json!({"friendly_name": "x", "scopes": ["messages/read"]}), StatusCode::BAD_REQUEST, "invalid_request", 20001, "invalid JSON body: unknown field `scopes`, expected one of `type`, `friendly_name`, `owner_sid`, `description`, `client_sid`, `token_endpoint_auth_method`, `policy`, `access_token_ttl` at line 1 column 29".into()),
    ];
    for (what, body, status, error, code, message) in cases {
        let r = as_demo(&e, Method::POST, APPS, Some(body)).await;
        assert_eq!(
            twilio_error(&r),
            (status, error.into(), code, message),
            "{what}"
        );
    }
    let (sid, token) = demo_account(&e);
    let form = e
        .send(
            Request::post(APPS)
                .header(
                    header::AUTHORIZATION,
                    format!("Basic {}", STANDARD.encode(format!("{sid}:{token}"))),
                )
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("friendly_name=x"))
                .unwrap(),
        )
        .await;
    assert_eq!(
        twilio_error(&form),
        (
            StatusCode::BAD_REQUEST,
            "invalid_request".into(),
            20001,
            "the body must be application/json".into()
        )
    );
    let account_sid: iamkit::AccountSid = account.parse().unwrap();
    assert_eq!(
        e.engine.apps(iamkit::OwnerSid::Account(account_sid)).len(),
        1,
        "none was created"
    );
}

#[tokio::test]
async fn an_account_manages_only_its_own_apps() {
    let e = Emulator::new();
    let org: iamkit::OrganizationSid = e.boot.organization_sid.clone().unwrap().parse().unwrap();
    let other = e
        .engine
        .create_account(
            iamkit::NewAccount::new(org, "Other"),
            &iamkit::Actor::admin(),
        )
        .unwrap();
    let (other_sid, other_token) = (
        other.account.sid.to_string(),
        other.auth_token.expose().to_owned(),
    );
    let theirs = basic(
        &e,
        Method::POST,
        APPS,
        (&other_sid, &other_token),
        Some(sdk_body("Theirs", &["messages/read"], None)),
    )
    .await
    .json()["sid"]
        .as_str()
        .unwrap()
        .to_owned();
    let org_app = e
        .boot
        .apps
        .as_ref()
        .unwrap()
        .org_client_credentials
        .client_id
        .clone();
    for sid in [
        theirs.as_str(),
        org_app.as_str(),
        "OQ0123456789abcdef0123456789abcdef",
    ] {
        let path = format!("{APPS}/{sid}");
        let put = as_demo(
            &e,
            Method::PUT,
            &path,
            Some(json!({"friendly_name": "Mine"})),
        )
        .await;
        let delete = as_demo(&e, Method::DELETE, &path, None).await;
        for r in [put, delete] {
            assert_eq!(
                twilio_error(&r),
                (
                    StatusCode::NOT_FOUND,
                    "app_not_found".into(),
                    20404,
                    format!("app {sid} not found")
                ),
                "{sid}"
            );
        }
    }
    assert_eq!(
        e.engine.app(theirs.parse().unwrap()).unwrap().name,
        "Theirs",
        "left alone"
    );
    let malformed = as_demo(&e, Method::PUT, &format!("{APPS}/nope"), Some(json!({}))).await;
    assert_eq!(twilio_error(&malformed).0, StatusCode::BAD_REQUEST);
    assert_eq!(twilio_error(&malformed).1, "invalid_sid");
    // Its own token manages it.
    let r = basic(
        &e,
        Method::DELETE,
        &format!("{APPS}/{theirs}"),
        (&other_sid, &other_token),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_rotated_auth_token_replaces_the_old_one_at_once() {
    let e = Emulator::new();
    let (account, old) = demo_account(&e);
    let rotated = e
        .admin(
            Method::POST,
            &format!("/accounts/{account}/auth-token"),
            None,
        )
        .await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.text);
    let new = rotated.json()["auth_token"].as_str().unwrap().to_owned();
    assert_eq!(rotated.json()["account_sid"], account);
    assert!(new.len() == 32 && new != old);
    let body = Some(sdk_body("x", &["messages/read"], None));
    let refused = basic(&e, Method::POST, APPS, (&account, &old), body.clone()).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let accepted = basic(&e, Method::POST, APPS, (&account, &new), body).await;
    assert_eq!(accepted.status, StatusCode::CREATED);
    let events = e.engine.audit_events(&iamkit::AuditQuery {
        event_type: Some("accounts.auth-token-rotated".into()),
        ..Default::default()
    });
    assert_eq!(
        (events.len(), events[0].subject.as_str()),
        (1, account.as_str())
    );
    assert!(!serde_json::to_string(&events).unwrap().contains(&new));
    let unknown = e
        .admin(
            Method::POST,
            "/accounts/AC0123456789abcdef0123456789abcdef/auth-token",
            None,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}
