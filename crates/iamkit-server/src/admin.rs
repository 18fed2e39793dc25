//! The admin API (`/admin/v1/…`, its own bearer token): what Twilio's Console does
//! (apps, authorized apps, audit events) and what tests need (clock, users, state,
//! fault rules).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use iamkit::{
    Actor, App, AppUpdate, AuditQuery, AuthorizeRequest, ClientId, Engine, NewAccount,
    NewAppFields, NewUser, OrganizationSid, OwnerSid, Role,
};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::app_state::AppState;
use crate::faults::FaultRule;
use crate::form::Form;
use crate::http_error::ApiError;

/// The admin routes, behind the admin-token check.
pub fn routes(state: Arc<AppState>) -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/organizations",
            get(organizations).post(create_organization),
        )
        .route(
            "/organizations/{sid}/accounts",
            get(accounts).post(create_account),
        )
        .route("/accounts/{sid}/auth-token", post(rotate_auth_token))
        .route("/organizations/{sid}/users", get(users))
        .route("/organizations/{sid}/authorized-apps", get(authorized_apps))
        .route("/users", post(create_user))
        .route("/apps", get(list_apps).post(create_app))
        .route(
            "/apps/{client_id}",
            get(view_app).post(update_app).delete(delete_app),
        )
        .route("/apps/{client_id}/rotate", post(rotate))
        .route("/authorizations", post(authorize))
        .route(
            "/authorizations/{sid}",
            axum::routing::delete(revoke_authorization),
        )
        .route("/audit-events", get(audit_events))
        .route("/clock", get(clock).post(move_clock))
        .route("/state", get(export_state).put(import_state))
        .route("/faults", get(faults).post(add_fault).delete(clear_faults))
        .layer(axum::middleware::from_fn_with_state(state, require_admin))
}

async fn require_admin(State(app): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match presented {
        Some(token) if app.is_admin_token(token) => next.run(request).await,
        _ => ApiError::unauthorized(
            "invalid_token",
            "the admin API needs the admin bearer token",
        )
        .into_response(),
    }
}

type ApiResult = Result<Response, ApiError>;

fn engine_error(e: impl Into<iamkit::Error>) -> ApiError {
    ApiError::from_engine(&e.into())
}

fn json_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::invalid_request(format!("invalid JSON body: {e}")))
}

fn sid<T: iamkit::Sid>(text: &str) -> Result<T, ApiError> {
    T::parse(text).map_err(|e| engine_error(iamkit::AppError::from(e)))
}

