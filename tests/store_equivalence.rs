//! The hot writes exist twice: a daemon's SQLite store commits them with rusqlite, one cached
//! single-row statement per write (`src/store/hot.rs`); PostgreSQL and the CLI's one-connection
//! SQLite store commit the same batches through sqlx with multi-row statements, and write call
//! records with `upsert_call` (`src/store/sql/calls.rs`). These tests run the same writes both
//! ways and compare every column of the rows they leave — webhook deliveries, call records,
//! function answers — so that neither side's SQL can drift from the other's.
//!
//! Ids are compared through what they point at (a company's name, a branch's name, a customer's
//! phone) and by the order of the rows; a timestamp is compared as the step of the script that
//! wrote it, each step running inside its own stretch of the clock.

mod common;

use std::time::Duration;

use askpro::store::{self, *};
use common::rows::{branch, company};
use common::{block_on, TestDb};
use sqlx::{postgres::PgRow, sqlite::SqliteRow, Connection, FromRow};

#[test]
fn batches_leave_the_same_rows_through_hot_rs_and_sqlx_on_sqlite() {
    same_rows(&TestDb::sqlite(), Script::Batches);
}

#[test]
#[cfg_attr(not(askpro_test_postgres), ignore = "PostgreSQL: set ASKPRO_TEST_POSTGRES_URL to run")]
fn batches_leave_the_same_rows_through_hot_rs_and_sqlx_on_postgres() {
    same_rows(&TestDb::postgres(), Script::Batches);
}

#[test]
fn call_records_are_the_same_from_hot_rs_and_upsert_call_on_sqlite() {
    same_rows(&TestDb::sqlite(), Script::CallUpserts);
}

#[test]
#[cfg_attr(not(askpro_test_postgres), ignore = "PostgreSQL: set ASKPRO_TEST_POSTGRES_URL to run")]
fn call_records_are_the_same_from_hot_rs_and_upsert_call_on_postgres() {
    same_rows(&TestDb::postgres(), Script::CallUpserts);
}

#[derive(Clone, Copy)]
enum Script {
    /// The same `commit_writes` batches on both stores.
    Batches,
    /// Call records: through `commit_writes` (with a delivery each) on the daemon's store,
    /// through `upsert_call` on the other.
    CallUpserts,
}

/// Runs `script` on a daemon's SQLite store (hot writes in `hot.rs`) and on a store of `db`
/// whose writes all go through sqlx, and compares what they said and the rows they left.
fn same_rows(db: &TestDb, script: Script) {
    let daemon = TestDb::sqlite();
    block_on(async {
        // More than one connection: the store of a long-running process, with `hot.rs`.
        let hot = store::connect(&daemon.url, PoolSize(4)).await.expect("connect the daemon's store");
        // SQLite with one connection (the CLI's store), or PostgreSQL: sqlx only.
        let size = if db.is_postgres() { PoolSize(4) } else { PoolSize(1) };
        let plain = store::connect(&db.url, size).await.expect("connect the sqlx store");

        let (hot_said, hot_steps) = run(&*hot, script, true).await;
        let (plain_said, plain_steps) = run(&*plain, script, false).await;
        assert_eq!(hot_said, plain_said, "the writes' outcomes differ (left: hot.rs, right: sqlx)");

        let (hot_rows, plain_rows) = (Rows::read(&daemon, &hot_steps).await, Rows::read(db, &plain_steps).await);
        assert!(!hot_rows.calls.is_empty(), "the script wrote no call record");
        assert_eq!(hot_rows.calls, plain_rows.calls, "calls differ (left: hot.rs, right: sqlx)");
        if let Script::Batches = script {
            assert!(!hot_rows.events.is_empty() && !hot_rows.answers.is_empty(), "the script wrote nothing");
            assert_eq!(hot_rows.events, plain_rows.events, "webhook_events differ (left: hot.rs, right: sqlx)");
            assert_eq!(hot_rows.answers, plain_rows.answers, "function_calls differ (left: hot.rs, right: sqlx)");
        }
        hot.close().await;
        plain.close().await;
    });
}

/// What the script writes against: two companies, so that keys and call ids repeat across them.
struct Seed {
    a: i64,
    b: i64,
    mitte: i64,
    nord: i64,
    ben: i64,
}

