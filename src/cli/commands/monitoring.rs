//! `monitoring:*` — is the running installation healthy, against thresholds, and who is alerted.

use std::time::Duration;

use clap::Subcommand;
use serde_json::json;

use crate::cli::output::print_line;
use crate::cli::Ctx;
use crate::error::{Error, Result};
use crate::ops::monitoring::{self, mask_url, AlertChanges, AlertConfig, Health};
use crate::ops::preflight::Status;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Measure the database, disk, daemon, error rates and upstreams against the thresholds; exit 1 when one is breached
    HealthCheck {
        /// Queue one alert per breach for the configured e-mail and webhook (at most once an hour per breach)
        #[arg(long)]
        alert: bool,
        /// Seconds each measure may take
        #[arg(long, allow_negative_numbers = true, value_name = "SECS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=600))]
        timeout: u64,
    },
    /// Set the alert targets and thresholds (installation-wide); with no flag, show them
    ConfigureAlerts {
        /// E-mail address for alerts ('' removes it)
        #[arg(long, value_name = "ADDR")]
        email: Option<String>,
        /// Webhook for alerts, posted as JSON {"text": …} (Slack incoming webhooks); '' removes it
        #[arg(long, value_name = "URL")]
        webhook_url: Option<String>,
        /// The daemon's CPU use, in percent of one core (default 80)
        #[arg(long, value_name = "PCT", allow_negative_numbers = true)]
        threshold_cpu: Option<f64>,
        /// The daemon's resident memory, in MB (default 1024)
        #[arg(long, value_name = "MB", allow_negative_numbers = true)]
        threshold_memory: Option<f64>,
        /// Disk use of the database's volume, in percent (default 90)
        #[arg(long, value_name = "PCT", allow_negative_numbers = true)]
        threshold_disk: Option<f64>,
        /// Failed function answers, webhooks or upstream requests, in percent (default 5)
        #[arg(long, value_name = "PCT", allow_negative_numbers = true)]
        threshold_error_rate: Option<f64>,
    },
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::HealthCheck { alert, timeout } => health_check(ctx, alert, Duration::from_secs(timeout)).await,
        Command::ConfigureAlerts {
            email,
            webhook_url,
            threshold_cpu,
            threshold_memory,
            threshold_disk,
            threshold_error_rate,
        } => {
            let changes = AlertChanges {
                email,
                webhook_url,
                threshold_cpu,
                threshold_memory,
                threshold_disk,
                threshold_error_rate,
            };
            let problems = changes.problems();
            if !problems.is_empty() {
                return Err(Error::invalid(problems.join("; "))
                    .with_help("askpro monitoring:configure-alerts --help lists the flags and their units"));
            }
            let config = monitoring::configure(ctx.app().await?, &changes).await?;
            if !changes.is_empty() && !ctx.out.json {
                crate::cli::output::notice("alert settings saved");
            }
            show(ctx, &config)
        }
    }
}

fn show(ctx: &Ctx, c: &AlertConfig) -> Result<()> {
    let value = json!({
        "email": c.email,
        "webhook_url": c.webhook_url.as_deref().map(mask_url),
        "threshold_cpu": c.threshold_cpu,
        "threshold_memory": c.threshold_memory,
        "threshold_disk": c.threshold_disk,
        "threshold_error_rate": c.threshold_error_rate,
        "defaults": c.defaults,
    });
    let threshold = |name: &str, v: f64, unit: &str| {
        let default = if c.defaults.contains(&name) { " (default)" } else { "" };
        format!("{v} {unit}{default}")
    };
    ctx.out.show(
        &value,
        &[
            ("email", c.email.clone().unwrap_or_else(|| "-".into())),
            ("webhook url", c.webhook_url.as_deref().map(mask_url).unwrap_or_else(|| "-".into())),
            ("cpu", threshold("threshold_cpu", c.threshold_cpu, "% of one core")),
            ("memory", threshold("threshold_memory", c.threshold_memory, "MB")),
            ("disk", threshold("threshold_disk", c.threshold_disk, "% in use")),
            ("error rate", threshold("threshold_error_rate", c.threshold_error_rate, "% failed")),
        ],
    )
}

async fn health_check(ctx: &Ctx, alert: bool, timeout: Duration) -> Result<()> {
    let settings = ctx.settings()?;
    let started = std::time::Instant::now();
    let Health { report, alerts, alert_problem, .. } =
        monitoring::health_check(settings, timeout, alert, ctx.ui.spinner().as_ref()).await;
    if ctx.out.json {
        let mut value = serde_json::to_value(&report)?;
        if alert {
            value["alerts"] = serde_json::to_value(&alerts)?;
        }
        crate::cli::output::print_json(&value)?;
    } else {
        let mut text = super::preflight::render(&report, started.elapsed());
        for a in &alerts {
            text.push_str(&match a.queued {
                true => format!(
                    "\nalert queued for {} ({}): delivery is not built yet, it waits in the outbox",
                    a.breach,
                    a.targets.join(", ")
                ),
                false => format!("\nalert for {} not queued: one went out within the last hour", a.breach),
            });
        }
        print_line(&text)?;
    }
    if let Some(problem) = alert_problem {
        return Err(Error::config(format!("--alert: {problem}"))
            .with_help("askpro monitoring:configure-alerts --email ops@example.com (or --webhook-url URL)")
            .reported());
    }
    let failed: Vec<String> =
        report.checks.iter().filter(|c| c.status == Status::Fail).map(|c| format!("{} {}", c.scope, c.name)).collect();
    if report.missing_config() {
        return Err(Error::config(format!(
            "{} breached, some for a missing setting: {}",
            failed.len(),
            failed.join(", ")
        ))
        .with_help("each ✗ line says what to set or run")
        .reported());
    }
    if !failed.is_empty() {
        return Err(Error::check_failed(format!("{} breached: {}", failed.len(), failed.join(", ")))
            .with_help("each ✗ line says what to run")
            .reported());
    }
    Ok(())
}
