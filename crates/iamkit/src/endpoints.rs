//! The organization API that permissions guard, described once: each endpoint,
//! the methods and path templates that reach it, and the permission it needs. The
//! organization [`Catalogue`](crate::Catalogue) is made from this table, and the
//! emulator's router serves exactly these routes.
//!
//! Each endpoint is reachable in the documented layout (`/scim/v2/Users`,
//! `/v2/Organizations/RoleAssignments`) and the SDK layout
//! (`/Organizations/{OR}/scim/Users`, `/Organizations/{OR}/RoleAssignments`).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An HTTP method of an endpoint, as a permission allows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// `GET` (also answers `HEAD`).
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
}

/// A method name that is not one of `GET HEAD POST PUT PATCH DELETE`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown HTTP method {0:?}")]
pub struct UnknownMethod(pub String);

impl FromStr for Method {
    type Err = UnknownMethod;
    fn from_str(s: &str) -> Result<Self, UnknownMethod> {
        match s.to_ascii_uppercase().as_str() {
            "GET" | "HEAD" => Ok(Method::Get),
            "POST" => Ok(Method::Post),
            "PUT" => Ok(Method::Put),
            "PATCH" => Ok(Method::Patch),
            "DELETE" => Ok(Method::Delete),
            _ => Err(UnknownMethod(s.chars().take(16).collect())),
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        })
    }
}

/// An endpoint of the organization API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// List SCIM users (`GET …/Users`).
    ListUsers,
    /// Search SCIM users with a SearchRequest body (RFC 7644 §3.4.3).
    SearchUsers,
    /// Create a SCIM user.
    CreateUser,
    /// Read a SCIM user.
    FetchUser,
    /// Replace a SCIM user (`PUT`).
    ReplaceUser,
    /// Patch a SCIM user (`PATCH`).
    PatchUser,
    /// Delete a SCIM user.
    DeleteUser,
    /// List role assignments.
    ListRoleAssignments,
    /// Create a role assignment.
    CreateRoleAssignment,
    /// Delete a role assignment.
    DeleteRoleAssignment,
    /// List the roles.
    ListRoles,
}

impl Endpoint {
    /// The permission (OAuth scope) a token needs to call it.
    pub fn permission(self) -> &'static str {
        match self {
            Endpoint::FetchUser => "managed-users/read",
            Endpoint::ListUsers | Endpoint::SearchUsers => "managed-users/list",
            Endpoint::CreateUser => "managed-users/create",
            Endpoint::ReplaceUser | Endpoint::PatchUser => "managed-users/update",
            Endpoint::DeleteUser => "managed-users/delete",
            Endpoint::ListRoleAssignments => "role-assignments/list",
            Endpoint::CreateRoleAssignment => "role-assignments/create",
            Endpoint::DeleteRoleAssignment => "role-assignments/delete",
            Endpoint::ListRoles => "roles/list",
        }
    }

    /// Whether it is a SCIM endpoint (SCIM media type and error bodies).
    pub fn is_scim(self) -> bool {
        self.permission().starts_with("managed-users/")
    }
}

/// One way to reach an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointRoute {
    /// The endpoint reached.
    pub endpoint: Endpoint,
    /// The method.
    pub method: Method,
    /// The path template: `{XX}` is a sid with prefix `XX`; `{OR}` is the
    /// organization, which must be the token's.
    pub path: &'static str,
}

/// Where the role-assignment list is served in the documented layout (the links of
/// a [`crate::RoleAssignmentPage`] point here unless the caller serves it elsewhere).
pub const ROLE_ASSIGNMENTS: &str = "/v2/Organizations/RoleAssignments";

/// Where an organization's accounts are listed (the links of an
/// [`crate::AccountPage`] point here).
pub fn organization_accounts(organization: crate::OrganizationSid) -> String {
    format!("/Organizations/{organization}/Accounts")
}

const fn route(endpoint: Endpoint, method: Method, path: &'static str) -> EndpointRoute {
    EndpointRoute {
        endpoint,
        method,
        path,
    }
}

/// Every route of the organization API, grouped by permission in catalogue order.
pub const ORGANIZATION_ROUTES: &[EndpointRoute] = {
    use Endpoint::*;
    use Method::*;
    &[
        route(FetchUser, Get, "/scim/v2/Users/{US}"),
        route(FetchUser, Get, "/Organizations/{OR}/scim/Users/{US}"),
        route(ListUsers, Get, "/scim/v2/Users"),
        route(SearchUsers, Post, "/scim/v2/Users/.search"),
        route(SearchUsers, Post, "/scim/v2/.search"),
        route(ListUsers, Get, "/Organizations/{OR}/scim/Users"),
        route(SearchUsers, Post, "/Organizations/{OR}/scim/Users/.search"),
        route(SearchUsers, Post, "/Organizations/{OR}/scim/.search"),
        route(CreateUser, Post, "/scim/v2/Users"),
        route(CreateUser, Post, "/Organizations/{OR}/scim/Users"),
        route(ReplaceUser, Put, "/scim/v2/Users/{US}"),
        route(PatchUser, Patch, "/scim/v2/Users/{US}"),
        route(ReplaceUser, Put, "/Organizations/{OR}/scim/Users/{US}"),
        route(PatchUser, Patch, "/Organizations/{OR}/scim/Users/{US}"),
        route(DeleteUser, Delete, "/scim/v2/Users/{US}"),
        route(DeleteUser, Delete, "/Organizations/{OR}/scim/Users/{US}"),
        route(ListRoleAssignments, Get, ROLE_ASSIGNMENTS),
        route(
            ListRoleAssignments,
            Get,
            "/Organizations/{OR}/RoleAssignments",
        ),
        route(CreateRoleAssignment, Post, ROLE_ASSIGNMENTS),
        route(
            CreateRoleAssignment,
            Post,
            "/Organizations/{OR}/RoleAssignments",
        ),
        route(
            DeleteRoleAssignment,
            Delete,
            "/v2/Organizations/RoleAssignments/{IY}",
        ),
        route(
            DeleteRoleAssignment,
            Delete,
            "/Organizations/{OR}/RoleAssignments/{IY}",
        ),
        route(ListRoles, Get, "/v2/Organizations/Roles"),
        route(ListRoles, Get, "/Organizations/{OR}/Roles"),
    ]
};
