//! The Console over HTTP, without a browser: sign-in and its cookie, the headers of
//! every answer, what a signed-out request or a forged form gets (the sign-in page
//! or a refusal, and nothing changed), and the engine's errors shown with their
//! codes.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{form_request, Emulator, Reply};
use iamkit::{Engine, ManualClock};
use iamkit_server::ResponseStyle;

/// A signed-in browser: its cookie and its session's CSRF token.
struct Browser {
    cookie: String,
    csrf: String,
}

async fn sign_in(emulator: &Emulator) -> Browser {
    let reply = emulator
        .form("/console/sign-in", &[("admin_token", "admin-secret")])
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.text);
    assert_eq!(reply.header("location"), "/console");
    let set = reply.header("set-cookie").to_owned();
    let cookie = set.split(';').next().unwrap().to_owned();
    let page = get(emulator, &cookie, "/console").await;
    assert_eq!(page.status, StatusCode::OK);
    Browser {
        csrf: field(&page.text, "csrf"),
        cookie,
    }
}

/// The value of the first form field `name` on a page.
fn field(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let (_, rest) = page
        .split_once(&marker)
        .unwrap_or_else(|| panic!("no {name} field: {page}"));
    rest.split_once('"').unwrap().0.to_owned()
}

/// The value of the read-only field with `id` on a page.
fn shown(page: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\" value=\"");
    let (_, rest) = page
        .split_once(&marker)
        .unwrap_or_else(|| panic!("no {id}: {page}"));
    rest.split_once('"').unwrap().0.to_owned()
}

