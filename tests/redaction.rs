//! No secret reaches output or logs even when an upstream repeats it: a gateway that echoes
//! the bearer key (and other keys it has seen) in a 401, a 404 page or a 5xx, in front of
//! Cal.com and Retell, for every command that talks to them, human and `--json`, and in the
//! daemon's log when a function call meets it. The masked form shows instead.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use askpro::secrets::mask;
use common::daemon::PLATFORM_KEY;
use common::echo::EchoGateway;
use common::{Run, TestDb};
use serde_json::json;

both_backends!(calcom_commands_never_print_an_echoed_key, clone_agent_never_prints_an_echoed_key);

const CAL_KEY: &str = "cal_live_0123456789abcdef0123456789ab9f2c";
const OWN_RETELL_KEY: &str = "key_company_own_0123456789abcdef";

/// The master key of the test database, as the process reads it.
fn master_key(db: &TestDb) -> String {
    match &db.master_key {
        Some(key) => key.clone(),
        None => std::fs::read_to_string(db.path().join("askpro.key")).expect("askpro.key").trim().to_string(),
    }
}

/// A gateway answering `status` with a JSON error (`json`) or an HTML page that repeats the
/// request's key and `others`.
fn gateway(status: u16, json: bool, calcom: bool, others: Vec<String>) -> EchoGateway {
    let (content_type, others) = (if json { "application/json" } else { "text/html" }, others.join(" "));
    EchoGateway::start(status, content_type, move |key| match (json, calcom) {
        (true, true) => json!({"status": "error", "error": {"code": "UnauthorizedException",
            "message": format!("Invalid Access Token {key} ({}; also seen: {others})", key.to_uppercase())}})
        .to_string(),
        (true, false) => {
            json!({"status": "error", "message": format!("Invalid API key {key} ({}); {others}", key.to_uppercase())})
                .to_string()
        }
        (false, _) => {
            format!("<html><body><h1>{status}</h1><pre>Authorization: Bearer {key}\n{others}</pre></body></html>")
        }
    })
}

/// The run failed, printed none of `secrets` anywhere (in any letter case), and showed `masked`
/// instead.
fn assert_redacted(run: &Run, what: &str, secrets: &[&str], masked: &str) {
    assert_ne!(run.code, 0, "{what} cannot succeed against the gateway");
    for secret in secrets.iter().flat_map(|s| [s.to_string(), s.to_uppercase()]) {
        let secret = secret.as_str();
        assert!(!run.stdout.contains(secret), "{what}: a secret on stdout:\n{}", run.stdout);
        assert!(!run.stderr.contains(secret), "{what}: a secret on stderr:\n{}", run.stderr);
    }
    assert!(
        run.stderr.contains(masked) || run.stdout.contains(masked),
        "{what}: the masked key {masked} is not shown:\n{}\n{}",
        run.stdout,
        run.stderr
    );
}

fn calcom_commands_never_print_an_echoed_key(db: &TestDb) {
    db.set_env("RETELL_API_KEY", PLATFORM_KEY);
    let c = db
        .ok(&[
            "company:create",
            "--name",
            "Salon",
            "--scheduling",
            "calcom",
            "--calcom-team-id",
            "77",
            "--calcom-api-key",
            CAL_KEY,
            "-q",
        ])
        .trim()
        .to_string();
    let b = db.branch(c.parse().unwrap(), "Mitte").to_string();
    let master = master_key(db);
    let secrets = [CAL_KEY, PLATFORM_KEY, master.as_str()];
    for (status, json) in [(401, true), (404, false)] {
        let gate = gateway(status, json, true, vec![PLATFORM_KEY.to_string(), master.clone()]);
        db.set_env("CALCOM_BASE_URL", &gate.url);
        for args in [
            vec!["calcom:test-connection", "--company-id", &c],
            vec!["calcom:import-services", "--company-id", &c],
            vec!["calcom:import-staff", "--branch-id", &b],
            vec!["calcom:verify-sync", "--company-id", &c],
        ] {
            for with_json in [false, true] {
                let mut args = args.clone();
                if with_json {
                    args.push("--json");
                }
                let what = format!("{args:?} against a {status}");
                assert_redacted(&db.run(&args), &what, &secrets, &mask(CAL_KEY));
            }
        }
    }
}

