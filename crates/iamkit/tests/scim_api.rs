//! The SCIM layer as the engine uses it: validate a created user, list with a
//! filter (index look-up first), sort and project, patch under `If-Match`, and
//! answer errors and discovery requests.

use iamkit::error::ErrorCode;
use iamkit::scim::filter::{IndexAttribute, IndexKey};
use iamkit::scim::{
    apply_patch, check_if_match, discovery, validate_user, Filter, Projection, ScimError, Sort,
};
use serde_json::{json, Value};

fn user(n: u32, name: &str, title: Option<&str>, active: bool) -> Value {
    let mut user = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": format!("US{n:032x}"),
        "externalId": format!("EXT-{n}"),
        "userName": format!("{name}@example.com"),
        "name": {"givenName": name},
        "emails": [{"value": format!("{name}@example.com"), "type": "work", "primary": true}],
        "active": active,
        "meta": {"resourceType": "User", "created": format!("2026-01-{:02}T00:00:00Z", n), "version": "W/\"1\""},
    });
    if let Some(title) = title {
        user["title"] = json!(title);
    }
    user
}

fn store() -> Vec<Value> {
    vec![
        user(1, "carol", Some("Engineer"), true),
        user(2, "alice", None, true),
        user(3, "Bob", Some("Manager"), false),
        user(4, "dave", None, true),
    ]
}

#[test]
fn created_users_validate_and_bad_ones_answer_scim_errors() {
    for u in store() {
        validate_user(&u).unwrap();
    }
    let mut bad = user(5, "eve", None, true);
    bad["userName"] = json!("mallory@example.com");
    let err = validate_user(&bad).unwrap_err();
    let body = err.to_scim_json();
    assert_eq!(
        (
            body["status"].as_str(),
            body["scimType"].as_str(),
            body["code"].as_u64()
        ),
        (Some("400"), Some("invalidValue"), Some(20001))
    );
}

#[test]
fn list_uses_the_index_then_checks_the_whole_filter() {
    let users = store();
    let filter = Filter::parse(r#"USERNAME eq "BOB@example.com" and active eq true"#).unwrap();
    let key = filter.index_key().unwrap();
    assert_eq!(
        key,
        IndexKey {
            attribute: IndexAttribute::UserName,
            value: "BOB@example.com"
        }
    );
    let candidates: Vec<&Value> = users
        .iter()
        .filter(|u| {
            u["userName"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(key.value))
        })
        .collect();
    assert_eq!(candidates.len(), 1);
    assert!(!filter.matches(candidates[0]), "Bob is inactive");
}

#[test]
fn list_filters_sorts_and_projects() {
    let filter =
        Filter::parse("not (title pr) or meta.created gt \"2026-01-02T12:00:00+01:00\"").unwrap();
    assert!(filter.index_key().is_none());
    let users = store();
    let mut found: Vec<&Value> = users.iter().filter(|u| filter.matches(u)).collect();
    Sort::parse("name.givenName", Some("descending"))
        .unwrap()
        .sort(&mut found);
    let projection = Projection::parse(Some("userName,emails.value"), None).unwrap();
    let page: Vec<Value> = found.iter().map(|u| projection.apply(u)).collect();
    assert_eq!(
        page,
        vec![
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": format!("US{:032x}", 4),
                   "userName": "dave@example.com", "emails": [{"value": "dave@example.com"}]}),
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": format!("US{:032x}", 3),
                   "userName": "Bob@example.com", "emails": [{"value": "Bob@example.com"}]}),
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": format!("US{:032x}", 2),
                   "userName": "alice@example.com", "emails": [{"value": "alice@example.com"}]}),
        ]
    );
}

#[test]
fn patch_under_if_match() {
    let alice = &store()[1];
    let version = alice["meta"]["version"].as_str().unwrap();
    assert_eq!(
        check_if_match(Some("W/\"0\""), version)
            .unwrap_err()
            .status(),
        412
    );
    check_if_match(Some("W/\"1\""), version).unwrap();
    let request = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "add", "path": "emails", "value": [{"value": "alice@home.example", "type": "home"}]},
            {"op": "replace", "value": {"active": false, "name.familyName": "Liddell"}}
        ]
    });
    let patched = apply_patch(alice, &request).unwrap();
    assert_eq!(patched["emails"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        patched["name"],
        json!({"givenName": "alice", "familyName": "Liddell"})
    );
    assert_eq!(patched["active"], false);

    let failing = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "emails[type eq \"home\"].value", "value": "x@y.io"}]
    });
    let err = apply_patch(alice, &failing).unwrap_err();
    assert!(matches!(err, ScimError::NoTarget(_)));
    assert_eq!(err.to_scim_json()["scimType"], "noTarget");
}

#[test]
fn discovery_documents_point_at_the_base_url() {
    let base = "https://iam.example.test/scim/v2";
    let spc = discovery::service_provider_config(base, 100);
    assert_eq!(spc["patch"]["supported"], true);
    assert_eq!(spc["authenticationSchemes"][0]["type"], "oauthbearertoken");
    assert_eq!(
        discovery::resource_types(base)["Resources"][0]["schema"],
        "urn:ietf:params:scim:schemas:core:2.0:User"
    );
    let schema = discovery::user_schema(base);
    assert_eq!(
        schema["meta"]["location"],
        "https://iam.example.test/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"
    );
    assert_eq!(discovery::schemas(base)["Resources"][0], schema);
}

#[test]
fn filter_errors_point_at_the_problem() {
    let err = Filter::parse(r#"userName eq "a" and active gt true"#).unwrap_err();
    assert_eq!(err.code(), "invalidFilter");
    assert!(
        matches!(err, ScimError::InvalidFilter { position: 27, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("`gt true`"), "{err}");
}
