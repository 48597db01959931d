//! Weekly opening hours in the seeds' JSON form, validated day by day.
//!
//! `{"monday": {"open": "09:00", "close": "18:00"}, …, "sunday": {"open": null, "close": null}}`;
//! a day may also hold a list of `{open, close}` for split shifts. Days left out are closed.

use std::fmt;
use std::str::FromStr;

use serde_json::{json, Map, Value};

use crate::error::{Error, Result};

/// Minutes after midnight, written `HH:MM`. `24:00` is allowed as a closing time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hhmm(u16);

impl Hhmm {
    pub fn new(hour: u32, minute: u32) -> Option<Hhmm> {
        (hour < 24 && minute < 60 || hour == 24 && minute == 0).then(|| Hhmm((hour * 60 + minute) as u16))
    }
    pub fn minutes(self) -> u32 {
        u32::from(self.0)
    }
}

impl FromStr for Hhmm {
    type Err = ();
    fn from_str(s: &str) -> std::result::Result<Self, ()> {
        let (h, m) = s.trim().split_once(':').ok_or(())?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return Err(());
        }
        let hour: u32 = h.parse().map_err(|_| ())?;
        let minute: u32 = m.parse().map_err(|_| ())?;
        Hhmm::new(hour, minute).ok_or(())
    }
}

impl fmt::Display for Hhmm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// Monday = 0 … Sunday = 6, matching `chrono::Weekday::num_days_from_monday`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weekday(pub u8);

impl Weekday {
    pub const NAMES: [&'static str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

    fn parse(key: &str) -> Option<Weekday> {
        const GERMAN: [&str; 7] = ["montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag"];
        let k = key.trim().to_lowercase();
        (0..7u8)
            .find(|&i| {
                let i = i as usize;
                k == Self::NAMES[i] || k == GERMAN[i] || k == Self::NAMES[i][..3]
            })
            .map(Weekday)
    }

    pub fn name(self) -> &'static str {
        Self::NAMES[self.0 as usize]
    }
}

/// One opening interval on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shift {
    pub open: Hhmm,
    pub close: Hhmm,
}

/// Opening hours for each weekday; an empty list means closed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BusinessHours {
    days: [Vec<Shift>; 7],
}

impl BusinessHours {
    /// Builds hours from `(weekday, open, close)` triples; used by presets and tests.
    pub fn from_shifts(shifts: &[(u8, &str, &str)]) -> Result<BusinessHours> {
        let mut hours = BusinessHours::default();
        for &(day, open, close) in shifts {
            let day = Weekday(day);
            let shift = parse_shift(day, &json!({"open": open, "close": close}))?.ok_or_else(|| {
                Error::invalid(format!("business hours for {}: a shift needs open and close", day.name()))
            })?;
            hours.days[day.0 as usize].push(shift);
        }
        hours.validate_overlaps()?;
        Ok(hours)
    }

    /// Mon–Fri 09:00–18:00, weekend closed.
    pub fn default_week() -> BusinessHours {
        Self::from_shifts(&[
            (0, "09:00", "18:00"),
            (1, "09:00", "18:00"),
            (2, "09:00", "18:00"),
            (3, "09:00", "18:00"),
            (4, "09:00", "18:00"),
        ])
        .expect("static hours are valid")
    }

    /// [`BusinessHours::from_json`] from JSON text (as stored).
    pub fn parse_json(text: &str) -> Result<BusinessHours> {
        BusinessHours::from_json(&serde_json::from_str(text)?)
    }

    /// Parses the seeds' JSON form; every error names the day it is about.
    pub fn from_json(value: &Value) -> Result<BusinessHours> {
        let object = value.as_object().ok_or_else(|| {
            Error::invalid("business hours must be a JSON object keyed by weekday").with_help(
                r#"e.g. {"monday": {"open": "09:00", "close": "18:00"}, "sunday": {"open": null, "close": null}}"#,
            )
        })?;
        let mut hours = BusinessHours::default();
        let mut seen = [false; 7];
        for (key, spec) in object {
            let day = Weekday::parse(key).ok_or_else(|| {
                Error::invalid(format!("business hours: unknown day '{key}'"))
                    .with_help("use monday, tuesday, wednesday, thursday, friday, saturday, sunday")
            })?;
            if std::mem::replace(&mut seen[day.0 as usize], true) {
                return Err(Error::invalid(format!("business hours: {} is given twice", day.name())));
            }
            let shifts = match spec {
                Value::Array(list) => list.iter().map(|s| parse_shift(day, s)).collect::<Result<Vec<_>>>()?,
                Value::Null => vec![None],
                other => vec![parse_shift(day, other)?],
            };
            hours.days[day.0 as usize] = shifts.into_iter().flatten().collect();
        }
        hours.validate_overlaps()?;
        Ok(hours)
    }

