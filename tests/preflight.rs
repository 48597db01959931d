//! `preflight:check` on SQLite and PostgreSQL against a healthy installation — a daemon started
//! here, a salon booking locally and a practice booking in the Cal.com fake, both answered by
//! agents cloned in the Retell fake with their numbers bound — and then each failure provoked
//! one at a time: exit 1, and the ✗ line with its fix.

mod common;

use askpro_fakes::retell::{FakeRetell, Settings};
use common::calcom::{salon, weekdays, ANNA, EVENT_TYPE};
use common::daemon::{Daemon, PLATFORM_KEY};
use common::{Run, TestDb};
use serde_json::{json, Value};

both_backends!(healthy_then_each_failure);

const HOURS: &str =
    r#"{"monday": {"open": "09:00", "close": "18:00"}, "tuesday": {"open": "09:00", "close": "18:00"}}"#;

struct Installation {
    retell: FakeRetell,
    _calcom: askpro_fakes::calcom::FakeCalcom,
    daemon: Daemon,
    /// The local salon's branch and agent.
    branch: String,
    agent: String,
    /// The Cal.com practice.
    practice: String,
}

/// Onboards a branch of `company` with `phone`: staff who performs everything, an agent from
/// the template, and the number (imported in the Retell fake) bound to it. Returns (branch, agent).
fn onboard(db: &TestDb, retell: &FakeRetell, company: &str, phone: &str, staff: &[&str]) -> (String, String) {
    let branch = db.ok(&[
        "branch:create",
        "--company-id",
        company,
        "--name",
        "Mitte",
        "--phone",
        phone,
        "--business-hours",
        HOURS,
        "-q",
    ]);
    let branch = branch.trim().to_string();
    let mut args = vec!["staff:create", "--branch-id", &branch, "--name", "Anna", "-q"];
    args.extend_from_slice(staff);
    let staff = db.ok(&args);
    db.ok(&["staff:assign-services", "--staff-id", staff.trim(), "--services", "all"]);
    let agent =
        db.ok(&["retell:clone-agent", "--from", "booking-de", "--company-id", company, "--branch-id", &branch, "-q"]);
    let agent = agent.trim().to_string();
    retell.with_model(|m| {
        m.numbers
            .insert(phone.into(), json!({"phone_number": phone, "phone_number_type": "custom", "inbound_agents": []}));
    });
    db.ok(&["retell:assign-phone", "--agent-id", &agent, "--phone", phone]);
    (branch, agent)
}

fn healthy(db: &TestDb) -> Installation {
    // Retell signs with the key the daemon verifies with; the fake takes it as its API key.
    let retell = FakeRetell::start(Settings { api_key: PLATFORM_KEY.into(), ..Settings::default() });
    let daemon = Daemon::start(db, &[]);
    db.set_env("RETELL_BASE_URL", &retell.url);
    db.set_env("RETELL_API_KEY", PLATFORM_KEY);
    db.set_env("ASKPRO_PUBLIC_URL", &format!("http://{}", daemon.addr));

    let c = db.company("Salon Schnittpunkt").to_string();
    db.service(c.parse().unwrap(), "Herrenhaarschnitt", 30);
    let (branch, agent) = onboard(db, &retell, &c, "+493023125100", &[]);

    let calcom = salon(Default::default(), weekdays(9 * 60, 18 * 60), 30, None);
    let practice = db.calcom_company("Physio Nord", &calcom).to_string();
    let et = EVENT_TYPE.to_string();
    db.ok(&[
        "service:create",
        "--company-id",
        &practice,
        "--name",
        "Herrenhaarschnitt",
        "--duration",
        "30",
        "--calcom-event-type-id",
        &et,
        "-q",
    ]);
    onboard(db, &retell, &practice, "+494055500100", &["--calcom-user-id", &ANNA.to_string()]);
    Installation { retell, _calcom: calcom, daemon, branch, agent, practice }
}

fn preflight(db: &TestDb, args: &[&str]) -> Run {
    let mut all = vec!["preflight:check"];
    all.extend_from_slice(args);
    db.run(&all)
}

