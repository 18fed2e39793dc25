//! One organization's users, in creation order, with indexes on `id`, `userName`
//! (by its RFC 8265 form, as `userName eq` compares it) and `externalId`.
//!
//! Users are packed into fixed-size slots whose strings and emails live in two
//! arenas (see `stored.rs`). Replacing or deleting a user leaves dead arena space
//! and, for deletes, an empty slot; the table compacts itself when the dead part
//! outgrows the live part.
//!
//! The indexes are derived data: never serialized, rebuilt when a table is
//! deserialized (a state import), which also refuses duplicates. Whether the users
//! follow the importing engine's rule set is checked after, by
//! [`UserTable::validate`].

use std::collections::HashMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ids::UserSid;
use crate::scim::error::ScimError;
use crate::scim::user_name;
use crate::scim::users::record::UserRecord;
use crate::scim::users::stored::{Arenas, EmailSpans, Field, Slot, Span, UserRef, FIELDS};
use crate::scim::ScimRules;
use crate::secrets::PasswordHash;
use crate::tracked::Changed;

/// Dead slots or arena bytes below this are never compacted away.
const COMPACT_MIN: usize = 1024;

/// The users of one organization.
#[derive(Debug, Clone, Default)]
pub(crate) struct UserTable {
    slots: Vec<Option<Slot>>,
    live: usize,
    text: String,
    emails: Vec<EmailSpans>,
    dead_text: usize,
    dead_emails: usize,
    by_id: HashMap<UserSid, usize>,
    by_user_name: HashMap<Box<str>, usize>,
    by_external_id: HashMap<Box<str>, usize>,
    changed: Changed<UserSid>,
}