fn created(value: Value) -> ApiResult {
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

fn ok(value: Value) -> ApiResult {
    Ok(Json(value).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NameBody {
    name: String,
}

async fn organizations(State(app): State<Arc<AppState>>) -> ApiResult {
    ok(json!({ "organizations": app.engine.organizations() }))
}

async fn create_organization(State(app): State<Arc<AppState>>, body: Bytes) -> ApiResult {
    let NameBody { name } = json_body(&body)?;
    let org = app
        .engine
        .create_organization(&name)
        .map_err(engine_error)?;
    created(json!(org))
}

async fn accounts(State(app): State<Arc<AppState>>, Path(org): Path<String>) -> ApiResult {
    let accounts = app.engine.accounts(sid(&org)?).map_err(engine_error)?;
    ok(json!({ "accounts": accounts }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountBody {
    name: String,
    #[serde(default)]
    owner_sid: Option<String>,
}

/// Creates an account; the answer holds its auth token, shown this once.
async fn create_account(
    State(app): State<Arc<AppState>>,
    Path(org): Path<String>,
    body: Bytes,
) -> ApiResult {
    let body: AccountBody = json_body(&body)?;
    let new = NewAccount {
        owner_sid: body.owner_sid.as_deref().map(sid).transpose()?,
        ..NewAccount::new(sid(&org)?, &body.name)
    };
    let made = app
        .engine
        .create_account(new, &Actor::admin())
        .map_err(engine_error)?;
    let mut value = json!(made.account);
    value["auth_token"] = json!(made.auth_token.expose());
    created(value)
}

/// Gives an account a new auth token (the old one stops working), shown this once.
async fn rotate_auth_token(
    State(app): State<Arc<AppState>>,
    Path(account): Path<String>,
) -> ApiResult {
    let account = sid(&account)?;
    let token = app
        .engine
        .rotate_auth_token(account, &Actor::admin())
        .map_err(engine_error)?;
    ok(json!({ "account_sid": account, "auth_token": token.expose() }))
}

async fn users(State(app): State<Arc<AppState>>, Path(org): Path<String>) -> ApiResult {
    let org: OrganizationSid = sid(&org)?;
    app.engine.organization(org).map_err(engine_error)?;
    ok(json!({ "users": app.engine.users(org) }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserBody {
    organization_sid: String,
    user_name: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    sso: bool,
}

async fn create_user(State(app): State<Arc<AppState>>, body: Bytes) -> ApiResult {
    let body: UserBody = json_body(&body)?;
    let roles = body
        .roles
        .iter()
        .map(|r| r.parse::<Role>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::invalid_request(e.to_string()))?;
    let user = app
        .engine
        .create_user(NewUser {
            organization_sid: sid(&body.organization_sid)?,
            user_name: body.user_name,
            roles,
            sso: body.sso,
        })
        .map_err(engine_error)?;
    created(json!(user))
}

/// An app as the admin API shows it, with its authorization URL.
fn app_json(engine: &Engine, app: &App) -> Value {
    json!(engine.app_record(app))
}

async fn create_app(State(app): State<Arc<AppState>>, body: Bytes) -> ApiResult {
    let new = json_body::<NewAppFields>(&body)?
        .parse()
        .map_err(engine_error)?;
    let made = app
        .engine
        .create_app(new, &Actor::admin())
        .map_err(engine_error)?;
    let mut value = app_json(&app.engine, &made.app);
    value["client_secret"] = json!(made.client_secret.expose());
    created(value)
}

fn query(raw: Option<String>) -> Result<Form, ApiError> {
    Form::from_query(raw.unwrap_or_default().as_bytes())
}

async fn list_apps(State(app): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> ApiResult {
    let owner = query(raw)?
        .take("owner_sid")
        .ok_or_else(|| ApiError::invalid_request("owner_sid is required"))?;
    let owner: OwnerSid = owner.parse().map_err(engine_error)?;
    let apps: Vec<Value> = app
        .engine
        .apps(owner)
        .iter()
        .map(|a| app_json(&app.engine, a))
        .collect();
    ok(json!({ "apps": apps }))
}

async fn view_app(State(app): State<Arc<AppState>>, Path(id): Path<String>) -> ApiResult {
    let found = app.engine.app(sid(&id)?).map_err(engine_error)?;
    ok(app_json(&app.engine, &found))
}

async fn update_app(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let update: AppUpdate = json_body(&body)?;
    let updated = app
        .engine
        .update_app(sid::<ClientId>(&id)?, update, &Actor::admin())
        .map_err(engine_error)?;
    ok(app_json(&app.engine, &updated))
}

async fn delete_app(State(app): State<Arc<AppState>>, Path(id): Path<String>) -> ApiResult {
    app.engine
        .delete_app(sid(&id)?, &Actor::admin())
        .map_err(engine_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RotateBody {
    grace_seconds: Option<u64>,
}

async fn rotate(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let body: RotateBody = if body.is_empty() {
        RotateBody::default()
    } else {
        json_body(&body)?
    };
    let rotated = app
        .engine
        .rotate_secret(sid(&id)?, body.grace_seconds, &Actor::admin())
        .map_err(engine_error)?;
    let mut value = app_json(&app.engine, &rotated.app);
    value["client_secret"] = json!(rotated.client_secret.expose());
    value["previous_secret_valid_until"] = json!(rotated.previous_valid_until.map(rfc3339));
    ok(value)
}

async fn authorized_apps(State(app): State<Arc<AppState>>, Path(org): Path<String>) -> ApiResult {
    ok(json!({ "authorizations": app.engine.authorizations(sid(&org)?) }))
}

/// An approval as the consent page records it, for tests without a browser.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthorizeBody {
    client_id: String,
    #[serde(default = "code_response_type")]
    response_type: String,
    redirect_uri: String,
    user_sid: String,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

fn code_response_type() -> String {
    "code".into()
}

/// `POST /admin/v1/authorizations`: `user_sid` approves the request as on the
/// consent page (same rules, same audit event), without the page: the code and
/// the redirect the page would send the browser to.
async fn authorize(State(app): State<Arc<AppState>>, body: Bytes) -> ApiResult {
    let b: AuthorizeBody = json_body(&body)?;
    let approved = app
        .engine
        .authorize(&AuthorizeRequest {
            client_id: b.client_id,
            response_type: b.response_type,
            redirect_uri: b.redirect_uri,
            scope: b.scope,
            state: b.state,
            user_sid: b.user_sid,
            code_challenge: b.code_challenge,
            code_challenge_method: b.code_challenge_method,
        })
        .map_err(engine_error)?;
    created(json!({
        "code": approved.code.expose(),
        "redirect_to": approved.redirect_to.expose(),
        "expires_at": rfc3339(approved.expires_at),
        "authorization": approved.authorization,
    }))
}

async fn revoke_authorization(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> ApiResult {
    let revoked = app
        .engine
        .revoke_authorization(sid(&id)?, &Actor::admin())
        .map_err(engine_error)?;
    ok(json!(revoked))
}

fn instant(field: &str, text: Option<String>) -> Result<Option<OffsetDateTime>, ApiError> {
    text.map(|t| {
        OffsetDateTime::parse(&t, &Rfc3339)
            .map_err(|_| ApiError::invalid_request(format!("{field} must be an RFC 3339 instant")))
    })
    .transpose()
}

async fn audit_events(State(app): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> ApiResult {
    let mut p = query(raw)?;
    let limit = p
        .take("limit")
        .map(|l| {
            l.parse::<usize>()
                .map_err(|_| ApiError::invalid_request("limit must be a whole number"))
        })
        .transpose()?;
    let query = AuditQuery {
        event_type: p.take("event_type"),
        subject: p.take("subject"),
        since: instant("since", p.take("since"))?,
        until: instant("until", p.take("until"))?,
        limit,
    };
    ok(json!({ "events": app.engine.audit_events(&query) }))
}

/// An instant as RFC 3339, as the admin API and the Console show it.
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

fn clock_json(engine: &Engine) -> Value {
    let clock = engine.clock();
    json!({ "now": rfc3339(clock.now()), "adjustable": clock.adjustable().is_some() })
}

async fn clock(State(app): State<Arc<AppState>>) -> ApiResult {
    ok(clock_json(&app.engine))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockBody {
    set: Option<String>,
    advance_seconds: Option<i64>,
}

async fn move_clock(State(app): State<Arc<AppState>>, body: Bytes) -> ApiResult {
    let body: ClockBody = json_body(&body)?;
    let set = instant("set", body.set)?;
    let step = body
        .advance_seconds
        .map(|seconds| iamkit::forward_step(seconds as f64))
        .transpose()
        .map_err(|e| ApiError::invalid_request(format!("advance_seconds: {e}")))?;
    if set.is_none() && step.is_none() {
        return Err(ApiError::invalid_request(
            "give set, advance_seconds or both",
        ));
    }
    adjust_clock(&app.engine, set, step).map_err(ApiError::invalid_request)?;
    ok(clock_json(&app.engine))
}

/// Sets the engine's clock to `set`, then moves it forward by `step`, as the admin
/// API and the Console do; refused on the system clock.
pub fn adjust_clock(
    engine: &Engine,
    set: Option<OffsetDateTime>,
    step: Option<time::Duration>,
) -> Result<(), &'static str> {
    let clock = engine.clock();
    let Some(controls) = clock.adjustable() else {
        return Err("this emulator runs on the system clock, which cannot be moved");
    };
    if let Some(at) = set {
        controls.set(at);
    }
    if let Some(step) = step {
        controls.advance(step);
    }
    Ok(())
}

async fn export_state(State(app): State<Arc<AppState>>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        app.engine.export_state(),
    )
        .into_response()
}

async fn import_state(State(app): State<Arc<AppState>>, body: Bytes) -> ApiResult {
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::invalid_request("the state is not UTF-8"))?;
    app.engine.import_state(text).map_err(engine_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn faults(State(app): State<Arc<AppState>>) -> ApiResult {
    ok(json!({ "faults": app.faults.list() }))
}

async fn add_fault(State(app): State<Arc<AppState>>, body: Bytes) -> ApiResult {
    let rule: FaultRule = json_body(&body)?;
    app.faults
        .add(rule.clone())
        .map_err(ApiError::invalid_request)?;
    created(json!(rule))
}

async fn clear_faults(State(app): State<Arc<AppState>>) -> ApiResult {
    app.faults.clear();
    Ok(StatusCode::NO_CONTENT.into_response())
}
