//! Branch schedules held in memory by a daemon on SQLite.
//!
//! A `check_availability` whose time is taken looks for alternatives across a week: on a busy
//! branch that is over a thousand busy intervals read per call, the largest part of its cost.
//! Those intervals change only when the branch's appointments or holds do, and SQLite's
//! triggers count such changes per branch in `branches.schedule_version` (migration 0007),
//! whoever makes them. The daemon keeps each branch's busy intervals from two days back to
//! `AHEAD` (16 days) forward and uses them while the branch row it read for the call carries the same
//! version; any other version loads them again. Holds are kept with their expiry and dropped
//! once lapsed. A window outside the kept range is read from the store as before. The staff who
//! perform a service are kept the same way: changes to staff and their services bump the
//! version too (migration 0008). PostgreSQL does not keep the count (migration 0009 says why),
//! so a daemon on PostgreSQL reads busy times per call.
//!
//! What calls compute from a kept schedule is kept too: the free slots of one service on one
//! local day, for every staff member who performs it, before the minimum notice is applied.
//! Callers of a busy branch ask about the same few days, and a taken time looks at the week
//! after it, so a call's slots are nearly always computed already. Kept slots are used while
//! the branch's version, its opening hours and zone, the service's duration and the company's
//! step and buffer are the ones they were computed with, and no hold has lapsed or started to
//! count since (their expiry bounds the span of `now` they hold for); the notice is applied
//! to them per call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;

use super::{Interval, Slot, SlotRules};
use crate::domain::BusinessHours;
use crate::error::Result;
use crate::kept::Kept;
use crate::meter::{CacheSnapshot, HitCounter};
use crate::store::{Branch, BusyTime, ScheduleEntry, Service, Staff, Store};

const DAY_MS: i64 = 86_400_000;
/// How far back a kept schedule reaches (busy intervals that began before a window still block it).
const BEHIND: i64 = 2 * DAY_MS;
/// How far ahead a kept schedule reaches.
const AHEAD: i64 = 16 * DAY_MS;
/// Branches kept at once; beyond it the oldest load makes room.
const MAX_BRANCHES: usize = 64;
/// Distinct opening hours kept parsed; beyond it they are parsed afresh.
const MAX_HOURS: usize = 4096;
/// Slots kept for all days together (24 bytes each); beyond it they are all computed afresh.
const MAX_KEPT_SLOTS: usize = 400_000;

/// One branch's busy intervals over `[from, to)`, as of `version`.
struct Snapshot {
    version: i64,
    from: i64,
    to: i64,
    loaded_at: i64,
    /// By start.
    entries: Vec<ScheduleEntry>,
    /// The longest entry: none that starts more than this before a window reaches into it.
    longest: i64,
    /// When the holds among the entries lapse, in order.
    expiries: Vec<i64>,
}

impl Snapshot {
    fn new(version: i64, (from, to): (i64, i64), loaded_at: i64, mut entries: Vec<ScheduleEntry>) -> Snapshot {
        entries.sort_unstable_by_key(|e| e.starts_at);
        let longest = entries.iter().map(|e| e.ends_at - e.starts_at).max().unwrap_or(0);
        let mut expiries: Vec<i64> = entries.iter().filter_map(|e| e.expires_at).collect();
        expiries.sort_unstable();
        Snapshot { version, from, to, loaded_at, entries, longest, expiries }
    }

    /// The span of instants around `now` at which the same holds are live: from the last
    /// expiry at or before `now` (inclusive) to the first after it (exclusive).
    fn same_holds(&self, now: i64) -> (i64, i64) {
        let i = self.expiries.partition_point(|&e| e <= now);
        let from = i.checked_sub(1).map_or(i64::MIN, |i| self.expiries[i]);
        (from, self.expiries.get(i).copied().unwrap_or(i64::MAX))
    }

    fn covers(&self, from: i64, to: i64) -> bool {
        self.from <= from && to <= self.to
    }

    /// Intervals overlapping any of `windows` (ordered by start) that are busy at `now`; an
    /// interval reaching two windows is listed for each.
    fn busy(&self, windows: &[Interval], now: i64) -> Vec<BusyTime> {
        let mut busy = Vec::new();
        for w in windows {
            let begin = self.entries.partition_point(|e| e.starts_at < w.start - self.longest);
            let end = self.entries.partition_point(|e| e.starts_at < w.end);
            busy.reserve(end.saturating_sub(begin));
            busy.extend(
                self.entries[begin..end]
                    .iter()
                    .filter(|e| e.ends_at > w.start && e.expires_at.is_none_or(|x| x > now))
                    .map(ScheduleEntry::busy_time),
            );
        }
        busy
    }
}

