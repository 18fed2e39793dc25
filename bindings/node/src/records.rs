//! The records the Node API returns: typed `#[napi(object)]` structs, from which napi
//! generates their TypeScript interfaces. Each is read from the core value's own
//! serialization (camelCased keys), so the binding restates only the shape; absent
//! values are `null`, as in the JSON the core writes.
//!
//! Free-form JSON (SCIM resources, token claims, audit details, discovery
//! documents) stays `Record<string, unknown>`.

// The `#[napi(object)]` macro expands to undocumented glue; every field is
// documented here.
#![allow(missing_docs)]

use napi_derive::napi;
use serde::Deserialize;
use serde_json::Value;

use crate::convert::{camel, ser};

/// A core value as the record `T`: its serialization with camelCase keys, read by
/// serde.
pub fn record<T: serde::de::DeserializeOwned>(value: &impl serde::Serialize) -> napi::Result<T> {
    from_json(camel(ser(value)?))
}

/// A camelCased JSON value as the record `T`.
pub fn from_json<T: serde::de::DeserializeOwned>(value: Value) -> napi::Result<T> {
    serde_json::from_value(value).map_err(|e| {
        napi::Error::from_reason(format!(
            "iamkit-node: a record does not have its shape: {e}"
        ))
    })
}

/// An organization.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    /// Its sid (`OR…`).
    pub sid: String,
    /// Its display name.
    pub name: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
}

/// An account of an organization.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// Its sid (`AC…`).
    pub sid: String,
    /// The organization it belongs to.
    pub organization_sid: String,
    /// Its display name.
    pub name: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
}

/// A managed user.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Its sid (`US…`).
    pub sid: String,
    /// The organization that manages it.
    pub organization_sid: String,
    /// Its login name (the SCIM `userName`).
    pub user_name: String,
    /// Its organization roles, e.g. `["Owner"]`.
    pub roles: Vec<String>,
    /// Whether it is active (SCIM `active` is not `false`).
    pub active: bool,
    /// Whether it signs in through single sign-on.
    pub sso: bool,
    /// When it was created (RFC 3339).
    pub created_at: String,
}

/// Who owns an app.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Owner {
    /// `organization` or `account`.
    pub level: String,
    /// The owning organization (the account's, for account apps).
    pub organization_sid: String,
    /// The owning account, for account apps.
    pub account_sid: Option<String>,
}

macro_rules! app_record {
    ($(#[doc = $doc:literal])* $name:ident { $($(#[doc = $fdoc:literal])* $field:ident: $ty:ty,)* }) => {
        $(#[doc = $doc])*
        #[napi(object, object_from_js = false, use_nullable = true)]
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            /// The client id (`OQ…`).
            pub client_id: String,
            /// The owning organization or account.
            pub owner: Owner,
            /// `client_credentials` or `authorization_code`.
            pub grant_type: String,
            /// Its name.
            pub name: String,
            /// What it is for.
            pub description: Option<String>,
            /// The company behind it.
            pub company_name: Option<String>,
            /// Images of it.
            pub image_urls: Vec<String>,
            /// Its homepage.
            pub homepage_url: Option<String>,
            /// Its terms of service.
            pub terms_of_service_url: Option<String>,
            /// Where the authorization page sends the user back.
            pub redirect_url: Option<String>,
            /// The permissions its tokens carry.
            pub scopes: Vec<String>,
            /// Access token lifetime in seconds.
            pub token_ttl: i64,
            /// When it was created (RFC 3339).
            pub created_at: String,
            /// When it was last changed (RFC 3339).
            pub updated_at: String,
            /// Who created it.
            pub created_by: String,
            /// The authorization page URL of an authorization-code app.
            pub authorization_url: Option<String>,
            $($(#[doc = $fdoc])* pub $field: $ty,)*
        }
    };
}

app_record!(
    /// An OAuth app (never its secret).
    App {}
);
app_record!(
    /// A new app with its client secret, shown this once.
    CreatedApp {
        /// The client secret; the engine keeps only its hash.
        client_secret: String,
    }
);
app_record!(
    /// An app whose secret was rotated, with the new secret, shown this once.
    RotatedSecret {
        /// The new client secret.
        client_secret: String,
        /// Until when the previous secret still works (RFC 3339), if it does.
        previous_valid_until: Option<String>,
    }
);

/// An app a user authorized for the organization.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Authorization {
    /// Its sid.
    pub sid: String,
    /// The authorized app.
    pub client_id: String,
    /// The app's organization.
    pub organization_sid: String,
    /// The user who authorized it.
    pub authorized_by: String,
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// When it was first authorized (RFC 3339).
    pub created_at: String,
    /// When it was revoked (RFC 3339), if it was.
    pub revoked_at: Option<String>,
}

/// An approved authorization request.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct AuthorizationCode {
    /// The authorization code (valid five minutes, once).
    pub code: String,
    /// Where to send the user: `REDIRECT_URL?code=CODE&state=STATE`.
    pub redirect_to: String,
    /// The recorded authorization.
    pub authorization: Authorization,
    /// When the code stops working (RFC 3339).
    pub expires_at: String,
}

/// A Token API response.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Token {
    /// The access token (a JWT).
    pub access_token: String,
    /// Always `null`: the Token API issues no ID tokens.
    pub id_token: Option<String>,
    /// Always `Bearer`.
    pub token_type: String,
    /// The access token's lifetime in seconds.
    pub expires_in: i64,
    /// A refresh token (authorization-code grants with `offline_access`).
    pub refresh_token: Option<String>,
    /// The scopes the access token carries, space-separated.
    pub scope: String,
}

