//! Scheduling: one [`Calendar`] interface with two backends that give the same
//! answers — the built-in [`LocalCalendar`] and [`CalcomCalendar`] in front of Cal.com.
//!
//! Times are UTC milliseconds inside; the branch's zone is only for reading hours and for what
//! callers hear. A calendar serves one company: every query it makes is scoped to it.
//!
//! A booking goes through a *hold*: the slot is checked and held for the call for
//! [`HOLD_MINUTES`], then confirmed. [`Calendar::book`] does both at once. Both backends mirror
//! appointments into the store, so a customer's upcoming appointments are read there.

pub mod calcom;
pub mod local;
pub mod schedules;
pub mod slots;

use std::sync::Arc;

use async_trait::async_trait;
use serde::Serialize;

pub use calcom::CalcomCalendar;
pub use local::LocalCalendar;
pub use schedules::Schedules;
pub use slots::{free_slots, working_shifts, Interval, Slot, SlotRules, StaffAvailability};

use crate::error::{Error, Result};
use crate::store::{Appointment, Branch, Company, Customer, Hold, Service, Store};

/// How long a slot stays held for a call while the caller confirms.
pub const HOLD_MINUTES: i64 = 5;

/// A bookable start. `staff_ids` lists who is free then (local calendar); it is empty when the
/// backend assigns the staff member on booking (Cal.com team event types).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FreeSlot {
    pub start: i64,
    pub end: i64,
    pub staff_ids: Vec<i64>,
}

/// Free slots for a service at a branch, starting in a window, optionally for one staff member.
#[derive(Debug, Clone, Copy)]
pub struct SlotQuery<'a> {
    pub branch: &'a Branch,
    pub service: &'a Service,
    pub window: Interval,
    pub staff_id: Option<i64>,
    pub now: i64,
}

/// A slot wanted for a customer during a call.
#[derive(Debug, Clone, Copy)]
pub struct BookingRequest<'a> {
    pub branch: &'a Branch,
    pub service: &'a Service,
    pub start: i64,
    pub staff_id: Option<i64>,
    pub customer: &'a Customer,
    pub call_id: &'a str,
    pub now: i64,
}

#[async_trait]
pub trait Calendar: Send + Sync {
    /// `local` or `calcom`.
    fn backend(&self) -> &'static str;

    /// Whether every read is a round trip to another service (Cal.com), so that reading a week
    /// costs about what reading a day does and callers should ask for the week at once. The
    /// local calendar computes slots day by day: there, callers read only the days they need.
    fn reads_are_round_trips(&self) -> bool {
        false
    }

    /// Free slots ordered by start.
    async fn free_slots(&self, query: &SlotQuery<'_>) -> Result<Vec<FreeSlot>>;

    /// Which of `starts` (instants inside the query's window) are free slots, ordered by start.
    /// By default the window's free slots, kept where they match.
    async fn free_starts(&self, query: &SlotQuery<'_>, starts: &[i64]) -> Result<Vec<FreeSlot>> {
        let mut free = self.free_slots(query).await?;
        free.retain(|s| starts.contains(&s.start));
        Ok(free)
    }

    /// Checks that the slot is free and holds it for the call (replacing the call's earlier
    /// hold). A slot that is not free is a conflict.
    async fn hold(&self, request: &BookingRequest<'_>) -> Result<Hold>;

    /// Books the call's held slot for the customer.
    async fn confirm(&self, call_id: &str, customer: &Customer, now: i64) -> Result<Appointment>;

    /// Hold and confirm in one step.
    async fn book(&self, request: &BookingRequest<'_>) -> Result<Appointment> {
        self.hold(request).await?;
        self.confirm(request.call_id, request.customer, request.now).await
    }

    /// Moves a booked appointment to a new start (same service and duration), keeping its
    /// staff member when they are free then, unless `staff_id` asks for someone.
    async fn reschedule(&self, appointment_id: i64, start: i64, staff_id: Option<i64>, now: i64)
        -> Result<Appointment>;

    async fn cancel(&self, appointment_id: i64, reason: Option<&str>, now: i64) -> Result<Appointment>;

    /// The customer's booked appointments that have not ended, soonest first.
    async fn upcoming(&self, customer_id: i64, now: i64) -> Result<Vec<Appointment>>;
}

/// The calendar a company schedules in (`--scheduling local|calcom`); Cal.com needs a client.
/// The company's calendar; a local one reads busy times through `schedules` when given.
pub fn for_company(
    store: Arc<dyn Store>,
    company: &Company,
    calcom: Option<crate::clients::calcom::Client>,
    schedules: Option<Arc<Schedules>>,
) -> Result<Arc<dyn Calendar>> {
    match (company.scheduling.as_str(), calcom) {
        ("calcom", Some(client)) => Ok(Arc::new(CalcomCalendar::new(store, company, client))),
        ("calcom", None) => {
            Err(Error::unset(format!("company {} schedules in Cal.com but has no Cal.com client", company.id)))
        }
        _ => Ok(Arc::new(LocalCalendar::for_company(store, company).with_schedules(schedules))),
    }
}

/// The slot rules a company configured for its local calendar.
pub fn rules_of(company: &Company) -> SlotRules {
    let minutes = |v: i64| u32::try_from(v).unwrap_or(0);
    SlotRules {
        step_min: minutes(company.slot_step_min).max(1),
        buffer_min: minutes(company.slot_buffer_min),
        min_notice_min: minutes(company.min_notice_min),
    }
}

/// Shared checks: the branch and service belong to the calendar's company, and the service is
/// offered at the branch.
fn check_scope(company_id: i64, branch: &Branch, service: &Service) -> Result<()> {
    if branch.company_id != company_id {
        return Err(Error::not_found(format!("company {company_id} has no branch {}", branch.id)));
    }
    if service.company_id != company_id || service.branch_id.is_some_and(|b| b != branch.id) {
        return Err(Error::not_found(format!("branch {} does not offer service {}", branch.id, service.id)));
    }
    Ok(())
}

fn not_free() -> Error {
    Error::conflict("that time is not available").with_help("ask for the free slots and pick one of them")
}

async fn booked_appointment(store: &dyn Store, company_id: i64, id: i64) -> Result<Appointment> {
    match store.appointment(company_id, id).await? {
        Some(a) if a.status == "booked" => Ok(a),
        Some(a) => Err(Error::conflict(format!("appointment {id} is {}", a.status))),
        None => Err(Error::not_found(format!("company {company_id} has no appointment {id}"))),
    }
}

async fn branch_and_service(store: &dyn Store, appointment: &Appointment) -> Result<(Branch, Service)> {
    let branch = store
        .branch(appointment.branch_id)
        .await?
        .ok_or_else(|| Error::not_found(format!("branch {} does not exist", appointment.branch_id)))?;
    let service_id = appointment
        .service_id
        .ok_or_else(|| Error::invalid(format!("appointment {} has no service to reschedule", appointment.id)))?;
    let service = store
        .service(service_id)
        .await?
        .ok_or_else(|| Error::not_found(format!("service {service_id} does not exist")))?;
    Ok((branch, service))
}
