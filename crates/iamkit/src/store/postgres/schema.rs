//! The database schema, its version, and the migrations that bring an older
//! database up to date when an engine opens it.
//!
//! The tables mirror the SQLite store's: one row per record of the state, as JSON,
//! keyed as the state keys it. Users also keep their `userName` (in its RFC 8265
//! form) and `externalId` in columns the database holds unique per organization,
//! so no two engines can create clashing users. `iamkit_changes` is the change
//! feed the engines follow each other by; `iamkit_schema` holds the version.

use tokio_postgres::Client;

use super::{database_error, LOCK_KEY};
use crate::error_code::StoreError;

/// The migrations, in order: migration `n` brings version `n` to `n + 1`.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: the state, the audit log, the signing key and the change feed.
    "CREATE TABLE iamkit_organizations (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE iamkit_accounts (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE iamkit_apps (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE iamkit_authorizations (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE iamkit_grants (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE iamkit_codes (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE iamkit_refresh_tokens (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE iamkit_revoked_tokens (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE iamkit_users (
         key TEXT PRIMARY KEY,
         position BIGSERIAL NOT NULL,
         organization_sid TEXT NOT NULL,
         user_name TEXT NOT NULL,
         external_id TEXT,
         value TEXT NOT NULL,
         UNIQUE (organization_sid, user_name),
         UNIQUE (organization_sid, external_id));
     CREATE TABLE iamkit_role_assignments (
         key TEXT PRIMARY KEY,
         position BIGSERIAL NOT NULL,
         organization_sid TEXT NOT NULL,
         value TEXT NOT NULL);
     CREATE TABLE iamkit_audit_events (key BIGINT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE iamkit_signing_key (
         id INTEGER PRIMARY KEY CHECK (id = 1),
         kid TEXT NOT NULL, algorithm TEXT NOT NULL, material BYTEA NOT NULL);
     CREATE TABLE iamkit_changes (seq BIGINT PRIMARY KEY, body TEXT NOT NULL);",
];

/// Brings the database to the newest schema in one transaction, holding the lock
/// every write holds, so engines opening together migrate once. Refuses a database
/// written by a newer iamkit.
pub(super) async fn migrate(client: &Client, migrations: &[&str]) -> Result<(), StoreError> {
    let supported = u32::try_from(migrations.len()).unwrap_or(u32::MAX);
    client
        .batch_execute("BEGIN")
        .await
        .map_err(database_error)?;
    let result = async {
        client
            .execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
            .await?;
        client
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS iamkit_schema (version INTEGER NOT NULL);
                 INSERT INTO iamkit_schema (version)
                 SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM iamkit_schema)",
            )
            .await?;
        let version: i32 = client
            .query_one("SELECT version FROM iamkit_schema", &[])
            .await?
            .get(0);
        Ok::<_, tokio_postgres::Error>(u32::try_from(version).unwrap_or(0))
    }
    .await;
    let outcome = match result {
        Ok(version) if version > supported => Err(StoreError::NewerSchema {
            found: version,
            supported,
        }),
        Ok(version) => apply(client, migrations, version).await,
        Err(e) => Err(database_error(e)),
    };
    let end = if outcome.is_ok() {
        "COMMIT"
    } else {
        "ROLLBACK"
    };
    client.batch_execute(end).await.map_err(database_error)?;
    outcome
}

/// Runs the migrations after `version` and records the new version.
async fn apply(client: &Client, migrations: &[&str], version: u32) -> Result<(), StoreError> {
    let pending = migrations.get(version as usize..).unwrap_or_default();
    for migration in pending {
        client
            .batch_execute(migration)
            .await
            .map_err(database_error)?;
    }
    let newest = i32::try_from(migrations.len()).unwrap_or(i32::MAX);
    client
        .execute("UPDATE iamkit_schema SET version = $1", &[&newest])
        .await
        .map_err(database_error)?;
    Ok(())
}
