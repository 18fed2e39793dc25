//! Turning errors into HTTP responses: one place, one body shape per family. It
//! imports no handler module; the handlers and extractors use it.
//!
//! OAuth and admin errors carry both vocabularies in one JSON body: RFC 6749's
//! `error` and `error_description`, and Twilio's `code`, `message`, `more_info` and
//! `status`. SCIM errors use the SCIM error schema (RFC 7644 §3.12) with Twilio's
//! numeric `code`, as `application/scim+json`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use iamkit::scim::ScimError;
use iamkit::{ErrorCode, RateLimited};
use serde_json::{json, Value};

use crate::app_state::{AppState, ResponseStyle};

/// The media type of SCIM bodies.
pub const SCIM_JSON: &str = "application/scim+json";

/// Whether `path` is under a SCIM root (`/scim/…` or `/Organizations/{OR}/scim/…`),
/// where errors take the SCIM error schema.
pub fn is_scim_path(path: &str) -> bool {
    let mut segments = path.trim_start_matches('/').split('/');
    match segments.next() {
        Some("scim") => true,
        Some("Organizations") => segments.nth(1) == Some("scim"),
        _ => false,
    }
}

/// An error answered with the combined OAuth/Twilio JSON body.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    error: String,
    description: String,
    twilio_code: u32,
    www_authenticate: Option<&'static str>,
    /// Whole seconds for `Retry-After` (a 429).
    retry_after: Option<u64>,
}

impl ApiError {
    /// What went wrong, for people.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// From any engine error.
    pub fn from_engine(e: &(impl ErrorCode + std::fmt::Display)) -> Self {
        Self {
            status: StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST),
            error: e.code().to_owned(),
            description: e.to_string(),
            twilio_code: e.twilio_code(),
            www_authenticate: None,
            retry_after: None,
        }
    }

    /// A malformed request (`invalid_request`, 400).
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error: "invalid_request".into(),
            description: description.into(),
            twilio_code: 20001,
            www_authenticate: None,
            retry_after: None,
        }
    }

    /// A missing or wrong bearer or admin token (401).
    pub fn unauthorized(error: &str, description: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            error: error.into(),
            description: description.into(),
            twilio_code: 20003,
            www_authenticate: Some("Bearer"),
            retry_after: None,
        }
    }

    /// A path or resource that does not exist (404).
    pub fn not_found(description: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            error: "not_found".into(),
            description: description.into(),
            twilio_code: 20404,
            www_authenticate: None,
            retry_after: None,
        }
    }

    /// A request refused by a rate limit: 429 with `Retry-After`.
    pub fn rate_limited(e: &RateLimited) -> Self {
        Self {
            retry_after: Some(e.retry_after),
            ..Self::from_engine(e)
        }
    }

    /// Asks the client to authenticate with HTTP Basic (RFC 6749 §5.2).
    pub fn with_basic_challenge(mut self) -> Self {
        if self.status == StatusCode::UNAUTHORIZED {
            self.www_authenticate = Some("Basic realm=\"iamkit\"");
        }
        self
    }

    /// The stable error code.
    pub fn code(&self) -> &str {
        &self.error
    }

    /// The same error in the SCIM error schema, for SCIM paths.
    pub fn into_scim_response(self) -> Response {
        scim_access_error(self.status, &self.description, self.twilio_code)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "error": self.error,
            "error_description": self.description,
            "code": self.twilio_code,
            "message": self.description,
            "more_info": format!("https://www.twilio.com/docs/errors/{}", self.twilio_code),
            "status": self.status.as_u16(),
        });
        let mut response = (self.status, Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        } else {
            retry_unavailable(self.status, headers);
        }
        if let Some(challenge) = self.www_authenticate {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        response
    }
}

/// A SCIM error answered with its status and the SCIM error body.
pub struct ScimFailure(ScimError);

impl From<ScimError> for ScimFailure {
    fn from(e: ScimError) -> Self {
        Self(e)
    }
}

