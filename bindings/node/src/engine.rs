//! `ManualClock`, `Engine` and `Server`: the core's clock, engine and emulator,
//! with JavaScript conventions.

// The `#[napi]` macros expand to public, undocumented glue functions (constructors
// and method trampolines) that `missing_docs` flags; every hand-written item here is
// documented.
#![allow(missing_docs)]

use std::str::FromStr;
use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, ToNapiValue, TypeName};
use napi::{Env, Task};
use napi_derive::napi;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use iamkit::{
    Actor, App as CoreApp, AppError, AppUpdate, AuditQuery, AuthorizeRequest, ClientId,
    NewAppFields, NewRoleAssignment, NewUser, OrganizationSid, OwnerSid, Projection, Role,
    RoleAssignmentQuery, Sid, TokenRequest, UserQuery,
};
use iamkit_bindings::account_apps;
use iamkit_server::{RunningServer, ServerOptions};

use crate::convert::{core_err, options_err, range_err, resource, ser, type_err};
use crate::options::{
    or_default, whole_opt, AccountsOptions, AuditEventsOptions, AuthorizeOptions,
    CreateAccountOptions, CreateAppOptions, CreateRoleAssignmentOptions, CreateUserOptions,
    EngineOptions, Options, RoleAssignmentsOptions, RotateSecretOptions, ScimDeleteUserOptions,
    ScimGetUserOptions, ScimListUsersOptions, ScimPatchUserOptions, ScimReplaceUserOptions,
    ServeOptions, Strict, TokenOptions, UpdateAppOptions, MAX_SAFE,
};
use crate::records::{
    from_json, record, Access, Account, AccountPage, App, AuditEvent, Authorization,
    AuthorizationCode, Bootstrap, CreatedAccount, CreatedApp, Organization, RoleAssignment,
    RoleAssignmentPage, RotatedSecret, ScimListResponse, Token, TokenInspection, User,
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

/// The SCIM list query of `scimListUsers` options.
fn user_query(options: Option<Strict<ScimListUsersOptions>>) -> Result<UserQuery> {
    const WHAT: &str = ScimListUsersOptions::WHAT;
    let o = or_default(options);
    let index = |name, v| whole_opt(WHAT, name, v, MAX_SAFE).map(|v| v.map(|v| v as usize));
    Ok(UserQuery {
        filter: o.filter,
        sort_by: o.sort_by,
        sort_order: o.sort_order,
        start_index: index("startIndex", o.start_index)?,
        count: index("count", o.count)?,
        attributes: o.attributes.map(|a| a.join(",")),
        excluded_attributes: o.excluded_attributes.map(|a| a.join(",")),
    })
}

/// Work run on the libuv thread pool, resolving to `T`.
pub struct Job<T> {
    work: Option<Box<dyn FnOnce() -> Result<T> + Send>>,
}

impl<T: ToNapiValue + TypeName + Send + 'static> Job<T> {
    fn new(work: impl FnOnce() -> Result<T> + Send + 'static) -> AsyncTask<Job<T>> {
        AsyncTask::new(Job {
            work: Some(Box::new(work)),
        })
    }
}

impl<T: ToNapiValue + TypeName + Send + 'static> Task for Job<T> {
    type Output = T;
    type JsValue = T;

    fn compute(&mut self) -> Result<T> {
        let work = self
            .work
            .take()
            .ok_or_else(|| napi::Error::from_reason("a job ran twice"))?;
        work()
    }

    fn resolve(&mut self, _env: Env, output: T) -> Result<T> {
        Ok(output)
    }
}

/// The OAuth 2.0 + SCIM 2.0 engine, in memory. `node/index.js` wraps it as the
/// public `Engine` class.
#[napi]
pub struct Engine {
    engine: Arc<iamkit::Engine>,
}

impl Engine {
    /// An app record with its authorization URL.
    fn app_json(&self, app: &CoreApp) -> Result<Value> {
        ser(&self.engine.app_record(app))
    }

