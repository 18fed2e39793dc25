//! The store test suite: what every durable store must do, run against SQLite
//! (`sqlite_store.rs`) and PostgreSQL (`postgres_store.rs`). Each test takes a
//! fresh, empty database of its store.

use iamkit::{
    Actor, Algorithm, AuditQuery, AuthorizeRequest, Database, Engine, EngineConfig, Error,
    ErrorCode, KeyError, ManualClock, NewApp, NewUser, OwnerSid, Role, ScimError, ScimRules,
    StateError, StoreError, TokenRequest,
};
use serde_json::{json, Value};

/// A fresh database of one store, and what the suite does to it behind the
/// engine's back.
pub trait TestDb {
    /// Where it is, for `Engine::builder().database`.
    fn location(&self) -> Database;
    /// The stored audit rows, `(row number, event as JSON)`, in order.
    fn audit_rows(&self) -> Vec<(i64, String)>;
    /// Makes the stored organization's value unreadable.
    fn corrupt_an_organization(&self);
    /// Makes the database refuse, with "disk refused", every write of a user whose
    /// value contains `marker`.
    fn refuse_users_named(&self, marker: &str);
}

/// Runs every test of the suite, each on a database `fresh` makes.
#[macro_export]
macro_rules! store_suite {
    ($fresh:expr) => {
        $crate::store_suite_tests!($fresh; everything_written_is_there_after_reopening, accounts_keep_their_owner_order_and_rotated_auth_token, deletes_and_revocations_are_kept_too, an_import_replaces_the_whole_database, the_audit_log_stays_bounded_in_the_database, a_corrupt_row_is_refused_when_opening, users_are_checked_against_the_engine_rules_when_opening, the_kept_key_decides_the_algorithm, a_write_the_database_refuses_is_not_applied_in_memory);
    };
}

/// One `#[test]` per suite function.
#[macro_export]
macro_rules! store_suite_tests {
    ($fresh:expr; $($name:ident),*) => {
        $(
            #[test]
            fn $name() {
                let db = $fresh();
                store_suite::$name(&db);
            }
        )*
    };
}

pub fn clock() -> ManualClock {
    ManualClock::parse("2026-01-01T00:00:00Z").unwrap()
}

pub fn open(db: &dyn TestDb, clock: &ManualClock) -> Result<Engine, Error> {
    Engine::builder()
        .clock(clock.clone())
        .database(db.location())
        .build()
}

pub fn export(engine: &Engine) -> Value {
    serde_json::from_str(&engine.export_state()).unwrap()
}

/// Creates the organization's Owner, `owner@acme.example`.
pub fn owner(engine: &Engine, org: iamkit::OrganizationSid) -> iamkit::User {
    engine
        .create_user(NewUser {
            organization_sid: org,
            user_name: "owner@acme.example".into(),
            roles: vec![Role::Owner],
            sso: false,
        })
        .unwrap()
}

/// `user`'s approval of an authorization code for `client_id`, redirected to
/// `https://idp.example/cb`.
pub fn code_request(
    client_id: &iamkit::ClientId,
    user: &iamkit::User,
    scope: Option<&str>,
) -> AuthorizeRequest {
    AuthorizeRequest {
        client_id: client_id.to_string(),
        response_type: "code".into(),
        redirect_uri: "https://idp.example/cb".into(),
        scope: scope.map(str::to_owned),
        state: None,
        user_sid: user.sid.to_string(),
        code_challenge: None,
        code_challenge_method: None,
    }
}

/// Fills an engine with one of everything and returns a token it issued.
pub fn populate(engine: &Engine, clock: &ManualClock) -> String {
    let admin = Actor::admin();
    let org = engine.create_organization("Acme").unwrap();
    let account = engine
        .create_account(iamkit::NewAccount::new(org.sid, "Production"), &admin)
        .unwrap()
        .account;
    let owner = owner(engine, org.sid);
    for i in 0..5 {
        let name = format!("user{i}@acme.example");
        engine
            .scim_create_user(
                org.sid,
                &json!({"userName": name, "emails": [{"value": name, "primary": true}]}),
                &admin,
            )
            .unwrap();
    }
    let app = engine
        .create_app(
            NewApp::client_credentials(
                OwnerSid::Account(account.sid),
                "Reporter",
                &["messages/list"],
            ),
            &admin,
        )
        .unwrap();
    engine
        .rotate_secret(app.app.client_id, Some(3600), &admin)
        .unwrap();
    let connector = engine
        .create_app(
            NewApp::authorization_code(
                org.sid,
                "Connector",
                "https://idp.example/cb",
                &["managed-users/list"],
            ),
            &admin,
        )
        .unwrap();
    let approved = engine
        .authorize(&code_request(
            &connector.app.client_id,
            &owner,
            Some("offline_access"),
        ))
        .unwrap();
    engine
        .token(&TokenRequest::authorization_code(
            &connector.app.client_id.to_string(),
            connector.client_secret.expose(),
            approved.code.expose(),
            "https://idp.example/cb",
        ))
        .unwrap();
    clock.advance(time::Duration::seconds(5));
    let token = engine
        .token(&TokenRequest::client_credentials(
            &app.app.client_id.to_string(),
            app.client_secret.expose(),
        ))
        .unwrap();
    token.access_token.expose().to_owned()
}

