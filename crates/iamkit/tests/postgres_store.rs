//! The PostgreSQL store: the store suite, and what only a shared database has —
//! several engines on it, each seeing the others' writes, the database deciding
//! what must hold across them, and token checks that fail closed when an engine
//! stops hearing from it.
//!
//! Needs a PostgreSQL server: `IAMKIT_TEST_POSTGRES` is the URL of a database on it
//! that may create databases (the test command starts one with
//! `scripts/postgres.sh`). Each test works in a database of its own.

mod store_suite;

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use iamkit::{
    Actor, Database, Engine, ErrorCode, ManualClock, NewApp, ScimError, StoreError, TokenError,
    TokenRequest,
};
use serde_json::json;
use store_suite::{clock, code_request, open, owner, populate, TestDb};

/// A database of its own on the test server, dropped afterwards.
struct PostgresDb {
    server: String,
    name: String,
}

fn server_url() -> String {
    std::env::var("IAMKIT_TEST_POSTGRES").expect(
        "IAMKIT_TEST_POSTGRES must name a PostgreSQL server for these tests \
         (`bash scripts/postgres.sh start DIR` starts one and prints its URL)",
    )
}

/// `url` with its database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let mut parsed = url::Url::parse(url).unwrap();
    parsed.set_path(name);
    parsed.to_string()
}

impl PostgresDb {
    fn fresh() -> Self {
        let server = server_url();
        let name = format!("iamkit_test_{}", uuid_like());
        let mut admin = postgres::Client::connect(&server, postgres::NoTls).unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        Self { server, name }
    }

    fn url(&self) -> String {
        with_database(&self.server, &self.name)
    }

    fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url(), postgres::NoTls).unwrap()
    }

    /// Runs `sql` as the server's administrator.
    fn admin(&self, sql: &str) {
        postgres::Client::connect(&self.server, postgres::NoTls)
            .unwrap()
            .batch_execute(sql)
            .unwrap();
    }
}

impl Drop for PostgresDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.server, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// A name no other test run uses.
fn uuid_like() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{}_{nanos}", std::process::id())
}

impl TestDb for PostgresDb {
    fn location(&self) -> Database {
        Database::Postgres(self.url())
    }

