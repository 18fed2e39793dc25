//! Stored users as filters and sorting read them: [`Attributes`] straight from the
//! typed fields, so a scan never builds JSON; the attributes kept as JSON are
//! parsed only when a filter reads one of them, and only for users that have some.

use serde_json::{Map, Value};

use crate::scim::filter::resource::any_value_of;
use crate::scim::filter::{AttrValue, Attributes};
use crate::scim::schema::{AttrDef, ENTERPRISE_URN, USER_URN};
use crate::scim::users::record::{EmailRef, NameRef};
use crate::scim::users::stored::UserRef;

/// A stored user with the Users endpoint URL its `meta.location` lives under.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UserView<'a> {
    pub user: UserRef<'a>,
    pub users_url: &'a str,
}

/// An element of one of a user's complex attributes, for value filters.
#[derive(Debug, Clone)]
pub(crate) enum Part<'a> {
    Name(NameRef<'a>),
    Email(EmailRef<'a>),
    Meta(UserView<'a>),
    /// An element of an attribute kept as JSON.
    Json(Map<String, Value>),
}

fn optional<F: FnMut(AttrValue<'_>) -> bool>(value: Option<&str>, mut f: F) -> bool {
    value.is_some_and(|s| f(AttrValue::Str(s)))
}

impl Attributes for UserView<'_> {
    type Element<'e>
        = Part<'e>
    where
        Self: 'e;

    fn any_value<F: FnMut(AttrValue<'_>) -> bool>(
        &self,
        attr: &AttrDef,
        sub: Option<&AttrDef>,
        mut f: F,
    ) -> bool {
        let u = self.user;
        match (attr.name, sub) {
            ("userName", None) => f(AttrValue::Str(u.user_name())),
            ("emails", Some(sub)) => u
                .emails()
                .any(|e| Part::Email(e).any_value(sub, None, &mut f)),
            ("emails", None) => u.emails().any(|e| {
                f(AttrValue::Complex {
                    present: e.is_present(),
                })
            }),
            ("active", None) => u.active().is_some_and(|b| f(AttrValue::Bool(b))),
            ("title", None) => optional(u.title(), f),
            ("displayName", None) => optional(u.display_name(), f),
            ("externalId", None) => optional(u.external_id(), f),
            ("id", None) => f(AttrValue::Str(&u.id().to_string())),
            ("name", Some(sub)) => u
                .name()
                .is_some_and(|n| Part::Name(n).any_value(sub, None, f)),
            ("name", None) => u.name().is_some_and(|n| {
                f(AttrValue::Complex {
                    present: n.is_present(),
                })
            }),
            ("locale", None) => optional(u.locale(), f),
            ("timezone", None) => optional(u.timezone(), f),
            ("meta", Some(sub)) => Part::Meta(*self).any_value(sub, None, f),
            ("meta", None) => f(AttrValue::Complex { present: true }),
            ("schemas", None) => {
                f(AttrValue::Str(USER_URN))
                    || (u.has_extra()
                        && u.extra().contains_key(ENTERPRISE_URN)
                        && f(AttrValue::Str(ENTERPRISE_URN)))
            }
            _ => any_value_of(u.extra_member(attr).as_ref(), attr, sub, f),
        }
    }

    fn any_element<'s, F: FnMut(&Self::Element<'s>) -> bool>(
        &'s self,
        attr: &AttrDef,
        mut f: F,
    ) -> bool {
        match attr.name {
            "emails" => self.user.emails().any(|e| f(&Part::Email(e))),
            "name" => self.user.name().is_some_and(|n| f(&Part::Name(n))),
            "meta" => f(&Part::Meta(*self)),
            _ => match self.user.extra_member(attr) {
                Some(Value::Array(items)) => items.into_iter().any(|item| match item {
                    Value::Object(m) => f(&Part::Json(m)),
                    _ => false,
                }),
                Some(Value::Object(m)) => f(&Part::Json(m)),
                _ => false,
            },
        }
    }
}

