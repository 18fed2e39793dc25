//! Generated users, the compound filter and a filled engine, shared by the SCIM
//! benchmarks and the examples that measure them.
#![allow(dead_code)]

use iamkit::{Actor, Engine, EngineConfig, OrganizationSid};
use serde_json::{json, Value};

/// The compound filter every SCIM figure uses.
pub const COMPOUND: &str =
    r#"(title pr or emails[type eq "work" and value co "@example.com"]) and not (active eq false)"#;

/// An engine with `n` generated users in one organization (no audit log, so the
/// setup stays lean), and the upper-cased `userName` of the user three quarters in.
pub fn engine_with(n: usize) -> (Engine, OrganizationSid, String) {
    engine_of(users(n), n)
}

/// An engine holding the `n` users `users` in one organization (no audit log),
/// and the upper-cased `userName` of the user three quarters in.
pub fn engine_of(
    users: impl Iterator<Item = Value>,
    n: usize,
) -> (Engine, OrganizationSid, String) {
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
    for (i, user) in users.enumerate() {
        if i == n * 3 / 4 {
            probe = user["userName"].as_str().unwrap_or_default().to_uppercase();
        }
        engine
            .scim_create_user(org, &user, &Actor::system())
            .expect("generated users are valid");
    }
    (engine, org, probe)
}

/// A small deterministic generator (xorshift64*), so every run sees the same users.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Users with a realistic mix: about a third with a title, one to three emails of
/// various types and domains, one in eight inactive. The same `n` gives the same
/// users on every run.
pub fn users(n: usize) -> impl Iterator<Item = Value> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    (0..n).map(move |i| user(&mut rng, i))
}

/// The `i`-th generated user.
fn user(rng: &mut Rng, i: usize) -> Value {
    const DOMAINS: [&str; 4] = ["example.com", "Example.COM", "example.org", "corp.test"];
    const TYPES: [&str; 3] = ["work", "home", "other"];
    const TITLES: [&str; 4] = ["Engineer", "Tour Guide", "Manager", "Analyst"];
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
}

/// The URN of the enterprise User extension.
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// The generated users, each also carrying what Entra ID provisions by default:
/// the enterprise extension (employee number, department, cost center, manager)
/// and a work phone number.
pub fn enterprise_users(n: usize) -> impl Iterator<Item = Value> {
    const DEPARTMENTS: [&str; 4] = ["Tour Operations", "Accounting", "Engineering", "Sales"];
    users(n).enumerate().map(|(i, mut user)| {
        user["schemas"] = json!(["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE]);
        user["phoneNumbers"] =
            json!([{"value": format!("+1 555 {:07}", i % 10_000_000), "type": "work"}]);
        user[ENTERPRISE] = json!({
            "employeeNumber": format!("{i}"),
            "department": DEPARTMENTS[i % 4],
            "costCenter": format!("{}", 4000 + i % 100),
            "manager": {"value": format!("US{:032x}", i / 10)},
        });
        user
    })
}
