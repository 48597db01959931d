//! The daemon cannot reach Cal.com: its calls are recorded per upstream in `/metrics` (the
//! histogram, the outcome and error counters), and `monitoring:health-check` names the
//! upstream's error rate. A test binary of its own: the upstream registry is the process's, and
//! would show these failures to every other daemon started in the same process.

mod common;

use common::daemon::{Daemon, PLATFORM_KEY};
use common::monitoring::{breached, health, lenient, parse};
use common::TestDb;

#[test]
fn upstream_errors_the_daemon_saw() {
    let db = TestDb::sqlite();
    let fake = common::calcom::salon(Default::default(), common::calcom::weekdays(9 * 60, 18 * 60), 30, None);
    let c = db.calcom_company("Salon", &fake).to_string();
    db.calcom_haircut_branch(&c, "+493023125100");
    // Nothing listens on port 9 of loopback: every exchange fails to connect.
    let daemon =
        Daemon::start(&db, &[("CALCOM_BASE_URL", "http://127.0.0.1:9"), ("ASKPRO_FUNCTION_DEADLINE_MS", "800")]);
    db.set_env("ASKPRO_PUBLIC_URL", &format!("http://{}", daemon.addr));
    lenient(&db);

    let body = serde_json::json!({"name": "check_availability",
        "args": {"service": "Herrenhaarschnitt", "datum": "morgen", "uhrzeit": "10:00"},
        "call": {"call_id": "call_up", "from_number": "+4917611111111", "to_number": "+493023125100"}});
    let (status, answer) = daemon.signed_to("/retell/function", body.to_string().as_bytes(), PLATFORM_KEY);
    assert_eq!(status, 200, "{answer}");

    let response = daemon.get("/metrics");
    let body = response.split_once("\r\n\r\n").unwrap().1;
    let families = parse(body);
    let errors = families["askpro_upstream_errors_total"]
        .samples
        .iter()
        .find(|(_, labels, _)| labels["upstream"] == "calcom")
        .map(|s| s.2)
        .unwrap();
    assert!(errors >= 1.0, "the failed exchanges are counted:\n{body}");
    let connect = r#"askpro_upstream_requests_total{upstream="calcom",outcome="connect"}"#;
    assert!(body.lines().any(|l| l.starts_with(connect)), "{body}");
    let inf = r#"askpro_upstream_request_duration_seconds_bucket{upstream="calcom",le="+Inf"} "#;
    assert!(body.lines().any(|l| l.strip_prefix(inf).is_some_and(|n| n != "0")), "{body}");

    let run = health(&db, &[]);
    breached(&run, "upstream", "calcom", "error rate over threshold");
    assert!(run.stdout.lines().any(|l| l.starts_with('✓') && l.contains(" retell ")), "{}", run.stdout);
}
