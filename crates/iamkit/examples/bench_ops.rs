//! The Rust side of `bench/run.sh`: the shared users file, the filter scan over it,
//! resident memory holding many users, and core operations run `N` times inside one
//! function (`measured`) so that `valgrind --tool=callgrind
//! --collect-atstart=no --toggle-collect='*measured*'` counts their instructions
//! alone. Every subcommand prints one JSON object. Run in release:
//!
//! ```text
//! cargo run --release -p iamkit --example bench_ops -- users 100000 users.jsonl
//! cargo run --release -p iamkit --example bench_ops -- scan users.jsonl 7
//! cargo run --release -p iamkit --example bench_ops -- memory 1000000
//! cargo run --release -p iamkit --example bench_ops -- op es256_issue 1000
//! cargo run --release -p iamkit --example bench_ops -- op scim 3 1000
//! ```

#[path = "../benches/common/mod.rs"]
mod common;

use std::hint::black_box;
use std::io::{BufRead, BufWriter, Write};
use std::time::Instant;

use common::COMPOUND;
use iamkit::{
    Actor, Algorithm, Engine, EngineConfig, NewApp, OrganizationSid, OwnerSid, SigningKey,
    TokenRequest, UserQuery,
};
use serde_json::{json, Value};

/// Users in the filter and look-up operations.
const OP_USERS: usize = 100_000;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or_default();
    let number = |i: usize, default: usize| arg(i).parse().unwrap_or(default);
    let out = match arg(0) {
        "users" => write_users(number(1, 100_000), arg(2))?,
        "scan" => scan(arg(1), number(2, 7))?,
        "memory" => memory(number(1, 1_000_000))?,
        "op" => {
            for line in op(arg(1), number(2, 1000), number(3, 1000))? {
                println!("{line}");
            }
            return Ok(());
        }
        _ => {
            return Err(
                "usage: bench_ops users N PATH | scan PATH REPEAT | memory N | op NAME N [M]"
                    .into(),
            )
        }
    };
    println!("{out}");
    Ok(())
}

/// An engine without an audit log (so holding users stays lean) and one organization.
fn engine(key: Option<SigningKey>) -> Result<(Engine, OrganizationSid)> {
    let config = EngineConfig {
        audit_capacity: 0,
        ..EngineConfig::default()
    };
    let mut builder = Engine::builder().config(config);
    if let Some(key) = key {
        builder = builder.signing_key(key);
    }
    let engine = builder.build()?;
    let org = engine.create_organization("Bench")?.sid;
    Ok((engine, org))
}

fn create(engine: &Engine, org: OrganizationSid, users: impl Iterator<Item = Value>) -> Result<()> {
    for user in users {
        engine.scim_create_user(org, &user, &Actor::system())?;
    }
    Ok(())
}

fn compound_count() -> UserQuery {
    UserQuery {
        filter: Some(COMPOUND.to_owned()),
        count: Some(0),
        ..UserQuery::default()
    }
}

/// Writes `n` generated users as JSON lines: the users every language's side loads.
fn write_users(n: usize, path: &str) -> Result<Value> {
    let mut file = BufWriter::new(std::fs::File::create(path)?);
    for user in common::users(n) {
        serde_json::to_writer(&mut file, &user)?;
        file.write_all(b"\n")?;
    }
    file.flush()?;
    Ok(json!({"users": n, "path": path}))
}

