//! The OAuth endpoints over HTTP: shapes, both error vocabularies, client
//! authentication, the consent page and the code flow.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::{Emulator, URL};
use iamkit_server::ResponseStyle;
use serde_json::json;

#[tokio::test]
async fn token_response_has_the_seeds_fields_and_no_store() {
    let e = Emulator::new();
    let r = e.cc_token().await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("cache-control"), "no-store");
    let body = r.json();
    let mut keys: Vec<_> = body.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "access_token",
            "expires_in",
            "id_token",
            "refresh_token",
            "token_type"
        ]
    );
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["id_token"], json!(null));
    assert_eq!(body["refresh_token"], json!(null));
    assert!(e
        .engine
        .verify(body["access_token"].as_str().unwrap())
        .is_ok());
}

/// `/v1/token` takes the field names of Twilio's oauth_v1 API, as the Twilio SDKs'
/// `oauth.v1.token.create` sends them, and RFC 6749's; one field under both names
/// is refused.
#[tokio::test]
async fn v1_token_takes_twilios_field_names() {
    let e = Emulator::new();
    let (id, secret) = e.cc();
    let twilio = [
        ("GrantType", "client_credentials"),
        ("ClientId", id.as_str()),
        ("ClientSecret", secret.as_str()),
    ];
    let r = e.form("/v1/token", &twilio).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let claims = e.engine.verify(r.json()["access_token"].as_str().unwrap());
    assert_eq!(claims.unwrap().client_id.to_string(), id);

    let rfc = [
        ("grant_type", "client_credentials"),
        ("client_id", id.as_str()),
        ("client_secret", secret.as_str()),
    ];
    assert_eq!(e.form("/v1/token", &rfc).await.status, StatusCode::OK);

    let both = [
        ("GrantType", "client_credentials"),
        ("grant_type", "client_credentials"),
        ("ClientId", id.as_str()),
        ("ClientSecret", secret.as_str()),
    ];
    let r = e.form("/v1/token", &both).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"], "invalid_request");
    assert_eq!(
        r.json()["error_description"],
        "parameters GrantType and grant_type are the same parameter: send one"
    );

    let wrong = [
        ("GrantType", "client_credentials"),
        ("ClientId", id.as_str()),
        ("ClientSecret", "wrong"),
    ];
    let r = e.form("/v1/token", &wrong).await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (StatusCode::UNAUTHORIZED, json!("invalid_client"))
    );

    let r = e.form("/v2/token", &twilio).await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_request")),
        "/v2/token keeps RFC 6749's names only"
    );
}

/// RFC 6749 §2.3.1: each Basic part is form-encoded as a whole, so `&` and `=` are
/// part of the secret, not the end of it.
#[tokio::test]
async fn basic_credentials_are_decoded_whole() {
    let e = Emulator::new();
    let (id, secret) = e.cc();
    let basic = |user: &str, pass: &str| {
        let credentials = STANDARD.encode(format!("{user}:{pass}"));
        Request::post("/v2/token")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::AUTHORIZATION, format!("Basic {credentials}"))
            .body(Body::from("grant_type=client_credentials"))
            .unwrap()
    };
    let r = e.send(basic(&id, &secret)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = e.send(basic(&id, &format!("{secret}&junk=1"))).await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (StatusCode::UNAUTHORIZED, json!("invalid_client")),
        "a secret with more after `&` is another secret"
    );
    let r = e.send(basic(&id, "%ff")).await;
    assert_eq!(
        (r.status, r.json()["error_description"].clone()),
        (
            StatusCode::BAD_REQUEST,
            json!("malformed Basic credentials")
        )
    );
}

#[tokio::test]
async fn rfc_style_omits_null_fields() {
    let e = Emulator::with_style(ResponseStyle::Rfc);
    let body = e.cc_token().await.json();
    assert!(body.get("id_token").is_none());
    assert!(body.get("refresh_token").is_none());
    assert!(body["scope"]
        .as_str()
        .unwrap()
        .contains("managed-users/list"));
}

#[tokio::test]
async fn errors_carry_both_vocabularies() {
    let e = Emulator::new();
    let (id, _) = e.cc();
    let r = e
        .form(
            "/v2/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &id),
                ("client_secret", "wrong"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.json(),
        json!({
            "error": "invalid_client",
            "error_description": "client authentication failed",
            "code": 20003,
            "message": "client authentication failed",
            "more_info": "https://www.twilio.com/docs/errors/20003",
            "status": 401,
        })
    );
    let r = e.form("/v2/token", &[("grant_type", "password")]).await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (StatusCode::BAD_REQUEST, json!("unsupported_grant_type"))
    );
}

