//! Store conformance: the same behaviour from the SQLite and the PostgreSQL implementation.

mod common;

use std::sync::Arc;

use askpro::store::{self, *};
use askpro::ErrorKind;
use common::rows::{branch, company};
use common::{block_on, TestDb};

both_backends!(
    round_trips_and_company_scoping,
    unique_keys_are_conflicts,
    synonym_import_is_one_transaction,
    assignments_stay_inside_the_company,
    concurrent_creates_give_one_row,
    migrations_are_recorded,
    the_database_never_double_books_a_staff_member,
    a_batch_of_writes_commits_each_once,
    a_failing_write_fails_alone_in_a_group_commit,
    group_commits_and_other_writes_interleave,
    other_writes_are_not_starved_by_a_flood_of_group_commits,
    deliveries_keep_their_bodies,
    kept_service_matchers_follow_catalog_changes,
);

/// Connects inside the test's runtime (a pool belongs to the runtime that created it).
async fn open(db: &TestDb) -> Arc<dyn Store> {
    store::connect(&db.url, PoolSize(4)).await.expect("connect")
}

fn service(name: &str, branch_id: Option<i64>) -> NewService {
    NewService {
        branch_id,
        name: name.into(),
        name_key: name.to_lowercase(),
        duration_min: 30,
        price_cents: Some(2500),
        calcom_event_type_id: None,
    }
}

fn synonym(service_id: i64, text: &str) -> NewSynonym {
    NewSynonym { service_id, synonym: text.into(), synonym_key: text.to_lowercase() }
}

fn round_trips_and_company_scoping(db: &TestDb) {
    block_on(async {
        let s = open(db).await;
        let a = s.insert_company(&company("A")).await.unwrap();
        let b = s.insert_company(&company("B")).await.unwrap();
        assert_eq!((a.enable_smart_service, a.service_confidence_threshold, a.cancellation_hours), (true, 0.8, 0));
        let ba = s.insert_branch(a.id, &branch("Mitte")).await.unwrap();
        let bb = s.insert_branch(b.id, &branch("Mitte")).await.unwrap();
        assert_eq!(s.branches(a.id).await.unwrap().iter().map(|x| x.id).collect::<Vec<_>>(), [ba.id]);
        assert_eq!(s.branch_by_name(b.id, "mitte").await.unwrap().unwrap().id, bb.id);
        let everywhere = s.insert_service(a.id, &service("Schnitt", None)).await.unwrap();
        let only_mitte = s.insert_service(a.id, &service("Bart", Some(ba.id))).await.unwrap();
        s.insert_service(b.id, &service("Schnitt", None)).await.unwrap();
        assert_eq!(s.services(a.id, None).await.unwrap().len(), 2);
        assert_eq!(s.services(b.id, None).await.unwrap().len(), 1);
        let second = s.insert_branch(a.id, &branch("Zweite")).await.unwrap();
        let at_second: Vec<i64> = s.services(a.id, Some(second.id)).await.unwrap().iter().map(|x| x.id).collect();
        assert_eq!(at_second, [everywhere.id]);
        assert_eq!(s.services(a.id, Some(ba.id)).await.unwrap().len(), 2);
        assert!(s.service_by_name(b.id, "bart").await.unwrap().is_none());
        assert_eq!(s.service(only_mitte.id).await.unwrap().unwrap().company_id, a.id);
        // Notifications update is scoped: another company's id changes nothing.
        let targets = NotificationTargets { email: Some("x@y.de".into()), ..Default::default() };
        let err = s.update_branch_notifications(b.id, ba.id, &targets).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert_eq!(s.branch(ba.id).await.unwrap().unwrap().notify_email, None);
        let updated = s.update_branch_notifications(a.id, ba.id, &targets).await.unwrap();
        assert_eq!(updated.notify_email.as_deref(), Some("x@y.de"));
        // Settings patch keeps what it does not name.
        let patch = CompanyPatch { cancellation_hours: Some(24), ..Default::default() };
        let changed = s.update_company(a.id, &patch).await.unwrap();
        assert_eq!((changed.cancellation_hours, changed.service_confidence_threshold), (24, 0.8));
        s.set_greeting(a.id, GreetingKind::AfterHours, "Geschlossen").await.unwrap();
        s.set_greeting(a.id, GreetingKind::AfterHours, "Zu").await.unwrap();
        assert_eq!(s.greetings(a.id).await.unwrap()[0].template, "Zu");
        assert!(s.greetings(b.id).await.unwrap().is_empty());
    });
}

