//! Errors of roles and role assignments, with Twilio's numeric codes.
//!
//! | variant              | code                           | HTTP | Twilio |
//! |----------------------|--------------------------------|------|--------|
//! | `InvalidScope`       | `invalid_assignment_scope`     | 400  | 25200  |
//! | `InvalidIdentity`    | `invalid_assignment_identity`  | 400  | 25201  |
//! | `InvalidRole`        | `invalid_role`                 | 400  | 25202  |
//! | `MissingFilter`      | `missing_assignment_filter`    | 400  | 25203  |
//! | `Page`               | `invalid_page_size`, `invalid_page_token` | 400 | 20001 |
//! | `NotFound`           | `role_assignment_not_found`    | 404  | 20404  |
//! | `OrganizationNotFound` | `organization_not_found`     | 404  | 20404  |
//! | `AlreadyAssigned`    | `role_assignment_exists`       | 409  | 20409  |

pub(crate) use crate::error_code::shown;
use crate::error_code::{ErrorCode, UnknownOrganization};
use crate::ids::{OrganizationSid, RoleAssignmentSid};
use crate::paging::PageError;

/// Why a role or role-assignment request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RoleError {
    /// The scope is neither the organization's sid nor one of its accounts' sids.
    #[error("invalid scope {0:?}: use the organization's sid or one of its accounts' sids")]
    InvalidScope(String),
    /// The identity is not the sid of a user of the organization.
    #[error("invalid identity {0:?}: use the sid of a user of the organization")]
    InvalidIdentity(String),
    /// The role sid names no role.
    #[error("invalid role {0:?}: use the sid of one of the roles")]
    InvalidRole(String),
    /// A list of role assignments named neither an identity nor a scope.
    #[error("list role assignments by identity, by scope, or both")]
    MissingFilter,
    /// The page size or page token is refused.
    #[error(transparent)]
    Page(#[from] PageError),
    /// No role assignment of the organization has this sid.
    #[error("role assignment {0:?} not found")]
    NotFound(String),
    /// No organization has this sid.
    #[error("organization {0} not found")]
    OrganizationNotFound(OrganizationSid),
    /// The identity already holds this role in this scope.
    #[error("the identity already holds this role in this scope ({0})")]
    AlreadyAssigned(RoleAssignmentSid),
    /// The store could not keep the change; nothing was applied.
    #[error(transparent)]
    Store(#[from] crate::error_code::StoreError),
}

impl ErrorCode for RoleError {
    fn code(&self) -> &'static str {
        match self {
            Self::Store(e) => e.code(),
            Self::InvalidScope(_) => "invalid_assignment_scope",
            Self::InvalidIdentity(_) => "invalid_assignment_identity",
            Self::InvalidRole(_) => "invalid_role",
            Self::MissingFilter => "missing_assignment_filter",
            Self::Page(e) => e.code(),
            Self::NotFound(_) => "role_assignment_not_found",
            Self::OrganizationNotFound(_) => "organization_not_found",
            Self::AlreadyAssigned(_) => "role_assignment_exists",
        }
    }

    fn status(&self) -> u16 {
        match self {
            Self::Store(e) => e.status(),
            Self::Page(e) => e.status(),
            Self::NotFound(_) | Self::OrganizationNotFound(_) => 404,
            Self::AlreadyAssigned(_) => 409,
            _ => 400,
        }
    }

    fn twilio_code(&self) -> u32 {
        match self {
            Self::Store(e) => e.twilio_code(),
            Self::InvalidScope(_) => 25200,
            Self::InvalidIdentity(_) => 25201,
            Self::InvalidRole(_) => 25202,
            Self::MissingFilter => 25203,
            Self::Page(e) => e.twilio_code(),
            Self::NotFound(_) | Self::OrganizationNotFound(_) => 20404,
            Self::AlreadyAssigned(_) => 20409,
        }
    }
}

impl From<UnknownOrganization> for RoleError {
    fn from(UnknownOrganization(sid): UnknownOrganization) -> Self {
        RoleError::OrganizationNotFound(sid)
    }
}
