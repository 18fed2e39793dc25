//! The authorization page: `GET /v2/authorize` shows the request and lets the
//! signed-in user be picked; `POST /v2/authorize` approves or denies it.
//! `GET /v1/authorize` (Twilio's oauth_v1) redirects to the page.
//!
//! Errors about the client or the redirect URI are shown on the page and never
//! redirected (RFC 6749 §4.1.2.1); the others go back to the redirect URI.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::Request;
use axum::extract::{RawQuery, State};
use axum::http::HeaderValue;
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use iamkit::{AuthorizeError, AuthorizeRequest, ConsentRequest, ErrorCode};

use serde_json::json;

use crate::app_state::AppState;
use crate::form::Form;
use crate::http_error::ApiError;
use crate::listen::Peer;

/// What every answer of the pages below carries: no framing (clickjacking), no
/// caching and no `Referer` (the query carries state and codes), nothing loaded.
const PAGE_HEADERS: [(header::HeaderName, &str); 4] = [
    (header::X_FRAME_OPTIONS, "DENY"),
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; frame-ancestors 'none'",
    ),
    (header::CACHE_CONTROL, "no-store"),
    (header::REFERRER_POLICY, "no-referrer"),
];

/// The pages a browser shows: the consent page, its `POST`, Twilio's `/v1`
/// redirect to it and the demo callback, each answer with [`PAGE_HEADERS`].
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/v2/authorize", get(page).post(decide))
        .route("/v1/authorize", get(page_v1))
        .route("/callback", get(callback))
        .layer(middleware::from_fn(page_headers))
}

async fn page_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    crate::browser::set_headers(&mut response, &PAGE_HEADERS);
    response
}

fn request_from(form: &mut Form) -> AuthorizeRequest {
    AuthorizeRequest {
        client_id: form.take("client_id").unwrap_or_default(),
        response_type: form.take("response_type").unwrap_or_default(),
        redirect_uri: form.take("redirect_uri").unwrap_or_default(),
        scope: form.take("scope"),
        state: form.take("state"),
        user_sid: form.take("user_sid").unwrap_or_default(),
        code_challenge: form.take("code_challenge"),
        code_challenge_method: form.take("code_challenge_method"),
    }
}

/// The query fields of `GET /v1/authorize` as Twilio's oauth_v1 API names them, and
/// their RFC 6749 names.
const OAUTH_V1_FIELDS: [(&str, &str); 5] = [
    ("ResponseType", "response_type"),
    ("ClientId", "client_id"),
    ("RedirectUri", "redirect_uri"),
    ("Scope", "scope"),
    ("State", "state"),
];

/// `GET /v1/authorize`: a `302` to the consent page with the same query, its
/// oauth_v1 field names turned into RFC 6749's (the others kept as sent), as
/// Twilio's oauth_v1 spec declares it. The consent page checks the request.
pub async fn page_v1(State(app): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let renamed: Vec<String> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = OAUTH_V1_FIELDS
                .iter()
                .find(|(twilio, _)| *twilio == name)
                .map_or(name, |(_, rfc)| rfc);
            format!("{name}={value}")
        })
        .collect();
    redirect(
        &app.engine
            .url(&format!("/v2/authorize?{}", renamed.join("&"))),
    )
}

/// `GET /v2/authorize`: the consent page.
pub async fn page(State(app): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Response {
    let mut form = match Form::from_query(query.unwrap_or_default().as_bytes()) {
        Ok(form) => form,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, e.code(), "malformed query"),
    };
    let request = request_from(&mut form);
    match app.engine.check_authorize_request(&request) {
        Ok(consent) => Html(render(&app, &request, &consent)).into_response(),
        Err(e) => refuse(&request, &e),
    }
}

/// `POST /v2/authorize`: approve (`decision=approve`, with `user_sid`) or deny, with
/// the page's `ticket`. A browser's request from another site is refused before the
/// form is read. Past the engine's limit of decisions from one address, a 429 with
/// `Retry-After` (the OAuth error body) comes first.
pub async fn decide(
    State(app): State<Arc<AppState>>,
    Peer(address): Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(e) = app.engine.admit_consent(address) {
        return ApiError::rate_limited(&e).into_response();
    }
    if let Err(why) = crate::browser::same_origin(&headers) {
        return error_page(StatusCode::FORBIDDEN, "cross_site_request", why);
    }
    let mut form = match Form::parse(&headers, &body) {
        Ok(form) => form,
        Err(e) => return e.into_response(),
    };
    let approve = form.take("decision").as_deref() == Some("approve");
    let ticket = form.take("ticket").unwrap_or_default();
    let request = request_from(&mut form);
    match app.engine.decide_consent(&request, &ticket, approve) {
        Ok(approved) => redirect(approved.redirect_to.expose()),
        Err(e) => refuse(&request, &e),
    }
}

