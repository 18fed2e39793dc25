//! CORS: which web pages may read the emulator's answers in a browser, with the
//! headers Twilio's APIs send (the `Access-Control-*` headers its OpenAPI specs
//! declare), and the preflight `OPTIONS` answered on every path.
//!
//! A granted origin is echoed in `Access-Control-Allow-Origin` with
//! `Access-Control-Allow-Credentials: true`; with [`CorsOrigins::Any`] the answer is
//! `*`, without credentials (the Fetch standard refuses `*` with credentials). An
//! origin that is not granted gets neither header, so its page cannot read the
//! answer.

use axum::http::{header, HeaderName, HeaderValue, Method};
use tower_http::cors::{AllowCredentials, AllowOrigin, CorsLayer};

/// How long a browser may cache a preflight answer, in seconds (the
/// `Access-Control-Max-Age` of Twilio's OAuth spec).
pub const PREFLIGHT_MAX_AGE: u64 = 3600;

/// Which origins may read the emulator's answers in a browser.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CorsOrigins {
    /// Pages served from this machine: `http` or `https` on `localhost`,
    /// `127.0.0.1` or `[::1]`, any port. The default: the emulator is a local test
    /// double, and other sites the tester's browser visits should not read it.
    #[default]
    Loopback,
    /// Any origin, answered with `*`, as Twilio's APIs answer.
    Any,
    /// Exactly these origins (each `scheme://host[:port]`).
    Only(Vec<String>),
}

impl CorsOrigins {
    /// The origins `--cors-origin` names: none is [`CorsOrigins::Loopback`], `*` is
    /// [`CorsOrigins::Any`] (and must stand alone), the rest origins such as
    /// `http://localhost:3000`, each written as browsers send it (lower case, no
    /// default port, no path).
    pub fn parse(values: &[String]) -> Result<Self, String> {
        if values.is_empty() {
            return Ok(Self::Loopback);
        }
        if values.iter().any(|v| v == "*") {
            return match values {
                [_] => Ok(Self::Any),
                _ => Err("the origin * allows every origin: give it alone".into()),
            };
        }
        values
            .iter()
            .map(|v| parse_origin(v))
            .collect::<Result<Vec<_>, _>>()
            .map(Self::Only)
    }

    /// Whether pages of `origin` (an `Origin` header) may read answers.
    fn allows(&self, origin: &HeaderValue) -> bool {
        let Ok(text) = origin.to_str() else {
            return false;
        };
        match self {
            Self::Any => true,
            Self::Only(origins) => origins.iter().any(|o| o == text),
            Self::Loopback => url::Url::parse(text).is_ok_and(|url| {
                matches!(url.scheme(), "http" | "https")
                    && url.origin().ascii_serialization() == text
                    && match url.host() {
                        Some(url::Host::Domain(domain)) => domain == "localhost",
                        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                        None => false,
                    }
            }),
        }
    }

    /// The CORS layer granting these origins.
    pub fn layer(&self) -> CorsLayer {
        let layer = CorsLayer::new()
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
                Method::OPTIONS,
            ])
            .allow_headers([
                header::ACCEPT,
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::IF_MATCH,
                header::IF_MODIFIED_SINCE,
                header::IF_NONE_MATCH,
                header::IF_UNMODIFIED_SINCE,
                HeaderName::from_static("idempotency-key"),
            ])
            .expose_headers([header::ETAG, header::LOCATION])
            .max_age(std::time::Duration::from_secs(PREFLIGHT_MAX_AGE));
        if *self == Self::Any {
            return layer.allow_origin(AllowOrigin::any());
        }
        let (origins, credentials) = (self.clone(), self.clone());
        layer
            .allow_origin(AllowOrigin::predicate(move |o, _| origins.allows(o)))
            .allow_credentials(AllowCredentials::predicate(move |o, _| {
                credentials.allows(o)
            }))
    }
}

/// One value of `--cors-origin`: `*`, or an origin as browsers send it in
/// `Origin`; else why `value` is not one.
pub fn parse_origin(value: &str) -> Result<String, String> {
    if value == "*" {
        return Ok(value.to_owned());
    }
    let refused = |why: &str| format!("{value:?} is not an origin: {why}");
    let url = url::Url::parse(value).map_err(|e| refused(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(refused("use http:// or https://"));
    }
    let serialized = url.origin().ascii_serialization();
    if serialized != value {
        return Err(refused(&format!(
            "write it as browsers send it, {serialized} (no path, no default port)"
        )));
    }
    Ok(serialized)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(values: &[&str]) -> Result<CorsOrigins, String> {
        CorsOrigins::parse(&values.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn origins_are_parsed_as_browsers_send_them() {
        assert_eq!(parse(&[]), Ok(CorsOrigins::Loopback));
        assert_eq!(parse(&["*"]), Ok(CorsOrigins::Any));
        assert_eq!(
            parse(&["http://localhost:3000", "https://app.example"]),
            Ok(CorsOrigins::Only(vec![
                "http://localhost:3000".into(),
                "https://app.example".into()
            ]))
        );
        assert_eq!(
            parse(&["*", "https://app.example"]),
            Err("the origin * allows every origin: give it alone".into())
        );
        assert_eq!(
            parse(&["https://app.example/"]),
            Err("\"https://app.example/\" is not an origin: write it as browsers send it, https://app.example (no path, no default port)".into())
        );
        assert_eq!(
            parse(&["ftp://app.example"]),
            Err("\"ftp://app.example\" is not an origin: use http:// or https://".into())
        );
        assert!(parse(&["https://app.example:443"]).is_err());
        assert!(parse(&["HTTPS://APP.example"]).is_err());
        assert_eq!(
            parse(&["app.example"]),
            Err("\"app.example\" is not an origin: relative URL without a base".into())
        );
    }

    #[test]
    fn loopback_means_this_machine() {
        let allows = |o: &str| CorsOrigins::Loopback.allows(&HeaderValue::from_str(o).unwrap());
        for ok in [
            "http://localhost",
            "http://localhost:3000",
            "https://127.0.0.1:8443",
            "http://127.1.2.3",
            "http://[::1]:5173",
        ] {
            assert!(allows(ok), "{ok}");
        }
        for no in [
            "null",
            "http://localhost.evil.example",
            "http://example.com",
            "file://",
            "http://10.0.0.1",
            "http://localhost:3000/path",
        ] {
            assert!(!allows(no), "{no}");
        }
    }
}