impl UserTable {
    /// The users, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = UserRef<'_>> {
        self.slots.iter().flatten().map(move |slot| UserRef {
            arenas: self.arenas(),
            slot,
        })
    }

    /// The user with this id.
    pub fn get(&self, id: UserSid) -> Option<UserRef<'_>> {
        self.at(self.by_id.get(&id))
    }

    /// The user whose `userName` has `user_name`'s RFC 8265 form (see `scim::user_name`).
    pub fn by_user_name(&self, user_name: &str) -> Option<UserRef<'_>> {
        self.at(self.by_user_name.get(user_name::key(user_name).as_str()))
    }

    /// The user with this `externalId` (case-exact).
    pub fn by_external_id(&self, external_id: &str) -> Option<UserRef<'_>> {
        self.at(self.by_external_id.get(external_id))
    }

    fn at(&self, index: Option<&usize>) -> Option<UserRef<'_>> {
        let slot = self.slots.get(*index?)?.as_ref()?;
        Some(UserRef {
            arenas: self.arenas(),
            slot,
        })
    }

    /// The arenas its users are read from.
    fn arenas(&self) -> Arenas<'_> {
        Arenas {
            text: &self.text,
            emails: &self.emails,
        }
    }

    /// `uniqueness` if another user holds `user`'s `userName` or `externalId`.
    pub fn check_unique(&self, user: &UserRecord) -> Result<(), ScimError> {
        let other = |found: Option<UserRef<'_>>| found.is_some_and(|u| u.id() != user.id);
        if other(self.by_user_name(&user.user_name)) {
            return Err(ScimError::Uniqueness(format!(
                "userName {:?} is already taken in this organization",
                user.user_name
            )));
        }
        if let Some(external_id) = &user.external_id {
            if other(self.by_external_id(external_id)) {
                return Err(ScimError::Uniqueness(format!(
                    "externalId {external_id:?} is already taken in this organization"
                )));
            }
        }
        Ok(())
    }

    /// Adds a new user, or replaces the user with the same id. The caller has
    /// checked [`UserTable::check_unique`].
    pub fn put(&mut self, user: &UserRecord) {
        self.changed.mark(user.id);
        let index = match self.by_id.get(&user.id) {
            Some(&index) => {
                self.vacate(index);
                index
            }
            None => {
                self.slots.push(None);
                self.slots.len() - 1
            }
        };
        let slot = self.pack(user);
        self.by_id.insert(user.id, index);
        self.by_user_name
            .insert(user_name::key(&user.user_name).into_boxed_str(), index);
        if let Some(external_id) = &user.external_id {
            self.by_external_id
                .insert(external_id.as_str().into(), index);
        }
        if let Some(place) = self.slots.get_mut(index) {
            *place = Some(slot);
            self.live += 1;
        }
        self.compact_if_sparse();
    }

    /// Removes a user, returning it.
    pub fn remove(&mut self, id: UserSid) -> Option<UserRecord> {
        let index = *self.by_id.get(&id)?;
        let user = self.get(id)?.to_record();
        self.changed.mark(id);
        self.vacate(index);
        self.by_id.remove(&id);
        self.compact_if_sparse();
        Some(user)
    }

    /// The ids of the users put or removed since the last call, forgetting them.
    pub fn take_changed(&mut self) -> Vec<UserSid> {
        self.changed.take()
    }

    /// Builds a table from users in creation order, refusing a user that repeats
    /// another's id, `userName` or `externalId`.
    pub fn from_records(users: impl IntoIterator<Item = UserRecord>) -> Result<Self, String> {
        let mut table = Self::default();
        for user in users {
            let fail = |e: &dyn std::fmt::Display| format!("user {}: {e}", user.id);
            if table.get(user.id).is_some() {
                return Err(fail(&"appears twice"));
            }
            table.check_unique(&user).map_err(|e| fail(&e))?;
            table.put(&user);
        }
        table.changed.take();
        Ok(table)
    }

    /// Empties slot `index`: its user leaves the name indexes and its arena space
    /// becomes dead.
    fn vacate(&mut self, index: usize) {
        let Some(old) = self.at(Some(&index)) else {
            return;
        };
        let user_name = user_name::key(old.user_name());
        let external_id = old.external_id().map(str::to_owned);
        self.by_user_name.remove(user_name.as_str());
        if let Some(external_id) = external_id {
            self.by_external_id.remove(external_id.as_str());
        }
        if let Some(slot) = self.slots.get_mut(index).and_then(Option::take) {
            self.dead_text += slot.text_len;
            self.dead_emails += slot.email_count;
            self.live -= 1;
        }
    }

    /// Appends `user`'s strings and emails to the arenas and makes its slot.
    fn pack(&mut self, user: &UserRecord) -> Slot {
        let text = self.text.len();
        let emails = self.emails.len();
        let mut push = |s: Option<&str>| -> Span {
            let Some(s) = s else {
                return Span::NONE;
            };
            let start = self.text.len() - text;
            self.text.push_str(s);
            match (u32::try_from(start), u32::try_from(s.len())) {
                (Ok(start), Ok(len)) if len != u32::MAX => Span { start, len },
                _ => Span::NONE,
            }
        };
        let name = user.name.as_ref();
        let extra = (!user.extra.is_empty())
            .then(|| serde_json::to_string(&user.extra).ok())
            .flatten();
        let mut fields = [Span::NONE; FIELDS];
        for (field, value) in [
            (Field::UserName, Some(user.user_name.as_str())),
            (Field::ExternalId, user.external_id.as_deref()),
            (Field::DisplayName, user.display_name.as_deref()),
            (Field::Formatted, name.and_then(|n| n.formatted.as_deref())),
            (
                Field::FamilyName,
                name.and_then(|n| n.family_name.as_deref()),
            ),
            (Field::GivenName, name.and_then(|n| n.given_name.as_deref())),
            (Field::Locale, user.locale.as_deref()),
            (Field::Timezone, user.timezone.as_deref()),
            (Field::Title, user.title.as_deref()),
            (
                Field::MiddleName,
                name.and_then(|n| n.middle_name.as_deref()),
            ),
            (
                Field::HonorificPrefix,
                name.and_then(|n| n.honorific_prefix.as_deref()),
            ),
            (
                Field::HonorificSuffix,
                name.and_then(|n| n.honorific_suffix.as_deref()),
            ),
            (Field::Extra, extra.as_deref()),
            (
                Field::PasswordHash,
                user.password_hash.as_ref().map(PasswordHash::as_str),
            ),
        ] {
            fields[field as usize] = push(value);
        }
        let spans: Vec<EmailSpans> = user
            .emails
            .iter()
            .map(|e| EmailSpans {
                value: push(e.value.as_deref()),
                kind: push(e.kind.as_deref()),
                display: push(e.display.as_deref()),
                primary: e.primary,
            })
            .collect();
        self.emails.extend(spans);
        Slot {
            id: user.id,
            created: user.created,
            last_modified: user.last_modified,
            version: user.version,
            text,
            text_len: self.text.len() - text,
            emails,
            email_count: user.emails.len(),
            fields,
            active: user.active,
            sso: user.sso,
        }
    }

    /// Checks every user against `rules`, and that the attributes kept as JSON are
    /// what the engine would keep (canonical, no plaintext `password`), naming the
    /// first user that fails.
    pub fn validate(&self, rules: ScimRules) -> Result<(), String> {
        self.iter().try_for_each(|user| {
            let fail = |what: &dyn std::fmt::Display| format!("user {}: {what}", user.id());
            let attributes = rules
                .user_attributes(&user.to_resource(""))
                .map_err(|e| fail(&e))?;
            let kept = UserRecord::new(user.id(), attributes, user.created()).extra;
            let extra = user.extra();
            match extra.iter().find(|(k, v)| kept.get(*k) != Some(*v)) {
                Some((key, _)) => Err(fail(&format_args!(
                    "`{key}` is not an attribute in the engine's canonical form"
                ))),
                None => Ok(()),
            }
        })
    }

    /// Drops empty slots and dead arena space when they outweigh the live users,
    /// keeping the order.
    fn compact_if_sparse(&mut self) {
        let holes = self.slots.len() - self.live;
        let live_text = self.text.len() - self.dead_text;
        let sparse = (holes >= COMPACT_MIN && holes > self.live)
            || (self.dead_text >= COMPACT_MIN && self.dead_text > live_text);
        if !sparse {
            return;
        }
        let mut text = String::with_capacity(live_text);
        let mut emails = Vec::with_capacity(self.emails.len() - self.dead_emails);
        let mut slots = Vec::with_capacity(self.live);
        let mut moved = vec![0; self.slots.len()];
        let arenas = self.arenas();
        for (old, slot) in self.slots.iter().enumerate() {
            let Some(slot) = slot else {
                continue;
            };
            let own_text = arenas.text(slot.text, slot.text.saturating_add(slot.text_len));
            let own_emails = arenas.email_spans(slot.emails, slot.email_count);
            let rebased = Slot {
                text: text.len(),
                emails: emails.len(),
                ..slot.clone()
            };
            text.push_str(own_text.unwrap_or_default());
            emails.extend_from_slice(own_emails);
            moved[old] = slots.len();
            slots.push(Some(rebased));
        }
        for index in self
            .by_id
            .values_mut()
            .chain(self.by_user_name.values_mut())
            .chain(self.by_external_id.values_mut())
        {
            *index = moved.get(*index).copied().unwrap_or(*index);
        }
        self.slots = slots;
        self.text = text;
        self.emails = emails;
        self.dead_text = 0;
        self.dead_emails = 0;
    }
}

