//! The Node.js binding of iamkit: the native addon behind the npm package `iamkit`.
//!
//! A thin layer: it converts JS arguments (strings and plain option objects with
//! camelCase keys) to the core's types, calls the [`iamkit::Engine`], and returns
//! plain JSON values (records with camelCase keys; SCIM resources, token claims,
//! JWKS and metadata exactly as the core produces them). Every rule lives in the
//! core. Errors are made in one place, `convert::core_err`, and turned into JS error
//! classes by `node/index.js`.
//!
//! The emulator (`serve`, `stop`) runs on the libuv thread pool (napi `AsyncTask`),
//! so starting or stopping it never blocks the event loop.

mod convert;
mod engine;

pub use engine::{Engine, ManualClock, Server};

use napi_derive::napi;

/// Runs the `iamkit` command line (`iamkit serve …`, the flags of the Rust binary)
/// with `argv` (the program name first) on this thread until the emulator stops;
/// returns the exit status. For the package's `iamkit` bin.
#[napi]
pub fn cli_main(argv: Vec<String>) -> u32 {
    u32::from(iamkit_server::cli::run(argv))
}

/// Whether a SCIM filter matches a User resource given as an object (the engine's
/// evaluator, on any resource, stored or not). An invalid filter throws a
/// `ScimError` with `invalidFilter`.
#[napi]
pub fn filter_matches(filter: String, user: String) -> napi::Result<bool> {
    let user = convert::resource("user", &user)?;
    let filter = iamkit::scim::Filter::parse(&filter).map_err(convert::core_err)?;
    Ok(filter.matches(&user))
}
