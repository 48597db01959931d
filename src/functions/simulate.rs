//! `call:simulate`: a scripted call through the same function handlers as a live call, step
//! by step, for trying a branch's set-up before a real caller does.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::{invoke, Answer, Invocation, Status};
use crate::app::App;
use crate::error::{Error, Result};
use crate::ops::branch;
use crate::store::Tenant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    NewBooking,
    Returning,
    Availability,
    Reschedule,
    Cancel,
    /// The calendar does not answer in time: the fallback and a callback request.
    UpstreamTimeout,
}

/// One function call of the script and its answer.
#[derive(Debug, Serialize)]
pub struct Step {
    pub function: String,
    pub args: Value,
    pub answer: Answer,
}

struct Script<'a> {
    app: &'a App,
    tenant: Tenant,
    call_id: String,
    from: Option<String>,
    now: DateTime<Utc>,
    steps: Vec<Step>,
}

impl Script<'_> {
    async fn step(&mut self, name: &str, args: Value, deadline: Duration) -> Result<Answer> {
        let map: Map<String, Value> = args.as_object().cloned().unwrap_or_default();
        let invocation = Invocation {
            tenant: self.tenant,
            call_id: self.call_id.clone(),
            from_number: self.from.clone(),
            name: name.to_string(),
            args: map,
            now: Some(self.now),
        };
        let answer = invoke(self.app, invocation, deadline).await?;
        self.steps.push(Step { function: name.into(), args, answer: answer.clone() });
        Ok(answer)
    }
}

/// Runs `scenario` for a caller at `from` (E.164; `None`: withheld) at the branch.
pub async fn run(
    app: &App,
    branch_id: i64,
    from: Option<String>,
    scenario: Scenario,
    now: Option<DateTime<Utc>>,
) -> Result<Vec<Step>> {
    let branch = branch::get(app, branch_id).await?;
    let services = app.store.services(branch.company_id, Some(branch.id)).await?;
    let service = services.iter().find(|s| s.active).map(|s| s.name.clone()).ok_or_else(|| {
        Error::invalid(format!("branch {branch_id} offers no service yet"))
            .with_help("create one with `askpro service:create`, and map staff with `askpro staff:assign-services`")
    })?;
    let now = now.unwrap_or_else(Utc::now);
    let mut s = Script {
        app,
        tenant: Tenant { company_id: branch.company_id, branch_id: branch.id },
        call_id: format!("sim_{}_{}", crate::store::now_ms(), std::process::id()),
        from,
        now,
        steps: Vec::new(),
    };
    let deadline = app.settings.function_deadline;
    let tomorrow = json!({"dienstleistung": service, "datum": "morgen"});
    match scenario {
        Scenario::NewBooking => {
            s.step("get_current_context", json!({}), deadline).await?;
            s.step("check_customer", json!({}), deadline).await?;
            let free = s.step("check_availability", tomorrow, deadline).await?;
            if let Some(slot) = first_slot(&free) {
                s.step("book_appointment", json!({"slot_id": slot, "customer_name": "Simulierter Anrufer"}), deadline)
                    .await?;
            }
        }
        Scenario::Returning => {
            s.step("check_customer", json!({}), deadline).await?;
            s.step("get_customer_appointments", json!({}), deadline).await?;
        }
        Scenario::Availability => {
            let mut args = tomorrow;
            args["uhrzeit"] = "10:00".into();
            s.step("check_availability", args, deadline).await?;
        }
        Scenario::Reschedule => {
            s.step("get_customer_appointments", json!({}), deadline).await?;
            let free = s
                .step("check_availability", json!({"dienstleistung": service, "datum": "übermorgen"}), deadline)
                .await?;
            if let Some(alt) = free.data.get("alternatives").and_then(|a| a.get(0)) {
                let args = json!({"new_datum": alt["date"], "new_uhrzeit": alt["time"]});
                s.step("reschedule_appointment", args, deadline).await?;
            }
        }
        Scenario::Cancel => {
            s.step("get_customer_appointments", json!({}), deadline).await?;
            s.step("cancel_appointment", json!({}), deadline).await?;
        }
        Scenario::UpstreamTimeout => {
            let mut args = tomorrow;
            args["uhrzeit"] = "10:00".into();
            // No time at all for the calendar: what a caller hears when it does not answer.
            s.step("check_availability", args, Duration::ZERO).await?;
        }
    }
    Ok(s.steps)
}

fn first_slot(answer: &Answer) -> Option<Value> {
    if answer.status != Status::Ok && answer.status != Status::Unavailable {
        return None;
    }
    answer.data.get("slot_id").cloned().or_else(|| answer.data.get("alternatives")?.get(0)?.get("slot_id").cloned())
}

/// Whether a scenario's steps came out as the scenario means them to (exit 0), or why not: a
/// booking booked, a returning caller known, availability answered, the appointment moved or
/// cancelled, the timeout answered with the fallback; and no step answered `error` but that
/// fallback.
pub fn verdict(scenario: Scenario, steps: &[Step]) -> std::result::Result<(), String> {
    let last = |name: &str| steps.iter().rev().find(|s| s.function == name);
    let said = |s: &Step| format!("{} answered {}: {}", s.function, s.answer.status.as_str(), s.answer.message);
    let expect_ok = |name: &str, missing: &str| match last(name) {
        Some(s) if s.answer.status == Status::Ok => Ok(()),
        Some(s) => Err(said(s)),
        None => Err(missing.to_string()),
    };
    if scenario != Scenario::UpstreamTimeout {
        if let Some(s) = steps.iter().find(|s| s.answer.status == Status::Error) {
            return Err(said(s));
        }
    }
    match scenario {
        Scenario::NewBooking => expect_ok(
            "book_appointment",
            &last("check_availability")
                .map_or("no time was offered".into(), |s| format!("no time to book: {}", said(s))),
        ),
        Scenario::Returning => match last("check_customer") {
            Some(s) if s.answer.data.get("customer_found") == Some(&Value::Bool(true)) => Ok(()),
            Some(_) => {
                Err("the caller is not known at this company: simulate new-booking with the same --from first".into())
            }
            None => Err("check_customer was not asked".into()),
        },
        Scenario::Availability => match last("check_availability") {
            Some(s) if matches!(s.answer.status, Status::Ok | Status::Unavailable) => Ok(()),
            Some(s) => Err(said(s)),
            None => Err("check_availability was not asked".into()),
        },
        Scenario::Reschedule => {
            expect_ok("reschedule_appointment", "nothing was moved: no upcoming appointment, or no other time free")
        }
        Scenario::Cancel => expect_ok("cancel_appointment", "cancel_appointment was not asked"),
        Scenario::UpstreamTimeout => match last("check_availability") {
            Some(s)
                if s.answer.status == Status::Error
                    && s.answer.data.get("callback_requested") == Some(&Value::Bool(true)) =>
            {
                Ok(())
            }
            Some(s) => Err(format!("expected the fallback with a callback request, but {}", said(s))),
            None => Err("check_availability was not asked".into()),
        },
    }
}
