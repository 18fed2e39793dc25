//! `Engine`: the core engine with Kotlin/Swift conventions. Every method converts
//! its arguments, calls the core and converts the result; the rules are the core's.

use std::str::FromStr;
use std::sync::Arc;

use serde_json::Value;

use iamkit::{Actor, AppError, OwnerSid, Projection, Role, Sid};
use iamkit_bindings::account_apps;

use crate::clock::from_system;
use crate::error::{core_err, invalid_argument, options_err, Result};
use crate::records::{
    record, Access, Account, AccountPage, App, AuditEvent, Authorization, Authorized, Claims,
    CreatedAccount, CreatedApp, Introspection, Organization, RoleAssignment, RoleAssignmentPage,
    RoleInfo, RotatedSecret, TokenInspection, TokenResponse, User,
};
use crate::requests::{
    AccountQuery, AppUpdate, AuditQuery, AuthorizeRequest, EngineOptions, NewApp,
    NewRoleAssignment, NewUser, RoleAssignmentQuery, ScimProjection, ScimQuery, TokenRequest,
};

/// Parses a sid argument; a malformed one is the core's `invalid_sid` error.
fn sid<S: Sid>(value: &str) -> Result<S> {
    S::parse(value).map_err(|e| core_err(AppError::from(e)))
}

/// Parses a SCIM body; text that is not JSON is SCIM `invalidSyntax`, as over HTTP.
pub fn scim_json(what: &str, text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| {
        core_err(iamkit::ScimError::InvalidSyntax(format!(
            "{what} is not JSON: {e}"
        )))
    })
}

fn usize_of(what: &str, value: Option<u64>) -> Result<Option<usize>> {
    value
        .map(|v| usize::try_from(v).map_err(|_| invalid_argument(format!("{what} is too large"))))
        .transpose()
}

fn admin() -> Actor {
    Actor::admin()
}

fn list<T, R: From<T>>(items: Vec<T>) -> Vec<R> {
    items.into_iter().map(R::from).collect()
}

/// The OAuth 2.0 + SCIM 2.0 engine, in memory.
#[derive(uniffi::Object)]
pub struct Engine {
    engine: iamkit::Engine,
}

impl Engine {
    fn record(&self, app: iamkit::App) -> App {
        App::of(&self.engine, app)
    }
}

#[uniffi::export]
impl Engine {
    /// An engine made as `options` say (by default: the system clock and a fresh
    /// ES256 key).
    #[uniffi::constructor(default(options))]
    pub fn new(options: EngineOptions) -> Result<Arc<Self>> {
        let engine = iamkit_bindings::EngineOptions {
            clock: options.clock.map(|c| c.inner.clone()),
            algorithm: options.algorithm,
            issuer: options.issuer,
            rs256_key_pem: options.rs256_key_pem,
            database: options.database.map(|d| iamkit::Database::parse(&d)),
            scim_rules: options.scim_rules,
        }
        .build()
        .map_err(options_err)?;
        Ok(Arc::new(Self { engine }))
    }

    /// The signing algorithm's JWS name, e.g. `ES256`.
    pub fn algorithm(&self) -> String {
        self.engine.algorithm().as_str().to_owned()
    }

    /// Creates an organization.
    pub fn create_organization(&self, name: String) -> Result<Organization> {
        record(&self.engine.create_organization(&name).map_err(core_err)?)
    }

    /// An organization by sid.
    pub fn organization(&self, sid: String) -> Result<Organization> {
        record(
            &self
                .engine
                .organization(self::sid(&sid)?)
                .map_err(core_err)?,
        )
    }

    /// Every organization, oldest first.
    pub fn organizations(&self) -> Result<Vec<Organization>> {
        record(&self.engine.organizations())
    }

    /// Creates an account in an organization, owned by `owner_sid` (a user of the
    /// organization) or else by the organization's Owner; the result holds its
    /// auth token, which is never shown again.
    #[uniffi::method(default(owner_sid = None))]
    pub fn create_account(
        &self,
        organization_sid: String,
        name: String,
        owner_sid: Option<String>,
    ) -> Result<CreatedAccount> {
        let new = iamkit::NewAccount {
            owner_sid: owner_sid.as_deref().map(sid).transpose()?,
            ..iamkit::NewAccount::new(sid(&organization_sid)?, &name)
        };
        let created = self
            .engine
            .create_account(new, &admin())
            .map_err(core_err)?;
        Ok(CreatedAccount {
            account: record(&created.account)?,
            auth_token: created.auth_token.expose().to_owned(),
        })
    }

    /// Gives an account a new auth token, returned this once; the previous one
    /// stops working.
    pub fn rotate_auth_token(&self, account_sid: String) -> Result<String> {
        let token = self
            .engine
            .rotate_auth_token(sid(&account_sid)?, &admin())
            .map_err(core_err)?;
        Ok(token.expose().to_owned())
    }

