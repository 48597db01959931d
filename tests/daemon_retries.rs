//! Retell retries a slow tool call, and the same request may reach two daemons behind a load
//! balancer or a daemon that was killed half-way: whatever the timing, identical requests get
//! identical answers and a call books once. On SQLite and PostgreSQL, on a branch with two staff
//! members (so a second booking of the same time would find someone free).

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Barrier;
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use common::daemon::{Daemon, PLATFORM_KEY};
use common::TestDb;
use serde_json::{json, Value};

both_backends!(
    twin_requests_get_one_answer_and_one_booking,
    twins_across_two_daemons,
    a_run_that_died_after_booking_is_resumed_with_its_booking,
    a_killed_daemon_books_each_call_once
);

const BRANCH_PHONE: &str = "+493023125100";
/// Rounds of twin requests per backend.
const ROUNDS: usize = 50;

/// A salon with two staff members who both cut hair (Mon–Fri 09–18).
fn salon(db: &TestDb) {
    let c = db.company("Salon").to_string();
    let b = db.ok(&["branch:create", "--company-id", &c, "--name", "Mitte", "--phone", BRANCH_PHONE, "-q"]);
    db.ok(&["service:create", "--company-id", &c, "--name", "Herrenhaarschnitt", "--duration", "30", "-q"]);
    for name in ["Anna", "Ben"] {
        let staff = db.ok(&["staff:create", "--branch-id", b.trim(), "--name", name, "-q"]);
        db.ok(&["staff:assign-services", "--staff-id", staff.trim(), "--services", "all"]);
    }
}

/// The `round`-th half hour from Monday 09:00 of the week after next, as RFC 3339 in Berlin.
fn slot(round: usize) -> String {
    let today = Utc::now().with_timezone(&Berlin).date_naive();
    let monday = today + chrono::Duration::days(i64::from(7 - today.weekday().num_days_from_monday()) + 7);
    let day = monday + chrono::Duration::days((round / 16) as i64);
    let time = NaiveTime::from_hms_opt(9, 0, 0).unwrap() + chrono::Duration::minutes(30 * (round % 16) as i64);
    Berlin.from_local_datetime(&day.and_time(time)).single().unwrap().to_rfc3339()
}

fn body(call_id: &str, round: usize, name: &str, args: Value) -> Vec<u8> {
    let from = format!("+49176{:08}", 10_000_000 + round);
    json!({"name": name, "args": args, "call": {"call_id": call_id, "agent_id": "agent_unknown",
        "from_number": from, "to_number": BRANCH_PHONE, "call_status": "ongoing"}})
    .to_string()
    .into_bytes()
}

fn booking(round: usize) -> Value {
    json!({"service": "Herrenhaarschnitt", "datetime": slot(round), "customer_name": format!("Gast {round}")})
}

fn answer(daemon: &Daemon, body: &[u8]) -> Value {
    let (status, text) = daemon.signed_to("/retell/function", body, PLATFORM_KEY);
    assert_eq!(status, 200, "{text}");
    serde_json::from_str(&text).unwrap()
}

fn count(db: &TestDb, sql: &str) -> i64 {
    common::block_on(db.strings(&format!("SELECT CAST(({sql}) AS TEXT)")))[0].parse().unwrap()
}

fn booked_for(db: &TestDb, call_id: &str) -> i64 {
    count(db, &format!("SELECT COUNT(*) FROM appointments WHERE call_id = '{call_id}' AND status = 'booked'"))
}

/// Sends `body` to `a` and `b` at the same moment; returns both answers.
fn twins(a: &Daemon, b: &Daemon, body: &[u8]) -> (Value, Value) {
    let start = Barrier::new(2);
    std::thread::scope(|s| {
        let first = s.spawn(|| {
            start.wait();
            answer(a, body)
        });
        let second = s.spawn(|| {
            start.wait();
            answer(b, body)
        });
        (first.join().unwrap(), second.join().unwrap())
    })
}

