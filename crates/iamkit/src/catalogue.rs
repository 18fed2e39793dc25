//! Permissions: what each scope lets a token do.
//!
//! A [`Catalogue`] maps each permission name (an OAuth scope) to the HTTP methods and
//! path templates it allows. Apps may only ask for permissions of their level's
//! catalogue, and [`Catalogue::find`] tells which permission a request needs.
//!
//! Path templates are `/`-separated; a segment `{XX}` matches a sid with prefix `XX`,
//! optionally followed by a literal suffix (`{SM}.json`). `{OR}` and `{AC}` segments
//! name the organization or account the request is about, which must be the token's.

use serde::{Deserialize, Serialize};

use crate::endpoints::ORGANIZATION_ROUTES;
pub use crate::endpoints::{Method, UnknownMethod};
use crate::error_code::ErrorCode;
use crate::signing::TokenError;

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Sid { prefix: String, suffix: String },
}

/// A method and path template that a permission allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RouteDef", into = "RouteDef")]
pub struct Route {
    method: Method,
    template: String,
    segments: Vec<Segment>,
}

#[derive(Serialize, Deserialize)]
struct RouteDef {
    method: Method,
    path: String,
}

impl TryFrom<RouteDef> for Route {
    type Error = CatalogueError;
    fn try_from(d: RouteDef) -> Result<Self, CatalogueError> {
        Route::new(d.method, &d.path)
    }
}

impl From<Route> for RouteDef {
    fn from(r: Route) -> Self {
        RouteDef {
            method: r.method,
            path: r.template,
        }
    }
}

impl Route {
    /// A route from a method and a template such as `/scim/v2/Users/{US}`.
    pub fn new(method: Method, template: &str) -> Result<Self, CatalogueError> {
        let invalid = |why: &str| CatalogueError::InvalidTemplate {
            template: template.to_owned(),
            reason: why.to_owned(),
        };
        let rest = template
            .strip_prefix('/')
            .ok_or_else(|| invalid("a template starts with '/'"))?;
        let mut segments = Vec::new();
        for part in rest.split('/') {
            if part.is_empty() {
                return Err(invalid("empty segment"));
            }
            segments.push(match part.strip_prefix('{') {
                None if part.contains(['{', '}']) => return Err(invalid("stray brace")),
                None => Segment::Literal(part.to_owned()),
                Some(inner) => {
                    let (prefix, suffix) = inner
                        .split_once('}')
                        .ok_or_else(|| invalid("unclosed '{'"))?;
                    if prefix.len() != 2 || !prefix.bytes().all(|b| b.is_ascii_uppercase()) {
                        return Err(invalid("a placeholder is a two-letter sid prefix"));
                    }
                    if suffix.contains(['{', '}']) {
                        return Err(invalid("one placeholder per segment"));
                    }
                    Segment::Sid {
                        prefix: prefix.to_owned(),
                        suffix: suffix.to_owned(),
                    }
                }
            });
        }
        Ok(Self {
            method,
            template: template.to_owned(),
            segments,
        })
    }

    /// The method this route allows.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The path template as written.
    pub fn template(&self) -> &str {
        &self.template
    }

    /// Matches a path (without query string); on success returns the organization
    /// and account sids the path names, if any.
    fn matches<'p>(&self, method: Method, path: &'p str) -> Option<PathOwners<'p>> {
        if method != self.method {
            return None;
        }
        let mut parts = path.strip_prefix('/')?.split('/');
        let mut owners = PathOwners::default();
        for segment in &self.segments {
            let part = parts.next()?;
            match segment {
                Segment::Literal(lit) => {
                    if part != lit {
                        return None;
                    }
                }
                Segment::Sid { prefix, suffix } => {
                    let sid = part.strip_suffix(suffix.as_str())?;
                    if !is_sid_with_prefix(sid, prefix) {
                        return None;
                    }
                    match prefix.as_str() {
                        "OR" => owners.organization = Some(sid),
                        "AC" => owners.account = Some(sid),
                        _ => {}
                    }
                }
            }
        }
        parts.next().is_none().then_some(owners)
    }
}

fn is_sid_with_prefix(s: &str, prefix: &str) -> bool {
    s.len() == crate::ids::SID_LEN
        && s.starts_with(prefix)
        && s.bytes()
            .skip(2)
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The organization and account sids a matched path names.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PathOwners<'p> {
    /// The `{OR}` segment, if the template has one.
    pub organization: Option<&'p str>,
    /// The `{AC}` segment, if the template has one.
    pub account: Option<&'p str>,
}

