//! A User as the engine builds it from a request and as state exports carry it:
//! owned, typed fields for the attributes filters read most (times as instants, the
//! version as a number), the other attributes as canonical SCIM JSON, and the
//! password as a salted hash only. The table packs it into its compact stored form
//! (`stored.rs`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::ids::UserSid;
use crate::secrets::PasswordHash;

/// One User, owned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserRecord {
    pub id: UserSid,
    pub user_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<NameRecord>,
    pub emails: Vec<EmailRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_modified: OffsetDateTime,
    /// Starts at 1 and grows with every write; `meta.version` is `W/"n"`.
    pub version: u64,
    /// Whether the user signs in through single sign-on. An engine-side flag, not a
    /// SCIM attribute: SCIM writes never change it.
    #[serde(default)]
    pub sso: bool,
    /// The hash of the user's `password` (a write-only attribute: never returned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<PasswordHash>,
    /// Every other attribute, in canonical SCIM JSON (schema-case names, nothing
    /// unassigned, an extension's attributes under its URN).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A user's name components; at least one is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NameRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub honorific_suffix: Option<String>,
}

/// One email address. Under RFC 7643's rules an email may lack a `value` (RFC 7643
/// §8.7.1 does not require it); Twilio's rules always give one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct EmailRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
}

/// A borrowed name, as stored users and the SCIM JSON show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NameRef<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formatted: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub honorific_prefix: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub honorific_suffix: Option<&'a str>,
}

/// A borrowed email, as stored users and the SCIM JSON show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct EmailRef<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<&'a str>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
}

fn filled(s: Option<&str>) -> bool {
    s.is_some_and(|s| !s.is_empty())
}

impl NameRef<'_> {
    /// Whether some component is non-empty (what `name pr` asks).
    pub fn is_present(&self) -> bool {
        [
            self.formatted,
            self.family_name,
            self.given_name,
            self.middle_name,
            self.honorific_prefix,
            self.honorific_suffix,
        ]
        .into_iter()
        .any(filled)
    }
}

impl EmailRef<'_> {
    /// Whether some sub-value is present (what `emails pr` asks of each email).
    pub fn is_present(&self) -> bool {
        filled(self.value) || filled(self.kind) || filled(self.display) || self.primary.is_some()
    }
}

/// Takes the string member `name` out of `obj`.
fn text(obj: &mut Map<String, Value>, name: &str) -> Option<String> {
    match obj.remove(name)? {
        Value::String(s) => Some(s),
        other => {
            obj.insert(name.to_owned(), other);
            None
        }
    }
}

/// Takes the boolean member `name` out of `obj`.
fn flag(obj: &mut Map<String, Value>, name: &str) -> Option<bool> {
    match obj.remove(name)? {
        Value::Bool(b) => Some(b),
        other => {
            obj.insert(name.to_owned(), other);
            None
        }
    }
}

impl NameRecord {
    fn take(mut n: Map<String, Value>) -> Self {
        Self {
            formatted: text(&mut n, "formatted"),
            family_name: text(&mut n, "familyName"),
            given_name: text(&mut n, "givenName"),
            middle_name: text(&mut n, "middleName"),
            honorific_prefix: text(&mut n, "honorificPrefix"),
            honorific_suffix: text(&mut n, "honorificSuffix"),
        }
    }
}

impl UserRecord {
    /// A new user (version 1, created `at`) from the canonical attributes of a User
    /// that passed the rule set ([`crate::scim::ScimRules::user_attributes`]): the
    /// attributes filters read most become typed fields, `password` its hash, and
    /// the rest stays JSON. A user may have no emails, and an email no `value`
    /// (RFC 7643's rules allow both).
    pub fn new(id: UserSid, mut attributes: Map<String, Value>, at: OffsetDateTime) -> Self {
        let name = match attributes.remove("name") {
            Some(Value::Object(n)) => Some(NameRecord::take(n)),
            _ => None,
        }
        .filter(|n| *n != NameRecord::default());
        let emails = match attributes.remove("emails") {
            Some(Value::Array(emails)) => emails,
            _ => Vec::new(),
        }
        .into_iter()
        .filter_map(|e| match e {
            Value::Object(mut e) => Some(EmailRecord {
                value: text(&mut e, "value"),
                kind: text(&mut e, "type"),
                display: text(&mut e, "display"),
                primary: flag(&mut e, "primary"),
            }),
            _ => None,
        })
        .collect();
        let password_hash = text(&mut attributes, "password").map(|p| PasswordHash::of(&p));
        Self {
            id,
            user_name: text(&mut attributes, "userName").unwrap_or_default(),
            external_id: text(&mut attributes, "externalId"),
            display_name: text(&mut attributes, "displayName"),
            name,
            emails,
            active: flag(&mut attributes, "active"),
            locale: text(&mut attributes, "locale"),
            timezone: text(&mut attributes, "timezone"),
            title: text(&mut attributes, "title"),
            created: at,
            last_modified: at,
            version: 1,
            sso: false,
            password_hash,
            extra: attributes,
        }
    }

    /// The SCIM attributes whose values differ between `self` and `other` (an
    /// extension's by their URN-qualified names).
    pub fn changed_attributes(&self, other: &Self) -> Vec<String> {
        let typed = [
            ("userName", self.user_name != other.user_name),
            ("externalId", self.external_id != other.external_id),
            ("name", self.name != other.name),
            ("displayName", self.display_name != other.display_name),
            ("emails", self.emails != other.emails),
            ("active", self.active != other.active),
            ("locale", self.locale != other.locale),
            ("timezone", self.timezone != other.timezone),
            ("title", self.title != other.title),
            ("password", self.password_hash != other.password_hash),
        ];
        let mut changed: Vec<String> = typed
            .into_iter()
            .filter(|(_, changed)| *changed)
            .map(|(name, _)| name.to_owned())
            .collect();
        changed.extend(changed_members(&self.extra, &other.extra, ""));
        changed
    }
}

/// The names of the members that differ between `a` and `b`, descending into an
/// extension's object (a key holding `:`), `prefix` before each.
fn changed_members(a: &Map<String, Value>, b: &Map<String, Value>, prefix: &str) -> Vec<String> {
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .flat_map(|key| match (a.get(key), b.get(key)) {
            (x, y) if x == y => Vec::new(),
            (Some(Value::Object(x)), Some(Value::Object(y))) if key.contains(':') => {
                changed_members(x, y, &format!("{key}:"))
            }
            _ => vec![format!("{prefix}{key}")],
        })
        .collect()
}

/// An instant as RFC 3339 text.
pub(crate) fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}
