//! The daemon as it stands: it migrates on start, answers /healthz and /readyz, refuses unknown
//! paths with a JSON 404, and drains on SIGTERM. In process on port 0, and as a real process.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use askpro::app::App;
use askpro::config::{Overrides, Settings};
use askpro::daemon::{serve, State};
use askpro::store::PoolSize;
use common::TestDb;

/// A plain HTTP/1.1 GET; returns (status, body).
/// Held by the tests that listen: one of them checks that its port refuses connections after
/// shutdown, which another test's listener could otherwise have taken over in the meantime.
static LISTENING: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

#[test]
fn in_process_health_and_readiness() {
    let _listening = LISTENING.lock().unwrap_or_else(|e| e.into_inner());
    let db = TestDb::sqlite();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let overrides = Overrides { database_url: Some(db.url.clone()), ..Default::default() };
    let settings = Settings::resolve(&overrides, |_| None).unwrap();
    let (addr, stop, server) = runtime.block_on(async {
        let app = App::connect(settings, PoolSize(2)).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, Arc::new(State::new(app).await.unwrap()), async {
            let _ = stopped.await;
        }));
        (addr, stop, server)
    });
    assert_eq!(get(&addr, "/healthz"), (200, r#"{"status":"ok"}"#.to_string()));
    let (status, ready) = get(&addr, "/readyz");
    let ready: serde_json::Value = serde_json::from_str(&ready).unwrap();
    assert_eq!(
        (status, &ready["status"], &ready["version"]),
        (200, &"ready".into(), &env!("CARGO_PKG_VERSION").into())
    );
    assert!(ready["migration"].as_i64().is_some_and(|m| m >= 12), "{ready}");
    let (status, body) = get(&addr, "/nope");
    assert_eq!(status, 404);
    assert!(body.contains(r#""code":"not_found""#));
    stop.send(()).unwrap();
    runtime.block_on(server).unwrap().unwrap();
    assert!(TcpStream::connect(&addr).is_err(), "the listener is closed after shutdown");
}

#[test]
fn as_a_process_it_migrates_serves_and_stops_on_sigterm() {
    let _listening = LISTENING.lock().unwrap_or_else(|e| e.into_inner());
    let db = TestDb::sqlite();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_askpro-daemon"))
        .args(["--listen", "127.0.0.1:0", "--log-format", "json"])
        .current_dir(db.path())
        .env("ASKPRO_DATABASE_URL", &db.url)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("daemon exited before listening").unwrap();
        let log: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|_| panic!("not a JSON log line: {line}"));
        if let Some(a) = log["fields"]["address"].as_str() {
            break a.to_string();
        }
    };
    assert_eq!(get(&addr, "/healthz").0, 200);
    assert_eq!(get(&addr, "/readyz").0, 200);
    // It created and migrated the database on start.
    let status = db.json(&["db:status"]);
    assert!(status.as_array().unwrap().iter().all(|m| m["applied"] == true));
    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "exit after SIGTERM: {exit:?}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.contains("askpro-daemon stopped")), "{rest:?}");
}

#[test]
fn a_bad_database_url_is_a_configuration_error() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_askpro-daemon"))
        .args(["--listen", "127.0.0.1:0", "--database-url", "mysql://nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"));
}

/// On shutdown, a request whose body is still arriving is answered before its connection
/// closes, an idle keep-alive connection is closed at once, and `serve` returns.
#[test]
fn shutdown_answers_requests_in_flight_and_closes_idle_connections() {
    let _listening = LISTENING.lock().unwrap_or_else(|e| e.into_inner());
    let db = TestDb::sqlite();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let overrides = Overrides { database_url: Some(db.url.clone()), ..Default::default() };
    let settings = Settings::resolve(&overrides, |_| None).unwrap();
    let (addr, stop, server) = runtime.block_on(async {
        let app = App::connect(settings, PoolSize(2)).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, Arc::new(State::new(app).await.unwrap()), async {
            let _ = stopped.await;
        }));
        (addr, stop, server)
    });
    let mut idle = TcpStream::connect(&addr).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
    let mut first = [0; 512];
    assert!(idle.read(&mut first).unwrap() > 0);
    let mut busy = TcpStream::connect(&addr).unwrap();
    busy.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let signature = format!("v={},d={}", askpro::store::now_ms(), "0".repeat(64));
    write!(
        busy,
        "POST /retell/webhook HTTP/1.1\r\nHost: t\r\nX-Retell-Signature: {signature}\r\nContent-Length: 4\r\n\r\n{{"
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(200));

    stop.send(()).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(idle.read(&mut first).unwrap_or(0), 0, "the idle connection is closed");
    busy.write_all(b"\"\"}").unwrap();
    let mut response = String::new();
    busy.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 401"), "the request in flight is answered: {response}");
    runtime.block_on(async { tokio::time::timeout(Duration::from_secs(5), server).await }).unwrap().unwrap().unwrap();
}
