//! SCIM 2.0 (RFC 7643/7644): the User schema, the filter language and PATCH.
//!
//! Everything here is pure: resources are `serde_json::Value` objects, and the
//! engine stores them and calls these functions.

pub mod error;
pub mod filter;
pub mod schema;
