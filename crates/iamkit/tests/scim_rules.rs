//! The SCIM rule sets through the engine: Twilio's (the default) refuses what only
//! Twilio requires, with its exact error, on every kind of write (create, replace,
//! patch, state import); RFC 7643's accepts it and stores users without emails
//! and emails without a value.

mod common;

use common::World;
use iamkit::{
    Actor, Engine, EngineConfig, Projection, ScimError, ScimRules, StateError, UserQuery,
};
use serde_json::{json, Value};

const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

fn world(rules: ScimRules) -> World {
    World::with(Engine::builder().scim_rules(rules))
}

fn idp() -> Actor {
    Actor::named("idp")
}

fn invalid(detail: &str) -> ScimError {
    ScimError::InvalidValue(detail.into())
}

fn patch(operations: Value) -> Value {
    json!({"schemas": [PATCH_URN], "Operations": operations})
}

impl World {
    fn create(&self, resource: &Value) -> Result<Value, ScimError> {
        self.engine.scim_create_user(self.org.sid, resource, &idp())
    }

    fn replace(&self, id: &str, resource: &Value) -> Result<Value, ScimError> {
        self.engine
            .scim_replace_user(self.org.sid, id, resource, None, &idp())
    }

    fn patch(&self, id: &str, operations: Value) -> Result<Value, ScimError> {
        self.engine
            .scim_patch_user(self.org.sid, id, &patch(operations), None, &idp())
    }

    fn get(&self, id: &str) -> Value {
        self.engine
            .scim_get_user(self.org.sid, id, &Projection::default())
            .expect("user")
    }

