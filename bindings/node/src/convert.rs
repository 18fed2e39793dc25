//! Conversions between the JSON values napi hands over and the engine's types, and
//! the one place where core errors become JavaScript errors.
//!
//! Every error this addon throws is a napi error whose reason is [`MARK`] followed by
//! a JSON object; `node/index.js` (function `convert`) turns it into the JS class:
//! `{"kind":"iamkit","area","code","status","twilioCode","message"}` becomes an
//! `IamkitError` subclass, `{"kind":"type"|"range","message"}` a `TypeError` or
//! `RangeError`.

use napi::{Error, Status};
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

/// Prefix of every encoded error reason.
pub const MARK: &str = "\u{1}iamkit:";

fn encoded(status: Status, value: Value) -> Error {
    Error::new(status, format!("{MARK}{value}"))
}

/// The one error-conversion point for core errors: area (which part of the engine
/// refused), the stable code, HTTP status, Twilio code and message.
pub fn core_err(error: impl Into<iamkit::Error>) -> Error {
    let error = iamkit_bindings::FlatError::new(error);
    encoded(
        Status::GenericFailure,
        json!({
            "kind": "iamkit",
            "area": error.area,
            "code": error.code,
            "status": error.status,
            "twilioCode": error.twilio_code,
            "message": error.message,
        }),
    )
}

/// A wrong argument type: a JS `TypeError`.
pub fn type_err(message: impl std::fmt::Display) -> Error {
    encoded(
        Status::InvalidArg,
        json!({"kind": "type", "message": message.to_string()}),
    )
}

/// A well-typed but malformed value (a bad instant, an unknown algorithm): a JS
/// `RangeError`.
/// Options the shared binding layer refused: an invalid one is a `RangeError` naming
/// it; what the engine refused is its error.
pub fn options_err(error: iamkit_bindings::OptionsError) -> Error {
    match error {
        iamkit_bindings::OptionsError::Invalid(e) => range_err(e),
        iamkit_bindings::OptionsError::Engine(e) => core_err(e),
    }
}

/// A value out of the range an argument takes (a JS `RangeError`).
pub fn range_err(message: impl std::fmt::Display) -> Error {
    encoded(
        Status::InvalidArg,
        json!({"kind": "range", "message": message.to_string()}),
    )
}

/// Parses the JSON text `node/index.js` sends for an object argument.
///
/// Object arguments cross the boundary as JSON text (made by `JSON.stringify` in
/// `index.js`), not as napi values: napi's own `serde_json::Value` conversion aborts
/// the process on a BigInt and recurses without bound on a deep object.
fn parse(what: &str, text: &str) -> napi::Result<Value> {
    serde_json::from_str(text).map_err(|e| type_err(format!("{what} is not plain JSON data: {e}")))
}

/// An options object (or `undefined`/`null` for all defaults) as `T`; unknown keys
/// and wrong types are `TypeError`s naming `what`.
pub fn options<T: DeserializeOwned + Default>(what: &str, text: Option<String>) -> napi::Result<T> {
    match text {
        None => Ok(T::default()),
        Some(text) => match parse(what, &text)? {
            Value::Null => Ok(T::default()),
            value => required_value(what, value),
        },
    }
}

/// A required options object as `T`.
pub fn required<T: DeserializeOwned>(what: &str, text: String) -> napi::Result<T> {
    required_value(what, parse(what, &text)?)
}

fn required_value<T: DeserializeOwned>(what: &str, value: Value) -> napi::Result<T> {
    match value {
        value @ Value::Object(_) => {
            serde_json::from_value(normalize(value)).map_err(|e| type_err(format!("{what}: {e}")))
        }
        other => Err(type_err(format!(
            "{what} must be an object, not {}",
            js_type(&other)
        ))),
    }
}

/// JS numbers arrive as floats; integral ones become integers so that integer
/// fields accept `3600`, and `null` members (JS `undefined` or `null`) are dropped
/// so that they mean "absent".
fn normalize(value: Value) -> Value {
    match value {
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 && n.as_i64().is_none() => {
                json!(f as i64)
            }
            _ => Value::Number(n),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(normalize).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, normalize(v)))
                .collect(),
        ),
        other => other,
    }
}

/// A plain JSON value from JS (a SCIM resource or PATCH body), handed to the core as
/// it is, so that the core rules on its shape (a PATCH body that is not an object is
/// SCIM `invalidSyntax`, not a `TypeError`). Integral numbers become integers; `null`
/// is kept (it is meaningful in SCIM).
pub fn resource(what: &str, text: &str) -> napi::Result<Value> {
    parse(what, text).map(ints)
}

fn ints(value: Value) -> Value {
    match value {
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 && n.as_i64().is_none() => {
                json!(f as i64)
            }
            _ => Value::Number(n),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(ints).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, ints(v))).collect()),
        other => other,
    }
}

fn js_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `snake_case` → `camelCase`.
fn camel_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' && !out.is_empty() {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A record of the engine (snake_case keys) with camelCase keys, recursively.
pub fn camel(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(camel).collect()),
        Value::Object(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                out.insert(camel_key(&k), camel(v));
            }
            Value::Object(out)
        }
        other => other,
    }
}

/// Serializes a core value as JSON.
pub fn ser<T: serde::Serialize>(value: &T) -> napi::Result<Value> {
    serde_json::to_value(value).map_err(|e| {
        Error::new(
            Status::GenericFailure,
            format!("cannot convert to JSON: {e}"),
        )
    })
}

/// Serializes a core record with camelCase keys.
pub fn record<T: serde::Serialize>(value: &T) -> napi::Result<Value> {
    ser(value).map(camel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_keys() {
        assert_eq!(camel_key("client_id"), "clientId");
        assert_eq!(camel_key("terms_of_service_url"), "termsOfServiceUrl");
        assert_eq!(camel_key("_x"), "_x");
        assert_eq!(
            camel(json!({"a_b": [{"c_d": 1}]})),
            json!({"aB": [{"cD": 1}]})
        );
    }

    #[test]
    fn integral_floats_become_integers() {
        assert_eq!(
            normalize(json!({"t": 3600.0, "n": null})),
            json!({"t": 3600})
        );
    }
}
