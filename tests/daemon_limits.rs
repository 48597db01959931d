//! What unauthenticated clients can take from the daemon:
//! a flood of unsigned or forged requests never uses up the rate limit of signed ones; idle
//! connections and a low open-file limit never lock new clients out; slow bodies never grow
//! memory past the budget of buffered bytes. In process on port 0, and as a real process where
//! the open-file limit and the resident memory are the point.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use askpro::signatures::retell as signature;
use askpro::store::now_ms;
use common::daemon::{Daemon, PLATFORM_KEY};
use common::TestDb;

both_backends!(an_unsigned_flood_leaves_signed_requests_their_own_budget);

/// A company whose branch answers on +49 30 23125100.
fn salon(db: &TestDb) {
    let c = db.company("Salon");
    db.ok(&["branch:create", "--company-id", &c.to_string(), "--name", "Mitte", "--phone", "+493023125100", "-q"]);
}

fn event(i: usize) -> Vec<u8> {
    format!(r#"{{"event":"call_started","call":{{"call_id":"call_limits_{i}","to_number":"+493023125100","call_status":"ongoing"}}}}"#)
        .into_bytes()
}

/// A request over its own connection; the whole response (head and body) once the daemon
/// closes it, or what arrived before `wait` ran out.
fn exchange(addr: &str, head: &str, body: &[u8], wait: Duration) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(wait)).unwrap();
    // One write: two small ones would meet Nagle and delayed ACKs.
    let _ = stream.write_all(&[head.as_bytes(), body].concat());
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

