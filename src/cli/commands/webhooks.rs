//! `webhooks:*` — stored webhook deliveries.

use clap::Subcommand;

use crate::cli::Ctx;
use crate::error::{Error, Result};
use crate::ops::events;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Re-process stored webhook events whose processing failed
    Retry {
        /// How far back to look, in hours
        #[arg(long, allow_negative_numbers = true, default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=8760))]
        hours: u32,
    },
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    let Command::Retry { hours } = cmd;
    let done = events::retry(ctx.app_to_read().await?, hours, ctx.ui.progress().as_ref()).await?;
    let human = format!(
        "{} failed event(s) in the last {hours} h: {} processed now, {} still failing",
        done.found, done.processed, done.still_failing
    );
    ctx.out.message(&done, &human)?;
    if done.still_failing > 0 {
        return Err(Error::check_failed(format!("{} event(s) still fail", done.still_failing))
            .with_help("the error of each is in webhook_events.last_error")
            .reported());
    }
    Ok(())
}
