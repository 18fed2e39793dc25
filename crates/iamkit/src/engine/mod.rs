//! The [`Engine`]: the one façade the HTTP server, the bindings and embedders call.
//!
//! Each public method is one atomic operation on the store, timed by the engine's
//! clock. The methods are grouped by area: organizations and state (this file),
//! accounts (`accounts.rs`), Twilio's account OAuth-apps API (`account_apps.rs`),
//! directory users (`users.rs`), SCIM users (`scim.rs`), roles and
//! role assignments (`roles.rs`), apps (`apps.rs`), the authorization-code flow and
//! Token API (`oauth.rs`), and token verification, access checks and documents
//! (`verify.rs`).

mod account_apps;
mod accounts;
mod apps;
mod events;
mod limits;
mod oauth;
mod roles;
mod scim;
mod users;
mod verify;

pub use crate::scim::{UserList, UserQuery, MAX_PAGE_COUNT};
pub use accounts::AuthenticatedAccount;
pub use apps::{CreatedApp, RotatedSecret};
pub use oauth::ConsentRequest;
pub use verify::Access;

use std::sync::Arc;

use time::OffsetDateTime;

use crate::apps::AppError;
use serde_json::json;

use crate::audit::{types, Actor, AuditEvent, AuditQuery};
use crate::authorize::{RefreshPolicy, TicketKey};
use crate::catalogue::Catalogue;
use crate::clock::{Clock, SystemClock};
use crate::directory::Organization;
use crate::error::Error;
use crate::ids::{AccountSid, OrganizationSid, Sid};
use crate::scim::ScimRules;
use crate::signing::{Algorithm, KeyError, SigningKey};
use crate::store::{
    self, import, Database, MemoryStore, Snapshot, SnapshotRef, StateError, Store, StoreError,
    STATE_VERSION,
};
use crate::throttle::{RateLimits, Throttle};

/// Settings of an engine.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// The `iss` of every token and the base of the metadata document's endpoints.
    pub issuer: String,
    /// The `aud` of every token.
    pub audience: String,
    /// Permissions available to organization apps.
    pub organization_catalogue: Catalogue,
    /// Permissions available to account apps.
    pub account_catalogue: Catalogue,
    /// How many audit events other than refused token requests to keep (the oldest
    /// are dropped first).
    pub audit_capacity: usize,
    /// How many refused token requests to keep, apart from the other events so that
    /// they never push those out (the oldest refusals are dropped first).
    pub refusal_capacity: usize,
    /// The rules SCIM users follow: Twilio's (the default) or only RFC 7643's. Every
    /// user write (SCIM create, replace and patch, [`Engine::create_user`], state
    /// imports) and the Schemas discovery document follow them.
    pub scim_rules: ScimRules,
    /// Rate limits on client authentication and consent decisions
    /// ([`Engine::admit_client_authentication`], [`Engine::admit_consent`]): all
    /// off by default.
    pub rate_limits: RateLimits,
    /// How refresh tokens live: a lifetime (90 days) and, optionally, rotation on
    /// each use with reuse detection.
    pub refresh_tokens: RefreshPolicy,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            issuer: "https://oauth.iamkit.test".into(),
            audience: "https://api.iamkit.test".into(),
            organization_catalogue: Catalogue::organization(),
            account_catalogue: Catalogue::account_example(),
            audit_capacity: 100_000,
            refusal_capacity: 10_000,
            scim_rules: ScimRules::Twilio,
            rate_limits: RateLimits::default(),
            refresh_tokens: RefreshPolicy::default(),
        }
    }
}

impl EngineConfig {
    /// The catalogue that applies to an app, or a token of it: the account catalogue
    /// for an app owned by an account (`account_sid` is `Some`), else the
    /// organization catalogue. The one place this choice is made.
    pub fn catalogue_for(&self, account_sid: Option<AccountSid>) -> &Catalogue {
        match account_sid {
            Some(_) => &self.account_catalogue,
            None => &self.organization_catalogue,
        }
    }

    /// Replaces the account catalogue.
    pub fn account_catalogue(mut self, catalogue: Catalogue) -> Self {
        self.account_catalogue = catalogue;
        self
    }

    /// Sets the rules SCIM users follow.
    pub fn scim_rules(mut self, rules: ScimRules) -> Self {
        self.scim_rules = rules;
        self
    }

    /// Sets the rate limits.
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = limits;
        self
    }
}

/// Builds an [`Engine`]: the defaults are the system clock, an in-memory store and a
/// fresh ES256 key.
#[derive(Debug, Default)]
pub struct EngineBuilder {
    clock: Option<Arc<dyn Clock>>,
    store: StoreChoice,
    key: Option<SigningKey>,
    algorithm: Option<Algorithm>,
    config: EngineConfig,
}

/// Where the engine's state is to live.
#[derive(Debug, Default)]
enum StoreChoice {
    #[default]
    Memory,
    Given(Box<dyn Store>),
    Database(Database),
}

