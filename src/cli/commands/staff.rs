//! `staff:*` — the people who perform services at a branch.

use clap::{Args, Subcommand};

use super::{id_parser, IfNotExists};
use crate::cli::output::opt;
use crate::cli::Ctx;
use crate::error::Result;
use crate::ops::staff::{self, NewStaffRequest, ServiceSelection};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a staff member at a branch; prints `Staff ID: N`
    Create(CreateArgs),
    /// Map a staff member to services: `all` or "Name A,Name B"
    AssignServices {
        /// Staff id (see `askpro staff:list`)
        #[arg(long, value_parser = id_parser())]
        staff_id: i64,
        #[arg(long, value_name = "all|NAMES")]
        services: String,
    },
    /// List a branch's staff with their services
    List {
        /// Branch id (see `askpro branch:list`)
        #[arg(long, value_parser = id_parser())]
        branch_id: i64,
    },
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Branch id (see `askpro branch:list`)
    #[arg(long, value_parser = id_parser())]
    branch_id: i64,
    /// Name (prompted for on a terminal)
    #[arg(long)]
    name: Option<String>,
    /// E-mail; the natural key within the branch when given
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long, value_name = "ID")]
    calcom_user_id: Option<i64>,
    /// Their own working hours, JSON or @file as for branches (default: the branch's hours)
    #[arg(long, value_name = "JSON|@FILE")]
    working_hours: Option<String>,
    #[command(flatten)]
    if_not_exists: IfNotExists,
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::Create(a) => {
            let name = ctx.ui.text(a.name, "--name", "Staff member's name")?;
            let req = NewStaffRequest {
                branch_id: a.branch_id,
                name,
                email: a.email,
                phone: a.phone,
                calcom_user_id: a.calcom_user_id,
                working_hours: a.working_hours,
                if_not_exists: a.if_not_exists.if_not_exists,
            };
            let created = staff::create(ctx.app_to_read().await?, req).await?;
            ctx.out.created("Staff", created.entity.id, created.existed, &created.entity)
        }
        Command::AssignServices { staff_id, services } => {
            let selection = ServiceSelection::parse(&services)?;
            let result = staff::assign_services(ctx.app_to_read().await?, staff_id, selection).await?;
            let human = format!(
                "Staff {staff_id} performs: {}",
                if result.services.is_empty() { "—".into() } else { result.services.join(", ") }
            );
            ctx.out.message(&result, &human)
        }
        Command::List { branch_id } => {
            let staff = staff::list(ctx.app_to_read().await?, branch_id).await?;
            ctx.out.list("staff", &staff, &["id", "name", "email", "phone", "services"], |s| {
                vec![
                    s.staff.id.to_string(),
                    s.staff.name.clone(),
                    opt(&s.staff.email),
                    opt(&s.staff.phone),
                    s.services.join(", "),
                ]
            })
        }
    }
}