fn post(addr: &str, body: &[u8], signature: Option<&str>) -> String {
    let signature = signature.map(|s| format!("X-Retell-Signature: {s}\r\n")).unwrap_or_default();
    let head = format!(
        "POST /retell/webhook HTTP/1.1\r\nHost: t\r\n{signature}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    exchange(addr, &head, body, Duration::from_secs(10))
}

fn status(response: &str) -> u16 {
    response.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// A header that passes every check but the digest: what a replayed or guessed signature looks like.
fn forged() -> String {
    format!("v={},d={}", now_ms(), "0".repeat(64))
}

/// An unsigned flood from loopback (no header, a malformed one, a forged one) while genuine
/// signed webhooks arrive from the same address: every signed one is accepted, the flood is told
/// to wait, and signed traffic over its own limit is still told to wait.
fn an_unsigned_flood_leaves_signed_requests_their_own_budget(db: &TestDb) {
    salon(db);
    // 5 a second with a burst of 10, for each of the two budgets.
    let daemon = Daemon::start(db, &[("ASKPRO_RATE_LIMIT", "5")]);
    let stop = AtomicBool::new(false);
    let flood = Mutex::new(Vec::new());
    let mut signed = Vec::new();
    std::thread::scope(|s| {
        s.spawn(|| {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let header = [None, Some("v=1,d=zz".to_string()), Some(forged())][i % 3].clone();
                flood.lock().unwrap().push(post(&daemon.addr, &event(1000 + i), header.as_deref()));
                i += 1;
            }
        });
        // Let the flood use up its budget first (for at most 10 s).
        let started = Instant::now();
        while flood.lock().unwrap().iter().filter(|r| status(r) == 429).count() < 20
            && started.elapsed() < Duration::from_secs(10)
        {
            std::thread::sleep(Duration::from_millis(5));
        }
        for i in 0..10 {
            signed.push(post(&daemon.addr, &event(i), Some(&signature::sign(&event(i), PLATFORM_KEY, now_ms()))));
        }
        stop.store(true, Ordering::Relaxed);
    });
    for (i, response) in signed.iter().enumerate() {
        assert_eq!(status(response), 200, "signed webhook {i} during an unsigned flood: {response}");
    }
    let flood = flood.into_inner().unwrap();
    assert!(flood.iter().all(|r| [401, 429].contains(&status(r))), "{:?}", flood.iter().find(|r| status(r) != 401));
    let told_to_wait = flood.iter().find(|r| status(r) == 429).unwrap();
    assert!(told_to_wait.to_ascii_lowercase().contains("retry-after: "), "{told_to_wait}");
    assert!(flood.iter().any(|r| status(r) == 401), "the flood's own burst is answered 401");

    // Signed requests faster than the limit are told to wait too.
    let refused = (10..40).find_map(|i| {
        let response = post(&daemon.addr, &event(i), Some(&signature::sign(&event(i), PLATFORM_KEY, now_ms())));
        (status(&response) == 429).then_some(response)
    });
    let refused = refused.expect("a signed flood over the limit gets 429");
    assert!(refused.to_ascii_lowercase().contains("retry-after: "), "{refused}");
    assert!(refused.contains(r#""code":"rate_limited""#), "{refused}");
}

/// A request without a signature is answered 401 at once, without waiting for its body.
#[test]
fn a_request_without_a_signature_is_refused_before_its_body_arrives() {
    let db = TestDb::sqlite();
    let daemon = Daemon::start(&db, &[]);
    let head = "POST /retell/function HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n";
    let started = Instant::now();
    let response = exchange(&daemon.addr, head, b"{", Duration::from_secs(5));
    assert_eq!(status(&response), 401, "{response}");
    assert!(started.elapsed() < Duration::from_secs(2), "answered after {:?}", started.elapsed());
}

/// At the connection cap, an idle keep-alive connection is closed to let a new client in; when
/// every connection has a request in flight, a new one is told to come back (503) at once.
#[test]
fn at_the_connection_cap_idle_connections_give_way() {
    let db = TestDb::sqlite();
    let daemon = Daemon::start(&db, &[("ASKPRO_MAX_CONNECTIONS", "4")]);
    let health = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
    let idle: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut stream = TcpStream::connect(&daemon.addr).unwrap();
            stream.write_all(health.as_bytes()).unwrap();
            let mut line = String::new();
            BufReader::new(stream.try_clone().unwrap()).read_line(&mut line).unwrap();
            assert!(line.starts_with("HTTP/1.1 200"), "{line}");
            stream
        })
        .collect();
    let response = exchange(
        &daemon.addr,
        "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        b"",
        Duration::from_secs(5),
    );
    assert_eq!(status(&response), 200, "a fifth client is served: {response}");
    let closed = idle
        .iter()
        .filter(|s| {
            let mut stream: &TcpStream = s;
            stream.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
            matches!(stream.read(&mut [0; 512]), Ok(0) | Err(_))
        })
        .count();
    assert!(closed >= 1, "an idle connection was closed to make room");

    // Four requests in flight, their bodies still arriving.
    let busy: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut stream = TcpStream::connect(&daemon.addr).unwrap();
            let sig = forged();
            write!(stream, "POST /retell/webhook HTTP/1.1\r\nHost: t\r\nX-Retell-Signature: {sig}\r\nContent-Length: 100\r\n\r\n{{").unwrap();
            stream
        })
        .collect();
    // Time for the daemon to read their heads, also on a loaded machine.
    std::thread::sleep(Duration::from_millis(1000));
    let started = Instant::now();
    let response = exchange(&daemon.addr, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", b"", Duration::from_secs(5));
    assert_eq!(status(&response), 503, "{response}");
    assert!(response.to_ascii_lowercase().contains("retry-after: 1"), "{response}");
    assert!(started.elapsed() < Duration::from_secs(1), "refused after {:?}", started.elapsed());
    drop(busy);
    std::thread::sleep(Duration::from_millis(200));
    assert!(daemon.get("/healthz").contains("200 OK"), "served again once they are gone");
}

/// `askpro-daemon` started by bash after `ulimits` (say, `ulimit -n 256`).
fn spawn(db: &TestDb, ulimits: &str) -> (Child, String) {
    let mut child = Command::new("bash")
        .args(["-c", &format!("{ulimits} && exec \"$0\" \"$@\""), env!("CARGO_BIN_EXE_askpro-daemon")])
        .args(["--listen", "127.0.0.1:0", "--log-format", "json"])
        .current_dir(db.path())
        .env("ASKPRO_DATABASE_URL", &db.url)
        .env("RETELL_API_KEY", PLATFORM_KEY)
        .env_remove("ASKPRO_RATE_LIMIT")
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
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

/// A line of /proc/<pid>/status or /proc/<pid>/limits, split into words after its name.
fn proc_line(pid: u32, file: &str, name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/{file}")).unwrap();
    let line = text.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("no {name} in {file}"));
    line[name.len()..].split_whitespace().map(str::to_string).collect()
}

