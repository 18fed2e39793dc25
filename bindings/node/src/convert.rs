//! Conversions between the JSON values napi hands over and the engine's types, and
//! the one place where core errors become JavaScript errors.
//!
//! Every error this addon throws is a napi error whose reason is [`MARK`] followed by
//! a JSON object; `node/index.js` (function `convert`) turns it into the JS class:
//! `{"kind":"iamkit","area","code","status","twilioCode","message"}` becomes an
//! `IamkitError` subclass, `{"kind":"type"|"range","message"}` a `TypeError` or
//! `RangeError`.

use napi::{Error, Status};
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

/// Options the shared binding layer refused: an invalid one is a `RangeError` naming
/// it as JS spells it (`serve options.responseStyle: …`); what the engine refused is
/// its error.
pub fn options_err(what: &str, error: iamkit_bindings::OptionsError) -> Error {
    match error {
        iamkit_bindings::OptionsError::Invalid(e) => {
            range_err(format!("{what}.{}: {}", camel_key(e.option), e.message))
        }
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

/// Parses the JSON text `node/index.js` sends for a free-form JSON argument.
///
/// Free-form JSON (a SCIM resource or PATCH body) crosses the boundary as JSON text
/// (made by `JSON.stringify` in `index.js`), not as a napi value: napi's own
/// `serde_json::Value` conversion aborts the process on a BigInt and recurses
/// without bound on a deep object. Options are typed structs (`options.rs`).
fn parse(what: &str, text: &str) -> napi::Result<Value> {
    serde_json::from_str(text).map_err(|e| type_err(format!("{what} is not plain JSON data: {e}")))
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

/// `snake_case` → `camelCase`.
pub fn camel_key(key: &str) -> String {
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
}