pub fn everything_written_is_there_after_reopening(db: &dyn TestDb) {
    let clock = clock();
    let engine = open(db, &clock).unwrap();
    let token = populate(&engine, &clock);
    let before = export(&engine);
    let jwks = engine.jwks();
    let audit = engine.audit_events(&AuditQuery::default());
    drop(engine);

    let engine = open(db, &clock).unwrap();
    assert_eq!(export(&engine), before);
    assert_eq!(engine.audit_events(&AuditQuery::default()), audit);
    assert_eq!(engine.jwks(), jwks, "the signing key is kept");
    let claims = engine
        .verify(&token)
        .expect("a token from before the restart");
    assert_eq!(claims.scope, "messages/list");
}

pub fn accounts_keep_their_owner_order_and_rotated_auth_token(db: &dyn TestDb) {
    let clock = clock();
    let engine = open(db, &clock).unwrap();
    let org = engine.create_organization("Acme").unwrap().sid;
    let owner = owner(&engine, org);
    let new = |name: &str| {
        engine
            .create_account(iamkit::NewAccount::new(org, name), &Actor::admin())
            .unwrap()
    };
    let (first, second) = (new("First"), new("Second"));
    let token = engine
        .rotate_auth_token(second.account.sid, &Actor::admin())
        .unwrap();
    drop(engine);

    let engine = open(db, &clock).unwrap();
    let listed: Vec<_> = engine
        .accounts(org)
        .unwrap()
        .iter()
        .map(|a| (a.sid, a.owner_sid))
        .collect();
    assert_eq!(
        listed,
        [
            (first.account.sid, Some(owner.sid)),
            (second.account.sid, Some(owner.sid))
        ]
    );
    let sid = second.account.sid.to_string();
    assert!(engine.authenticate_account(&sid, token.expose()).is_ok());
    assert!(engine
        .authenticate_account(&sid, second.auth_token.expose())
        .is_err());
    assert!(engine
        .authenticate_account(&first.account.sid.to_string(), first.auth_token.expose())
        .is_ok());
}

pub fn deletes_and_revocations_are_kept_too(db: &dyn TestDb) {
    let clock = clock();
    let engine = open(db, &clock).unwrap();
    let token = populate(&engine, &clock);
    let client_id = engine.verify(&token).unwrap().client_id;
    engine.delete_app(client_id, &Actor::admin()).unwrap();
    let org = engine.organizations()[0].sid;
    let users = engine
        .scim_list_users(org, &Default::default())
        .unwrap()
        .resources;
    let id = users[1]["id"].as_str().unwrap().to_owned();
    engine
        .scim_delete_user(org, &id, None, &Actor::admin())
        .unwrap();
    let before = export(&engine);
    drop(engine);

    let engine = open(db, &clock).unwrap();
    assert_eq!(export(&engine), before);
    assert_eq!(engine.verify(&token).unwrap_err().code(), "app_deleted");
    let err = engine
        .scim_get_user(org, &id, &Default::default())
        .unwrap_err();
    assert_eq!(err.code(), "notFound");
}

pub fn an_import_replaces_the_whole_database(db: &dyn TestDb) {
    let clock = clock();
    let source = Engine::builder().clock(clock.clone()).build().unwrap();
    populate(&source, &clock);
    let exported = source.export_state();

    let engine = open(db, &clock).unwrap();
    engine.create_organization("Replaced").unwrap();
    engine.import_state(&exported).unwrap();
    drop(engine);
    let engine = open(db, &clock).unwrap();
    let mut kept = export(&engine);
    let events = kept["state"]["audit"]["events"].as_array_mut().unwrap();
    let imported = events.pop().unwrap();
    assert_eq!(imported["event_type"], "state.imported");
    assert_eq!(imported["details"]["replaced_audit_events"], 0);
    assert_eq!(kept, serde_json::from_str::<Value>(&exported).unwrap());
}

