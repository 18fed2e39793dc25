//! Reading the state from the database and writing one write's changes to it.

use std::collections::HashMap;
use std::hash::Hash;

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::schema::MAP_TABLES;
use crate::audit::AuditLog;
use crate::ids::{KeyId, OrganizationSid, Sid};
use crate::roles::assignments::AssignmentTable;
use crate::scim::users::table::UserTable;
use crate::signing::{Algorithm, StoredKey};
use crate::store::{ChangeSet, State, StoreError};
use crate::tracked::TrackedMap;

/// Writes `changes` (the values as `state` now holds them) in one transaction.
pub(super) fn persist(
    db: &mut Connection,
    state: &State,
    changes: &ChangeSet,
) -> Result<(), StoreError> {
    let tx = db.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if changes.replaced {
        for table in MAP_TABLES
            .iter()
            .chain(&["users", "role_assignments", "audit_events"])
        {
            tx.execute(&format!("DELETE FROM {table}"), [])?;
        }
    }
    put_map(
        &tx,
        "organizations",
        &state.organizations,
        &changes.organizations,
    )?;
    put_map(&tx, "accounts", &state.accounts, &changes.accounts)?;
    put_map(&tx, "apps", &state.apps, &changes.apps)?;
    put_map(
        &tx,
        "authorizations",
        &state.authorizations,
        &changes.authorizations,
    )?;
    put_map(&tx, "grants", &state.grants, &changes.grants)?;
    put_map(&tx, "codes", &state.codes, &changes.codes)?;
    put_map(
        &tx,
        "refresh_tokens",
        &state.refresh_tokens,
        &changes.refresh_tokens,
    )?;
    put_map(
        &tx,
        "revoked_tokens",
        &state.revoked_tokens,
        &changes.revoked_tokens,
    )?;
    put_users(&tx, state, changes)?;
    put_role_assignments(&tx, state, changes)?;
    put_audit(&tx, &state.audit, changes)?;
    Ok(tx.commit()?)
}

/// Reads the whole state. Users and role assignments come back in creation order,
/// and a table that repeats a user or an assignment is refused.
pub(super) fn load(db: &Connection) -> Result<State, StoreError> {
    let users = grouped(
        db,
        "SELECT organization_sid, value FROM users ORDER BY rowid",
    )?
    .into_iter()
    .map(|(org, users)| Ok((org, UserTable::from_records(users).map_err(invalid)?)))
    .collect::<Result<_, StoreError>>()?;
    let role_assignments = grouped(
        db,
        "SELECT organization_sid, value FROM role_assignments ORDER BY rowid",
    )?
    .into_iter()
    .map(|(org, rows)| {
        Ok((
            org,
            AssignmentTable::from_assignments(rows).map_err(invalid)?,
        ))
    })
    .collect::<Result<_, StoreError>>()?;
    Ok(State {
        organizations: load_map(db, "organizations")?,
        accounts: load_map(db, "accounts")?,
        users,
        role_assignments,
        apps: load_map(db, "apps")?,
        authorizations: load_map(db, "authorizations")?,
        grants: load_map(db, "grants")?,
        codes: load_map(db, "codes")?,
        refresh_tokens: load_map(db, "refresh_tokens")?,
        revoked_tokens: load_map(db, "revoked_tokens")?,
        audit: load_audit(db)?,
        replaced: Default::default(),
    })
}

/// The signing key, if one is kept.
pub(super) fn signing_key(db: &Connection) -> Result<Option<StoredKey>, StoreError> {
    let row = db
        .query_row(
            "SELECT kid, algorithm, material FROM signing_key WHERE id = 1",
            [],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((kid, algorithm, material)) = row else {
        return Ok(None);
    };
    let kid = KeyId::parse(&kid).map_err(invalid)?;
    let algorithm: Algorithm = algorithm.parse().map_err(invalid)?;
    Ok(Some(StoredKey::new(kid, algorithm, material)))
}

/// Keeps `key` as the signing key, replacing any other.
pub(super) fn keep_signing_key(db: &Connection, key: &StoredKey) -> Result<(), StoreError> {
    db.execute(
        "INSERT OR REPLACE INTO signing_key (id, kid, algorithm, material) VALUES (1, ?1, ?2, ?3)",
        params![
            key.kid().to_string(),
            key.algorithm().as_str(),
            key.material()
        ],
    )?;
    Ok(())
}

fn invalid(e: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(e.to_string())
}

fn to_json(value: &impl Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Io(e.to_string()))
}

/// A key as the text of its row: keys serialize to JSON strings.
fn key_text(key: &impl Serialize) -> Result<String, StoreError> {
    match serde_json::to_value(key).map_err(|e| StoreError::Io(e.to_string()))? {
        Value::String(text) => Ok(text),
        other => Ok(other.to_string()),
    }
}

