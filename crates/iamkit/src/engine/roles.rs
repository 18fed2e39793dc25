//! Roles and role assignments of an organization.
//!
//! Rules and choices:
//! - A request's checks run in Twilio's code order: scope (25200: the
//!   organization's sid or one of its accounts' sids), identity (25201: a user of
//!   the organization), role (25202: one of [`Engine::roles`]).
//! - Assigning a role the identity already holds in that scope is refused with 409
//!   (`role_assignment_exists`), naming the existing assignment.
//! - A list needs an identity or a scope (25203). Filters are checked for form
//!   only: a well-formed sid that matches nothing gives an empty page. Pages hold
//!   1 to 100 assignments (default 100) in creation order; tokens are opaque
//!   ([`crate::paging`]).
//! - Deleting an unknown (or malformed) sid is 404. There is no update.

use super::users::user_in;
use super::Engine;
use crate::audit::{types, Actor};
use crate::ids::{OrganizationSid, RoleAssignmentSid, RoleSid, Sid, UserSid};
use crate::paging::PageRequest;
use crate::roles::error::shown;
use crate::roles::{
    NewRoleAssignment, Role, RoleAssignment, RoleAssignmentPage, RoleAssignmentQuery, RoleError,
    RoleInfo, RoleScope, DEFAULT_PAGE_SIZE,
};
use crate::store::{self, State};

fn known_organization(s: &State, org: OrganizationSid) -> Result<(), RoleError> {
    s.organization(org)?;
    Ok(())
}

/// Checks a new assignment against the organization: scope, identity, role.
fn resolve(
    s: &State,
    org: OrganizationSid,
    new: &NewRoleAssignment,
) -> Result<(RoleScope, UserSid, Role), RoleError> {
    let scope = RoleScope::parse(&new.scope)
        .ok()
        .filter(|scope| s.scope_in(*scope, org))
        .ok_or_else(|| RoleError::InvalidScope(shown(&new.scope)))?;
    let identity = UserSid::parse(&new.identity)
        .ok()
        .filter(|id| s.users.get(&org).is_some_and(|t| t.get(*id).is_some()))
        .ok_or_else(|| RoleError::InvalidIdentity(shown(&new.identity)))?;
    let role = RoleSid::parse(&new.role_sid)
        .ok()
        .and_then(Role::from_sid)
        .ok_or_else(|| RoleError::InvalidRole(shown(&new.role_sid)))?;
    Ok((scope, identity, role))
}

impl Engine {
    /// Every role, as Twilio's Role resource.
    pub fn roles(&self) -> Vec<RoleInfo> {
        Role::ALL.into_iter().map(Role::info).collect()
    }

    /// Gives a role to a user of the organization, in the organization or one of
    /// its accounts, and records `role-assignments.created`.
    pub fn create_role_assignment(
        &self,
        org: OrganizationSid,
        new: &NewRoleAssignment,
        actor: &Actor,
    ) -> Result<RoleAssignment, RoleError> {
        let now = self.now();
        let sid = RoleAssignmentSid::generate();
        store::write(self.store(), |s| {
            known_organization(s, org)?;
            let (scope, identity, role) = resolve(s, org, new)?;
            if let Some(existing) = s
                .role_assignments
                .get(&org)
                .and_then(|t| t.find(role, scope, identity))
            {
                return Err(RoleError::AlreadyAssigned(existing.sid));
            }
            let assignment = RoleAssignment {
                sid,
                role_sid: role.sid(),
                scope,
                identity,
                organization_sid: org,
                date_created: now,
            };
            self.audit_assignment(s, now, types::ROLE_ASSIGNMENT_CREATED, actor, &assignment);
            s.role_assignments
                .get_or_default(org)
                .insert(assignment.clone());
            Ok(assignment)
        })
    }

    /// A page of the organization's role assignments of an identity, in a scope,
    /// or both.
    pub fn role_assignments(
        &self,
        org: OrganizationSid,
        query: &RoleAssignmentQuery,
    ) -> Result<RoleAssignmentPage, RoleError> {
        if query.identity.is_none() && query.scope.is_none() {
            return Err(RoleError::MissingFilter);
        }
        let scope = query.scope.as_deref().map(RoleScope::parse).transpose()?;
        let identity = query
            .identity
            .as_deref()
            .map(|i| UserSid::parse(i).map_err(|_| RoleError::InvalidIdentity(shown(i))))
            .transpose()?;
        let request = PageRequest::parse(
            query.page_size,
            DEFAULT_PAGE_SIZE,
            query.page_token.as_deref(),
        )?;
        let mut filter = String::new();
        if let Some(identity) = identity {
            filter.push_str(&format!("Identity={identity}&"));
        }
        if let Some(scope) = scope {
            filter.push_str(&format!("Scope={scope}&"));
        }
        filter.push_str(&format!("PageSize={}", request.size()));
        store::read(self.store(), |s| {
            known_organization(s, org)?;
            let table = s.role_assignments.get(&org);
            let positions = table.map_or_else(Vec::new, |t| t.matching(identity, scope));
            Ok(request.cut(&positions, filter, |p| table.and_then(|t| t.at(p)).cloned()))
        })
    }

    /// Deletes a role assignment of the organization and records
    /// `role-assignments.deleted`. A user left without the Owner or Administrator
    /// role loses the authorizations they approved: their tokens stop at once.
    pub fn delete_role_assignment(
        &self,
        org: OrganizationSid,
        sid: &str,
        actor: &Actor,
    ) -> Result<(), RoleError> {
        let now = self.now();
        let not_found = || RoleError::NotFound(shown(sid));
        let parsed = RoleAssignmentSid::parse(sid).map_err(|_| not_found())?;
        store::write(self.store(), |s| {
            known_organization(s, org)?;
            let removed = s
                .role_assignments
                .get_mut(&org)
                .and_then(|t| t.remove(parsed))
                .ok_or_else(not_found)?;
            self.audit_assignment(s, now, types::ROLE_ASSIGNMENT_DELETED, actor, &removed);
            let approver = user_in(s, org, removed.identity);
            if approver.is_some_and(|u| !u.may_authorize_apps()) {
                let reason = "user lost the Owner or Administrator role";
                self.revoke_authorizations_of(s, removed.identity, now, actor, reason);
            }
            Ok(())
        })
    }
}
