//! Cal.com booking webhooks (`/calcom/webhook`): bookings made, moved or cancelled in Cal.com
//! — by the business in its dashboard, or by a customer on a booking page — reach askpro's
//! mirrored appointments, so availability, the caller's upcoming appointments and cancel or
//! reschedule by phone see them.
//!
//! Each delivery is stored before it is answered and deduplicated on
//! `(company, triggerEvent, uid, startTime)` (Cal.com has no replay protection of its own). A delivery
//! that cannot be applied yet — an event type or host askpro has not imported — is kept as
//! `failed` for `webhooks:retry`.

use serde::Deserialize;
use serde_json::Value;

use super::events::Intake;
use crate::app::App;
use crate::calendar::calcom::parse_instant;
use crate::error::{Error, Result};
use crate::store::{AppointmentMove, NewAppointment, NewWebhookEvent};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Delivery {
    trigger_event: String,
    #[serde(default)]
    payload: Payload,
}

/// The booking fields askpro uses.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Payload {
    /// The booking's uid; on BOOKING_RESCHEDULED the new one.
    uid: Option<String>,
    /// The old uid (BOOKING_RESCHEDULED).
    reschedule_uid: Option<String>,
    event_type_id: Option<i64>,
    start_time: Option<String>,
    end_time: Option<String>,
    organizer: Option<Person>,
    attendees: Vec<Person>,
    responses: Option<Value>,
    cancellation_reason: Option<String>,
    /// Key-value pairs the booking was made with; askpro puts its call id here.
    metadata: Option<Value>,
}