fn clone_agent_never_prints_an_echoed_key(db: &TestDb) {
    db.set_env("RETELL_API_KEY", PLATFORM_KEY);
    db.set_env("ASKPRO_PUBLIC_URL", "https://askpro.test");
    let c = db.company("Salon").to_string();
    let b = db.branch(c.parse().unwrap(), "Mitte").to_string();
    let other = db.company("Zweiter Salon").to_string();
    db.ok(&["company:config", "--company-id", &other, "--retell-api-key", OWN_RETELL_KEY]);
    let ob = db.branch(other.parse().unwrap(), "Mitte").to_string();
    let secrets = [OWN_RETELL_KEY, PLATFORM_KEY];
    for (status, json) in [(401, true), (500, false)] {
        let gate = gateway(status, json, false, vec![PLATFORM_KEY.to_string()]);
        db.set_env("RETELL_BASE_URL", &gate.url);
        // The platform key, and a company's own (the process knows both).
        for (company, branch, key) in [(&c, &b, PLATFORM_KEY), (&other, &ob, OWN_RETELL_KEY)] {
            for with_json in [false, true] {
                let mut args =
                    vec!["retell:clone-agent", "--from", "booking-de", "--company-id", company, "--branch-id", branch];
                if with_json {
                    args.push("--json");
                }
                let what = format!("{args:?} against a {status}");
                assert_redacted(&db.run(&args), &what, &secrets, &mask(key));
            }
        }
    }
}

/// The daemon answers a function call whose Cal.com request meets the gateway: neither the
/// answer, nor the callback request stored for the business, nor any log line holds a key.
#[test]
fn the_daemon_logs_no_echoed_key() {
    let db = TestDb::sqlite();
    let c = db
        .ok(&[
            "company:create",
            "--name",
            "Salon",
            "--scheduling",
            "calcom",
            "--calcom-team-id",
            "77",
            "--calcom-api-key",
            CAL_KEY,
            "-q",
        ])
        .trim()
        .to_string();
    db.calcom_haircut_branch(&c, "+493023125100");
    let master = master_key(&db);
    let secrets = [CAL_KEY, PLATFORM_KEY, master.as_str()];

    // A 401 with a JSON log, a failing gateway (retried) with a text log.
    for (status, json, format) in [(401, true, "json"), (503, false, "text")] {
        let gate = gateway(status, json, true, vec![PLATFORM_KEY.to_string(), master.clone()]);
        let mut daemon = Command::new(env!("CARGO_BIN_EXE_askpro-daemon"))
            .args(["--listen", "127.0.0.1:0", "--log-format", format])
            .current_dir(db.path())
            .env("ASKPRO_DATABASE_URL", &db.url)
            .env("RETELL_API_KEY", PLATFORM_KEY)
            .env("CALCOM_BASE_URL", &gate.url)
            .env("ASKPRO_LOG", "debug")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(daemon.stderr.take().unwrap()).lines().map_while(Result::ok);
        let mut log = Vec::new();
        let addr = loop {
            let line = lines.next().expect("the daemon exited before listening");
            log.push(line.clone());
            if let Some(at) = line.find("127.0.0.1:").filter(|_| line.contains("listening")) {
                let port: String = line[at + 10..].chars().take_while(char::is_ascii_digit).collect();
                break format!("127.0.0.1:{port}");
            }
        };
        let body = json!({"name": "check_availability", "args": {"service": "Herrenhaarschnitt", "datum": "2031-03-03", "uhrzeit": "10:00"},
            "call": {"call_id": format!("call_echo_{status}"), "agent_id": "agent_unknown", "from_number": "+4917611111111",
            "to_number": "+493023125100", "call_status": "ongoing"}})
        .to_string();
        let answer = post_signed(&addr, &body);
        assert!(answer.contains("callback_requested"), "the caller hears the fallback: {answer}");
        assert!(Command::new("kill").args(["-TERM", &daemon.id().to_string()]).status().unwrap().success());
        log.extend(lines);
        daemon.wait().unwrap();
        let log = log.join("\n");
        let reasons = common::block_on(db.strings("SELECT COALESCE(reason, '') FROM callback_requests")).join("\n");
        for secret in &secrets {
            assert!(!answer.contains(secret), "{status}: a secret in the answer: {answer}");
            assert!(!log.contains(secret), "{status}: a secret in the log:\n{log}");
            assert!(!reasons.contains(secret), "{status}: a secret in a callback request: {reasons}");
        }
        assert!(log.contains(&mask(CAL_KEY)), "{status}: the failure is logged with the masked key:\n{log}");
    }
}

fn post_signed(addr: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let signature = askpro::signatures::retell::sign(body.as_bytes(), PLATFORM_KEY, askpro::store::now_ms());
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
    write!(
        stream,
        "POST /retell/function HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         X-Retell-Signature: {signature}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
}
