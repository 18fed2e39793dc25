//! The option objects of the Node API: typed `#[napi(object)]` structs, from which
//! napi generates their TypeScript interfaces (`node/native.d.ts`), read strictly.
//!
//! napi's own conversion of an object ignores members it does not know and treats a
//! `null` member as a wrong type; [`Strict`] wraps it so that a misspelt option is a
//! `TypeError` naming it and a `null` member means "absent", as `undefined` does.
//! Whole numbers arrive as JS numbers (`f64`) and are checked by [`whole`], so that
//! `1.5` or `-1` is a `RangeError` naming the option rather than napi's silent
//! truncation or wrap-around.
//!
//! Options are typed fields only: no `serde_json::Value`, whose napi conversion
//! aborts the process on a BigInt and recurses without bound on a deep object. The
//! free-form JSON arguments (SCIM resources and PATCH bodies) stay JSON text; see
//! `convert::resource`.

// The `#[napi(object)]` macro expands to undocumented glue; every field is
// documented here.
#![allow(missing_docs)]

use napi::bindgen_prelude::{FromNapiValue, Object};
use napi::{sys, Env, JsUnknown, NapiRaw, NapiValue, ValueType};
use napi_derive::napi;

use crate::convert::{camel_key, range_err, type_err};

/// An options struct: what the error messages call it, and its members (the
/// struct's field names, checked to be all of them by [`keys!`]).
pub trait Options: FromNapiValue {
    /// How errors name the argument, e.g. `rotateSecret options`.
    const WHAT: &'static str;
    /// The field names, in snake_case.
    const FIELDS: &'static [&'static str];
}

/// Lists an options struct's fields for [`Strict`]; the destructuring pattern
/// (without `..`) fails to compile unless it names every field, so the list cannot
/// drift from the struct.
macro_rules! keys {
    ($name:ident, $what:literal, [$($field:ident),* $(,)?]) => {
        impl Options for $name {
            const WHAT: &'static str = $what;
            const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];
        }
        const _: fn($name) = |options| {
            let $name { $($field: _),* } = options;
        };
    };
}

/// An options object read strictly: it must be an object, each member must be one
/// of `T`'s (a `TypeError` names the first that is not), and `null` members are
/// dropped before napi converts it.
pub struct Strict<T>(pub T);

fn js_type(value: &JsUnknown) -> napi::Result<&'static str> {
    Ok(match value.get_type()? {
        ValueType::Undefined => "undefined",
        ValueType::Null => "null",
        ValueType::Boolean => "a boolean",
        ValueType::Number => "a number",
        ValueType::String => "a string",
        ValueType::Symbol => "a symbol",
        ValueType::Object if value.is_array()? => "an array",
        ValueType::Object => "an object",
        ValueType::Function => "a function",
        ValueType::External => "an external",
        ValueType::BigInt => "a bigint",
        _ => "an unknown value",
    })
}

impl<T: Options> FromNapiValue for Strict<T> {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        // SAFETY: `env` and `value` are the live handles napi passes to every
        // `from_napi_value`; every call below only hands them on to napi's own
        // conversions.
        let unknown = unsafe { JsUnknown::from_raw_unchecked(env, value) };
        if unknown.get_type()? != ValueType::Object || unknown.is_array()? {
            return Err(type_err(format!(
                "{} must be an object, not {}",
                T::WHAT,
                js_type(&unknown)?
            )));
        }
        let object = unsafe { Object::from_napi_value(env, value)? };
        let mut copy: Option<Object> = None;
        let mut kept = Vec::new();
        for key in Object::keys(&object)? {
            let member: Option<JsUnknown> = object.get(&key)?;
            let null = match &member {
                None => true,
                Some(m) => m.get_type()? == ValueType::Null,
            };
            if null {
                copy.get_or_insert(Env::from_raw(env).create_object()?);
                continue;
            }
            if !T::FIELDS.iter().any(|f| camel_key(f) == key) {
                let expected: Vec<String> = T::FIELDS.iter().map(|f| camel_key(f)).collect();
                return Err(type_err(format!(
                    "{} has no option {key:?} (its options: {})",
                    T::WHAT,
                    expected.join(", ")
                )));
            }
            kept.push((key, member));
        }
        let raw = match copy {
            None => value,
            Some(mut copy) => {
                for (key, member) in kept {
                    if let Some(member) = member {
                        copy.set(key, member)?;
                    }
                }
                unsafe { copy.raw() }
            }
        };
        unsafe { T::from_napi_value(env, raw) }
            .map(Strict)
            .map_err(|e| member_err::<T>(&object, &e.reason))
    }
}

