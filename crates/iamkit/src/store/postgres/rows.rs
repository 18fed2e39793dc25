//! The state as rows: what one write changed ([`Delta`]), applying rows to the
//! state in memory, reading the whole state, and writing a delta's rows.
//!
//! A delta is both what a write stores in the tables and the body of its entry in
//! the change feed, so every engine applies exactly what the writer kept.

use std::collections::HashMap;
use std::hash::Hash;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use tokio_postgres::Client;

use super::database_error;
use crate::audit::AuditEvent;
use crate::ids::{OrganizationSid, RoleAssignmentSid, Sid, UserSid};
use crate::roles::assignments::RoleAssignment;
use crate::scim::user_name;
use crate::scim::users::record::UserRecord;
use crate::store::{ChangeSet, State, StoreError};
use crate::tracked::TrackedMap;

/// A table of the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Table {
    Organizations,
    Accounts,
    Apps,
    Authorizations,
    Grants,
    Codes,
    RefreshTokens,
    RevokedTokens,
    Users,
    RoleAssignments,
    AuditEvents,
}

impl Table {
    /// Every table, in the order a delta writes them.
    pub const ALL: [Table; 11] = [
        Table::Organizations,
        Table::Accounts,
        Table::Apps,
        Table::Authorizations,
        Table::Grants,
        Table::Codes,
        Table::RefreshTokens,
        Table::RevokedTokens,
        Table::Users,
        Table::RoleAssignments,
        Table::AuditEvents,
    ];

    /// The table's name in messages, as the SQLite store names it.
    fn label(self) -> &'static str {
        self.name().trim_start_matches("iamkit_")
    }

    /// The table's name in the database.
    pub fn name(self) -> &'static str {
        match self {
            Table::Organizations => "iamkit_organizations",
            Table::Accounts => "iamkit_accounts",
            Table::Apps => "iamkit_apps",
            Table::Authorizations => "iamkit_authorizations",
            Table::Grants => "iamkit_grants",
            Table::Codes => "iamkit_codes",
            Table::RefreshTokens => "iamkit_refresh_tokens",
            Table::RevokedTokens => "iamkit_revoked_tokens",
            Table::Users => "iamkit_users",
            Table::RoleAssignments => "iamkit_role_assignments",
            Table::AuditEvents => "iamkit_audit_events",
        }
    }
}

/// One record as stored: its table, key and organization (users and role
/// assignments), and its value as JSON, `None` when it was removed.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Row {
    pub table: Table,
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Box<RawValue>>,
    /// A user's `userName` in its RFC 8265 form and its `externalId`: the columns
    /// the database keeps unique. Only for writing the tables.
    #[serde(skip)]
    pub unique: Option<(String, Option<String>)>,
}

/// What one write changed, as rows. `replaced`: the rows are the whole state.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Delta {
    pub replaced: bool,
    pub rows: Vec<Row>,
}

fn encode(error: impl std::fmt::Display) -> StoreError {
    StoreError::Io(error.to_string())
}

fn invalid(error: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(error.to_string())
}

fn raw(value: &impl Serialize) -> Result<Box<RawValue>, StoreError> {
    serde_json::value::to_raw_value(value).map_err(encode)
}

/// A key as the text of its row: keys serialize to JSON strings.
fn key_text(key: &impl Serialize) -> Result<String, StoreError> {
    match serde_json::to_value(key).map_err(encode)? {
        Value::String(text) => Ok(text),
        other => Ok(other.to_string()),
    }
}

