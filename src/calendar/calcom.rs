//! The Cal.com backend: free slots from `/v2/slots` (Cal.com is the only source of truth for its
//! availability), holds as slot reservations, bookings created, rescheduled and cancelled in
//! Cal.com and mirrored into the store under their current uid.
//!
//! Cal.com assigns the host of a team event type, so slots carry no staff member and a staff
//! preference cannot be expressed; the booked host is mapped back to staff by Cal.com user id.

use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};

use super::local::held;
use super::{
    booked_appointment, branch_and_service, check_scope, not_free, BookingRequest, Calendar, FreeSlot, SlotQuery,
    HOLD_MINUTES,
};
use crate::clients::calcom::{Attendee, Booking, BookingFilter, CalcomError, Client, NewBooking};
use crate::error::{Error, Result};
use crate::store::{Appointment, AppointmentMove, Company, Customer, Hold, NewAppointment, NewHold, Service, Store};

const MINUTE_MS: i64 = 60_000;

/// The booking metadata key that names the Retell call a booking was made in; a booking's
/// Cal.com webhook carries it back (`ops::bookings`).
pub const CALL_ID_KEY: &str = "askpro_call_id";

#[derive(Clone)]
pub struct CalcomCalendar {
    store: Arc<dyn Store>,
    company_id: i64,
    client: Client,
}

impl CalcomCalendar {
    pub fn new(store: Arc<dyn Store>, company: &Company, client: Client) -> CalcomCalendar {
        CalcomCalendar { store, company_id: company.id, client }
    }

    /// The staff member behind a booking's first host, if askpro knows them.
    async fn staff_of(&self, branch_id: i64, booking: &Booking) -> Result<Option<i64>> {
        let Some(host) = booking.hosts.first() else { return Ok(None) };
        let staff = self.store.staff(self.company_id, branch_id).await?;
        Ok(staff.iter().find(|s| s.calcom_user_id == Some(host.id)).map(|s| s.id))
    }

    /// Releases a hold's reservation; a failure only delays the slot's return by its expiry.
    async fn release(&self, hold: &Hold) {
        if let Some(uid) = &hold.external_uid {
            if let Err(e) = self.client.release_reservation(uid).await {
                tracing::debug!(error = %e, uid, "could not release a Cal.com reservation; it expires by itself");
            }
        }
    }

    /// Creates the booking; when the answer is lost or ambiguous (timeout, 409, 5xx), looks
    /// for it by askpro's reference instead of creating it again.
    async fn create(&self, booking: &NewBooking, reference: &str, start: i64, end: i64) -> Result<Booking> {
        let err = match self.client.create_booking(booking).await {
            Ok(b) => return Ok(b),
            Err(e) if e.is_ambiguous() => e,
            Err(e) => return Err(e.into()),
        };
        tracing::warn!(error = %err, reference, "booking create failed ambiguously; reading bookings back");
        let filter = BookingFilter {
            event_type_id: Some(booking.event_type_id),
            after_start: Some(utc(start - MINUTE_MS)),
            before_end: Some(utc(end + MINUTE_MS)),
            status: Some("upcoming"),
        };
        let found = self.client.bookings(&filter).await.map_err(|read| {
            Error::upstream(format!("{err}; reading the bookings back failed too ({read})")).with_help(
                "the booking may or may not exist in Cal.com; `askpro debug:appointments` shows askpro's view",
            )
        })?;
        match found.into_iter().find(|b| b.metadata.get("askpro_ref").and_then(|v| v.as_str()) == Some(reference)) {
            Some(b) => Ok(b),
            None => Err(err.into()),
        }
    }