/// napi's reason for a member it could not convert (`Failed to convert … into rust
/// type `f64` on ServeOptions.port`, `Missing field `userName``) as a `TypeError`
/// naming the member as JS spells it: `serve options.port must be a number, not a
/// string`.
fn member_err<T: Options>(object: &Object, reason: &str) -> napi::Error {
    if let Some(field) = reason
        .strip_prefix("Missing field `")
        .and_then(|r| r.strip_suffix('`'))
    {
        return type_err(format!("{}.{field} is required", T::WHAT));
    }
    let Some((_, field)) = reason
        .rsplit_once(" on ")
        .and_then(|(_, f)| f.split_once('.'))
    else {
        return type_err(format!("{}: {reason}", T::WHAT));
    };
    let rust_type = reason
        .split_once("rust type `")
        .and_then(|(_, r)| r.split_once('`'))
        .map(|(t, _)| t);
    let expected = match rust_type {
        _ if reason.contains("is not an array") => "an array",
        Some("f64") => "a number",
        Some("String") => "a string",
        Some("bool") => "a boolean",
        _ => return type_err(format!("{}: {reason}", T::WHAT)),
    };
    let member = object.get::<_, JsUnknown>(field).ok().flatten();
    match member.as_ref().map(|m| (m.is_array(), js_type(m))) {
        Some((Ok(true), _)) if expected != "an array" => type_err(format!(
            "{}.{field} must hold only {}s",
            T::WHAT,
            &expected[2..]
        )),
        Some((_, Ok(actual))) => type_err(format!(
            "{}.{field} must be {expected}, not {actual}",
            T::WHAT
        )),
        _ => type_err(format!("{}.{field} must be {expected}", T::WHAT)),
    }
}

/// The options of an optional options argument, or all defaults.
pub fn or_default<T: Default>(options: Option<Strict<T>>) -> T {
    options.map(|Strict(o)| o).unwrap_or_default()
}

/// A whole number option at most `max`: a `RangeError` naming it otherwise.
pub fn whole(what: &str, name: &str, value: f64, max: u64) -> napi::Result<u64> {
    if value.is_finite() && value.fract() == 0.0 && value >= 0.0 && value <= max as f64 {
        Ok(value as u64)
    } else {
        // As JS writes it: `Infinity`, not Rust's `inf`.
        let shown = match value {
            v if v.is_nan() => "NaN".to_owned(),
            v if v.is_infinite() => if v > 0.0 { "Infinity" } else { "-Infinity" }.to_owned(),
            v => v.to_string(),
        };
        Err(range_err(format!(
            "{what}.{name} must be a whole number from 0 to {max}, not {shown}"
        )))
    }
}

/// [`whole`] of an optional option.
pub fn whole_opt(
    what: &str,
    name: &str,
    value: Option<f64>,
    max: u64,
) -> napi::Result<Option<u64>> {
    value.map(|v| whole(what, name, v, max)).transpose()
}

/// The largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
pub const MAX_SAFE: u64 = (1 << 53) - 1;

/// How to make an engine (besides its clock, the constructor's second argument).
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct EngineOptions {
    /// The signing algorithm of a fresh key: `ES256` (default), `EdDSA` or `HS256`.
    #[napi(ts_type = "'ES256' | 'EdDSA' | 'HS256' | 'RS256'")]
    pub algorithm: Option<String>,
    /// Keep the state and the signing key in this SQLite file (created owner-only).
    pub database: Option<String>,
    /// The tokens' `iss` and the base of the metadata endpoints and SCIM locations.
    pub issuer: Option<String>,
    /// An RS256 private key (PKCS#8 PEM) to sign with instead of a fresh key.
    pub rs256_key_pem: Option<String>,
    /// The rules SCIM users follow: `twilio` (default) or `rfc7643`.
    #[napi(ts_type = "'twilio' | 'rfc7643'")]
    pub scim_rules: Option<String>,
}
keys!(
    EngineOptions,
    "Engine options",
    [algorithm, database, issuer, rs256_key_pem, scim_rules]
);

/// A managed user to create.
#[napi(object, object_to_js = false)]
pub struct CreateUserOptions {
    /// The organization that manages the user.
    pub organization_sid: String,
    /// Its login name (an e-mail address).
    pub user_name: String,
    /// Organization roles by name, e.g. `["Owner"]`.
    pub roles: Option<Vec<String>>,
    /// Whether it signs in through single sign-on (default `false`).
    pub sso: Option<bool>,
}
keys!(
    CreateUserOptions,
    "createUser options",
    [organization_sid, user_name, roles, sso]
);

