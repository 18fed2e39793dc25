//! The Console's tools: audit events, the clock, fault rules and the token
//! inspector.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use iamkit::audit::types;
use iamkit::AuditQuery;
use serde::Deserialize;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::session::Session;
use super::view::{self, render, Chrome, Notice};
use super::SentForm;
use crate::app_state::AppState;
use crate::faults::FaultRule;
use crate::form::Form;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/console/audit", get(audit))
        .route("/console/clock", get(clock))
        .route("/console/clock/advance", post(advance_clock))
        .route("/console/clock/set", post(set_clock))
        .route("/console/faults", get(faults).post(add_fault))
        .route("/console/faults/clear", post(clear_faults))
        .route("/console/inspect", get(inspector).post(inspect))
}

/// The newest events the audit page lists.
const AUDIT_PAGE: usize = 200;

/// An event as the audit page shows it.
pub struct EventRow {
    pub sid: String,
    pub event_type: String,
    pub at: String,
    pub actor: String,
    pub subject: String,
    pub details: Vec<(String, String)>,
}

/// A detail's value as text: strings as they are, the rest as JSON, and grace
/// periods also in days and hours.
fn detail_text(name: &str, value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match (name.ends_with("_seconds"), value.as_i64()) {
        (true, Some(seconds)) => format!("{text} ({})", view::duration_text(seconds)),
        _ => text,
    }
}

#[derive(Template)]
#[template(path = "console/audit.html")]
struct AuditPage {
    chrome: Chrome,
    event_type: String,
    subject: String,
    types: Vec<&'static str>,
    events: Vec<EventRow>,
    limit: usize,
}

#[derive(Deserialize)]
struct AuditFilter {
    #[serde(default)]
    event_type: String,
    #[serde(default)]
    subject: String,
}

/// `GET /console/audit?event_type=…&subject=…`: the newest events, newest first.
async fn audit(
    State(app): State<Arc<AppState>>,
    Extension(session): Extension<Session>,
    Query(filter): Query<AuditFilter>,
) -> Response {
    let chrome = Chrome::new(&session, "audit");
    let narrow = |t: &str| (!t.trim().is_empty()).then(|| t.trim().to_owned());
    let mut events = app.engine.audit_events(&AuditQuery {
        event_type: narrow(&filter.event_type),
        subject: narrow(&filter.subject),
        limit: Some(AUDIT_PAGE),
        ..AuditQuery::default()
    });
    events.reverse();
    let events = events
        .into_iter()
        .map(|e| EventRow {
            details: e
                .details
                .as_object()
                .map(|fields| {
                    fields
                        .iter()
                        .map(|(name, value)| (name.clone(), detail_text(name, value)))
                        .collect()
                })
                .unwrap_or_default(),
            sid: e.sid.to_string(),
            event_type: e.event_type,
            at: crate::admin::rfc3339(e.at),
            actor: e.actor.as_str().to_owned(),
            subject: e.subject,
        })
        .collect();
    let page = AuditPage {
        chrome: chrome.clone(),
        event_type: filter.event_type,
        subject: filter.subject,
        types: types::ALL.to_vec(),
        events,
        limit: AUDIT_PAGE,
    };
    render(&chrome, &page)
}

/// The units the clock is moved forward in, and their length in seconds.
const CLOCK_UNITS: [(&str, f64); 4] = [
    ("seconds", 1.0),
    ("minutes", 60.0),
    ("hours", 3_600.0),
    ("days", 86_400.0),
];

#[derive(Template)]
#[template(path = "console/clock.html")]
struct ClockPage {
    chrome: Chrome,
    now: String,
    adjustable: bool,
    units: Vec<&'static str>,
}

fn clock_page(app: &AppState, chrome: Chrome) -> Response {
    let clock = app.engine.clock();
    let page = ClockPage {
        chrome: chrome.clone(),
        now: crate::admin::rfc3339(clock.now()),
        adjustable: clock.adjustable().is_some(),
        units: CLOCK_UNITS.iter().map(|(unit, _)| *unit).collect(),
    };
    render(&chrome, &page)
}

/// `GET /console/clock`: the engine's time, and the controls of a manual clock.
async fn clock(
    State(app): State<Arc<AppState>>,
    Extension(session): Extension<Session>,
) -> Response {
    clock_page(&app, Chrome::new(&session, "clock"))
}

