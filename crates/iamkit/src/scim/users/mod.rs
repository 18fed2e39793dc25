//! How the engine keeps SCIM users: a compact typed [`record::UserRecord`] per
//! user, read by filters through [`view::UserView`] without building JSON, and a
//! [`table::UserTable`] per organization with its indexes.

pub(crate) mod record;
pub(crate) mod table;
pub(crate) mod view;