/// An app to create.
#[napi(object, object_to_js = false)]
pub struct CreateAppOptions {
    /// The organization (`OR…`) or account (`AC…`) that owns the app.
    pub owner_sid: String,
    /// Its name.
    pub name: String,
    /// `client_credentials` (default) or `authorization_code`.
    #[napi(ts_type = "'client_credentials' | 'authorization_code'")]
    pub grant_type: Option<String>,
    /// Permissions of the owner level's catalogue.
    pub scopes: Vec<String>,
    /// Required for authorization-code apps (an absolute URL).
    pub redirect_url: Option<String>,
    /// Access token lifetime in seconds (account apps; 60 to 2,592,000).
    pub token_ttl: Option<f64>,
    /// What it is for.
    pub description: Option<String>,
    /// The company behind it.
    pub company_name: Option<String>,
    /// Images of it (absolute URLs).
    pub image_urls: Option<Vec<String>>,
    /// Its homepage (an absolute URL).
    pub homepage_url: Option<String>,
    /// Its terms of service (an absolute URL).
    pub terms_of_service_url: Option<String>,
}
keys!(
    CreateAppOptions,
    "createApp options",
    [
        owner_sid,
        name,
        grant_type,
        scopes,
        redirect_url,
        token_ttl,
        description,
        company_name,
        image_urls,
        homepage_url,
        terms_of_service_url,
    ]
);

/// What to change in an app; absent members are kept.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct UpdateAppOptions {
    /// Its name.
    pub name: Option<String>,
    /// What it is for.
    pub description: Option<String>,
    /// The company behind it.
    pub company_name: Option<String>,
    /// Images of it (absolute URLs).
    pub image_urls: Option<Vec<String>>,
    /// Its homepage.
    pub homepage_url: Option<String>,
    /// Its terms of service.
    pub terms_of_service_url: Option<String>,
    /// Where the authorization page sends the user back.
    pub redirect_url: Option<String>,
    /// Its permissions.
    pub scopes: Option<Vec<String>>,
    /// Access token lifetime in seconds.
    pub token_ttl: Option<f64>,
}
keys!(
    UpdateAppOptions,
    "updateApp options",
    [
        name,
        description,
        company_name,
        image_urls,
        homepage_url,
        terms_of_service_url,
        redirect_url,
        scopes,
        token_ttl,
    ]
);

/// How to rotate an app's secret.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct RotateSecretOptions {
    /// How long the previous secret keeps working, in seconds: account apps 0 to
    /// 30 days (0 ends it at once); organization apps always 24 hours.
    pub grace_seconds: Option<f64>,
}
keys!(RotateSecretOptions, "rotateSecret options", [grace_seconds]);

/// A signed-in user's approval of an authorization-code app.
#[napi(object, object_to_js = false)]
pub struct AuthorizeOptions {
    /// The app.
    pub client_id: String,
    /// Must equal the app's redirect URL exactly.
    pub redirect_uri: String,
    /// The signed-in user (an Owner or Administrator, not SSO).
    pub user_sid: String,
    /// Space-separated scopes; `offline_access` asks for a refresh token.
    pub scope: Option<String>,
    /// Handed back in the redirect.
    pub state: Option<String>,
    /// PKCE challenge.
    pub code_challenge: Option<String>,
    /// `S256` or `plain`.
    pub code_challenge_method: Option<String>,
    /// Always `code` (the default).
    pub response_type: Option<String>,
}
keys!(
    AuthorizeOptions,
    "authorize options",
    [
        client_id,
        redirect_uri,
        user_sid,
        scope,
        state,
        code_challenge,
        code_challenge_method,
        response_type,
    ]
);

/// A Token API request (the form fields, camelCased).
#[napi(object, object_to_js = false)]
pub struct TokenOptions {
    /// `client_credentials`, `authorization_code` or `refresh_token`.
    pub grant_type: String,
    /// The app's client id.
    pub client_id: Option<String>,
    /// The app's secret (current, or previous within its grace period).
    pub client_secret: Option<String>,
    /// The authorization code.
    pub code: Option<String>,
    /// The redirect URI the code was issued for.
    pub redirect_uri: Option<String>,
    /// The refresh token.
    pub refresh_token: Option<String>,
    /// The PKCE verifier.
    pub code_verifier: Option<String>,
    /// Narrower scopes for a refresh.
    pub scope: Option<String>,
}
keys!(
    TokenOptions,
    "token options",
    [
        grant_type,
        client_id,
        client_secret,
        code,
        redirect_uri,
        refresh_token,
        code_verifier,
        scope,
    ]
);

/// Which attributes of a SCIM user to return.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct ScimGetUserOptions {
    /// Only these attributes (and `id`, `schemas`).
    pub attributes: Option<Vec<String>>,
    /// All attributes but these.
    pub excluded_attributes: Option<Vec<String>>,
}
keys!(
    ScimGetUserOptions,
    "scimGetUser options",
    [attributes, excluded_attributes]
);

