//! `preflight:check` — is this installation ready to take calls? For CI and go-lives.

use std::time::Duration;

use clap::Subcommand;

use crate::cli::output::print_line;
use crate::cli::Ctx;
use crate::error::{Error, Result};
use crate::ops::preflight::{self, Report, Request, Status};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the database, migrations, master key, daemon, agents, numbers and calendars; exit 1 if any check fails
    Check {
        /// Only this company's checks (default: every company)
        #[arg(long, value_parser = super::id_parser())]
        company_id: Option<i64>,
        /// Skip the checks that call Retell or Cal.com
        #[arg(long)]
        skip_external: bool,
        /// Seconds each check may take
        #[arg(long, allow_negative_numbers = true, value_name = "SECS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=600))]
        timeout: u64,
        /// The Retell key to sign the daemon's test event with (default: RETELL_API_KEY)
        #[arg(long, env = "ASKPRO_TRIGGER_KEY", hide_env_values = true)]
        key: Option<String>,
    },
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    let Command::Check { company_id, skip_external, timeout, key } = cmd;
    let settings = ctx.settings()?;
    let req = Request { company_id, skip_external, timeout: Duration::from_secs(timeout), signing_key: key };
    let started = std::time::Instant::now();
    let report = preflight::run(settings, &req, ctx.ui.spinner().as_ref()).await;
    if ctx.out.json {
        crate::cli::output::print_json(&serde_json::to_value(&report)?)?;
    } else {
        print_line(&render(&report, started.elapsed()))?;
    }
    let failed = report.count(Status::Fail);
    if report.missing_config() {
        return Err(Error::config(format!("{failed} check(s) failed, some for a missing setting"))
            .with_help("each ✗ line says what to set or run")
            .reported());
    }
    if failed > 0 {
        return Err(Error::check_failed(format!("{failed} check(s) failed"))
            .with_help("each ✗ line says what to run")
            .reported());
    }
    Ok(())
}

/// One line per check (`✓ scope  name  detail`), the fix under each ✗ and !, and a summary.
pub(crate) fn render(report: &Report, took: Duration) -> String {
    let scope_w = report.checks.iter().map(|c| c.scope.chars().count()).max().unwrap_or(0);
    let name_w = report.checks.iter().map(|c| c.name.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for c in &report.checks {
        out.push_str(&format!("{} {:scope_w$}  {:name_w$}  {}\n", c.status.mark(), c.scope, c.name, c.detail));
        if let Some(fix) = c.fix.as_deref().filter(|_| matches!(c.status, Status::Fail | Status::Warn)) {
            out.push_str(&format!("  {:scope_w$}  {:name_w$}  fix: {fix}\n", "", ""));
        }
    }
    out.push_str(&format!(
        "{} passed, {} failed, {} warning(s), {} skipped in {:.2} s",
        report.count(Status::Pass),
        report.count(Status::Fail),
        report.count(Status::Warn),
        report.count(Status::Skip),
        took.as_secs_f64()
    ));
    out
}
