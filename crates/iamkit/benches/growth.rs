//! How cost grows with the number of users: a client-credentials token issue, the
//! compound filter scanned over every user (`count=0`), and a `userName eq` look-up
//! answered from the index, at 10³, 10⁵ and 10⁶ users in one organization.
//!
//! `cargo bench -p iamkit --bench growth`
#![allow(missing_docs)] // criterion_group! generates undocumented functions

mod common;

use std::time::Duration;

use common::{engine_with, COMPOUND};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use iamkit::{Actor, NewApp, OwnerSid, TokenRequest, UserQuery};

fn growth(c: &mut Criterion) {
    let mut group = c.benchmark_group("growth");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for n in [1_000usize, 100_000, 1_000_000] {
        let (engine, org, probe) = engine_with(n);
        let app = engine
            .create_app(
                NewApp::client_credentials(
                    OwnerSid::Organization(org),
                    "bench",
                    &["managed-users/list"],
                ),
                &Actor::admin(),
            )
            .expect("app");
        let request = TokenRequest::client_credentials(
            &app.app.client_id.to_string(),
            app.client_secret.expose(),
        );
        group.bench_function(BenchmarkId::new("issue", n), |b| {
            b.iter(|| engine.token(black_box(&request)).expect("token"))
        });
        let scan = UserQuery {
            filter: Some(COMPOUND.to_owned()),
            count: Some(0),
            ..UserQuery::default()
        };
        group.bench_function(BenchmarkId::new("scan", n), |b| {
            b.iter(|| {
                engine
                    .scim_list_users(org, black_box(&scan))
                    .expect("lists")
            })
        });
        let lookup = UserQuery {
            filter: Some(format!("userName eq {probe:?}")),
            ..UserQuery::default()
        };
        let found = engine.scim_list_users(org, &lookup).expect("lists");
        assert_eq!(found.total_results, 1, "the look-up finds its user");
        group.bench_function(BenchmarkId::new("lookup", n), |b| {
            b.iter(|| {
                engine
                    .scim_list_users(org, black_box(&lookup))
                    .expect("lists")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, growth);
criterion_main!(benches);