async fn get(emulator: &Emulator, cookie: &str, path: &str) -> Reply {
    emulator
        .send(
            Request::get(path)
                .header(header::COOKIE, cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
}

impl Browser {
    async fn get(&self, emulator: &Emulator, path: &str) -> Reply {
        get(emulator, &self.cookie, path).await
    }

    /// Posts `fields` with the session's CSRF token, as the Console's own form.
    async fn post(&self, emulator: &Emulator, path: &str, fields: &[(&str, &str)]) -> Reply {
        let mut fields = fields.to_vec();
        fields.push(("csrf", &self.csrf));
        let mut request = form_request(path, &fields);
        let headers = request.headers_mut();
        headers.insert(header::COOKIE, self.cookie.parse().unwrap());
        headers.insert("sec-fetch-site", "same-origin".parse().unwrap());
        emulator.send(request).await
    }
}

/// Every Console route that needs a session, with the method it takes.
fn console_routes(emulator: &Emulator) -> Vec<(Method, String)> {
    let org = emulator.boot.organization_sid.clone().unwrap();
    let (app, _) = emulator.cc();
    let user = &emulator.boot.users[0].sid;
    let get = |p: String| (Method::GET, p);
    let post = |p: String| (Method::POST, p);
    vec![
        get("/console".into()),
        get(format!("/console/apps/new?owner={org}")),
        post("/console/apps/new".into()),
        post("/console/apps".into()),
        get(format!("/console/apps/{app}")),
        post(format!("/console/apps/{app}")),
        get(format!("/console/apps/{app}/rotate")),
        post(format!("/console/apps/{app}/rotate")),
        get(format!("/console/apps/{app}/delete")),
        post(format!("/console/apps/{app}/delete")),
        get(format!("/console/organizations/{org}/authorized-apps")),
        post("/console/authorizations/OAxx/revoke".into()),
        get(format!(
            "/console/organizations/{org}/users?filter=userName%20pr"
        )),
        get(format!("/console/organizations/{org}/users/{user}")),
        get("/console/audit".into()),
        get("/console/clock".into()),
        post("/console/clock/advance".into()),
        post("/console/clock/set".into()),
        get("/console/faults".into()),
        post("/console/faults".into()),
        post("/console/faults/clear".into()),
        get("/console/inspect".into()),
        post("/console/inspect".into()),
        post("/console/sign-out".into()),
    ]
}

/// What a route changes, if anything: the engine's state, the clock, the faults.
async fn snapshot(emulator: &Emulator) -> (String, String, String) {
    let faults = emulator.admin(Method::GET, "/faults", None).await.text;
    (
        emulator.engine.export_state(),
        iamkit::Clock::now(&emulator.clock).to_string(),
        faults,
    )
}

/// A form that would change something on each POST route, were it let through.
fn harmful_fields(emulator: &Emulator) -> Vec<(&'static str, String)> {
    vec![
        ("owner_sid", emulator.boot.account_sid.clone().unwrap()),
        ("grant_type", "client_credentials".into()),
        ("name", "Forged".into()),
        ("permission:messages/read", "on".into()),
        ("grace_days", "0".into()),
        ("amount", "1".into()),
        ("unit", "days".into()),
        ("at", "2040-01-01T00:00:00Z".into()),
        ("path", "/v2/token".into()),
        ("status", "500".into()),
    ]
}

#[tokio::test]
async fn signed_out_every_page_and_form_answers_with_the_sign_in_page_and_changes_nothing() {
    let emulator = Emulator::new();
    let before = snapshot(&emulator).await;
    let fields = harmful_fields(&emulator);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
    for cookie in ["", "iamkit_console=not-a-session"] {
        for (method, path) in console_routes(&emulator) {
            let mut request = if method == Method::POST {
                form_request(&path, &fields)
            } else {
                Request::get(&path).body(Body::empty()).unwrap()
            };
            if !cookie.is_empty() {
                request
                    .headers_mut()
                    .insert(header::COOKIE, cookie.parse().unwrap());
            }
            let reply = emulator.send(request).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {path}");
            assert!(
                reply.text.contains("<h1>Sign in</h1>")
                    && reply.text.contains("name=\"admin_token\""),
                "{method} {path}: {}",
                reply.text
            );
            assert!(!reply.text.contains("Sign out"), "{method} {path}");
        }
    }
    assert_eq!(snapshot(&emulator).await, before);
}

#[tokio::test]
async fn a_form_without_the_sessions_csrf_token_or_from_another_origin_changes_nothing() {
    let emulator = Emulator::new();
    let browser = sign_in(&emulator).await;
    let before = snapshot(&emulator).await;
    let fields = harmful_fields(&emulator);
    let mut fields: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let posts: Vec<String> = console_routes(&emulator)
        .into_iter()
        .filter(|(method, _)| method == Method::POST)
        .map(|(_, path)| path)
        .collect();
    let other = sign_in(&emulator).await;
    for path in &posts {
        for csrf in [None, Some("forged"), Some(other.csrf.as_str())] {
            let mut sent = fields.clone();
            if let Some(csrf) = csrf {
                sent.push(("csrf", csrf));
            }
            let mut request = form_request(path, &sent);
            request
                .headers_mut()
                .insert(header::COOKIE, browser.cookie.parse().unwrap());
            let reply = emulator.send(request).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path} {csrf:?}");
            assert!(
                reply.text.contains("csrf_token_invalid"),
                "{path}: {}",
                reply.text
            );
        }
        // The right token, but sent by a page of another site or origin.
        fields.push(("csrf", &browser.csrf));
        for (name, value) in [
            ("sec-fetch-site", "same-site"),
            ("sec-fetch-site", "cross-site"),
            ("origin", "http://evil.example"),
            ("origin", "null"),
        ] {
            let mut request = form_request(path, &fields);
            let headers = request.headers_mut();
            headers.insert(header::COOKIE, browser.cookie.parse().unwrap());
            headers.insert(header::HOST, "127.0.0.1:8750".parse().unwrap());
            headers.insert(name, value.parse().unwrap());
            let reply = emulator.send(request).await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{path} {name}: {value}"
            );
            assert!(
                reply.text.contains("cross_site_request"),
                "{path}: {}",
                reply.text
            );
        }
        fields.pop();
    }
    assert_eq!(snapshot(&emulator).await, before);
    let still = browser.get(&emulator, "/console").await;
    assert_eq!(
        still.status,
        StatusCode::OK,
        "the session was not ended by any of it"
    );
}