fn put_map<K: Serialize + Eq + Hash, V: Serialize>(
    tx: &Transaction<'_>,
    table: &str,
    map: &HashMap<K, V>,
    keys: &[K],
) -> Result<(), StoreError> {
    if keys.is_empty() {
        return Ok(());
    }
    let mut upsert = tx.prepare_cached(&format!(
        "INSERT INTO {table} (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    ))?;
    let mut delete = tx.prepare_cached(&format!("DELETE FROM {table} WHERE key = ?1"))?;
    for key in keys {
        let text = key_text(key)?;
        match map.get(key) {
            Some(value) => upsert.execute(params![text, to_json(value)?])?,
            None => delete.execute([text])?,
        };
    }
    Ok(())
}

fn put_users(tx: &Transaction<'_>, state: &State, changes: &ChangeSet) -> Result<(), StoreError> {
    let mut upsert = tx.prepare_cached(
        "INSERT INTO users (id, organization_sid, value) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET value = excluded.value",
    )?;
    let mut delete = tx.prepare_cached("DELETE FROM users WHERE id = ?1")?;
    for (org, ids) in &changes.users {
        let table = state.users.get(org);
        for id in ids {
            match table.and_then(|t| t.get(*id)) {
                Some(user) => upsert.execute(params![
                    id.to_string(),
                    org.to_string(),
                    to_json(&user.to_record())?
                ])?,
                None => delete.execute([id.to_string()])?,
            };
        }
    }
    Ok(())
}

fn put_role_assignments(
    tx: &Transaction<'_>,
    state: &State,
    changes: &ChangeSet,
) -> Result<(), StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT OR REPLACE INTO role_assignments (sid, organization_sid, value) VALUES (?1, ?2, ?3)",
    )?;
    let mut delete = tx.prepare_cached("DELETE FROM role_assignments WHERE sid = ?1")?;
    for (org, sids) in &changes.role_assignments {
        let table = state.role_assignments.get(org);
        for sid in sids {
            match table.and_then(|t| t.get(*sid)) {
                Some(a) => {
                    insert.execute(params![sid.to_string(), org.to_string(), to_json(a)?])?
                }
                None => delete.execute([sid.to_string()])?,
            };
        }
    }
    Ok(())
}

fn put_audit(tx: &Transaction<'_>, log: &AuditLog, changes: &ChangeSet) -> Result<(), StoreError> {
    let seq = |row: u64| i64::try_from(row).unwrap_or(i64::MAX);
    let mut delete = tx.prepare_cached("DELETE FROM audit_events WHERE seq = ?1")?;
    for row in &changes.audit.deleted {
        delete.execute([seq(*row)])?;
    }
    let mut insert =
        tx.prepare_cached("INSERT OR REPLACE INTO audit_events (seq, value) VALUES (?1, ?2)")?;
    for row in &changes.audit.written {
        if let Some(event) = log.row(*row) {
            insert.execute(params![seq(*row), to_json(event)?])?;
        }
    }
    Ok(())
}

fn load_map<K, V>(db: &Connection, table: &str) -> Result<TrackedMap<K, V>, StoreError>
where
    K: DeserializeOwned + Eq + Hash,
    V: DeserializeOwned,
{
    let mut statement = db.prepare(&format!("SELECT key, value FROM {table}"))?;
    let mut rows = statement.query([])?;
    let mut map = Vec::new();
    while let Some(row) = rows.next()? {
        let key: String = row.get(0)?;
        let value: String = row.get(1)?;
        let fail = |e: serde_json::Error| invalid(format!("{table} {key}: {e}"));
        let parsed_key = serde_json::from_value(Value::String(key.clone())).map_err(fail)?;
        map.push((parsed_key, serde_json::from_str(&value).map_err(fail)?));
    }
    Ok(map.into_iter().collect())
}

/// Rows of `(organization_sid, value)` grouped by organization, in row order.
fn grouped<V: DeserializeOwned>(
    db: &Connection,
    query: &str,
) -> Result<Vec<(OrganizationSid, Vec<V>)>, StoreError> {
    let mut statement = db.prepare(query)?;
    let mut rows = statement.query([])?;
    let mut groups: Vec<(OrganizationSid, Vec<V>)> = Vec::new();
    let mut index: HashMap<OrganizationSid, usize> = HashMap::new();
    while let Some(row) = rows.next()? {
        let org = OrganizationSid::parse(&row.get::<_, String>(0)?).map_err(invalid)?;
        let value: V = serde_json::from_str(&row.get::<_, String>(1)?).map_err(invalid)?;
        let at = *index.entry(org).or_insert_with(|| {
            groups.push((org, Vec::new()));
            groups.len() - 1
        });
        if let Some((_, values)) = groups.get_mut(at) {
            values.push(value);
        }
    }
    Ok(groups)
}

fn load_audit(db: &Connection) -> Result<AuditLog, StoreError> {
    let mut statement = db.prepare("SELECT seq, value FROM audit_events ORDER BY seq")?;
    let mut rows = statement.query([])?;
    let mut events = Vec::new();
    while let Some(row) = rows.next()? {
        let seq = u64::try_from(row.get::<_, i64>(0)?).map_err(invalid)?;
        events.push((
            seq,
            serde_json::from_str(&row.get::<_, String>(1)?).map_err(invalid)?,
        ));
    }
    Ok(AuditLog::from_rows(events))
}