const ANNA: &str = "+4917611111111";
const BEN: &str = "+4917622222222";
const STRANGER: &str = "+4917633333333";
const SALON: &str = "+4930111111";

async fn seed(s: &dyn Store) -> Seed {
    let a = s.insert_company(&company("A")).await.unwrap().id;
    let b = s.insert_company(&company("B")).await.unwrap().id;
    let mitte = s.insert_branch(a, &branch("Mitte")).await.unwrap().id;
    let nord = s.insert_branch(b, &branch("Nord")).await.unwrap().id;
    // Anna is a customer of A only: a call from her number finds her there and no one in B.
    s.upsert_customer(a, ANNA, Some("Anna")).await.unwrap();
    let ben = s.upsert_customer(a, BEN, Some("Ben")).await.unwrap().id;
    // A call that booked before its events arrived.
    let booked = NewAppointment {
        branch_id: mitte,
        staff_id: None,
        service_id: None,
        customer_id: None,
        starts_at: 1_900_000_000_000,
        ends_at: 1_900_000_000_000 + 1_800_000,
        status: "booked".into(),
        backend: "local".into(),
        external_uid: None,
        call_id: Some("call_booked".into()),
    };
    s.insert_appointment(a, &booked).await.unwrap();
    Seed { a, b, mitte, nord, ben }
}

/// Runs the script: says what each write did, and the stretch of the clock of each step.
async fn run(s: &dyn Store, script: Script, hot: bool) -> (Vec<String>, Vec<(i64, i64)>) {
    let seed = seed(s).await;
    let mut said = Vec::new();
    let mut steps = Vec::new();
    match script {
        Script::Batches => {
            for batch in batches(&seed) {
                let from = step_start().await;
                let done = s.commit_writes(batch.into()).await.expect("commit a batch");
                steps.push((from, now_ms()));
                said.extend(done.iter().map(outcome));
            }
        }
        Script::CallUpserts => {
            for (i, record) in call_records(&seed).into_iter().enumerate() {
                let from = step_start().await;
                if hot {
                    let write = delivery(seed.a, &format!("event_{i}"), &record.retell_call_id, Some(record.clone()));
                    let done = s.commit_writes([write].into()).await.expect("commit a call record");
                    assert!(matches!(done[..], [Written::Event(Some(_))]), "{done:?}");
                } else {
                    s.upsert_call(seed.a, &record).await.expect("upsert a call record");
                }
                steps.push((from, now_ms()));
            }
        }
    }
    (said, steps)
}

/// The clock at the start of a step, a little after the last one ended, so that no two steps
/// share a millisecond.
async fn step_start() -> i64 {
    tokio::time::sleep(Duration::from_millis(3)).await;
    now_ms()
}

fn outcome(w: &Written) -> String {
    match w {
        Written::Event(Some(_)) => "stored".into(),
        Written::Event(None) => "duplicate".into(),
        Written::Answer(text) => format!("answer {text}"),
    }
}

