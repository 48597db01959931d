//! The daemon as a real process, killed with SIGKILL in the middle of 10,000 signed webhooks:
//! after a restart every delivery it acknowledged is there (a resend is answered "duplicate"),
//! and when Retell's retries resend everything, each event is stored exactly once.

mod common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use askpro::signatures::retell as signature;
use common::daemon::PLATFORM_KEY;
use common::TestDb;

const EVENTS: usize = 10_000;

fn start(db: &TestDb) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_askpro-daemon"))
        .args(["--listen", "127.0.0.1:0", "--log-format", "json"])
        .current_dir(db.path())
        .env("ASKPRO_DATABASE_URL", &db.url)
        .env("RETELL_API_KEY", PLATFORM_KEY)
        .env("ASKPRO_RATE_LIMIT", "0")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("daemon exited before listening").unwrap();
        if let Some(a) = serde_json::from_str::<serde_json::Value>(&line)
            .ok()
            .and_then(|l| l["fields"]["address"].as_str().map(str::to_string))
        {
            break a;
        }
    };
    // Keep draining its log so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

fn event(i: usize) -> Vec<u8> {
    format!(r#"{{"event":"call_ended","call":{{"call_id":"call_{i:05}","to_number":"+493023125100","call_status":"ended","duration_ms":{i}}}}}"#)
        .into_bytes()
}

/// Posts on a kept-alive connection; `None` once the connection breaks.
fn post(stream: &mut TcpStream, body: &[u8]) -> Option<(u16, String)> {
    let sig = signature::sign(body, PLATFORM_KEY, askpro::store::now_ms());
    let head = format!(
        "POST /retell/webhook HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nX-Retell-Signature: {sig}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    // One write: two small ones would meet Nagle and delayed ACKs (40 ms a request).
    stream.write_all(&[head.as_bytes(), body].concat()).ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut status_line = String::new();
    if reader.read_line(&mut status_line).ok()? == 0 {
        return None;
    }
    let status = status_line.split_whitespace().nth(1)?.parse().ok()?;
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().ok()?;
        }
    }
    let mut answer = vec![0; length];
    reader.read_exact(&mut answer).ok()?;
    Some((status, String::from_utf8_lossy(&answer).into_owned()))
}

/// Sends events `0..EVENTS` over four connections; returns the ids acknowledged with 200 "ok".
fn send_all(addr: &str, stop_after: Option<usize>, on_ack: impl Fn() + Sync) -> (HashSet<usize>, HashSet<usize>) {
    let acked = Mutex::new(HashSet::new());
    let duplicates = Mutex::new(HashSet::new());
    let next = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let Ok(mut stream) = TcpStream::connect(addr) else { return };
                stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= EVENTS || stop_after.is_some_and(|n| i >= n) {
                        return;
                    }
                    match post(&mut stream, &event(i)) {
                        Some((200, answer)) if answer.contains("duplicate") => {
                            duplicates.lock().unwrap().insert(i);
                        }
                        Some((200, _)) => {
                            acked.lock().unwrap().insert(i);
                            on_ack();
                        }
                        Some((status, answer)) => panic!("event {i}: {status} {answer}"),
                        None => return,
                    }
                }
            });
        }
    });
    (acked.into_inner().unwrap(), duplicates.into_inner().unwrap())
}

#[test]
fn sigkill_loses_no_acknowledged_event() {
    let db = TestDb::sqlite();
    let c = db.company("Salon");
    db.ok(&["branch:create", "--company-id", &c.to_string(), "--name", "Mitte", "--phone", "+493023125100", "-q"]);

    let (child, addr) = start(&db);
    let child = Arc::new(Mutex::new(child));
    let acks = AtomicUsize::new(0);
    let killer = child.clone();
    // Kill it hard after 2,000 acknowledgements, while four connections are mid-stream.
    let (acked, _) = send_all(&addr, None, || {
        if acks.fetch_add(1, Ordering::SeqCst) + 1 == 2_000 {
            let pid = killer.lock().unwrap().id().to_string();
            Command::new("kill").args(["-KILL", &pid]).status().unwrap();
        }
    });
    child.lock().unwrap().wait().unwrap();
    assert!(acked.len() >= 2_000 && acked.len() < EVENTS, "killed mid-way: {} acknowledged", acked.len());

    // Retell resends everything it has no 2xx for (here: all of it).
    let (mut child, addr) = start(&db);
    let (fresh, duplicates) = send_all(&addr, Some(EVENTS), || ());
    let lost: Vec<&usize> = acked.iter().filter(|i| !duplicates.contains(i)).collect();
    assert!(lost.is_empty(), "{} acknowledged events were lost, e.g. {:?}", lost.len(), &lost[..lost.len().min(5)]);
    assert_eq!(fresh.len() + duplicates.len(), EVENTS, "every resend is answered");
    let stored: i64 =
        common::block_on(db.strings("SELECT CAST(COUNT(*) AS TEXT) FROM webhook_events"))[0].parse().unwrap();
    assert_eq!(stored, EVENTS as i64, "each event stored exactly once");
    child.kill().unwrap();
    child.wait().unwrap();
}
