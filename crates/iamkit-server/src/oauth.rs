//! The OAuth endpoints: Token API, introspection, revocation, metadata and JWKS.

use std::net::IpAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use iamkit::{OAuthError, TokenRequest};
use serde_json::Value;

use crate::app_state::AppState;
use crate::form::{client_credentials, Form};
use crate::http_error::ApiError;
use crate::listen::Peer;

/// The form fields of `POST /v1/token` as Twilio's oauth_v1 API names them (what
/// the Twilio SDKs' `oauth.v1.token.create` sends), and their RFC 6749 names.
const OAUTH_V1_FIELDS: [(&str, &str); 7] = [
    ("GrantType", "grant_type"),
    ("ClientId", "client_id"),
    ("ClientSecret", "client_secret"),
    ("Code", "code"),
    ("RedirectUri", "redirect_uri"),
    ("RefreshToken", "refresh_token"),
    ("Scope", "scope"),
];

/// `POST /v2/token`: the Token API, with RFC 6749's field names.
pub async fn token(
    State(app): State<Arc<AppState>>,
    Peer(address): Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let form = Form::parse(&headers, &body)?;
    issue(&app, address, &headers, form)
}

/// `POST /v1/token`: the Token API, with RFC 6749's field names or Twilio's oauth_v1
/// ones (`GrantType`, `ClientId`, `ClientSecret`, …); one field under both names is
/// refused.
pub async fn token_v1(
    State(app): State<Arc<AppState>>,
    Peer(address): Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let mut form = Form::parse(&headers, &body)?;
    for (twilio, rfc) in OAUTH_V1_FIELDS {
        form.rename(twilio, rfc)?;
    }
    issue(&app, address, &headers, form)
}

/// A token for the request in `form`, in the emulator's response style.
fn issue(
    app: &AppState,
    address: Option<IpAddr>,
    headers: &HeaderMap,
    mut form: Form,
) -> Result<Response, ApiError> {
    let (client_id, client_secret, basic) = client_credentials(headers, &mut form)?;
    admit(app, client_id.as_deref(), address)?;
    let request = TokenRequest {
        grant_type: form.take("grant_type").unwrap_or_default(),
        client_id,
        client_secret: client_secret.map(Into::into),
        code: form.take("code").map(Into::into),
        redirect_uri: form.take("redirect_uri"),
        refresh_token: form.take("refresh_token").map(Into::into),
        code_verifier: form.take("code_verifier").map(Into::into),
        scope: form.take("scope"),
    };
    let issued = app.engine.token(&request).map_err(|e| {
        let error = ApiError::from_engine(&e);
        if basic && e == OAuthError::InvalidClient {
            error.with_basic_challenge()
        } else {
            error
        }
    })?;
    Ok(no_store(
        Json(issued.body(app.style.token_body())).into_response(),
    ))
}

/// Lets a client authentication through the engine's rate limits, or answers 429.
fn admit(app: &AppState, client_id: Option<&str>, address: Option<IpAddr>) -> Result<(), ApiError> {
    app.engine
        .admit_client_authentication(client_id, address)
        .map_err(|e| ApiError::rate_limited(&e))
}

/// Checks the calling client's credentials for introspection and revocation.
fn authenticated_client(
    app: &AppState,
    address: Option<IpAddr>,
    headers: &HeaderMap,
    form: &mut Form,
) -> Result<(String, String, iamkit::App), ApiError> {
    let (id, secret, basic) = client_credentials(headers, form)?;
    admit(app, id.as_deref(), address)?;
    let challenge = |e: ApiError| if basic { e.with_basic_challenge() } else { e };
    let (Some(id), Some(secret)) = (id, secret) else {
        return Err(challenge(ApiError::from_engine(&OAuthError::InvalidClient)));
    };
    let client = app
        .engine
        .authenticate_client(&id, &secret)
        .map_err(|e| challenge(ApiError::from_engine(&e)))?;
    Ok((id, secret, client))
}

/// `POST /v2/introspect` (RFC 7662): an authenticated client introspects the tokens
/// of its own organization; any other token is inactive to it.
pub async fn introspect(
    State(app): State<Arc<AppState>>,
    Peer(address): Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let mut form = Form::parse(&headers, &body)?;
    let (_, _, caller) = authenticated_client(&app, address, &headers, &mut form)?;
    let token = form
        .take("token")
        .ok_or_else(|| ApiError::from_engine(&OAuthError::MissingParameter("token")))?;
    Ok(no_store(
        Json(app.engine.introspect_as(&caller, &token)).into_response(),
    ))
}

/// `POST /v2/revoke` (RFC 7009): the client revokes one of its tokens.
pub async fn revoke(
    State(app): State<Arc<AppState>>,
    Peer(address): Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let mut form = Form::parse(&headers, &body)?;
    let (id, secret, _) = authenticated_client(&app, address, &headers, &mut form)?;
    let token = form
        .take("token")
        .ok_or_else(|| ApiError::from_engine(&OAuthError::MissingParameter("token")))?;
    app.engine
        .revoke_token(&id, &secret, &token)
        .map_err(|e| ApiError::from_engine(&e))?;
    Ok(StatusCode::OK.into_response())
}

/// `GET /.well-known/oauth-authorization-server` (RFC 8414).
pub async fn metadata(State(app): State<Arc<AppState>>) -> Json<Value> {
    Json(app.engine.metadata())
}

/// `GET /.well-known/jwks.json`.
pub async fn jwks(State(app): State<Arc<AppState>>) -> Json<Value> {
    Json(app.engine.jwks())
}

fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