/// `POST /console/clock/advance` with `amount` and `unit`.
async fn advance_clock(
    State(app): State<Arc<AppState>>,
    Extension(session): Extension<Session>,
    Extension(SentForm(mut form)): Extension<SentForm>,
) -> Response {
    let chrome = Chrome::new(&session, "clock");
    let amount = form.take("amount").unwrap_or_default();
    let unit = form.take("unit").unwrap_or_default();
    let moved = amount
        .trim()
        .parse::<f64>()
        .map_err(|_| Notice::invalid(format!("the amount must be a number, not {amount:?}")))
        .and_then(|amount| {
            CLOCK_UNITS
                .iter()
                .find(|(name, _)| *name == unit)
                .map(|(_, size)| amount * size)
                .ok_or_else(|| Notice::invalid(format!("unknown time unit {unit:?}")))
        })
        .and_then(|seconds| iamkit::forward_step(seconds).map_err(Notice::invalid))
        .and_then(|step| {
            crate::admin::adjust_clock(&app.engine, None, Some(step)).map_err(Notice::invalid)
        });
    let notice = match moved {
        Ok(()) => Notice::done(format!("The clock moved forward {} {unit}.", amount.trim())),
        Err(notice) => notice,
    };
    clock_page(&app, chrome.with(notice))
}

/// `POST /console/clock/set` with `at` (RFC 3339).
async fn set_clock(
    State(app): State<Arc<AppState>>,
    Extension(session): Extension<Session>,
    Extension(SentForm(mut form)): Extension<SentForm>,
) -> Response {
    let chrome = Chrome::new(&session, "clock");
    let at = form.take("at").unwrap_or_default();
    let moved = OffsetDateTime::parse(at.trim(), &Rfc3339)
        .map_err(|_| Notice::invalid(format!("{at:?} is not an RFC 3339 instant")))
        .and_then(|instant| {
            crate::admin::adjust_clock(&app.engine, Some(instant), None).map_err(Notice::invalid)
        });
    let notice = match moved {
        Ok(()) => Notice::done("The clock was set."),
        Err(notice) => notice,
    };
    clock_page(&app, chrome.with(notice))
}

/// A fault rule as the page shows it.
pub struct FaultRow {
    pub method: String,
    pub path: String,
    pub count: u32,
    pub status: String,
    pub body: String,
    pub delay_ms: u64,
}

#[derive(Template)]
#[template(path = "console/faults.html")]
struct FaultsPage {
    chrome: Chrome,
    rules: Vec<FaultRow>,
}

fn faults_page(app: &AppState, chrome: Chrome) -> Response {
    let rules = app
        .faults
        .list()
        .into_iter()
        .map(|r| FaultRow {
            method: r.method.unwrap_or_else(|| "any".into()),
            status: r
                .status
                .map_or_else(|| "(passes after the delay)".into(), |s| s.to_string()),
            body: r.body.map(|b| b.to_string()).unwrap_or_default(),
            path: r.path,
            count: r.count,
            delay_ms: r.delay_ms,
        })
        .collect();
    render(&chrome.clone(), &FaultsPage { chrome, rules })
}

/// `GET /console/faults`: the active rules and a form to add one.
async fn faults(
    State(app): State<Arc<AppState>>,
    Extension(session): Extension<Session>,
) -> Response {
    faults_page(&app, Chrome::new(&session, "faults"))
}

/// Reads a rule from the form: empty fields are unset.
fn fault_rule(form: &mut Form) -> Result<FaultRule, Notice> {
    let mut text = |name| {
        form.take(name)
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
    };
    let number = |name: &str, value: Option<String>| {
        value
            .map(|v| {
                v.parse::<u64>().map_err(|_| {
                    Notice::invalid(format!("{name} must be a whole number, not {v:?}"))
                })
            })
            .transpose()
    };
    let method = text("method");
    let path = text("path").unwrap_or_default();
    let count = number("count", text("count"))?.unwrap_or(1);
    let status = number("status", text("status"))?;
    let body = text("body")
        .map(|b| {
            serde_json::from_str::<Value>(&b)
                .map_err(|e| Notice::invalid(format!("the body is not JSON: {e}")))
        })
        .transpose()?;
    let delay_ms = number("delay_ms", text("delay_ms"))?.unwrap_or(0);
    Ok(FaultRule {
        method,
        path,
        count: u32::try_from(count).map_err(|_| Notice::invalid("count is too large"))?,
        status: status
            .map(|s| {
                u16::try_from(s).map_err(|_| Notice::invalid(format!("{s} is not an HTTP status")))
            })
            .transpose()?,
        body,
        delay_ms,
    })
}

