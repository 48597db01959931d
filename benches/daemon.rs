//! The daemon under load, in one run, loopback only, bounded in time:
//!
//! 1. a reference receiver — a bare hyper server in this process that verifies the Retell
//!    signature and parses the body into a typed struct, storing nothing — against
//!    `askpro-daemon` (release build, SQLite in WAL) storing signed 15 KB `call_ended` events
//!    durably: throughput, their ratio, p50 and p99, at 32 connections and at one; and, when
//!    Python has `fastapi`, `uvicorn[standard]` and `retell-sdk`, Retell's documented FastAPI
//!    receiver with the official SDK and two workers (`benches/fastapi_receiver.py`) at 32
//!    connections, on uvloop and httptools;
//! 2. `check_availability` function calls to the daemon on the local calendar at 256
//!    connections, for a branch with 20 staff and 2,000 booked appointments in the next 14 days;
//! 3. the daemon's peak resident memory (VmHWM);
//! 4. (`-- counters`, not in the default run) the cost of the store counters behind
//!    `performance:analyze`: the same `check_availability` load and 32-connection webhook load
//!    against a daemon with `ASKPRO_STORE_COUNTERS=off` and one with them on, alternating three
//!    times, the median throughput of each and their ratio; and one counted operation's cost
//!    in process.
//!
//! Run with `cargo bench --bench daemon` (it builds and starts the release daemon itself);
//! `cargo bench --bench daemon -- webhooks`, `-- functions` or `-- counters` runs only that part.

use std::convert::Infallible;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use askpro::signatures::retell as signature;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[path = "support/busy_branch.rs"]
mod busy_branch;

const KEY: &str = "key_bench_platform_0000000001";
const RUN: Duration = Duration::from_secs(5);

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Event {
    event: String,
    call: Call,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Call {
    call_id: String,
    transcript: Option<String>,
}

/// A signed `call_ended` with a unique call id: the `call_ended` fixture shaped like Retell's
/// (`tests/fixtures/retell`) with its transcript objects cut to the first seven turns, sent
/// compact, so that what is parsed and stored is shaped as Retell's bodies are.
fn event(i: usize) -> Vec<u8> {
    static TEMPLATE: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    let (head, tail) = TEMPLATE.get_or_init(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/retell/call_ended.json");
        let fixture = std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let mut event: serde_json::Value = serde_json::from_slice(&fixture).expect("the fixture is JSON");
        let call = &mut event["call"];
        call["call_id"] = "CALL_ID".into();
        call["agent_id"] = "agent_bench".into();
        for list in ["transcript_object", "transcript_with_tool_calls"] {
            call[list].as_array_mut().expect("the fixture has transcript objects").truncate(7);
        }
        let text = event.to_string();
        let (head, tail) = text.split_once("CALL_ID").expect("the call id is in the body");
        (head.to_string(), tail.to_string())
    });
    format!("{head}bench_{i:09}{tail}").into_bytes()
}

fn function_call(i: usize, day: &str) -> Vec<u8> {
    format!(
        r#"{{"name":"check_availability","args":{{"dienstleistung":"Herrenhaarschnitt","datum":"{day}","uhrzeit":"{:02}:00"}},"call":{{"call_id":"bench_fn_{i}","from_number":"+4917600000001","to_number":"+493023125100","call_status":"ongoing"}}}}"#,
        9 + i % 8
    )
    .into_bytes()
}

async fn post(stream: &mut BufReader<TcpStream>, path: &str, body: &[u8]) -> std::io::Result<u16> {
    let sig = signature::sign(body, KEY, askpro::store::now_ms());
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: b\r\nContent-Type: application/json\r\nX-Retell-Signature: {sig}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.get_mut().write_all(&[head.as_bytes(), body].concat()).await?;
    let mut line = String::new();
    stream.read_line(&mut line).await?;
    let status = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut length = 0usize;
    loop {
        line.clear();
        stream.read_line(&mut line).await?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).await?;
    Ok(status)
}

