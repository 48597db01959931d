//! The local calendar — the embedded default that needs no account — reading its inputs from
//! the store: the branch's hours and zone, the staff who perform the service (with their own
//! hours where set), and their booked appointments and unexpired holds.

use std::collections::HashMap;
use std::sync::Arc;

use super::slots::{free_slots, Interval, Slot, SlotRules, StaffAvailability};
use crate::domain::BusinessHours;
use crate::error::{Error, Result};
use crate::store::{Branch, Service, Store};

pub struct LocalCalendar {
    store: Arc<dyn Store>,
    rules: SlotRules,
}

impl LocalCalendar {
    pub fn new(store: Arc<dyn Store>, rules: SlotRules) -> LocalCalendar {
        LocalCalendar { store, rules }
    }

    /// Free slots for `service` at `branch` starting in `window`, optionally for one staff
    /// member, ordered by start and staff.
    pub async fn free_slots(
        &self,
        branch: &Branch,
        service: &Service,
        window: Interval,
        staff_id: Option<i64>,
        now: i64,
    ) -> Result<Vec<Slot>> {
        if service.company_id != branch.company_id || service.branch_id.is_some_and(|b| b != branch.id) {
            return Err(Error::not_found(format!("branch {} does not offer service {}", branch.id, service.id)));
        }
        let tz: chrono_tz::Tz = branch
            .timezone
            .parse()
            .map_err(|_| Error::internal(format!("branch {} has an invalid time zone", branch.id)))?;
        let hours = parse_hours(&branch.business_hours)?;
        let staff = self.store.staff_for_service(branch.company_id, branch.id, service.id).await?;
        let staff: Vec<_> = staff.into_iter().filter(|s| staff_id.is_none_or(|id| id == s.id)).collect();
        if staff.is_empty() {
            return Ok(Vec::new());
        }
        // Busy times reach one duration (plus buffer) before the window: they can still block
        // a slot that starts inside it.
        let reach = (i64::from(self.rules.buffer_min) + service.duration_min) * 60_000;
        let busy =
            self.store.busy_times(branch.company_id, branch.id, window.start - reach, window.end + reach, now).await?;
        let mut by_staff: HashMap<i64, Vec<Interval>> = HashMap::new();
        for b in busy {
            by_staff.entry(b.staff_id).or_default().push(Interval { start: b.starts_at, end: b.ends_at });
        }
        let availability = staff
            .into_iter()
            .map(|s| {
                let own = s.working_hours.as_deref().map(parse_hours).transpose()?;
                Ok(StaffAvailability::new(s.id, own, by_staff.remove(&s.id).unwrap_or_default()))
            })
            .collect::<Result<Vec<_>>>()?;
        let duration =
            u32::try_from(service.duration_min).map_err(|_| Error::internal("service duration out of range"))?;
        Ok(free_slots(tz, &hours, &availability, duration, window, now, &self.rules))
    }
}

fn parse_hours(json: &str) -> Result<BusinessHours> {
    BusinessHours::from_json(&serde_json::from_str(json)?)
}