/// A named permission and the routes it allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permission {
    /// The permission's name, which is also the OAuth scope that grants it.
    pub name: String,
    /// The requests it allows.
    pub routes: Vec<Route>,
}

/// The permissions available to apps of one level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    permissions: Vec<Permission>,
}

/// The matching permission of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteMatch<'c, 'p> {
    /// The permission that allows the request.
    pub permission: &'c str,
    /// The organization and account named in the path.
    pub owners: PathOwners<'p>,
}

impl Catalogue {
    /// A catalogue of the given permissions; names must be unique and non-empty.
    pub fn new(permissions: Vec<Permission>) -> Result<Self, CatalogueError> {
        let mut seen = std::collections::HashSet::new();
        for p in &permissions {
            if p.name.is_empty() || p.name.contains(char::is_whitespace) {
                return Err(CatalogueError::InvalidName(p.name.clone()));
            }
            if !seen.insert(p.name.as_str()) {
                return Err(CatalogueError::DuplicateName(p.name.clone()));
            }
        }
        Ok(Self { permissions })
    }

    /// The organization catalogue: Twilio's organization API permissions, one per
    /// group of [`ORGANIZATION_ROUTES`] in their order.
    ///
    /// `managed-users/update` allows SCIM `PATCH` as well as `PUT`;
    /// `managed-users/list` allows searching with `POST /Users/.search` and
    /// `POST /.search` (RFC 7644 §3.4.3) as well as listing.
    pub fn organization() -> Self {
        let mut permissions: Vec<Permission> = Vec::new();
        for r in ORGANIZATION_ROUTES {
            let route = Route::new(r.method, r.path).expect("built-in templates are valid");
            let name = r.endpoint.permission();
            match permissions.iter_mut().find(|p| p.name == name) {
                Some(p) => p.routes.push(route),
                None => permissions.push(Permission {
                    name: name.to_owned(),
                    routes: vec![route],
                }),
            }
        }
        Self { permissions }
    }

    /// The example account catalogue: Programmable Messaging's message resource.
    /// Replace it with [`crate::EngineConfig::account_catalogue`].
    pub fn account_example() -> Self {
        use Method::*;
        let table: &[(&str, &[(Method, &str)])] = &[
            (
                "messages/read",
                &[(Get, "/2010-04-01/Accounts/{AC}/Messages/{SM}.json")],
            ),
            (
                "messages/list",
                &[(Get, "/2010-04-01/Accounts/{AC}/Messages.json")],
            ),
            (
                "messages/create",
                &[(Post, "/2010-04-01/Accounts/{AC}/Messages.json")],
            ),
            (
                "messages/update",
                &[(Post, "/2010-04-01/Accounts/{AC}/Messages/{SM}.json")],
            ),
            (
                "messages/delete",
                &[(Delete, "/2010-04-01/Accounts/{AC}/Messages/{SM}.json")],
            ),
        ];
        Self::from_table(table)
    }

    fn from_table(table: &[(&str, &[(Method, &str)])]) -> Self {
        let permissions = table
            .iter()
            .map(|(name, routes)| Permission {
                name: (*name).to_owned(),
                routes: routes
                    .iter()
                    .map(|(m, t)| Route::new(*m, t).expect("built-in templates are valid"))
                    .collect(),
            })
            .collect();
        Self { permissions }
    }

    /// Whether `name` is a permission of this catalogue.
    pub fn contains(&self, name: &str) -> bool {
        self.permissions.iter().any(|p| p.name == name)
    }

    /// The permissions, in catalogue order.
    pub fn permissions(&self) -> &[Permission] {
        &self.permissions
    }

    /// The permission a request needs, or `None` if no permission covers it.
    pub fn find<'c, 'p>(&'c self, method: Method, path: &'p str) -> Option<RouteMatch<'c, 'p>> {
        let path = path.split(['?', '#']).next().unwrap_or(path);
        self.permissions.iter().find_map(|p| {
            p.routes.iter().find_map(|r| {
                r.matches(method, path).map(|owners| RouteMatch {
                    permission: &p.name,
                    owners,
                })
            })
        })
    }
}

/// A catalogue that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogueError {
    /// A path template is malformed.
    #[error("invalid path template {template:?}: {reason}")]
    InvalidTemplate {
        /// The template.
        template: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A permission name is empty or contains whitespace.
    #[error("invalid permission name {0:?}")]
    InvalidName(String),
    /// Two permissions share a name.
    #[error("permission {0:?} is listed twice")]
    DuplicateName(String),
}