/// Identical `book_appointment` requests at once, and identical `confirm_booking` requests
/// after one `start_booking`: both get the same answer, the caller is booked once.
fn rounds_of_twins(db: &TestDb, a: &Daemon, b: &Daemon) {
    for round in 0..ROUNDS {
        let call_id = format!("call_twin_{round}");
        let (first, second) = if round % 5 == 4 {
            let held = answer(a, &body(&call_id, round, "start_booking", booking(round)));
            assert_eq!(held["status"], "ok", "round {round}: {held}");
            twins(a, b, &body(&call_id, round, "confirm_booking", json!({})))
        } else {
            twins(a, b, &body(&call_id, round, "book_appointment", booking(round)))
        };
        assert_eq!(first, second, "round {round}: twins get the same answer");
        assert_eq!(first["status"], "ok", "round {round}: the caller was booked: {first}");
        assert_eq!(booked_for(db, &call_id), 1, "round {round}: one appointment for the call");
        // A later retry, too, gets the first answer.
        let again = if round % 5 == 4 { "confirm_booking" } else { "book_appointment" };
        let args = if round % 5 == 4 { json!({}) } else { booking(round) };
        assert_eq!(answer(b, &body(&call_id, round, again, args)), first, "round {round}: a retry");
    }
    assert_eq!(count(db, "SELECT COUNT(*) FROM appointments"), ROUNDS as i64);
}

fn twin_requests_get_one_answer_and_one_booking(db: &TestDb) {
    salon(db);
    let daemon = Daemon::start(db, &[]);
    rounds_of_twins(db, &daemon, &daemon);
}

/// The twins reach two daemons sharing the database, as behind a load balancer.
fn twins_across_two_daemons(db: &TestDb) {
    salon(db);
    let (a, b) = (Daemon::start(db, &[]), Daemon::start(db, &[]));
    rounds_of_twins(db, &a, &b);
}

/// A daemon process, killed when dropped (also when an assertion fails).
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A run that booked and died before writing its answer leaves its claim unanswered; once the
/// claim lapses, the retry resumes it and answers with the booking the dead run made.
fn a_run_that_died_after_booking_is_resumed_with_its_booking(db: &TestDb) {
    salon(db);
    let daemon = Daemon::start(db, &[]);
    let die = |call_id: &str, name: &str| {
        let sql = format!(
            "UPDATE function_calls SET response = NULL, claimed_until = 0 WHERE call_id = '{call_id}' AND name = '{name}'"
        );
        common::block_on(db.execute(&sql)).unwrap();
    };
    // confirm_booking: the hold is gone with the booking, so only the resumed run finds it.
    let held = answer(&daemon, &body("call_confirm", 1, "start_booking", booking(1)));
    assert_eq!(held["status"], "ok", "{held}");
    let confirm = body("call_confirm", 1, "confirm_booking", json!({}));
    let confirmed = answer(&daemon, &confirm);
    assert_eq!(confirmed["status"], "ok", "{confirmed}");
    die("call_confirm", "confirm_booking");
    assert_eq!(answer(&daemon, &confirm), confirmed, "the resumed run answers with the dead run's booking");
    // book_appointment: the call's booking of that time is found before booking again.
    let book = body("call_book", 2, "book_appointment", booking(2));
    let booked = answer(&daemon, &book);
    assert_eq!(booked["status"], "ok", "{booked}");
    die("call_book", "book_appointment");
    assert_eq!(answer(&daemon, &book), booked);
    for call_id in ["call_confirm", "call_book"] {
        assert_eq!(booked_for(db, call_id), 1, "{call_id}");
    }
    let resumed = count(db, "SELECT COUNT(*) FROM function_calls WHERE attempts = 2 AND response IS NOT NULL");
    assert_eq!(resumed, 2, "both were resumed runs");
}

