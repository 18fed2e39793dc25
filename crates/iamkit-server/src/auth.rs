//! Bearer authentication of resource endpoints against the permission catalogue.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use iamkit::{AccessError, Claims, ErrorCode};

use crate::app_state::AppState;
use crate::http_error::{is_scim_path, ApiError};

/// The verified token of a request, for the handlers behind [`require_permission`].
#[derive(Debug, Clone)]
pub struct Caller(pub Claims);

/// The bearer token of a request, or a 401 naming what is missing.
pub fn bearer(request: &Request) -> Result<&str, ApiError> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| {
            ApiError::unauthorized("invalid_token", "a Bearer access token is required")
        })?;
    value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized(
                "invalid_token",
                "the Authorization header must be Bearer <token>",
            )
        })
}

fn refused(e: &AccessError) -> ApiError {
    if e.status() == 401 {
        ApiError::unauthorized(e.code(), e.to_string())
    } else {
        ApiError::from_engine(e)
    }
}

/// Lets a request through only if its bearer token verifies and carries the
/// permission the catalogue requires for its method and path (401 without a valid
/// token, 403 without the permission or for another organization's path).
pub async fn require_permission(
    State(app): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let checked = bearer(&request).and_then(|token| {
        app.engine
            .check_access(token, request.method().as_str(), request.uri().path())
            .map_err(|e| refused(&e))
    });
    match checked {
        Ok(access) => {
            request.extensions_mut().insert(Caller(access.claims));
            next.run(request).await
        }
        Err(e) if is_scim_path(request.uri().path()) => e.into_scim_response(),
        Err(e) => e.into_response(),
    }
}

/// Lets a request through with any valid organization token (for endpoints the
/// permission catalogue does not list, such as the organization's accounts).
pub async fn require_organization_token(
    State(app): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let checked = bearer(&request).and_then(|token| {
        app.engine
            .verify(token)
            .map_err(|e| refused(&AccessError::Token(e)))
    });
    match checked {
        Ok(claims) if claims.account_sid.is_none() => {
            request.extensions_mut().insert(Caller(claims));
            next.run(request).await
        }
        Ok(_) => refused(&AccessError::WrongLevel {
            needed: "organization",
            given: "account",
        })
        .into_response(),
        Err(e) => e.into_response(),
    }
}
