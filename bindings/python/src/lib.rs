//! The Python binding of iamkit: the extension module `iamkit._native`.
//!
//! A thin layer: it converts Python arguments to the core's types, calls the
//! [`iamkit::Engine`], and converts results to plain Python values (records, dicts,
//! lists). Every rule lives in the core. Errors are converted in one place,
//! `convert::core_err`, into the exception classes defined in Python
//! (`iamkit/exceptions.py`). Calls that sign, verify or scan release the GIL.
//!
//! One clippy lint is allowed, on the `Engine` methods only: `too_many_arguments`,
//! because those methods mirror Python keyword arguments (`create_app`, `token`,
//! `authorize`, `update_app`, `scim_list_users`), which is the Python API.

mod convert;
mod engine;

use pyo3::exceptions::{PyAttributeError, PyKeyError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A result record: read its fields as attributes (`app.client_id`) or items
/// (`app["client_id"]`); `to_dict()` gives a plain `dict`. Secrets are hidden from
/// its `repr`.
#[pyclass(name = "Record", module = "iamkit._native", frozen)]
pub struct Record {
    kind: &'static str,
    data: Py<PyDict>,
}

/// Fields whose values `repr` hides.
const SECRET_FIELDS: [&str; 5] = [
    "client_secret",
    "access_token",
    "refresh_token",
    "code",
    "redirect_to",
];

impl Record {
    /// A record of `kind` holding `data`.
    pub fn new(kind: &'static str, data: Bound<'_, PyDict>) -> Self {
        Self {
            kind,
            data: data.unbind(),
        }
    }
}

#[pymethods]
impl Record {
    /// The kind of record, e.g. `"App"` or `"Token"`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.kind
    }

    fn __getattr__(&self, py: Python<'_>, name: &str) -> PyResult<PyObject> {
        match self.data.bind(py).get_item(name)? {
            Some(value) => Ok(value.unbind()),
            None => Err(PyAttributeError::new_err(format!(
                "{} has no field {name:?}",
                self.kind
            ))),
        }
    }

    fn __getitem__(&self, py: Python<'_>, name: &str) -> PyResult<PyObject> {
        match self.data.bind(py).get_item(name)? {
            Some(value) => Ok(value.unbind()),
            None => Err(PyKeyError::new_err(name.to_owned())),
        }
    }

    fn __contains__(&self, py: Python<'_>, name: &str) -> PyResult<bool> {
        self.data.bind(py).contains(name)
    }

    fn __len__(&self, py: Python<'_>) -> usize {
        self.data.bind(py).len()
    }

    fn __iter__(&self, py: Python<'_>) -> PyResult<PyObject> {
        Ok(self.data.bind(py).keys().try_iter()?.into_any().unbind())
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        match other.downcast::<Record>() {
            Ok(other) => {
                let other = other.get();
                Ok(self.kind == other.kind && self.data.bind(py).eq(other.data.bind(py))?)
            }
            Err(_) => Ok(false),
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let mut parts = Vec::new();
        for (k, v) in self.data.bind(py).iter() {
            let key: String = k.extract()?;
            let shown = if SECRET_FIELDS.contains(&key.as_str()) && !v.is_none() {
                "'***'".to_owned()
            } else {
                v.repr()?.to_string()
            };
            parts.push(format!("{key}={shown}"));
        }
        Ok(format!("{}({})", self.kind, parts.join(", ")))
    }

    /// The field names.
    fn keys(&self, py: Python<'_>) -> PyObject {
        self.data.bind(py).keys().into_any().unbind()
    }

    /// A plain `dict` copy of the record.
    fn to_dict(&self, py: Python<'_>) -> PyResult<PyObject> {
        Ok(self.data.bind(py).copy()?.into_any().unbind())
    }
}

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
fn cli_main(py: Python<'_>, argv: Vec<String>) -> u8 {
    py.allow_threads(|| iamkit_server::cli::run(argv))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(filter_matches, m)?)?;
    m.add_function(wrap_pyfunction!(cli_main, m)?)?;
    m.add_class::<Record>()?;
    m.add_class::<engine::PyManualClock>()?;
    m.add_class::<engine::PyEngine>()?;
    m.add_class::<engine::PyServer>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
