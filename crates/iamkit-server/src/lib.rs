//! The Twilio-compatible HTTP emulator on the iamkit engine.
//!
//! One port serves the Token API, the authorization page (and Twilio's oauth_v1
//! redirect to it), introspection,
//! revocation, metadata and JWKS, SCIM users, roles and role assignments, the
//! organization's accounts, Twilio's account OAuth-apps API, the admin API and the
//! Console (pages for a browser, at `/console`). [`spawn`] runs it on a
//! background thread (for the language bindings); the `iamkit` binary runs it in the
//! foreground.

mod account_apps;
mod admin;
mod app_state;
mod auth;
mod browser;
pub mod cli;
mod consent;
mod console;
mod cors;
pub mod demo;
mod endpoints;
mod faults;
mod form;
mod http_error;
pub mod listen;
mod oauth;
mod roles;
mod scim;

pub use app_state::{AppState, ResponseStyle};
pub use cors::CorsOrigins;
pub use demo::Bootstrap;
pub use faults::FaultRule;
pub use listen::ConnectionLimits;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::routing::{get, post};
use axum::Router;
use iamkit::secrets::{SecretHash, SecretString};
use iamkit::Engine;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

/// Largest request body the emulator reads.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// How long a request may take before it is answered with 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Settings of a server (`Debug` hides the admin token).
#[derive(Clone)]
pub struct ServerOptions {
    /// Address to bind (127.0.0.1 by default).
    pub host: IpAddr,
    /// Port to bind; 0 picks a free one.
    pub port: u16,
    /// The Token API response shape.
    pub response_style: ResponseStyle,
    /// The admin token; a random one when absent.
    pub admin_token: Option<String>,
    /// The origins whose pages may read answers in a browser (CORS).
    pub cors_origins: CorsOrigins,
    /// The header-read timeout and the cap on open connections.
    pub connections: ConnectionLimits,
}

impl std::fmt::Debug for ServerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerOptions")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("response_style", &self.response_style)
            .field("cors_origins", &self.cors_origins)
            .field("connections", &self.connections)
            .field(
                "admin_token",
                &self.admin_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            response_style: ResponseStyle::Twilio,
            admin_token: None,
            cors_origins: CorsOrigins::default(),
            connections: ConnectionLimits::default(),
        }
    }
}

/// The audit actor of a request made with an access token: the approving user for
/// authorization-code tokens, else the app.
fn caller_actor(claims: &iamkit::Claims) -> iamkit::Actor {
    iamkit::Actor::named(&claims.sub)
}

/// The routes of the emulator.
pub fn router(state: Arc<AppState>) -> Router {
    let scim_users = endpoints::routes(true)
        .method_not_allowed_fallback(scim::method_not_allowed)
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_permission,
        ))
        .merge(scim::discovery_routes())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            scim::strict_errors,
        ));
    let with_permission = endpoints::routes(false)
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_permission,
        ))
        .route_layer(axum::middleware::from_fn(endpoints::spec_error_media_type));
    let with_organization_token = roles::organization_routes().route_layer(
        axum::middleware::from_fn_with_state(state.clone(), auth::require_organization_token),
    );
    Router::new()
        .merge(scim_users)
        .merge(with_permission)
        .merge(with_organization_token)
        .merge(account_apps::routes(state.clone()))
        .route("/v2/token", post(oauth::token))
        .route("/v1/token", post(oauth::token_v1))
        .merge(consent::routes())
        .merge(console::routes(state.clone()))
        .route("/", get(console::to_console))
        .route("/v2/introspect", post(oauth::introspect))
        .route("/v2/revoke", post(oauth::revoke))
        .route("/.well-known/oauth-authorization-server", get(oauth::metadata))
        .route("/.well-known/openid-configuration", get(oauth::metadata))
        .route("/.well-known/jwks.json", get(oauth::jwks))
        .route("/healthz", get(healthz))
        .nest("/admin/v1", admin::routes(state.clone()))
        .fallback(|| async { http_error::ApiError::not_found("no such endpoint") })
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(state.clone(), http_error::typed_errors))
        .layer(axum::middleware::from_fn_with_state(state.faults.clone(), faults::apply))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        // CORS headers on every answer, and every OPTIONS answered as a preflight.
        .layer(state.cors.layer())
        .layer(
            // One line per request, when the response is sent. Spans name the method
            // and path only: query strings can carry codes.
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
                })
                .on_request(())
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO))
                .on_failure(()),
        )
        .with_state(state)
}

/// `GET /healthz`: 200 while the emulator serves, without a token.
async fn healthz() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({ "status": "ok" }))
}