#[tokio::test]
async fn basic_authentication_works_and_cannot_be_mixed() {
    let e = Emulator::new();
    let (id, secret) = e.cc();
    let basic = |s: &str| format!("Basic {}", STANDARD.encode(format!("{id}:{s}")));
    let send = |auth: String, body: &'static str| {
        Request::post("/v2/token")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::AUTHORIZATION, auth)
            .body(Body::from(body))
            .unwrap()
    };
    let r = e
        .send(send(basic(&secret), "grant_type=client_credentials"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = e
        .send(send(basic("wrong"), "grant_type=client_credentials"))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.header("www-authenticate"), "Basic realm=\"iamkit\"");
    let r = e
        .send(send(
            basic(&secret),
            "grant_type=client_credentials&client_secret=x",
        ))
        .await;
    assert_eq!(r.json()["error"], "invalid_request");
    let r = e
        .send(send("Basic !!!".into(), "grant_type=client_credentials"))
        .await;
    assert_eq!(r.json()["error"], "invalid_request");
}

#[tokio::test]
async fn malformed_forms_are_invalid_request() {
    let e = Emulator::new();
    let r = e
        .form(
            "/v2/token",
            &[
                ("grant_type", "client_credentials"),
                ("grant_type", "client_credentials"),
            ],
        )
        .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_request"))
    );
    let r = e
        .send(
            Request::post("/v2/token")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_request"))
    );
    let r = e
        .send(
            Request::post("/v2/token")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(vec![0xff, 0xfe]))
                .unwrap(),
        )
        .await;
    assert_eq!(r.json()["error"], "invalid_request");
    let big = "a=".to_string() + &"x".repeat(2 * 1024 * 1024);
    let r = e
        .send(
            Request::post("/v2/token")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(big))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(e.get("/nowhere").await.json()["code"], 20404);
}

fn authorize_query(id: &str, redirect: &str, extra: &str) -> String {
    let redirect: String = url::form_urlencoded::byte_serialize(redirect.as_bytes()).collect();
    format!("/v2/authorize?client_id={id}&response_type=code&redirect_uri={redirect}&scope=offline_access&state=xyz{extra}")
}

#[tokio::test]
async fn consent_page_lists_the_app_and_users_and_never_redirects_a_bad_uri() {
    let e = Emulator::new();
    let (id, _, redirect) = e.code_app();
    let page = e.get(&authorize_query(&id, &redirect, "")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("Demo SCIM connector"));
    assert!(page.text.contains("owner@demo.iamkit.test"));
    assert!(page.text.contains("managed-users/list"));

    let bad = e
        .get(&authorize_query(&id, "https://evil.example/cb", ""))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.header("location").is_empty());
    assert!(bad.text.contains("redirect_uri_mismatch"));

    let unknown = e
        .get(&authorize_query(
            "OQ00000000000000000000000000000000",
            &redirect,
            "",
        ))
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.text.contains("invalid_client"));

    let wrong_type = e
        .get(
            &authorize_query(&id, &redirect, "")
                .replace("response_type=code", "response_type=token"),
        )
        .await;
    assert_eq!(wrong_type.status, StatusCode::FOUND);
    assert!(wrong_type
        .header("location")
        .starts_with(&format!("{redirect}?error=unsupported_response_type")));
    assert!(wrong_type.header("location").ends_with("&state=xyz"));
    // Twilio's spec gives the redirect a JSON body naming the same location.
    assert_eq!(wrong_type.header("content-type"), "application/json");
    assert_eq!(
        wrong_type.json(),
        json!({ "redirect_to": wrong_type.header("location") })
    );
}

#[tokio::test]
async fn v1_authorize_redirects_to_the_consent_page_with_rfc_field_names() {
    let e = Emulator::new();
    let (id, _, redirect) = e.code_app();
    let encoded: String = url::form_urlencoded::byte_serialize(redirect.as_bytes()).collect();
    let twilio = format!(
        "ClientId={id}&ResponseType=code&RedirectUri={encoded}&Scope=offline_access&State=x%20y&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
    );
    let rfc = format!(
        "client_id={id}&response_type=code&redirect_uri={encoded}&scope=offline_access&state=x%20y&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256"
    );
    for query in [&twilio, &rfc] {
        let r = e.get(&format!("/v1/authorize?{query}")).await;
        assert_eq!(r.status, StatusCode::FOUND, "{query}: {}", r.text);
        let location = format!("{}/v2/authorize?{rfc}", common::URL);
        assert_eq!(r.header("location"), location);
        assert_eq!(r.header("content-type"), "application/json");
        assert_eq!(r.json(), json!({ "redirect_to": location }));
        let page = e.get(location.trim_start_matches(common::URL)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains("Approve access"));
    }
    // Only names are changed: the consent page gets the rest as sent, and checks it
    // (a field under both names is a duplicate there).
    let r = e.get("/v1/authorize").await;
    assert_eq!(
        r.header("location"),
        format!("{}/v2/authorize?", common::URL)
    );
    let both = e
        .get(&format!("/v1/authorize?ClientId={id}&client_id={id}"))
        .await;
    let location = both.header("location").trim_start_matches(common::URL);
    let refused = e.get(location).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.text.contains("malformed query"), "{}", refused.text);
}

