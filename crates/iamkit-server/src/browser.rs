//! What the pages a browser shows (the consent page, the Console) share: the
//! headers of their answers, and the check that a form was sent from one of them.

use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::response::Response;

/// Sets `headers` on `response`, replacing any of the same name.
pub fn set_headers(response: &mut Response, headers: &[(HeaderName, &'static str)]) {
    for (name, value) in headers {
        response
            .headers_mut()
            .insert(name.clone(), HeaderValue::from_static(value));
    }
}

/// Refuses what a browser marks as sent from another site. `Sec-Fetch-Site`, when
/// sent, decides: `same-origin`, or `none` (typed by the user). Without it, an
/// `Origin` must name the host the request was sent to; `Origin: null` (an opaque
/// origin: a sandboxed frame, or a page sending no referrer) is refused there, as
/// browsers that send it from a page's own form (under `Referrer-Policy:
/// no-referrer`) also send `Sec-Fetch-Site`. Clients that are not browsers send
/// neither header; what else binds a form to a rendered page (a ticket, a CSRF
/// token) still applies to them.
pub fn same_origin(headers: &HeaderMap) -> Result<(), &'static str> {
    let text = |name| headers.get(name).map(|v| v.to_str().unwrap_or("\u{fffd}"));
    if let Some(site) = text(header::HeaderName::from_static("sec-fetch-site")) {
        return match site {
            "same-origin" | "none" => Ok(()),
            _ => Err("the form was sent from another site (Sec-Fetch-Site)"),
        };
    }
    if let Some(origin) = text(header::ORIGIN) {
        let host = origin.split_once("://").map(|(_, host)| host);
        if host.is_none() || host != text(header::HOST) {
            return Err("the form was sent from another origin (Origin)");
        }
    }
    Ok(())
}
