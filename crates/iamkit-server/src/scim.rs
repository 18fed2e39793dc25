//! SCIM users over HTTP, in the documented layout (`/scim/v2/Users`, organization
//! from the token) and the SDK layout (`/Organizations/{OR}/scim/Users`), with the
//! discovery documents. Bodies and errors use `application/scim+json`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Extension, Router};
use iamkit::scim::{Projection, ScimError};
use iamkit::{Engine, OrganizationSid, UserQuery};
use serde_json::Value;

use crate::app_state::AppState;
use crate::auth::Caller;
use crate::form::Form;
use crate::http_error::{scim_error_response, scim_json, ScimFailure, SCIM_JSON};

/// The discovery documents, readable without a token (RFC 7644 §4), under both
/// SCIM roots (the organization layout serves the same documents), and a SCIM 404
/// for any other path under a SCIM root.
pub fn discovery_routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/scim/v2/ServiceProviderConfig",
            get(service_provider_config),
        )
        .route("/scim/v2/ResourceTypes", get(resource_types))
        .route("/scim/v2/ResourceTypes/{name}", get(resource_type))
        .route("/scim/v2/Schemas", get(schemas))
        .route("/scim/v2/Schemas/{urn}", get(schema))
        .route(
            "/Organizations/{org}/scim/ServiceProviderConfig",
            get(service_provider_config),
        )
        .route(
            "/Organizations/{org}/scim/ResourceTypes",
            get(resource_types),
        )
        .route(
            "/Organizations/{org}/scim/ResourceTypes/{name}",
            get(org_resource_type),
        )
        .route("/Organizations/{org}/scim/Schemas", get(schemas))
        .route("/Organizations/{org}/scim/Schemas/{urn}", get(org_schema))
        .route("/scim/v2", any(unknown_endpoint))
        .route("/scim/v2/", any(unknown_endpoint))
        .route("/scim/v2/{*rest}", any(unknown_endpoint))
        .route("/Organizations/{org}/scim", any(unknown_endpoint))
        .route("/Organizations/{org}/scim/", any(unknown_endpoint))
        .route("/Organizations/{org}/scim/{*rest}", any(unknown_endpoint))
        .method_not_allowed_fallback(method_not_allowed)
}

/// A method the endpoint does not serve: 405 in the SCIM error schema (RFC 7644
/// §3.12), with Twilio's code 20004; axum adds the `Allow` header.
pub(crate) async fn method_not_allowed() -> Response {
    scim_error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        "this endpoint does not serve that method",
        Some(20004),
    )
}

/// Any other path under a SCIM root: 404 in the SCIM error schema (RFC 7644
/// §3.12), whatever the method, without asking for a token.
async fn unknown_endpoint() -> ScimFailure {
    ScimError::NotFound("no such SCIM endpoint".into()).into()
}

type ScimResult = Result<Response, ScimFailure>;

/// A single user, with its version as the `ETag` (and its URL as `Location` when
/// created).
fn user_response(status: StatusCode, user: &Value) -> Response {
    let mut response = scim_json(status, user);
    let headers = response.headers_mut();
    if let Some(version) = user.pointer("/meta/version").and_then(Value::as_str) {
        if let Ok(value) = HeaderValue::from_str(version) {
            headers.insert(header::ETAG, value);
        }
    }
    if status == StatusCode::CREATED {
        if let Some(location) = user.pointer("/meta/location").and_then(Value::as_str) {
            if let Ok(value) = HeaderValue::from_str(location) {
                headers.insert(header::LOCATION, value);
            }
        }
    }
    response
}

/// A JSON request body (`application/scim+json` or `application/json`).
fn json_body(headers: &HeaderMap, body: &[u8]) -> Result<Value, ScimError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if !mime.eq_ignore_ascii_case(SCIM_JSON) && !mime.eq_ignore_ascii_case("application/json") {
        return Err(ScimError::InvalidSyntax(
            "the body must be application/scim+json or application/json".into(),
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| ScimError::InvalidSyntax(format!("the body is not valid JSON: {e}")))
}

fn if_match(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok())
}

