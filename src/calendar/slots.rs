//! Free slots of the local calendar, computed without the database: a branch's opening hours
//! intersected with each staff member's working hours, stepped from the start of each shift,
//! minus their busy times (appointments and holds, widened by the buffer), from the minimum
//! notice on.
//!
//! Days and opening hours are the branch's local wall clock; every instant is UTC milliseconds.
//! A local start time that does not exist (the spring-forward gap) is skipped; one that exists
//! twice (fall back) is taken at its first occurrence. A slot's end is its start plus the
//! duration in real time, and it must also end by the shift's close on the wall clock.

use std::sync::Arc;

use chrono::{Datelike, Days, LocalResult, NaiveDate, NaiveTime, Offset, TimeZone};
use chrono_tz::Tz;

use crate::domain::{BusinessHours, Weekday};

const MINUTE_MS: i64 = 60_000;

/// How slots are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotRules {
    /// Minutes between possible start times, counted from each shift's opening.
    pub step_min: u32,
    /// Minutes kept free before and after every busy interval.
    pub buffer_min: u32,
    /// Minutes from now before the first bookable start.
    pub min_notice_min: u32,
}

impl Default for SlotRules {
    fn default() -> Self {
        SlotRules { step_min: 15, buffer_min: 0, min_notice_min: 60 }
    }
}

/// A half-open interval `[start, end)` in UTC milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interval {
    pub start: i64,
    pub end: i64,
}

/// One staff member's working hours (their own, or the branch's when `None`) and busy times.
#[derive(Debug, Clone)]
pub struct StaffAvailability {
    pub staff_id: i64,
    hours: Option<Arc<BusinessHours>>,
    /// Sorted and merged, so one look-up decides whether a slot collides.
    busy: Vec<Interval>,
}

impl StaffAvailability {
    pub fn new(staff_id: i64, hours: Option<Arc<BusinessHours>>, mut busy: Vec<Interval>) -> StaffAvailability {
        busy.retain(|b| b.end > b.start);
        busy.sort_unstable();
        let mut merged: Vec<Interval> = Vec::with_capacity(busy.len());
        for b in busy {
            match merged.last_mut() {
                Some(last) if b.start <= last.end => last.end = last.end.max(b.end),
                _ => merged.push(b),
            }
        }
        StaffAvailability { staff_id, hours, busy: merged }
    }

    /// Whether `[start, end)`, widened by `buffer` on both sides, touches a busy interval.
    fn is_busy(&self, start: i64, end: i64, buffer: i64) -> bool {
        // The last busy interval starting before the (widened) end is the only candidate:
        // the intervals are merged, so every earlier one also ends earlier.
        let i = self.busy.partition_point(|b| b.start < end + buffer);
        i > 0 && self.busy[i - 1].end + buffer > start
    }
}

/// A bookable start with a staff member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Slot {
    pub start: i64,
    pub end: i64,
    pub staff_id: i64,
}

