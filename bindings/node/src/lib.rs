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
