//! Organizations, their accounts and the directory view of their users.
//!
//! An organization owns accounts and users; an account belongs to exactly one
//! organization and is owned by one of its users (see [`Account::owner_sid`]). An
//! account has an auth token, which authenticates Twilio's account API (HTTP Basic
//! with the account SID); the engine keeps only its hash. Users are SCIM users; a [`User`] is the simple view of one that the
//! OAuth flows use: its organization roles (its role assignments at organization
//! scope) and whether it is a single-sign-on user, which together decide whether it
//! may approve an authorization-code app.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{AccountSid, OrganizationSid, UserSid};
use crate::paging::Page;
use crate::roles::Role;
use crate::secrets::{SecretHash, SecretString};

/// Accounts per page when the request names no size (the default of Twilio's
/// organization Accounts list).
pub const ACCOUNT_PAGE_SIZE: u32 = 50;

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

/// An account of an organization, as callers see it (never its auth token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Its sid.
    pub sid: AccountSid,
    /// The organization it belongs to.
    pub organization_sid: OrganizationSid,
    /// Its display name.
    pub name: String,
    /// The user who owns it: the user named when it was created while that user
    /// exists, else the organization's longest-standing Owner (the holder of its
    /// oldest Owner role assignment); none while the organization has no Owner.
    pub owner_sid: Option<UserSid>,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// What [`crate::Engine::create_account`] needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    /// The organization the account belongs to.
    pub organization_sid: OrganizationSid,
    /// Its display name (1 to 255 characters).
    pub name: String,
    /// Its owner, a user of the organization; none: the organization's Owner.
    pub owner_sid: Option<UserSid>,
}

impl NewAccount {
    /// An account of `organization_sid` named `name`, owned by the organization's
    /// Owner.
    pub fn new(organization_sid: OrganizationSid, name: &str) -> Self {
        Self {
            organization_sid,
            name: name.to_owned(),
            owner_sid: None,
        }
    }
}

/// A newly created account and its auth token, which is shown this once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedAccount {
    /// The account.
    pub account: Account,
    /// Its auth token. The engine keeps only its hash.
    pub auth_token: SecretString,
}

/// An account as the store keeps it: its place in creation order, the owner named
/// at creation and the hash of its auth token (an account kept by an iamkit without
/// these has place 0 and no auth token, until [`crate::Engine::rotate_auth_token`]
/// gives it one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredAccount {
    #[serde(default)]
    pub seq: u64,
    pub sid: AccountSid,
    pub organization_sid: OrganizationSid,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_sid: Option<UserSid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_token: Option<SecretHash>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// Which page of an organization's accounts [`crate::Engine::account_page`] gives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountQuery {
    /// Accounts per page: 1 to 100, default [`ACCOUNT_PAGE_SIZE`].
    pub page_size: Option<u32>,
    /// A `next_token` or `previous_token` of an earlier page.
    pub page_token: Option<String>,
}

/// A page of an organization's accounts, oldest first.
pub type AccountPage = Page<Account>;

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
