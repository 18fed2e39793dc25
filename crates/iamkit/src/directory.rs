//! Organizations, their accounts and the directory view of their users.
//!
//! An organization owns accounts and users; an account belongs to exactly one
//! organization. Users are SCIM users; a [`User`] is the simple view of one that the
//! OAuth flows use: its organization roles (its role assignments at organization
//! scope) and whether it is a single-sign-on user, which together decide whether it
//! may approve an authorization-code app.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{AccountSid, OrganizationSid, UserSid};
use crate::roles::Role;

/// An organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    /// Its sid.
    pub sid: OrganizationSid,
    /// Its display name.
    pub name: String,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// An account of an organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Its sid.
    pub sid: AccountSid,
    /// The organization it belongs to.
    pub organization_sid: OrganizationSid,
    /// Its display name.
    pub name: String,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A managed user of an organization, as the directory shows it: a view of its
/// SCIM user and role assignments, built on every read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Its sid.
    pub sid: UserSid,
    /// The organization that manages it.
    pub organization_sid: OrganizationSid,
    /// Its login name: the SCIM `userName` (an e-mail address).
    pub user_name: String,
    /// The roles it holds at organization scope, in the order they were assigned.
    pub roles: Vec<Role>,
    /// Whether the user is active (SCIM `active` is not `false`).
    pub active: bool,
    /// Whether it signs in through single sign-on (and so cannot use the
    /// authorization page). An engine-side flag of the user, not a SCIM attribute.
    pub sso: bool,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl User {
    /// Whether this user may approve an authorization-code app: it holds the Owner or
    /// Administrator role and does not sign in through SSO.
    pub fn may_authorize_apps(&self) -> bool {
        !self.sso && self.roles.iter().any(|r| r.may_authorize_apps())
    }
}

/// What [`crate::Engine::create_user`] needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// The organization that manages the user.
    pub organization_sid: OrganizationSid,
    /// Its login name: an e-mail address of 2–255 characters, which also becomes
    /// its primary work email.
    pub user_name: String,
    /// The roles it gets at organization scope (as role assignments).
    pub roles: Vec<Role>,
    /// Whether it signs in through single sign-on.
    pub sso: bool,
}
