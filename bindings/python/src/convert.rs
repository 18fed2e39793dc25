//! Conversions between Python objects and the JSON values the engine speaks, and
//! the one place where core errors become Python exceptions.

use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use pyo3::{intern, IntoPyObjectExt};
use serde_json::{Map, Number, Value};

use iamkit::{Claims, Introspection, Sid};

/// Deepest nesting accepted from Python, so a self-referencing list cannot exhaust
/// the stack.
const MAX_DEPTH: usize = 64;

/// A JSON value as plain Python objects (`dict`, `list`, `str`, `int`, `float`,
/// `bool`, `None`).
pub fn to_py(py: Python<'_>, value: &Value) -> PyResult<PyObject> {
    Ok(match value {
        Value::Null => py.None(),
        Value::Bool(b) => b.into_py_any(py)?,
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_py_any(py)?
            } else if let Some(u) = n.as_u64() {
                u.into_py_any(py)?
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_py_any(py)?
            }
        }
        Value::String(s) => s.into_py_any(py)?,
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any().unbind()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, to_py(py, v)?)?;
            }
            dict.into_any().unbind()
        }
    })
}

/// Serializes a core value and converts it to Python objects.
pub fn ser_to_py<T: serde::Serialize>(py: Python<'_>, value: &T) -> PyResult<PyObject> {
    let json = serde_json::to_value(value)
        .map_err(|e| PyValueError::new_err(format!("cannot convert to JSON: {e}")))?;
    to_py(py, &json)
}

/// A sid as a Python `str`, formatted on the stack.
fn sid_to_py<'py>(py: Python<'py>, sid: &impl Sid) -> PyResult<Bound<'py, PyAny>> {
    /// Room for any sid (two letters and 32 hex digits).
    struct Text {
        buf: [u8; 64],
        len: usize,
    }
    impl std::fmt::Write for Text {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            let end = self.len + s.len();
            self.buf
                .get_mut(self.len..end)
                .ok_or(std::fmt::Error)?
                .copy_from_slice(s.as_bytes());
            self.len = end;
            Ok(())
        }
    }
    let mut text = Text {
        buf: [0; 64],
        len: 0,
    };
    std::fmt::write(&mut text, format_args!("{sid}"))
        .map_err(|_| PyValueError::new_err("cannot format a sid"))?;
    let shown = std::str::from_utf8(&text.buf[..text.len])
        .map_err(|_| PyValueError::new_err("cannot format a sid"))?;
    Ok(PyString::new(py, shown).into_any())
}

/// An optional sid as an optional Python `str`.
fn opt_sid_to_py<'py>(
    py: Python<'py>,
    sid: Option<&impl Sid>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    sid.map(|s| sid_to_py(py, s)).transpose()
}

/// Sets `key` in `dict` when `value` is `Some`, as JSON's `skip_serializing_if`.
fn put_some<'py>(
    dict: &Bound<'py, PyDict>,
    key: &Bound<'py, PyString>,
    value: Option<impl IntoPyObject<'py>>,
) -> PyResult<()> {
    match value {
        Some(value) => dict.set_item(key, value),
        None => Ok(()),
    }
}

/// Verified claims as a plain `dict`, built directly: the same keys, values and
/// (sorted) key order as [`ser_to_py`] of the claims gives.
pub fn claims_to_py<'py>(py: Python<'py>, c: &Claims) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    let account = opt_sid_to_py(py, c.account_sid.as_ref())?;
    put_some(&dict, intern!(py, "account_sid"), account)?;
    dict.set_item(intern!(py, "aud"), &c.aud)?;
    dict.set_item(intern!(py, "client_id"), sid_to_py(py, &c.client_id)?)?;
    dict.set_item(intern!(py, "exp"), c.exp)?;
    let grant = opt_sid_to_py(py, c.grant_sid.as_ref())?;
    put_some(&dict, intern!(py, "grant_sid"), grant)?;
    dict.set_item(intern!(py, "iat"), c.iat)?;
    dict.set_item(intern!(py, "iss"), &c.iss)?;
    dict.set_item(intern!(py, "jti"), sid_to_py(py, &c.jti)?)?;
    dict.set_item(intern!(py, "nbf"), c.nbf)?;
    let org = sid_to_py(py, &c.organization_sid)?;
    dict.set_item(intern!(py, "organization_sid"), org)?;
    dict.set_item(intern!(py, "scope"), &c.scope)?;
    dict.set_item(intern!(py, "sub"), &c.sub)?;
    Ok(dict)
}

/// An RFC 7662 introspection as a plain `dict`, built directly: the same keys,
/// values and (sorted) key order as [`ser_to_py`] of it gives.
pub fn introspection_to_py<'py>(
    py: Python<'py>,
    i: &Introspection,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    let account = opt_sid_to_py(py, i.account_sid.as_ref())?;
    put_some(&dict, intern!(py, "account_sid"), account)?;
    dict.set_item(intern!(py, "active"), i.active)?;
    put_some(&dict, intern!(py, "aud"), i.aud.as_deref())?;
    let client = opt_sid_to_py(py, i.client_id.as_ref())?;
    put_some(&dict, intern!(py, "client_id"), client)?;
    put_some(&dict, intern!(py, "exp"), i.exp)?;
    put_some(&dict, intern!(py, "iat"), i.iat)?;
    put_some(&dict, intern!(py, "iss"), i.iss.as_deref())?;
    put_some(&dict, intern!(py, "jti"), i.jti.as_deref())?;
    put_some(&dict, intern!(py, "nbf"), i.nbf)?;
    let org = opt_sid_to_py(py, i.organization_sid.as_ref())?;
    put_some(&dict, intern!(py, "organization_sid"), org)?;
    put_some(&dict, intern!(py, "scope"), i.scope.as_deref())?;
    put_some(&dict, intern!(py, "sub"), i.sub.as_deref())?;
    put_some(&dict, intern!(py, "token_type"), i.token_type.as_deref())?;
    Ok(dict)
}