/// A SCIM list query.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct ScimListUsersOptions {
    /// A SCIM filter, e.g. `userName sw "a"`.
    pub filter: Option<String>,
    /// The attribute to sort by.
    pub sort_by: Option<String>,
    /// `ascending` (default) or `descending`.
    #[napi(ts_type = "'ascending' | 'descending'")]
    pub sort_order: Option<String>,
    /// The 1-based index of the first user to return.
    pub start_index: Option<f64>,
    /// How many users to return at most.
    pub count: Option<f64>,
    /// Only these attributes.
    pub attributes: Option<Vec<String>>,
    /// All attributes but these.
    pub excluded_attributes: Option<Vec<String>>,
}
keys!(
    ScimListUsersOptions,
    "scimListUsers options",
    [
        filter,
        sort_by,
        sort_order,
        start_index,
        count,
        attributes,
        excluded_attributes,
    ]
);

/// A condition on a SCIM replace.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct ScimReplaceUserOptions {
    /// Replace only if `meta.version` is this (`If-Match`).
    pub if_match: Option<String>,
}
keys!(
    ScimReplaceUserOptions,
    "scimReplaceUser options",
    [if_match]
);

/// A condition on a SCIM PATCH.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct ScimPatchUserOptions {
    /// Patch only if `meta.version` is this (`If-Match`).
    pub if_match: Option<String>,
}
keys!(ScimPatchUserOptions, "scimPatchUser options", [if_match]);

/// A condition on a SCIM delete.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct ScimDeleteUserOptions {
    /// Delete only if `meta.version` is this (`If-Match`).
    pub if_match: Option<String>,
}
keys!(ScimDeleteUserOptions, "scimDeleteUser options", [if_match]);

/// A role to give a user.
#[napi(object, object_to_js = false)]
pub struct CreateRoleAssignmentOptions {
    /// The role (`IX…`).
    pub role_sid: String,
    /// The organization or one of its accounts.
    pub scope: String,
    /// The user (`US…`).
    pub identity: String,
}
keys!(
    CreateRoleAssignmentOptions,
    "createRoleAssignment options",
    [role_sid, scope, identity]
);

/// Which role assignments to list (an identity or a scope is required).
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct RoleAssignmentsOptions {
    /// Only this user's.
    pub identity: Option<String>,
    /// Only those in this organization or account.
    pub scope: Option<String>,
    /// Assignments per page (default 100, at most 100).
    pub page_size: Option<f64>,
    /// The page to read, from a previous page's `meta`.
    pub page_token: Option<String>,
}
keys!(
    RoleAssignmentsOptions,
    "roleAssignments options",
    [identity, scope, page_size, page_token]
);

/// How to create an account.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct CreateAccountOptions {
    /// Its owner, a user of the organization (`US…`); by default the organization's
    /// Owner.
    pub owner_sid: Option<String>,
}
keys!(CreateAccountOptions, "createAccount options", [owner_sid]);

/// Which page of an organization's accounts to list.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct AccountsOptions {
    /// Accounts per page (default 50, at most 100).
    pub page_size: Option<f64>,
    /// The page to read, from a previous page's `meta`.
    pub page_token: Option<String>,
}
keys!(AccountsOptions, "accounts options", [page_size, page_token]);

/// Which audit events to list; every member narrows the result.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct AuditEventsOptions {
    /// Only events of this type, e.g. `oauth-apps.created`.
    pub event_type: Option<String>,
    /// Only events about this subject.
    pub subject: Option<String>,
    /// Only events at or after this instant (RFC 3339).
    pub since: Option<String>,
    /// Only events before this instant (RFC 3339).
    pub until: Option<String>,
    /// Only the newest this many.
    pub limit: Option<f64>,
}
keys!(
    AuditEventsOptions,
    "auditEvents options",
    [event_type, subject, since, until, limit]
);

/// How to serve an engine over HTTP. The SCIM rules and the clock are the
/// engine's (`scimRules` and the `ManualClock` it was made with).
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct ServeOptions {
    /// The port; 0 (default) picks a free one.
    pub port: Option<f64>,
    /// The address to bind: an IP address or `localhost` (default 127.0.0.1).
    pub host: Option<String>,
    /// Create the demo organization, users and apps first (default `false`).
    pub demo: Option<bool>,
    /// The admin API's bearer token; a random one when absent.
    pub admin_token: Option<String>,
    /// `twilio` (default) or `rfc`: strict standard response shapes.
    #[napi(ts_type = "'twilio' | 'rfc'")]
    pub response_style: Option<String>,
    /// The origins whose web pages may read the answers (`"*"` for any); by
    /// default pages served from this machine.
    pub cors_origins: Option<Vec<String>>,
}
keys!(
    ServeOptions,
    "serve options",
    [port, host, demo, admin_token, response_style, cors_origins]
);
