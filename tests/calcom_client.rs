//! The Cal.com client and backend against the fake when things go wrong: version headers on
//! every family, the rate limit (the server's 429 and the client's own budget), timeouts,
//! booking creates and reschedules whose answer is lost, taken slots, bad keys.

mod common;

use std::time::{Duration, Instant};

use askpro::clients::calcom::{CalcomError, Client, ClientConfig};
use askpro::ErrorKind;
use askpro_fakes::calcom::{FakeCalcom, Fault, Settings};
use chrono::{Datelike, Duration as Days, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use common::calcom::{self, weekdays, Setup};
use common::{block_on, TestDb};

fn fake(settings: Settings) -> FakeCalcom {
    calcom::salon(settings, weekdays(9 * 60, 12 * 60), 30, None)
}

fn client(fake: &FakeCalcom, config: ClientConfig) -> Client {
    Client::new(fake.api_key(), ClientConfig { base_url: fake.url.clone(), ..config }).unwrap()
}

fn quick() -> ClientConfig {
    ClientConfig { timeout: Duration::from_millis(500), backoff: Duration::from_millis(50), ..ClientConfig::default() }
}

/// The salon in askpro, scheduling in a fresh fake Cal.com through a client with `config`.
async fn booking_setup(db: &TestDb, config: ClientConfig) -> Setup {
    calcom::setup(db, &weekdays(9 * 60, 12 * 60), 30, Some(fake(Settings::default())), config).await
}

fn next_monday_at(hh: u32) -> i64 {
    let today = Utc::now().with_timezone(&Berlin).date_naive();
    let monday = today + Days::days(i64::from(7 - today.weekday().num_days_from_monday()) + 7);
    Berlin.from_local_datetime(&monday.and_hms_opt(hh, 0, 0).unwrap()).unwrap().timestamp_millis()
}

#[test]
fn every_family_gets_its_version_and_the_key() {
    let db = TestDb::sqlite();
    let s = block_on(async {
        let s = booking_setup(&db, quick()).await;
        let now = Utc::now().timestamp_millis();
        let booked = s.calendar.book(&s.request(next_monday_at(10), "c1")).await.unwrap();
        s.calendar.reschedule(booked.id, next_monday_at(11), None, now).await.unwrap();
        s.calendar.cancel(booked.id, Some("krank"), now).await.unwrap();
        s
    });
    let fake = s.fake.as_ref().unwrap();
    let seen = fake.seen();
    for family in ["/v2/slots", "/v2/bookings"] {
        assert!(seen.iter().any(|r| r.path.starts_with(family)), "no {family} request");
    }
    for r in &seen {
        let want = if r.path.starts_with("/v2/bookings") {
            Some("2024-08-13")
        } else if r.path.starts_with("/v2/slots") {
            Some("2024-09-04")
        } else {
            None
        };
        assert_eq!(r.api_version.as_deref(), want, "{} {}", r.method, r.path);
        assert_eq!(r.authorization.as_deref(), Some(format!("Bearer {}", fake.api_key()).as_str()));
        assert!(r.status < 300, "{} {} answered {}", r.method, r.path, r.status);
    }
    let booking = seen.iter().find(|r| r.method == "POST" && r.path == "/v2/bookings").unwrap();
    assert_eq!(booking.status, 201);
    // The booking's start went out in UTC (the fake refuses anything else with 400).
    fake.with_model(|m| {
        assert_eq!(m.bookings.len(), 2, "the original and its rescheduled successor");
        assert!(m.bookings.iter().all(|b| b.status == "cancelled"));
        assert_eq!(m.bookings[1].cancellation_reason.as_deref(), Some("krank"));
        assert_eq!(m.bookings[0].rescheduled_to_uid.as_deref(), Some(m.bookings[1].uid.as_str()));
    });
}

#[test]
fn a_429_waits_for_the_reset_and_retries() {
    let fake = fake(Settings {
        rate_limit: 3,
        rate_window: Duration::from_millis(600),
        block: Duration::from_millis(400),
        ..Settings::default()
    });
    let c = client(&fake, ClientConfig { rate_limit: 1000, ..quick() });
    let started = Instant::now();
    block_on(async {
        for _ in 0..6 {
            assert_eq!(c.me().await.unwrap().id, 1);
        }
    });
    let throttled = fake.seen().iter().filter(|r| r.status == 429).count();
    assert!(throttled >= 1, "the fake throttled nothing");
    assert!(started.elapsed() >= Duration::from_millis(400), "retried before the block ended: {:?}", started.elapsed());

    // Giving up after the retries is an upstream error, not a hang.
    let stubborn = client(&fake, ClientConfig { rate_limit: 1000, max_retries: 0, ..quick() });
    let err = block_on(async {
        loop {
            if let Err(e) = stubborn.me().await {
                break e;
            }
        }
    });
    assert!(matches!(err, CalcomError::RateLimited { .. }), "{err}");
    assert_eq!(askpro::Error::from(err).kind(), ErrorKind::Upstream);
}

#[test]
fn the_client_keeps_its_own_budget() {
    // The server counts arrivals, the client departures: the server's window is a little
    // shorter so transit time cannot make a compliant client look early.
    let fake = fake(Settings { rate_limit: 3, rate_window: Duration::from_millis(450), ..Settings::default() });
    let c = client(&fake, ClientConfig { rate_limit: 3, rate_window: Duration::from_millis(500), ..quick() });
    let started = Instant::now();
    block_on(async {
        for _ in 0..7 {
            c.me().await.unwrap();
        }
    });
    assert!(fake.seen().iter().all(|r| r.status == 200), "the server never had to throttle");
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "7 requests at 3 per 500 ms took {:?}",
        started.elapsed()
    );
}

