//! The result records: one frozen Python class per kind (`Organization`, `App`,
//! `Token`, …), each field a typed attribute, all under the base class `Record`,
//! which adds the read-only mapping protocol (`record["name"]`, `in`, `len`, `iter`,
//! `keys()`, `to_dict()`), equality and a `repr` that hides secrets.
//!
//! A record is filled from the JSON the core serializes (the same fields the
//! emulator serves), with unknown fields refused, so a field the core adds is an
//! error in the tests until its attribute (and its stub) is declared here.

use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use pyo3::{PyClass, PyClassInitializer};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::convert::to_py;

/// Fields whose values `repr` hides.
const SECRET_FIELDS: [&str; 6] = [
    "client_secret",
    "auth_token",
    "access_token",
    "refresh_token",
    "code",
    "redirect_to",
];

/// A JSON object or value inside a record (an app's owner, a token's claims, an
/// audit event's details): read as a fresh plain `dict` (or value) on each access.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct Json(Value);

impl<'py> IntoPyObject<'py> for &Json {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(to_py(py, &self.0)?.into_bound(py))
    }
}

/// The base class of every record: its fields as a read-only mapping.
#[pyclass(name = "Record", module = "iamkit._native", frozen, subclass)]
pub struct Record {
    kind: &'static str,
    fields: &'static [&'static str],
}

#[pymethods]
impl Record {
    /// The kind of record, e.g. `"App"` or `"Token"` (its class name).
    #[getter]
    fn kind(&self) -> &'static str {
        self.kind
    }

    fn __getitem__<'py>(slf: &Bound<'py, Self>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        if slf.get().fields.contains(&name) {
            slf.getattr(name)
        } else {
            Err(PyKeyError::new_err(name.to_owned()))
        }
    }

    fn __contains__(&self, name: &Bound<'_, PyAny>) -> bool {
        name.downcast::<PyString>()
            .ok()
            .and_then(|s| s.to_cow().ok())
            .is_some_and(|s| self.fields.contains(&s.as_ref()))
    }

    fn __len__(&self) -> usize {
        self.fields.len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.keys(py)?.into_any().try_iter().map(Bound::into_any)
    }

    /// The field names, in order.
    fn keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.fields)
    }

    /// A plain `dict` of the fields (nested records and JSON objects as dicts too).
    fn to_dict<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(slf.py());
        for name in slf.get().fields {
            dict.set_item(name, slf.getattr(*name)?)?;
        }
        Ok(dict)
    }

    fn __eq__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        match other.downcast::<Record>() {
            Ok(other) if slf.get_type().is(&other.get_type()) => {
                Record::to_dict(slf)?.eq(Record::to_dict(other)?)
            }
            _ => Ok(false),
        }
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let mut parts = Vec::new();
        for name in slf.get().fields {
            let value = slf.getattr(*name)?;
            let shown = if SECRET_FIELDS.contains(name) && !value.is_none() {
                "'***'".to_owned()
            } else {
                value.repr()?.to_string()
            };
            parts.push(format!("{name}={shown}"));
        }
        Ok(format!("{}({})", slf.get().kind, parts.join(", ")))
    }
}

/// A record kind: its class name and its field names, in order.
pub trait Kind: PyClass<BaseType = Record> + DeserializeOwned {
    /// The class name, e.g. `"Organization"`.
    const KIND: &'static str;
    /// The field names as Python sees them.
    const FIELDS: &'static [&'static str];
}

/// The record `T` holding `value` (the JSON the core serializes).
pub fn make<T: Kind>(py: Python<'_>, value: Value) -> PyResult<Py<T>> {
    let fields = from_json::<T>(T::KIND, value)?;
    Py::new(py, base(T::KIND, T::FIELDS).add_subclass(fields))
}

/// Serializes a core value and makes the record `T` of it.
pub fn ser<T: Kind, V: serde::Serialize>(py: Python<'_>, value: &V) -> PyResult<Py<T>> {
    make(py, to_json(value)?)
}

