//! SCIM errors (RFC 7644 §3.12) and their Twilio numeric codes.
//!
//! | variant              | `scimType` / code      | HTTP | Twilio |
//! |----------------------|------------------------|------|--------|
//! | `InvalidFilter`      | `invalidFilter`        | 400  | 20001  |
//! | `InvalidPath`        | `invalidPath`          | 400  | 20001  |
//! | `NoTarget`           | `noTarget`             | 400  | 20001  |
//! | `InvalidValue`       | `invalidValue`         | 400  | 20001  |
//! | `Mutability`         | `mutability`           | 400  | 20001  |
//! | `InvalidSyntax`      | `invalidSyntax`        | 400  | 20001  |
//! | `TooMany`            | `tooMany`              | 400  | 20001  |
//! | `Sensitive`          | `sensitive`            | 400  | 20001  |
//! | `Uniqueness`         | `uniqueness`           | 409  | 20409  |
//! | `NotFound`           | `notFound`             | 404  | 20404  |
//! | `PreconditionFailed` | `preconditionFailed`   | 412  | 20412  |
//!
//! RFC 7644 defines `scimType` only for 400 and 409 answers, so the JSON body of a
//! 404 or 412 carries no `scimType`; [`ErrorCode::code`] still names them.

use serde_json::{json, Value};

use crate::error_code::{ErrorCode, UnknownOrganization};

/// The URN of the SCIM error message schema.
pub const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// Longest piece of the input quoted in an `invalidFilter` message.
const SNIPPET_CHARS: usize = 24;

/// A SCIM protocol error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScimError {
    /// The filter is malformed or compares an attribute in an unsupported way.
    #[error("invalid filter at byte {position}: {message}")]
    InvalidFilter {
        /// Byte offset into the filter (or PATCH path) where the problem starts.
        position: usize,
        /// What is wrong, quoting the input from `position`.
        message: String,
    },
    /// A PATCH `path` or attribute path is malformed or names no attribute.
    #[error("invalid path: {0}")]
    InvalidPath(String),
    /// A PATCH value filter selected nothing, or `remove` had no path.
    #[error("no target: {0}")]
    NoTarget(String),
    /// A value is missing, of the wrong type or not allowed for the attribute.
    #[error("invalid value: {0}")]
    InvalidValue(String),
    /// The request tried to change a read-only or immutable attribute.
    #[error("mutability: {0}")]
    Mutability(String),
    /// The request body does not have the structure the schema requires.
    #[error("invalid syntax: {0}")]
    InvalidSyntax(String),
    /// A unique attribute's value is already taken.
    #[error("uniqueness: {0}")]
    Uniqueness(String),
    /// The query would return more results than the server allows.
    #[error("too many: {0}")]
    TooMany(String),
    /// The request carried confidential data in a place it must not (e.g. the URL).
    #[error("sensitive: {0}")]
    Sensitive(String),
    /// The resource does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// `If-Match` did not match the resource's current version.
    #[error("precondition failed: {0}")]
    PreconditionFailed(String),
    /// The store could not keep the change; nothing was applied.
    #[error(transparent)]
    Store(#[from] crate::error_code::StoreError),
}

impl ScimError {
    /// An `invalidFilter` error at byte `position` of `input`, quoting the input there.
    pub fn filter(input: &str, position: usize, what: &str) -> Self {
        let message = match input.get(position..) {
            Some("") | None => format!("{what} (at the end of the input)"),
            Some(rest) => {
                let snippet: String = rest.chars().take(SNIPPET_CHARS).collect();
                let more = if rest.chars().nth(SNIPPET_CHARS).is_some() {
                    "…"
                } else {
                    ""
                };
                format!("{what} at `{snippet}{more}`")
            }
        };
        Self::InvalidFilter { position, message }
    }

    /// The human-readable `detail` of the SCIM error body.
    pub fn detail(&self) -> String {
        self.to_string()
    }

    /// The SCIM error body (RFC 7644 §3.12) with Twilio's numeric `code`.
    pub fn to_scim_json(&self) -> Value {
        let mut body = json!({
            "schemas": [ERROR_URN],
            "status": self.status().to_string(),
            "detail": self.detail(),
            "code": self.twilio_code(),
        });
        if matches!(self.status(), 400 | 409) {
            body["scimType"] = Value::from(self.code());
        }
        body
    }
}

impl ErrorCode for ScimError {
    fn code(&self) -> &'static str {
        match self {
            Self::Store(e) => e.code(),
            Self::InvalidFilter { .. } => "invalidFilter",
            Self::InvalidPath(_) => "invalidPath",
            Self::NoTarget(_) => "noTarget",
            Self::InvalidValue(_) => "invalidValue",
            Self::Mutability(_) => "mutability",
            Self::InvalidSyntax(_) => "invalidSyntax",
            Self::Uniqueness(_) => "uniqueness",
            Self::TooMany(_) => "tooMany",
            Self::Sensitive(_) => "sensitive",
            Self::NotFound(_) => "notFound",
            Self::PreconditionFailed(_) => "preconditionFailed",
        }
    }

    fn status(&self) -> u16 {
        match self {
            Self::Store(e) => e.status(),
            Self::Uniqueness(_) => 409,
            Self::NotFound(_) => 404,
            Self::PreconditionFailed(_) => 412,
            _ => 400,
        }
    }

    fn twilio_code(&self) -> u32 {
        if let Self::Store(e) = self {
            return e.twilio_code();
        }
        match self.status() {
            500 => 20500,
            409 => 20409,
            404 => 20404,
            412 => 20412,
            _ => 20001,
        }
    }
}

impl From<UnknownOrganization> for ScimError {
    fn from(UnknownOrganization(sid): UnknownOrganization) -> Self {
        ScimError::NotFound(format!("organization {sid} not found"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_string_status_and_twilio_code() {
        let err = ScimError::filter("userName xx \"a\"", 9, "expected an operator");
        let body = err.to_scim_json();
        assert_eq!(body["status"], "400");
        assert_eq!(body["scimType"], "invalidFilter");
        assert_eq!(body["code"], 20001);
        assert_eq!(body["schemas"][0], ERROR_URN);
        assert!(body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("at byte 9"));
        assert!(body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("`xx \"a\"`"));
    }

    #[test]
    fn not_found_and_precondition_have_no_scim_type() {
        let body = ScimError::NotFound("user".into()).to_scim_json();
        assert_eq!(body["status"], "404");
        assert_eq!(body["code"], 20404);
        assert!(body.get("scimType").is_none());
        let err = ScimError::PreconditionFailed("version".into());
        assert_eq!(
            (err.code(), err.status(), err.twilio_code()),
            ("preconditionFailed", 412, 20412)
        );
        let err = ScimError::Uniqueness("userName".into());
        assert_eq!(err.to_scim_json()["scimType"], "uniqueness");
        assert_eq!(err.twilio_code(), 20409);
    }

    #[test]
    fn snippet_is_cut_and_end_is_named() {
        let long = "a".repeat(100);
        let err = ScimError::filter(&long, 10, "bad");
        assert!(err.to_string().contains('…'));
        let err = ScimError::filter("x", 1, "bad");
        assert!(err.to_string().contains("end of the input"));
    }
}
