//! `setup:wizard` — the interactive Quick Setup: the questions `onboarding:automated` takes as
//! flags, asked one at a time on a terminal, a review of the whole plan, and then the same
//! onboarding code with a progress bar.
//!
//! Nothing is written before the operator says Yes at the review: the questions only read (the
//! company being finished, with `--company-id`), and Ctrl-C, No, or Esc at a choice end the wizard with exit
//! 130. dialoguer turns Ctrl-C into a SIGINT, which would end the process with the cursor hidden;
//! the wizard catches it instead (a flag checked after every question, and while it writes) and
//! shows the cursor again on the way out.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::{Args, Subcommand};
use dialoguer::console::Term;
use dialoguer::{Confirm, Input, MultiSelect, Select};

use super::id_parser;
use super::onboarding::{render_plan, report};
use crate::cli::output::print_line;
use crate::cli::Ctx;
use crate::domain::{self, BusinessHours, Country, E164};
use crate::error::{Error, ErrorKind, Result};
use crate::ops::onboarding::{self, Choices, Current, Request, MAX_BRANCHES};
use crate::templates::Industry;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Quick Setup on a terminal: industry, name, branches, hours, services, staff; a review; then onboarding
    #[command(long_about = "Quick Setup on a terminal: asks for the industry preset, the company's name and \
        contact, its branches with their names and hours, the services to offer, staff names and whether to \
        clone agents; shows the whole plan; and, after a Yes, creates it all as `onboarding:automated` does.\n\n\
        Nothing is written before that Yes: Ctrl-C, No, or Esc at a choice end the wizard (exit 130). With --company-id it \
        finishes an existing company: the review shows what exists and only what is missing is created. \
        Without a terminal (or with -n) it exits 2: the scriptable form is `askpro onboarding:automated`.")]
    Wizard(WizardArgs),
}

#[derive(Debug, Args)]
pub struct WizardArgs {
    /// Finish the setup of this existing company
    #[arg(long, value_name = "ID", value_parser = id_parser())]
    company_id: Option<i64>,
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    let Command::Wizard(args) = cmd;
    if !ctx.ui.is_interactive() {
        return Err(Error::invalid("setup:wizard asks its questions on a terminal, and there is none (or -n)")
            .with_help(
                "the scriptable form: askpro onboarding:automated --name … --industry … [--branches N] (see --help)",
            ));
    }
    let _cursor = ShowCursorOnExit;
    let interrupted = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGINT, Arc::clone(&interrupted))
        .map_err(|e| Error::internal("cannot catch Ctrl-C").with_source(e))?;
    let wizard = Wizard { interrupted, term: Term::stderr() };

    let app = ctx.app().await?;
    let current = match args.company_id {
        Some(id) => Some(onboarding::current(app, id).await?),
        None => None,
    };
    let retell_ready = app.settings.retell_api_key.is_some() && app.settings.public_url.is_some();
    let request = wizard.ask(current.as_ref(), retell_ready)?;

    let plan = onboarding::plan(app, &request).await.map_err(|e| match e.kind() {
        ErrorKind::Conflict if current.is_none() => Error::conflict(e.message().to_string())
            .with_help("`askpro company:list` shows its ID; `askpro setup:wizard --company-id ID` finishes its setup"),
        _ => e,
    })?;
    print_line(&render_plan(&plan))?;
    if !wizard.confirm("Create all of this?", false)? {
        return Err(nothing_written());
    }
    let progress = ctx.ui.progress();
    let outcome = tokio::select! {
        outcome = onboarding::apply(app, &plan, progress.as_ref()) => outcome?,
        _ = wizard.interrupt() => return Err(Error::cancelled(
            "interrupted while writing: the database has all of the plan or none of it"
        ).with_help(format!("`askpro setup:wizard` again (with --company-id, if '{}' exists) finishes it", plan.company.name))),
    };
    report(ctx, &plan, &outcome)
}

fn nothing_written() -> Error {
    Error::cancelled("setup cancelled: nothing written")
}

/// Shows the cursor again however the wizard ends: dialoguer hides it while a choice is open.
struct ShowCursorOnExit;

impl Drop for ShowCursorOnExit {
    fn drop(&mut self) {
        let _ = Term::stderr().show_cursor();
    }
}

struct Wizard {
    /// Set by SIGINT: Ctrl-C in a prompt (dialoguer raises it) or between prompts.
    interrupted: Arc<AtomicBool>,
    term: Term,
}

