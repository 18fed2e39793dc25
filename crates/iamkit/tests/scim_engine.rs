//! SCIM users through the engine: every rule and each refusal, with its exact
//! `scimType` (or code), HTTP status and Twilio code.

mod common;

use common::World;
use iamkit::audit::AuditQuery;
use iamkit::{
    Actor, Engine, ErrorCode, NewRoleAssignment, Projection, RoleAssignmentQuery, ScimError, Sid,
    UserQuery, MAX_PAGE_COUNT,
};
use serde_json::{json, Value};
use time::Duration;

fn user(name: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": name,
        "name": {"givenName": "Given", "familyName": "Family"},
        "emails": [{"value": name, "type": "work", "primary": true}],
        "active": true,
    })
}

fn with(mut value: Value, key: &str, member: Value) -> Value {
    value[key] = member;
    value
}

/// `(code, status, twilio code)` of an error.
fn fault(e: &ScimError) -> (&'static str, u16, u32) {
    (e.code(), e.status(), e.twilio_code())
}

const NOT_FOUND: (&str, u16, u32) = ("notFound", 404, 20404);
const UNIQUENESS: (&str, u16, u32) = ("uniqueness", 409, 20409);
const PRECONDITION: (&str, u16, u32) = ("preconditionFailed", 412, 20412);

fn admin() -> Actor {
    Actor::named("idp")
}

impl World {
    fn create(&self, resource: &Value) -> Result<Value, ScimError> {
        self.engine
            .scim_create_user(self.org.sid, resource, &admin())
    }

    fn list(&self, query: UserQuery) -> iamkit::UserList {
        self.engine
            .scim_list_users(self.org.sid, &query)
            .expect("lists")
    }