    fn app_record<T: serde::de::DeserializeOwned>(&self, app: &CoreApp, extra: Value) -> Result<T> {
        let mut value = self.app_json(app)?;
        if let (Some(value), Value::Object(extra)) = (value.as_object_mut(), extra) {
            value.extend(extra);
        }
        from_json(value)
    }
}

/// A free-form JSON document as the JS value it is (`Record<string, unknown>`).
type Json = Value;

#[napi]
impl Engine {
    /// An engine on `clock` (the system clock when absent) signing with a fresh key
    /// of `options.algorithm` (`ES256` by default, `EdDSA`, `HS256`) or the RS256 key
    /// in `options.rs256KeyPem`; `options.issuer` sets `iss` and the base URLs;
    /// `options.database` keeps the state and key in that SQLite file;
    /// `options.scimRules` picks the SCIM rules.
    #[napi(constructor)]
    pub fn new(
        #[napi(ts_arg_type = "EngineOptions")] options: Option<Strict<EngineOptions>>,
        clock: Option<&ManualClock>,
    ) -> Result<Self> {
        let o = or_default(options);
        let engine = iamkit_bindings::EngineOptions {
            clock: clock.map(|c| c.inner.clone()),
            algorithm: o.algorithm,
            issuer: o.issuer,
            rs256_key_pem: o.rs256_key_pem,
            database: o.database.map(|d| iamkit::Database::parse(&d)),
            scim_rules: o.scim_rules,
        }
        .build()
        .map_err(|e| options_err(EngineOptions::WHAT, e))?;
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
    pub fn create_organization(&self, name: String) -> Result<Organization> {
        record(&self.engine.create_organization(&name).map_err(core_err)?)
    }

    /// An organization by sid.
    #[napi]
    pub fn organization(&self, sid: String) -> Result<Organization> {
        record(
            &self
                .engine
                .organization(parse_sid(&sid)?)
                .map_err(core_err)?,
        )
    }

    /// Every organization, oldest first.
    #[napi]
    pub fn organizations(&self) -> Result<Vec<Organization>> {
        record(&self.engine.organizations())
    }

    /// Creates an account in an organization, owned by `options.ownerSid` (a user
    /// of the organization) or else by the organization's Owner; the result holds
    /// its `authToken`, which is never shown again.
    #[napi]
    pub fn create_account(
        &self,
        organization_sid: String,
        name: String,
        #[napi(ts_arg_type = "CreateAccountOptions")] options: Option<Strict<CreateAccountOptions>>,
    ) -> Result<CreatedAccount> {
        let o = or_default(options);
        let new = iamkit::NewAccount {
            owner_sid: o.owner_sid.as_deref().map(parse_sid).transpose()?,
            ..iamkit::NewAccount::new(parse_sid(&organization_sid)?, &name)
        };
        let created = self
            .engine
            .create_account(new, &admin())
            .map_err(core_err)?;
        let mut value = ser(&created.account)?;
        value["auth_token"] = json!(created.auth_token.expose());
        from_json(value)
    }

    /// Gives an account a new auth token, returned this once; the previous one
    /// stops working.
    #[napi]
    pub fn rotate_auth_token(&self, account_sid: String) -> Result<String> {
        let token = self
            .engine
            .rotate_auth_token(parse_sid(&account_sid)?, &admin())
            .map_err(core_err)?;
        Ok(token.expose().to_owned())
    }

    /// An account by sid.
    #[napi]
    pub fn account(&self, sid: String) -> Result<Account> {
        record(&self.engine.account(parse_sid(&sid)?).map_err(core_err)?)
    }

    /// A page of the accounts of an organization, oldest first (50 unless
    /// `pageSize` says otherwise): `{ content, meta }`.
    #[napi]
    pub fn accounts(
        &self,
        organization_sid: String,
        #[napi(ts_arg_type = "AccountsOptions")] options: Option<Strict<AccountsOptions>>,
    ) -> Result<AccountPage> {
        const WHAT: &str = AccountsOptions::WHAT;
        let o = or_default(options);
        let query = iamkit::AccountQuery {
            page_size: whole_opt(WHAT, "pageSize", o.page_size, u32::MAX.into())?.map(|n| n as u32),
            page_token: o.page_token,
        };
        let org = parse_sid(&organization_sid)?;
        let page = self.engine.account_page(org, &query).map_err(core_err)?;
        record(
            &page.at(&self
                .engine
                .url(&iamkit::endpoints::organization_accounts(org))),
        )
    }

    /// Creates a managed user with organization roles (names such as `"Owner"`).
    #[napi]
    pub fn create_user(
        &self,
        #[napi(ts_arg_type = "CreateUserOptions")] options: Strict<CreateUserOptions>,
    ) -> Result<User> {
        let Strict(o) = options;
        let roles = o
            .roles
            .unwrap_or_default()
            .iter()
            .map(|r| {
                Role::from_str(r)
                    .map_err(|e| range_err(format!("{}.roles: {e}", CreateUserOptions::WHAT)))
            })
            .collect::<Result<Vec<_>>>()?;
        let user = self
            .engine
            .create_user(NewUser {
                organization_sid: parse_sid(&o.organization_sid)?,
                user_name: o.user_name,
                roles,
                sso: o.sso.unwrap_or(false),
            })
            .map_err(core_err)?;
        record(&user)
    }

    /// A managed user by sid.
    #[napi]
    pub fn user(&self, sid: String) -> Result<User> {
        record(&self.engine.user(parse_sid(&sid)?).map_err(core_err)?)
    }

    /// The managed users of an organization.
    #[napi]
    pub fn users(&self, organization_sid: String) -> Result<Vec<User>> {
        let org: OrganizationSid = parse_sid(&organization_sid)?;
        record(&self.engine.users(org))
    }

    /// Creates an app; the result holds `clientId` and `clientSecret` (never shown
    /// again).
    #[napi]
    pub fn create_app(
        &self,
        #[napi(ts_arg_type = "CreateAppOptions")] options: Strict<CreateAppOptions>,
    ) -> Result<CreatedApp> {
        const WHAT: &str = CreateAppOptions::WHAT;
        let Strict(o) = options;
        let new = NewAppFields {
            owner_sid: o.owner_sid,
            grant_type: o.grant_type.unwrap_or_else(|| "client_credentials".into()),
            name: o.name,
            description: o.description,
            company_name: o.company_name,
            image_urls: o.image_urls.unwrap_or_default(),
            homepage_url: o.homepage_url,
            terms_of_service_url: o.terms_of_service_url,
            redirect_url: o.redirect_url,
            scopes: o.scopes,
            token_ttl: whole_opt(WHAT, "tokenTtl", o.token_ttl, MAX_SAFE)?,
        }
        .parse()
        .map_err(core_err)?;
        let created = self.engine.create_app(new, &admin()).map_err(core_err)?;
        self.app_record(
            &created.app,
            json!({ "client_secret": created.client_secret.expose() }),
        )
    }

    /// An app by client id (never its secret).
    #[napi]
    pub fn app(&self, client_id: String) -> Result<App> {
        let app = self.engine.app(parse_sid(&client_id)?).map_err(core_err)?;
        self.app_record(&app, json!({}))
    }

    /// The apps of an organization or account, oldest first.
    #[napi]
    pub fn apps(&self, owner_sid: String) -> Result<Vec<App>> {
        let owner = OwnerSid::from_str(&owner_sid).map_err(core_err)?;
        self.engine
            .apps(owner)
            .iter()
            .map(|a| self.app_record(a, json!({})))
            .collect()
    }

    /// Updates an app; absent members are kept.
    #[napi]
    pub fn update_app(
        &self,
        client_id: String,
        #[napi(ts_arg_type = "UpdateAppOptions")] options: Option<Strict<UpdateAppOptions>>,
    ) -> Result<App> {
        const WHAT: &str = UpdateAppOptions::WHAT;
        let o = or_default(options);
        let update = AppUpdate {
            name: o.name,
            description: o.description,
            company_name: o.company_name,
            image_urls: o.image_urls,
            homepage_url: o.homepage_url,
            terms_of_service_url: o.terms_of_service_url,
            redirect_url: o.redirect_url,
            scopes: o.scopes,
            token_ttl: whole_opt(WHAT, "tokenTtl", o.token_ttl, MAX_SAFE)?,
        };
        let app = self
            .engine
            .update_app(parse_sid(&client_id)?, update, &admin())
            .map_err(core_err)?;
        self.app_record(&app, json!({}))
    }

    /// Replaces an app's secret; the previous one keeps working for
    /// `options.graceSeconds` (account apps; organization apps: 24 hours).
    #[napi]
    pub fn rotate_secret(
        &self,
        client_id: String,
        #[napi(ts_arg_type = "RotateSecretOptions")] options: Option<Strict<RotateSecretOptions>>,
    ) -> Result<RotatedSecret> {
        const WHAT: &str = RotateSecretOptions::WHAT;
        let o = or_default(options);
        let grace = whole_opt(WHAT, "graceSeconds", o.grace_seconds, MAX_SAFE)?;
        let rotated = self
            .engine
            .rotate_secret(parse_sid(&client_id)?, grace, &admin())
            .map_err(core_err)?;
        self.app_record(
            &rotated.app,
            json!({
                "client_secret": rotated.client_secret.expose(),
                "previous_valid_until": rotated.previous_valid_until.map(rfc3339),
            }),
        )
    }

    /// Deletes an app: its secrets, codes and tokens stop working.
    #[napi]
    pub fn delete_app(&self, client_id: String) -> Result<()> {
        let id: ClientId = parse_sid(&client_id)?;
        self.engine.delete_app(id, &admin()).map_err(core_err)
    }

    /// Creates an app of the account (authenticated by its auth token) from the body
    /// of Twilio's `POST /v1/Account/OAuthApps` (JSON text: `index.js` sends the
    /// object it is given); the result holds `clientSecret`.
    #[napi]
    pub fn create_account_app(
        &self,
        account_sid: String,
        auth_token: String,
        body: String,
    ) -> Result<CreatedApp> {
        let created =
            account_apps::create(&self.engine, &account_sid, &auth_token, body.as_bytes())
                .map_err(core_err)?;
        self.app_record(
            &created.app,
            json!({ "client_secret": created.client_secret.expose() }),
        )
    }

    /// Updates an app of the account from the body of Twilio's
    /// `PUT /v1/Account/OAuthApps/{sid}` (JSON text; `null` keeps a field).
    #[napi]
    pub fn update_account_app(
        &self,
        account_sid: String,
        auth_token: String,
        client_id: String,
        body: String,
    ) -> Result<App> {
        let app = account_apps::update(
            &self.engine,
            &account_sid,
            &auth_token,
            &client_id,
            body.as_bytes(),
        )
        .map_err(core_err)?;
        self.app_record(&app, json!({}))
    }

    /// Deletes an app of the account (Twilio's `DELETE /v1/Account/OAuthApps/{sid}`).
    #[napi]
    pub fn delete_account_app(
        &self,
        account_sid: String,
        auth_token: String,
        client_id: String,
    ) -> Result<()> {
        account_apps::delete(&self.engine, &account_sid, &auth_token, &client_id).map_err(core_err)
    }

    /// A signed-in user approves an authorization-code app: `code`, `redirectTo`,
    /// `authorization` and `expiresAt`.
    #[napi]
    pub fn authorize(
        &self,
        #[napi(ts_arg_type = "AuthorizeOptions")] options: Strict<AuthorizeOptions>,
    ) -> Result<AuthorizationCode> {
        let Strict(o) = options;
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
        Ok(AuthorizationCode {
            code: r.code.expose().to_owned(),
            redirect_to: r.redirect_to.expose().to_owned(),
            authorization: record(&r.authorization)?,
            expires_at: rfc3339(r.expires_at),
        })
    }

    /// The apps an organization's users have authorized and not revoked.
    #[napi]
    pub fn authorizations(&self, organization_sid: String) -> Result<Vec<Authorization>> {
        record(&self.engine.authorizations(parse_sid(&organization_sid)?))
    }

    /// One authorization by sid, revoked or not (`revokedAt` says when).
    #[napi]
    pub fn authorization(&self, authorization_sid: String) -> Result<Authorization> {
        let found = self.engine.authorization(parse_sid(&authorization_sid)?);
        record(&found.map_err(core_err)?)
    }

    /// Revokes an authorization; its tokens stop working at once.
    #[napi]
    pub fn revoke_authorization(&self, authorization_sid: String) -> Result<Authorization> {
        let revoked = self
            .engine
            .revoke_authorization(parse_sid(&authorization_sid)?, &admin())
            .map_err(core_err)?;
        record(&revoked)
    }

    /// The Token API: `accessToken`, `idToken`, `tokenType`, `expiresIn`,
    /// `refreshToken` and `scope`.
    #[napi]
    pub fn token(
        &self,
        #[napi(ts_arg_type = "TokenOptions")] options: Strict<TokenOptions>,
    ) -> Result<Token> {
        let Strict(o) = options;
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
        Ok(Token {
            access_token: issued.access_token.expose().to_owned(),
            id_token: issued.id_token.clone(),
            token_type: issued.token_type.to_owned(),
            expires_in: i64::try_from(issued.expires_in).unwrap_or(i64::MAX),
            refresh_token: issued.refresh_token.as_ref().map(|t| t.expose().to_owned()),
            scope: issued.scope.clone(),
        })
    }

    /// Verifies an access token and returns its claims (JWT claim names).
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn verify(&self, token: String) -> Result<Json> {
        ser(&self.engine.verify(&token).map_err(core_err)?)
    }

    /// A token's header and claims as sent, and the engine's verdict on it now
    /// (`valid`, or the refusal's `code` and `message`); never throws.
    #[napi]
    pub fn inspect_token(&self, token: String) -> Result<TokenInspection> {
        record(&self.engine.inspect_token(&token))
    }

    /// Whether `token` may call `method path`: `{ permission, claims }`; a refusal
    /// throws an `AccessError` (or `TokenError`).
    #[napi]
    pub fn check_access(&self, token: String, method: String, path: String) -> Result<Access> {
        let access = self
            .engine
            .check_access(&token, &method, &path)
            .map_err(core_err)?;
        Ok(Access {
            permission: access.permission.clone(),
            claims: ser(&access.claims)?,
        })
    }

    /// RFC 7662 introspection: `active` and, when active, the claims.
    #[napi(ts_return_type = "{ active: boolean; [claim: string]: unknown }")]
    pub fn introspect(&self, token: String) -> Result<Json> {
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
    #[napi(ts_return_type = "{ keys: Array<Record<string, unknown>> }")]
    pub fn jwks(&self) -> Json {
        self.engine.jwks()
    }

    /// The RFC 8414 authorization-server metadata document.
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn metadata(&self) -> Json {
        self.engine.metadata()
    }

    /// Creates a SCIM user from a resource (JSON text: `index.js` sends the object
    /// it is given); returns the stored resource.
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn scim_create_user(&self, organization_sid: String, user: String) -> Result<Json> {
        let org: OrganizationSid = parse_sid(&organization_sid)?;
        let user = resource("user", &user)?;
        self.engine
            .scim_create_user(org, &user, &admin())
            .map_err(core_err)
    }

    /// A SCIM user by id, optionally projected (`attributes`, `excludedAttributes`).
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn scim_get_user(
        &self,
        organization_sid: String,
        id: String,
        #[napi(ts_arg_type = "ScimGetUserOptions")] options: Option<Strict<ScimGetUserOptions>>,
    ) -> Result<Json> {
        let org: OrganizationSid = parse_sid(&organization_sid)?;
        let o = or_default(options);
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
        #[napi(ts_arg_type = "ScimListUsersOptions")] options: Option<Strict<ScimListUsersOptions>>,
    ) -> Result<ScimListResponse> {
        let org: OrganizationSid = parse_sid(&organization_sid)?;
        let query = user_query(options)?;
        from_json(ser(&self
            .engine
            .scim_list_users(org, &query)
            .map_err(core_err)?)?)
    }

    /// Replaces a SCIM user (PUT) with a resource (JSON text); `options.ifMatch` is
    /// checked against `meta.version`.
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn scim_replace_user(
        &self,
        organization_sid: String,
        id: String,
        user: String,
        #[napi(ts_arg_type = "ScimReplaceUserOptions")] options: Option<
            Strict<ScimReplaceUserOptions>,
        >,
    ) -> Result<Json> {
        let org: OrganizationSid = parse_sid(&organization_sid)?;
        let user = resource("user", &user)?;
        let o = or_default(options);
        self.engine
            .scim_replace_user(org, &id, &user, o.if_match.as_deref(), &admin())
            .map_err(core_err)
    }

    /// Applies a SCIM PATCH request (a `PatchOp`, as JSON text) to a user.
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn scim_patch_user(
        &self,
        organization_sid: String,
        id: String,
        patch: String,
        #[napi(ts_arg_type = "ScimPatchUserOptions")] options: Option<Strict<ScimPatchUserOptions>>,
    ) -> Result<Json> {
        let org: OrganizationSid = parse_sid(&organization_sid)?;
        let patch = resource("patch", &patch)?;
        let o = or_default(options);
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
        #[napi(ts_arg_type = "ScimDeleteUserOptions")] options: Option<
            Strict<ScimDeleteUserOptions>,
        >,
    ) -> Result<()> {
        let org: OrganizationSid = parse_sid(&organization_sid)?;
        let o = or_default(options);
        self.engine
            .scim_delete_user(org, &id, o.if_match.as_deref(), &admin())
            .map_err(core_err)
    }

    /// The SCIM `ServiceProviderConfig` document.
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn scim_service_provider_config(&self) -> Json {
        self.engine.scim_service_provider_config()
    }

    /// The SCIM `ResourceTypes` document.
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn scim_resource_types(&self) -> Json {
        self.engine.scim_resource_types()
    }

    /// The SCIM `Schemas` document.
    #[napi(ts_return_type = "Record<string, unknown>")]
    pub fn scim_schemas(&self) -> Json {
        self.engine.scim_schemas()
    }

    /// Every role, as Twilio's Role resource.
    #[napi]
    pub fn roles(&self) -> Result<Vec<crate::records::Role>> {
        record(&self.engine.roles())
    }

    /// Gives `options.roleSid` to the user `options.identity` in `options.scope`.
    #[napi]
    pub fn create_role_assignment(
        &self,
        organization_sid: String,
        #[napi(ts_arg_type = "CreateRoleAssignmentOptions")] options: Strict<
            CreateRoleAssignmentOptions,
        >,
    ) -> Result<RoleAssignment> {
        let Strict(o) = options;
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
        #[napi(ts_arg_type = "RoleAssignmentsOptions")] options: Option<
            Strict<RoleAssignmentsOptions>,
        >,
    ) -> Result<RoleAssignmentPage> {
        const WHAT: &str = RoleAssignmentsOptions::WHAT;
        let o = or_default(options);
        let query = RoleAssignmentQuery {
            identity: o.identity,
            scope: o.scope,
            page_size: whole_opt(WHAT, "pageSize", o.page_size, u32::MAX.into())?.map(|n| n as u32),
            page_token: o.page_token,
        };
        let page = self
            .engine
            .role_assignments(parse_sid(&organization_sid)?, &query)
            .map_err(core_err)?;
        record(&page.at(&self.engine.url(iamkit::endpoints::ROLE_ASSIGNMENTS)))
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
    pub fn audit_events(
        &self,
        #[napi(ts_arg_type = "AuditEventsOptions")] options: Option<Strict<AuditEventsOptions>>,
    ) -> Result<Vec<AuditEvent>> {
        const WHAT: &str = AuditEventsOptions::WHAT;
        let o = or_default(options);
        let at = |name: &str, v: Option<String>| {
            v.map(|v| instant(&format!("{WHAT}.{name}"), &v))
                .transpose()
        };
        let query = AuditQuery {
            event_type: o.event_type,
            subject: o.subject,
            since: at("since", o.since)?,
            until: at("until", o.until)?,
            limit: whole_opt(WHAT, "limit", o.limit, MAX_SAFE)?.map(|n| n as usize),
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
    #[napi(ts_return_type = "Promise<ScimListResponse>")]
    pub fn scim_list_users_async(
        &self,
        organization_sid: String,
        #[napi(ts_arg_type = "ScimListUsersOptions")] options: Option<Strict<ScimListUsersOptions>>,
    ) -> Result<AsyncTask<Job<ScimListResponse>>> {
        let org: OrganizationSid = parse_sid(&organization_sid)?;
        let query = user_query(options)?;
        let engine = self.engine.clone();
        Ok(Job::new(move || {
            from_json(ser(&engine
                .scim_list_users(org, &query)
                .map_err(core_err)?)?)
        }))
    }

    /// `exportState` on the libuv thread pool; resolves to the JSON string.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn export_state_async(&self) -> AsyncTask<Job<String>> {
        let engine = self.engine.clone();
        Job::new(move || Ok(engine.export_state()))
    }

    /// `importState` on the libuv thread pool; resolves when the state is replaced.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn import_state_async(&self, state: String) -> AsyncTask<Job<()>> {
        let engine = self.engine.clone();
        Job::new(move || engine.import_state(&state).map_err(core_err))
    }

    /// Serves this engine (same state, same clock, same SCIM rules) over HTTP on a
    /// background thread; resolves to a `Server`. Options: `port` (0 picks one),
    /// `host`, `demo` (seed the demo data), `adminToken`, `responseStyle`.
    #[napi(ts_return_type = "Promise<Server>")]
    pub fn serve(
        &self,
        #[napi(ts_arg_type = "ServeOptions")] options: Option<Strict<ServeOptions>>,
    ) -> Result<AsyncTask<Serve>> {
        const WHAT: &str = ServeOptions::WHAT;
        let o = or_default(options);
        let port = whole_opt(WHAT, "port", o.port, u16::MAX.into())?.unwrap_or(0);
        let (server_options, demo) = iamkit_bindings::ServeOptions {
            port: u16::try_from(port).unwrap_or(0),
            host: o.host,
            demo: o.demo.unwrap_or(false),
            admin_token: o.admin_token,
            response_style: o.response_style,
            cors_origins: o.cors_origins.unwrap_or_default(),
        }
        .server_options()
        .map_err(|e| options_err(WHAT, e))?;
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
    bootstrap: Bootstrap,
    running: Arc<parking_lot::Mutex<Option<RunningServer>>>,
}

#[napi]
impl Server {
    /// The base URL, e.g. `http://127.0.0.1:54321`.
    #[napi(getter)]
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The admin token and, with `demo: true`, the demo organization, users and
    /// apps (client ids and secrets).
    #[napi(getter)]
    pub fn bootstrap(&self) -> Bootstrap {
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
