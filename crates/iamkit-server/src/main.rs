//! `iamkit serve`: the Twilio-compatible emulator on an in-memory engine.

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Parser, Subcommand};
use iamkit::{Engine, ManualClock, OffsetClock, ScimRules};
use iamkit_server::{base_url, demo, serve, state, Bootstrap, ResponseStyle, ServerOptions};

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
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to bind; 0 picks a free one.
    #[arg(long, default_value_t = 8750)]
    port: u16,
    /// Also write the URL, admin token and demo credentials to this JSON file.
    #[arg(long)]
    bootstrap: Option<PathBuf>,
    /// Start with no organization: only the admin token.
    #[arg(long)]
    empty: bool,
    /// Keep the state in this SQLite database file (created, owner-only, if
    /// missing), so it and the signing key survive restarts. The demo is seeded
    /// only into a database that holds no organization yet.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
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
    /// Use this admin token instead of a random one.
    #[arg(long, env = "IAMKIT_ADMIN_TOKEN")]
    admin_token: Option<String>,
    /// Log each request (method, path, status, latency; never a secret).
    #[arg(long)]
    log: bool,
    /// Run on a frozen clock standing at this RFC 3339 instant, moved only through
    /// the admin API (by default the clock follows system time and can be shifted).
    #[arg(long, value_name = "INSTANT")]
    frozen_at: Option<String>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let Command::Serve(args) = Cli::parse().command;
    match run(args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("iamkit: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: ServeArgs) -> Result<(), Box<dyn std::error::Error>> {
    if args.log {
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| "tower_http=debug,iamkit_server=info".into()),
            )
            .init();
    }
    let listener = tokio::net::TcpListener::bind((args.host, args.port)).await?;
    let url = base_url(listener.local_addr()?);
    let builder = match &args.frozen_at {
        Some(at) => Engine::builder()
            .clock(ManualClock::parse(at).map_err(|e| format!("--frozen-at {at:?}: {e}"))?),
        None => Engine::builder().clock(OffsetClock::new()),
    };
    let builder = match &args.db {
        Some(path) => builder.database(path),
        None => builder,
    };
    let engine = Arc::new(builder.issuer(&url).scim_rules(args.scim_rules).build()?);
    let options = ServerOptions {
        host: args.host,
        port: args.port,
        response_style: args.response_style,
        admin_token: args.admin_token,
    };
    let (state, admin_token) = state(engine.clone(), &options);
    let bootstrap = if args.empty || !engine.organizations().is_empty() {
        demo::empty(&url, &admin_token)
    } else {
        demo::seed(&engine, &url, &admin_token)?
    };
    if let Some(path) = &args.bootstrap {
        std::fs::write(path, serde_json::to_string_pretty(&bootstrap)?)?;
    }
    print_banner(&bootstrap);
    serve(listener, state, shutdown_signal()).await?;
    eprintln!("iamkit: stopped");
    Ok(())
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
    println!("iamkit emulator listening on {}", b.url);
    println!("admin token: {}", b.admin_token);
    if let Some(org) = &b.organization_sid {
        println!("organization: {org}");
    }
    if let Some(account) = &b.account_sid {
        println!("account: {account}");
    }
    for user in &b.users {
        println!("user: {} {} ({})", user.sid, user.user_name, user.role);
    }
    if let Some(apps) = &b.apps {
        let cc = &apps.org_client_credentials;
        println!(
            "organization client-credentials app: {} / {}",
            cc.client_id, cc.client_secret
        );
        let ac = &apps.org_authorization_code;
        println!(
            "organization authorization-code app: {} / {} (redirect {})",
            ac.client_id,
            ac.client_secret,
            ac.redirect_uri.as_deref().unwrap_or("")
        );
        let acct = &apps.account_client_credentials;
        println!(
            "account client-credentials app: {} / {}",
            acct.client_id, acct.client_secret
        );
        println!("\nget a token:");
        println!(
            "curl -s {}/v2/token -d grant_type=client_credentials -d client_id={} -d client_secret={}",
            b.url, cc.client_id, cc.client_secret
        );
    }
}