    fn names(&self, query: UserQuery) -> Vec<String> {
        self.list(query)
            .resources
            .iter()
            .map(|u| u["userName"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

fn id(user: &Value) -> String {
    user["id"].as_str().expect("id").to_owned()
}

fn filter(text: &str) -> UserQuery {
    UserQuery {
        filter: Some(text.to_owned()),
        ..UserQuery::default()
    }
}

#[test]
fn create_gives_id_meta_and_location_and_ignores_client_id_and_meta() {
    let w = World::with(Engine::builder().issuer("https://iam.example.test/"));
    let sent = with(
        with(
            user("ann@example.com"),
            "id",
            json!("US0123456789abcdef0123456789abcdef"),
        ),
        "meta",
        json!({"version": "W/\"9\"", "created": "2000-01-01T00:00:00Z"}),
    );
    let created = w.create(&sent).unwrap();
    let id = id(&created);
    assert!(id.starts_with("US") && id.len() == 34);
    assert_ne!(id, "US0123456789abcdef0123456789abcdef");
    assert_eq!(
        created["meta"],
        json!({
            "resourceType": "User",
            "created": "2026-01-01T00:00:00Z",
            "lastModified": "2026-01-01T00:00:00Z",
            "version": "W/\"1\"",
            "location": format!("https://iam.example.test/scim/v2/Users/{id}"),
        })
    );
    assert_eq!(
        created["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:User"])
    );
    assert_eq!(
        created["name"],
        json!({"givenName": "Given", "familyName": "Family"})
    );
    let got = w
        .engine
        .scim_get_user(w.org.sid, &id, &Projection::default())
        .unwrap();
    assert_eq!(got, created);
}

#[test]
fn invalid_users_are_refused_with_their_scim_type() {
    let w = World::new();
    let cases = [
        (json!("not an object"), "invalidSyntax"),
        (
            with(user("ann@example.com"), "favoriteColor", json!("x")),
            "invalidSyntax",
        ),
        (
            with(
                user("ann@example.com"),
                "userName",
                json!("bob@example.com"),
            ),
            "invalidValue",
        ),
        (
            with(user("ann@example.com"), "emails", json!([])),
            "invalidValue",
        ),
        (
            with(user("ann@example.com"), "active", json!("yes")),
            "invalidValue",
        ),
    ];
    for (resource, scim_type) in cases {
        let err = w.create(&resource).unwrap_err();
        assert_eq!(fault(&err), (scim_type, 400, 20001), "{resource}");
        assert_eq!(err.to_scim_json()["scimType"], scim_type);
    }
    assert_eq!(w.list(UserQuery::default()).total_results, 0);
}

#[test]
fn user_name_is_unique_ignoring_case_and_external_id_exactly() {
    let w = World::new();
    w.create(&with(user("Ann@Example.com"), "externalId", json!("A-1")))
        .unwrap();
    let err = w.create(&user("ann@EXAMPLE.COM")).unwrap_err();
    assert_eq!(fault(&err), UNIQUENESS);
    assert_eq!(err.to_scim_json()["scimType"], "uniqueness");
    let clash = with(user("bob@example.com"), "externalId", json!("A-1"));
    assert_eq!(fault(&w.create(&clash).unwrap_err()), UNIQUENESS);
    // externalId is case-exact: another case is another value.
    w.create(&with(user("bob@example.com"), "externalId", json!("a-1")))
        .unwrap();
    // Another organization has its own names.
    let other = w.engine.create_organization("Other").unwrap();
    w.engine
        .scim_create_user(other.sid, &user("ann@example.com"), &admin())
        .unwrap();
}

/// userNames are one name when their RFC 8265 (UsernameCaseMapped) forms are: a
/// fullwidth look-alike or another Unicode normalization clashes, and invisible or
/// format characters are refused; `userName eq` finds a user by any of its forms,
/// through the index and through a scan.
#[test]
fn look_alike_user_names_clash_or_are_refused() {
    let w = World::new();
    w.create(&user("owner@example.com")).unwrap();
    w.create(&user("caf\u{e9}@example.com")).unwrap();
    let taken = |name: &str| format!("userName {name:?} is already taken in this organization");
    for name in [
        "\u{ff4f}wner@example.com",
        "OWNER@example.com",
        "cafe\u{301}@example.com",
    ] {
        let err = w.create(&user(name)).unwrap_err();
        assert_eq!(err, ScimError::Uniqueness(taken(name)), "{name:?}");
        assert_eq!(fault(&err), UNIQUENESS);
    }
    for (name, cp) in [
        ("own\u{200b}er@example.com", "200B"),
        ("\u{feff}owner@example.com", "FEFF"),
        ("owner\u{2060}@example.com", "2060"),
        ("owner\u{202e}@example.com", "202E"),
    ] {
        let err = w.create(&user(name)).unwrap_err();
        let detail = format!(
            "`userName` must not contain U+{cp}: RFC 8265 usernames refuse spaces, \
             invisible and format characters"
        );
        assert_eq!(err, ScimError::InvalidValue(detail), "{name:?}");
        assert_eq!(fault(&err), ("invalidValue", 400, 20001));
    }
    assert_eq!(w.list(UserQuery::default()).total_results, 2);
    for text in [
        "userName eq \"\u{ff4f}wner@example.com\"",
        "active eq true and userName eq \"\u{ff4f}WNER@example.com\"",
    ] {
        assert_eq!(w.names(filter(text)), ["owner@example.com"], "{text}");
    }
    for text in [
        "userName eq \"cafe\u{301}@example.com\"",
        "active eq true and userName eq \"CAFE\u{301}@example.com\"",
    ] {
        assert_eq!(w.names(filter(text)), ["caf\u{e9}@example.com"], "{text}");
    }
    assert_eq!(
        w.names(filter("userName ne \"\u{ff4f}wner@example.com\"")),
        ["caf\u{e9}@example.com"]
    );
}

#[test]
fn another_organizations_user_and_unknown_ids_are_not_found() {
    let w = World::new();
    let other = w.engine.create_organization("Other").unwrap();
    let theirs = id(&w
        .engine
        .scim_create_user(other.sid, &user("eve@other.example"), &admin())
        .unwrap());
    let none = Projection::default();
    let unknown = "US0123456789abcdef0123456789abcdef";
    for bad in [theirs.as_str(), unknown, "not-a-sid", ""] {
        let err = w.engine.scim_get_user(w.org.sid, bad, &none).unwrap_err();
        assert_eq!(fault(&err), NOT_FOUND, "{bad}");
        assert!(err.to_scim_json().get("scimType").is_none());
        let err = w
            .engine
            .scim_replace_user(w.org.sid, bad, &user("eve@other.example"), None, &admin())
            .unwrap_err();
        assert_eq!(fault(&err), NOT_FOUND);
        let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                           "Operations": [{"op": "replace", "path": "active", "value": false}]});
        let err = w
            .engine
            .scim_patch_user(w.org.sid, bad, &patch, None, &admin())
            .unwrap_err();
        assert_eq!(fault(&err), NOT_FOUND);
        let err = w
            .engine
            .scim_delete_user(w.org.sid, bad, None, &admin())
            .unwrap_err();
        assert_eq!(fault(&err), NOT_FOUND);
    }
    assert_eq!(
        w.list(filter(&format!("id eq \"{theirs}\""))).total_results,
        0
    );
    assert_eq!(w.list(UserQuery::default()).total_results, 0);
    let nowhere = iamkit::OrganizationSid::generate();
    let err = w
        .engine
        .scim_list_users(nowhere, &UserQuery::default())
        .unwrap_err();
    assert_eq!(fault(&err), NOT_FOUND);
    let err = w
        .engine
        .scim_create_user(nowhere, &user("a@b.co"), &admin())
        .unwrap_err();
    assert_eq!(fault(&err), NOT_FOUND);
}

#[test]
fn lists_filter_sort_project_and_page() {
    let w = World::new();
    for (name, title) in [
        ("carol", Some("Engineer")),
        ("alice", None),
        ("Bob", Some("Manager")),
        ("dave", None),
    ] {
        let mut u = user(&format!("{name}@example.com"));
        if let Some(t) = title {
            u["title"] = json!(t);
        }
        w.create(&u).unwrap();
        w.clock.advance(Duration::seconds(1));
    }
    // Creation order by default; sorting ignores case; missing values sort last.
    assert_eq!(
        w.names(UserQuery::default()),
        [
            "carol@example.com",
            "alice@example.com",
            "Bob@example.com",
            "dave@example.com"
        ]
    );
    let sorted = UserQuery {
        sort_by: Some("userName".into()),
        ..UserQuery::default()
    };
    assert_eq!(
        w.names(sorted),
        [
            "alice@example.com",
            "Bob@example.com",
            "carol@example.com",
            "dave@example.com"
        ]
    );
    let by_title = UserQuery {
        sort_by: Some("title".into()),
        sort_order: Some("descending".into()),
        ..UserQuery::default()
    };
    assert_eq!(
        w.names(by_title)[..2],
        ["Bob@example.com", "carol@example.com"]
    );
    assert_eq!(
        w.names(filter("title pr")),
        ["carol@example.com", "Bob@example.com"]
    );
    assert_eq!(
        w.names(filter("meta.created gt \"2026-01-01T00:00:01Z\"")),
        ["Bob@example.com", "dave@example.com"]
    );

    // Paging: startIndex is 1-based, below 1 counts as 1, past the end is empty.
    let page = |start: Option<usize>, count: Option<usize>| {
        w.list(UserQuery {
            start_index: start,
            count,
            ..UserQuery::default()
        })
    };
    let second = page(Some(2), Some(2));
    assert_eq!(
        (
            second.start_index,
            second.items_per_page,
            second.total_results
        ),
        (2, 2, 4)
    );
    assert_eq!(second.resources[0]["userName"], "alice@example.com");
    for low in [Some(0), None] {
        let first = page(low, Some(1));
        assert_eq!((first.start_index, first.items_per_page), (1, 1));
        assert_eq!(first.resources[0]["userName"], "carol@example.com");
    }
    let past = page(Some(9), None);
    assert_eq!(
        (
            past.items_per_page,
            past.total_results,
            past.resources.len()
        ),
        (0, 4, 0)
    );
    let counted = page(None, Some(0));
    assert_eq!(
        (
            counted.items_per_page,
            counted.total_results,
            counted.resources.len()
        ),
        (0, 4, 0)
    );

    // The ListResponse shape, with Resources first.
    let body = serde_json::to_string(&page(Some(4), Some(5))).unwrap();
    assert!(body.starts_with(r#"{"Resources":[{"#), "{body}");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        body["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"])
    );
    assert_eq!(
        (
            body["itemsPerPage"].as_u64(),
            body["startIndex"].as_u64(),
            body["totalResults"].as_u64()
        ),
        (Some(1), Some(4), Some(4))
    );

    // attributes / excludedAttributes, on lists and on get.
    let projected = w.list(UserQuery {
        attributes: Some("userName".into()),
        count: Some(1),
        ..UserQuery::default()
    });
    let keys: Vec<&String> = projected.resources[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["id", "schemas", "userName"]);
    let carol = id(&projected.resources[0]);
    let trimmed = w
        .engine
        .scim_get_user(
            w.org.sid,
            &carol,
            &Projection::parse(None, Some("emails,meta,name")).unwrap(),
        )
        .unwrap();
    assert!(trimmed.get("emails").is_none() && trimmed.get("meta").is_none());
    assert_eq!(trimmed["title"], "Engineer");
}

#[test]
fn count_is_capped_at_the_maximum() {
    let w = World::new();
    for i in 0..=MAX_PAGE_COUNT {
        w.create(&user(&format!("u{i}@example.com"))).unwrap();
    }
    for count in [None, Some(MAX_PAGE_COUNT + 500)] {
        let list = w.list(UserQuery {
            count,
            ..UserQuery::default()
        });
        assert_eq!(
            (list.items_per_page, list.total_results),
            (MAX_PAGE_COUNT, MAX_PAGE_COUNT + 1)
        );
    }
    let rest = w.list(UserQuery {
        start_index: Some(MAX_PAGE_COUNT + 1),
        ..UserQuery::default()
    });
    assert_eq!(rest.items_per_page, 1);
    assert_eq!(
        w.engine.scim_service_provider_config()["filter"]["maxResults"],
        MAX_PAGE_COUNT
    );
}

#[test]
fn bad_list_parameters_are_refused() {
    let w = World::new();
    let refuse = |query: UserQuery| {
        w.engine
            .scim_list_users(w.org.sid, &query)
            .map(|_| ())
            .map_err(|e| fault(&e))
    };
    assert_eq!(
        refuse(filter("userName eq")),
        Err(("invalidFilter", 400, 20001))
    );
    assert_eq!(refuse(filter("")), Err(("invalidFilter", 400, 20001)));
    assert_eq!(
        refuse(filter("favoriteColor pr")),
        Err(("invalidFilter", 400, 20001))
    );
    let sort = |by: &str, order: Option<&str>| UserQuery {
        sort_by: Some(by.into()),
        sort_order: order.map(Into::into),
        ..UserQuery::default()
    };
    assert_eq!(
        refuse(sort("favoriteColor", None)),
        Err(("invalidValue", 400, 20001))
    );
    assert_eq!(
        refuse(sort("userName", Some("sideways"))),
        Err(("invalidValue", 400, 20001))
    );
    let attrs = UserQuery {
        attributes: Some("favoriteColor".into()),
        ..UserQuery::default()
    };
    assert_eq!(refuse(attrs), Err(("invalidValue", 400, 20001)));
    // sortOrder alone is ignored.
    let order_only = UserQuery {
        sort_order: Some("sideways".into()),
        ..UserQuery::default()
    };
    assert_eq!(refuse(order_only), Ok(()));
}

#[test]
fn replace_checks_if_match_keeps_id_and_bumps_the_version() {
    let w = World::new();
    let ann = w
        .create(&with(user("ann@example.com"), "externalId", json!("A-1")))
        .unwrap();
    let bob = w
        .create(&with(user("bob@example.com"), "externalId", json!("B-1")))
        .unwrap();
    let ann_id = id(&ann);
    w.clock.advance(Duration::minutes(5));

    let replace = |body: &Value, if_match: Option<&str>| {
        w.engine
            .scim_replace_user(w.org.sid, &ann_id, body, if_match, &admin())
    };
    let renamed = with(user("ann@new.example"), "title", json!("Lead"));
    let stale = replace(&renamed, Some("W/\"7\"")).unwrap_err();
    assert_eq!(fault(&stale), PRECONDITION);
    assert!(stale.to_scim_json().get("scimType").is_none());
    let moved = replace(&with(renamed.clone(), "id", json!(id(&bob))), None).unwrap_err();
    assert_eq!(fault(&moved), ("mutability", 400, 20001));
    assert_eq!(
        fault(&replace(&user("BOB@example.com"), None).unwrap_err()),
        UNIQUENESS
    );
    assert_eq!(
        fault(
            &replace(
                &with(user("ann@example.com"), "externalId", json!("B-1")),
                None
            )
            .unwrap_err()
        ),
        UNIQUENESS
    );
    // Nothing above changed Ann.
    let unchanged = w
        .engine
        .scim_get_user(w.org.sid, &ann_id, &Projection::default())
        .unwrap();
    assert_eq!(unchanged, ann);

    let replaced = replace(&with(renamed, "id", json!(ann_id)), Some("W/\"1\"")).unwrap();
    assert_eq!(replaced["id"], ann_id.as_str());
    assert_eq!(replaced["userName"], "ann@new.example");
    assert_eq!(replaced["title"], "Lead");
    assert!(
        replaced.get("externalId").is_none(),
        "PUT replaces every attribute"
    );
    assert_eq!(replaced["meta"]["version"], "W/\"2\"");
    assert_eq!(replaced["meta"]["created"], "2026-01-01T00:00:00Z");
    assert_eq!(replaced["meta"]["lastModified"], "2026-01-01T00:05:00Z");
    // The old name is free again, and the index follows the new one.
    w.create(&user("ANN@example.com")).unwrap();
    assert_eq!(
        w.names(filter("userName eq \"ANN@NEW.EXAMPLE\"")),
        ["ann@new.example"]
    );
    assert_eq!(
        fault(&replace(&user("x@example.com"), Some("W/\"1\"")).unwrap_err()),
        PRECONDITION
    );
    replace(&user("x@example.com"), Some("*")).unwrap();
}

#[test]
fn patch_checks_if_match_and_uniqueness() {
    let w = World::new();
    let ann = id(&w.create(&user("ann@example.com")).unwrap());
    w.create(&with(user("bob@example.com"), "externalId", json!("B-1")))
        .unwrap();
    let patch = |ops: Value, if_match: Option<&str>| {
        let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops});
        w.engine
            .scim_patch_user(w.org.sid, &ann, &body, if_match, &admin())
    };
    let stale = patch(
        json!([{"op": "replace", "path": "active", "value": false}]),
        Some("W/\"2\""),
    )
    .unwrap_err();
    assert_eq!(fault(&stale), PRECONDITION);
    let clash = patch(
        json!([{"op": "add", "path": "externalId", "value": "B-1"}]),
        None,
    )
    .unwrap_err();
    assert_eq!(fault(&clash), UNIQUENESS);
    let rename = json!([
        {"op": "replace", "path": "userName", "value": "BOB@example.com"},
        {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "BOB@example.com"}
    ]);
    assert_eq!(fault(&patch(rename, None).unwrap_err()), UNIQUENESS);
    let bad_path = patch(
        json!([{"op": "replace", "path": "favoriteColor", "value": "x"}]),
        None,
    )
    .unwrap_err();
    assert_eq!(fault(&bad_path), ("invalidPath", 400, 20001));
    let read_only =
        patch(json!([{"op": "replace", "path": "id", "value": "x"}]), None).unwrap_err();
    assert_eq!(fault(&read_only), ("mutability", 400, 20001));

