//! What one write changed: the keys a durable store must write or delete.

use std::collections::HashMap;

use crate::audit::LogRows;
use crate::ids::{
    AccountSid, AuthorizationSid, ClientId, GrantSid, OrganizationSid, RoleAssignmentSid, TokenId,
    UserSid,
};
use crate::secrets::SecretHash;

use super::State;

/// The keys one write changed, taken from the state's bookkeeping. A key whose
/// value is gone from the state was removed.
#[derive(Debug, Default)]
// Read by the durable store only.
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
pub(crate) struct ChangeSet {
    /// The whole state was replaced: everything is to be written anew.
    pub replaced: bool,
    pub organizations: Vec<OrganizationSid>,
    pub accounts: Vec<AccountSid>,
    pub apps: Vec<ClientId>,
    pub authorizations: Vec<AuthorizationSid>,
    pub grants: Vec<GrantSid>,
    pub codes: Vec<SecretHash>,
    pub refresh_tokens: Vec<SecretHash>,
    pub revoked_tokens: Vec<TokenId>,
    /// Changed users, by organization.
    pub users: Vec<(OrganizationSid, Vec<UserSid>)>,
    /// Changed role assignments, by organization.
    pub role_assignments: Vec<(OrganizationSid, Vec<RoleAssignmentSid>)>,
    /// The audit rows to write and delete.
    pub audit: LogRows,
}

impl State {
    /// Marks the whole state as replaced (after an import).
    pub(crate) fn mark_replaced(&mut self) {
        self.replaced.0 = true;
    }

    /// Takes what changed since the last call. After a replacement, everything
    /// counts as changed.
    pub(crate) fn take_changes(&mut self) -> ChangeSet {
        let replaced = std::mem::take(&mut self.replaced.0);
        if replaced {
            self.audit.mark_all();
        }
        let users = self
            .users
            .take_changed()
            .into_iter()
            .filter_map(|org| Some((org, self.users.get_untracked_mut(&org)?.take_changed())))
            .collect();
        let role_assignments = self
            .role_assignments
            .take_changed()
            .into_iter()
            .filter_map(|org| {
                let table = self.role_assignments.get_untracked_mut(&org)?;
                Some((org, table.take_changed()))
            })
            .collect();
        let audit = self.audit.take_rows();
        let changes = ChangeSet {
            replaced,
            organizations: self.organizations.take_changed(),
            accounts: self.accounts.take_changed(),
            apps: self.apps.take_changed(),
            authorizations: self.authorizations.take_changed(),
            grants: self.grants.take_changed(),
            codes: self.codes.take_changed(),
            refresh_tokens: self.refresh_tokens.take_changed(),
            revoked_tokens: self.revoked_tokens.take_changed(),
            users,
            role_assignments,
            audit,
        };
        if replaced {
            self.everything(changes.audit)
        } else {
            changes
        }
    }

    /// Every key of the state, as if all of it had changed.
    fn everything(&self, audit: LogRows) -> ChangeSet {
        fn keys<K: Clone, V>(map: &HashMap<K, V>) -> Vec<K> {
            map.keys().cloned().collect()
        }
        ChangeSet {
            replaced: true,
            organizations: keys(&self.organizations),
            accounts: keys(&self.accounts),
            apps: keys(&self.apps),
            authorizations: keys(&self.authorizations),
            grants: keys(&self.grants),
            codes: keys(&self.codes),
            refresh_tokens: keys(&self.refresh_tokens),
            revoked_tokens: keys(&self.revoked_tokens),
            users: self
                .users
                .iter()
                .map(|(org, table)| (*org, table.iter().map(|u| u.id()).collect()))
                .collect(),
            role_assignments: self
                .role_assignments
                .iter()
                .map(|(org, table)| (*org, table.iter().map(|a| a.sid).collect()))
                .collect(),
            audit,
        }
    }
}
