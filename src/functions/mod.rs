//! Custom functions: what the voice agent calls during a live call. One handler
//! per function, all answering with the same contract — HTTP 200 and
//! `{"status", "message": <one short German sentence>, …data}` — where an ordinary outcome
//! (new caller, slot taken) is never an error.
//!
//! [`call`] is the one entry: it resolves the tenant from the call (never from arguments),
//! answers a retried `(call_id, name, args)` with its first answer, and keeps every handler
//! within the deadline — a slow or failing calendar gets a speakable fallback and a callback
//! request instead of silence.

pub(crate) mod args;
mod booking;
pub mod claims;
pub mod inbound;
mod info;
pub mod simulate;

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::app::App;
use crate::error::{Error, ErrorKind, Result};
use crate::ops::events::{self, CallObject, Scope};
use crate::ops::{branch, company};
use crate::store::{Branch, Company, FunctionKey, NewCallback, Tenant, Write, Written};
pub use args::Args;
use claims::Turn;

/// The answer's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Unavailable,
    NotFound,
    NeedsInput,
    PolicyDenied,
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Unavailable => "unavailable",
            Status::NotFound => "not_found",
            Status::NeedsInput => "needs_input",
            Status::PolicyDenied => "policy_denied",
            Status::Error => "error",
        }
    }
}

/// What a function answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub status: Status,
    pub message: String,
    #[serde(flatten)]
    pub data: Map<String, Value>,
}

impl Answer {
    pub fn new(status: Status, message: impl Into<String>) -> Answer {
        Answer { status, message: message.into(), data: Map::new() }
    }

    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Answer {
        self.data.insert(key.to_string(), value.into());
        self
    }
}

/// Everything a handler knows: the tenant, the call, the arguments, and now.
pub struct Ctx<'a> {
    pub app: &'a App,
    pub company: Company,
    pub branch: Branch,
    pub tz: Tz,
    pub now: DateTime<Utc>,
    pub call_id: String,
    /// The caller's number; `None` when withheld.
    pub from_number: Option<String>,
    pub args: Args,
    /// An earlier run of this very call claimed it and died before answering: what it changed
    /// may already be there (see [`claims`]).
    pub resumed: bool,
}

#[derive(Debug, Deserialize)]
struct Request {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    args: Map<String, Value>,
    call: CallObject,
}

/// The deadline every function answers within unless configured otherwise.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(2);

/// Runs the function a verified request's body names (`path_name`: the one its path names,
/// which must be the same).
/// Errors are protocol errors (bad JSON 400, unknown tenant 404); everything else is an answer.
pub async fn call(
    app: &App,
    scope: Scope,
    raw: &[u8],
    path_name: Option<&str>,
    deadline: Duration,
) -> Result<Answered> {
    let request: Request =
        serde_json::from_slice(raw).map_err(|e| Error::invalid(format!("the body is not a function call: {e}")))?;
    let name = called(request.name, path_name)?;
    if request.call.call_id.is_empty() {
        return Err(Error::invalid("the function call has no call.call_id"));
    }
    let tenant = events::tenant(app, &scope, &request.call).await?;
    let invocation = Invocation {
        tenant,
        call_id: request.call.call_id.clone(),
        from_number: request.call.from_number.clone(),
        name,
        args: request.args,
        now: None,
    };
    invoke_observed(app, invocation, deadline).await
}

/// The function a body calls. The signature covers the body, not the path, so the body names
/// the function: a path that names one (`/retell/function/{name}` and the seeds' paths) must
/// name the same, and a signed body of any other kind (a webhook) is never a function call.
fn called(body_name: Option<String>, path_name: Option<&str>) -> Result<String> {
    let Some(name) = body_name.filter(|n| !n.is_empty()) else {
        return Err(
            Error::invalid("the function call has no name").with_help("a function call's body carries its \"name\"")
        );
    };
    match path_name {
        Some(path) if path != name => {
            Err(Error::invalid(format!("the body calls '{name}' but was sent to the endpoint of '{path}'")))
        }
        _ => Ok(name),
    }
}

/// A function's answer, with the JSON text it was kept as (and is sent as), and how it went.
#[derive(Debug)]
pub struct Answered {
    pub answer: Answer,
    pub json: String,
    pub served: Served,
}

