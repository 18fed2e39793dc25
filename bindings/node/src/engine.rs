//! `ManualClock`, `Engine` and `Server`: the core's clock, engine and emulator,
//! with JavaScript conventions.

// The `#[napi]` macros expand to public, undocumented glue functions (constructors
// and method trampolines) that `missing_docs` flags; every hand-written item here is
// documented.
#![allow(missing_docs)]

use std::str::FromStr;
use std::sync::Arc;

use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;
use serde::Deserialize;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use iamkit::{
    Actor, App, AppError, AppUpdate, AuditQuery, AuthorizeRequest, ClientId, GrantType, NewApp,
    NewRoleAssignment, NewUser, OrganizationSid, OwnerSid, Projection, Role, RoleAssignmentQuery,
    Sid, TokenRequest, UserQuery,
};
use iamkit_server::{RunningServer, ServerOptions};

use crate::convert::{
    camel, core_err, options, options_err, range_err, record, required, resource, ser, type_err,
};

type Result<T> = napi::Result<T>;

/// Parses a sid argument; a malformed one is the core's `invalid_sid` error.
fn parse_sid<S: Sid>(value: &str) -> Result<S> {
    S::parse(value).map_err(|e| core_err(AppError::from(e)))
}

fn instant(what: &str, text: &str) -> Result<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| range_err(format!("{what} is not an RFC 3339 instant ({text:?}): {e}")))
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

fn admin() -> Actor {
    Actor::admin()
}

/// A clock that stands still until set or advanced; share one between an engine
/// and its tests.
#[napi]
pub struct ManualClock {
    inner: iamkit::ManualClock,
}

#[napi]
impl ManualClock {
    /// A clock standing at `at` (RFC 3339), by default 2026-01-01T00:00:00Z.
    #[napi(constructor)]
    pub fn new(at: Option<String>) -> Result<Self> {
        let inner = iamkit::ManualClock::default();
        if let Some(at) = at {
            inner.set(instant("at", &at)?);
        }
        Ok(Self { inner })
    }

    /// Moves the clock forward by `seconds` (0 to 1e12; move it back with `set`).
    #[napi]
    pub fn advance(&self, seconds: f64) -> Result<()> {
        iamkit::Adjustable::advance_seconds(&self.inner, seconds).map_err(range_err)
    }

    /// Puts the clock at `at` (RFC 3339).
    #[napi]
    pub fn set(&self, at: String) -> Result<()> {
        self.inner.set(instant("at", &at)?);
        Ok(())
    }

