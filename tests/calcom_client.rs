//! The Cal.com client and backend against the fake when things go wrong: version headers on
//! every family, the rate limit (the server's 429 and the client's own budget), timeouts,
//! booking creates and reschedules whose answer is lost, taken slots, bad keys.

mod common;

use std::time::{Duration, Instant};

use askpro::calendar::{self, BookingRequest, Calendar};
use askpro::clients::calcom::{CalcomError, Client, ClientConfig};
use askpro::fakes::calcom::{FakeCalcom, FakeEventType, FakeMember, Fault, Schedule, Settings};
use askpro::store::{self, PoolSize};
use askpro::ErrorKind;
use chrono::{Datelike, Duration as Days, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use common::{block_on, TestDb};

fn fake(settings: Settings) -> FakeCalcom {
    let fake =
        FakeCalcom::start(settings, Schedule { tz: Berlin, hours: (0..5).map(|d| (d, 9 * 60, 12 * 60)).collect() });
    fake.with_model(|m| {
        m.members.push(FakeMember {
            user_id: 11,
            name: "Anna".into(),
            email: "anna@example.test".into(),
            username: "anna".into(),
            accepted: true,
            role: "MEMBER".into(),
        });
        m.event_types.push(FakeEventType {
            id: 501,
            team_id: 77,
            title: "Herrenhaarschnitt".into(),
            slug: "herrenhaarschnitt".into(),
            length: 30,
            price: Some(2500),
            hosts: vec![11],
            slot_interval: None,
            minimum_booking_notice: 60,
        });
    });
    fake
}

fn client(fake: &FakeCalcom, config: ClientConfig) -> Client {
    Client::new(fake.api_key(), ClientConfig { base_url: fake.url.clone(), ..config }).unwrap()
}

fn quick() -> ClientConfig {
    ClientConfig { timeout: Duration::from_millis(500), backoff: Duration::from_millis(50), ..ClientConfig::default() }
}

/// A booking set-up in askpro for the fake's event type; returns the store, calendar and ids.
async fn booking_setup(
    db: &TestDb,
    fake: &FakeCalcom,
    config: ClientConfig,
) -> (std::sync::Arc<dyn store::Store>, std::sync::Arc<dyn Calendar>, i64, i64, i64) {
    let key = fake.api_key();
    let c: i64 = db
        .ok(&[
            "company:create",
            "--name",
            "Salon",
            "-q",
            "--scheduling",
            "calcom",
            "--calcom-team-id",
            "77",
            "--calcom-api-key",
            &key,
        ])
        .trim()
        .parse()
        .unwrap();
    let b = db.branch(c, "Mitte");
    let s: i64 = db
        .ok(&[
            "service:create",
            "--company-id",
            &c.to_string(),
            "--name",
            "Herrenhaarschnitt",
            "--duration",
            "30",
            "--calcom-event-type-id",
            "501",
            "-q",
        ])
        .trim()
        .parse()
        .unwrap();
    let store = store::connect(&db.url, PoolSize(2)).await.unwrap();
    let company = store.company(c).await.unwrap().unwrap();
    let calendar = calendar::for_company(store.clone(), &company, Some(client(fake, config))).unwrap();
    (store, calendar, c, b, s)
}

fn next_monday_at(hh: u32) -> i64 {
    let today = Utc::now().with_timezone(&Berlin).date_naive();
    let monday = today + Days::days(i64::from(7 - today.weekday().num_days_from_monday()) + 7);
    Berlin.from_local_datetime(&monday.and_hms_opt(hh, 0, 0).unwrap()).unwrap().timestamp_millis()
}

#[test]
fn every_family_gets_its_version_and_the_key() {
    let fake = fake(Settings::default());
    let db = TestDb::sqlite();
    block_on(async {
        let (store, calendar, c, b, s) = booking_setup(&db, &fake, quick()).await;
        let (branch, service) = (store.branch(b).await.unwrap().unwrap(), store.service(s).await.unwrap().unwrap());
        let customer = store.upsert_customer(c, "+4930123456", Some("Max")).await.unwrap();
        let start = next_monday_at(10);
        let now = Utc::now().timestamp_millis();
        let request = BookingRequest {
            branch: &branch,
            service: &service,
            start,
            staff_id: None,
            customer: &customer,
            call_id: "c1",
            now,
        };
        let booked = calendar.book(&request).await.unwrap();
        calendar.reschedule(booked.id, next_monday_at(11), None, now).await.unwrap();
        calendar.cancel(booked.id, Some("krank"), now).await.unwrap();
    });
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
    let fake = fake(Settings { rate_limit: 3, rate_window: Duration::from_millis(500), ..Settings::default() });
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
        let fake = fake(Settings::default());
        let db = TestDb::sqlite();
        let outcome = block_on(async {
            let (store, calendar, c, b, s) =
                booking_setup(&db, &fake, ClientConfig { max_retries: 0, ..quick() }).await;
            let (branch, service) = (store.branch(b).await.unwrap().unwrap(), store.service(s).await.unwrap().unwrap());
            let customer = store.upsert_customer(c, "+4930123456", Some("Max")).await.unwrap();
            let now = Utc::now().timestamp_millis();
            let request = BookingRequest {
                branch: &branch,
                service: &service,
                start: next_monday_at(9),
                staff_id: None,
                customer: &customer,
                call_id: "c1",
                now,
            };
            calendar.hold(&request).await.unwrap();
            fake.fail_next("POST", "/v2/bookings", fault.clone());
            calendar.confirm("c1", &customer, now).await
        });
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
    let fake = fake(Settings::default());
    let db = TestDb::sqlite();
    block_on(async {
        let (store, calendar, c, b, s) = booking_setup(&db, &fake, ClientConfig { max_retries: 0, ..quick() }).await;
        let (branch, service) = (store.branch(b).await.unwrap().unwrap(), store.service(s).await.unwrap().unwrap());
        let customer = store.upsert_customer(c, "+4930123456", Some("Max")).await.unwrap();
        let now = Utc::now().timestamp_millis();
        let request = BookingRequest {
            branch: &branch,
            service: &service,
            start: next_monday_at(9),
            staff_id: None,
            customer: &customer,
            call_id: "c1",
            now,
        };
        let booked = calendar.book(&request).await.unwrap();
        fake.fail_next("POST", "/v2/bookings/", Fault::StatusAfterCommit(502));
        let moved = calendar.reschedule(booked.id, next_monday_at(10), None, now).await.unwrap();
        let new_uid = fake.with_model(|m| m.bookings.iter().find(|b| b.status == "accepted").map(|b| b.uid.clone()));
        assert_eq!(moved.external_uid, new_uid);
        assert_ne!(moved.external_uid, booked.external_uid);
    });
}
