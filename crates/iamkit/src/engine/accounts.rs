//! The accounts of an organization: create, read, list a page at a time, and
//! authenticate by auth token.
//!
//! Rules and choices:
//! - An account's owner is the user named when it was created (a user of its
//!   organization) while that user exists; otherwise the organization's
//!   longest-standing Owner, the holder of its oldest Owner role assignment at
//!   organization scope. It is worked out on every read, so it follows deletions.
//! - Each account gets an auth token when it is created, returned that once; the
//!   engine keeps its SHA-256 and compares in constant time. Rotating it ends the
//!   old one at once.
//! - Lists run in creation order (also under a clock that stands still or moves
//!   back); a page token is a position in that order. Pages hold 1 to 100 accounts, [`ACCOUNT_PAGE_SIZE`] (50, the
//!   default of Twilio's `GET /Organizations/{OR}/Accounts`) unless asked otherwise.

use serde_json::json;

use super::{directory_name, Engine};
use crate::apps::AppError;
use crate::audit::{types, Actor};
use crate::directory::{
    Account, AccountPage, AccountQuery, CreatedAccount, NewAccount, StoredAccount,
    ACCOUNT_PAGE_SIZE,
};
use crate::ids::{AccountSid, OrganizationSid, Sid, UserSid};
use crate::paging::PageRequest;
use crate::roles::{Role, RoleScope};
use crate::secrets::{SecretHash, SecretString};
use crate::store::{self, State};

/// An account whose SID and auth token [`Engine::authenticate_account`] checked:
/// what the account's own API calls (its apps) act as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthenticatedAccount {
    sid: AccountSid,
}

impl AuthenticatedAccount {
    /// The account's sid.
    pub fn sid(&self) -> AccountSid {
        self.sid
    }

    /// The actor its calls are recorded as: the account sid.
    pub fn actor(&self) -> Actor {
        Actor::named(self.sid)
    }
}

/// Whether `user` is a user of `org`.
fn is_user_of(s: &State, org: OrganizationSid, user: UserSid) -> bool {
    s.users.get(&org).is_some_and(|t| t.get(user).is_some())
}

/// `stored` as callers see it, with its owner worked out.
fn view(s: &State, stored: &StoredAccount) -> Account {
    let org = stored.organization_sid;
    let named = stored.owner_sid.filter(|user| is_user_of(s, org, *user));
    let owner = named.or_else(|| {
        s.role_assignments.get(&org).and_then(|t| {
            t.iter()
                .find(|a| {
                    a.role_sid == Role::Owner.sid() && a.scope == RoleScope::Organization(org)
                })
                .map(|a| a.identity)
        })
    });
    Account {
        sid: stored.sid,
        organization_sid: org,
        name: stored.name.clone(),
        owner_sid: owner,
        created_at: stored.created_at,
    }
}

/// The accounts of `org`, oldest first.
fn accounts_of(s: &State, org: OrganizationSid) -> Result<Vec<Account>, AppError> {
    s.organization(org)?;
    let mut found: Vec<&StoredAccount> = s
        .accounts
        .values()
        .filter(|a| a.organization_sid == org)
        .collect();
    found.sort_by_key(|a| (a.seq, a.created_at, a.sid));
    Ok(found.into_iter().map(|a| view(s, a)).collect())
}

