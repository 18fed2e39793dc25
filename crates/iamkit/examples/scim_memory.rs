//! How much memory the engine's stored SCIM users take, against the size of their
//! JSON.
//!
//! Creates generated users (the SCIM benchmarks' mix) in one organization and
//! prints the growth of resident memory (`VmRSS` of `/proc/self/status`, Linux)
//! per user next to the compact JSON size of the user as the API returns it.
//! With `--values`, holds the generated users as `serde_json::Value`s instead (no
//! engine), for comparison; with `--enterprise`, the users also carry the
//! enterprise extension and a phone number. Audit events are off. Run in release:
//!
//! ```text
//! cargo run --release -p iamkit --example scim_memory -- 1000000
//! cargo run --release -p iamkit --example scim_memory -- 1000000 --values
//! cargo run --release -p iamkit --example scim_memory -- 1000000 --enterprise
//! ```

#[path = "../benches/common/mod.rs"]
mod common;

use iamkit::{Actor, Engine, EngineConfig};
use serde_json::Value;

/// Resident memory in bytes, from `/proc/self/status`.
fn resident() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let flag = args.next();
    let as_values = flag.as_deref() == Some("--values");
    let enterprise = flag.as_deref() == Some("--enterprise");
    let Some(before) = resident() else {
        eprintln!("needs /proc/self/status (Linux)");
        return;
    };
    let config = EngineConfig {
        audit_capacity: 0,
        ..EngineConfig::default()
    };
    let engine = Engine::builder().config(config).build().expect("engine");
    let org = engine
        .create_organization("Memory")
        .expect("organization")
        .sid;
    let mut json_bytes = 0usize;
    let mut held: Vec<Value> = Vec::new();
    let users: Box<dyn Iterator<Item = Value>> = if enterprise {
        Box::new(common::enterprise_users(n))
    } else {
        Box::new(common::users(n))
    };
    for user in users {
        if as_values {
            json_bytes += serde_json::to_vec(&user).map_or(0, |j| j.len());
            held.push(user);
        } else {
            let created = engine
                .scim_create_user(org, &user, &Actor::system())
                .expect("generated users are valid");
            json_bytes += serde_json::to_vec(&created).map_or(0, |j| j.len());
        }
    }
    let after = resident().unwrap_or(before);
    let per_user = (after.saturating_sub(before)) as f64 / n as f64;
    let json_per_user = json_bytes as f64 / n as f64;
    let form = match (as_values, enterprise) {
        (true, _) => "serde_json::Value",
        (false, true) => "engine, with the enterprise extension",
        (false, false) => "engine",
    };
    println!("{n} users held as {form}");
    println!("resident memory per user: {per_user:.0} bytes");
    println!("JSON per user:            {json_per_user:.0} bytes");
    println!(
        "beyond the JSON:          {:.0} bytes",
        per_user - json_per_user
    );
    drop(held);
}
