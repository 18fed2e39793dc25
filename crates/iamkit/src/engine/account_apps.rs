//! Twilio's API for account OAuth apps ([`crate::account_apps`]): an authenticated
//! account creates, updates and deletes its own apps, by the rules of every
//! account app. Another account's app is not found (404), as an unknown one is.

use super::{CreatedApp, Engine};
use crate::account_apps::{AccountAppUpdate, NewAccountApp};
use crate::apps::{App, AppError};
use crate::engine::AuthenticatedAccount;
use crate::ids::ClientId;

impl Engine {
    /// Creates an app of `account` from the body of `POST /v1/Account/OAuthApps`,
    /// recorded as `oauth-apps.created` by the account. The secret is never shown
    /// again.
    pub fn create_account_app(
        &self,
        account: &AuthenticatedAccount,
        body: NewAccountApp,
    ) -> Result<CreatedApp, AppError> {
        let new = body.parse(account.sid())?;
        self.create_app(new, &account.actor())
    }

    /// Updates an app of `account` from the body of
    /// `PUT /v1/Account/OAuthApps/{sid}`, recorded as `oauth-apps.updated`.
    pub fn update_account_app(
        &self,
        account: &AuthenticatedAccount,
        client_id: ClientId,
        body: AccountAppUpdate,
    ) -> Result<App, AppError> {
        let update = body.parse()?;
        self.update_app_of(Some(account.sid()), client_id, update, &account.actor())
    }

    /// Deletes an app of `account` (`DELETE /v1/Account/OAuthApps/{sid}`), recorded
    /// as `oauth-apps.deleted`.
    pub fn delete_account_app(
        &self,
        account: &AuthenticatedAccount,
        client_id: ClientId,
    ) -> Result<(), AppError> {
        self.delete_app_of(Some(account.sid()), client_id, &account.actor())
    }
}