/// A list of records `T`, one per item.
pub fn list<T: Kind, V: serde::Serialize>(py: Python<'_>, items: &[V]) -> PyResult<Py<PyList>> {
    let list = PyList::empty(py);
    for item in items {
        list.append(ser::<T, V>(py, item)?)?;
    }
    Ok(list.unbind())
}

/// A core value as JSON.
pub fn to_json<V: serde::Serialize>(value: &V) -> PyResult<Value> {
    serde_json::to_value(value)
        .map_err(|e| PyValueError::new_err(format!("cannot convert to JSON: {e}")))
}

fn from_json<T: DeserializeOwned>(kind: &str, value: Value) -> PyResult<T> {
    serde_json::from_value(value)
        .map_err(|e| PyValueError::new_err(format!("cannot read a {kind} record: {e}")))
}

impl Token {
    /// The record of a Token API response, built directly from it: every field,
    /// the absent ones `None`, as the core's `TokenBody::Complete` body has them.
    pub fn of(py: Python<'_>, response: &iamkit::TokenResponse) -> PyResult<Py<Self>> {
        let token = Token {
            access_token: response.access_token.expose().to_owned(),
            id_token: response.id_token.clone(),
            token_type: response.token_type.to_owned(),
            expires_in: response.expires_in,
            refresh_token: response
                .refresh_token
                .as_ref()
                .map(|t| t.expose().to_owned()),
            scope: response.scope.clone(),
        };
        Py::new(py, base(Self::KIND, Self::FIELDS).add_subclass(token))
    }
}

