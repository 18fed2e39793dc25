//! The stored form of a User: typed fields, boxed strings, times as instants and
//! the version as a number. It converts from a validated User resource and back to
//! the SCIM JSON the API returns; state exports carry it as it is.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::ids::UserSid;
use crate::scim::etag::version_tag;
use crate::scim::filter::eval::get_ci;
use crate::scim::schema::USER_URN;

/// One stored User.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserRecord {
    pub id: UserSid,
    pub user_name: Box<str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Name>,
    pub emails: Box<[Email]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Box<str>>,
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

/// The components of a user's name; at least one is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Name {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formatted: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<Box<str>>,
}

/// One email address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Email {
    pub value: Box<str>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<Box<str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
}

impl Name {
    /// Whether some component is non-empty (what `name pr` asks).
    pub fn is_present(&self) -> bool {
        [&self.formatted, &self.family_name, &self.given_name]
            .into_iter()
            .any(|c| c.as_deref().is_some_and(|s| !s.is_empty()))
    }
}

impl Email {
    /// Whether some sub-value is present (what `emails pr` asks of each email).
    pub fn is_present(&self) -> bool {
        !self.value.is_empty()
            || [&self.kind, &self.display]
                .into_iter()
                .any(|c| c.as_deref().is_some_and(|s| !s.is_empty()))
            || self.primary.is_some()
    }
}

fn text(obj: &Map<String, Value>, name: &str) -> Option<Box<str>> {
    get_ci(obj, name).and_then(Value::as_str).map(Box::from)
}

fn flag(obj: &Map<String, Value>, name: &str) -> Option<bool> {
    get_ci(obj, name).and_then(Value::as_bool)
}

impl UserRecord {
    /// A new record (version 1) from a User resource that passed
    /// [`crate::scim::validate_user`]. Its `id`, `meta` and `schemas` are not read:
    /// the engine owns them.
    pub fn new(id: UserSid, resource: &Value, at: OffsetDateTime) -> Self {
        let empty = Map::new();
        let obj = resource.as_object().unwrap_or(&empty);
        let name = get_ci(obj, "name")
            .and_then(Value::as_object)
            .map(|n| Name {
                formatted: text(n, "formatted"),
                family_name: text(n, "familyName"),
                given_name: text(n, "givenName"),
            })
            .filter(|n| n.formatted.is_some() || n.family_name.is_some() || n.given_name.is_some());
        let emails = get_ci(obj, "emails")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_object)
            .filter_map(|e| {
                Some(Email {
                    value: text(e, "value")?,
                    kind: text(e, "type"),
                    display: text(e, "display"),
                    primary: flag(e, "primary"),
                })
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

    /// This user with the attributes of `resource` (validated, as for
    /// [`UserRecord::new`]): same id, creation time and SSO flag, modified `at`,
    /// next version.
    pub fn replaced_by(&self, resource: &Value, at: OffsetDateTime) -> Self {
        Self {
            created: self.created,
            version: self.version.saturating_add(1),
            sso: self.sso,
            ..Self::new(self.id, resource, at)
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

    /// `meta.version`: `W/"n"`.
    pub fn version_tag(&self) -> String {
        version_tag(self.version)
    }

    /// `meta.location`: `{users_url}/{id}`.
    pub fn location(&self, users_url: &str) -> String {
        format!("{users_url}/{}", self.id)
    }

    /// The SCIM JSON of this user; `users_url` is the Users endpoint its
    /// `meta.location` lives under.
    pub fn to_resource(&self, users_url: &str) -> Value {
        let mut out = Map::new();
        let mut put = |key: &str, value: Value| {
            out.insert(key.to_owned(), value);
        };
        put("schemas", json!([USER_URN]));
        put("id", json!(self.id));
        if let Some(v) = &self.external_id {
            put("externalId", json!(v));
        }
        put("userName", json!(self.user_name));
        if let Some(n) = &self.name {
            put("name", json!(n));
        }
        if let Some(v) = &self.display_name {
            put("displayName", json!(v));
        }
        put("emails", json!(self.emails));
        if let Some(v) = self.active {
            put("active", json!(v));
        }
        for (key, value) in [
            ("locale", &self.locale),
            ("timezone", &self.timezone),
            ("title", &self.title),
        ] {
            if let Some(v) = value {
                put(key, json!(v));
            }
        }
        put(
            "meta",
            json!({
                "resourceType": "User",
                "created": rfc3339(self.created),
                "lastModified": rfc3339(self.last_modified),
                "version": self.version_tag(),
                "location": self.location(users_url),
            }),
        );
        Value::Object(out)
    }
}

/// An instant as RFC 3339 text.
pub(crate) fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Sid;
    use crate::scim::validate_user;

    #[test]
    fn round_trips_through_scim_json() {
        let at = OffsetDateTime::UNIX_EPOCH;
        let resource = json!({
            "schemas": [USER_URN],
            "userName": "Ann@Example.com",
            "externalId": "ext-1",
            "name": {"givenName": "Ann", "familyName": null},
            "emails": [{"value": "ann@example.com", "type": "work", "primary": true}, {"value": "a@home.example"}],
            "active": true,
            "title": "",
        });
        validate_user(&resource).unwrap();
        let id = UserSid::generate();
        let record = UserRecord::new(id, &resource, at);
        let json = record.to_resource("https://h/scim/v2/Users");
        assert_eq!(json["name"], json!({"givenName": "Ann"}));
        assert_eq!(json["title"], "");
        assert_eq!(json["emails"][1], json!({"value": "a@home.example"}));
        assert_eq!(json["meta"]["version"], "W/\"1\"");
        assert_eq!(json["meta"]["created"], "1970-01-01T00:00:00Z");
        assert_eq!(
            json["meta"]["location"],
            format!("https://h/scim/v2/Users/{id}")
        );
        validate_user(&json).unwrap();
        assert_eq!(UserRecord::new(id, &json, at), record);
        let mut changed = json.clone();
        changed["title"] = json!("Boss");
        changed["active"] = json!(false);
        let next = record.replaced_by(&changed, at + time::Duration::SECOND);
        assert_eq!((next.version, next.created, next.id), (2, at, id));
        assert_eq!(record.changed_attributes(&next), ["active", "title"]);
    }
}
