//! SCIM users, roles, role assignments and accounts over HTTP, with bearer
//! authentication against the permission catalogue.

mod common;

use axum::http::{Method, StatusCode};
use common::Emulator;
use serde_json::json;

const SCIM: &str = "application/scim+json";

fn new_user(name: &str) -> serde_json::Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": name,
        "externalId": format!("ext-{name}"),
        "emails": [{"value": name, "type": "work", "primary": true}],
        "active": true,
    })
}

#[tokio::test]
async fn users_are_created_found_patched_and_deleted_with_etags() {
    let e = Emulator::new();
    let token = e.org_token(None).await;
    let r = e
        .bearer(
            Method::POST,
            "/scim/v2/Users",
            &token,
            Some((SCIM, new_user("ana@acme.example"))),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.header("content-type"), SCIM);
    assert_eq!(r.header("etag"), "W/\"1\"");
    let id = r.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(
        r.header("location"),
        format!("{}/scim/v2/Users/{id}", common::URL)
    );

    let again = e
        .bearer(
            Method::POST,
            "/scim/v2/Users",
            &token,
            Some((SCIM, new_user("ANA@acme.example"))),
        )
        .await;
    assert_eq!(
        (again.status, again.json()["scimType"].clone()),
        (StatusCode::CONFLICT, json!("uniqueness"))
    );

    let found = e
        .bearer(
            Method::GET,
            "/scim/v2/Users?filter=userName%20eq%20%22ANA@ACME.example%22&attributes=userName",
            &token,
            None,
        )
        .await;
    assert!(
        found.text.starts_with("{\"Resources\":"),
        "Resources first: {}",
        found.text
    );
    assert_eq!(found.json()["totalResults"], 1);
    assert_eq!(
        found.json()["Resources"][0],
        json!({"id": id, "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ana@acme.example"})
    );

    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "active", "value": false}]});
    let path = format!("/scim/v2/Users/{id}");
    let stale = e
        .send(
            axum::http::Request::patch(&path)
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", SCIM)
                .header("if-match", "W/\"7\"")
                .body(axum::body::Body::from(patch.to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(
        (stale.status, stale.json()["status"].clone()),
        (StatusCode::PRECONDITION_FAILED, json!("412"))
    );
    let patched = e
        .bearer(Method::PATCH, &path, &token, Some((SCIM, patch)))
        .await;
    assert_eq!(
        (patched.status, patched.json()["active"].clone()),
        (StatusCode::OK, json!(false))
    );
    assert_eq!(patched.header("etag"), "W/\"2\"");

    let bad = e
        .bearer(
            Method::GET,
            "/scim/v2/Users?filter=userName%20gt%20true",
            &token,
            None,
        )
        .await;
    assert_eq!(
        (bad.status, bad.json()["scimType"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalidFilter"))
    );

    assert_eq!(
        e.bearer(Method::DELETE, &path, &token, None).await.status,
        StatusCode::NO_CONTENT
    );
    let gone = e.bearer(Method::GET, &path, &token, None).await;
    assert_eq!(
        (gone.status, gone.json()["status"].clone()),
        (StatusCode::NOT_FOUND, json!("404"))
    );
}

#[tokio::test]
async fn bodies_must_be_json() {
    let e = Emulator::new();
    let token = e.org_token(None).await;
    let r = e
        .bearer(
            Method::POST,
            "/scim/v2/Users",
            &token,
            Some(("text/plain", json!({}))),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["scimType"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalidSyntax"))
    );
}

#[tokio::test]
async fn tokens_are_checked_against_the_catalogue_and_the_organization() {
    let e = Emulator::new();
    let r = e.get("/scim/v2/Users").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.json()["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    let r = e
        .bearer(Method::GET, "/scim/v2/Users", "not.a.token", None)
        .await;
    assert_eq!(
        (r.status, r.json()["status"].clone()),
        (StatusCode::UNAUTHORIZED, json!("401"))
    );

    let roles_only = e.org_token(Some("roles/list")).await;
    let r = e
        .bearer(Method::GET, "/scim/v2/Users", &roles_only, None)
        .await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (StatusCode::FORBIDDEN, json!(20403))
    );
    assert_eq!(
        e.bearer(Method::GET, "/v2/Organizations/Roles", &roles_only, None)
            .await
            .status,
        StatusCode::OK
    );

    let token = e.org_token(None).await;
    let other = "/Organizations/OR0123456789abcdef0123456789abcdef/scim/Users";
    let r = e.bearer(Method::GET, other, &token, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let org = e.boot.organization_sid.clone().unwrap();
    let r = e
        .bearer(
            Method::GET,
            &format!("/Organizations/{org}/scim/Users"),
            &token,
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.json()["totalResults"].clone()),
        (StatusCode::OK, json!(2))
    );

    let account = e
        .boot
        .apps
        .as_ref()
        .unwrap()
        .account_client_credentials
        .clone();
    let account_token = e
        .form(
            "/v2/token",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &account.client_id),
                ("client_secret", &account.client_secret),
            ],
        )
        .await
        .json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = e
        .bearer(Method::GET, "/scim/v2/Users", &account_token, None)
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "account tokens have no SCIM permission at all"
    );
    let r = e
        .bearer(
            Method::GET,
            &format!("/Organizations/{org}/Accounts"),
            &account_token,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn discovery_needs_no_token() {
    let e = Emulator::new();
    let spc = e.get("/scim/v2/ServiceProviderConfig").await;
    assert_eq!(
        (spc.status, spc.json()["patch"]["supported"].clone()),
        (StatusCode::OK, json!(true))
    );
    assert_eq!(
        e.get("/scim/v2/ResourceTypes/User").await.json()["id"],
        "User"
    );
    let schema = e
        .get("/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User")
        .await;
    assert_eq!(
        schema.json()["id"],
        "urn:ietf:params:scim:schemas:core:2.0:User"
    );
    assert_eq!(
        e.get("/scim/v2/Schemas/urn:nope").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn role_assignments_are_created_listed_paged_and_deleted() {
    let e = Emulator::new();
    let token = e.org_token(None).await;
    let org = e.boot.organization_sid.clone().unwrap();
    let admin = e.boot.users[1].sid.clone();
    let developer = iamkit::Role::Developer.sid().to_string();
    let body = json!({"role_sid": developer, "scope": org, "identity": admin});
    let r = e
        .bearer(
            Method::POST,
            "/v2/Organizations/RoleAssignments",
            &token,
            Some(("application/json", body.clone())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let sid = r.json()["sid"].as_str().unwrap().to_owned();
    let r = e
        .bearer(
            Method::POST,
            "/v2/Organizations/RoleAssignments",
            &token,
            Some(("application/json", body)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    let bad_role =
        json!({"role_sid": "IX00000000000000000000000000000000", "scope": org, "identity": admin});
    let r = e
        .bearer(
            Method::POST,
            "/v2/Organizations/RoleAssignments",
            &token,
            Some(("application/json", bad_role)),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (StatusCode::BAD_REQUEST, json!(25202))
    );
    let r = e
        .bearer(
            Method::GET,
            "/v2/Organizations/RoleAssignments",
            &token,
            None,
        )
        .await;
    assert_eq!(r.json()["code"], 25203);

    let page = e
        .bearer(
            Method::GET,
            &format!("/Organizations/{org}/RoleAssignments?Identity={admin}&PageSize=1"),
            &token,
            None,
        )
        .await
        .json();
    assert_eq!(page["meta"]["key"], "content");
    assert_eq!(page["content"].as_array().unwrap().len(), 1);
    let next = page["meta"]["next_page_url"].as_str().unwrap().to_owned();
    assert!(
        next.contains(&format!("/Organizations/{org}/RoleAssignments?")),
        "{next}"
    );
    let next_path = next.trim_start_matches(common::URL);
    let second = e.bearer(Method::GET, next_path, &token, None).await.json();
    assert_eq!(second["content"].as_array().unwrap().len(), 1);
    assert_ne!(second["content"][0]["sid"], page["content"][0]["sid"]);
    let r = e
        .bearer(
            Method::GET,
            "/v2/Organizations/RoleAssignments?Identity=x&PageSize=zero",
            &token,
            None,
        )
        .await;
    assert_eq!(r.json()["error"], "invalid_request");

    let path = format!("/v2/Organizations/RoleAssignments/{sid}");
    assert_eq!(
        e.bearer(Method::DELETE, &path, &token, None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        e.bearer(Method::DELETE, &path, &token, None).await.status,
        StatusCode::NOT_FOUND
    );
    let roles = e
        .bearer(Method::GET, "/v2/Organizations/Roles", &token, None)
        .await
        .json();
    assert_eq!(roles["content"][0]["friendly_name"], "Owner");
}

#[tokio::test]
async fn accounts_are_listed_for_the_organization() {
    let e = Emulator::new();
    let token = e.org_token(Some("roles/list")).await;
    let org = e.boot.organization_sid.clone().unwrap();
    let accounts = e
        .bearer(
            Method::GET,
            &format!("/Organizations/{org}/Accounts"),
            &token,
            None,
        )
        .await
        .json();
    let account = e.boot.account_sid.clone().unwrap();
    assert_eq!(accounts["content"][0]["account_sid"], account);
    let one = e
        .bearer(
            Method::GET,
            &format!("/Organizations/{org}/Accounts/{account}"),
            &token,
            None,
        )
        .await;
    assert_eq!(one.json()["friendly_name"], "Demo Account");
    let r = e
        .bearer(
            Method::GET,
            "/Organizations/OR0123456789abcdef0123456789abcdef/Accounts",
            &token,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
