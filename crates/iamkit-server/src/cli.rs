//! The `iamkit` command line: one flag parser, used by the Rust binary and by the
//! `iamkit` commands of the Python and Node packages.

use std::ffi::OsString;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Parser, Subcommand};
use iamkit::{
    Database, Engine, ManualClock, OffsetClock, Rate, RateLimits, RefreshPolicy, ScimRules,
};

use crate::listen::MAX_CONNECTIONS;
use crate::{
    base_url, demo, parse_host, serve, state, Bootstrap, ConnectionLimits, CorsOrigins,
    ResponseStyle, ServerOptions,
};

/// The shortest admin token `--admin-token` accepts.
pub const MIN_ADMIN_TOKEN_LEN: usize = 16;

/// Below this length, an accepted admin token draws a warning on stderr.
const ADVISED_ADMIN_TOKEN_LEN: usize = 32;

#[derive(Parser)]
#[command(
    name = "iamkit",
    version,
    about = "OAuth 2.0 + SCIM 2.0 engine and Twilio-compatible emulator"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP emulator.
    Serve(ServeArgs),
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to bind: an IP address, or `localhost` (127.0.0.1).
    #[arg(long, default_value = "127.0.0.1", value_parser = parse_host)]
    host: IpAddr,
    /// Port to bind; 0 picks a free one.
    #[arg(long, default_value_t = 8750)]
    port: u16,
    /// Also write the URL, admin token and demo credentials to this JSON file
    /// (readable by its owner only).
    #[arg(long, value_name = "PATH")]
    bootstrap: Option<PathBuf>,
    /// Start with no organization: only the admin token.
    #[arg(long)]
    empty: bool,
    /// Keep the state in a database, so it and the signing key survive restarts:
    /// a SQLite file (a path or `sqlite:PATH`; created, owner-only, if missing) or
    /// PostgreSQL (`postgres://USER@HOST:PORT/DB`), which several replicas may share.
    /// The demo is seeded only into a database that holds no organization yet.
    #[arg(long, value_name = "PATH|URL", value_parser = parse_database)]
    db: Option<Database>,
    /// Token API response shape: `twilio` (null fields kept) or `rfc` (omitted).
    #[arg(long, value_enum, default_value_t = ResponseStyle::Twilio)]
    response_style: ResponseStyle,
    /// SCIM user rules: `twilio` (userName equal to the primary email, at least one
    /// email, each with a value) or `rfc7643` (only what RFC 7643 requires).
    #[arg(
        long,
        value_name = "RULES",
        default_value = "twilio",
        value_parser = PossibleValuesParser::new(ScimRules::ALL.map(ScimRules::as_str))
            .try_map(|s| s.parse::<ScimRules>())
    )]
    scim_rules: ScimRules,
    /// Use this admin token (at least 16 characters) instead of a random one.
    #[arg(
        long,
        env = "IAMKIT_ADMIN_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN",
        value_parser = parse_admin_token
    )]
    admin_token: Option<String>,
    /// Let web pages of this origin (such as http://localhost:3000) read the
    /// emulator's answers in a browser (CORS); repeat it, or separate origins with
    /// commas, for more; `*` lets any origin read them. By default, pages served
    /// from this machine (localhost, 127.0.0.1 or [::1], any port) may.
    #[arg(
        long = "cors-origin",
        env = "IAMKIT_CORS_ORIGINS",
        value_delimiter = ',',
        value_name = "ORIGIN",
        value_parser = crate::cors::parse_origin
    )]
    cors_origins: Vec<String>,
    /// Log one line per request on stderr (method, path, status, latency; never a
    /// query string or a secret).
    #[arg(long)]
    log: bool,
    /// Run on a frozen clock standing at this RFC 3339 instant (for example
    /// 2030-01-01T00:00:00Z), moved only through the admin API. By default the
    /// clock follows system time and can be shifted.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    frozen_at: Option<ManualClock>,
    /// Answer 429 (Retry-After, Twilio code 20429) to client authentications
    /// (token, introspection and revocation requests) naming one app beyond RATE:
    /// a burst of N refilled evenly over a second, minute or hour (10/s, 100/m,
    /// 1000/h). Off by default.
    #[arg(long, env = "IAMKIT_TOKEN_RATE_PER_CLIENT", value_name = "RATE")]
    token_rate_per_client: Option<Rate>,
    /// Answer 429 to client authentications from one source address beyond RATE,
    /// whatever client they name (an IPv6 address counts by its /64). Off by default.
    #[arg(long, env = "IAMKIT_TOKEN_RATE_PER_ADDRESS", value_name = "RATE")]
    token_rate_per_address: Option<Rate>,
    /// Answer 429 to consent decisions (POST /v2/authorize) from one source address
    /// beyond RATE. Off by default.
    #[arg(long, env = "IAMKIT_CONSENT_RATE_PER_ADDRESS", value_name = "RATE")]
    consent_rate_per_address: Option<Rate>,
    /// Close a connection that has not sent a request's line and headers within
    /// this many seconds (fractions allowed).
    #[arg(
        long,
        env = "IAMKIT_HEADER_READ_TIMEOUT",
        value_name = "SECONDS",
        default_value = "10",
        value_parser = parse_timeout
    )]
    header_read_timeout: Duration,
    /// Serve at most this many connections at once; more wait in the system's
    /// queue until one closes.
    #[arg(
        long,
        env = "IAMKIT_MAX_CONNECTIONS",
        value_name = "N",
        default_value_t = MAX_CONNECTIONS,
        value_parser = parse_max_connections
    )]
    max_connections: usize,
    /// How many days a refresh token works after its code was redeemed (rotated
    /// tokens keep the first one's end).
    #[arg(
        long,
        env = "IAMKIT_REFRESH_TOKEN_DAYS",
        value_name = "DAYS",
        default_value = "90",
        value_parser = clap::value_parser!(u16).range(1..=3650)
    )]
    refresh_token_days: u16,
    /// The public URL of the emulator (e.g. behind a load balancer or in a
    /// container): the `iss` of every token and the base of the metadata
    /// document's endpoints. By default, the URL it listens on.
    #[arg(long, env = "IAMKIT_ISSUER", value_name = "URL", value_parser = parse_issuer)]
    issuer: Option<String>,
    /// Rotate refresh tokens: each use returns a new one, and using a retired one
    /// again revokes the whole authorization (RFC 9700 §4.14.2).
    #[arg(long, env = "IAMKIT_ROTATE_REFRESH_TOKENS")]
    rotate_refresh_tokens: bool,
}