impl Delta {
    /// The rows of `changes`, with the values `state` now holds.
    pub fn of(state: &State, changes: &ChangeSet) -> Result<Self, StoreError> {
        let mut rows = Vec::new();
        map_rows(
            &mut rows,
            Table::Organizations,
            &state.organizations,
            &changes.organizations,
        )?;
        map_rows(
            &mut rows,
            Table::Accounts,
            &state.accounts,
            &changes.accounts,
        )?;
        map_rows(&mut rows, Table::Apps, &state.apps, &changes.apps)?;
        map_rows(
            &mut rows,
            Table::Authorizations,
            &state.authorizations,
            &changes.authorizations,
        )?;
        map_rows(&mut rows, Table::Grants, &state.grants, &changes.grants)?;
        map_rows(&mut rows, Table::Codes, &state.codes, &changes.codes)?;
        map_rows(
            &mut rows,
            Table::RefreshTokens,
            &state.refresh_tokens,
            &changes.refresh_tokens,
        )?;
        map_rows(
            &mut rows,
            Table::RevokedTokens,
            &state.revoked_tokens,
            &changes.revoked_tokens,
        )?;
        for (org, ids) in &changes.users {
            let table = state.users.get(org);
            for id in ids {
                let user = table.and_then(|t| t.get(*id)).map(|u| u.to_record());
                rows.push(Row {
                    table: Table::Users,
                    key: id.to_string(),
                    org: Some(org.to_string()),
                    value: user.as_ref().map(raw).transpose()?,
                    unique: user.map(|u| (user_name::key(&u.user_name), u.external_id)),
                });
            }
        }
        for (org, sids) in &changes.role_assignments {
            let table = state.role_assignments.get(org);
            for sid in sids {
                rows.push(Row {
                    table: Table::RoleAssignments,
                    key: sid.to_string(),
                    org: Some(org.to_string()),
                    value: table.and_then(|t| t.get(*sid)).map(raw).transpose()?,
                    unique: None,
                });
            }
        }
        let audit = &changes.audit;
        for (row, value) in audit
            .deleted
            .iter()
            .map(|r| (r, None))
            .chain(audit.written.iter().map(|r| (r, state.audit.row(*r))))
        {
            rows.push(Row {
                table: Table::AuditEvents,
                key: row.to_string(),
                org: None,
                value: value.map(raw).transpose()?,
                unique: None,
            });
        }
        Ok(Self {
            replaced: changes.replaced,
            rows,
        })
    }

    /// Applies the delta to `state`, leaving no change recorded in its bookkeeping.
    pub fn apply(self, state: &mut State) -> Result<(), StoreError> {
        if self.replaced {
            *state = State::default();
        }
        for row in self.rows {
            apply_row(state, row)?;
        }
        state.take_changes();
        Ok(())
    }
}

fn map_rows<K: Serialize + Eq + Hash, V: Serialize>(
    rows: &mut Vec<Row>,
    table: Table,
    map: &HashMap<K, V>,
    keys: &[K],
) -> Result<(), StoreError> {
    for key in keys {
        rows.push(Row {
            table,
            key: key_text(key)?,
            org: None,
            value: map.get(key).map(raw).transpose()?,
            unique: None,
        });
    }
    Ok(())
}

fn parse<T: DeserializeOwned>(row: &Row, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text)
        .map_err(|e| invalid(format!("{} {}: {e}", row.table.label(), row.key)))
}

