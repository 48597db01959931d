//! One behavioural suite for both calendar backends — the local calendar and Cal.com (played by
//! the stateful fake) — on SQLite and on PostgreSQL. The same branch, service and staff member
//! are set up in askpro and in the fake; each body asks both backends the same questions and
//! expects the same answers: free slots, holds, bookings, reschedules, cancellations, upcoming
//! appointments, closed days, both Europe/Berlin DST switches, and the turn of the year.

mod common;

use std::sync::Arc;
use std::time::Duration;

use askpro::calendar::{Calendar, FreeSlot, Interval, LocalCalendar, Schedules, SlotQuery};
use askpro::clients::calcom::ClientConfig;
use askpro::ErrorKind;
use askpro_fakes::calcom::Settings;
use chrono::{DateTime, Datelike, Duration as Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use common::calcom::{self, weekdays, Setup, Week};
use common::{block_on, TestDb};

both_backends!(
    book_hold_reschedule_cancel,
    closed_days_and_notice,
    dst_switches_and_year_end,
    hundred_calls_race_for_one_slot,
    free_starts_agree_with_the_window
);

/// The salon, scheduling locally or in a fake Cal.com with the same week, service and host.
async fn setup(db: &TestDb, backend: &str, week: &Week, length: u32) -> Setup {
    let fake = (backend == "calcom")
        .then(|| calcom::salon(Settings::default(), week.clone(), i64::from(length), Some(i64::from(length))));
    let s =
        calcom::setup(db, week, length, fake, ClientConfig { timeout: Duration::from_secs(5), ..Default::default() })
            .await;
    assert_eq!(s.calendar.backend(), backend);
    s
}

/// Monday two weeks ahead, as a local date (far enough for any notice).
fn monday_ahead() -> NaiveDate {
    let today = Utc::now().with_timezone(&Berlin).date_naive();
    let to_monday = (7 - today.weekday().num_days_from_monday()) % 7;
    today + Days::days(i64::from(to_monday) + 14)
}

fn local_day(date: NaiveDate) -> Interval {
    let at = |d: NaiveDate| {
        Berlin.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap()).earliest().unwrap().timestamp_millis()
    };
    Interval { start: at(date), end: at(date + Days::days(1)) }
}

fn at(date: NaiveDate, hh: u32, mm: u32) -> i64 {
    Berlin.from_local_datetime(&date.and_hms_opt(hh, mm, 0).unwrap()).earliest().unwrap().timestamp_millis()
}

fn hhmm(slots: &[FreeSlot]) -> Vec<String> {
    slots
        .iter()
        .map(|s| {
            DateTime::<Utc>::from_timestamp_millis(s.start).unwrap().with_timezone(&Berlin).format("%H:%M").to_string()
        })
        .collect()
}

fn utc(slots: &[FreeSlot]) -> Vec<String> {
    slots
        .iter()
        .map(|s| DateTime::<Utc>::from_timestamp_millis(s.start).unwrap().format("%Y-%m-%dT%H:%MZ").to_string())
        .collect()
}

