//! The Node.js binding of iamkit: the native addon behind the npm package `iamkit`.
//!
//! A thin layer: it converts JS arguments (strings, and option objects read into
//! the typed `#[napi(object)]` structs of `options.rs`) to the core's types, calls
//! the [`iamkit::Engine`], and returns typed records (`records.rs`, camelCase
//! keys) or, for free-form JSON (SCIM resources, token claims, JWKS, metadata),
//! the JSON exactly as the core produces it. napi generates the TypeScript of all
//! of it (`node/native.d.ts`, written by `node/build.js`). Every rule lives in the
//! core. Errors are made in one place, `convert::core_err`, and turned into JS error
//! classes by `node/index.js`.
//!
//! The emulator (`serve`, `stop`) runs on the libuv thread pool (napi `AsyncTask`),
//! so starting or stopping it never blocks the event loop.

mod convert;
mod engine;
mod options;
mod records;

pub use engine::{Engine, ManualClock, Server};

use napi_derive::napi;

/// Runs the `iamkit` command line (`iamkit serve …`, the flags of the Rust binary)
/// with `argv` (the program name first) on this thread until the emulator stops;
/// returns the exit status. For the package's `iamkit` bin (`cli.js`) only, so it is
/// left out of the generated types, which the package re-exports.
#[napi(skip_typescript)]
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
