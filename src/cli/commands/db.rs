//! `db:*` — migrations (also applied automatically on first use).

use clap::Subcommand;

use crate::cli::Ctx;
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending migrations
    Migrate,
    /// Show every migration and whether it is applied
    Status,
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    let app = match cmd {
        Command::Migrate => ctx.app().await?,
        Command::Status => ctx.app_to_read().await?,
    };
    let status = match cmd {
        Command::Migrate => app.store.migrate().await?,
        Command::Status => app.store.migration_status().await?,
    };
    ctx.out.list("migrations", &status, &["version", "description", "applied"], |m| {
        vec![m.version.to_string(), m.description.clone(), if m.applied { "✓".into() } else { "✗ pending".into() }]
    })
}
