//! What every Console page shares: the frame around it (navigation, the sign-out
//! form, the CSRF token), the notice that shows an engine's answer, and rendering.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use iamkit::ErrorCode;

use super::session::Session;

/// The frame of a page: which section it belongs to and the session's CSRF token
/// (empty when signed out, which also hides the navigation).
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The navigation entry marked as the current page.
    pub section: &'static str,
    /// The CSRF token every form carries.
    pub csrf: String,
    /// What the last action answered, if anything.
    pub notice: Option<Notice>,
}

impl Chrome {
    /// The frame of a signed-in page in `section`.
    pub fn new(session: &Session, section: &'static str) -> Self {
        Self {
            section,
            csrf: session.csrf().to_owned(),
            notice: None,
        }
    }

    /// The frame of the sign-in page.
    pub fn signed_out() -> Self {
        Self {
            section: "sign-in",
            csrf: String::new(),
            notice: None,
        }
    }

    /// This frame showing `notice`.
    pub fn with(mut self, notice: Notice) -> Self {
        self.notice = Some(notice);
        self
    }

    /// Whether the page is shown to a signed-in browser.
    pub fn signed_in(&self) -> bool {
        !self.csrf.is_empty()
    }
}

/// An answer shown at the top of a page: an error with its stable code and status,
/// or a confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The stable code of an error; `None` for a confirmation.
    pub code: Option<String>,
    /// The HTTP status the error has in the APIs.
    pub status: u16,
    /// What happened, for people.
    pub message: String,
}

impl Notice {
    /// An engine error as it is: its code, status and message.
    pub fn error(e: &(impl ErrorCode + std::fmt::Display)) -> Self {
        Self {
            code: Some(e.code().to_owned()),
            status: e.status(),
            message: e.to_string(),
        }
    }

    /// A refusal of the Console's own form reading (a field that is not a number).
    pub fn invalid(message: impl Into<String>) -> Self {
        Self {
            code: Some("invalid_request".into()),
            status: 400,
            message: message.into(),
        }
    }

    /// A confirmation.
    pub fn done(message: impl Into<String>) -> Self {
        Self {
            code: None,
            status: 200,
            message: message.into(),
        }
    }

    /// The status a page showing this notice answers with.
    pub fn page_status(&self) -> StatusCode {
        StatusCode::from_u16(self.status)
            .ok()
            .filter(|s| s.is_client_error() || s.is_server_error())
            .unwrap_or(StatusCode::OK)
    }
}

/// Renders `page` with `status`.
pub fn render_with(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Html(format!("<!doctype html><title>Error</title><p>{e}</p>")),
        )
            .into_response(),
    }
}

/// Renders `page`: 200, or the status of the error notice its frame shows.
pub fn render(chrome: &Chrome, page: &impl Template) -> Response {
    let status = chrome
        .notice
        .as_ref()
        .map_or(StatusCode::OK, Notice::page_status);
    render_with(status, page)
}

#[derive(Template)]
#[template(path = "console/refused.html")]
struct Refusal {
    chrome: Chrome,
}

/// A page showing nothing but the notice of its frame.
pub fn refusal(chrome: Chrome) -> Response {
    render(&chrome.clone(), &Refusal { chrome })
}

/// A `303 See Other` to `location` (a Console path).
pub fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(axum::http::header::LOCATION, location.to_owned())],
    )
        .into_response()
}

/// `seconds` for people: the largest two units, e.g. `7 days 2 hours`.
pub fn duration_text(seconds: i64) -> String {
    const UNITS: [(i64, &str); 4] = [
        (86_400, "day"),
        (3_600, "hour"),
        (60, "minute"),
        (1, "second"),
    ];
    let mut left = seconds.unsigned_abs() as i64;
    let mut parts = Vec::new();
    for (size, name) in UNITS {
        if left >= size && parts.len() < 2 {
            let n = left / size;
            left %= size;
            parts.push(format!("{n} {name}{}", if n == 1 { "" } else { "s" }));
        }
    }
    if parts.is_empty() {
        "0 seconds".into()
    } else {
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_the_largest_two_units() {
        assert_eq!(duration_text(0), "0 seconds");
        assert_eq!(duration_text(1), "1 second");
        assert_eq!(duration_text(3_661), "1 hour 1 minute");
        assert_eq!(duration_text(7 * 86_400 + 7_200 + 5), "7 days 2 hours");
        assert_eq!(duration_text(90), "1 minute 30 seconds");
    }

    #[test]
    fn an_error_notice_keeps_the_engines_status_and_a_confirmation_is_200() {
        let e = iamkit::TokenError::Expired;
        let notice = Notice::error(&e);
        assert_eq!(notice.code.as_deref(), Some("token_expired"));
        assert_eq!(notice.page_status(), StatusCode::UNAUTHORIZED);
        assert_eq!(Notice::done("saved").page_status(), StatusCode::OK);
    }
}
