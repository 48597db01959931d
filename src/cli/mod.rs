//! The `askpro` command line: clap types, `ns:verb` normalisation, dispatch, exit codes.

mod argv;
pub mod commands;
pub mod output;
pub mod ui;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use serde_json::json;

use crate::app::App;
use crate::config::{Overrides, Settings};
use crate::error::{Error, Result};
use crate::store::PoolSize;
use commands::{
    branch, calcom, call, company, db, debug, key, monitoring, nlu, onboarding, performance, preflight, retell,
    service, setup, staff, templates, webhooks,
};
pub use output::Output;
pub use ui::Ui;

#[derive(Debug, Parser)]
#[command(
    name = "askpro",
    version,
    about = "Run AI phone receptionists for many small businesses: onboarding, Retell agents, Cal.com, checks.",
    long_about = None,
    propagate_version = true,
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Namespace,
}

#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// Print exactly one JSON document on stdout (errors as {"error": {...}})
    #[arg(long, global = true)]
    pub json: bool,
    /// Print only the new id (create commands) or ids (lists)
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Never prompt; a missing value is an error naming its flag
    #[arg(short = 'n', long = "no-interaction", global = true)]
    pub no_interaction: bool,
    /// Settings file (default: ./askpro.toml when present)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Namespace {
    /// A whole business from an industry preset in one command
    #[command(subcommand)]
    Onboarding(onboarding::Command),
    /// The interactive Quick Setup on a terminal
    #[command(subcommand)]
    Setup(setup::Command),
    /// Companies (tenants): create, config, greeting, list, show
    #[command(subcommand)]
    Company(company::Command),
    /// Branches with opening hours and notification targets
    #[command(subcommand)]
    Branch(branch::Command),
    /// Services, synonyms and CSV synonym import
    #[command(subcommand)]
    Service(service::Command),
    /// Staff and their services
    #[command(subcommand)]
    Staff(staff::Command),
    /// Cal.com: test the key, import event types and members, verify sync
    #[command(subcommand)]
    Calcom(calcom::Command),
    /// Look at appointments and working hours on a day
    #[command(subcommand)]
    Debug(debug::Command),
    /// Simulated calls through the daemon's function handlers
    #[command(subcommand)]
    Call(call::Command),
    /// Retell: voice agents, phone numbers, signed test requests and custom functions
    #[command(subcommand)]
    Retell(retell::Command),
    /// Stored webhook deliveries: retry the failed ones
    #[command(subcommand)]
    Webhooks(webhooks::Command),
    /// Is the installation ready for calls? Checks for CI and go-lives
    #[command(subcommand)]
    Preflight(preflight::Command),
    /// Health against thresholds, and alerts when one is breached
    #[command(subcommand)]
    Monitoring(monitoring::Command),
    /// Database performance: slow queries, missing indexes, N+1 requests, caches
    #[command(subcommand)]
    Performance(performance::Command),
    /// Database migrations
    #[command(subcommand)]
    Db(db::Command),
    /// The master key that encrypts secrets at rest
    #[command(subcommand)]
    Key(key::Command),
    /// Language understanding: spoken dates and times
    #[command(subcommand)]
    Nlu(nlu::Command),
    /// Industry presets: what a new business of a kind starts with
    #[command(subcommand)]
    Templates(templates::Command),
    /// Print shell completions (bash, zsh, fish) to stdout
    Completions(commands::completions::Args),
    /// List every command in `namespace:verb` form
    List,
}

/// Everything a command needs; the store is connected on first use, so `completions`,
/// `key:generate` and `list` never touch a database.
pub struct Ctx {
    pub out: Output,
    pub ui: Ui,
    overrides: Overrides,
    app: tokio::sync::OnceCell<App>,
}

impl Ctx {
    pub async fn app(&self) -> Result<&App> {
        self.app
            .get_or_try_init(|| async {
                let settings = Settings::load(&self.overrides)?;
                // One query at a time: one connection, closed (and checkpointed) before exit.
                App::connect(settings, PoolSize(1)).await
            })
            .await
    }

    /// The app for a command that needs what a database already holds (an id to act on, or
    /// rows to show): a SQLite database that does not exist is said to be missing (exit 6)
    /// instead of being created empty.
    pub async fn app_to_read(&self) -> Result<&App> {
        let settings = self.settings()?;
        if let Some(path) = crate::config::sqlite_path(&settings.database_url) {
            if !path.exists() {
                let shown = std::path::absolute(&path).unwrap_or(path);
                return Err(Error::unset(format!("there is no askpro database at {}", shown.display())).with_help(
                    "run askpro where its askpro.db is, set ASKPRO_DATABASE_URL, or start one with \
                     `askpro onboarding:automated` or `askpro company:create`",
                ));
            }
        }
        self.app().await
    }

    pub fn settings(&self) -> Result<Settings> {
        Settings::load(&self.overrides)
    }
}

/// The clap command tree, as used for parsing, help and completions; `--help` lists every
/// command in the `namespace:verb` form operators type.
pub fn command() -> clap::Command {
    let cmd = Cli::command();
    let list = leaf_commands(&cmd);
    let width = list.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    let mut help =
        String::from("Every command (`askpro namespace verb` works too; `askpro list` prints this as a table):\n");
    for (name, about) in &list {
        help.push_str(&format!("  {name:<width$}  {about}\n"));
    }
    cmd.after_help(help)
}