/// Every free slot of `duration_min` minutes starting in `[from, to)`, for each staff member,
/// ordered by start and then staff id.
pub fn free_slots(
    tz: Tz,
    branch_hours: &BusinessHours,
    staff: &[StaffAvailability],
    duration_min: u32,
    window: Interval,
    now: i64,
    rules: &SlotRules,
) -> Vec<Slot> {
    let mut slots = Vec::new();
    if duration_min == 0 || window.end <= window.start || rules.step_min == 0 {
        return slots;
    }
    let earliest = window.start.max(now + i64::from(rules.min_notice_min) * MINUTE_MS);
    let (Some(first_day), Some(last_day)) = (local_date(tz, window.start), local_date(tz, window.end - 1)) else {
        return slots;
    };
    let duration = i64::from(duration_min) * MINUTE_MS;
    let buffer = i64::from(rules.buffer_min) * MINUTE_MS;
    let step = rules.step_min;
    // Staff by id: walking each start's staff in this order keeps the slots in order.
    let mut order: Vec<&StaffAvailability> = staff.iter().collect();
    order.sort_by_key(|m| m.staff_id);
    // Room for a day's worth of starts per staff member up front, not grown one at a time.
    slots.reserve(staff.len() * 16);
    let mut own: Vec<Option<Vec<(u32, u32)>>> = Vec::with_capacity(order.len());
    let mut starts: Vec<u32> = Vec::new();
    let mut day = first_day;
    while day <= last_day {
        let weekday = Weekday(day.weekday().num_days_from_monday() as u8);
        let clock = DayClock::new(tz, day);
        // Most staff work the branch's hours: those are worked out once per day.
        let branch_shifts = working_shifts(branch_hours, None, weekday);
        own.clear();
        own.extend(order.iter().map(|m| m.hours.as_ref().map(|h| working_shifts(branch_hours, Some(&**h), weekday))));
        let shifts = |i: usize| own[i].as_deref().unwrap_or(&branch_shifts);
        // Every minute someone's shift lets a slot start: each distinct shift list's grid.
        starts.clear();
        let mut seen: Vec<&[(u32, u32)]> = Vec::new();
        for i in 0..order.len() {
            let list = shifts(i);
            if seen.contains(&list) {
                continue;
            }
            seen.push(list);
            for &(open, close) in list {
                starts.extend((open..).step_by(step as usize).take_while(|m| m + duration_min <= close));
            }
        }
        starts.sort_unstable();
        starts.dedup();
        // The day's minutes map to instants in order, so walking them minute by minute, and
        // each minute's staff by id, yields the slots already sorted.
        for &minute in &starts {
            let Some(start) = clock.instant(minute) else { continue };
            if start < earliest || start >= window.end {
                continue;
            }
            let end = start + duration;
            for (i, member) in order.iter().enumerate() {
                let on_grid = shifts(i).iter().any(|&(open, close)| {
                    minute >= open && minute + duration_min <= close && (minute - open) % step == 0
                });
                if on_grid && !member.is_busy(start, end, buffer) {
                    slots.push(Slot { start, end, staff_id: member.staff_id });
                }
            }
        }
        match day.checked_add_days(Days::new(1)) {
            Some(next) => day = next,
            None => break,
        }
    }
    slots
}

/// The day's opening intervals in minutes after midnight: the branch's, narrowed to the staff
/// member's own hours when they have any.
pub fn working_shifts(branch: &BusinessHours, own: Option<&BusinessHours>, day: Weekday) -> Vec<(u32, u32)> {
    let branch: Vec<(u32, u32)> = branch.shifts(day).iter().map(|s| (s.open.minutes(), s.close.minutes())).collect();
    let Some(own) = own else { return branch };
    let mut out = Vec::new();
    for s in own.shifts(day) {
        for &(open, close) in &branch {
            let (a, b) = (open.max(s.open.minutes()), close.min(s.close.minutes()));
            if a < b {
                out.push((a, b));
            }
        }
    }
    out.sort_unstable();
    out
}

/// The local day of an instant (`None` only where chrono cannot represent it).
pub(crate) fn local_date(tz: Tz, ms: i64) -> Option<NaiveDate> {
    Some(tz.timestamp_millis_opt(ms).single()?.date_naive())
}

/// The UTC instant of a local wall-clock minute of the day, or `None` in a spring-forward gap.
fn instant(tz: Tz, day: NaiveDate, minute: u32) -> Option<i64> {
    local_instant(tz, day, NaiveTime::from_hms_opt(minute / 60, minute % 60, 0)?)
}

/// One local day's wall-clock minutes as UTC instants. Most days have one UTC offset from
/// midnight to midnight, and then a minute is plain arithmetic; on a day whose offset changes
/// (or whose midnight does not exist), every minute asks the zone's rules.
struct DayClock {
    tz: Tz,
    day: NaiveDate,
    /// The UTC instant of local midnight when the whole day has one offset.
    midnight: Option<i64>,
}