    /// [`Calendar::confirm`], on the caller's task.
    async fn book_held(&self, call_id: &str, customer: &Customer, now: i64) -> Result<Appointment> {
        let hold = held(self.store.as_ref(), self.company_id, call_id, now).await?;
        let service_id = hold.service_id.ok_or_else(|| Error::internal("hold without a service"))?;
        let service = self
            .store
            .service(service_id)
            .await?
            .ok_or_else(|| Error::not_found(format!("service {service_id} is gone")))?;
        let branch = self
            .store
            .branch(hold.branch_id)
            .await?
            .ok_or_else(|| Error::not_found(format!("branch {} is gone", hold.branch_id)))?;
        let reference = format!("{}:{}:{}", self.company_id, call_id, hold.starts_at);
        let mut metadata = serde_json::Map::new();
        metadata.insert("askpro_ref".into(), reference.clone().into());
        metadata.insert(CALL_ID_KEY.into(), call_id.into());
        let request = NewBooking {
            start: utc(hold.starts_at),
            event_type_id: event_type_of(&service)?,
            attendee: Attendee {
                name: customer.name.clone().unwrap_or_else(|| "Telefonkunde".into()),
                email: customer.email.clone(),
                time_zone: branch.timezone.clone(),
                phone_number: customer.phone.clone(),
                language: Some("de".into()),
            },
            metadata,
        };
        let booking = self.create(&request, &reference, hold.starts_at, hold.ends_at).await?;
        let id = self
            .store
            .book_hold(
                self.company_id,
                &NewAppointment {
                    branch_id: branch.id,
                    staff_id: self.staff_of(branch.id, &booking).await?,
                    service_id: Some(service.id),
                    customer_id: Some(customer.id),
                    starts_at: parse_instant(&booking.start)?,
                    ends_at: parse_instant(&booking.end)?,
                    status: "booked".into(),
                    backend: "calcom".into(),
                    external_uid: Some(booking.uid),
                    call_id: Some(call_id.to_string()),
                },
            )
            .await?;
        self.release(&hold).await;
        self.store.appointment(self.company_id, id).await?.ok_or_else(|| Error::internal("appointment vanished"))
    }

    /// [`Calendar::reschedule`], on the caller's task.
    async fn move_booking(&self, id: i64, start: i64) -> Result<Appointment> {
        let current = booked_appointment(self.store.as_ref(), self.company_id, id).await?;
        let uid = current.external_uid.clone().ok_or_else(|| {
            Error::invalid(format!("appointment {id} was not booked in Cal.com (it has no booking uid)"))
        })?;
        let (branch, _service) = branch_and_service(self.store.as_ref(), &current).await?;
        let booking = match self.client.reschedule(&uid, &utc(start), Some("Vom Anrufer verschoben")).await {
            Ok(b) => b,
            // The answer was lost: the old booking tells whether the move happened.
            Err(e) if e.is_ambiguous() => match self.client.booking(&uid).await?.rescheduled_to_uid {
                Some(new_uid) => self.client.booking(&new_uid).await?,
                None => return Err(e.into()),
            },
            Err(e) => return Err(e.into()),
        };
        let to = AppointmentMove {
            staff_id: self.staff_of(branch.id, &booking).await?.or(current.staff_id),
            starts_at: parse_instant(&booking.start)?,
            ends_at: parse_instant(&booking.end)?,
            external_uid: Some(booking.uid),
        };
        self.store.move_appointment(self.company_id, id, &to).await
    }

    /// [`Calendar::cancel`], on the caller's task.
    async fn cancel_booking(&self, id: i64, reason: Option<&str>) -> Result<Appointment> {
        let current = booked_appointment(self.store.as_ref(), self.company_id, id).await?;
        if let Some(uid) = &current.external_uid {
            match self.client.cancel(uid, reason).await {
                Ok(_) => {}
                // Already cancelled in Cal.com (say, by the business): bring the mirror along.
                Err(CalcomError::Rejected { message, .. }) if message.to_ascii_lowercase().contains("cancel") => {}
                Err(e) => return Err(e.into()),
            }
        }
        self.store.cancel_appointment(self.company_id, id, reason).await
    }
}