fn book_hold_reschedule_cancel(db: &TestDb) {
    for backend in ["local", "calcom"] {
        let monday = monday_ahead();
        let day = local_day(monday);
        block_on(async {
            let s = setup(db, backend, &weekdays(9 * 60, 12 * 60), 30).await;
            let now = || Utc::now().timestamp_millis();
            let all = s.free(day).await;
            assert_eq!(hhmm(&all), ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"], "{backend}");
            assert!(all.iter().all(|x| x.end - x.start == 30 * 60_000), "{backend}: 30-minute slots");

            // A call holds one slot at a time: changing its mind frees the earlier one.
            let ten = at(monday, 10, 0);
            s.calendar.hold(&s.request(at(monday, 9, 30), "call_a")).await.unwrap();
            assert!(!hhmm(&s.free(day).await).contains(&"09:30".to_string()), "{backend}: held slots are hidden");
            // A hold keeps the slot from another call; the hold's own call may book it.
            let hold = s.calendar.hold(&s.request(ten, "call_a")).await.unwrap();
            assert_eq!((hold.starts_at, hold.call_id.as_str()), (ten, "call_a"), "{backend}");
            let err = s.calendar.hold(&s.request(ten, "call_b")).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Conflict, "{backend}: a held slot is not free for another call");
            let free = hhmm(&s.free(day).await);
            assert!(!free.contains(&"10:00".to_string()) && free.contains(&"09:30".to_string()), "{backend}: {free:?}");

            let booked = s.calendar.confirm("call_a", &s.customer, now()).await.unwrap();
            assert_eq!((booked.starts_at, booked.ends_at, booked.status.as_str()), (ten, ten + 1_800_000, "booked"));
            assert_eq!(booked.backend, backend);
            assert_eq!(booked.service_name.as_deref(), Some("Herrenhaarschnitt"));
            assert_eq!(booked.customer_name.as_deref(), Some("Max Muster"));
            assert_eq!(booked.staff_name.as_deref(), Some("Anna"), "{backend}: the host maps back to staff");
            assert_eq!(booked.external_uid.is_some(), backend == "calcom");
            let err = s.calendar.confirm("call_a", &s.customer, now()).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::NotFound, "{backend}: the hold is used up");

            // Booked means gone from the answers and refused a second time.
            assert_eq!(hhmm(&s.free(day).await), ["09:00", "09:30", "10:30", "11:00", "11:30"], "{backend}");
            let err = s.calendar.book(&s.request(ten, "call_c")).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Conflict, "{backend}: {err}");
            let err = s.calendar.book(&s.request(at(monday, 10, 10), "call_c")).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Conflict, "{backend}: a time off the grid is not a slot");

            let upcoming = s.calendar.upcoming(s.customer.id, now()).await.unwrap();
            assert_eq!(upcoming.iter().map(|a| a.id).collect::<Vec<_>>(), [booked.id]);

            // Reschedule keeps askpro's id; Cal.com issues a new uid and askpro stores it.
            let eleven = at(monday, 11, 0);
            let moved = s.calendar.reschedule(booked.id, eleven, None, now()).await.unwrap();
            assert_eq!(
                (moved.id, moved.starts_at, moved.ends_at),
                (booked.id, eleven, eleven + 1_800_000),
                "{backend}"
            );
            if backend == "calcom" {
                assert_ne!(moved.external_uid, booked.external_uid, "a reschedule has a new uid");
                let again = s
                    .store
                    .appointment_by_uid(booked.company_id, moved.external_uid.as_deref().unwrap())
                    .await
                    .unwrap();
                assert_eq!(again.map(|a| a.id), Some(booked.id));
            }
            assert_eq!(hhmm(&s.free(day).await), ["09:00", "09:30", "10:00", "10:30", "11:30"], "{backend}");
            let err = s.calendar.reschedule(booked.id, at(monday, 12, 0), None, now()).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Conflict, "{backend}: 12:00 is closing time");

            // Cancel frees the slot and empties the upcoming list; a second cancel is refused.
            let cancelled = s.calendar.cancel(booked.id, Some("krank"), now()).await.unwrap();
            assert_eq!((cancelled.status.as_str(), cancelled.cancel_reason.as_deref()), ("cancelled", Some("krank")));
            assert_eq!(s.free(day).await.len(), 6, "{backend}");
            assert!(s.calendar.upcoming(s.customer.id, now()).await.unwrap().is_empty());
            let err = s.calendar.cancel(booked.id, None, now()).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Conflict, "{backend}");
            let err = s.calendar.reschedule(booked.id, ten, None, now()).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Conflict, "{backend}: a cancelled appointment cannot move");
        });
    }
}

fn closed_days_and_notice(db: &TestDb) {
    for backend in ["local", "calcom"] {
        // Split shift Monday to Friday, closed at the weekend.
        let week: Week = (0..5).flat_map(|d| [(d, 9 * 60, 11 * 60), (d, 14 * 60, 15 * 60)]).collect();
        let monday = monday_ahead();
        block_on(async {
            let s = setup(db, backend, &week, 60).await;
            assert_eq!(hhmm(&s.free(local_day(monday)).await), ["09:00", "10:00", "14:00"], "{backend}: split shift");
            let weekend = Interval { start: local_day(monday - Days::days(2)).start, end: local_day(monday).start };
            assert!(s.free(weekend).await.is_empty(), "{backend}: closed at the weekend");
            // Nothing within the minimum notice (60 min) or in the past.
            let now = Utc::now().timestamp_millis();
            let soon = s.free(Interval { start: now - 86_400_000, end: now + 3_600_000 }).await;
            assert!(soon.is_empty(), "{backend}: {:?}", utc(&soon));
            let err = s.calendar.book(&s.request(at(monday, 11, 0), "call_x")).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Conflict, "{backend}: the gap between shifts is closed");
        });
    }
}

