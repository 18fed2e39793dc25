//! One organization's users, in creation order, with indexes on `id`, `userName`
//! (case-folded as filters compare it) and `externalId`.
//!
//! The indexes are derived data: they are never serialized, and are rebuilt when a
//! table is deserialized (a state import), which also refuses duplicates and users
//! that do not validate. Deleting leaves a hole; the table compacts itself when
//! holes outnumber users.

use std::collections::HashMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ids::UserSid;
use crate::scim::error::ScimError;
use crate::scim::filter::eval::fold;
use crate::scim::users::record::UserRecord;
use crate::scim::validate_user;

/// Holes below this count are never compacted away.
const COMPACT_MIN_HOLES: usize = 1024;

/// The users of one organization.
#[derive(Debug, Clone, Default)]
pub(crate) struct UserTable {
    slots: Vec<Option<UserRecord>>,
    live: usize,
    by_id: HashMap<UserSid, usize>,
    by_user_name: HashMap<Box<str>, usize>,
    by_external_id: HashMap<Box<str>, usize>,
}

impl UserTable {
    /// The users, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &UserRecord> {
        self.slots.iter().flatten()
    }

    /// The user with this id.
    pub fn get(&self, id: UserSid) -> Option<&UserRecord> {
        self.at(self.by_id.get(&id))
    }

    /// The user whose `userName` equals `user_name` ignoring case.
    pub fn by_user_name(&self, user_name: &str) -> Option<&UserRecord> {
        self.at(self.by_user_name.get(fold(user_name).as_str()))
    }

    /// The user with this `externalId` (case-exact).
    pub fn by_external_id(&self, external_id: &str) -> Option<&UserRecord> {
        self.at(self.by_external_id.get(external_id))
    }

    fn at(&self, slot: Option<&usize>) -> Option<&UserRecord> {
        slot.and_then(|&i| self.slots.get(i))
            .and_then(Option::as_ref)
    }

    /// `uniqueness` if another user holds `user`'s `userName` or `externalId`.
    pub fn check_unique(&self, user: &UserRecord) -> Result<(), ScimError> {
        let other = |found: Option<&UserRecord>| found.is_some_and(|u| u.id != user.id);
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
    pub fn put(&mut self, user: UserRecord) {
        let slot = match self.by_id.get(&user.id) {
            Some(&slot) => {
                if let Some(old) = self.slots.get_mut(slot).and_then(Option::take) {
                    self.unindex(&old);
                    self.live -= 1;
                }
                slot
            }
            None => {
                self.slots.push(None);
                self.slots.len() - 1
            }
        };
        self.index(&user, slot);
        self.live += 1;
        if let Some(place) = self.slots.get_mut(slot) {
            *place = Some(user);
        }
    }

    /// Removes a user.
    pub fn remove(&mut self, id: UserSid) -> Option<UserRecord> {
        let slot = *self.by_id.get(&id)?;
        let user = self.slots.get_mut(slot).and_then(Option::take)?;
        self.unindex(&user);
        self.live -= 1;
        let holes = self.slots.len() - self.live;
        if holes >= COMPACT_MIN_HOLES && holes > self.live {
            let slots = std::mem::take(&mut self.slots);
            self.rebuild(slots.into_iter().flatten());
        }
        Some(user)
    }

    fn index(&mut self, user: &UserRecord, slot: usize) {
        self.by_id.insert(user.id, slot);
        self.by_user_name
            .insert(fold(&user.user_name).into_boxed_str(), slot);
        if let Some(external_id) = &user.external_id {
            self.by_external_id.insert(external_id.clone(), slot);
        }
    }

    fn unindex(&mut self, user: &UserRecord) {
        self.by_id.remove(&user.id);
        self.by_user_name.remove(fold(&user.user_name).as_str());
        if let Some(external_id) = &user.external_id {
            self.by_external_id.remove(external_id);
        }
    }

    /// Replaces everything with `users`, without holes, rebuilding the indexes.
    fn rebuild(&mut self, users: impl Iterator<Item = UserRecord>) {
        *self = Self::default();
        for user in users {
            self.put(user);
        }
    }
}

