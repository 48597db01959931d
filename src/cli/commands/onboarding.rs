//! `onboarding:automated` — a whole business from an industry preset in one command.

use clap::{Args, Subcommand};
use serde_json::json;

use super::IfNotExists;
use crate::cli::output::print_line;
use crate::cli::Ctx;
use crate::error::{Error, Result};
use crate::ops::onboarding::{self, Outcome, Plan, Request, MAX_BRANCHES, MAX_STAFF_PER_BRANCH};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a company with branches, services, synonyms, staff and (with Retell configured) agents from a preset
    #[command(long_about = "Create a company with branches, services, synonyms, staff and (with Retell configured) \
        agents from an industry preset, in one go.\n\n\
        Every database row is written in one transaction: all of it or nothing. Agents are cloned after it, one \
        per branch, when RETELL_API_KEY and ASKPRO_PUBLIC_URL are set; a failure there leaves the database \
        complete, and running the same command again with --if-not-exists creates only what is missing. \
        `askpro templates:list` shows the presets.")]
    Automated(AutomatedArgs),
}

#[derive(Debug, Args)]
pub struct AutomatedArgs {
    /// Company name (unique)
    #[arg(long)]
    name: String,
    /// Industry preset key (`askpro templates:list`) or a preset file (.toml)
    #[arg(long, value_name = "KEY|FILE", value_parser = super::industry_parser(), hide_possible_values = true)]
    industry: String,
    /// Number of branches (named Filiale 1 … N; one branch: Hauptsitz)
    #[arg(long, allow_negative_numbers = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=MAX_BRANCHES as i64))]
    branches: Option<u32>,
    /// Branch names, comma-separated (instead of numbered names)
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    branch_names: Vec<String>,
    /// The company's e-mail address
    #[arg(long)]
    email: Option<String>,
    /// The company's number, any usual written form; the first branch answers it
    #[arg(long)]
    phone: Option<String>,
    /// Staff placeholders per branch (default: one per role of the preset)
    #[arg(long, allow_negative_numbers = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=MAX_STAFF_PER_BRANCH as i64))]
    staff_per_branch: Option<u32>,
    #[command(flatten)]
    if_not_exists: IfNotExists,
    /// Print the whole plan; change nothing
    #[arg(long)]
    dry_run: bool,
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    let Command::Automated(args) = cmd;
    let request = Request {
        name: args.name,
        industry: args.industry,
        branches: args.branches,
        branch_names: args.branch_names,
        email: args.email,
        phone: args.phone,
        staff_per_branch: args.staff_per_branch,
        if_not_exists: args.if_not_exists.if_not_exists,
        choices: Default::default(),
    };
    if args.dry_run {
        // A plan changes nothing: where no SQLite database exists yet, it is made against an
        // empty one in memory instead of creating the file.
        let settings = ctx.settings()?;
        let fresh = crate::config::sqlite_path(&settings.database_url).is_some_and(|p| !p.exists());
        let in_memory;
        let app = if fresh {
            let settings = crate::config::Settings { database_url: "sqlite::memory:".into(), ..settings };
            in_memory = crate::app::App::connect(settings, crate::store::PoolSize(1)).await?;
            &in_memory
        } else {
            ctx.app().await?
        };
        let plan = onboarding::plan(app, &request).await?;
        return match ctx.out.json {
            true => crate::cli::output::print_json(&json!({"dry_run": true, "plan": plan})),
            false => print_line(&render_plan(&plan)),
        };
    }
    let app = ctx.app().await?;
    let (plan, outcome) = onboarding::run(app, &request, ctx.ui.progress().as_ref()).await?;
    report(ctx, &plan, &outcome)
}

