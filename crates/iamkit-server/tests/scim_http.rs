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
        (r.status, r.json()["detail"].clone()),
        (
            StatusCode::FORBIDDEN,
            json!("this endpoint takes the token of an organization app, not of an account app")
        ),
        "an account token on an organization endpoint is forbidden, in the SCIM error shape"
    );
    assert_eq!(r.json()["status"], "403");
    let r = e
        .bearer(
            Method::GET,
            &format!("/Organizations/{org}/Accounts"),
            &account_token,
            None,
        )
        .await;
    assert_eq!(
        (
            r.status,
            r.json()["error"].clone(),
            r.json()["code"].clone()
        ),
        (
            StatusCode::FORBIDDEN,
            json!("wrong_token_level"),
            json!(20403)
        )
    );
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
    let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    let org = e.boot.organization_sid.clone().unwrap();
    for root in ["/scim/v2".to_owned(), format!("/Organizations/{org}/scim")] {
        let ext = e.get(&format!("{root}/Schemas/{enterprise}")).await;
        assert_eq!(
            (ext.status, ext.json()["id"].clone()),
            (StatusCode::OK, json!(enterprise))
        );
        let user_type = e.get(&format!("{root}/ResourceTypes/User")).await.json();
        assert_eq!(user_type["schemaExtensions"][0]["schema"], enterprise);
        assert_eq!(
            e.get(&format!("{root}/Schemas")).await.json()["totalResults"],
            2
        );
        let spc = e.get(&format!("{root}/ServiceProviderConfig")).await;
        assert_eq!(spc.status, StatusCode::OK);
        assert_eq!(
            e.get(&format!("{root}/ResourceTypes/Group")).await.status,
            StatusCode::NOT_FOUND
        );
    }
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
    // Twilio's spec declares the errors of creating and deleting an assignment as
    // application/scim+json (and those of the list as application/json).
    assert_eq!(r.header("content-type"), SCIM);
    assert_eq!(r.json()["code"], 20409);

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
    assert_eq!(r.header("content-type"), "application/json");
    let r = e
        .bearer(
            Method::POST,
            &format!("/Organizations/{org}/RoleAssignments"),
            "not-a-jwt",
            Some(("application/json", json!({}))),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.header("content-type"), SCIM);

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
    let gone = e.bearer(Method::DELETE, &path, &token, None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.header("content-type"), SCIM);
    assert_eq!(gone.json()["code"], 20404);
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

#[tokio::test]
async fn an_account_path_without_an_account_sid_is_404() {
    let e = Emulator::new();
    let token = e.org_token(Some("roles/list")).await;
    let org = e.boot.organization_sid.clone().unwrap();
    for account in ["not-a-sid", "AC0123456789ABCDEF0123456789ABCDEF"] {
        let r = e
            .bearer(
                Method::GET,
                &format!("/Organizations/{org}/Accounts/{account}"),
                &token,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{account}: {}", r.text);
        assert_eq!(r.json()["code"], 20404, "{account}");
        assert_eq!(
            r.json()["message"],
            format!("account \"{account}\" not found"),
            "{account}"
        );
    }
}

const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// Any path under a SCIM root that names no endpoint is a 404 in the SCIM error
/// schema, whatever the method and with or without a token; other unknown paths
/// keep the emulator's own 404.
#[tokio::test]
async fn unknown_scim_paths_are_scim_404s() {
    let org = "OR0123456789abcdef0123456789abcdef";
    let paths = [
        "/scim/v2/7bab2482-8b89-437d-b03d-f1f34cfb1d82".to_owned(),
        "/scim/v2".to_owned(),
        "/scim/v2/".to_owned(),
        "/scim/v2/Groups".to_owned(),
        "/scim/v2/Users/US0123456789abcdef0123456789abcdef/extra".to_owned(),
        format!("/Organizations/{org}/scim/Groups"),
        format!("/Organizations/{org}/scim"),
    ];
    for (style, code) in [
        (iamkit_server::ResponseStyle::Twilio, json!(20404)),
        (iamkit_server::ResponseStyle::Rfc, serde_json::Value::Null),
    ] {
        let e = Emulator::with_style(style);
        let token = e.org_token(None).await;
        for path in &paths {
            for method in [Method::GET, Method::POST, Method::DELETE] {
                let r = e.bearer(method.clone(), path, &token, None).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}");
                assert_eq!(r.header("content-type"), SCIM, "{method} {path}");
                let body = r.json();
                assert_eq!(body["schemas"], json!([ERROR_URN]), "{method} {path}");
                assert_eq!(body["status"], "404");
                assert_eq!(body["detail"], "not found: no such SCIM endpoint");
                assert_eq!(body["code"], code, "{style:?}");
                assert!(body.get("scimType").is_none());
            }
            let anonymous = e.get(path).await;
            assert_eq!(anonymous.status, StatusCode::NOT_FOUND, "{path}");
            assert_eq!(anonymous.json()["schemas"], json!([ERROR_URN]));
        }
    }
    let e = Emulator::new();
    let elsewhere = e.get("/v2/nowhere").await;
    assert_eq!(
        (elsewhere.status, elsewhere.header("content-type")),
        (StatusCode::NOT_FOUND, "application/json")
    );
    assert_eq!(elsewhere.json()["error"], "not_found");
}

