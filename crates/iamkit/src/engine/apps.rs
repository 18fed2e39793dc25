//! Managing OAuth apps: create, view, update, rotate the secret, delete.

use serde_json::json;

use super::Engine;
use crate::apps::{
    check_scopes, grace_period, token_ttl, App, AppError, AppRecord, AppUpdate, Details, GrantType,
    NewApp, Owner, OwnerSid, PreviousSecret, StoredApp,
};
use crate::audit::{types, Actor};
use crate::catalogue::Catalogue;
use crate::ids::{AccountSid, ClientId, Sid};
use crate::secrets::SecretString;
use crate::store::{self, State};

/// A newly created app and its secret, which is shown this once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedApp {
    /// The app.
    pub app: App,
    /// The client secret. The engine keeps only its hash.
    pub client_secret: SecretString,
}

/// The outcome of a secret rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotatedSecret {
    /// The app.
    pub app: App,
    /// The new client secret, shown this once.
    pub client_secret: SecretString,
    /// Until when the previous secret still works, if at all.
    pub previous_valid_until: Option<time::OffsetDateTime>,
}

impl Engine {
    /// The catalogue for apps owned by `owner`.
    pub fn catalogue_for(&self, owner: &Owner) -> &Catalogue {
        self.config.catalogue_for(owner.account_sid())
    }

    /// The authorization URL of an authorization-code app (where users approve it).
    pub fn authorization_url(&self, app: &App) -> Option<String> {
        let redirect = app.redirect_url.as_deref()?;
        Some(crate::authorize::redirect_with(
            &self.url("/v2/authorize"),
            &[
                ("client_id", &app.client_id.to_string()),
                ("response_type", "code"),
                ("scope", crate::authorize::OFFLINE_ACCESS),
                ("redirect_uri", redirect),
            ],
        ))
    }

