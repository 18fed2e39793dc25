//! The core's side of `python/bench/overhead.py`: what the calls that script times
//! through the Python binding cost when made in Rust on an engine built the way the
//! binding builds one (the shared `EngineOptions`, HS256, audit on, a manual clock),
//! so that the difference is the binding's own cost per call.
//!
//! Prints one JSON object: nanoseconds per call (the best of 7 runs) by call name.
//!
//! `cargo run --release -p iamkit-python --example core_calls`

use std::hint::black_box;
use std::time::Instant;

use iamkit::{Actor, ManualClock, NewApp, OwnerSid, TokenRequest};
use iamkit_bindings::EngineOptions;
use time::format_description::well_known::Rfc3339;

/// The best of 7 runs of `n` calls of `f`, in nanoseconds per call.
fn ns_per_call(n: u32, mut f: impl FnMut() -> bool) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..7 {
        let start = Instant::now();
        for _ in 0..n {
            assert!(f(), "a measured call failed");
        }
        best = best.min(start.elapsed().as_secs_f64() * 1e9 / f64::from(n));
    }
    best
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let clock = ManualClock::default();
    let engine = EngineOptions {
        clock: Some(clock.clone()),
        algorithm: Some("HS256".into()),
        ..EngineOptions::default()
    }
    .build()
    .map_err(|e| format!("{e:?}"))?;
    let org = engine.create_organization("Bench")?.sid;
    let created = engine.create_app(
        NewApp::client_credentials(
            OwnerSid::Organization(org),
            "bench",
            &["managed-users/list"],
        ),
        &Actor::admin(),
    )?;
    let request = TokenRequest::client_credentials(
        &created.app.client_id.to_string(),
        created.client_secret.expose(),
    );
    let token = engine.token(&request)?;
    let isoformat = ns_per_call(200_000, || {
        iamkit::Clock::now(&clock)
            .format(&Rfc3339)
            .is_ok_and(|s| !black_box(s).is_empty())
    });
    let algorithm = ns_per_call(1_000_000, || {
        !black_box(engine.algorithm().as_str()).is_empty()
    });
    let issue = ns_per_call(20_000, || engine.token(black_box(&request)).is_ok());
    let verify = ns_per_call(20_000, || {
        engine
            .verify(black_box(token.access_token.expose()))
            .is_ok()
    });
    let issue_verify = ns_per_call(20_000, || {
        engine
            .token(black_box(&request))
            .is_ok_and(|t| engine.verify(t.access_token.expose()).is_ok())
    });
    println!(
        "{}",
        serde_json::json!({
            "clock.isoformat()": isoformat,
            "engine.algorithm": algorithm,
            "engine.token(...)": issue,
            "engine.verify(token)": verify,
            "issue+verify": issue_verify,
        })
    );
    Ok(())
}
