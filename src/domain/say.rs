//! How times and dates are spoken: German, on the branch's wall clock.

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;
use serde_json::{json, Value};

use crate::domain::{BusinessHours, Weekday};

pub const WEEKDAYS: [&str; 7] = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"];

pub fn local(tz: Tz, ms: i64) -> DateTime<Tz> {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default().with_timezone(&tz)
}

/// "Freitag, 27.11., um 15:30 Uhr"
pub fn when(tz: Tz, ms: i64) -> String {
    let t = local(tz, ms);
    format!("{}, {:02}.{:02}., um {} Uhr", weekday(&t), t.day(), t.month(), clock(&t))
}

/// `{"date", "time", "weekday"}` of an instant, for the data part of an answer.
pub fn fields(tz: Tz, ms: i64) -> Value {
    let t = local(tz, ms);
    json!({
        "date": format!("{:04}-{:02}-{:02}", t.year(), t.month(), t.day()),
        "time": clock(&t),
        "weekday": weekday(&t),
    })
}

// Written out rather than through `format("%H:%M")`, which parses its pattern at every call:
// an answer offering two slots formats a dozen of them.
fn clock(t: &DateTime<Tz>) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

fn weekday(t: &DateTime<Tz>) -> &'static str {
    WEEKDAYS[t.weekday().num_days_from_monday() as usize]
}

/// A day's opening hours as the agent says them: `09:00–13:00, 14:00–18:00`, or `geschlossen`.
pub fn hours_on(hours: &BusinessHours, day: Weekday) -> String {
    let shifts: Vec<String> = hours.shifts(day).iter().map(|s| format!("{}–{}", s.open, s.close)).collect();
    if shifts.is_empty() {
        "geschlossen".to_string()
    } else {
        shifts.join(", ")
    }
}

/// A message as one sentence: capitalised, ending in a full stop.
pub fn sentence(text: &str) -> String {
    let mut s = text.trim().to_string();
    if let Some(first) = s.chars().next() {
        s.replace_range(..first.len_utf8(), &first.to_uppercase().to_string());
    }
    if !s.ends_with(['.', '?', '!']) {
        s.push('.');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn instants_are_said_on_the_branch_clock() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let friday = Utc.with_ymd_and_hms(2026, 11, 27, 14, 30, 0).unwrap().timestamp_millis();
        assert_eq!(when(berlin, friday), "Freitag, 27.11., um 15:30 Uhr");
        // Summer time, and single digits padded.
        let thursday = Utc.with_ymd_and_hms(2026, 6, 4, 7, 5, 0).unwrap().timestamp_millis();
        assert_eq!(when(berlin, thursday), "Donnerstag, 04.06., um 09:05 Uhr");
        assert_eq!(fields(berlin, thursday), json!({"date": "2026-06-04", "time": "09:05", "weekday": "Donnerstag"}));
    }
}