/// How a function call went, for the daemon's metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Served {
    /// The function (one of [`NAMES`], or `unknown`).
    pub function: &'static str,
    pub status: Status,
    /// The first answer given again to a retry.
    pub replayed: bool,
    /// The upstream that failed or was skipped, and how: `timeout`, `error` or `circuit_open`.
    pub upstream_failure: Option<(&'static str, &'static str)>,
}

/// One function call for a known tenant: from the daemon, or from `retell:test-function`.
pub struct Invocation {
    pub tenant: Tenant,
    pub call_id: String,
    pub from_number: Option<String>,
    pub name: String,
    pub args: Map<String, Value>,
    /// The moment the call happens (`None`: now); `call:simulate --now` sets it.
    pub now: Option<DateTime<Utc>>,
}

/// Answers a function call: the first answer again for a retry, else the handler's within
/// `deadline` (or the fallback).
pub async fn invoke(app: &App, call: Invocation, deadline: Duration) -> Result<Answer> {
    Ok(invoke_observed(app, call, deadline).await?.answer)
}

/// [`invoke`], saying how it went.
pub async fn invoke_observed(app: &App, call: Invocation, deadline: Duration) -> Result<Answered> {
    let started = Instant::now();
    let Invocation { tenant, call_id, from_number, name, args, now } = call;
    let key =
        FunctionKey { company_id: tenant.company_id, args_hash: crate::domain::canonical::hash(&args), call_id, name };
    let function = crate::templates::tools::NAMES.iter().find(|n| **n == key.name).copied().unwrap_or("unknown");
    let answered = |answer: Answer, json, replayed, upstream_failure| {
        let served = Served { function, status: answer.status, replayed, upstream_failure };
        Answered { answer, json, served }
    };
    // The first answer to a retry, and the call's company and branch, read together.
    let context = app
        .store
        .function_context((tenant.company_id, tenant.branch_id), &key.call_id, &key.name, &key.args_hash)
        .await?;
    let company = context.company.ok_or_else(|| company::missing(tenant.company_id))?;
    let branch = branch::in_company(context.branch, company.id, tenant.branch_id)?;
    if let Some(first) = context.first_answer {
        return Ok(answered(serde_json::from_str(&first)?, first, true, None));
    }
    let claimed = claims::has_effect(&key.name);
    let resumed = if claimed {
        match claims::claim(app, &key, started, deadline).await? {
            Turn::Run { resumed } => resumed,
            Turn::Answered(first) => return Ok(answered(serde_json::from_str(&first)?, first, true, None)),
            Turn::StillRunning => {
                let answer =
                    Answer::new(Status::Error, "Einen Moment bitte, ich bin noch mit Ihrer Anfrage beschäftigt.")
                        .with("in_progress", true);
                let text = serde_json::to_string(&answer)?;
                return Ok(answered(answer, text, false, None));
            }
        }
    } else {
        false
    };
    let ctx = Ctx {
        app,
        tz: branch.timezone.parse().map_err(|_| Error::internal("the branch has an invalid time zone"))?,
        company,
        branch,
        now: now.unwrap_or_else(Utc::now),
        call_id: key.call_id.clone(),
        from_number: from_number.filter(|n| n.starts_with('+') && n.len() > 4),
        args: Args::new(args),
        resumed,
    };
    let (answer, upstream_failure) = respond(&ctx, &key.name, deadline).await;
    let text = serde_json::to_string(&answer)?;
    let first = if claimed {
        app.store.answer_function(&key, &text).await?
    } else {
        let FunctionKey { company_id, call_id, name, args_hash } = key;
        let keep = Write::FunctionAnswer { company_id, call_id, name, args_hash, response: text.clone() };
        match app.commit(keep).await? {
            Written::Answer(first) => first,
            other => return Err(Error::internal(format!("unexpected write outcome {other:?}"))),
        }
    };
    if first == text {
        // Ours was kept: no need to read it back.
        Ok(answered(answer, text, false, upstream_failure))
    } else {
        // A concurrent twin answered first: its answer counts.
        Ok(answered(serde_json::from_str(&first)?, first, false, upstream_failure))
    }
}

