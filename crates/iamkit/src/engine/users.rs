//! Directory users: the simple view of an organization's SCIM users that the
//! consent page, the admin API and the OAuth flows use.
//!
//! A [`User`] is derived, never stored: its `user_name` is the SCIM `userName`, its
//! `roles` are the user's role assignments at organization scope, and `sso` is the
//! engine-side flag kept with the SCIM user (not a SCIM attribute).

use serde_json::json;

use super::Engine;
use crate::apps::AppError;
use crate::audit::{types, Actor};
use crate::directory::{NewUser, User};
use crate::ids::{OrganizationSid, RoleAssignmentSid, Sid, UserSid};
use crate::roles::{RoleAssignment, RoleScope};
use crate::scim::schema::USER_URN;
use crate::scim::users::record::UserRecord;
use crate::scim::users::stored::UserRef;
use crate::store::{self, State};

/// The directory view of a stored user.
pub(super) fn directory_user(s: &State, org: OrganizationSid, user: UserRef<'_>) -> User {
    let roles = s
        .role_assignments
        .get(&org)
        .map(|t| t.roles_in(user.id(), RoleScope::Organization(org)))
        .unwrap_or_default();
    User {
        sid: user.id(),
        organization_sid: org,
        user_name: user.user_name().to_owned(),
        roles,
        active: user.active() != Some(false),
        sso: user.sso(),
        created_at: user.created(),
    }
}

/// The directory view of the user `sid` of organization `org`.
pub(super) fn user_in(s: &State, org: OrganizationSid, sid: UserSid) -> Option<User> {
    let record = s.users.get(&org)?.get(sid)?;
    Some(directory_user(s, org, record))
}

impl Engine {
    /// Creates a user of an organization: a SCIM user whose `userName` is
    /// `user_name` (an email address, unique in the organization ignoring case, and
    /// 2–255 characters under Twilio's rules) with that address as its one primary
    /// work email, holding `roles` at organization scope (repeated roles count
    /// once). Recorded as `scim-users.created` and `role-assignments.created` by the
    /// system actor.
    pub fn create_user(&self, new: NewUser) -> Result<User, AppError> {
        let org = new.organization_sid;
        let user_name = new.user_name.trim();
        let resource = json!({
            "schemas": [USER_URN],
            "userName": user_name,
            "emails": [{"value": user_name, "type": "work", "primary": true}],
        });
        let attributes = self
            .config
            .scim_rules
            .user_attributes(&resource)
            .map_err(|e| AppError::InvalidField {
                field: "user_name",
                reason: e.detail(),
            })?;
        let now = self.now();
        let mut record = UserRecord::new(UserSid::generate(), attributes, now);
        record.sso = new.sso;
        let mut roles = new.roles;
        let mut seen = Vec::new();
        roles.retain(|r| {
            let first = !seen.contains(r);
            seen.push(*r);
            first
        });
        let assignments: Vec<RoleAssignment> = roles
            .iter()
            .map(|role| RoleAssignment {
                sid: RoleAssignmentSid::generate(),
                role_sid: role.sid(),
                scope: RoleScope::Organization(org),
                identity: record.id,
                organization_sid: org,
                date_created: now,
            })
            .collect();
        let actor = Actor::system();
        let user = User {
            sid: record.id,
            organization_sid: org,
            user_name: record.user_name.clone(),
            roles,
            active: record.active != Some(false),
            sso: record.sso,
            created_at: record.created,
        };
        store::write(self.store(), |s| {
            s.organization(org)?;
            if let Some(table) = s.users.get(&org) {
                table
                    .check_unique(&record)
                    .map_err(|_| AppError::UserNameTaken(user_name.to_owned()))?;
            }
            self.audit_user_created(s, now, &actor, org, &record);
            s.users.get_or_default(org).put(&record);
            for assignment in &assignments {
                self.audit_assignment(s, now, types::ROLE_ASSIGNMENT_CREATED, &actor, assignment);
                s.role_assignments
                    .get_or_default(org)
                    .insert(assignment.clone());
            }
            Ok(user.clone())
        })
    }

    /// The users of an organization, oldest first.
    pub fn users(&self, organization_sid: OrganizationSid) -> Vec<User> {
        let mut found: Vec<User> = store::read(self.store(), |s| {
            s.users
                .get(&organization_sid)
                .into_iter()
                .flat_map(|t| t.iter())
                .map(|record| directory_user(s, organization_sid, record))
                .collect()
        });
        found.sort_by_key(|u| (u.created_at, u.sid));
        found
    }

    /// A user by sid.
    pub fn user(&self, sid: UserSid) -> Result<User, AppError> {
        store::read(self.store(), |s| {
            s.users
                .iter()
                .find_map(|(org, t)| t.get(sid).map(|r| directory_user(s, *org, r)))
        })
        .ok_or(AppError::UserNotFound(sid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::ErrorCode;
    use crate::roles::Role;

    #[test]
    fn repeated_roles_count_once_and_bad_names_are_invalid_fields() {
        let engine = Engine::new();
        let org = engine.create_organization("Acme").unwrap();
        let user = engine
            .create_user(NewUser {
                organization_sid: org.sid,
                user_name: " owner@acme.example ".into(),
                roles: vec![Role::Owner, Role::Developer, Role::Owner],
                sso: false,
            })
            .unwrap();
        assert_eq!(user.user_name, "owner@acme.example");
        assert_eq!(user.roles, [Role::Owner, Role::Developer]);
        let err = engine
            .create_user(NewUser {
                organization_sid: org.sid,
                user_name: "owner".into(),
                roles: vec![],
                sso: false,
            })
            .unwrap_err();
        assert_eq!((err.code(), err.status()), ("invalid_field", 400));
        let taken = engine
            .create_user(NewUser {
                organization_sid: org.sid,
                user_name: "OWNER@acme.example".into(),
                roles: vec![],
                sso: true,
            })
            .unwrap_err();
        assert_eq!(taken, AppError::UserNameTaken("OWNER@acme.example".into()));
    }
}
