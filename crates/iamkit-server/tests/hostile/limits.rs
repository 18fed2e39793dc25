//! Floods and slow clients: rate limits on client
//! authentication and consent decisions answered 429 with `Retry-After` and
//! Twilio's 20429, a header-read timeout and a cap on open connections.

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use iamkit::{AuditQuery, Engine, ManualClock, Rate, RateLimits};
use iamkit_server::{spawn, ConnectionLimits, RunningServer, ServerOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::{page_ticket, Emulator, Reply};

/// How long a test waits for what must happen; a bound, never a figure asserted.
const PATIENCE: Duration = Duration::from_secs(10);

fn assert_rate_limited(r: &Reply, retry_after: &str) {
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text);
    assert_eq!(r.header("retry-after"), retry_after);
    let body = r.json();
    assert_eq!(body["error"], "rate_limited", "{body}");
    assert_eq!(body["code"], 20429, "{body}");
    assert_eq!(body["status"], 429, "{body}");
    assert_eq!(
        body["more_info"], "https://www.twilio.com/docs/errors/20429",
        "{body}"
    );
}

/// The form of a client-credentials token request.
fn credentials<'a>(id: &'a str, secret: &'a str) -> [(&'a str, &'a str); 3] {
    [
        ("grant_type", "client_credentials"),
        ("client_id", id),
        ("client_secret", secret),
    ]
}

fn refused_events(e: &Emulator) -> usize {
    e.engine
        .audit_events(&AuditQuery {
            event_type: Some(iamkit::audit::types::TOKEN_REFUSED.into()),
            ..AuditQuery::default()
        })
        .len()
}

