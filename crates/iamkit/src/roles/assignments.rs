//! Role assignments: a role held by a user of an organization, in the organization
//! or in one of its accounts.
//!
//! Each organization's assignments live in an assignment table, in creation
//! order (which is also the list order), with derived indexes by sid and by
//! identity that are never serialized and are rebuilt on deserialization.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::OffsetDateTime;

use crate::ids::{AccountSid, OrganizationSid, RoleAssignmentSid, RoleSid, Sid, UserSid};
use crate::paging::Page;
use crate::roles::error::{shown, RoleError};
use crate::roles::Role;
use crate::tracked::Changed;

/// Assignments per page when the request names no size (Twilio's default).
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// A page of role assignments, oldest first.
pub type RoleAssignmentPage = Page<RoleAssignment>;

/// Where a role assignment applies: the organization, or one of its accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoleScope {
    /// The whole organization.
    Organization(OrganizationSid),
    /// One account of the organization.
    Account(AccountSid),
}

impl RoleScope {
    /// Parses an `OR…` or `AC…` sid; anything else is [`RoleError::InvalidScope`].
    /// Whether the organization owns it is the engine's check.
    pub fn parse(value: &str) -> Result<Self, RoleError> {
        if let Ok(org) = OrganizationSid::parse(value) {
            return Ok(Self::Organization(org));
        }
        AccountSid::parse(value)
            .map(Self::Account)
            .map_err(|_| RoleError::InvalidScope(shown(value)))
    }
}

impl fmt::Display for RoleScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Organization(sid) => sid.fmt(f),
            Self::Account(sid) => sid.fmt(f),
        }
    }
}

impl Serialize for RoleScope {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RoleScope {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A role held by a user (the identity) in a scope: Twilio's RoleAssignment
/// resource (`sid`, `role_sid`, `scope`, `identity`), with the organization and the
/// creation time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleAssignment {
    /// Its sid (`IY…`).
    pub sid: RoleAssignmentSid,
    /// The role (`IX…`).
    pub role_sid: RoleSid,
    /// The organization or account it applies in.
    pub scope: RoleScope,
    /// The user who holds the role (`US…`).
    pub identity: UserSid,
    /// The organization it belongs to.
    pub organization_sid: OrganizationSid,
    /// When it was created, by the engine clock.
    #[serde(with = "time::serde::rfc3339")]
    pub date_created: OffsetDateTime,
}

/// What [`crate::Engine::create_role_assignment`] needs, as the API receives it:
/// raw strings, checked by the engine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewRoleAssignment {
    /// The role's sid (`IX…`).
    pub role_sid: String,
    /// The organization's sid, or one of its accounts' sids.
    pub scope: String,
    /// The sid of a user of the organization.
    pub identity: String,
}

/// Which role assignments [`crate::Engine::role_assignments`] lists: by identity,
/// by scope or both (at least one), a page at a time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleAssignmentQuery {
    /// Only the assignments of this user.
    pub identity: Option<String>,
    /// Only the assignments in this organization or account.
    pub scope: Option<String>,
    /// Assignments per page: 1 to 100, default 100.
    pub page_size: Option<u32>,
    /// A `next_token` or `previous_token` of an earlier page.
    pub page_token: Option<String>,
}

/// One organization's role assignments.
#[derive(Debug, Clone, Default)]
pub(crate) struct AssignmentTable {
    next_seq: u64,
    by_seq: BTreeMap<u64, RoleAssignment>,
    by_sid: HashMap<RoleAssignmentSid, u64>,
    by_identity: HashMap<UserSid, Vec<u64>>,
    changed: Changed<RoleAssignmentSid>,
}

