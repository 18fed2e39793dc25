//! The durable SQLite store: what an engine wrote is there after reopening, the
//! signing key survives, the file is private, and bad files are refused.

use std::path::{Path, PathBuf};

use iamkit::{
    Actor, Algorithm, AuditQuery, AuthorizeRequest, Engine, EngineConfig, Error, ErrorCode,
    KeyError, ManualClock, NewApp, NewUser, OwnerSid, Role, ScimError, ScimRules, SqliteStore,
    StateError, StoreError, TokenRequest,
};
use serde_json::{json, Value};

fn clock() -> ManualClock {
    ManualClock::parse("2026-01-01T00:00:00Z").unwrap()
}

fn open(path: &Path, clock: &ManualClock) -> Result<Engine, Error> {
    Engine::builder()
        .clock(clock.clone())
        .database(path)
        .build()
}

fn export(engine: &Engine) -> Value {
    serde_json::from_str(&engine.export_state()).unwrap()
}

fn db_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("iamkit.db")
}

/// Fills an engine with one of everything and returns a token it issued.
fn populate(engine: &Engine, clock: &ManualClock) -> String {
    let admin = Actor::admin();
    let org = engine.create_organization("Acme").unwrap();
    let account = engine
        .create_account(iamkit::NewAccount::new(org.sid, "Production"), &admin)
        .unwrap()
        .account;
    let owner = engine
        .create_user(NewUser {
            organization_sid: org.sid,
            user_name: "owner@acme.example".into(),
            roles: vec![Role::Owner],
            sso: false,
        })
        .unwrap();
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
        .authorize(&AuthorizeRequest {
            client_id: connector.app.client_id.to_string(),
            response_type: "code".into(),
            redirect_uri: "https://idp.example/cb".into(),
            scope: Some("offline_access".into()),
            state: None,
            user_sid: owner.sid.to_string(),
            code_challenge: None,
            code_challenge_method: None,
        })
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

#[test]
fn everything_written_is_there_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let clock = clock();
    let engine = open(&path, &clock).unwrap();
    let token = populate(&engine, &clock);
    let before = export(&engine);
    let jwks = engine.jwks();
    let audit = engine.audit_events(&AuditQuery::default());
    drop(engine);

    let engine = open(&path, &clock).unwrap();
    assert_eq!(export(&engine), before);
    assert_eq!(engine.audit_events(&AuditQuery::default()), audit);
    assert_eq!(engine.jwks(), jwks, "the signing key is kept");
    let claims = engine
        .verify(&token)
        .expect("a token from before the restart");
    assert_eq!(claims.scope, "messages/list");
}

#[test]
fn accounts_keep_their_owner_order_and_rotated_auth_token() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let clock = clock();
    let engine = open(&path, &clock).unwrap();
    let org = engine.create_organization("Acme").unwrap().sid;
    let owner = engine
        .create_user(NewUser {
            organization_sid: org,
            user_name: "owner@acme.example".into(),
            roles: vec![Role::Owner],
            sso: false,
        })
        .unwrap();
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

    let engine = open(&path, &clock).unwrap();
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

#[test]
fn deletes_and_revocations_are_kept_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let clock = clock();
    let engine = open(&path, &clock).unwrap();
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

    let engine = open(&path, &clock).unwrap();
    assert_eq!(export(&engine), before);
    assert_eq!(engine.verify(&token).unwrap_err().code(), "app_deleted");
    let err = engine
        .scim_get_user(org, &id, &Default::default())
        .unwrap_err();
    assert_eq!(err.code(), "notFound");
}

#[test]
fn an_import_replaces_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let source = Engine::builder().clock(clock.clone()).build().unwrap();
    populate(&source, &clock);
    let exported = source.export_state();

    let path = db_path(&dir);
    let engine = open(&path, &clock).unwrap();
    engine.create_organization("Replaced").unwrap();
    engine.import_state(&exported).unwrap();
    drop(engine);
    let engine = open(&path, &clock).unwrap();
    let mut kept = export(&engine);
    let events = kept["state"]["audit"]["events"].as_array_mut().unwrap();
    let imported = events.pop().unwrap();
    assert_eq!(imported["event_type"], "state.imported");
    assert_eq!(imported["details"]["replaced_audit_events"], 0);
    assert_eq!(kept, serde_json::from_str::<Value>(&exported).unwrap());
}

