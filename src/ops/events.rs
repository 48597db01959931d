//! Retell call events (`call_started`, `call_ended`, `call_analyzed`): each delivery is stored
//! durably before it is acknowledged, a duplicate (same event and call) is acknowledged without
//! a second effect, and the call's record is brought up to date. A delivery that fails to
//! process stays stored as `failed` for `webhooks:retry`.

use std::sync::Arc;

use serde::Deserialize;

use crate::app::App;
use crate::error::{Error, Result};
use crate::store::{CallRecord, NewWebhookEvent, Tenant, Write, Written};

/// Whose key verified a request: the platform's (any company), or that of the companies that
/// hold it (only those: an agency's one account may serve several companies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Platform,
    Companies(Arc<[i64]>),
}

impl Scope {
    /// One company's scope.
    pub fn company(id: i64) -> Scope {
        Scope::Companies(Arc::from([id]))
    }

    /// Whether a request of this scope may act on `company_id`.
    pub fn allows(&self, company_id: i64) -> bool {
        match self {
            Scope::Platform => true,
            Scope::Companies(ids) => ids.contains(&company_id),
        }
    }
}

#[derive(Debug, Deserialize)]
struct Envelope {
    event: String,
    call: CallObject,
}

/// The fields of Retell's call object askpro keeps; everything may be missing or null.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CallObject {
    pub call_id: String,
    pub agent_id: Option<String>,
    pub from_number: Option<String>,
    pub to_number: Option<String>,
    pub direction: Option<String>,
    pub call_status: Option<String>,
    pub start_timestamp: Option<i64>,
    pub end_timestamp: Option<i64>,
    pub duration_ms: Option<i64>,
    pub disconnection_reason: Option<String>,
    pub call_analysis: Option<Analysis>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Analysis {
    pub call_summary: Option<String>,
    pub user_sentiment: Option<String>,
}

/// What became of a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intake {
    /// Stored (and processed, or kept as failed for a retry).
    Stored { id: i64, processed: bool },
    /// The same event for the same call arrived before.
    Duplicate,
}

/// The company and branch of a call, within what the verifying key may act on. Unknown agents
/// and numbers, and calls of another company than the key's, are not found.
pub async fn tenant(app: &App, scope: &Scope, call: &CallObject) -> Result<Tenant> {
    let tenant = app
        .tenants
        .find(app, call.agent_id.as_deref(), call.to_number.as_deref())
        .await?
        .filter(|t| scope.allows(t.company_id));
    tenant.ok_or_else(|| {
        Error::not_found("unknown agent or number")
            .with_help("register the agent with retell:clone-agent or the number with retell:assign-phone")
    })
}

/// Takes one verified Retell event delivery (`raw` is the body exactly as received).
pub async fn retell_event(app: &App, scope: Scope, raw: &[u8]) -> Result<Intake> {
    let envelope: Envelope =
        serde_json::from_slice(raw).map_err(|e| Error::invalid(format!("the body is not a Retell event: {e}")))?;
    if envelope.call.call_id.is_empty() {
        return Err(Error::invalid("the event has no call.call_id"));
    }
    crate::meter::name_request(match envelope.event.as_str() {
        "call_started" => "webhook:call_started",
        "call_ended" => "webhook:call_ended",
        "call_analyzed" => "webhook:call_analyzed",
        _ => "webhook:other",
    });
    let tenant = tenant(app, &scope, &envelope.call).await?;
    let payload = std::str::from_utf8(raw).map_err(|_| Error::invalid("the body is not UTF-8"))?;
    // Built where it is needed: the usual path moves it into the write, and only a failed
    // write builds it a second time (the body is up to 1 MiB).
    let delivery = || NewWebhookEvent {
        company_id: tenant.company_id,
        source: "retell",
        event: envelope.event.clone(),
        external_id: Some(envelope.call.call_id.clone()),
        dedupe_key: format!("retell:{}:{}", envelope.event, envelope.call.call_id),
        payload: crate::store::payload::pack(payload),
    };
    let is_call_event = matches!(envelope.event.as_str(), "call_started" | "call_ended" | "call_analyzed");
    let call = is_call_event.then(|| Box::new(call_record(tenant, &envelope.call)));
    // The usual path: delivery, call record and outcome commit together (with other requests').
    let failure = match app.commit(Write::RetellEvent { event: delivery(), call }).await {
        Ok(Written::Event(Some(id))) => return Ok(Intake::Stored { id, processed: true }),
        Ok(Written::Event(None)) => return Ok(Intake::Duplicate),
        Ok(other) => Error::internal(format!("unexpected write outcome {other:?}")),
        Err(e) => e,
    };
    // Processing failed: keep the delivery (once) as failed, for webhooks:retry.
    tracing::warn!(event = %envelope.event, call_id = %envelope.call.call_id, error = %failure, "event stored but not processed");
    let Some(id) = app.store.record_webhook_event(&delivery()).await? else { return Ok(Intake::Duplicate) };
    app.store.finish_webhook_event(id, "failed", Some(&failure.to_string())).await?;
    Ok(Intake::Stored { id, processed: false })
}

