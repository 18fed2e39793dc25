//! `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9).
//!
//! Each list is comma-separated attribute paths (`userName`, `name.givenName`,
//! `emails.value`, URN-prefixed allowed, case ignored). An unknown or malformed
//! name is `invalidValue`: RFC 7644 reserves `invalidPath` for the PATCH `path`, and
//! here the query parameter's value is what is wrong. Attributes returned `always`
//! (`id`, `schemas`) are kept whatever the lists say; `never` ones are dropped.
//! When both lists are given, `attributes` selects and `excludedAttributes` then
//! removes. Complex values left empty by a sub-attribute selection are dropped.

use serde_json::{Map, Value};

use crate::scim::error::ScimError;
use crate::scim::filter::parser::resolve;
use crate::scim::filter::AttrPath;
use crate::scim::schema::{AttrDef, Returned, USER_SCHEMA};

/// Which attributes of a User to return.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Projection {
    include: Option<Vec<AttrPath>>,
    exclude: Vec<AttrPath>,
}

/// Resolves the comma-separated list `list`; `None` when it names nothing.
fn paths(list: Option<&str>) -> Result<Option<Vec<AttrPath>>, ScimError> {
    let names: Vec<&str> = list
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if names.is_empty() {
        return Ok(None);
    }
    names
        .into_iter()
        .map(|n| resolve(&USER_SCHEMA, n).map_err(ScimError::InvalidValue))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

impl Projection {
    /// From the raw query parameters (either may be absent or empty).
    pub fn parse(
        attributes: Option<&str>,
        excluded_attributes: Option<&str>,
    ) -> Result<Self, ScimError> {
        Ok(Self {
            include: paths(attributes)?,
            exclude: paths(excluded_attributes)?.unwrap_or_default(),
        })
    }

    /// From lists of attribute paths.
    pub fn from_lists<S: AsRef<str>>(
        attributes: &[S],
        excluded_attributes: &[S],
    ) -> Result<Self, ScimError> {
        let join = |l: &[S]| l.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(",");
        Self::parse(Some(&join(attributes)), Some(&join(excluded_attributes)))
    }

    /// `resource` projected, without copying it when the projection keeps
    /// everything (no lists, and no member of `resource` is an attribute returned
    /// only on request or never, or has such sub-attributes).
    pub fn apply_owned(&self, resource: Value) -> Value {
        let hidden = |a: &AttrDef| matches!(a.returned, Returned::Never | Returned::Request);
        let holds_hidden = resource.as_object().is_some_and(|obj| {
            obj.keys().any(|key| {
                USER_SCHEMA
                    .all_attributes()
                    .find(|a| a.name.eq_ignore_ascii_case(key))
                    .is_some_and(|a| hidden(a) || a.sub_attributes.iter().any(hidden))
            })
        });
        let keeps_all = self.include.is_none() && self.exclude.is_empty() && !holds_hidden;
        if keeps_all {
            resource
        } else {
            self.apply(&resource)
        }
    }

    /// The projected copy of `resource` (anything but an object is returned as is).
    pub fn apply(&self, resource: &Value) -> Value {
        let Some(obj) = resource.as_object() else {
            return resource.clone();
        };
        let mut out = Map::new();
        for (key, value) in obj {
            if let Some(extension) = USER_SCHEMA.extension(key) {
                let members: Map<String, Value> = value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter_map(|(k, v)| {
                        let def = extension.attribute(k)?;
                        self.attribute(def, v).map(|v| (k.clone(), v))
                    })
                    .collect();
                if !members.is_empty() {
                    out.insert(key.clone(), Value::Object(members));
                }
                continue;
            }
            match USER_SCHEMA
                .all_attributes()
                .find(|a| a.name.eq_ignore_ascii_case(key))
            {
                Some(def) => {
                    if let Some(v) = self.attribute(def, value) {
                        out.insert(key.clone(), v);
                    }
                }
                None if self.include.is_none() => {
                    out.insert(key.clone(), value.clone());
                }
                None => {}
            }
        }
        Value::Object(out)
    }

    fn attribute(&self, def: &'static AttrDef, value: &Value) -> Option<Value> {
        match def.returned {
            Returned::Always => return Some(value.clone()),
            Returned::Never => return None,
            Returned::Default | Returned::Request => {}
        }
        // What a list names of `def`: `None` for `def` itself, else sub-attributes.
        let named = |list: &[AttrPath]| -> Vec<Option<&'static AttrDef>> {
            list.iter()
                .filter(|p| p.attr().name == def.name && p.attr().extension == def.extension)
                .map(AttrPath::sub)
                .collect()
        };
        // `None`: every sub-attribute; `Some(subs)`: only these.
        let selected: Option<Vec<&AttrDef>> = match self.include.as_deref().map(&named) {
            None if def.returned == Returned::Default => None,
            None => return None,
            Some(subs) if subs.contains(&None) => None,
            Some(subs) if subs.is_empty() => return None,
            Some(subs) => Some(subs.into_iter().flatten().collect()),
        };
        let excluded = named(&self.exclude);
        if excluded.contains(&None) {
            return None;
        }
        let excluded: Vec<&AttrDef> = excluded.into_iter().flatten().collect();
        if selected.is_none() && excluded.is_empty() {
            return Some(value.clone());
        }
        let listed = |list: &[&AttrDef], sub: &AttrDef| list.iter().any(|d| d.name == sub.name);
        let keep = |sub: &AttrDef| match sub.returned {
            Returned::Always => true,
            Returned::Never => false,
            _ => selected.as_deref().is_none_or(|s| listed(s, sub)) && !listed(&excluded, sub),
        };
        trim(value, def, &keep)
    }
}

