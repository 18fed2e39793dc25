//! Filter parsing and evaluation over 100,000 generated users.
//!
//! Run with `cargo bench --bench scim_filter`.

use criterion::{black_box, Criterion};
use iamkit::scim::Filter;
use serde_json::{json, Value};

const COMPOUND: &str =
    r#"(title pr or emails[type eq "work" and value co "@example.com"]) and not (active eq false)"#;
const USERS: usize = 100_000;

/// A small deterministic generator (xorshift64*), so every run sees the same users.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Users with a realistic mix: about a third with a title, one to three emails of
/// various types and domains, one in eight inactive.
fn users(n: usize) -> Vec<Value> {
    const DOMAINS: [&str; 4] = ["example.com", "Example.COM", "example.org", "corp.test"];
    const TYPES: [&str; 3] = ["work", "home", "other"];
    const TITLES: [&str; 4] = ["Engineer", "Tour Guide", "Manager", "Analyst"];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    (0..n)
        .map(|i| {
            let emails: Vec<Value> = (0..1 + rng.below(3))
                .map(|k| {
                    let domain = DOMAINS[rng.below(4) as usize];
                    let kind = TYPES[rng.below(3) as usize];
                    json!({"value": format!("user{i}.{k}@{domain}"), "type": kind, "primary": k == 0})
                })
                .collect();
            let user_name = emails[0]["value"].clone();
            let mut user = json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "id": format!("US{i:032x}"),
                "externalId": format!("ext-{i}"),
                "userName": user_name,
                "displayName": format!("User {i}"),
                "name": {"givenName": "User", "familyName": format!("Number{i}")},
                "emails": emails,
                "active": rng.below(8) != 0,
                "meta": {"resourceType": "User", "created": "2026-01-01T00:00:00Z", "version": "W/\"1\""},
            });
            if rng.below(3) == 0 {
                user["title"] = json!(TITLES[rng.below(4) as usize]);
            }
            user
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    c.bench_function("scim_filter/parse_compound", |b| {
        b.iter(|| Filter::parse(black_box(COMPOUND)))
    });

    let users = users(USERS);
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
