//! Twilio's API for account OAuth apps (`twilio_iam_v1.json`, served by
//! `iam.twilio.com`): `POST /v1/Account/OAuthApps`, `PUT` and
//! `DELETE /v1/Account/OAuthApps/{sid}`, authenticated as Twilio does, by HTTP Basic
//! with the account SID and its auth token. The engine checks the credentials and
//! every rule; this module reads the request and renders the answer.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use axum::{Extension, Json, Router};
use iamkit::account_apps::{AccountAppUpdate, AccountAppView, NewAccountApp};
use iamkit::{AppError, AuthenticatedAccount, ClientId, Sid};
use serde_json::json;

use crate::app_state::AppState;
use crate::form::basic_pair;
use crate::http_error::ApiError;

/// The routes, behind the account's HTTP Basic authentication.
pub fn routes(state: Arc<AppState>) -> Router<Arc<AppState>> {
    Router::new()
        .route("/v1/Account/OAuthApps", post(create))
        .route("/v1/Account/OAuthApps/{sid}", put(update).delete(remove))
        .route_layer(axum::middleware::from_fn_with_state(state, require_account))
}

type ApiResult = Result<Response, ApiError>;

fn engine_error(e: AppError) -> ApiError {
    ApiError::from_engine(&e).with_basic_challenge()
}

/// Lets a request through only with HTTP Basic credentials that the engine accepts
/// as an account SID and its auth token (401 otherwise, asking for Basic).
async fn require_account(
    State(app): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let presented = basic_pair(request.headers()).ok().flatten();
    let Some((account_sid, auth_token)) = presented else {
        return ApiError::unauthorized(
            "invalid_credentials",
            "HTTP Basic with the account SID and its auth token is required",
        )
        .with_basic_challenge()
        .into_response();
    };
    match app.engine.authenticate_account(&account_sid, &auth_token) {
        Ok(account) => {
            request.extensions_mut().insert(account);
            next.run(request).await
        }
        Err(e) => engine_error(e).into_response(),
    }
}

/// Checks that a request body is `application/json`, as the Twilio SDKs send it.
fn json_body<'a>(headers: &HeaderMap, body: &'a [u8]) -> Result<&'a [u8], ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(ApiError::invalid_request(
            "the body must be application/json",
        ));
    }
    Ok(body)
}

fn client_id(sid: &str) -> Result<ClientId, ApiError> {
    ClientId::parse(sid).map_err(|e| engine_error(AppError::from(e)))
}

async fn create(
    State(app): State<Arc<AppState>>,
    Extension(account): Extension<AuthenticatedAccount>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let body = NewAccountApp::from_json(json_body(&headers, &body)?).map_err(engine_error)?;
    let made = app
        .engine
        .create_account_app(&account, body)
        .map_err(engine_error)?;
    let mut value = json!(AccountAppView::of(&made.app));
    value["secret"] = json!(made.client_secret.expose());
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

async fn update(
    State(app): State<Arc<AppState>>,
    Extension(account): Extension<AuthenticatedAccount>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    let client_id = client_id(&sid)?;
    let body = AccountAppUpdate::from_json(json_body(&headers, &body)?).map_err(engine_error)?;
    let updated = app
        .engine
        .update_account_app(&account, client_id, body)
        .map_err(engine_error)?;
    Ok(Json(AccountAppView::of(&updated)).into_response())
}

async fn remove(
    State(app): State<Arc<AppState>>,
    Extension(account): Extension<AuthenticatedAccount>,
    Path(sid): Path<String>,
) -> ApiResult {
    let client_id = client_id(&sid)?;
    app.engine
        .delete_account_app(&account, client_id)
        .map_err(engine_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