#[tokio::test]
async fn signing_in_needs_the_admin_token_and_gives_a_strict_http_only_cookie() {
    let emulator = Emulator::new();
    let page = emulator.get("/console/sign-in").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("type=\"password\""));

    let wrong = emulator
        .form("/console/sign-in", &[("admin_token", "not-it")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.text.contains("invalid_token"), "{}", wrong.text);
    assert!(
        wrong
            .text
            .contains("that is not this emulator&#39;s admin token"),
        "{}",
        wrong.text
    );
    assert_eq!(wrong.header("set-cookie"), "");

    let mut request = form_request("/console/sign-in", &[("admin_token", "admin-secret")]);
    request
        .headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    let forged = emulator.send(request).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.text.contains("cross_site_request"));
    assert_eq!(
        forged.header("set-cookie"),
        "",
        "no session from another site"
    );

    let right = emulator
        .form("/console/sign-in", &[("admin_token", "admin-secret")])
        .await;
    let cookie = right.header("set-cookie");
    let (value, attributes) = cookie.split_once(';').unwrap();
    assert!(
        value.starts_with("iamkit_console=") && value.len() > 40,
        "{cookie}"
    );
    assert!(!value.contains("admin-secret"));
    assert_eq!(attributes, " Path=/console; HttpOnly; SameSite=Strict");
    assert_eq!(right.header("location"), "/console");

    let browser = sign_in(&emulator).await;
    let again = browser.get(&emulator, "/console/sign-in").await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "signed in already");
    let out = browser.post(&emulator, "/console/sign-out", &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(out.header("location"), "/console/sign-in");
    assert_eq!(
        out.header("set-cookie"),
        "iamkit_console=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0"
    );
    assert_eq!(
        browser.get(&emulator, "/console").await.status,
        StatusCode::UNAUTHORIZED,
        "the session ended on the server too"
    );
}

#[tokio::test]
async fn every_answer_is_unframed_uncached_and_loads_only_the_embedded_style_sheet() {
    let emulator = Emulator::new();
    let browser = sign_in(&emulator).await;
    let root = emulator.get("/").await;
    assert_eq!(root.status, StatusCode::SEE_OTHER);
    assert_eq!(root.header("location"), "/console");
    let css = emulator.get("/console/assets/console.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.header("content-type"), "text/css; charset=utf-8");
    let mut replies = vec![css, emulator.get("/console/sign-in").await];
    for (method, path) in console_routes(&emulator) {
        if method == Method::GET {
            replies.push(browser.get(&emulator, &path).await);
        }
    }
    for reply in &replies {
        assert_eq!(
            reply.header("content-security-policy"),
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
             base-uri 'none'; frame-ancestors 'none'"
        );
        assert_eq!(reply.header("x-frame-options"), "DENY");
        assert_eq!(reply.header("cache-control"), "no-store");
        assert_eq!(reply.header("referrer-policy"), "same-origin");
        assert!(!reply.text.contains("<script"), "no JavaScript");
        assert!(!reply.text.contains("src=\"http"), "nothing from elsewhere");
        assert!(
            !reply.text.contains("href=\"http"),
            "no stylesheet from elsewhere"
        );
    }
}

#[tokio::test]
async fn an_organization_app_is_made_in_the_wizard_and_its_errors_are_the_engines() {
    let emulator = Emulator::new();
    let browser = sign_in(&emulator).await;
    let org = emulator.boot.organization_sid.clone().unwrap();

    let step1 = browser
        .get(&emulator, &format!("/console/apps/new?owner={org}"))
        .await;
    assert!(
        step1
            .text
            .contains("For the organization Demo Organization"),
        "{}",
        step1.text
    );
    assert!(step1.text.contains("value=\"authorization_code\""));
    let details = [
        ("owner_sid", org.as_str()),
        ("grant_type", "authorization_code"),
        ("name", "Partner portal"),
        ("description", "Reads the directory"),
        ("company_name", "Partner Inc."),
        ("image_urls", "https://partner.example/logo.png"),
        ("homepage_url", "https://partner.example"),
        ("terms_of_service_url", ""),
        ("redirect_url", "https://partner.example/callback"),
    ];
    let step2 = browser.post(&emulator, "/console/apps/new", &details).await;
    assert_eq!(step2.status, StatusCode::OK);
    assert!(
        step2
            .text
            .contains("name=\"permission:managed-users/read\""),
        "the organization catalogue"
    );
    assert!(
        !step2.text.contains("Token expiration time"),
        "organization apps have none"
    );

    let unknown = [
        details.as_slice(),
        &[("permission:nothing/like/this", "on")],
    ]
    .concat();
    let refused = browser.post(&emulator, "/console/apps", &unknown).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused
            .text
            .contains("<code class=\"code\">invalid_scope</code>"),
        "{}",
        refused.text
    );
    assert!(
        refused
            .text
            .contains("name=\"permission:nothing/like/this\" checked"),
        "kept, checked"
    );

    let chosen = [
        details.as_slice(),
        &[
            ("permission:managed-users/read", "on"),
            ("permission:managed-users/list", "on"),
        ],
    ]
    .concat();
    let made = browser.post(&emulator, "/console/apps", &chosen).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text);
    let client_id = shown(&made.text, "client-id");
    let secret = shown(&made.text, "client-secret");
    let authorization_url = shown(&made.text, "authorization-url");
    assert!(authorization_url.contains(&format!("client_id={client_id}")));
    let app = emulator.engine.app(client_id.parse().unwrap()).unwrap();
    assert_eq!(app.scopes, ["managed-users/list", "managed-users/read"]);
    assert_eq!(app.image_urls, ["https://partner.example/logo.png"]);
    assert_eq!(app.terms_of_service_url, None);
    assert!(emulator
        .engine
        .authenticate_client(&client_id, &secret)
        .is_ok());

    let detail = browser
        .get(&emulator, &format!("/console/apps/{client_id}"))
        .await;
    assert!(!detail.text.contains(&secret), "the secret is shown once");

    let rotate = browser
        .get(&emulator, &format!("/console/apps/{client_id}/rotate"))
        .await;
    assert!(rotate.text.contains("keeps working for 24 hours"));
    assert!(!rotate.text.contains("grace_days"));
    let rotated = browser
        .post(&emulator, &format!("/console/apps/{client_id}/rotate"), &[])
        .await;
    assert!(rotated
        .text
        .contains("The previous secret keeps working until"));
    assert!(
        rotated.text.contains("2026-01-02T00:00:00Z"),
        "{}",
        rotated.text
    );
    assert_ne!(shown(&rotated.text, "client-secret"), secret);
}