/// Exit 1 and a ✗ line for `name` mentioning `detail`, followed by its fix mentioning `fix`.
fn fails(run: &Run, name: &str, detail: &str, fix: &str) {
    assert_eq!(run.code, 1, "expected exit 1\nstdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with('✗') && l.contains(&format!("  {name}  ")) && l.contains(detail))
        .unwrap_or_else(|| panic!("no ✗ {name} line mentioning {detail:?}:\n{}", run.stdout));
    let next = lines.get(at + 1).copied().unwrap_or("");
    assert!(
        next.trim_start().starts_with("fix: ") && next.contains(fix),
        "fix of {name} should mention {fix:?}: {next}\n{}",
        run.stdout
    );
    assert!(run.stderr.contains("error: ") && run.stderr.contains("check(s) failed"), "{}", run.stderr);
}

/// The checks named `name` in a JSON report.
fn named<'a>(report: &'a Value, name: &str) -> Vec<&'a Value> {
    report["checks"].as_array().unwrap().iter().filter(|c| c["name"] == name).collect()
}

fn healthy_then_each_failure(db: &TestDb) {
    let inst = healthy(db);

    // Healthy: every check passes (a nearly full disk on the test machine is only a warning).
    let run = preflight(db, &["--json"]);
    let report: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    assert_eq!((run.code, &report["ok"]), (0, &json!(true)), "{}\n{}", run.stdout, run.stderr);
    let failed: Vec<&Value> = report["checks"].as_array().unwrap().iter().filter(|c| c["status"] == "fail").collect();
    assert!(failed.is_empty(), "{failed:?}");
    for name in [
        "database",
        "migrations",
        "master key",
        "reachable",
        "version",
        "signatures",
        "failed webhooks",
        "retell key",
        "agent",
        "agent published",
        "agent URLs",
        "agent drift",
        "phone",
        "can book",
        "calcom",
        "services mapped",
        "staff mapped",
    ] {
        let checks = named(&report, name);
        assert!(!checks.is_empty() && checks.iter().all(|c| c["status"] == "pass"), "{name}: {checks:?}");
    }
    assert_eq!(named(&report, "agent").len(), 2, "one per branch of both companies");
    let signed = named(&report, "signatures")[0]["detail"].as_str().unwrap();
    assert!(signed.contains("forged one refused"), "{signed}");
    if !db.is_postgres() {
        assert_eq!(named(&report, "file permissions")[0]["status"], "pass");
    }
    // The human form: a line per check, a summary; stdout only.
    let human = preflight(db, &[]);
    assert_eq!(human.code, 0, "{}", human.stderr);
    assert!(human.stdout.lines().any(|l| l.starts_with("✓ daemon") && l.contains("signatures")), "{}", human.stdout);
    assert!(human.stdout.lines().last().unwrap().contains(" failed, "), "{}", human.stdout);

    // --skip-external: Retell and Cal.com are not asked, and say so.
    let asked = inst.retell.seen().len();
    let started = std::time::Instant::now();
    let run = preflight(db, &["--skip-external", "--json"]);
    let took = started.elapsed();
    eprintln!(
        "preflight:check --skip-external on a healthy installation took {:.0} ms ({})",
        took.as_secs_f64() * 1000.0,
        if db.is_postgres() { "PostgreSQL" } else { "SQLite" }
    );
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!((run.code, &report["ok"]), (0, &json!(true)), "{}", run.stdout);
    assert_eq!(inst.retell.seen().len(), asked, "Retell was not asked");
    for name in ["retell key", "agent URLs", "agent drift", "phone", "calcom"] {
        let checks = named(&report, name);
        assert!(
            checks.iter().all(|c| c["status"] == "skip" && c["detail"].as_str().unwrap().contains("--skip-external")),
            "{name}: {checks:?}"
        );
    }
    assert!(named(&report, "agent").iter().all(|c| c["status"] == "pass"), "local checks still run");

    // One company only.
    let run = preflight(db, &["--company-id", &inst.practice, "--json"]);
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(
        report["checks"].as_array().unwrap().iter().all(|c| !c["scope"].as_str().unwrap().starts_with("company 1")),
        "{report}"
    );

    // A wrong public URL: nothing answers there, and the agents point at the daemon instead.
    let run =
        Run::from(db.cmd().args(["preflight:check"]).env("ASKPRO_PUBLIC_URL", "http://127.0.0.1:9").output().unwrap());
    fails(&run, "reachable", "cannot reach http://127.0.0.1:9/readyz", "start askpro-daemon");
    fails(
        &run,
        "agent URLs",
        "does not point at ASKPRO_PUBLIC_URL http://127.0.0.1:9",
        "retell:clone-agent --from agent_",
    );

    // An agent whose webhook points elsewhere.
    let webhook = |url: &str| {
        inst.retell.with_model(|m| {
            for version in m.agents.get_mut(&inst.agent).unwrap() {
                version["webhook_url"] = json!(url);
            }
        })
    };
    webhook("https://elsewhere.example/retell/webhook");
    fails(
        &preflight(db, &[]),
        "agent URLs",
        "webhook → https://elsewhere.example/retell/webhook",
        &format!("retell:clone-agent --from {}", inst.agent),
    );
    webhook(&format!("http://{}/retell/webhook", inst.daemon.addr));

    // An agent whose flow was edited in Retell's dashboard.
    let flow = inst.retell.with_model(|m| {
        m.agent(&inst.agent).unwrap()["response_engine"]["conversation_flow_id"].as_str().unwrap().to_string()
    });
    let prompt = |edit: &dyn Fn(&str) -> String| {
        inst.retell.with_model(|m| {
            let latest = m.flows.get_mut(&flow).unwrap().last_mut().unwrap();
            latest["global_prompt"] = json!(edit(latest["global_prompt"].as_str().unwrap()));
        })
    };
    prompt(&|p| format!("{p} Edited."));
    fails(&preflight(db, &[]), "agent drift", "was edited outside askpro", "retell:clone-agent --from booking-de");
    prompt(&|p| p.trim_end_matches(" Edited.").to_string());

    // A Cal.com service not linked to an event type.
    let unlinked =
        db.ok(&["service:create", "--company-id", &inst.practice, "--name", "Massage", "--duration", "30", "-q"]);
    fails(
        &preflight(db, &[]),
        "services mapped",
        "Massage",
        &format!("calcom:import-services --company-id {}", inst.practice),
    );
    common::block_on(db.execute(&format!("DELETE FROM services WHERE id = {}", unlinked.trim()))).unwrap();

    // A branch without active staff.
    let staff = |active: &str| {
        common::block_on(db.execute(&format!("UPDATE staff SET active = {active} WHERE branch_id = {}", inst.branch)))
            .unwrap()
    };
    staff("FALSE");
    fails(
        &preflight(db, &[]),
        "can book",
        "'Mitte' cannot book: no active staff member",
        &format!("staff:create --branch-id {}", inst.branch),
    );
    staff("TRUE");

    // A pending migration; its fix is the fix.
    common::block_on(db.execute("DELETE FROM _sqlx_migrations WHERE version = 12")).unwrap();
    fails(&preflight(db, &[]), "migrations", "pending: 0012", "askpro db:migrate");
    db.ok(&["db:migrate"]);
    // A migration this binary does not know: the database is newer.
    let checksum = if db.is_postgres() { "'\\x00'::bytea" } else { "X'00'" };
    common::block_on(db.execute(&format!(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (9999, 'from the future', TRUE, {checksum}, 0)"
    )))
    .unwrap();
    fails(&preflight(db, &[]), "migrations", "9999", "install the askpro release that migrated it");
    common::block_on(db.execute("DELETE FROM _sqlx_migrations WHERE version = 9999")).unwrap();

    // A wrong master key: the Cal.com key stored for the practice does not open.
    let other = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let run = Run::from(
        db.cmd().args(["preflight:check", "--skip-external"]).env("ASKPRO_MASTER_KEY", other).output().unwrap(),
    );
    fails(&run, "master key", "cannot decrypt 1 of 1 stored secret(s)", "restore askpro.key or ASKPRO_MASTER_KEY");

    // A delivery that failed to process, and a notification waiting in the outbox (a warning).
    let payload = if db.is_postgres() { "convert_to('{}', 'UTF8')" } else { "'{}'" };
    let now = askpro::store::now_ms();
    common::block_on(db.execute(&format!(
        "INSERT INTO webhook_events (company_id, source, event, external_id, dedupe_key, payload, status, attempts, \
         received_at) VALUES (1, 'retell', 'call_started', 'call_x', 'retell:call_started:call_x', {payload}, 'failed', 1, {now})"
    )))
    .unwrap();
    common::block_on(db.execute(&format!(
        "INSERT INTO notification_outbox (company_id, channel, target, subject, body, created_at) \
         VALUES (1, 'email', 'salon@example.test', 'Rückruf', 'Bitte zurückrufen', {now})"
    )))
    .unwrap();
    let run = preflight(db, &[]);
    fails(&run, "failed webhooks", "1 delivery(ies) failed to process", "askpro webhooks:retry --hours 1");
    assert!(
        run.stdout.lines().any(|l| l.starts_with("! daemon") && l.contains("1 notification(s) waiting")),
        "{}",
        run.stdout
    );
    common::block_on(db.execute("DELETE FROM webhook_events WHERE external_id = 'call_x'")).unwrap();
    assert_eq!(preflight(db, &[]).code, 0, "a warning alone does not fail");

    // Healthy again, then the daemon stops.
    assert_eq!(preflight(db, &[]).code, 0, "every provoked failure was undone");
    drop(inst.daemon);
    fails(&preflight(db, &[]), "reachable", "cannot reach", "start askpro-daemon");
}

