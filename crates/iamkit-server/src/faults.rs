//! Fault rules: "the next N requests to this path answer with this status and
//! body, or after this delay", so tests can exercise a client's failure paths.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

/// Longest delay a rule may ask for.
pub const MAX_DELAY_MS: u64 = 60_000;

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// Only this method (any when absent).
    #[serde(default)]
    pub method: Option<String>,
    /// The exact request path (without query).
    pub path: String,
    /// How many requests the rule still applies to.
    pub count: u32,
    /// The status to answer with; when absent the request goes through after the
    /// delay.
    #[serde(default)]
    pub status: Option<u16>,
    /// The body to answer with (JSON).
    #[serde(default)]
    pub body: Option<serde_json::Value>,
    /// How long to wait first, in milliseconds.
    #[serde(default)]
    pub delay_ms: u64,
}

/// The active rules, first match wins.
#[derive(Debug, Default)]
pub struct Faults(Mutex<Vec<FaultRule>>);

impl Faults {
    /// Adds a rule after checking it.
    pub fn add(&self, rule: FaultRule) -> Result<(), String> {
        if !rule.path.starts_with('/') {
            return Err("path must start with '/'".into());
        }
        if rule.path.starts_with("/admin/") {
            return Err("the admin API cannot be faulted".into());
        }
        if rule.path == "/console" || rule.path.starts_with("/console/") {
            return Err("the Console cannot be faulted".into());
        }
        if rule.count == 0 {
            return Err("count must be at least 1".into());
        }
        if let Some(status) = rule.status {
            if StatusCode::from_u16(status).is_err() || !(100..=599).contains(&status) {
                return Err(format!("{status} is not an HTTP status"));
            }
        }
        if rule.delay_ms > MAX_DELAY_MS {
            return Err(format!("delay_ms is at most {MAX_DELAY_MS}"));
        }
        self.0.lock().push(rule);
        Ok(())
    }

    /// The rules still active.
    pub fn list(&self) -> Vec<FaultRule> {
        self.0.lock().clone()
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.0.lock().clear();
    }

    /// Takes one use of the first rule matching the request, if any.
    fn take(&self, method: &str, path: &str) -> Option<FaultRule> {
        let mut rules = self.0.lock();
        let index = rules.iter().position(|r| {
            r.path == path
                && r.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
        })?;
        let rule = rules[index].clone();
        if rules[index].count <= 1 {
            rules.remove(index);
        } else {
            rules[index].count -= 1;
        }
        Some(rule)
    }
}

/// Middleware applying the first matching rule.
pub async fn apply(State(faults): State<Arc<Faults>>, request: Request, next: Next) -> Response {
    let Some(rule) = faults.take(request.method().as_str(), request.uri().path()) else {
        return next.run(request).await;
    };
    if rule.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(rule.delay_ms)).await;
    }
    match rule.status.and_then(|s| StatusCode::from_u16(s).ok()) {
        None => next.run(request).await,
        Some(status) => match rule.body {
            Some(body) => (status, axum::Json(body)).into_response(),
            None => (status, Body::empty()).into_response(),
        },
    }
}
