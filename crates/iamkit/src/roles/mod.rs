//! Roles and role assignments.
//!
//! Roles are a fixed list ([`Role`]), each with a stable `IX…` sid, listed as
//! Twilio's Role resource ([`RoleInfo`]). A role assignment gives a role to a user
//! of an organization, in the organization or one of its accounts
//! ([`assignments`]); lists of them come a page at a time ([`crate::paging`]).

pub mod assignments;
pub mod error;

pub use assignments::{
    NewRoleAssignment, RoleAssignment, RoleAssignmentPage, RoleAssignmentQuery, RoleScope,
    DEFAULT_PAGE_SIZE,
};
pub use error::RoleError;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ids::{RoleSid, Sid};

/// An organization role. The list is fixed; each role has a stable `IX…` sid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Full control of the organization.
    Owner,
    /// Manages users, apps and settings.
    Administrator,
    /// Builds with the organization's accounts.
    Developer,
    /// Manages billing.
    Billing,
    /// Reads everything, changes nothing.
    #[serde(rename = "Read-only")]
    ReadOnly,
    /// Answers support cases.
    Support,
}

impl Role {
    /// Every role, in a stable order.
    pub const ALL: [Role; 6] = [
        Role::Owner,
        Role::Administrator,
        Role::Developer,
        Role::Billing,
        Role::ReadOnly,
        Role::Support,
    ];

    /// The role's display name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Administrator => "Administrator",
            Role::Developer => "Developer",
            Role::Billing => "Billing",
            Role::ReadOnly => "Read-only",
            Role::Support => "Support",
        }
    }

    /// The role's stable sid.
    pub fn sid(self) -> RoleSid {
        let index = Role::ALL.iter().position(|r| *r == self).unwrap_or(0);
        let mut bytes = *b"iamkit-role-0000";
        bytes[15] = b'0' + index as u8;
        RoleSid::from_bytes(bytes)
    }

    /// The role with this sid.
    pub fn from_sid(sid: RoleSid) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.sid() == sid)
    }

    /// What the role gives access to.
    pub fn description(self) -> &'static str {
        match self {
            Role::Owner => "Full control of the organization, its accounts, users and apps.",
            Role::Administrator => "Manages the organization's users, apps and settings.",
            Role::Developer => "Builds with the organization's accounts.",
            Role::Billing => "Manages billing.",
            Role::ReadOnly => "Reads everything and changes nothing.",
            Role::Support => "Answers support cases.",
        }
    }

    /// The role as Twilio's Role resource lists it.
    pub fn info(self) -> RoleInfo {
        RoleInfo {
            sid: self.sid(),
            friendly_name: self.name(),
            kind: "organization",
            external_description: self.description(),
            product_group: "iam",
            lowest_level: "ACCOUNT",
        }
    }

    /// Whether holders of this role may approve authorization-code apps.
    pub fn may_authorize_apps(self) -> bool {
        matches!(self, Role::Owner | Role::Administrator)
    }
}

/// A role as `GET /v2/Organizations/Roles` lists it: Twilio's Role resource
/// (`sid`, `friendly_name`, `external_description`, `product_group`,
/// `lowest_level`), with `type` saying it is an organization role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RoleInfo {
    /// The role's sid (`IX…`).
    pub sid: RoleSid,
    /// Its display name, e.g. `Owner`.
    pub friendly_name: &'static str,
    /// Always `organization`: every role is an organization role.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// What it gives access to.
    pub external_description: &'static str,
    /// The product group it belongs to: `iam`.
    pub product_group: &'static str,
    /// The lowest scope it can be assigned at: `ACCOUNT` (every role can be
    /// assigned in the organization or in one of its accounts).
    pub lowest_level: &'static str,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A role name or sid that names no role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a role")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    /// Parses a role by name (case-insensitive) or sid.
    fn from_str(s: &str) -> Result<Self, UnknownRole> {
        Role::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(s) || r.sid().to_string() == s)
            .ok_or_else(|| UnknownRole(s.chars().take(64).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sids_are_stable_distinct_and_parse_back() {
        let sids: std::collections::HashSet<_> = Role::ALL.iter().map(|r| r.sid()).collect();
        assert_eq!(sids.len(), Role::ALL.len());
        for r in Role::ALL {
            assert_eq!(r.sid().to_string().parse::<Role>().unwrap(), r);
            assert_eq!(r.name().to_lowercase().parse::<Role>().unwrap(), r);
        }
        assert_eq!(
            Role::Owner.sid().to_string(),
            "IX69616d6b69742d726f6c652d30303030"
        );
        assert_eq!(Role::from_sid(Role::Billing.sid()), Some(Role::Billing));
        assert_eq!(Role::Owner.info().friendly_name, "Owner");
        assert_eq!(
            "Janitor".parse::<Role>(),
            Err(UnknownRole("Janitor".into()))
        );
    }
}
