//! `check_availability` on the local calendar at the scale of the target: a branch
//! with 20 staff, 30 services and 2,000 appointments in the next 14 days, one day asked for.
//! Two figures: the slot engine alone (in memory), and the whole availability check through
//! `Calendar::free_slots` — staff for the service, busy times and holds read from a real
//! SQLite file (and PostgreSQL when `ASKPRO_TEST_POSTGRES_URL` is set), then the engine.
//! Run with `cargo bench --bench calendar`.

use std::hint::black_box;
use std::time::Instant;

use askpro::calendar::{free_slots, Calendar, Interval, LocalCalendar, SlotQuery, SlotRules, StaffAvailability};
use askpro::domain::BusinessHours;
use askpro::store::{self, NewBranch, NewCompany, NewService, NewStaff, PoolSize, StaffKey};
use chrono::DateTime;

#[path = "support/busy_branch.rs"]
mod busy_branch;

const TARGET_US: f64 = 1000.0;

fn main() {
    engine_alone();
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
    whole_check("SQLite", &sqlite);
    if let Ok(admin) = std::env::var("ASKPRO_TEST_POSTGRES_URL") {
        let name = format!("askpro_bench_{}", std::process::id());
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let pg = runtime.block_on(async {
            use sqlx::{Connection, Executor};
            let mut conn = sqlx::PgConnection::connect(&admin).await.expect("PostgreSQL");
            conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create bench database");
            let (base, _) = admin.rsplit_once('/').expect("URL with a database");
            format!("{base}/{name}")
        });
        whole_check("PostgreSQL", &pg);
        runtime.block_on(async {
            use sqlx::{Connection, Executor};
            let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
            let _ = conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
        });
    }
}

fn report(what: &str, mut samples: Vec<f64>) {
    samples.sort_by(f64::total_cmp);
    let pct = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
    println!(
        "  {what}: p50 {:.1} µs, p99 {:.1} µs   target p99 {TARGET_US:.0} µs   ratio {:.3}",
        pct(0.50),
        pct(0.99),
        pct(0.99) / TARGET_US
    );
}

/// Sets up the branch in a fresh database and times 2,000 availability checks through the
/// calendar, each for one day and one of the 30 services.
fn whole_check(backend: &str, url: &str) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let s = store::connect(url, PoolSize(4)).await.expect("store");
        let company = s
            .insert_company(&NewCompany {
                name: "Bench".into(),
                name_key: "bench".into(),
                email: None,
                phone: None,
                country: "DE".into(),
                timezone: "Europe/Berlin".into(),
                industry: None,
                scheduling: "local".into(),
                calcom_team_id: None,
                calcom_api_key: None,
                retell_api_key: None,
                settings: Default::default(),
            })
            .await
            .unwrap();
        let hours = BusinessHours::default_week().to_json().to_string();
        let branch = s
            .insert_branch(
                company.id,
                &NewBranch {
                    name: "Mitte".into(),
                    name_key: "mitte".into(),
                    address: None,
                    phone: None,
                    email: None,
                    timezone: "Europe/Berlin".into(),
                    business_hours: hours,
                },
            )
            .await
            .unwrap();
        let mut services = Vec::new();
        for i in 0..30 {
            let name = format!("Leistung {i}");
            let new = NewService {
                branch_id: None,
                name_key: name.to_lowercase(),
                name,
                duration_min: 15 + (i % 4) * 15,
                price_cents: None,
                calcom_event_type_id: None,
            };
            services.push(s.insert_service(company.id, &new).await.unwrap());
        }
        let start = DateTime::parse_from_rfc3339("2030-03-04T00:00:00+01:00").unwrap().timestamp_millis();
        let (day, minute) = (86_400_000, 60_000);
        let mut appointments = 0;
        for n in 0..20 {
            let name = format!("Staff {n}");
            let new = NewStaff {
                branch_id: branch.id,
                key: StaffKey::Name(name.to_lowercase()),
                name,
                email: None,
                phone: None,
                calcom_user_id: None,
                working_hours: None,
            };
            let member = s.insert_staff(company.id, &new).await.unwrap();
            // Each performs half the services.
            let theirs: Vec<i64> = services.iter().skip(n % 2).step_by(2).map(|x| x.id).collect();
            s.assign_services(company.id, member.id, &theirs).await.unwrap();
            let first_nine = start + 9 * 60 * minute;
            for a in busy_branch::appointments(branch.id, member.id, first_nine, |i| services[(i % 30) as usize].id) {
                s.insert_appointment(company.id, &a).await.unwrap();
                appointments += 1;
            }
        }
        let calendar = LocalCalendar::new(s.clone(), company.id, SlotRules { step_min: 15, buffer_min: 5, min_notice_min: 60 });
        let mut found = 0;
        let mut samples = Vec::with_capacity(2_000);
        for i in 0..2_200usize {
            let service = &services[i % 30];
            let d = (i % 12) as i64;
            let window = Interval { start: start + d * day, end: start + (d + 1) * day };
            let query = SlotQuery { branch: &branch, service, window, staff_id: None, now: start };
            let t = Instant::now();
            let slots = black_box(calendar.free_slots(&query).await.unwrap());
            let us = t.elapsed().as_secs_f64() * 1e6;
            found += slots.len();
            if i >= 200 {
                samples.push(us); // the first 200 warm the connections and caches
            }
        }
        println!(
            "check_availability through the calendar on {backend}: 20 staff, 30 services, {appointments} appointments in 14 days ({} slots per answer on average):",
            found / 2_200
        );
        report("one day, one service", samples);
        // Where the time goes: the two reads on their own.
        let (d0, d1) = (start + 3 * day, start + 4 * day);
        let mut staff_reads = Vec::new();
        let mut busy_reads = Vec::new();
        for i in 0..1_000usize {
            let t = Instant::now();
            black_box(s.staff_for_service(company.id, branch.id, services[i % 30].id).await.unwrap());
            staff_reads.push(t.elapsed().as_secs_f64() * 1e6);
            let t = Instant::now();
            black_box(s.busy_times(company.id, branch.id, services[i % 30].id, d0 - 3_600_000, d1 + 3_600_000, start).await.unwrap());
            busy_reads.push(t.elapsed().as_secs_f64() * 1e6);
        }
        report("of which the staff read alone", staff_reads);
        report("of which the busy-times read alone", busy_reads);
        s.close().await;
    });
}

fn engine_alone() {
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
    let samples: Vec<f64> = (0..2_000)
        .map(|_| {
            let t = Instant::now();
            black_box(free_slots(chrono_tz::Europe::Berlin, &hours, black_box(&staff), 30, window, start, &rules));
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    let slots = free_slots(chrono_tz::Europe::Berlin, &hours, &staff, 30, window, start, &rules).len();
    println!("slot engine alone: one day, 20 staff, 2,000 appointments over 14 days ({slots} slots found):");
    report("in memory", samples);
}