    /// Reads inline JSON or `@file.json`.
    pub fn from_arg(arg: &str) -> Result<BusinessHours> {
        let text = match arg.strip_prefix('@') {
            Some(path) => std::fs::read_to_string(path)
                .map_err(|e| Error::invalid(format!("cannot read business hours file '{path}'")).with_source(e))?,
            None => arg.to_string(),
        };
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            Error::invalid(format!("business hours are not valid JSON ({e})"))
                .with_help(r#"e.g. --business-hours '{"monday": {"open": "09:00", "close": "18:00"}}' or @hours.json"#)
        })?;
        Self::from_json(&value)
    }

    fn validate_overlaps(&mut self) -> Result<()> {
        for (i, shifts) in self.days.iter_mut().enumerate() {
            shifts.sort_by_key(|s| s.open);
            if shifts.windows(2).any(|w| w[1].open < w[0].close) {
                return Err(Error::invalid(format!("business hours for {}: shifts overlap", Weekday(i as u8).name())));
            }
        }
        Ok(())
    }

    /// The shifts of a weekday (0 = Monday).
    /// Whether any day is open.
    pub fn opens(&self) -> bool {
        (0..7).any(|d| !self.shifts(Weekday(d)).is_empty())
    }

    pub fn shifts(&self, day: Weekday) -> &[Shift] {
        &self.days[day.0 as usize]
    }

    /// Whether the business is open at `minute` (after midnight) on `day`.
    pub fn is_open(&self, day: Weekday, minute: u32) -> bool {
        self.shifts(day).iter().any(|s| s.open.minutes() <= minute && minute < s.close.minutes())
    }

    /// The canonical JSON form: closed days as `{"open": null, "close": null}`, split shifts as lists.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        for (i, shifts) in self.days.iter().enumerate() {
            let render = |s: &Shift| json!({"open": s.open.to_string(), "close": s.close.to_string()});
            let value = match shifts.as_slice() {
                [] => json!({"open": null, "close": null}),
                [one] => render(one),
                many => Value::Array(many.iter().map(render).collect()),
            };
            map.insert(Weekday::NAMES[i].to_string(), value);
        }
        Value::Object(map)
    }

    /// A short human summary such as `Mon 09:00–18:00, Sat 09:00–16:00`.
    pub fn summary(&self) -> String {
        let parts: Vec<String> = self
            .days
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.is_empty())
            .map(|(i, shifts)| {
                let name = &Weekday::NAMES[i][..3];
                let times: Vec<String> = shifts.iter().map(|s| format!("{}–{}", s.open, s.close)).collect();
                format!("{}{} {}", name[..1].to_uppercase(), &name[1..], times.join("/"))
            })
            .collect();
        if parts.is_empty() {
            "closed".to_string()
        } else {
            parts.join(", ")
        }
    }

    /// [`BusinessHours::summary`] with runs of days alike folded: `Mon–Fri 09:00–18:00, Sat 09:00–16:00`.
    pub fn compact_summary(&self) -> String {
        let day = |i: usize| {
            let name = &Weekday::NAMES[i][..3];
            format!("{}{}", name[..1].to_uppercase(), &name[1..])
        };
        let mut parts = Vec::new();
        let mut i = 0;
        while i < 7 {
            let mut end = i;
            while end + 1 < 7 && self.days[end + 1] == self.days[i] {
                end += 1;
            }
            if !self.days[i].is_empty() {
                let times: Vec<String> = self.days[i].iter().map(|s| format!("{}–{}", s.open, s.close)).collect();
                let days = if end == i { day(i) } else { format!("{}–{}", day(i), day(end)) };
                parts.push(format!("{days} {}", times.join("/")));
            }
            i = end + 1;
        }
        if parts.is_empty() {
            "closed".to_string()
        } else {
            parts.join(", ")
        }
    }
}

