//! Filter parsing and evaluation over 100,000 generated users.
//!
//! Run with `cargo bench --bench scim_filter`.

mod common;

use common::{users, COMPOUND};
use criterion::{black_box, Criterion};
use iamkit::scim::Filter;
use serde_json::Value;

const USERS: usize = 100_000;

fn bench(c: &mut Criterion) {
    c.bench_function("scim_filter/parse_compound", |b| {
        b.iter(|| Filter::parse(black_box(COMPOUND)))
    });

    let users: Vec<Value> = users(USERS).collect();
    let filter = Filter::parse(COMPOUND).expect("the benchmark filter parses");
    let matched = users.iter().filter(|u| filter.matches(u)).count();
    println!("compound filter matches {matched} of {USERS} users");
    let mut group = c.benchmark_group("scim_filter");
    group.sample_size(20);
    group.bench_function("eval_compound_100k", |b| {
        b.iter(|| {
            black_box(&users)
                .iter()
                .filter(|u| filter.matches(u))
                .count()
        })
    });
    // The same work on 1,000 users that stay in cache: the evaluator's own cost,
    // without waiting on memory.
    let hot: Vec<Value> = users.iter().take(1_000).cloned().collect();
    group.bench_function("eval_compound_1k_cached", |b| {
        b.iter(|| black_box(&hot).iter().filter(|u| filter.matches(u)).count())
    });
    // A floor for comparison: one plain `serde_json` member look-up per user.
    group.bench_function("baseline_serde_get_100k", |b| {
        b.iter(|| {
            black_box(&users)
                .iter()
                .filter(|u| u.get("userName").is_some())
                .count()
        })
    });
    let by_name = Filter::parse(r#"userName eq "USER99999.0@EXAMPLE.ORG""#).expect("parses");
    group.bench_function("eval_username_eq_100k", |b| {
        b.iter(|| {
            black_box(&users)
                .iter()
                .filter(|u| by_name.matches(u))
                .count()
        })
    });
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    bench(&mut criterion);
    criterion.final_summary();
}
