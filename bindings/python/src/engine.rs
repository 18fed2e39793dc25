//! `ManualClock`, `Engine` and `Server`: the core's clock, engine and emulator,
//! with Python conventions.

use std::str::FromStr;
use std::sync::Arc;

use pyo3::exceptions::{PyOverflowError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::{PyFloat, PyInt, PyList, PyType};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use iamkit::endpoints::{organization_accounts, ROLE_ASSIGNMENTS};
use iamkit::{
    AccountQuery, Actor, App, AppError, AppUpdate, AuditQuery, AuthorizeRequest, ClientId, Engine,
    ManualClock, NewAccount, NewAppFields, NewRoleAssignment, NewUser, OrganizationSid, OwnerSid,
    Projection, Role, RoleAssignmentQuery, Sid, TokenRequest, UserQuery,
};
use iamkit_bindings::{account_apps, EngineOptions, ServeOptions};
use iamkit_server::RunningServer;

use crate::convert::{
    claims_to_py, core_err, from_py, introspection_to_py, opt_str_list, opt_unsigned, options_err,
    ser_to_py, str_list, to_py, type_name,
};
use crate::records::{self as rec, make, ser};

/// A JSON argument (a `dict`) as JSON text.
fn json_bytes(what: &str, value: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    serde_json::to_vec(&from_py(what, value)?)
        .map_err(|e| PyValueError::new_err(format!("{what} cannot be JSON: {e}")))
}

/// Parses a sid argument; a malformed one is the core's `invalid_sid` error.
fn parse_sid<S: Sid>(value: &str) -> PyResult<S> {
    S::parse(value).map_err(|e| core_err(AppError::from(e)))
}

fn instant(what: &str, value: &Bound<'_, PyAny>) -> PyResult<OffsetDateTime> {
    let text: String = if let Ok(s) = value.extract::<String>() {
        s
    } else if value.hasattr("isoformat")? {
        if value.getattr("tzinfo")?.is_none() {
            return Err(PyValueError::new_err(format!(
                "{what} must be timezone-aware (a naive datetime has no instant)"
            )));
        }
        value.call_method0("isoformat")?.extract()?
    } else {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "{what} must be an RFC 3339 string or an aware datetime, not {}",
            type_name(value)
        )));
    };
    OffsetDateTime::parse(&text, &Rfc3339).map_err(|e| {
        PyValueError::new_err(format!("{what} is not an RFC 3339 instant ({text:?}): {e}"))
    })
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

/// The `seconds` of `advance`: an `int` or a `float` (an `int` too large for a float
/// is infinite, which the core refuses like any step out of range).
fn seconds_arg(seconds: &Bound<'_, PyAny>) -> PyResult<f64> {
    if !(seconds.is_instance_of::<PyInt>() || seconds.is_instance_of::<PyFloat>()) {
        return Err(PyTypeError::new_err(format!(
            "seconds must be a number, not {}",
            type_name(seconds)
        )));
    }
    match seconds.extract::<f64>() {
        Err(e) if e.is_instance_of::<PyOverflowError>(seconds.py()) => Ok(if seconds.lt(0)? {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }),
        other => other,
    }
}

/// A clock that stands still until set or advanced; share one between an engine and
/// its tests.
#[pyclass(name = "ManualClock", module = "iamkit._native", frozen)]
pub struct PyManualClock(ManualClock);

#[pymethods]
impl PyManualClock {
    /// A clock standing at `at` (RFC 3339 string or aware `datetime`), by default
    /// 2026-01-01T00:00:00Z.
    #[new]
    #[pyo3(signature = (at=None))]
    fn new(at: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let clock = ManualClock::default();
        if let Some(at) = at {
            clock.set(instant("at", at)?);
        }
        Ok(Self(clock))
    }

    /// Moves the clock forward by `seconds` (0 to 1e12; move it back with `set`).
    #[pyo3(signature = (seconds))]
    fn advance(&self, seconds: &Bound<'_, PyAny>) -> PyResult<()> {
        iamkit::Adjustable::advance_seconds(&self.0, seconds_arg(seconds)?)
            .map_err(PyValueError::new_err)
    }

    /// Puts the clock at `at` (RFC 3339 string or aware `datetime`).
    fn set(&self, at: &Bound<'_, PyAny>) -> PyResult<()> {
        self.0.set(instant("at", at)?);
        Ok(())
    }

