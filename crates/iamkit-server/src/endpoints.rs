//! The organization API's routes, served from the core's one table of them
//! ([`iamkit::endpoints::ORGANIZATION_ROUTES`], from which the permission catalogue
//! is also made): each endpoint goes to its handler.

use std::sync::Arc;

use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;
use iamkit::endpoints::{Endpoint, ORGANIZATION_ROUTES};
use iamkit::Method;

use crate::app_state::AppState;
use crate::http_error::SCIM_JSON;
use crate::{roles, scim};

/// The routes of the SCIM endpoints (`scim`) or of the others.
pub fn routes(scim: bool) -> Router<Arc<AppState>> {
    let mut paths: Vec<(String, MethodRouter<Arc<AppState>>)> = Vec::new();
    for r in ORGANIZATION_ROUTES
        .iter()
        .filter(|r| r.endpoint.is_scim() == scim)
    {
        let path = axum_path(r.path);
        let handler = handler(r.endpoint, filter(r.method));
        match paths.iter_mut().find(|(p, _)| *p == path) {
            Some((_, existing)) => {
                *existing = std::mem::replace(existing, MethodRouter::new()).merge(handler);
            }
            None => paths.push((path, handler)),
        }
    }
    paths
        .into_iter()
        .fold(Router::new(), |router, (path, methods)| {
            router.route(&path, methods)
        })
}

/// The endpoint a routed request reached, from its matched path and method.
fn endpoint_of(matched: &str, method: &str) -> Option<Endpoint> {
    let method = method.parse::<Method>().ok()?;
    ORGANIZATION_ROUTES
        .iter()
        .find(|r| r.method == method && axum_path(r.path) == matched)
        .map(|r| r.endpoint)
}

/// Labels the JSON error bodies of creating and deleting role assignments
/// `application/scim+json`, the media type Twilio's spec declares for them (their
/// body stays the Twilio error body).
pub async fn spec_error_media_type(
    matched: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let labelled = matched
        .and_then(|m| endpoint_of(m.as_str(), request.method().as_str()))
        .is_some_and(|e| {
            matches!(
                e,
                Endpoint::CreateRoleAssignment | Endpoint::DeleteRoleAssignment
            )
        });
    let mut response = next.run(request).await;
    let json_error = response.status().is_client_error()
        && response.headers().get(header::CONTENT_TYPE)
            == Some(&HeaderValue::from_static("application/json"));
    if labelled && json_error {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
    }
    response
}

fn handler(endpoint: Endpoint, method: MethodFilter) -> MethodRouter<Arc<AppState>> {
    match endpoint {
        Endpoint::ListUsers => on(method, scim::list),
        Endpoint::SearchUsers => on(method, scim::search),
        Endpoint::CreateUser => on(method, scim::create),
        Endpoint::FetchUser => on(method, scim::fetch),
        Endpoint::ReplaceUser => on(method, scim::replace),
        Endpoint::PatchUser => on(method, scim::patch),
        Endpoint::DeleteUser => on(method, scim::delete),
        Endpoint::ListRoleAssignments => on(method, roles::list),
        Endpoint::CreateRoleAssignment => on(method, roles::create),
        Endpoint::DeleteRoleAssignment => on(method, roles::remove),
        Endpoint::ListRoles => on(method, roles::roles),
    }
}

fn filter(method: Method) -> MethodFilter {
    match method {
        Method::Get => MethodFilter::GET,
        Method::Post => MethodFilter::POST,
        Method::Put => MethodFilter::PUT,
        Method::Patch => MethodFilter::PATCH,
        Method::Delete => MethodFilter::DELETE,
    }
}

/// A catalogue template as an axum path: `{OR}` is the `org` parameter, a user
/// `{US}` is `id`, a role assignment `{IY}` is `sid`.
fn axum_path(template: &str) -> String {
    template
        .replace("{OR}", "{org}")
        .replace("{US}", "{id}")
        .replace("{IY}", "{sid}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matched_path_and_method_name_their_endpoint() {
        let path = "/Organizations/{org}/RoleAssignments/{sid}";
        assert_eq!(
            endpoint_of(path, "DELETE"),
            Some(Endpoint::DeleteRoleAssignment)
        );
        assert_eq!(endpoint_of(path, "GET"), None);
        assert_eq!(
            endpoint_of("/scim/v2/Users/{id}", "PATCH"),
            Some(Endpoint::PatchUser)
        );
        assert_eq!(endpoint_of("/nowhere", "GET"), None);
        assert_eq!(endpoint_of(path, "BREW"), None);
    }

    #[test]
    fn every_template_becomes_a_path_of_named_parameters() {
        for r in ORGANIZATION_ROUTES {
            let path = axum_path(r.path);
            for segment in path.split('/').filter(|s| s.starts_with('{')) {
                assert!(
                    ["{org}", "{id}", "{sid}"].contains(&segment),
                    "{} has an unmapped placeholder {segment}",
                    r.path
                );
            }
        }
    }
}