fn apply_row(state: &mut State, row: Row) -> Result<(), StoreError> {
    match row.table {
        Table::Organizations => apply_map(&mut state.organizations, &row),
        Table::Accounts => apply_map(&mut state.accounts, &row),
        Table::Apps => apply_map(&mut state.apps, &row),
        Table::Authorizations => apply_map(&mut state.authorizations, &row),
        Table::Grants => apply_map(&mut state.grants, &row),
        Table::Codes => apply_map(&mut state.codes, &row),
        Table::RefreshTokens => apply_map(&mut state.refresh_tokens, &row),
        Table::RevokedTokens => apply_map(&mut state.revoked_tokens, &row),
        Table::Users => {
            let org = organization(&row)?;
            match &row.value {
                Some(value) => {
                    let user: UserRecord = parse(&row, value.get())?;
                    state.users.get_or_default(org).put(&user);
                }
                None => {
                    let id = UserSid::parse(&row.key).map_err(invalid)?;
                    if let Some(table) = state.users.get_mut(&org) {
                        table.remove(id);
                    }
                }
            }
            Ok(())
        }
        Table::RoleAssignments => {
            let org = organization(&row)?;
            let sid = RoleAssignmentSid::parse(&row.key).map_err(invalid)?;
            let table = state.role_assignments.get_or_default(org);
            table.remove(sid);
            if let Some(value) = &row.value {
                let assignment: RoleAssignment = parse(&row, value.get())?;
                table.insert(assignment);
            }
            Ok(())
        }
        Table::AuditEvents => {
            let number: u64 = row.key.parse().map_err(invalid)?;
            let event: Option<AuditEvent> = row
                .value
                .as_ref()
                .map(|v| parse(&row, v.get()))
                .transpose()?;
            state.audit.apply_row(number, event);
            Ok(())
        }
    }
}

fn organization(row: &Row) -> Result<OrganizationSid, StoreError> {
    let org = row.org.as_deref().unwrap_or_default();
    OrganizationSid::parse(org).map_err(invalid)
}

fn apply_map<K, V>(map: &mut TrackedMap<K, V>, row: &Row) -> Result<(), StoreError>
where
    K: DeserializeOwned + Eq + Hash + Clone,
    V: DeserializeOwned,
{
    let key: K = serde_json::from_value(Value::String(row.key.clone()))
        .map_err(|e| invalid(format!("{} {}: {e}", row.table.label(), row.key)))?;
    match &row.value {
        Some(value) => {
            map.insert(key, parse(row, value.get())?);
        }
        None => {
            map.remove(&key);
        }
    }
    Ok(())
}

/// Reads the whole state and the feed position it stands at. The caller runs it
/// in one snapshot (a repeatable-read transaction, or holding the write lock).
pub(super) async fn load(client: &Client) -> Result<(State, i64), StoreError> {
    let seq: i64 = client
        .query_one("SELECT COALESCE(max(seq), 0) FROM iamkit_changes", &[])
        .await
        .map_err(database_error)?
        .get(0);
    let mut delta = Delta {
        replaced: true,
        rows: Vec::new(),
    };
    for table in Table::ALL {
        let query = match table {
            Table::Users | Table::RoleAssignments => format!(
                "SELECT key, value, organization_sid FROM {} ORDER BY position",
                table.name()
            ),
            Table::AuditEvents => format!(
                "SELECT key::text, value, NULL::text FROM {} ORDER BY key",
                table.name()
            ),
            _ => format!("SELECT key, value, NULL::text FROM {}", table.name()),
        };
        for found in client.query(&query, &[]).await.map_err(database_error)? {
            let value: String = found.get(1);
            delta.rows.push(Row {
                table,
                key: found.get(0),
                org: found.get(2),
                value: Some(RawValue::from_string(value).map_err(invalid)?),
                unique: None,
            });
        }
    }
    let mut state = State::default();
    delta.apply(&mut state)?;
    Ok((state, seq))
}

/// One statement writing rows.
pub(super) struct Write {
    pub sql: String,
    pub params: Params,
    /// How many rows it must touch, when the database is to check it: each code is
    /// deleted (redeemed) by one write only, whichever engine made it.
    pub exact: Option<u64>,
}