impl PartialEq for UserTable {
    /// Tables are equal when they hold the same users in the same order.
    fn eq(&self, other: &Self) -> bool {
        self.iter()
            .map(|u| u.to_record())
            .eq(other.iter().map(|u| u.to_record()))
    }
}

impl Serialize for UserTable {
    /// The users, oldest first; never the indexes.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter().map(|u| u.to_record()))
    }
}

impl<'de> Deserialize<'de> for UserTable {
    /// Rebuilds the indexes, refusing a user that repeats another's id, `userName`
    /// or `externalId`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        Self::from_records(Vec::<UserRecord>::deserialize(deserializer)?).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Sid;
    use crate::scim::validate_user;
    use serde_json::json;
    use time::OffsetDateTime;

    fn user(name: &str, external_id: Option<&str>) -> UserRecord {
        let mut resource = json!({"userName": name, "emails": [{"value": name, "type": "work"}]});
        if let Some(e) = external_id {
            resource["externalId"] = json!(e);
        }
        let attributes = ScimRules::Twilio.user_attributes(&resource).unwrap();
        UserRecord::new(UserSid::generate(), attributes, OffsetDateTime::UNIX_EPOCH)
    }

    #[test]
    fn stored_users_read_back_whole() {
        let mut table = UserTable::default();
        let resource = json!({
            "userName": "Ann@Example.com",
            "externalId": "ext-1",
            "name": {"givenName": "Ann", "familyName": null},
            "emails": [{"value": "ann@example.com", "type": "work", "primary": true}, {"value": "a@home.example", "display": ""}],
            "active": true,
            "title": "",
        });
        let attributes = ScimRules::Twilio.user_attributes(&resource).unwrap();
        let ann = UserRecord::new(UserSid::generate(), attributes, OffsetDateTime::UNIX_EPOCH);
        table.put(&ann);
        table.put(&user("bob@example.com", None));
        let stored = table.get(ann.id).unwrap();
        assert_eq!(stored.to_record(), ann);
        assert_eq!((stored.title(), stored.locale()), (Some(""), None));
        let json = stored.to_resource("https://h/scim/v2/Users");
        assert_eq!(json["name"], json!({"givenName": "Ann"}));
        assert_eq!(
            json["emails"][1],
            json!({"value": "a@home.example", "display": ""})
        );
        assert_eq!(json["meta"]["version"], "W/\"1\"");
        assert_eq!(json["meta"]["created"], "1970-01-01T00:00:00Z");
        assert_eq!(
            json["meta"]["location"],
            format!("https://h/scim/v2/Users/{}", ann.id)
        );
        validate_user(&json).unwrap();
        let mut changed = json.clone();
        changed["title"] = json!("Boss");
        changed["active"] = json!(false);
        let next = stored.replaced_by(
            ScimRules::Twilio.user_attributes(&changed).unwrap(),
            OffsetDateTime::UNIX_EPOCH + time::Duration::SECOND,
            false,
        );
        assert_eq!(
            (next.version, next.created, next.id),
            (2, ann.created, ann.id)
        );
        assert_eq!(ann.changed_attributes(&next), ["active", "title"]);
    }