fn base(kind: &'static str, fields: &'static [&'static str]) -> PyClassInitializer<Record> {
    PyClassInitializer::from(Record { kind, fields })
}

/// The Python type of a field type of [`iamkit_bindings::records!`] (instants are
/// RFC 3339 strings, JSON is a fresh `dict` on each access); any other type is
/// itself.
macro_rules! python_type {
    (Text) => { String };
    (OptText) => { Option<String> };
    (Texts) => { Vec<String> };
    (Bool) => { bool };
    (OptInt) => { Option<i64> };
    (Instant) => { String };
    (OptInstant) => { Option<String> };
    (Details) => { Json };
    (OptJson) => { Option<Json> };
    ($other:ident) => { $other };
}

/// Declares record kinds: a frozen class with one typed attribute per field, and
/// `$add`, which adds them to a module.
macro_rules! records {
    ($add:ident; $(
        $(#[$doc:meta])*
        $name:ident { $($(#[$field_doc:meta])* $field:ident: $ty:ident),* $(,)? }
    )*) => {
        $(
            $(#[$doc])*
            #[pyclass(module = "iamkit._native", frozen, get_all, extends = Record)]
            #[derive(Debug, Deserialize)]
            #[serde(deny_unknown_fields)]
            pub struct $name {
                $($(#[$field_doc])* $field: python_type!($ty),)*
            }

            impl Kind for $name {
                const KIND: &'static str = stringify!($name);
                const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];
            }
        )*

        fn $add(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $(m.add_class::<$name>()?;)*
            Ok(())
        }
    };
}

/// The records every binding shares.
macro_rules! shared_records {
    ($($records:tt)*) => {
        records! { add_shared; $($records)* }
    };
}

iamkit_bindings::records!(shared_records);

records! {
    add_own;

    /// A new account with its auth token, which is never shown again.
    CreatedAccount {
        sid: Text,
        organization_sid: Text,
        name: Text,
        owner_sid: OptText,
        created_at: Instant,
        auth_token: Text,
    }

    /// A code the authorization step issued (single use), where to send the user
    /// with it, and the authorization recorded.
    AuthorizationCode {
        code: Text,
        redirect_to: Text,
        authorization: Json,
        expires_at: Instant,
    }

    /// A Token API response.
    Token {
        access_token: Text,
        id_token: OptText,
        token_type: Text,
        expires_in: u64,
        refresh_token: OptText,
        scope: Text,
    }

    /// A token allowed to make a request: the permission it used and its claims.
    Access {
        permission: Text,
        claims: Json,
    }
}

/// A role, as Twilio's Role resource (`type` is a keyword in Rust, so it is declared
/// here rather than by `records!`).
#[pyclass(module = "iamkit._native", frozen, get_all, extends = Record)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    sid: String,
    friendly_name: String,
    r#type: String,
    external_description: String,
    product_group: String,
    lowest_level: String,
}

impl Kind for Role {
    const KIND: &'static str = "Role";
    const FIELDS: &'static [&'static str] = &[
        "sid",
        "friendly_name",
        "type",
        "external_description",
        "product_group",
        "lowest_level",
    ];
}

/// The fields of an app, shared by `App`, `CreatedApp` and `RotatedSecret`.
const APP_FIELDS: [&str; 16] = [
    "client_id",
    "owner",
    "grant_type",
    "name",
    "description",
    "company_name",
    "image_urls",
    "homepage_url",
    "terms_of_service_url",
    "redirect_url",
    "scopes",
    "token_ttl",
    "created_at",
    "updated_at",
    "created_by",
    "authorization_url",
];

/// An OAuth app (never its secret).
#[pyclass(module = "iamkit._native", frozen, get_all, extends = Record, subclass)]
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct App {
    client_id: String,
    owner: Json,
    grant_type: String,
    name: String,
    description: Option<String>,
    company_name: Option<String>,
    image_urls: Vec<String>,
    homepage_url: Option<String>,
    terms_of_service_url: Option<String>,
    redirect_url: Option<String>,
    scopes: Vec<String>,
    token_ttl: u64,
    created_at: String,
    updated_at: String,
    created_by: String,
    authorization_url: Option<String>,
}

impl Kind for App {
    const KIND: &'static str = "App";
    const FIELDS: &'static [&'static str] = &APP_FIELDS;
}

/// A new app with its client secret, which is never shown again.
#[pyclass(module = "iamkit._native", frozen, get_all, extends = App)]
pub struct CreatedApp {
    client_secret: String,
}

/// An app whose secret was replaced: the new secret, and until when the previous
/// one still works.
#[pyclass(module = "iamkit._native", frozen, get_all, extends = App)]
pub struct RotatedSecret {
    client_secret: String,
    previous_valid_until: Option<String>,
}

/// `fields` and then `last`.
const fn with_field<const N: usize, const M: usize>(
    fields: [&'static str; N],
    last: &'static str,
) -> [&'static str; M] {
    let mut all = [""; M];
    let mut i = 0;
    while i < N {
        all[i] = fields[i];
        i += 1;
    }
    all[N] = last;
    all
}

const CREATED_APP_FIELDS: [&str; APP_FIELDS.len() + 1] = with_field(APP_FIELDS, "client_secret");

const ROTATED_SECRET_FIELDS: [&str; APP_FIELDS.len() + 2] =
    with_field(CREATED_APP_FIELDS, "previous_valid_until");

/// The `App` part of a created or rotated app's record.
fn app_part(
    kind: &'static str,
    fields: &'static [&'static str],
    app: Value,
) -> PyResult<PyClassInitializer<App>> {
    Ok(base(kind, fields).add_subclass(from_json::<App>(kind, app)?))
}

/// A `CreatedApp` of an app's JSON and its new secret.
pub fn created_app(py: Python<'_>, app: Value, client_secret: String) -> PyResult<Py<CreatedApp>> {
    let init = app_part("CreatedApp", &CREATED_APP_FIELDS, app)?
        .add_subclass(CreatedApp { client_secret });
    Py::new(py, init)
}

/// A `RotatedSecret` of an app's JSON, its new secret and the previous one's end.
pub fn rotated_secret(
    py: Python<'_>,
    app: Value,
    client_secret: String,
    previous_valid_until: Option<String>,
) -> PyResult<Py<RotatedSecret>> {
    let init =
        app_part("RotatedSecret", &ROTATED_SECRET_FIELDS, app)?.add_subclass(RotatedSecret {
            client_secret,
            previous_valid_until,
        });
    Py::new(py, init)
}

/// Adds every record class to the module.
pub fn add_classes(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Record>()?;
    add_shared(m)?;
    add_own(m)?;
    m.add_class::<App>()?;
    m.add_class::<CreatedApp>()?;
    m.add_class::<RotatedSecret>()?;
    m.add_class::<Role>()?;
    Ok(())
}