fn dst_switches_and_year_end(db: &TestDb) {
    for backend in ["local", "calcom"] {
        // Open every day 01:00–05:00, hourly slots: the night the clocks change.
        let week: Week = (0..7).map(|d| (d, 60, 5 * 60)).collect();
        block_on(async {
            let s = setup(db, backend, &week, 60).await;
            let today = Utc::now().with_timezone(&Berlin).date_naive();
            let next = |month: u32, day: u32| {
                let this_year = NaiveDate::from_ymd_opt(today.year(), month, day).unwrap();
                let d = if this_year > today + Days::days(1) {
                    this_year
                } else {
                    NaiveDate::from_ymd_opt(today.year() + 1, month, day).unwrap()
                };
                // The last Sunday of the month on or before the given day.
                d - Days::days(i64::from(d.weekday().num_days_from_sunday()))
            };
            // Spring forward: 02:00 does not exist; 01:00 is +01:00, 03:00 and 04:00 are +02:00.
            let spring = next(3, 31);
            let got = utc(&s.free(local_day(spring)).await);
            let y = spring.format("%Y-%m-%d");
            assert_eq!(got, [format!("{y}T00:00Z"), format!("{y}T01:00Z"), format!("{y}T02:00Z")], "{backend}");
            // Fall back: 02:00 exists twice and is offered once (its first occurrence).
            let autumn = next(10, 31);
            let got = utc(&s.free(local_day(autumn)).await);
            let prev = (autumn - Days::days(1)).format("%Y-%m-%d");
            let y = autumn.format("%Y-%m-%d");
            assert_eq!(
                got,
                [format!("{prev}T23:00Z"), format!("{y}T00:00Z"), format!("{y}T02:00Z"), format!("{y}T03:00Z")],
                "{backend}"
            );
            // A booking across the switch lasts 60 real minutes.
            let booked = s.calendar.book(&s.request(at(autumn, 2, 0), "call_dst")).await.unwrap();
            assert_eq!(booked.ends_at - booked.starts_at, 3_600_000);

            // New Year's Eve into New Year's Day: each slot on its own local date.
            let eve = NaiveDate::from_ymd_opt(
                if today.month() == 12 && today.day() == 31 { today.year() + 1 } else { today.year() },
                12,
                31,
            )
            .unwrap();
            let window = Interval { start: local_day(eve).start, end: local_day(eve + Days::days(1)).end };
            let slots = s.free(window).await;
            let dates: Vec<String> = slots
                .iter()
                .map(|x| {
                    DateTime::<Utc>::from_timestamp_millis(x.start)
                        .unwrap()
                        .with_timezone(&Berlin)
                        .format("%m-%d %H:%M")
                        .to_string()
                })
                .collect();
            assert_eq!(
                dates,
                [
                    "12-31 01:00",
                    "12-31 02:00",
                    "12-31 03:00",
                    "12-31 04:00",
                    "01-01 01:00",
                    "01-01 02:00",
                    "01-01 03:00",
                    "01-01 04:00"
                ],
                "{backend}"
            );
            assert_eq!(utc(&slots[4..5]), [format!("{}-01-01T00:00Z", eve.year() + 1)]);
        });
    }
}

/// 100 calls book the same slot at once through the local calendar: exactly one wins, the
/// others hear "taken", and the database holds one booking.
fn hundred_calls_race_for_one_slot(db: &TestDb) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
    runtime.block_on(async {
        let s = Arc::new(setup(db, "local", &weekdays(9 * 60, 12 * 60), 30).await);
        let start = at(monday_ahead(), 10, 0);
        let tasks: Vec<_> = (0..100)
            .map(|i| {
                let s = s.clone();
                tokio::spawn(async move {
                    let call = format!("race_{i}");
                    s.calendar.book(&s.request(start, &call)).await.map(|a| a.id)
                })
            })
            .collect();
        let mut won = Vec::new();
        for t in tasks {
            match t.await.unwrap() {
                Ok(id) => won.push(id),
                Err(e) => assert_eq!(e.kind(), ErrorKind::Conflict, "a lost race is a conflict, not {e}"),
            }
        }
        assert_eq!(won.len(), 1, "exactly one booking wins");
        let booked = s.store.appointments(s.branch.company_id, s.branch.id, start, start + 1).await.unwrap();
        assert_eq!(booked.iter().filter(|a| a.status == "booked").count(), 1);
    });
}

/// `free_starts` (a few instants across a week, as the alternatives search asks) answers as
/// the week's free slots do: a booked time, a time off the grid and a closed day are not free.
/// The local calendar is asked both reading the store and from a kept schedule.
fn free_starts_agree_with_the_window(db: &TestDb) {
    for backend in ["local", "calcom"] {
        let monday = monday_ahead();
        block_on(async {
            let s = setup(db, backend, &weekdays(9 * 60, 12 * 60), 30).await;
            let day = |k: i64| monday + Days::days(k);
            s.calendar.book(&s.request(at(day(1), 10, 0), "call_a")).await.unwrap();
            let starts = [
                at(day(0), 10, 0),
                at(day(1), 10, 0),
                at(day(2), 10, 0),
                at(day(2), 10, 10),
                at(day(4), 11, 30),
                at(day(5), 10, 0),
            ];
            let week = Interval { start: starts[0], end: starts[5] + 1 };
            let branch = s.store.branch(s.branch.id).await.unwrap().unwrap();
            let now = Utc::now().timestamp_millis();
            let query = SlotQuery { branch: &branch, service: &s.service, window: week, staff_id: None, now };
            let mut calendars: Vec<Arc<dyn Calendar>> = vec![s.calendar.clone()];
            if backend == "local" {
                let company = s.store.company(branch.company_id).await.unwrap().unwrap();
                let kept = LocalCalendar::for_company(s.store.clone(), &company)
                    .with_schedules(Some(Arc::new(Schedules::default())));
                calendars.push(Arc::new(kept));
            }
            let whole: Vec<FreeSlot> = s.free(week).await.into_iter().filter(|f| starts.contains(&f.start)).collect();
            for calendar in calendars {
                let free = calendar.free_starts(&query, &starts).await.unwrap();
                assert_eq!(free, whole, "{backend}");
                let expected = [starts[0], starts[2], starts[4]];
                assert_eq!(free.iter().map(|f| f.start).collect::<Vec<_>>(), expected, "{backend}: {:?}", utc(&free));
            }
        });
    }
}
