//! The local calendar's slot computation at the scale of SPEC.md §9's availability target:
//! 20 staff, 2,000 appointments in the next 14 days, one day asked for a 30-minute service.
//! (The full `check_availability` adds the database reads; this measures the engine alone.)
//! Run with `cargo bench --bench calendar`.

use std::hint::black_box;
use std::time::Instant;

use askpro::calendar::{free_slots, Interval, SlotRules, StaffAvailability};
use askpro::domain::BusinessHours;
use chrono::DateTime;

fn main() {
    let hours = BusinessHours::from_arg(
        r#"{"monday": {"open": "09:00", "close": "18:00"}, "tuesday": {"open": "09:00", "close": "18:00"},
            "wednesday": {"open": "09:00", "close": "18:00"}, "thursday": {"open": "09:00", "close": "18:00"},
            "friday": {"open": "09:00", "close": "18:00"}, "saturday": {"open": "09:00", "close": "16:00"}}"#,
    )
    .unwrap();
    let start = DateTime::parse_from_rfc3339("2026-11-23T00:00:00+01:00").unwrap().timestamp_millis();
    let day = 86_400_000;
    // 100 appointments per staff member over 14 days: about 8 a working day, 30–60 minutes each.
    let staff: Vec<StaffAvailability> = (0..20)
        .map(|s| {
            let busy = (0..100)
                .map(|i| {
                    let d = i % 12 + (i % 12) / 6; // skip Sundays
                    let from = start + d * day + (8 * 60 + 60 + (i / 12) * 55 + s * 3) * 60_000;
                    Interval { start: from, end: from + (30 + (i % 2) * 30) * 60_000 }
                })
                .collect();
            StaffAvailability::new(s, None, busy)
        })
        .collect();
    let rules = SlotRules { step_min: 15, buffer_min: 5, min_notice_min: 60 };
    let window = Interval { start: start + 2 * day, end: start + 3 * day };
    let mut samples: Vec<f64> = (0..2_000)
        .map(|_| {
            let t = Instant::now();
            black_box(free_slots(chrono_tz::Europe::Berlin, &hours, black_box(&staff), 30, window, start, &rules));
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    let slots = free_slots(chrono_tz::Europe::Berlin, &hours, &staff, 30, window, start, &rules).len();
    println!("free slots for one day, 20 staff, 2,000 appointments over 14 days ({slots} slots found):");
    println!(
        "  p50 {:.1} µs, p99 {:.1} µs   target p99 {:.0} µs (whole check_availability)   ratio {:.3}",
        samples[1_000],
        samples[1_980],
        1000.0,
        samples[1_980] / 1000.0
    );
}