fn parse_shift(day: Weekday, spec: &Value) -> Result<Option<Shift>> {
    let name = day.name();
    let object = spec.as_object().ok_or_else(|| {
        Error::invalid(format!("business hours for {name}: expected {{\"open\": \"HH:MM\", \"close\": \"HH:MM\"}}"))
    })?;
    for key in object.keys() {
        if key != "open" && key != "close" {
            return Err(Error::invalid(format!("business hours for {name}: unknown field '{key}'")));
        }
    }
    let field = |key: &str| -> Result<Option<Hhmm>> {
        match object.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .parse::<Hhmm>()
                .map(Some)
                .map_err(|_| Error::invalid(format!("business hours for {name}: '{s}' is not a time in HH:MM"))),
            Some(other) => {
                Err(Error::invalid(format!("business hours for {name}: {key} must be \"HH:MM\" or null, not {other}")))
            }
        }
    };
    match (field("open")?, field("close")?) {
        (None, None) => Ok(None),
        (Some(open), Some(close)) if close > open && open.minutes() < 24 * 60 => Ok(Some(Shift { open, close })),
        (Some(open), Some(close)) => {
            Err(Error::invalid(format!("business hours for {name}: close {close} is not after open {open}")))
        }
        _ => Err(Error::invalid(format!("business hours for {name}: give both open and close, or neither"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_seed_form_and_split_shifts() {
        let hours = BusinessHours::from_arg(
            r#"{"monday": {"open": "09:00", "close": "18:00"},
                "tuesday": [{"open": "08:00", "close": "12:00"}, {"open": "14:00", "close": "19:30"}],
                "sunday": {"open": null, "close": null}}"#,
        )
        .unwrap();
        assert_eq!(hours.shifts(Weekday(0)).len(), 1);
        assert_eq!(hours.shifts(Weekday(1)).len(), 2);
        assert!(hours.shifts(Weekday(6)).is_empty());
        assert!(hours.shifts(Weekday(2)).is_empty(), "days left out are closed");
        let round = BusinessHours::from_json(&hours.to_json()).unwrap();
        assert_eq!(round, hours);
        assert_eq!(hours.summary(), "Mon 09:00–18:00, Tue 08:00–12:00/14:00–19:30");
        assert_eq!(hours.compact_summary(), hours.summary(), "no two days alike");
        let week = BusinessHours::default_week();
        assert_eq!(week.compact_summary(), "Mon–Fri 09:00–18:00");
        assert_eq!(BusinessHours::default().compact_summary(), "closed");
    }

    #[test]
    fn errors_name_the_day() {
        let cases = [
            (r#"{"funday": {"open": "09:00", "close": "18:00"}}"#, "funday"),
            (r#"{"monday": {"open": "18:00", "close": "09:00"}}"#, "monday"),
            (r#"{"friday": {"open": "9 Uhr", "close": "18:00"}}"#, "friday"),
            (r#"{"friday": {"open": "25:00", "close": "26:00"}}"#, "friday"),
            (r#"{"saturday": {"open": "09:00"}}"#, "saturday"),
            (r#"{"sunday": [{"open": "09:00", "close": "13:00"}, {"open": "12:00", "close": "18:00"}]}"#, "sunday"),
        ];
        for (input, day) in cases {
            let err = BusinessHours::from_arg(input).unwrap_err();
            assert!(err.message().contains(day), "{input}: {}", err.message());
        }
        assert!(BusinessHours::from_arg("not json").is_err());
        assert!(BusinessHours::from_arg("[]").is_err());
    }

    #[test]
    fn open_and_closed() {
        let hours = BusinessHours::from_arg(
            r#"{"monday": [{"open": "08:00", "close": "12:00"}, {"open": "14:00", "close": "18:00"}]}"#,
        )
        .unwrap();
        assert!(hours.is_open(Weekday(0), 8 * 60));
        assert!(!hours.is_open(Weekday(0), 12 * 60), "close is exclusive");
        assert!(!hours.is_open(Weekday(0), 13 * 60), "the split-shift gap is closed");
        assert!(hours.is_open(Weekday(0), 17 * 60 + 59));
        assert!(!hours.is_open(Weekday(1), 10 * 60));
    }

    #[test]
    fn hhmm_bounds() {
        assert_eq!("9:05".parse::<Hhmm>().unwrap().to_string(), "09:05");
        assert_eq!("24:00".parse::<Hhmm>().unwrap().minutes(), 1440);
        assert!("24:01".parse::<Hhmm>().is_err());
        assert!("12:60".parse::<Hhmm>().is_err());
        assert!("1200".parse::<Hhmm>().is_err());
    }
}
