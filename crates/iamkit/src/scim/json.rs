//! Reading JSON objects as SCIM reads them: member names ignore ASCII case.

use serde_json::{Map, Value};

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