    let patched = patch(json!([{"op": "replace", "path": "active", "value": false}, {"op": "add", "path": "title", "value": "Guide"}]), Some("W/\"1\"")).unwrap();
    assert_eq!(
        (patched["active"].as_bool(), patched["title"].as_str()),
        (Some(false), Some("Guide"))
    );
    assert_eq!(patched["meta"]["version"], "W/\"2\"");
    assert_eq!(w.names(filter("active eq false")), ["ann@example.com"]);
}

/// A value over its size limit, a multi-valued attribute of too many values and a
/// User over 64 KiB are each `invalidValue` (400, 20001) naming the attribute and
/// the limit, on create, replace and PATCH; a refused PATCH changes nothing.
#[test]
fn size_limits_are_enforced_on_every_write() {
    use iamkit::scim::validate::{MAX_STRING_CHARS, MAX_USER_BYTES, MAX_VALUES};
    let w = World::new();
    let huge = json!("x".repeat(1024 * 1024));
    let huge_name = "`displayName` must be at most 4096 characters, not 1048576";
    let invalid_value = |e: ScimError, detail: &str| {
        assert_eq!(fault(&e), ("invalidValue", 400, 20001), "{e}");
        assert_eq!(e, ScimError::InvalidValue(detail.into()));
    };
    invalid_value(
        w.create(&with(user("ann@example.com"), "displayName", huge.clone()))
            .unwrap_err(),
        huge_name,
    );
    assert_eq!(w.list(UserQuery::default()).total_results, 0);

    let ann = w
        .create(&with(
            user("ann@example.com"),
            "displayName",
            json!("a".repeat(MAX_STRING_CHARS)),
        ))
        .unwrap();
    let ann_id = id(&ann);
    invalid_value(
        w.engine
            .scim_replace_user(
                w.org.sid,
                &ann_id,
                &with(user("ann@example.com"), "displayName", huge.clone()),
                None,
                &admin(),
            )
            .unwrap_err(),
        huge_name,
    );
    let patch = |ops: Value| {
        let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops});
        w.engine
            .scim_patch_user(w.org.sid, &ann_id, &body, None, &admin())
    };
    invalid_value(
        patch(json!([{"op": "replace", "path": "displayName", "value": huge}])).unwrap_err(),
        huge_name,
    );
    invalid_value(
        patch(json!([{"op": "add", "path": "name.givenName", "value": "g".repeat(MAX_STRING_CHARS + 1)}]))
            .unwrap_err(),
        "`name.givenName` must be at most 4096 characters, not 4097",
    );
    // 100 phone numbers fit; one more added by PATCH is refused.
    let phones: Vec<Value> = (0..MAX_VALUES)
        .map(|i| json!({"value": format!("+1 555 {i:04}")}))
        .collect();
    let with_phones =
        patch(json!([{"op": "add", "path": "phoneNumbers", "value": phones}])).unwrap();
    assert_eq!(with_phones["meta"]["version"], "W/\"2\"");
    invalid_value(
        patch(json!([{"op": "add", "path": "phoneNumbers", "value": {"value": "+1 555 9999"}}]))
            .unwrap_err(),
        "`phoneNumbers` must have at most 100 values, not 101",
    );
    // Addresses that are each within the limits, but grow the User past 64 KiB.
    let street = "s".repeat(MAX_STRING_CHARS);
    let addresses: Vec<Value> = (0..MAX_USER_BYTES / MAX_STRING_CHARS)
        .map(|_| json!({"streetAddress": street}))
        .collect();
    let grown = patch(json!([{"op": "add", "path": "addresses", "value": addresses}])).unwrap_err();
    assert_eq!(fault(&grown), ("invalidValue", 400, 20001));
    let detail = grown.to_string();
    assert!(
        detail.contains("a User must be at most 65536 bytes as JSON, not ")
            && detail.contains("(the largest attribute, `addresses`, is "),
        "{detail}"
    );
    let stored = w
        .engine
        .scim_get_user(w.org.sid, &ann_id, &Projection::default())
        .unwrap();
    assert_eq!(stored, with_phones, "refused writes changed nothing");
}