impl PartialEq for UserTable {
    /// Tables are equal when they hold the same users in the same order.
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Serialize for UserTable {
    /// The users, oldest first; never the indexes.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for UserTable {
    /// Rebuilds the indexes, refusing a user that does not validate or that repeats
    /// another's id, `userName` or `externalId`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let users = Vec::<UserRecord>::deserialize(deserializer)?;
        let mut table = Self::default();
        for user in users {
            validate_user(&user.to_resource(""))
                .map_err(|e| D::Error::custom(format!("user {}: {e}", user.id)))?;
            if table.get(user.id).is_some() {
                return Err(D::Error::custom(format!("user {} appears twice", user.id)));
            }
            table
                .check_unique(&user)
                .map_err(|e| D::Error::custom(format!("user {}: {e}", user.id)))?;
            table.put(user);
        }
        Ok(table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Sid;
    use serde_json::json;
    use time::OffsetDateTime;

    fn user(name: &str, external_id: Option<&str>) -> UserRecord {
        let mut resource = json!({"userName": name, "emails": [{"value": name}]});
        if let Some(e) = external_id {
            resource["externalId"] = json!(e);
        }
        UserRecord::new(UserSid::generate(), &resource, OffsetDateTime::UNIX_EPOCH)
    }

    #[test]
    fn indexes_follow_puts_and_removes() {
        let mut table = UserTable::default();
        let ann = user("Ann@example.com", Some("A1"));
        table.put(ann.clone());
        assert_eq!(
            table.by_user_name("ANN@EXAMPLE.COM").map(|u| u.id),
            Some(ann.id)
        );
        assert_eq!(table.by_external_id("A1").map(|u| u.id), Some(ann.id));
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
        table.put(renamed);
        assert!(table.by_user_name("ann@example.com").is_none());
        assert!(table.by_external_id("A1").is_none());
        assert_eq!(table.iter().count(), 1);
        assert!(table.remove(ann.id).is_some());
        assert_eq!((table.live, table.iter().count()), (0, 0));
    }

    #[test]
    fn compacts_and_keeps_order() {
        let mut table = UserTable::default();
        let users: Vec<UserRecord> = (0..3000)
            .map(|i| user(&format!("u{i}@example.com"), Some(&format!("e{i}"))))
            .collect();
        for u in &users {
            table.put(u.clone());
        }
        for u in users
            .iter()
            .step_by(3)
            .chain(users.iter().skip(1).step_by(3))
        {
            table.remove(u.id);
        }
        assert!(table.slots.len() < 3000, "compacted");
        let left: Vec<UserSid> = users.iter().skip(2).step_by(3).map(|u| u.id).collect();
        assert_eq!(table.iter().map(|u| u.id).collect::<Vec<_>>(), left);
        for u in users.iter().skip(2).step_by(3) {
            assert_eq!(
                table
                    .by_external_id(u.external_id.as_deref().unwrap_or(""))
                    .map(|x| x.id),
                Some(u.id)
            );
        }
    }

    #[test]
    fn deserializing_rebuilds_and_refuses_duplicates() {
        let mut table = UserTable::default();
        table.put(user("ann@example.com", Some("A1")));
        table.put(user("bob@example.com", None));
        let json = serde_json::to_string(&table).unwrap();
        let back: UserTable = serde_json::from_str(&json).unwrap();
        assert_eq!(back, table);
        assert!(back.by_user_name("BOB@example.com").is_some());
        let twice = json.replace("bob@example.com", "ANN@example.com");
        assert!(serde_json::from_str::<UserTable>(&twice).is_err());
        let invalid = json.replace("bob@example.com", "bob");
        assert!(serde_json::from_str::<UserTable>(&invalid).is_err());
    }
}
