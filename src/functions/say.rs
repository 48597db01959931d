//! How times and dates are spoken: German, on the branch's wall clock.

use chrono::{DateTime, Datelike, Utc};
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
    format!(
        "{}, {}, um {} Uhr",
        WEEKDAYS[t.weekday().num_days_from_monday() as usize],
        t.format("%d.%m."),
        t.format("%H:%M")
    )
}

/// `{"date", "time", "weekday"}` of an instant, for the data part of an answer.
pub fn fields(tz: Tz, ms: i64) -> Value {
    let t = local(tz, ms);
    json!({
        "date": t.format("%Y-%m-%d").to_string(),
        "time": t.format("%H:%M").to_string(),
        "weekday": WEEKDAYS[t.weekday().num_days_from_monday() as usize],
    })
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