/// The statements that write a delta's rows: deletions first, then the rows kept,
/// one statement per table and kind, each taking arrays.
pub(super) fn statements(delta: &Delta) -> Vec<Write> {
    let mut deleted: HashMap<Table, Vec<String>> = HashMap::new();
    let mut kept: HashMap<Table, Vec<&Row>> = HashMap::new();
    for row in &delta.rows {
        match row.value {
            Some(_) => kept.entry(row.table).or_default().push(row),
            None => deleted.entry(row.table).or_default().push(row.key.clone()),
        }
    }
    let mut out = Vec::new();
    if delta.replaced {
        for table in Table::ALL {
            out.push(Write {
                sql: format!("DELETE FROM {}", table.name()),
                params: Params::None,
                exact: None,
            });
        }
    }
    for table in Table::ALL {
        if let Some(keys) = deleted.remove(&table) {
            let sql = match table {
                Table::AuditEvents => format!(
                    "DELETE FROM {} WHERE key = ANY($1::text[]::bigint[])",
                    table.name()
                ),
                _ => format!("DELETE FROM {} WHERE key = ANY($1::text[])", table.name()),
            };
            let exact = (table == Table::Codes && !delta.replaced).then_some(keys.len() as u64);
            out.push(Write {
                sql,
                params: Params::Keys(keys),
                exact,
            });
        }
    }
    for table in Table::ALL {
        let Some(rows) = kept.remove(&table) else {
            continue;
        };
        let keys = rows.iter().map(|r| r.key.clone()).collect();
        let values = rows
            .iter()
            .map(|r| {
                r.value
                    .as_ref()
                    .map(|v| v.get().to_owned())
                    .unwrap_or_default()
            })
            .collect();
        let orgs = || {
            rows.iter()
                .map(|r| r.org.clone().unwrap_or_default())
                .collect()
        };
        let name = table.name();
        let (sql, params) = match table {
            Table::Users => (
                format!(
                    "INSERT INTO {name} (key, organization_sid, user_name, external_id, value)
                     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
                     ON CONFLICT (key) DO UPDATE SET user_name = excluded.user_name,
                         external_id = excluded.external_id, value = excluded.value"
                ),
                Params::Users {
                    keys,
                    orgs: orgs(),
                    user_names: rows
                        .iter()
                        .map(|r| r.unique.as_ref().map(|u| u.0.clone()).unwrap_or_default())
                        .collect(),
                    external_ids: rows
                        .iter()
                        .map(|r| r.unique.as_ref().and_then(|u| u.1.clone()))
                        .collect(),
                    values,
                },
            ),
            Table::RoleAssignments => (
                format!(
                    "INSERT INTO {name} (key, organization_sid, value)
                     SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                ),
                Params::Grouped {
                    keys,
                    orgs: orgs(),
                    values,
                },
            ),
            Table::AuditEvents => (
                format!(
                    "INSERT INTO {name} (key, value)
                     SELECT k::bigint, v FROM unnest($1::text[], $2::text[]) AS r (k, v)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                ),
                Params::Map { keys, values },
            ),
            _ => (
                format!(
                    "INSERT INTO {name} (key, value) SELECT * FROM unnest($1::text[], $2::text[])
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                ),
                Params::Map { keys, values },
            ),
        };
        out.push(Write {
            sql,
            params,
            exact: None,
        });
    }
    out
}

/// The array parameters of one statement.
pub(super) enum Params {
    None,
    Keys(Vec<String>),
    Map {
        keys: Vec<String>,
        values: Vec<String>,
    },
    Grouped {
        keys: Vec<String>,
        orgs: Vec<String>,
        values: Vec<String>,
    },
    Users {
        keys: Vec<String>,
        orgs: Vec<String>,
        user_names: Vec<String>,
        external_ids: Vec<Option<String>>,
        values: Vec<String>,
    },
}

impl Params {
    /// The parameters, in order, for the client.
    pub fn as_sql(&self) -> Vec<&(dyn tokio_postgres::types::ToSql + Sync)> {
        match self {
            Params::None => vec![],
            Params::Keys(keys) => vec![keys],
            Params::Map { keys, values } => vec![keys, values],
            Params::Grouped { keys, orgs, values } => vec![keys, orgs, values],
            Params::Users {
                keys,
                orgs,
                user_names,
                external_ids,
                values,
            } => vec![keys, orgs, user_names, external_ids, values],
        }
    }
}