#[test]
fn delete_checks_if_match_and_takes_the_role_assignments_along() {
    let w = World::new();
    let ann = id(&w.create(&user("ann@example.com")).unwrap());
    let assignment = w
        .engine
        .create_role_assignment(
            w.org.sid,
            &NewRoleAssignment {
                role_sid: iamkit::Role::Developer.sid().to_string(),
                scope: w.org.sid.to_string(),
                identity: ann.clone(),
            },
            &admin(),
        )
        .unwrap();
    let err = w
        .engine
        .scim_delete_user(w.org.sid, &ann, Some("W/\"3\""), &admin())
        .unwrap_err();
    assert_eq!(fault(&err), PRECONDITION);
    w.engine
        .scim_delete_user(w.org.sid, &ann, Some("W/\"1\""), &admin())
        .unwrap();
    assert_eq!(
        fault(
            &w.engine
                .scim_get_user(w.org.sid, &ann, &Projection::default())
                .unwrap_err()
        ),
        NOT_FOUND
    );
    let left = w
        .engine
        .role_assignments(
            w.org.sid,
            &RoleAssignmentQuery {
                scope: Some(w.org.sid.to_string()),
                ..RoleAssignmentQuery::default()
            },
        )
        .unwrap();
    assert!(left.content.is_empty());
    let deleted = w.engine.audit_events(&AuditQuery {
        event_type: Some("role-assignments.deleted".into()),
        ..AuditQuery::default()
    });
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].subject, assignment.sid.to_string());
    // The name can be taken again.
    w.create(&user("ann@example.com")).unwrap();
}

