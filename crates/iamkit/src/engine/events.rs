//! Audit events of SCIM users and role assignments. Users carry no secrets, so the
//! details name attributes freely.

use serde_json::{json, Value};
use time::OffsetDateTime;

use super::Engine;
use crate::audit::{types, Actor};
use crate::ids::OrganizationSid;
use crate::roles::RoleAssignment;
use crate::scim::users::record::UserRecord;
use crate::store::State;

impl Engine {
    /// Records `scim-users.created`.
    pub(super) fn audit_user_created(
        &self,
        s: &mut State,
        now: OffsetDateTime,
        actor: &Actor,
        org: OrganizationSid,
        record: &UserRecord,
    ) {
        let details = json!({
            "organization_sid": org,
            "userName": record.user_name,
            "externalId": record.external_id,
        });
        self.audit_user(s, now, types::SCIM_USER_CREATED, actor, record, details);
    }

    /// Records a `scim-users.*` event about `record`.
    pub(super) fn audit_user(
        &self,
        s: &mut State,
        now: OffsetDateTime,
        event_type: &str,
        actor: &Actor,
        record: &UserRecord,
        details: Value,
    ) {
        s.audit.record(
            self.config.audit_capacity,
            event_type,
            now,
            actor,
            record.id,
            details,
        );
    }

    /// Records a `role-assignments.*` event about `assignment`.
    pub(super) fn audit_assignment(
        &self,
        s: &mut State,
        now: OffsetDateTime,
        event_type: &str,
        actor: &Actor,
        assignment: &RoleAssignment,
    ) {
        s.audit.record(
            self.config.audit_capacity,
            event_type,
            now,
            actor,
            assignment.sid,
            json!({
                "organization_sid": assignment.organization_sid,
                "role_sid": assignment.role_sid,
                "scope": assignment.scope,
                "identity": assignment.identity,
            }),
        );
    }
}
