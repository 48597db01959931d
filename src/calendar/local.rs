//! The local calendar — the embedded default that needs no account — reading its inputs from
//! the store: the branch's hours and zone, the staff who perform the service (with their own
//! hours where set), and their booked appointments and unexpired holds. The database refuses
//! overlapping bookings and holds of one staff member (migrations 0002 and 0003), so two calls
//! racing for a slot cannot both win, whichever process they run in.

use std::sync::Arc;

use async_trait::async_trait;

use super::schedules::{DayKey, Schedules};
use super::slots::{day_start, free_slots, local_date, Interval, Slot, SlotRules, StaffAvailability};
use super::{
    booked_appointment, branch_and_service, check_scope, not_free, rules_of, BookingRequest, Calendar, FreeSlot,
    SlotQuery, HOLD_MINUTES,
};
use crate::domain::BusinessHours;
use crate::error::{Error, ErrorKind, Result};
use crate::store::{
    Appointment, AppointmentMove, Branch, BusyTime, Company, Customer, Hold, NewAppointment, NewHold, Service, Staff,
    Store,
};

const MINUTE_MS: i64 = 60_000;

pub struct LocalCalendar {
    store: Arc<dyn Store>,
    company_id: i64,
    rules: SlotRules,
    /// Branch schedules kept in memory (the daemon's); `None` reads busy times each time.
    schedules: Option<Arc<Schedules>>,
}

impl LocalCalendar {
    pub fn new(store: Arc<dyn Store>, company_id: i64, rules: SlotRules) -> LocalCalendar {
        LocalCalendar { store, company_id, rules, schedules: None }
    }

    pub fn for_company(store: Arc<dyn Store>, company: &Company) -> LocalCalendar {
        LocalCalendar::new(store, company.id, rules_of(company))
    }

    /// Reads busy times through `schedules` (see [`Schedules`]).
    pub fn with_schedules(mut self, schedules: Option<Arc<Schedules>>) -> LocalCalendar {
        self.schedules = schedules;
        self
    }

    /// The active staff who perform `service` here: from the kept schedule when there is one.
    async fn staff(&self, branch: &Branch, service: &Service) -> Result<Arc<Vec<Staff>>> {
        match &self.schedules {
            Some(kept) => kept.staff(self.store.as_ref(), self.company_id, branch, service.id).await,
            None => Ok(Arc::new(self.store.staff_for_service(self.company_id, branch.id, service.id).await?)),
        }
    }

    /// Opening hours from their JSON text: kept parsed when there are kept schedules.
    fn hours(&self, json: &str) -> Result<Arc<BusinessHours>> {
        match &self.schedules {
            Some(kept) => kept.hours(json),
            None => Ok(Arc::new(BusinessHours::parse_json(json)?)),
        }
    }

    /// Busy times overlapping any of `windows` (ordered by start): from the kept schedule when
    /// there is one, else of the staff who perform `service`, read from the store in one go.
    /// An interval reaching two windows may be listed twice.
    async fn busy(&self, branch: &Branch, service: &Service, windows: &[Interval], now: i64) -> Result<Vec<BusyTime>> {
        match &self.schedules {
            Some(kept) => kept.busy(self.store.as_ref(), self.company_id, branch, windows, now).await,
            None => {
                let (Some(first), Some(last)) = (windows.first(), windows.last()) else { return Ok(Vec::new()) };
                let (from, to) = (first.start, last.end);
                let mut busy = self.store.busy_times(self.company_id, branch.id, service.id, from, to, now).await?;
                if windows.len() > 1 {
                    busy.retain(|b| windows.iter().any(|w| b.starts_at < w.end && b.ends_at > w.start));
                }
                Ok(busy)
            }
        }
    }

    /// Free slots per staff member, ordered by start and staff. `ignore` leaves one
    /// appointment out of the busy times (the one being moved).
    pub async fn staff_slots(&self, query: &SlotQuery<'_>, ignore: Option<i64>) -> Result<Vec<Slot>> {
        self.slots_in(query, &[query.window], ignore).await
    }

