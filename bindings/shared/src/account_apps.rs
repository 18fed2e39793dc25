//! Twilio's account OAuth-apps API as the bindings call it: each call authenticates
//! the account by its SID and auth token (first, as the HTTP API does), then reads
//! the client id and the JSON body, and runs the engine's operation.

use iamkit::account_apps::{AccountAppUpdate, NewAccountApp};
use iamkit::{App, AppError, ClientId, CreatedApp, Engine, Sid};

/// `POST /v1/Account/OAuthApps`: a new app of the account, and its secret.
pub fn create(
    engine: &Engine,
    account_sid: &str,
    auth_token: &str,
    body: &[u8],
) -> Result<CreatedApp, AppError> {
    let account = engine.authenticate_account(account_sid, auth_token)?;
    engine.create_account_app(&account, NewAccountApp::from_json(body)?)
}

/// `PUT /v1/Account/OAuthApps/{sid}`: the account's app, updated.
pub fn update(
    engine: &Engine,
    account_sid: &str,
    auth_token: &str,
    client_id: &str,
    body: &[u8],
) -> Result<App, AppError> {
    let account = engine.authenticate_account(account_sid, auth_token)?;
    let client_id = ClientId::parse(client_id)?;
    engine.update_account_app(&account, client_id, AccountAppUpdate::from_json(body)?)
}

/// `DELETE /v1/Account/OAuthApps/{sid}`: deletes the account's app.
pub fn delete(
    engine: &Engine,
    account_sid: &str,
    auth_token: &str,
    client_id: &str,
) -> Result<(), AppError> {
    let account = engine.authenticate_account(account_sid, auth_token)?;
    engine.delete_account_app(&account, ClientId::parse(client_id)?)
}

#[cfg(test)]
mod tests {
    use iamkit::{Actor, ErrorCode, NewAccount};

    use super::*;

    #[test]
    fn the_account_is_authenticated_before_anything_is_read() {
        let engine = Engine::new();
        let org = engine.create_organization("Acme").unwrap();
        let account = engine
            .create_account(NewAccount::new(org.sid, "Prod"), &Actor::admin())
            .unwrap();
        let (sid, token) = (account.account.sid.to_string(), account.auth_token.expose());
        let refused = delete(&engine, &sid, "wrong", "not a client id").unwrap_err();
        assert_eq!(refused, AppError::InvalidAccountCredentials);
        assert_eq!(
            create(&engine, &sid, "wrong", b"[").unwrap_err().code(),
            "invalid_credentials"
        );
        assert_eq!(
            create(&engine, &sid, token, b"[").unwrap_err().code(),
            "invalid_request"
        );
        let body = br#"{"friendly_name": "R", "policy": {"allow": ["messages/read"]}}"#;
        let made = create(&engine, &sid, token, body).unwrap().app;
        let id = made.client_id.to_string();
        let renamed = update(&engine, &sid, token, &id, br#"{"friendly_name": "S"}"#).unwrap();
        assert_eq!(renamed.name, "S");
        assert_eq!(
            delete(&engine, &sid, token, "nope").unwrap_err().code(),
            "invalid_sid"
        );
        delete(&engine, &sid, token, &id).unwrap();
        assert_eq!(
            engine.app(made.client_id),
            Err(AppError::AppNotFound(made.client_id))
        );
    }
}
