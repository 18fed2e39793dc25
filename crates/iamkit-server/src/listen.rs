//! Accepting connections: HTTP/1.1 on hyper with a header-read timeout and a cap on
//! open connections, which `axum::serve` has neither of.
//!
//! A connection that has not sent a whole request head (request line and headers)
//! within [`ConnectionLimits::header_read_timeout`] of starting one, or of opening,
//! is closed. At most [`ConnectionLimits::max_connections`] are served at once:
//! while that many are open no other is accepted, and new ones wait in the
//! operating system's queue until one closes. Each request carries its peer's
//! address as axum's `ConnectInfo<SocketAddr>`.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// The default [`ConnectionLimits::header_read_timeout`].
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The default [`ConnectionLimits::max_connections`].
pub const MAX_CONNECTIONS: usize = 1024;

/// How slow and how many clients a server puts up with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// How long a client may take to send a request's line and headers (10 s by
    /// default).
    pub header_read_timeout: Duration,
    /// How many connections are served at once (1,024 by default; at least 1).
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: HEADER_READ_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
        }
    }
}

/// Serves `router` on `listener` under `limits` until `shutdown` completes; then
/// accepts no more connections, lets in-flight requests finish and closes idle
/// connections.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => {
                permit.expect("the semaphore is never closed")
            }
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    wait_after_accept_error(&e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request.map(axum::body::Body::new))
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A connection ending in an error (a timeout, a reset) is only closed.
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// After an accept error: nothing for one about a single connection (reset or
/// aborted before it was taken); a pause of a second for the others, such as
/// running out of file descriptors, so the loop does not spin.
async fn wait_after_accept_error(e: &std::io::Error) {
    use std::io::ErrorKind;
    if !matches!(
        e.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset
    ) {
        tracing::error!("accept error: {e}");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The source address of a request: its peer's, when it came through [`serve`];
/// `None` for one built in process without a `ConnectInfo`, such as a router
/// test's (no per-address limit applies to it).
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let address = parts.extensions.get::<ConnectInfo<SocketAddr>>();
        Ok(Peer(address.map(|ConnectInfo(addr)| addr.ip())))
    }
}
