//! Audit events: what happened, when (engine clock), who did it, and details that
//! never include a secret.

use std::collections::VecDeque;

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
    /// A user authorized an app.
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
    /// A role was assigned.
    pub const ROLE_ASSIGNMENT_CREATED: &str = "role-assignments.created";
    /// A role assignment was deleted (directly, or with its user).
    pub const ROLE_ASSIGNMENT_DELETED: &str = "role-assignments.deleted";
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

/// The bounded, append-only event log. When full, the oldest events are dropped.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditLog {
    events: VecDeque<AuditEvent>,
    /// Where the next event sid comes from: a random prefix drawn once per log and a
    /// counter, so recording an event costs no call to the random source.
    #[serde(skip)]
    next_sid: Option<([u8; 8], u64)>,
    /// What a durable store needs to write the log row by row.
    #[serde(skip)]
    rows: Bookkeeping<Rows>,
}

/// The log's place in a durable store: events are rows numbered in order.
#[derive(Debug, Clone, Copy, Default)]
struct Rows {
    /// The row number of the oldest event kept.
    front: u64,
    /// How many of the newest events are not written yet.
    unwritten: usize,
}

impl AuditLog {
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
        while self.events.len() >= capacity {
            self.events.pop_front();
            self.rows.0.front += 1;
        }
        let (prefix, counter) = self.next_sid.get_or_insert_with(|| {
            let random = AuditEventSid::generate().bytes();
            let mut prefix = [0u8; 8];
            prefix.copy_from_slice(&random[..8]);
            (prefix, 0)
        });
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(prefix);
        bytes[8..].copy_from_slice(&counter.to_be_bytes());
        *counter += 1;
        self.events.push_back(AuditEvent {
            sid: AuditEventSid::from_bytes(bytes),
            event_type: event_type.to_owned(),
            at,
            actor: actor.clone(),
            subject: subject.to_string(),
            details,
        });
        self.rows.0.unwritten = (self.rows.0.unwritten + 1).min(self.events.len());
    }

    #[cfg(feature = "sqlite")]
    /// A log restored from stored rows: `front` is the row number of the first.
    pub(crate) fn from_rows(front: u64, events: Vec<AuditEvent>) -> Self {
        Self {
            events: events.into(),
            next_sid: None,
            rows: Bookkeeping(Rows {
                front,
                unwritten: 0,
            }),
        }
    }

    /// The row number of the oldest event kept and how many of the newest are not
    /// yet written; afterwards they count as written.
    pub(crate) fn take_unwritten(&mut self) -> (u64, usize) {
        let unwritten = std::mem::take(&mut self.rows.0.unwritten);
        (self.rows.0.front, unwritten)
    }

    #[cfg(feature = "sqlite")]
    /// The newest `count` events with their row numbers, oldest first.
    pub(crate) fn newest_rows(&self, count: usize) -> impl Iterator<Item = (u64, &AuditEvent)> {
        let first = self.events.len().saturating_sub(count);
        (self.rows.0.front + first as u64..).zip(self.events.iter().skip(first))
    }

    /// Counts every event as not written, from row 0.
    pub(crate) fn mark_all(&mut self) {
        self.rows.0 = Rows {
            front: 0,
            unwritten: self.events.len(),
        };
    }

    /// The events matching `query`, oldest first.
    pub fn query(&self, query: &AuditQuery) -> Vec<AuditEvent> {
        let matching: Vec<&AuditEvent> = self
            .events
            .iter()
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