struct Figures {
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: usize,
    /// Requests answered 200.
    answered: usize,
    /// The server's CPU time (user and system) per answered request, in µs, when it is a
    /// process of its own: less noisy than throughput on a shared machine, for comparing builds.
    cpu_us: Option<f64>,
}

impl Figures {
    fn cpu(&self) -> String {
        self.cpu_us.map(|us| format!(", {us:.0} µs CPU each")).unwrap_or_default()
    }
}

/// The CPU time (user and system) process `pid` has used so far, in seconds (Linux's /proc).
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name: state is field 3, utime and stime are fields 14 and 15.
    let fields: Vec<&str> = stat.get(stat.rfind(')')? + 1..)?.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0) // USER_HZ
}

/// `connections` clients each posting for [`RUN`] to the server at `addr` (process `pid`, if
/// it is one of its own); bodies from `make(i)`.
async fn load(
    (addr, pid): (&str, Option<u32>),
    path: &'static str,
    connections: usize,
    make: Arc<dyn Fn(usize) -> Vec<u8> + Send + Sync>,
) -> Figures {
    let next = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(AtomicUsize::new(0));
    let cpu_before = pid.and_then(cpu_seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (addr, next, stop, errors, make) =
                (addr.to_string(), next.clone(), stop.clone(), errors.clone(), make.clone());
            tokio::spawn(async move {
                let mut samples = Vec::new();
                let Ok(tcp) = TcpStream::connect(&addr).await else { return samples };
                tcp.set_nodelay(true).ok();
                let mut stream = BufReader::new(tcp);
                while !stop.load(Ordering::Relaxed) {
                    let body = make(next.fetch_add(1, Ordering::Relaxed));
                    let t = Instant::now();
                    match post(&mut stream, path, &body).await {
                        Ok(200) => samples.push(t.elapsed().as_secs_f64() * 1e3),
                        _ => {
                            errors.fetch_add(1, Ordering::Relaxed);
                            break;
                        }
                    }
                }
                samples
            })
        })
        .collect();
    tokio::time::sleep(RUN).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap_or_default());
    }
    let took = started.elapsed().as_secs_f64();
    let cpu = cpu_before.zip(pid.and_then(cpu_seconds)).map(|(before, after)| after - before);
    all.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or(f64::NAN)
    };
    Figures {
        per_second: all.len() as f64 / took,
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
        errors: errors.load(Ordering::Relaxed),
        answered: all.len(),
        cpu_us: cpu.filter(|_| !all.is_empty()).map(|s| s * 1e6 / all.len() as f64),
    }
}

