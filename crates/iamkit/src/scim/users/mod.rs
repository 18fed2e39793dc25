//! How the engine keeps SCIM users: a [`table::UserTable`] per organization packs
//! each user ([`record::UserRecord`]) into a compact stored form
//! ([`stored::UserRef`] reads it in place), with indexes on `id`, `userName` and
//! `externalId`; filters and sorting read stored users through
//! [`view::UserView`], without building JSON.

pub(crate) mod record;
pub(crate) mod stored;
pub(crate) mod table;
pub(crate) mod view;
