//! OAuth apps in the Console: the create-app wizard (details, then scopes and
//! permissions, then the secret shown once), an app's details and update, rotating
//! its secret, deleting it, and an organization's authorized apps.

use std::sync::Arc;

use askama::Template;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use iamkit::apps::MAX_SCOPES;
use iamkit::{
    Actor, App, AppError, AppUpdate, ClientId, Engine, GrantType, NewAppFields, OrganizationSid,
    OwnerSid, Sid,
};
use serde::Deserialize;

use super::session::Session;
use super::view::{refusal, render, see_other, Chrome, Notice};
use super::SentForm;
use crate::app_state::AppState;
use crate::form::Form;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/console/apps/new",
            get(details_step).post(permissions_step),
        )
        .route("/console/apps", post(create))
        .route("/console/apps/{client_id}", get(detail).post(update))
        .route(
            "/console/apps/{client_id}/rotate",
            get(rotate_dialog).post(rotate),
        )
        .route(
            "/console/apps/{client_id}/delete",
            get(delete_dialog).post(delete),
        )
        .route(
            "/console/organizations/{sid}/authorized-apps",
            get(authorized_apps),
        )
        .route(
            "/console/authorizations/{sid}/revoke",
            post(revoke_authorization),
        )
}

/// The units a token lifetime is entered in, and their length in seconds.
const TTL_UNITS: [(&str, u64); 4] = [
    ("seconds", 1),
    ("minutes", 60),
    ("hours", 3_600),
    ("days", 86_400),
];

/// One permission of the picker.
pub struct Choice {
    pub name: String,
    pub checked: bool,
}

/// The fields of the wizard and of the update form, as text.
#[derive(Default, Clone)]
pub struct Fields {
    pub owner_sid: String,
    pub grant_type: String,
    pub name: String,
    pub description: String,
    pub company_name: String,
    pub image_urls: String,
    pub homepage_url: String,
    pub terms_of_service_url: String,
    pub redirect_url: String,
    pub ttl_amount: String,
    pub ttl_unit: String,
}

impl Fields {
    /// Reads the fields a form carries (absent ones empty).
    fn read(form: &mut Form) -> Self {
        let mut take = |name| form.take(name).unwrap_or_default();
        Self {
            owner_sid: take("owner_sid"),
            grant_type: take("grant_type"),
            name: take("name"),
            description: take("description"),
            company_name: take("company_name"),
            image_urls: take("image_urls"),
            homepage_url: take("homepage_url"),
            terms_of_service_url: take("terms_of_service_url"),
            redirect_url: take("redirect_url"),
            ttl_amount: take("ttl_amount"),
            ttl_unit: take("ttl_unit"),
        }
    }

    /// The fields of an existing app.
    fn of(app: &App) -> Self {
        let (ttl_amount, ttl_unit) = TTL_UNITS
            .iter()
            .rev()
            .find(|(_, size)| app.token_ttl.is_multiple_of(*size))
            .map_or((app.token_ttl.to_string(), "seconds"), |(unit, size)| {
                ((app.token_ttl / size).to_string(), *unit)
            });
        Self {
            owner_sid: owner_sid(app),
            grant_type: app.grant_type.to_string(),
            name: app.name.clone(),
            description: app.description.clone().unwrap_or_default(),
            company_name: app.company_name.clone().unwrap_or_default(),
            image_urls: app.image_urls.join("\n"),
            homepage_url: app.homepage_url.clone().unwrap_or_default(),
            terms_of_service_url: app.terms_of_service_url.clone().unwrap_or_default(),
            redirect_url: app.redirect_url.clone().unwrap_or_default(),
            ttl_amount,
            ttl_unit: ttl_unit.to_owned(),
        }
    }

    /// Whether these are an account app's fields.
    pub fn for_account(&self) -> bool {
        self.owner_sid.starts_with("AC")
    }

    /// Whether these are an authorization-code app's fields.
    pub fn authorization_code(&self) -> bool {
        self.grant_type == GrantType::AuthorizationCode.to_string()
    }

    /// The token lifetime in seconds, when one is entered.
    fn token_ttl(&self) -> Result<Option<u64>, Notice> {
        if self.ttl_amount.trim().is_empty() {
            return Ok(None);
        }
        let amount: u64 = self.ttl_amount.trim().parse().map_err(|_| {
            Notice::invalid(format!(
                "the token expiration time must be a whole number, not {:?}",
                self.ttl_amount
            ))
        })?;
        let size = TTL_UNITS
            .iter()
            .find(|(unit, _)| *unit == self.ttl_unit)
            .map(|(_, size)| *size)
            .ok_or_else(|| Notice::invalid(format!("unknown time unit {:?}", self.ttl_unit)))?;
        amount
            .checked_mul(size)
            .map(Some)
            .ok_or_else(|| Notice::invalid("the token expiration time is too long"))
    }

