//! Spoken dates and times: "morgen um halb drei", "Freitag nächste Woche
//! vormittags", "December 3rd at 10:30 am" → a date, a time and a part of the day.
//!
//! The text is tokenised and folded (umlauts, case), then scanned for a date expression, a time
//! expression and part-of-day words; words around them are ignored. Dates are calendar
//! arithmetic on the local date of `now` in the given zone, so daylight-saving changes and year
//! ends need no special cases.

use chrono::{Datelike, Days, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;
use serde::Serialize;

use super::lexicon::{cardinal, month, ordinal, weekday};
use super::tokens::{tokenize, Tok};

/// A part of the day, when no clock time was said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    Morning,
    Noon,
    Afternoon,
    Evening,
}

impl Part {
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Morning => "morning",
            Part::Noon => "noon",
            Part::Afternoon => "afternoon",
            Part::Evening => "evening",
        }
    }
}

/// What was understood; absent pieces are `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct When {
    pub date: Option<NaiveDate>,
    pub time: Option<NaiveTime>,
    pub part: Option<Part>,
}

impl When {
    /// `{"date": "YYYY-MM-DD", "time": "HH:MM", "part": "morning"}` with empty strings for absent parts.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "date": self.date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
            "time": self.time.map(|t| t.format("%H:%M").to_string()).unwrap_or_default(),
            "part": self.part.map(Part::as_str).unwrap_or_default(),
        })
    }
}

/// The most characters of a text that is read for a date and time: ten times the longest
/// sentence of the development set. A longer text is not understood at all, so that no caller
/// can make resolving it cost more than microseconds.
pub const MAX_TEXT_CHARS: usize = 500;

/// Resolves `text` relative to the instant `now`, read in `tz`; nothing past
/// [`MAX_TEXT_CHARS`].
pub fn resolve<T: TimeZone>(text: &str, now: &chrono::DateTime<T>, tz: Tz) -> When {
    // Bytes first: refusing a megabyte costs nothing.
    if text.len() > 4 * MAX_TEXT_CHARS || text.chars().count() > MAX_TEXT_CHARS {
        return When::default();
    }
    let local = now.with_timezone(&tz);
    let today = local.date_naive();
    let scan = Scan::new(tokenize(text));
    let found = scan.run();
    let date = found.date.and_then(|d| d.on_or_after(today));
    let time = found.time.map(|t| t.finish(found.meridiem));
    let date = match (date, time) {
        // a time alone is today if still ahead, else tomorrow.
        (None, Some(t)) => Some(if t > local.time() { today } else { today + Days::new(1) }),
        (d, _) => d.or(found.implied_today.then_some(today)),
    };
    When { date, time, part: if time.is_some() { None } else { found.part } }
}

/// A date as said, before it is placed relative to today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateSpec {
    Full(i32, u32, u32),
    DayMonth(u32, u32),
    Day(u32),
    Offset(u64),
    /// Weekday 0–6, `weeks_ahead` calendar weeks after the current one (0: the next such day).
    Weekday(u32, u32),
    /// Monday of a later calendar week.
    Week(u32),
}

impl DateSpec {
    /// How explicit the expression is; the most explicit one in a sentence wins.
    fn rank(self) -> u8 {
        match self {
            DateSpec::Full(..) | DateSpec::DayMonth(..) => 3,
            DateSpec::Day(_) => 2,
            DateSpec::Offset(_) | DateSpec::Weekday(..) => 1,
            DateSpec::Week(_) => 0,
        }
    }

