//! SCIM users of an organization (RFC 7643/7644, as Twilio serves them): create,
//! get, list, replace, patch and delete, and the discovery documents.
//!
//! Rules and choices:
//! - Every write checks the user against the engine's [`ScimRules`]
//!   ([`EngineConfig::scim_rules`](crate::EngineConfig::scim_rules)): Twilio's by
//!   default, or only RFC 7643's; the Schemas document follows the same rule set.
//! - A user belongs to one organization; another organization's user is not found
//!   (404), as is an unknown organization.
//! - The engine owns `id` (`US…`), `meta` and `schemas`. On create, a client's `id`
//!   and `meta` are ignored; on replace, an `id` other than the user's is
//!   `mutability` (400), and `meta` is ignored.
//! - `userName` is unique in the organization ignoring case, `externalId` exactly;
//!   a clash is `uniqueness` (409) on create, replace and patch.
//! - `meta.version` is `W/"n"`, `n` counting the user's writes from 1; `If-Match`
//!   on replace, patch and delete must match it (else 412 `preconditionFailed`).
//! - Lists run in creation order unless sorted; `startIndex` below 1 counts as 1;
//!   `count` defaults to and is capped at [`MAX_PAGE_COUNT`] (0 gives only
//!   `totalResults`). An `eq` on `id`, `userName` or `externalId`, alone or first
//!   in a chain of `and`s, is answered from an index.

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::Engine;
use crate::audit::{types, Actor};
use crate::ids::{OrganizationSid, Sid, UserSid};
use crate::scim::discovery::{self, LIST_RESPONSE_URN, SEARCH_REQUEST_URN};
use crate::scim::filter::{IndexAttribute, IndexKey};
use crate::scim::json::get_ci;
use crate::scim::users::record::UserRecord;
use crate::scim::users::stored::UserRef;
use crate::scim::users::table::UserTable;
use crate::scim::users::view::UserView;
use crate::scim::{check_if_match, Filter, PatchRequest, Projection, ScimError, ScimRules, Sort};
use crate::store::{self, State};

/// The most users one list response holds; a larger `count` is cut to it.
pub const MAX_PAGE_COUNT: usize = 1000;

/// The query parameters of a list of users (RFC 7644 §3.4.2), as received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserQuery {
    /// `filter`.
    pub filter: Option<String>,
    /// `sortBy`.
    pub sort_by: Option<String>,
    /// `sortOrder`: `ascending` (default) or `descending`; ignored without `sortBy`.
    pub sort_order: Option<String>,
    /// `startIndex`: 1-based; values below 1 count as 1.
    pub start_index: Option<usize>,
    /// `count`: at most [`MAX_PAGE_COUNT`] (the default); 0 returns no users.
    pub count: Option<usize>,
    /// `attributes`.
    pub attributes: Option<String>,
    /// `excludedAttributes`.
    pub excluded_attributes: Option<String>,
}

