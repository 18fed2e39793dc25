//! Helpers shared by the integration tests.
#![allow(dead_code)]

use iamkit::{
    Account, Actor, CreatedApp, Engine, ManualClock, NewAccount, NewApp, NewUser, Organization,
    OwnerSid, Role, TokenRequest, TokenResponse, User,
};

/// An engine on a manual clock with one organization.
pub struct World {
    pub clock: ManualClock,
    pub engine: Engine,
    pub org: Organization,
}

impl World {
    pub fn new() -> Self {
        Self::with(Engine::builder())
    }

    pub fn with(builder: iamkit::EngineBuilder) -> Self {
        let clock = ManualClock::default();
        let engine = builder.clock(clock.clone()).build().expect("engine");
        let org = engine.create_organization("Acme").expect("organization");
        Self { clock, engine, org }
    }

    /// A new account of the organization.
    pub fn account(&self, name: &str) -> Account {
        self.engine
            .create_account(NewAccount::new(self.org.sid, name), &Actor::admin())
            .expect("account")
            .account
    }

    pub fn org_app(&self, scopes: &[&str]) -> CreatedApp {
        self.engine
            .create_app(
                NewApp::client_credentials(OwnerSid::Organization(self.org.sid), "app", scopes),
                &Actor::admin(),
            )
            .expect("app")
    }

    pub fn code_app(&self) -> CreatedApp {
        self.engine
            .create_app(
                NewApp::authorization_code(
                    self.org.sid,
                    "web",
                    "https://app.example.com/cb",
                    &["managed-users/list"],
                ),
                &Actor::admin(),
            )
            .expect("app")
    }

    pub fn owner(&self) -> User {
        self.engine
            .create_user(NewUser {
                organization_sid: self.org.sid,
                user_name: "owner@acme.example".into(),
                roles: vec![Role::Owner],
                sso: false,
            })
            .expect("user")
    }

    pub fn token(&self, app: &CreatedApp) -> TokenResponse {
        self.engine
            .token(&TokenRequest::client_credentials(
                &app.app.client_id.to_string(),
                app.client_secret.expose(),
            ))
            .expect("token")
    }
}

/// Authorizes the code app as `user_sid` with offline access; returns the access and
/// refresh tokens.
pub fn authorized_tokens(w: &World, app: &CreatedApp, user_sid: &str) -> (String, String) {
    let approved = w
        .engine
        .authorize(&iamkit::AuthorizeRequest {
            client_id: app.app.client_id.to_string(),
            response_type: "code".into(),
            redirect_uri: "https://app.example.com/cb".into(),
            scope: Some("offline_access".into()),
            user_sid: user_sid.into(),
            ..Default::default()
        })
        .unwrap();
    let tokens = w
        .engine
        .token(&TokenRequest::authorization_code(
            &app.app.client_id.to_string(),
            app.client_secret.expose(),
            approved.code.expose(),
            "https://app.example.com/cb",
        ))
        .unwrap();
    (
        tokens.access_token.expose().to_owned(),
        tokens.refresh_token.unwrap().expose().to_owned(),
    )
}

pub fn refresh(w: &World, app: &CreatedApp, refresh_token: &str) -> Result<(), String> {
    w.engine
        .token(&TokenRequest::refresh_token(
            &app.app.client_id.to_string(),
            app.client_secret.expose(),
            refresh_token,
        ))
        .map(|_| ())
        .map_err(|e| iamkit::ErrorCode::code(&e).to_owned())
}