/// What `webhooks:retry` did.
#[derive(Debug, Default, serde::Serialize)]
pub struct Retried {
    pub found: usize,
    pub processed: usize,
    pub still_failing: usize,
}

/// Processes again the Retell deliveries of the last `hours` that failed; each one that
/// succeeds now is marked processed, the others keep their (new) error.
pub async fn retry(app: &App, hours: u32, progress: &dyn super::Progress) -> Result<Retried> {
    let since = crate::store::now_ms() - i64::from(hours) * 3_600_000;
    let failed = app.store.failed_webhook_events(since).await?;
    let mut done = Retried { found: failed.len(), ..Default::default() };
    progress.start(failed.len() as u64, "re-processing");
    for event in failed {
        let outcome = match (event.source.as_str(), event.company_id, crate::store::payload::unpack(&event.payload)) {
            (_, _, Err(e)) => Err(e),
            ("retell", Some(company_id), Ok(body)) => reprocess(app, company_id, &body).await,
            ("calcom", Some(company_id), Ok(body)) => super::bookings::reprocess(app, company_id, &body).await,
            _ => Err(Error::invalid(format!("no processing for {} events", event.source))),
        };
        match outcome {
            Ok(()) => {
                app.store.finish_webhook_event(event.id, "processed", None).await?;
                done.processed += 1;
            }
            Err(e) => {
                app.store.finish_webhook_event(event.id, "failed", Some(&e.to_string())).await?;
                done.still_failing += 1;
            }
        }
        progress.advance(1);
    }
    progress.finish();
    Ok(done)
}

async fn reprocess(app: &App, company_id: i64, payload: &str) -> Result<()> {
    let envelope: Envelope = serde_json::from_str(payload).map_err(|e| Error::invalid(format!("stored body: {e}")))?;
    let tenant = tenant(app, &Scope::company(company_id), &envelope.call).await?;
    match envelope.event.as_str() {
        "call_started" | "call_ended" | "call_analyzed" => record_call(app, tenant, &envelope.call).await,
        _ => Ok(()),
    }
}

async fn record_call(app: &App, tenant: Tenant, call: &CallObject) -> Result<()> {
    app.store.upsert_call(tenant.company_id, &call_record(tenant, call)).await
}

/// The call record an event brings; the store finds the customer by the caller's number.
fn call_record(tenant: Tenant, call: &CallObject) -> CallRecord {
    let analysis = call.call_analysis.as_ref();
    CallRecord {
        retell_call_id: call.call_id.clone(),
        branch_id: Some(tenant.branch_id),
        agent_id: call.agent_id.clone(),
        from_number: call.from_number.clone(),
        to_number: call.to_number.clone(),
        direction: call.direction.clone(),
        status: call.call_status.clone(),
        started_at: call.start_timestamp,
        ended_at: call.end_timestamp,
        duration_ms: call.duration_ms,
        disconnection_reason: call.disconnection_reason.clone(),
        customer_id: None,
        summary: analysis.and_then(|a| a.call_summary.clone()),
        sentiment: analysis.and_then(|a| a.user_sentiment.clone()),
    }
}