impl UserQuery {
    /// The query of a SearchRequest body (`POST /.search`, RFC 7644 §3.4.3):
    /// `{"schemas": [SearchRequest URN], "attributes": [..], "excludedAttributes":
    /// [..], "filter", "sortBy", "sortOrder", "startIndex", "count"}`, member names
    /// ignoring case, every member but `schemas` optional. A body that is not an
    /// object, lacks the URN or has an unknown member is `invalidSyntax`; a member
    /// of the wrong type is `invalidValue`. Negative `startIndex` and `count` count
    /// as in a query string (1 and 0).
    pub fn from_search_request(body: &Value) -> Result<Self, ScimError> {
        const MEMBERS: [&str; 8] = [
            "schemas",
            "attributes",
            "excludedAttributes",
            "filter",
            "sortBy",
            "sortOrder",
            "startIndex",
            "count",
        ];
        let obj = body.as_object().ok_or_else(|| {
            ScimError::InvalidSyntax("a SearchRequest must be a JSON object".into())
        })?;
        if let Some(key) = obj
            .keys()
            .find(|k| !MEMBERS.iter().any(|m| m.eq_ignore_ascii_case(k)))
        {
            return Err(ScimError::InvalidSyntax(format!(
                "unknown SearchRequest member `{key}`"
            )));
        }
        let names_urn = get_ci(obj, "schemas")
            .and_then(Value::as_array)
            .is_some_and(|s| {
                s.iter().any(|u| {
                    u.as_str()
                        .is_some_and(|u| u.eq_ignore_ascii_case(SEARCH_REQUEST_URN))
                })
            });
        if !names_urn {
            return Err(ScimError::InvalidSyntax(format!(
                "`schemas` must be [{SEARCH_REQUEST_URN:?}]"
            )));
        }
        let wrong =
            |name: &str, what: &str| ScimError::InvalidValue(format!("`{name}` must be {what}"));
        let text = |name: &str| match get_ci(obj, name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(wrong(name, "a string")),
        };
        let list = |name: &str| match get_ci(obj, name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| i.as_str().ok_or_else(|| wrong(name, "an array of strings")))
                .collect::<Result<Vec<_>, _>>()
                .map(|names| Some(names.join(","))),
            Some(_) => Err(wrong(name, "an array of strings")),
        };
        let number = |name: &str, negative: usize| match get_ci(obj, name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) if n.is_u64() => {
                Ok(n.as_u64().map(|n| usize::try_from(n).unwrap_or(usize::MAX)))
            }
            Some(Value::Number(n)) if n.is_i64() => Ok(Some(negative)),
            Some(_) => Err(wrong(name, "a whole number")),
        };
        Ok(Self {
            filter: text("filter")?,
            sort_by: text("sortBy")?,
            sort_order: text("sortOrder")?,
            start_index: number("startIndex", 1)?,
            count: number("count", 0)?,
            attributes: list("attributes")?,
            excluded_attributes: list("excludedAttributes")?,
        })
    }
}

/// A SCIM ListResponse of users. Serializes with `Resources` first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserList {
    /// The users of this page, projected.
    #[serde(rename = "Resources")]
    pub resources: Vec<Value>,
    /// How many users this page holds.
    #[serde(rename = "itemsPerPage")]
    pub items_per_page: usize,
    /// The ListResponse schema URN.
    pub schemas: Vec<&'static str>,
    /// The 1-based index of this page's first user.
    #[serde(rename = "startIndex")]
    pub start_index: usize,
    /// How many users match in all.
    #[serde(rename = "totalResults")]
    pub total_results: usize,
}

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

