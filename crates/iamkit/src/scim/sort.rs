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
use crate::scim::filter::parser::resolve;
use crate::scim::filter::{AttrPath, AttrValue, Attributes};
use crate::scim::fold::fold;
use crate::scim::schema::{AttrDef, AttrType, Returned, USER_SCHEMA};

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
        if path.attr().returned == Returned::Never {
            return Err(ScimError::InvalidValue(format!(
                "cannot sort by `{path}`: it is never returned"
            )));
        }
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
        self.sort_by_key_of(items, |t| self.key(t.borrow()));
    }

    /// Sorts resources read through [`Attributes`] (such as the engine's stored
    /// users) stably, reading each one's key once.
    pub fn sort_resources<R: Attributes>(&self, items: &mut Vec<R>) {
        self.sort_by_key_of(items, |r| self.key(r));
    }

    fn sort_by_key_of<T>(&self, items: &mut Vec<T>, key: impl Fn(&T) -> Option<Key>) {
        let mut keyed: Vec<(Option<Key>, T)> = items.drain(..).map(|t| (key(&t), t)).collect();
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

    /// The sort key: the leaf's first value, or for a multi-valued complex attribute,
    /// the leaf of its primary element (else its first element).
    fn key<R: Attributes>(&self, resource: &R) -> Option<Key> {
        let attr = self.path.attr();
        let mut key = None;
        if attr.multi_valued && attr.is_complex() {
            let primary = attr.sub_attribute("primary");
            let mut first = true;
            resource.any_element(attr, |element| {
                let is_primary = primary
                    .is_some_and(|p| element.any_value(p, None, |v| v == AttrValue::Bool(true)));
                if first || is_primary {
                    key = None;
                    element.any_value(self.leaf, None, |v| {
                        key = self.key_of(v);
                        true
                    });
                    first = false;
                }
                is_primary
            });
        } else {
            let sub = attr.is_complex().then_some(self.leaf);
            resource.any_value(attr, sub, |v| {
                key = self.key_of(v);
                true
            });
        }
        key
    }

    fn key_of(&self, value: AttrValue<'_>) -> Option<Key> {
        match (self.leaf.ty, value) {
            (AttrType::String | AttrType::Reference | AttrType::Binary, AttrValue::Str(s)) => {
                Some(Key::Text(if self.leaf.case_exact {
                    s.to_owned()
                } else {
                    fold(s)
                }))
            }
            (AttrType::Boolean, AttrValue::Bool(b)) => Some(Key::Bool(b)),
            (AttrType::Integer | AttrType::Decimal, AttrValue::Number(n)) => {
                n.as_f64().map(Key::Number)
            }
            (AttrType::DateTime, AttrValue::Instant(t)) => Some(Key::Instant(t)),
            (AttrType::DateTime, AttrValue::Str(s)) => {
                OffsetDateTime::parse(s, &Rfc3339).ok().map(Key::Instant)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::ErrorCode;
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
        for (by, order) in [
            ("favoriteColor", None),
            ("name", None),
            ("userName", Some("up")),
        ] {
            assert_eq!(Sort::parse(by, order).unwrap_err().code(), "invalidValue");
        }
    }
}