fn unique_keys_are_conflicts(db: &TestDb) {
    block_on(async {
        let s = open(db).await;
        let a = s.insert_company(&company("A")).await.unwrap();
        assert_eq!(s.insert_company(&company("A")).await.unwrap_err().kind(), ErrorKind::Conflict);
        s.insert_branch(a.id, &branch("Mitte")).await.unwrap();
        assert_eq!(s.insert_branch(a.id, &branch("Mitte")).await.unwrap_err().kind(), ErrorKind::Conflict);
        let b = s.insert_branch(a.id, &branch("Nord")).await.unwrap();
        let staff = |email: Option<&str>, name: &str| NewStaff {
            branch_id: b.id,
            name: name.into(),
            email: email.map(str::to_string),
            phone: None,
            calcom_user_id: None,
            working_hours: None,
            key: match email {
                Some(e) => StaffKey::Email(e.into()),
                None => StaffKey::Name(name.to_lowercase()),
            },
        };
        s.insert_staff(a.id, &staff(Some("a@x.de"), "Anna")).await.unwrap();
        assert_eq!(
            s.insert_staff(a.id, &staff(Some("a@x.de"), "Anna B")).await.unwrap_err().kind(),
            ErrorKind::Conflict
        );
        // Same name with another e-mail, and a name-keyed member with the same name, are distinct people.
        s.insert_staff(a.id, &staff(Some("b@x.de"), "Anna")).await.unwrap();
        s.insert_staff(a.id, &staff(None, "Anna")).await.unwrap();
        assert_eq!(s.insert_staff(a.id, &staff(None, "Anna")).await.unwrap_err().kind(), ErrorKind::Conflict);
        assert!(s.staff_by_key(a.id, b.id, &StaffKey::Email("b@x.de".into())).await.unwrap().is_some());
        assert_eq!(s.staff(a.id, b.id).await.unwrap().len(), 3);
    });
}

fn synonym_import_is_one_transaction(db: &TestDb) {
    block_on(async {
        let s = open(db).await;
        let a = s.insert_company(&company("A")).await.unwrap();
        let svc = s.insert_service(a.id, &service("Schnitt", None)).await.unwrap();
        // 2,500 rows in three batches; the last batch refers to a service that does not exist.
        let mut rows: Vec<NewSynonym> = (0..2_499).map(|i| synonym(svc.id, &format!("wort {i}"))).collect();
        rows.push(synonym(987_654, "kaputt"));
        let batches = std::sync::atomic::AtomicU64::new(0);
        let err = s
            .insert_synonyms(a.id, &rows, &|_| {
                batches.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            })
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        assert_eq!(batches.load(std::sync::atomic::Ordering::SeqCst), 2, "two batches were written before the failure");
        assert!(s.synonyms(a.id, svc.id).await.unwrap().is_empty(), "the failed import left nothing behind");
        // Duplicates are skipped, both within and across imports.
        rows.pop();
        assert_eq!(s.insert_synonyms(a.id, &rows, &|_| {}).await.unwrap(), 2_499);
        assert_eq!(s.insert_synonyms(a.id, &rows[..10], &|_| {}).await.unwrap(), 0);
        assert_eq!(s.service(svc.id).await.unwrap().unwrap().synonym_count, 2_499);
    });
}

fn assignments_stay_inside_the_company(db: &TestDb) {
    block_on(async {
        let s = open(db).await;
        let a = s.insert_company(&company("A")).await.unwrap();
        let b = s.insert_company(&company("B")).await.unwrap();
        let branch_a = s.insert_branch(a.id, &branch("Mitte")).await.unwrap();
        let own = s.insert_service(a.id, &service("Schnitt", None)).await.unwrap();
        let foreign = s.insert_service(b.id, &service("Fremd", None)).await.unwrap();
        let staff = NewStaff {
            branch_id: branch_a.id,
            name: "Anna".into(),
            email: None,
            phone: None,
            calcom_user_id: None,
            working_hours: None,
            key: StaffKey::Name("anna".into()),
        };
        let anna = s.insert_staff(a.id, &staff).await.unwrap();
        assert_eq!(s.assign_services(a.id, anna.id, &[own.id, foreign.id]).await.unwrap(), 1);
        assert_eq!(s.assign_services(b.id, anna.id, &[foreign.id]).await.unwrap(), 0, "B cannot map A's staff");
        let names = s.staff_service_names(a.id, branch_a.id).await.unwrap();
        assert_eq!(names, [(anna.id, "Schnitt".to_string())]);
    });
}

fn concurrent_creates_give_one_row(db: &TestDb) {
    block_on(async {
        let s = open(db).await;
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let s = s.clone();
                tokio::spawn(async move { s.insert_company(&company("Race")).await.map(|c| c.id) })
            })
            .collect();
        let mut results = Vec::new();
        for t in tasks {
            results.push(t.await.unwrap());
        }
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
        assert!(results.iter().filter_map(|r| r.as_ref().err()).all(|e| e.kind() == ErrorKind::Conflict));
        assert_eq!(s.companies().await.unwrap().len(), 1);
    });
}

fn migrations_are_recorded(db: &TestDb) {
    block_on(async {
        let s = open(db).await;
        let status = s.migration_status().await.unwrap();
        assert!(!status.is_empty() && status.iter().all(|m| m.applied));
        let again = s.migrate().await.unwrap();
        assert_eq!(again.len(), status.len());
        // Connecting again (as every CLI process does) applies nothing new and keeps the data.
        s.insert_company(&company("Stays")).await.unwrap();
        let s2 = open(db).await;
        assert_eq!(s2.companies().await.unwrap().len(), 1);
    });
}