    fn image_url_list(&self) -> Vec<String> {
        self.image_urls
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    }

    fn new_app(&self, scopes: Vec<String>) -> Result<NewAppFields, Notice> {
        let text = |t: &String| (!t.trim().is_empty()).then(|| t.clone());
        Ok(NewAppFields {
            owner_sid: self.owner_sid.clone(),
            grant_type: self.grant_type.clone(),
            name: self.name.clone(),
            description: text(&self.description),
            company_name: text(&self.company_name),
            image_urls: self.image_url_list(),
            homepage_url: text(&self.homepage_url),
            terms_of_service_url: text(&self.terms_of_service_url),
            redirect_url: text(&self.redirect_url),
            scopes,
            token_ttl: self.token_ttl()?,
        })
    }

    fn update(&self, app: &App, scopes: Vec<String>) -> Result<AppUpdate, Notice> {
        let code = app.grant_type == GrantType::AuthorizationCode;
        Ok(AppUpdate {
            name: Some(self.name.clone()),
            description: Some(self.description.clone()),
            company_name: Some(self.company_name.clone()),
            image_urls: Some(self.image_url_list()),
            homepage_url: Some(self.homepage_url.clone()),
            terms_of_service_url: Some(self.terms_of_service_url.clone()),
            redirect_url: code.then(|| self.redirect_url.clone()),
            scopes: Some(scopes),
            token_ttl: if app.owner.account_sid().is_some() {
                self.token_ttl()?
            } else {
                None
            },
        })
    }
}

fn owner_sid(app: &App) -> String {
    match app.owner.account_sid() {
        Some(account) => account.to_string(),
        None => app.owner.organization_sid().to_string(),
    }
}

/// The permissions a picker offers for `owner`, those in `scopes` checked, and any
/// of `scopes` the catalogue lacks after them (so the engine can refuse them).
fn choices(engine: &Engine, owner: &str, scopes: &[String]) -> Vec<Choice> {
    let account = match owner.parse::<OwnerSid>() {
        Ok(OwnerSid::Account(sid)) => Some(sid),
        _ => None,
    };
    let catalogue = engine.config().catalogue_for(account);
    let mut list: Vec<Choice> = catalogue
        .permissions()
        .iter()
        .map(|p| Choice {
            checked: scopes.contains(&p.name),
            name: p.name.clone(),
        })
        .collect();
    for scope in scopes {
        if !catalogue.contains(scope) {
            list.push(Choice {
                name: scope.clone(),
                checked: true,
            });
        }
    }
    list
}

/// The permissions checked in a form (fields `permission:NAME`).
fn checked_scopes(form: &mut Form) -> Vec<String> {
    form.take_prefixed("permission:")
}

/// The name of the owner a wizard creates an app for, or the engine's refusal.
fn owner_name(engine: &Engine, owner: &str) -> Result<String, Notice> {
    let parsed: OwnerSid = owner.parse().map_err(|e: AppError| Notice::error(&e))?;
    match parsed {
        OwnerSid::Organization(sid) => engine
            .organization(sid)
            .map(|o| format!("the organization {}", o.name)),
        OwnerSid::Account(sid) => engine
            .account(sid)
            .map(|a| format!("the account {}", a.name)),
    }
    .map_err(|e| Notice::error(&e))
}

#[derive(Template)]
#[template(path = "console/app_details.html")]
struct DetailsStep {
    chrome: Chrome,
    owner: String,
    fields: Fields,
}

#[derive(Template)]
#[template(path = "console/app_permissions.html")]
struct PermissionsStep {
    chrome: Chrome,
    owner: String,
    fields: Fields,
    choices: Vec<Choice>,
    max_scopes: usize,
    ttl_units: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "console/secret.html")]
struct SecretPage {
    chrome: Chrome,
    title: &'static str,
    button: &'static str,
    app: App,
    client_secret: String,
    authorization_url: Option<String>,
    previous_valid_until: Option<String>,
}

#[derive(Deserialize)]
struct NewQuery {
    owner: String,
}

fn ttl_units() -> Vec<&'static str> {
    TTL_UNITS.iter().map(|(unit, _)| *unit).collect()
}

