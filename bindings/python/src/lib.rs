//! The Python binding of iamkit: the extension module `iamkit._native`.
//!
//! A thin layer: it converts Python arguments to the core's types, calls the
//! [`iamkit::Engine`], and converts results to plain Python values (records, dicts,
//! lists). Every rule lives in the core. Records are typed classes, one per kind
//! (`records`), so that type checkers see each field's type. Arguments the engine
//! cannot take (a `str` where a list is needed, an integer out of range) raise
//! `TypeError` or `ValueError` naming the argument (`convert::str_list`,
//! `convert::unsigned`). Errors are converted in one place, `convert::core_err`,
//! into the exception classes defined in Python (`iamkit/exceptions.py`). Calls
//! that sign, verify or scan release the GIL.
//!
//! One clippy lint is allowed, on the `Engine` methods only: `too_many_arguments`,
//! because those methods mirror Python keyword arguments (`create_app`, `token`,
//! `authorize`, `update_app`, `scim_list_users`), which is the Python API.

mod convert;
mod engine;
mod records;

use pyo3::prelude::*;

/// Whether a SCIM filter matches a User resource given as a dict (the engine's
/// evaluator, on any resource, stored or not). An invalid filter raises
/// `ScimError` with `invalidFilter`.
#[pyfunction]
fn filter_matches(filter: &str, resource: &Bound<'_, PyAny>) -> PyResult<bool> {
    let resource = convert::from_py("resource", resource)?;
    let filter = iamkit::scim::Filter::parse(filter).map_err(convert::core_err)?;
    Ok(filter.matches(&resource))
}

/// The module `iamkit._native`.
/// Runs the `iamkit` command line (`iamkit serve …`, the flags of the Rust binary)
/// with `argv` (the program name first), without the GIL; returns the exit status.
#[pyfunction]
fn cli_main(py: Python<'_>, argv: &Bound<'_, PyAny>) -> PyResult<u8> {
    let argv = convert::str_list("argv", argv)?;
    Ok(py.allow_threads(|| iamkit_server::cli::run(argv)))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(filter_matches, m)?)?;
    m.add_function(wrap_pyfunction!(cli_main, m)?)?;
    records::add_classes(m)?;
    m.add_class::<engine::PyManualClock>()?;
    m.add_class::<engine::PyEngine>()?;
    m.add_class::<engine::PyServer>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
