//! Twilio's API for account OAuth apps (`twilio_iam_v1.json`: `POST
//! /v1/Account/OAuthApps`, `PUT` and `DELETE /v1/Account/OAuthApps/{sid}`): its
//! request bodies, what they mean as an app, and the app as the API answers with it
//! (`iam.v1.account.VendorOauthAppCreateUpdateResponse`).
//!
//! Bodies use Twilio's names: `friendly_name` is the app's name, `policy.allow` its
//! scopes and `access_token_ttl` its token lifetime. `null` is the same as absent
//! (the Twilio SDKs send every field, unset ones as `null`); a field no schema names
//! is refused. Account apps use the client-credentials grant only, so `type` may
//! only be `client_credentials` and `token_endpoint_auth_method` only
//! `client_secret_basic`; `policy.deny` may only be empty (scopes list what an app
//! may do, nothing more); the engine picks the client id, so `client_sid` is
//! refused; and `owner_sid`, when given, must be the authenticated account.
//! Everything else follows the rules of every account app (see [`crate::apps`]).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::apps::{App, AppError, AppUpdate, GrantType, NewApp, OwnerSid};
use crate::ids::{AccountSid, Sid};

/// The permissions of an app: `allow` are its scopes; `deny` must be empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// The permissions the app's tokens carry.
    #[serde(default)]
    pub allow: Option<Vec<String>>,
    /// Permissions to deny: refused unless empty.
    #[serde(default)]
    pub deny: Option<Vec<String>>,
}

impl Policy {
    /// The scopes it allows, refusing a non-empty `deny`.
    fn scopes(self) -> Result<Option<Vec<String>>, AppError> {
        if self.deny.is_some_and(|deny| !deny.is_empty()) {
            return Err(AppError::InvalidField {
                field: "policy.deny",
                reason: "permissions are not denied: policy.allow lists all an app may do".into(),
            });
        }
        Ok(self.allow)
    }
}

/// The body of `POST /v1/Account/OAuthApps`
/// (`iam.v1.account.VendorOauthAppCreateRequest`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAccountApp {
    /// The app type: `client_credentials` (the default).
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// The app's name (required).
    #[serde(default)]
    pub friendly_name: Option<String>,
    /// The owning account: when given, the authenticated account.
    #[serde(default)]
    pub owner_sid: Option<String>,
    /// What the app is for.
    #[serde(default)]
    pub description: Option<String>,
    /// Refused: the engine picks the client id.
    #[serde(default)]
    pub client_sid: Option<String>,
    /// How the app authenticates at the Token API: `client_secret_basic`.
    #[serde(default)]
    pub token_endpoint_auth_method: Option<String>,
    /// Its scopes (`policy.allow`, required).
    #[serde(default)]
    pub policy: Option<Policy>,
    /// Its token lifetime in seconds: 60 to 2,592,000, default 3,600.
    #[serde(default)]
    pub access_token_ttl: Option<u64>,
}

/// The body of `PUT /v1/Account/OAuthApps/{sid}`
/// (`iam.v1.account.VendorOauthAppUpdateRequest`): absent or `null` keeps a field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountAppUpdate {
    /// The app type, which cannot change: `client_credentials`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// A new name.
    #[serde(default)]
    pub friendly_name: Option<String>,
    /// A new description (`""` clears it).
    #[serde(default)]
    pub description: Option<String>,
    /// New scopes (`policy.allow`, replacing the list).
    #[serde(default)]
    pub policy: Option<Policy>,
    /// A new token lifetime in seconds.
    #[serde(default)]
    pub access_token_ttl: Option<u64>,
}

/// A JSON body of type `T`; one that does not parse is `invalid_request`.
fn from_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|e| AppError::InvalidBody(e.to_string()))
}

/// Checks an app type: only the client-credentials grant is an account app's.
fn client_credentials(kind: Option<&str>) -> Result<(), AppError> {
    match kind.map(GrantType::parse).transpose()? {
        None | Some(GrantType::ClientCredentials) => Ok(()),
        Some(GrantType::AuthorizationCode) => Err(AppError::GrantTypeNotAllowed),
    }
}

impl NewAccountApp {
    /// Reads the JSON body of `POST /v1/Account/OAuthApps`.
    pub fn from_json(body: &[u8]) -> Result<Self, AppError> {
        from_json(body)
    }

    /// The app this body asks `account` to create.
    pub fn parse(self, account: AccountSid) -> Result<NewApp, AppError> {
        client_credentials(self.kind.as_deref())?;
        if let Some(owner) = self.owner_sid {
            if AccountSid::parse(&owner)? != account {
                return Err(AppError::OtherAccount {
                    authenticated: account,
                    named: owner,
                });
            }
        }
        if self.client_sid.is_some() {
            return Err(AppError::InvalidField {
                field: "client_sid",
                reason: "the engine picks an app's client id".into(),
            });
        }
        if let Some(method) = self.token_endpoint_auth_method {
            if method != "client_secret_basic" {
                return Err(AppError::InvalidField {
                    field: "token_endpoint_auth_method",
                    reason: "account apps authenticate with client_secret_basic".into(),
                });
            }
        }
        let scopes = self
            .policy
            .unwrap_or_default()
            .scopes()?
            .unwrap_or_default();
        Ok(NewApp {
            description: self.description,
            scopes,
            token_ttl: self.access_token_ttl,
            ..NewApp::client_credentials(
                OwnerSid::Account(account),
                self.friendly_name.as_deref().unwrap_or_default(),
                &[],
            )
        })
    }
}