impl Engine {
    /// Creates an account in an organization, owned by the user it names (a user of
    /// the organization: else `invalid_account_owner`) or by the organization's
    /// Owner, and records `accounts.created`. The returned auth token is never shown
    /// again.
    pub fn create_account(
        &self,
        new: NewAccount,
        actor: &Actor,
    ) -> Result<CreatedAccount, AppError> {
        let name = directory_name("name", &new.name)?;
        let org = new.organization_sid;
        let token = SecretString::generate_auth_token();
        let mut stored = StoredAccount {
            seq: 0,
            sid: AccountSid::generate(),
            organization_sid: org,
            name,
            owner_sid: new.owner_sid,
            auth_token: Some(token.hash()),
            created_at: self.now(),
        };
        store::write(self.store(), |s| {
            s.organization(org)?;
            if let Some(owner) = new.owner_sid {
                if !is_user_of(s, org, owner) {
                    return Err(AppError::InvalidOwner(owner));
                }
            }
            let last = s.accounts.values().map(|a| a.seq).max().unwrap_or(0);
            stored.seq = last.saturating_add(1);
            s.accounts.insert(stored.sid, stored.clone());
            let account = view(s, &stored);
            s.audit.record(
                self.config.audit_capacity,
                types::ACCOUNT_CREATED,
                stored.created_at,
                actor,
                stored.sid,
                json!({ "organization_sid": org, "name": account.name, "owner_sid": account.owner_sid }),
            );
            Ok(CreatedAccount {
                account,
                auth_token: token.clone(),
            })
        })
    }

    /// An account by sid.
    pub fn account(&self, sid: AccountSid) -> Result<Account, AppError> {
        store::read(self.store(), |s| s.accounts.get(&sid).map(|a| view(s, a)))
            .ok_or(AppError::AccountNotFound(sid))
    }

    /// Every account of an organization, in creation order.
    pub fn accounts(&self, organization_sid: OrganizationSid) -> Result<Vec<Account>, AppError> {
        store::read(self.store(), |s| accounts_of(s, organization_sid))
    }

    /// A page of the accounts of an organization, in creation order: 1 to 100 per page,
    /// [`ACCOUNT_PAGE_SIZE`] unless `query` says otherwise.
    pub fn account_page(
        &self,
        organization_sid: OrganizationSid,
        query: &AccountQuery,
    ) -> Result<AccountPage, AppError> {
        let request = PageRequest::parse(
            query.page_size,
            ACCOUNT_PAGE_SIZE,
            query.page_token.as_deref(),
        )?;
        let all = self.accounts(organization_sid)?;
        let positions: Vec<u64> = (0..all.len() as u64).collect();
        let filter = format!("PageSize={}", request.size());
        Ok(request.cut(&positions, filter, |p| {
            usize::try_from(p).ok().and_then(|i| all.get(i)).cloned()
        }))
    }

    /// Gives an account a new auth token, returned this once, and records
    /// `accounts.auth-token-rotated`. The previous token stops working at once.
    pub fn rotate_auth_token(
        &self,
        sid: AccountSid,
        actor: &Actor,
    ) -> Result<SecretString, AppError> {
        let now = self.now();
        let token = SecretString::generate_auth_token();
        store::write(self.store(), |s| {
            let stored = s
                .accounts
                .get_mut(&sid)
                .ok_or(AppError::AccountNotFound(sid))?;
            stored.auth_token = Some(token.hash());
            s.audit.record(
                self.config.audit_capacity,
                types::AUTH_TOKEN_ROTATED,
                now,
                actor,
                sid,
                json!({}),
            );
            Ok(token.clone())
        })
    }

    /// Checks an account SID and auth token, as HTTP Basic gives them. Every way of
    /// failing (a malformed or unknown SID, a wrong token, an account without one)
    /// is the same `invalid_credentials` (401); the token is compared by hash, in
    /// constant time.
    pub fn authenticate_account(
        &self,
        account_sid: &str,
        auth_token: &str,
    ) -> Result<AuthenticatedAccount, AppError> {
        let presented = SecretHash::of(auth_token.as_bytes());
        let sid = AccountSid::parse(account_sid).ok();
        let known = store::read(self.store(), |s| {
            sid.and_then(|sid| s.accounts.get(&sid))
                .and_then(|a| a.auth_token)
        });
        match (sid, known) {
            (Some(sid), Some(hash)) if hash == presented => Ok(AuthenticatedAccount { sid }),
            _ => Err(AppError::InvalidAccountCredentials),
        }
    }
}
