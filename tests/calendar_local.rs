//! The local calendar's availability from stored data, on SQLite and PostgreSQL: the
//! staff–service mapping, staff hours, booked appointments, cancelled ones, and holds.

mod common;

use std::sync::Arc;

use askpro::calendar::{Calendar, Interval, LocalCalendar, Schedules, SlotQuery, SlotRules};
use askpro::store::{self, NewAppointment, NewHold, PoolSize};
use askpro::ErrorKind;
use chrono::{DateTime, Utc};
use common::{block_on, TestDb};

both_backends!(availability_from_stored_data);

/// Kept schedules are SQLite's: only its triggers keep the version (migration 0009).
#[test]
fn kept_schedules_follow_the_database_on_sqlite() {
    kept_schedules_follow_the_database(&TestDb::sqlite());
}

fn ms(rfc3339: &str) -> i64 {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().timestamp_millis()
}

fn hhmm(ms: i64) -> String {
    let t = DateTime::<Utc>::from_timestamp_millis(ms).unwrap().with_timezone(&chrono_tz::Europe::Berlin);
    t.format("%H:%M").to_string()
}

fn availability_from_stored_data(db: &TestDb) {
    let c = db.company("Salon");
    let cs = c.to_string();
    let b = db
        .ok(&[
            "branch:create",
            "--company-id",
            &cs,
            "--name",
            "Mitte",
            "-q",
            "--business-hours",
            r#"{"monday": {"open": "09:00", "close": "12:00"}}"#,
        ])
        .trim()
        .parse::<i64>()
        .unwrap();
    let other_branch = db.branch(c, "Nord");
    let service = db.service(c, "Herrenhaarschnitt", 30);
    let elsewhere = db
        .ok(&[
            "service:create",
            "--company-id",
            &cs,
            "--branch-id",
            &other_branch.to_string(),
            "--name",
            "Nur Nord",
            "--duration",
            "30",
            "-q",
        ])
        .trim()
        .parse::<i64>()
        .unwrap();
    let staff = |name: &str| {
        db.ok(&["staff:create", "--branch-id", &b.to_string(), "--name", name, "-q"]).trim().parse::<i64>().unwrap()
    };
    let (anna, ben, carla) = (staff("Anna"), staff("Ben"), staff("Carla"));
    for s in [anna, ben] {
        db.ok(&["staff:assign-services", "--staff-id", &s.to_string(), "--services", "Herrenhaarschnitt"]);
    }
    let monday = Interval { start: ms("2026-11-23T00:00:00+01:00"), end: ms("2026-11-24T00:00:00+01:00") };
    let now = ms("2026-11-20T12:00:00+01:00");
    let rules = SlotRules { step_min: 15, buffer_min: 0, min_notice_min: 60 };

    block_on(async {
        let s = store::connect(&db.url, PoolSize(2)).await.unwrap();
        let calendar = LocalCalendar::new(s.clone(), c, rules);
        let branch = s.branch(b).await.unwrap().unwrap();
        let svc = s.service(service).await.unwrap().unwrap();
        let query = |service, staff_id| SlotQuery { branch: &branch, service, window: monday, staff_id, now };
        let free = async |staff_id: Option<i64>| calendar.staff_slots(&query(&svc, staff_id), None).await.unwrap();
        let of = |slots: &[askpro::calendar::Slot], who: i64| -> Vec<String> {
            slots.iter().filter(|x| x.staff_id == who).map(|x| hhmm(x.start)).collect()
        };

        let all = free(None).await;
        assert_eq!(of(&all, anna).len(), 11, "09:00 … 11:30");
        assert_eq!(of(&all, ben), of(&all, anna));
        assert!(of(&all, carla).is_empty(), "Carla does not perform the service");

        // A booked appointment blocks Anna; a cancelled one of Ben's does not.
        let appointment = |staff: i64, from: &str, to: &str, status: &str| NewAppointment {
            branch_id: b,
            staff_id: Some(staff),
            service_id: Some(service),
            customer_id: None,
            starts_at: ms(from),
            ends_at: ms(to),
            status: status.into(),
            backend: "local".into(),
            external_uid: None,
            call_id: None,
        };
        s.insert_appointment(c, &appointment(anna, "2026-11-23T10:00:00+01:00", "2026-11-23T10:30:00+01:00", "booked"))
            .await
            .unwrap();
        s.insert_appointment(
            c,
            &appointment(ben, "2026-11-23T10:00:00+01:00", "2026-11-23T10:30:00+01:00", "cancelled"),
        )
        .await
        .unwrap();
        let all = free(None).await;
        let anna_free = of(&all, anna);
        assert!(!anna_free.contains(&"09:45".to_string()) && !anna_free.contains(&"10:15".to_string()));
        assert!(anna_free.contains(&"09:30".to_string()) && anna_free.contains(&"10:30".to_string()));
        assert_eq!(of(&all, ben).len(), 11);

        // A live hold blocks Ben; an expired one does not.
        db.execute(&format!(
            "INSERT INTO slot_holds (company_id, branch_id, staff_id, service_id, call_id, starts_at, ends_at, expires_at, created_at) VALUES \
             ({c}, {b}, {ben}, {service}, 'call_live', {}, {}, {}, 0), ({c}, {b}, {ben}, {service}, 'call_old', {}, {}, {}, 0)",
            ms("2026-11-23T11:00:00+01:00"), ms("2026-11-23T11:30:00+01:00"), now + 300_000,
            ms("2026-11-23T09:00:00+01:00"), ms("2026-11-23T09:30:00+01:00"), now - 1,
        )).await.unwrap();
        let ben_free = of(&free(None).await, ben);
        assert!(ben_free.contains(&"09:00".to_string()), "the expired hold is ignored");
        assert!(!ben_free.contains(&"11:00".to_string()) && !ben_free.contains(&"10:45".to_string()));

        // Ben's own hours narrow his day; one staff member can be asked for alone.
        db.execute(&format!(
            r#"UPDATE staff SET working_hours = '{{"monday": {{"open": "09:00", "close": "10:00"}}}}' WHERE id = {ben}"#
        ))
        .await
        .unwrap();
        assert_eq!(of(&free(None).await, ben), ["09:00", "09:15", "09:30"]);
        let only_anna = free(Some(anna)).await;
        assert!(!only_anna.is_empty() && only_anna.iter().all(|x| x.staff_id == anna));

        // A service offered only at another branch is not available here.
        let nur_nord = s.service(elsewhere).await.unwrap().unwrap();
        let err = calendar.staff_slots(&query(&nur_nord, None), None).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
    });
}

