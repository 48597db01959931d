//! `retell:*` — so far `retell:test-function`, which runs a custom function through the same
//! code the daemon uses and prints its answer, and `retell:trigger`, which sends a signed
//! sample of what Retell sends to a running daemon.

use clap::Subcommand;

use super::id_parser;
use crate::cli::Ctx;
use crate::clients::retell::Engine;
use crate::error::{Error, Result};
use crate::functions::{self, Invocation};
use crate::ops::branch;
use crate::ops::retell;
use crate::ops::trigger::{self, Sample, SampleCall};
use crate::store::Tenant;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a branch's voice agent in Retell from a template, an agent or a flow file
    ///
    /// Copies the conversation (a conversation flow or a Retell LLM), fills in the company's
    /// and branch's name, greeting and opening hours, points every custom tool at
    /// $ASKPRO_PUBLIC_URL/retell/function and the agent's webhook at
    /// $ASKPRO_PUBLIC_URL/retell/webhook, creates and publishes the agent, and records it for
    /// the branch.
    #[command(
        after_help = "Examples:\n  askpro retell:clone-agent --from booking-de --company-id 1 --branch-id 1\n  \
                            askpro retell:clone-agent --from agent_5c0e9a7b31d24f68 --company-id 1 --branch-id 2 --voice-id 11labs-Anton\n  \
                            askpro retell:clone-agent --from exported-flow.json --company-id 1 --branch-id 3 --dry-run"
    )]
    CloneAgent {
        /// A template (booking-de, booking-de-llm), an agent id (agent_…) or a flow JSON file
        #[arg(long, value_name = "SOURCE")]
        from: String,
        /// The company the agent answers for (see `askpro company:list`)
        #[arg(long, value_parser = id_parser())]
        company_id: i64,
        /// The branch whose calls the agent answers (see `askpro branch:list`)
        #[arg(long, value_parser = id_parser())]
        branch_id: i64,
        #[arg(long, help = "The agent's name in Retell (default: \"askpro · <company> · <branch>\")")]
        name: Option<String>,
        /// A Retell voice id (default: 11labs-Carola)
        #[arg(long)]
        voice_id: Option<String>,
        #[arg(long, default_value = "de-DE")]
        language: String,
        /// Print every request that would be sent; send nothing, record nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Answer a number with an agent's published version, and record it for the agent's branch
    ///
    /// The number must already be in Retell: imported over a SIP trunk (German numbers) or
    /// bought with retell:buy-phone. Its inbound webhook is pointed at
    /// $ASKPRO_PUBLIC_URL/retell/inbound.
    AssignPhone {
        /// The agent (as printed by retell:clone-agent)
        #[arg(long)]
        agent_id: String,
        /// The number, as imported in Retell (+49 30 1234567, 030 1234567 …)
        #[arg(long, value_name = "PHONE")]
        phone: String,
        /// Print the request(s) that would be sent; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Buy a number from Retell (US or CA only) answered by the agent
    BuyPhone {
        #[arg(long)]
        agent_id: String,
        /// US or CA (German numbers are imported over SIP, then retell:assign-phone)
        #[arg(long, default_value = "US")]
        country: String,
        #[arg(long)]
        area_code: u16,
        /// Print the request(s) that would be sent; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Change the agent's first sentence (a new published version)
    UpdateGreeting {
        #[arg(long)]
        agent_id: String,
        #[arg(long)]
        greeting: String,
        /// Print the request(s) that would be sent; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Change the agent's voice and language (a new published version)
    UpdateVoice {
        #[arg(long)]
        agent_id: String,
        #[arg(long)]
        voice_id: String,
        #[arg(long)]
        language: Option<String>,
        /// Print the request(s) that would be sent; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Replace text in the agent's prompts (a new published version)
    UpdatePrompts {
        #[arg(long)]
        agent_id: String,
        /// "old text:new text"; repeat for several
        #[arg(long = "replace", value_name = "OLD:NEW", required = true)]
        replace: Vec<String>,
        /// Print the request(s) that would be sent; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Place a test call through Retell with the agent
    TestCall {
        #[arg(long)]
        agent_id: String,
        /// A number in this Retell account
        #[arg(long, value_name = "PHONE")]
        from: String,
        #[arg(long, value_name = "PHONE")]
        to: String,
        /// Passed to the agent as the dynamic variable test_scenario
        #[arg(long)]
        scenario: Option<String>,
        /// Print the request(s) that would be sent; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// The agents askpro manages, with their template and drift (exit 1 on drift)
    ///
    /// Drift means Retell no longer holds what askpro last deployed: the flow or LLM was edited
    /// in Retell's dashboard, the agent uses another one, or it was deleted.
    Agents {
        /// Only this company's agents (default: every company's)
        #[arg(long, value_parser = id_parser())]
        company_id: Option<i64>,
    },
    /// Run a custom function as a call would and print its JSON answer
    #[command(group(clap::ArgGroup::new("tenant").required(true).args(["branch_id", "agent_id"])))]
    TestFunction {
        /// Function name, e.g. check_availability
        #[arg(long)]
        function: String,
        /// Arguments as a JSON object, e.g. '{"dienstleistung": "Haarschnitt", "datum": "morgen"}'
        #[arg(long, value_name = "JSON", default_value = "{}")]
        params: String,
        /// The branch the call is for (see `askpro branch:list`)
        #[arg(long, value_parser = id_parser())]
        branch_id: Option<i64>,
        /// …or the Retell agent that answers it (registered by retell:clone-agent)
        #[arg(long)]
        agent_id: Option<String>,
        /// The caller's number (default: withheld)
        #[arg(long, value_name = "PHONE")]
        from: Option<String>,
        /// The call id (default: a new one per run; repeat one to see a retry's answer)
        #[arg(long)]
        call_id: Option<String>,
    },
    /// Send a correctly signed sample webhook or function call to a running daemon
    ///
    /// EVENT is call_started, call_ended or call_analyzed (posted to /retell/webhook), or the
    /// name of a custom function such as check_availability (posted to /retell/function).
    /// Prints the daemon's HTTP status and answer; exits 0 on a 2xx answer.
    #[command(
        after_help = "Examples:\n  askpro retell:trigger call_started --to http://127.0.0.1:8080 --agent-id agent_5c0e9a7b\n  \
                            askpro retell:trigger check_availability --to http://127.0.0.1:8080 --to-number '+49 30 23125100' \\\n      \
                            --params '{\"dienstleistung\": \"Haarschnitt\", \"datum\": \"morgen\"}'"
    )]
    Trigger {
        /// call_started | call_ended | call_analyzed | a function name
        #[arg(value_name = "EVENT")]
        event: String,
        /// The daemon's base URL (the endpoint's path is added), or a full endpoint URL
        #[arg(long, value_name = "URL")]
        to: String,
        /// The agent the call is for (as registered by retell:clone-agent)
        #[arg(long)]
        agent_id: Option<String>,
        /// The number called: a branch's phone or a number registered by retell:assign-phone
        #[arg(long, value_name = "PHONE")]
        to_number: Option<String>,
        /// The caller's number (default: withheld)
        #[arg(long, value_name = "PHONE")]
        from: Option<String>,
        /// The Retell key to sign with (default: RETELL_API_KEY)
        #[arg(long, env = "ASKPRO_TRIGGER_KEY", hide_env_values = true)]
        key: Option<String>,
        /// The call id (default: a new one per run; repeat one to send a duplicate)
        #[arg(long)]
        call_id: Option<String>,
        /// A function's arguments as a JSON object (functions only)
        #[arg(long, value_name = "JSON", default_value = "{}")]
        params: String,
    },
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    match cmd {
        Command::AssignPhone { agent_id, phone, dry_run } => {
            assigned(ctx, retell::assign_phone(ctx.app_to_read().await?, &agent_id, &phone, dry_run).await?)
        }
        Command::BuyPhone { agent_id, country, area_code, dry_run } => {
            assigned(ctx, retell::buy_phone(ctx.app_to_read().await?, &agent_id, &country, area_code, dry_run).await?)
        }
        Command::UpdateGreeting { agent_id, greeting, dry_run } => {
            updated(ctx, retell::update_greeting(ctx.app_to_read().await?, &agent_id, &greeting, dry_run).await?)
        }
        Command::UpdateVoice { agent_id, voice_id, language, dry_run } => {
            let app = ctx.app_to_read().await?;
            updated(ctx, retell::update_voice(app, &agent_id, &voice_id, language.as_deref(), dry_run).await?)
        }
        Command::UpdatePrompts { agent_id, replace, dry_run } => {
            let pairs = replace
                .iter()
                .map(|r| match r.split_once(':') {
                    Some((old, new)) if !old.is_empty() => Ok((old.to_string(), new.to_string())),
                    _ => Err(Error::invalid(format!("--replace '{r}' is not OLD:NEW"))
                        .with_help(r#"e.g. --replace "Guten Tag:Hallo""#)),
                })
                .collect::<Result<Vec<_>>>()?;
            updated(ctx, retell::update_prompts(ctx.app_to_read().await?, &agent_id, &pairs, dry_run).await?)
        }
        Command::TestCall { agent_id, from, to, scenario, dry_run } => {
            let app = ctx.app_to_read().await?;
            let call = retell::test_call(app, &agent_id, &from, &to, scenario.as_deref(), dry_run).await?;
            if dry_run {
                return ctx.out.message(&call, &serde_json::to_string_pretty(&call).unwrap_or_default());
            }
            let human = format!("Call ID: {}", call["call_id"].as_str().unwrap_or(""));
            ctx.out.message(&call, &human)
        }
        Command::Agents { company_id } => {
            let list = retell::agents(ctx.app_to_read().await?, company_id).await?;
            let header = ["agent", "company", "branch", "engine", "template", "published", "drift"];
            ctx.out.list("agents", &list, &header, |a| {
                vec![
                    a.agent_id.clone(),
                    a.company_id.to_string(),
                    a.branch_id.to_string(),
                    a.engine.clone(),
                    format!("{} {}", a.template.as_deref().unwrap_or("-"), a.template_version.as_deref().unwrap_or("")),
                    a.published_version.map(|v| v.to_string()).unwrap_or_default(),
                    a.drift.clone().map(|d| format!("✗ {d}")).unwrap_or_else(|| "✓ in sync".into()),
                ]
            })?;
            match list.iter().filter(|a| a.drift.is_some()).count() {
                0 => Ok(()),
                n => Err(Error::check_failed(format!("{n} agent(s) drifted from what askpro deployed"))
                    .with_help("redeploy with retell:clone-agent, or accept the edit with retell:update-prompts")
                    .reported()),
            }
        }
        Command::CloneAgent { from, company_id, branch_id, name, voice_id, language, dry_run } => {
            let source = retell::Source::parse(&from)?;
            let req = retell::CloneRequest { source, company_id, branch_id, name, voice_id, language, dry_run };
            let cloned = retell::clone_agent(ctx.app_to_read().await?, req).await?;
            if dry_run {
                return planned(ctx, &cloned.requests);
            }
            if ctx.out.quiet && !ctx.out.json {
                // `AGENT=$(askpro retell:clone-agent … -q)` in onboarding scripts.
                return ctx.out.message(&cloned, cloned.agent_id.as_deref().unwrap_or(""));
            }
            let engine = match cloned.engine {
                Engine::ConversationFlow => "Flow ID",
                Engine::RetellLlm => "LLM ID",
            };
            let human = format!(
                "Agent ID: {}\n{engine}: {}",
                cloned.agent_id.as_deref().unwrap_or(""),
                cloned.engine_id.as_deref().unwrap_or("")
            );
            ctx.out.message(&cloned, &human)
        }
        Command::TestFunction { function, params, branch_id, agent_id, from, call_id } => {
            test_function(ctx, function, &params, branch_id, agent_id, from, call_id).await
        }
        Command::Trigger { event, to, agent_id, to_number, from, key, call_id, params } => {
            let sample = Sample::parse(&event)?;
            let key = key.or(ctx.settings()?.retell_api_key).ok_or_else(|| {
                Error::unset("no Retell key to sign with")
                    .with_help("pass --key, or set RETELL_API_KEY to the key the daemon verifies with")
            })?;
            let region = crate::domain::Country::DE;
            let call = SampleCall {
                call_id: call_id.unwrap_or_else(|| format!("call_trigger_{}", crate::store::now_ms())),
                agent_id,
                from_number: crate::domain::E164::parse_opt(from.as_deref(), region)?,
                to_number: crate::domain::E164::parse_opt(to_number.as_deref(), region)?,
                args: json_object(&params)?,
                started_at: crate::store::now_ms(),
            };
            let delivered = trigger::trigger(&sample, &call, &to, &key).await?;
            let human = format!("HTTP {} from {}\n{}", delivered.status, delivered.url, delivered.response);
            match trigger::refusal(&delivered) {
                None => ctx.out.message(&delivered, &human),
                Some(e) => Err(e),
            }
        }
    }
}

fn updated(ctx: &Ctx, done: retell::Updated) -> Result<()> {
    if !done.requests.is_empty() {
        return planned(ctx, &done.requests);
    }
    let human = format!(
        "Agent {} published as version {} ({})",
        done.agent_id,
        done.published_version,
        done.changed.join(", ")
    );
    ctx.out.message(&done, &human)
}

fn assigned(ctx: &Ctx, done: retell::Assigned) -> Result<()> {
    if !done.requests.is_empty() {
        return planned(ctx, &done.requests);
    }
    let human = format!("Phone: {} → agent {} version {}", done.phone_number, done.agent_id, done.agent_version);
    ctx.out.message(&done, &human)
}

/// `--dry-run`: the requests, as `METHOD path` and the body (a JSON array with `--json`).
fn planned(ctx: &Ctx, requests: &[retell::PlannedRequest]) -> Result<()> {
    let human: Vec<String> = requests
        .iter()
        .map(|r| format!("{} {}\n{}", r.method, r.path, serde_json::to_string_pretty(&r.body).unwrap_or_default()))
        .collect();
    ctx.out.message(&requests, &human.join("\n\n"))
}

/// `--params`: a JSON object.
fn json_object(params: &str) -> Result<serde_json::Map<String, serde_json::Value>> {
    match serde_json::from_str(params) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        _ => Err(Error::invalid("--params must be a JSON object").with_help(r#"e.g. --params '{"datum": "morgen"}'"#)),
    }
}

async fn test_function(
    ctx: &Ctx,
    function: String,
    params: &str,
    branch_id: Option<i64>,
    agent_id: Option<String>,
    from: Option<String>,
    call_id: Option<String>,
) -> Result<()> {
    let args = json_object(params)?;
    let app = ctx.app_to_read().await?;
    let branch_id = match (branch_id, agent_id) {
        (Some(id), _) => id,
        (None, Some(agent)) => {
            let tenant = app.store.tenant_for_call(Some(&agent), None).await?;
            tenant.map(|t| t.branch_id).ok_or_else(|| {
                Error::not_found(format!("no agent '{agent}' is registered"))
                    .with_help("use --branch-id, or register it with retell:clone-agent")
            })?
        }
        (None, None) => return Err(Error::invalid("give --branch-id or --agent-id")),
    };
    let branch = branch::get(app, branch_id).await?;
    let company = crate::ops::company::get(app, branch.company_id).await?;
    let from_number = crate::domain::E164::parse_opt(from.as_deref(), company.country.parse()?)?;
    let invocation = Invocation {
        tenant: Tenant { company_id: branch.company_id, branch_id: branch.id },
        call_id: call_id.unwrap_or_else(|| format!("test_{}", crate::store::now_ms())),
        from_number,
        name: function,
        args,
        now: None,
    };
    let answer = functions::invoke(app, invocation, app.settings.function_deadline).await?;
    // The answer is data in both modes: one JSON object.
    let value = functions::to_value(&answer);
    ctx.out.message(&value, &value.to_string())?;
    // An `error` answer is a failure a CI step must see; the others are ordinary outcomes.
    if answer.status == functions::Status::Error {
        return Err(Error::check_failed(format!("the function answered error: {}", answer.message))
            .with_help("the answer above is what a caller would hear")
            .reported());
    }
    Ok(())
}
