//! The demo organization the emulator starts with, and the bootstrap document that
//! tells scripts how to use it.

use iamkit::{Actor, Engine, NewAccount, NewApp, NewUser, OwnerSid, Role};
use serde::Serialize;

/// What `Debug` prints in place of a secret.
const REDACTED: &str = "<redacted>";

/// Everything a client needs to use a running emulator. Its `Debug` hides the admin
/// token, the auth token and the client secrets; the JSON form (the bootstrap file)
/// has them.
#[derive(Clone, Serialize)]
pub struct Bootstrap {
    /// The emulator's base URL.
    pub url: String,
    /// The admin API's bearer token.
    pub admin_token: String,
    /// The demo organization (absent with `--empty`).
    pub organization_sid: Option<String>,
    /// The demo account (owned by the demo Owner).
    pub account_sid: Option<String>,
    /// The demo account's auth token: HTTP Basic with the account SID authenticates
    /// Twilio's account API (`/v1/Account/OAuthApps`).
    pub account_auth_token: Option<String>,
    /// The demo users.
    pub users: Vec<DemoUser>,
    /// The demo apps and their secrets.
    pub apps: Option<DemoApps>,
}

/// A demo user.
#[derive(Debug, Clone, Serialize)]
pub struct DemoUser {
    /// Its sid.
    pub sid: String,
    /// Its login name.
    pub user_name: String,
    /// Its organization role.
    pub role: String,
}

/// The three demo apps.
#[derive(Debug, Clone, Serialize)]
pub struct DemoApps {
    /// An organization client-credentials app with every organization scope.
    pub org_client_credentials: DemoApp,
    /// An organization authorization-code app redirecting to the emulator's
    /// `/callback` (at 127.0.0.1 when the emulator listens on a non-loopback
    /// address: plain-HTTP redirect URLs must be loopback, RFC 8252 §7.3).
    pub org_authorization_code: DemoApp,
    /// An account client-credentials app with the account catalogue's scopes.
    pub account_client_credentials: DemoApp,
}

/// A demo app's credentials (`Debug` hides the secret).
#[derive(Clone, Serialize)]
pub struct DemoApp {
    /// Its client id.
    pub client_id: String,
    /// Its client secret.
    pub client_secret: String,
    /// Its redirect URL (authorization-code apps).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
}

impl std::fmt::Debug for Bootstrap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bootstrap")
            .field("url", &self.url)
            .field("admin_token", &REDACTED)
            .field("organization_sid", &self.organization_sid)
            .field("account_sid", &self.account_sid)
            .field(
                "account_auth_token",
                &self.account_auth_token.as_ref().map(|_| REDACTED),
            )
            .field("users", &self.users)
            .field("apps", &self.apps)
            .finish()
    }
}

impl std::fmt::Debug for DemoApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoApp")
            .field("client_id", &self.client_id)
            .field("client_secret", &REDACTED)
            .field("redirect_uri", &self.redirect_uri)
            .finish()
    }
}

/// Creates the demo organization, its users (an Owner and an Administrator), an
/// account owned by the Owner, and the apps.
pub fn seed(engine: &Engine, url: &str, admin_token: &str) -> Result<Bootstrap, iamkit::Error> {
    let org = engine.create_organization("Demo Organization")?;
    let actor = Actor::named("demo");
    let mut users = Vec::new();
    for (name, role) in [
        ("owner@demo.iamkit.test", Role::Owner),
        ("admin@demo.iamkit.test", Role::Administrator),
    ] {
        let user = engine.create_user(NewUser {
            organization_sid: org.sid,
            user_name: name.into(),
            roles: vec![role],
            sso: false,
        })?;
        users.push(DemoUser {
            sid: user.sid.to_string(),
            user_name: user.user_name,
            role: role.name().into(),
        });
    }
    let account = engine.create_account(NewAccount::new(org.sid, "Demo Account"), &actor)?;
    let all = |catalogue: &iamkit::Catalogue| -> Vec<String> {
        catalogue
            .permissions()
            .iter()
            .map(|p| p.name.clone())
            .collect()
    };
    let config = engine.config();
    let org_cc = engine.create_app(
        NewApp {
            scopes: all(&config.organization_catalogue),
            ..NewApp::client_credentials(OwnerSid::Organization(org.sid), "Demo provisioner", &[])
        },
        &actor,
    )?;
    let redirect = demo_redirect(url);
    let org_ac = engine.create_app(
        NewApp {
            scopes: all(&config.organization_catalogue),
            company_name: Some("iamkit".into()),
            ..NewApp::authorization_code(org.sid, "Demo SCIM connector", &redirect, &[])
        },
        &actor,
    )?;
    let account_cc = engine.create_app(
        NewApp {
            scopes: all(&config.account_catalogue),
            ..NewApp::client_credentials(
                OwnerSid::Account(account.account.sid),
                "Demo reporter",
                &[],
            )
        },
        &actor,
    )?;
    let app = |created: &iamkit::CreatedApp| DemoApp {
        client_id: created.app.client_id.to_string(),
        client_secret: created.client_secret.expose().to_owned(),
        redirect_uri: created.app.redirect_url.clone(),
    };
    Ok(Bootstrap {
        url: url.into(),
        admin_token: admin_token.into(),
        organization_sid: Some(org.sid.to_string()),
        account_sid: Some(account.account.sid.to_string()),
        account_auth_token: Some(account.auth_token.expose().to_owned()),
        users,
        apps: Some(DemoApps {
            org_client_credentials: app(&org_cc),
            org_authorization_code: app(&org_ac),
            account_client_credentials: app(&account_cc),
        }),
    })
}

/// The bootstrap of an emulator started with `--empty`: only the URL and admin token.
pub fn empty(url: &str, admin_token: &str) -> Bootstrap {
    Bootstrap {
        url: url.into(),
        admin_token: admin_token.into(),
        organization_sid: None,
        account_sid: None,
        account_auth_token: None,
        users: Vec::new(),
        apps: None,
    }
}

/// The demo app's redirect URL: the emulator's `/callback`, on 127.0.0.1 at the
/// same port when the emulator listens on a non-loopback address (`--host 0.0.0.0`
/// in a container, whose port is published on the host's loopback), since the
/// engine takes plain-HTTP redirect URLs only to a loopback host.
fn demo_redirect(url: &str) -> String {
    let bound = url
        .strip_prefix("http://")
        .and_then(|addr| addr.parse::<std::net::SocketAddr>().ok());
    match bound {
        Some(addr) if !addr.ip().is_loopback() => {
            format!("http://127.0.0.1:{}/callback", addr.port())
        }
        _ => format!("{url}/callback"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On a non-loopback bind the demo app still gets a redirect URL the engine
    /// accepts: the same port on 127.0.0.1.
    #[test]
    fn the_demo_app_redirects_to_a_loopback_host() {
        for (url, redirect) in [
            ("http://0.0.0.0:8750", "http://127.0.0.1:8750/callback"),
            ("http://10.1.2.3:9", "http://127.0.0.1:9/callback"),
            ("http://[::]:7", "http://127.0.0.1:7/callback"),
            ("http://127.0.0.1:1", "http://127.0.0.1:1/callback"),
            ("http://[::1]:2", "http://[::1]:2/callback"),
        ] {
            let engine = Engine::builder().build().unwrap();
            let seeded = seed(&engine, url, "tok_0123456789abcdef").unwrap();
            let app = seeded.apps.unwrap().org_authorization_code;
            assert_eq!(app.redirect_uri.as_deref(), Some(redirect), "{url}");
        }
    }
}
