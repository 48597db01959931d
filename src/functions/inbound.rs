//! Retell's inbound-call webhook: before the first word, the caller's dynamic variables —
//! greeting, known name, predicted service and confidence, preferred staff, and today's date,
//! weekday, time and opening hours in the branch's zone. All values are strings, as Retell
//! requires.

use chrono::{Datelike, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::App;
use crate::domain::say;
use crate::domain::{BusinessHours, Weekday};
use crate::error::{Error, Result};
use crate::ops::events::{self, CallObject, Scope};
use crate::ops::{branch, callers, company};

#[derive(Debug, Deserialize)]
struct Inbound {
    call_inbound: Call,
}

#[derive(Debug, Deserialize)]
struct Call {
    #[serde(default)]
    agent_id: Option<String>,
    #[serde(default)]
    from_number: Option<String>,
    #[serde(default)]
    to_number: Option<String>,
    #[serde(default)]
    call_id: Option<String>,
}

/// The answer to `POST /retell/inbound`.
pub async fn dynamic_variables(app: &App, scope: Scope, raw: &[u8]) -> Result<Value> {
    let inbound: Inbound =
        serde_json::from_slice(raw).map_err(|e| Error::invalid(format!("the body is not an inbound call: {e}")))?;
    let call = inbound.call_inbound;
    let lookup = CallObject {
        call_id: call.call_id.clone().unwrap_or_default(),
        agent_id: call.agent_id.clone(),
        to_number: call.to_number.clone(),
        ..Default::default()
    };
    let tenant = events::tenant(app, &scope, &lookup).await?;
    let company = company::get(app, tenant.company_id).await?;
    let branch = branch::get_in_company(app, company.id, tenant.branch_id).await?;
    let tz: Tz = branch.timezone.parse().map_err(|_| Error::internal("the branch has an invalid time zone"))?;
    let now = Utc::now();
    let from = call.from_number.filter(|n| n.starts_with('+') && n.len() > 4);
    let caller = callers::recognise(app, &company, from.as_deref(), now.timestamp_millis()).await?;
    let greeting = callers::greeting(app, &company, &branch, &caller, now).await?;
    let local = now.with_timezone(&tz);
    let hours = BusinessHours::parse_json(&branch.business_hours)?;
    let today = Weekday(local.weekday().num_days_from_monday() as u8);
    let name = caller.customer.as_ref().and_then(|c| c.name.clone()).unwrap_or_default();
    let variables = json!({
        "company_id": company.id.to_string(),
        "branch_id": branch.id.to_string(),
        "business_name": company.name,
        "branch_name": branch.name,
        "business_timezone": branch.timezone,
        "greeting": greeting.text,
        "greeting_situation": greeting.situation,
        "caller_known": caller.is_known().to_string(),
        "customer_name": name,
        "predicted_service": caller.predicted_service.as_ref().map(|s| s.name.clone()).unwrap_or_default(),
        "service_confidence": format!("{:.2}", caller.service_confidence),
        "preferred_staff": caller.preferred_staff.as_ref().map(|s| s.name.clone()).unwrap_or_default(),
        "today_date": local.format("%Y-%m-%d").to_string(),
        "today_weekday": say::WEEKDAYS[today.0 as usize],
        "current_time": local.format("%H:%M").to_string(),
        "opening_hours_today": say::hours_on(&hours, today),
    });
    Ok(json!({"call_inbound": {
        "dynamic_variables": variables,
        "metadata": {"askpro_company_id": company.id, "askpro_branch_id": branch.id},
    }}))
}