/// The daemon keeps branch schedules in memory (`calendar::schedules`). Whatever another process
/// writes — an appointment, a hold, a cancellation — shows in the next answer, because the
/// database bumps the branch's schedule version; a lapsed hold frees its time without a write.
/// The staff who perform a service are kept under the same version.
fn kept_schedules_follow_the_database(db: &TestDb) {
    let c = db.company("Salon");
    let b = db.branch(c, "Mitte");
    let other_branch = db.branch(c, "Nord");
    let service = db.service(c, "Herrenhaarschnitt", 30);
    let staff = |name: &str| {
        let id = db.ok(&["staff:create", "--branch-id", &b.to_string(), "--name", name, "-q"]).trim().parse().unwrap();
        db.ok(&["staff:assign-services", "--staff-id", &format!("{id}"), "--services", "Herrenhaarschnitt"]);
        id
    };
    let (anna, ben): (i64, i64) = (staff("Anna"), staff("Ben"));
    let monday = Interval { start: ms("2026-11-23T00:00:00+01:00"), end: ms("2026-11-24T00:00:00+01:00") };
    let far_monday = Interval { start: ms("2027-01-25T00:00:00+01:00"), end: ms("2027-01-26T00:00:00+01:00") };
    let now = ms("2026-11-20T12:00:00+01:00");
    let rules = SlotRules { step_min: 15, buffer_min: 0, min_notice_min: 60 };
    let appointment = |staff: i64, from: &str| NewAppointment {
        branch_id: b,
        staff_id: Some(staff),
        service_id: Some(service),
        customer_id: None,
        starts_at: ms(from),
        ends_at: ms(from) + 30 * 60_000,
        status: "booked".into(),
        backend: "local".into(),
        external_uid: None,
        call_id: None,
    };

    block_on(async {
        let daemon = store::connect(&db.url, PoolSize(4)).await.unwrap();
        let elsewhere = store::connect(&db.url, PoolSize(1)).await.unwrap();
        let calendar =
            LocalCalendar::new(daemon.clone(), c, rules).with_schedules(Some(Arc::new(Schedules::default())));
        let svc = daemon.service(service).await.unwrap().unwrap();
        // As a call does: the branch row (with its version) first, then availability.
        let free_at = async |window: Interval, now: i64, who: i64| -> Vec<String> {
            let branch = daemon.branch(b).await.unwrap().unwrap();
            let query = SlotQuery { branch: &branch, service: &svc, window, staff_id: Some(who), now };
            calendar.staff_slots(&query, None).await.unwrap().iter().map(|x| hhmm(x.start)).collect()
        };
        let version = async || daemon.branch(b).await.unwrap().unwrap().schedule_version;
        let has = |slots: &[String], at: &str| slots.iter().any(|x| x == at);

        assert!(has(&free_at(monday, now, anna).await, "10:00"));
        let before = version().await;
        let booked = elsewhere.insert_appointment(c, &appointment(anna, "2026-11-23T10:00:00+01:00")).await.unwrap();
        assert!(version().await > before, "an appointment bumps the branch's schedule version");
        assert!(!has(&free_at(monday, now, anna).await, "10:00"), "another process's booking shows at once");

        let hold = NewHold {
            branch_id: b,
            staff_id: Some(ben),
            service_id: service,
            call_id: "call_elsewhere".into(),
            starts_at: ms("2026-11-23T11:00:00+01:00"),
            ends_at: ms("2026-11-23T11:30:00+01:00"),
            expires_at: now + 5 * 60_000,
            external_uid: None,
            customer_id: None,
        };
        elsewhere.hold_slot(c, &hold, now).await.unwrap();
        assert!(!has(&free_at(monday, now, ben).await, "11:00"), "a live hold blocks");
        assert!(has(&free_at(monday, now + 6 * 60_000, ben).await, "11:00"), "a lapsed hold no longer does");

        elsewhere.cancel_appointment(c, booked, None).await.unwrap();
        assert!(has(&free_at(monday, now, anna).await, "10:00"), "a cancellation frees the time");

        // A write at another branch leaves this branch's version alone.
        let unchanged = version().await;
        let mut there = appointment(anna, "2026-11-23T10:00:00+01:00");
        there.branch_id = other_branch;
        there.staff_id = None;
        elsewhere.insert_appointment(c, &there).await.unwrap();
        assert_eq!(version().await, unchanged);

        // Staff are kept too: someone who starts performing the service is offered at once.
        let carla = staff("Carla");
        assert!(has(&free_at(monday, now, carla).await, "10:00"), "a new staff member shows at once");

        // A window beyond what is kept in memory is read from the store.
        elsewhere.insert_appointment(c, &appointment(anna, "2027-01-25T10:00:00+01:00")).await.unwrap();
        let far = free_at(far_monday, now, anna).await;
        assert!(!far.is_empty() && !has(&far, "10:00"));
    });
}