/// The day a service's slots are asked for, and what they are computed from.
#[derive(Debug, Clone, Copy)]
pub struct DayKey<'a> {
    pub branch: &'a Branch,
    pub service: &'a Service,
    pub rules: SlotRules,
    /// The branch's local day.
    pub day: NaiveDate,
}

/// One day's slots (see the module's comment) and what they were computed from.
struct KeptDay {
    version: i64,
    hours: String,
    timezone: String,
    duration_min: i64,
    step_min: u32,
    buffer_min: u32,
    /// The span of `now` over which the same holds are live (see [`Snapshot::same_holds`]).
    live: (i64, i64),
    slots: Arc<[Slot]>,
}

impl KeptDay {
    fn serves(&self, key: &DayKey<'_>, now: i64) -> bool {
        let DayKey { branch, service, rules, .. } = key;
        self.version == branch.schedule_version
            && (self.live.0..self.live.1).contains(&now)
            && self.duration_min == service.duration_min
            && (self.step_min, self.buffer_min) == (rules.step_min, rules.buffer_min)
            && self.hours == branch.business_hours
            && self.timezone == branch.timezone
    }
}

/// Kept days by `(branch, service, day)`, and how many slots they hold together.
#[derive(Default)]
struct KeptDays {
    days: HashMap<(i64, i64, NaiveDate), KeptDay>,
    slots: usize,
}

/// The schedules of recently asked-about branches.
pub struct Schedules {
    held: Mutex<HashMap<i64, Arc<Snapshot>>>,
    /// Slots computed from them, by day.
    days: Mutex<KeptDays>,
    /// Days served from kept slots, and days computed.
    day_hits: HitCounter,
    /// Busy times served from a kept schedule, and schedules loaded.
    schedule_hits: HitCounter,
    /// The staff who perform a service, by `(branch, service)`.
    staff: Kept<(i64, i64), Vec<Staff>>,
    /// Opening hours parsed from their JSON text (branches' and staff members' own), by text.
    hours: Mutex<HashMap<String, Arc<BusinessHours>>>,
}

impl Default for Schedules {
    fn default() -> Schedules {
        Schedules {
            held: Mutex::default(),
            days: Mutex::default(),
            day_hits: HitCounter::default(),
            schedule_hits: HitCounter::default(),
            staff: Kept::new(MAX_BRANCHES * 32),
            hours: Mutex::default(),
        }
    }
}

impl Schedules {
    /// The hours `json` describes, parsed once: parsing them was a twentieth of every call.
    pub fn hours(&self, json: &str) -> Result<Arc<BusinessHours>> {
        if let Some(hours) = self.hours.lock().unwrap_or_else(|e| e.into_inner()).get(json) {
            return Ok(hours.clone());
        }
        let hours = Arc::new(BusinessHours::parse_json(json)?);
        let mut kept = self.hours.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= MAX_HOURS {
            kept.clear();
        }
        kept.insert(json.to_string(), hours.clone());
        Ok(hours)
    }

    /// The slots kept for `key`'s day, if they are what computing them at `now` would give.
    pub fn day_slots(&self, key: &DayKey<'_>, now: i64) -> Option<Arc<[Slot]>> {
        let days = self.days.lock().unwrap_or_else(|e| e.into_inner());
        let slots = days.days.get(&(key.branch.id, key.service.id, key.day)).filter(|k| k.serves(key, now));
        match slots {
            Some(_) => self.day_hits.hit(),
            None => self.day_hits.miss(),
        }
        slots.map(|kept| kept.slots.clone())
    }

    /// How many times kept slots have served a day so far.
    pub fn days_reused(&self) -> u64 {
        self.day_hits.counts().0
    }

    /// The hits, misses and sizes of what is kept: branch schedules, days' slots, and the
    /// staff who perform each service.
    pub fn snapshots(&self) -> Vec<CacheSnapshot> {
        let branches = self.held.lock().unwrap_or_else(|e| e.into_inner()).len();
        let days = self.days.lock().unwrap_or_else(|e| e.into_inner()).days.len();
        vec![
            self.schedule_hits.snapshot("branch schedules", branches),
            self.day_hits.snapshot("free slots by day", days),
            self.staff.snapshot("staff by service"),
        ]
    }

