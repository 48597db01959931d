//! The spoken date/time resolver against the labelled dev corpus and the edge cases.

use askpro::nlu::resolve_when;
use chrono::DateTime;

/// Resolves like `askpro nlu:when TEXT --now NOW --tz TZ` and returns (date, time, part).
fn when(now: &str, tz: &str, text: &str) -> (String, String, String) {
    let now = DateTime::parse_from_rfc3339(now).unwrap();
    let v = resolve_when(text, &now, tz.parse().unwrap()).to_json();
    let s = |k: &str| v[k].as_str().unwrap().to_string();
    (s("date"), s("time"), s("part"))
}

#[test]
fn every_line_of_the_dev_corpus() {
    let corpus = include_str!("fixtures/when-dev.tsv");
    let mut failures = Vec::new();
    let mut count = 0;
    for line in corpus.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (now, tz, text) = (cols[0], cols[1], cols[2]);
        let expected =
            (cols[3].to_string(), cols.get(4).unwrap_or(&"").to_string(), cols.get(5).unwrap_or(&"").to_string());
        let got = when(now, tz, text);
        count += 1;
        if got != expected {
            failures.push(format!("{text:?} @ {now}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(count >= 50, "the corpus has {count} lines");
    assert!(failures.is_empty(), "{} of {count} failed:\n{}", failures.len(), failures.join("\n"));
}

/// Wednesday 2026-11-18, 10:00 in Berlin — the corpus's usual reference.
const WED: &str = "2026-11-18T10:00:00+01:00";
const BERLIN: &str = "Europe/Berlin";

fn check(now: &str, cases: &[(&str, &str, &str, &str)]) {
    let mut failures = Vec::new();
    for (text, date, time, part) in cases {
        let got = when(now, BERLIN, text);
        let expected = (date.to_string(), time.to_string(), part.to_string());
        if got != expected {
            failures.push(format!("{text:?}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "@ {now}:\n{}", failures.join("\n"));
}

#[test]
fn relative_days_and_morning_words() {
    check(
        WED,
        &[
            ("heute", "2026-11-18", "", ""),
            ("Morgen", "2026-11-19", "", ""),
            ("übermorgen", "2026-11-20", "", ""),
            ("Ubermorgen", "2026-11-20", "", ""),
            ("uebermorgen nachmittag", "2026-11-20", "", "afternoon"),
            ("heute Morgen", "2026-11-18", "", "morning"),
            ("morgen Morgen", "2026-11-19", "", "morning"),
            ("morgen früh um 8", "2026-11-19", "08:00", ""),
            ("am Morgen", "", "", "morning"),
            ("Freitag Morgen", "2026-11-20", "", "morning"),
            ("today in the evening", "2026-11-18", "", "evening"),
            ("tomorrow morning", "2026-11-19", "", "morning"),
            ("the day after tomorrow", "2026-11-20", "", ""),
        ],
    );
}

#[test]
fn weekdays_are_never_today_and_next_week_is_the_calendar_week() {
    check(
        WED,
        &[
            ("Mittwoch", "2026-11-25", "", ""),
            ("am Mittwoch", "2026-11-25", "", ""),
            ("Donnerstag", "2026-11-19", "", ""),
            ("kommenden Dienstag", "2026-11-24", "", ""),
            ("nächsten Mittwoch", "2026-11-25", "", ""),
            ("next Wednesday", "2026-11-25", "", ""),
            ("nächste Woche Montag", "2026-11-23", "", ""),
            ("Montag nächster Woche", "2026-11-23", "", ""),
            ("Sonntag nächste Woche", "2026-11-29", "", ""),
            ("next week Friday", "2026-11-27", "", ""),
            ("Friday next week", "2026-11-27", "", ""),
            ("Donnerstag in der nächsten Woche", "2026-11-26", "", ""),
            ("freitags", "2026-11-20", "", ""),
            ("Donerstag", "2026-11-19", "", ""),
            ("Samstag vormittags", "2026-11-21", "", "morning"),
            ("Saturday afternoon", "2026-11-21", "", "afternoon"),
        ],
    );
}

#[test]
fn in_n_days_and_weeks() {
    check(
        WED,
        &[
            ("in 3 Tagen", "2026-11-21", "", ""),
            ("in zehn Tagen", "2026-11-28", "", ""),
            ("in einem Tag", "2026-11-19", "", ""),
            ("in 2 Wochen", "2026-12-02", "", ""),
            ("in a week", "2026-11-25", "", ""),
            ("in two weeks", "2026-12-02", "", ""),
            ("in 14 days", "2026-12-02", "", ""),
            ("in 45 Tagen", "2027-01-02", "", ""),
        ],
    );
}

#[test]
fn calendar_dates_in_every_written_form() {
    check(
        WED,
        &[
            ("3. Dezember", "2026-12-03", "", ""),
            ("am dritten Dezember", "2026-12-03", "", ""),
            ("3.12.", "2026-12-03", "", ""),
            ("03.12.2026", "2026-12-03", "", ""),
            ("03.12.27", "2027-12-03", "", ""),
            ("December 3", "2026-12-03", "", ""),
            ("December 3rd", "2026-12-03", "", ""),
            ("the 3rd of December", "2026-12-03", "", ""),
            ("3rd December", "2026-12-03", "", ""),
            ("am 18. November", "2026-11-18", "", ""),
            ("am 17. November", "2027-11-17", "", ""),
            ("am 1. Januar", "2027-01-01", "", ""),
            ("am einundzwanzigsten Dezember", "2026-12-21", "", ""),
            ("den 5. März 2027", "2027-03-05", "", ""),
            ("Freitag, den 4. Dezember", "2026-12-04", "", ""),
            ("am 31.02.", "", "", ""),
        ],
    );
}

#[test]
fn day_of_month_alone() {
    check(
        WED,
        &[
            ("am 15.", "2026-12-15", "", ""),
            ("am 18.", "2026-11-18", "", ""),
            ("am 30.", "2026-11-30", "", ""),
            ("am 31.", "2026-12-31", "", ""),
            ("am Ersten", "2026-12-01", "", ""),
            ("on the 20th", "2026-11-20", "", ""),
            ("am zwanzigsten", "2026-11-20", "", ""),
            ("am 19. um 9", "2026-11-19", "09:00", ""),
        ],
    );
    // "am 29." in February: the next month that has a 29th, which is February itself in a leap year.
    check("2027-02-10T10:00:00+01:00", &[("am 29.", "2027-03-29", "", ""), ("am 31.", "2027-03-31", "", "")]);
    check("2028-02-10T10:00:00+01:00", &[("am 29.", "2028-02-29", "", ""), ("29. Februar", "2028-02-29", "", "")]);
    check("2027-03-01T10:00:00+01:00", &[("am 29. Februar", "2028-02-29", "", "")]);
}

#[test]
fn clock_times_and_the_afternoon_rule() {
    check(
        WED,
        &[
            ("um 15 Uhr", "2026-11-18", "15:00", ""),
            ("15:30", "2026-11-18", "15:30", ""),
            ("um 15.30 Uhr", "2026-11-18", "15:30", ""),
            ("um 3", "2026-11-18", "15:00", ""),
            ("um 7", "2026-11-18", "19:00", ""),
            ("um 8", "2026-11-19", "08:00", ""),
            ("um 12", "2026-11-18", "12:00", ""),
            ("um 11 Uhr 45", "2026-11-18", "11:45", ""),
            ("um zehn Uhr dreißig", "2026-11-18", "10:30", ""),
            ("um vierzehn Uhr", "2026-11-18", "14:00", ""),
            ("um drei", "2026-11-18", "15:00", ""),
            ("3 pm", "2026-11-18", "15:00", ""),
            ("3:30pm", "2026-11-18", "15:30", ""),
            ("at 9 a.m.", "2026-11-19", "09:00", ""),
            ("at 5 am", "2026-11-19", "05:00", ""),
            ("12 pm", "2026-11-18", "12:00", ""),
            ("at noon", "2026-11-18", "12:00", ""),
            ("morgens um 7", "2026-11-19", "07:00", ""),
            ("um 6 Uhr früh", "2026-11-19", "06:00", ""),
            ("vormittags um 10", "2026-11-19", "10:00", ""),
            ("abends um 8", "2026-11-18", "20:00", ""),
            ("nachmittags um 4", "2026-11-18", "16:00", ""),
            ("um 1 mittags", "2026-11-18", "13:00", ""),
            ("um 9 tonight", "2026-11-18", "21:00", ""),
            ("at 10 in the evening", "2026-11-18", "22:00", ""),
            ("um 10:00", "2026-11-19", "10:00", ""),
            ("um 10:01", "2026-11-18", "10:01", ""),
        ],
    );
}

#[test]
fn spoken_german_and_english_times() {
    check(
        WED,
        &[
            ("halb drei", "2026-11-18", "14:30", ""),
            ("halb eins", "2026-11-18", "12:30", ""),
            ("halb zwölf", "2026-11-18", "11:30", ""),
            ("halb neun", "2026-11-19", "08:30", ""),
            ("viertel nach drei", "2026-11-18", "15:15", ""),
            ("viertel vor vier", "2026-11-18", "15:45", ""),
            ("dreiviertel vier", "2026-11-18", "15:45", ""),
            ("viertel vier", "2026-11-18", "15:15", ""),
            ("zehn nach zwei", "2026-11-18", "14:10", ""),
            ("zwanzig vor fünf", "2026-11-18", "16:40", ""),
            ("fünf vor halb vier", "2026-11-18", "15:25", ""),
            ("fünf nach halb vier", "2026-11-18", "15:35", ""),
            ("fünf Minuten vor zwölf", "2026-11-18", "11:55", ""),
            ("um halb elf", "2026-11-18", "10:30", ""),
            ("halb acht abends", "2026-11-18", "19:30", ""),
            ("half past three", "2026-11-18", "15:30", ""),
            ("quarter past ten", "2026-11-18", "10:15", ""),
            ("quarter to four", "2026-11-18", "15:45", ""),
            ("ten past two", "2026-11-18", "14:10", ""),
            ("twenty to five", "2026-11-18", "16:40", ""),
            ("at three thirty", "2026-11-18", "15:30", ""),
            ("at seven o'clock in the morning", "2026-11-19", "07:00", ""),
        ],
    );
}

#[test]
fn parts_of_the_day_without_a_clock_time() {
    check(
        WED,
        &[
            ("vormittags", "", "", "morning"),
            ("morgen mittags", "2026-11-19", "", "noon"),
            ("zur Mittagszeit am Freitag", "2026-11-20", "", "noon"),
            ("Freitag nachmittags", "2026-11-20", "", "afternoon"),
            ("Montag abends", "2026-11-23", "", "evening"),
            ("this afternoon", "2026-11-18", "", "afternoon"),
            ("tonight", "2026-11-18", "", "evening"),
            ("in the morning", "", "", "morning"),
            ("morgen früh", "2026-11-19", "", "morning"),
        ],
    );
}

#[test]
fn surrounding_words_are_ignored() {
    check(
        WED,
        &[
            ("Ich hätte gern einen Termin am Samstag um 10", "2026-11-21", "10:00", ""),
            ("Äh, also, geht vielleicht übermorgen so gegen halb fünf?", "2026-11-20", "16:30", ""),
            (
                "Hallo, ja, ich möchte einen Herrenhaarschnitt, am liebsten nächsten Dienstag nachmittags.",
                "2026-11-24",
                "",
                "afternoon",
            ),
            ("Could I come in on Friday at 2, please?", "2026-11-20", "14:00", ""),
            ("Ich brauche einen Termin für drei Personen", "", "", ""),
            ("Danke, das war's.", "", "", ""),
            ("", "", "", ""),
            ("!!!???", "", "", ""),
        ],
    );
}

#[test]
fn year_end_and_daylight_saving() {
    // 31 December → 1 January.
    check(
        "2026-12-31T18:00:00+01:00",
        &[
            ("morgen", "2027-01-01", "", ""),
            ("um 17 Uhr", "2027-01-01", "17:00", ""),
            ("nächste Woche Montag", "2027-01-04", "", ""),
            ("am 2.", "2027-01-02", "", ""),
            ("am 31.", "2026-12-31", "", ""),
            ("3. Januar", "2027-01-03", "", ""),
        ],
    );
    // Spring forward (Sun 2027-03-28, 02:00 → 03:00) and fall back (Sun 2026-10-25, 03:00 → 02:00).
    check(
        "2027-03-27T23:30:00+01:00",
        &[("morgen um 9", "2027-03-28", "09:00", ""), ("übermorgen", "2027-03-29", "", "")],
    );
    check("2027-03-28T01:30:00+01:00", &[("heute um 10", "2027-03-28", "10:00", ""), ("morgen", "2027-03-29", "", "")]);
    check("2026-10-24T23:59:00+02:00", &[("morgen um 15 Uhr", "2026-10-25", "15:00", "")]);
    check("2026-10-25T02:30:00+01:00", &[("morgen", "2026-10-26", "", ""), ("um 2", "2026-10-25", "14:00", "")]);
    // `now` given in UTC is read in the caller's zone: 23:30Z is already tomorrow in Berlin.
    let (date, _, _) = when("2026-11-18T23:30:00Z", BERLIN, "heute");
    assert_eq!(date, "2026-11-19");
    let (date, _, _) = when("2026-11-19T03:30:00Z", "America/New_York", "heute");
    assert_eq!(date, "2026-11-18");
}

/// no input costs more than the deadline. A text longer than the cap (a megabyte
/// sent as `datum`) is not understood at all — a date deep inside it is no answer to trust —
/// and costs next to nothing; up to the cap it is read as usual.
#[test]
fn text_past_the_cap_is_not_understood() {
    let said = "morgen um 10";
    let padded = format!("{said:<width$}", width = askpro::nlu::when::MAX_TEXT_CHARS);
    assert_eq!(when(WED, BERLIN, &padded), ("2026-11-19".into(), "10:00".into(), String::new()));
    let empty = (String::new(), String::new(), String::new());
    assert_eq!(when(WED, BERLIN, &format!("{padded} ")), empty, "a character too many");
    let megabyte = format!("{said} ").repeat(80_000);
    let start = std::time::Instant::now();
    assert_eq!(when(WED, BERLIN, &megabyte), empty);
    assert!(start.elapsed() < std::time::Duration::from_millis(50), "{:?}", start.elapsed());
}