/// `GET /console/apps/new?owner=SID`: the wizard's first step, application details.
async fn details_step(
    State(app): State<Arc<AppState>>,
    Extension(session): Extension<Session>,
    Query(query): Query<NewQuery>,
) -> Response {
    let mut chrome = Chrome::new(&session, "overview");
    let owner = owner_name(&app.engine, &query.owner).unwrap_or_else(|notice| {
        chrome.notice = Some(notice);
        query.owner.clone()
    });
    let fields = Fields {
        grant_type: GrantType::ClientCredentials.to_string(),
        owner_sid: query.owner,
        ..Fields::default()
    };
    render(
        &chrome.clone(),
        &DetailsStep {
            chrome,
            owner,
            fields,
        },
    )
}

/// `POST /console/apps/new`: the second step, scopes and permissions (and the
/// token expiration time of account apps, 1 hour unless changed).
async fn permissions_step(
    State(app): State<Arc<AppState>>,
    Extension(session): Extension<Session>,
    Extension(SentForm(mut form)): Extension<SentForm>,
) -> Response {
    let chrome = Chrome::new(&session, "overview");
    let mut fields = Fields::read(&mut form);
    if fields.ttl_amount.is_empty() {
        fields.ttl_amount = "1".into();
        fields.ttl_unit = "hours".into();
    }
    permissions_page(&app.engine, chrome, fields, &[])
}

fn permissions_page(
    engine: &Engine,
    chrome: Chrome,
    fields: Fields,
    scopes: &[String],
) -> Response {
    let owner = owner_name(engine, &fields.owner_sid).unwrap_or_else(|_| fields.owner_sid.clone());
    let page = PermissionsStep {
        choices: choices(engine, &fields.owner_sid, scopes),
        chrome: chrome.clone(),
        owner,
        fields,
        max_scopes: MAX_SCOPES,
        ttl_units: ttl_units(),
    };
    render(&chrome, &page)
}

/// `POST /console/apps`: creates the app and shows its secret once; a refusal
/// shows the second step again with the engine's error.
async fn create(
    State(app): State<Arc<AppState>>,
    Extension(session): Extension<Session>,
    Extension(SentForm(mut form)): Extension<SentForm>,
) -> Response {
    let chrome = Chrome::new(&session, "overview");
    let fields = Fields::read(&mut form);
    let scopes = checked_scopes(&mut form);
    let made = fields
        .new_app(scopes.clone())
        .and_then(|new| new.parse().map_err(|e| Notice::error(&e)))
        .and_then(|new| {
            app.engine
                .create_app(new, &Actor::admin())
                .map_err(|e| Notice::error(&e))
        });
    match made {
        Ok(made) => {
            let page = SecretPage {
                chrome: chrome.clone(),
                title: "Copy secret",
                button: "Finish",
                authorization_url: app.engine.authorization_url(&made.app),
                client_secret: made.client_secret.expose().to_owned(),
                previous_valid_until: None,
                app: made.app,
            };
            render(&chrome, &page)
        }
        Err(notice) => permissions_page(&app.engine, chrome.with(notice), fields, &scopes),
    }
}

#[derive(Template)]
#[template(path = "console/app.html")]
struct DetailPage {
    chrome: Chrome,
    app: App,
    fields: Fields,
    choices: Vec<Choice>,
    authorization_url: Option<String>,
    created_at: String,
    updated_at: String,
    ttl_units: Vec<&'static str>,
    max_scopes: usize,
}

fn detail_page(engine: &Engine, chrome: Chrome, found: App, fields: Option<Fields>) -> Response {
    let page = DetailPage {
        choices: choices(engine, &owner_sid(&found), &found.scopes),
        fields: fields.unwrap_or_else(|| Fields::of(&found)),
        authorization_url: engine.authorization_url(&found),
        created_at: crate::admin::rfc3339(found.created_at),
        updated_at: crate::admin::rfc3339(found.updated_at),
        ttl_units: ttl_units(),
        max_scopes: MAX_SCOPES,
        chrome: chrome.clone(),
        app: found,
    };
    render(&chrome, &page)
}

/// The app `id` names, or the engine's refusal.
fn find(engine: &Engine, id: &str) -> Result<App, Notice> {
    ClientId::parse(id)
        .map_err(AppError::from)
        .and_then(|id| engine.app(id))
        .map_err(|e| Notice::error(&e))
}

/// The app the path's `{client_id}` names and the frame of its pages; a page with
/// the engine's refusal when there is no such app.
struct AppInPath {
    chrome: Chrome,
    found: App,
}