/// Loads the users file into an engine and times the compound filter (`count=0`),
/// `repeat` times; reports the median and the number of matches.
fn scan(path: &str, repeat: usize) -> Result<Value> {
    let (engine, org) = engine(None)?;
    let file = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut users = Vec::new();
    for line in file.lines() {
        users.push(serde_json::from_str::<Value>(&line?)?);
    }
    let n = users.len();
    create(&engine, org, users.into_iter())?;
    let query = compound_count();
    let mut times = Vec::with_capacity(repeat);
    let mut matches = 0;
    for _ in 0..repeat.max(1) {
        let start = Instant::now();
        matches = engine
            .scim_list_users(org, black_box(&query))?
            .total_results;
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    Ok(
        json!({"users": n, "filter": COMPOUND, "matches": matches, "median_ms": times[times.len() / 2]}),
    )
}

/// A field of `/proc/self/status` in bytes (Linux).
fn status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Resident memory before and after creating `n` generated users in the engine.
fn memory(n: usize) -> Result<Value> {
    let rss = || status_bytes("VmRSS:").ok_or("needs /proc/self/status (Linux)");
    let before = rss()?;
    let (engine, org) = engine(None)?;
    let start = Instant::now();
    create(&engine, org, common::users(n))?;
    let seconds = start.elapsed().as_secs_f64();
    let after = rss()?;
    let hwm = status_bytes("VmHWM:").ok_or("no VmHWM")?;
    let held = engine.scim_list_users(
        org,
        &UserQuery {
            count: Some(0),
            ..UserQuery::default()
        },
    )?;
    Ok(json!({
        "users": held.total_results,
        "rss_before": before,
        "rss_after": after,
        "hwm": hwm,
        "per_user": (after.saturating_sub(before)) as f64 / n as f64,
        "create_seconds": seconds,
    }))
}

/// Sets up the named operation, then runs it `n` times inside [`measured`]. `scim`
/// sets up 100,000 users once and runs the compound filter `n` times, then the
/// `userName eq` look-up `m` times (two calls of `measured`, one line each).
fn op(name: &str, n: usize, m: usize) -> Result<Vec<Value>> {
    if name == "scim" {
        let (engine, org) = engine(None)?;
        let probe = common::users(OP_USERS)
            .nth(OP_USERS * 3 / 4)
            .and_then(|u| u["userName"].as_str().map(str::to_uppercase))
            .ok_or("no userName")?;
        create(&engine, org, common::users(OP_USERS))?;
        let filter = compound_count();
        let lookup = UserQuery {
            filter: Some(format!("userName eq {probe:?}")),
            ..UserQuery::default()
        };
        let list = |query: UserQuery, expected: Option<usize>| {
            let engine = &engine;
            move || {
                engine
                    .scim_list_users(org, black_box(&query))
                    .is_ok_and(|r| expected.is_none_or(|e| r.total_results == e))
            }
        };
        return Ok(vec![
            timed(
                "scim_filter",
                measured_filter,
                &mut list(filter, None),
                n,
                OP_USERS,
            )?,
            timed(
                "scim_lookup",
                measured_lookup,
                &mut list(lookup, Some(1)),
                m,
                OP_USERS,
            )?,
        ]);
    }
    let (alg, kind) = name
        .split_once('_')
        .ok_or("op names are ALG_KIND or scim")?;
    let algorithm = match alg {
        "hs256" => Algorithm::HS256,
        "es256" => Algorithm::ES256,
        _ => return Err(format!("unknown operation {name}").into()),
    };
    let (engine, org) = engine(Some(SigningKey::generate(algorithm)?))?;
    let app = engine.create_app(
        NewApp::client_credentials(
            OwnerSid::Organization(org),
            "bench",
            &["managed-users/list"],
        ),
        &Actor::admin(),
    )?;
    let request = TokenRequest::client_credentials(
        &app.app.client_id.to_string(),
        app.client_secret.expose(),
    );
    let token = engine.token(&request)?;
    let result = match kind {
        "issue" => timed(
            name,
            measured,
            &mut || engine.token(black_box(&request)).is_ok(),
            n,
            0,
        )?,
        "verify" => {
            let mut run = || {
                engine
                    .verify(black_box(token.access_token.expose()))
                    .is_ok()
            };
            timed(name, measured, &mut run, n, 0)?
        }
        _ => return Err(format!("unknown operation {name}").into()),
    };
    Ok(vec![result])
}

/// A function that runs an operation `n` times and counts its successes.
type Measure = fn(&mut dyn FnMut() -> bool, usize) -> usize;

/// Runs `run` `n` times through `measure`, failing unless every run succeeds.
fn timed(
    name: &str,
    measure: Measure,
    run: &mut dyn FnMut() -> bool,
    n: usize,
    users: usize,
) -> Result<Value> {
    let start = Instant::now();
    let ok = measure(run, n);
    let ns = start.elapsed().as_secs_f64() * 1e9 / n.max(1) as f64;
    if ok != n {
        return Err(format!("{name}: {} of {n} operations failed", n - ok).into());
    }
    Ok(json!({"op": name, "n": n, "ns_per_op": ns, "users": users}))
}

/// Runs a token operation `n` times and counts the successes. This and the two
/// below are the only functions callgrind collects in; each is its own symbol so
/// that `callgrind_annotate --inclusive=yes` reports each operation apart.
#[inline(never)]
fn measured(run: &mut dyn FnMut() -> bool, n: usize) -> usize {
    black_box(0u8); // keeps the three bodies apart, so the linker does not fold them
    (0..n).filter(|_| run()).count()
}

/// Runs the compound filter `n` times (see [`measured`]).
#[inline(never)]
fn measured_filter(run: &mut dyn FnMut() -> bool, n: usize) -> usize {
    black_box(1u8); // keeps the three bodies apart, so the linker does not fold them
    (0..n).filter(|_| run()).count()
}

/// Runs the `userName` look-up `n` times (see [`measured`]).
#[inline(never)]
fn measured_lookup(run: &mut dyn FnMut() -> bool, n: usize) -> usize {
    black_box(2u8); // keeps the three bodies apart, so the linker does not fold them
    (0..n).filter(|_| run()).count()
}