#[tokio::test]
async fn an_account_apps_settings_are_updated_and_refused_as_the_engine_decides() {
    let emulator = Emulator::new();
    let browser = sign_in(&emulator).await;
    let account = emulator.boot.account_sid.clone().unwrap();
    let fields = [
        ("owner_sid", account.as_str()),
        ("grant_type", "client_credentials"),
        ("name", "Exporter"),
        ("permission:messages/read", "on"),
    ];
    let too_long = [
        fields.as_slice(),
        &[("ttl_amount", "31"), ("ttl_unit", "days")],
    ]
    .concat();
    let refused = browser.post(&emulator, "/console/apps", &too_long).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.text.contains("invalid_token_ttl"),
        "{}",
        refused.text
    );
    let not_a_number = [
        fields.as_slice(),
        &[("ttl_amount", "soon"), ("ttl_unit", "days")],
    ]
    .concat();
    let refused = browser
        .post(&emulator, "/console/apps", &not_a_number)
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused
            .text
            .contains("the token expiration time must be a whole number, not &#34;soon&#34;"),
        "{}",
        refused.text
    );

    let ok = [
        fields.as_slice(),
        &[("ttl_amount", "90"), ("ttl_unit", "minutes")],
    ]
    .concat();
    let made = browser.post(&emulator, "/console/apps", &ok).await;
    let client_id = shown(&made.text, "client-id");
    let app = emulator.engine.app(client_id.parse().unwrap()).unwrap();
    assert_eq!(app.token_ttl, 5_400);

    let path = format!("/console/apps/{client_id}");
    let detail = browser.get(&emulator, &path).await;
    assert!(
        detail
            .text
            .contains("id=\"ttl-amount\" name=\"ttl_amount\" inputmode=\"numeric\" value=\"90\""),
        "{}",
        detail.text
    );
    let saved = browser
        .post(
            &emulator,
            &path,
            &[
                ("name", "Exporter v2"),
                ("description", "Nightly"),
                ("ttl_amount", "2"),
                ("ttl_unit", "hours"),
                ("permission:messages/list", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK);
    assert!(saved.text.contains("Saved."));
    let app = emulator.engine.app(client_id.parse().unwrap()).unwrap();
    assert_eq!(
        (app.name.as_str(), app.description.as_deref(), app.token_ttl),
        ("Exporter v2", Some("Nightly"), 7_200)
    );
    assert_eq!(app.scopes, ["messages/list"]);

    let refused = browser
        .post(
            &emulator,
            &path,
            &[("name", ""), ("ttl_amount", "2"), ("ttl_unit", "hours")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.text.contains("role=\"alert\""), "{}", refused.text);
    assert_eq!(
        emulator.engine.app(client_id.parse().unwrap()).unwrap(),
        app,
        "nothing applied"
    );

    let rotate = format!("/console/apps/{client_id}/rotate");
    for (days, code) in [
        ("31", "invalid_grace_period"),
        ("a week", "invalid_request"),
    ] {
        let refused = browser
            .post(&emulator, &rotate, &[("grace_days", days)])
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{days}");
        assert!(
            refused
                .text
                .contains(&format!("<code class=\"code\">{code}</code>")),
            "{days}: {}",
            refused.text
        );
    }
    assert_eq!(
        emulator.engine.app(client_id.parse().unwrap()).unwrap(),
        app
    );

    let gone = browser
        .post(&emulator, &format!("{path}/delete"), &[])
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    let missing = browser.get(&emulator, &path).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.text.contains("app_not_found"), "{}", missing.text);
}

#[tokio::test]
async fn the_inspector_names_a_foreign_issuer_and_a_foreign_key() {
    let key = iamkit::SigningKey::generate(iamkit::Algorithm::ES256).unwrap();
    let emulator = Emulator::with_engine(
        ResponseStyle::Twilio,
        Engine::builder().signing_key(key.clone()),
    );
    let browser = sign_in(&emulator).await;
    let engine_of = |builder: iamkit::EngineBuilder, issuer: &str| {
        builder
            .clock(ManualClock::parse("2026-01-01T00:00:00Z").unwrap())
            .issuer(issuer)
            .build()
            .unwrap()
    };
    let same_key_elsewhere = engine_of(
        Engine::builder().signing_key(key),
        "https://elsewhere.example",
    );
    let another_key = engine_of(Engine::builder(), common::URL);
    for (engine, code) in [
        (&same_key_elsewhere, "invalid_issuer"),
        (&another_key, "unknown_key"),
    ] {
        let token = token_of(engine);
        let verdict = browser
            .post(&emulator, "/console/inspect", &[("token", &token)])
            .await;
        assert_eq!(verdict.status, StatusCode::OK);
        assert!(
            verdict
                .text
                .contains(&format!("<code id=\"verdict-code\">{code}</code>")),
            "{code}: {}",
            verdict.text
        );
        assert!(
            verdict
                .text
                .contains("&#34;scope&#34;: &#34;managed-users/read&#34;"),
            "the claims are shown: {}",
            verdict.text
        );
        assert!(
            !verdict.text.contains(&token),
            "the token is not echoed back"
        );
    }
}

/// A client-credentials token of a new app in a new organization of `engine`.
fn token_of(engine: &Engine) -> String {
    let org = engine.create_organization("Elsewhere").unwrap();
    let made = engine
        .create_app(
            iamkit::NewAppFields {
                owner_sid: org.sid.to_string(),
                grant_type: "client_credentials".into(),
                name: "x".into(),
                scopes: vec!["managed-users/read".into()],
                ..Default::default()
            }
            .parse()
            .unwrap(),
            &iamkit::Actor::admin(),
        )
        .unwrap();
    let request = iamkit::TokenRequest::client_credentials(
        &made.app.client_id.to_string(),
        made.client_secret.expose(),
    );
    engine
        .token(&request)
        .unwrap()
        .access_token
        .expose()
        .to_owned()
}