impl Wizard {
    /// Every question, in order; reads nothing from the database.
    fn ask(&self, current: Option<&Current>, retell_ready: bool) -> Result<Request> {
        let industry = match current.and_then(|c| c.industry.clone()) {
            Some(industry) => industry,
            None => self.industry()?,
        };
        let (name, email, phone) = match current {
            Some(c) => {
                self.say(&format!("Company '{}' ({}): offering what it still lacks.", c.name, industry.key))?;
                (c.name.clone(), None, None)
            }
            None => self.contact()?,
        };
        let existing_branches = current.map(|c| c.branch_names.clone()).unwrap_or_default();
        let branch_names = self.branches(&existing_branches)?;
        let preset_hours = industry.hours()?;
        let mut hours = Vec::new();
        for branch in &branch_names {
            let exists = existing_branches.iter().any(|b| domain::name_key(b) == domain::name_key(branch));
            hours.push(match exists {
                true => None,
                false => self.hours(branch, &preset_hours)?,
            });
        }
        let services = self.services(&industry)?;
        let mut staff_names = Vec::new();
        for branch in &branch_names {
            staff_names.push(self.staff(branch, &industry)?);
        }
        let clone_agents = match retell_ready {
            true => Some(self.confirm("Clone one agent per branch now?", true)?),
            false => None,
        };
        let preset_json = preset_hours.to_json().to_string();
        let custom_hours = hours.iter().any(Option::is_some);
        Ok(Request {
            name,
            industry: industry.key.clone(),
            branches: Some(branch_names.len() as u32),
            branch_names,
            email,
            phone,
            staff_per_branch: None,
            if_not_exists: current.is_some(),
            choices: Choices {
                services: (services.len() < industry.services.len()).then_some(services),
                staff_names: staff_names.iter().any(|n| !n.is_empty()).then_some(staff_names),
                hours: custom_hours
                    .then(|| hours.into_iter().map(|h| h.unwrap_or_else(|| preset_json.clone())).collect()),
                clone_agents,
            },
        })
    }

    fn industry(&self) -> Result<Industry> {
        let all = Industry::all();
        let width = (self.term.size().1 as usize).saturating_sub(4).max(40);
        let items: Vec<String> = all
            .iter()
            .map(|i| {
                let services: Vec<&str> = i.services.iter().map(|s| s.name.as_str()).collect();
                truncate(&format!("{:<15} {}: {}", i.key, i.name, services.join(", ")), width)
            })
            .collect();
        let chosen = self.answer(Select::new().with_prompt("Industry").items(&items).default(0).interact_opt())?;
        Ok(all[chosen].clone())
    }

    fn contact(&self) -> Result<(String, Option<String>, Option<String>)> {
        let name: String = self.answer(
            Input::<String>::new()
                .with_prompt("Company name")
                .validate_with(|v: &String| match v.trim().is_empty() {
                    true => Err("the company needs a name"),
                    false => Ok(()),
                })
                .interact_text()
                .map(Some),
        )?;
        let email: String = self.answer(
            Input::<String>::new()
                .with_prompt("E-mail (optional)")
                .allow_empty(true)
                .validate_with(|v: &String| match v.trim().is_empty() {
                    true => Ok(()),
                    false => domain::parse_email(v.trim()).map(|_| ()).map_err(|e| e.message().to_string()),
                })
                .interact_text()
                .map(Some),
        )?;
        let country: Country = "DE".parse()?;
        let phone: String = self.answer(
            Input::<String>::new()
                .with_prompt("Phone (optional; the first branch answers it)")
                .allow_empty(true)
                .validate_with(|v: &String| match v.trim().is_empty() {
                    true => Ok(()),
                    false => E164::parse(v, country).map(|_| ()).map_err(|e| e.message().to_string()),
                })
                .interact_text()
                .map(Some),
        )?;
        let optional = |v: String| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        Ok((name.trim().to_string(), optional(email), optional(phone)))
    }

    fn branches(&self, existing: &[String]) -> Result<Vec<String>> {
        let count: u32 = self.answer(
            Input::<u32>::new()
                .with_prompt(format!("Number of branches (1–{MAX_BRANCHES})"))
                .default(existing.len().max(1) as u32)
                .validate_with(|n: &u32| match (1..=MAX_BRANCHES).contains(n) {
                    true => Ok(()),
                    false => Err(format!("1 to {MAX_BRANCHES}")),
                })
                .interact_text()
                .map(Some),
        )?;
        let mut names: Vec<String> = Vec::new();
        for i in 1..=count as usize {
            let default = match (existing.get(i - 1), count) {
                (Some(name), _) => name.clone(),
                (None, 1) => "Hauptsitz".to_string(),
                (None, _) => format!("Filiale {i}"),
            };
            let taken: Vec<String> = names.iter().map(|n| domain::name_key(n)).collect();
            let name: String = self.answer(
                Input::<String>::new()
                    .with_prompt(format!("Name of branch {i}"))
                    .default(default)
                    .validate_with(move |v: &String| {
                        if v.trim().is_empty() {
                            Err("the branch needs a name")
                        } else if taken.contains(&domain::name_key(v)) {
                            Err("another branch has this name")
                        } else {
                            Ok(())
                        }
                    })
                    .interact_text()
                    .map(Some),
            )?;
            names.push(name.trim().to_string());
        }
        Ok(names)
    }