/// Sends a redirectable error back to the client, or shows the others.
fn refuse(request: &AuthorizeRequest, e: &AuthorizeError) -> Response {
    match e.redirect_to(&request.redirect_uri, request.state.as_deref()) {
        Some(location) => redirect(&location),
        None => error_page(
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST),
            e.code(),
            &e.to_string(),
        ),
    }
}

/// A `302 Found` to `location` (RFC 6749 §4.1.2), with the JSON body Twilio's spec
/// gives the authorize redirect (`{"redirect_to": location}`).
fn redirect(location: &str) -> Response {
    match HeaderValue::try_from(location) {
        Ok(value) => (
            StatusCode::FOUND,
            [(header::LOCATION, value)],
            Json(json!({ "redirect_to": location })),
        )
            .into_response(),
        Err(_) => error_page(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the redirect URL is not a valid header value",
        ),
    }
}

fn error_page(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Authorization error</title></head>\
         <body><h1>Authorization error</h1><p id=\"error\">{}</p><p id=\"description\">{}</p></body></html>",
        escape(code),
        escape(message)
    );
    (status, Html(body)).into_response()
}

fn render(app: &AppState, request: &AuthorizeRequest, consent: &ConsentRequest) -> String {
    let users = app
        .engine
        .users(consent.app.owner.organization_sid())
        .into_iter()
        .map(|u| {
            let roles: Vec<&str> = u.roles.iter().map(|r| r.name()).collect();
            let sso = match (u.sso, u.active) {
                (_, false) => ", inactive",
                (true, true) => ", SSO",
                (false, true) => "",
            };
            format!(
                "<li><label><input type=\"radio\" name=\"user_sid\" value=\"{sid}\"> {name} ({roles}{sso})</label></li>",
                sid = u.sid,
                name = escape(&u.user_name),
                roles = escape(&roles.join(", ")),
            )
        })
        .collect::<String>();
    let scopes = consent
        .scopes
        .iter()
        .map(|s| format!("<li>{}</li>", escape(s)))
        .collect::<String>();
    let hidden = [
        ("client_id", Some(request.client_id.as_str())),
        ("response_type", Some(request.response_type.as_str())),
        ("redirect_uri", Some(request.redirect_uri.as_str())),
        ("scope", request.scope.as_deref()),
        ("state", request.state.as_deref()),
        ("code_challenge", request.code_challenge.as_deref()),
        (
            "code_challenge_method",
            request.code_challenge_method.as_deref(),
        ),
        ("ticket", Some(consent.ticket.as_str())),
    ]
    .into_iter()
    .filter_map(|(name, value)| {
        value.map(|v| {
            format!(
                "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
                escape(v)
            )
        })
    })
    .collect::<String>();
    let offline = if consent.offline_access {
        "<p>It also asks for offline access (a refresh token).</p>"
    } else {
        ""
    };
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Authorize {name}</title></head><body>\
         <h1>Authorize <span id=\"app-name\">{name}</span></h1>\
         <p>{company}</p><p>This app asks for:</p><ul id=\"scopes\">{scopes}</ul>{offline}\
         <form method=\"post\" action=\"/v2/authorize\">{hidden}\
         <p>Signed in as:</p><ul id=\"users\">{users}</ul>\
         <button type=\"submit\" name=\"decision\" value=\"approve\" id=\"approve\">Approve access</button> \
         <button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Deny</button>\
         </form></body></html>",
        name = escape(&consent.app.name),
        company = escape(consent.app.company_name.as_deref().unwrap_or("")),
    )
}

/// Escapes text for HTML element content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Answers the demo app's redirect URL so a browser flow ends on a readable page.
pub async fn callback(RawQuery(query): RawQuery) -> Result<Response, ApiError> {
    let form = Form::from_query(query.unwrap_or_default().as_bytes())?;
    let body = json!({
        "code": form.get("code"),
        "state": form.get("state"),
        "error": form.get("error"),
    });
    Ok(Json(body).into_response())
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
