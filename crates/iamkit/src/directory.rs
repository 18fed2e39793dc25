//! Organizations, their accounts and their users.
//!
//! An organization owns accounts and users; an account belongs to exactly one
//! organization. A user holds organization roles and may be a single-sign-on user,
//! which together decide whether it may approve an authorization-code app.

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

/// A managed user of an organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Its sid.
    pub sid: UserSid,
    /// The organization that manages it.
    pub organization_sid: OrganizationSid,
    /// Its login name (an e-mail address).
    pub user_name: String,
    /// The organization roles it holds.
    pub roles: Vec<Role>,
    /// Whether it signs in through single sign-on (and so cannot use the
    /// authorization page).
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
    /// Its login name (an e-mail address, 2–255 characters).
    pub user_name: String,
    /// The organization roles it holds.
    pub roles: Vec<Role>,
    /// Whether it signs in through single sign-on.
    pub sso: bool,
}