#[tokio::test]
async fn approve_redirects_with_code_and_state_and_the_code_exchanges_once() {
    let e = Emulator::new();
    let (id, secret, redirect) = e.code_app();
    let owner = e.boot.users[0].sid.clone();
    let r = e
        .consent(&[
            ("client_id", &id),
            ("response_type", "code"),
            ("redirect_uri", &redirect),
            ("scope", "offline_access"),
            ("state", "xyz"),
            ("user_sid", &owner),
            ("decision", "approve"),
        ])
        .await;
    assert_eq!(r.status, StatusCode::FOUND);
    let location = r.header("location").to_owned();
    assert!(
        location.starts_with(&format!("{redirect}?code=")) && location.ends_with("&state=xyz"),
        "{location}"
    );
    assert_eq!(r.json()["redirect_to"], location.as_str());
    let code = location
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();

    let exchange = [
        ("grant_type", "authorization_code"),
        ("client_id", id.as_str()),
        ("client_secret", secret.as_str()),
        ("code", code.as_str()),
        ("redirect_uri", redirect.as_str()),
    ];
    let tokens = e.form("/v2/token", &exchange).await.json();
    assert!(tokens["refresh_token"].is_string());
    let again = e.form("/v2/token", &exchange).await;
    assert_eq!(
        (again.status, again.json()["error"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalid_grant"))
    );

    let introspection = e
        .form(
            "/v2/introspect",
            &[
                ("client_id", &id),
                ("client_secret", &secret),
                ("token", tokens["access_token"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(introspection.json(), json!({"active": false}));
}

#[tokio::test]
async fn deny_and_non_admin_users_go_back_with_access_denied() {
    let e = Emulator::new();
    let (id, _, redirect) = e.code_app();
    let base = [
        ("client_id", id.as_str()),
        ("response_type", "code"),
        ("redirect_uri", redirect.as_str()),
        ("state", "s1"),
    ];
    let mut deny = base.to_vec();
    deny.push(("decision", "deny"));
    let r = e.consent(&deny).await;
    assert!(r
        .header("location")
        .starts_with(&format!("{redirect}?error=access_denied")));
    let mut nobody = base.to_vec();
    nobody.extend([
        ("decision", "approve"),
        ("user_sid", "US00000000000000000000000000000000"),
    ]);
    let r = e.consent(&nobody).await;
    assert!(r.header("location").contains("error=access_denied"));
    assert!(r.header("location").ends_with("state=s1"));
}

/// `POST /v2/introspect` of `token` as the client `(id, secret)`.
async fn introspect(e: &Emulator, (id, secret): (&str, &str), token: &str) -> common::Reply {
    e.form(
        "/v2/introspect",
        &[
            ("client_id", id),
            ("client_secret", secret),
            ("token", token),
        ],
    )
    .await
}

#[tokio::test]
async fn introspection_and_revocation_need_client_authentication() {
    let e = Emulator::new();
    let (id, secret) = e.cc();
    let token = e.cc_token().await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = e.form("/v2/introspect", &[("token", &token)]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = introspect(&e, (&id, &secret), &token).await;
    assert_eq!(r.json()["active"], true);
    assert_eq!(r.json()["client_id"], id);
    let r = e
        .form(
            "/v2/revoke",
            &[
                ("client_id", &id),
                ("client_secret", &secret),
                ("token", &token),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = introspect(&e, (&id, &secret), &token).await;
    assert_eq!(r.json(), json!({"active": false}));
    let r = e
        .form(
            "/v2/revoke",
            &[("client_id", &id), ("client_secret", &secret)],
        )
        .await;
    assert_eq!(r.json()["error"], "invalid_request");
}

#[tokio::test]
async fn a_client_of_another_organization_sees_the_token_inactive() {
    let e = Emulator::new();
    let token = e.cc_token().await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = e.engine.create_organization("Other").unwrap();
    let outsider = e
        .engine
        .create_app(
            iamkit::NewApp::client_credentials(
                iamkit::OwnerSid::Organization(other.sid),
                "Outsider",
                &["managed-users/list"],
            ),
            &iamkit::Actor::named("test"),
        )
        .unwrap();
    let id = outsider.app.client_id.to_string();
    let secret = outsider.client_secret.expose().to_owned();
    let r = introspect(&e, (&id, &secret), &token).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), json!({"active": false}));
}

#[tokio::test]
async fn metadata_and_jwks_describe_the_emulator() {
    let e = Emulator::new();
    let m = e
        .get("/.well-known/oauth-authorization-server")
        .await
        .json();
    assert_eq!(m["issuer"], URL);
    assert_eq!(m["token_endpoint"], format!("{URL}/v2/token"));
    let jwks = e.get("/.well-known/jwks.json").await.json();
    assert_eq!(jwks["keys"][0]["kty"], "EC");
    assert_eq!(jwks["keys"][0]["alg"], "ES256");
}
