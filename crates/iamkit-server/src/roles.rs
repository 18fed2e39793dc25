//! Roles, role assignments and accounts over HTTP, in the documented layout
//! (`/v2/Organizations/...`, organization from the token) and the SDK layout
//! (`/Organizations/{OR}/...`).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use iamkit::endpoints::organization_accounts;
use iamkit::{AccountQuery, NewRoleAssignment, RoleAssignmentQuery};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app_state::AppState;
use crate::auth::Caller;
use crate::form::Form;
use crate::http_error::ApiError;

/// The routes any token of the organization may call.
pub fn organization_routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/Organizations/{org}/Accounts", get(accounts))
        .route("/Organizations/{org}/Accounts/{account}", get(account))
}

type ApiResult = Result<Response, ApiError>;

fn engine_error(e: impl Into<iamkit::Error>) -> ApiError {
    ApiError::from_engine(&e.into())
}

pub(crate) async fn roles(State(app): State<Arc<AppState>>) -> Json<Value> {
    let roles = app.engine.roles();
    Json(json!({ "content": roles, "meta": { "key": "content", "page_size": roles.len() } }))
}

/// The `PageSize` and `PageToken` of a list request. The token-paging SDKs send
/// `pageToken`; the page URLs carry `PageToken`.
fn page_query(form: &mut Form) -> Result<(Option<u32>, Option<String>), ApiError> {
    let page_size = form
        .take("PageSize")
        .map(|v| {
            v.parse::<u32>()
                .map_err(|_| ApiError::invalid_request("PageSize must be a whole number"))
        })
        .transpose()?;
    let page_token = form.take("PageToken").or_else(|| form.take("pageToken"));
    Ok((page_size, page_token))
}

pub(crate) async fn list(
    State(app): State<Arc<AppState>>,
    Extension(Caller(claims)): Extension<Caller>,
    path: Option<Path<std::collections::HashMap<String, String>>>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let path_org = path.and_then(|Path(p)| p.get("org").cloned());
    let mut form = Form::from_query(raw.unwrap_or_default().as_bytes())?;
    let (page_size, page_token) = page_query(&mut form)?;
    let query = RoleAssignmentQuery {
        identity: form.take("Identity"),
        scope: form.take("Scope"),
        page_size,
        page_token,
    };
    let page = app
        .engine
        .role_assignments(claims.organization_sid, &query)
        .map_err(engine_error)?;
    // Links on the layout the client called.
    let list_url = match path_org {
        Some(org) => app
            .engine
            .url(&format!("/Organizations/{org}/RoleAssignments")),
        None => app.engine.url(iamkit::endpoints::ROLE_ASSIGNMENTS),
    };
    Ok(Json(page.at(&list_url)).into_response())
}

/// A role-assignment request body: JSON (as the Twilio SDKs send it) or a form.
#[derive(Deserialize)]
struct CreateBody {
    role_sid: Option<String>,
    scope: Option<String>,
    identity: Option<String>,
}

fn create_body(headers: &HeaderMap, body: &[u8]) -> Result<NewRoleAssignment, ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let parsed = if content_type.starts_with("application/json") {
        serde_json::from_slice::<CreateBody>(body)
            .map_err(|e| ApiError::invalid_request(format!("invalid JSON body: {e}")))?
    } else {
        let mut form = Form::parse(headers, body)?;
        CreateBody {
            role_sid: form.take("RoleSid").or_else(|| form.take("role_sid")),
            scope: form.take("Scope").or_else(|| form.take("scope")),
            identity: form.take("Identity").or_else(|| form.take("identity")),
        }
    };
    Ok(NewRoleAssignment {
        role_sid: parsed.role_sid.unwrap_or_default(),
        scope: parsed.scope.unwrap_or_default(),
        identity: parsed.identity.unwrap_or_default(),
    })
}

pub(crate) async fn create(
    State(app): State<Arc<AppState>>,
    Extension(Caller(claims)): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let new = create_body(&headers, &body)?;
    let assignment = app
        .engine
        .create_role_assignment(claims.organization_sid, &new, &crate::caller_actor(&claims))
        .map_err(engine_error)?;
    Ok((StatusCode::CREATED, Json(assignment)).into_response())
}

pub(crate) async fn remove(
    State(app): State<Arc<AppState>>,
    Extension(Caller(claims)): Extension<Caller>,
    Path(params): Path<std::collections::HashMap<String, String>>,
) -> ApiResult {
    let sid = params.get("sid").map(String::as_str).unwrap_or("");
    app.engine
        .delete_role_assignment(claims.organization_sid, sid, &crate::caller_actor(&claims))
        .map_err(engine_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// An account as Twilio's organization Accounts resource shows it
/// (`PublicApiAccountResponse`): `owner_sid` is the owning user, left out while the
/// organization has no Owner.
fn account_json(account: &iamkit::Account) -> Value {
    let mut value = json!({
        "account_sid": account.sid,
        "friendly_name": account.name,
        "status": "active",
        "date_created": account.created_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
    });
    if let Some(owner) = account.owner_sid {
        value["owner_sid"] = json!(owner);
    }
    value
}

/// The organization in the path must be the token's.
fn same_organization(path_org: &str, claims: &iamkit::Claims) -> Result<(), ApiError> {
    if path_org.parse::<iamkit::OrganizationSid>().ok() == Some(claims.organization_sid) {
        Ok(())
    } else {
        Err(engine_error(iamkit::AccessError::WrongOrganization))
    }
}

async fn accounts(
    State(app): State<Arc<AppState>>,
    Extension(Caller(claims)): Extension<Caller>,
    Path(org): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    same_organization(&org, &claims)?;
    let mut form = Form::from_query(raw.unwrap_or_default().as_bytes())?;
    let (page_size, page_token) = page_query(&mut form)?;
    let page = app
        .engine
        .account_page(
            claims.organization_sid,
            &AccountQuery {
                page_size,
                page_token,
            },
        )
        .map_err(engine_error)?;
    let page = page.map(|account| account_json(&account));
    let list_url = app
        .engine
        .url(&organization_accounts(claims.organization_sid));
    Ok(Json(page.at(&list_url)).into_response())
}

async fn account(
    State(app): State<Arc<AppState>>,
    Extension(Caller(claims)): Extension<Caller>,
    Path((org, account)): Path<(String, String)>,
) -> ApiResult {
    same_organization(&org, &claims)?;
    // A segment that is no account sid names no account: 404, as Twilio's spec
    // declares for this path (and as a malformed user or role-assignment sid is).
    let sid = account
        .parse::<iamkit::AccountSid>()
        .map_err(|_| ApiError::not_found(format!("account {account:?} not found")))?;
    let found = app.engine.account(sid).map_err(engine_error)?;
    if found.organization_sid != claims.organization_sid {
        return Err(engine_error(iamkit::AppError::AccountNotFound(sid)));
    }
    Ok(Json(account_json(&found)).into_response())
}