/// Parses `args` (the program name first) and runs the command; errors are printed
/// on stderr. Returns the exit status: 0, 1 for a failure, 2 for a usage error
/// (`--help` and `--version` print on stdout and return 0).
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return u8::try_from(e.exit_code()).unwrap_or(2);
        }
    };
    let Command::Serve(args) = cli.command;
    let cors_origins = match CorsOrigins::parse(&args.cors_origins) {
        Ok(origins) => origins,
        Err(e) => {
            eprintln!("iamkit: --cors-origin: {e}");
            return 2;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    match runtime.block_on(serve_command(args, cors_origins)) {
        Ok(()) => 0,
        Err(message) => fail(&message),
    }
}

fn fail(message: &str) -> u8 {
    eprintln!("iamkit: {message}");
    1
}

fn parse_admin_token(s: &str) -> Result<String, String> {
    if s.chars().count() < MIN_ADMIN_TOKEN_LEN {
        return Err(format!(
            "the admin token must be at least {MIN_ADMIN_TOKEN_LEN} characters long"
        ));
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("the admin token must not contain spaces or control characters".into());
    }
    Ok(s.to_owned())
}

/// The longest `--header-read-timeout`: an hour.
const MAX_TIMEOUT_SECONDS: f64 = 3600.0;

fn parse_timeout(s: &str) -> Result<Duration, String> {
    match s.trim().parse::<f64>() {
        Ok(seconds) if seconds > 0.0 && seconds <= MAX_TIMEOUT_SECONDS => {
            Ok(Duration::from_secs_f64(seconds))
        }
        _ => Err(format!(
            "expected a number of seconds above 0 and at most {MAX_TIMEOUT_SECONDS}, such as 10 or 0.5"
        )),
    }
}

fn parse_max_connections(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_MAX_CONNECTIONS).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a number of connections from 1 to {MAX_MAX_CONNECTIONS}"
        )),
    }
}