    /// The clock's instant as an aware UTC `datetime`.
    fn now<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        static DATETIME: GILOnceCell<Py<PyType>> = GILOnceCell::new();
        static UTC: GILOnceCell<PyObject> = GILOnceCell::new();
        let datetime = DATETIME.import(py, "datetime", "datetime")?;
        let utc = UTC.get_or_try_init(py, || {
            let timezone = py.import("datetime")?.getattr("timezone")?;
            timezone.getattr("utc").map(Bound::unbind)
        })?;
        let now = iamkit::Clock::now(&self.0).to_offset(time::UtcOffset::UTC);
        datetime.call1((
            now.year(),
            u8::from(now.month()),
            now.day(),
            now.hour(),
            now.minute(),
            now.second(),
            now.microsecond(),
            utc.bind(py),
        ))
    }

    /// The clock's instant as an RFC 3339 string.
    fn isoformat(&self) -> String {
        rfc3339(iamkit::Clock::now(&self.0))
    }

    fn __repr__(&self) -> String {
        format!("ManualClock('{}')", self.isoformat())
    }
}

/// The OAuth 2.0 + SCIM 2.0 engine, in memory.
#[pyclass(name = "Engine", module = "iamkit._native", frozen)]
pub struct PyEngine {
    engine: Arc<Engine>,
    clock: Option<Py<PyManualClock>>,
}

impl PyEngine {
    fn app_value(&self, app: &App) -> PyResult<Value> {
        rec::to_json(&self.engine.app_record(app))
    }
}

fn admin() -> Actor {
    Actor::admin()
}

