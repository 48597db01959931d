//! `retell:*` — so far `retell:test-function`, which runs a custom function through the same
//! code the daemon uses and prints its answer.

use clap::Subcommand;

use super::id_parser;
use crate::cli::Ctx;
use crate::error::{Error, Result};
use crate::functions::{self, Invocation};
use crate::ops::branch;
use crate::store::Tenant;

#[derive(Debug, Subcommand)]
pub enum Command {
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
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    let Command::TestFunction { function, params, branch_id, agent_id, from, call_id } = cmd;
    let args = match serde_json::from_str(&params) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => {
            return Err(
                Error::invalid("--params must be a JSON object").with_help(r#"e.g. --params '{"datum": "morgen"}'"#)
            )
        }
    };
    let app = ctx.app().await?;
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
    ctx.out.message(&value, &value.to_string())
}