/// The largest `--max-connections`.
const MAX_MAX_CONNECTIONS: usize = 1 << 20;

/// An `http` or `https` URL with a host and no query or fragment, without its
/// trailing slash.
fn parse_issuer(s: &str) -> Result<String, String> {
    let expected = "expected an http or https URL with a host, no query or fragment \
                    (for example https://iam.example.com)";
    let url = url::Url::parse(s).map_err(|e| format!("{e}: {expected}"))?;
    let fits = matches!(url.scheme(), "http" | "https")
        && url.host().is_some()
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    if !fits {
        return Err(expected.into());
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn parse_database(s: &str) -> Result<Database, String> {
    Ok(Database::parse(s))
}

fn parse_instant(s: &str) -> Result<ManualClock, String> {
    ManualClock::parse(s)
        .map_err(|e| format!("{e}; expected an RFC 3339 instant such as 2030-01-01T00:00:00Z"))
}

async fn serve_command(args: ServeArgs, cors_origins: CorsOrigins) -> Result<(), String> {
    if args.log {
        init_request_log();
    }
    let listener = bind(args.host, args.port).await?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    let url = base_url(local);
    let builder = match args.frozen_at {
        Some(clock) => Engine::builder().clock(clock),
        None => Engine::builder().clock(OffsetClock::new()),
    };
    let builder = match &args.db {
        Some(database) => builder.database(database.clone()),
        None => builder,
    };
    let engine = builder
        .issuer(args.issuer.as_deref().unwrap_or(&url))
        .scim_rules(args.scim_rules)
        .rate_limits(RateLimits {
            token_per_client: args.token_rate_per_client,
            token_per_address: args.token_rate_per_address,
            consent_per_address: args.consent_rate_per_address,
        })
        .refresh_tokens(RefreshPolicy {
            lifetime: time::Duration::days(i64::from(args.refresh_token_days)),
            rotate: args.rotate_refresh_tokens,
        })
        .build()
        .map_err(|e| match &args.db {
            Some(Database::Sqlite(path)) => {
                format!("cannot open the database {}: {e}", path.display())
            }
            Some(database) => format!("cannot open the database {}: {e}", database.shown()),
            None => format!("cannot start the engine: {e}"),
        })?;
    let engine = Arc::new(engine);
    let options = ServerOptions {
        host: args.host,
        port: args.port,
        response_style: args.response_style,
        admin_token: args.admin_token,
        cors_origins,
        connections: ConnectionLimits {
            header_read_timeout: args.header_read_timeout,
            max_connections: args.max_connections,
        },
    };
    let limits = options.connections;
    let (state, admin_token) = state(engine.clone(), &options);
    let bootstrap = if args.empty || !engine.organizations().is_empty() {
        demo::empty(&url, &admin_token)
    } else {
        demo::seed(&engine, &url, &admin_token)
            .map_err(|e| format!("cannot create the demo organization: {e}"))?
    };
    if let Some(path) = &args.bootstrap {
        write_bootstrap(path, &bootstrap)
            .map_err(|e| format!("cannot write the bootstrap file {}: {e}", path.display()))?;
    }
    if options
        .admin_token
        .as_ref()
        .is_some_and(|t| t.chars().count() < ADVISED_ADMIN_TOKEN_LEN)
    {
        eprintln!(
            "iamkit: warning: the admin token is shorter than {ADVISED_ADMIN_TOKEN_LEN} \
             characters; a generated one is used when --admin-token is not given"
        );
    }
    if !local.ip().is_loopback() {
        eprintln!(
            "iamkit: warning: listening on {local}, reachable from other hosts; \
             the emulator is for tests (use --host 127.0.0.1 to stay local)"
        );
    }
    print_banner(&bootstrap);
    serve(listener, state, limits, shutdown_signal())
        .await
        .map_err(|e| format!("the server failed: {e}"))?;
    eprintln!("iamkit: stopped");
    Ok(())
}

/// One line per request on stderr, from the router's trace layer: its span (method
/// and path) with the status and latency when the response is sent.
fn init_request_log() {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "tower_http=info,iamkit_server=info".into()),
        )
        .try_init();
}

