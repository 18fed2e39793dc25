//! SCIM 2.0 (RFC 7643/7644): the User schema, the filter language and PATCH.
//!
//! Everything here is pure. The protocol functions work on `serde_json::Value`
//! objects (the SCIM JSON form of a User); the engine keeps its users in a compact
//! typed form (`users`, crate-internal) that filters and sorting read through
//! [`filter::Attributes`].
//!
//! - [`filter::Filter`]: parse a filter once, test it against many users, find an
//!   index look-up with [`filter::Filter::index_key`].
//! - [`patch::apply_patch`]: apply a PATCH request atomically.
//! - [`validate::ScimRules`]: the rule set users follow (Twilio's by default, or only
//!   RFC 7643's), and [`ScimRules::validate_user`] to check one user against it.
//! - [`projection::Projection`], [`sort::Sort`]: `attributes`/`excludedAttributes`
//!   and `sortBy`/`sortOrder`.
//! - [`query`]: listing users (query string or SearchRequest), paged.
//! - [`discovery`]: ServiceProviderConfig, ResourceTypes and Schemas documents.
//! - [`etag`]: `meta.version` tags and `If-Match`.
//! - [`error::ScimError`]: every failure, with its `scimType`, status and body.

pub mod discovery;
pub mod error;
pub mod etag;
pub mod filter;
pub(crate) mod fold;
pub(crate) mod input;
pub(crate) mod json;
pub mod patch;
pub mod path;
pub mod projection;
pub mod query;
pub mod schema;
pub mod sort;
pub(crate) mod user_name;
pub(crate) mod users;
pub mod validate;

pub use error::ScimError;
pub use etag::check_if_match;
pub use filter::Filter;
pub use patch::{apply_patch, PatchRequest};
pub use path::PatchPath;
pub use projection::Projection;
pub use query::{UserList, UserQuery, MAX_PAGE_COUNT};
pub use sort::{Sort, SortOrder};
pub use validate::{validate_user, ScimRules};