/// What allows a request: the permission and the token's claims.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Access {
    /// The permission that allows it.
    pub permission: String,
    /// The verified token's claims (JWT claim names).
    #[napi(ts_type = "Record<string, unknown>")]
    pub claims: Value,
}

/// A SCIM `ListResponse`.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Deserialize)]
pub struct ScimListResponse {
    /// The `ListResponse` schema URN.
    pub schemas: Vec<String>,
    /// How many users match in all.
    #[napi(js_name = "totalResults")]
    #[serde(rename = "totalResults")]
    pub total_results: i64,
    /// The 1-based index of this page's first user.
    #[napi(js_name = "startIndex")]
    #[serde(rename = "startIndex")]
    pub start_index: i64,
    /// How many users this page holds.
    #[napi(js_name = "itemsPerPage")]
    #[serde(rename = "itemsPerPage")]
    pub items_per_page: i64,
    /// The users of this page, projected.
    #[napi(js_name = "Resources", ts_type = "Array<Record<string, unknown>>")]
    #[serde(rename = "Resources")]
    pub resources: Vec<Value>,
}

/// A role (Twilio's Role resource).
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Role {
    /// Its sid (`IX…`).
    pub sid: String,
    /// Its display name, e.g. `Owner`.
    pub friendly_name: String,
    /// Always `organization`.
    #[napi(js_name = "type")]
    #[serde(rename = "type")]
    pub kind: String,
    /// What it gives access to.
    pub external_description: String,
    /// Its product group.
    pub product_group: String,
    /// The lowest scope it can be assigned at.
    pub lowest_level: String,
}

/// A role held by a user in a scope.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignment {
    /// Its sid (`IY…`).
    pub sid: String,
    /// The role (`IX…`).
    pub role_sid: String,
    /// The organization or account it applies in.
    pub scope: String,
    /// The user who holds the role.
    pub identity: String,
    /// The organization it belongs to.
    pub organization_sid: String,
    /// When it was created (RFC 3339).
    pub date_created: String,
}

/// A page of role assignments.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Deserialize)]
pub struct RoleAssignmentPage {
    /// The assignments, oldest first.
    pub content: Vec<RoleAssignment>,
    /// Where this page is and how to reach its neighbours (`pageSize`, `url`,
    /// `nextPageUrl`, `nextToken`, …).
    #[napi(ts_type = "Record<string, unknown>")]
    pub meta: Value,
}

/// An audit event.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    /// Its sid.
    pub sid: String,
    /// Its type, e.g. `oauth-apps.created`.
    pub event_type: String,
    /// When it happened, by the engine clock (RFC 3339).
    pub at: String,
    /// Who did it.
    pub actor: String,
    /// What it is about (a client id, an authorization sid, …).
    pub subject: String,
    /// Further details (camelCase keys); never a secret.
    #[napi(ts_type = "Record<string, unknown>")]
    pub details: Value,
}

/// What a running emulator was started with: its URL, admin token and, with
/// `demo: true`, the demo data.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bootstrap {
    /// The emulator's base URL.
    pub url: String,
    /// The admin API's bearer token.
    pub admin_token: String,
    /// The demo organization.
    pub organization_sid: Option<String>,
    /// The demo account.
    pub account_sid: Option<String>,
    /// The demo users.
    pub users: Vec<DemoUser>,
    /// The demo apps and their secrets.
    pub apps: Option<DemoApps>,
}

/// A demo user.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoUser {
    /// Its sid.
    pub sid: String,
    /// Its login name.
    pub user_name: String,
    /// Its organization role.
    pub role: String,
}

/// The three demo apps.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoApps {
    /// An organization client-credentials app with every organization scope.
    pub org_client_credentials: DemoApp,
    /// An organization authorization-code app redirecting to the emulator's
    /// `/callback`.
    pub org_authorization_code: DemoApp,
    /// An account client-credentials app with the account catalogue's scopes.
    pub account_client_credentials: DemoApp,
}

/// A demo app's credentials.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoApp {
    /// Its client id.
    pub client_id: String,
    /// Its client secret.
    pub client_secret: String,
    /// Its redirect URL (the authorization-code app).
    pub redirect_uri: Option<String>,
}