#[test]
fn writes_are_audited_with_actor_subject_and_details() {
    let w = World::new();
    let ann = id(&w
        .create(&with(user("ann@example.com"), "externalId", json!("A-1")))
        .unwrap());
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                      "Operations": [{"op": "replace", "path": "active", "value": false}]});
    w.engine
        .scim_patch_user(w.org.sid, &ann, &body, None, &admin())
        .unwrap();
    w.engine
        .scim_replace_user(w.org.sid, &ann, &user("ann@example.com"), None, &admin())
        .unwrap();
    w.engine
        .scim_delete_user(w.org.sid, &ann, None, &admin())
        .unwrap();
    let events = w.engine.audit_events(&AuditQuery {
        subject: Some(ann.clone()),
        ..AuditQuery::default()
    });
    let kinds: Vec<&str> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "scim-users.created",
            "scim-users.updated",
            "scim-users.updated",
            "scim-users.deleted"
        ]
    );
    assert!(events.iter().all(|e| e.actor == admin()));
    assert_eq!(events[0].details["externalId"], "A-1");
    assert_eq!(events[1].details["operation"], "patch");
    assert_eq!(events[1].details["changed"], json!(["active"]));
    assert_eq!(events[2].details["operation"], "replace");
    assert_eq!(
        events[2].details["changed"],
        json!(["externalId", "active"])
    );
    assert_eq!(events[3].details["userName"], "ann@example.com");
}

