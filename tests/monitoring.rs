//! `monitoring:configure-alerts` and `monitoring:health-check [--alert]` on SQLite and
//! PostgreSQL: a healthy installation (a daemon started here) exits 0; each breach provoked one
//! at a time exits 1 naming it; `--alert` queues one outbox row per target and breach, and none
//! again within the hour. And `/metrics` parsed line by line as Prometheus text. (What the
//! daemon saw of the upstreams: `tests/monitoring_upstream.rs`, a process of its own.)

mod common;

use std::collections::BTreeSet;

use common::daemon::Daemon;
use common::monitoring::{breached, health, lenient, parse};
use common::{block_on, TestDb};
use serde_json::Value;

both_backends!(configure_alerts_round_trip, healthy_then_each_breach, alerts_once_an_hour);

fn configure_alerts_round_trip(db: &TestDb) {
    let shown = db.json(&["monitoring:configure-alerts"]);
    assert_eq!(shown["email"], Value::Null);
    assert_eq!(shown["threshold_cpu"], 80.0);
    assert_eq!(shown["threshold_memory"], 1024.0);
    assert_eq!(shown["threshold_disk"], 90.0);
    assert_eq!(shown["threshold_error_rate"], 5.0);
    assert_eq!(shown["defaults"].as_array().unwrap().len(), 4);

    db.ok(&[
        "monitoring:configure-alerts",
        "--email",
        "ops@example.com",
        "--webhook-url",
        "https://hooks.slack.com/services/T0/B0/sekret",
        "--threshold-cpu",
        "150",
        "--threshold-memory",
        "512",
        "--threshold-disk",
        "85.5",
        "--threshold-error-rate",
        "2",
    ]);
    let shown = db.json(&["monitoring:configure-alerts"]);
    assert_eq!(shown["email"], "ops@example.com");
    assert_eq!(shown["webhook_url"], "https://hooks.slack.com/…", "the webhook's path is its credential");
    assert_eq!(shown["threshold_cpu"], 150.0);
    assert_eq!(shown["threshold_memory"], 512.0);
    assert_eq!(shown["threshold_disk"], 85.5);
    assert_eq!(shown["threshold_error_rate"], 2.0);
    assert_eq!(shown["defaults"], serde_json::json!([]));
    let human = db.ok(&["monitoring:configure-alerts"]);
    assert!(human.contains("ops@example.com") && human.contains("512 MB") && !human.contains("sekret"), "{human}");

    // One flag changes one setting; '' removes a target.
    db.ok(&["monitoring:configure-alerts", "--email", "", "--threshold-disk", "70"]);
    let shown = db.json(&["monitoring:configure-alerts"]);
    assert_eq!(shown["email"], Value::Null);
    assert_eq!(shown["threshold_disk"], 70.0);
    assert_eq!(shown["threshold_memory"], 512.0);

    for (args, flag) in [
        (vec!["--email", "ops.example.com"], "--email"),
        (vec!["--webhook-url", "hooks.slack.com/x"], "--webhook-url"),
        (vec!["--threshold-cpu", "0"], "--threshold-cpu"),
        (vec!["--threshold-memory", "-5"], "--threshold-memory"),
        (vec!["--threshold-disk", "101"], "--threshold-disk"),
        (vec!["--threshold-error-rate", "abc"], "--threshold-error-rate"),
    ] {
        let mut all = vec!["monitoring:configure-alerts"];
        all.extend_from_slice(&args);
        let run = db.run(&all);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(flag), "{args:?} names {flag}: {}", run.stderr);
    }
    // Nothing was changed by the refused runs.
    assert_eq!(db.json(&["monitoring:configure-alerts"])["threshold_disk"], 70.0);
}