async fn bind(host: IpAddr, port: u16) -> Result<tokio::net::TcpListener, String> {
    let addr = SocketAddr::new(host, port);
    tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            format!(
                "cannot listen on {addr}: the address is already in use \
                 (is another iamkit running?); pick another port with --port, \
                 or --port 0 for a free one"
            )
        } else {
            format!("cannot listen on {addr}: {e}")
        }
    })
}

/// Writes the bootstrap document, which holds the admin token and client secrets,
/// readable by its owner only: into a new file beside `path`, then renamed over it,
/// so a file that existed with wider permissions is replaced, not written through.
fn write_bootstrap(path: &Path, bootstrap: &Bootstrap) -> std::io::Result<()> {
    let json = serde_json::to_string_pretty(bootstrap).map_err(std::io::Error::other)?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("the path names no file"))?;
    let mut temp_name = OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".{}.tmp", std::process::id()));
    let temp = dir.join(temp_name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&temp).and_then(|mut file| {
        file.write_all(json.as_bytes())?;
        file.sync_all()
    });
    match written.and_then(|()| std::fs::rename(&temp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// Completes on Ctrl-C or, on Unix, SIGTERM; in-flight requests then finish.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn print_banner(b: &Bootstrap) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", banner(b));
    let _ = out.flush();
}

/// The text printed at start: the URL, a ready `export` line for the admin token,
/// the demo organization and its credentials, and a `curl` command that gets a token.
fn banner(b: &Bootstrap) -> String {
    let mut lines = vec![
        format!("iamkit emulator listening on {}", b.url),
        format!(
            "admin token (for /admin/v1): export IAMKIT_ADMIN_TOKEN={}",
            b.admin_token
        ),
    ];
    if let Some(org) = &b.organization_sid {
        lines.push(format!("organization: {org}"));
    }
    if let Some(account) = &b.account_sid {
        match &b.account_auth_token {
            Some(token) => lines.push(format!("account: {account} (auth token {token})")),
            None => lines.push(format!("account: {account}")),
        }
    }
    for user in &b.users {
        lines.push(format!(
            "user: {} {} ({})",
            user.sid, user.user_name, user.role
        ));
    }
    if let Some(apps) = &b.apps {
        let cc = &apps.org_client_credentials;
        lines.push(format!(
            "organization client-credentials app: {} / {}",
            cc.client_id, cc.client_secret
        ));
        let ac = &apps.org_authorization_code;
        lines.push(format!(
            "organization authorization-code app: {} / {} (redirect {})",
            ac.client_id,
            ac.client_secret,
            ac.redirect_uri.as_deref().unwrap_or("")
        ));
        let acct = &apps.account_client_credentials;
        lines.push(format!(
            "account client-credentials app: {} / {}",
            acct.client_id, acct.client_secret
        ));
        lines.push(String::new());
        lines.push("get a token:".into());
        lines.push(format!(
            "curl -s {}/v2/token -d grant_type=client_credentials -d client_id={} -d client_secret={}",
            b.url, cc.client_id, cc.client_secret
        ));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issuer_is_an_http_url_with_a_host_and_nothing_after_its_path() {
        assert_eq!(
            parse_issuer("https://iam.example.com/").as_deref(),
            Ok("https://iam.example.com")
        );
        assert_eq!(
            parse_issuer("http://10.0.0.5:8080/iam").as_deref(),
            Ok("http://10.0.0.5:8080/iam")
        );
        let expected = "expected an http or https URL with a host, no query or fragment \
                        (for example https://iam.example.com)";
        for bad in [
            "ftp://iam.example.com",
            "https://iam.example.com/?x=1",
            "https://iam.example.com/#top",
            "https://user:pw@iam.example.com",
        ] {
            assert_eq!(parse_issuer(bad), Err(expected.to_owned()), "{bad}");
        }
        assert_eq!(
            parse_issuer("iam.example.com"),
            Err(format!("relative URL without a base: {expected}"))
        );
    }

    #[test]
    fn admin_tokens_are_long_and_printable() {
        assert_eq!(
            parse_admin_token("a"),
            Err("the admin token must be at least 16 characters long".into())
        );
        assert_eq!(
            parse_admin_token("0123456789abcdef ghi"),
            Err("the admin token must not contain spaces or control characters".into())
        );
        assert_eq!(
            parse_admin_token("0123456789abcdef").as_deref(),
            Ok("0123456789abcdef")
        );
    }

    #[test]
    fn connection_limits_are_positive_and_bounded() {
        assert_eq!(parse_timeout("0.2"), Ok(Duration::from_millis(200)));
        assert_eq!(parse_timeout("10"), Ok(Duration::from_secs(10)));
        for bad in ["0", "-1", "3601", "NaN", "inf", "ten"] {
            assert_eq!(
                parse_timeout(bad),
                Err(
                    "expected a number of seconds above 0 and at most 3600, such as 10 or 0.5"
                        .into()
                ),
                "{bad}"
            );
        }
        assert_eq!(parse_max_connections("1"), Ok(1));
        for bad in ["0", "-1", "1048577", "many"] {
            assert_eq!(
                parse_max_connections(bad),
                Err("expected a number of connections from 1 to 1048576".into()),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_bad_instant_names_the_expected_format() {
        let err = parse_instant("yesterday").unwrap_err();
        assert!(
            err.ends_with("; expected an RFC 3339 instant such as 2030-01-01T00:00:00Z"),
            "{err}"
        );
        assert!(parse_instant("2030-01-01T00:00:00Z").is_ok());
    }

    #[test]
    fn the_banner_exports_the_admin_token() {
        let b = demo::empty("http://127.0.0.1:1", "tok_0123456789abcdef");
        assert_eq!(
            banner(&b),
            "iamkit emulator listening on http://127.0.0.1:1\n\
             admin token (for /admin/v1): export IAMKIT_ADMIN_TOKEN=tok_0123456789abcdef"
        );
    }

    #[test]
    fn the_banner_shows_the_demo_accounts_auth_token() {
        let engine = Engine::new();
        let b = demo::seed(&engine, "http://127.0.0.1:1", "tok_0123456789abcdef").unwrap();
        let (account, token) = (
            b.account_sid.clone().unwrap(),
            b.account_auth_token.clone().unwrap(),
        );
        let line = format!("account: {account} (auth token {token})");
        assert!(banner(&b).lines().any(|l| l == line), "{}", banner(&b));
        assert!(engine.authenticate_account(&account, &token).is_ok());
    }

    #[test]
    fn the_bootstrap_file_replaces_a_world_readable_one_with_an_owner_only_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("boot.json");
        std::fs::write(&path, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o666)).unwrap();
        }
        let b = demo::empty("http://127.0.0.1:1", "tok_0123456789abcdef");
        write_bootstrap(&path, &b).unwrap();
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(doc["admin_token"], "tok_0123456789abcdef");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
    }

    #[test]
    fn a_bootstrap_path_in_a_missing_directory_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let b = demo::empty("http://127.0.0.1:1", "tok_0123456789abcdef");
        let err = write_bootstrap(&dir.path().join("missing/boot.json"), &b).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    }
}
