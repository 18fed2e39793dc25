//! SCIM users of an organization (RFC 7643/7644, as Twilio serves them): create,
//! get, list, replace, patch and delete, and the discovery documents.
//!
//! Rules and choices:
//! - Every write checks the user against the engine's [`ScimRules`]
//!   ([`EngineConfig::scim_rules`](crate::EngineConfig::scim_rules)): Twilio's by
//!   default, or only RFC 7643's; the Schemas document follows the same rule set.
//!   Both bound a User's size (4,096 characters a string value, 100 values a
//!   multi-valued attribute, 64 KiB of JSON; see [`ScimRules`]): a PATCH is judged
//!   by its result, so one that grows a user past a limit is `invalidValue` and
//!   changes nothing.
//! - A user belongs to one organization; another organization's user is not found
//!   (404), as is an unknown organization.
//! - The engine owns `id` (`US…`), `meta`, `schemas` and `groups`. Read-only
//!   attributes in a create or replace are ignored (RFC 7644 §3.3), except that on
//!   replace an `id` other than the user's is `mutability` (400). `schemas` lists the
//!   enterprise extension's URN when the user has any of its attributes.
//! - `password` is write-only: stored as a salted hash, never returned. A replace
//!   without one keeps it; a PATCH `remove` of it drops it.
//! - `userName` is unique in the organization ignoring case, `externalId` exactly;
//!   a clash is `uniqueness` (409) on create, replace and patch.
//! - `meta.version` is `W/"n"`, `n` counting the user's writes from 1; `If-Match`
//!   on replace, patch and delete must match it (else 412 `preconditionFailed`).
//! - Lists follow [`crate::scim::query`].

use serde_json::{json, Map, Value};

use super::Engine;
use crate::audit::{types, Actor};
use crate::ids::{OrganizationSid, Sid, UserSid};
use crate::scim::discovery;
use crate::scim::query::{UserList, UserQuery, MAX_PAGE_COUNT};
use crate::scim::users::record::UserRecord;
use crate::scim::users::stored::UserRef;
use crate::scim::users::table::UserTable;
use crate::scim::{check_if_match, PatchRequest, Projection, ScimError, ScimRules};
use crate::store::{self, State};

fn not_found(id: &str) -> ScimError {
    let shown: String = id.chars().take(64).collect();
    ScimError::NotFound(format!("user {shown:?} not found"))
}

/// The users of an organization, or 404 for an unknown organization.
fn users_of(s: &State, org: OrganizationSid) -> Result<Option<&UserTable>, ScimError> {
    s.organization(org)?;
    Ok(s.users.get(&org))
}

/// The stored user `id` of an organization.
fn user_of<'s>(s: &'s State, org: OrganizationSid, id: &str) -> Result<UserRef<'s>, ScimError> {
    let sid = UserSid::parse(id).map_err(|_| not_found(id))?;
    users_of(s, org)?
        .and_then(|t| t.get(sid))
        .ok_or_else(|| not_found(id))
}

impl Engine {
    /// The SCIM root: `{issuer}/scim/v2`.
    fn scim_base(&self) -> String {
        self.url("/scim/v2")
    }

    /// The rules SCIM users follow in this engine.
    fn scim_rules(&self) -> ScimRules {
        self.config.scim_rules
    }

    /// The Users endpoint, under which `meta.location` points.
    fn users_url(&self) -> String {
        self.url("/scim/v2/Users")
    }

    /// Creates a user (the 201 body): validates it, gives it an id and `meta`, and
    /// records `scim-users.created`.
    pub fn scim_create_user(
        &self,
        org: OrganizationSid,
        resource: &Value,
        actor: &Actor,
    ) -> Result<Value, ScimError> {
        let attributes = self.scim_rules().user_attributes(resource)?;
        let now = self.now();
        let record = UserRecord::new(UserSid::generate(), attributes, now);
        let url = self.users_url();
        let body = store::write(self.store(), |s| {
            if let Some(table) = users_of(s, org)? {
                table.check_unique(&record)?;
            }
            self.audit_user_created(s, now, actor, org, &record);
            let table = s.users.get_or_default(org);
            table.put(&record);
            Ok::<_, ScimError>(table.get(record.id).map(|u| u.to_resource(&url)))
        })?;
        body.ok_or_else(|| not_found(&record.id.to_string()))
    }

    /// A user of the organization, projected.
    pub fn scim_get_user(
        &self,
        org: OrganizationSid,
        id: &str,
        projection: &Projection,
    ) -> Result<Value, ScimError> {
        let url = self.users_url();
        store::read(self.store(), |s| {
            user_of(s, org, id).map(|u| projection.apply_owned(u.to_resource(&url)))
        })
    }

    /// Lists the organization's users matching `query.filter`, sorted, paged and
    /// projected.
    pub fn scim_list_users(
        &self,
        org: OrganizationSid,
        query: &UserQuery,
    ) -> Result<UserList, ScimError> {
        let search = query.parse()?;
        let url = self.users_url();
        let (total_results, resources) = store::read(self.store(), |s| {
            Ok::<_, ScimError>(match users_of(s, org)? {
                Some(table) => search.run(table, &url),
                None => (0, Vec::new()),
            })
        })?;
        Ok(search.list(total_results, resources))
    }

