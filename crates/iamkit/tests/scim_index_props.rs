//! Property test: an `eq` filter on `id`, `userName` or `externalId` (alone or as
//! the first of `and`s) answered through the engine's indexes returns exactly the
//! users a full scan returns — the scan of stored users (the same filter behind
//! `not (not (…))`, which no index answers) and the scan of their JSON.

use iamkit::scim::Filter;
use iamkit::{Actor, Engine, OrganizationSid, UserQuery};
use proptest::prelude::*;
use serde_json::{json, Value};

/// A user to create: the local part of its email, its externalId, and whether it
/// is active.
type Spec = (String, Option<String>, bool);

fn local_part() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[abcéß]{1,3}").expect("regex")
}

fn specs() -> impl Strategy<Value = Vec<Spec>> {
    proptest::collection::vec(
        (
            local_part(),
            proptest::option::of(proptest::string::string_regex("[xXyY]{1,2}").expect("regex")),
            any::<bool>(),
        ),
        0..10,
    )
}

/// `s` with the case of some letters changed (`ß` may become `SS`).
fn recase(s: &str, flips: &[bool]) -> String {
    s.chars()
        .zip(flips.iter().copied().chain(std::iter::repeat(false)))
        .map(|(c, flip)| {
            if flip {
                c.to_uppercase().collect::<String>()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Creates the users (skipping the ones the uniqueness rules refuse) and returns
/// their JSON.
fn populate(engine: &Engine, org: OrganizationSid, specs: &[Spec], flips: &[bool]) -> Vec<Value> {
    specs
        .iter()
        .filter_map(|(local, external_id, active)| {
            let name = format!("{}@Example.com", recase(local, flips));
            let mut user = json!({"userName": name, "emails": [{"value": name}], "active": active});
            if let Some(e) = external_id {
                user["externalId"] = json!(e);
            }
            engine.scim_create_user(org, &user, &Actor::system()).ok()
        })
        .collect()
}

fn ids(engine: &Engine, org: OrganizationSid, filter: &str) -> Vec<String> {
    let query = UserQuery {
        filter: Some(filter.to_owned()),
        ..UserQuery::default()
    };
    engine
        .scim_list_users(org, &query)
        .expect("valid filter")
        .resources
        .iter()
        .filter_map(|u| u["id"].as_str().map(str::to_owned))
        .collect()
}

proptest! {
    #[test]
    fn index_lookups_match_full_scans(
        specs in specs(),
        flips in proptest::collection::vec(any::<bool>(), 8),
        attribute in 0..3usize,
        pick in any::<prop::sample::Index>(),
        query_flips in proptest::collection::vec(any::<bool>(), 40),
        stranger in local_part(),
        use_known in any::<bool>(),
        exact in any::<bool>(),
        rest in prop::sample::select(vec!["", " and active eq true", " and active eq false and userName pr", " and not (externalId pr)"]),
    ) {
        let engine = Engine::new();
        let org = engine.create_organization("Acme").expect("organization").sid;
        let users = populate(&engine, org, &specs, &flips);
        let name = ["id", "userName", "externalId"][attribute];
        let known: Vec<&str> = users.iter().filter_map(|u| u[name].as_str()).collect();
        let value = match (use_known, known.is_empty()) {
            (true, false) => known[pick.index(known.len())].to_owned(),
            _ => format!("{stranger}@example.com"),
        };
        let value = if exact { value } else { recase(&value, &query_flips) };
        let filter = format!("{name} eq {value:?}{rest}");
        let parsed = Filter::parse(&filter).expect("valid filter");
        prop_assert!(parsed.index_key().is_some());

        let indexed = ids(&engine, org, &filter);
        let scanned = ids(&engine, org, &format!("not (not ({filter}))"));
        let by_json: Vec<String> = users
            .iter()
            .filter(|u| parsed.matches(u))
            .filter_map(|u| u["id"].as_str().map(str::to_owned))
            .collect();
        prop_assert_eq!(&indexed, &scanned, "{}", filter);
        prop_assert_eq!(&indexed, &by_json, "{}", filter);
        prop_assert!(indexed.len() <= 1);
    }
}