impl Payload {
    /// The Retell call that made the booking, when askpro made it during a call.
    fn call_id(&self) -> Option<String> {
        let id = self.metadata.as_ref()?.get(crate::calendar::calcom::CALL_ID_KEY)?.as_str()?;
        (!id.is_empty()).then(|| id.to_string())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Person {
    id: Option<i64>,
    name: Option<String>,
    phone_number: Option<String>,
}

/// What applying a delivery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// An appointment was created, moved or cancelled.
    Changed,
    /// Nothing to do: askpro's own booking, an unknown booking, or a trigger askpro ignores.
    Nothing,
}

/// Takes one verified Cal.com delivery for `company_id` (`raw` exactly as received).
pub async fn calcom_event(app: &App, company_id: i64, raw: &[u8]) -> Result<Intake> {
    let delivery: Delivery =
        serde_json::from_slice(raw).map_err(|e| Error::invalid(format!("the body is not a Cal.com webhook: {e}")))?;
    let body = std::str::from_utf8(raw).map_err(|_| Error::invalid("the body is not UTF-8"))?;
    let p = &delivery.payload;
    let event = NewWebhookEvent {
        company_id,
        source: "calcom",
        event: delivery.trigger_event.clone(),
        external_id: p.uid.clone(),
        // Per company: another company's delivery (signed with its own secret) never makes
        // this one a duplicate.
        dedupe_key: format!(
            "calcom:{company_id}:{}:{}:{}",
            delivery.trigger_event,
            p.uid.as_deref().unwrap_or("-"),
            p.start_time.as_deref().unwrap_or("-")
        ),
        payload: crate::store::payload::pack(body),
    };
    let Some(id) = app.store.record_webhook_event(&event).await? else { return Ok(Intake::Duplicate) };
    let (status, error) = match apply(app, company_id, &delivery).await {
        Ok(Applied::Changed) => ("processed", None),
        Ok(Applied::Nothing) => ("ignored", None),
        Err(e) => {
            tracing::warn!(trigger = %delivery.trigger_event, error = %e, "Cal.com delivery stored but not applied");
            ("failed", Some(e.to_string()))
        }
    };
    app.store.finish_webhook_event(id, status, error.as_deref()).await?;
    Ok(Intake::Stored { id, processed: status != "failed" })
}

/// Applies a stored delivery again (`webhooks:retry`).
pub async fn reprocess(app: &App, company_id: i64, payload: &str) -> Result<()> {
    let delivery: Delivery = serde_json::from_str(payload).map_err(|e| Error::invalid(format!("stored body: {e}")))?;
    apply(app, company_id, &delivery).await.map(|_| ())
}

async fn apply(app: &App, company_id: i64, delivery: &Delivery) -> Result<Applied> {
    let p = &delivery.payload;
    let uid = || p.uid.as_deref().ok_or_else(|| Error::invalid("the booking has no uid"));
    match delivery.trigger_event.as_str() {
        "BOOKING_CANCELLED" => {
            let Some(appointment) = app.store.appointment_by_uid(company_id, uid()?).await? else {
                return Ok(Applied::Nothing);
            };
            if appointment.status != "booked" {
                return Ok(Applied::Nothing);
            }
            let reason = format!(
                "cancelled in Cal.com{}",
                p.cancellation_reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default()
            );
            app.store.cancel_appointment(company_id, appointment.id, Some(&reason)).await?;
            Ok(Applied::Changed)
        }
        "BOOKING_RESCHEDULED" => {
            let (start, end) = times(p)?;
            let current = match app.store.appointment_by_uid(company_id, uid()?).await? {
                // askpro moved it itself (and stored the new uid already).
                Some(a) if a.starts_at == start && a.ends_at == end => return Ok(Applied::Nothing),
                Some(a) => Some(a),
                None => match p.reschedule_uid.as_deref() {
                    Some(old) => app.store.appointment_by_uid(company_id, old).await?,
                    None => None,
                },
            };
            let Some(current) = current else { return create(app, company_id, p).await };
            let staff_id = match host(app, company_id, current.branch_id, p).await? {
                Some(id) => Some(id),
                None => current.staff_id,
            };
            let to = AppointmentMove { staff_id, starts_at: start, ends_at: end, external_uid: p.uid.clone() };
            app.store.move_appointment(company_id, current.id, &to).await?;
            Ok(Applied::Changed)
        }
        "BOOKING_CREATED" => match app.store.appointment_by_uid(company_id, uid()?).await? {
            // Booked through askpro: mirrored already.
            Some(_) => Ok(Applied::Nothing),
            None => create(app, company_id, p).await,
        },
        _ => Ok(Applied::Nothing),
    }
}

fn times(p: &Payload) -> Result<(i64, i64)> {
    let read = |t: &Option<String>, name: &str| {
        t.as_deref().ok_or_else(|| Error::invalid(format!("the booking has no {name}"))).and_then(parse_instant)
    };
    Ok((read(&p.start_time, "startTime")?, read(&p.end_time, "endTime")?))
}

/// A booking made in Cal.com, mirrored: its event type gives the service (and branch), its
/// organizer the staff member, its attendee's phone the customer.
async fn create(app: &App, company_id: i64, p: &Payload) -> Result<Applied> {
    let (start, end) = times(p)?;
    let event_type = p.event_type_id.ok_or_else(|| Error::invalid("the booking has no eventTypeId"))?;
    let services = app.store.services(company_id, None).await?;
    let service = services.iter().find(|s| s.calcom_event_type_id == Some(event_type)).ok_or_else(|| {
        Error::not_found(format!("Cal.com event type {event_type} is not one of the company's services"))
            .with_help("run calcom:import-services, then webhooks:retry")
    })?;
    let branches = app.store.branches(company_id).await?;
    let mut branch_id = service.branch_id;
    let mut staff_id = None;
    for branch in &branches {
        if branch_id.is_some_and(|b| b != branch.id) {
            continue;
        }
        if let Some(id) = host(app, company_id, branch.id, p).await? {
            (branch_id, staff_id) = (Some(branch.id), Some(id));
            break;
        }
    }
    let branch_id = match (branch_id, branches.as_slice()) {
        (Some(id), _) => id,
        (None, [only]) => only.id,
        _ => {
            return Err(Error::not_found("the booking's host is not a staff member of any branch")
                .with_help("run calcom:import-staff for the branch, then webhooks:retry"))
        }
    };
    let phone = p
        .attendees
        .iter()
        .find_map(|a| a.phone_number.clone())
        .or_else(|| p.responses.as_ref()?.pointer("/attendeePhoneNumber/value")?.as_str().map(str::to_string));
    let name = p.attendees.first().and_then(|a| a.name.as_deref());
    let customer_id = match phone.filter(|n| n.starts_with('+') && n.len() > 4) {
        Some(number) => Some(app.store.upsert_customer(company_id, &number, name).await?.id),
        None => None,
    };
    let appointment = NewAppointment {
        branch_id,
        staff_id,
        service_id: Some(service.id),
        customer_id,
        starts_at: start,
        ends_at: end,
        status: "booked".into(),
        backend: "calcom".into(),
        external_uid: p.uid.clone(),
        // A booking askpro made during a call whose answer came too late to be mirrored then:
        // it still belongs to that call.
        call_id: p.call_id(),
    };
    app.store.insert_appointment(company_id, &appointment).await?;
    Ok(Applied::Changed)
}

/// The staff member of `branch_id` who is the booking's organizer (by Cal.com user id).
async fn host(app: &App, company_id: i64, branch_id: i64, p: &Payload) -> Result<Option<i64>> {
    let Some(user) = p.organizer.as_ref().and_then(|o| o.id) else { return Ok(None) };
    let staff = app.store.staff(company_id, branch_id).await?;
    Ok(staff.iter().find(|s| s.calcom_user_id == Some(user)).map(|s| s.id))
}