/// Prints what onboarding did (as JSON, the company id with `-q`, or a summary with what is
/// left); an agent Retell did not clone makes it exit 5, the database being complete.
pub fn report(ctx: &Ctx, plan: &Plan, outcome: &Outcome) -> Result<()> {
    let failed: Vec<&str> = outcome.agents.iter().filter(|a| a.status == "failed").map(|a| a.branch.as_str()).collect();
    let error = (!failed.is_empty()).then(|| {
        Error::upstream(format!(
            "the database is complete, but Retell did not clone the agent of {}",
            failed.join(", ")
        ))
        .with_help("run the same command again with --if-not-exists: it creates only the missing agents")
    });
    if ctx.out.json {
        let mut document = json!({"plan": plan, "outcome": outcome});
        if let Some(e) = &error {
            document["error"] = json!({"code": e.kind().code(), "message": e.message(), "help": e.help()});
        }
        crate::cli::output::print_json(&document)?;
    } else if ctx.out.quiet {
        print_line(&outcome.company_id.to_string())?;
    } else {
        print_line(&render_outcome(plan, outcome))?;
    }
    match error {
        // Printed on stderr as usual; with --json the document above carries it.
        Some(e) if ctx.out.json => Err(e.reported()),
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn new_or(exists: Option<i64>) -> String {
    match exists {
        Some(id) => format!("exists, ID {id}"),
        None => "new".into(),
    }
}

/// The plan, as `--dry-run` prints it.
pub fn render_plan(plan: &Plan) -> String {
    let mut out = format!(
        "Plan for '{}' ({}), nothing written:\n  {:<20}{}\n",
        plan.company.name,
        plan.industry,
        "company",
        new_or(plan.company.exists)
    );
    for (name, value) in &plan.settings {
        out.push_str(&format!("  {name:<20}{value}\n"));
    }
    if !plan.greetings.is_empty() {
        out.push_str(&format!("  greetings           {}\n", plan.greetings.join(", ")));
    }
    for b in &plan.branches {
        let phone = b.phone.as_deref().map(|p| format!(", phone {p}")).unwrap_or_default();
        out.push_str(&format!("  branch              {} ({}): {}{phone}\n", b.name, new_or(b.exists), b.hours));
    }
    for s in &plan.services {
        out.push_str(&format!(
            "  service             {} {} min{}, {} synonyms ({})\n",
            s.name,
            s.duration_min,
            if s.price_eur > 0.0 { format!(", {:.2} EUR", s.price_eur) } else { String::new() },
            s.synonyms,
            new_or(s.exists)
        ));
    }
    for s in &plan.staff {
        out.push_str(&format!(
            "  staff               {} at {} ({}): {} ({})\n",
            s.name,
            s.branch,
            s.role,
            s.services.join(", "),
            new_or(s.exists)
        ));
    }
    for a in &plan.agents {
        let state = a.exists.as_deref().map(|id| format!("exists, {id}")).unwrap_or_else(|| "new".into());
        out.push_str(&format!("  agent               {} from {} ({state})\n", a.branch, a.template));
    }
    if let Some(why) = &plan.agents_skipped {
        out.push_str(&format!("  agents              none: {why}\n"));
    }
    out
}

/// What was done, and what is left, in `preflight:check`'s style.
fn render_outcome(plan: &Plan, o: &Outcome) -> String {
    let c = &o.created;
    let mut out = format!("Company ID: {}\n", o.company_id);
    let mut line = |ok: bool, what: String| out.push_str(&format!("{} {what}\n", if ok { "✓" } else { "✗" }));
    line(
        true,
        format!("company '{}' ({}){}", plan.company.name, plan.industry, if c.company { "" } else { ", existed" }),
    );
    line(
        true,
        format!(
            "{} branch(es) {}: {} new",
            o.branch_ids.len(),
            o.branch_ids.iter().map(|id| id.to_string()).collect::<Vec<_>>().join(", "),
            c.branches
        ),
    );
    line(true, format!("{} service(s), {} new, {} new synonym(s)", o.service_ids.len(), c.services, c.synonyms));
    line(true, format!("{} staff member(s), {} new", o.staff_ids.len(), c.staff));
    for a in &o.agents {
        match a.status {
            "failed" => line(false, format!("agent of {}: {}", a.branch, a.error.as_deref().unwrap_or_default())),
            status => {
                line(true, format!("agent of {} {} ({status})", a.branch, a.agent_id.as_deref().unwrap_or_default()))
            }
        }
    }
    out.push_str("\nLeft to do:\n");
    for step in &o.next {
        out.push_str(&format!("  → {step}\n"));
    }
    out.trim_end().to_string()
}