fn healthy_then_each_breach(db: &TestDb) {
    let company = db.company("Salon Schnittpunkt");

    // No public URL: configuration missing.
    let run = health(db, &[]);
    assert_eq!(run.code, 6, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("ASKPRO_PUBLIC_URL"), "{}", run.stdout);

    let daemon = Daemon::start(db, &[]);
    db.set_env("ASKPRO_PUBLIC_URL", &format!("http://{}", daemon.addr));
    lenient(db);
    let run = health(db, &[]);
    assert_eq!(run.code, 0, "healthy:\n{}\n{}", run.stdout, run.stderr);
    let report = db.json(&["monitoring:health-check"]);
    assert_eq!(report["ok"], true);
    let names: BTreeSet<String> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{}/{}", c["scope"].as_str().unwrap(), c["name"].as_str().unwrap()))
        .collect();
    for name in [
        "installation/database",
        "installation/disk",
        "daemon/reachable",
        "daemon/error rate",
        "daemon/memory",
        "daemon/cpu",
        "daemon/failed webhooks",
        "daemon/outbox",
        "upstream/calcom",
        "upstream/retell",
    ] {
        assert!(names.contains(name), "{name} measured: {names:?}");
    }
    let memory = report["checks"].as_array().unwrap().iter().find(|c| c["name"] == "memory").unwrap();
    assert_eq!(memory["status"], "pass", "the daemon's memory comes from /metrics: {memory}");

    // Memory over 1 MB.
    db.ok(&["monitoring:configure-alerts", "--threshold-memory", "1"]);
    breached(&health(db, &[]), "daemon", "memory", "MB resident, threshold 1 MB");
    db.ok(&["monitoring:configure-alerts", "--threshold-memory", "100000"]);

    // Failed function answers in the last 15 minutes, over a 5 % error rate.
    let now = askpro::store::now_ms();
    for (i, status) in ["error", "error", "ok"].iter().enumerate() {
        block_on(db.execute(&format!(
            "INSERT INTO function_calls (company_id, call_id, name, args_hash, response, created_at) \
             VALUES ({company}, 'call_mon', 'book_appointment', 'h{i}', '{{\"status\":\"{status}\",\"message\":\"x\"}}', {now})"
        )))
        .unwrap();
    }
    breached(&health(db, &[]), "daemon", "error rate", "2 of 3 function answers");
    // Old failures do not count.
    block_on(db.execute(&format!("UPDATE function_calls SET created_at = {}", now - 16 * 60_000))).unwrap();
    assert_eq!(health(db, &[]).code, 0);

    // A failed webhook delivery: over the error rate, and waiting for webhooks:retry.
    block_on(db.execute(&format!(
        "INSERT INTO webhook_events (company_id, source, event, dedupe_key, payload, status, received_at) \
         VALUES ({company}, 'retell', 'call_ended', 'mon-1', '{{}}', 'failed', {now})"
    )))
    .unwrap();
    let run = health(db, &[]);
    breached(&run, "daemon", "error rate", "1 of 1 webhooks");
    breached(&run, "daemon", "failed webhooks", "failed to process");
    block_on(db.execute("DELETE FROM webhook_events")).unwrap();

    // A tiny disk threshold (the PostgreSQL server's disk is not the CLI's to measure).
    db.ok(&["monitoring:configure-alerts", "--threshold-disk", "0.001"]);
    let run = health(db, &[]);
    if db.is_postgres() {
        assert_eq!(run.code, 0, "{}", run.stdout);
        assert!(run.stdout.lines().any(|l| l.starts_with('–') && l.contains(" disk ")), "{}", run.stdout);
    } else {
        breached(&run, "installation", "disk", "threshold 0.001 %");
    }
    lenient(db);
    assert_eq!(health(db, &[]).code, 0);

    // The daemon down.
    drop(daemon);
    let run = health(db, &[]);
    breached(&run, "daemon", "reachable", "cannot reach");
    assert!(run.stdout.lines().any(|l| l.starts_with('–') && l.contains(" memory ")), "{}", run.stdout);
}

