//! A state import is no backdoor: it is audited, refuses what this engine would not
//! read, and refuses anything dated after the engine clock.

mod common;

use common::World;
use iamkit::{AuditQuery, AuthorizeRequest, StateError};
use serde_json::{json, Value};

/// A world with an app, a user who approved it once, and its export.
fn exported() -> (World, Value) {
    let w = World::new();
    let app = w.code_app();
    let owner = w.owner();
    w.engine
        .authorize(&AuthorizeRequest {
            client_id: app.app.client_id.to_string(),
            response_type: "code".into(),
            redirect_uri: "https://app.example.com/cb".into(),
            user_sid: owner.sid.to_string(),
            ..Default::default()
        })
        .unwrap();
    let state = serde_json::from_str(&w.engine.export_state()).unwrap();
    (w, state)
}

fn first_entry<'v>(state: &'v mut Value, table: &str) -> (String, &'v mut Value) {
    let map = state["state"][table].as_object_mut().unwrap();
    let (key, value) = map.iter_mut().next().unwrap();
    (key.clone(), value)
}

#[test]
fn an_import_is_an_audit_event_of_the_imported_log() {
    let (w, state) = exported();
    let before = w.engine.audit_events(&AuditQuery::default()).len();
    let other = World::new();
    other.engine.import_state(&state.to_string()).unwrap();
    let events = other.engine.audit_events(&AuditQuery::default());
    assert_eq!(events.len(), before + 1);
    let imported = events.last().unwrap();
    assert_eq!(
        (imported.event_type.as_str(), imported.actor.as_str()),
        ("state.imported", "admin")
    );
    assert_eq!(
        imported.details,
        json!({"organizations": 1, "apps": 1, "users": 1, "authorizations": 1,
               "audit_events": before, "replaced_audit_events": 0})
    );
}

#[test]
fn fields_this_engine_does_not_read_are_refused() {
    let (_w, state) = exported();
    let mut cases = Vec::new();
    let mut top = state.clone();
    top["comment"] = json!("x");
    cases.push((top, "unknown field comment".to_owned()));
    let mut in_state = state.clone();
    in_state["state"]["backdoor"] = json!({});
    cases.push((in_state, "unknown field state.backdoor".to_owned()));
    for table in ["apps", "grants", "authorizations"] {
        let mut doctored = state.clone();
        let (key, entry) = first_entry(&mut doctored, table);
        entry["never_expires"] = json!(true);
        cases.push((
            doctored,
            format!("unknown field state.{table}.{key}.never_expires"),
        ));
    }
    for (doctored, expected) in cases {
        let other = World::new();
        let refused = other.engine.import_state(&doctored.to_string());
        assert_eq!(refused, Err(StateError::Invalid(expected)));
        assert_eq!(
            other.engine.organizations(),
            std::slice::from_ref(&other.org),
            "nothing was applied"
        );
    }
    // The export itself goes in whole.
    World::new()
        .engine
        .import_state(&state.to_string())
        .unwrap();
}

#[test]
fn anything_dated_after_the_engine_clock_is_refused() {
    let (_w, state) = exported();
    for (table, field) in [
        ("grants", "issued_at"),
        ("authorizations", "created_at"),
        ("apps", "created_at"),
    ] {
        let mut doctored = state.clone();
        let (key, entry) = first_entry(&mut doctored, table);
        entry[field] = json!("2099-01-01T00:00:00Z");
        let other = World::new();
        let refused = other
            .engine
            .import_state(&doctored.to_string())
            .unwrap_err();
        let StateError::Invalid(message) = refused else {
            panic!("{refused:?}");
        };
        assert!(
            message.ends_with("is dated after the engine clock"),
            "{message}"
        );
        assert!(message.contains(&key), "{message}");
    }
    let mut event_later = state.clone();
    event_later["state"]["audit"]["events"][0]["at"] = json!("2099-01-01T00:00:00Z");
    let refused = World::new().engine.import_state(&event_later.to_string());
    assert!(matches!(refused, Err(StateError::Invalid(m)) if m.starts_with("audit event ")));
}