#[test]
fn a_slow_upstream_times_out_and_reads_are_retried() {
    let fake = fake(Settings::default());
    let c = client(&fake, ClientConfig { max_retries: 1, ..quick() });
    fake.set_delay(Some(Duration::from_secs(3)));
    let started = Instant::now();
    let err = block_on(c.me()).unwrap_err();
    assert!(matches!(err, CalcomError::Timeout(_)), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2), "two 500 ms attempts took {:?}", started.elapsed());
    assert_eq!(askpro::Error::from(err).exit_code(), 5);
    fake.set_delay(None);

    // One failed read is retried and then succeeds.
    fake.fail_next("GET", "/v2/me", Fault::Status(503));
    assert_eq!(block_on(c.me()).unwrap().id, 1);
    assert_eq!(fake.seen().iter().filter(|r| r.path == "/v2/me" && r.status == 503).count(), 1);
}

#[test]
fn a_bad_key_is_a_configuration_error() {
    let fake = fake(Settings::default());
    let c = Client::new("cal_live_wrong", ClientConfig { base_url: fake.url.clone(), ..quick() }).unwrap();
    let err = askpro::Error::from(block_on(c.me()).unwrap_err());
    assert_eq!(err.exit_code(), 6);
    assert!(err.help().unwrap().contains("--calcom-api-key"));
}

#[test]
fn a_lost_booking_answer_is_resolved_by_reading_back() {
    for (fault, booked) in [
        (Fault::StatusAfterCommit(500), true),
        (Fault::DelayAfterCommit(Duration::from_secs(2)), true),
        (Fault::StatusAfterCommit(409), true),
        (Fault::Status(500), false),
        (Fault::Status(409), false),
    ] {
        let db = TestDb::sqlite();
        let (s, outcome) = block_on(async {
            let s = booking_setup(&db, ClientConfig { max_retries: 0, ..quick() }).await;
            s.calendar.hold(&s.request(next_monday_at(9), "c1")).await.unwrap();
            s.fake.as_ref().unwrap().fail_next("POST", "/v2/bookings", fault.clone());
            let outcome = s.calendar.confirm("c1", &s.customer, Utc::now().timestamp_millis()).await;
            (s, outcome)
        });
        let fake = s.fake.as_ref().unwrap();
        let posts = fake.seen().iter().filter(|r| r.method == "POST" && r.path == "/v2/bookings").count();
        assert_eq!(posts, 1, "{fault:?}: the create is never sent twice");
        assert_eq!(fake.with_model(|m| m.bookings.len()), usize::from(booked), "{fault:?}");
        match (booked, outcome) {
            (true, Ok(a)) => {
                let uid = fake.with_model(|m| m.bookings[0].uid.clone());
                assert_eq!(a.external_uid, Some(uid), "{fault:?}: askpro stored Cal.com's booking");
            }
            (false, Err(e)) => {
                let want = if matches!(fault, Fault::Status(409)) { ErrorKind::Conflict } else { ErrorKind::Upstream };
                assert_eq!(e.kind(), want, "{fault:?}: {e}");
            }
            (_, other) => panic!("{fault:?}: unexpected {other:?}"),
        }
    }
}

#[test]
fn a_lost_reschedule_answer_finds_the_new_uid() {
    let db = TestDb::sqlite();
    block_on(async {
        let s = booking_setup(&db, ClientConfig { max_retries: 0, ..quick() }).await;
        let fake = s.fake.as_ref().unwrap();
        let booked = s.calendar.book(&s.request(next_monday_at(9), "c1")).await.unwrap();
        fake.fail_next("POST", "/v2/bookings/", Fault::StatusAfterCommit(502));
        let moved =
            s.calendar.reschedule(booked.id, next_monday_at(10), None, Utc::now().timestamp_millis()).await.unwrap();
        let new_uid = fake.with_model(|m| m.bookings.iter().find(|b| b.status == "accepted").map(|b| b.uid.clone()));
        assert_eq!(moved.external_uid, new_uid);
        assert_ne!(moved.external_uid, booked.external_uid);
    });
}
