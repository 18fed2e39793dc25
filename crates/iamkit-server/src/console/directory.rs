//! The organizations in the Console: the overview (accounts, users with their
//! roles, apps of both levels), SCIM users found with a SCIM filter, and a user's
//! details and role assignments.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use iamkit::{
    App, AppError, Engine, OrganizationSid, OwnerSid, Projection, RoleAssignmentQuery, ScimError,
    Sid, UserQuery, UserSid,
};
use serde::Deserialize;
use serde_json::Value;

use super::session::Session;
use super::view::{self, render, Chrome, Notice};
use crate::app_state::AppState;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/console/organizations/{sid}/users", get(users))
        .route("/console/organizations/{sid}/users/{id}", get(user))
}

/// An app as the lists show it.
pub struct AppRow {
    pub client_id: String,
    pub name: String,
    pub grant_type: String,
    pub scopes: usize,
}

fn app_rows(apps: Vec<App>) -> Vec<AppRow> {
    apps.into_iter()
        .map(|a| AppRow {
            client_id: a.client_id.to_string(),
            grant_type: a.grant_type.to_string(),
            scopes: a.scopes.len(),
            name: a.name,
        })
        .collect()
}

/// An account with its apps.
pub struct AccountView {
    pub sid: String,
    pub name: String,
    pub owner: String,
    pub apps: Vec<AppRow>,
}

/// A user as the overview shows it.
pub struct UserRow {
    pub sid: String,
    pub user_name: String,
    pub roles: String,
    pub active: bool,
    pub sso: bool,
}

/// One organization of the overview.
pub struct OrganizationView {
    pub sid: String,
    pub name: String,
    pub accounts: Vec<AccountView>,
    pub users: Vec<UserRow>,
    pub apps: Vec<AppRow>,
}

fn organization_view(engine: &Engine, organization: iamkit::Organization) -> OrganizationView {
    let users = engine.users(organization.sid);
    let name_of = |sid: Option<UserSid>| {
        sid.map_or_else(
            || "none".to_owned(),
            |sid| {
                users
                    .iter()
                    .find(|u| u.sid == sid)
                    .map_or_else(|| sid.to_string(), |u| u.user_name.clone())
            },
        )
    };
    let accounts = engine
        .accounts(organization.sid)
        .unwrap_or_default()
        .into_iter()
        .map(|a| AccountView {
            apps: app_rows(engine.apps(OwnerSid::Account(a.sid))),
            owner: name_of(a.owner_sid),
            sid: a.sid.to_string(),
            name: a.name,
        })
        .collect();
    let mut apps = engine.apps(OwnerSid::Organization(organization.sid));
    apps.retain(|a| a.owner.account_sid().is_none());
    OrganizationView {
        apps: app_rows(apps),
        users: users
            .iter()
            .map(|u| UserRow {
                sid: u.sid.to_string(),
                user_name: u.user_name.clone(),
                roles: u
                    .roles
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                active: u.active,
                sso: u.sso,
            })
            .collect(),
        accounts,
        sid: organization.sid.to_string(),
        name: organization.name,
    }
}

#[derive(Template)]
#[template(path = "console/overview.html")]
struct Overview {
    chrome: Chrome,
    organizations: Vec<OrganizationView>,
}

/// `GET /console`: every organization with its accounts, users and apps.
pub async fn overview(
    State(app): State<Arc<AppState>>,
    Extension(session): Extension<Session>,
) -> Response {
    let chrome = Chrome::new(&session, "overview");
    let organizations = app
        .engine
        .organizations()
        .into_iter()
        .map(|o| organization_view(&app.engine, o))
        .collect();
    render(
        &chrome.clone(),
        &Overview {
            chrome,
            organizations,
        },
    )
}

fn organization(engine: &Engine, sid: &str) -> Result<iamkit::Organization, Notice> {
    OrganizationSid::parse(sid)
        .map_err(AppError::from)
        .and_then(|sid| engine.organization(sid))
        .map_err(|e| Notice::error(&e))
}

/// A SCIM user as the list shows it.
pub struct ScimRow {
    pub id: String,
    pub user_name: String,
    pub display_name: String,
    pub external_id: String,
    pub active: bool,
}