/// The state for `engine` with the given options; returns it with the plaintext
/// admin token.
pub fn state(engine: Arc<Engine>, options: &ServerOptions) -> (Arc<AppState>, String) {
    let admin_token = options
        .admin_token
        .clone()
        .unwrap_or_else(|| SecretString::generate().expose().to_owned());
    let state = Arc::new(AppState {
        engine,
        admin_token: SecretHash::of(admin_token.as_bytes()),
        style: options.response_style,
        cors: options.cors_origins.clone(),
        faults: Arc::default(),
        console: console::Sessions::default(),
    });
    (state, admin_token)
}

/// The address `--host` and the bindings' `host` option name: an IP address, or
/// `localhost` (127.0.0.1). Other host names are refused rather than looked up.
pub fn parse_host(host: &str) -> Result<IpAddr, String> {
    if host.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    host.parse()
        .map_err(|_| format!("{host:?} is not an IP address or localhost"))
}

/// The base URL of a bound listener.
pub fn base_url(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

/// Serves `state` on `listener` under `limits` until `shutdown` completes, then
/// drains in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    limits: ConnectionLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listen::serve(listener, router(state), limits, shutdown).await
}

/// An emulator running on a background thread.
#[derive(Debug)]
pub struct RunningServer {
    /// Its base URL.
    pub url: String,
    /// The admin token and, for a seeded emulator, the demo credentials.
    pub bootstrap: Bootstrap,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl RunningServer {
    /// Stops the server and waits for it to finish.
    pub fn stop(mut self) -> std::io::Result<()> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("the server thread panicked"))),
            None => Ok(()),
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}

/// Starts an emulator for `engine` on a background thread with its own runtime.
/// With `seed_demo`, the demo organization is created in the engine first.
pub fn spawn(
    engine: Arc<Engine>,
    options: ServerOptions,
    seed_demo: bool,
) -> std::io::Result<RunningServer> {
    let std_listener = std::net::TcpListener::bind((options.host, options.port))?;
    std_listener.set_nonblocking(true)?;
    let url = base_url(std_listener.local_addr()?);
    let (state, admin_token) = state(engine.clone(), &options);
    let bootstrap = if seed_demo {
        demo::seed(&engine, &url, &admin_token).map_err(std::io::Error::other)?
    } else {
        demo::empty(&url, &admin_token)
    };
    let limits = options.connections;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("iamkit-server".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async move {
                let listener = TcpListener::from_std(std_listener)?;
                serve(listener, state, limits, async {
                    let _ = stopped.await;
                })
                .await
            })
        })?;
    Ok(RunningServer {
        url,
        bootstrap,
        stop: Some(stop),
        thread: Some(thread),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_ip_addresses_or_localhost() {
        assert_eq!(parse_host("localhost"), Ok(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert_eq!(parse_host("::1"), Ok("::1".parse().unwrap()));
        assert_eq!(parse_host("0.0.0.0"), Ok(IpAddr::V4(Ipv4Addr::UNSPECIFIED)));
        assert_eq!(
            parse_host("example.com"),
            Err("\"example.com\" is not an IP address or localhost".into())
        );
    }

    #[test]
    fn debug_output_holds_no_secret() {
        let options = ServerOptions {
            admin_token: Some("admin-token-that-must-not-show".into()),
            ..ServerOptions::default()
        };
        let shown = format!("{options:?}");
        assert!(
            shown.contains("admin_token: Some(\"<redacted>\")"),
            "{shown}"
        );
        assert!(!shown.contains("admin-token-that-must-not-show"), "{shown}");

        let engine = Arc::new(Engine::builder().build().unwrap());
        let server = spawn(engine, options, true).unwrap();
        let apps = server.bootstrap.apps.as_ref().unwrap();
        let secrets = [
            server.bootstrap.admin_token.clone(),
            apps.org_client_credentials.client_secret.clone(),
            apps.org_authorization_code.client_secret.clone(),
            apps.account_client_credentials.client_secret.clone(),
            server.bootstrap.account_auth_token.clone().unwrap(),
        ];
        let shown = format!("{server:?}");
        assert!(
            shown.contains(&apps.org_client_credentials.client_id),
            "{shown}"
        );
        for secret in &secrets {
            assert!(!shown.contains(secret.as_str()), "{shown}");
        }
        let json = serde_json::to_string(&server.bootstrap).unwrap();
        assert!(
            secrets.iter().all(|s| json.contains(s.as_str())),
            "the file keeps them"
        );
        server.stop().unwrap();
    }
}