    /// Keeps `slots`, just computed for `key`'s day at `now` from busy times read over
    /// `[from, to)`, when the kept schedule of the branch's version covers all of that (so they
    /// came from it): only then is it known when a hold among them lapses.
    pub fn keep_day_slots(&self, key: &DayKey<'_>, now: i64, (from, to): (i64, i64), slots: Arc<[Slot]>) {
        let held = self.held.lock().unwrap_or_else(|e| e.into_inner()).get(&key.branch.id).cloned();
        let Some(snapshot) = held.filter(|s| s.version == key.branch.schedule_version && s.covers(from, to)) else {
            return;
        };
        let kept = KeptDay {
            version: key.branch.schedule_version,
            hours: key.branch.business_hours.clone(),
            timezone: key.branch.timezone.clone(),
            duration_min: key.service.duration_min,
            step_min: key.rules.step_min,
            buffer_min: key.rules.buffer_min,
            live: snapshot.same_holds(now),
            slots,
        };
        let mut days = self.days.lock().unwrap_or_else(|e| e.into_inner());
        if days.slots + kept.slots.len() > MAX_KEPT_SLOTS {
            *days = KeptDays::default();
        }
        days.slots += kept.slots.len();
        if let Some(old) = days.days.insert((key.branch.id, key.service.id, key.day), kept) {
            days.slots -= old.slots.len();
        }
    }

    /// The active staff of `branch` who perform `service_id`.
    pub async fn staff(
        &self,
        store: &dyn Store,
        company_id: i64,
        branch: &Branch,
        service_id: i64,
    ) -> Result<Arc<Vec<Staff>>> {
        let load = async || store.staff_for_service(company_id, branch.id, service_id).await;
        self.staff.get((branch.id, service_id), branch.schedule_version, load).await
    }

    /// Every staff member's busy intervals of `branch` overlapping any of `windows` (ordered by
    /// start) at `now` (the caller picks the staff it asks about). An interval reaching two
    /// windows is listed for each.
    pub async fn busy(
        &self,
        store: &dyn Store,
        company_id: i64,
        branch: &Branch,
        windows: &[Interval],
        now: i64,
    ) -> Result<Vec<BusyTime>> {
        let (Some(first), Some(last)) = (windows.first(), windows.last()) else { return Ok(Vec::new()) };
        let (from, to) = (first.start, last.end);
        let held = self.held.lock().unwrap_or_else(|e| e.into_inner()).get(&branch.id).cloned();
        if let Some(s) = held.filter(|s| s.version == branch.schedule_version && s.covers(from, to)) {
            self.schedule_hits.hit();
            return Ok(s.busy(windows, now));
        }
        self.schedule_hits.miss();
        let (keep_from, keep_to) = (now - BEHIND, now + AHEAD);
        if from < keep_from || to > keep_to {
            let loaded = store.branch_schedule(company_id, branch.id, from, to, now).await?;
            let once = Snapshot::new(branch.schedule_version, (from, to), now, loaded);
            return Ok(once.busy(windows, now));
        }
        let entries = store.branch_schedule(company_id, branch.id, keep_from, keep_to, now).await?;
        // Read after the branch row, so at least as new as its version says.
        let snapshot = Arc::new(Snapshot::new(branch.schedule_version, (keep_from, keep_to), now, entries));
        let busy = snapshot.busy(windows, now);
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        // A concurrent call may have kept a newer version already; keep the newest.
        if held.get(&branch.id).is_none_or(|s| s.version <= snapshot.version) {
            if held.len() >= MAX_BRANCHES && !held.contains_key(&branch.id) {
                if let Some(oldest) = held.iter().min_by_key(|(_, s)| s.loaded_at).map(|(id, _)| *id) {
                    held.remove(&oldest);
                }
            }
            held.insert(branch.id, snapshot);
        }
        Ok(busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_parsed_once_per_text() {
        let kept = Schedules::default();
        let nine = r#"{"monday": {"open": "09:00", "close": "18:00"}}"#;
        let ten = r#"{"monday": {"open": "10:00", "close": "18:00"}}"#;
        let first = kept.hours(nine).unwrap();
        assert!(Arc::ptr_eq(&first, &kept.hours(nine).unwrap()), "the same text is parsed once");
        let changed = kept.hours(ten).unwrap();
        assert_ne!(*first, *changed, "changed hours are parsed afresh");
        assert_eq!(*changed, BusinessHours::parse_json(ten).unwrap());
        assert!(kept.hours(r#"{"funday": {}}"#).is_err(), "bad hours are an error, not kept");
    }
}
