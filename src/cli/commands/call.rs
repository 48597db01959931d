//! `call:simulate` — drive a scripted call through the daemon's function handlers.

use clap::Subcommand;

use super::id_parser;
use crate::cli::Ctx;
use crate::error::{Error, Result};
use crate::functions::simulate::{self, Scenario};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scripted call (new-booking, returning, availability, reschedule, cancel,
    /// upstream-timeout) and print each step
    Simulate {
        /// Branch id (see `askpro branch:list`)
        #[arg(long, value_parser = id_parser())]
        branch_id: i64,
        /// The caller's number; omit for a withheld number
        #[arg(long, value_name = "PHONE")]
        from: Option<String>,
        #[arg(long, value_enum)]
        scenario: Scenario,
        /// When the call happens, RFC 3339 (default: now)
        #[arg(long, value_name = "RFC3339")]
        now: Option<String>,
    },
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    let Command::Simulate { branch_id, from, scenario, now } = cmd;
    let now = now
        .map(|s| {
            chrono::DateTime::parse_from_rfc3339(s.trim()).map(|t| t.to_utc()).map_err(|_| {
                Error::invalid(format!("--now '{s}' is not an RFC 3339 instant"))
                    .with_help("e.g. --now 2026-11-23T09:00:00+01:00")
            })
        })
        .transpose()?;
    let app = ctx.app_to_read().await?;
    let branch = crate::ops::branch::get(app, branch_id).await?;
    let company = crate::ops::company::get(app, branch.company_id).await?;
    let from = crate::domain::E164::parse_opt(from.as_deref(), company.country.parse()?)?;
    let steps = simulate::run(app, branch_id, from, scenario, now).await?;
    let mut human = String::new();
    for step in &steps {
        human.push_str(&format!("→ {} {}\n", step.function, step.args));
        let status = serde_json::to_value(step.answer.status)?;
        human.push_str(&format!("← {}: {}\n", status.as_str().unwrap_or(""), step.answer.message));
    }
    ctx.out.message(&steps, human.trim_end())?;
    // For CI: an outcome the scenario does not mean is a failed check, and says why.
    simulate::verdict(scenario, &steps).map_err(|why| {
        let name = clap::ValueEnum::to_possible_value(&scenario).map(|v| v.get_name().to_string()).unwrap_or_default();
        Error::check_failed(format!("the {name} scenario did not come out as it should: {why}"))
            .with_help("each step's answer is printed above")
            .reported()
    })
}