/// Batches with everything the two implementations must agree on: duplicates within a batch and
/// across batches, one call's events in one batch (later fields win) and in later batches
/// (given fields replace stored ones), the caller found by number, a call that booked, the same
/// call id and keys in two companies, answers kept first, twins, and earlier answers.
fn batches(s: &Seed) -> Vec<Vec<Write>> {
    let started = CallRecord {
        retell_call_id: "call_1".into(),
        branch_id: Some(s.mitte),
        agent_id: Some("agent_a".into()),
        from_number: Some(ANNA.into()),
        to_number: Some(SALON.into()),
        direction: Some("inbound".into()),
        status: Some("ongoing".into()),
        started_at: Some(1_000),
        ..Default::default()
    };
    let ended = CallRecord {
        retell_call_id: "call_1".into(),
        status: Some("ended".into()),
        ended_at: Some(61_000),
        duration_ms: Some(60_000),
        disconnection_reason: Some("user_hangup".into()),
        ..Default::default()
    };
    let analyzed = CallRecord {
        retell_call_id: "call_1".into(),
        summary: Some("Booked a haircut".into()),
        sentiment: Some("Positive".into()),
        ..Default::default()
    };
    // Would put call_1 back to ongoing, if a duplicate delivery's record were written.
    let stale = CallRecord { status: Some("ongoing".into()), ended_at: Some(2), ..started.clone() };
    let in_b = CallRecord { branch_id: Some(s.nord), ..started.clone() };
    let booked = CallRecord {
        retell_call_id: "call_booked".into(),
        from_number: Some(STRANGER.into()),
        status: Some("ended".into()),
        ..Default::default()
    };
    let named = CallRecord {
        retell_call_id: "call_2".into(),
        from_number: Some(ANNA.into()),
        customer_id: Some(s.ben),
        status: Some("ongoing".into()),
        ..Default::default()
    };
    let call_3 = |status: &str, at: i64| CallRecord {
        retell_call_id: "call_3".into(),
        from_number: Some(BEN.into()),
        status: Some(status.into()),
        started_at: (status == "ongoing").then_some(at),
        ended_at: (status == "ended").then_some(at),
        ..Default::default()
    };
    vec![
        vec![answer(s.a, "call_1", "h0", "first")],
        vec![
            delivery(s.a, "call_started", "call_1", Some(started.clone())),
            delivery(s.a, "call_started", "call_1", None),
            delivery(s.a, "call_ended", "call_1", Some(ended)),
            delivery(s.a, "transcript_updated", "call_1", None),
            delivery(s.b, "call_started", "call_1", Some(in_b)),
            delivery(s.a, "call_ended", "call_booked", Some(booked)),
            answer(s.a, "call_1", "h0", "second"),
            answer(s.a, "call_1", "h1", "one"),
            answer(s.a, "call_1", "h1", "twin"),
            answer(s.b, "call_1", "h1", "b"),
        ],
        vec![
            delivery(s.a, "call_started", "call_1", Some(stale)),
            delivery(s.a, "call_analyzed", "call_1", Some(analyzed)),
            delivery(s.a, "call_started", "call_2", Some(named)),
            answer(s.a, "call_2", "h0", "x"),
            answer(s.b, "call_1", "h1", "b again"),
        ],
        vec![
            delivery(s.a, "call_started", "call_3", Some(call_3("ongoing", 5_000))),
            delivery(s.a, "call_ended", "call_3", Some(call_3("ended", 9_000))),
            delivery(s.b, "call_ended", "call_3", None),
        ],
    ]
}

/// Call records one at a time: a new call, its later fields, a customer named outright, and a
/// call that booked before its record arrived.
fn call_records(s: &Seed) -> Vec<CallRecord> {
    let first = CallRecord {
        retell_call_id: "call_9".into(),
        branch_id: Some(s.mitte),
        agent_id: Some("agent_a".into()),
        from_number: Some(ANNA.into()),
        to_number: Some(SALON.into()),
        direction: Some("inbound".into()),
        status: Some("ongoing".into()),
        started_at: Some(1_000),
        ..Default::default()
    };
    vec![
        first.clone(),
        CallRecord {
            retell_call_id: "call_9".into(),
            status: Some("ended".into()),
            ended_at: Some(31_000),
            duration_ms: Some(30_000),
            disconnection_reason: Some("agent_hangup".into()),
            ..Default::default()
        },
        CallRecord {
            retell_call_id: "call_9".into(),
            customer_id: Some(s.ben),
            summary: Some("Asked for prices".into()),
            sentiment: Some("Neutral".into()),
            ..Default::default()
        },
        CallRecord { retell_call_id: "call_booked".into(), from_number: Some(STRANGER.into()), ..Default::default() },
        CallRecord { retell_call_id: "call_10".into(), from_number: Some(BEN.into()), ..first },
    ]
}