    /// The clock's instant as an RFC 3339 string in UTC.
    #[napi]
    pub fn now(&self) -> String {
        rfc3339(iamkit::Clock::now(&self.inner).to_offset(time::UtcOffset::UTC))
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EngineOptions {
    algorithm: Option<String>,
    database: Option<String>,
    issuer: Option<String>,
    rs256_key_pem: Option<String>,
    scim_rules: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateUserOptions {
    organization_sid: String,
    user_name: String,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default)]
    sso: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateAppOptions {
    owner_sid: String,
    name: String,
    grant_type: Option<String>,
    scopes: Vec<String>,
    redirect_url: Option<String>,
    token_ttl: Option<u64>,
    description: Option<String>,
    company_name: Option<String>,
    image_urls: Option<Vec<String>>,
    homepage_url: Option<String>,
    terms_of_service_url: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct UpdateAppOptions {
    name: Option<String>,
    description: Option<String>,
    company_name: Option<String>,
    image_urls: Option<Vec<String>>,
    homepage_url: Option<String>,
    terms_of_service_url: Option<String>,
    redirect_url: Option<String>,
    scopes: Option<Vec<String>>,
    token_ttl: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AuthorizeOptions {
    client_id: String,
    redirect_uri: String,
    user_sid: String,
    scope: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    response_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TokenOptions {
    grant_type: String,
    client_id: Option<String>,
    client_secret: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    refresh_token: Option<String>,
    code_verifier: Option<String>,
    scope: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ProjectionOptions {
    attributes: Option<Vec<String>>,
    excluded_attributes: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ListOptions {
    filter: Option<String>,
    sort_by: Option<String>,
    sort_order: Option<String>,
    start_index: Option<usize>,
    count: Option<usize>,
    attributes: Option<Vec<String>>,
    excluded_attributes: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct IfMatchOptions {
    if_match: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RoleAssignmentOptions {
    role_sid: String,
    scope: String,
    identity: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RoleAssignmentsOptions {
    identity: Option<String>,
    scope: Option<String>,
    page_size: Option<u32>,
    page_token: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AuditOptions {
    event_type: Option<String>,
    subject: Option<String>,
    since: Option<String>,
    until: Option<String>,
    limit: Option<usize>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ServeOptions {
    port: Option<u16>,
    host: Option<String>,
    demo: Option<bool>,
    admin_token: Option<String>,
    response_style: Option<String>,
}

/// The SCIM list query of `scimListUsers` options.
fn user_query(options: Option<String>) -> Result<UserQuery> {
    let o: ListOptions = self::options("scimListUsers options", options)?;
    Ok(UserQuery {
        filter: o.filter,
        sort_by: o.sort_by,
        sort_order: o.sort_order,
        start_index: o.start_index,
        count: o.count,
        attributes: o.attributes.map(|a| a.join(",")),
        excluded_attributes: o.excluded_attributes.map(|a| a.join(",")),
    })
}

/// Work run on the libuv thread pool whose result is a JSON value.
pub struct Job {
    work: Option<Box<dyn FnOnce() -> Result<Value> + Send>>,
}

impl Job {
    fn new(work: impl FnOnce() -> Result<Value> + Send + 'static) -> AsyncTask<Job> {
        AsyncTask::new(Job {
            work: Some(Box::new(work)),
        })
    }
}

impl Task for Job {
    type Output = Value;
    type JsValue = napi::JsUnknown;

    fn compute(&mut self) -> Result<Value> {
        let work = self
            .work
            .take()
            .ok_or_else(|| napi::Error::from_reason("a job ran twice"))?;
        work()
    }

    fn resolve(&mut self, env: Env, output: Value) -> Result<napi::JsUnknown> {
        env.to_js_value(&output)
    }
}

/// The OAuth 2.0 + SCIM 2.0 engine, in memory. `node/index.js` wraps it as the
/// public `Engine` class.
#[napi]
pub struct Engine {
    engine: Arc<iamkit::Engine>,
}

impl Engine {
    fn app_value(&self, app: &App) -> Result<Value> {
        let mut value = ser(app)?;
        value["authorization_url"] = json!(self.engine.authorization_url(app));
        Ok(camel(value))
    }
}

#[napi]
impl Engine {
    /// An engine on `clock` (the system clock when absent) signing with a fresh key
    /// of `options.algorithm` (`ES256` by default, `EdDSA`, `HS256`) or the RS256 key
    /// in `options.rs256KeyPem`; `options.issuer` sets `iss` and the base URLs;
    /// `options.database` keeps the state and key in that SQLite file.
    #[napi(constructor)]
    pub fn new(options: Option<String>, clock: Option<&ManualClock>) -> Result<Self> {
        let o: EngineOptions = self::options("Engine options", options)?;
        let engine = iamkit_bindings::EngineOptions {
            clock: clock.map(|c| c.inner.clone()),
            algorithm: o.algorithm,
            issuer: o.issuer,
            rs256_key_pem: o.rs256_key_pem,
            database: o.database.map(Into::into),
            scim_rules: o.scim_rules,
        }
        .build()
        .map_err(options_err)?;
        Ok(Self {
            engine: Arc::new(engine),
        })
    }

    /// The signing algorithm's JWS name.
    #[napi(getter)]
    pub fn algorithm(&self) -> String {
        self.engine.algorithm().as_str().to_owned()
    }

    /// Creates an organization.
    #[napi]
    pub fn create_organization(&self, name: String) -> Result<Value> {
        record(&self.engine.create_organization(&name).map_err(core_err)?)
    }

    /// An organization by sid.
    #[napi]
    pub fn organization(&self, sid: String) -> Result<Value> {
        record(
            &self
                .engine
                .organization(parse_sid(&sid)?)
                .map_err(core_err)?,
        )
    }

    /// Every organization, oldest first.
    #[napi]
    pub fn organizations(&self) -> Result<Value> {
        record(&self.engine.organizations())
    }

    /// Creates an account in an organization.
    #[napi]
    pub fn create_account(&self, organization_sid: String, name: String) -> Result<Value> {
        let account = self
            .engine
            .create_account(parse_sid(&organization_sid)?, &name)
            .map_err(core_err)?;
        record(&account)
    }

    /// An account by sid.
    #[napi]
    pub fn account(&self, sid: String) -> Result<Value> {
        record(&self.engine.account(parse_sid(&sid)?).map_err(core_err)?)
    }

    /// The accounts of an organization, oldest first.
    #[napi]
    pub fn accounts(&self, organization_sid: String) -> Result<Value> {
        record(
            &self
                .engine
                .accounts(parse_sid(&organization_sid)?)
                .map_err(core_err)?,
        )
    }

    /// Creates a managed user with organization roles (names such as `"Owner"`).
    #[napi]
    pub fn create_user(&self, options: String) -> Result<Value> {
        let o: CreateUserOptions = required("createUser options", options)?;
        let roles = o
            .roles
            .iter()
            .map(|r| Role::from_str(r).map_err(|e| range_err(e.to_string())))
            .collect::<Result<Vec<_>>>()?;
        let user = self
            .engine
            .create_user(NewUser {
                organization_sid: parse_sid(&o.organization_sid)?,
                user_name: o.user_name,
                roles,
                sso: o.sso,
            })
            .map_err(core_err)?;
        record(&user)
    }

    /// A managed user by sid.
    #[napi]
    pub fn user(&self, sid: String) -> Result<Value> {
        record(&self.engine.user(parse_sid(&sid)?).map_err(core_err)?)
    }

    /// The managed users of an organization.
    #[napi]
    pub fn users(&self, organization_sid: String) -> Result<Value> {
        let org: OrganizationSid = parse_sid(&organization_sid)?;
        record(&self.engine.users(org))
    }

    /// Creates an app; the result holds `clientId` and `clientSecret` (never shown
    /// again).
    #[napi]
    pub fn create_app(&self, options: String) -> Result<Value> {
        let o: CreateAppOptions = required("createApp options", options)?;
        let new = NewApp {
            owner: OwnerSid::from_str(&o.owner_sid).map_err(core_err)?,
            grant_type: GrantType::parse(o.grant_type.as_deref().unwrap_or("client_credentials"))
                .map_err(core_err)?,
            name: o.name,
            description: o.description,
            company_name: o.company_name,
            image_urls: o.image_urls.unwrap_or_default(),
            homepage_url: o.homepage_url,
            terms_of_service_url: o.terms_of_service_url,
            redirect_url: o.redirect_url,
            scopes: o.scopes,
            token_ttl: o.token_ttl,
        };
        let created = self.engine.create_app(new, &admin()).map_err(core_err)?;
        let mut value = self.app_value(&created.app)?;
        value["clientSecret"] = json!(created.client_secret.expose());
        Ok(value)
    }

    /// An app by client id (never its secret).
    #[napi]
    pub fn app(&self, client_id: String) -> Result<Value> {
        let app = self.engine.app(parse_sid(&client_id)?).map_err(core_err)?;
        self.app_value(&app)
    }

    /// The apps of an organization or account, oldest first.
    #[napi]
    pub fn apps(&self, owner_sid: String) -> Result<Value> {
        let owner = OwnerSid::from_str(&owner_sid).map_err(core_err)?;
        let apps = self.engine.apps(owner);
        Ok(Value::Array(
            apps.iter()
                .map(|a| self.app_value(a))
                .collect::<Result<_>>()?,
        ))
    }

    /// Updates an app; absent fields are kept.
    #[napi]
    pub fn update_app(&self, client_id: String, options: Option<String>) -> Result<Value> {
        let o: UpdateAppOptions = self::options("updateApp options", options)?;
        let update = AppUpdate {
            name: o.name,
            description: o.description,
            company_name: o.company_name,
            image_urls: o.image_urls,
            homepage_url: o.homepage_url,
            terms_of_service_url: o.terms_of_service_url,
            redirect_url: o.redirect_url,
            scopes: o.scopes,
            token_ttl: o.token_ttl,
        };
        let app = self
            .engine
            .update_app(parse_sid(&client_id)?, update, &admin())
            .map_err(core_err)?;
        self.app_value(&app)
    }

    /// Replaces an app's secret; the previous one works for `graceSeconds`.
    #[napi]
    pub fn rotate_secret(&self, client_id: String, grace_seconds: Option<f64>) -> Result<Value> {
        let grace = match grace_seconds {
            None => None,
            Some(g) if g.is_finite() && g >= 0.0 && g.fract() == 0.0 && g <= 9.0e15 => {
                Some(g as u64)
            }
            Some(g) => {
                return Err(range_err(format!(
                    "graceSeconds must be a whole number of seconds of at least 0, not {g}"
                )))
            }
        };
        let rotated = self
            .engine
            .rotate_secret(parse_sid(&client_id)?, grace, &admin())
            .map_err(core_err)?;
        let mut value = self.app_value(&rotated.app)?;
        value["clientSecret"] = json!(rotated.client_secret.expose());
        value["previousValidUntil"] = json!(rotated.previous_valid_until.map(rfc3339));
        Ok(value)
    }

    /// Deletes an app: its secrets, codes and tokens stop working.
    #[napi]
    pub fn delete_app(&self, client_id: String) -> Result<()> {
        let id: ClientId = parse_sid(&client_id)?;
        self.engine.delete_app(id, &admin()).map_err(core_err)
    }

    /// A signed-in user approves an authorization-code app: `code`, `redirectTo`,
    /// `authorization` and `expiresAt`.
    #[napi]
    pub fn authorize(&self, options: String) -> Result<Value> {
        let o: AuthorizeOptions = required("authorize options", options)?;
        let request = AuthorizeRequest {
            client_id: o.client_id,
            response_type: o.response_type.unwrap_or_else(|| "code".to_owned()),
            redirect_uri: o.redirect_uri,
            scope: o.scope,
            state: o.state,
            user_sid: o.user_sid,
            code_challenge: o.code_challenge,
            code_challenge_method: o.code_challenge_method,
        };
        let r = self.engine.authorize(&request).map_err(core_err)?;
        Ok(json!({
            "code": r.code.expose(),
            "redirectTo": r.redirect_to.expose(),
            "authorization": record(&r.authorization)?,
            "expiresAt": rfc3339(r.expires_at),
        }))
    }

    /// The apps an organization's users have authorized and not revoked.
    #[napi]
    pub fn authorizations(&self, organization_sid: String) -> Result<Value> {
        record(&self.engine.authorizations(parse_sid(&organization_sid)?))
    }

    /// Revokes an authorization; its tokens stop working at once.
    #[napi]
    pub fn revoke_authorization(&self, authorization_sid: String) -> Result<Value> {
        let revoked = self
            .engine
            .revoke_authorization(parse_sid(&authorization_sid)?, &admin())
            .map_err(core_err)?;
        record(&revoked)
    }

    /// The Token API: `accessToken`, `idToken`, `tokenType`, `expiresIn`,
    /// `refreshToken` and `scope`.
    #[napi]
    pub fn token(&self, options: String) -> Result<Value> {
        let o: TokenOptions = required("token options", options)?;
        let request = TokenRequest {
            grant_type: o.grant_type,
            client_id: o.client_id,
            client_secret: o.client_secret.map(Into::into),
            code: o.code.map(Into::into),
            redirect_uri: o.redirect_uri,
            refresh_token: o.refresh_token.map(Into::into),
            code_verifier: o.code_verifier.map(Into::into),
            scope: o.scope,
        };
        let issued = self.engine.token(&request).map_err(core_err)?;
        let mut body = issued.to_json();
        body["scope"] = json!(issued.scope);
        Ok(camel(body))
    }

    /// Verifies an access token and returns its claims (JWT claim names).
    #[napi]
    pub fn verify(&self, token: String) -> Result<Value> {
        ser(&self.engine.verify(&token).map_err(core_err)?)
    }

    /// Whether `token` may call `method path`: `{ permission, claims }`; a refusal
    /// throws an `AccessError` (or `TokenError`).
    #[napi]
    pub fn check_access(&self, token: String, method: String, path: String) -> Result<Value> {
        let access = self
            .engine
            .check_access(&token, &method, &path)
            .map_err(core_err)?;
        Ok(json!({ "permission": ser(&access.permission)?, "claims": ser(&access.claims)? }))
    }

    /// RFC 7662 introspection: `active` and, when active, the claims.
    #[napi]
    pub fn introspect(&self, token: String) -> Result<Value> {
        ser(&self.engine.introspect(&token))
    }

    /// RFC 7009 revocation by the client the token was issued to.
    #[napi]
    pub fn revoke_token(
        &self,
        client_id: String,
        client_secret: String,
        token: String,
    ) -> Result<()> {
        self.engine
            .revoke_token(&client_id, &client_secret, &token)
            .map_err(core_err)
    }

    /// The JWKS document of the signing key.
    #[napi]
    pub fn jwks(&self) -> Value {
        self.engine.jwks()
    }

    /// The RFC 8414 authorization-server metadata document.
    #[napi]
    pub fn metadata(&self) -> Value {
        self.engine.metadata()
    }

    /// Creates a SCIM user from a resource object; returns the stored resource.
    #[napi]
    pub fn scim_create_user(&self, organization_sid: String, user: String) -> Result<Value> {
        let org: OrganizationSid = parse_sid(&organization_sid)?;
        let user = resource("user", &user)?;
        self.engine
            .scim_create_user(org, &user, &admin())
            .map_err(core_err)
    }

    /// A SCIM user by id, optionally projected (`attributes`, `excludedAttributes`).
    #[napi]
    pub fn scim_get_user(
        &self,
        organization_sid: String,
        id: String,
        options: Option<String>,
    ) -> Result<Value> {
        let org: OrganizationSid = parse_sid(&organization_sid)?;
        let o: ProjectionOptions = self::options("scimGetUser options", options)?;
        let projection = Projection::from_lists(
            &o.attributes.unwrap_or_default(),
            &o.excluded_attributes.unwrap_or_default(),
        )
        .map_err(core_err)?;
        self.engine
            .scim_get_user(org, &id, &projection)
            .map_err(core_err)
    }

    /// Lists SCIM users: a `ListResponse` (`Resources`, `totalResults`, …).
    #[napi]
    pub fn scim_list_users(
        &self,
        organization_sid: String,
        options: Option<String>,
    ) -> Result<Value> {
        let org: OrganizationSid = parse_sid(&organization_sid)?;
        let query = user_query(options)?;
        ser(&self.engine.scim_list_users(org, &query).map_err(core_err)?)
    }

    /// Replaces a SCIM user (PUT); `options.ifMatch` is checked against
    /// `meta.version`.
    #[napi]
    pub fn scim_replace_user(
        &self,
        organization_sid: String,
        id: String,
        user: String,
        options: Option<String>,
    ) -> Result<Value> {
        let org: OrganizationSid = parse_sid(&organization_sid)?;
        let user = resource("user", &user)?;
        let o: IfMatchOptions = self::options("scimReplaceUser options", options)?;
        self.engine
            .scim_replace_user(org, &id, &user, o.if_match.as_deref(), &admin())
            .map_err(core_err)
    }

    /// Applies a SCIM PATCH request (a `PatchOp` object) to a user.
    #[napi]
    pub fn scim_patch_user(
        &self,
        organization_sid: String,
        id: String,
        patch: String,
        options: Option<String>,
    ) -> Result<Value> {
        let org: OrganizationSid = parse_sid(&organization_sid)?;
        let patch = resource("patch", &patch)?;
        let o: IfMatchOptions = self::options("scimPatchUser options", options)?;
        self.engine
            .scim_patch_user(org, &id, &patch, o.if_match.as_deref(), &admin())
            .map_err(core_err)
    }

    /// Deletes a SCIM user and its role assignments.
    #[napi]
    pub fn scim_delete_user(
        &self,
        organization_sid: String,
        id: String,
        options: Option<String>,
    ) -> Result<()> {
        let org: OrganizationSid = parse_sid(&organization_sid)?;
        let o: IfMatchOptions = self::options("scimDeleteUser options", options)?;
        self.engine
            .scim_delete_user(org, &id, o.if_match.as_deref(), &admin())
            .map_err(core_err)
    }

    /// The SCIM `ServiceProviderConfig` document.
    #[napi]
    pub fn scim_service_provider_config(&self) -> Value {
        self.engine.scim_service_provider_config()
    }

    /// The SCIM `ResourceTypes` document.
    #[napi]
    pub fn scim_resource_types(&self) -> Value {
        self.engine.scim_resource_types()
    }

    /// The SCIM `Schemas` document.
    #[napi]
    pub fn scim_schemas(&self) -> Value {
        self.engine.scim_schemas()
    }

    /// Every role, as Twilio's Role resource.
    #[napi]
    pub fn roles(&self) -> Result<Value> {
        record(&self.engine.roles())
    }

    /// Gives `roleSid` to the user `identity` in `scope`.
    #[napi]
    pub fn create_role_assignment(
        &self,
        organization_sid: String,
        options: String,
    ) -> Result<Value> {
        let o: RoleAssignmentOptions = required("createRoleAssignment options", options)?;
        let new = NewRoleAssignment {
            role_sid: o.role_sid,
            scope: o.scope,
            identity: o.identity,
        };
        let created = self
            .engine
            .create_role_assignment(parse_sid(&organization_sid)?, &new, &admin())
            .map_err(core_err)?;
        record(&created)
    }

    /// A page of role assignments: `{ content, meta }`.
    #[napi]
    pub fn role_assignments(
        &self,
        organization_sid: String,
        options: Option<String>,
    ) -> Result<Value> {
        let o: RoleAssignmentsOptions = self::options("roleAssignments options", options)?;
        let query = RoleAssignmentQuery {
            identity: o.identity,
            scope: o.scope,
            page_size: o.page_size,
            page_token: o.page_token,
        };
        let page = self
            .engine
            .role_assignments(parse_sid(&organization_sid)?, &query)
            .map_err(core_err)?;
        record(&page)
    }

    /// Deletes a role assignment.
    #[napi]
    pub fn delete_role_assignment(&self, organization_sid: String, sid: String) -> Result<()> {
        self.engine
            .delete_role_assignment(parse_sid(&organization_sid)?, &sid, &admin())
            .map_err(core_err)
    }

    /// Audit events, oldest first, narrowed by `eventType`, `subject`, `since`,
    /// `until` (RFC 3339) and `limit` (the newest).
    #[napi]
    pub fn audit_events(&self, options: Option<String>) -> Result<Value> {
        let o: AuditOptions = self::options("auditEvents options", options)?;
        let query = AuditQuery {
            event_type: o.event_type,
            subject: o.subject,
            since: o.since.map(|v| instant("since", &v)).transpose()?,
            until: o.until.map(|v| instant("until", &v)).transpose()?,
            limit: o.limit,
        };
        record(&self.engine.audit_events(&query))
    }

    /// The whole state as a JSON string (secrets only as hashes; no signing key).
    #[napi]
    pub fn export_state(&self) -> String {
        self.engine.export_state()
    }

    /// Replaces the whole state with an export; nothing changes if it is invalid.
    #[napi]
    pub fn import_state(&self, state: String) -> Result<()> {
        self.engine.import_state(&state).map_err(core_err)
    }

    /// `scimListUsers` on the libuv thread pool: a large list does not block the
    /// event loop. Resolves to the same `ListResponse`.
    #[napi(ts_return_type = "Promise<unknown>")]
    pub fn scim_list_users_async(
        &self,
        organization_sid: String,
        options: Option<String>,
    ) -> Result<AsyncTask<Job>> {
        let org: OrganizationSid = parse_sid(&organization_sid)?;
        let query = user_query(options)?;
        let engine = self.engine.clone();
        Ok(Job::new(move || {
            ser(&engine.scim_list_users(org, &query).map_err(core_err)?)
        }))
    }

    /// `exportState` on the libuv thread pool; resolves to the JSON string.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn export_state_async(&self) -> AsyncTask<Job> {
        let engine = self.engine.clone();
        Job::new(move || Ok(Value::String(engine.export_state())))
    }

    /// `importState` on the libuv thread pool; resolves when the state is replaced.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn import_state_async(&self, state: String) -> AsyncTask<Job> {
        let engine = self.engine.clone();
        Job::new(move || {
            engine.import_state(&state).map_err(core_err)?;
            Ok(Value::Null)
        })
    }

    /// Serves this engine (same state, same clock) over HTTP on a background
    /// thread; resolves to a `Server`. Options: `port` (0 picks one), `host`,
    /// `demo` (seed the demo data), `adminToken`.
    #[napi(ts_return_type = "Promise<Server>")]
    pub fn serve(&self, options: Option<String>) -> Result<AsyncTask<Serve>> {
        let o: ServeOptions = self::options("serve options", options)?;
        let (server_options, demo) = iamkit_bindings::ServeOptions {
            port: o.port.unwrap_or(0),
            host: o.host,
            demo: o.demo.unwrap_or(false),
            admin_token: o.admin_token,
            response_style: o.response_style,
        }
        .server_options()
        .map_err(options_err)?;
        Ok(AsyncTask::new(Serve {
            engine: self.engine.clone(),
            options: Some(server_options),
            demo,
        }))
    }
}

/// Starting the emulator, off the event loop.
pub struct Serve {
    engine: Arc<iamkit::Engine>,
    options: Option<ServerOptions>,
    demo: bool,
}

impl Task for Serve {
    type Output = RunningServer;
    type JsValue = Server;

    fn compute(&mut self) -> Result<RunningServer> {
        let options = self
            .options
            .take()
            .ok_or_else(|| type_err("serve task ran twice"))?;
        iamkit_server::spawn(self.engine.clone(), options, self.demo)
            .map_err(|e| napi::Error::from_reason(format!("cannot start the emulator: {e}")))
    }

    fn resolve(&mut self, _env: Env, running: RunningServer) -> Result<Server> {
        Ok(Server {
            url: running.url.clone(),
            bootstrap: record(&running.bootstrap)?,
            running: Arc::new(parking_lot::Mutex::new(Some(running))),
        })
    }
}

/// A running emulator; `stop()` it.
#[napi]
pub struct Server {
    url: String,
    bootstrap: Value,
    running: Arc<parking_lot::Mutex<Option<RunningServer>>>,
}

#[napi]
impl Server {
    /// The base URL, e.g. `http://127.0.0.1:54321`.
    #[napi(getter)]
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The admin token and, with `demo: true`, the demo credentials.
    #[napi(getter)]
    pub fn bootstrap(&self) -> Value {
        self.bootstrap.clone()
    }

    /// Whether the server is still running.
    #[napi(getter)]
    pub fn running(&self) -> bool {
        self.running.lock().is_some()
    }

    /// Stops the server and waits for in-flight requests, off the event loop;
    /// stopping twice is a no-op.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn stop(&self) -> AsyncTask<Stop> {
        AsyncTask::new(Stop {
            running: self.running.clone(),
        })
    }
}

/// Stopping the emulator, off the event loop.
pub struct Stop {
    running: Arc<parking_lot::Mutex<Option<RunningServer>>>,
}

impl Task for Stop {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> Result<()> {
        let running = self.running.lock().take();
        if let Some(running) = running {
            running
                .stop()
                .map_err(|e| napi::Error::from_reason(format!("stopping the emulator: {e}")))?;
        }
        Ok(())
    }

    fn resolve(&mut self, _env: Env, _output: ()) -> Result<()> {
        Ok(())
    }
}