impl IntoResponse for ScimFailure {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::BAD_REQUEST);
        scim_json(status, &self.0.to_scim_json())
    }
}

/// An error the engine does not make, in the SCIM error schema (with Twilio's code
/// when given).
pub fn scim_error_response(status: StatusCode, detail: &str, twilio_code: Option<u32>) -> Response {
    let mut body = serde_json::json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": status.as_u16().to_string(),
        "detail": detail,
    });
    if let Some(code) = twilio_code {
        body["code"] = code.into();
    }
    scim_json(status, &body)
}

/// A 401 or 403 on a SCIM path, in the SCIM error schema (with Twilio's code).
pub fn scim_access_error(status: StatusCode, detail: &str, twilio_code: u32) -> Response {
    let mut response = scim_error_response(status, detail, Some(twilio_code));
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

pub fn scim_json(status: StatusCode, body: &Value) -> Response {
    let mut response = (
        status,
        [(header::CONTENT_TYPE, SCIM_JSON)],
        body.to_string(),
    )
        .into_response();
    retry_unavailable(status, response.headers_mut());
    response
}

/// A 503 (the database unavailable, a bound of the engine reached) asks the client
/// to retry after a second.
fn retry_unavailable(status: StatusCode, headers: &mut axum::http::HeaderMap) {
    if status == StatusCode::SERVICE_UNAVAILABLE {
        headers.insert(
            header::RETRY_AFTER,
            HeaderValue::from(RETRY_UNAVAILABLE_SECONDS),
        );
    }
}

/// The `Retry-After` of a 503, in seconds.
const RETRY_UNAVAILABLE_SECONDS: u64 = 1;

/// Gives the errors that axum and tower-http answer in plain text themselves (413
/// over the body limit, 405 for a method a path does not serve, 400 for a path
/// parameter that does not decode) the emulator's typed bodies: the SCIM error
/// schema under a SCIM root, the OAuth/Twilio body elsewhere. JSON bodies and HTML
/// pages pass unchanged.
pub async fn typed_errors(
    State(app): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let scim = is_scim_path(request.uri().path());
    let response = next.run(request).await;
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"));
    if !response.status().is_client_error() || !plain {
        return response;
    }
    let (parts, body) = response.into_parts();
    let status = parts.status;
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let detail = match std::str::from_utf8(&text).map(str::trim) {
        Ok(text) if !text.is_empty() => text.to_owned(),
        _ => status
            .canonical_reason()
            .unwrap_or("bad request")
            .to_lowercase(),
    };
    let twilio_code = if status == StatusCode::METHOD_NOT_ALLOWED {
        20004
    } else {
        20001
    };
    let mut typed = if scim {
        let code = (app.style == ResponseStyle::Twilio).then_some(twilio_code);
        scim_error_response(status, &detail, code)
    } else {
        ApiError {
            status,
            error: "invalid_request".into(),
            description: detail,
            twilio_code,
            www_authenticate: None,
            retry_after: None,
        }
        .into_response()
    };
    for name in [header::ALLOW, header::WWW_AUTHENTICATE] {
        if let Some(value) = parts.headers.get(&name) {
            typed.headers_mut().insert(name, value.clone());
        }
    }
    typed
}

#[cfg(test)]
mod tests {
    use super::is_scim_path;

    #[test]
    fn scim_paths_are_the_two_scim_roots() {
        for path in [
            "/scim",
            "/scim/v2/Users",
            "/scim/v2/Users/US0/x",
            "/Organizations/OR0/scim",
            "/Organizations/OR0/scim/Users",
        ] {
            assert!(is_scim_path(path), "{path}");
        }
        for path in [
            "/",
            "/scimv2",
            "/v2/token",
            "/admin/v1/scim",
            "/Organizations/OR0/Accounts",
            "/Organizations/scim",
        ] {
            assert!(!is_scim_path(path), "{path}");
        }
    }
}