    #[test]
    fn indexes_follow_puts_and_removes() {
        let mut table = UserTable::default();
        let ann = user("Ann@example.com", Some("A1"));
        table.put(&ann);
        assert_eq!(
            table.by_user_name("ANN@EXAMPLE.COM").map(|u| u.id()),
            Some(ann.id)
        );
        assert_eq!(table.by_external_id("A1").map(|u| u.id()), Some(ann.id));
        assert!(table.by_external_id("a1").is_none());
        let clash = user("ann@EXAMPLE.com", None);
        assert_eq!(
            table.check_unique(&clash).map_err(|e| e.to_string()),
            Err(
                "uniqueness: userName \"ann@EXAMPLE.com\" is already taken in this organization"
                    .into()
            )
        );
        let renamed = UserRecord {
            user_name: "ann@other.example".into(),
            external_id: None,
            ..ann.clone()
        };
        table.check_unique(&renamed).unwrap();
        table.put(&renamed);
        assert!(table.by_user_name("ann@example.com").is_none());
        assert!(table.by_external_id("A1").is_none());
        assert_eq!(
            table.get(ann.id).map(|u| u.user_name()),
            Some("ann@other.example")
        );
        assert_eq!(table.iter().count(), 1);
        assert_eq!(table.remove(ann.id), Some(renamed));
        assert_eq!((table.live, table.iter().count()), (0, 0));
        assert!(table.remove(ann.id).is_none());
    }

    #[test]
    fn compacts_and_keeps_order() {
        let mut table = UserTable::default();
        let users: Vec<UserRecord> = (0..3000)
            .map(|i| user(&format!("u{i}@example.com"), Some(&format!("e{i}"))))
            .collect();
        for u in &users {
            table.put(u);
        }
        for u in users
            .iter()
            .step_by(3)
            .chain(users.iter().skip(1).step_by(3))
        {
            table.remove(u.id);
        }
        for u in users.iter().skip(2).step_by(3) {
            table.put(&UserRecord {
                title: Some("rewritten".into()),
                ..u.clone()
            });
        }
        assert!(table.slots.len() < 3000, "slots compacted");
        assert!(table.dead_text < table.text.len(), "arena compacted");
        let left: Vec<&UserRecord> = users.iter().skip(2).step_by(3).collect();
        assert_eq!(
            table.iter().map(|u| u.id()).collect::<Vec<_>>(),
            left.iter().map(|u| u.id).collect::<Vec<_>>()
        );
        for u in left {
            let external_id = u.external_id.as_deref().unwrap_or_default();
            let found = table.by_external_id(external_id).unwrap();
            assert_eq!(
                (found.id(), found.user_name(), found.title()),
                (u.id, u.user_name.as_str(), Some("rewritten"))
            );
            assert_eq!(table.by_user_name(&u.user_name).map(|x| x.id()), Some(u.id));
        }
    }

    #[test]
    fn deserializing_rebuilds_and_refuses_duplicates() {
        let mut table = UserTable::default();
        table.put(&user("ann@example.com", Some("A1")));
        table.put(&user("bob@example.com", None));
        let json = serde_json::to_string(&table).unwrap();
        let back: UserTable = serde_json::from_str(&json).unwrap();
        assert_eq!(back, table);
        assert!(back.by_user_name("BOB@example.com").is_some());
        let twice = json.replace("bob@example.com", "ANN@example.com");
        assert!(serde_json::from_str::<UserTable>(&twice).is_err());
        let refusals = [
            (
                json.replace("\"sso\":false", "\"sso\":false,\"password\":\"hunter2\""),
                "`password` is not an attribute in the engine's canonical form",
            ),
            (
                json.replace("\"sso\":false", "\"sso\":false,\"NickName\":\"x\""),
                "`NickName` is not an attribute in the engine's canonical form",
            ),
            (
                json.replace("bob@example.com", "bob"),
                "is not an email address",
            ),
            (
                json.replace(
                    "\"sso\":false",
                    &format!("\"sso\":false,\"nickName\":\"{}\"", "n".repeat(5000)),
                ),
                "`nickName` must be at most 4096 characters, not 5000",
            ),
        ];
        for (text, ending) in refusals {
            let read: UserTable = serde_json::from_str(&text).unwrap();
            let refused = read.validate(ScimRules::Twilio).unwrap_err();
            assert!(refused.ends_with(ending), "{refused}");
        }
    }
}
