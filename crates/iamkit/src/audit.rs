//! Audit events: what happened, when (engine clock), who did it, and details that
//! never include a secret.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use crate::ids::{AuditEventSid, Sid};
use crate::tracked::Bookkeeping;

/// Event types the engine records.
pub mod types {
    /// An OAuth app was created.
    pub const APP_CREATED: &str = "oauth-apps.created";
    /// An OAuth app was updated.
    pub const APP_UPDATED: &str = "oauth-apps.updated";
    /// An OAuth app was deleted.
    pub const APP_DELETED: &str = "oauth-apps.deleted";
    /// An OAuth app's secret was rotated (details carry the grace period).
    pub const SECRET_ROTATED: &str = "oauth-apps.secret-rotated";
    /// The Token API issued an access token.
    pub const TOKEN_ISSUED: &str = "oauth-tokens.issued";
    /// The Token API refused a request.
    pub const TOKEN_REFUSED: &str = "oauth-tokens.refused";
    /// A token was revoked (RFC 7009).
    pub const TOKEN_REVOKED: &str = "oauth-tokens.revoked";
    /// A user authorized an app, or widened its scopes (approving the same scopes
    /// again issues a code without an event).
    pub const AUTHORIZATION_GRANTED: &str = "oauth-authorizations.granted";
    /// An authorization was revoked.
    pub const AUTHORIZATION_REVOKED: &str = "oauth-authorizations.revoked";
    /// A SCIM user was created (also by `create_user`).
    pub const SCIM_USER_CREATED: &str = "scim-users.created";
    /// A SCIM user was replaced or patched (details name the changed attributes).
    pub const SCIM_USER_UPDATED: &str = "scim-users.updated";
    /// A SCIM user was deleted, with its role assignments.
    pub const SCIM_USER_DELETED: &str = "scim-users.deleted";
    /// An account was created.
    pub const ACCOUNT_CREATED: &str = "accounts.created";
    /// An account's auth token was replaced; the previous one stopped working.
    pub const AUTH_TOKEN_ROTATED: &str = "accounts.auth-token-rotated";
    /// The whole state was replaced by an import; the event is the first thing the
    /// imported log records (details count what came in and what the log held).
    pub const STATE_IMPORTED: &str = "state.imported";
    /// A role was assigned.
    pub const ROLE_ASSIGNMENT_CREATED: &str = "role-assignments.created";
    /// A role assignment was deleted (directly, or with its user).
    pub const ROLE_ASSIGNMENT_DELETED: &str = "role-assignments.deleted";

    /// Every event type above, in the order they are listed.
    pub const ALL: [&str; 17] = [
        APP_CREATED,
        APP_UPDATED,
        APP_DELETED,
        SECRET_ROTATED,
        TOKEN_ISSUED,
        TOKEN_REFUSED,
        TOKEN_REVOKED,
        AUTHORIZATION_GRANTED,
        AUTHORIZATION_REVOKED,
        SCIM_USER_CREATED,
        SCIM_USER_UPDATED,
        SCIM_USER_DELETED,
        ACCOUNT_CREATED,
        AUTH_TOKEN_ROTATED,
        STATE_IMPORTED,
        ROLE_ASSIGNMENT_CREATED,
        ROLE_ASSIGNMENT_DELETED,
    ];
}

/// Who performed an action.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Actor(String);

impl Actor {
    /// The engine itself, or an unnamed caller.
    pub fn system() -> Self {
        Self("system".into())
    }

    /// The console / admin API.
    pub fn admin() -> Self {
        Self("admin".into())
    }

    /// A named actor: a user or client sid, or any label.
    pub fn named(name: impl std::fmt::Display) -> Self {
        Self(name.to_string())
    }

    /// The actor's label.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One audit event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// Its sid.
    pub sid: AuditEventSid,
    /// Its type, e.g. `oauth-apps.created`.
    pub event_type: String,
    /// When it happened, by the engine clock.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who did it.
    pub actor: Actor,
    /// What it is about (a client id, authorization sid, …).
    pub subject: String,
    /// Further details; never a secret.
    pub details: Value,
}

/// Which events to list; every field narrows the result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only events of this type.
    pub event_type: Option<String>,
    /// Only events about this subject.
    pub subject: Option<String>,
    /// Only events at or after this instant.
    pub since: Option<OffsetDateTime>,
    /// Only events before this instant.
    pub until: Option<OffsetDateTime>,
    /// At most this many (the newest), or all when `None`.
    pub limit: Option<usize>,
}

/// The two classes of events, each bounded on its own: refused token requests,
/// which anyone can cause without credentials, and every other event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Refusal,
    Other,
}

impl Class {
    fn of(event_type: &str) -> Self {
        if event_type == types::TOKEN_REFUSED {
            Class::Refusal
        } else {
            Class::Other
        }
    }
}

/// The bounded, append-only event log. Events are rows numbered in the order they
/// were recorded. Refused token requests and the other events are bounded apart
/// (each class by its own capacity): when a class is full its
/// own oldest event is dropped, so refusals never push other events out.
#[derive(Debug, Clone, Default)]
pub struct AuditLog {
    /// Every event kept, by row number.
    events: BTreeMap<u64, AuditEvent>,
    /// The row numbers of the refusals kept, oldest first.
    refusals: VecDeque<u64>,
    /// The row numbers of the other events kept, oldest first.
    others: VecDeque<u64>,
    /// The row number of the next event.
    next_row: u64,
    /// Where the next event sid comes from: a random prefix drawn once per log and a
    /// counter, so recording an event costs no call to the random source.
    next_sid: Bookkeeping<Option<([u8; 8], u64)>>,
    /// The rows a durable store has yet to write and delete.
    rows: Bookkeeping<LogRows>,
}