impl FromRequestParts<Arc<AppState>> for AppInPath {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Response> {
        let Extension(session) = Extension::<Session>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let chrome = Chrome::new(&session, "overview");
        match find(&state.engine, &id) {
            Ok(found) => Ok(Self { chrome, found }),
            Err(notice) => Err(refusal(chrome.with(notice))),
        }
    }
}

/// `GET /console/apps/{client_id}`: details, access settings and credentials.
async fn detail(
    State(app): State<Arc<AppState>>,
    AppInPath { chrome, found }: AppInPath,
) -> Response {
    detail_page(&app.engine, chrome, found, None)
}

/// `POST /console/apps/{client_id}`: saves the details and access settings.
async fn update(
    State(app): State<Arc<AppState>>,
    AppInPath { chrome, found }: AppInPath,
    Extension(SentForm(mut form)): Extension<SentForm>,
) -> Response {
    let mut fields = Fields::read(&mut form);
    fields.owner_sid = owner_sid(&found);
    fields.grant_type = found.grant_type.to_string();
    let scopes = checked_scopes(&mut form);
    let saved = fields.update(&found, scopes.clone()).and_then(|update| {
        app.engine
            .update_app(found.client_id, update, &Actor::admin())
            .map_err(|e| Notice::error(&e))
    });
    match saved {
        Ok(updated) => detail_page(
            &app.engine,
            chrome.with(Notice::done("Saved.")),
            updated,
            None,
        ),
        Err(notice) => {
            let mut shown = found.clone();
            shown.scopes = scopes;
            detail_page(&app.engine, chrome.with(notice), shown, Some(fields))
        }
    }
}

#[derive(Template)]
#[template(path = "console/rotate.html")]
struct RotateDialog {
    chrome: Chrome,
    app: App,
    grace_days: String,
}

/// `GET /console/apps/{client_id}/rotate`: asks for the grace period (account
/// apps; organization apps keep the old secret 24 hours).
async fn rotate_dialog(AppInPath { chrome, found }: AppInPath) -> Response {
    render(
        &chrome.clone(),
        &RotateDialog {
            chrome,
            app: found,
            grace_days: "0".into(),
        },
    )
}

/// `POST /console/apps/{client_id}/rotate` with `grace_days` (account apps): the
/// new secret, shown once.
async fn rotate(
    State(app): State<Arc<AppState>>,
    AppInPath { chrome, found }: AppInPath,
    Extension(SentForm(mut form)): Extension<SentForm>,
) -> Response {
    let grace_days = form.take("grace_days").unwrap_or_default();
    let rotated = grace_seconds(&grace_days).and_then(|grace| {
        app.engine
            .rotate_secret(found.client_id, grace, &Actor::admin())
            .map_err(|e| Notice::error(&e))
    });
    match rotated {
        Ok(rotated) => {
            let page = SecretPage {
                chrome: chrome.clone(),
                title: "Copy the new secret",
                button: "Done",
                authorization_url: app.engine.authorization_url(&rotated.app),
                client_secret: rotated.client_secret.expose().to_owned(),
                previous_valid_until: rotated.previous_valid_until.map(crate::admin::rfc3339),
                app: rotated.app,
            };
            render(&chrome, &page)
        }
        Err(notice) => render(
            &chrome.clone().with(notice.clone()),
            &RotateDialog {
                chrome: chrome.with(notice),
                app: found,
                grace_days,
            },
        ),
    }
}

/// The grace period in seconds of a number of days as entered; none when empty.
fn grace_seconds(days: &str) -> Result<Option<u64>, Notice> {
    let days = days.trim();
    if days.is_empty() {
        return Ok(None);
    }
    let days: u64 = days.parse().map_err(|_| {
        Notice::invalid(format!(
            "the grace period must be a whole number of days, not {days:?}"
        ))
    })?;
    days.checked_mul(86_400)
        .map(Some)
        .ok_or_else(|| Notice::invalid("the grace period is too long"))
}

#[derive(Template)]
#[template(path = "console/delete.html")]
struct DeleteDialog {
    chrome: Chrome,
    app: App,
}

/// `GET /console/apps/{client_id}/delete`: asks to confirm.
async fn delete_dialog(AppInPath { chrome, found }: AppInPath) -> Response {
    render(&chrome.clone(), &DeleteDialog { chrome, app: found })
}

