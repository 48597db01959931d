//! Where the daemon's database time goes, and `performance:analyze` reading it, on SQLite and
//! PostgreSQL: the daemon counts every store operation and every request's operations, serves
//! them at `/admin/performance` and `/metrics`, and saves them to the database.

mod common;

use std::time::{Duration, Instant};

use common::daemon::{Daemon, PLATFORM_KEY};
use common::TestDb;
use serde_json::{json, Value};

both_backends!(a_daemon_counts_serves_and_saves_its_store_time);
both_backends!(counters_can_be_turned_off);

const BRANCH_PHONE: &str = "+493023125100";

/// A company with one branch, one service and one staff member who performs it.
fn salon(db: &TestDb) -> i64 {
    let c = db.company("Salon");
    let cs = c.to_string();
    let b = db.ok(&["branch:create", "--company-id", &cs, "--name", "Mitte", "--phone", BRANCH_PHONE, "-q"]);
    db.service(c, "Herrenhaarschnitt", 30);
    let anna = db.ok(&["staff:create", "--branch-id", b.trim(), "--name", "Anna", "-q"]);
    db.ok(&["staff:assign-services", "--staff-id", anna.trim(), "--services", "all"]);
    c
}

fn call(daemon: &Daemon, call_id: &str, name: &str, args: Value) -> Value {
    let body = json!({"name": name, "args": args, "call": {"call_id": call_id, "agent_id": "agent_unknown", "from_number": "+4917611111111", "to_number": BRANCH_PHONE, "call_status": "ongoing"}});
    let (status, answer) = daemon.signed_to("/retell/function", body.to_string().as_bytes(), PLATFORM_KEY);
    assert_eq!(status, 200, "{name}: {answer}");
    serde_json::from_str(&answer).unwrap()
}

fn body(response: &str) -> &str {
    response.split("\r\n\r\n").nth(1).unwrap_or("")
}

fn a_daemon_counts_serves_and_saves_its_store_time(db: &TestDb) {
    salon(db);
    let daemon = Daemon::start(db, &[("ASKPRO_METER_SAVE_SECS", "1")]);
    for i in 0..3 {
        call(&daemon, &format!("call_{i}"), "check_customer", json!({}));
        call(
            &daemon,
            &format!("call_{i}"),
            "check_availability",
            json!({"service": "Herrenhaarschnitt", "date": "morgen", "time": "10:00"}),
        );
    }
    let admin: Value = serde_json::from_str(body(&daemon.get("/admin/performance"))).unwrap();
    let op = |name: &str| admin["ops"].as_array().unwrap().iter().find(|o| o["op"] == name).cloned();
    let lookup = op("customer_by_phone").unwrap_or_else(|| panic!("check_customer looks the caller up: {admin}"));
    assert!(lookup["calls"].as_u64().unwrap() >= 3, "{lookup}");
    assert!(lookup["total_ms"].as_f64().unwrap() > 0.0, "{lookup}");
    let kind = |name: &str| admin["requests"].as_array().unwrap().iter().find(|r| r["kind"] == name).cloned();
    let checks = kind("check_customer").unwrap_or_else(|| panic!("requests are counted by function: {admin}"));
    assert_eq!(checks["requests"], 3);
    assert!(checks["operations"].as_u64().unwrap() >= 3, "{checks}");
    assert!(kind("check_availability").is_some(), "{admin}");
    for r in admin["requests"].as_array().unwrap() {
        assert_eq!(r["repeats"], json!([]), "askpro's own requests run no operation once per item: {r}");
    }
    let tenants = admin["caches"].as_array().unwrap().iter().find(|c| c["cache"] == "tenants").cloned().unwrap();
    assert_eq!(tenants["hits"].as_u64().unwrap() + tenants["misses"].as_u64().unwrap(), 6, "{tenants}");
    assert!(tenants["hits"].as_u64().unwrap() >= 5, "one call's tenant is looked up once: {tenants}");

    let metrics = daemon.get("/metrics");
    assert!(metrics.contains("askpro_store_operations_total{op=\"customer_by_phone\"}"), "{metrics}");
    assert!(metrics.contains("askpro_request_store_operations_total{kind=\"check_customer\"}"), "{metrics}");
    assert!(metrics.contains("askpro_cache_lookups_total{cache=\"tenants\",result=\"hit\"}"), "{metrics}");

    // Saved within a second or two, for a CLI that runs without the daemon.
    let deadline = Instant::now() + Duration::from_secs(10);
    let saved = loop {
        let rows = common::block_on(db.strings("SELECT snapshot FROM meter_snapshots"));
        let counted = rows.iter().filter_map(|r| serde_json::from_str::<Value>(r).ok()).find(|s| {
            s["requests"]
                .as_array()
                .is_some_and(|r| r.iter().any(|k| k["kind"] == "check_customer" && k["requests"] == 3))
        });
        if let Some(s) = counted {
            break s;
        }
        assert!(Instant::now() < deadline, "the daemon saved no counters within 10 s: {rows:?}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(saved["instance"].as_str().unwrap().contains(':'), "{saved}");
}

fn counters_can_be_turned_off(db: &TestDb) {
    salon(db);
    let daemon = Daemon::start(db, &[("ASKPRO_STORE_COUNTERS", "off"), ("ASKPRO_METER_SAVE_SECS", "1")]);
    call(&daemon, "call_off", "check_customer", json!({}));
    let admin = daemon.get("/admin/performance");
    assert!(admin.starts_with("HTTP/1.1 404") && admin.contains("counters_off"), "{admin}");
    assert!(!daemon.get("/metrics").contains("askpro_store_operations_total"));
    std::thread::sleep(Duration::from_millis(1500));
    assert!(common::block_on(db.strings("SELECT instance FROM meter_snapshots")).is_empty());
}