fn the_database_never_double_books_a_staff_member(db: &TestDb) {
    block_on(async {
        let s = open(db).await;
        let c = s.insert_company(&company("A")).await.unwrap();
        let b = s.insert_branch(c.id, &branch("Mitte")).await.unwrap();
        let staff = |name: &str| NewStaff {
            branch_id: b.id,
            name: name.into(),
            email: None,
            phone: None,
            calcom_user_id: None,
            working_hours: None,
            key: StaffKey::Name(name.to_lowercase()),
        };
        let anna = s.insert_staff(c.id, &staff("Anna")).await.unwrap();
        let ben = s.insert_staff(c.id, &staff("Ben")).await.unwrap();
        const T: i64 = 1_795_510_800_000; // 2026-11-24 10:00 Berlin
        const MIN: i64 = 60_000;
        let booking = move |staff_id: i64, from: i64, minutes: i64, status: &str| NewAppointment {
            branch_id: b.id,
            staff_id: Some(staff_id),
            service_id: None,
            customer_id: None,
            starts_at: from,
            ends_at: from + minutes * MIN,
            status: status.into(),
            backend: "local".into(),
            external_uid: None,
            call_id: None,
        };
        // 100 callers take the same slot at once: exactly one gets it.
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let s = s.clone();
                let a = booking(anna.id, T, 30, "booked");
                tokio::spawn(async move { s.insert_appointment(c.id, &a).await })
            })
            .collect();
        let mut results = Vec::new();
        for t in tasks {
            results.push(t.await.unwrap());
        }
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "exactly one booking wins");
        let others: Vec<_> =
            results.iter().filter_map(|r| r.as_ref().err()).filter(|e| e.kind() != ErrorKind::Conflict).collect();
        assert!(others.is_empty(), "the others are refused as conflicts, not with {others:?}");
        // Overlapping is refused; touching, another staff member, or a cancelled row is fine.
        let overlap = s.insert_appointment(c.id, &booking(anna.id, T + 15 * MIN, 30, "booked")).await.unwrap_err();
        assert_eq!(overlap.kind(), ErrorKind::Conflict);
        assert!(overlap.message().contains("already booked"), "{}", overlap.message());
        s.insert_appointment(c.id, &booking(anna.id, T + 30 * MIN, 30, "booked")).await.unwrap();
        s.insert_appointment(c.id, &booking(ben.id, T, 30, "booked")).await.unwrap();
        let cancelled = s.insert_appointment(c.id, &booking(anna.id, T, 30, "cancelled")).await.unwrap();
        // Turning that cancelled row back into a booking at a taken time is refused too.
        let revive = db.execute(&format!("UPDATE appointments SET status = 'booked' WHERE id = {cancelled}")).await;
        assert_eq!(askpro::Error::from(revive.unwrap_err()).kind(), ErrorKind::Conflict);
    });
}

/// Two processes on one PostgreSQL database, each with 50 concurrent calls booking the same slot
/// through the local calendar: exactly one booking exists afterwards. The processes are this
/// test binary running `booking_worker` twice.
#[test]
#[cfg_attr(not(askpro_test_postgres), ignore = "PostgreSQL: set ASKPRO_TEST_POSTGRES_URL to run")]
fn two_processes_on_one_postgres_database_book_a_slot_once() {
    let db = TestDb::postgres();
    // Ten o'clock (Berlin) on a weekday two weeks from now: open, and beyond any notice.
    let day = chrono::Utc::now().date_naive() + chrono::Duration::days(14);
    let day = day
        + chrono::Duration::days(match chrono::Datelike::weekday(&day) {
            chrono::Weekday::Sat => 2,
            chrono::Weekday::Sun => 1,
            _ => 0,
        });
    let start = chrono::TimeZone::from_local_datetime(&chrono_tz::Europe::Berlin, &day.and_hms_opt(10, 0, 0).unwrap())
        .unwrap()
        .timestamp_millis();
    let (company_id, branch_id, service_id) = block_on(async {
        let s = open(&db).await;
        let c = s.insert_company(&company("Race")).await.unwrap();
        let hours = askpro::domain::BusinessHours::default_week().to_json().to_string();
        let b = s.insert_branch(c.id, &NewBranch { business_hours: hours, ..branch("Mitte") }).await.unwrap();
        let key = StaffKey::Name("anna".into());
        let new = NewStaff {
            branch_id: b.id,
            name: "Anna".into(),
            email: None,
            phone: None,
            calcom_user_id: None,
            working_hours: None,
            key,
        };
        let anna = s.insert_staff(c.id, &new).await.unwrap();
        let svc = s.insert_service(c.id, &service("Schnitt", None)).await.unwrap();
        s.assign_services(c.id, anna.id, &[svc.id]).await.unwrap();
        (c.id, b.id, svc.id)
    });
    let spawn = || {
        std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "booking_worker", "--include-ignored", "--nocapture", "--test-threads", "1"])
            .env("ASKPRO_WORKER_URL", &db.url)
            .env("ASKPRO_WORKER_IDS", format!("{company_id},{branch_id},{service_id},{start}"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let workers = [spawn(), spawn()];
    let mut wins = 0;
    for worker in workers {
        let out = worker.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "worker failed: {text}");
        // libtest prints "test booking_worker ... " before the worker's own output.
        let at = text.find("wins=").unwrap_or_else(|| panic!("no result from the worker: {text}"));
        let digits: String = text[at + "wins=".len()..].chars().take_while(char::is_ascii_digit).collect();
        wins += digits.parse::<usize>().unwrap();
    }
    assert_eq!(wins, 1, "exactly one of 100 bookings from two processes wins");
    let booked = block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM appointments WHERE status = 'booked'")
            .fetch_one(&mut conn)
            .await
            .unwrap()
    });
    assert_eq!(booked, 1);
}

