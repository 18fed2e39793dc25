//! Turning engine errors into HTTP responses: one place, one body shape per family.
//!
//! OAuth and admin errors carry both vocabularies in one JSON body: RFC 6749's
//! `error` and `error_description`, and Twilio's `code`, `message`, `more_info` and
//! `status`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use iamkit::ErrorCode;
use serde_json::json;

use crate::{AppState, ResponseStyle};

/// An error answered with the combined OAuth/Twilio JSON body.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    error: String,
    description: String,
    twilio_code: u32,
    www_authenticate: Option<&'static str>,
}

impl ApiError {
    /// From any engine error.
    pub fn from_engine(e: &(impl ErrorCode + std::fmt::Display)) -> Self {
        Self {
            status: StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST),
            error: e.code().to_owned(),
            description: e.to_string(),
            twilio_code: e.twilio_code(),
            www_authenticate: None,
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
        crate::scim::access_error(self.status, &self.description, self.twilio_code)
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
        if let Some(challenge) = self.www_authenticate {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        response
    }
}

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
    let scim = request.uri().path().contains("/scim");
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
        crate::scim::error_response(status, &detail, code)
    } else {
        ApiError {
            status,
            error: "invalid_request".into(),
            description: detail,
            twilio_code,
            www_authenticate: None,
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