// Methods mirror Python keyword arguments one to one (see the crate docs).
#[allow(clippy::too_many_arguments)]
#[pymethods]
impl PyEngine {
    /// An engine on `clock` (a `ManualClock`; the system clock when `None`), signing
    /// with a fresh key of `algorithm` (`ES256`, `EdDSA` or `HS256`), or with the
    /// RS256 key in `rs256_key_pem` (PKCS#8 PEM; RSA keys cannot be generated).
    /// `issuer` sets the tokens' `iss` and the base of the metadata endpoints and
    /// SCIM locations. `database` keeps the state and the signing key in that
    /// SQLite file (created owner-only if missing) instead of in memory.
    /// `scim_rules` is `"twilio"` (the default) or `"rfc7643"`.
    #[new]
    #[pyo3(signature = (
        clock=None, algorithm=None, *, issuer=None, rs256_key_pem=None, database=None,
        scim_rules=None
    ))]
    fn new(
        clock: Option<Py<PyManualClock>>,
        algorithm: Option<String>,
        issuer: Option<String>,
        rs256_key_pem: Option<String>,
        database: Option<std::path::PathBuf>,
        scim_rules: Option<String>,
    ) -> PyResult<Self> {
        let engine = EngineOptions {
            clock: clock.as_ref().map(|c| c.get().0.clone()),
            algorithm,
            issuer,
            rs256_key_pem,
            database: database.map(|path| match path.to_str() {
                Some(text) => iamkit::Database::parse(text),
                None => iamkit::Database::Sqlite(path),
            }),
            scim_rules,
        }
        .build()
        .map_err(options_err)?;
        Ok(Self {
            engine: Arc::new(engine),
            clock,
        })
    }

    /// The engine's manual clock, or `None` on the system clock.
    #[getter]
    fn clock(&self, py: Python<'_>) -> Option<Py<PyManualClock>> {
        self.clock.as_ref().map(|c| c.clone_ref(py))
    }

    /// The signing algorithm's JWS name.
    #[getter]
    fn algorithm(&self) -> &'static str {
        self.engine.algorithm().as_str()
    }

    // ----- organizations, accounts, users -----

    /// Creates an organization.
    fn create_organization(&self, py: Python<'_>, name: &str) -> PyResult<Py<rec::Organization>> {
        let org = self.engine.create_organization(name).map_err(core_err)?;
        ser(py, &org)
    }

    /// An organization by sid.
    fn organization(&self, py: Python<'_>, sid: &str) -> PyResult<Py<rec::Organization>> {
        let org = self
            .engine
            .organization(parse_sid(sid)?)
            .map_err(core_err)?;
        ser(py, &org)
    }

    /// Every organization, oldest first.
    fn organizations(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        rec::list::<rec::Organization, _>(py, &self.engine.organizations())
    }

    /// Creates an account in an organization, owned by `owner_sid` (a user of the
    /// organization) or else by the organization's Owner. The result holds its
    /// `auth_token`, which is never shown again.
    #[pyo3(signature = (organization_sid, name, owner_sid=None))]
    fn create_account(
        &self,
        py: Python<'_>,
        organization_sid: &str,
        name: &str,
        owner_sid: Option<&str>,
    ) -> PyResult<Py<rec::CreatedAccount>> {
        let new = NewAccount {
            owner_sid: owner_sid.map(parse_sid).transpose()?,
            ..NewAccount::new(parse_sid(organization_sid)?, name)
        };
        let created = self
            .engine
            .create_account(new, &admin())
            .map_err(core_err)?;
        let mut value = rec::to_json(&created.account)?;
        value["auth_token"] = json!(created.auth_token.expose());
        make(py, value)
    }

    /// Gives an account a new auth token, returned this once; the previous one
    /// stops working.
    fn rotate_auth_token(&self, account_sid: &str) -> PyResult<String> {
        let token = self
            .engine
            .rotate_auth_token(parse_sid(account_sid)?, &admin())
            .map_err(core_err)?;
        Ok(token.expose().to_owned())
    }

    /// An account by sid.
    fn account(&self, py: Python<'_>, sid: &str) -> PyResult<Py<rec::Account>> {
        let account = self.engine.account(parse_sid(sid)?).map_err(core_err)?;
        ser(py, &account)
    }

    /// A page of the accounts of an organization, oldest first (50 unless
    /// `page_size` says otherwise): a dict with `content` and `meta`.
    #[pyo3(signature = (organization_sid, *, page_size=None, page_token=None))]
    fn accounts(
        &self,
        py: Python<'_>,
        organization_sid: &str,
        page_size: Option<&Bound<'_, PyAny>>,
        page_token: Option<String>,
    ) -> PyResult<PyObject> {
        let org: OrganizationSid = parse_sid(organization_sid)?;
        let query = AccountQuery {
            page_size: opt_unsigned("page_size", page_size)?,
            page_token,
        };
        let page = self.engine.account_page(org, &query).map_err(core_err)?;
        ser_to_py(py, &page.at(&self.engine.url(&organization_accounts(org))))
    }

    /// Creates a managed user with organization roles (names such as `"Owner"`).
    #[pyo3(signature = (organization_sid, user_name, roles=None, sso=false))]
    fn create_user(
        &self,
        py: Python<'_>,
        organization_sid: &str,
        user_name: &str,
        roles: Option<&Bound<'_, PyAny>>,
        sso: bool,
    ) -> PyResult<Py<rec::User>> {
        let roles = opt_str_list("roles", roles)?
            .unwrap_or_default()
            .iter()
            .map(|r| Role::from_str(r).map_err(|e| PyValueError::new_err(e.to_string())))
            .collect::<PyResult<Vec<_>>>()?;
        let user = self
            .engine
            .create_user(NewUser {
                organization_sid: parse_sid(organization_sid)?,
                user_name: user_name.to_owned(),
                roles,
                sso,
            })
            .map_err(core_err)?;
        ser(py, &user)
    }

    /// A managed user by sid.
    fn user(&self, py: Python<'_>, sid: &str) -> PyResult<Py<rec::User>> {
        let user = self.engine.user(parse_sid(sid)?).map_err(core_err)?;
        ser(py, &user)
    }

    /// The managed users of an organization.
    fn users(&self, py: Python<'_>, organization_sid: &str) -> PyResult<Py<PyList>> {
        let org: OrganizationSid = parse_sid(organization_sid)?;
        let found = py.allow_threads(|| self.engine.users(org));
        rec::list::<rec::User, _>(py, &found)
    }

    // ----- apps -----

    /// Creates an app owned by an organization (`OR…`) or account (`AC…`). The
    /// result holds `client_id` and `client_secret`, which is never shown again.
    #[pyo3(signature = (
        owner_sid, *, name, grant_type="client_credentials", scopes, redirect_url=None,
        token_ttl=None, description=None, company_name=None, image_urls=None,
        homepage_url=None, terms_of_service_url=None
    ))]
    fn create_app(
        &self,
        py: Python<'_>,
        owner_sid: &str,
        name: String,
        grant_type: &str,
        scopes: &Bound<'_, PyAny>,
        redirect_url: Option<String>,
        token_ttl: Option<&Bound<'_, PyAny>>,
        description: Option<String>,
        company_name: Option<String>,
        image_urls: Option<&Bound<'_, PyAny>>,
        homepage_url: Option<String>,
        terms_of_service_url: Option<String>,
    ) -> PyResult<Py<rec::CreatedApp>> {
        let new = NewAppFields {
            owner_sid: owner_sid.to_owned(),
            grant_type: grant_type.to_owned(),
            name,
            description,
            company_name,
            image_urls: opt_str_list("image_urls", image_urls)?.unwrap_or_default(),
            homepage_url,
            terms_of_service_url,
            redirect_url,
            scopes: str_list("scopes", scopes)?,
            token_ttl: opt_unsigned("token_ttl", token_ttl)?,
        }
        .parse()
        .map_err(core_err)?;
        let created = self.engine.create_app(new, &admin()).map_err(core_err)?;
        let app = self.app_value(&created.app)?;
        rec::created_app(py, app, created.client_secret.expose().to_owned())
    }

    /// An app by client id (never its secret).
    fn app(&self, py: Python<'_>, client_id: &str) -> PyResult<Py<rec::App>> {
        let app = self.engine.app(parse_sid(client_id)?).map_err(core_err)?;
        make(py, self.app_value(&app)?)
    }

    /// The apps of an organization or account, oldest first.
    fn apps(&self, py: Python<'_>, owner_sid: &str) -> PyResult<Py<PyList>> {
        let owner = OwnerSid::from_str(owner_sid).map_err(core_err)?;
        let list = PyList::empty(py);
        for app in self.engine.apps(owner) {
            list.append(make::<rec::App>(py, self.app_value(&app)?)?)?;
        }
        Ok(list.unbind())
    }

    /// Updates an app's details, scopes or token lifetime; `None` keeps a field.
    #[pyo3(signature = (
        client_id, *, name=None, description=None, company_name=None, image_urls=None,
        homepage_url=None, terms_of_service_url=None, redirect_url=None, scopes=None,
        token_ttl=None
    ))]
    fn update_app(
        &self,
        py: Python<'_>,
        client_id: &str,
        name: Option<String>,
        description: Option<String>,
        company_name: Option<String>,
        image_urls: Option<&Bound<'_, PyAny>>,
        homepage_url: Option<String>,
        terms_of_service_url: Option<String>,
        redirect_url: Option<String>,
        scopes: Option<&Bound<'_, PyAny>>,
        token_ttl: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<rec::App>> {
        let update = AppUpdate {
            name,
            description,
            company_name,
            image_urls: opt_str_list("image_urls", image_urls)?,
            homepage_url,
            terms_of_service_url,
            redirect_url,
            scopes: opt_str_list("scopes", scopes)?,
            token_ttl: opt_unsigned("token_ttl", token_ttl)?,
        };
        let app = self
            .engine
            .update_app(parse_sid(client_id)?, update, &admin())
            .map_err(core_err)?;
        make(py, self.app_value(&app)?)
    }

    /// Replaces an app's secret; the previous one works for the grace period.
    #[pyo3(signature = (client_id, grace_seconds=None))]
    fn rotate_secret(
        &self,
        py: Python<'_>,
        client_id: &str,
        grace_seconds: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<rec::RotatedSecret>> {
        let grace_seconds = opt_unsigned("grace_seconds", grace_seconds)?;
        let rotated = self
            .engine
            .rotate_secret(parse_sid(client_id)?, grace_seconds, &admin())
            .map_err(core_err)?;
        let app = self.app_value(&rotated.app)?;
        rec::rotated_secret(
            py,
            app,
            rotated.client_secret.expose().to_owned(),
            rotated.previous_valid_until.map(rfc3339),
        )
    }

    /// Deletes an app: its secrets, codes, refresh and access tokens stop working.
    fn delete_app(&self, client_id: &str) -> PyResult<()> {
        let id: ClientId = parse_sid(client_id)?;
        self.engine.delete_app(id, &admin()).map_err(core_err)
    }

    // ----- Twilio's account OAuth-apps API, as an account with its auth token -----

    /// Creates an app of the account from the body of Twilio's
    /// `POST /v1/Account/OAuthApps` (`friendly_name`, `description`,
    /// `policy.allow`, `access_token_ttl`); the result holds `client_secret`.
    fn create_account_app(
        &self,
        py: Python<'_>,
        account_sid: &str,
        auth_token: &str,
        body: &Bound<'_, PyAny>,
    ) -> PyResult<Py<rec::CreatedApp>> {
        let body = json_bytes("body", body)?;
        let created =
            account_apps::create(&self.engine, account_sid, auth_token, &body).map_err(core_err)?;
        let app = self.app_value(&created.app)?;
        rec::created_app(py, app, created.client_secret.expose().to_owned())
    }

    /// Updates an app of the account from the body of Twilio's
    /// `PUT /v1/Account/OAuthApps/{sid}` (`None` keeps a field).
    fn update_account_app(
        &self,
        py: Python<'_>,
        account_sid: &str,
        auth_token: &str,
        client_id: &str,
        body: &Bound<'_, PyAny>,
    ) -> PyResult<Py<rec::App>> {
        let body = json_bytes("body", body)?;
        let app = account_apps::update(&self.engine, account_sid, auth_token, client_id, &body)
            .map_err(core_err)?;
        make(py, self.app_value(&app)?)
    }

    /// Deletes an app of the account (Twilio's `DELETE /v1/Account/OAuthApps/{sid}`).
    fn delete_account_app(
        &self,
        account_sid: &str,
        auth_token: &str,
        client_id: &str,
    ) -> PyResult<()> {
        account_apps::delete(&self.engine, account_sid, auth_token, client_id).map_err(core_err)
    }

    // ----- authorization code flow and Token API -----

    /// A signed-in user approves an authorization-code app: the result holds the
    /// single-use `code`, `redirect_to`, `authorization` and `expires_at`.
    #[pyo3(signature = (
        *, client_id, redirect_uri, user_sid, scope=None, state=None, code_challenge=None,
        code_challenge_method=None, response_type="code"
    ))]
    fn authorize(
        &self,
        py: Python<'_>,
        client_id: String,
        redirect_uri: String,
        user_sid: String,
        scope: Option<String>,
        state: Option<String>,
        code_challenge: Option<String>,
        code_challenge_method: Option<String>,
        response_type: &str,
    ) -> PyResult<Py<rec::AuthorizationCode>> {
        let request = AuthorizeRequest {
            client_id,
            response_type: response_type.to_owned(),
            redirect_uri,
            scope,
            state,
            user_sid,
            code_challenge,
            code_challenge_method,
        };
        let r = py
            .allow_threads(|| self.engine.authorize(&request))
            .map_err(core_err)?;
        let value = json!({
            "code": r.code.expose(),
            "redirect_to": r.redirect_to.expose(),
            "authorization": serde_json::to_value(&r.authorization).unwrap_or(Value::Null),
            "expires_at": rfc3339(r.expires_at),
        });
        make(py, value)
    }

    /// The apps an organization's users have authorized and not revoked.
    fn authorizations(&self, py: Python<'_>, organization_sid: &str) -> PyResult<Py<PyList>> {
        let found = self.engine.authorizations(parse_sid(organization_sid)?);
        rec::list::<rec::Authorization, _>(py, &found)
    }

    /// One authorization by sid, revoked or not (`revoked_at` says when).
    fn authorization(
        &self,
        py: Python<'_>,
        authorization_sid: &str,
    ) -> PyResult<Py<rec::Authorization>> {
        let found = self.engine.authorization(parse_sid(authorization_sid)?);
        ser(py, &found.map_err(core_err)?)
    }

    /// Revokes an authorization; its tokens stop working at once.
    fn revoke_authorization(
        &self,
        py: Python<'_>,
        authorization_sid: &str,
    ) -> PyResult<Py<rec::Authorization>> {
        let revoked = self
            .engine
            .revoke_authorization(parse_sid(authorization_sid)?, &admin())
            .map_err(core_err)?;
        ser(py, &revoked)
    }

    /// The Token API. The result has `access_token`, `id_token`, `token_type`,
    /// `expires_in`, `refresh_token` and `scope`.
    #[pyo3(signature = (
        *, grant_type, client_id=None, client_secret=None, code=None, redirect_uri=None,
        refresh_token=None, code_verifier=None, scope=None
    ))]
    fn token(
        &self,
        py: Python<'_>,
        grant_type: String,
        client_id: Option<String>,
        client_secret: Option<String>,
        code: Option<String>,
        redirect_uri: Option<String>,
        refresh_token: Option<String>,
        code_verifier: Option<String>,
        scope: Option<String>,
    ) -> PyResult<Py<rec::Token>> {
        let request = TokenRequest {
            grant_type,
            client_id,
            client_secret: client_secret.map(Into::into),
            code: code.map(Into::into),
            redirect_uri,
            refresh_token: refresh_token.map(Into::into),
            code_verifier: code_verifier.map(Into::into),
            scope,
        };
        let issued = py
            .allow_threads(|| self.engine.token(&request))
            .map_err(core_err)?;
        rec::Token::of(py, &issued)
    }

    /// Verifies an access token and returns its claims as a dict.
    fn verify(&self, py: Python<'_>, token: &str) -> PyResult<PyObject> {
        let claims = py
            .allow_threads(|| self.engine.verify(token))
            .map_err(core_err)?;
        Ok(claims_to_py(py, &claims)?.into_any().unbind())
    }

    /// A token's header and claims as sent, and the engine's verdict on it now
    /// (`valid`, or the refusal's `code` and `message`); never raises.
    fn inspect_token(&self, py: Python<'_>, token: &str) -> PyResult<Py<rec::TokenInspection>> {
        ser(py, &self.engine.inspect_token(token))
    }

    /// Whether `token` may call `method path`: the result has `permission` and
    /// `claims`; a refusal raises `AccessError` (or `TokenError`).
    fn check_access(
        &self,
        py: Python<'_>,
        token: &str,
        method: &str,
        path: &str,
    ) -> PyResult<Py<rec::Access>> {
        let access = py
            .allow_threads(|| self.engine.check_access(token, method, path))
            .map_err(core_err)?;
        let value = json!({
            "permission": access.permission,
            "claims": serde_json::to_value(&access.claims).unwrap_or(Value::Null),
        });
        make(py, value)
    }

    /// RFC 7662 introspection: a dict with `active` and, when active, the claims.
    fn introspect(&self, py: Python<'_>, token: &str) -> PyResult<PyObject> {
        let found = py.allow_threads(|| self.engine.introspect(token));
        Ok(introspection_to_py(py, &found)?.into_any().unbind())
    }

    /// RFC 7009 revocation by the client the token was issued to.
    fn revoke_token(
        &self,
        py: Python<'_>,
        client_id: &str,
        client_secret: &str,
        token: &str,
    ) -> PyResult<()> {
        py.allow_threads(|| self.engine.revoke_token(client_id, client_secret, token))
            .map_err(core_err)
    }

    /// The JWKS document of the signing key.
    fn jwks(&self, py: Python<'_>) -> PyResult<PyObject> {
        to_py(py, &self.engine.jwks())
    }

    /// The RFC 8414 authorization-server metadata document.
    fn metadata(&self, py: Python<'_>) -> PyResult<PyObject> {
        to_py(py, &self.engine.metadata())
    }

    // ----- SCIM -----

    /// Creates a SCIM user from a resource dict; returns the stored resource.
    fn scim_create_user(
        &self,
        py: Python<'_>,
        organization_sid: &str,
        resource: &Bound<'_, PyAny>,
    ) -> PyResult<PyObject> {
        let org: OrganizationSid = parse_sid(organization_sid)?;
        let resource = from_py("resource", resource)?;
        let created = py
            .allow_threads(|| self.engine.scim_create_user(org, &resource, &admin()))
            .map_err(core_err)?;
        to_py(py, &created)
    }

    /// A SCIM user by id, optionally projected with `attributes` or
    /// `excluded_attributes` (lists of attribute paths).
    #[pyo3(signature = (organization_sid, id, attributes=None, excluded_attributes=None))]
    fn scim_get_user(
        &self,
        py: Python<'_>,
        organization_sid: &str,
        id: &str,
        attributes: Option<&Bound<'_, PyAny>>,
        excluded_attributes: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyObject> {
        let org: OrganizationSid = parse_sid(organization_sid)?;
        let projection = Projection::from_lists(
            &opt_str_list("attributes", attributes)?.unwrap_or_default(),
            &opt_str_list("excluded_attributes", excluded_attributes)?.unwrap_or_default(),
        )
        .map_err(core_err)?;
        let found = self
            .engine
            .scim_get_user(org, id, &projection)
            .map_err(core_err)?;
        to_py(py, &found)
    }

    /// Lists SCIM users: a `ListResponse` dict (`Resources`, `totalResults`, …).
    #[pyo3(signature = (
        organization_sid, filter=None, sort_by=None, sort_order=None, start_index=None,
        count=None, attributes=None, excluded_attributes=None
    ))]
    fn scim_list_users(
        &self,
        py: Python<'_>,
        organization_sid: &str,
        filter: Option<String>,
        sort_by: Option<String>,
        sort_order: Option<String>,
        start_index: Option<&Bound<'_, PyAny>>,
        count: Option<&Bound<'_, PyAny>>,
        attributes: Option<&Bound<'_, PyAny>>,
        excluded_attributes: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyObject> {
        let org: OrganizationSid = parse_sid(organization_sid)?;
        let query = UserQuery {
            filter,
            sort_by,
            sort_order,
            start_index: opt_unsigned("start_index", start_index)?,
            count: opt_unsigned("count", count)?,
            attributes: opt_str_list("attributes", attributes)?.map(|a| a.join(",")),
            excluded_attributes: opt_str_list("excluded_attributes", excluded_attributes)?
                .map(|a| a.join(",")),
        };
        let list = py
            .allow_threads(|| self.engine.scim_list_users(org, &query))
            .map_err(core_err)?;
        ser_to_py(py, &list)
    }

    /// Replaces a SCIM user (PUT); `if_match` is checked against `meta.version`.
    #[pyo3(signature = (organization_sid, id, resource, if_match=None))]
    fn scim_replace_user(
        &self,
        py: Python<'_>,
        organization_sid: &str,
        id: &str,
        resource: &Bound<'_, PyAny>,
        if_match: Option<&str>,
    ) -> PyResult<PyObject> {
        let org: OrganizationSid = parse_sid(organization_sid)?;
        let resource = from_py("resource", resource)?;
        let replaced = py
            .allow_threads(|| {
                self.engine
                    .scim_replace_user(org, id, &resource, if_match, &admin())
            })
            .map_err(core_err)?;
        to_py(py, &replaced)
    }

    /// Applies a SCIM PATCH request (a `PatchOp` dict) to a user.
    #[pyo3(signature = (organization_sid, id, patch, if_match=None))]
    fn scim_patch_user(
        &self,
        py: Python<'_>,
        organization_sid: &str,
        id: &str,
        patch: &Bound<'_, PyAny>,
        if_match: Option<&str>,
    ) -> PyResult<PyObject> {
        let org: OrganizationSid = parse_sid(organization_sid)?;
        let patch = from_py("patch", patch)?;
        let patched = py
            .allow_threads(|| {
                self.engine
                    .scim_patch_user(org, id, &patch, if_match, &admin())
            })
            .map_err(core_err)?;
        to_py(py, &patched)
    }

    /// Deletes a SCIM user and its role assignments.
    #[pyo3(signature = (organization_sid, id, if_match=None))]
    fn scim_delete_user(
        &self,
        organization_sid: &str,
        id: &str,
        if_match: Option<&str>,
    ) -> PyResult<()> {
        let org: OrganizationSid = parse_sid(organization_sid)?;
        self.engine
            .scim_delete_user(org, id, if_match, &admin())
            .map_err(core_err)
    }

    /// The SCIM `ServiceProviderConfig` document.
    fn scim_service_provider_config(&self, py: Python<'_>) -> PyResult<PyObject> {
        to_py(py, &self.engine.scim_service_provider_config())
    }

    /// The SCIM `ResourceTypes` document.
    fn scim_resource_types(&self, py: Python<'_>) -> PyResult<PyObject> {
        to_py(py, &self.engine.scim_resource_types())
    }

    /// The SCIM `Schemas` document.
    fn scim_schemas(&self, py: Python<'_>) -> PyResult<PyObject> {
        to_py(py, &self.engine.scim_schemas())
    }

    // ----- roles -----

    /// Every role, as Twilio's Role resource.
    fn roles(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        rec::list::<rec::Role, _>(py, &self.engine.roles())
    }

    /// Gives `role_sid` to the user `identity` in `scope` (the organization or one of
    /// its accounts).
    #[pyo3(signature = (organization_sid, *, role_sid, scope, identity))]
    fn create_role_assignment(
        &self,
        py: Python<'_>,
        organization_sid: &str,
        role_sid: String,
        scope: String,
        identity: String,
    ) -> PyResult<Py<rec::RoleAssignment>> {
        let new = NewRoleAssignment {
            role_sid,
            scope,
            identity,
        };
        let created = self
            .engine
            .create_role_assignment(parse_sid(organization_sid)?, &new, &admin())
            .map_err(core_err)?;
        ser(py, &created)
    }

    /// A page of role assignments by `identity` and/or `scope`: a dict with
    /// `content` and `meta`.
    #[pyo3(signature = (organization_sid, *, identity=None, scope=None, page_size=None, page_token=None))]
    fn role_assignments(
        &self,
        py: Python<'_>,
        organization_sid: &str,
        identity: Option<String>,
        scope: Option<String>,
        page_size: Option<&Bound<'_, PyAny>>,
        page_token: Option<String>,
    ) -> PyResult<PyObject> {
        let query = RoleAssignmentQuery {
            identity,
            scope,
            page_size: opt_unsigned("page_size", page_size)?,
            page_token,
        };
        let page = self
            .engine
            .role_assignments(parse_sid(organization_sid)?, &query)
            .map_err(core_err)?;
        ser_to_py(py, &page.at(&self.engine.url(ROLE_ASSIGNMENTS)))
    }

    /// Deletes a role assignment.
    fn delete_role_assignment(&self, organization_sid: &str, sid: &str) -> PyResult<()> {
        self.engine
            .delete_role_assignment(parse_sid(organization_sid)?, sid, &admin())
            .map_err(core_err)
    }

    // ----- audit and state -----

    /// Audit events, oldest first, narrowed by type, subject, time
    /// (`since <= at < until`) and `limit` (the newest).
    #[pyo3(signature = (event_type=None, subject=None, since=None, until=None, limit=None))]
    fn audit_events(
        &self,
        py: Python<'_>,
        event_type: Option<String>,
        subject: Option<String>,
        since: Option<&Bound<'_, PyAny>>,
        until: Option<&Bound<'_, PyAny>>,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyList>> {
        let query = AuditQuery {
            event_type,
            subject,
            since: since.map(|v| instant("since", v)).transpose()?,
            until: until.map(|v| instant("until", v)).transpose()?,
            limit: opt_unsigned("limit", limit)?,
        };
        let events = py.allow_threads(|| self.engine.audit_events(&query));
        rec::list::<rec::AuditEvent, _>(py, &events)
    }

    /// The whole state as a JSON string (secrets only as hashes; no signing key).
    fn export_state(&self, py: Python<'_>) -> String {
        py.allow_threads(|| self.engine.export_state())
    }

    /// Replaces the whole state with an export; nothing changes if it is invalid.
    fn import_state(&self, py: Python<'_>, state: &str) -> PyResult<()> {
        py.allow_threads(|| self.engine.import_state(state))
            .map_err(core_err)
    }

    // ----- the emulator -----

    /// Serves this engine (same state, same clock, same SCIM rules) over HTTP on a
    /// background thread. `demo=True` first creates the demo organization, users and
    /// apps; `response_style="rfc"` answers in strict standard shapes;
    /// `cors_origins` lists the origins whose web pages may read the answers (`"*"`
    /// for any; by default pages served from this machine).
    ///
    /// `port` is 0 (any free port) when omitted or `None`.
    #[pyo3(
        signature = (
            port=None, *, host=None, demo=false, admin_token=None, response_style=None,
            cors_origins=None
        ),
        text_signature = "(self, port=0, *, host=None, demo=False, admin_token=None, \
                          response_style=None, cors_origins=None)"
    )]
    fn serve(
        &self,
        py: Python<'_>,
        port: Option<&Bound<'_, PyAny>>,
        host: Option<String>,
        demo: bool,
        admin_token: Option<String>,
        response_style: Option<String>,
        cors_origins: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyServer> {
        let (options, demo) = ServeOptions {
            port: opt_unsigned("port", port)?.unwrap_or(0),
            host,
            demo,
            admin_token,
            response_style,
            cors_origins: opt_str_list("cors_origins", cors_origins)?.unwrap_or_default(),
        }
        .server_options()
        .map_err(options_err)?;
        let engine = self.engine.clone();
        let running = py
            .allow_threads(|| iamkit_server::spawn(engine, options, demo))
            .map_err(|e| PyRuntimeError::new_err(format!("cannot start the emulator: {e}")))?;
        let bootstrap = ser_to_py(py, &running.bootstrap)?;
        Ok(PyServer {
            url: running.url.clone(),
            bootstrap,
            running: parking_lot::Mutex::new(Some(running)),
        })
    }

    fn __repr__(&self) -> String {
        format!("Engine(algorithm='{}')", self.engine.algorithm().as_str())
    }
}

