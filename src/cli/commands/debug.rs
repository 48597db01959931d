//! `debug:*` — look at what the calendar holds, on the branch's wall clock.

use clap::Subcommand;

use super::id_parser;
use crate::cli::output::opt;
use crate::cli::Ctx;
use crate::error::Result;
use crate::ops::schedule::{self, LocalAppointment};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// A branch's appointments on a day (all statuses), in the branch's zone
    Appointments {
        /// Branch id (see `askpro branch:list`)
        #[arg(long, value_parser = id_parser())]
        branch_id: i64,
        /// YYYY-MM-DD or a spoken day ("morgen", "Freitag"); default today
        #[arg(long)]
        date: Option<String>,
    },
    /// A staff member's working hours and bookings on a day
    WorkingHours {
        /// Staff id (see `askpro staff:list`)
        #[arg(long, value_parser = id_parser())]
        staff_id: i64,
        /// YYYY-MM-DD or a spoken day ("morgen", "Freitag"); default today
        #[arg(long)]
        date: Option<String>,
    },
}

const HEADER: [&str; 9] = ["id", "time", "staff", "service", "customer", "phone", "status", "backend", "booking uid"];

fn row(a: &LocalAppointment) -> Vec<String> {
    let x = &a.appointment;
    vec![
        x.id.to_string(),
        format!("{}–{}", a.start, a.end),
        opt(&x.staff_name),
        opt(&x.service_name),
        opt(&x.customer_name),
        opt(&x.customer_phone),
        x.status.clone(),
        x.backend.clone(),
        opt(&x.external_uid),
    ]
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    let app = ctx.app_to_read().await?;
    match cmd {
        Command::Appointments { branch_id, date } => {
            let day = schedule::appointments(app, branch_id, date.as_deref()).await?;
            if ctx.out.json {
                return ctx.out.message(&day, "");
            }
            if !ctx.out.quiet {
                eprintln!("branch {} on {} ({})", day.branch_id, day.date, day.timezone);
            }
            ctx.out.list("appointments that day", &day.appointments, &HEADER, row)
        }
        Command::WorkingHours { staff_id, date } => {
            let day = schedule::working_hours(app, staff_id, date.as_deref()).await?;
            if ctx.out.json {
                return ctx.out.message(&day, "");
            }
            let shifts: Vec<String> = day.shifts.iter().map(|s| format!("{}–{}", s.open, s.close)).collect();
            let hours = if shifts.is_empty() { "not working".to_string() } else { shifts.join(", ") };
            let hours_from =
                if day.hours_from == "own" { "own hours within the branch's" } else { "the branch's hours" };
            crate::cli::output::print_line(&format!(
                "{} (staff {}) on {} ({}): {hours} ({hours_from})",
                day.name, day.staff_id, day.date, day.timezone
            ))?;
            ctx.out.list("appointments that day", &day.appointments, &HEADER, row)
        }
    }
}