#[tokio::test]
async fn wrong_secrets_past_a_clients_quota_get_429_until_the_clock_moves() {
    let e = Emulator::with_rate_limits(RateLimits {
        token_per_client: Rate::per_minute(5),
        ..RateLimits::default()
    });
    let (id, secret) = e.cc();
    let wrong = credentials(&id, "not-the-secret");
    for _ in 0..5 {
        let r = e.form("/v2/token", &wrong).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
        assert_eq!(r.json()["error"], "invalid_client");
    }
    let events = refused_events(&e);
    let r = e.form("/v2/token", &wrong).await;
    assert_rate_limited(&r, "12");
    assert_eq!(
        r.json()["error_description"],
        "too many client authentications for this client; retry after 12 s"
    );
    // The right secret waits too, on /v1 as on /v2, and so do introspection and
    // revocation, which authenticate the client the same way.
    let right = credentials(&id, &secret);
    assert_rate_limited(&e.form("/v2/token", &right).await, "12");
    assert_rate_limited(&e.form("/v1/token", &right).await, "12");
    for path in ["/v2/introspect", "/v2/revoke"] {
        let fields = [
            ("client_id", id.as_str()),
            ("client_secret", secret.as_str()),
            ("token", "x"),
        ];
        assert_rate_limited(&e.form(path, &fields).await, "12");
    }
    assert_eq!(
        refused_events(&e),
        events,
        "a throttled request records no audit event"
    );
    // Another client is not held back.
    let (code_id, code_secret, _) = e.code_app();
    let other = e
        .form("/v2/token", &credentials(&code_id, &code_secret))
        .await;
    assert_ne!(
        other.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        other.text
    );

    e.clock.advance(time::Duration::seconds(11));
    assert_rate_limited(&e.form("/v2/token", &right).await, "1");
    e.clock.advance(time::Duration::seconds(1));
    let r = e.form("/v2/token", &right).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn a_client_id_that_names_no_app_is_limited_by_address_alone() {
    let e = Emulator::with_rate_limits(RateLimits {
        token_per_client: Rate::per_minute(1),
        ..RateLimits::default()
    });
    for id in [
        "OQ00000000000000000000000000000000",
        "admin",
        "OQ00000000000000000000000000000000",
    ] {
        for _ in 0..3 {
            let r = e.form("/v2/token", &credentials(id, "guess")).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
        }
    }
}

#[tokio::test]
async fn an_address_is_limited_whatever_client_it_names_and_others_are_not() {
    let e = Emulator::with_rate_limits(RateLimits {
        token_per_address: Rate::per_minute(3),
        ..RateLimits::default()
    });
    let (id, secret) = e.cc();
    let (code_id, _, _) = e.code_app();
    for client in [id.as_str(), code_id.as_str(), "nobody"] {
        let fields = credentials(client, "guess");
        let r = e.form_from("192.0.2.1:40000", "/v2/token", &fields).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.text);
    }
    let right = credentials(&id, &secret);
    // Another port of the same host is the same address.
    let r = e.form_from("192.0.2.1:40001", "/v2/token", &right).await;
    assert_rate_limited(&r, "20");
    assert_eq!(
        r.json()["error_description"],
        "too many client authentications from this address; retry after 20 s"
    );
    // The same client from another address, or from an unknown one, passes.
    let r = e.form_from("192.0.2.2:40000", "/v2/token", &right).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = e.form("/v2/token", &right).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    e.clock.advance(time::Duration::seconds(20));
    let r = e.form_from("192.0.2.1:40000", "/v2/token", &right).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn consent_decisions_past_an_addresss_quota_get_429() {
    let e = Emulator::with_rate_limits(RateLimits {
        consent_per_address: Rate::per_minute(2),
        ..RateLimits::default()
    });
    let (id, _, redirect) = e.code_app();
    let owner = e.boot.users[0].sid.clone();
    let request = [
        ("client_id", id.as_str()),
        ("response_type", "code"),
        ("redirect_uri", redirect.as_str()),
        ("state", "s1"),
    ];
    let mut forged = request.to_vec();
    forged.extend([
        ("user_sid", owner.as_str()),
        ("decision", "approve"),
        ("ticket", "forged"),
    ]);
    for _ in 0..2 {
        let r = e
            .form_from("198.51.100.9:5000", "/v2/authorize", &forged)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    }
    let r = e
        .form_from("198.51.100.9:5000", "/v2/authorize", &forged)
        .await;
    assert_rate_limited(&r, "30");
    assert_eq!(
        r.json()["error_description"],
        "too many consent decisions from this address; retry after 30 s"
    );
    assert_eq!(r.header("x-frame-options"), "DENY");
    let r = e
        .form_from("198.51.100.10:5000", "/v2/authorize", &forged)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);

    e.clock.advance(time::Duration::seconds(30));
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(request)
        .finish();
    let page = e.get(&format!("/v2/authorize?{query}")).await;
    let ticket = page_ticket(&page.text);
    let mut approval = request.to_vec();
    approval.extend([
        ("user_sid", owner.as_str()),
        ("decision", "approve"),
        ("ticket", &ticket),
    ]);
    let r = e
        .form_from("198.51.100.9:5000", "/v2/authorize", &approval)
        .await;
    assert_eq!(r.status, StatusCode::FOUND, "{}", r.text);
}

/// An emulator on a real listener of 127.0.0.1, with `connections`.
fn listening(connections: ConnectionLimits) -> (RunningServer, String) {
    listening_with(Engine::new(), connections)
}

fn listening_with(engine: Engine, connections: ConnectionLimits) -> (RunningServer, String) {
    let options = ServerOptions {
        connections,
        ..ServerOptions::default()
    };
    let server = spawn(Arc::new(engine), options, false).unwrap();
    let addr = server.url.trim_start_matches("http://").to_owned();
    (server, addr)
}

