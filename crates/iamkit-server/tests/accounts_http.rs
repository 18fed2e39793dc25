//! The organization's accounts over HTTP: `GET /Organizations/{OR}/Accounts` pages
//! like role assignments, with Twilio's `meta`.

mod common;

use axum::http::{Method, StatusCode};
use common::{Emulator, URL};
use serde_json::{json, Value};

async fn accounts(e: &Emulator, token: &str, query: &str) -> common::Reply {
    let org = e.boot.organization_sid.clone().unwrap();
    e.bearer(
        Method::GET,
        &format!("/Organizations/{org}/Accounts{query}"),
        token,
        None,
    )
    .await
}

/// The path and query of an absolute page URL of the emulator.
fn local(url: &Value) -> String {
    url.as_str().unwrap().strip_prefix(URL).unwrap().to_owned()
}

#[tokio::test]
async fn account_pages_carry_the_full_meta_and_link_to_each_other() {
    let e = Emulator::new();
    let org = e.boot.organization_sid.clone().unwrap();
    let demo = e.boot.account_sid.clone().unwrap();
    e.clock.advance(time::Duration::seconds(1));
    let second = e
        .engine
        .create_account(
            iamkit::NewAccount::new(org.parse().unwrap(), "Second"),
            &iamkit::Actor::admin(),
        )
        .unwrap()
        .account
        .sid
        .to_string();
    let token = e.org_token(None).await;
    let list = format!("{URL}/Organizations/{org}/Accounts");

    let first = accounts(&e, &token, "?PageSize=1").await;
    assert_eq!(first.status, StatusCode::OK);
    let body = first.json();
    assert_eq!(body["content"][0]["account_sid"], demo);
    assert_eq!(body["content"].as_array().unwrap().len(), 1);
    let next = body["meta"]["nextToken"].as_str().unwrap().to_owned();
    assert_eq!(
        body["meta"],
        json!({
            "key": "content",
            "page": 0,
            "page_size": 1,
            "pageSize": 1,
            "first_page_url": format!("{list}?PageSize=1"),
            "url": format!("{list}?PageSize=1"),
            "next_page_url": format!("{list}?PageSize=1&PageToken={next}"),
            "previous_page_url": null,
            "nextToken": next,
            "previousToken": null,
        })
    );

    let page = accounts(&e, &token, &format!("?PageSize=1&PageToken={next}")).await;
    let body = page.json();
    assert_eq!(body["content"][0]["account_sid"], second);
    assert_eq!(body["meta"]["page"], 1);
    assert_eq!(
        body["meta"]["url"],
        format!("{list}?PageSize=1&PageToken={next}")
    );
    assert_eq!(body["meta"]["next_page_url"], Value::Null);
    let previous = local(&body["meta"]["previous_page_url"]);
    let back = e.bearer(Method::GET, &previous, &token, None).await.json();
    assert_eq!(back["content"][0]["account_sid"], demo);
    assert_eq!(back["meta"]["page"], 0);

    // The default page holds 50.
    let all = accounts(&e, &token, "").await.json();
    assert_eq!(all["content"].as_array().unwrap().len(), 2);
    assert_eq!(all["meta"]["page_size"], 50);
    assert_eq!(all["meta"]["first_page_url"], format!("{list}?PageSize=50"));
    // The token-paging SDKs send `pageToken`.
    let camel = accounts(&e, &token, &format!("?PageSize=1&pageToken={next}")).await;
    assert_eq!(camel.json()["content"][0]["account_sid"], second);
}

#[tokio::test]
async fn bad_page_sizes_and_tokens_are_typed_400s() {
    let e = Emulator::new();
    let token = e.org_token(None).await;
    for (query, error, message) in [
        (
            "?PageSize=0",
            "invalid_page_size",
            "page size 0 is out of range: 1..=100",
        ),
        (
            "?PageSize=101",
            "invalid_page_size",
            "page size 101 is out of range: 1..=100",
        ),
        (
            "?PageSize=ten",
            "invalid_request",
            "PageSize must be a whole number",
        ),
        (
            "?PageSize=-1",
            "invalid_request",
            "PageSize must be a whole number",
        ),
        (
            "?PageToken=nope",
            "invalid_page_token",
            "invalid page token \"nope\"",
        ),
        (
            "?PageSize=1&PageSize=2",
            "invalid_request",
            "parameter PageSize is given more than once",
        ),
    ] {
        let r = accounts(&e, &token, query).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}");
        let body = r.json();
        assert_eq!(
            (
                body["error"].as_str(),
                body["message"].as_str(),
                &body["code"],
                &body["status"]
            ),
            (Some(error), Some(message), &json!(20001), &json!(400)),
            "{query}"
        );
    }
}

#[tokio::test]
async fn owner_sid_is_the_owning_user() {
    let e = Emulator::new();
    let org = e.boot.organization_sid.clone().unwrap();
    let owner = &e.boot.users[0];
    assert_eq!(owner.role, "Owner");
    let admin_user = e.boot.users[1].sid.clone();
    let token = e.org_token(None).await;
    let listed = accounts(&e, &token, "").await.json();
    assert_eq!(
        listed["content"][0]["owner_sid"], owner.sid,
        "the demo account is the Owner's"
    );

    let made = e
        .admin(
            Method::POST,
            &format!("/organizations/{org}/accounts"),
            Some(json!({"name": "Ops", "owner_sid": admin_user})),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
    let body = made.json();
    assert_eq!(body["owner_sid"], admin_user);
    let auth_token = body["auth_token"].as_str().unwrap();
    assert_eq!(
        auth_token.len(),
        32,
        "the auth token is in the answer, once"
    );
    let sid = body["sid"].as_str().unwrap();
    let one = e
        .bearer(
            Method::GET,
            &format!("/Organizations/{org}/Accounts/{sid}"),
            &token,
            None,
        )
        .await
        .json();
    assert_eq!(
        one,
        json!({
            "account_sid": sid,
            "friendly_name": "Ops",
            "status": "active",
            "owner_sid": admin_user,
            "date_created": "2026-01-01T00:00:00Z",
        })
    );
    let listed = e
        .admin(Method::GET, &format!("/organizations/{org}/accounts"), None)
        .await;
    assert!(!listed.text.contains(auth_token), "never shown again");

    let stranger = "US0123456789abcdef0123456789abcdef";
    let refused = e
        .admin(
            Method::POST,
            &format!("/organizations/{org}/accounts"),
            Some(json!({"name": "Ops", "owner_sid": stranger})),
        )
        .await;
    assert_eq!(
        (
            refused.status,
            refused.json()["error"].clone(),
            refused.json()["message"].clone()
        ),
        (
            StatusCode::BAD_REQUEST,
            json!("invalid_account_owner"),
            json!(format!(
                "invalid owner {stranger}: use the sid of a user of the account's organization"
            ))
        )
    );
}
