//! The durable SQLite store: the store suite (what an engine wrote is there after
//! reopening, the signing key survives, bad rows are refused), and what only a file
//! has: it is private, held by one engine, and refused when it is not iamkit's.

mod store_suite;

use std::path::PathBuf;

use iamkit::{Database, ErrorCode, SqliteStore, StoreError};
use store_suite::{clock, open, TestDb};

/// A database file in a temporary directory of its own.
struct SqliteDb {
    _dir: Option<tempfile::TempDir>,
    path: PathBuf,
}

impl SqliteDb {
    fn fresh() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("iamkit.db");
        Self {
            _dir: Some(dir),
            path,
        }
    }

    fn at(path: PathBuf) -> Self {
        Self { _dir: None, path }
    }

    fn connection(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.path).unwrap()
    }
}

impl TestDb for SqliteDb {
    fn location(&self) -> Database {
        Database::Sqlite(self.path.clone())
    }

    fn audit_rows(&self) -> Vec<(i64, String)> {
        let db = self.connection();
        let mut statement = db
            .prepare("SELECT seq, value FROM audit_events ORDER BY seq")
            .unwrap();
        let rows = statement
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows
    }

    fn corrupt_an_organization(&self) {
        self.connection()
            .execute("UPDATE organizations SET value = '{\"name\": 1}'", [])
            .unwrap();
    }

    fn refuse_users_named(&self, marker: &str) {
        self.connection()
            .execute_batch(&format!(
                "CREATE TRIGGER refuse BEFORE INSERT ON users WHEN NEW.value LIKE '%{marker}%'
                 BEGIN SELECT RAISE(ABORT, 'disk refused'); END;"
            ))
            .unwrap();
    }
}

store_suite!(SqliteDb::fresh);

fn db_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("iamkit.db")
}

#[cfg(unix)]
#[test]
fn the_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let engine = open(&SqliteDb::at(path.clone()), &clock()).unwrap();
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
    let _first = open(&SqliteDb::at(path.clone()), &clock()).unwrap();
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