/// A running emulator; `stop()` it, or use it as a context manager.
#[pyclass(name = "Server", module = "iamkit._native", frozen)]
pub struct PyServer {
    url: String,
    bootstrap: PyObject,
    running: parking_lot::Mutex<Option<RunningServer>>,
}

#[pymethods]
impl PyServer {
    /// The base URL, e.g. `http://127.0.0.1:54321`.
    #[getter]
    fn url(&self) -> &str {
        &self.url
    }

    /// The admin token and, with `demo=True`, the demo credentials (a dict).
    #[getter]
    fn bootstrap(&self, py: Python<'_>) -> PyObject {
        self.bootstrap.clone_ref(py)
    }

    /// Whether the server is still running.
    #[getter]
    fn running(&self) -> bool {
        self.running.lock().is_some()
    }

    /// Stops the server and waits for in-flight requests; stopping twice is a no-op.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        let running = self.running.lock().take();
        if let Some(running) = running {
            py.allow_threads(|| running.stop())
                .map_err(|e| PyRuntimeError::new_err(format!("stopping the emulator: {e}")))?;
        }
        Ok(())
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, pyo3::types::PyTuple>) -> PyResult<bool> {
        self.stop(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        let running = if self.running() { "True" } else { "False" };
        format!("Server(url='{}', running={running})", self.url)
    }
}