impl Attributes for Part<'_> {
    type Element<'e>
        = Part<'e>
    where
        Self: 'e;

    fn any_value<F: FnMut(AttrValue<'_>) -> bool>(
        &self,
        attr: &AttrDef,
        sub: Option<&AttrDef>,
        mut f: F,
    ) -> bool {
        if let Part::Json(m) = self {
            return m.any_value(attr, sub, f);
        }
        if sub.is_some() {
            return false;
        }
        match (self, attr.name) {
            (Part::Email(e), "value") => optional(e.value, f),
            (Part::Email(e), "type") => optional(e.kind, f),
            (Part::Email(e), "primary") => e.primary.is_some_and(|b| f(AttrValue::Bool(b))),
            (Part::Email(e), "display") => optional(e.display, f),
            (Part::Name(n), "givenName") => optional(n.given_name, f),
            (Part::Name(n), "familyName") => optional(n.family_name, f),
            (Part::Name(n), "formatted") => optional(n.formatted, f),
            (Part::Name(n), "middleName") => optional(n.middle_name, f),
            (Part::Name(n), "honorificPrefix") => optional(n.honorific_prefix, f),
            (Part::Name(n), "honorificSuffix") => optional(n.honorific_suffix, f),
            (Part::Meta(_), "resourceType") => f(AttrValue::Str("User")),
            (Part::Meta(v), "created") => f(AttrValue::Instant(v.user.created())),
            (Part::Meta(v), "lastModified") => f(AttrValue::Instant(v.user.last_modified())),
            (Part::Meta(v), "version") => f(AttrValue::Str(&v.user.version_tag())),
            (Part::Meta(v), "location") => f(AttrValue::Str(&v.user.location(v.users_url))),
            _ => false,
        }
    }

    fn any_element<'s, F: FnMut(&Self::Element<'s>) -> bool>(&'s self, _: &AttrDef, _: F) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{Sid, UserSid};
    use crate::scim::filter::Filter;
    use crate::scim::users::record::UserRecord;
    use crate::scim::users::table::UserTable;
    use crate::scim::ScimRules;
    use serde_json::Value;
    use time::format_description::well_known::Rfc3339;
    use time::OffsetDateTime;

    const USERS_URL: &str = "https://example.com/scim/v2/Users";

    /// A vector user as a record, keeping its id, times and version; `None` for the
    /// users the engine could not store (they do not validate even under RFC 7643's
    /// rules, the looser set).
    fn record(user: &Value) -> Option<UserRecord> {
        let attributes = ScimRules::Rfc7643.user_attributes(user).ok()?;
        let id = user["id"]
            .as_str()
            .map_or_else(|| Ok(UserSid::generate()), str::parse)
            .ok()?;
        let at = |key: &str| {
            user["meta"][key]
                .as_str()
                .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
                .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        };
        let version = user["meta"]["version"]
            .as_str()
            .and_then(|v| v.trim_start_matches("W/").trim_matches('"').parse().ok())
            .unwrap_or(1);
        Some(UserRecord {
            last_modified: at("lastModified"),
            version,
            ..UserRecord::new(id, attributes, at("created"))
        })
    }

    /// The shared evaluation vectors give the same answers on stored users as on
    /// their JSON, for every vector user the engine can store.
    #[test]
    fn shared_vectors_match_on_records() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/vectors/scim/matches.json"
        );
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut ran = 0;
        let mut failures = Vec::new();
        for case in doc["cases"].as_array().unwrap() {
            let user = &doc["users"][case["user"].as_str().unwrap()];
            let Some(record) = record(user) else {
                continue;
            };
            let mut table = UserTable::default();
            table.put(&record);
            let Some(stored) = table.get(record.id) else {
                continue;
            };
            let view = UserView {
                user: stored,
                users_url: USERS_URL,
            };
            let filter = Filter::parse(case["filter"].as_str().unwrap()).unwrap();
            let want = case["match"].as_bool().unwrap();
            if filter.matches_resource(&view) != want {
                failures.push(format!("{} on {}", case["filter"], case["user"]));
            }
            ran += 1;
        }
        assert!(ran >= 130, "only {ran} cases ran on records");
        assert!(failures.is_empty(), "{failures:#?}");
    }
}