impl PartialEq for AuditLog {
    /// Logs are equal when they hold the same events in the same order.
    fn eq(&self, other: &Self) -> bool {
        self.events.values().eq(other.events.values())
    }
}

/// What a durable store must do to the stored log: rows to write, rows to delete.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LogRows {
    pub written: Vec<u64>,
    pub deleted: Vec<u64>,
}

/// The exported form of the log: its events, oldest first.
#[derive(Serialize, Deserialize)]
struct Exported<E> {
    events: E,
}

impl Serialize for AuditLog {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let events: Vec<&AuditEvent> = self.events.values().collect();
        Exported { events }.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for AuditLog {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let Exported { events } = Exported::<Vec<AuditEvent>>::deserialize(deserializer)?;
        Ok(Self::from_rows((0..).zip(events)))
    }
}

impl AuditLog {
    /// Records an event. `capacity` bounds its class: refused token requests, or
    /// every other event; when the class is full its oldest event is dropped.
    pub(crate) fn record(
        &mut self,
        capacity: usize,
        event_type: &str,
        at: OffsetDateTime,
        actor: &Actor,
        subject: impl std::fmt::Display,
        details: Value,
    ) {
        if capacity == 0 {
            return;
        }
        let class = Class::of(event_type);
        while self.class_rows(class).len() >= capacity {
            if let Some(row) = self.class_rows_mut(class).pop_front() {
                self.events.remove(&row);
                self.rows.0.deleted.push(row);
            }
        }
        let (prefix, counter) = self.next_sid.0.get_or_insert_with(|| {
            let random = AuditEventSid::generate().bytes();
            let mut prefix = [0u8; 8];
            prefix.copy_from_slice(&random[..8]);
            (prefix, 0)
        });
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(prefix);
        bytes[8..].copy_from_slice(&counter.to_be_bytes());
        *counter += 1;
        let row = self.next_row;
        self.next_row += 1;
        self.events.insert(
            row,
            AuditEvent {
                sid: AuditEventSid::from_bytes(bytes),
                event_type: event_type.to_owned(),
                at,
                actor: actor.clone(),
                subject: subject.to_string(),
                details,
            },
        );
        self.class_rows_mut(class).push_back(row);
        self.rows.0.written.push(row);
    }

    fn class_rows(&self, class: Class) -> &VecDeque<u64> {
        match class {
            Class::Refusal => &self.refusals,
            Class::Other => &self.others,
        }
    }

    fn class_rows_mut(&mut self, class: Class) -> &mut VecDeque<u64> {
        match class {
            Class::Refusal => &mut self.refusals,
            Class::Other => &mut self.others,
        }
    }

    /// A log of stored rows `(row number, event)`, in row order.
    pub(crate) fn from_rows(rows: impl IntoIterator<Item = (u64, AuditEvent)>) -> Self {
        let mut log = Self::default();
        for (row, event) in rows {
            log.class_rows_mut(Class::of(&event.event_type))
                .push_back(row);
            log.events.insert(row, event);
            log.next_row = row + 1;
        }
        log
    }

    /// The rows to write and delete since the last call; afterwards they count as
    /// written. A row both written and deleted is only deleted.
    pub(crate) fn take_rows(&mut self) -> LogRows {
        let mut rows = std::mem::take(&mut self.rows.0);
        rows.written.retain(|row| self.events.contains_key(row));
        rows
    }

    /// Applies a row another engine stored: `event` at `row`, or, with `None`, the
    /// row deleted.
    #[cfg(feature = "postgres")]
    pub(crate) fn apply_row(&mut self, row: u64, event: Option<AuditEvent>) {
        if let Some(old) = self.events.remove(&row) {
            let rows = self.class_rows_mut(Class::of(&old.event_type));
            if rows.front() == Some(&row) {
                rows.pop_front();
            } else {
                rows.retain(|r| *r != row);
            }
        }
        let Some(event) = event else { return };
        let rows = self.class_rows_mut(Class::of(&event.event_type));
        match rows.back() {
            Some(last) if *last > row => {
                let at = rows.partition_point(|r| *r < row);
                rows.insert(at, row);
            }
            _ => rows.push_back(row),
        }
        self.events.insert(row, event);
        self.next_row = self.next_row.max(row + 1);
    }

    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    /// The event stored at `row`.
    pub(crate) fn row(&self, row: u64) -> Option<&AuditEvent> {
        self.events.get(&row)
    }

    /// Counts every event as not written.
    pub(crate) fn mark_all(&mut self) {
        self.rows.0 = LogRows {
            written: self.events.keys().copied().collect(),
            deleted: Vec::new(),
        };
    }

    /// How many events are kept.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether no event is kept.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The events matching `query`, oldest first.
    pub fn query(&self, query: &AuditQuery) -> Vec<AuditEvent> {
        let matching: Vec<&AuditEvent> = self
            .events
            .values()
            .filter(|e| {
                query
                    .event_type
                    .as_deref()
                    .is_none_or(|t| e.event_type == t)
            })
            .filter(|e| query.subject.as_deref().is_none_or(|s| e.subject == s))
            .filter(|e| query.since.is_none_or(|t| e.at >= t))
            .filter(|e| query.until.is_none_or(|t| e.at < t))
            .collect();
        let skip = query
            .limit
            .map_or(0, |limit| matching.len().saturating_sub(limit));
        matching.into_iter().skip(skip).cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::types;

    #[test]
    fn every_event_type_is_listed_once_as_area_dot_action() {
        let mut seen = std::collections::HashSet::new();
        for name in types::ALL {
            assert!(seen.insert(name), "{name} is listed twice");
            let (area, action) = name.split_once('.').expect(name);
            assert!(!area.is_empty() && !action.is_empty(), "{name}");
        }
    }
}
