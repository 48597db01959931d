//! `service:*` — what a business offers, and the words callers use for it.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{id_parser, IfNotExists};
use crate::cli::output::opt;
use crate::cli::Ctx;
use crate::domain::Cents;
use crate::error::Result;
use crate::ops::{service, synonyms};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a service; prints `Service ID: N`
    Create(CreateArgs),
    /// List a company's services (or those offered at one branch)
    List {
        /// Company id (see `askpro company:list`)
        #[arg(long, value_parser = id_parser())]
        company_id: i64,
        /// Branch id (see `askpro branch:list`)
        #[arg(long, value_parser = id_parser())]
        branch_id: Option<i64>,
    },
    /// Add one synonym to a service (an existing one is left as it is)
    AddSynonym {
        /// Service id (see `askpro service:list`)
        #[arg(long, value_parser = id_parser())]
        service_id: i64,
        #[arg(long)]
        synonym: String,
    },
    /// Import synonyms from a CSV (service_name,synonym), all or nothing
    ImportSynonyms(ImportArgs),
    /// The best service for a spoken phrase, with its confidence
    Match {
        /// Company id (see `askpro company:list`)
        #[arg(long, value_parser = id_parser())]
        company_id: i64,
        /// What the caller said, e.g. "einen Männerhaarschnitt"
        text: String,
    },
    /// Show a service's synonyms
    ShowSynonyms {
        /// Service id (see `askpro service:list`)
        #[arg(long, value_parser = id_parser())]
        service_id: i64,
    },
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Company id (see `askpro company:list`)
    #[arg(long, value_parser = id_parser())]
    company_id: i64,
    /// Offer it only at this branch (default: every branch)
    #[arg(long, value_parser = id_parser())]
    branch_id: Option<i64>,
    /// Service name, unique within the company (prompted for on a terminal)
    #[arg(long)]
    name: Option<String>,
    /// Length in minutes
    #[arg(long, allow_negative_numbers = true, value_name = "MIN", value_parser = clap::value_parser!(u32).range(1..=1440))]
    duration: u32,
    /// Price in euros, e.g. 25 or 25.50
    #[arg(long, allow_negative_numbers = true, value_name = "EUR")]
    price: Option<Cents>,
    #[arg(long, value_name = "ID")]
    calcom_event_type_id: Option<i64>,
    #[command(flatten)]
    if_not_exists: IfNotExists,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// CSV file: header `service_name,synonym`, one synonym per row
    #[arg(long, value_name = "CSV")]
    file: PathBuf,
    /// Company id (see `askpro company:list`)
    #[arg(long, value_parser = id_parser())]
    company_id: i64,
    /// Check the file and count what would be imported; write nothing
    #[arg(long)]
    dry_run: bool,
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::Create(a) => {
            let name = ctx.ui.text(a.name, "--name", "Service name")?;
            let req = service::NewServiceRequest {
                company_id: a.company_id,
                branch_id: a.branch_id,
                name,
                duration_min: a.duration,
                price: a.price,
                calcom_event_type_id: a.calcom_event_type_id,
                if_not_exists: a.if_not_exists.if_not_exists,
            };
            let created = service::create(ctx.app_to_read().await?, req).await?;
            ctx.out.created("Service", created.entity.id, created.existed, &created.entity)
        }
        Command::List { company_id, branch_id } => {
            let services = service::list(ctx.app_to_read().await?, company_id, branch_id).await?;
            ctx.out.list(
                "services",
                &services,
                &["id", "name", "minutes", "price €", "branch", "synonyms", "cal.com event type"],
                |s| {
                    vec![
                        s.id.to_string(),
                        s.name.clone(),
                        s.duration_min.to_string(),
                        s.price_cents.map(|c| Cents(c).to_string()).unwrap_or_else(|| "—".into()),
                        s.branch_id.map(|b| b.to_string()).unwrap_or_else(|| "all".into()),
                        s.synonym_count.to_string(),
                        opt(&s.calcom_event_type_id),
                    ]
                },
            )
        }
        Command::AddSynonym { service_id, synonym } => {
            let result = service::add_synonym(ctx.app_to_read().await?, service_id, &synonym).await?;
            let human = if result.added {
                format!("Added synonym '{}' to service {service_id}", result.synonym)
            } else {
                format!("Service {service_id} already has the synonym '{}'", result.synonym)
            };
            ctx.out.message(&result, &human)
        }
        Command::ImportSynonyms(a) => {
            let progress = ctx.ui.progress();
            let summary =
                synonyms::import(ctx.app_to_read().await?, a.company_id, &a.file, a.dry_run, progress.as_ref()).await?;
            let verb = if summary.dry_run { "would import" } else { "imported" };
            let human = format!(
                "{} rows: {verb} {}, skipped {} duplicate{}",
                summary.rows,
                summary.imported,
                summary.duplicates_skipped,
                if summary.duplicates_skipped == 1 { "" } else { "s" }
            );
            ctx.out.message(&summary, &human)
        }
        Command::Match { company_id, text } => {
            let found = service::match_phrase(ctx.app_to_read().await?, company_id, &text).await?;
            let value = match &found {
                Some(m) => serde_json::to_value(m)?,
                None => serde_json::json!({"service_id": null}),
            };
            let human = match &found {
                Some(m) => {
                    format!(
                        "{} (service {}), confidence {:.2} by {}",
                        m.name,
                        m.service_id,
                        m.confidence,
                        m.matched_by.as_str()
                    )
                }
                None => "no service matched with enough confidence; the agent should ask".to_string(),
            };
            ctx.out.message(&value, &human)
        }
        Command::ShowSynonyms { service_id } => {
            let result = service::synonyms(ctx.app_to_read().await?, service_id).await?;
            if ctx.out.json {
                return ctx.out.message(&result, "");
            }
            ctx.out.list(&format!("synonyms for '{}'", result.service), &result.synonyms, &["id", "synonym"], |s| {
                vec![s.id.to_string(), s.synonym.clone()]
            })
        }
    }
}
