//! `askpro-daemon`: settings → store → listener → serve until SIGTERM/Ctrl-C.

use std::sync::Arc;

use clap::Parser;

use askpro::app::App;
use askpro::config::{Overrides, Settings};
use askpro::daemon::{serve, State};
use askpro::secrets::{redact, Redacting};
use askpro::store::PoolSize;

/// mimalloc instead of the system allocator: under load every request allocates on both
/// worker threads, and glibc's arenas made them wait on each other's locks (see README,
/// "Performance").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "askpro-daemon", version, about = "Receives Retell's signed webhooks and custom function calls")]
struct Args {
    /// Listen address [env: ASKPRO_LISTEN] [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
    /// Settings file (default: ./askpro.toml when present)
    #[arg(long, value_name = "FILE")]
    config: Option<std::path::PathBuf>,
    /// Log format
    #[arg(long, value_enum, default_value = "text")]
    log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

fn main() {
    let args = Args::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("ASKPRO_LOG").unwrap_or_else(|_| "info".into());
    // No secret the daemon knows reaches its log, whatever text carried it.
    // Colours only on a terminal: a log file or journald gets plain text.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(|| Redacting(std::io::stderr()));
    match args.log_format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
    let overrides = Overrides { config_file: args.config, database_url: args.database_url, listen: args.listen };
    // Descriptors bound how many connections the daemon can hold; the hard limit is what the
    // operator allows, so take all of it.
    match askpro::daemon::connections::raise_fd_limit() {
        Ok(limit) => tracing::debug!(open_files = limit, "open-file limit raised to the hard limit"),
        Err(e) => tracing::warn!(error = %e, "could not raise the open-file limit"),
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    if let Err(err) = runtime.block_on(run(overrides)) {
        eprintln!("error: {}", redact(&err.to_string()));
        if let Some(help) = err.help() {
            eprintln!("help: {}", redact(help));
        }
        std::process::exit(err.exit_code());
    }
}

async fn run(overrides: Overrides) -> askpro::Result<()> {
    let settings = Settings::load(&overrides)?;
    let listen = settings.listen.clone();
    let app = App::connect(settings, PoolSize(16)).await?;
    let listener = tokio::net::TcpListener::bind(&listen).await.map_err(|e| {
        askpro::Error::config(format!("cannot listen on {listen}"))
            .with_help("set ASKPRO_LISTEN or --listen to a free address")
            .with_source(e)
    })?;
    let state = Arc::new(State::new(app).await?);
    tracing::info!(address = %listener.local_addr()?, max_connections = state.max_connections(), "askpro-daemon listening");
    serve(listener, state, shutdown_signal()).await?;
    tracing::info!("askpro-daemon stopped");
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