fn delivery(company_id: i64, event: &str, call_id: &str, call: Option<CallRecord>) -> Write {
    Write::RetellEvent {
        event: NewWebhookEvent {
            company_id,
            source: "retell",
            event: event.into(),
            external_id: (event != "transcript_updated").then(|| call_id.into()),
            dedupe_key: format!("retell:{event}:{call_id}"),
            // Any bytes: bodies are stored as the caller packed them, zero bytes included.
            payload: [b"\x04\"M\x18\0\xff".as_slice(), event.as_bytes(), call_id.as_bytes()].concat(),
        },
        call: call.map(Box::new),
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

/// Every column of a `webhook_events` row but its id.
#[derive(Debug, PartialEq, FromRow)]
struct Event {
    company: String,
    source: String,
    event: String,
    external_id: Option<String>,
    dedupe_key: String,
    payload: Vec<u8>,
    status: String,
    attempts: i64,
    last_error: Option<String>,
    received_at: i64,
    processed_at: Option<i64>,
}

/// Every column of a `calls` row but its id.
#[derive(Debug, PartialEq, FromRow)]
struct CallRow {
    company: String,
    branch: Option<String>,
    retell_call_id: String,
    agent_id: Option<String>,
    from_number: Option<String>,
    to_number: Option<String>,
    direction: Option<String>,
    status: Option<String>,
    started_at: Option<i64>,
    ended_at: Option<i64>,
    duration_ms: Option<i64>,
    disconnection_reason: Option<String>,
    customer: Option<String>,
    booked: bool,
    service_predicted: bool,
    summary: Option<String>,
    sentiment: Option<String>,
    created_at: i64,
    updated_at: i64,
}

/// Every column of a `function_calls` row but its id.
#[derive(Debug, PartialEq, FromRow)]
struct Answer {
    company: String,
    call_id: String,
    name: String,
    args_hash: String,
    response: Option<String>,
    claimed_until: Option<i64>,
    attempts: i64,
    created_at: i64,
}

/// The rows the script left, in the order they were inserted, timestamps as steps.
struct Rows {
    events: Vec<Event>,
    calls: Vec<CallRow>,
    answers: Vec<Answer>,
}

impl Rows {
    async fn read(db: &TestDb, steps: &[(i64, i64)]) -> Rows {
        let step = |at: i64| -> i64 {
            let found = steps.iter().position(|&(from, to)| (from..=to).contains(&at));
            found.unwrap_or_else(|| panic!("timestamp {at} is outside every step of the script {steps:?}")) as i64
        };
        let mut events: Vec<Event> = select(
            db,
            "SELECT c.name AS company, e.source, e.event, e.external_id, e.dedupe_key, e.payload, e.status, \
             CAST(e.attempts AS BIGINT) AS attempts, e.last_error, e.received_at, e.processed_at \
             FROM webhook_events e JOIN companies c ON c.id = e.company_id ORDER BY e.id",
        )
        .await;
        for e in &mut events {
            e.received_at = step(e.received_at);
            e.processed_at = e.processed_at.map(step);
        }
        let mut calls: Vec<CallRow> = select(
            db,
            "SELECT c.name AS company, b.name AS branch, k.retell_call_id, k.agent_id, k.from_number, k.to_number, \
             k.direction, k.status, k.started_at, k.ended_at, k.duration_ms, k.disconnection_reason, \
             u.phone AS customer, k.booked, k.service_predicted, k.summary, k.sentiment, k.created_at, k.updated_at \
             FROM calls k JOIN companies c ON c.id = k.company_id LEFT JOIN branches b ON b.id = k.branch_id \
             LEFT JOIN customers u ON u.id = k.customer_id ORDER BY k.id",
        )
        .await;
        for k in &mut calls {
            k.created_at = step(k.created_at);
            k.updated_at = step(k.updated_at);
        }
        let mut answers: Vec<Answer> = select(
            db,
            "SELECT c.name AS company, f.call_id, f.name, f.args_hash, f.response, f.claimed_until, \
             CAST(f.attempts AS BIGINT) AS attempts, f.created_at \
             FROM function_calls f JOIN companies c ON c.id = f.company_id ORDER BY f.id",
        )
        .await;
        for f in &mut answers {
            f.created_at = step(f.created_at);
        }
        Rows { events, calls, answers }
    }
}

/// The rows of `sql` on `db`, whichever backend it is.
async fn select<T>(db: &TestDb, sql: &str) -> Vec<T>
where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin,
{
    if db.is_postgres() {
        let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::query_as(sql).fetch_all(&mut conn).await.unwrap()
    } else {
        let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        sqlx::query_as(sql).fetch_all(&mut conn).await.unwrap()
    }
}
