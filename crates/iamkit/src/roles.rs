//! The fixed list of organization roles.

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

    /// Whether holders of this role may approve authorization-code apps.
    pub fn may_authorize_apps(self) -> bool {
        matches!(self, Role::Owner | Role::Administrator)
    }
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
        assert_eq!(
            "Janitor".parse::<Role>(),
            Err(UnknownRole("Janitor".into()))
        );
    }
}
