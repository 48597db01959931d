//! Property tests for the resolver: no input panics, and what comes out is a real date and time
//! in a sensible range.

use askpro::nlu::resolve_when;
use chrono::{DateTime, Datelike, NaiveDate};
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "heute",
    "morgen",
    "Morgen",
    "übermorgen",
    "früh",
    "am",
    "um",
    "Uhr",
    "halb",
    "viertel",
    "dreiviertel",
    "nach",
    "vor",
    "nächste",
    "nächsten",
    "Woche",
    "kommenden",
    "in",
    "Tagen",
    "Wochen",
    "einer",
    "drei",
    "zwölf",
    "null",
    "Montag",
    "Freitag",
    "Sonntag",
    "Dezember",
    "Februar",
    "Ersten",
    "neunundzwanzigsten",
    "vormittags",
    "mittags",
    "nachmittags",
    "abends",
    "nachts",
    "tonight",
    "next",
    "week",
    "the",
    "of",
    "at",
    "half",
    "past",
    "quarter",
    "to",
    "pm",
    "am",
    "a",
    "m",
    "noon",
    "midnight",
    "29.",
    "31.",
    "15:30",
    "25:99",
    "3.12.",
    "31.02.",
    "03.12.2026",
    "99.99.9999",
    "0",
    "7",
    "24",
    "4294967295",
    "1.2.3.4",
    "..",
    "::",
    ",",
    "?",
    "Minuten",
];

fn now() -> DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-18T10:00:00+01:00").unwrap()
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,80}") {
        let when = resolve_when(&text, &now(), chrono_tz::Europe::Berlin);
        let json = when.to_json();
        prop_assert!(json["date"].is_string() && json["time"].is_string() && json["part"].is_string());
    }

    #[test]
    fn word_salad_gives_valid_answers(words in prop::collection::vec(prop::sample::select(WORDS), 0..10),
                                      offset_min in 0i64..(60 * 24 * 400)) {
        let text = words.join(" ");
        let now = now() + chrono::Duration::minutes(offset_min);
        let when = resolve_when(&text, &now, chrono_tz::Europe::Berlin);
        let today = now.with_timezone(&chrono_tz::Europe::Berlin).date_naive();
        if let Some(date) = when.date {
            // Only a date said with its year may lie in the past or far ahead.
            let has_year = words.iter().any(|w| w.matches('.').count() == 3 || w.contains("2026") || w.contains("9999"));
            if !has_year {
                prop_assert!(date >= today, "{text:?} gave {date} before {today}");
                prop_assert!(date <= today + chrono::Days::new(2 * 366 + 31 * 7 * 4), "{text:?} gave {date}");
            }
            prop_assert!(NaiveDate::from_ymd_opt(date.year(), date.month(), date.day()).is_some());
        }
        if when.time.is_some() {
            prop_assert!(when.part.is_none(), "a clock time leaves part empty: {text:?}");
            prop_assert!(when.date.is_some(), "a time always gets a date: {text:?}");
        }
    }
}