impl EngineBuilder {
    /// Uses `clock` for every instant the engine reads.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Uses a shared clock.
    pub fn shared_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Keeps state in `store`.
    pub fn store(mut self, store: impl Store + 'static) -> Self {
        self.store = StoreChoice::Given(Box::new(store));
        self
    }

    /// Keeps state in a database: a SQLite file (a path, or `sqlite:PATH`; feature
    /// `sqlite`), created if missing, or a PostgreSQL database
    /// (`postgres://USER@HOST:PORT/DB`; feature `postgres`) that several engines may
    /// share. The database also keeps the signing key, so tokens stay valid across
    /// restarts and on every engine of the database.
    pub fn database(mut self, location: impl Into<Database>) -> Self {
        self.store = StoreChoice::Database(location.into());
        self
    }

    /// Signs with a fresh key of `algorithm` (ignored when a key is given). A store
    /// that already keeps a key of another algorithm refuses it.
    pub fn algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = Some(algorithm);
        self
    }

    /// Signs with `key`; a store that keeps keys keeps this one from now on.
    pub fn signing_key(mut self, key: SigningKey) -> Self {
        self.key = Some(key);
        self
    }

    /// Uses `config`.
    pub fn config(mut self, config: EngineConfig) -> Self {
        self.config = config;
        self
    }

    /// Sets the issuer (`iss`), e.g. the emulator's URL.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.config.issuer = issuer.into().trim_end_matches('/').to_owned();
        self
    }

    /// Sets the rules SCIM users follow: [`ScimRules::Twilio`] (the default) or
    /// [`ScimRules::Rfc7643`].
    pub fn scim_rules(mut self, rules: ScimRules) -> Self {
        self.config.scim_rules = rules;
        self
    }

    /// Sets the rate limits (all off by default).
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.config.rate_limits = limits;
        self
    }

    /// Sets how refresh tokens live (90 days, no rotation, by default).
    pub fn refresh_tokens(mut self, policy: RefreshPolicy) -> Self {
        self.config.refresh_tokens = policy;
        self
    }

    /// Builds the engine: opens the store, takes the key it keeps (or makes one and
    /// has it kept), and checks the state it holds as an import is checked.
    pub fn build(self) -> Result<Engine, Error> {
        let store: Box<dyn Store> = match self.store {
            StoreChoice::Memory => Box::new(MemoryStore::new()),
            StoreChoice::Given(store) => store,
            StoreChoice::Database(database) => open_database(database)?,
        };
        let key = choose_key(store.as_ref(), self.key, self.algorithm)?;
        store::read(store.as_ref(), |s| {
            s.check_references()?;
            s.check_users(self.config.scim_rules)
        })?;
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        Ok(Engine {
            store,
            throttle: Throttle::new(&self.config.rate_limits, clock.clone()),
            clock,
            tickets: TicketKey::derive(key.to_stored().material()),
            key,
            config: self.config,
        })
    }
}

/// Opens the store of `database`, when this build has it.
fn open_database(database: Database) -> Result<Box<dyn Store>, StoreError> {
    match database {
        #[cfg(feature = "sqlite")]
        Database::Sqlite(path) => Ok(Box::new(crate::store::SqliteStore::open(path)?)),
        #[cfg(feature = "postgres")]
        Database::Postgres(url) => Ok(Box::new(crate::store::PostgresStore::open(&url)?)),
        #[allow(unreachable_patterns)]
        other => Err(StoreError::Invalid(format!(
            "this build of iamkit has no {} store",
            match other {
                Database::Sqlite(_) => "SQLite (feature sqlite)",
                Database::Postgres(_) => "PostgreSQL (feature postgres)",
            }
        ))),
    }
}

/// The key to sign with: the one given (kept by the store from now on), else the
/// one the store keeps, else a fresh one of `algorithm` that the store keeps.
fn choose_key(
    store: &dyn Store,
    given: Option<SigningKey>,
    algorithm: Option<Algorithm>,
) -> Result<SigningKey, Error> {
    if let Some(key) = given {
        store.keep_signing_key(&key.to_stored())?;
        return Ok(key);
    }
    let stored = match store.signing_key()? {
        Some(stored) => stored,
        None => {
            let fresh = SigningKey::generate(algorithm.unwrap_or_default())?;
            store.adopt_signing_key(&fresh.to_stored())?
        }
    };
    let key = SigningKey::from_stored(&stored)?;
    match algorithm {
        Some(wanted) if wanted != key.algorithm() => Err(KeyError::StoredAlgorithm {
            stored: key.algorithm(),
            wanted,
        }
        .into()),
        _ => Ok(key),
    }
}

/// The OAuth 2.0 + SCIM 2.0 engine. `Send + Sync`: share it behind an `Arc`.
#[derive(Debug)]
pub struct Engine {
    store: Box<dyn Store>,
    clock: Arc<dyn Clock>,
    key: SigningKey,
    /// Signs consent tickets; derived from `key`.
    tickets: TicketKey,
    config: EngineConfig,
    /// The limiters of `config.rate_limits`, on `clock`.
    throttle: Throttle,
}