/// A method an endpoint does not serve is a 405 in the SCIM error schema, with
/// the `Allow` header.
#[tokio::test]
async fn unsupported_methods_are_scim_405s() {
    let e = Emulator::with_style(iamkit_server::ResponseStyle::Rfc);
    for path in [
        "/scim/v2/ServiceProviderConfig",
        "/scim/v2/ResourceTypes",
        "/scim/v2/Schemas",
    ] {
        let r = e
            .send(
                axum::http::Request::delete(path)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{path}");
        assert_eq!(r.header("allow"), "GET,HEAD");
        assert_eq!(r.header("content-type"), SCIM);
        assert_eq!(
            r.json(),
            json!({"schemas": [ERROR_URN], "status": "405", "detail": "this endpoint does not serve that method"})
        );
    }
    // Behind a token, the permission catalogue answers first: it maps no
    // permission to `GET /Users/.search`, so that is a SCIM 404.
    let token = e.org_token(None).await;
    let r = e
        .bearer(Method::GET, "/scim/v2/Users/.search", &token, None)
        .await;
    assert_eq!(
        (r.status, r.json()["schemas"].clone()),
        (StatusCode::NOT_FOUND, json!([ERROR_URN]))
    );
}

/// `POST /.search` and `POST /Users/.search` (RFC 7644 §3.4.3) list users with the
/// parameters of a SearchRequest body, under the `managed-users/list` permission.
#[tokio::test]
async fn search_requests_list_users() {
    let e = Emulator::new();
    let token = e.org_token(None).await;
    for name in ["ana@acme.example", "bo@acme.example"] {
        let r = e
            .bearer(
                Method::POST,
                "/scim/v2/Users",
                &token,
                Some((SCIM, new_user(name))),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let search = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": "userName ew \"@acme.example\"",
        "sortBy": "userName",
        "sortOrder": "descending",
        "attributes": ["userName"],
        "count": 1,
    });
    let org = e.boot.organization_sid.clone().unwrap();
    for path in [
        "/scim/v2/Users/.search".to_owned(),
        "/scim/v2/.search".to_owned(),
        format!("/Organizations/{org}/scim/Users/.search"),
        format!("/Organizations/{org}/scim/.search"),
    ] {
        let r = e
            .bearer(Method::POST, &path, &token, Some((SCIM, search.clone())))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
        assert_eq!(r.header("content-type"), SCIM);
        let list = r.json();
        assert_eq!(
            list["schemas"],
            json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"])
        );
        assert_eq!(
            (list["totalResults"].clone(), list["itemsPerPage"].clone()),
            (json!(2), json!(1)),
            "{path}"
        );
        let first = &list["Resources"][0];
        assert_eq!(first["userName"], "bo@acme.example");
        assert!(first.get("emails").is_none(), "projected: {first}");
    }

    let bad = e
        .bearer(
            Method::POST,
            "/scim/v2/.search",
            &token,
            Some((SCIM, json!({"filter": "userName pr"}))),
        )
        .await;
    assert_eq!(
        (bad.status, bad.json()["scimType"].clone()),
        (StatusCode::BAD_REQUEST, json!("invalidSyntax"))
    );
    let read_only = e.org_token(Some("managed-users/read")).await;
    let r = e
        .bearer(
            Method::POST,
            "/scim/v2/Users/.search",
            &read_only,
            Some((SCIM, search)),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

/// The emulator's engine follows the SCIM rule set it was built with (`iamkit
/// serve --scim-rules`): Twilio's refuses a user whose `userName` is not its
/// email, or that has none; RFC 7643's stores both, and its Schemas document does
/// not require emails.
#[tokio::test]
async fn the_scim_rule_set_decides_what_users_are_accepted() {
    let uuid = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "6757d849-e902-4317-9a92-54ffd1a60930",
        "emails": [{"primary": true}],
    });
    let schema_path = "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User";

    let twilio = Emulator::new();
    let token = twilio.org_token(None).await;
    let r = twilio
        .bearer(
            Method::POST,
            "/scim/v2/Users",
            &token,
            Some((SCIM, uuid.clone())),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        (r.json()["scimType"].clone(), r.json()["detail"].clone()),
        (
            json!("invalidValue"),
            json!("invalid value: every value of `emails` needs a `value`")
        )
    );
    let schema = twilio.get(schema_path).await.json();
    assert_eq!(schema["attributes"][12]["name"], "emails");
    assert_eq!(schema["attributes"][12]["required"], true);

    let rfc = Emulator::with_options(
        iamkit_server::ResponseStyle::Rfc,
        iamkit::ScimRules::Rfc7643,
    );
    let token = rfc.org_token(None).await;
    let r = rfc
        .bearer(Method::POST, "/scim/v2/Users", &token, Some((SCIM, uuid)))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.json()["emails"], json!([{"primary": true}]));
    let bare =
        json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bare"});
    let r = rfc
        .bearer(Method::POST, "/scim/v2/Users", &token, Some((SCIM, bare)))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert!(r.json().get("emails").is_none());
    let schema = rfc.get(schema_path).await.json();
    assert_eq!(schema["attributes"][12]["required"], false);
    assert_eq!(schema["attributes"][12]["name"], "emails");
}