    /// Free slots per staff member starting in any of `windows` (ordered by start, not
    /// overlapping), ordered by start and staff: from kept days when there are kept schedules.
    async fn slots_in(&self, query: &SlotQuery<'_>, windows: &[Interval], ignore: Option<i64>) -> Result<Vec<Slot>> {
        if let (Some(kept), None) = (&self.schedules, ignore) {
            if let Some(slots) = self.slots_by_day(kept, query, windows).await? {
                return Ok(slots);
            }
        }
        let Some(inputs) = self.inputs(query, windows, ignore).await? else { return Ok(Vec::new()) };
        Ok(windows.iter().flat_map(|&w| inputs.slots(w, query.now, &self.rules)).collect())
    }

    /// [`Self::slots_in`] from whole local days of every staff member's slots, kept in
    /// `kept` or computed (then kept) for the days not kept, and narrowed to the query's
    /// windows, notice and staff member. `None` when a day has no start (dates chrono cannot
    /// represent).
    async fn slots_by_day(
        &self,
        kept: &Schedules,
        query: &SlotQuery<'_>,
        windows: &[Interval],
    ) -> Result<Option<Vec<Slot>>> {
        let SlotQuery { branch, service, staff_id, now, .. } = *query;
        check_scope(self.company_id, branch, service)?;
        let tz = zone(branch)?;
        // The local days the windows reach, in order.
        let mut days: Vec<DayKey> = Vec::new();
        for w in windows.iter().filter(|w| w.start < w.end) {
            let (Some(first), Some(last)) = (local_date(tz, w.start), local_date(tz, w.end - 1)) else {
                return Ok(None);
            };
            for day in first.iter_days().take_while(|d| *d <= last) {
                if days.last().is_none_or(|k| k.day < day) {
                    days.push(DayKey { branch, service, rules: self.rules, day });
                }
            }
        }
        let mut slots: Vec<Option<Arc<[Slot]>>> = days.iter().map(|key| kept.day_slots(key, now)).collect();
        let missing: Vec<usize> = (0..days.len()).filter(|&i| slots[i].is_none()).collect();
        if !missing.is_empty() {
            // Only days computed afresh need their bounds: kept slots lie within their day.
            let bounds = missing.iter().map(|&i| {
                let day = days[i].day;
                let end = day.succ_opt().and_then(|next| day_start(tz, next));
                day_start(tz, day).zip(end).map(|(start, end)| Interval { start, end })
            });
            let Some(bounds) = bounds.collect::<Option<Vec<Interval>>>() else { return Ok(None) };
            let everyone = SlotQuery { staff_id: None, ..*query };
            let inputs = self.inputs(&everyone, &bounds, None).await?;
            // The notice is the query's, applied below: the day's slots are computed without it.
            let unnoticed = SlotRules { min_notice_min: 0, ..self.rules };
            // The busy times were read for all these days at once, from the kept schedule only
            // if it covered them all (else from the store): that whole span decides.
            let reach = self.reach(service);
            let read = (bounds[0].start - reach, bounds[bounds.len() - 1].end + reach);
            for (&i, day) in missing.iter().zip(&bounds) {
                let computed: Arc<[Slot]> =
                    inputs.as_ref().map(|x| x.slots(*day, day.start, &unnoticed)).unwrap_or_default().into();
                kept.keep_day_slots(&days[i], now, read, computed.clone());
                slots[i] = Some(computed);
            }
        }
        let earliest = now + i64::from(self.rules.min_notice_min) * MINUTE_MS;
        let mut out = Vec::new();
        for w in windows {
            let from = w.start.max(earliest);
            for day_slots in slots.iter().flatten() {
                let begin = day_slots.partition_point(|s| s.start < from);
                out.extend(
                    day_slots[begin..]
                        .iter()
                        .take_while(|s| s.start < w.end)
                        .filter(|s| staff_id.is_none_or(|id| id == s.staff_id)),
                );
            }
        }
        Ok(Some(out))
    }

    /// How far before a window a busy time can still block a slot in it, and after it.
    fn reach(&self, service: &Service) -> i64 {
        (i64::from(self.rules.buffer_min) + service.duration_min) * MINUTE_MS
    }