    /// An account by sid.
    pub fn account(&self, sid: String) -> Result<Account> {
        record(&self.engine.account(self::sid(&sid)?).map_err(core_err)?)
    }

    /// A page of the accounts of an organization, oldest first (50 unless the
    /// query says otherwise).
    #[uniffi::method(default(query))]
    pub fn accounts(&self, organization_sid: String, query: AccountQuery) -> Result<AccountPage> {
        let org = sid(&organization_sid)?;
        let page = self
            .engine
            .account_page(org, &query.into())
            .map_err(core_err)?;
        AccountPage::of(
            page,
            &self
                .engine
                .url(&iamkit::endpoints::organization_accounts(org)),
        )
    }

    /// Creates a managed user with organization roles.
    pub fn create_user(&self, user: NewUser) -> Result<User> {
        let roles = user
            .roles
            .iter()
            .map(|r| Role::from_str(r).map_err(invalid_argument))
            .collect::<Result<Vec<_>>>()?;
        let created = self
            .engine
            .create_user(iamkit::NewUser {
                organization_sid: sid(&user.organization_sid)?,
                user_name: user.user_name,
                roles,
                sso: user.sso,
            })
            .map_err(core_err)?;
        record(&created)
    }

    /// A managed user by sid.
    pub fn user(&self, sid: String) -> Result<User> {
        record(&self.engine.user(self::sid(&sid)?).map_err(core_err)?)
    }

    /// The managed users of an organization.
    pub fn users(&self, organization_sid: String) -> Result<Vec<User>> {
        record(&self.engine.users(sid(&organization_sid)?))
    }

    /// Creates an app; the result holds its client secret, never shown again.
    pub fn create_app(&self, app: NewApp) -> Result<CreatedApp> {
        let new = iamkit::NewAppFields {
            owner_sid: app.owner_sid,
            grant_type: app.grant_type,
            name: app.name,
            description: app.description,
            company_name: app.company_name,
            image_urls: app.image_urls,
            homepage_url: app.homepage_url,
            terms_of_service_url: app.terms_of_service_url,
            redirect_url: app.redirect_url,
            scopes: app.scopes,
            token_ttl: app.token_ttl,
        }
        .parse()
        .map_err(core_err)?;
        let created = self.engine.create_app(new, &admin()).map_err(core_err)?;
        Ok(CreatedApp {
            client_secret: created.client_secret.expose().to_owned(),
            app: self.record(created.app),
        })
    }

    /// An app by client id (never its secret).
    pub fn app(&self, client_id: String) -> Result<App> {
        let app = self.engine.app(sid(&client_id)?).map_err(core_err)?;
        Ok(self.record(app))
    }

    /// The apps of an organization or account, oldest first.
    pub fn apps(&self, owner_sid: String) -> Result<Vec<App>> {
        let owner = OwnerSid::from_str(&owner_sid).map_err(core_err)?;
        Ok(self
            .engine
            .apps(owner)
            .into_iter()
            .map(|a| self.record(a))
            .collect())
    }

    /// Updates an app; null fields are kept.
    pub fn update_app(&self, client_id: String, update: AppUpdate) -> Result<App> {
        let app = self
            .engine
            .update_app(sid(&client_id)?, update.into(), &admin())
            .map_err(core_err)?;
        Ok(self.record(app))
    }

    /// Replaces an app's secret; the previous one works for `grace_seconds` (the
    /// app level's default when null).
    #[uniffi::method(default(grace_seconds = None))]
    pub fn rotate_secret(
        &self,
        client_id: String,
        grace_seconds: Option<u64>,
    ) -> Result<RotatedSecret> {
        let rotated = self
            .engine
            .rotate_secret(sid(&client_id)?, grace_seconds, &admin())
            .map_err(core_err)?;
        Ok(RotatedSecret {
            client_secret: rotated.client_secret.expose().to_owned(),
            previous_valid_until: rotated.previous_valid_until.map(crate::clock::to_system),
            app: self.record(rotated.app),
        })
    }

    /// Deletes an app: its secrets, codes and tokens stop working at once.
    pub fn delete_app(&self, client_id: String) -> Result<()> {
        self.engine
            .delete_app(sid(&client_id)?, &admin())
            .map_err(core_err)
    }

    /// Creates an app of the account (authenticated by its auth token) from the body
    /// of Twilio's `POST /v1/Account/OAuthApps`, as JSON text.
    pub fn create_account_app(
        &self,
        account_sid: String,
        auth_token: String,
        body: String,
    ) -> Result<CreatedApp> {
        let created =
            account_apps::create(&self.engine, &account_sid, &auth_token, body.as_bytes())
                .map_err(core_err)?;
        Ok(CreatedApp {
            client_secret: created.client_secret.expose().to_owned(),
            app: self.record(created.app),
        })
    }