/// Every leaf command as (`ns:verb`, about).
pub fn command_list() -> Vec<(String, String)> {
    leaf_commands(&Cli::command())
}

fn leaf_commands(cmd: &clap::Command) -> Vec<(String, String)> {
    let mut list = Vec::new();
    for ns in cmd.get_subcommands() {
        let subs: Vec<_> = ns.get_subcommands().collect();
        if subs.is_empty() {
            list.push((ns.get_name().to_string(), about(ns)));
        }
        for verb in subs {
            list.push((format!("{}:{}", ns.get_name(), verb.get_name()), about(verb)));
        }
    }
    list
}

fn about(cmd: &clap::Command) -> String {
    cmd.get_about().map(|a| a.to_string()).unwrap_or_default()
}

/// Runs the CLI on `args` (including the program name) and returns the exit code.
pub fn run(args: Vec<OsString>) -> i32 {
    let wants_json = args.iter().skip(1).any(|a| a == "--json");
    // One command tree per run: it names the namespaces for `ns:verb` and then parses.
    let cmd = command();
    let names: Vec<String> = cmd.get_subcommands().map(|c| c.get_name().to_string()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let args = argv::normalise(args, &names);
    let cli = match cmd.try_get_matches_from(args).and_then(|m| Cli::from_arg_matches(&m)) {
        Ok(cli) => cli,
        Err(e) => return usage_error(e, wants_json),
    };
    let out = Output { json: cli.global.json, quiet: cli.global.quiet };
    let ctx = Ctx {
        out,
        ui: Ui::new(cli.global.no_interaction),
        overrides: Overrides {
            config_file: cli.global.config.clone(),
            database_url: cli.global.database_url.clone(),
            listen: None,
        },
        app: tokio::sync::OnceCell::new(),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            out.error(&Error::internal("cannot start the async runtime").with_source(e));
            return 70;
        }
    };
    let result = runtime.block_on(async {
        let result = dispatch(cli.command, &ctx).await;
        if let Some(app) = ctx.app.get() {
            app.store.close().await;
        }
        result
    });
    match result {
        Ok(()) => 0,
        Err(err) => {
            out.error(&err);
            err.exit_code()
        }
    }
}

fn usage_error(e: clap::Error, wants_json: bool) -> i32 {
    use clap::error::ErrorKind as K;
    let code = match e.kind() {
        K::DisplayHelp | K::DisplayVersion => 0,
        _ => 2,
    };
    let _ = e.print();
    if code != 0 && wants_json {
        let message = e.kind().as_str().unwrap_or("invalid usage").to_string();
        let rendered = e.render().to_string();
        let detail = rendered.lines().next().unwrap_or(&message).trim_start_matches("error: ").to_string();
        let _ = output::print_json(&json!({"error": {"code": "invalid_input", "message": detail}}));
    }
    code
}

async fn dispatch(command: Namespace, ctx: &Ctx) -> Result<()> {
    match command {
        Namespace::Onboarding(cmd) => onboarding::run(cmd, ctx).await,
        Namespace::Setup(cmd) => setup::run(cmd, ctx).await,
        Namespace::Company(cmd) => company::run(cmd, ctx).await,
        Namespace::Branch(cmd) => branch::run(cmd, ctx).await,
        Namespace::Service(cmd) => service::run(cmd, ctx).await,
        Namespace::Staff(cmd) => staff::run(cmd, ctx).await,
        Namespace::Calcom(cmd) => calcom::run(cmd, ctx).await,
        Namespace::Debug(cmd) => debug::run(cmd, ctx).await,
        Namespace::Call(cmd) => call::run(cmd, ctx).await,
        Namespace::Retell(cmd) => retell::run(cmd, ctx).await,
        Namespace::Webhooks(cmd) => webhooks::run(cmd, ctx).await,
        Namespace::Preflight(cmd) => preflight::run(cmd, ctx).await,
        Namespace::Monitoring(cmd) => monitoring::run(cmd, ctx).await,
        Namespace::Performance(cmd) => performance::run(cmd, ctx).await,
        Namespace::Db(cmd) => db::run(cmd, ctx).await,
        Namespace::Key(cmd) => key::run(cmd, ctx).await,
        Namespace::Nlu(cmd) => nlu::run(cmd, ctx).await,
        Namespace::Templates(cmd) => templates::run(cmd, ctx).await,
        Namespace::Completions(_) if ctx.out.json => {
            Err(Error::invalid("completions prints a shell script; --json does not apply")
                .with_help("askpro completions bash > /etc/bash_completion.d/askpro"))
        }
        Namespace::Completions(args) => commands::completions::run(args),
        Namespace::List => {
            let list = command_list();
            let rows: Vec<_> = list.iter().map(|(name, about)| json!({"command": name, "about": about})).collect();
            ctx.out.list("commands", &rows, &["command", "what it does"], |r| {
                vec![r["command"].as_str().unwrap_or("").to_string(), r["about"].as_str().unwrap_or("").to_string()]
            })
        }
    }
}