    /// The slot engine's inputs for `windows` (ordered by start): the branch's hours, and the
    /// staff who perform the service (or the one asked for) with their busy times, read once
    /// for all the windows. `None` when nobody performs the service here.
    async fn inputs(&self, query: &SlotQuery<'_>, windows: &[Interval], ignore: Option<i64>) -> Result<Option<Inputs>> {
        let SlotQuery { branch, service, staff_id, now, .. } = *query;
        check_scope(self.company_id, branch, service)?;
        if windows.is_empty() {
            return Ok(None);
        }
        let tz = zone(branch)?;
        let hours = self.hours(&branch.business_hours)?;
        // Busy times reach one duration (plus buffer) before a window: they can still block
        // a slot that starts inside it. Both reads go out at once.
        let reach = self.reach(service);
        let widened: Vec<Interval> =
            windows.iter().map(|w| Interval { start: w.start - reach, end: w.end + reach }).collect();
        let (staff, busy) = tokio::try_join!(self.staff(branch, service), self.busy(branch, service, &widened, now))?;
        let mut staff: Vec<&Staff> = staff.iter().filter(|s| staff_id.is_none_or(|id| id == s.id)).collect();
        if staff.is_empty() {
            return Ok(None);
        }
        staff.sort_by_key(|s| s.id);
        // Each staff member's busy times, found by id in the sorted list (an interval listed
        // twice merges with itself).
        let mut by_staff: Vec<Vec<Interval>> = vec![Vec::new(); staff.len()];
        for b in busy.iter().filter(|b| ignore.is_none() || b.appointment_id != ignore) {
            if let Ok(i) = staff.binary_search_by_key(&b.staff_id, |s| s.id) {
                by_staff[i].push(Interval { start: b.starts_at, end: b.ends_at });
            }
        }
        let availability = staff
            .into_iter()
            .zip(by_staff)
            .map(|(s, busy)| {
                let own = s.working_hours.as_deref().map(|h| self.hours(h)).transpose()?;
                Ok(StaffAvailability::new(s.id, own, busy))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(Inputs { tz, hours, availability, duration: duration_of(service)? }))
    }

    /// Who is free at exactly `query.window.start` (a one-instant window), the staff member
    /// to `keep` first.
    async fn free_at(&self, query: &SlotQuery<'_>, ignore: Option<i64>, keep: Option<i64>) -> Result<Vec<i64>> {
        let start = query.window.start;
        let mut staff: Vec<i64> = self
            .staff_slots(query, ignore)
            .await?
            .into_iter()
            .filter(|s| s.start == start)
            .map(|s| s.staff_id)
            .collect();
        if let Some(keep) = keep {
            staff.sort_by_key(|id| *id != keep);
        }
        Ok(staff)
    }
}

fn zone(branch: &Branch) -> Result<chrono_tz::Tz> {
    branch.timezone.parse().map_err(|_| Error::internal(format!("branch {} has an invalid time zone", branch.id)))
}

fn at(start: i64) -> Interval {
    Interval { start, end: start + 1 }
}

/// What the slot engine needs besides a window, read for one service at one branch.
struct Inputs {
    tz: chrono_tz::Tz,
    hours: Arc<BusinessHours>,
    availability: Vec<StaffAvailability>,
    duration: u32,
}

impl Inputs {
    fn slots(&self, window: Interval, now: i64, rules: &SlotRules) -> Vec<Slot> {
        free_slots(self.tz, &self.hours, &self.availability, self.duration, window, now, rules)
    }
}

/// Per-staff slots (ordered by start) as one free slot per start, with who is free then.
fn by_start(slots: &[Slot]) -> Vec<FreeSlot> {
    slots
        .chunk_by(|a, b| a.start == b.start)
        .map(|same| FreeSlot {
            start: same[0].start,
            end: same[0].end,
            staff_ids: same.iter().map(|s| s.staff_id).collect(),
        })
        .collect()
}

#[async_trait]
impl Calendar for LocalCalendar {
    fn backend(&self) -> &'static str {
        "local"
    }

    async fn free_slots(&self, query: &SlotQuery<'_>) -> Result<Vec<FreeSlot>> {
        Ok(by_start(&self.staff_slots(query, None).await?))
    }

