//! The engine's SCIM user lists: a compound filter scanned over 100,000 stored users,
//! and a `userName eq` answered from the index among 1,000,000.
//!
//! Run with `cargo bench --bench scim_engine`.

mod common;

use common::users;
use criterion::{black_box, Criterion};
use iamkit::{Actor, Engine, EngineConfig, OrganizationSid, UserQuery};

const COMPOUND: &str =
    r#"(title pr or emails[type eq "work" and value co "@example.com"]) and not (active eq false)"#;

/// An engine with `n` generated users in one organization (no audit log, so the
/// setup stays lean), and the upper-cased `userName` of the user three quarters in.
fn engine_with(n: usize) -> (Engine, OrganizationSid, String) {
    let config = EngineConfig {
        audit_capacity: 0,
        ..EngineConfig::default()
    };
    let engine = Engine::builder().config(config).build().expect("engine");
    let org = engine
        .create_organization("Bench")
        .expect("organization")
        .sid;
    let mut probe = String::new();
    for (i, user) in users(n).enumerate() {
        if i == n * 3 / 4 {
            probe = user["userName"].as_str().unwrap_or_default().to_uppercase();
        }
        engine
            .scim_create_user(org, &user, &Actor::system())
            .expect("generated users are valid");
    }
    (engine, org, probe)
}

fn query(filter: &str, count: Option<usize>) -> UserQuery {
    UserQuery {
        filter: Some(filter.to_owned()),
        count,
        ..UserQuery::default()
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("scim_engine");
    group.sample_size(20);

    let (engine, org, _) = engine_with(100_000);
    let compound = query(COMPOUND, Some(0));
    let total = engine.scim_list_users(org, &compound).expect("lists");
    println!(
        "compound filter matches {} of 100000 users",
        total.total_results
    );
    group.bench_function("list_compound_count0_100k", |b| {
        b.iter(|| engine.scim_list_users(org, black_box(&compound)))
    });
    let first_page = query(COMPOUND, Some(100));
    group.bench_function("list_compound_page100_100k", |b| {
        b.iter(|| engine.scim_list_users(org, black_box(&first_page)))
    });
    drop(engine);

    let (engine, org, probe) = engine_with(1_000_000);
    // Upper case: the index folds case as the filter compares it.
    let by_name = query(&format!("userName eq {probe:?}"), None);
    let found = engine.scim_list_users(org, &by_name).expect("lists");
    println!("userName eq finds {} of 1000000 users", found.total_results);
    group.bench_function("list_username_eq_1m", |b| {
        b.iter(|| engine.scim_list_users(org, black_box(&by_name)))
    });
    let counted = query(&format!("userName eq {probe:?}"), Some(0));
    group.bench_function("list_username_eq_count0_1m", |b| {
        b.iter(|| engine.scim_list_users(org, black_box(&counted)))
    });
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
}
