//! Reading JSON objects as SCIM reads them: member names ignore ASCII case.

use serde_json::{Map, Value};

use crate::scim::schema::AttrDef;

/// The member `name` of `map`, ignoring ASCII case.
///
/// A scan that compares lengths before bytes: the lengths sit in the map's nodes
/// while the key bytes are separate allocations, so this reads about one key's bytes
/// per lookup where `Map::get` reads every key it passes. Over many resources that
/// memory traffic is most of the cost of evaluating a filter.
pub(crate) fn get_ci<'a>(map: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    map.iter()
        .find(|(k, _)| k.len() == name.len() && k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
}

/// The value of the top-level attribute `def` in a resource: its member, or for an
/// extension's attribute, the member inside the extension's object.
pub(crate) fn member<'a>(resource: &'a Map<String, Value>, def: &AttrDef) -> Option<&'a Value> {
    match def.extension {
        Some(urn) => get_ci(get_ci(resource, urn)?.as_object()?, def.name),
        None => get_ci(resource, def.name),
    }
}

/// Whether a member of an extension's object is `schemas`, which some clients
/// (scim2-models) put there; it is ignored, as the resource's own `schemas` is.
pub(crate) fn is_schemas(key: &str) -> bool {
    key.eq_ignore_ascii_case("schemas")
}
