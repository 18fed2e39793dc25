//! What an imported state must also satisfy: every field it holds is one this
//! engine reads (nothing silently ignored), and nothing in it happened after the
//! engine's clock (a code issued in the future would never expire).

use serde_json::Value;
use time::OffsetDateTime;

use super::{State, StateError};

/// Refuses a field of `sent` (the export's `state`) that `read` (the state parsed
/// from it, serialized again) does not hold: a field this engine does not know.
/// Users are left to the SCIM rules, which refuse attributes outside their schemas.
pub(crate) fn check_fields(sent: &Value, read: &Value) -> Result<(), StateError> {
    match unknown_field(sent, read, "state") {
        Some(path) => Err(StateError::Invalid(format!("unknown field {path}"))),
        None => Ok(()),
    }
}

fn unknown_field(sent: &Value, read: &Value, path: &str) -> Option<String> {
    match (sent, read) {
        (Value::Object(sent), Value::Object(read)) => sent.iter().find_map(|(key, value)| {
            let here = format!("{path}.{key}");
            if here == "state.users" {
                return None;
            }
            match read.get(key) {
                Some(known) => unknown_field(value, known, &here),
                None => Some(here),
            }
        }),
        (Value::Array(sent), Value::Array(read)) => sent
            .iter()
            .zip(read)
            .enumerate()
            .find_map(|(i, (value, known))| unknown_field(value, known, &format!("{path}[{i}]"))),
        _ => None,
    }
}

/// Refuses a state in which something happened after `now`.
pub(crate) fn check_times(state: &State, now: OffsetDateTime) -> Result<(), StateError> {
    let mut times: Vec<(&str, String, OffsetDateTime)> = Vec::new();
    let mut put = |what: &'static str, who: String, at: Option<OffsetDateTime>| {
        if let Some(at) = at {
            times.push((what, who, at));
        }
    };
    for o in state.organizations.values() {
        put("organization", o.sid.to_string(), Some(o.created_at));
    }
    for a in state.accounts.values() {
        put("account", a.sid.to_string(), Some(a.created_at));
    }
    for a in state.apps.values() {
        let id = a.app.client_id.to_string();
        put("app", id.clone(), Some(a.app.created_at));
        put("app", id, Some(a.app.updated_at));
    }
    for a in state.authorizations.values() {
        put("authorization", a.sid.to_string(), Some(a.created_at));
        put("authorization", a.sid.to_string(), a.revoked_at);
    }
    for g in state.grants.values() {
        for at in [Some(g.issued_at), g.redeemed_at, g.revoked_at] {
            put("grant", g.sid.to_string(), at);
        }
    }
    for table in state.role_assignments.values() {
        for a in table.iter() {
            put("role assignment", a.sid.to_string(), Some(a.date_created));
        }
    }
    for e in state.audit.query(&Default::default()) {
        put("audit event", e.sid.to_string(), Some(e.at));
    }
    match times.into_iter().find(|(_, _, at)| *at > now) {
        Some((what, who, _)) => Err(StateError::Invalid(format!(
            "{what} {who} is dated after the engine clock"
        ))),
        None => Ok(()),
    }
}
