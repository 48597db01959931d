//! `calcom:*` — connect a company to its Cal.com team: check the key, import event types and
//! members, and report drift.

use clap::Subcommand;

use super::id_parser;
use crate::cli::output::notice;
use crate::cli::Ctx;
use crate::error::Result;
use crate::ops::calcom::{self, ImportServices, ImportStaff, ImportSummary};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the company's Cal.com key and team; prints who the key belongs to
    TestConnection {
        /// Company id (see `askpro company:list`)
        #[arg(long, value_parser = id_parser())]
        company_id: i64,
    },
    /// Create/update services from the team's event types (duration, price, event type id;
    /// hosts become the staff–service mapping)
    ImportServices {
        /// Company id (see `askpro company:list`)
        #[arg(long, value_parser = id_parser())]
        company_id: i64,
        /// Import as services of this branch only (default: company-wide)
        #[arg(long, value_parser = id_parser())]
        branch_id: Option<i64>,
        /// Also link and overwrite local services that share an event type's name
        #[arg(long)]
        force: bool,
        /// Show what would change and write nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Create/update the branch's staff from the team's accepted members
    ImportStaff {
        /// Branch id (see `askpro branch:list`)
        #[arg(long, value_parser = id_parser())]
        branch_id: i64,
        /// Show what would change and write nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Compare services and staff with Cal.com; exit 1 on drift
    VerifySync {
        /// Company id (see `askpro company:list`)
        #[arg(long, value_parser = id_parser())]
        company_id: i64,
    },
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    let app = ctx.app_to_read().await?;
    match cmd {
        Command::TestConnection { company_id } => {
            let c = calcom::test_connection(app, company_id).await?;
            let who = c.user.username.clone().or(c.user.email.clone()).unwrap_or_else(|| format!("user {}", c.user.id));
            let human = format!(
                "Cal.com key OK: belongs to {who} (user {}{}); team {} '{}' reachable",
                c.user.id,
                c.user.organization_id.map(|o| format!(", organization {o}")).unwrap_or_default(),
                c.team.id,
                c.team.name
            );
            ctx.out.message(&c, &human)
        }
        Command::ImportServices { company_id, branch_id, force, dry_run } => {
            let req = ImportServices { company_id, branch_id, force, dry_run };
            let summary = calcom::import_services(app, req, ctx.ui.progress().as_ref()).await?;
            report(ctx, &summary, "event types")
        }
        Command::ImportStaff { branch_id, dry_run } => {
            let summary =
                calcom::import_staff(app, ImportStaff { branch_id, dry_run }, ctx.ui.progress().as_ref()).await?;
            report(ctx, &summary, "members")
        }
        Command::VerifySync { company_id } => {
            let drift = calcom::verify_sync(app, company_id, ctx.ui.progress().as_ref()).await?;
            if drift.is_empty() {
                let ok = serde_json::json!({"in_sync": true, "drift": []});
                return ctx.out.message(&ok, "✓ services and staff match Cal.com");
            }
            if ctx.out.json {
                crate::cli::output::print_json(&serde_json::json!({"in_sync": false, "drift": drift}))?;
            } else {
                ctx.out.list("differences", &drift, &["kind", "name", "askpro", "Cal.com", "problem"], |d| {
                    vec![d.kind.into(), d.name.clone(), d.askpro.clone(), d.calcom.clone(), d.problem.clone()]
                })?;
            }
            Err(calcom::drift_error(&drift).reported())
        }
    }
}

fn report(ctx: &Ctx, summary: &ImportSummary, what: &str) -> Result<()> {
    if !ctx.out.json {
        for s in &summary.skipped {
            notice(&format!("skipped '{}': {}", s.name, s.reason));
        }
    }
    ctx.out.message(summary, &summary.line(what))
}