/// The child process of the test above; does nothing when run on its own.
#[test]
#[ignore = "a worker process started by two_processes_on_one_postgres_database_book_a_slot_once"]
fn booking_worker() {
    use askpro::calendar::{BookingRequest, Calendar, LocalCalendar};
    let (Ok(url), Ok(ids)) = (std::env::var("ASKPRO_WORKER_URL"), std::env::var("ASKPRO_WORKER_IDS")) else { return };
    let ids: Vec<i64> = ids.split(',').map(|i| i.parse().unwrap()).collect();
    let (company_id, branch_id, service_id, start) = (ids[0], ids[1], ids[2], ids[3]);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let wins = runtime.block_on(async {
        let s = store::connect(&url, PoolSize(8)).await.unwrap();
        let company = s.company(company_id).await.unwrap().unwrap();
        let calendar = Arc::new(LocalCalendar::for_company(s.clone(), &company));
        let branch = Arc::new(s.branch(branch_id).await.unwrap().unwrap());
        let service = Arc::new(s.service(service_id).await.unwrap().unwrap());
        let customer = Arc::new(s.upsert_customer(company_id, "+4930123456", None).await.unwrap());
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let (calendar, branch, service, customer) =
                    (calendar.clone(), branch.clone(), service.clone(), customer.clone());
                tokio::spawn(async move {
                    let call = format!("call_{}_{i}", std::process::id());
                    let now = askpro::store::now_ms();
                    let request = BookingRequest {
                        branch: &branch,
                        service: &service,
                        start,
                        staff_id: None,
                        customer: &customer,
                        call_id: &call,
                        now,
                    };
                    calendar.book(&request).await
                })
            })
            .collect();
        let mut wins = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => wins += 1,
                Err(e) => assert_eq!(e.kind(), ErrorKind::Conflict, "{e}"),
            }
        }
        wins
    });
    println!("wins={wins}");
}

fn delivery(company_id: i64, event: &str, call_id: &str, call: Option<Box<CallRecord>>) -> Write {
    Write::RetellEvent {
        event: NewWebhookEvent {
            company_id,
            source: "retell",
            event: event.into(),
            external_id: Some(call_id.into()),
            dedupe_key: format!("retell:{event}:{call_id}"),
            payload: askpro::store::payload::pack(&format!("{{\"event\":\"{event}\"}}")),
        },
        call,
    }
}

fn answer(company_id: i64, call_id: &str, hash: &str, response: &str) -> Write {
    Write::FunctionAnswer {
        company_id,
        call_id: call_id.into(),
        name: "check_availability".into(),
        args_hash: hash.into(),
        response: response.into(),
    }
}

fn a_batch_of_writes_commits_each_once(db: &TestDb) {
    block_on(async {
        let s = open(db).await;
        let a = s.insert_company(&company("A")).await.unwrap();
        let mitte = s.insert_branch(a.id, &branch("Mitte")).await.unwrap();
        let known = s.upsert_customer(a.id, "+4917611111111", Some("Anna")).await.unwrap();
        let started = CallRecord {
            retell_call_id: "call_1".into(),
            branch_id: Some(mitte.id),
            from_number: Some("+4917611111111".into()),
            status: Some("ongoing".into()),
            started_at: Some(1_000),
            ..Default::default()
        };
        let ended = CallRecord {
            retell_call_id: "call_1".into(),
            status: Some("ended".into()),
            ended_at: Some(61_000),
            disconnection_reason: Some("user_hangup".into()),
            ..Default::default()
        };
        // An answer kept before the batch: the batch's answer for the same key gets it back.
        let earlier = s.commit_writes([answer(a.id, "call_1", "h0", "first")].into()).await.unwrap();
        assert_eq!(earlier, [Written::Answer("first".into())]);
        let batch = [
            delivery(a.id, "call_started", "call_1", Some(Box::new(started))),
            delivery(a.id, "call_started", "call_1", None),
            delivery(a.id, "call_ended", "call_1", Some(Box::new(ended))),
            delivery(a.id, "transcript_updated", "call_1", None),
            answer(a.id, "call_1", "h0", "second"),
            answer(a.id, "call_1", "h1", "one"),
            answer(a.id, "call_1", "h1", "twin"),
        ];
        let done = s.commit_writes(batch.clone().into()).await.unwrap();
        assert_eq!(done.len(), batch.len());
        assert!(matches!(done[0], Written::Event(Some(_))));
        assert_eq!(done[1], Written::Event(None), "the same delivery twice in one batch is stored once");
        assert!(matches!(done[2], Written::Event(Some(_))));
        assert!(matches!(done[3], Written::Event(Some(_))));
        assert_eq!(done[4], Written::Answer("first".into()));
        assert_eq!(done[5], Written::Answer("one".into()));
        assert_eq!(done[6], Written::Answer("one".into()), "a twin in the batch gets the first answer");
        // The call record holds both events' fields, and the caller found by number.
        let call = s.call(a.id, "call_1").await.unwrap().expect("call record");
        assert_eq!(call.status.as_deref(), Some("ended"));
        assert_eq!((call.started_at, call.ended_at), (Some(1_000), Some(61_000)));
        assert_eq!(call.disconnection_reason.as_deref(), Some("user_hangup"));
        assert_eq!(call.customer_id, Some(known.id));
        let statuses = db.strings("SELECT status FROM webhook_events ORDER BY id").await;
        assert_eq!(statuses, ["processed", "processed", "ignored"]);
        // Replayed later, every delivery is a duplicate.
        let again = s.commit_writes(batch[..4].into()).await.unwrap();
        assert!(again.iter().all(|w| *w == Written::Event(None)), "{again:?}");
    });
}