/// The reference receiver: verify, parse into a typed struct, answer 200; store nothing.
async fn reference_receiver() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            stream.set_nodelay(true).ok();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(|req: hyper::Request<hyper::body::Incoming>| async move {
                    let header =
                        req.headers().get("x-retell-signature").and_then(|v| v.to_str().ok()).map(str::to_string);
                    let body = req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
                    let ok = signature::verify(&body, KEY, header.as_deref(), askpro::store::now_ms()).is_ok()
                        && serde_json::from_slice::<Event>(&body).is_ok();
                    let status = if ok { 200 } else { 401 };
                    Ok::<_, Infallible>(
                        hyper::Response::builder()
                            .status(status)
                            .body(Full::new(Bytes::from_static(b"{\"status\":\"ok\"}")))
                            .unwrap(),
                    )
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

/// A process started in a process group of its own (`process_group(0)`), with whatever it
/// started: dropping it kills them all, also when the bench panics. (Killing only uvicorn's
/// supervisor would leave both its workers running.)
struct Group(Child);

impl Drop for Group {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
        let _ = self.0.wait();
    }
}

/// The FastAPI/SDK receiver with two uvicorn workers, or why it could not start.
fn start_fastapi() -> Result<(Group, String), String> {
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let child = Command::new("python3")
        .args([
            "-m",
            "uvicorn",
            "fastapi_receiver:app",
            "--workers",
            "2",
            // Plain uvicorn (h11 on asyncio) stalls every keep-alive request ~40 ms on delayed
            // ACKs here, which would compare against a stall, not against FastAPI: ask for the
            // fast variant (uvloop, httptools), the harder comparison.
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--host",
            "127.0.0.1",
            "--log-level",
            "warning",
        ])
        .args(["--port", &port.to_string()])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/benches"))
        .env("RETELL_API_KEY", KEY)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| format!("python3: {e}"))?;
    let mut child = Group(child);
    let addr = format!("127.0.0.1:{port}");
    for _ in 0..100 {
        if std::net::TcpStream::connect(&addr).is_ok() {
            std::thread::sleep(Duration::from_millis(500)); // both workers up
            return Ok((child, addr));
        }
        if let Ok(Some(_)) = child.0.try_wait() {
            let mut why = String::new();
            let _ = std::io::Read::read_to_string(&mut child.0.stderr.take().unwrap(), &mut why);
            let last = why.lines().last().unwrap_or("exited").to_string();
            return Err(format!("{last} (pip install fastapi 'uvicorn[standard]' retell-sdk)"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err("uvicorn did not start listening within 10 s".into())
}

fn start_daemon(dir: &std::path::Path, counters: bool) -> (Group, String) {
    use std::io::BufRead;
    let child = Command::new(env!("CARGO_BIN_EXE_askpro-daemon"))
        .args(["--listen", "127.0.0.1:0", "--log-format", "json"])
        .current_dir(dir)
        .env("ASKPRO_STORE_COUNTERS", if counters { "on" } else { "off" })
        .env("ASKPRO_DATABASE_URL", format!("sqlite://{}", dir.join("askpro.db").display()))
        .env("RETELL_API_KEY", KEY)
        .env("ASKPRO_RATE_LIMIT", "0")
        .env("RUST_LOG", "warn,askpro_daemon=info")
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .expect("start askpro-daemon");
    let mut child = Group(child);
    let mut lines = std::io::BufReader::new(child.0.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("daemon exited").unwrap();
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

fn askpro(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_askpro"))
        .args(args)
        .current_dir(dir)
        .env("ASKPRO_DATABASE_URL", format!("sqlite://{}", dir.join("askpro.db").display()))
        .output()
        .unwrap();
    assert!(out.status.success(), "askpro {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// the branch: 2,000 booked appointments in the next 14 days, 100 per staff member,
/// so that the calls find taken times and busy staff as on a real day.
fn seed_appointments(dir: &std::path::Path, (company, branch, service): (i64, i64, i64), staff: &[i64]) {
    use askpro::store::PoolSize;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let url = format!("sqlite://{}", dir.join("askpro.db").display());
        let store = askpro::store::connect(&url, PoolSize(1)).await.unwrap();
        let tomorrow = chrono::Utc::now().date_naive() + chrono::Duration::days(1);
        let start = tomorrow.and_hms_opt(8, 0, 0).unwrap().and_utc().timestamp_millis(); // 09:00 in Berlin (CET)
        for &member in staff {
            for a in busy_branch::appointments(branch, member, start, |_| service) {
                store.insert_appointment(company, &a).await.unwrap();
            }
        }
        store.close().await;
    });
}

fn peak_rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

fn main() {
    let parts: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let runs = |part: &str| (parts.is_empty() && part != "counters") || parts.iter().any(|p| p == part);
    let dir = tempfile::tempdir().unwrap();
    let c = askpro(dir.path(), &["company:create", "--name", "Bench", "-q"]);
    let b =
        askpro(dir.path(), &["branch:create", "--company-id", &c, "--name", "Mitte", "--phone", "+493023125100", "-q"]);
    let service = askpro(
        dir.path(),
        &["service:create", "--company-id", &c, "--name", "Herrenhaarschnitt", "--duration", "30", "-q"],
    );
    let mut staff = Vec::new();
    for n in 0..20 {
        let s = askpro(dir.path(), &["staff:create", "--branch-id", &b, "--name", &format!("Staff {n}"), "-q"]);
        askpro(dir.path(), &["staff:assign-services", "--staff-id", &s, "--services", "all"]);
        staff.push(s.parse::<i64>().unwrap());
    }
    let ids = (c.parse().unwrap(), b.parse().unwrap(), service.parse().unwrap());
    seed_appointments(dir.path(), ids, &staff);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    if runs("counters") {
        runtime.block_on(counters(dir.path()));
        if parts.iter().all(|p| p == "counters") {
            return;
        }
    }
    let (daemon, daemon_addr) = start_daemon(dir.path(), true);
    let daemon_at = (daemon_addr.as_str(), Some(daemon.0.id()));
    runtime.block_on(async {
        if runs("webhooks") {
            webhooks(daemon_at, &dir.path().join("askpro.db")).await;
        }
        if runs("functions") {
            functions(daemon_at).await;
        }
    });
    println!("askpro-daemon peak resident memory: {:.1} MB (target ≤ 50)", peak_rss_mb(daemon.0.id()));
    drop(daemon);
}

/// Part 1: signed `call_ended` webhooks, reference receiver against the daemon (and FastAPI);
/// then checks that the database holds every delivery the daemon acknowledged.
async fn webhooks(daemon: (&str, Option<u32>), db: &std::path::Path) {
    let reference = reference_receiver().await;
    let events: Arc<dyn Fn(usize) -> Vec<u8> + Send + Sync> = Arc::new(event);
    println!("signed 15 KB call_ended webhooks, {} s per figure, loopback:", RUN.as_secs());
    let mut stored_32 = 0.0;
    let mut acknowledged = 0;
    for connections in [32, 1] {
        let r = load((&reference, None), "/retell/webhook", connections, events.clone()).await;
        let offset = 1_000_000_000 * connections;
        let shifted: Arc<dyn Fn(usize) -> Vec<u8> + Send + Sync> = Arc::new(move |i| event(i + offset));
        let d = load(daemon, "/retell/webhook", connections, shifted).await;
        acknowledged += d.answered;
        if connections == 32 {
            stored_32 = d.per_second;
        }
        // The targets set the throughput ratios at 32 connections (where its reference figures
        // were measured) and a p99 for each load.
        let targets = if connections == 32 { "target ≥ 0.40; p99 target ≤ 15 ms" } else { "p99 target ≤ 1.5 ms" };
        println!(
            "  {connections:>3} conn  reference {:>8.0}/s p50 {:.2} ms p99 {:.2} ms | askpro-daemon (stored, SQLite) {:>8.0}/s p50 {:.2} ms p99 {:.2} ms{} | ratio {:.2} ({targets}){}",
            r.per_second, r.p50_ms, r.p99_ms, d.per_second, d.p50_ms, d.p99_ms, d.cpu(), d.per_second / r.per_second,
            if d.errors + r.errors > 0 { format!(" errors {}", d.errors + r.errors) } else { String::new() }
        );
    }
    match start_fastapi() {
        Ok((python, addr)) => {
            let shifted: Arc<dyn Fn(usize) -> Vec<u8> + Send + Sync> = Arc::new(|i| event(i + 2_000_000_000));
            let f = load((&addr, None), "/retell/webhook", 32, shifted).await;
            println!(
                "   32 conn  FastAPI + retell-sdk, 2 workers {:>8.0}/s p50 {:.2} ms p99 {:.2} ms | askpro-daemon / FastAPI {:.2} (target ≥ 2.5){}",
                f.per_second, f.p50_ms, f.p99_ms, stored_32 / f.per_second,
                if f.errors > 0 { format!(" errors {}", f.errors) } else { String::new() }
            );
            drop(python);
        }
        Err(why) => println!("   FastAPI + retell-sdk receiver skipped: {why}"),
    }
    let url = format!("sqlite://{}?mode=ro", db.display());
    let pool = sqlx::SqlitePool::connect(&url).await.expect("open the bench database");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_events WHERE event = 'call_ended'")
        .fetch_one(&pool)
        .await
        .expect("count stored deliveries");
    pool.close().await;
    println!("   askpro-daemon acknowledged {acknowledged} call_ended deliveries; the database holds {stored}");
    assert_eq!(stored as usize, acknowledged, "every acknowledged delivery is stored, once");
}

/// Part 4: the store counters' cost — the same loads against a daemon with them off and on.
async fn counters(dir: &std::path::Path) {
    let day = (chrono::Utc::now().date_naive() + chrono::Duration::days(8)).format("%Y-%m-%d").to_string();
    let calls: Arc<dyn Fn(usize) -> Vec<u8> + Send + Sync> = Arc::new(move |i| function_call(i, &day));
    // [load][off, on]: throughput, and the daemon's CPU time per request (steadier than
    // throughput on a shared machine).
    let mut figures: [[Vec<f64>; 2]; 2] = Default::default();
    let mut cpu: [[Vec<f64>; 2]; 2] = Default::default();
    println!("store counters off / on, {} s per figure, alternating:", RUN.as_secs());
    for round in 0..3 {
        for (slot, on) in [(0, false), (1, true)] {
            let (daemon, addr) = start_daemon(dir, on);
            let at = (addr.as_str(), Some(daemon.0.id()));
            let f = load(at, "/retell/function", 256, calls.clone()).await;
            let offset = 3_000_000_000 + round * 200_000_000 + slot * 100_000_000;
            let events: Arc<dyn Fn(usize) -> Vec<u8> + Send + Sync> = Arc::new(move |i| event(i + offset));
            let w = load(at, "/retell/webhook", 32, events).await;
            println!(
                "  round {round} counters {:<3}  check_availability {:>8.0}/s p99 {:.2} ms{} | webhooks {:>7.0}/s p99 {:.2} ms{}",
                if on { "on" } else { "off" }, f.per_second, f.p99_ms, f.cpu(), w.per_second, w.p99_ms, w.cpu()
            );
            figures[0][slot].push(f.per_second);
            figures[1][slot].push(w.per_second);
            cpu[0][slot].extend(f.cpu_us);
            cpu[1][slot].extend(w.cpu_us);
            drop(daemon);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    for (i, what) in ["check_availability (256 conn)", "webhooks (32 conn)"].iter().enumerate() {
        let (off, on) = (median(&mut figures[i][0]), median(&mut figures[i][1]));
        let (cpu_off, cpu_on) = (median(&mut cpu[i][0]), median(&mut cpu[i][1]));
        println!(
            "  {what}: median off {off:.0}/s, on {on:.0}/s, ratio on/off {:.3} (moves ±5 % run to run); CPU per request off {cpu_off:.1} µs, on {cpu_on:.1} µs, ratio {:.3} (target ≤ 1.02)",
            on / off, cpu_on / cpu_off
        );
    }
    static NAMES: [&str; 1] = ["op"];
    let meter = askpro::meter::Meter::new(&NAMES);
    let n = 2_000_000u32;
    let started = Instant::now();
    let ((), _) = askpro::meter::tally(async {
        for _ in 0..n {
            meter.time(0, std::future::ready(())).await;
        }
    })
    .await;
    println!(
        "  one counted store operation costs {:.0} ns (timing, histogram, request tally)",
        started.elapsed().as_nanos() as f64 / f64::from(n)
    );
}

/// Part 2: `check_availability` calls on the busy branch.
async fn functions(daemon: (&str, Option<u32>)) {
    let today = chrono::Utc::now().date_naive() + chrono::Duration::days(8);
    let day = today.format("%Y-%m-%d").to_string();
    let calls: Arc<dyn Fn(usize) -> Vec<u8> + Send + Sync> = Arc::new(move |i| function_call(i, &day));
    let f = load(daemon, "/retell/function", 256, calls).await;
    println!(
        "check_availability function calls, local calendar (20 staff, 2,000 appointments in 14 days), 256 connections: {:.0}/s (target ≥ 10,000) p50 {:.2} ms p99 {:.2} ms (target ≤ 20){}{}",
        f.per_second, f.p50_ms, f.p99_ms, f.cpu(),
        if f.errors > 0 { format!(" errors {}", f.errors) } else { String::new() }
    );
}
