//! `sortBy` and `sortOrder` (RFC 7644 §3.4.2.3).
//!
//! Strings of non-`caseExact` attributes sort ignoring case (simple Unicode
//! lower-casing), `caseExact` ones by code point; date-times as instants; booleans
//! `false` first; numbers numerically. A multi-valued attribute sorts by its primary
//! value, else its first. Resources without a value sort last in both orders, and
//! ties keep their order (the sort is stable). An unknown or complex `sortBy`, or a
//! `sortOrder` other than `ascending`/`descending` (case ignored), is `invalidValue`.

use std::borrow::Borrow;
use std::cmp::Ordering;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::scim::error::ScimError;
use crate::scim::filter::eval::get_ci;
use crate::scim::filter::parser::resolve;
use crate::scim::filter::AttrPath;
use crate::scim::schema::{AttrDef, AttrType, USER_SCHEMA};

/// The direction of a sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    /// Smallest first (the default).
    #[default]
    Ascending,
    /// Largest first.
    Descending,
}

/// A parsed `sortBy`/`sortOrder` pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Sort {
    path: AttrPath,
    leaf: &'static AttrDef,
    order: SortOrder,
}

/// A resource's sort key.
#[derive(Debug, PartialEq)]
enum Key {
    Text(String),
    Bool(bool),
    Number(f64),
    Instant(OffsetDateTime),
}

impl Sort {
    /// Parses `sortBy` and the optional `sortOrder`.
    pub fn parse(sort_by: &str, sort_order: Option<&str>) -> Result<Self, ScimError> {
        let path = resolve(&USER_SCHEMA, sort_by.trim()).map_err(ScimError::InvalidValue)?;
        let leaf = path.leaf().ok_or_else(|| {
            ScimError::InvalidValue(format!("cannot sort by the complex attribute `{path}`"))
        })?;
        let order = match sort_order.map(str::trim) {
            None | Some("") => SortOrder::Ascending,
            Some(o) if o.eq_ignore_ascii_case("ascending") => SortOrder::Ascending,
            Some(o) if o.eq_ignore_ascii_case("descending") => SortOrder::Descending,
            Some(o) => {
                return Err(ScimError::InvalidValue(format!(
                    "sortOrder {o:?}: expected ascending or descending"
                )))
            }
        };
        Ok(Self { path, leaf, order })
    }

    /// The attribute sorted by.
    pub fn path(&self) -> &AttrPath {
        &self.path
    }

    /// The direction.
    pub fn order(&self) -> SortOrder {
        self.order
    }

    /// How `a` and `b` compare under this sort.
    pub fn compare(&self, a: &Value, b: &Value) -> Ordering {
        self.compare_keys(self.key(a).as_ref(), self.key(b).as_ref())
    }

    /// Sorts `items` stably, reading each resource's key once.
    pub fn sort<T: Borrow<Value>>(&self, items: &mut Vec<T>) {
        let mut keyed: Vec<(Option<Key>, T)> =
            items.drain(..).map(|t| (self.key(t.borrow()), t)).collect();
        keyed.sort_by(|(a, _), (b, _)| self.compare_keys(a.as_ref(), b.as_ref()));
        items.extend(keyed.into_iter().map(|(_, t)| t));
    }

    fn compare_keys(&self, a: Option<&Key>, b: Option<&Key>) -> Ordering {
        match (a, b) {
            (Some(a), Some(b)) => {
                let o = match (a, b) {
                    (Key::Text(x), Key::Text(y)) => x.cmp(y),
                    (Key::Bool(x), Key::Bool(y)) => x.cmp(y),
                    (Key::Number(x), Key::Number(y)) => x.total_cmp(y),
                    (Key::Instant(x), Key::Instant(y)) => x.cmp(y),
                    _ => Ordering::Equal,
                };
                match self.order {
                    SortOrder::Ascending => o,
                    SortOrder::Descending => o.reverse(),
                }
            }
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        }
    }

    fn key(&self, resource: &Value) -> Option<Key> {
        let attr = self.path.attr();
        let top = get_ci(resource.as_object()?, attr.name)?;
        let item = match top {
            Value::Array(items) if attr.multi_valued => {
                let primary = |v: &&Value| {
                    v.as_object().and_then(|m| get_ci(m, "primary")) == Some(&Value::Bool(true))
                };
                items.iter().find(primary).or_else(|| items.first())?
            }
            other => other,
        };
        let value = if attr.is_complex() {
            get_ci(item.as_object()?, self.leaf.name)?
        } else {
            item
        };
        match (self.leaf.ty, value) {
            (AttrType::String | AttrType::Reference | AttrType::Binary, Value::String(s)) => {
                Some(Key::Text(if self.leaf.case_exact {
                    s.clone()
                } else {
                    s.chars().flat_map(char::to_lowercase).collect()
                }))
            }
            (AttrType::Boolean, Value::Bool(b)) => Some(Key::Bool(*b)),
            (AttrType::Integer | AttrType::Decimal, Value::Number(n)) => {
                n.as_f64().map(Key::Number)
            }
            (AttrType::DateTime, Value::String(s)) => {
                OffsetDateTime::parse(s, &Rfc3339).ok().map(Key::Instant)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use serde_json::json;

    fn names(sort: &Sort, mut users: Vec<Value>) -> Vec<String> {
        sort.sort(&mut users);
        users
            .iter()
            .map(|u| u["displayName"].as_str().unwrap_or("-").to_owned())
            .collect()
    }

    #[test]
    fn sorts_case_insensitively_with_missing_last() {
        let users = vec![
            json!({"displayName": "b", "userName": "Bob"}),
            json!({"displayName": "n"}),
            json!({"displayName": "a", "userName": "alice"}),
            json!({"displayName": "c", "userName": "carol"}),
        ];
        assert_eq!(
            names(&Sort::parse("USERNAME", None).unwrap(), users.clone()),
            ["a", "b", "c", "n"]
        );
        assert_eq!(
            names(&Sort::parse("userName", Some("Descending")).unwrap(), users),
            ["c", "b", "a", "n"]
        );
    }

    #[test]
    fn dates_as_instants_and_primary_emails() {
        let users = vec![
            json!({"displayName": "x", "meta": {"created": "2026-01-01T01:00:00+02:00"}, "emails": [{"value": "z@x.io"}, {"value": "a@x.io", "primary": true}]}),
            json!({"displayName": "y", "meta": {"created": "2025-12-31T23:30:00Z"}, "emails": [{"value": "b@x.io"}]}),
        ];
        assert_eq!(
            names(&Sort::parse("meta.created", None).unwrap(), users.clone()),
            ["x", "y"]
        );
        assert_eq!(
            names(&Sort::parse("emails", None).unwrap(), users.clone()),
            ["x", "y"]
        );
        assert_eq!(
            names(
                &Sort::parse("emails.value", Some("descending")).unwrap(),
                users
            ),
            ["y", "x"]
        );
    }

    #[test]
    fn invalid_parameters() {
        for (by, order) in [("nickName", None), ("name", None), ("userName", Some("up"))] {
            assert_eq!(Sort::parse(by, order).unwrap_err().code(), "invalidValue");
        }
    }
}
