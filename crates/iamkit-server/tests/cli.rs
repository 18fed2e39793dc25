//! The `iamkit` command as a user first meets it: errors that name what failed,
//! `--host localhost`, `/healthz`, one log line per request, and `--help` that never
//! prints a secret from the environment.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_iamkit");

/// Runs the command to its end (each case here exits at once).
fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("IAMKIT_ADMIN_TOKEN")
        .output()
        .expect("run iamkit")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Waits (bounded) for the bootstrap file and returns its document.
fn wait_for_bootstrap(path: &Path, child: &mut std::process::Child) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(text) = std::fs::read_to_string(path) {
            if !text.is_empty() {
                return serde_json::from_str(&text).expect("bootstrap JSON");
            }
        }
        assert!(child.try_wait().unwrap().is_none(), "iamkit exited early");
        assert!(Instant::now() < deadline, "no bootstrap file after 20 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A plain HTTP/1.1 GET with `headers` (each line ending in `\r\n`); returns the
/// whole response.
fn request(url: &str, path: &str, headers: &str) -> String {
    let authority = url.strip_prefix("http://").unwrap();
    let mut stream = TcpStream::connect(authority).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\n{headers}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// A plain HTTP/1.1 GET; returns the status line and the body.
fn get(url: &str, path: &str) -> (String, String) {
    let response = request(url, path, "");
    let status = response.lines().next().unwrap_or_default().to_owned();
    let body = response
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    (status, body)
}

#[test]
fn an_address_in_use_names_it_and_suggests_port_0() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = run(&["serve", "--port", &port]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "iamkit: cannot listen on 127.0.0.1:{port}: the address is already in use \
             (is another iamkit running?); pick another port with --port, or --port 0 \
             for a free one\n"
        )
    );
}

#[test]
fn a_bad_frozen_at_shows_the_expected_format() {
    let out = run(&["serve", "--port", "0", "--frozen-at", "2030-01-01 00:00"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: invalid value '2030-01-01 00:00' for '--frozen-at <INSTANT>': "),
        "{err}"
    );
    assert!(
        err.contains("; expected an RFC 3339 instant such as 2030-01-01T00:00:00Z"),
        "{err}"
    );
}

#[test]
fn an_unwritable_bootstrap_path_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing").join("boot.json");
    let out = run(&[
        "serve",
        "--port",
        "0",
        "--bootstrap",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "iamkit: cannot write the bootstrap file {}: No such file or directory (os error 2)\n",
            path.display()
        )
    );
}

#[test]
fn a_short_admin_token_is_refused() {
    let out = run(&["serve", "--port", "0", "--admin-token", "a"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with(
        "error: invalid value 'a' for '--admin-token <TOKEN>': the admin token must be at least 16 characters long"
    ));
}

#[test]
fn help_names_the_admin_token_variable_but_never_its_value() {
    let out = Command::new(BIN)
        .args(["serve", "--help"])
        .env("IAMKIT_ADMIN_TOKEN", "do-not-print-this-admin-token")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("[env: IAMKIT_ADMIN_TOKEN]"), "{help}");
    assert!(!help.contains("do-not-print-this-admin-token"), "{help}");
}

#[test]
fn an_issuer_given_names_the_tokens_and_the_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let boot = dir.path().join("boot.json");
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--port",
            "0",
            "--issuer",
            "https://iam.example.com/",
        ])
        .arg("--bootstrap")
        .arg(&boot)
        .env_remove("IAMKIT_ISSUER")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let doc = wait_for_bootstrap(&boot, &mut child);
    let url = doc["url"].as_str().unwrap().to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:"),
        "it listens where it did: {url}"
    );
    let (status, body) = get(&url, "/.well-known/oauth-authorization-server");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(status, "HTTP/1.1 200 OK");
    let metadata: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(metadata["issuer"], "https://iam.example.com");
    assert_eq!(
        metadata["token_endpoint"],
        "https://iam.example.com/v2/token"
    );
}

#[test]
fn localhost_serves_healthz_and_logs_one_line_per_request() {
    let dir = tempfile::tempdir().unwrap();
    let boot = dir.path().join("boot.json");
    let log = dir.path().join("stderr.log");
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--host",
            "localhost",
            "--port",
            "0",
            "--log",
            "--empty",
        ])
        .arg("--bootstrap")
        .arg(&boot)
        .env_remove("IAMKIT_ADMIN_TOKEN")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let doc = wait_for_bootstrap(&boot, &mut child);
    let url = doc["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let (status, body) = get(&url, "/healthz");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(body, r#"{"status":"ok"}"#);
    let (status, _) = get(&url, "/no/such/path?code=secret-code");
    assert_eq!(status, "HTTP/1.1 404 Not Found");
    child.kill().unwrap();
    let mut banner = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut banner)
        .unwrap();
    child.wait().unwrap();

    let token = doc["admin_token"].as_str().unwrap();
    assert!(
        banner.contains(&format!("export IAMKIT_ADMIN_TOKEN={token}\n")),
        "{banner}"
    );
    let log = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 2, "one line per request: {log}");
    assert!(lines[0].contains("method=GET path=/healthz"), "{log}");
    assert!(lines[0].contains("status=200"), "{log}");
    assert!(
        lines[1].contains("path=/no/such/path") && lines[1].contains("status=404"),
        "{log}"
    );
    assert!(
        !log.contains("secret-code"),
        "no query string in the log: {log}"
    );
}

#[test]
fn cors_origins_come_from_the_flag_or_the_environment_and_are_checked() {
    let out = run(&[
        "serve",
        "--port",
        "0",
        "--cors-origin",
        "https://app.example/",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "invalid value 'https://app.example/' for '--cors-origin <ORIGIN>': \
             \"https://app.example/\" is not an origin: write it as browsers send it, \
             https://app.example (no path, no default port)"
        ),
        "{}",
        stderr(&out)
    );
    let out = run(&[
        "serve",
        "--port",
        "0",
        "--cors-origin",
        "*,https://app.example",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "iamkit: --cors-origin: the origin * allows every origin: give it alone\n"
    );

    let dir = tempfile::tempdir().unwrap();
    let boot = dir.path().join("boot.json");
    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0", "--empty", "--bootstrap"])
        .arg(&boot)
        .env_remove("IAMKIT_ADMIN_TOKEN")
        .env(
            "IAMKIT_CORS_ORIGINS",
            "https://app.example,http://localhost:5173",
        )
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let doc = wait_for_bootstrap(&boot, &mut child);
    let url = doc["url"].as_str().unwrap().to_owned();
    let allowed = |origin: &str| {
        request(&url, "/healthz", &format!("Origin: {origin}\r\n"))
            .lines()
            .find_map(|l| l.strip_prefix("access-control-allow-origin: "))
            .map(str::to_owned)
    };
    assert_eq!(
        allowed("https://app.example").as_deref(),
        Some("https://app.example")
    );
    assert_eq!(
        allowed("http://localhost:5173").as_deref(),
        Some("http://localhost:5173")
    );
    assert_eq!(
        allowed("http://localhost:3000"),
        None,
        "the list replaces the local default"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}