impl AssignmentTable {
    /// Adds an assignment (the caller has checked it).
    pub fn insert(&mut self, assignment: RoleAssignment) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.changed.mark(assignment.sid);
        self.by_sid.insert(assignment.sid, seq);
        self.by_identity
            .entry(assignment.identity)
            .or_default()
            .push(seq);
        self.by_seq.insert(seq, assignment);
    }

    /// Removes an assignment.
    pub fn remove(&mut self, sid: RoleAssignmentSid) -> Option<RoleAssignment> {
        let seq = self.by_sid.remove(&sid)?;
        let assignment = self.by_seq.remove(&seq)?;
        self.changed.mark(sid);
        if let Some(seqs) = self.by_identity.get_mut(&assignment.identity) {
            seqs.retain(|s| *s != seq);
            if seqs.is_empty() {
                self.by_identity.remove(&assignment.identity);
            }
        }
        Some(assignment)
    }

    /// Removes every assignment of a user, returning them oldest first.
    pub fn remove_identity(&mut self, identity: UserSid) -> Vec<RoleAssignment> {
        let sids: Vec<RoleAssignmentSid> = self.of_identity(identity).map(|a| a.sid).collect();
        sids.into_iter()
            .filter_map(|sid| self.remove(sid))
            .collect()
    }

    /// A user's assignments, oldest first.
    pub fn of_identity(&self, identity: UserSid) -> impl Iterator<Item = &RoleAssignment> {
        self.by_identity
            .get(&identity)
            .into_iter()
            .flatten()
            .filter_map(|seq| self.by_seq.get(seq))
    }

    /// The roles a user holds in `scope`, in the order they were assigned.
    pub fn roles_in(&self, identity: UserSid, scope: RoleScope) -> Vec<Role> {
        self.of_identity(identity)
            .filter(|a| a.scope == scope)
            .filter_map(|a| Role::from_sid(a.role_sid))
            .collect()
    }

    /// The assignment of `role` to `identity` in `scope`, if there is one.
    pub fn find(&self, role: Role, scope: RoleScope, identity: UserSid) -> Option<&RoleAssignment> {
        self.of_identity(identity)
            .find(|a| a.scope == scope && a.role_sid == role.sid())
    }

    /// The positions (creation order) of the assignments matching the filters.
    pub fn matching(&self, identity: Option<UserSid>, scope: Option<RoleScope>) -> Vec<u64> {
        let in_scope = |a: &RoleAssignment| scope.is_none_or(|s| a.scope == s);
        match identity {
            Some(identity) => self
                .by_identity
                .get(&identity)
                .into_iter()
                .flatten()
                .copied()
                .filter(|seq| self.by_seq.get(seq).is_some_and(in_scope))
                .collect(),
            None => self
                .by_seq
                .iter()
                .filter(|(_, a)| in_scope(a))
                .map(|(seq, _)| *seq)
                .collect(),
        }
    }

    /// The assignment at a position.
    pub fn at(&self, seq: u64) -> Option<&RoleAssignment> {
        self.by_seq.get(&seq)
    }

    /// The sids of the assignments inserted or removed since the last call,
    /// forgetting them.
    pub fn take_changed(&mut self) -> Vec<RoleAssignmentSid> {
        self.changed.take()
    }

    /// The assignment with this sid.
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub fn get(&self, sid: RoleAssignmentSid) -> Option<&RoleAssignment> {
        self.at(*self.by_sid.get(&sid)?)
    }

    /// Builds a table from assignments in creation order, refusing an unknown role
    /// and repeated sids or assignments.
    pub fn from_assignments(
        assignments: impl IntoIterator<Item = RoleAssignment>,
    ) -> Result<Self, String> {
        let mut table = Self::default();
        for a in assignments {
            let role = Role::from_sid(a.role_sid)
                .ok_or_else(|| format!("{}: unknown role {}", a.sid, a.role_sid))?;
            if table.by_sid.contains_key(&a.sid) || table.find(role, a.scope, a.identity).is_some()
            {
                return Err(format!("role assignment {} is repeated", a.sid));
            }
            table.insert(a);
        }
        table.changed.take();
        Ok(table)
    }

    /// Every assignment, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &RoleAssignment> {
        self.by_seq.values()
    }
}

impl PartialEq for AssignmentTable {
    /// Tables are equal when they hold the same assignments in the same order.
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Serialize for AssignmentTable {
    /// The assignments, oldest first; never the indexes.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for AssignmentTable {
    /// Rebuilds the indexes, refusing an unknown role and repeated sids or
    /// assignments.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        Self::from_assignments(Vec::<RoleAssignment>::deserialize(deserializer)?)
            .map_err(D::Error::custom)
    }
}
