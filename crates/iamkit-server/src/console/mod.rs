//! The Console: server-rendered pages at `/console` over the engine, as Twilio's
//! Console shows OAuth apps, users and audit events, plus the emulator's clock,
//! fault rules and a token inspector. Each page is a view: the engine decides, and
//! its errors are shown with their codes as they are.
//!
//! Every page but the sign-in page needs a session ([`session`]); every form a
//! session's CSRF token and to come from the Console itself. Answers are never
//! cached or framed, and load nothing but the embedded style sheet.

mod apps;
mod directory;
mod session;
mod tools;
mod view;

pub use session::Sessions;

use std::sync::Arc;

use askama::Template;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::app_state::AppState;
use crate::form::Form;
use session::Session;
use view::{render_with, see_other, Chrome, Notice};

/// What every Console answer carries: no framing, no caching, no `Referer` to
/// other sites, nothing loaded but the Console's own style sheet, forms sent only
/// to the Console.
const CONSOLE_HEADERS: [(HeaderName, &str); 5] = [
    (header::X_FRAME_OPTIONS, "DENY"),
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
         base-uri 'none'; frame-ancestors 'none'",
    ),
    (header::CACHE_CONTROL, "no-store"),
    (header::REFERRER_POLICY, "same-origin"),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
];

/// The style sheet, embedded in the binary.
const STYLE_SHEET: &str = include_str!("../../assets/console.css");

/// Paths served without a session.
const OPEN_PATHS: [&str; 2] = ["/console/sign-in", "/console/assets/console.css"];

/// The Console's routes, each behind the session check.
pub fn routes(state: Arc<AppState>) -> Router<Arc<AppState>> {
    Router::new()
        .route("/console", get(directory::overview))
        .route("/console/sign-in", get(sign_in_page).post(sign_in))
        .route("/console/sign-out", post(sign_out))
        .route("/console/assets/console.css", get(style_sheet))
        .merge(apps::routes())
        .merge(directory::routes())
        .merge(tools::routes())
        .layer(middleware::from_fn_with_state(state, guard))
        .layer(middleware::from_fn(console_headers))
}

/// `GET /`: the Console.
pub async fn to_console() -> Response {
    see_other("/console")
}

async fn console_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    crate::browser::set_headers(&mut response, &CONSOLE_HEADERS);
    response
}

async fn style_sheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        STYLE_SHEET,
    )
        .into_response()
}

/// Lets a request through only with a session; a form only with the session's
/// CSRF token, sent from the Console. Anything else is answered with the sign-in
/// page (401), or a refusal page (403), and changes nothing.
async fn guard(State(app): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    if OPEN_PATHS.contains(&request.uri().path()) {
        return next.run(request).await;
    }
    let session = session::cookie_value(request.headers()).and_then(|id| app.console.find(&id));
    let Some(session) = session else {
        return sign_in_answer(StatusCode::UNAUTHORIZED, None);
    };
    let mut request = if request.method() == Method::POST {
        match checked_form(&session, request).await {
            Ok(request) => request,
            Err(refusal) => return refused(&session, &refusal),
        }
    } else {
        request
    };
    request.extensions_mut().insert(session);
    next.run(request).await
}

/// The fields of a form [`guard`] let through, without its CSRF token.
#[derive(Clone)]
pub struct SentForm(pub Form);

/// The request again, its form read into a [`SentForm`], once the form is known to
/// come from the Console with the session's CSRF token.
async fn checked_form(session: &Session, request: Request) -> Result<Request, Notice> {
    let forbidden = |code: &str, message: &str| Notice {
        code: Some(code.to_owned()),
        status: 403,
        message: message.to_owned(),
    };
    crate::browser::same_origin(request.headers())
        .map_err(|why| forbidden("cross_site_request", why))?;
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, crate::MAX_BODY_BYTES)
        .await
        .map_err(|_| Notice::invalid("the form could not be read"))?;
    let mut form =
        Form::parse(&parts.headers, &bytes).map_err(|e| Notice::invalid(e.description()))?;
    match form.take("csrf") {
        Some(token) if session.csrf_matches(&token) => {}
        _ => {
            return Err(forbidden(
                "csrf_token_invalid",
                "the form did not carry this session's CSRF token: reload the page and try again",
            ))
        }
    }
    let mut request = Request::from_parts(parts, Body::empty());
    request.extensions_mut().insert(SentForm(form));
    Ok(request)
}

fn refused(session: &Session, notice: &Notice) -> Response {
    view::refusal(Chrome::new(session, "").with(notice.clone()))
}

#[derive(Template)]
#[template(path = "console/sign_in.html")]
struct SignIn {
    chrome: Chrome,
}

fn sign_in_answer(status: StatusCode, notice: Option<Notice>) -> Response {
    let mut chrome = Chrome::signed_out();
    chrome.notice = notice;
    render_with(status, &SignIn { chrome })
}

/// `GET /console/sign-in`.
async fn sign_in_page(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let signed_in =
        session::cookie_value(&headers).is_some_and(|id| app.console.find(&id).is_some());
    if signed_in {
        return see_other("/console");
    }
    sign_in_answer(StatusCode::OK, None)
}

/// `POST /console/sign-in` with `admin_token`: a session cookie and the overview,
/// or the sign-in page again.
async fn sign_in(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(why) = crate::browser::same_origin(&headers) {
        let notice = Notice {
            code: Some("cross_site_request".into()),
            status: 403,
            message: why.into(),
        };
        return sign_in_answer(StatusCode::FORBIDDEN, Some(notice));
    }
    let token = match Form::parse(&headers, &body) {
        Ok(mut form) => form.take("admin_token").unwrap_or_default(),
        Err(e) => {
            return sign_in_answer(
                StatusCode::BAD_REQUEST,
                Some(Notice::invalid(e.description())),
            )
        }
    };
    if !app.is_admin_token(&token) {
        let notice = Notice {
            code: Some("invalid_token".into()),
            status: 401,
            message: "that is not this emulator's admin token".into(),
        };
        return sign_in_answer(StatusCode::UNAUTHORIZED, Some(notice));
    }
    let id = app.console.start();
    let mut response = see_other("/console");
    if let Ok(value) = session::set_cookie(&id).parse() {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// `POST /console/sign-out`: the session ends and the browser forgets it.
async fn sign_out(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Some(id) = session::cookie_value(&headers) {
        app.console.end(&id);
    }
    let mut response = see_other("/console/sign-in");
    if let Ok(value) = session::clear_cookie().parse() {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}
