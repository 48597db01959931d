//! `monitoring:configure-alerts` and `monitoring:health-check [--alert]` on SQLite and
//! PostgreSQL: a healthy installation (a daemon started here) exits 0; each breach provoked one
//! at a time exits 1 naming it; `--alert` queues one outbox row per target and breach, and none
//! again within the hour. And `/metrics` parsed line by line as Prometheus text.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::daemon::Daemon;
use common::{block_on, Run, TestDb};
use serde_json::Value;

both_backends!(configure_alerts_round_trip, healthy_then_each_breach, alerts_once_an_hour);

fn health(db: &TestDb, args: &[&str]) -> Run {
    let mut all = vec!["monitoring:health-check"];
    all.extend_from_slice(args);
    db.run(&all)
}

/// Exit 1, a ✗ line for `name`, and `name` in the error's summary.
fn breached(run: &Run, scope: &str, name: &str, detail: &str) {
    assert_eq!(run.code, 1, "expected exit 1\nstdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with('✗') && l.contains(&format!(" {name}  ")) && l.contains(detail))
        .unwrap_or_else(|| panic!("no ✗ {name} line mentioning {detail:?}:\n{}", run.stdout));
    assert!(lines[at + 1].trim_start().starts_with("fix: "), "{}", run.stdout);
    assert!(run.stderr.contains(&format!("{scope} {name}")), "the summary names the breach: {}", run.stderr);
}

/// Thresholds a healthy test installation stays under on any machine (a full disk, a busy CPU).
fn lenient(db: &TestDb) {
    db.ok(&["monitoring:configure-alerts", "--threshold-disk", "100", "--threshold-cpu", "6400"]);
}

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
    let (_, body) = rows[1].split_once("|http://127.0.0.1:9/hook|").expect("webhook row");
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

/// A series' labels other than `le`.
type Labels = Vec<(String, String)>;

struct Family {
    kind: String,
    samples: Vec<(String, BTreeMap<String, String>, f64)>,
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// A strict parser of the text exposition format (0.0.4) as askpro-daemon writes it.
fn parse(text: &str) -> BTreeMap<String, Family> {
    assert!(text.ends_with('\n'), "the exposition ends with a line feed");
    let mut families: BTreeMap<String, Family> = BTreeMap::new();
    let mut helped = BTreeSet::new();
    for (n, line) in text.lines().enumerate() {
        let at = format!("line {}: {line:?}", n + 1);
        assert!(!line.is_empty() && line.trim() == line, "{at}: no blank lines or stray spaces");
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').unwrap_or_else(|| panic!("{at}: HELP without text"));
            assert!(valid_name(name) && !help.is_empty(), "{at}");
            assert!(helped.insert(name.to_string()), "{at}: a second HELP for {name}");
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or_else(|| panic!("{at}: TYPE without a type"));
            assert!(valid_name(name), "{at}");
            assert!(["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind), "{at}");
            assert!(!families.contains_key(name), "{at}: a second TYPE for {name}");
            if kind == "counter" {
                assert!(name.ends_with("_total"), "{at}: a counter's name ends in _total");
            }
            families.insert(name.to_string(), Family { kind: kind.to_string(), samples: Vec::new() });
            continue;
        }
        assert!(!line.starts_with('#'), "{at}: only HELP and TYPE comments");
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{at}: no value"));
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("{at}: value {v:?}")),
        };
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => {
                let inner = rest.strip_suffix('}').unwrap_or_else(|| panic!("{at}: unclosed labels"));
                let mut labels = BTreeMap::new();
                for pair in inner.split(',') {
                    let (k, v) = pair.split_once('=').unwrap_or_else(|| panic!("{at}: label {pair:?}"));
                    assert!(valid_name(k) && !k.starts_with("__"), "{at}: label name {k:?}");
                    let v = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or_else(|| panic!("{at}"));
                    assert!(!v.contains('"') && !v.contains('\\'), "{at}: label value {v:?}");
                    assert!(labels.insert(k.to_string(), v.to_string()).is_none(), "{at}: label {k} twice");
                }
                (name, labels)
            }
            None => (series, BTreeMap::new()),
        };
        assert!(valid_name(name), "{at}: name {name:?}");
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .filter_map(|s| name.strip_suffix(s))
            .find(|base| families.get(*base).is_some_and(|f| f.kind == "histogram"))
            .unwrap_or(name);
        let f = families.get_mut(family).unwrap_or_else(|| panic!("{at}: a sample before its TYPE line"));
        if f.kind != "histogram" {
            assert_eq!(name, family, "{at}");
        }
        f.samples.push((name.to_string(), labels, value));
    }
    for (name, f) in families.iter().filter(|(_, f)| f.kind == "histogram") {
        // One series per label set other than `le`.
        let mut series: BTreeMap<Labels, Vec<(f64, f64)>> = BTreeMap::new();
        let mut counts = BTreeMap::new();
        for (sample, labels, value) in &f.samples {
            let key: Labels =
                labels.iter().filter(|(k, _)| *k != "le").map(|(k, v)| (k.clone(), v.clone())).collect();
            if sample.ends_with("_bucket") {
                let le = &labels.get("le").unwrap_or_else(|| panic!("{name}: a bucket without le"));
                let le = if *le == "+Inf" { f64::INFINITY } else { le.parse().expect("le is a number") };
                series.entry(key).or_default().push((le, *value));
            } else if sample.ends_with("_count") {
                counts.insert(key, *value);
            }
        }
        for (key, buckets) in &series {
            assert!(buckets.windows(2).all(|w| w[0].0 < w[1].0), "{name} {key:?}: bounds ascend");
            assert!(buckets.windows(2).all(|w| w[0].1 <= w[1].1), "{name} {key:?}: counts are cumulative");
            let last = buckets.last().unwrap();
            assert!(last.0.is_infinite(), "{name} {key:?}: the last bucket is +Inf");
            assert_eq!(Some(&last.1), counts.get(key), "{name} {key:?}: +Inf equals _count");
        }
    }
    families
}