    /// `None`: the preset's hours; else the JSON typed for this branch.
    fn hours(&self, branch: &str, preset: &BusinessHours) -> Result<Option<String>> {
        let prompt = format!("{branch}: use the preset's hours ({})?", preset.compact_summary());
        if self.confirm(&prompt, true)? {
            return Ok(None);
        }
        let json: String = self.answer(
            Input::<String>::new()
                .with_prompt(format!(
                    r#"{branch}: hours as JSON (e.g. {{"monday": {{"open": "09:00", "close": "18:00"}}}})"#
                ))
                .validate_with(|v: &String| BusinessHours::from_arg(v).map(|_| ()).map_err(|e| e.message().to_string()))
                .interact_text()
                .map(Some),
        )?;
        Ok(Some(json))
    }

    fn services(&self, industry: &Industry) -> Result<Vec<String>> {
        let items: Vec<String> = industry
            .services
            .iter()
            .map(|s| match s.price > 0.0 {
                true => format!("{} ({} min, {:.2} EUR)", s.name, s.duration, s.price),
                false => format!("{} ({} min)", s.name, s.duration),
            })
            .collect();
        let all = vec![true; items.len()];
        loop {
            let chosen = self.answer(
                MultiSelect::new()
                    .with_prompt("Services to offer (space toggles, enter confirms)")
                    .items(&items)
                    .defaults(&all)
                    .interact_opt(),
            )?;
            if chosen.is_empty() {
                self.say("Choose at least one service.")?;
                continue;
            }
            return Ok(chosen.into_iter().map(|i| industry.services[i].name.clone()).collect());
        }
    }

    /// Names typed for a branch; empty: the preset's placeholders.
    fn staff(&self, branch: &str, industry: &Industry) -> Result<Vec<String>> {
        let roles: Vec<&str> = industry.staff_roles.iter().map(|r| r.name.as_str()).collect();
        let placeholders = match roles.is_empty() {
            true => "Team 1".to_string(),
            false => roles.iter().map(|r| format!("{r} 1")).collect::<Vec<_>>().join(", "),
        };
        let line: String = self.answer(
            Input::<String>::new()
                .with_prompt(format!("{branch}: staff names, comma-separated (empty: {placeholders})"))
                .allow_empty(true)
                .validate_with(|v: &String| {
                    let mut keys: Vec<String> = split_names(v).iter().map(|n| domain::name_key(n)).collect();
                    keys.sort();
                    match keys.windows(2).any(|w| w[0] == w[1]) {
                        true => Err("a name appears twice"),
                        false => Ok(()),
                    }
                })
                .interact_text()
                .map(Some),
        )?;
        Ok(split_names(&line))
    }

    fn confirm(&self, prompt: &str, default: bool) -> Result<bool> {
        self.answer(Confirm::new().with_prompt(prompt).default(default).interact_opt())
    }

    fn say(&self, line: &str) -> Result<()> {
        self.term.write_line(line).map_err(|e| Error::internal("cannot write to the terminal").with_source(e))
    }

    /// A prompt's answer; Esc (`None`) and Ctrl-C (now or since the last prompt) cancel.
    fn answer<T>(&self, result: dialoguer::Result<Option<T>>) -> Result<T> {
        let interrupted = self.interrupted.load(Ordering::SeqCst);
        match result {
            _ if interrupted => Err(nothing_written()),
            Ok(Some(value)) => Ok(value),
            Ok(None) => Err(nothing_written()),
            Err(dialoguer::Error::IO(e)) if e.kind() == std::io::ErrorKind::Interrupted => Err(nothing_written()),
            Err(dialoguer::Error::IO(e)) => Err(Error::internal("the terminal failed").with_source(e)),
        }
    }

    /// Resolves once Ctrl-C is pressed.
    async fn interrupt(&self) {
        while !self.interrupted.load(Ordering::SeqCst) {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

fn split_names(line: &str) -> Vec<String> {
    line.split(',').map(str::trim).filter(|n| !n.is_empty()).map(str::to_string).collect()
}

fn truncate(text: &str, width: usize) -> String {
    match text.chars().count() > width {
        true => format!("{}…", text.chars().take(width.saturating_sub(1)).collect::<String>()),
        false => text.to_string(),
    }
}
