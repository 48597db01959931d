//! `nlu:*` — the language features, runnable from the terminal.

use clap::Subcommand;

use crate::cli::Ctx;
use crate::domain::parse_timezone;
use crate::error::{Error, Result};
use crate::nlu;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Resolve a spoken date and time ("morgen um halb drei")
    When {
        /// What the caller said
        text: String,
        /// The reference instant, RFC 3339 (default: now)
        #[arg(long, value_name = "RFC3339")]
        now: Option<String>,
        /// The zone the caller speaks in
        #[arg(long, value_name = "IANA", default_value = "Europe/Berlin")]
        tz: String,
    },
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    let Command::When { text, now, tz } = cmd;
    let tz = parse_timezone(&tz)?;
    let now = match now {
        Some(s) => chrono::DateTime::parse_from_rfc3339(s.trim()).map_err(|_| {
            Error::invalid(format!("--now '{s}' is not an RFC 3339 instant"))
                .with_help("e.g. --now 2026-11-18T10:00:00+01:00")
        })?,
        None => chrono::Utc::now().fixed_offset(),
    };
    let when = nlu::resolve_when(&text, &now, tz).to_json();
    // The answer is data in both modes: one JSON object.
    ctx.out.message(&when, &when.to_string())
}