impl DayClock {
    fn new(tz: Tz, day: NaiveDate) -> DayClock {
        let offset = |d: NaiveDate| match tz.from_local_datetime(&d.and_time(NaiveTime::MIN)) {
            LocalResult::Single(t) => Some(t.offset().fix()),
            _ => None,
        };
        let (start, next) = (offset(day), day.checked_add_days(Days::new(1)).and_then(offset));
        let midnight = match (start, next) {
            (Some(a), Some(b)) if a == b => {
                Some(day.and_time(NaiveTime::MIN).and_utc().timestamp_millis() - i64::from(a.local_minus_utc()) * 1000)
            }
            _ => None,
        };
        DayClock { tz, day, midnight }
    }

    fn instant(&self, minute: u32) -> Option<i64> {
        match self.midnight {
            Some(midnight) if minute < 24 * 60 => Some(midnight + i64::from(minute) * MINUTE_MS),
            _ => instant(self.tz, self.day, minute),
        }
    }
}

/// The UTC milliseconds of a local date and time: the earlier of two in the autumn's repeated
/// hour, `None` in the spring's skipped one.
pub fn local_instant(tz: Tz, day: NaiveDate, time: NaiveTime) -> Option<i64> {
    match tz.from_local_datetime(&day.and_time(time)) {
        LocalResult::Single(t) => Some(t.timestamp_millis()),
        LocalResult::Ambiguous(first, _) => Some(first.timestamp_millis()),
        LocalResult::None => None,
    }
}

/// The UTC milliseconds of a local day's first instant: midnight, or where a zone skips
/// midnight itself, the first quarter hour after it that exists. `None` only for dates chrono
/// cannot represent.
pub fn day_start(tz: Tz, day: NaiveDate) -> Option<i64> {
    (0..=180).step_by(15).find_map(|minute| instant(tz, day, minute))
}

#[cfg(test)]
mod day_tests {
    use super::*;

    #[test]
    fn a_day_starts_at_its_first_existing_instant() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let berlin = chrono_tz::Europe::Berlin;
        // 2026-03-29 00:00 CET = 23:00 UTC the day before (the gap is at 02:00, not midnight).
        assert_eq!(day_start(berlin, day(2026, 3, 29)), Some(1_774_738_800_000));
        // Chile skips midnight itself on 2026-09-06: the day starts at 01:00 (-03), 04:00 UTC.
        assert_eq!(day_start(chrono_tz::America::Santiago, day(2026, 9, 6)), Some(1_788_667_200_000));
        // The repeated hour in October: the earlier 02:30.
        let autumn = local_instant(berlin, day(2026, 10, 25), NaiveTime::from_hms_opt(2, 30, 0).unwrap());
        assert_eq!(autumn, Some(1_792_888_200_000));
        assert_eq!(local_instant(berlin, day(2026, 3, 29), NaiveTime::from_hms_opt(2, 30, 0).unwrap()), None);
    }

    /// The day clock's arithmetic gives exactly what the zone's rules give, on every day of four
    /// years in zones that change at 02:00, at midnight, by half an hour, or across the date line.
    #[test]
    fn the_day_clock_agrees_with_the_zone_rules() {
        use chrono_tz::{America, Australia, Europe, Pacific};
        let zones = [Europe::Berlin, America::Santiago, America::Havana, Australia::Lord_Howe, Pacific::Apia];
        let mut days_with_one_offset = 0;
        for tz in zones {
            let mut day = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
            while day.year() < 2029 {
                let clock = DayClock::new(tz, day);
                days_with_one_offset += usize::from(clock.midnight.is_some());
                for minute in (0..24 * 60).step_by(10) {
                    assert_eq!(clock.instant(minute), instant(tz, day, minute), "{tz} {day} minute {minute}");
                }
                day = day.succ_opt().unwrap();
            }
        }
        assert!(days_with_one_offset > 5 * 1400, "the arithmetic path is the usual one");
    }
}