/// Longest organization, account or user name, in characters.
const MAX_DIRECTORY_NAME: usize = 255;

impl Engine {
    /// An engine on the system clock, in memory, signing with a fresh ES256 key.
    pub fn new() -> Self {
        Self::builder()
            .build()
            .expect("ES256 key generation uses only the system random source")
    }

    /// A builder to choose the clock, store, key and settings.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// The public URL of `path` (e.g. [`crate::endpoints::ROLE_ASSIGNMENTS`]): the
    /// issuer, then the path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.issuer)
    }

    /// The engine's clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The engine's settings.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// The signing key's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.key.algorithm()
    }

    fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// Creates an organization.
    pub fn create_organization(&self, name: &str) -> Result<Organization, AppError> {
        let name = directory_name("name", name)?;
        let org = Organization {
            sid: OrganizationSid::generate(),
            name,
            created_at: self.now(),
        };
        store::write(self.store(), |s| {
            s.organizations.insert(org.sid, org.clone());
            Ok(org.clone())
        })
    }

    /// An organization by sid.
    pub fn organization(&self, sid: OrganizationSid) -> Result<Organization, AppError> {
        Ok(store::read(self.store(), |s| s.organization(sid).cloned())?)
    }

    /// Every organization, oldest first.
    pub fn organizations(&self) -> Vec<Organization> {
        let mut all: Vec<_> = store::read(self.store(), |s| {
            s.organizations.values().cloned().collect()
        });
        all.sort_by_key(|o: &Organization| (o.created_at, o.sid));
        all
    }

    /// Audit events matching `query`, oldest first.
    pub fn audit_events(&self, query: &AuditQuery) -> Vec<AuditEvent> {
        store::read(self.store(), |s| s.audit.query(query))
    }

    /// The whole state as JSON. Secrets appear only as hashes; the signing key is
    /// not exported, so tokens signed before an import into another engine do not
    /// verify there.
    pub fn export_state(&self) -> String {
        store::read(self.store(), |s| {
            serde_json::to_string(&SnapshotRef {
                version: STATE_VERSION,
                state: s,
            })
        })
        .expect("the state serializes to JSON")
    }

    /// Replaces the whole state with an export, rebuilding the user and role
    /// assignment indexes, and records `state.imported` (actor `admin`) in the
    /// imported audit log. Nothing changes if the export is invalid: malformed, of
    /// another version, with a field this engine does not read, dated after the
    /// engine clock, with a user that does not follow this engine's
    /// [`EngineConfig::scim_rules`], with duplicates, or with references to
    /// organizations, accounts or users it does not hold.
    pub fn import_state(&self, json: &str) -> Result<(), StateError> {
        let invalid = |e: serde_json::Error| StateError::Invalid(e.to_string());
        let sent: serde_json::Value = serde_json::from_str(json).map_err(invalid)?;
        let version = sent
            .get("version")
            .and_then(serde_json::Value::as_u64)
            .ok_or_else(|| StateError::Invalid("missing version".into()))?;
        if version != u64::from(STATE_VERSION) {
            return Err(StateError::UnsupportedVersion(
                u32::try_from(version).unwrap_or(u32::MAX),
            ));
        }
        if let Some(field) = sent
            .as_object()
            .and_then(|o| o.keys().find(|k| *k != "version" && *k != "state"))
        {
            return Err(StateError::Invalid(format!("unknown field {field}")));
        }
        let snapshot: Snapshot = serde_json::from_value(sent.clone()).map_err(invalid)?;
        let read = serde_json::to_value(&snapshot.state).map_err(invalid)?;
        import::check_fields(&sent["state"], &read)?;
        let now = self.now();
        import::check_times(&snapshot.state, now)?;
        snapshot.state.check_references()?;
        snapshot.state.check_users(self.config.scim_rules)?;
        let mut details = json!({
            "organizations": snapshot.state.organizations.len(),
            "apps": snapshot.state.apps.len(),
            "users": snapshot.state.users.values().map(|t| t.iter().count()).sum::<usize>(),
            "authorizations": snapshot.state.authorizations.len(),
            "audit_events": snapshot.state.audit.len(),
        });
        store::write(self.store(), |s| {
            details["replaced_audit_events"] = json!(s.audit.len());
            *s = snapshot.state;
            s.mark_replaced();
            s.audit.record(
                self.config.audit_capacity,
                types::STATE_IMPORTED,
                now,
                &Actor::admin(),
                "state",
                details,
            );
            Ok(())
        })
    }
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

fn directory_name(field: &'static str, value: &str) -> Result<String, AppError> {
    let trimmed = value.trim();
    if trimmed.is_empty()
        || trimmed.chars().count() > MAX_DIRECTORY_NAME
        || trimmed.chars().any(char::is_control)
    {
        return Err(AppError::InvalidField {
            field,
            reason: format!("1 to {MAX_DIRECTORY_NAME} characters, no control characters"),
        });
    }
    Ok(trimmed.to_owned())
}