#[test]
fn discovery_documents_use_the_issuer() {
    let w = World::with(Engine::builder().issuer("http://127.0.0.1:4010"));
    let spc = w.engine.scim_service_provider_config();
    assert_eq!(
        spc["meta"]["location"],
        "http://127.0.0.1:4010/scim/v2/ServiceProviderConfig"
    );
    assert_eq!(
        w.engine.scim_resource_types()["Resources"][0]["meta"]["location"],
        "http://127.0.0.1:4010/scim/v2/ResourceTypes/User"
    );
    let schemas = w.engine.scim_schemas();
    assert_eq!(schemas["totalResults"], 2);
    assert_eq!(
        schemas["Resources"][1]["meta"]["location"],
        format!("http://127.0.0.1:4010/scim/v2/Schemas/{ENTERPRISE}")
    );
}

#[test]
fn export_and_import_keep_users_assignments_and_indexes() {
    let w = World::new();
    let ann = w
        .create(&with(user("Ann@example.com"), "externalId", json!("A-1")))
        .unwrap();
    let owner = w.owner();
    let elsewhere = w.engine.create_organization("Elsewhere").unwrap();
    let eve = w
        .engine
        .scim_create_user(elsewhere.sid, &user("eve@example.com"), &admin())
        .unwrap();
    let exported = w.engine.export_state();

    let other = World::new();
    other.engine.import_state(&exported).unwrap();
    let query = filter("userName eq \"ANN@EXAMPLE.COM\" and externalId eq \"A-1\"");
    let found = other.engine.scim_list_users(w.org.sid, &query).unwrap();
    assert_eq!(found.resources, std::slice::from_ref(&ann));
    assert_eq!(other.engine.user(owner.sid).unwrap(), owner);
    assert_eq!(
        fault(
            &other
                .engine
                .scim_create_user(w.org.sid, &user("ann@EXAMPLE.com"), &admin())
                .unwrap_err()
        ),
        UNIQUENESS
    );

    // A repeated userName, or an assignment of an unknown user, imports nothing.
    let twice = exported.replace("owner@acme.example", "ann@example.com");
    let identity = |sid: &dyn std::fmt::Display| format!("\"identity\":\"{sid}\"");
    let dangling = exported.replace(
        &identity(&owner.sid),
        &identity(&iamkit::UserSid::generate()),
    );
    let repeated = exported.replace(&id(&ann), &owner.sid.to_string());
    let two_orgs = exported.replace(&id(&eve), &owner.sid.to_string());
    for (bad, why) in [
        (twice, "already taken"),
        (dangling, "does not match"),
        (repeated, "appears twice"),
        (two_orgs, "two organizations"),
    ] {
        let fresh = World::new();
        let err = fresh.engine.import_state(&bad).unwrap_err().to_string();
        assert!(err.contains(why), "{err}");
        assert!(fresh.engine.user(owner.sid).is_err());
        assert_eq!(fresh.engine.organizations().len(), 1);
    }
    assert_eq!(
        other
            .engine
            .scim_get_user(elsewhere.sid, &id(&eve), &Projection::default())
            .unwrap(),
        eve
    );
}

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// A user with every kind of attribute RFC 7643 §4.1 and §4.3 define.
fn full_user(name: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "userName": name,
        "name": {"formatted": "Ms. Barbara J Jensen, III", "familyName": "Jensen", "givenName": "Barbara", "middleName": "Jane", "honorificPrefix": "Ms.", "honorificSuffix": "III"},
        "displayName": "Babs Jensen",
        "nickName": "Babs",
        "profileUrl": "https://login.example.com/bjensen",
        "emails": [{"value": name, "type": "work", "primary": true}, {"value": "babs@jensen.org", "type": "home"}],
        "addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza", "locality": "Hollywood", "region": "CA", "postalCode": "91608", "country": "USA", "primary": true}],
        "phoneNumbers": [{"value": "555-555-5555", "type": "work"}, {"value": "555-555-4444", "type": "mobile"}],
        "ims": [{"value": "someaimhandle", "type": "aim"}],
        "photos": [{"value": "https://photos.example.com/profilephoto/72930000000Ccne/F", "type": "photo"}],
        "userType": "Employee",
        "title": "Tour Guide",
        "preferredLanguage": "en-US",
        "locale": "en-US",
        "timezone": "America/Los_Angeles",
        "active": true,
        "password": "t1meMa$heen",
        "groups": [{"value": "e9e30dba-f08f-4109-8486-d5c6a331660a", "display": "Tour Guides"}],
        "entitlements": [{"value": "tour-guide", "primary": true}],
        "roles": [{"value": "guide", "type": "work"}],
        "x509Certificates": [{"value": "MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx"}],
        ENTERPRISE: {
            "employeeNumber": "701984",
            "costCenter": "4130",
            "organization": "Universal Studios",
            "division": "Theme Park",
            "department": "Tour Operations",
            "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d", "$ref": "../Users/26118915-6090-4610-87e4-49d8ca9f808d", "displayName": "John Smith"},
        },
    })
}