    /// `app` with its authorization URL, as the admin API and the bindings show it.
    pub fn app_record<'a>(&self, app: &'a App) -> AppRecord<'a> {
        AppRecord {
            app,
            authorization_url: self.authorization_url(app),
        }
    }

    /// Creates an app. The returned secret is never shown again.
    pub fn create_app(&self, new: NewApp, actor: &Actor) -> Result<CreatedApp, AppError> {
        let details = Details::of_new(&new)?;
        let now = self.now();
        let secret = SecretString::generate();
        store::write(self.store(), |s| {
            let owner = resolve_owner(s, new.owner)?;
            if !owner.is_organization() && new.grant_type != GrantType::ClientCredentials {
                return Err(AppError::GrantTypeNotAllowed);
            }
            check_scopes(self.catalogue_for(&owner), &new.scopes)?;
            let token_ttl = token_ttl(&owner, new.token_ttl)?;
            let app = App {
                client_id: ClientId::generate(),
                owner,
                grant_type: new.grant_type,
                name: details.name,
                description: details.description,
                company_name: details.company_name,
                image_urls: details.image_urls,
                homepage_url: details.homepage_url,
                terms_of_service_url: details.terms_of_service_url,
                redirect_url: details.redirect_url,
                scopes: new.scopes,
                token_ttl,
                created_at: now,
                updated_at: now,
                created_by: actor.as_str().to_owned(),
            };
            s.audit.record(
                self.config.audit_capacity,
                types::APP_CREATED,
                now,
                actor,
                app.client_id,
                json!({ "name": app.name, "grant_type": app.grant_type, "scopes": app.scopes }),
            );
            s.apps.insert(
                app.client_id,
                StoredApp {
                    app: app.clone(),
                    secret: secret.hash(),
                    previous_secret: None,
                },
            );
            Ok(CreatedApp {
                app,
                client_secret: secret,
            })
        })
    }

    /// An app by client id (never its secret).
    pub fn app(&self, client_id: ClientId) -> Result<App, AppError> {
        store::read(self.store(), |s| {
            s.apps.get(&client_id).map(|a| a.app.clone())
        })
        .ok_or(AppError::AppNotFound(client_id))
    }

    /// The apps owned by an organization or account (for an organization: its own
    /// apps and those of its accounts), oldest first.
    pub fn apps(&self, owner: OwnerSid) -> Vec<App> {
        let mut found: Vec<App> = store::read(self.store(), |s| {
            s.apps
                .values()
                .map(|a| &a.app)
                .filter(|a| match owner {
                    OwnerSid::Organization(org) => a.owner.organization_sid() == org,
                    OwnerSid::Account(acct) => a.owner.account_sid() == Some(acct),
                })
                .cloned()
                .collect()
        });
        found.sort_by_key(|a| (a.created_at, a.client_id));
        found
    }

    /// Updates an app's details, scopes or token lifetime.
    pub fn update_app(
        &self,
        client_id: ClientId,
        update: AppUpdate,
        actor: &Actor,
    ) -> Result<App, AppError> {
        self.update_app_of(None, client_id, update, actor)
    }

    /// Updates an app, which must be `account`'s when one is given (another's is
    /// not found).
    pub(super) fn update_app_of(
        &self,
        account: Option<AccountSid>,
        client_id: ClientId,
        update: AppUpdate,
        actor: &Actor,
    ) -> Result<App, AppError> {
        let now = self.now();
        store::write(self.store(), |s| {
            let stored = owned(s, account, client_id)?;
            let old = &stored.app;
            let details = Details::updated(old, &update)?;
            if let Some(scopes) = &update.scopes {
                check_scopes(self.catalogue_for(&old.owner), scopes)?;
            }
            let ttl = match update.token_ttl {
                Some(ttl) => token_ttl(&old.owner, Some(ttl))?,
                None => old.token_ttl,
            };
            let app = App {
                name: details.name,
                description: details.description,
                company_name: details.company_name,
                image_urls: details.image_urls,
                homepage_url: details.homepage_url,
                terms_of_service_url: details.terms_of_service_url,
                redirect_url: details.redirect_url,
                scopes: update.scopes.clone().unwrap_or_else(|| old.scopes.clone()),
                token_ttl: ttl,
                updated_at: now,
                ..old.clone()
            };
            let changed = changed_fields(old, &app);
            s.audit.record(
                self.config.audit_capacity,
                types::APP_UPDATED,
                now,
                actor,
                client_id,
                json!({ "changed": changed }),
            );
            if let Some(stored) = s.apps.get_mut(&client_id) {
                stored.app = app.clone();
            }
            Ok(app)
        })
    }

    /// Replaces an app's secret. The previous secret keeps working for the grace
    /// period: account apps take 0 to 30 days in seconds (default 0, ending it at
    /// once); organization apps always keep it 24 hours. Only the newest previous
    /// secret is kept, so a second rotation ends the first one's grace.
    pub fn rotate_secret(
        &self,
        client_id: ClientId,
        grace_seconds: Option<u64>,
        actor: &Actor,
    ) -> Result<RotatedSecret, AppError> {
        let now = self.now();
        let secret = SecretString::generate();
        store::write(self.store(), |s| {
            let stored = s
                .apps
                .get_mut(&client_id)
                .ok_or(AppError::AppNotFound(client_id))?;
            let grace = grace_period(&stored.app.owner, grace_seconds)?;
            let previous = (grace.is_positive()).then(|| PreviousSecret {
                hash: stored.secret,
                valid_until: now + grace,
            });
            stored.secret = secret.hash();
            stored.previous_secret = previous;
            stored.app.updated_at = now;
            let app = stored.app.clone();
            s.audit.record(
                self.config.audit_capacity,
                types::SECRET_ROTATED,
                now,
                actor,
                client_id,
                json!({
                    "grace_period_seconds": grace.whole_seconds(),
                    "previous_secret_valid_until": previous.map(|p| rfc3339(p.valid_until)),
                }),
            );
            Ok(RotatedSecret {
                app,
                client_secret: secret,
                previous_valid_until: previous.map(|p| p.valid_until),
            })
        })
    }

    /// Deletes an app. Its secrets, codes, refresh tokens and authorizations stop
    /// working at once, and so does every access token it was issued.
    pub fn delete_app(&self, client_id: ClientId, actor: &Actor) -> Result<(), AppError> {
        self.delete_app_of(None, client_id, actor)
    }

    /// Deletes an app, which must be `account`'s when one is given (another's is
    /// not found).
    pub(super) fn delete_app_of(
        &self,
        account: Option<AccountSid>,
        client_id: ClientId,
        actor: &Actor,
    ) -> Result<(), AppError> {
        let now = self.now();
        store::write(self.store(), |s| {
            owned(s, account, client_id)?;
            let stored = s
                .apps
                .remove(&client_id)
                .ok_or(AppError::AppNotFound(client_id))?;
            s.authorizations.retain(|_, a| a.client_id != client_id);
            s.grants.retain(|_, g| g.client_id != client_id);
            let grants = &s.grants;
            s.codes.retain(|_, g| grants.contains_key(g));
            s.refresh_tokens.retain(|_, r| r.client_id != client_id);
            s.audit.record(
                self.config.audit_capacity,
                types::APP_DELETED,
                now,
                actor,
                client_id,
                json!({ "name": stored.app.name }),
            );
            Ok(())
        })
    }
}

/// The app `client_id`, if it is `account`'s (any owner's when `account` is none).
fn owned(
    s: &State,
    account: Option<AccountSid>,
    client_id: ClientId,
) -> Result<&StoredApp, AppError> {
    s.apps
        .get(&client_id)
        .filter(|a| account.is_none_or(|acct| a.app.owner.account_sid() == Some(acct)))
        .ok_or(AppError::AppNotFound(client_id))
}

fn resolve_owner(s: &State, owner: OwnerSid) -> Result<Owner, AppError> {
    match owner {
        OwnerSid::Organization(organization_sid) => {
            s.organization(organization_sid)?;
            Ok(Owner::Organization { organization_sid })
        }
        OwnerSid::Account(account_sid) => {
            let account = s
                .accounts
                .get(&account_sid)
                .ok_or(AppError::AccountNotFound(account_sid))?;
            Ok(Owner::Account {
                account_sid,
                organization_sid: account.organization_sid,
            })
        }
    }
}

fn changed_fields(old: &App, new: &App) -> Vec<&'static str> {
    let mut changed = Vec::new();
    let mut check = |name, differs: bool| {
        if differs {
            changed.push(name);
        }
    };
    check("name", old.name != new.name);
    check("description", old.description != new.description);
    check("company_name", old.company_name != new.company_name);
    check("image_urls", old.image_urls != new.image_urls);
    check("homepage_url", old.homepage_url != new.homepage_url);
    check(
        "terms_of_service_url",
        old.terms_of_service_url != new.terms_of_service_url,
    );
    check("redirect_url", old.redirect_url != new.redirect_url);
    check("scopes", old.scopes != new.scopes);
    check("token_ttl", old.token_ttl != new.token_ttl);
    changed
}

pub(super) fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