/// The daemon keeps each day's computed slots too (`calendar::schedules`). Whatever changes in
/// between — appointments, holds made and lapsing, cancellations, `now` moving past the notice,
/// another staff filter, changed opening hours, slot rules or service duration — kept slots
/// give exactly what computing afresh from the database gives, over windows of an instant to a
/// week, across the autumn's clock change.
#[test]
fn kept_slots_are_what_computing_afresh_gives() {
    let db = TestDb::sqlite();
    let c = db.company("Salon");
    let hours = r#"{"monday": {"open": "08:00", "close": "19:00"}, "tuesday": {"open": "08:00", "close": "19:00"},
        "wednesday": [{"open": "08:00", "close": "12:00"}, {"open": "13:00", "close": "19:00"}],
        "thursday": {"open": "08:00", "close": "19:00"}, "friday": {"open": "08:00", "close": "17:30"},
        "saturday": {"open": "09:00", "close": "14:00"}, "sunday": {"open": "01:00", "close": "04:00"}}"#;
    let b: i64 = db
        .ok(&["branch:create", "--company-id", &c.to_string(), "--name", "Mitte", "--business-hours", hours, "-q"])
        .trim()
        .parse()
        .unwrap();
    let (cut, colour) = (db.service(c, "Herrenhaarschnitt", 30), db.service(c, "Färben", 45));
    let staff: Vec<i64> = (0..6)
        .map(|n| {
            let id: i64 = db
                .ok(&["staff:create", "--branch-id", &b.to_string(), "--name", &format!("Staff {n}"), "-q"])
                .trim()
                .parse()
                .unwrap();
            let services = if n == 5 { "Herrenhaarschnitt" } else { "Herrenhaarschnitt,Färben" };
            db.ok(&["staff:assign-services", "--staff-id", &id.to_string(), "--services", services]);
            id
        })
        .collect();
    block_on(db.execute(&format!(
        r#"UPDATE staff SET working_hours = '{{"monday": {{"open": "10:00", "close": "15:10"}}, "saturday": {{"open": "09:00", "close": "12:00"}}, "sunday": {{"open": "00:00", "close": "23:00"}}}}' WHERE id = {}"#,
        staff[1]
    )))
    .unwrap();
    let other_hours =
        r#"{"monday": {"open": "07:00", "close": "12:00"}, "saturday": {"open": "10:00", "close": "16:00"}}"#;

    block_on(async {
        let s = store::connect(&db.url, PoolSize(2)).await.unwrap();
        let kept = Arc::new(Schedules::default());
        let rules = [
            SlotRules { step_min: 15, buffer_min: 0, min_notice_min: 60 },
            SlotRules { step_min: 20, buffer_min: 10, min_notice_min: 120 },
        ];
        let fresh = rules.map(|r| LocalCalendar::new(s.clone(), c, r));
        let keeping = rules.map(|r| LocalCalendar::new(s.clone(), c, r).with_schedules(Some(kept.clone())));
        let services = [s.service(cut).await.unwrap().unwrap(), s.service(colour).await.unwrap().unwrap()];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut rand = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        const MIN: i64 = 60_000;
        let mut now = ms("2026-10-21T07:03:00+02:00");
        let mut booked = Vec::new();
        let add = async |now: i64, rand: &mut dyn FnMut(u64) -> u64, call: usize| {
            let start = (now / (15 * MIN) + rand(9 * 24 * 4) as i64) * 15 * MIN;
            let (who, long) = (staff[rand(6) as usize], rand(3) as i64);
            if rand(3) == 0 {
                let hold = NewHold {
                    branch_id: b,
                    staff_id: Some(who),
                    service_id: cut,
                    call_id: format!("call_{call}"),
                    starts_at: start,
                    ends_at: start + (30 + 15 * long) * MIN,
                    expires_at: now + (1 + rand(10) as i64) * MIN,
                    external_uid: None,
                    customer_id: None,
                };
                s.hold_slot(c, &hold, now).await.map(|_| None)
            } else {
                let appointment = NewAppointment {
                    branch_id: b,
                    staff_id: Some(who),
                    service_id: Some(cut),
                    customer_id: None,
                    starts_at: start,
                    ends_at: start + (30 + 15 * long) * MIN,
                    status: "booked".into(),
                    backend: "local".into(),
                    external_uid: None,
                    call_id: None,
                };
                s.insert_appointment(c, &appointment).await.map(Some)
            }
        };
        for call in 0..300 {
            if let Ok(Some(id)) = add(now, &mut rand, call).await {
                booked.push(id);
            }
        }
        let mut compared = 0;
        for round in 0..600 {
            match rand(12) {
                0 => {
                    if let Ok(Some(id)) = add(now, &mut rand, 1000 + round).await {
                        booked.push(id);
                    }
                }
                1 if !booked.is_empty() => {
                    let id = booked.swap_remove(rand(booked.len() as u64) as usize);
                    s.cancel_appointment(c, id, None).await.unwrap();
                }
                // Now and then a step back: another call's clock a little behind.
                2 => now -= 30_000,
                _ => now += rand(90) as i64 * 1000,
            }
            let mut branch = s.branch(b).await.unwrap().unwrap();
            if rand(8) == 0 {
                branch.business_hours = other_hours.to_string();
            }
            let mut service = services[rand(2) as usize].clone();
            if rand(8) == 0 {
                service.duration_min += 15;
            }
            let r = rand(5).min(1) as usize;
            let day_start = ms("2026-10-21T00:00:00+02:00") + rand(9) as i64 * 86_400_000;
            let start = day_start + rand(24 * 60) as i64 * MIN;
            let window = match rand(4) {
                0 => Interval { start, end: start + 1 },
                1 => Interval { start, end: start + rand(8 * 60) as i64 * MIN + 1 },
                2 => Interval { start: day_start, end: day_start + 86_400_000 },
                _ => Interval { start, end: start + 7 * 86_400_000 },
            };
            let staff_id = [None, None, Some(staff[rand(6) as usize]), Some(-1)][rand(4) as usize];
            let query = SlotQuery { branch: &branch, service: &service, window, staff_id, now };
            let (want, got) = (fresh[r].staff_slots(&query, None).await, keeping[r].staff_slots(&query, None).await);
            assert_eq!(got.unwrap(), want.unwrap(), "round {round}: {query:?}");
            let starts: Vec<i64> = (0..6).map(|k| start + k * 86_400_000).collect();
            let week = SlotQuery { window: Interval { start, end: start + 6 * 86_400_000 }, ..query };
            let (want, got) =
                (fresh[r].free_starts(&week, &starts).await, keeping[r].free_starts(&week, &starts).await);
            assert_eq!(got.unwrap(), want.unwrap(), "round {round}: starts {starts:?} of {week:?}");
            compared += 1;
        }
        assert_eq!(compared, 600);
        assert!(kept.days_reused() > 1000, "kept days served most asks ({} times)", kept.days_reused());
    });
}
