//! What every handler shares: the engine, the admin token's hash, the response
//! style, the CORS origins, the fault rules and the Console's sessions.

use std::sync::Arc;

use iamkit::secrets::SecretHash;
use iamkit::Engine;

use crate::console::Sessions;
use crate::cors::CorsOrigins;
use crate::faults::Faults;

/// The shape of Token API responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ResponseStyle {
    /// As Twilio's Token API: `id_token` and `refresh_token` always present, `null`
    /// when absent.
    #[default]
    Twilio,
    /// Strict standard shapes: RFC 6749 §5.1 token responses (absent fields
    /// omitted, `scope` included) and RFC 7644 §3.12 SCIM errors (no Twilio `code`).
    Rfc,
}

impl ResponseStyle {
    /// The shape of Token API bodies in this style.
    pub fn token_body(self) -> iamkit::TokenBody {
        match self {
            ResponseStyle::Twilio => iamkit::TokenBody::Twilio,
            ResponseStyle::Rfc => iamkit::TokenBody::Rfc6749,
        }
    }
}

impl std::str::FromStr for ResponseStyle {
    type Err = String;

    /// Reads `twilio` or `rfc`, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, String> {
        <Self as clap::ValueEnum>::from_str(s, true)
            .map_err(|_| format!("unknown response style {s:?}: expected twilio or rfc"))
    }
}

impl AppState {
    /// Whether `presented` is the admin token (compared by hash, in constant time).
    pub fn is_admin_token(&self, presented: &str) -> bool {
        self.admin_token == SecretHash::of(presented.as_bytes())
    }
}

/// What the handlers share.
#[derive(Debug)]
pub struct AppState {
    /// The engine.
    pub engine: Arc<Engine>,
    /// Hash of the admin API's bearer token.
    pub admin_token: SecretHash,
    /// The Token API response shape.
    pub style: ResponseStyle,
    /// The origins whose pages may read answers in a browser.
    pub cors: CorsOrigins,
    /// Active fault rules.
    pub faults: Arc<Faults>,
    /// The Console's signed-in sessions.
    pub(crate) console: Sessions,
}