/// Nothing set up here: no database, no public URL. Exit 6 (configuration missing), with the
/// report still printed — one JSON document with `--json`.
#[test]
fn missing_configuration_exits_6() {
    let db = TestDb::sqlite();
    let run = preflight(&db, &["--json"]);
    assert_eq!(run.code, 6, "{}\n{}", run.stdout, run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    assert_eq!(report["ok"], false);
    let database = named(&report, "database")[0];
    assert_eq!(database["status"], "fail");
    assert!(database["detail"].as_str().unwrap().contains("there is no database"), "{database}");
    assert!(database["fix"].as_str().unwrap().contains("ASKPRO_DATABASE_URL"), "{database}");
    assert_eq!(named(&report, "public URL")[0]["status"], "fail");
    assert_eq!(named(&report, "migrations")[0]["status"], "skip");
    assert!(!db.path().join("askpro.db").exists(), "preflight created no database");

    // A database, but no ASKPRO_PUBLIC_URL: still exit 6, and the daemon's checks are skipped.
    db.company("Salon");
    let run = preflight(&db, &[]);
    assert_eq!(run.code, 6, "{}", run.stdout);
    assert!(run.stdout.lines().any(|l| l.starts_with("✗ installation") && l.contains("ASKPRO_PUBLIC_URL is not set")));
    assert!(run.stdout.lines().any(|l| l.starts_with("– daemon") && l.contains("reachable")), "{}", run.stdout);
    assert!(run.stderr.contains("error: ") && run.stderr.contains("missing setting"), "{}", run.stderr);
    let run = preflight(&db, &["--company-id", "99"]);
    assert!(run.stdout.lines().any(|l| l.starts_with('✗') && l.contains("there is no company 99")), "{}", run.stdout);
}

/// Retell and the daemon accept connections but never answer: each check gives up after
/// `--timeout`, and the whole run takes about that long, not the clients' own 30 s.
#[test]
fn each_check_has_its_own_timeout() {
    let db = TestDb::sqlite();
    // Connections are accepted by the kernel into the backlog and never served.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    db.set_env("RETELL_BASE_URL", &url);
    db.set_env("RETELL_API_KEY", PLATFORM_KEY);
    db.set_env("ASKPRO_PUBLIC_URL", &url);
    db.company("Salon");
    let started = std::time::Instant::now();
    let run = preflight(&db, &["--timeout", "1"]);
    let took = started.elapsed();
    fails(&run, "retell key", "did not answer within 1 s", "RETELL_API_KEY");
    fails(&run, "reachable", "cannot reach", "start askpro-daemon");
    assert!(took < std::time::Duration::from_secs(5), "took {took:?}");
}