pub fn the_audit_log_stays_bounded_in_the_database(db: &dyn TestDb) {
    let clock = clock();
    let config = EngineConfig {
        audit_capacity: 4,
        refusal_capacity: 2,
        ..EngineConfig::default()
    };
    let build = || {
        Engine::builder()
            .clock(clock.clone())
            .config(config.clone())
            .database(db.location())
            .build()
            .unwrap()
    };
    let engine = build();
    let org = engine.create_organization("Acme").unwrap();
    let user = |i: u32| NewUser {
        organization_sid: org.sid,
        user_name: format!("user{i}@acme.example"),
        roles: vec![Role::Developer],
        sso: false,
    };
    for i in 0..10 {
        engine.create_user(user(i)).unwrap();
    }
    for _ in 0..3 {
        let refused = TokenRequest::client_credentials("OQ00000000000000000000000000000000", "x");
        engine.token(&refused).unwrap_err();
    }
    let audit = engine.audit_events(&AuditQuery::default());
    assert_eq!(
        audit.len(),
        4 + 2,
        "the newest four events and two refusals"
    );
    drop(engine);
    let engine = build();
    assert_eq!(engine.audit_events(&AuditQuery::default()), audit);
    engine.create_user(user(10)).unwrap();
    let audit = engine.audit_events(&AuditQuery::default());
    drop(engine);
    let rows = db.audit_rows();
    let seqs: Vec<i64> = rows.iter().map(|r| r.0).collect();
    // Each user is two events: the user and its role assignment (rows 0 to 19, then
    // 23 and 24); the refusals are rows 20 to 22.
    assert_eq!(
        seqs,
        [18, 19, 21, 22, 23, 24],
        "the newest four of 22 events and two of three refusals, in recorded order"
    );
    let kept: Vec<iamkit::AuditEvent> = rows
        .iter()
        .map(|r| serde_json::from_str(&r.1).unwrap())
        .collect();
    assert_eq!(kept, audit);
}

pub fn a_corrupt_row_is_refused_when_opening(db: &dyn TestDb) {
    let engine = open(db, &clock()).unwrap();
    engine.create_organization("Acme").unwrap();
    drop(engine);
    db.corrupt_an_organization();
    let err = open(db, &clock()).unwrap_err();
    assert!(
        matches!(&err, Error::Store(StoreError::Invalid(m)) if m.starts_with("organizations OR")),
        "{err:?}"
    );
}

pub fn users_are_checked_against_the_engine_rules_when_opening(db: &dyn TestDb) {
    let engine = Engine::builder()
        .scim_rules(ScimRules::Rfc7643)
        .database(db.location())
        .build()
        .unwrap();
    let org = engine.create_organization("Acme").unwrap();
    engine
        .scim_create_user(org.sid, &json!({"userName": "ann"}), &Actor::admin())
        .unwrap();
    drop(engine);
    // Twilio's rules want userName to be the primary email: the stored user breaks them.
    let err = open(db, &clock()).unwrap_err();
    assert!(
        matches!(&err, Error::State(StateError::Invalid(m)) if m.contains("`emails` is required")),
        "{err:?}"
    );
}

pub fn the_kept_key_decides_the_algorithm(db: &dyn TestDb) {
    let engine = Engine::builder()
        .algorithm(Algorithm::HS256)
        .database(db.location())
        .build()
        .unwrap();
    drop(engine);
    let reopened = Engine::builder().database(db.location()).build().unwrap();
    assert_eq!(reopened.algorithm(), Algorithm::HS256);
    drop(reopened);
    let err = Engine::builder()
        .algorithm(Algorithm::ES256)
        .database(db.location())
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        Error::Key(KeyError::StoredAlgorithm {
            stored: Algorithm::HS256,
            wanted: Algorithm::ES256
        })
    );
}

pub fn a_write_the_database_refuses_is_not_applied_in_memory(db: &dyn TestDb) {
    let clock = clock();
    let engine = open(db, &clock).unwrap();
    let org = engine.create_organization("Acme").unwrap();
    drop(engine);
    // A trigger stands in for a failing disk: it aborts writes of one user.
    db.refuse_users_named("poison");

    let engine = open(db, &clock).unwrap();
    let before = export(&engine);
    let err = engine
        .scim_create_user(
            org.sid,
            &json!({"userName": "poison@acme.example",
                    "emails": [{"value": "poison@acme.example", "primary": true}]}),
            &Actor::admin(),
        )
        .unwrap_err();
    assert!(
        matches!(&err, ScimError::Store(StoreError::Io(m)) if m.contains("disk refused")),
        "{err:?}"
    );
    assert_eq!((err.status(), err.twilio_code()), (500, 20500));
    assert_eq!(
        export(&engine),
        before,
        "neither the user nor its audit event"
    );
    // The engine goes on writing what the file accepts.
    engine
        .scim_create_user(
            org.sid,
            &json!({"userName": "ann@acme.example",
                    "emails": [{"value": "ann@acme.example", "primary": true}]}),
            &Actor::admin(),
        )
        .unwrap();
    drop(engine);
    let engine = open(db, &clock).unwrap();
    let users = engine
        .scim_list_users(org.sid, &Default::default())
        .unwrap();
    assert_eq!(users.total_results, 1);
}
