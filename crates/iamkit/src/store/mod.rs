//! Where the engine's state lives.
//!
//! [`State`] is the whole of it; a [`Store`] guards it. Every engine operation runs
//! as one call to [`Store::read`] or [`Store::write`], so no caller ever sees half an
//! operation. Engine operations check everything before they change anything, so a
//! write that fails leaves the state as it was.

mod memory;

pub use memory::MemoryStore;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::apps::StoredApp;
use crate::audit::AuditLog;
use crate::authorize::{Authorization, Grant};
use crate::directory::{Account, Organization};
use crate::error::ErrorCode;
use crate::ids::{
    AccountSid, AuthorizationSid, ClientId, GrantSid, OrganizationSid, RefreshTokenSid, TokenId,
};
use crate::roles::assignments::{AssignmentTable, RoleScope};
use crate::scim::users::table::UserTable;
use crate::scim::ScimRules;
use crate::secrets::SecretHash;

/// The version of the exported state format. Version 2 keeps users as SCIM users
/// with role assignments.
pub const STATE_VERSION: u32 = 2;

/// Everything the engine knows. Secrets appear only as hashes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub(crate) organizations: HashMap<OrganizationSid, Organization>,
    pub(crate) accounts: HashMap<AccountSid, Account>,
    /// Each organization's SCIM users.
    pub(crate) users: HashMap<OrganizationSid, UserTable>,
    /// Each organization's role assignments.
    pub(crate) role_assignments: HashMap<OrganizationSid, AssignmentTable>,
    pub(crate) apps: HashMap<ClientId, StoredApp>,
    pub(crate) authorizations: HashMap<AuthorizationSid, Authorization>,
    pub(crate) grants: HashMap<GrantSid, Grant>,
    /// Code hash → grant, for redeeming codes.
    pub(crate) codes: HashMap<SecretHash, GrantSid>,
    pub(crate) refresh_tokens: HashMap<SecretHash, RefreshToken>,
    /// Revoked access-token ids and their expiry (Unix seconds), kept until then.
    pub(crate) revoked_tokens: HashMap<TokenId, i64>,
    pub(crate) audit: AuditLog,
}

impl State {
    /// Whether `scope` is `organization_sid` or one of its accounts.
    pub(crate) fn scope_in(&self, scope: RoleScope, organization_sid: OrganizationSid) -> bool {
        match scope {
            RoleScope::Organization(org) => org == organization_sid,
            RoleScope::Account(account) => self
                .accounts
                .get(&account)
                .is_some_and(|a| a.organization_sid == organization_sid),
        }
    }

    /// Checks what deserializing each part could not: every account, user table and
    /// role assignment belongs to a known organization, no user belongs to two, and
    /// every assignment names a user and a scope of its organization.
    pub(crate) fn check_references(&self) -> Result<(), StateError> {
        let known = |org: &OrganizationSid, what: &str| {
            if self.organizations.contains_key(org) {
                Ok(())
            } else {
                Err(StateError::Invalid(format!(
                    "{what} of unknown organization {org}"
                )))
            }
        };
        for account in self.accounts.values() {
            known(&account.organization_sid, "account")?;
        }
        let mut ids = std::collections::HashSet::new();
        for (org, table) in &self.users {
            known(org, "users")?;
            if let Some(twice) = table.iter().map(|u| u.id()).find(|id| !ids.insert(*id)) {
                return Err(StateError::Invalid(format!(
                    "user {twice} belongs to two organizations"
                )));
            }
        }
        for (org, table) in &self.role_assignments {
            known(org, "role assignments")?;
            for a in table.iter() {
                let user = self.users.get(org).and_then(|t| t.get(a.identity));
                if a.organization_sid != *org || user.is_none() || !self.scope_in(a.scope, *org) {
                    return Err(StateError::Invalid(format!(
                        "role assignment {} does not match its organization {org}",
                        a.sid
                    )));
                }
            }
        }
        Ok(())
    }

    /// Checks that every user follows `rules`.
    pub(crate) fn check_users(&self, rules: ScimRules) -> Result<(), StateError> {
        self.users
            .values()
            .try_for_each(|table| table.validate(rules).map_err(StateError::Invalid))
    }
}

/// A refresh token's record; the token itself is known only by its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshToken {
    /// Its sid.
    pub sid: RefreshTokenSid,
    /// The grant it continues.
    pub grant_sid: GrantSid,
    /// The app it belongs to.
    pub client_id: ClientId,
}

/// Guards the engine's [`State`]. Implementations must be safe to share between
/// threads and make each call atomic.
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Runs `f` on a consistent view of the state.
    fn read(&self, f: &mut dyn FnMut(&State));
    /// Runs `f` with exclusive access. `f` returns whether it changed anything, so
    /// a durable store knows whether there is something to persist.
    fn write(&self, f: &mut dyn FnMut(&mut State) -> bool);
}

/// Runs a read and returns its result.
pub(crate) fn read<R>(store: &dyn Store, f: impl FnOnce(&State) -> R) -> R {
    let mut f = Some(f);
    let mut out = None;
    store.read(&mut |state| {
        if let Some(f) = f.take() {
            out = Some(f(state));
        }
    });
    out.expect("Store::read runs its closure exactly once")
}

/// Runs a write that may fail; on failure it must not have changed the state.
pub(crate) fn write<R, E>(
    store: &dyn Store,
    f: impl FnOnce(&mut State) -> Result<R, E>,
) -> Result<R, E> {
    let mut f = Some(f);
    let mut out = None;
    store.write(&mut |state| {
        let result = f.take().map(|f| f(state));
        let changed = matches!(result, Some(Ok(_)));
        out = result;
        changed
    });
    out.expect("Store::write runs its closure exactly once")
}

/// The state of an export being read (its version is checked first, on its own).
#[derive(Deserialize)]
pub(crate) struct Snapshot {
    pub state: State,
}

/// The exported form of the state: a version and the state itself.
#[derive(Serialize)]
pub(crate) struct SnapshotRef<'a> {
    pub version: u32,
    pub state: &'a State,
}

/// State that cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// The JSON is not an iamkit state export.
    #[error("invalid state export: {0}")]
    Invalid(String),
    /// The export was made by an incompatible version.
    #[error("unsupported state version {0}; this engine reads version {STATE_VERSION}")]
    UnsupportedVersion(u32),
}

impl ErrorCode for StateError {
    fn code(&self) -> &'static str {
        match self {
            StateError::Invalid(_) => "invalid_state",
            StateError::UnsupportedVersion(_) => "unsupported_state_version",
        }
    }
    fn status(&self) -> u16 {
        400
    }
    fn twilio_code(&self) -> u32 {
        20001
    }
}
