//! Where the engine's state lives.
//!
//! [`State`] is the whole of it; a [`Store`] guards it. Every engine operation runs
//! as one call to [`Store::read`] or [`Store::write`], so no caller ever sees half an
//! operation. Engine operations check everything before they change anything, so a
//! write that fails leaves the state as it was.

mod changes;
pub(crate) mod import;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) use changes::ChangeSet;
pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;

use serde::{Deserialize, Serialize};

use crate::apps::StoredApp;
use crate::audit::AuditLog;
pub use crate::authorize::RefreshToken;
use crate::authorize::{self, Authorization, Grant};
use crate::directory::{Organization, StoredAccount};
pub use crate::error_code::StoreError;
use crate::error_code::{ErrorCode, UnknownOrganization};
use crate::ids::{AccountSid, AuthorizationSid, ClientId, GrantSid, OrganizationSid, TokenId};
use crate::roles::assignments::{AssignmentTable, RoleScope};
use crate::scim::users::table::UserTable;
use crate::scim::ScimRules;
use crate::secrets::SecretHash;
use crate::signing::StoredKey;
use crate::tokens::grant;
use crate::tracked::{Bookkeeping, TrackedMap};

/// The version of the exported state format. Version 2 keeps users as SCIM users
/// with role assignments.
pub const STATE_VERSION: u32 = 2;

/// Everything the engine knows. Secrets appear only as hashes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub(crate) organizations: TrackedMap<OrganizationSid, Organization>,
    pub(crate) accounts: TrackedMap<AccountSid, StoredAccount>,
    /// Each organization's SCIM users.
    pub(crate) users: TrackedMap<OrganizationSid, UserTable>,
    /// Each organization's role assignments.
    pub(crate) role_assignments: TrackedMap<OrganizationSid, AssignmentTable>,
    pub(crate) apps: TrackedMap<ClientId, StoredApp>,
    pub(crate) authorizations: TrackedMap<AuthorizationSid, Authorization>,
    pub(crate) grants: TrackedMap<GrantSid, Grant>,
    /// Code hash → grant, for redeeming codes.
    pub(crate) codes: TrackedMap<SecretHash, GrantSid>,
    pub(crate) refresh_tokens: TrackedMap<SecretHash, RefreshToken>,
    /// Revoked access-token ids and their expiry (Unix seconds), kept until then.
    pub(crate) revoked_tokens: TrackedMap<TokenId, i64>,
    pub(crate) audit: AuditLog,
    /// Whether the whole state was replaced (an import) since the store last wrote.
    #[serde(skip)]
    pub(crate) replaced: Bookkeeping<bool>,
}

impl State {
    /// The organization `sid`: the one way to look one up.
    pub(crate) fn organization(
        &self,
        sid: OrganizationSid,
    ) -> Result<&Organization, UnknownOrganization> {
        self.organizations.get(&sid).ok_or(UnknownOrganization(sid))
    }

    /// The tables the Token API reads and writes.
    pub(crate) fn token_tables(&mut self) -> grant::Tables<'_> {
        grant::Tables {
            apps: &self.apps,
            authorizations: &self.authorizations,
            grants: &mut self.grants,
            codes: &self.codes,
            refresh_tokens: &mut self.refresh_tokens,
            revoked_tokens: &mut self.revoked_tokens,
        }
    }

    /// The tables an approval writes.
    pub(crate) fn consent_tables(&mut self) -> authorize::Tables<'_> {
        authorize::Tables {
            authorizations: &mut self.authorizations,
            grants: &mut self.grants,
            codes: &mut self.codes,
            refresh_tokens: &mut self.refresh_tokens,
        }
    }

    /// Whether `scope` is `organization_sid` or one of its accounts.
    pub(crate) fn scope_in(&self, scope: RoleScope, organization_sid: OrganizationSid) -> bool {
        match scope {
            RoleScope::Organization(org) => org == organization_sid,
            RoleScope::Account(account) => self
                .accounts
                .get(&account)
                .is_some_and(|a| a.organization_sid == organization_sid),
        }
    }

    /// Checks what deserializing each part could not: every account, user table and
    /// role assignment belongs to a known organization, no user belongs to two, and
    /// every assignment names a user and a scope of its organization.
    pub(crate) fn check_references(&self) -> Result<(), StateError> {
        let known = |org: &OrganizationSid, what: &str| {
            if self.organizations.contains_key(org) {
                Ok(())
            } else {
                Err(StateError::Invalid(format!(
                    "{what} of unknown organization {org}"
                )))
            }
        };
        for account in self.accounts.values() {
            known(&account.organization_sid, "account")?;
        }
        let mut ids = std::collections::HashSet::new();
        for (org, table) in self.users.iter() {
            known(org, "users")?;
            if let Some(twice) = table.iter().map(|u| u.id()).find(|id| !ids.insert(*id)) {
                return Err(StateError::Invalid(format!(
                    "user {twice} belongs to two organizations"
                )));
            }
        }
        for (org, table) in self.role_assignments.iter() {
            known(org, "role assignments")?;
            for a in table.iter() {
                let user = self.users.get(org).and_then(|t| t.get(a.identity));
                if a.organization_sid != *org || user.is_none() || !self.scope_in(a.scope, *org) {
                    return Err(StateError::Invalid(format!(
                        "role assignment {} does not match its organization {org}",
                        a.sid
                    )));
                }
            }
        }
        Ok(())
    }

    /// Checks that every user follows `rules`.
    pub(crate) fn check_users(&self, rules: ScimRules) -> Result<(), StateError> {
        self.users
            .values()
            .try_for_each(|table| table.validate(rules).map_err(StateError::Invalid))
    }
}