/// The object `resource` without the members the engine owns (`meta`, and on
/// create `id`), ignoring case as SCIM does.
fn writable(resource: &Value, drop_id: bool) -> Result<Value, ScimError> {
    let obj = resource
        .as_object()
        .ok_or_else(|| ScimError::InvalidSyntax("a User must be a JSON object".into()))?;
    let owned =
        |k: &str| k.eq_ignore_ascii_case("meta") || (drop_id && k.eq_ignore_ascii_case("id"));
    let kept: Map<String, Value> = obj
        .iter()
        .filter(|(k, _)| !owned(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(Value::Object(kept))
}

/// The user found through the index an `eq` filter names, if any.
fn lookup<'t>(table: &'t UserTable, key: IndexKey<'_>) -> Option<UserRef<'t>> {
    match key.attribute {
        IndexAttribute::Id => UserSid::parse(key.value).ok().and_then(|id| table.get(id)),
        IndexAttribute::UserName => table.by_user_name(key.value),
        IndexAttribute::ExternalId => table.by_external_id(key.value),
    }
}

/// Counts `matching` users and keeps the page `skip..skip + count` of them, in
/// `sort` order if given.
fn page<'a>(
    matching: impl Iterator<Item = UserView<'a>>,
    sort: Option<&Sort>,
    skip: usize,
    count: usize,
) -> (usize, Vec<UserView<'a>>) {
    match sort {
        Some(sort) if count > 0 => {
            let mut all: Vec<UserView<'a>> = matching.collect();
            let total = all.len();
            sort.sort_resources(&mut all);
            (total, all.into_iter().skip(skip).take(count).collect())
        }
        _ => {
            let mut total = 0;
            let mut kept = Vec::new();
            for user in matching {
                if total >= skip && kept.len() < count {
                    kept.push(user);
                }
                total += 1;
            }
            (total, kept)
        }
    }
}

impl Engine {
    /// The SCIM root: `{issuer}/scim/v2`.
    fn scim_base(&self) -> String {
        format!("{}/scim/v2", self.config.issuer)
    }

    /// The rules SCIM users follow in this engine.
    fn scim_rules(&self) -> ScimRules {
        self.config.scim_rules
    }

    /// The Users endpoint, under which `meta.location` points.
    fn users_url(&self) -> String {
        format!("{}/scim/v2/Users", self.config.issuer)
    }

    /// Creates a user (the 201 body): validates it, gives it an id and `meta`, and
    /// records `scim-users.created`.
    pub fn scim_create_user(
        &self,
        org: OrganizationSid,
        resource: &Value,
        actor: &Actor,
    ) -> Result<Value, ScimError> {
        let resource = writable(resource, true)?;
        self.scim_rules().validate_user(&resource)?;
        let now = self.now();
        let record = UserRecord::new(UserSid::generate(), &resource, now);
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
        let filter = query.filter.as_deref().map(Filter::parse).transpose()?;
        let sort = query
            .sort_by
            .as_deref()
            .map(|by| Sort::parse(by, query.sort_order.as_deref()))
            .transpose()?;
        let projection = Projection::parse(
            query.attributes.as_deref(),
            query.excluded_attributes.as_deref(),
        )?;
        let start_index = query.start_index.unwrap_or(1).max(1);
        let count = query.count.unwrap_or(MAX_PAGE_COUNT).min(MAX_PAGE_COUNT);
        let url = self.users_url();
        let (total_results, resources) = store::read(self.store(), |s| {
            let Some(table) = users_of(s, org)? else {
                return Ok((0, Vec::new()));
            };
            let view = |user| UserView {
                user,
                users_url: &url,
            };
            let matches = |v: &UserView<'_>| filter.as_ref().is_none_or(|f| f.matches_resource(v));
            let skip = start_index - 1;
            let (total, kept) = match filter.as_ref().and_then(Filter::index_key) {
                Some(key) => {
                    let found = lookup(table, key).map(view).filter(matches);
                    page(found.into_iter(), sort.as_ref(), skip, count)
                }
                None => page(
                    table.iter().map(view).filter(matches),
                    sort.as_ref(),
                    skip,
                    count,
                ),
            };
            let resources = kept
                .iter()
                .map(|v| projection.apply_owned(v.user.to_resource(&url)))
                .collect();
            Ok::<_, ScimError>((total, resources))
        })?;
        Ok(UserList {
            items_per_page: resources.len(),
            resources,
            schemas: vec![LIST_RESPONSE_URN],
            start_index,
            total_results,
        })
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
        let resource = writable(resource, false)?;
        let body_id = resource
            .as_object()
            .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case("id")))
            .map(|(_, v)| v);
        if body_id.is_some_and(|v| v.as_str() != Some(id)) {
            return Err(ScimError::Mutability(
                "`id` cannot change: it must be absent or equal the user's id".into(),
            ));
        }
        self.scim_rules().validate_user(&resource)?;
        self.update_user(org, id, if_match, actor, "replace", |_, _| {
            Ok(resource.clone())
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
        self.update_user(org, id, if_match, actor, "patch", |user, url| {
            request.apply_with(&user.to_resource(url), self.scim_rules())
        })
    }

    /// The common part of replace and patch: find the user, check `If-Match`, make
    /// the new attributes with `attributes`, check uniqueness, store and audit.
    fn update_user(
        &self,
        org: OrganizationSid,
        id: &str,
        if_match: Option<&str>,
        actor: &Actor,
        operation: &str,
        attributes: impl FnOnce(UserRef<'_>, &str) -> Result<Value, ScimError>,
    ) -> Result<Value, ScimError> {
        let now = self.now();
        let url = self.users_url();
        let body = store::write(self.store(), |s| {
            let old = user_of(s, org, id)?;
            check_if_match(if_match, &old.version_tag())?;
            let new = old.replaced_by(&attributes(old, &url)?, now);
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