fn query(raw: Option<String>) -> Result<Form, ScimError> {
    Form::from_query(raw.unwrap_or_default().as_bytes())
        .map_err(|e| ScimError::InvalidValue(format!("malformed query string ({})", e.code())))
}

fn number(form: &mut Form, name: &str) -> Result<Option<usize>, ScimError> {
    form.take(name)
        .map(|v| {
            // RFC 7644 §3.4.2.4: negative values are treated as 0 (count) or 1 (startIndex).
            if let Some(rest) = v.strip_prefix('-') {
                if rest.bytes().all(|b| b.is_ascii_digit()) && !rest.is_empty() {
                    return Ok(0);
                }
            }
            v.parse::<usize>()
                .map_err(|_| ScimError::InvalidValue(format!("{name} must be a whole number")))
        })
        .transpose()
}

fn projection(form: &mut Form) -> Result<Projection, ScimError> {
    Projection::parse(
        form.take("attributes").as_deref(),
        form.take("excludedAttributes").as_deref(),
    )
}

pub(crate) async fn list(
    State(app): State<Arc<AppState>>,
    Extension(Caller(claims)): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> ScimResult {
    let mut form = query(raw)?;
    let user_query = UserQuery {
        filter: form.take("filter"),
        sort_by: form.take("sortBy"),
        sort_order: form.take("sortOrder"),
        start_index: number(&mut form, "startIndex")?,
        count: number(&mut form, "count")?,
        attributes: form.take("attributes"),
        excluded_attributes: form.take("excludedAttributes"),
    };
    let users = app
        .engine
        .scim_list_users(claims.organization_sid, &user_query)?;
    Ok(scim_json(
        StatusCode::OK,
        &serde_json::to_value(users).unwrap_or_default(),
    ))
}

/// `POST /Users/.search` and `POST /.search` (RFC 7644 §3.4.3): a list whose
/// parameters come in a SearchRequest body. Users are the only resource type, so
/// both search the organization's users.
pub(crate) async fn search(
    State(app): State<Arc<AppState>>,
    Extension(Caller(claims)): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> ScimResult {
    let request = json_body(&headers, &body)?;
    let user_query = UserQuery::from_search_request(&request)?;
    let users = app
        .engine
        .scim_list_users(claims.organization_sid, &user_query)?;
    Ok(scim_json(
        StatusCode::OK,
        &serde_json::to_value(users).unwrap_or_default(),
    ))
}

pub(crate) async fn create(
    State(app): State<Arc<AppState>>,
    Extension(Caller(claims)): Extension<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> ScimResult {
    let resource = json_body(&headers, &body)?;
    let user = app.engine.scim_create_user(
        claims.organization_sid,
        &resource,
        &crate::caller_actor(&claims),
    )?;
    Ok(user_response(StatusCode::CREATED, &user))
}

pub(crate) async fn fetch(
    State(app): State<Arc<AppState>>,
    Extension(Caller(claims)): Extension<Caller>,
    Path(params): Path<HashMap<String, String>>,
    RawQuery(raw): RawQuery,
) -> ScimResult {
    let id = params.get("id").map(String::as_str).unwrap_or("");
    let projection = projection(&mut query(raw)?)?;
    let user = app
        .engine
        .scim_get_user(claims.organization_sid, id, &projection)?;
    Ok(user_response(StatusCode::OK, &user))
}

/// A replace or a patch: both take a JSON body and an optional `If-Match`.
type UserWrite = fn(
    &Engine,
    OrganizationSid,
    &str,
    &Value,
    Option<&str>,
    &iamkit::Actor,
) -> Result<Value, ScimError>;

fn write(
    app: &AppState,
    claims: &iamkit::Claims,
    params: &HashMap<String, String>,
    headers: &HeaderMap,
    body: &[u8],
    op: UserWrite,
) -> ScimResult {
    let id = params.get("id").map(String::as_str).unwrap_or("");
    let request = json_body(headers, body)?;
    let actor = crate::caller_actor(claims);
    let user = op(
        &app.engine,
        claims.organization_sid,
        id,
        &request,
        if_match(headers),
        &actor,
    )?;
    Ok(user_response(StatusCode::OK, &user))
}

pub(crate) async fn replace(
    State(app): State<Arc<AppState>>,
    Extension(Caller(claims)): Extension<Caller>,
    Path(params): Path<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> ScimResult {
    write(
        &app,
        &claims,
        &params,
        &headers,
        &body,
        Engine::scim_replace_user,
    )
}

pub(crate) async fn patch(
    State(app): State<Arc<AppState>>,
    Extension(Caller(claims)): Extension<Caller>,
    Path(params): Path<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> ScimResult {
    write(
        &app,
        &claims,
        &params,
        &headers,
        &body,
        Engine::scim_patch_user,
    )
}

pub(crate) async fn delete(
    State(app): State<Arc<AppState>>,
    Extension(Caller(claims)): Extension<Caller>,
    Path(params): Path<HashMap<String, String>>,
    headers: HeaderMap,
) -> ScimResult {
    let id = params.get("id").map(String::as_str).unwrap_or("");
    app.engine.scim_delete_user(
        claims.organization_sid,
        id,
        if_match(&headers),
        &crate::caller_actor(&claims),
    )?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn service_provider_config(State(app): State<Arc<AppState>>) -> Response {
    scim_json(StatusCode::OK, &app.engine.scim_service_provider_config())
}

async fn resource_types(State(app): State<Arc<AppState>>) -> Response {
    scim_json(StatusCode::OK, &app.engine.scim_resource_types())
}

async fn schemas(State(app): State<Arc<AppState>>) -> Response {
    scim_json(StatusCode::OK, &app.engine.scim_schemas())
}

/// One member of a discovery list, found by `id` (`User`, or a schema URN).
fn member(list: &Value, id: &str) -> ScimResult {
    let found = list
        .get("Resources")
        .and_then(Value::as_array)
        .and_then(|items| {
            items
                .iter()
                .find(|r| r.get("id").and_then(Value::as_str) == Some(id))
        });
    match found {
        Some(item) => Ok(scim_json(StatusCode::OK, item)),
        None => Err(ScimError::NotFound(format!("{id:?} not found")).into()),
    }
}

async fn resource_type(State(app): State<Arc<AppState>>, Path(name): Path<String>) -> ScimResult {
    member(&app.engine.scim_resource_types(), &name)
}

async fn schema(State(app): State<Arc<AppState>>, Path(urn): Path<String>) -> ScimResult {
    member(&app.engine.scim_schemas(), &urn)
}

async fn org_resource_type(
    State(app): State<Arc<AppState>>,
    Path((_, name)): Path<(String, String)>,
) -> ScimResult {
    member(&app.engine.scim_resource_types(), &name)
}

async fn org_schema(
    State(app): State<Arc<AppState>>,
    Path((_, urn)): Path<(String, String)>,
) -> ScimResult {
    member(&app.engine.scim_schemas(), &urn)
}

/// With `--response-style rfc`, SCIM error bodies are exactly RFC 7644 §3.12's:
/// Twilio's numeric `code` is left out, for clients that refuse unknown members.
pub async fn strict_errors(
    State(app): State<Arc<AppState>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(request).await;
    let is_scim_error = response.status().is_client_error()
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            == Some(SCIM_JSON);
    if app.style != crate::ResponseStyle::Rfc || !is_scim_error {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::MAX_BODY_BYTES).await else {
        return Response::from_parts(parts, axum::body::Body::empty());
    };
    let mut error: Value = serde_json::from_slice(&bytes).unwrap_or_default();
    if let Some(object) = error.as_object_mut() {
        object.remove("code");
    }
    let mut response = scim_json(parts.status, &error);
    for (name, value) in parts
        .headers
        .iter()
        .filter(|(n, _)| *n != header::CONTENT_LENGTH)
    {
        response.headers_mut().insert(name.clone(), value.clone());
    }
    response
}