/// Reads until the server closes the connection (or resets it); `None` if it is
/// still open after `wait`.
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> Option<Vec<u8>> {
    let mut read = Vec::new();
    let outcome = tokio::time::timeout(wait, async {
        let mut buf = [0u8; 1024];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => read.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    outcome.ok().map(|()| read)
}

const HEALTH: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/// Sends a health check on `stream` and reads the whole answer (keeping the
/// connection open); `None` if none came within `wait`.
async fn health(stream: &mut TcpStream, wait: Duration) -> Option<String> {
    stream.write_all(HEALTH).await.unwrap();
    let mut read = Vec::new();
    tokio::time::timeout(wait, async {
        let mut buf = [0u8; 1024];
        while !String::from_utf8_lossy(&read).contains("\"ok\"") {
            let n = stream.read(&mut buf).await.unwrap();
            assert!(n > 0, "closed before answering");
            read.extend_from_slice(&buf[..n]);
        }
    })
    .await
    .ok()
    .map(|()| String::from_utf8_lossy(&read).into_owned())
}

#[tokio::test]
async fn a_client_that_trickles_its_request_line_is_disconnected() {
    let (server, addr) = listening(ConnectionLimits {
        header_read_timeout: Duration::from_millis(200),
        ..ConnectionLimits::default()
    });
    let mut trickling = TcpStream::connect(&addr).await.unwrap();
    trickling.write_all(b"GET /healthz HT").await.unwrap();
    let mut silent = TcpStream::connect(&addr).await.unwrap();
    assert!(
        closed_within(&mut trickling, PATIENCE).await.is_some(),
        "a half-sent request line keeps its connection"
    );
    assert!(
        closed_within(&mut silent, PATIENCE).await.is_some(),
        "a connection that sends nothing stays open"
    );
    // A client that sends its request at once is answered.
    let mut prompt = TcpStream::connect(&addr).await.unwrap();
    let answer = health(&mut prompt, PATIENCE).await.expect("an answer");
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    drop(prompt);
    server.stop().unwrap();
}

#[tokio::test]
async fn past_the_connection_cap_a_client_waits_until_one_closes() {
    let (server, addr) = listening(ConnectionLimits {
        max_connections: 2,
        ..ConnectionLimits::default()
    });
    let mut first = TcpStream::connect(&addr).await.unwrap();
    let mut second = TcpStream::connect(&addr).await.unwrap();
    for open in [&mut first, &mut second] {
        assert!(health(open, PATIENCE).await.is_some());
    }
    let mut third = TcpStream::connect(&addr).await.unwrap();
    third.write_all(HEALTH).await.unwrap();
    let mut buf = [0u8; 64];
    let early = tokio::time::timeout(Duration::from_millis(300), third.read(&mut buf)).await;
    assert!(early.is_err(), "the third connection was served: {early:?}");
    // The open ones are still served.
    assert!(health(&mut second, PATIENCE).await.is_some());
    drop(first);
    let mut read = Vec::new();
    tokio::time::timeout(PATIENCE, async {
        while !String::from_utf8_lossy(&read).contains("\"ok\"") {
            let n = third.read(&mut buf).await.unwrap();
            assert!(n > 0, "closed before answering");
            read.extend_from_slice(&buf[..n]);
        }
    })
    .await
    .expect("served once a connection closed");
    drop((second, third));
    server.stop().unwrap();
}

#[tokio::test]
async fn a_real_listener_limits_by_the_peers_address() {
    let limits = RateLimits {
        token_per_address: Rate::per_minute(1),
        ..RateLimits::default()
    };
    let engine = Engine::builder()
        .clock(ManualClock::default())
        .rate_limits(limits)
        .build()
        .unwrap();
    let (server, addr) = listening_with(engine, ConnectionLimits::default());
    let body = "grant_type=client_credentials&client_id=nobody&client_secret=guess";
    let request = format!(
        "POST /v2/token HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut answers = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(&addr).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let read = closed_within(&mut stream, PATIENCE)
            .await
            .expect("an answer");
        answers.push(String::from_utf8(read).unwrap());
    }
    assert!(answers[0].starts_with("HTTP/1.1 401 "), "{}", answers[0]);
    assert!(answers[1].starts_with("HTTP/1.1 429 "), "{}", answers[1]);
    assert!(
        answers[1]
            .to_ascii_lowercase()
            .contains("\r\nretry-after: 60\r\n"),
        "{}",
        answers[1]
    );
    assert!(answers[1].contains("\"code\":20429"), "{}", answers[1]);
    server.stop().unwrap();
}
