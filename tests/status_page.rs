//! `GET /status` in a real headless browser (Debian's `chromium`), on SQLite and PostgreSQL: the
//! daemon in process takes a few signed function calls (one books) and webhooks, then the page is
//! rendered at a phone's size (390×844) and a desktop's (1280×800) without console errors, and its
//! DOM holds the figures: the calls and bookings of the last hour, every check's name and state,
//! each function with its latency, the upstreams. Then a failed delivery shows as a failing check
//! with its fix once the page's kept figures (5 s) expire. Skipped with a message when chromium is
//! absent; required under `CI=true`. `ASKPRO_STATUS_SCREENSHOT=PATH` keeps the phone screenshot
//! (the README's `docs/status-page.png`).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{Datelike, Utc};
use chrono_tz::Europe::Berlin;
use common::daemon::{Daemon, PLATFORM_KEY};
use common::TestDb;
use serde_json::{json, Value};

both_backends!(status_page_in_a_browser);

const BRANCH_PHONE: &str = "+493023125100";
/// Every browser run is killed after this.
const BROWSER_LIMIT: Duration = Duration::from_secs(60);

/// The chromium binary, or `None` (with a message past the harness's capture) when absent.
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser"].iter().find_map(|name| {
        Command::new(name)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .ok()
            .filter(|s| s.success())
            .map(|_| PathBuf::from(name))
    });
    if found.is_none() {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "CI must install chromium (apt-get install chromium)");
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"skipped: the status page in a headless browser (apt-get install chromium to run it)\n",
        );
    }
    found
}

/// Runs chromium headless on `url` with `args`, killed after [`BROWSER_LIMIT`]; (stdout, stderr).
fn browse(chromium: &Path, profile: &Path, size: &str, args: &[&str], url: &str) -> (String, String) {
    let mut child = Command::new(chromium)
        .args(["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage"])
        .args(["--enable-logging=stderr", "--v=0", "--hide-scrollbars"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--window-size={size}"))
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    // Read both pipes on threads so that a full pipe never stalls the browser.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut out, &mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut err, &mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > BROWSER_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium {args:?} took over {} s: killed", BROWSER_LIMIT.as_secs());
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    assert!(status.success(), "chromium {args:?} exited {status}:\n{err}");
    assert_no_console_errors(&err);
    (out, err)
}

/// What the page's console said: nothing (it has no script), and certainly no error.
fn assert_no_console_errors(stderr: &str) {
    let bad: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught") || l.contains("Refused to"))
        .collect();
    assert!(bad.is_empty(), "console messages:\n{}\n\nall of stderr:\n{stderr}", bad.join("\n"));
}

/// A PNG's width and height (its IHDR chunk).
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

fn monday() -> String {
    let today = Utc::now().with_timezone(&Berlin).date_naive();
    let monday = today + chrono::Duration::days(i64::from(7 - today.weekday().num_days_from_monday()) + 7);
    monday.format("%Y-%m-%d").to_string()
}

/// Calls a function as Retell would; returns the answer.
fn call(daemon: &Daemon, call_id: &str, name: &str, args: Value) -> Value {
    let body = json!({"name": name, "args": args, "call": {"call_id": call_id, "agent_id": "agent_unknown",
        "from_number": "+4917611111111", "to_number": BRANCH_PHONE, "call_status": "ongoing"}});
    let (status, answer) = daemon.signed_to("/retell/function", body.to_string().as_bytes(), PLATFORM_KEY);
    assert_eq!(status, 200, "{name}: {answer}");
    serde_json::from_str(&answer).unwrap()
}

fn count(db: &TestDb, sql: &str) -> i64 {
    common::block_on(db.strings(&format!("SELECT CAST(({sql}) AS TEXT)")))[0].parse().unwrap()
}

/// The text of the element with `id` in `dom` (no nested markup).
fn text_of<'a>(dom: &'a str, id: &str) -> &'a str {
    let at = dom.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("#{id} in the DOM:\n{dom}"));
    let rest = &dom[at..];
    let start = rest.find('>').unwrap() + 1;
    let end = rest[start..].find('<').unwrap();
    &rest[start..start + end]
}

/// The `<tr …>` element whose opening tag contains `attr`.
fn row<'a>(dom: &'a str, attr: &str) -> &'a str {
    let at = dom.find(attr).unwrap_or_else(|| panic!("{attr} in the DOM:\n{dom}"));
    let end = dom[at..].find("</tr>").unwrap();
    &dom[at..at + end]
}