#[test]
fn the_whole_rfc7643_user_reads_back_without_its_password_or_read_only_input() {
    let w = World::new();
    let created = w.create(&full_user("bjensen@example.com")).unwrap();
    let mut expected = full_user("bjensen@example.com");
    let obj = expected.as_object_mut().unwrap();
    obj.remove("password");
    obj.remove("groups");
    expected[ENTERPRISE]["manager"]
        .as_object_mut()
        .unwrap()
        .remove("displayName");
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(&created[key], value, "{key}");
    }
    assert!(created.get("password").is_none() && created.get("groups").is_none());
    let fetched = w
        .engine
        .scim_get_user(w.org.sid, &id(&created), &Projection::default())
        .unwrap();
    assert_eq!(fetched, created);
    let exported = serde_json::to_string(&w.engine.export_state()).unwrap();
    assert!(!exported.contains("t1meMa$heen"), "no plaintext password");
    assert!(exported.contains("pbkdf2-sha256$"));
    let bare = w.create(&user("ann@example.com")).unwrap();
    assert_eq!(
        bare["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:User"])
    );
}

#[test]
fn enterprise_and_multi_valued_attributes_filter_sort_and_project() {
    let w = World::new();
    let babs = w.create(&full_user("bjensen@example.com")).unwrap();
    let mut other = full_user("ann@example.com");
    other[ENTERPRISE]["department"] = json!("Accounting");
    other["phoneNumbers"] = json!([{"value": "555-000", "type": "home"}]);
    w.create(&other).unwrap();
    w.create(&user("zed@example.com")).unwrap();
    let names = |f: &str| w.names(filter(f));
    assert_eq!(
        names(&format!("{ENTERPRISE}:department eq \"tour operations\"")),
        ["bjensen@example.com"]
    );
    assert_eq!(
        names(&format!(
            "{ENTERPRISE}:manager.value eq \"26118915-6090-4610-87e4-49d8ca9f808d\""
        ))
        .len(),
        2
    );
    assert_eq!(names(&format!("{ENTERPRISE}:employeeNumber pr")).len(), 2);
    assert_eq!(
        names(&format!("not ({ENTERPRISE}:employeeNumber pr)")),
        ["zed@example.com"]
    );
    assert_eq!(
        names("phoneNumbers[type eq \"work\" and value sw \"555-555\"]"),
        ["bjensen@example.com"]
    );
    assert_eq!(names("addresses.locality eq \"Hollywood\"").len(), 2);
    assert_eq!(
        names("nickName eq \"babs\" and userType eq \"Employee\"").len(),
        2
    );
    assert_eq!(names("name.middleName eq \"Jane\"").len(), 2);
    assert_eq!(names(&format!("schemas eq \"{ENTERPRISE}\"")).len(), 2);
    assert_eq!(
        names("emails[type eq \"work\"].value eq \"ann@example.com\""),
        ["ann@example.com"]
    );
    let sorted = w.names(UserQuery {
        sort_by: Some(format!("{ENTERPRISE}:department")),
        ..UserQuery::default()
    });
    assert_eq!(
        sorted,
        ["ann@example.com", "bjensen@example.com", "zed@example.com"]
    );
    let projected = w
        .engine
        .scim_get_user(
            w.org.sid,
            &id(&babs),
            &Projection::parse(Some(&format!("{ENTERPRISE}:department,nickName")), None).unwrap(),
        )
        .unwrap();
    assert_eq!(
        projected,
        json!({"schemas": babs["schemas"], "id": babs["id"], "nickName": "Babs", ENTERPRISE: {"department": "Tour Operations"}})
    );
    let refuse = |q: UserQuery| {
        let e = w.engine.scim_list_users(w.org.sid, &q).unwrap_err();
        e.detail()
    };
    assert_eq!(
        refuse(filter("password eq \"t1meMa$heen\"")),
        "invalid filter at byte 0: `password` is never returned, so no filter can test it at `password eq \"t1meMa$heen…`"
    );
    assert_eq!(
        refuse(UserQuery {
            sort_by: Some("password".into()),
            ..UserQuery::default()
        }),
        "invalid value: cannot sort by `password`: it is never returned"
    );
    assert_eq!(
        refuse(filter("department eq \"x\"")),
        format!("invalid filter at byte 0: unknown attribute `department`: the extension's attribute is `{ENTERPRISE}:department` at `department eq \"x\"`")
    );
}

