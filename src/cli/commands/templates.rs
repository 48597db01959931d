//! `templates:*` — the industry presets, built-in or from a file. No database is needed.

use clap::Subcommand;

use super::industry_parser;
use crate::cli::Ctx;
use crate::error::Result;
use crate::templates::{Industry, ALL_SERVICES};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the industry presets with their services and settings
    List,
    /// Show everything a preset sets up: settings, hours, services, staff roles, greetings
    Show {
        /// A preset key (see `askpro templates:list`) or a preset file
        #[arg(value_name = "KEY|FILE", value_parser = industry_parser(), hide_possible_values = true)]
        key: String,
    },
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::List => {
            let all = Industry::all();
            let header = ["key", "name", "services", "hours", "callback channels", "cancellation notice"];
            ctx.out.list("industry presets", &all, &header, |i| {
                let names: Vec<&str> = i.services.iter().map(|s| s.name.as_str()).collect();
                vec![
                    i.key.clone(),
                    i.name.clone(),
                    format!("{}: {}", names.len(), names.join(", ")),
                    hours_summary(i),
                    i.callback_channels.join(", "),
                    notice(i.cancellation_hours),
                ]
            })
        }
        Command::Show { key } => {
            let i = Industry::load(&key)?;
            let services: Vec<String> = i
                .services
                .iter()
                .map(|s| {
                    let mut line = format!("{} — {} min, €{:.2}", s.name, s.duration, s.price);
                    if !s.synonyms.is_empty() {
                        line.push_str(&format!(" (also: {})", s.synonyms.join(", ")));
                    }
                    line
                })
                .collect();
            let roles: Vec<String> = i
                .staff_roles
                .iter()
                .map(|r| {
                    let offers = if r.services.iter().any(|s| s.trim() == ALL_SERVICES) {
                        "all services".to_string()
                    } else {
                        i.role_services(r).iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")
                    };
                    format!("{}: {offers}", r.name)
                })
                .collect();
            let greetings: Vec<String> =
                i.greetings.iter().map(|(kind, text)| format!("{}: {text}", kind.as_str())).collect();
            let fields = [
                ("key", i.key.clone()),
                ("name", i.name.clone()),
                ("agent template", i.agent_template.clone()),
                ("callback channels", i.callback_channels.join(", ")),
                ("smart service", switch(i.enable_smart_service, i.service_confidence_threshold)),
                ("staff preferences", switch(i.enable_staff_preferences, i.staff_confidence_threshold)),
                ("cancellation notice", notice(i.cancellation_hours)),
                ("hours", hours_summary(&i)),
                ("services", services.join("\n")),
                ("staff roles", or_none(roles, "none")),
                ("greetings", or_none(greetings, "askpro's defaults")),
            ];
            ctx.out.show(&i, &fields)
        }
    }
}

fn hours_summary(i: &Industry) -> String {
    i.hours().map(|h| h.compact_summary()).unwrap_or_else(|e| format!("invalid: {e}"))
}

fn notice(hours: i64) -> String {
    if hours == 0 {
        "none".into()
    } else {
        format!("{hours} h")
    }
}

fn switch(on: bool, threshold: f64) -> String {
    if on {
        format!("on (threshold {threshold})")
    } else {
        format!("off (threshold {threshold})")
    }
}

fn or_none(lines: Vec<String>, none: &str) -> String {
    if lines.is_empty() {
        none.to_string()
    } else {
        lines.join("\n")
    }
}