#[async_trait]
impl Calendar for CalcomCalendar {
    fn backend(&self) -> &'static str {
        "calcom"
    }

    fn reads_are_round_trips(&self) -> bool {
        true
    }

    async fn free_slots(&self, q: &SlotQuery<'_>) -> Result<Vec<FreeSlot>> {
        check_scope(self.company_id, q.branch, q.service)?;
        let event_type = event_type_of(q.service)?;
        let days =
            self.client.slots(event_type, &utc(q.window.start), &utc(q.window.end - 1), &q.branch.timezone).await?;
        let duration = q.service.duration_min * MINUTE_MS;
        let mut out = Vec::new();
        for slot in days.into_values().flatten() {
            let start = parse_instant(&slot.start)?;
            let end = slot.end.as_deref().map(parse_instant).transpose()?.unwrap_or(start + duration);
            if start >= q.window.start && start < q.window.end && start > q.now {
                out.push(FreeSlot { start, end, staff_ids: Vec::new() });
            }
        }
        out.sort_by_key(|s| s.start);
        out.dedup_by_key(|s| s.start);
        Ok(out)
    }

    async fn hold(&self, r: &BookingRequest<'_>) -> Result<Hold> {
        let window = super::Interval { start: r.start, end: r.start + 1 };
        let query = SlotQuery { branch: r.branch, service: r.service, window, staff_id: None, now: r.now };
        // The call's earlier reservation would hide its own new choice, and it is no longer wanted.
        if let Some(earlier) = self.store.active_hold(self.company_id, r.call_id, r.now).await? {
            self.release(&earlier).await;
        }
        let slot = self.free_slots(&query).await?.into_iter().find(|s| s.start == r.start).ok_or_else(not_free)?;
        let reservation = self.client.reserve(event_type_of(r.service)?, &utc(r.start), HOLD_MINUTES).await?;
        let hold = NewHold {
            branch_id: r.branch.id,
            staff_id: None,
            service_id: r.service.id,
            call_id: r.call_id.to_string(),
            starts_at: slot.start,
            ends_at: slot.end,
            expires_at: r.now + HOLD_MINUTES * MINUTE_MS,
            external_uid: Some(reservation.reservation_uid),
            customer_id: Some(r.customer.id),
        };
        self.store.hold_slot(self.company_id, &hold, r.now).await
    }

    // Writes to Cal.com run on a task of their own (see `detached`).
    async fn confirm(&self, call_id: &str, customer: &Customer, now: i64) -> Result<Appointment> {
        let (this, call_id, customer) = (self.clone(), call_id.to_string(), customer.clone());
        detached(async move { this.book_held(&call_id, &customer, now).await }).await
    }

    async fn reschedule(&self, id: i64, start: i64, _staff_id: Option<i64>, _now: i64) -> Result<Appointment> {
        let this = self.clone();
        detached(async move { this.move_booking(id, start).await }).await
    }

    async fn cancel(&self, id: i64, reason: Option<&str>, _now: i64) -> Result<Appointment> {
        let (this, reason) = (self.clone(), reason.map(str::to_string));
        detached(async move { this.cancel_booking(id, reason.as_deref()).await }).await
    }

    async fn upcoming(&self, customer_id: i64, now: i64) -> Result<Vec<Appointment>> {
        self.store.upcoming_appointments(self.company_id, customer_id, now).await
    }
}

/// Runs a write to Cal.com and its mirror in the store on a task of its own, and waits for it.
/// A function's deadline then stops only the waiting: when Cal.com answers after it (the caller
/// has heard the fallback by then), the booking, move or cancellation Cal.com made is still
/// mirrored, linked to its call, and the call's hold released.
async fn detached<T: Send + 'static>(write: impl Future<Output = Result<T>> + Send + 'static) -> Result<T> {
    tokio::spawn(write).await.map_err(|e| Error::internal(format!("a Cal.com write stopped: {e}")))?
}

fn event_type_of(service: &Service) -> Result<i64> {
    service.calcom_event_type_id.ok_or_else(|| {
        Error::config(format!("service '{}' is not linked to a Cal.com event type", service.name))
            .with_help("run `askpro calcom:import-services --company-id ID`, or pass --calcom-event-type-id")
    })
}

/// UTC with a `Z`, as Cal.com wants every instant it is sent.
pub fn utc(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn parse_instant(text: &str) -> Result<i64> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.timestamp_millis())
        .map_err(|_| Error::upstream(format!("Cal.com sent a time askpro cannot read: '{text}'")))
}