    fn on_or_after(self, today: NaiveDate) -> Option<NaiveDate> {
        match self {
            DateSpec::Full(y, m, d) => NaiveDate::from_ymd_opt(y, m, d),
            DateSpec::DayMonth(d, m) => (today.year()..today.year() + 9)
                .filter_map(|y| NaiveDate::from_ymd_opt(y, m, d))
                .find(|date| *date >= today),
            DateSpec::Day(d) => (0..24u32)
                .filter_map(|k| {
                    let first = today.with_day(1)?.checked_add_months(chrono::Months::new(k))?;
                    first.with_day(d)
                })
                .find(|date| *date >= today),
            DateSpec::Offset(n) => today.checked_add_days(Days::new(n)),
            DateSpec::Weekday(wd, 0) => {
                let ahead = (wd + 7 - today.weekday().num_days_from_monday()) % 7;
                today.checked_add_days(Days::new(if ahead == 0 { 7 } else { u64::from(ahead) }))
            }
            DateSpec::Weekday(wd, weeks) => monday(today).checked_add_days(Days::new(u64::from(7 * weeks + wd))),
            DateSpec::Week(weeks) => monday(today).checked_add_days(Days::new(u64::from(7 * weeks))),
        }
    }
}

fn monday(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

/// Whether the hour was pinned to before or after noon by a word next to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meridiem {
    Am,
    Pm,
    Noon,
    Night,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TimeSpec {
    hour: u32,
    minute: u32,
    /// Said unambiguously (24-hour clock, `noon`, `midnight`): no afternoon rule.
    exact: bool,
    meridiem: Option<Meridiem>,
}

impl TimeSpec {
    /// Applies 1–7 o'clock alone is the afternoon; words pin it either way.
    fn finish(self, sentence: Option<Meridiem>) -> NaiveTime {
        let h = self.hour;
        let hour = if self.exact || h >= 13 {
            h % 24
        } else {
            match self.meridiem.or(sentence) {
                Some(Meridiem::Am) => h % 12,
                Some(Meridiem::Pm) => h % 12 + 12,
                Some(Meridiem::Noon) if h <= 6 => h + 12,
                Some(Meridiem::Night) if (7..12).contains(&h) => h + 12,
                Some(Meridiem::Noon | Meridiem::Night) => h,
                None if (1..=7).contains(&h) => h + 12,
                None => h,
            }
        };
        NaiveTime::from_hms_opt(hour, self.minute, 0).unwrap_or(NaiveTime::MIN)
    }
}

#[derive(Debug, Default)]
struct Found {
    date: Option<DateSpec>,
    time: Option<TimeSpec>,
    part: Option<Part>,
    meridiem: Option<Meridiem>,
    implied_today: bool,
}

struct Scan {
    toks: Vec<Tok>,
    used: Vec<bool>,
}

const TIME_MARKERS: [&str; 11] = ["um", "at", "gegen", "ab", "zwischen", "around", "by", "circa", "ca", "bis", "from"];
const DAY_MARKERS: [&str; 7] = ["am", "den", "zum", "on", "the", "vom", "dem"];

impl Scan {
    fn new(toks: Vec<Tok>) -> Scan {
        let used = vec![false; toks.len()];
        Scan { toks, used }
    }

    fn word(&self, i: usize) -> Option<&str> {
        match self.toks.get(i) {
            Some(Tok::Word(w)) => Some(w),
            _ => None,
        }
    }

    fn is(&self, i: usize, words: &[&str]) -> bool {
        self.word(i).is_some_and(|w| words.contains(&w))
    }

    /// A lone number (no separator), and whether it had a trailing dot.
    fn int(&self, i: usize) -> Option<(u32, bool)> {
        match self.toks.get(i) {
            Some(Tok::Num { parts, sep: None, trailing_dot }) => Some((parts[0], *trailing_dot)),
            _ => None,
        }
    }

    fn take(&mut self, from: usize, to: usize) {
        for u in &mut self.used[from..to.min(self.toks.len())] {
            *u = true;
        }
    }

    fn run(mut self) -> Found {
        let mut found = Found::default();
        let weeks = self.week_phrase();
        let mut best: Option<(DateSpec, usize)> = None;
        let mut i = 0;
        while i < self.toks.len() {
            if self.used[i] {
                i += 1;
                continue;
            }
            if let Some((spec, len)) = self.date_at(i, weeks) {
                self.take(i, i + len);
                if best.is_none_or(|(b, _)| spec.rank() > b.rank()) {
                    best = Some((spec, i));
                }
                // "heute Morgen", "Freitag Morgen": a morning, not tomorrow.
                if self.is(i + len, &["morgen"]) {
                    self.take(i + len, i + len + 1);
                    found.part.get_or_insert(Part::Morning);
                }
                i += len;
                continue;
            }
            i += 1;
        }
        found.date = best.map(|(spec, _)| spec).or(weeks.filter(|w| *w > 0).map(DateSpec::Week));
        for i in 0..self.toks.len() {
            if found.time.is_none() && !self.used[i] {
                if let Some((spec, len)) = self.time_at(i) {
                    self.take(i, i + len);
                    found.time = Some(spec);
                }
            }
        }
        for i in 0..self.toks.len() {
            if !self.used[i] {
                self.part_at(i, &mut found);
            }
        }
        found
    }

    /// `nächste Woche`, `kommende Woche`, `next week`, `übernächste Woche` → weeks ahead.
    fn week_phrase(&mut self) -> Option<u32> {
        for i in 0..self.toks.len().saturating_sub(1) {
            if self.is(i + 1, &["woche", "week"]) {
                let ahead = if self
                    .is(i, &["nachste", "nachsten", "nachster", "kommende", "kommenden", "kommender", "next", "coming"])
                {
                    1
                } else if self.is(i, &["ubernachste", "ubernachsten", "ubernachster"]) {
                    2
                } else {
                    continue;
                };
                self.take(i, i + 2);
                return Some(ahead);
            }
        }
        None
    }

    fn date_at(&self, i: usize, weeks: Option<u32>) -> Option<(DateSpec, usize)> {
        self.calendar_date_at(i).or_else(|| self.relative_date_at(i, weeks))
    }

    /// `03.12.2026`, `3.12.`, `3. Dezember`, `am dritten Dezember`, `December 3rd`, `the 3rd of
    /// December`, and a day of the month alone (`am 15.`, `am Ersten`, `on the 15th`).
    fn calendar_date_at(&self, i: usize) -> Option<(DateSpec, usize)> {
        if let Some(Tok::Num { parts, sep: Some('.'), trailing_dot }) = self.toks.get(i) {
            let year = |y: u32| if y < 100 { 2000 + y as i32 } else { y as i32 };
            return match parts.as_slice() {
                [d, m, y] if *y < 10_000 => Some((DateSpec::Full(year(*y), *m, *d), 1)),
                [d, m] if (1..=31).contains(d) && (1..=12).contains(m) => {
                    let time_context = i > 0 && self.is(i - 1, &TIME_MARKERS) || self.is(i + 1, &["uhr", "h"]);
                    (*trailing_dot || !time_context).then_some((DateSpec::DayMonth(*d, *m), 1))
                }
                _ => None,
            };
        }
        // A day number or ordinal, then optionally a month (and a year).
        if let Some((day, len)) = self.day_number_at(i) {
            let mut j = i + len;
            if self.is(j, &["of"]) {
                j += 1;
            }
            if let Some(m) = self.word(j).and_then(month) {
                let (year, ylen) = self.year_at(j + 1);
                return Some((
                    year.map_or(DateSpec::DayMonth(day, m), |y| DateSpec::Full(y, m, day)),
                    j + 1 + ylen - i,
                ));
            }
            let said_as_day = match self.toks.get(i) {
                Some(Tok::Num { trailing_dot, .. }) => *trailing_dot || len == 2 || self.day_marker_before(i),
                _ => self.day_marker_before(i) || len == 1 && self.is(i + 1, &["of"]),
            };
            let time_follows = self.is(i + len, &["uhr", "h", "pm", "oclock"]);
            if said_as_day && !time_follows && (1..=31).contains(&day) {
                return Some((DateSpec::Day(day), len));
            }
            return None;
        }
        // A month, then a day: "December 3", "December 3rd, 2026".
        let m = self.word(i).and_then(month)?;
        let (day, len) = self.day_number_at(i + 1)?;
        let (year, ylen) = self.year_at(i + 1 + len);
        Some((year.map_or(DateSpec::DayMonth(day, m), |y| DateSpec::Full(y, m, day)), 1 + len + ylen))
    }

    fn day_marker_before(&self, i: usize) -> bool {
        i > 0 && self.is(i - 1, &DAY_MARKERS)
    }

    /// `15`, `15.`, `15th`, `fünfzehnten`, `third` → (day, tokens used). Numbers after a time
    /// marker (`um 15`) are hours, not days.
    fn day_number_at(&self, i: usize) -> Option<(u32, usize)> {
        if i > 0 && self.is(i - 1, &TIME_MARKERS) && !self.is(i - 1, &["bis"]) {
            return None;
        }
        if let Some((n, _)) = self.int(i) {
            let suffix = self.is(i + 1, &["st", "nd", "rd", "th", "ten", "te"]);
            return (1..=31).contains(&n).then_some((n, if suffix { 2 } else { 1 }));
        }
        self.word(i).and_then(ordinal).map(|n| (n, 1))
    }

    fn year_at(&self, i: usize) -> (Option<i32>, usize) {
        match self.int(i) {
            Some((y, _)) if (1970..10_000).contains(&y) => (Some(y as i32), 1),
            _ => (None, 0),
        }
    }

    /// heute/morgen/übermorgen, today/tomorrow/the day after tomorrow, in N Tagen/Wochen,
    /// weekdays with their modifiers.
    fn relative_date_at(&self, i: usize, weeks: Option<u32>) -> Option<(DateSpec, usize)> {
        let w = self.word(i)?;
        match w {
            "heute" | "today" => return Some((DateSpec::Offset(0), 1)),
            "ubermorgen" | "uebermorgen" => return Some((DateSpec::Offset(2), 1)),
            "morgen" if !(i > 0 && self.is(i - 1, &["am", "guten"])) => return Some((DateSpec::Offset(1), 1)),
            "tomorrow" => return Some((DateSpec::Offset(1), 1)),
            "day" if self.is(i + 1, &["after"]) && self.is(i + 2, &["tomorrow"]) => {
                return Some((DateSpec::Offset(2), 3))
            }
            "in" => {
                let (n, len) = match self.int(i + 1) {
                    Some((n, false)) => (n, 1),
                    _ => (self.word(i + 1).and_then(cardinal)?, 1),
                };
                let unit = self.word(i + 1 + len)?;
                let days = match unit {
                    "tag" | "tagen" | "tage" | "day" | "days" => n,
                    "woche" | "wochen" | "week" | "weeks" => n.checked_mul(7)?,
                    _ => return None,
                };
                return Some((DateSpec::Offset(u64::from(days)), 2 + len));
            }
            _ => {}
        }
        if let Some(wd) = weekday(w) {
            return Some((DateSpec::Weekday(wd, weeks.unwrap_or(0)), 1));
        }
        // "nächsten Montag", "next Tuesday", "übernächsten Freitag": the modifier is part of it.
        let wd = self.word(i + 1).and_then(weekday)?;
        match w {
            "nachsten" | "nachster" | "nachste" | "kommenden" | "kommender" | "next" | "this" | "diesen" | "coming" => {
                Some((DateSpec::Weekday(wd, weeks.unwrap_or(0)), 2))
            }
            "ubernachsten" | "ubernachster" => Some((DateSpec::Weekday(wd, 2), 2)),
            _ => None,
        }
    }

    fn hour_word(&self, i: usize) -> Option<u32> {
        match self.toks.get(i)? {
            Tok::Num { parts, sep: None, .. } if parts[0] <= 24 => Some(parts[0]),
            Tok::Word(w) if !matches!(w.as_str(), "a" | "an" | "eine" | "einen" | "einem" | "einer") => {
                cardinal(w).filter(|h| *h <= 24)
            }
            _ => None,
        }
    }

    fn minute_word(&self, i: usize) -> Option<u32> {
        match self.toks.get(i)? {
            Tok::Num { parts, sep: None, trailing_dot: false } if parts[0] < 60 => Some(parts[0]),
            Tok::Word(w) if w == "viertel" || w == "quarter" => Some(15),
            Tok::Word(w) if w == "halb" || w == "half" => Some(30),
            Tok::Word(w) => cardinal(w).filter(|m| (1..60).contains(m) && !matches!(w.as_str(), "a" | "an")),
            _ => None,
        }
    }

    fn time_at(&self, i: usize) -> Option<(TimeSpec, usize)> {
        let (spec, len) = self.clock_at(i).or_else(|| self.spoken_at(i))?;
        // A trailing "Uhr", "am"/"pm" or "a.m."/"p.m." belongs to the time.
        let j = i + len;
        let (meridiem, extra) = if self.is(j, &["pm"]) || self.is(j, &["p"]) && self.is(j + 1, &["m"]) {
            (Some(Meridiem::Pm), if self.is(j, &["pm"]) { 1 } else { 2 })
        } else if self.is(j, &["am"]) && self.date_at(j + 1, None).is_none() {
            // "10 am" is a.m.; "10 am Freitag" is German "am".
            (Some(Meridiem::Am), 1)
        } else if self.is(j, &["a"]) && self.is(j + 1, &["m"]) {
            (Some(Meridiem::Am), 2)
        } else {
            (spec.meridiem, 0)
        };
        Some((TimeSpec { meridiem, ..spec }, len + extra))
    }

    /// Digits and hour words: `15:30`, `15.30 Uhr`, `15 Uhr 30`, `3pm`, `um 10`, `sieben Uhr`.
    fn clock_at(&self, i: usize) -> Option<(TimeSpec, usize)> {
        let marker = i > 0 && self.is(i - 1, &TIME_MARKERS);
        let exact = |h: u32, m: u32| TimeSpec { hour: h, minute: m, exact: h == 0 || h >= 13, meridiem: None };
        if let Some(Tok::Num { parts, sep: Some(sep), .. }) = self.toks.get(i) {
            if let [h, m] = parts.as_slice() {
                let clock = *sep == ':' || marker || self.is(i + 1, &["uhr", "h"]);
                if clock && *h <= 24 && *m < 60 {
                    let len = if self.is(i + 1, &["uhr", "h"]) { 2 } else { 1 };
                    return Some((exact(*h, *m), len));
                }
            }
            return None;
        }
        if self.is(i, &["noon", "midday"]) && !self.is(i.wrapping_sub(1), &["around"]) {
            return Some((TimeSpec { hour: 12, minute: 0, exact: true, meridiem: None }, 1));
        }
        if self.is(i, &["midnight", "mitternacht"]) {
            return Some((TimeSpec { hour: 0, minute: 0, exact: true, meridiem: None }, 1));
        }
        let h = self.hour_word(i)?;
        if let Some((_, true)) = self.int(i) {
            if !marker {
                return None;
            }
        }
        if self.is(i + 1, &["uhr", "h", "oclock"]) || self.is(i + 1, &["o"]) && self.is(i + 2, &["clock"]) {
            let len = if self.is(i + 1, &["o"]) { 3 } else { 2 };
            let minute =
                self.minute_word(i + len).filter(|_| !self.is(i + len, &["viertel", "halb", "quarter", "half"]));
            return Some((exact(h, minute.unwrap_or(0)), len + usize::from(minute.is_some())));
        }
        let ampm = self.is(i + 1, &["pm", "am"]) || self.is(i + 1, &["p", "a"]) && self.is(i + 2, &["m"]);
        if marker || ampm && matches!(self.toks[i], Tok::Num { .. }) {
            // "at three thirty": an hour word followed by a minute word.
            if let (Tok::Word(_), Some(m)) = (&self.toks[i], self.minute_word(i + 1)) {
                if m >= 10 && !self.is(i + 1, &["viertel", "halb", "quarter", "half"]) {
                    return Some((exact(h, m), 2));
                }
            }
            return Some((exact(h, 0), 1));
        }
        None
    }

    /// German and English spoken times: `halb drei`, `viertel nach drei`, `dreiviertel vier`,
    /// `fünf vor halb vier`, `zehn nach zwei`, `half past three`, `quarter to four`.
    fn spoken_at(&self, i: usize) -> Option<(TimeSpec, usize)> {
        let at = |hour: u32, minute: u32| TimeSpec { hour, minute, exact: false, meridiem: None };
        let before = |h: u32| if h <= 1 { h + 11 } else { h - 1 };
        let w = self.word(i);
        if w == Some("halb") {
            return self.hour_word(i + 1).map(|h| (at(before(h), 30), 2));
        }
        if w == Some("dreiviertel") {
            return self.hour_word(i + 1).map(|h| (at(before(h), 45), 2));
        }
        if w == Some("half") && !self.is(i + 1, &["past"]) {
            return self.hour_word(i + 1).map(|h| (at(h, 30), 2));
        }
        let minutes = self.minute_word(i)?;
        let mut j = i + 1;
        if self.is(j, &["minuten", "minute", "minutes", "min"]) {
            j += 1;
        }
        let dir = self.word(j)?;
        let forward = match dir {
            "nach" | "past" | "after" => true,
            "vor" | "to" | "before" | "til" | "till" => false,
            "of" if self.is(i, &["quarter"]) => false,
            _ if minutes == 15 && self.is(i, &["viertel"]) && self.hour_word(i + 1).is_some() => {
                // "viertel vier" = 3:15
                return Some((at(before(self.hour_word(i + 1)?), 15), 2));
            }
            _ => return None,
        };
        if self.is(j + 1, &["halb"]) && minutes < 30 {
            let h = before(self.hour_word(j + 2)?);
            let m = if forward { 30 + minutes } else { 30 - minutes };
            return Some((at(h, m), j + 3 - i));
        }
        let h = self.hour_word(j + 1)?;
        if minutes > 30 || minutes == 0 {
            return None;
        }
        let spec = if forward { at(h, minutes) } else { at(before(h), 60 - minutes) };
        Some((spec, j + 2 - i))
    }

    /// Part-of-day words: they set `part` and pin an hour's half of the day.
    fn part_at(&self, i: usize, found: &mut Found) {
        let Some(w) = self.word(i) else { return };
        let (part, meridiem) = match w {
            "morgens" | "vormittags" | "vormittag" | "fruh" | "fruhmorgens" | "morning" => {
                (Some(Part::Morning), Meridiem::Am)
            }
            "morgen" if i > 0 && self.is(i - 1, &["am"]) => (Some(Part::Morning), Meridiem::Am),
            "mittag" | "mittags" | "mittagszeit" | "midday" | "lunchtime" | "noon" => {
                (Some(Part::Noon), Meridiem::Noon)
            }
            "nachmittag" | "nachmittags" | "afternoon" => (Some(Part::Afternoon), Meridiem::Pm),
            "abend" | "abends" | "evening" => (Some(Part::Evening), Meridiem::Pm),
            "tonight" => {
                found.implied_today = found.date.is_none();
                (Some(Part::Evening), Meridiem::Pm)
            }
            "nachts" | "night" => (None, Meridiem::Night),
            _ => return,
        };
        if i > 0 && self.is(i - 1, &["this"]) && found.date.is_none() {
            found.implied_today = true;
        }
        if found.part.is_none() {
            found.part = part;
        }
        found.meridiem.get_or_insert(meridiem);
    }
}
