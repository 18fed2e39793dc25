//! A User as the engine builds it from a request and as state exports carry it:
//! owned, typed fields (times as instants, the version as a number). The table
//! packs it into its compact stored form (`stored.rs`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::ids::UserSid;
use crate::scim::json::get_ci;

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
        filled(self.formatted) || filled(self.family_name) || filled(self.given_name)
    }
}

impl EmailRef<'_> {
    /// Whether some sub-value is present (what `emails pr` asks of each email).
    pub fn is_present(&self) -> bool {
        filled(self.value) || filled(self.kind) || filled(self.display) || self.primary.is_some()
    }
}

fn text(obj: &Map<String, Value>, name: &str) -> Option<String> {
    get_ci(obj, name).and_then(Value::as_str).map(str::to_owned)
}

fn flag(obj: &Map<String, Value>, name: &str) -> Option<bool> {
    get_ci(obj, name).and_then(Value::as_bool)
}

impl UserRecord {
    /// A new user (version 1, created `at`) from a User resource that passed
    /// [`crate::scim::ScimRules::validate_user`]. Its `id`, `meta` and `schemas` are
    /// not read: the engine owns them. A user may have no emails, and an email no
    /// `value` (RFC 7643's rules allow both).
    pub fn new(id: UserSid, resource: &Value, at: OffsetDateTime) -> Self {
        let empty = Map::new();
        let obj = resource.as_object().unwrap_or(&empty);
        let name = get_ci(obj, "name")
            .and_then(Value::as_object)
            .map(|n| NameRecord {
                formatted: text(n, "formatted"),
                family_name: text(n, "familyName"),
                given_name: text(n, "givenName"),
            })
            .filter(|n| *n != NameRecord::default());
        let emails = get_ci(obj, "emails")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_object)
            .map(|e| EmailRecord {
                value: text(e, "value"),
                kind: text(e, "type"),
                display: text(e, "display"),
                primary: flag(e, "primary"),
            })
            .collect();
        Self {
            id,
            user_name: text(obj, "userName").unwrap_or_default(),
            external_id: text(obj, "externalId"),
            display_name: text(obj, "displayName"),
            name,
            emails,
            active: flag(obj, "active"),
            locale: text(obj, "locale"),
            timezone: text(obj, "timezone"),
            title: text(obj, "title"),
            created: at,
            last_modified: at,
            version: 1,
            sso: false,
        }
    }

    /// The SCIM attributes whose values differ between `self` and `other`.
    pub fn changed_attributes(&self, other: &Self) -> Vec<&'static str> {
        [
            ("userName", self.user_name != other.user_name),
            ("externalId", self.external_id != other.external_id),
            ("name", self.name != other.name),
            ("displayName", self.display_name != other.display_name),
            ("emails", self.emails != other.emails),
            ("active", self.active != other.active),
            ("locale", self.locale != other.locale),
            ("timezone", self.timezone != other.timezone),
            ("title", self.title != other.title),
        ]
        .into_iter()
        .filter_map(|(name, changed)| changed.then_some(name))
        .collect()
    }
}

/// An instant as RFC 3339 text.
pub(crate) fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}
