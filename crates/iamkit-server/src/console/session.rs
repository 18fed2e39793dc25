//! Console sessions. Signing in with the admin token gives the browser a random
//! session id in an `HttpOnly`, `SameSite=Strict` cookie; the server keeps only its
//! hash and the session's CSRF token, which every form of the Console carries back.
//! Sessions last until signing out or until the server stops; past
//! [`MAX_SESSIONS`] the oldest is dropped.

use std::collections::VecDeque;

use iamkit::secrets::{SecretHash, SecretString};
use parking_lot::Mutex;
use subtle::ConstantTimeEq;

/// The session cookie's name.
pub const COOKIE: &str = "iamkit_console";
/// The most sessions kept at once.
pub const MAX_SESSIONS: usize = 64;

/// A signed-in browser: the CSRF token its forms must carry.
#[derive(Clone)]
pub struct Session {
    csrf: String,
}

impl Session {
    /// The CSRF token to put in the session's forms.
    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    /// Whether `presented` is this session's CSRF token (compared in constant time).
    pub fn csrf_matches(&self, presented: &str) -> bool {
        self.csrf.as_bytes().ct_eq(presented.as_bytes()).into()
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Session(<redacted>)")
    }
}

/// The sessions signed in, oldest first.
#[derive(Default)]
pub struct Sessions(Mutex<VecDeque<(SecretHash, Session)>>);

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sessions({} signed in)", self.0.lock().len())
    }
}

impl Sessions {
    /// Starts a session; returns the cookie value that names it.
    pub fn start(&self) -> SecretString {
        let id = SecretString::generate();
        let session = Session {
            csrf: SecretString::generate().expose().to_owned(),
        };
        let mut sessions = self.0.lock();
        if sessions.len() >= MAX_SESSIONS {
            sessions.pop_front();
        }
        sessions.push_back((id.hash(), session));
        id
    }

    /// The session the cookie value `id` names, if it is signed in.
    pub fn find(&self, id: &str) -> Option<Session> {
        let hash = SecretHash::of(id.as_bytes());
        let sessions = self.0.lock();
        sessions
            .iter()
            .find(|(kept, _)| *kept == hash)
            .map(|(_, session)| session.clone())
    }

    /// Ends the session the cookie value `id` names.
    pub fn end(&self, id: &str) {
        let hash = SecretHash::of(id.as_bytes());
        self.0.lock().retain(|(kept, _)| *kept != hash);
    }
}

/// The session id the request's `Cookie` headers carry, if any.
pub fn cookie_value(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == COOKIE).then(|| value.to_owned())
        })
}

/// The `Set-Cookie` value that gives the browser the session `id`.
pub fn set_cookie(id: &SecretString) -> String {
    format!(
        "{COOKIE}={}; Path=/console; HttpOnly; SameSite=Strict",
        id.expose()
    )
}

/// The `Set-Cookie` value that makes the browser forget its session.
pub fn clear_cookie() -> String {
    format!("{COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_found_by_its_cookie_until_it_ends() {
        let sessions = Sessions::default();
        let id = sessions.start();
        let session = sessions.find(id.expose()).expect("signed in");
        assert!(session.csrf_matches(session.csrf()));
        assert!(!session.csrf_matches("forged"));
        assert!(sessions.find("another").is_none());
        sessions.end(id.expose());
        assert!(sessions.find(id.expose()).is_none());
    }

    #[test]
    fn the_oldest_session_is_dropped_past_the_limit() {
        let sessions = Sessions::default();
        let first = sessions.start();
        let rest: Vec<_> = (1..MAX_SESSIONS).map(|_| sessions.start()).collect();
        assert!(sessions.find(first.expose()).is_some());
        let newest = sessions.start();
        assert!(sessions.find(first.expose()).is_none());
        assert!(sessions.find(rest[0].expose()).is_some());
        assert!(sessions.find(newest.expose()).is_some());
    }

    #[test]
    fn debug_output_holds_no_token() {
        let sessions = Sessions::default();
        let id = sessions.start();
        let session = sessions.find(id.expose()).unwrap();
        assert_eq!(format!("{session:?}"), "Session(<redacted>)");
        assert_eq!(format!("{sessions:?}"), "Sessions(1 signed in)");
    }

    #[test]
    fn the_cookie_is_read_among_others() {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            axum::http::header::COOKIE,
            "a=1; iamkit_console=abc; b=2".parse().unwrap(),
        );
        assert_eq!(cookie_value(&headers).as_deref(), Some("abc"));
        headers.clear();
        assert_eq!(cookie_value(&headers), None);
    }
}
