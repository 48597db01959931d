//! `branch:*` — locations with time zone, opening hours and notification targets.

use clap::{Args, Subcommand};

use super::{id_parser, IfNotExists};
use crate::cli::output::opt;
use crate::cli::Ctx;
use crate::domain::BusinessHours;
use crate::error::Result;
use crate::ops::branch::{self, NewBranchRequest, NotificationsRequest};
use crate::store::Branch;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a branch; prints `Branch ID: N`
    Create(CreateArgs),
    /// Set where a branch's notifications go
    Notifications(NotificationsArgs),
    /// List a company's branches
    List {
        /// Company id (see `askpro company:list`)
        #[arg(long, value_parser = id_parser())]
        company_id: i64,
    },
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Company id (see `askpro company:list`)
    #[arg(long, value_parser = id_parser())]
    company_id: i64,
    /// Branch name, unique within the company (prompted for on a terminal)
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    address: Option<String>,
    /// The branch's phone number (E.164 after normalising); calls to it reach this branch
    #[arg(long)]
    phone: Option<String>,
    #[arg(long)]
    email: Option<String>,
    /// IANA time zone (default: the company's)
    #[arg(long)]
    timezone: Option<String>,
    /// Opening hours as JSON or @file.json, e.g. '{"monday": {"open": "09:00", "close": "18:00"}}'
    /// (default: the industry's hours, else Mon–Fri 09–18)
    #[arg(long, value_name = "JSON|@FILE")]
    business_hours: Option<String>,
    #[command(flatten)]
    if_not_exists: IfNotExists,
}

#[derive(Debug, Args)]
pub struct NotificationsArgs {
    /// Branch id (see `askpro branch:list`)
    #[arg(long, value_parser = id_parser())]
    branch_id: i64,
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    sms_phone: Option<String>,
    /// WhatsApp number
    #[arg(long)]
    whatsapp: Option<String>,
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::Create(a) => {
            let name = ctx.ui.text(a.name, "--name", "Branch name")?;
            let req = NewBranchRequest {
                company_id: a.company_id,
                name,
                address: a.address,
                phone: a.phone,
                email: a.email,
                timezone: a.timezone,
                business_hours: a.business_hours,
                if_not_exists: a.if_not_exists.if_not_exists,
            };
            let created = branch::create(ctx.app_to_read().await?, req).await?;
            ctx.out.created("Branch", created.entity.id, created.existed, &view(&created.entity))
        }
        Command::Notifications(a) => {
            let req = NotificationsRequest { email: a.email, sms_phone: a.sms_phone, whatsapp: a.whatsapp };
            let b = branch::set_notifications(ctx.app_to_read().await?, a.branch_id, req).await?;
            let fields = vec![
                ("branch", format!("{} ({})", b.id, b.name)),
                ("email", opt(&b.notify_email)),
                ("sms", opt(&b.notify_sms_phone)),
                ("whatsapp", opt(&b.notify_whatsapp)),
            ];
            ctx.out.show(&view(&b), &fields)
        }
        Command::List { company_id } => {
            let branches = branch::list(ctx.app_to_read().await?, company_id).await?;
            let views: Vec<_> = branches.iter().map(view).collect();
            ctx.out.list("branches", &views, &["id", "name", "timezone", "phone", "hours"], |v| {
                vec![
                    v["id"].to_string(),
                    v["name"].as_str().unwrap_or("").to_string(),
                    v["timezone"].as_str().unwrap_or("").to_string(),
                    v["phone"].as_str().unwrap_or("—").to_string(),
                    v["hours_summary"].as_str().unwrap_or("").to_string(),
                ]
            })
        }
    }
}

/// A branch as shown: business hours as a JSON object, not a string, plus a short summary.
fn view(b: &Branch) -> serde_json::Value {
    let hours: serde_json::Value = serde_json::from_str(&b.business_hours).unwrap_or_default();
    let summary = BusinessHours::from_json(&hours).map(|h| h.summary()).unwrap_or_default();
    let mut v = serde_json::to_value(b).unwrap_or_default();
    v["business_hours"] = hours;
    v["hours_summary"] = summary.into();
    v
}