/// A Python object made of `dict` (with `str` keys), `list`, `tuple`, `str`, `int`,
/// `float`, `bool` and `None`, as JSON. Anything else is a `TypeError`.
pub fn from_py(what: &str, obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    from_py_at(what, obj, 0)
}

fn from_py_at(what: &str, obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(PyValueError::new_err(format!(
            "{what} is nested more than {MAX_DEPTH} levels deep"
        )));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.downcast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        return Err(PyValueError::new_err(format!(
            "{what} holds an integer out of the 64-bit range"
        )));
    }
    if obj.is_instance_of::<PyFloat>() {
        let f: f64 = obj.extract()?;
        return Number::from_f64(f).map(Value::Number).ok_or_else(|| {
            PyValueError::new_err(format!("{what} holds a non-finite float ({f})"))
        });
    }
    if let Ok(s) = obj.downcast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(dict) = obj.downcast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in dict.iter() {
            let key = k.downcast::<PyString>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "{what} has a key of type {}; keys must be str",
                    type_name(&k)
                ))
            })?;
            map.insert(key.to_cow()?.into_owned(), from_py_at(what, &v, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        for item in obj.try_iter()? {
            items.push(from_py_at(what, &item?, depth + 1)?);
        }
        return Ok(Value::Array(items));
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be made of dict, list, str, int, float, bool and None, not {}",
        type_name(obj)
    )))
}

/// An unsigned integer type that arguments are converted to.
pub trait Unsigned: for<'py> FromPyObject<'py> {
    /// The largest value, for messages.
    const MAX: u64;
}

macro_rules! unsigned {
    ($($t:ty),*) => {$(
        impl Unsigned for $t {
            const MAX: u64 = <$t>::MAX as u64;
        }
    )*};
}
unsigned!(u16, u32, u64, usize);

/// The argument `what` as an unsigned integer: an `int` out of the type's range is a
/// `ValueError` and anything else a `TypeError`, both naming `what`.
pub fn unsigned<T: Unsigned>(what: &str, obj: &Bound<'_, PyAny>) -> PyResult<T> {
    match obj.extract::<T>() {
        Ok(value) => Ok(value),
        Err(e) if e.is_instance_of::<PyOverflowError>(obj.py()) => {
            let shown = obj
                .str()
                .map_or_else(|_| "a larger one".into(), |s| s.to_string());
            Err(PyValueError::new_err(format!(
                "{what} must be an integer from 0 to {}, not {shown}",
                T::MAX
            )))
        }
        Err(_) => Err(PyTypeError::new_err(format!(
            "{what} must be an int, not {}",
            type_name(obj)
        ))),
    }
}

/// [`unsigned`] of an optional argument (`None` stays `None`).
pub fn opt_unsigned<T: Unsigned>(
    what: &str,
    obj: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<T>> {
    match obj {
        Some(obj) if !obj.is_none() => unsigned(what, obj).map(Some),
        _ => Ok(None),
    }
}

/// The argument `what` as a list of strings (a `list` or `tuple` of `str`; a lone
/// `str` is refused, not split into characters): a `TypeError` naming `what`, or
/// the item, otherwise.
pub fn str_list(what: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if !(obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>()) {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a list of str, not {}",
            type_name(obj)
        )));
    }
    let mut items = Vec::new();
    for (i, item) in obj.try_iter()?.enumerate() {
        let item = item?;
        let text = item.downcast::<PyString>().map_err(|_| {
            PyTypeError::new_err(format!(
                "{what}[{i}] must be a str, not {}",
                type_name(&item)
            ))
        })?;
        items.push(text.to_cow()?.into_owned());
    }
    Ok(items)
}

/// [`str_list`] of an optional argument (`None` stays `None`).
pub fn opt_str_list(what: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<String>>> {
    match obj {
        Some(obj) if !obj.is_none() => str_list(what, obj).map(Some),
        _ => Ok(None),
    }
}

/// The Python type name of `obj`, for messages.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// Options the shared binding layer refused: an invalid one is a `ValueError` naming
/// it; what the engine refused is its exception.
pub fn options_err(error: iamkit_bindings::OptionsError) -> PyErr {
    match error {
        iamkit_bindings::OptionsError::Invalid(e) => {
            pyo3::exceptions::PyValueError::new_err(e.to_string())
        }
        iamkit_bindings::OptionsError::Engine(e) => core_err(e),
    }
}

/// The one error-conversion point: a core error becomes the matching exception of
/// `iamkit.exceptions` (chosen there by area and HTTP status) carrying `.code`,
/// `.status`, `.twilio_code` and the message.
pub fn core_err(error: impl Into<iamkit::Error>) -> PyErr {
    static FROM_NATIVE: GILOnceCell<PyObject> = GILOnceCell::new();
    let error = iamkit_bindings::FlatError::new(error);
    Python::with_gil(|py| {
        let made = FROM_NATIVE
            .get_or_try_init(py, || {
                py.import("iamkit.exceptions")?
                    .getattr("_from_native")
                    .map(Bound::unbind)
            })
            .and_then(|from_native| {
                from_native.call1(
                    py,
                    (
                        error.area,
                        error.code,
                        error.status,
                        error.twilio_code,
                        error.message,
                    ),
                )
            });
        match made {
            Ok(exception) => PyErr::from_value(exception.into_bound(py)),
            Err(import_failed) => import_failed,
        }
    })
}