/// Guards the engine's [`State`]. Implementations must be safe to share between
/// threads and make each call atomic.
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Runs `f` on a consistent view of the state.
    fn read(&self, f: &mut dyn FnMut(&State));
    /// Runs `f` with exclusive access. `f` returns whether it changed anything, so
    /// a durable store knows whether there is something to keep. When keeping the
    /// change fails, the state is as it was before `f` and the error is returned; a
    /// store that cannot reach its database fails without running `f`.
    fn write(&self, f: &mut dyn FnMut(&mut State) -> bool) -> Result<(), StoreError>;
    /// The signing key kept with the state, if this store keeps one.
    fn signing_key(&self) -> Result<Option<StoredKey>, StoreError> {
        Ok(None)
    }
    /// Keeps `key` as the signing key (a store that keeps none ignores it).
    fn keep_signing_key(&self, key: &StoredKey) -> Result<(), StoreError> {
        let _ = key;
        Ok(())
    }
    /// Keeps `key` unless the store keeps a key already, and returns the one kept:
    /// engines that start together on one database agree on one key.
    fn adopt_signing_key(&self, key: &StoredKey) -> Result<StoredKey, StoreError> {
        self.keep_signing_key(key)?;
        Ok(key.clone())
    }
    /// Whether the state read is recent enough to accept a token on: a store that
    /// follows other engines' writes fails when it has not heard from them within
    /// its staleness bound, so a revocation made elsewhere is never overlooked.
    fn check_fresh(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

/// Where a durable store keeps the state: a SQLite file or a PostgreSQL database.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite database file (feature `sqlite`).
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL connection URL, `postgres://USER@HOST:PORT/DB` (feature
    /// `postgres`). It may hold a password, so `Debug` hides it.
    Postgres(String),
}

impl Database {
    /// Reads a location: a `postgres://` or `postgresql://` URL is PostgreSQL;
    /// `sqlite:PATH` and any other text are the path of a SQLite file.
    pub fn parse(location: &str) -> Self {
        let lower = location.get(..13).unwrap_or(location).to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            Database::Postgres(location.to_owned())
        } else {
            let path = location.strip_prefix("sqlite:").unwrap_or(location);
            Database::Sqlite(path.into())
        }
    }
}

impl Database {
    /// The location for messages: a path, or the URL with its password hidden.
    pub fn shown(&self) -> String {
        match self {
            Database::Sqlite(path) => path.display().to_string(),
            Database::Postgres(url) => shown_url(url),
        }
    }
}

/// `url` without its password.
pub(crate) fn shown_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            parsed.to_string()
        }
        Err(_) => "(a PostgreSQL URL that does not parse)".into(),
    }
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
            Database::Postgres(url) => f.debug_tuple("Postgres").field(&shown_url(url)).finish(),
        }
    }
}

impl From<&str> for Database {
    fn from(location: &str) -> Self {
        Database::parse(location)
    }
}

impl From<String> for Database {
    fn from(location: String) -> Self {
        Database::parse(&location)
    }
}

impl From<std::path::PathBuf> for Database {
    fn from(path: std::path::PathBuf) -> Self {
        Database::Sqlite(path)
    }
}

impl From<&std::path::Path> for Database {
    fn from(path: &std::path::Path) -> Self {
        Database::Sqlite(path.to_path_buf())
    }
}

/// Runs a read and returns its result.
pub(crate) fn read<R>(store: &dyn Store, f: impl FnOnce(&State) -> R) -> R {
    let mut f = Some(f);
    let mut out = None;
    store.read(&mut |state| {
        if let Some(f) = f.take() {
            out = Some(f(state));
        }
    });
    out.expect("Store::read runs its closure exactly once")
}

/// Runs a write that may fail; on failure it must not have changed the state. A
/// change the store cannot keep fails with the store's error.
pub(crate) fn write<R, E: From<StoreError>>(
    store: &dyn Store,
    f: impl FnOnce(&mut State) -> Result<R, E>,
) -> Result<R, E> {
    let mut f = Some(f);
    let mut out = None;
    let kept = store.write(&mut |state| {
        let result = f.take().map(|f| f(state));
        let changed = matches!(result, Some(Ok(_)));
        out = result;
        changed
    });
    kept?;
    out.expect("Store::write runs its closure once when it succeeds")
}

/// The state of an export being read (its version is checked first, on its own).
#[derive(Deserialize)]
pub(crate) struct Snapshot {
    pub state: State,
}

/// The exported form of the state: a version and the state itself.
#[derive(Serialize)]
pub(crate) struct SnapshotRef<'a> {
    pub version: u32,
    pub state: &'a State,
}

/// State that cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// The JSON is not an iamkit state export.
    #[error("invalid state export: {0}")]
    Invalid(String),
    /// The export was made by an incompatible version.
    #[error("unsupported state version {0}; this engine reads version {STATE_VERSION}")]
    UnsupportedVersion(u32),
    /// The store could not keep the change; nothing was applied.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ErrorCode for StateError {
    fn code(&self) -> &'static str {
        match self {
            StateError::Invalid(_) => "invalid_state",
            StateError::UnsupportedVersion(_) => "unsupported_state_version",
            StateError::Store(e) => e.code(),
        }
    }
    fn status(&self) -> u16 {
        match self {
            StateError::Store(e) => e.status(),
            _ => 400,
        }
    }
    fn twilio_code(&self) -> u32 {
        match self {
            StateError::Store(e) => e.twilio_code(),
            _ => 20001,
        }
    }
}