/// `askpro-daemon` as a process on `db`, answering functions within `deadline_ms`.
fn start_process(db: &TestDb, deadline_ms: u64) -> (Process, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_askpro-daemon"));
    cmd.args(["--listen", "127.0.0.1:0", "--log-format", "json"])
        .current_dir(db.path())
        .env("ASKPRO_DATABASE_URL", &db.url)
        .env("RETELL_API_KEY", PLATFORM_KEY)
        .env("ASKPRO_RATE_LIMIT", "0")
        .env("ASKPRO_FUNCTION_DEADLINE_MS", deadline_ms.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(key) = &db.master_key {
        cmd.env("ASKPRO_MASTER_KEY", key);
    }
    let mut child = Process(cmd.spawn().unwrap());
    let mut lines = BufReader::new(child.0.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("daemon exited before listening").unwrap();
        if let Some(a) =
            serde_json::from_str::<Value>(&line).ok().and_then(|l| l["fields"]["address"].as_str().map(str::to_string))
        {
            break a;
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

/// Posts a signed function call to the daemon at `addr`; `None` when the connection broke.
fn post(addr: &str, body: &[u8]) -> Option<Value> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let sig = askpro::signatures::retell::sign(body, PLATFORM_KEY, askpro::store::now_ms());
    let head = format!(
        "POST /retell/function HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nX-Retell-Signature: {sig}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(&[head.as_bytes(), body].concat()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let (head, text) = response.split_once("\r\n\r\n")?;
    assert!(head.starts_with("HTTP/1.1 200"), "{response}");
    serde_json::from_str(text).ok()
}

/// The daemon is killed (SIGKILL) while bookings are under way, three times; Retell then
/// retries every call until it is answered. Each call ends with exactly one appointment, and
/// its answer names that appointment.
fn a_killed_daemon_books_each_call_once(db: &TestDb) {
    const CALLS: usize = 24;
    salon(db);
    let bodies: Vec<Vec<u8>> =
        (0..CALLS).map(|i| body(&format!("call_kill_{i}"), i, "book_appointment", booking(i))).collect();
    for cycle in 0..3 {
        let (child, addr) = start_process(db, 1_000);
        let answered = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|s| {
            for t in 0..4 {
                let (addr, bodies, answered, child_id) = (&addr, &bodies, &answered, child.0.id());
                s.spawn(move || {
                    for i in (t..CALLS).step_by(4).skip(cycle * 2) {
                        if post(addr, &bodies[i]).is_none() {
                            return;
                        }
                        // Kill it hard while the other three connections are mid-booking.
                        if answered.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 6 {
                            Command::new("kill").args(["-KILL", &child_id.to_string()]).status().unwrap();
                        }
                    }
                });
            }
        });
        drop(child);
    }
    let interrupted = count(db, "SELECT COUNT(*) FROM function_calls WHERE response IS NULL");
    assert!(interrupted > 0, "the kills left runs unanswered (else this test shows nothing)");
    let (_child, addr) = start_process(db, 1_000);
    for (i, body) in bodies.iter().enumerate() {
        let call_id = format!("call_kill_{i}");
        // A run the kill interrupted keeps its claim until it lapses: until then a retry is told
        // to wait, as Retell would be.
        let until = Instant::now() + Duration::from_secs(30);
        let answer = loop {
            let answer = post(&addr, body).expect("the restarted daemon answers");
            if answer["status"] == "ok" || Instant::now() > until {
                break answer;
            }
            std::thread::sleep(Duration::from_millis(200));
        };
        assert_eq!(answer["status"], "ok", "{call_id}: {answer}");
        assert_eq!(booked_for(db, &call_id), 1, "{call_id}: exactly one appointment");
        let id = count(db, &format!("SELECT id FROM appointments WHERE call_id = '{call_id}' AND status = 'booked'"));
        assert_eq!(answer["appointment_id"], id, "{call_id}: the answer names the appointment");
    }
}
