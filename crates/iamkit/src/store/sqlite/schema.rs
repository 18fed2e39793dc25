//! The database schema, its version, and the migrations that bring an older file
//! up to date when it is opened.
//!
//! Each row holds one record of the state as JSON, keyed as the state keys it: a
//! table per map, users and role assignments with their organization, audit events
//! by row number, and the signing key. `PRAGMA user_version` is the schema version
//! and `PRAGMA application_id` marks the file as iamkit's.

use rusqlite::{Connection, TransactionBehavior};

use crate::error_code::StoreError;

/// `iamk`: marks a database file as iamkit's.
const APPLICATION_ID: i32 = 0x6961_6d6b;

/// The tables holding one map of the state each, keyed by text.
pub(super) const MAP_TABLES: [&str; 8] = [
    "organizations",
    "accounts",
    "apps",
    "authorizations",
    "grants",
    "codes",
    "refresh_tokens",
    "revoked_tokens",
];

/// The migrations, in order: migration `n` brings version `n` to `n + 1`.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: the state, the audit log and the signing key.
    "CREATE TABLE organizations (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE accounts (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE apps (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE authorizations (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE grants (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE codes (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE refresh_tokens (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE revoked_tokens (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE users (
         id TEXT PRIMARY KEY, organization_sid TEXT NOT NULL, value TEXT NOT NULL);
     CREATE TABLE role_assignments (
         sid TEXT PRIMARY KEY, organization_sid TEXT NOT NULL, value TEXT NOT NULL);
     CREATE TABLE audit_events (seq INTEGER PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE signing_key (
         id INTEGER PRIMARY KEY CHECK (id = 1),
         kid TEXT NOT NULL, algorithm TEXT NOT NULL, material BLOB NOT NULL);",
];

/// Brings the database to the newest schema, one transaction per migration.
/// Refuses a file of another application, and one written by a newer iamkit.
pub(super) fn migrate(db: &mut Connection, migrations: &[&str]) -> Result<(), StoreError> {
    let supported = u32::try_from(migrations.len()).unwrap_or(u32::MAX);
    loop {
        let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let application: i32 = tx.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let version: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if application != APPLICATION_ID && application != 0 {
            return Err(StoreError::Invalid(
                "the file belongs to another application".into(),
            ));
        }
        if version == 0 {
            let tables: u32 =
                tx.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
            if tables > 0 {
                return Err(StoreError::Invalid(
                    "the file holds tables that are not iamkit's".into(),
                ));
            }
        }
        if version > supported {
            return Err(StoreError::NewerSchema {
                found: version,
                supported,
            });
        }
        let Some(migration) = migrations.get(version as usize) else {
            return Ok(tx.commit()?);
        };
        tx.execute_batch(migration)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(db: &Connection) -> u32 {
        db.query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn an_empty_file_gets_every_migration_in_order() {
        let mut db = Connection::open_in_memory().unwrap();
        let steps = ["CREATE TABLE a (x)", "ALTER TABLE a ADD COLUMN y"];
        migrate(&mut db, &steps[..1]).unwrap();
        assert_eq!(version(&db), 1);
        // A newer engine finds version 1 and applies only what is missing.
        migrate(&mut db, &steps).unwrap();
        assert_eq!(version(&db), 2);
        db.execute("INSERT INTO a (x, y) VALUES (1, 2)", [])
            .unwrap();
        migrate(&mut db, &steps).unwrap();
        assert_eq!(version(&db), 2, "opening again changes nothing");
    }

    #[test]
    fn refuses_newer_schemas_and_foreign_files() {
        let mut db = Connection::open_in_memory().unwrap();
        migrate(&mut db, MIGRATIONS).unwrap();
        assert_eq!(
            migrate(&mut db, &[]),
            Err(StoreError::NewerSchema {
                found: 1,
                supported: 0
            })
        );

        let mut other = Connection::open_in_memory().unwrap();
        other.execute("CREATE TABLE notes (body TEXT)", []).unwrap();
        assert!(matches!(
            migrate(&mut other, MIGRATIONS),
            Err(StoreError::Invalid(m)) if m.contains("not iamkit's")
        ));

        let mut foreign = Connection::open_in_memory().unwrap();
        foreign.pragma_update(None, "application_id", 7).unwrap();
        assert!(matches!(
            migrate(&mut foreign, MIGRATIONS),
            Err(StoreError::Invalid(m)) if m.contains("another application")
        ));
    }
}