fn text_of(resource: &Value, name: &str) -> String {
    resource
        .get(name)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// Where a filter is malformed: the filter and a marker under the offending
/// character.
pub struct FilterMark {
    pub filter: String,
    pub marker: String,
}

#[derive(Template)]
#[template(path = "console/users.html")]
struct UsersPage {
    chrome: Chrome,
    organization: String,
    organization_sid: String,
    filter: String,
    mark: Option<FilterMark>,
    total: usize,
    users: Vec<ScimRow>,
}

#[derive(Deserialize)]
struct FilterQuery {
    #[serde(default)]
    filter: String,
}

/// `GET /console/organizations/{sid}/users?filter=…`: the organization's SCIM users
/// that match a SCIM filter (the first 100), or the filter's error and where it is.
async fn users(
    State(app): State<Arc<AppState>>,
    Extension(session): Extension<Session>,
    Path(org): Path<String>,
    Query(query): Query<FilterQuery>,
) -> Response {
    let chrome = Chrome::new(&session, "overview");
    let organization = match organization(&app.engine, &org) {
        Ok(organization) => organization,
        Err(notice) => return view::refusal(chrome.with(notice)),
    };
    let filter = query.filter.trim().to_owned();
    let listed = app.engine.scim_list_users(
        organization.sid,
        &UserQuery {
            filter: (!filter.is_empty()).then(|| filter.clone()),
            ..UserQuery::default()
        },
    );
    let (chrome, mark, total, users) = match listed {
        Ok(list) => {
            let users = list
                .resources
                .iter()
                .map(|r| ScimRow {
                    id: text_of(r, "id"),
                    user_name: text_of(r, "userName"),
                    display_name: text_of(r, "displayName"),
                    external_id: text_of(r, "externalId"),
                    active: r.get("active").and_then(Value::as_bool) != Some(false),
                })
                .collect();
            (chrome, None, list.total_results, users)
        }
        Err(e) => {
            let mark = match &e {
                ScimError::InvalidFilter { position, .. } => Some(FilterMark {
                    marker: format!(
                        "{}^",
                        " ".repeat(filter.get(..*position).map_or(0, |s| s.chars().count()))
                    ),
                    filter: filter.clone(),
                }),
                _ => None,
            };
            (chrome.with(Notice::error(&e)), mark, 0, Vec::new())
        }
    };
    let page = UsersPage {
        chrome: chrome.clone(),
        organization: organization.name,
        organization_sid: organization.sid.to_string(),
        filter,
        mark,
        total,
        users,
    };
    render(&chrome, &page)
}

/// A role assignment as the user's page shows it.
pub struct AssignmentRow {
    pub sid: String,
    pub role: String,
    pub scope: String,
    pub date_created: String,
}

#[derive(Template)]
#[template(path = "console/user.html")]
struct UserPage {
    chrome: Chrome,
    organization_sid: String,
    user_name: String,
    sid: String,
    sso: bool,
    resource: String,
    assignments: Vec<AssignmentRow>,
}

/// `GET /console/organizations/{sid}/users/{id}`: the SCIM resource and the role
/// assignments of one user.
async fn user(
    State(app): State<Arc<AppState>>,
    Extension(session): Extension<Session>,
    Path((org, id)): Path<(String, String)>,
) -> Response {
    let chrome = Chrome::new(&session, "overview");
    let organization = match organization(&app.engine, &org) {
        Ok(organization) => organization,
        Err(notice) => return view::refusal(chrome.with(notice)),
    };
    let resource = match app
        .engine
        .scim_get_user(organization.sid, &id, &Projection::default())
    {
        Ok(resource) => resource,
        Err(e) => return view::refusal(chrome.with(Notice::error(&e))),
    };
    let roles = app.engine.roles();
    let listed = app.engine.role_assignments(
        organization.sid,
        &RoleAssignmentQuery {
            identity: Some(id.clone()),
            ..RoleAssignmentQuery::default()
        },
    );
    let page = match listed {
        Ok(page) => page,
        Err(e) => return view::refusal(chrome.with(Notice::error(&e))),
    };
    let assignments = page
        .content
        .into_iter()
        .map(|a| AssignmentRow {
            role: roles
                .iter()
                .find(|r| r.sid == a.role_sid)
                .map_or_else(|| a.role_sid.to_string(), |r| r.friendly_name.to_owned()),
            sid: a.sid.to_string(),
            scope: a.scope.to_string(),
            date_created: crate::admin::rfc3339(a.date_created),
        })
        .collect();
    let sso = UserSid::parse(&id)
        .ok()
        .and_then(|sid| app.engine.user(sid).ok())
        .is_some_and(|u| u.sso);
    let page = UserPage {
        chrome: chrome.clone(),
        organization_sid: organization.sid.to_string(),
        user_name: text_of(&resource, "userName"),
        sid: id,
        sso,
        resource: serde_json::to_string_pretty(&resource).unwrap_or_default(),
        assignments,
    };
    render(&chrome, &page)
}
