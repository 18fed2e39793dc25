//! The records the Node API returns: typed `#[napi(object)]` structs, from which napi
//! generates their TypeScript interfaces (napi camelCases the field names). Each is
//! read from the core value's own serialization, so the binding restates only the
//! shape; absent values are `null`, as in the JSON the core writes. The records all
//! bindings share are declared from [`iamkit_bindings::records!`].
//!
//! Free-form JSON (SCIM resources, token claims, audit details, discovery
//! documents) stays `Record<string, unknown>`; the engine's own objects in it (audit
//! details, paging `meta`) get camelCase keys, JSON from outside (claims) is kept
//! as it is.

// The `#[napi(object)]` macro expands to undocumented glue; every field is
// documented here.
#![allow(missing_docs)]

use napi_derive::napi;
use serde::Deserialize;
use serde_json::Value;

use crate::convert::{camel, ser};

/// A core value as the record `T`: its serialization, read by serde.
pub fn record<T: serde::de::DeserializeOwned>(value: &impl serde::Serialize) -> napi::Result<T> {
    from_json(ser(value)?)
}

/// A JSON object of the engine's own keys, camelCased as the rest of the record.
fn camel_json<'de, D: serde::Deserializer<'de>>(from: D) -> Result<Value, D::Error> {
    Value::deserialize(from).map(camel)
}

/// The Node form of a field of [`iamkit_bindings::records!`], added to the fields
/// declared so far; then the record itself.
macro_rules! node_record {
    (@ $doc:tt $name:ident [$($done:tt)*] $(#[$d:meta])* $field:ident: Text, $($rest:tt)*) => {
        node_record!(@ $doc $name [$($done)* $(#[$d])* pub $field: String,] $($rest)*);
    };
    (@ $doc:tt $name:ident [$($done:tt)*] $(#[$d:meta])* $field:ident: OptText, $($rest:tt)*) => {
        node_record!(@ $doc $name [$($done)* $(#[$d])* pub $field: Option<String>,] $($rest)*);
    };
    (@ $doc:tt $name:ident [$($done:tt)*] $(#[$d:meta])* $field:ident: Texts, $($rest:tt)*) => {
        node_record!(@ $doc $name [$($done)* $(#[$d])* pub $field: Vec<String>,] $($rest)*);
    };
    (@ $doc:tt $name:ident [$($done:tt)*] $(#[$d:meta])* $field:ident: Bool, $($rest:tt)*) => {
        node_record!(@ $doc $name [$($done)* $(#[$d])* pub $field: bool,] $($rest)*);
    };
    (@ $doc:tt $name:ident [$($done:tt)*] $(#[$d:meta])* $field:ident: OptInt, $($rest:tt)*) => {
        node_record!(@ $doc $name [$($done)* $(#[$d])* pub $field: Option<i64>,] $($rest)*);
    };
    (@ $doc:tt $name:ident [$($done:tt)*] $(#[$d:meta])* $field:ident: Instant, $($rest:tt)*) => {
        node_record!(@ $doc $name [$($done)* $(#[$d])* #[doc = " An instant in RFC 3339."] pub $field: String,] $($rest)*);
    };
    (@ $doc:tt $name:ident [$($done:tt)*] $(#[$d:meta])* $field:ident: OptInstant, $($rest:tt)*) => {
        node_record!(@ $doc $name [$($done)* $(#[$d])* #[doc = " An instant in RFC 3339."] pub $field: Option<String>,] $($rest)*);
    };
    (@ $doc:tt $name:ident [$($done:tt)*] $(#[$d:meta])* $field:ident: Details, $($rest:tt)*) => {
        node_record!(@ $doc $name [$($done)* $(#[$d])*
            #[napi(ts_type = "Record<string, unknown>")]
            #[serde(deserialize_with = "camel_json")]
            pub $field: Value,] $($rest)*);
    };
    (@ $doc:tt $name:ident [$($done:tt)*] $(#[$d:meta])* $field:ident: OptJson, $($rest:tt)*) => {
        node_record!(@ $doc $name [$($done)* $(#[$d])*
            #[napi(ts_type = "Record<string, unknown> | null")]
            pub $field: Option<Value>,] $($rest)*);
    };
    (@ [$($doc:tt)*] $name:ident [$($done:tt)*]) => {
        $($doc)*
        #[napi(object, object_from_js = false, use_nullable = true)]
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($done)*
        }
    };
}

/// Declares the records every binding shares.
macro_rules! node_records {
    ($($(#[$doc:meta])* $name:ident { $($fields:tt)* })*) => {
        $(node_record!(@ [$(#[$doc])*] $name [] $($fields)*);)*
    };
}

iamkit_bindings::records!(node_records);

/// A JSON value as the record `T`.
pub fn from_json<T: serde::de::DeserializeOwned>(value: Value) -> napi::Result<T> {
    serde_json::from_value(value).map_err(|e| {
        napi::Error::from_reason(format!(
            "iamkit-node: a record does not have its shape: {e}"
        ))
    })
}

/// Who owns an app.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Deserialize)]
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

/// A page of role assignments.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Deserialize)]
pub struct RoleAssignmentPage {
    /// The assignments, oldest first.
    pub content: Vec<RoleAssignment>,
    /// Where this page is and how to reach its neighbours (`pageSize`, `url`,
    /// `nextPageUrl`, `nextToken`, …).
    #[napi(ts_type = "Record<string, unknown>")]
    #[serde(deserialize_with = "camel_json")]
    pub meta: Value,
}

/// A new account with its auth token, shown this once.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Deserialize)]
pub struct CreatedAccount {
    /// Its sid (`AC…`).
    pub sid: String,
    /// The organization it belongs to.
    pub organization_sid: String,
    /// Its display name.
    pub name: String,
    /// The user who owns it (`US…`), if the organization has an Owner.
    pub owner_sid: Option<String>,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// Its auth token; the engine keeps only its hash.
    pub auth_token: String,
}

/// A page of an organization's accounts.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Deserialize)]
pub struct AccountPage {
    /// The accounts, oldest first.
    pub content: Vec<Account>,
    /// Where this page is and how to reach its neighbours (`pageSize`, `url`,
    /// `nextPageUrl`, `nextToken`, …).
    #[napi(ts_type = "Record<string, unknown>")]
    #[serde(deserialize_with = "camel_json")]
    pub meta: Value,
}

/// What a running emulator was started with: its URL, admin token and, with
/// `demo: true`, the demo data.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Clone, Deserialize)]
pub struct Bootstrap {
    /// The emulator's base URL.
    pub url: String,
    /// The admin API's bearer token.
    pub admin_token: String,
    /// The demo organization.
    pub organization_sid: Option<String>,
    /// The demo account.
    pub account_sid: Option<String>,
    /// The demo account's auth token (HTTP Basic with the account SID).
    pub account_auth_token: Option<String>,
    /// The demo users.
    pub users: Vec<DemoUser>,
    /// The demo apps and their secrets.
    pub apps: Option<DemoApps>,
}

/// A demo user.
#[napi(object, object_from_js = false, use_nullable = true)]
#[derive(Clone, Deserialize)]
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
pub struct DemoApp {
    /// Its client id.
    pub client_id: String,
    /// Its client secret.
    pub client_secret: String,
    /// Its redirect URL (the authorization-code app).
    pub redirect_uri: Option<String>,
}
