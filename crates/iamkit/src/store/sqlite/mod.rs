//! The durable store: the state in memory for reads, and every write kept in a
//! SQLite database in one transaction before the operation returns.
//!
//! The file is opened in WAL mode with `synchronous = FULL`, so a write the engine
//! acknowledged survives a crash of the process or the machine. It is created
//! readable by its owner only: it holds secret hashes and the signing key. One
//! engine at a time holds it (exclusive locking); a second open fails with
//! [`StoreError::Locked`].

mod rows;
mod schema;

use std::fmt;
use std::path::{Path, PathBuf};

use parking_lot::{Mutex, RwLock};
use rusqlite::{Connection, ErrorCode as SqliteCode};

use super::{State, Store, StoreError};
use crate::signing::StoredKey;

/// Keeps the state in a SQLite database file (feature `sqlite`).
pub struct SqliteStore {
    path: PathBuf,
    state: RwLock<State>,
    db: Mutex<Connection>,
    /// Set when a failed write could not be undone in memory: later writes fail.
    broken: Mutex<bool>,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens the database at `path`, creating it (owner-only) if it does not exist,
    /// migrating its schema to this engine's version and reading the state.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        create_private(&path)?;
        let mut db = Connection::open(&path)?;
        db.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
        let mode: String = db.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Io(format!("cannot use WAL mode (got {mode})")));
        }
        db.pragma_update(None, "synchronous", "FULL")?;
        schema::migrate(&mut db, schema::MIGRATIONS)?;
        let state = rows::load(&db)?;
        Ok(Self {
            path,
            state: RwLock::new(state),
            db: Mutex::new(db),
            broken: Mutex::new(false),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `PRAGMA integrity_check`: `Ok` when SQLite finds the file sound.
    pub fn check_integrity(&self) -> Result<(), StoreError> {
        let report: String = self
            .db
            .lock()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if report == "ok" {
            Ok(())
        } else {
            Err(StoreError::Invalid(report))
        }
    }
}

impl Store for SqliteStore {
    fn read(&self, f: &mut dyn FnMut(&State)) {
        f(&self.state.read());
    }

    fn write(&self, f: &mut dyn FnMut(&mut State) -> bool) -> Result<(), StoreError> {
        let mut broken = self.broken.lock();
        if *broken {
            return Err(StoreError::Io(
                "an earlier write failed and could not be undone; reopen the database".into(),
            ));
        }
        let mut state = self.state.write();
        let changed = f(&mut state);
        let changes = state.take_changes();
        if !changed {
            return Ok(());
        }
        let mut db = self.db.lock();
        let Err(error) = rows::persist(&mut db, &state, &changes) else {
            return Ok(());
        };
        // The transaction rolled back: make memory match the file again.
        match rows::load(&db) {
            Ok(kept) => *state = kept,
            Err(_) => *broken = true,
        }
        Err(error)
    }

    fn signing_key(&self) -> Result<Option<StoredKey>, StoreError> {
        rows::signing_key(&self.db.lock())
    }

    fn keep_signing_key(&self, key: &StoredKey) -> Result<(), StoreError> {
        rows::keep_signing_key(&self.db.lock(), key)
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        match error.sqlite_error_code() {
            Some(SqliteCode::DatabaseBusy | SqliteCode::DatabaseLocked) => StoreError::Locked,
            Some(SqliteCode::NotADatabase) => StoreError::Invalid("not a SQLite database".into()),
            _ => StoreError::Io(error.to_string()),
        }
    }
}

/// Creates `path` readable and writable by its owner only, unless it exists.
fn create_private(path: &Path) -> Result<(), StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Io(format!(
            "cannot create {}: {e}",
            path.display()
        ))),
    }
}
