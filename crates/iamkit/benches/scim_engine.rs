//! The engine's SCIM user lists: a compound filter scanned over 100,000 stored users
//! (plain, and carrying the enterprise extension), a filter on an enterprise
//! attribute, and a `userName eq` answered from the index among 1,000,000.
//!
//! Run with `cargo bench --bench scim_engine`.

mod common;

use common::{engine_of, engine_with, enterprise_users, COMPOUND, ENTERPRISE};
use criterion::{black_box, Criterion};
use iamkit::UserQuery;

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

    let (engine, org, _) = engine_of(enterprise_users(100_000), 100_000);
    group.bench_function("list_compound_count0_100k_enterprise", |b| {
        b.iter(|| engine.scim_list_users(org, black_box(&compound)))
    });
    let department = query(
        &format!("{ENTERPRISE}:department eq \"Sales\" and active eq true"),
        Some(0),
    );
    let found = engine.scim_list_users(org, &department).expect("lists");
    println!(
        "the department filter matches {} of 100000 users",
        found.total_results
    );
    group.bench_function("list_enterprise_department_count0_100k", |b| {
        b.iter(|| engine.scim_list_users(org, black_box(&department)))
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