fn status_page_in_a_browser(db: &TestDb) {
    let Some(chromium) = chromium() else { return };
    let c = db.company("Salon");
    let cs = c.to_string();
    let b = db.ok(&["branch:create", "--company-id", &cs, "--name", "Mitte", "--phone", BRANCH_PHONE, "-q"]);
    db.service(c, "Herrenhaarschnitt", 30);
    let anna = db.ok(&["staff:create", "--branch-id", b.trim(), "--name", "Anna", "-q"]);
    db.ok(&["staff:assign-services", "--staff-id", anna.trim(), "--services", "all"]);
    // The installation is healthy whatever the test machine's disk holds (its check has tests of
    // its own): only this page is under test here.
    db.ok(&["monitoring:configure-alerts", "--threshold-disk", "100"]);
    let daemon = Daemon::start(db, &[]);

    // Traffic: two calls' functions (one books), and a call's webhooks.
    call(&daemon, "call_status_1", "get_current_context", json!({}));
    let free = call(
        &daemon,
        "call_status_1",
        "check_availability",
        json!({"dienstleistung": "Herrenhaarschnitt", "datum": monday(), "uhrzeit": "10:00"}),
    );
    assert_eq!(free["available"], true, "{free}");
    let booked =
        call(&daemon, "call_status_1", "book_appointment", json!({"slot_id": free["slot_id"], "customer_name": "Max"}));
    assert_eq!(booked["status"], "ok", "{booked}");
    call(&daemon, "call_status_2", "get_current_context", json!({}));
    for name in ["call_started.json", "call_ended.json"] {
        let (status, body) = daemon.signed(&common::fixture(&format!("retell/{name}")), PLATFORM_KEY);
        assert_eq!(status, 200, "{name}: {body}");
    }
    let calls = count(db, "SELECT COUNT(*) FROM calls");
    let bookings = count(db, "SELECT COUNT(*) FROM appointments");
    assert!(calls >= 1 && bookings == 1, "calls {calls}, bookings {bookings}");

    let url = format!("http://{}/status", daemon.addr);
    let page = daemon.get("/status");
    assert!(page.contains("content-type: text/html"), "{page}");
    for external in ["<script", "src=", "href=", "@import", "url("] {
        assert!(!page.contains(external), "no external asset nor script ({external}):\n{page}");
    }
    assert!(page.contains("<meta http-equiv=\"refresh\" content=\"30\">"), "{page}");

    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let (dom, _) = browse(&chromium, &profile, "390,844", &["--dump-dom"], &url);
    assert_eq!(text_of(&dom, "calls-last-hour"), calls.to_string(), "calls of the last hour");
    assert_eq!(text_of(&dom, "bookings-last-hour"), "1", "bookings of the last hour");
    assert_eq!(text_of(&dom, "failing-checks"), "0", "a healthy installation:\n{dom}");
    for check in [
        "installation/database",
        "installation/disk",
        "daemon/error rate",
        "daemon/memory",
        "upstream/calcom",
        "upstream/retell",
        "daemon/failed webhooks",
        "daemon/outbox",
    ] {
        let r = row(&dom, &format!("data-check=\"{check}\""));
        let (scope, name) = check.split_once('/').unwrap();
        assert!(r.contains(&format!("{scope} · {name}")), "{check} named: {r}");
        // PostgreSQL's disk is the server's, watched there.
        let state = if check == "installation/disk" && db.is_postgres() { "– skip" } else { "✓ pass" };
        assert!(r.contains(state), "{check}: {state}: {r}");
    }
    for function in ["get_current_context", "check_availability", "book_appointment"] {
        let r = row(&dom, &format!("data-function=\"{function}\""));
        assert!(r.contains(" ms</td>") && r.contains("≤ "), "{function}'s latency: {r}");
    }
    let context = row(&dom, "data-function=\"get_current_context\"");
    assert!(context.contains("data-label=\"calls\">2</td>"), "{context}");
    for upstream in ["calcom", "retell"] {
        row(&dom, &format!("data-upstream=\"{upstream}\""));
    }

    let phone = dir.path().join("phone.png");
    let wide = dir.path().join("wide.png");
    browse(&chromium, &profile, "390,844", &[&format!("--screenshot={}", phone.display())], &url);
    browse(&chromium, &profile, "1280,800", &[&format!("--screenshot={}", wide.display())], &url);
    let (phone_png, wide_png) = (std::fs::read(&phone).unwrap(), std::fs::read(&wide).unwrap());
    assert_eq!(png_size(&phone_png), (390, 844));
    assert_eq!(png_size(&wide_png), (1280, 800));
    assert!(phone_png.len() > 10_000 && wide_png.len() > 10_000, "the screenshots show something");
    if let Ok(keep) = std::env::var("ASKPRO_STATUS_SCREENSHOT") {
        if !db.is_postgres() {
            std::fs::write(keep, &phone_png).unwrap();
        }
    }

    // A failed delivery: once the kept figures expire, the page says so, with the fix.
    common::block_on(db.execute(&format!(
        "INSERT INTO webhook_events (company_id, source, event, dedupe_key, payload, status, received_at) \
         VALUES ({c}, 'retell', 'call_ended', 'status-1', '{{}}', 'failed', {})",
        askpro::store::now_ms()
    )))
    .unwrap();
    std::thread::sleep(Duration::from_millis(5_200));
    let (dom, _) = browse(&chromium, &profile, "390,844", &["--dump-dom"], &url);
    let failed = row(&dom, "data-check=\"daemon/failed webhooks\"");
    assert!(dom.contains("<tr class=\"fail\" data-check=\"daemon/failed webhooks\""), "{failed}");
    assert!(failed.contains("✗ fail") && failed.contains("fix: askpro webhooks:retry"), "{failed}");
    assert_ne!(text_of(&dom, "failing-checks"), "0", "{dom}");
    assert!(dom.contains("check(s) failing"), "the summary line: {dom}");
}