fn alerts_once_an_hour(db: &TestDb) {
    let daemon = Daemon::start(db, &[]);
    db.set_env("ASKPRO_PUBLIC_URL", &format!("http://{}", daemon.addr));
    lenient(db);

    // --alert without a target: the report, then exit 6 naming the command that sets one.
    db.ok(&["monitoring:configure-alerts", "--threshold-memory", "1"]);
    let run = health(db, &["--alert"]);
    assert_eq!(run.code, 6, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("monitoring:configure-alerts"), "{}", run.stderr);

    db.ok(&["monitoring:configure-alerts", "--email", "ops@example.com", "--webhook-url", "http://127.0.0.1:9/hook"]);
    let run = health(db, &["--alert"]);
    breached(&run, "daemon", "memory", "threshold 1 MB");
    assert!(run.stdout.contains("alert queued for daemon/memory"), "{}", run.stdout);
    let rows = block_on(db.strings(
        "SELECT channel || '|' || target || '|' || body FROM notification_outbox \
         WHERE company_id IS NULL AND status = 'pending' ORDER BY channel",
    ));
    assert_eq!(rows.len(), 2, "one row per target: {rows:?}");
    assert!(rows[0].starts_with("email|ops@example.com|") && rows[0].contains("memory"), "{}", rows[0]);
    // The webhook's URL (its credential) stays sealed in the settings; the row names where it is.
    let (_, body) = rows[1].split_once("|alert_settings.webhook_url|").expect("webhook row");
    let plain = "SELECT COUNT(*) FROM alert_settings WHERE webhook_url LIKE '%127.0.0.1:9/hook%'";
    assert_eq!(block_on(db.strings(&format!("SELECT CAST(({plain}) AS TEXT)"))), ["0"], "the URL is stored sealed");
    let outbox = "SELECT COUNT(*) FROM notification_outbox WHERE target LIKE '%/hook%' OR body LIKE '%/hook%'";
    assert_eq!(block_on(db.strings(&format!("SELECT CAST(({outbox}) AS TEXT)"))), ["0"], "nor in the outbox");
    let body: Value = serde_json::from_str(body).expect("the webhook body is JSON");
    assert!(body["text"].as_str().unwrap().contains("daemon memory"), "Slack-style {{\"text\"}}: {body}");

    // Within the hour: none again, and the output says so.
    let run = health(db, &["--alert", "--json"]);
    assert_eq!(run.code, 1);
    let report: Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    assert_eq!(report["alerts"][0]["breach"], "daemon/memory");
    assert_eq!(report["alerts"][0]["queued"], false);
    assert_eq!(block_on(db.strings("SELECT CAST(COUNT(*) AS TEXT) FROM notification_outbox")), ["2"]);

    // A second breach is its own alert; an hour after the first, that one goes out again.
    db.ok(&["monitoring:configure-alerts", "--threshold-disk", "0.001"]);
    if !db.is_postgres() {
        let run = health(db, &["--alert"]);
        assert!(run.stdout.contains("alert queued for installation/disk"), "{}", run.stdout);
        assert!(run.stdout.contains("alert for daemon/memory not queued"), "{}", run.stdout);
        assert_eq!(block_on(db.strings("SELECT CAST(COUNT(*) AS TEXT) FROM notification_outbox")), ["4"]);
    }
    let hour_ago = askpro::store::now_ms() - 3_600_001;
    block_on(db.execute(&format!("UPDATE alerts_sent SET sent_at = {hour_ago}"))).unwrap();
    let run = health(db, &["--alert"]);
    assert!(run.stdout.contains("alert queued for daemon/memory"), "{}", run.stdout);
}

/// `/metrics` after some traffic, parsed strictly: every sample's family has a TYPE line before
/// it, names are valid, counters end in `_total`, each histogram's buckets ascend to `+Inf` with
/// cumulative counts equal to `_count`; the upstream and process metrics are there.
#[test]
fn metrics_are_prometheus_text() {
    let db = TestDb::sqlite();
    db.company("Salon Schnittpunkt");
    let daemon = Daemon::start(&db, &[]);
    let _ = daemon.get("/readyz");
    let _ = daemon.post("/retell/function", b"{}", Some("v=1,d=forged"));
    let response = daemon.get("/metrics");
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    assert!(head.contains("text/plain; version=0.0.4"), "{head}");

    let families = parse(body);
    for name in [
        "askpro_upstream_request_duration_seconds",
        "askpro_upstream_requests_total",
        "askpro_upstream_errors_total",
        "process_resident_memory_bytes",
        "process_cpu_seconds_total",
        "askpro_requests_total",
    ] {
        assert!(families.contains_key(name), "{name} in /metrics:\n{body}");
    }
    assert_eq!(families["askpro_upstream_request_duration_seconds"].kind, "histogram");
    for upstream in ["calcom", "retell"] {
        let f = &families["askpro_upstream_request_duration_seconds"];
        assert!(f.samples.iter().any(|(_, labels, _)| labels.get("upstream").is_some_and(|u| u == upstream)));
        let errors = &families["askpro_upstream_errors_total"];
        assert!(errors.samples.iter().any(|(_, labels, _)| labels["upstream"] == upstream), "{upstream} errors");
    }
    let rss = families["process_resident_memory_bytes"].samples[0].2;
    assert!(rss > 1e6, "a process keeps more than 1 MB resident: {rss}");
}
