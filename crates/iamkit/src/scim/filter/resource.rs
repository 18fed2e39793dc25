//! What the filter evaluator (and sorting) reads from a resource: the
//! [`Attributes`] trait, and its implementation for JSON objects.
//!
//! The evaluator never walks a resource itself; it asks for the values an attribute
//! path reaches and for the elements of complex attributes. JSON objects answer by
//! looking members up (names ignoring ASCII case); the engine's stored users answer
//! from typed fields, without building JSON.

use serde_json::{Map, Number, Value};
use time::OffsetDateTime;

use crate::scim::json::{get_ci, member};
use crate::scim::schema::AttrDef;

/// One non-null value of an attribute, as the evaluator sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AttrValue<'a> {
    /// A string.
    Str(&'a str),
    /// A boolean.
    Bool(bool),
    /// A JSON number.
    Number(&'a Number),
    /// A date-time held as an instant (a string holding one is a `Str`).
    Instant(OffsetDateTime),
    /// A complex value, or an array where one value belongs. Only whether it is
    /// present (`pr`) matters; it equals nothing.
    Complex {
        /// Whether some sub-value of it is present.
        present: bool,
    },
}

impl AttrValue<'_> {
    /// Whether the value counts as present for `pr`: not `""`, and for a complex
    /// value, some sub-value present.
    pub fn is_present(self) -> bool {
        match self {
            Self::Str(s) => !s.is_empty(),
            Self::Complex { present } => present,
            Self::Bool(_) | Self::Number(_) | Self::Instant(_) => true,
        }
    }
}

/// A resource a filter can be evaluated against. Attribute definitions come
/// resolved against the schema, so their names are canonical.
pub trait Attributes {
    /// An element of a complex attribute, which a value filter (`emails[…]`) reads.
    type Element<'e>: Attributes
    where
        Self: 'e;

    /// Whether `f` holds for some non-null value of `attr` (one per element of a
    /// multi-valued attribute), or with `sub`, for some non-null value of `sub`
    /// inside those values. Stops at the first `true`.
    fn any_value<F: FnMut(AttrValue<'_>) -> bool>(
        &self,
        attr: &AttrDef,
        sub: Option<&AttrDef>,
        f: F,
    ) -> bool;

    /// Whether `f` holds for some element of the complex attribute `attr` (its
    /// single value, or an element of its array). Stops at the first `true`.
    fn any_element<'s, F: FnMut(&Self::Element<'s>) -> bool>(
        &'s self,
        attr: &AttrDef,
        f: F,
    ) -> bool;
}

/// The evaluator's view of one non-null JSON value.
fn view(value: &Value) -> AttrValue<'_> {
    match value {
        Value::String(s) => AttrValue::Str(s),
        Value::Bool(b) => AttrValue::Bool(*b),
        Value::Number(n) => AttrValue::Number(n),
        other => AttrValue::Complex {
            present: is_present(other),
        },
    }
}

/// Whether `f` holds for some non-null value of `attr` whose value (the member of
/// a resource) is `top`, or with `sub`, for some value of `sub` inside it.
pub(crate) fn any_value_of<F: FnMut(AttrValue<'_>) -> bool>(
    top: Option<&Value>,
    attr: &AttrDef,
    sub: Option<&AttrDef>,
    mut f: F,
) -> bool {
    let (one, many) = match top {
        Some(Value::Array(items)) if attr.multi_valued => (None, items.as_slice()),
        other => (other, &[][..]),
    };
    one.into_iter()
        .chain(many)
        .filter_map(|v| match (sub, v) {
            (Some(sub), Value::Object(m)) => get_ci(m, sub.name),
            (Some(_), _) => None,
            (None, v) => Some(v),
        })
        .filter(|v| !v.is_null())
        .any(|v| f(view(v)))
}

/// Whether a JSON value counts as present for `pr`: not null, `""`, `[]`, or an
/// object without any present member.
pub(crate) fn is_present(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => items.iter().any(is_present),
        Value::Object(map) => map.values().any(is_present),
        Value::Bool(_) | Value::Number(_) => true,
    }
}

/// A JSON object: members are matched ignoring ASCII case; a stored value of the
/// wrong type is still a value (it just never equals anything).
impl Attributes for Map<String, Value> {
    type Element<'e> = Map<String, Value>;

    fn any_value<F: FnMut(AttrValue<'_>) -> bool>(
        &self,
        attr: &AttrDef,
        sub: Option<&AttrDef>,
        f: F,
    ) -> bool {
        any_value_of(member(self, attr), attr, sub, f)
    }

    fn any_element<'s, F: FnMut(&Self::Element<'s>) -> bool>(
        &'s self,
        attr: &AttrDef,
        mut f: F,
    ) -> bool {
        match member(self, attr) {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).any(f),
            Some(Value::Object(m)) => f(m),
            _ => false,
        }
    }
}

/// Any JSON value: an object as above; anything else has no attributes.
impl Attributes for Value {
    type Element<'e> = Map<String, Value>;

    fn any_value<F: FnMut(AttrValue<'_>) -> bool>(
        &self,
        attr: &AttrDef,
        sub: Option<&AttrDef>,
        f: F,
    ) -> bool {
        self.as_object().is_some_and(|m| m.any_value(attr, sub, f))
    }

    fn any_element<'s, F: FnMut(&Self::Element<'s>) -> bool>(
        &'s self,
        attr: &AttrDef,
        f: F,
    ) -> bool {
        self.as_object().is_some_and(|m| m.any_element(attr, f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn presence() {
        assert!(!is_present(&json!([{"value": ""}, null])));
        assert!(is_present(&json!([{"value": "x"}])));
        assert!(!is_present(&json!({"givenName": null})));
        assert!(is_present(&json!(false)));
    }
}
