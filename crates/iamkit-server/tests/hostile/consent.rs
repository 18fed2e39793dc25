//! Consent without consent: cross-site form posts, forged or stale tickets, framing
//! and caching of the consent page.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::json;

use crate::common::{page_ticket, Emulator, Reply};

/// The consent request of the demo authorization-code app, with `state`.
fn request(e: &Emulator, state: &str) -> Vec<(String, String)> {
    let (id, _, redirect) = e.code_app();
    [
        ("client_id", id),
        ("response_type", "code".into()),
        ("redirect_uri", redirect),
        ("state", state.into()),
    ]
    .map(|(n, v)| (n.to_owned(), v))
    .to_vec()
}

fn query(fields: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

/// The page's ticket for `fields`.
async fn ticket(e: &Emulator, fields: &[(String, String)]) -> String {
    let page = e.get(&format!("/v2/authorize?{}", query(fields))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    page_ticket(&page.text)
}

/// Posts `fields`, the Owner's approval and `ticket`, with extra request headers.
async fn approve(
    e: &Emulator,
    fields: &[(String, String)],
    ticket: &str,
    headers: &[(&str, &str)],
) -> Reply {
    let mut form = fields.to_vec();
    form.push(("user_sid".into(), e.boot.users[0].sid.clone()));
    form.push(("decision".into(), "approve".into()));
    form.push(("ticket".into(), ticket.into()));
    let mut request = Request::post("/v2/authorize")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:8750");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    e.send(request.body(Body::from(query(&form))).unwrap())
        .await
}

fn assert_page_error(r: &Reply, status: StatusCode, code: &str) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(
        r.header("location"),
        "",
        "a refused form is never redirected"
    );
    assert!(
        r.text.contains(&format!("<p id=\"error\">{code}</p>")),
        "{}",
        r.text
    );
}

#[tokio::test]
async fn a_form_posted_from_another_site_is_refused_even_with_a_real_ticket() {
    let e = Emulator::new();
    let fields = request(&e, "s1");
    let ticket = ticket(&e, &fields).await;
    for headers in [
        &[("origin", "https://evil.example")][..],
        &[("origin", "null")],
        &[("origin", "http://127.0.0.1:8751")],
        &[("sec-fetch-site", "cross-site")],
        &[("sec-fetch-site", "same-site")],
        &[
            ("origin", "http://127.0.0.1:8750"),
            ("sec-fetch-site", "cross-site"),
        ],
    ] {
        let r = approve(&e, &fields, &ticket, headers).await;
        assert_page_error(&r, StatusCode::FORBIDDEN, "cross_site_request");
    }
    assert_eq!(e.authorized_apps().await.len(), 0);
    // The same form from the page itself goes through, with what Chromium sends
    // under the page's `Referrer-Policy: no-referrer`.
    let r = approve(
        &e,
        &fields,
        &ticket,
        &[("origin", "null"), ("sec-fetch-site", "same-origin")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.text);
    assert!(r.header("location").contains("code="));
    assert_eq!(e.authorized_apps().await.len(), 1);
}

#[tokio::test]
async fn a_form_without_the_pages_ticket_for_this_request_is_forged() {
    let e = Emulator::new();
    let fields = request(&e, "s1");
    let other = ticket(&e, &request(&e, "another state")).await;
    for ticket in ["", "x", other.as_str()] {
        let r = approve(&e, &fields, ticket, &[]).await;
        assert_page_error(&r, StatusCode::FORBIDDEN, "forged_consent");
        assert!(r.text.contains("reload the page"), "{}", r.text);
    }
    // Denying needs the ticket too: a forged denial is not sent to the client.
    let mut deny = fields.clone();
    deny.push(("decision".into(), "deny".into()));
    let r = e
        .form(
            "/v2/authorize",
            &deny
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect::<Vec<_>>(),
        )
        .await;
    assert_page_error(&r, StatusCode::FORBIDDEN, "forged_consent");
    assert_eq!(e.authorized_apps().await.len(), 0);
}

#[tokio::test]
async fn a_consent_page_expires_after_ten_minutes_on_the_engine_clock() {
    let e = Emulator::new();
    let fields = request(&e, "s1");
    let ticket = ticket(&e, &fields).await;
    e.clock.advance(time::Duration::minutes(10));
    let r = approve(&e, &fields, &ticket, &[]).await;
    assert_page_error(&r, StatusCode::FORBIDDEN, "consent_expired");
    assert_eq!(e.authorized_apps().await.len(), 0);
    let fresh = self::ticket(&e, &fields).await;
    assert_eq!(
        approve(&e, &fields, &fresh, &[]).await.status,
        StatusCode::FOUND
    );
}

#[tokio::test]
async fn the_consent_pages_forbid_framing_caching_and_the_referer() {
    let e = Emulator::new();
    let fields = request(&e, "s1");
    let q = query(&fields);
    let answers = [
        e.get(&format!("/v2/authorize?{q}")).await,
        e.get("/v2/authorize?client_id=nope").await,
        e.get(&format!("/v1/authorize?{q}")).await,
        approve(&e, &fields, "", &[]).await,
        approve(&e, &fields, &ticket(&e, &fields).await, &[]).await,
        e.get("/callback?code=c").await,
    ];
    for r in answers {
        assert_eq!(
            [
                r.header("x-frame-options"),
                r.header("content-security-policy"),
                r.header("cache-control"),
                r.header("referrer-policy"),
            ],
            [
                "DENY",
                "default-src 'none'; frame-ancestors 'none'",
                "no-store",
                "no-referrer"
            ],
            "{} {}",
            r.status,
            r.text
        );
    }
    assert_eq!(json!(e.authorized_apps().await.len()), json!(1));
}