    /// Updates an app of the account from the body of Twilio's
    /// `PUT /v1/Account/OAuthApps/{sid}`, as JSON text (`null` keeps a field).
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
        Ok(self.record(app))
    }

    /// Deletes an app of the account (Twilio's `DELETE /v1/Account/OAuthApps/{sid}`).
    pub fn delete_account_app(
        &self,
        account_sid: String,
        auth_token: String,
        client_id: String,
    ) -> Result<()> {
        account_apps::delete(&self.engine, &account_sid, &auth_token, &client_id).map_err(core_err)
    }

    /// A signed-in user approves an authorization-code app: the code, where to
    /// redirect, and the authorization.
    pub fn authorize(&self, request: AuthorizeRequest) -> Result<Authorized> {
        let response = self.engine.authorize(&request.into()).map_err(core_err)?;
        response.try_into()
    }

    /// The apps an organization's users have authorized and not revoked.
    pub fn authorizations(&self, organization_sid: String) -> Result<Vec<Authorization>> {
        record(&self.engine.authorizations(sid(&organization_sid)?))
    }

    /// One authorization by sid, revoked or not (`revoked_at` says when).
    pub fn authorization(&self, authorization_sid: String) -> Result<Authorization> {
        let found = self.engine.authorization(sid(&authorization_sid)?);
        record(&found.map_err(core_err)?)
    }

    /// Revokes an authorization; its tokens stop working at once.
    pub fn revoke_authorization(&self, authorization_sid: String) -> Result<Authorization> {
        let revoked = self
            .engine
            .revoke_authorization(sid(&authorization_sid)?, &admin())
            .map_err(core_err)?;
        record(&revoked)
    }

    /// The Token API.
    pub fn token(&self, request: TokenRequest) -> Result<TokenResponse> {
        Ok(self.engine.token(&request.into()).map_err(core_err)?.into())
    }

    /// Verifies an access token and returns its claims.
    pub fn verify(&self, token: String) -> Result<Claims> {
        Ok(self.engine.verify(&token).map_err(core_err)?.into())
    }

    /// A token's header and claims as sent, and the engine's verdict on it now
    /// (`valid`, or the refusal's `code` and `message`); never raises.
    pub fn inspect_token(&self, token: String) -> Result<TokenInspection> {
        record(&self.engine.inspect_token(&token))
    }

    /// Whether `token` may call `method path`; a refusal raises
    /// `IamkitException.Access` (or `.Token`).
    pub fn check_access(&self, token: String, method: String, path: String) -> Result<Access> {
        let access = self
            .engine
            .check_access(&token, &method, &path)
            .map_err(core_err)?;
        Ok(access.into())
    }

    /// RFC 7662 introspection: `active` and, when active, the token's facts.
    pub fn introspect(&self, token: String) -> Introspection {
        self.engine.introspect(&token).into()
    }

    /// RFC 7009 revocation by the client the token was issued to.
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

    /// The JWKS document of the signing key, as JSON.
    pub fn jwks(&self) -> String {
        self.engine.jwks().to_string()
    }

    /// The RFC 8414 authorization-server metadata document, as JSON.
    pub fn metadata(&self) -> String {
        self.engine.metadata().to_string()
    }

    /// Creates a SCIM user from a User resource (JSON); returns the stored resource.
    pub fn scim_create_user(&self, organization_sid: String, user: String) -> Result<String> {
        let user = scim_json("user", &user)?;
        let created = self
            .engine
            .scim_create_user(sid(&organization_sid)?, &user, &admin())
            .map_err(core_err)?;
        Ok(created.to_string())
    }

    /// A SCIM user by id, optionally projected.
    #[uniffi::method(default(projection))]
    pub fn scim_get_user(
        &self,
        organization_sid: String,
        id: String,
        projection: ScimProjection,
    ) -> Result<String> {
        let projection =
            Projection::from_lists(&projection.attributes, &projection.excluded_attributes)
                .map_err(core_err)?;
        let user = self
            .engine
            .scim_get_user(sid(&organization_sid)?, &id, &projection)
            .map_err(core_err)?;
        Ok(user.to_string())
    }

    /// Lists SCIM users: a `ListResponse` (`Resources`, `totalResults`, …) as JSON.
    #[uniffi::method(default(query))]
    pub fn scim_list_users(&self, organization_sid: String, query: ScimQuery) -> Result<String> {
        let join = |l: Vec<String>| (!l.is_empty()).then(|| l.join(","));
        let query = iamkit::UserQuery {
            filter: query.filter,
            sort_by: query.sort_by,
            sort_order: query.sort_order,
            start_index: usize_of("startIndex", query.start_index)?,
            count: usize_of("count", query.count)?,
            attributes: join(query.attributes),
            excluded_attributes: join(query.excluded_attributes),
        };
        let users = self
            .engine
            .scim_list_users(sid(&organization_sid)?, &query)
            .map_err(core_err)?;
        serde_json::to_string(&users)
            .map_err(|e| invalid_argument(format!("cannot write JSON: {e}")))
    }

    /// Replaces a SCIM user (PUT); `if_match` is checked against `meta.version`.
    #[uniffi::method(default(if_match = None))]
    pub fn scim_replace_user(
        &self,
        organization_sid: String,
        id: String,
        user: String,
        if_match: Option<String>,
    ) -> Result<String> {
        let user = scim_json("user", &user)?;
        let replaced = self
            .engine
            .scim_replace_user(
                sid(&organization_sid)?,
                &id,
                &user,
                if_match.as_deref(),
                &admin(),
            )
            .map_err(core_err)?;
        Ok(replaced.to_string())
    }

    /// Applies a SCIM PATCH request (a `PatchOp` message, as JSON) to a user.
    #[uniffi::method(default(if_match = None))]
    pub fn scim_patch_user(
        &self,
        organization_sid: String,
        id: String,
        patch: String,
        if_match: Option<String>,
    ) -> Result<String> {
        let patch = scim_json("patch", &patch)?;
        let patched = self
            .engine
            .scim_patch_user(
                sid(&organization_sid)?,
                &id,
                &patch,
                if_match.as_deref(),
                &admin(),
            )
            .map_err(core_err)?;
        Ok(patched.to_string())
    }

    /// Deletes a SCIM user and its role assignments.
    #[uniffi::method(default(if_match = None))]
    pub fn scim_delete_user(
        &self,
        organization_sid: String,
        id: String,
        if_match: Option<String>,
    ) -> Result<()> {
        self.engine
            .scim_delete_user(sid(&organization_sid)?, &id, if_match.as_deref(), &admin())
            .map_err(core_err)
    }

    /// The SCIM `ServiceProviderConfig` document, as JSON.
    pub fn scim_service_provider_config(&self) -> String {
        self.engine.scim_service_provider_config().to_string()
    }

    /// The SCIM `ResourceTypes` document, as JSON.
    pub fn scim_resource_types(&self) -> String {
        self.engine.scim_resource_types().to_string()
    }

    /// The SCIM `Schemas` document, as JSON.
    pub fn scim_schemas(&self) -> String {
        self.engine.scim_schemas().to_string()
    }

    /// Every role.
    pub fn roles(&self) -> Vec<RoleInfo> {
        list(self.engine.roles())
    }

    /// Gives a role to a user in a scope.
    pub fn create_role_assignment(
        &self,
        organization_sid: String,
        assignment: NewRoleAssignment,
    ) -> Result<RoleAssignment> {
        let created = self
            .engine
            .create_role_assignment(sid(&organization_sid)?, &assignment.into(), &admin())
            .map_err(core_err)?;
        record(&created)
    }

    /// A page of role assignments.
    #[uniffi::method(default(query))]
    pub fn role_assignments(
        &self,
        organization_sid: String,
        query: RoleAssignmentQuery,
    ) -> Result<RoleAssignmentPage> {
        let page = self
            .engine
            .role_assignments(sid(&organization_sid)?, &query.into())
            .map_err(core_err)?;
        RoleAssignmentPage::of(page, &self.engine.url(iamkit::endpoints::ROLE_ASSIGNMENTS))
    }

    /// Deletes a role assignment.
    pub fn delete_role_assignment(&self, organization_sid: String, sid: String) -> Result<()> {
        self.engine
            .delete_role_assignment(self::sid(&organization_sid)?, &sid, &admin())
            .map_err(core_err)
    }

    /// Audit events, oldest first, narrowed by `query`.
    #[uniffi::method(default(query))]
    pub fn audit_events(&self, query: AuditQuery) -> Result<Vec<AuditEvent>> {
        let query = iamkit::AuditQuery {
            event_type: query.event_type,
            subject: query.subject,
            since: query.since.map(|at| from_system("since", at)).transpose()?,
            until: query.until.map(|at| from_system("until", at)).transpose()?,
            limit: usize_of("limit", query.limit)?,
        };
        record(&self.engine.audit_events(&query))
    }

    /// The whole state as JSON (secrets only as hashes; no signing key).
    pub fn export_state(&self) -> String {
        self.engine.export_state()
    }

    /// Replaces the whole state with an export; nothing changes if it is invalid.
    pub fn import_state(&self, state: String) -> Result<()> {
        self.engine.import_state(&state).map_err(core_err)
    }
}