/// Keeps the sub-attributes `keep` accepts; `None` if nothing is left.
fn trim(value: &Value, def: &AttrDef, keep: &dyn Fn(&AttrDef) -> bool) -> Option<Value> {
    let one = |v: &Value| -> Option<Value> {
        let members: Map<String, Value> = v
            .as_object()?
            .iter()
            .filter(|(k, _)| def.sub_attribute(k).is_some_and(keep))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        (!members.is_empty()).then_some(Value::Object(members))
    };
    match value {
        Value::Array(items) => {
            let kept: Vec<Value> = items.iter().filter_map(one).collect();
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        other => one(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::ErrorCode;
    use serde_json::json;

    fn user() -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "US0123456789abcdef0123456789abcdef",
            "userName": "ann@example.com",
            "name": {"givenName": "Ann", "familyName": "Lee"},
            "emails": [{"value": "ann@example.com", "type": "work", "primary": true}],
            "active": true,
            "meta": {"resourceType": "User", "version": "W/\"1\""}
        })
    }

    fn keys(v: &Value) -> Vec<String> {
        v.as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }

    #[test]
    fn attributes_keep_always_returned() {
        let p = Projection::parse(Some("userName, name.givenName"), None).unwrap();
        let out = p.apply(&user());
        assert_eq!(keys(&out), ["id", "name", "schemas", "userName"]);
        assert_eq!(out["name"], json!({"givenName": "Ann"}));
    }

    #[test]
    fn never_returned_attributes_are_dropped_even_without_lists() {
        let mut with_password = user();
        with_password["password"] = json!("t1meMa$heen");
        assert_eq!(Projection::default().apply_owned(with_password), user());
    }

    #[test]
    fn excluded_attributes() {
        assert_eq!(Projection::default().apply_owned(user()), user());
        let p = Projection::parse(
            None,
            Some("emails.type,meta,id,urn:ietf:params:scim:schemas:core:2.0:User:active"),
        )
        .unwrap();
        assert_eq!(p.apply_owned(user()), p.apply(&user()));
        let out = p.apply(&user());
        assert_eq!(keys(&out), ["emails", "id", "name", "schemas", "userName"]);
        assert_eq!(
            out["emails"],
            json!([{"value": "ann@example.com", "primary": true}])
        );
    }

    #[test]
    fn both_lists_and_errors() {
        let p = Projection::from_lists(&["emails"], &["emails.primary"]).unwrap();
        assert_eq!(
            p.apply(&user())["emails"],
            json!([{"value": "ann@example.com", "type": "work"}])
        );
        for bad in [
            "favoriteColor",
            "name.middle",
            "emails[type eq \"work\"]",
            "a.b.c",
        ] {
            assert_eq!(
                Projection::parse(Some(bad), None).unwrap_err().code(),
                "invalidValue",
                "{bad}"
            );
        }
        assert_eq!(
            Projection::parse(Some(""), Some(" , ")).unwrap(),
            Projection::default()
        );
    }
}