/// `POST /console/apps/{client_id}/delete`: deletes the app; back to the overview.
async fn delete(
    State(app): State<Arc<AppState>>,
    AppInPath { chrome, found }: AppInPath,
) -> Response {
    match app.engine.delete_app(found.client_id, &Actor::admin()) {
        Ok(()) => see_other("/console"),
        Err(e) => render(
            &chrome.clone().with(Notice::error(&e)),
            &DeleteDialog {
                chrome: chrome.with(Notice::error(&e)),
                app: found,
            },
        ),
    }
}

/// One authorization (not revoked) as the list shows it.
pub struct AuthorizedApp {
    pub sid: String,
    pub app_name: String,
    pub client_id: String,
    pub authorized_by: String,
    pub scopes: String,
    pub created_at: String,
}

#[derive(Template)]
#[template(path = "console/authorized.html")]
struct AuthorizedPage {
    chrome: Chrome,
    organization: String,
    organization_sid: String,
    authorizations: Vec<AuthorizedApp>,
}

fn authorized_page(engine: &Engine, chrome: Chrome, org: &str) -> Response {
    let organization = OrganizationSid::parse(org)
        .map_err(AppError::from)
        .and_then(|sid| engine.organization(sid));
    let organization = match organization {
        Ok(organization) => organization,
        Err(e) => return refusal(chrome.with(Notice::error(&e))),
    };
    let users = engine.users(organization.sid);
    let authorizations = engine
        .authorizations(organization.sid)
        .into_iter()
        .map(|a| AuthorizedApp {
            app_name: engine
                .app(a.client_id)
                .map_or_else(|_| "(deleted)".into(), |app| app.name),
            authorized_by: users
                .iter()
                .find(|u| u.sid == a.authorized_by)
                .map_or_else(|| a.authorized_by.to_string(), |u| u.user_name.clone()),
            sid: a.sid.to_string(),
            client_id: a.client_id.to_string(),
            scopes: a.scopes.join(" "),
            created_at: crate::admin::rfc3339(a.created_at),
        })
        .collect();
    let page = AuthorizedPage {
        chrome: chrome.clone(),
        organization: organization.name,
        organization_sid: organization.sid.to_string(),
        authorizations,
    };
    render(&chrome, &page)
}

/// `GET /console/organizations/{sid}/authorized-apps`.
async fn authorized_apps(
    State(app): State<Arc<AppState>>,
    Extension(session): Extension<Session>,
    Path(org): Path<String>,
) -> Response {
    authorized_page(&app.engine, Chrome::new(&session, "overview"), &org)
}

/// `POST /console/authorizations/{sid}/revoke` (with `organization_sid`, the list
/// to show again): revokes the authorization and every token it gave.
async fn revoke_authorization(
    State(app): State<Arc<AppState>>,
    Extension(session): Extension<Session>,
    Path(sid): Path<String>,
    Extension(SentForm(mut form)): Extension<SentForm>,
) -> Response {
    let chrome = Chrome::new(&session, "overview");
    let org = form.take("organization_sid").unwrap_or_default();
    let revoked = iamkit::AuthorizationSid::parse(&sid)
        .map_err(|e| Notice::error(&AppError::from(e)))
        .and_then(|sid| {
            app.engine
                .revoke_authorization(sid, &Actor::admin())
                .map_err(|e| Notice::error(&e))
        });
    let notice = match revoked {
        Ok(_) => Notice::done(format!("Revoked {sid}.")),
        Err(notice) => notice,
    };
    authorized_page(&app.engine, chrome.with(notice), &org)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grace_period_is_a_whole_number_of_days() {
        assert_eq!(grace_seconds(""), Ok(None));
        assert_eq!(grace_seconds(" 7 "), Ok(Some(604_800)));
        assert_eq!(
            grace_seconds("1.5"),
            Err(Notice::invalid(
                "the grace period must be a whole number of days, not \"1.5\""
            ))
        );
    }

    #[test]
    fn a_token_lifetime_is_an_amount_of_a_unit() {
        let fields = |amount: &str, unit: &str| Fields {
            ttl_amount: amount.into(),
            ttl_unit: unit.into(),
            ..Fields::default()
        };
        assert_eq!(fields("", "hours").token_ttl(), Ok(None));
        assert_eq!(fields("2", "hours").token_ttl(), Ok(Some(7_200)));
        assert_eq!(
            fields("x", "hours").token_ttl(),
            Err(Notice::invalid(
                "the token expiration time must be a whole number, not \"x\""
            ))
        );
        assert_eq!(
            fields("1", "weeks").token_ttl(),
            Err(Notice::invalid("unknown time unit \"weeks\""))
        );
    }
}