/// The handler's answer within `deadline`, or the fallback; and the upstream that failed or
/// was skipped, and how.
async fn respond(ctx: &Ctx<'_>, name: &str, deadline: Duration) -> (Answer, Option<(&'static str, &'static str)>) {
    let app = ctx.app;
    // Calls that need Cal.com go through its breaker: while it is open, the fallback at once.
    let upstream = (ctx.company.scheduling == "calcom" && uses_calendar(name)).then_some("calcom");
    if let Some(u) = upstream.filter(|u| !app.breakers.allows(ctx.company.id, u)) {
        let paused = Error::upstream("Cal.com is paused after repeated failures");
        return (fallback(ctx, name, &paused).await, Some((u, "circuit_open")));
    }
    // `None`: out of time. A zero deadline is no time at all: Tokio's timers fire on whole
    // milliseconds, so `timeout` would still let a quick handler answer.
    let outcome = if deadline.is_zero() { None } else { tokio::time::timeout(deadline, run(ctx, name)).await.ok() };
    let failure = match &outcome {
        Some(Ok(_)) => None,
        Some(Err(e)) if matches!(e.kind(), ErrorKind::Upstream | ErrorKind::Config) => Some("error"),
        Some(Err(_)) => None,
        None => Some("timeout"),
    };
    let mut upstream_failure = None;
    if let Some(u) = upstream {
        app.breakers.record(ctx.company.id, u, failure.is_none());
        upstream_failure = failure.map(|f| (u, f));
    }
    let answer = match outcome {
        Some(Ok(answer)) => answer,
        Some(Err(e)) => fallback(ctx, name, &e).await,
        None => fallback(ctx, name, &Error::upstream(format!("no answer within {} ms", deadline.as_millis()))).await,
    };
    (answer, upstream_failure)
}

/// Whether a function reaches the calendar backend.
fn uses_calendar(name: &str) -> bool {
    !matches!(
        name,
        "get_current_context"
            | "check_customer"
            | "get_available_services"
            | "get_customer_appointments"
            | "request_callback"
    )
}

async fn run(ctx: &Ctx<'_>, name: &str) -> Result<Answer> {
    match name {
        "get_current_context" => info::current_context(ctx),
        "check_customer" => info::check_customer(ctx).await,
        "get_available_services" => info::services(ctx).await,
        "get_customer_appointments" => info::appointments(ctx).await,
        "request_callback" => info::request_callback(ctx).await,
        "check_availability" | "check_availability_v17" | "get_alternatives" => booking::check_availability(ctx).await,
        "start_booking" => booking::start_booking(ctx).await,
        "confirm_booking" => booking::confirm_booking(ctx).await,
        "book_appointment" => booking::book_appointment(ctx).await,
        "cancel_appointment" => booking::cancel_appointment(ctx).await,
        "reschedule_appointment" => booking::reschedule_appointment(ctx).await,
        other => Ok(Answer::new(Status::Error, "Diese Funktion kenne ich leider nicht.").with("function", other)),
    }
}

/// The answer when a handler failed or ran out of time: something the agent can say, and a
/// callback request so that nobody is left waiting.
async fn fallback(ctx: &Ctx<'_>, name: &str, error: &Error) -> Answer {
    tracing::warn!(function = name, call_id = %ctx.call_id, error = %error, "function fell back");
    if error.kind() == ErrorKind::Invalid {
        return Answer::new(Status::NeedsInput, crate::domain::say::sentence(error.message()));
    }
    let callback = NewCallback {
        branch_id: Some(ctx.branch.id),
        call_id: Some(ctx.call_id.clone()),
        customer_name: ctx.args.name(&["customer_name", "name"]),
        phone: ctx.args.text(&["customer_phone", "phone_number", "telefon"]).or(ctx.from_number.clone()),
        reason: Some(format!("{name}: {}", error.message())),
    };
    let recorded = ctx.app.store.insert_callback(ctx.company.id, &callback).await;
    if let Err(e) = &recorded {
        tracing::error!(error = %e, "could not record the callback request");
    }
    Answer::new(
        Status::Error,
        "Entschuldigung, ich komme gerade nicht an den Kalender. Wir rufen Sie so bald wie möglich zurück.",
    )
    .with("callback_requested", recorded.is_ok())
}

/// A JSON object for a value that serialises to one (used by the command-line twins).
pub fn to_value(answer: &Answer) -> Value {
    serde_json::to_value(answer).unwrap_or_else(|_| json!({"status": "error"}))
}