/// With 256 descriptors in all and 300 idle connections open, a new client is still answered
/// within a second.
#[test]
fn idle_connections_beyond_the_open_file_limit_do_not_lock_clients_out() {
    let db = TestDb::sqlite();
    let (mut child, addr) = spawn(&db, "ulimit -n 256");
    assert_eq!(proc_line(child.id(), "limits", "Max open files")[0], "256");
    let idle: Vec<TcpStream> = (0..300).map(|_| TcpStream::connect(&addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let response =
        exchange(&addr, "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", b"", Duration::from_secs(12));
    let took = started.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    drop(idle);
    assert_eq!(status(&response), 200, "{response}");
    assert!(took < Duration::from_secs(1), "/healthz took {took:?} behind 300 idle connections");
}

/// A soft open-file limit below the hard one is raised to it at start.
#[test]
fn the_soft_open_file_limit_is_raised_to_the_hard_one() {
    let db = TestDb::sqlite();
    let (mut child, _) = spawn(&db, "ulimit -Sn 256");
    let limits = proc_line(child.id(), "limits", "Max open files");
    let _ = child.kill();
    let _ = child.wait();
    let (soft, hard) = (&limits[0], &limits[1]);
    if hard == "256" {
        eprintln!("note: the hard open-file limit is 256 here; nothing to raise");
        return;
    }
    assert_eq!(soft, hard, "soft limit {soft}, hard {hard}");
}

/// 300 slow forged bodies of almost 1 MiB each, all in flight at once: the daemon's peak
/// resident memory grows by less than 80 MB — the budget of buffered bytes (32 MiB by default),
/// 300 read buffers of 32 KiB, and the connections' state and allocator slack (about 60 MB in
/// all when measured) — where buffering them whole took 300 MB; and genuine signed webhooks
/// are answered meanwhile.
#[test]
fn slow_forged_bodies_cannot_grow_memory_past_the_budget() {
    const LENGTH: usize = 1_048_000;
    let db = TestDb::sqlite();
    salon(&db);
    let (mut child, addr) = spawn(&db, "true");
    let signed = |i: usize| post(&addr, &event(i), Some(&signature::sign(&event(i), PLATFORM_KEY, now_ms())));
    for i in 0..3 {
        assert_eq!(status(&signed(i)), 200);
    }
    let kb = |name| proc_line(child.id(), "status", name)[0].parse::<u64>().unwrap();
    let before = kb("VmRSS:");

    let body = Arc::new(vec![b' '; LENGTH]);
    let slow: Vec<TcpStream> = std::thread::scope(|s| {
        let senders: Vec<_> = (0..300)
            .map(|_| {
                let (addr, body) = (&addr, body.clone());
                s.spawn(move || {
                    let mut stream = TcpStream::connect(addr).unwrap();
                    stream.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
                    let head = format!(
                        "POST /retell/webhook HTTP/1.1\r\nHost: t\r\nX-Retell-Signature: {}\r\nContent-Length: {LENGTH}\r\n\r\n",
                        forged()
                    );
                    // All but the last byte: the body stays in flight.
                    let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&body[..LENGTH - 1]));
                    stream
                })
            })
            .collect();
        senders.into_iter().map(|t| t.join().unwrap()).collect()
    });
    std::thread::sleep(Duration::from_millis(300));
    let grown_mb = (kb("VmHWM:").saturating_sub(before)) / 1024;
    let answered: Vec<u16> = (3..8).map(|i| status(&signed(i))).collect();
    let _ = child.kill();
    let _ = child.wait();
    drop(slow);
    assert!(grown_mb < 80, "resident memory grew by {grown_mb} MB under 300 slow bodies");
    assert_eq!(answered, [200; 5], "genuine webhooks while the slow bodies are in flight");
}