    fn audit_rows(&self) -> Vec<(i64, String)> {
        self.client()
            .query(
                "SELECT key, value FROM iamkit_audit_events ORDER BY key",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect()
    }

    fn corrupt_an_organization(&self) {
        self.client()
            .batch_execute("UPDATE iamkit_organizations SET value = '{\"name\": 1}'")
            .unwrap();
    }

    fn refuse_users_named(&self, marker: &str) {
        self.client()
            .batch_execute(&format!(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN
                     IF NEW.value LIKE '%{marker}%' THEN RAISE EXCEPTION 'disk refused'; END IF;
                     RETURN NEW;
                 END $$;
                 CREATE TRIGGER refuse BEFORE INSERT ON iamkit_users
                     FOR EACH ROW EXECUTE FUNCTION refuse();"
            ))
            .unwrap();
    }
}

store_suite!(PostgresDb::fresh);

/// Polls `check` until it holds, for at most two seconds (the staleness bound is
/// one); returns how long it took.
fn within_bound(mut check: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !check() {
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "not seen within the bound"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    start.elapsed()
}

fn two_engines(db: &PostgresDb, clock: &ManualClock) -> (Engine, Engine) {
    (open(db, clock).unwrap(), open(db, clock).unwrap())
}

#[test]
fn an_engine_sees_what_another_wrote_and_verifies_its_tokens() {
    let db = PostgresDb::fresh();
    let clock = clock();
    let (a, b) = two_engines(&db, &clock);
    let token = populate(&a, &clock);
    assert_eq!(a.jwks(), b.jwks(), "one signing key on the database");
    within_bound(|| b.verify(&token).is_ok());
    let exported = |e: &Engine| store_suite::export(e);
    within_bound(|| exported(&b) == exported(&a));

    // Deleting the app on one engine is refused on the other within the bound.
    let client_id = a.verify(&token).unwrap().client_id;
    b.delete_app(client_id, &Actor::admin()).unwrap();
    assert_eq!(b.verify(&token).unwrap_err(), TokenError::AppDeleted);
    within_bound(|| a.verify(&token) == Err(TokenError::AppDeleted));
}

#[test]
fn a_write_applies_what_others_wrote_first() {
    let db = PostgresDb::fresh();
    let clock = clock();
    let (a, b) = two_engines(&db, &clock);
    let org = a.create_organization("Acme").unwrap();
    // b writes straight away: its write reads the feed under the lock, so the
    // organization a just created is there even before b's follower has run.
    let user = owner(&b, org.sid);
    within_bound(|| a.users(org.sid).iter().any(|x| x.sid == user.sid));
}

#[test]
fn one_user_name_is_created_once_across_engines() {
    let db = PostgresDb::fresh();
    let clock = clock();
    let engines: Vec<Arc<Engine>> = (0..3)
        .map(|_| Arc::new(open(&db, &clock).unwrap()))
        .collect();
    let org = engines[0].create_organization("Acme").unwrap().sid;
    within_bound(|| engines.iter().all(|e| e.organization(org).is_ok()));
    let barrier = Arc::new(Barrier::new(30));
    let results: Vec<Result<serde_json::Value, ScimError>> = (0..30)
        .map(|i| {
            let engine = engines[i % 3].clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                engine.scim_create_user(
                    org,
                    &json!({"userName": "Ann@acme.example",
                            "emails": [{"value": "Ann@acme.example", "primary": true}]}),
                    &Actor::admin(),
                )
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    let created = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(created, 1, "exactly one create succeeds");
    for refused in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(refused.code(), "uniqueness", "{refused:?}");
    }
    let stored: i64 = db
        .client()
        .query_one("SELECT count(*) FROM iamkit_users", &[])
        .unwrap()
        .get(0);
    assert_eq!(stored, 1);
}

#[test]
fn a_code_is_redeemed_once_across_engines() {
    let db = PostgresDb::fresh();
    let clock = clock();
    let (a, b) = two_engines(&db, &clock);
    let org = a.create_organization("Acme").unwrap();
    let owner = owner(&a, org.sid);
    let app = a
        .create_app(
            NewApp::authorization_code(
                org.sid,
                "Connector",
                "https://idp.example/cb",
                &["managed-users/list"],
            ),
            &Actor::admin(),
        )
        .unwrap();
    let engines = [Arc::new(a), Arc::new(b)];
    for round in 0..10 {
        let code = engines[round % 2]
            .authorize(&code_request(&app.app.client_id, &owner, None))
            .unwrap()
            .code;
        let request = TokenRequest::authorization_code(
            &app.app.client_id.to_string(),
            app.client_secret.expose(),
            code.expose(),
            "https://idp.example/cb",
        );
        let barrier = Arc::new(Barrier::new(2));
        let answers: Vec<_> = engines
            .iter()
            .map(|engine| {
                let (engine, barrier, request) = (engine.clone(), barrier.clone(), request.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    engine.token(&request)
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap())
            .collect();
        assert_eq!(
            answers.iter().filter(|r| r.is_ok()).count(),
            1,
            "round {round}"
        );
        let refused = answers.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert_eq!(
            refused.code(),
            "invalid_grant",
            "round {round}: {refused:?}"
        );
    }
}

#[test]
fn engines_starting_together_agree_on_one_key() {
    let db = PostgresDb::fresh();
    let location = db.location();
    let barrier = Arc::new(Barrier::new(4));
    let keys: Vec<serde_json::Value> = (0..4)
        .map(|_| {
            let (location, barrier) = (location.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                Engine::builder().database(location).build().unwrap().jwks()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    assert!(keys.windows(2).all(|w| w[0] == w[1]), "{keys:?}");
}

#[test]
fn token_checks_fail_closed_while_the_database_is_away_and_recover() {
    let db = PostgresDb::fresh();
    let clock = clock();
    let engine = open(&db, &clock).unwrap();
    let token = populate(&engine, &clock);
    assert!(engine.verify(&token).is_ok());
    // The database refuses new connections and drops the engine's.
    db.admin(&format!(
        "ALTER DATABASE {name} ALLOW_CONNECTIONS false;
         SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",
        name = db.name
    ));
    let org = engine.organizations()[0].sid;
    let users_before = engine
        .scim_list_users(org, &Default::default())
        .unwrap()
        .total_results;
    let err = engine
        .scim_create_user(
            org,
            &json!({"userName": "late@acme.example",
                    "emails": [{"value": "late@acme.example", "primary": true}]}),
            &Actor::admin(),
        )
        .unwrap_err();
    assert!(
        matches!(err, ScimError::Store(StoreError::Unavailable(_))),
        "{err:?}"
    );
    assert_eq!(
        (err.code(), err.status(), err.twilio_code()),
        ("storage_error", 503, 20503)
    );
    within_bound(|| engine.verify(&token).is_err());
    let refused = engine.verify(&token).unwrap_err();
    assert_eq!((refused.code(), refused.status()), ("storage_error", 503));
    assert!(
        !engine.introspect(&token).active,
        "introspection fails closed"
    );

    db.admin(&format!(
        "ALTER DATABASE {} ALLOW_CONNECTIONS true",
        db.name
    ));
    within_bound(|| engine.verify(&token).is_ok());
    let users = engine.scim_list_users(org, &Default::default()).unwrap();
    assert_eq!(
        users.total_results, users_before,
        "the refused create left nothing"
    );
    engine
        .scim_create_user(
            org,
            &json!({"userName": "late@acme.example",
                    "emails": [{"value": "late@acme.example", "primary": true}]}),
            &Actor::admin(),
        )
        .expect("writes work again");
}

#[test]
fn an_engine_far_behind_reads_the_whole_state_again() {
    let db = PostgresDb::fresh();
    let clock = clock();
    let (a, b) = two_engines(&db, &clock);
    let org = a.create_organization("Acme").unwrap();
    within_bound(|| b.organization(org.sid).is_ok());
    // Trim the feed behind b's back, as 10,000 later writes would.
    a.create_organization("Later").unwrap();
    db.client()
        .batch_execute("DELETE FROM iamkit_changes")
        .unwrap();
    a.create_organization("Latest").unwrap();
    within_bound(|| b.organizations().len() == 3);
    assert_eq!(store_suite::export(&a), store_suite::export(&b));
}

#[test]
fn debug_hides_the_password() {
    let db = PostgresDb::fresh();
    let url = db.url().replace("postgres@", "postgres:hunter2@");
    let shown = format!("{:?}", Database::parse(&url));
    assert!(!shown.contains("hunter2"), "{shown}");
    let store = iamkit::PostgresStore::open(&url).unwrap();
    let shown = format!("{store:?}");
    assert!(
        !shown.contains("hunter2") && shown.contains("***"),
        "{shown}"
    );
}

/// A root certificate `scripts/postgres.sh` made: `ca.crt` signed the server's
/// certificate (for `localhost`), `other-ca.crt` signed nothing.
fn root_certificate(name: &str) -> String {
    let ca = std::env::var("IAMKIT_TEST_POSTGRES_CA").expect(
        "IAMKIT_TEST_POSTGRES_CA must name the root certificate of the test server \
         (DIR/ca.crt of `bash scripts/postgres.sh start DIR`)",
    );
    std::path::Path::new(&ca)
        .with_file_name(name)
        .display()
        .to_string()
}

/// The database's URL on `host`, with `query`.
fn tls_url(db: &PostgresDb, host: &str, query: &str) -> String {
    let mut url = url::Url::parse(&db.url()).unwrap();
    url.set_host(Some(host)).unwrap();
    url.set_query(Some(query));
    url.to_string()
}

/// Whether the engines' connections to `db` are encrypted, one entry each.
fn encrypted(db: &PostgresDb) -> Vec<bool> {
    postgres::Client::connect(&db.server, postgres::NoTls)
        .unwrap()
        .query(
            "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
             WHERE a.datname = $1 AND a.application_name = 'iamkit'",
            &[&db.name],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[test]
fn tls_is_used_as_sslmode_asks() {
    let ca = root_certificate("ca.crt");
    for (host, query, tls) in [
        ("127.0.0.1", "sslmode=disable".to_owned(), false),
        ("127.0.0.1", String::new(), true),
        ("127.0.0.1", "sslmode=require".to_owned(), true),
        (
            "127.0.0.1",
            format!("sslmode=verify-ca&sslrootcert={ca}"),
            true,
        ),
        (
            "localhost",
            format!("sslmode=verify-full&sslrootcert={ca}"),
            true,
        ),
    ] {
        let db = PostgresDb::fresh();
        let clock = clock();
        let url = tls_url(&db, host, &query);
        let engine = Engine::builder()
            .clock(clock.clone())
            .database(url.as_str())
            .build()
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        let token = populate(&engine, &clock);
        assert!(engine.verify(&token).is_ok(), "{url}");
        // The writer and the follower's listener.
        within_bound(|| encrypted(&db).len() == 2);
        assert_eq!(encrypted(&db), [tls, tls], "{url}");
    }
}

#[test]
fn the_servers_certificate_is_checked_as_sslmode_asks() {
    let db = PostgresDb::fresh();
    let ca = root_certificate("ca.crt");
    let other = root_certificate("other-ca.crt");
    for (host, query, expected) in [
        // The certificate names localhost, not the address.
        (
            "127.0.0.1",
            format!("sslmode=verify-full&sslrootcert={ca}"),
            "certificate not valid for name \"127.0.0.1\"",
        ),
        (
            "localhost",
            format!("sslmode=verify-full&sslrootcert={other}"),
            "invalid peer certificate: UnknownIssuer",
        ),
        (
            "127.0.0.1",
            format!("sslmode=verify-ca&sslrootcert={other}"),
            "invalid peer certificate: UnknownIssuer",
        ),
        // `require` with roots checks the chain, as libpq does.
        (
            "127.0.0.1",
            format!("sslmode=require&sslrootcert={other}"),
            "invalid peer certificate: UnknownIssuer",
        ),
    ] {
        let url = tls_url(&db, host, &query);
        let err = iamkit::PostgresStore::open(&url).unwrap_err();
        assert!(
            matches!(&err, StoreError::Unavailable(m) if m.contains(expected)),
            "{url}: {err:?}"
        );
    }
    assert!(encrypted(&db).is_empty(), "no connection was left open");
}
