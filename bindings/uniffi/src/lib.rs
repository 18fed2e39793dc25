//! The Kotlin and Swift binding of iamkit (uniffi, proc-macros, library mode).
//!
//! A thin layer: records and objects that mirror the core's types, converted in
//! [`records`] and [`requests`], and one error enum built from the core errors in
//! [`error`]. Every rule lives in the core. Generate the foreign sources from the
//! built library with `kotlin/generate.sh` (or the `uniffi-bindgen` binary of
//! `bindings/uniffi-bindgen`); the Kotlin package name is set in `uniffi.toml`.

uniffi::setup_scaffolding!("iamkit");

pub mod clock;
pub mod engine;
pub mod error;
pub mod records;
pub mod requests;

pub use clock::ManualClock;
pub use engine::Engine;
pub use error::IamkitError;

/// Whether a SCIM filter matches a User resource given as JSON (the engine's
/// evaluator, on any resource, stored or not). An invalid filter raises
/// `IamkitException.Scim` with `invalidFilter`.
#[uniffi::export]
pub fn filter_matches(filter: String, user: String) -> error::Result<bool> {
    let user = engine::scim_json("user", &user)?;
    let filter = iamkit::scim::Filter::parse(&filter).map_err(error::core_err)?;
    Ok(filter.matches(&user))
}