#[test]
fn the_audit_log_stays_bounded_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
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
            .database(&path)
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
    let db = rusqlite::Connection::open(&path).unwrap();
    let rows: Vec<(i64, String)> = db
        .prepare("SELECT seq, value FROM audit_events ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
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

#[cfg(unix)]
#[test]
fn the_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let engine = open(&path, &clock()).unwrap();
    engine.create_organization("Acme").unwrap();
    for file in [path.clone(), path.with_extension("db-wal")] {
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }
}

#[test]
fn a_second_engine_cannot_open_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let _first = open(&path, &clock()).unwrap();
    let second = SqliteStore::open(&path).unwrap_err();
    assert_eq!(second, StoreError::Locked);
    assert_eq!(second.code(), "database_locked");
}

#[test]
fn refuses_files_it_cannot_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    std::fs::write(
        &path,
        "not a database, just text that is long enough to read",
    )
    .unwrap();
    assert!(matches!(
        SqliteStore::open(&path),
        Err(StoreError::Invalid(_))
    ));

    let newer = dir.path().join("newer.db");
    drop(SqliteStore::open(&newer).unwrap());
    let db = rusqlite::Connection::open(&newer).unwrap();
    db.pragma_update(None, "user_version", 99).unwrap();
    drop(db);
    assert_eq!(
        SqliteStore::open(&newer).unwrap_err(),
        StoreError::NewerSchema {
            found: 99,
            supported: 1
        }
    );
}

#[test]
fn a_corrupt_row_is_refused_when_opening() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let engine = open(&path, &clock()).unwrap();
    engine.create_organization("Acme").unwrap();
    drop(engine);
    let db = rusqlite::Connection::open(&path).unwrap();
    db.execute("UPDATE organizations SET value = '{\"name\": 1}'", [])
        .unwrap();
    drop(db);
    let err = open(&path, &clock()).unwrap_err();
    assert!(
        matches!(&err, Error::Store(StoreError::Invalid(m)) if m.starts_with("organizations OR")),
        "{err:?}"
    );
}

#[test]
fn users_are_checked_against_the_engine_rules_when_opening() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let engine = Engine::builder()
        .scim_rules(ScimRules::Rfc7643)
        .database(&path)
        .build()
        .unwrap();
    let org = engine.create_organization("Acme").unwrap();
    engine
        .scim_create_user(org.sid, &json!({"userName": "ann"}), &Actor::admin())
        .unwrap();
    drop(engine);
    // Twilio's rules want userName to be the primary email: the stored user breaks them.
    let err = open(&path, &clock()).unwrap_err();
    assert!(
        matches!(&err, Error::State(StateError::Invalid(m)) if m.contains("`emails` is required")),
        "{err:?}"
    );
}

#[test]
fn the_kept_key_decides_the_algorithm() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let engine = Engine::builder()
        .algorithm(Algorithm::HS256)
        .database(&path)
        .build()
        .unwrap();
    drop(engine);
    let reopened = Engine::builder().database(&path).build().unwrap();
    assert_eq!(reopened.algorithm(), Algorithm::HS256);
    drop(reopened);
    let err = Engine::builder()
        .algorithm(Algorithm::ES256)
        .database(&path)
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

#[test]
fn a_write_the_file_refuses_is_not_applied_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let clock = clock();
    let engine = open(&path, &clock).unwrap();
    let org = engine.create_organization("Acme").unwrap();
    drop(engine);
    // A trigger stands in for a failing disk: it aborts writes of one user.
    let db = rusqlite::Connection::open(&path).unwrap();
    db.execute_batch(
        "CREATE TRIGGER refuse BEFORE INSERT ON users WHEN NEW.value LIKE '%poison%'
         BEGIN SELECT RAISE(ABORT, 'disk refused'); END;",
    )
    .unwrap();
    drop(db);

    let engine = open(&path, &clock).unwrap();
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
    let engine = open(&path, &clock).unwrap();
    let users = engine
        .scim_list_users(org.sid, &Default::default())
        .unwrap();
    assert_eq!(users.total_results, 1);
}