/// `POST /console/faults`: adds a rule, as the admin API's `POST /faults` does.
async fn add_fault(
    State(app): State<Arc<AppState>>,
    Extension(session): Extension<Session>,
    Extension(SentForm(mut form)): Extension<SentForm>,
) -> Response {
    let chrome = Chrome::new(&session, "faults");
    let added = fault_rule(&mut form).and_then(|rule| {
        let path = rule.path.clone();
        app.faults.add(rule).map(|()| path).map_err(Notice::invalid)
    });
    let notice = match added {
        Ok(path) => Notice::done(format!("Added a rule for {path}.")),
        Err(notice) => notice,
    };
    faults_page(&app, chrome.with(notice))
}

/// `POST /console/faults/clear`: removes every rule.
async fn clear_faults(
    State(app): State<Arc<AppState>>,
    Extension(session): Extension<Session>,
) -> Response {
    app.faults.clear();
    faults_page(
        &app,
        Chrome::new(&session, "faults").with(Notice::done("Every rule was removed.")),
    )
}

/// The engine's verdict on a token, as the inspector shows it.
pub struct Verdict {
    pub valid: bool,
    pub code: String,
    pub message: String,
    pub expired_ago: Option<String>,
    pub header: String,
    pub claims: String,
    pub times: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "console/inspect.html")]
struct InspectPage {
    chrome: Chrome,
    verdict: Option<Verdict>,
}

/// `GET /console/inspect`: a form to paste a token in.
async fn inspector(Extension(session): Extension<Session>) -> Response {
    let chrome = Chrome::new(&session, "inspect");
    render(
        &chrome.clone(),
        &InspectPage {
            chrome,
            verdict: None,
        },
    )
}

/// `POST /console/inspect` with `token` (in the body, never in a URL): its header
/// and claims, and the engine's verdict with its code.
async fn inspect(
    State(app): State<Arc<AppState>>,
    Extension(session): Extension<Session>,
    Extension(SentForm(mut form)): Extension<SentForm>,
) -> Response {
    let chrome = Chrome::new(&session, "inspect");
    let token = form.take("token").unwrap_or_default();
    let seen = app.engine.inspect_token(token.trim());
    let pretty = |v: &Option<Value>| {
        v.as_ref().map_or_else(
            || "(does not decode)".into(),
            |v| serde_json::to_string_pretty(v).unwrap_or_default(),
        )
    };
    let times = ["iat", "nbf", "exp"]
        .iter()
        .filter_map(|name| {
            let at = seen.claims.as_ref()?.get(*name)?.as_i64()?;
            let at = OffsetDateTime::from_unix_timestamp(at).ok()?;
            Some(((*name).to_owned(), crate::admin::rfc3339(at)))
        })
        .collect();
    let verdict = Verdict {
        valid: seen.valid,
        code: seen.code.clone().unwrap_or_else(|| "valid".into()),
        message: seen
            .message
            .clone()
            .unwrap_or_else(|| "the token verifies now".into()),
        expired_ago: seen.expired_seconds_ago.map(view::duration_text),
        header: pretty(&seen.header),
        claims: pretty(&seen.claims),
        times,
    };
    render(
        &chrome.clone(),
        &InspectPage {
            chrome,
            verdict: Some(verdict),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grace_periods_read_in_days_too() {
        assert_eq!(
            detail_text("grace_period_seconds", &serde_json::json!(604_800)),
            "604800 (7 days)"
        );
        assert_eq!(detail_text("client_id", &serde_json::json!("OQ1")), "OQ1");
        assert_eq!(detail_text("scopes", &serde_json::json!(["a"])), "[\"a\"]");
    }

    #[test]
    fn a_fault_rule_is_read_with_its_errors_named() {
        let mut form =
            Form::from_query(b"path=%2Fv2%2Ftoken&status=503&count=2&body=%7B%7D").unwrap();
        let rule = fault_rule(&mut form).unwrap();
        assert_eq!(rule.path, "/v2/token");
        assert_eq!((rule.count, rule.status, rule.delay_ms), (2, Some(503), 0));
        assert_eq!(rule.body, Some(serde_json::json!({})));
        let mut form = Form::from_query(b"path=%2Fx&count=two").unwrap();
        assert_eq!(
            fault_rule(&mut form).unwrap_err(),
            Notice::invalid("count must be a whole number, not \"two\"")
        );
        let mut form = Form::from_query(b"path=%2Fx&body=%7B").unwrap();
        assert!(fault_rule(&mut form)
            .unwrap_err()
            .message
            .starts_with("the body is not JSON: "));
    }
}