    /// Reads the staff and their busy times once for all `starts`, then asks the slot engine
    /// about each start alone: a handful of instants across a week cost little more than one.
    async fn free_starts(&self, query: &SlotQuery<'_>, starts: &[i64]) -> Result<Vec<FreeSlot>> {
        let window = query.window;
        let mut windows: Vec<Interval> =
            starts.iter().filter(|&&s| window.start <= s && s < window.end).map(|&s| at(s)).collect();
        windows.sort_unstable();
        windows.dedup();
        Ok(by_start(&self.slots_in(query, &windows, None).await?))
    }

    async fn hold(&self, r: &BookingRequest<'_>) -> Result<Hold> {
        let query =
            SlotQuery { branch: r.branch, service: r.service, window: at(r.start), staff_id: r.staff_id, now: r.now };
        let candidates = self.free_at(&query, None, None).await?;
        let end = r.start + r.service.duration_min * MINUTE_MS;
        // Another call may take a candidate between reading and writing; the database decides,
        // and the next candidate is tried.
        for staff_id in candidates {
            let hold = NewHold {
                branch_id: r.branch.id,
                staff_id: Some(staff_id),
                service_id: r.service.id,
                call_id: r.call_id.to_string(),
                starts_at: r.start,
                ends_at: end,
                expires_at: r.now + HOLD_MINUTES * MINUTE_MS,
                external_uid: None,
                customer_id: Some(r.customer.id),
            };
            match self.store.hold_slot(self.company_id, &hold, r.now).await {
                Err(e) if e.kind() == ErrorKind::Conflict => continue,
                result => return result,
            }
        }
        Err(not_free())
    }

    async fn confirm(&self, call_id: &str, customer: &Customer, now: i64) -> Result<Appointment> {
        let hold = held(self.store.as_ref(), self.company_id, call_id, now).await?;
        let id = self
            .store
            .book_hold(
                self.company_id,
                &NewAppointment {
                    branch_id: hold.branch_id,
                    staff_id: hold.staff_id,
                    service_id: hold.service_id,
                    customer_id: Some(customer.id),
                    starts_at: hold.starts_at,
                    ends_at: hold.ends_at,
                    status: "booked".into(),
                    backend: "local".into(),
                    external_uid: None,
                    call_id: Some(call_id.to_string()),
                },
            )
            .await?;
        self.store.appointment(self.company_id, id).await?.ok_or_else(|| Error::internal("appointment vanished"))
    }

    async fn reschedule(&self, id: i64, start: i64, staff_id: Option<i64>, now: i64) -> Result<Appointment> {
        let current = booked_appointment(self.store.as_ref(), self.company_id, id).await?;
        let (branch, service) = branch_and_service(self.store.as_ref(), &current).await?;
        let query = SlotQuery { branch: &branch, service: &service, window: at(start), staff_id, now };
        let candidates = self.free_at(&query, Some(id), current.staff_id).await?;
        let end = start + (current.ends_at - current.starts_at);
        for staff_id in candidates {
            let to = AppointmentMove { staff_id: Some(staff_id), starts_at: start, ends_at: end, external_uid: None };
            match self.store.move_appointment(self.company_id, id, &to).await {
                Err(e) if e.kind() == ErrorKind::Conflict => continue,
                result => return result,
            }
        }
        Err(not_free())
    }

    async fn cancel(&self, id: i64, reason: Option<&str>, _now: i64) -> Result<Appointment> {
        booked_appointment(self.store.as_ref(), self.company_id, id).await?;
        self.store.cancel_appointment(self.company_id, id, reason).await
    }

    async fn upcoming(&self, customer_id: i64, now: i64) -> Result<Vec<Appointment>> {
        self.store.upcoming_appointments(self.company_id, customer_id, now).await
    }
}

/// The call's unexpired hold, or a clear error.
pub(super) async fn held(store: &dyn Store, company_id: i64, call_id: &str, now: i64) -> Result<Hold> {
    store.active_hold(company_id, call_id, now).await?.ok_or_else(|| {
        Error::not_found(format!("call {call_id} holds no slot (or its hold expired)"))
            .with_help("hold a slot first; holds last 5 minutes")
    })
}

pub(super) fn duration_of(service: &Service) -> Result<u32> {
    u32::try_from(service.duration_min)
        .ok()
        .filter(|d| *d > 0)
        .ok_or_else(|| Error::internal(format!("service {} has an invalid duration", service.id)))
}
