//! The local calendar's slot computation: hours, staff hours, busy times with buffer, step,
//! minimum notice, and the wall clock across both Europe/Berlin DST switches and a year end.

use askpro::calendar::{free_slots, Interval, SlotRules, StaffAvailability};
use askpro::domain::BusinessHours;
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Berlin;

fn ms(rfc3339: &str) -> i64 {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().timestamp_millis()
}

fn utc(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap().format("%Y-%m-%dT%H:%MZ").to_string()
}

fn hours(json: &str) -> BusinessHours {
    BusinessHours::from_arg(json).unwrap()
}

fn window(from: &str, to: &str) -> Interval {
    Interval { start: ms(from), end: ms(to) }
}

const NO_NOTICE: SlotRules = SlotRules { step_min: 15, buffer_min: 0, min_notice_min: 0 };
const LONG_AGO: i64 = 0;

fn starts(slots: &[askpro::calendar::Slot]) -> Vec<String> {
    slots.iter().map(|s| utc(s.start)).collect()
}

#[test]
fn a_morning_in_steps_of_fifteen_minutes() {
    let branch = hours(r#"{"wednesday": {"open": "09:00", "close": "12:00"}}"#);
    let staff = [StaffAvailability::new(1, None, vec![])];
    let day = window("2026-11-18T00:00:00+01:00", "2026-11-19T00:00:00+01:00");
    let slots = free_slots(Berlin, &branch, &staff, 30, day, LONG_AGO, &NO_NOTICE);
    assert_eq!(slots.len(), 11, "09:00 … 11:30");
    assert_eq!(utc(slots[0].start), "2026-11-18T08:00Z");
    assert_eq!(utc(slots[10].start), "2026-11-18T10:30Z");
    assert!(slots.iter().all(|s| s.end - s.start == 30 * 60_000 && s.staff_id == 1));
    // Closed days and an empty window give nothing.
    let thursday = window("2026-11-19T00:00:00+01:00", "2026-11-20T00:00:00+01:00");
    assert!(free_slots(Berlin, &branch, &staff, 30, thursday, LONG_AGO, &NO_NOTICE).is_empty());
    assert!(free_slots(
        Berlin,
        &branch,
        &staff,
        30,
        window("2026-11-18T09:00:00+01:00", "2026-11-18T09:00:00+01:00"),
        LONG_AGO,
        &NO_NOTICE
    )
    .is_empty());
    // A service longer than the shift fits nowhere.
    assert!(free_slots(Berlin, &branch, &staff, 240, day, LONG_AGO, &NO_NOTICE).is_empty());
}

#[test]
fn staff_hours_narrow_split_shifts() {
    let branch = hours(r#"{"monday": [{"open": "08:00", "close": "12:00"}, {"open": "14:00", "close": "18:00"}]}"#);
    let own = hours(r#"{"monday": {"open": "10:00", "close": "16:00"}}"#);
    let staff = [StaffAvailability::new(7, Some(std::sync::Arc::new(own)), vec![])];
    let rules = SlotRules { step_min: 60, ..NO_NOTICE };
    let day = window("2026-11-23T00:00:00+01:00", "2026-11-24T00:00:00+01:00");
    let slots = free_slots(Berlin, &branch, &staff, 60, day, LONG_AGO, &rules);
    // 10:00, 11:00 before the break; 14:00, 15:00 after it (local = UTC + 1).
    assert_eq!(starts(&slots), ["2026-11-23T09:00Z", "2026-11-23T10:00Z", "2026-11-23T13:00Z", "2026-11-23T14:00Z"]);
}

#[test]
fn busy_times_with_buffer_and_minimum_notice() {
    let branch = hours(r#"{"wednesday": {"open": "09:00", "close": "12:00"}}"#);
    let appointment = window("2026-11-18T10:00:00+01:00", "2026-11-18T10:30:00+01:00");
    let staff = [StaffAvailability::new(1, None, vec![appointment])];
    let day = window("2026-11-18T00:00:00+01:00", "2026-11-19T00:00:00+01:00");
    let plain = starts(&free_slots(Berlin, &branch, &staff, 30, day, LONG_AGO, &NO_NOTICE));
    assert!(plain.contains(&"2026-11-18T08:30Z".to_string()), "09:30–10:00 ends as the appointment starts");
    assert!(!plain.contains(&"2026-11-18T08:45Z".to_string()) && !plain.contains(&"2026-11-18T09:15Z".to_string()));
    assert!(plain.contains(&"2026-11-18T09:30Z".to_string()), "10:30 starts as it ends");
    let buffered =
        starts(&free_slots(Berlin, &branch, &staff, 30, day, LONG_AGO, &SlotRules { buffer_min: 15, ..NO_NOTICE }));
    assert!(
        !buffered.contains(&"2026-11-18T08:30Z".to_string()) && !buffered.contains(&"2026-11-18T09:30Z".to_string())
    );
    assert!(buffered.contains(&"2026-11-18T08:15Z".to_string()) && buffered.contains(&"2026-11-18T09:45Z".to_string()));
    // Now 09:20 local with one hour's notice: nothing before 10:20, so 10:30 is first.
    let rules = SlotRules { min_notice_min: 60, ..NO_NOTICE };
    let noticed = free_slots(Berlin, &branch, &staff, 30, day, ms("2026-11-18T09:20:00+01:00"), &rules);
    assert_eq!(utc(noticed[0].start), "2026-11-18T09:30Z");
}

#[test]
fn overlapping_busy_times_are_merged_and_staff_are_ordered() {
    let branch = hours(r#"{"wednesday": {"open": "09:00", "close": "11:00"}}"#);
    let busy = vec![
        window("2026-11-18T09:30:00+01:00", "2026-11-18T10:15:00+01:00"),
        window("2026-11-18T09:00:00+01:00", "2026-11-18T09:45:00+01:00"),
    ];
    let staff = [StaffAvailability::new(2, None, busy), StaffAvailability::new(1, None, vec![])];
    let rules = SlotRules { step_min: 30, ..NO_NOTICE };
    let day = window("2026-11-18T00:00:00+01:00", "2026-11-19T00:00:00+01:00");
    let slots = free_slots(Berlin, &branch, &staff, 30, day, LONG_AGO, &rules);
    let got: Vec<(String, i64)> = slots.iter().map(|s| (utc(s.start), s.staff_id)).collect();
    let expected = [
        ("2026-11-18T08:00Z", 1),
        ("2026-11-18T08:30Z", 1),
        ("2026-11-18T09:00Z", 1),
        ("2026-11-18T09:30Z", 1),
        ("2026-11-18T09:30Z", 2),
    ];
    assert_eq!(got, expected.map(|(t, s)| (t.to_string(), s)));
}

#[test]
fn spring_forward_skips_the_missing_hour() {
    // Sunday 2027-03-28: 02:00 CET jumps to 03:00 CEST.
    let branch = hours(r#"{"sunday": {"open": "01:00", "close": "05:00"}}"#);
    let staff = [StaffAvailability::new(1, None, vec![])];
    let rules = SlotRules { step_min: 30, ..NO_NOTICE };
    let day = window("2027-03-28T00:00:00+01:00", "2027-03-29T00:00:00+02:00");
    let slots = free_slots(Berlin, &branch, &staff, 60, day, LONG_AGO, &rules);
    // 01:00, 01:30 (CET), no 02:00/02:30, then 03:00 … 04:00 (CEST).
    assert_eq!(
        starts(&slots),
        ["2027-03-28T00:00Z", "2027-03-28T00:30Z", "2027-03-28T01:00Z", "2027-03-28T01:30Z", "2027-03-28T02:00Z"]
    );
    assert!(slots.iter().all(|s| s.end - s.start == 3_600_000), "an hour is an hour of real time");
    // The same wall-clock opening maps to different UTC instants on either side of the switch.
    let weekdays =
        hours(r#"{"friday": {"open": "09:00", "close": "09:30"}, "monday": {"open": "09:00", "close": "09:30"}}"#);
    let span = window("2027-03-26T00:00:00+01:00", "2027-03-30T00:00:00+02:00");
    assert_eq!(
        starts(&free_slots(Berlin, &weekdays, &staff, 30, span, LONG_AGO, &rules)),
        ["2027-03-26T08:00Z", "2027-03-29T07:00Z"]
    );
}

#[test]
fn fall_back_offers_the_repeated_hour_once() {
    // Sunday 2026-10-25: 03:00 CEST falls back to 02:00 CET.
    let branch = hours(r#"{"sunday": {"open": "01:00", "close": "04:00"}}"#);
    let staff = [StaffAvailability::new(1, None, vec![])];
    let rules = SlotRules { step_min: 30, ..NO_NOTICE };
    let day = window("2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00");
    let slots = free_slots(Berlin, &branch, &staff, 30, day, LONG_AGO, &rules);
    assert_eq!(
        starts(&slots),
        [
            "2026-10-24T23:00Z",
            "2026-10-24T23:30Z",
            "2026-10-25T00:00Z",
            "2026-10-25T00:30Z",
            "2026-10-25T02:00Z",
            "2026-10-25T02:30Z"
        ]
    );
}

#[test]
fn a_window_across_the_year_end() {
    let every_day = r#"{"monday": {"open": "09:00", "close": "10:00"}, "tuesday": {"open": "09:00", "close": "10:00"},
        "wednesday": {"open": "09:00", "close": "10:00"}, "thursday": {"open": "09:00", "close": "10:00"},
        "friday": {"open": "09:00", "close": "10:00"}, "saturday": {"open": "09:00", "close": "10:00"},
        "sunday": {"open": "09:00", "close": "10:00"}}"#;
    let staff = [StaffAvailability::new(1, None, vec![])];
    let rules = SlotRules { step_min: 60, ..NO_NOTICE };
    let span = window("2026-12-31T09:30:00+01:00", "2027-01-02T09:30:00+01:00");
    let slots = free_slots(Berlin, &hours(every_day), &staff, 60, span, LONG_AGO, &rules);
    // 31 Dec 09:00 starts before the window; 1 Jan and 2 Jan 09:00 (the latter at 08:00Z, inside).
    assert_eq!(starts(&slots), ["2027-01-01T08:00Z", "2027-01-02T08:00Z"]);
}
