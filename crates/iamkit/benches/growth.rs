//! How cost grows with the number of users: a client-credentials token issue, the
//! compound filter scanned over every user (`count=0`), and a `userName eq` look-up
//! answered from the index, at 10³, 10⁵ and 10⁶ users in one organization.
//!
//! `cargo bench -p iamkit --bench growth`
#![allow(missing_docs)] // criterion_group! generates undocumented functions

mod common;

use std::time::Duration;

use common::users;
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use iamkit::{Actor, Engine, EngineConfig, NewApp, OwnerSid, TokenRequest, UserQuery};

const COMPOUND: &str =
    r#"(title pr or emails[type eq "work" and value co "@example.com"]) and not (active eq false)"#;

fn growth(c: &mut Criterion) {
    let mut group = c.benchmark_group("growth");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for n in [1_000usize, 100_000, 1_000_000] {
        // No audit log, so that holding a million users stays lean.
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