impl ErrorCode for CatalogueError {
    fn code(&self) -> &'static str {
        "invalid_catalogue"
    }
    fn status(&self) -> u16 {
        400
    }
    fn twilio_code(&self) -> u32 {
        20001
    }
}

/// Why a token may not make a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccessError {
    /// The token itself is not valid (expired, revoked, forged, …).
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The token is valid but lacks the permission the request needs.
    #[error("the token lacks the {required} permission this request needs")]
    InsufficientScope {
        /// The permission that would allow the request.
        required: String,
    },
    /// The path names an organization or account other than the token's.
    #[error("the token belongs to another organization or account than the one in the path")]
    WrongOrganization,
    /// The endpoint is one of the other level's catalogue: an account app's token
    /// on an organization endpoint, or an organization app's on an account one.
    #[error("this endpoint takes the token of an {needed} app, not of an {given} app")]
    WrongLevel {
        /// The level the endpoint takes: `organization` or `account`.
        needed: &'static str,
        /// The level of the token's app.
        given: &'static str,
    },
    /// No permission of the token's catalogue covers this method and path.
    #[error("no permission covers {method} {path}")]
    UnknownEndpoint {
        /// The request method.
        method: String,
        /// The request path.
        path: String,
    },
}

impl ErrorCode for AccessError {
    fn code(&self) -> &'static str {
        match self {
            AccessError::Token(e) => e.code(),
            AccessError::InsufficientScope { .. } => "insufficient_scope",
            AccessError::WrongOrganization => "wrong_organization",
            AccessError::WrongLevel { .. } => "wrong_token_level",
            AccessError::UnknownEndpoint { .. } => "unknown_endpoint",
        }
    }
    fn status(&self) -> u16 {
        match self {
            AccessError::Token(e) => e.status(),
            AccessError::InsufficientScope { .. }
            | AccessError::WrongOrganization
            | AccessError::WrongLevel { .. } => 403,
            AccessError::UnknownEndpoint { .. } => 404,
        }
    }
    fn twilio_code(&self) -> u32 {
        match self {
            AccessError::Token(e) => e.twilio_code(),
            AccessError::InsufficientScope { .. }
            | AccessError::WrongOrganization
            | AccessError::WrongLevel { .. } => 20403,
            AccessError::UnknownEndpoint { .. } => 20404,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const US: &str = "US0123456789abcdef0123456789abcdef";
    const OR: &str = "OR0123456789abcdef0123456789abcdef";

    #[test]
    fn finds_permission_for_each_layout() {
        let c = Catalogue::organization();
        let read = format!("/scim/v2/Users/{US}");
        let m = c.find(Method::Get, &read).unwrap();
        assert_eq!(m.permission, "managed-users/read");
        let m = c.find(Method::Get, "/scim/v2/Users?filter=x").unwrap();
        assert_eq!(m.permission, "managed-users/list");
        let p = format!("/Organizations/{OR}/scim/Users/{US}");
        let m = c.find(Method::Patch, &p).unwrap();
        assert_eq!(m.permission, "managed-users/update");
        assert_eq!(m.owners.organization, Some(OR));
        assert!(c
            .find(Method::Post, &format!("/scim/v2/Users/{US}"))
            .is_none());
        assert!(c.find(Method::Get, "/scim/v2/Users/not-a-sid").is_none());
        assert!(c
            .find(Method::Get, "/scim/v2/Users/extra/segments")
            .is_none());
    }

    #[test]
    fn suffix_placeholders_match() {
        let c = Catalogue::account_example();
        let path = "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages/SM0123456789abcdef0123456789abcdef.json";
        let m = c.find(Method::Get, path).unwrap();
        assert_eq!(m.permission, "messages/read");
        assert!(m.owners.account.is_some());
    }

    #[test]
    fn rejects_bad_templates_and_names() {
        for t in [
            "no-slash", "/a//b", "/a/{us}", "/a/{USX}", "/a/{US", "/a/x}y",
        ] {
            assert!(
                matches!(
                    Route::new(Method::Get, t),
                    Err(CatalogueError::InvalidTemplate { .. })
                ),
                "{t}"
            );
        }
        let p = |n: &str| Permission {
            name: n.into(),
            routes: vec![],
        };
        assert_eq!(
            Catalogue::new(vec![p("a"), p("a")]),
            Err(CatalogueError::DuplicateName("a".into()))
        );
        assert_eq!(
            Catalogue::new(vec![p("a b")]),
            Err(CatalogueError::InvalidName("a b".into()))
        );
    }

    #[test]
    fn catalogue_round_trips_as_json() {
        let c = Catalogue::organization();
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<Catalogue>(&json).unwrap(), c);
    }
}