    /// Replaces a user's attributes (PUT) under `If-Match`.
    pub fn scim_replace_user(
        &self,
        org: OrganizationSid,
        id: &str,
        resource: &Value,
        if_match: Option<&str>,
        actor: &Actor,
    ) -> Result<Value, ScimError> {
        let body_id = resource
            .as_object()
            .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case("id")))
            .map(|(_, v)| v);
        if body_id.is_some_and(|v| !v.is_null() && v.as_str() != Some(id)) {
            return Err(ScimError::Mutability(
                "`id` cannot change: it must be absent or equal the user's id".into(),
            ));
        }
        let attributes = self.scim_rules().user_attributes(resource)?;
        self.update_user(org, id, if_match, actor, "replace", |_, _| {
            Ok((attributes, false))
        })
    }

    /// Applies a PATCH request (RFC 7644 §3.5.2) to a user under `If-Match`.
    pub fn scim_patch_user(
        &self,
        org: OrganizationSid,
        id: &str,
        patch: &Value,
        if_match: Option<&str>,
        actor: &Actor,
    ) -> Result<Value, ScimError> {
        let request = PatchRequest::parse(patch)?;
        let rules = self.scim_rules();
        self.update_user(org, id, if_match, actor, "patch", |user, url| {
            let patched = request.apply_with(&user.to_resource(url), rules)?;
            Ok((
                rules.user_attributes(&patched)?,
                request.unassigns("password"),
            ))
        })
    }

    /// The common part of replace and patch: find the user, check `If-Match`, make
    /// the new canonical attributes with `attributes` (and whether the password is
    /// to go), check uniqueness, store and audit.
    fn update_user(
        &self,
        org: OrganizationSid,
        id: &str,
        if_match: Option<&str>,
        actor: &Actor,
        operation: &str,
        attributes: impl FnOnce(UserRef<'_>, &str) -> Result<(Map<String, Value>, bool), ScimError>,
    ) -> Result<Value, ScimError> {
        let now = self.now();
        let url = self.users_url();
        let body = store::write(self.store(), |s| {
            let old = user_of(s, org, id)?;
            check_if_match(if_match, &old.version_tag())?;
            let (attributes, drop_password) = attributes(old, &url)?;
            let new = old.replaced_by(attributes, now, drop_password);
            if let Some(table) = s.users.get(&org) {
                table.check_unique(&new)?;
            }
            let details = json!({
                "organization_sid": org,
                "operation": operation,
                "changed": old.to_record().changed_attributes(&new),
                "version": new.version,
            });
            let deactivated = old.active() != Some(false) && new.active == Some(false);
            self.audit_user(s, now, types::SCIM_USER_UPDATED, actor, &new, details);
            if deactivated {
                self.revoke_authorizations_of(s, new.id, now, actor, "user deactivated");
            }
            let table = s.users.get_or_default(org);
            table.put(&new);
            Ok::<_, ScimError>(table.get(new.id).map(|u| u.to_resource(&url)))
        })?;
        body.ok_or_else(|| not_found(id))
    }

    /// Deletes a user under `If-Match`, with its role assignments.
    pub fn scim_delete_user(
        &self,
        org: OrganizationSid,
        id: &str,
        if_match: Option<&str>,
        actor: &Actor,
    ) -> Result<(), ScimError> {
        let now = self.now();
        store::write(self.store(), |s| {
            let user = user_of(s, org, id)?;
            check_if_match(if_match, &user.version_tag())?;
            let sid = user.id();
            let Some(user) = s.users.get_mut(&org).and_then(|t| t.remove(sid)) else {
                return Err(not_found(id));
            };
            let assignments = s
                .role_assignments
                .get_mut(&org)
                .map(|t| t.remove_identity(sid))
                .unwrap_or_default();
            let details = json!({
                "organization_sid": org,
                "userName": user.user_name,
                "role_assignments_deleted": assignments.iter().map(|a| a.sid).collect::<Vec<_>>(),
            });
            self.audit_user(s, now, types::SCIM_USER_DELETED, actor, &user, details);
            for assignment in &assignments {
                self.audit_assignment(s, now, types::ROLE_ASSIGNMENT_DELETED, actor, assignment);
            }
            self.revoke_authorizations_of(s, sid, now, actor, "user deleted");
            Ok(())
        })
    }

    /// `/ServiceProviderConfig`, with the engine's `{issuer}/scim/v2` as base.
    pub fn scim_service_provider_config(&self) -> Value {
        discovery::service_provider_config(&self.scim_base(), MAX_PAGE_COUNT)
    }

    /// `/ResourceTypes`.
    pub fn scim_resource_types(&self) -> Value {
        discovery::resource_types(&self.scim_base())
    }

    /// `/Schemas`, marking required what the engine's [`ScimRules`] require.
    pub fn scim_schemas(&self) -> Value {
        discovery::schemas_with(&self.scim_base(), self.scim_rules())
    }
}