fn a_failing_write_fails_alone_in_a_group_commit(db: &TestDb) {
    block_on(async {
        let s = open(db).await;
        let a = s.insert_company(&company("A")).await.unwrap();
        let commits = Arc::new(askpro::app::commit::GroupCommit::start(s.clone()));
        // 40 writes at once, one of them for a company that does not exist (a foreign key error).
        let writes: Vec<Write> = (0..40)
            .map(|i| {
                if i == 17 {
                    delivery(a.id + 1000, "call_started", "bad", None)
                } else {
                    delivery(a.id, "call_started", &format!("call_{i}"), None)
                }
            })
            .collect();
        let outcomes = futures_join(writes.into_iter().map(|w| {
            let commits = commits.clone();
            async move { commits.commit(w).await }
        }))
        .await;
        for (i, outcome) in outcomes.iter().enumerate() {
            match i {
                17 => assert!(outcome.is_err(), "the bad write fails"),
                _ => assert!(matches!(outcome, Ok(Written::Event(Some(_)))), "write {i}: {outcome:?}"),
            }
        }
        assert_eq!(db.strings("SELECT event FROM webhook_events").await.len(), 39);
    });
}

/// A delivery's body is stored packed (LZ4, a third of its size for a transcript) and comes back
/// as it arrived, whichever path stored it; so does a body stored before packing (migration 0010).
fn deliveries_keep_their_bodies(db: &TestDb) {
    block_on(async {
        let s = open(db).await;
        let a = s.insert_company(&company("A")).await.unwrap();
        let transcript = "Agent: Guten Tag, was kann ich für Sie tun?\\nUser: Morgen um halb drei, bitte. ".repeat(100);
        let body = |call: &str| {
            format!(r#"{{"event":"call_ended","call":{{"call_id":"{call}","transcript":"{transcript}"}}}}"#)
        };
        let commits = askpro::app::commit::GroupCommit::start(s.clone());
        let mut batched = delivery(a.id, "call_ended", "call_batched", None);
        let Write::RetellEvent { event, .. } = &mut batched else { unreachable!() };
        event.payload = payload::pack(&body("call_batched"));
        let Written::Event(Some(batched_id)) = commits.commit(batched).await.unwrap() else { panic!("not stored") };
        let single = NewWebhookEvent {
            company_id: a.id,
            source: "retell",
            event: "call_ended".into(),
            external_id: Some("call_single".into()),
            dedupe_key: "retell:call_ended:call_single".into(),
            payload: payload::pack(&body("call_single")),
        };
        let single_id = s.record_webhook_event(&single).await.unwrap().unwrap();
        let old = r#"{"event":"call_ended","call":{"call_id":"call_old"}}"#;
        db.execute(&format!(
            "INSERT INTO webhook_events (company_id, source, event, external_id, dedupe_key, payload, status, received_at) \
             VALUES ({}, 'retell', 'call_ended', 'call_old', 'retell:call_ended:call_old', '{old}', 'failed', {})",
            a.id,
            store::now_ms()
        ))
        .await
        .unwrap();
        for id in [batched_id, single_id] {
            s.finish_webhook_event(id, "failed", Some("test")).await.unwrap();
        }
        let failed = s.failed_webhook_events(0).await.unwrap();
        assert_eq!(failed.len(), 3);
        assert!(
            failed[0].payload.len() * 3 < body("call_batched").len(),
            "stored packed: {} bytes",
            failed[0].payload.len()
        );
        assert_eq!(payload::unpack(&failed[0].payload).unwrap(), body("call_batched"));
        assert_eq!(payload::unpack(&failed[1].payload).unwrap(), body("call_single"));
        assert_eq!(payload::unpack(&failed[2].payload).unwrap(), old);
    });
}

/// A daemon's group commits (on SQLite: their own thread and connection) and its other writes
/// (a customer, a slot hold, each its own transaction) run at once: every one of them lands,
/// none fails on the other's lock.
fn group_commits_and_other_writes_interleave(db: &TestDb) {
    block_on(async {
        let s = open(db).await;
        let a = s.insert_company(&company("A")).await.unwrap();
        let mitte = s.insert_branch(a.id, &branch("Mitte")).await.unwrap();
        let cut = s.insert_service(a.id, &service("Schnitt", Some(mitte.id))).await.unwrap();
        let commits = Arc::new(askpro::app::commit::GroupCommit::start(s.clone()));
        let batched = futures_join((0..300).map(|i| {
            let commits = commits.clone();
            async move { commits.commit(delivery(a.id, "call_started", &format!("call_{i}"), None)).await }
        }));
        let others = futures_join((0..60).map(|i| {
            let s = s.clone();
            async move {
                if i % 2 == 0 {
                    s.upsert_customer(a.id, &format!("+49176{i:08}"), Some("Anna")).await.map(|_| ())
                } else {
                    let hold = hourly_hold(mitte.id, cut.id, i, None);
                    s.hold_slot(a.id, &hold, 0).await.map(|_| ())
                }
            }
        }));
        let (batched, others) = tokio::join!(batched, others);
        assert!(batched.iter().all(|w| matches!(w, Ok(Written::Event(Some(_))))), "{batched:?}");
        assert!(others.iter().all(|w| w.is_ok()), "{others:?}");
        assert_eq!(db.strings("SELECT event FROM webhook_events").await.len(), 300);
        assert_eq!(db.strings("SELECT phone FROM customers").await.len(), 30);
        assert_eq!(db.strings("SELECT call_id FROM slot_holds").await.len(), 30);
    });
}

/// While group commits arrive without a pause (16 writers storing 100 KB bodies, so that the
/// hot writes never pause even in a debug build), a booking's writes still get their turn:
/// each waits for at most a batch, not for SQLite's busy handler to find the database free by
/// chance. On SQLite the hot writes' batches and the sqlx writer take turns through the store's
/// write gate; without any such turn-taking, these 80 writes took 16.8 s in all in a debug build
/// (0.26 s with it), and in a longer release-build probe one in ten of them took over 0.6 s.
fn other_writes_are_not_starved_by_a_flood_of_group_commits(db: &TestDb) {
    use std::sync::atomic::{AtomicBool, Ordering};
    // As in the daemon: the flood's requests on several threads keep the writer always busy.
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let s = open(db).await;
        let a = s.insert_company(&company("A")).await.unwrap();
        let mitte = s.insert_branch(a.id, &branch("Mitte")).await.unwrap();
        let cut = s.insert_service(a.id, &service("Schnitt", Some(mitte.id))).await.unwrap();
        let commits = Arc::new(askpro::app::commit::GroupCommit::start(s.clone()));
        let flooding = Arc::new(AtomicBool::new(true));
        let flood: Vec<_> = (0..16)
            .map(|writer| {
                let (commits, flooding) = (commits.clone(), flooding.clone());
                tokio::spawn(async move {
                    let mut stored = 0;
                    while flooding.load(Ordering::Relaxed) {
                        let mut write = delivery(a.id, "call_ended", &format!("call_{writer}_{stored}"), None);
                        let Write::RetellEvent { event, .. } = &mut write else { unreachable!() };
                        event.payload = vec![b'x'; 100_000];
                        commits.commit(write).await.unwrap();
                        stored += 1;
                    }
                    stored
                })
            })
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let mut waited = std::time::Duration::ZERO;
        for i in 0..40 {
            let started = std::time::Instant::now();
            let customer = s.upsert_customer(a.id, &format!("+49176{i:08}"), Some("Anna")).await.unwrap();
            s.hold_slot(a.id, &hourly_hold(mitte.id, cut.id, i, Some(customer.id)), 0).await.unwrap();
            waited += started.elapsed();
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        flooding.store(false, Ordering::Relaxed);
        let mut stored = 0;
        for writer in flood {
            stored += writer.await.unwrap();
        }
        assert!(stored > 32, "the flood went on throughout ({stored} deliveries)");
        // All 80 of them in less than one function's default deadline.
        assert!(
            waited < std::time::Duration::from_secs(2),
            "the bookings' writes took {waited:?} in all during the flood"
        );
    });
}

