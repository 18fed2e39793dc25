//! Turning engine errors into HTTP responses: one place, one body shape per family.
//!
//! OAuth and admin errors carry both vocabularies in one JSON body: RFC 6749's
//! `error` and `error_description`, and Twilio's `code`, `message`, `more_info` and
//! `status`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use iamkit::ErrorCode;
use serde_json::json;

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