    fn ids(&self, filter: &str) -> Vec<String> {
        let query = UserQuery {
            filter: Some(filter.into()),
            ..UserQuery::default()
        };
        self.engine
            .scim_list_users(self.org.sid, &query)
            .expect("list")
            .resources
            .iter()
            .map(|u| u["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

fn id(user: &Value) -> String {
    user["id"].as_str().expect("id").to_owned()
}

/// A user as scim2-tester makes one: a UUID `userName` and an email that is not it.
fn uuid_user() -> Value {
    json!({
        "schemas": [USER_URN],
        "userName": "6757d849-e902-4317-9a92-54ffd1a60930",
        "emails": [{"value": "f1464de9@528b2b5b.example", "type": "work", "primary": true}],
    })
}

#[test]
fn the_rule_set_is_configured_once_and_twilio_is_the_default() {
    assert_eq!(EngineConfig::default().scim_rules, ScimRules::Twilio);
    assert_eq!(Engine::new().config().scim_rules, ScimRules::Twilio);
    let config = EngineConfig::default().scim_rules(ScimRules::Rfc7643);
    let engine = Engine::builder().config(config).build().unwrap();
    assert_eq!(engine.config().scim_rules, ScimRules::Rfc7643);
    let engine = Engine::builder()
        .scim_rules(ScimRules::Rfc7643)
        .build()
        .unwrap();
    assert_eq!(engine.config().scim_rules, ScimRules::Rfc7643);
}

/// Each Twilio-only rule, refused on create under Twilio's rules with its exact
/// error and accepted under RFC 7643's.
#[test]
fn twilio_only_rules_on_create() {
    let cases = [
        (
            uuid_user(),
            "`userName` \"6757d849-e902-4317-9a92-54ffd1a60930\" must equal the primary email \"f1464de9@528b2b5b.example\"",
        ),
        (
            json!({"userName": "x", "emails": [{"value": "x@example.com"}]}),
            "`userName` must be 2 to 255 characters, not 1",
        ),
        (json!({"userName": "ann@example.com"}), "`emails` is required"),
        (
            json!({"userName": "bob@example.com", "emails": []}),
            "`emails` is required",
        ),
        (
            json!({"userName": "cy@example.com", "emails": [{"primary": true}]}),
            "every value of `emails` needs a `value`",
        ),
    ];
    let twilio = World::new();
    let rfc = world(ScimRules::Rfc7643);
    for (user, detail) in cases {
        assert_eq!(twilio.create(&user), Err(invalid(detail)), "{user}");
        let created = rfc.create(&user).unwrap_or_else(|e| panic!("{user}: {e}"));
        assert_eq!(created["userName"], user["userName"]);
        assert_eq!(rfc.get(&id(&created)), created);
    }
    assert_eq!(twilio.engine.users(twilio.org.sid).len(), 0);
    assert_eq!(rfc.engine.users(rfc.org.sid).len(), 5);
}

#[test]
fn rfc7643_rules_still_refuse_what_rfc7643_requires() {
    let w = world(ScimRules::Rfc7643);
    let ann = w.create(&json!({"userName": "ann"})).unwrap();
    let cases = [
        (
            json!({"emails": [{"value": "x@example.com"}]}),
            invalid("`userName` is required"),
        ),
        (
            json!({"userName": ""}),
            invalid("`userName` must not be empty"),
        ),
        (
            json!({"userName": "b", "emails": [{"value": "not an address"}]}),
            invalid("\"not an address\" is not an email address"),
        ),
        (
            json!({"userName": "b", "emails": [{"primary": true}, {"type": "home", "primary": true}]}),
            invalid("at most one value of `emails` may be primary"),
        ),
        (
            json!({"userName": "b", "favoriteColor": "b"}),
            ScimError::InvalidSyntax("unknown attribute `favoriteColor`".into()),
        ),
    ];
    for (user, error) in cases {
        assert_eq!(w.create(&user), Err(error), "{user}");
    }
    let clash = w.create(&json!({"userName": "ANN"})).unwrap_err();
    assert_eq!(
        clash,
        ScimError::Uniqueness("userName \"ANN\" is already taken in this organization".into())
    );
    assert_eq!(w.engine.users(w.org.sid).len(), 1);
    assert_eq!(w.get(&id(&ann))["userName"], "ann");
}

#[test]
fn users_without_emails_are_stored_read_filtered_and_sorted() {
    let w = world(ScimRules::Rfc7643);
    let bare = w
        .create(&json!({"schemas": [USER_URN], "userName": "bare", "displayName": "Bare"}))
        .unwrap();
    assert!(bare.get("emails").is_none(), "no emails member: {bare}");
    assert_eq!(bare["meta"]["version"], "W/\"1\"");
    let typed = w
        .create(&json!({"userName": "typed", "emails": [{"type": "home", "primary": true}]}))
        .unwrap();
    assert_eq!(typed["emails"], json!([{"type": "home", "primary": true}]));
    let full = w
        .create(&json!({"userName": "full", "emails": [{"value": "full@example.com"}]}))
        .unwrap();
    let (bare, typed, full) = (id(&bare), id(&typed), id(&full));

    assert_eq!(w.ids("emails pr"), [typed.as_str(), full.as_str()]);
    assert_eq!(w.ids("not (emails pr)"), [bare.as_str()]);
    assert_eq!(w.ids("emails.value pr"), [full.as_str()]);
    assert_eq!(w.ids("emails[type eq \"home\"]"), [typed.as_str()]);
    assert_eq!(w.ids("emails co \"example\""), [full.as_str()]);
    let sorted = w
        .engine
        .scim_list_users(
            w.org.sid,
            &UserQuery {
                sort_by: Some("emails.value".into()),
                ..UserQuery::default()
            },
        )
        .unwrap();
    assert_eq!(sorted.total_results, 3);
    assert_eq!(sorted.resources[0]["id"], full, "users with a value first");
    let projected = w
        .engine
        .scim_get_user(
            w.org.sid,
            &bare,
            &Projection::parse(Some("emails"), None).unwrap(),
        )
        .unwrap();
    assert_eq!(projected, json!({"id": bare, "schemas": [USER_URN]}));
}

/// Replace and patch follow the engine's rules: Twilio's refuses a result that
/// breaks one of its rules, RFC 7643's keeps it.
#[test]
fn replace_and_patch_follow_the_rule_set() {
    let twilio = World::new();
    let rfc = world(ScimRules::Rfc7643);
    let ann = json!({"userName": "ann@example.com", "emails": [{"value": "ann@example.com", "primary": true}]});
    let remove_emails = json!([{"op": "remove", "path": "emails"}]);
    let add_valueless = json!([{"op": "add", "path": "emails", "value": [{"type": "home"}]}]);
    let rename = json!([{"op": "replace", "path": "userName", "value": "ann"}]);
    let without_emails = json!({"userName": "ann@example.com"});

    let t = id(&twilio.create(&ann).unwrap());
    assert_eq!(
        twilio.patch(&t, remove_emails.clone()),
        Err(invalid("`emails` is required"))
    );
    assert_eq!(
        twilio.patch(&t, add_valueless.clone()),
        Err(invalid("every value of `emails` needs a `value`"))
    );
    assert_eq!(
        twilio.patch(&t, rename.clone()),
        Err(invalid(
            "`userName` \"ann\" must equal the primary email \"ann@example.com\""
        ))
    );
    assert_eq!(
        twilio.replace(&t, &without_emails),
        Err(invalid("`emails` is required"))
    );
    assert_eq!(
        twilio.get(&t)["meta"]["version"],
        "W/\"1\"",
        "nothing stored"
    );

    let r = id(&rfc.create(&ann).unwrap());
    let added = rfc.patch(&r, add_valueless).unwrap();
    assert_eq!(
        added["emails"],
        json!([{"value": "ann@example.com", "primary": true}, {"type": "home"}])
    );
    let removed = rfc.patch(&r, remove_emails).unwrap();
    assert!(removed.get("emails").is_none(), "{removed}");
    let renamed = rfc.patch(&r, rename).unwrap();
    assert_eq!(renamed["userName"], "ann");
    let replaced = rfc.replace(&r, &without_emails).unwrap();
    assert_eq!(replaced["meta"]["version"], "W/\"5\"");
    assert_eq!(rfc.get(&r), replaced);
}

/// An import is checked against the importing engine's rules.
#[test]
fn imports_follow_the_importing_engines_rules() {
    let rfc = world(ScimRules::Rfc7643);
    let bare = id(&rfc.create(&json!({"userName": "bare"})).unwrap());
    let exported = rfc.engine.export_state();

    let again = world(ScimRules::Rfc7643);
    again.engine.import_state(&exported).unwrap();
    let read = again
        .engine
        .scim_get_user(rfc.org.sid, &bare, &Projection::default())
        .unwrap();
    assert_eq!(read, rfc.get(&bare));

    let twilio = World::new();
    let refused = twilio.engine.import_state(&exported).unwrap_err();
    assert_eq!(
        refused,
        StateError::Invalid(format!("user {bare}: invalid value: `emails` is required"))
    );
    assert!(
        twilio.engine.organization(rfc.org.sid).is_err(),
        "nothing imported"
    );
}

#[test]
fn the_schemas_document_marks_required_what_the_rules_require() {
    for (rules, required) in [(ScimRules::Twilio, true), (ScimRules::Rfc7643, false)] {
        let w = world(rules);
        let schemas = w.engine.scim_schemas();
        let attributes = schemas["Resources"][0]["attributes"].as_array().unwrap();
        let attribute = |name: &str| {
            attributes
                .iter()
                .find(|a| a["name"] == name)
                .unwrap_or_else(|| panic!("{name}"))
        };
        assert_eq!(attribute("userName")["required"], true, "{rules}");
        let emails = attribute("emails");
        assert_eq!(emails["required"], required, "{rules}");
        let value = &emails["subAttributes"][0];
        assert_eq!(
            (value["name"].clone(), value["required"].clone()),
            (json!("value"), json!(required)),
            "{rules}"
        );
    }
}

#[test]
fn search_requests_become_user_queries() {
    let full = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "attributes": ["userName", "emails.value"],
        "excludedAttributes": [],
        "filter": "userName sw \"a\"",
        "sortBy": "userName",
        "sortOrder": "descending",
        "startIndex": 2,
        "count": 10,
    });
    assert_eq!(
        UserQuery::from_search_request(&full),
        Ok(UserQuery {
            filter: Some("userName sw \"a\"".into()),
            sort_by: Some("userName".into()),
            sort_order: Some("descending".into()),
            start_index: Some(2),
            count: Some(10),
            attributes: Some("userName,emails.value".into()),
            excluded_attributes: Some(String::new()),
        })
    );
    let negative = json!({
        "SCHEMAS": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "startindex": -4,
        "count": -1,
    });
    assert_eq!(
        UserQuery::from_search_request(&negative),
        Ok(UserQuery {
            start_index: Some(1),
            count: Some(0),
            ..UserQuery::default()
        })
    );
    let urn = json!(["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]);
    let refused = [
        (json!([]), "invalidSyntax"),
        (json!({}), "invalidSyntax"),
        (json!({"schemas": [USER_URN]}), "invalidSyntax"),
        (json!({"schemas": urn, "limit": 3}), "invalidSyntax"),
        (
            json!({"schemas": urn, "attributes": "userName"}),
            "invalidValue",
        ),
        (json!({"schemas": urn, "attributes": [1]}), "invalidValue"),
        (json!({"schemas": urn, "filter": true}), "invalidValue"),
        (json!({"schemas": urn, "count": 1.5}), "invalidValue"),
        (json!({"schemas": urn, "startIndex": "2"}), "invalidValue"),
    ];
    for (body, code) in refused {
        let err = UserQuery::from_search_request(&body).unwrap_err();
        assert_eq!(iamkit::ErrorCode::code(&err), code, "{body}");
    }
}