/// The daemon's SQLite store commits its hot writes on the runtime's own thread. When another
/// process holds SQLite's write lock, a batch waits for it — it is stored, not failed — and the
/// waiting happens off the runtime: on a one-thread runtime, other tasks run meanwhile.
#[test]
fn a_hot_write_waits_for_another_processs_lock_without_stopping_the_runtime() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let db = TestDb::sqlite();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let s = open(&db).await;
        let a = s.insert_company(&company("A")).await.unwrap();
        let path = db.path().join("askpro.db");
        let (locked, held) = std::sync::mpsc::channel();
        let other = std::thread::spawn(move || {
            let conn = rusqlite::Connection::open(path).unwrap();
            conn.execute_batch("BEGIN IMMEDIATE").unwrap();
            locked.send(()).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(400));
            conn.execute_batch("COMMIT").unwrap();
        });
        held.recv().unwrap();
        let ticks = Arc::new(AtomicUsize::new(0));
        let ticker = tokio::spawn({
            let ticks = ticks.clone();
            async move {
                loop {
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    ticks.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        let started = std::time::Instant::now();
        let written = s.commit_writes(Arc::from([delivery(a.id, "call_ended", "call_1", None)])).await.unwrap();
        let waited = started.elapsed();
        ticker.abort();
        other.join().unwrap();
        assert!(matches!(written[..], [Written::Event(Some(_))]), "{written:?}");
        assert!(waited >= std::time::Duration::from_millis(300), "it waited for the lock ({waited:?})");
        let ticks = ticks.load(Ordering::Relaxed);
        assert!(ticks >= 10, "the runtime went on while the write waited ({ticks} ticks of 10 ms in {waited:?})");
        let again = s.commit_writes(Arc::from([delivery(a.id, "call_ended", "call_1", None)])).await.unwrap();
        assert!(matches!(again[..], [Written::Event(None)]), "stored once: {again:?}");
    });
}

/// Call `call_{i}`'s 30-minute hold (no staff member), `i` hours after a fixed instant in 2030.
fn hourly_hold(branch_id: i64, service_id: i64, i: i64, customer_id: Option<i64>) -> NewHold {
    let at = 1_900_000_000_000 + i * 3_600_000;
    NewHold {
        branch_id,
        staff_id: None,
        service_id,
        call_id: format!("call_{i}"),
        starts_at: at,
        ends_at: at + 1_800_000,
        expires_at: at,
        external_uid: None,
        customer_id,
    }
}

/// Runs futures concurrently on the current runtime and collects their outputs in order.
async fn futures_join<F: std::future::Future + Send + 'static>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}

/// A real PostgreSQL deadlock (two transactions locking two rows in opposite orders) is
/// recognised as transient, which is what lets `hold_slot` run its transaction again.
#[test]
#[cfg_attr(not(askpro_test_postgres), ignore = "PostgreSQL: set ASKPRO_TEST_POSTGRES_URL to run")]
fn a_postgres_deadlock_is_transient() {
    let db = TestDb::postgres();
    block_on(async {
        use sqlx::Connection;
        let s = open(&db).await;
        let (a, b) = (s.insert_company(&company("A")).await.unwrap(), s.insert_company(&company("B")).await.unwrap());
        let lock = |id: i64| format!("UPDATE companies SET name = name WHERE id = {id}");
        let mut one = sqlx::PgConnection::connect(&db.url).await.unwrap();
        let mut two = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::query("BEGIN").execute(&mut one).await.unwrap();
        sqlx::query("BEGIN").execute(&mut two).await.unwrap();
        sqlx::query(&lock(a.id)).execute(&mut one).await.unwrap();
        sqlx::query(&lock(b.id)).execute(&mut two).await.unwrap();
        let (first, second) =
            tokio::join!(async { sqlx::query(&lock(b.id)).execute(&mut one).await.map(|_| ()) }, async {
                sqlx::query(&lock(a.id)).execute(&mut two).await.map(|_| ())
            },);
        let failed = first.err().or(second.err()).expect("PostgreSQL aborts one of the two");
        let error = askpro::Error::from(failed);
        assert!(error.is_transient(), "{error}");
        assert!(!askpro::Error::conflict("taken").is_transient());
    });
}

/// A long-running process reads its hot path inline on SQLite (`store/inline.rs`), a one-shot
/// command through sqlx: on the same file, both give the same rows — including `busy_times`,
/// whose parameters appear out of order in its SQL.
#[test]
fn sqlite_inline_reads_match_the_pooled_reads() {
    let db = TestDb::sqlite();
    block_on(async {
        let inline = store::connect(&db.url, PoolSize(4)).await.unwrap();
        let pooled = store::connect(&db.url, PoolSize(1)).await.unwrap();
        let s = &inline;
        let mut c = company("A");
        c.settings.cancellation_hours = Some(24);
        let c = s.insert_company(&c).await.unwrap();
        let other = s.insert_company(&company("B")).await.unwrap();
        let mut mitte = branch("Mitte");
        mitte.phone = Some("+493023125100".into());
        let b = s.insert_branch(c.id, &mitte).await.unwrap();
        let wedding = s.insert_branch(c.id, &branch("Wedding")).await.unwrap();
        let cut = s.insert_service(c.id, &service("Schnitt", None)).await.unwrap();
        s.insert_service(c.id, &service("Färben", Some(wedding.id))).await.unwrap();
        s.insert_synonyms(c.id, &[synonym(cut.id, "Haarschnitt"), synonym(cut.id, "Kurzhaar")], &|_| {}).await.unwrap();
        let staff = |name: &str, hours: Option<&str>| NewStaff {
            branch_id: b.id,
            name: name.into(),
            email: None,
            phone: None,
            calcom_user_id: Some(7),
            working_hours: hours.map(str::to_string),
            key: StaffKey::Name(name.to_lowercase()),
        };
        let anna = s.insert_staff(c.id, &staff("Anna", Some("{}"))).await.unwrap();
        let ben = s.insert_staff(c.id, &staff("Ben", None)).await.unwrap();
        s.assign_services(c.id, anna.id, &[cut.id]).await.unwrap();
        s.assign_services(c.id, ben.id, &[cut.id]).await.unwrap();
        const T: i64 = 1_795_510_800_000;
        const MIN: i64 = 60_000;
        for (i, status) in ["booked", "booked", "cancelled", "booked"].into_iter().enumerate() {
            let a = NewAppointment {
                branch_id: b.id,
                staff_id: Some(if i % 2 == 0 { anna.id } else { ben.id }),
                service_id: Some(cut.id),
                customer_id: None,
                starts_at: T + i as i64 * 60 * MIN,
                ends_at: T + i as i64 * 60 * MIN + 30 * MIN,
                status: status.into(),
                backend: "local".into(),
                external_uid: None,
                call_id: None,
            };
            s.insert_appointment(c.id, &a).await.unwrap();
        }
        for (call, expires) in [("call_live", T + 5 * MIN), ("call_gone", T - MIN)] {
            let hold = NewHold {
                branch_id: b.id,
                staff_id: Some(ben.id),
                service_id: cut.id,
                call_id: call.into(),
                starts_at: T + 300 * MIN,
                ends_at: T + 330 * MIN,
                expires_at: expires,
                external_uid: None,
                customer_id: None,
            };
            let _ = s.hold_slot(c.id, &hold, T - 2 * MIN).await;
        }
        let agent = NewAgent {
            branch_id: wedding.id,
            retell_agent_id: "agent_w".into(),
            engine: "conversation-flow".into(),
            engine_id: "cf_1".into(),
            template: None,
            template_version: None,
            published_version: Some(1),
            deployed_hash: None,
            voice_id: None,
            language: "de-DE".into(),
        };
        let agent = s.insert_agent(c.id, &agent).await.unwrap();
        s.upsert_phone_number(c.id, &agent, "+493099999999", None).await.unwrap();
        s.commit_writes([answer(c.id, "call_1", "h1", r#"{"status":"ok"}"#)].into()).await.unwrap();

        macro_rules! same {
            ($($read:ident($($arg:expr),*)),* $(,)?) => {$(
                let (a, b) = (inline.$read($($arg),*).await.unwrap(), pooled.$read($($arg),*).await.unwrap());
                assert_eq!(format!("{a:?}"), format!("{b:?}"), concat!(stringify!($read), ": inline and pooled differ"));
            )*};
        }
        same!(
            company(c.id),
            company(other.id),
            company(999),
            branch(b.id),
            branch(999),
            services(c.id, None),
            services(c.id, Some(b.id)),
            services(other.id, None),
            company_synonyms(c.id),
            staff_for_service(c.id, b.id, cut.id),
            staff_for_service(other.id, b.id, cut.id),
            busy_times(c.id, b.id, cut.id, T - 60 * MIN, T + 24 * 60 * MIN, T),
            busy_times(c.id, b.id, cut.id, T + 45 * MIN, T + 70 * MIN, T),
            busy_times(c.id, b.id, cut.id, T + 70 * MIN, T + 80 * MIN, T),
            branch_schedule(c.id, b.id, T - 60 * MIN, T + 24 * 60 * MIN, T),
            branch_schedule(c.id, b.id, T + 70 * MIN, T + 80 * MIN, T),
            function_context((c.id, b.id), "call_1", "check_availability", "h1"),
            function_context((c.id, b.id), "call_1", "check_availability", "h2"),
            function_context((other.id, b.id), "call_1", "check_availability", "h1"),
            function_context((999, 999), "call_1", "check_availability", "h1"),
            tenant_for_call(Some("agent_w"), None),
            tenant_for_call(Some("agent_unknown"), Some("+493099999999")),
            tenant_for_call(None, Some("+493023125100")),
            tenant_for_call(None, Some("+490000000000")),
        );
        // Not vacuous: the reads found what was written.
        let busy = inline.busy_times(c.id, b.id, cut.id, T - 60 * MIN, T + 24 * 60 * MIN, T).await.unwrap();
        assert_eq!(busy.len(), 4, "three booked appointments and the live hold: {busy:?}");
        let started_before = inline.busy_times(c.id, b.id, cut.id, T + 70 * MIN, T + 80 * MIN, T).await.unwrap();
        assert_eq!(started_before.len(), 1, "an appointment that began before the window still blocks it");
        assert_eq!(inline.services(c.id, Some(b.id)).await.unwrap().len(), 1);
        assert_eq!(inline.company_synonyms(c.id).await.unwrap().len(), 2);
        let tenant = inline.tenant_for_call(Some("agent_w"), None).await.unwrap().unwrap();
        assert_eq!((tenant.company_id, tenant.branch_id), (c.id, wedding.id));
        let context = inline.function_context((c.id, b.id), "call_1", "check_availability", "h1").await.unwrap();
        assert_eq!(context.first_answer.as_deref(), Some(r#"{"status":"ok"}"#));
        assert_eq!((context.company.unwrap().id, context.branch.unwrap().id), (c.id, b.id));
    });
}

/// The daemon keeps each company's service matcher (`app::catalogs::kept_catalog`). A service or
/// synonym written by another process is matched in the next call, because every such write
/// bumps the company's catalog version; while nothing changes, the same matcher serves.
fn kept_service_matchers_follow_catalog_changes(db: &TestDb) {
    use askpro::app::{catalogs::kept_catalog, App};
    use askpro::config::{Overrides, Settings};
    block_on(async {
        let s = open(db).await;
        let c = s.insert_company(&company("A")).await.unwrap();
        let cut = s.insert_service(c.id, &service("Herrenhaarschnitt", None)).await.unwrap();
        let overrides = Overrides { database_url: Some(db.url.clone()), ..Default::default() };
        let mut app = App::new(s.clone(), Settings::resolve(&overrides, |_| None).unwrap());
        app.catalogs = Some(Default::default());
        let elsewhere = store::connect(&db.url, PoolSize(1)).await.unwrap();
        // As a call does: the company row (with its version) first, then the matcher.
        let company = async || s.company(c.id).await.unwrap().unwrap();
        let matched = async |phrase: &str| {
            let kept = kept_catalog(&app, &company().await).await.unwrap();
            kept.0.matches(phrase, 0.8).map(|m| m.service_id)
        };
        assert_eq!(matched("Herrenhaarschnitt").await, Some(cut.id));
        assert_eq!(matched("Fasson").await, None);
        let first = kept_catalog(&app, &company().await).await.unwrap();
        assert!(Arc::ptr_eq(&first, &kept_catalog(&app, &company().await).await.unwrap()), "kept while unchanged");

        let before = company().await.catalog_version;
        elsewhere.insert_synonyms(c.id, &[synonym(cut.id, "Fasson")], &|_| {}).await.unwrap();
        assert!(company().await.catalog_version > before, "a synonym import bumps the version");
        assert_eq!(matched("Fasson").await, Some(cut.id), "another process's synonym is matched at once");
        let colour = elsewhere.insert_service(c.id, &service("Färben", None)).await.unwrap();
        assert_eq!(matched("Färben").await, Some(colour.id), "a new service is matched at once");
        elsewhere.update_service(c.id, colour.id, &service("Strähnchen", None)).await.unwrap();
        assert_eq!(matched("Strähnchen").await, Some(colour.id), "a renamed service is matched at once");
    });
}
