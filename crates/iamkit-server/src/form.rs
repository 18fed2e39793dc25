//! Strict parsing of `application/x-www-form-urlencoded` bodies and HTTP Basic
//! client credentials.

use std::collections::HashMap;

use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use crate::http_error::ApiError;

/// The fields of a form body. A field sent twice is refused (RFC 6749 §3.1).
#[derive(Debug, Default, Clone)]
pub struct Form(HashMap<String, String>);

impl Form {
    /// Parses a body that must be form-encoded.
    pub fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Self, ApiError> {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mime = content_type.split(';').next().unwrap_or("").trim();
        if !mime.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return Err(ApiError::invalid_request(
                "the body must be application/x-www-form-urlencoded",
            ));
        }
        Self::from_query(body)
    }

    /// Parses form-encoded bytes (a body or a query string).
    pub fn from_query(bytes: &[u8]) -> Result<Self, ApiError> {
        if std::str::from_utf8(bytes).is_err() {
            return Err(ApiError::invalid_request("the form is not valid UTF-8"));
        }
        let mut fields = HashMap::new();
        for (name, value) in url::form_urlencoded::parse(bytes) {
            if value.chars().any(|c| c.is_control() && c != '\t') {
                return Err(ApiError::invalid_request(format!(
                    "parameter {name} contains control characters"
                )));
            }
            if fields
                .insert(name.to_string(), value.into_owned())
                .is_some()
            {
                return Err(ApiError::invalid_request(format!(
                    "parameter {name} is given more than once"
                )));
            }
        }
        Ok(Self(fields))
    }

    /// A field's value, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// A field's value as an owned string, if present.
    pub fn take(&mut self, name: &str) -> Option<String> {
        self.0.remove(name)
    }

    /// Takes every field whose name starts with `prefix`; returns the rest of their
    /// names, sorted (checkboxes named `prefix` + a value).
    pub fn take_prefixed(&mut self, prefix: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .0
            .keys()
            .filter_map(|name| name.strip_prefix(prefix).map(str::to_owned))
            .collect();
        names.sort();
        for name in &names {
            self.0.remove(&format!("{prefix}{name}"));
        }
        names
    }

    /// Gives the field `from` the name `to`; both given is an `invalid_request`.
    pub fn rename(&mut self, from: &str, to: &str) -> Result<(), ApiError> {
        if let Some(value) = self.0.remove(from) {
            if self.0.contains_key(to) {
                return Err(ApiError::invalid_request(format!(
                    "parameters {from} and {to} are the same parameter: send one"
                )));
            }
            self.0.insert(to.to_owned(), value);
        }
        Ok(())
    }
}

/// The user id and password of an `Authorization: Basic` header, as sent (RFC 7617),
/// or `None` when there is no such header.
pub fn basic_pair(headers: &HeaderMap) -> Result<Option<(String, String)>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| ApiError::invalid_request("malformed Authorization header"))?;
    let Some(encoded) = text
        .strip_prefix("Basic ")
        .or_else(|| text.strip_prefix("basic "))
    else {
        return Ok(None);
    };
    let decoded = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| ApiError::invalid_request("malformed Basic credentials"))?;
    let (id, secret) = decoded
        .split_once(':')
        .ok_or_else(|| ApiError::invalid_request("malformed Basic credentials"))?;
    Ok(Some((id.to_owned(), secret.to_owned())))
}

/// Client credentials from an `Authorization: Basic` header (RFC 6749 §2.3.1:
/// each part form-encoded), or `None` when there is no such header.
pub fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, ApiError> {
    let Some((id, secret)) = basic_pair(headers)? else {
        return Ok(None);
    };
    // Each part whole: `+` is a space and `%XX` a byte; `&` and `=` are themselves.
    let unescape = |part: &str| {
        percent_encoding::percent_decode_str(&part.replace('+', " "))
            .decode_utf8()
            .map(|text| text.into_owned())
            .map_err(|_| ApiError::invalid_request("malformed Basic credentials"))
    };
    Ok(Some((unescape(&id)?, unescape(&secret)?)))
}

/// The client id and secret of a request: from HTTP Basic or from the form, not both.
pub fn client_credentials(
    headers: &HeaderMap,
    form: &mut Form,
) -> Result<(Option<String>, Option<String>, bool), ApiError> {
    match basic_credentials(headers)? {
        Some((id, secret)) => {
            if form.get("client_secret").is_some() {
                return Err(ApiError::invalid_request(
                    "use one client authentication method, not Basic and client_secret together",
                ));
            }
            if form.get("client_id").is_some_and(|f| f != id) {
                return Err(ApiError::invalid_request(
                    "client_id differs from the Basic credentials",
                ));
            }
            form.take("client_id");
            Ok((Some(id), Some(secret), true))
        }
        None => Ok((form.take("client_id"), form.take("client_secret"), false)),
    }
}