impl AccountAppUpdate {
    /// Reads the JSON body of `PUT /v1/Account/OAuthApps/{sid}`.
    pub fn from_json(body: &[u8]) -> Result<Self, AppError> {
        from_json(body)
    }

    /// The changes this body asks for.
    pub fn parse(self) -> Result<AppUpdate, AppError> {
        client_credentials(self.kind.as_deref())?;
        let scopes = match self.policy {
            Some(policy) => policy.scopes()?,
            None => None,
        };
        Ok(AppUpdate {
            name: self.friendly_name,
            description: self.description,
            scopes,
            token_ttl: self.access_token_ttl,
            ..AppUpdate::default()
        })
    }
}

/// An account app as Twilio's API answers with it
/// (`iam.v1.account.VendorOauthAppCreateUpdateResponse`), without its secret: the
/// caller adds `secret` to the answer of a create, the one time it is shown.
#[derive(Debug, Clone, Serialize)]
pub struct AccountAppView<'a> {
    /// The grant: `client_credentials`.
    #[serde(rename = "type")]
    kind: GrantType,
    /// The client id (`OQ…`).
    sid: &'a crate::ids::ClientId,
    friendly_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(with = "time::serde::rfc3339")]
    date_created: time::OffsetDateTime,
    created_by: &'a str,
    /// Always `active`: a deleted app is gone.
    status: &'static str,
    policy: ViewPolicy<'a>,
    access_token_ttl: u64,
}

#[derive(Debug, Clone, Serialize)]
struct ViewPolicy<'a> {
    allow: &'a [String],
    deny: [&'a str; 0],
}

impl<'a> AccountAppView<'a> {
    /// The view of `app`.
    pub fn of(app: &'a App) -> Self {
        Self {
            kind: app.grant_type,
            sid: &app.client_id,
            friendly_name: &app.name,
            description: app.description.as_deref(),
            date_created: app.created_at,
            created_by: &app.created_by,
            status: "active",
            policy: ViewPolicy {
                allow: &app.scopes,
                deny: [],
            },
            access_token_ttl: app.token_ttl,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::ErrorCode;
    use serde_json::json;

    fn body(value: serde_json::Value) -> NewAccountApp {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn twilio_names_become_the_apps_fields() {
        let account = AccountSid::generate();
        let new = body(json!({
            "type": "client_credentials", "friendly_name": "Reporter", "owner_sid": account.to_string(),
            "description": "d", "client_sid": null, "token_endpoint_auth_method": "client_secret_basic",
            "policy": {"allow": ["messages/read"], "deny": null}, "access_token_ttl": 120,
        }))
        .parse(account)
        .unwrap();
        assert_eq!(new.owner, OwnerSid::Account(account));
        assert_eq!(
            (new.name.as_str(), new.description.as_deref()),
            ("Reporter", Some("d"))
        );
        assert_eq!(
            (new.scopes, new.token_ttl),
            (vec!["messages/read".to_owned()], Some(120))
        );
        let all_null = body(json!({"type": null, "friendly_name": null, "policy": null}));
        assert_eq!(
            all_null.parse(account).unwrap().scopes,
            Vec::<String>::new()
        );
    }

    #[test]
    fn what_an_account_app_cannot_be_is_refused() {
        let account = AccountSid::generate();
        let refused = |value| body(value).parse(account).unwrap_err();
        assert_eq!(
            refused(json!({"type": "authorization_code"})),
            AppError::GrantTypeNotAllowed
        );
        assert_eq!(
            refused(json!({"type": "implicit"})),
            AppError::UnknownGrantType("implicit".into())
        );
        let other = AccountSid::generate().to_string();
        assert_eq!(
            refused(json!({"owner_sid": other})),
            AppError::OtherAccount {
                authenticated: account,
                named: other
            }
        );
        assert!(matches!(
            refused(json!({"owner_sid": "US0123"})),
            AppError::InvalidSid(_)
        ));
        assert!(matches!(
            refused(json!({"client_sid": "OQ0123456789abcdef0123456789abcdef"})),
            AppError::InvalidField {
                field: "client_sid",
                ..
            }
        ));
        assert!(matches!(
            refused(json!({"token_endpoint_auth_method": "none"})),
            AppError::InvalidField {
                field: "token_endpoint_auth_method",
                ..
            }
        ));
        assert!(matches!(
            refused(json!({"policy": {"allow": ["messages/read"], "deny": ["messages/read"]}})),
            AppError::InvalidField {
                field: "policy.deny",
                ..
            }
        ));
        let unreadable = |text: &str| NewAccountApp::from_json(text.as_bytes()).unwrap_err();
        assert!(
            matches!(unreadable(r#"{"scopes": []}"#), AppError::InvalidBody(m) if m.starts_with("unknown field `scopes`"))
        );
        assert!(
            matches!(unreadable(r#"{"access_token_ttl": -1}"#), AppError::InvalidBody(m) if m.starts_with("invalid value: integer `-1`"))
        );
        assert_eq!(unreadable("[").code(), "invalid_request");
    }

    #[test]
    fn updates_keep_what_is_null() {
        let update: AccountAppUpdate = serde_json::from_value(json!({
            "type": null, "friendly_name": "New", "description": null,
            "policy": {"allow": null, "deny": []}, "access_token_ttl": null,
        }))
        .unwrap();
        assert_eq!(
            update.parse().unwrap(),
            AppUpdate {
                name: Some("New".into()),
                ..AppUpdate::default()
            }
        );
        let bad: AccountAppUpdate =
            serde_json::from_value(json!({"type": "authorization_code"})).unwrap();
        assert_eq!(bad.parse(), Err(AppError::GrantTypeNotAllowed));
    }
}