#[test]
fn patch_writes_the_extension_by_urn_and_passwords_follow_their_own_rule() {
    let w = World::new();
    let babs = w.create(&full_user("bjensen@example.com")).unwrap();
    let uid = id(&babs);
    let patch = |ops: Value| {
        w.engine.scim_patch_user(
            w.org.sid,
            &uid,
            &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops}),
            None,
            &admin(),
        )
    };
    let out = patch(json!([
        {"op": "Replace", "path": format!("{ENTERPRISE}:manager"), "value": "boss-2"},
        {"op": "replace", "value": {"displayName": "Bjfe", "name.givenName": "Kkom", format!("{ENTERPRISE}:employeeNumber"): "Aklq"}},
        {"op": "Add", "value": {ENTERPRISE: {"costCenter": "9"}}},
        {"op": "remove", "path": format!("{ENTERPRISE}:division")},
        {"op": "replace", "path": "active", "value": "False"},
    ]))
    .unwrap();
    assert_eq!(
        out[ENTERPRISE]["manager"],
        json!({"value": "boss-2", "$ref": "../Users/26118915-6090-4610-87e4-49d8ca9f808d"}),
        "a replace of a complex attribute keeps the sub-attributes it does not name (RFC 7644 §3.5.2.3)"
    );
    assert_eq!(out[ENTERPRISE]["employeeNumber"], "Aklq");
    assert_eq!(out[ENTERPRISE]["costCenter"], "9");
    assert!(out[ENTERPRISE].get("division").is_none());
    assert_eq!(
        (
            &out["displayName"],
            &out["name"]["givenName"],
            &out["active"]
        ),
        (&json!("Bjfe"), &json!("Kkom"), &json!(false))
    );
    let events = w.engine.audit_events(&AuditQuery::default());
    let changed = &events.last().unwrap().details["changed"];
    assert_eq!(
        changed,
        &json!([
            "name",
            "displayName",
            "active",
            format!("{ENTERPRISE}:costCenter"),
            format!("{ENTERPRISE}:division"),
            format!("{ENTERPRISE}:employeeNumber"),
            format!("{ENTERPRISE}:manager")
        ])
    );
    let stripped = patch(json!([
        {"op": "remove", "path": format!("{ENTERPRISE}:manager")},
        {"op": "remove", "path": format!("{ENTERPRISE}:employeeNumber")},
        {"op": "remove", "path": format!("{ENTERPRISE}:costCenter")},
        {"op": "remove", "path": format!("{ENTERPRISE}:organization")},
        {"op": "remove", "path": format!("{ENTERPRISE}:department")},
    ]))
    .unwrap();
    assert!(stripped.get(ENTERPRISE).is_none());
    assert_eq!(
        stripped["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:User"])
    );
    let hash = |w: &World| {
        serde_json::to_value(w.engine.export_state())
            .unwrap()
            .to_string()
    };
    assert!(
        hash(&w).contains("pbkdf2-sha256$"),
        "a PATCH leaves the password"
    );
    let mut replacement = user("bjensen@example.com");
    replacement["title"] = json!("Boss");
    w.engine
        .scim_replace_user(w.org.sid, &uid, &replacement, None, &admin())
        .unwrap();
    assert!(
        hash(&w).contains("pbkdf2-sha256$"),
        "a replace without one keeps it"
    );
    patch(json!([{"op": "remove", "path": "password"}])).unwrap();
    assert!(
        !hash(&w).contains("pbkdf2-sha256$"),
        "a PATCH remove drops it"
    );
    let errors = [
        (json!([{"op": "replace", "path": "groups", "value": []}]), "mutability: `groups` is read-only"),
        (json!([{"op": "replace", "path": format!("{ENTERPRISE}:manager.displayName"), "value": "x"}]), "mutability: `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName` is read-only"),
        (json!([{"op": "add", "path": format!("{ENTERPRISE}:nope"), "value": "x"}]), "invalid path: unknown attribute `nope` (at byte 0 of \"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:nope\")"),
        (json!([{"op": "add", "value": {ENTERPRISE: {"department": 7}}}]), "invalid value: `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department` must be a string, not 7"),
        (json!([{"op": "replace", "path": "active", "value": "maybe"}]), "invalid value: `active` must be true or false, not \"maybe\""),
    ];
    for (ops, want) in errors {
        let e = patch(ops.clone()).unwrap_err();
        assert_eq!(e.detail(), want, "{ops}");
    }
}
