//! `POST /retell/webhook` on a daemon running in process (port 0) over a real database, with
//! Retell's own fixture bodies: signed events are stored before the 2xx and fill the call's
//! record; duplicates have no second effect; a tampered, stale or unsigned request is refused
//! and stores nothing; bad JSON, unknown numbers and oversized bodies get their JSON errors;
//! a company's own key acts only on that company.

mod common;

use std::path::Path;

use askpro::signatures::retell as signature;
use askpro::store::now_ms;
use common::daemon::{Daemon, PLATFORM_KEY};
use common::TestDb;
use serde_json::json;

both_backends!(
    events_are_stored_once_and_fill_the_call,
    refused_requests_store_nothing,
    calcom_webhooks_keep_appointments_in_sync
);

fn fixture(name: &str) -> Vec<u8> {
    common::fixture(&format!("retell/{name}"))
}

/// A company whose branch answers on the fixtures' `to_number` (+49 30 23125100).
fn salon(db: &TestDb, name: &str, phone: &str) -> i64 {
    let c = db.company(name);
    db.ok(&["branch:create", "--company-id", &c.to_string(), "--name", "Mitte", "--phone", phone, "-q"]);
    c
}

fn count(db: &TestDb, sql: &str) -> i64 {
    common::block_on(db.strings(&format!("SELECT CAST(({sql}) AS TEXT)")))[0].parse().unwrap()
}

fn events_are_stored_once_and_fill_the_call(db: &TestDb) {
    let c = salon(db, "Salon", "+493023125100");
    let customer = format!(
        "INSERT INTO customers (company_id, phone, name, created_at, updated_at) VALUES ({c}, '+493023125417', 'Frau Müller', 0, 0)"
    );
    common::block_on(db.execute(&customer)).unwrap();
    let daemon = Daemon::start(db, &[]);

    let (status, body) = daemon.signed(&fixture("call_started.json"), PLATFORM_KEY);
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
    let (status, body) = daemon.signed(&fixture("call_started.json"), PLATFORM_KEY);
    assert_eq!((status, body.as_str()), (200, r#"{"status":"duplicate"}"#), "a second delivery is acknowledged");
    assert_eq!(count(db, "SELECT COUNT(*) FROM webhook_events"), 1, "and has no second effect");

    for name in ["call_ended.json", "call_analyzed.json"] {
        assert_eq!(daemon.signed(&fixture(name), PLATFORM_KEY).0, 200, "{name}");
    }
    assert_eq!(count(db, "SELECT COUNT(*) FROM webhook_events WHERE status = 'processed'"), 3);
    let row = common::block_on(db.strings(
        "SELECT status || '|' || from_number || '|' || to_number || '|' || CAST(duration_ms AS TEXT) || '|' || \
         disconnection_reason || '|' || sentiment || '|' || CAST(customer_id AS TEXT) || '|' || direction FROM calls",
    ));
    assert_eq!(row, ["ended|+493023125417|+493023125100|183016|agent_hangup|Positive|1|inbound"]);
    assert!(count(db, "SELECT COUNT(*) FROM calls WHERE summary IS NOT NULL AND started_at IS NOT NULL") == 1);

    // An event Retell may add later is stored and acknowledged, and changes nothing.
    let other = br#"{"event":"transcript_updated","call":{"call_id":"call_8f3b2c71d4e94a0b9c6e15a2f7d3","to_number":"+493023125100"}}"#;
    assert_eq!(daemon.signed(other, PLATFORM_KEY).0, 200);
    assert_eq!(count(db, "SELECT COUNT(*) FROM webhook_events WHERE status = 'ignored'"), 1);

    // Deliveries that failed to process are taken up again by webhooks:retry.
    let now = now_ms();
    let good =
        r#"{"event":"call_ended","call":{"call_id":"call_retry","to_number":"+493023125100","call_status":"ended"}}"#;
    let bad =
        r#"{"event":"call_ended","call":{"call_id":"call_lost","to_number":"+4940000000","call_status":"ended"}}"#;
    for (key, body) in [("retell:call_ended:call_retry", good), ("retell:call_ended:call_lost", bad)] {
        common::block_on(db.execute(&format!(
            "INSERT INTO webhook_events (company_id, source, event, external_id, dedupe_key, payload, status, received_at) \
             VALUES ({c}, 'retell', 'call_ended', 'x', '{key}', '{body}', 'failed', {now})"
        )))
        .unwrap();
    }
    let run = db.run(&["webhooks:retry", "--json"]);
    assert_eq!(run.code, 1, "one still fails: {}", run.stderr);
    let done: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (done["found"].as_u64(), done["processed"].as_u64(), done["still_failing"].as_u64()),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(count(db, "SELECT COUNT(*) FROM calls WHERE retell_call_id = 'call_retry' AND status = 'ended'"), 1);
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM webhook_events WHERE status = 'failed' AND last_error LIKE '%unknown agent%'"),
        1
    );

    let metrics = daemon.get("/metrics");
    assert!(metrics.contains(r#"askpro_requests_total{endpoint="retell_webhook",status="200"} 5"#), "{metrics}");
    let status = daemon.get("/status");
    assert!(status.contains("text/html") && status.contains(r#"content="30""#), "{status}");
    assert!(status.contains(
        r#"<td>retell_webhook</td><td class="num" data-label="requests">5</td><td class="num" data-label="not 2xx">0</td>"#
    ), "{status}");
    assert!(metrics.contains(r#"askpro_request_duration_seconds_count{endpoint="retell_webhook"} 5"#), "{metrics}");
}

fn refused_requests_store_nothing(db: &TestDb) {
    let a = salon(db, "Salon A", "+493023125100");
    let _b = salon(db, "Salon B", "+493099999999");
    let own_key = "key_company_a_own_0000000001";
    db.ok(&["company:config", "--company-id", &a.to_string(), "--retell-api-key", own_key]);
    let daemon = Daemon::start(db, &[]);
    let body = fixture("call_started.json");

    let good = signature::sign(&body, PLATFORM_KEY, now_ms());
    let mut tampered = body.clone();
    tampered[20] ^= 1;
    let stale = signature::sign(&body, PLATFORM_KEY, now_ms() - 300_001);
    let future = signature::sign(&body, PLATFORM_KEY, now_ms() + 600_000);
    for (what, payload, header) in [
        ("tampered", tampered.as_slice(), Some(good.as_str())),
        ("stale", &body, Some(stale.as_str())),
        ("future", &body, Some(future.as_str())),
        ("unsigned", &body, None),
        ("garbage header", &body, Some("v=1,d=zz")),
        ("wrong key", &body, Some(&signature::sign(&body, "key_nobody", now_ms()))),
    ] {
        let (status, answer) = daemon.post("/retell/webhook", payload, header);
        assert_eq!(status, 401, "{what}: {answer}");
        assert!(answer.contains(r#""code":"unauthorized""#), "{what}: {answer}");
    }
    assert_eq!(count(db, "SELECT COUNT(*) FROM webhook_events"), 0, "refused requests store nothing");
    let metrics = daemon.get("/metrics");
    for reason in ["mismatch", "out_of_window", "missing", "malformed"] {
        assert!(
            metrics.contains(&format!("askpro_signature_failures_total{{reason=\"{reason}\"}}")),
            "{reason}: {metrics}"
        );
    }

    // Verified but unusable: bad JSON, no call id, an unknown number.
    let (status, answer) = daemon.signed(b"{\"event\": ", PLATFORM_KEY);
    assert_eq!(status, 400, "{answer}");
    assert_eq!(daemon.signed(br#"{"event":"call_started","call":{}}"#, PLATFORM_KEY).0, 400);
    let stranger =
        br#"{"event":"call_started","call":{"call_id":"call_x","to_number":"+4940000000","agent_id":"agent_x"}}"#;
    let (status, answer) = daemon.signed(stranger, PLATFORM_KEY);
    assert_eq!(status, 404, "{answer}");
    assert!(answer.contains("unknown agent or number"));

    // Too large: refused before the body is read to the end.
    let big = vec![b' '; askpro::config::BODY_LIMIT + 1];
    let (status, answer) = daemon.post("/retell/webhook", &big, Some(&good));
    assert_eq!(status, 413, "{answer}");

    // A company's own key acts on that company only.
    let for_b = String::from_utf8(body.clone()).unwrap().replace("+493023125100", "+493099999999");
    assert_eq!(daemon.signed(for_b.as_bytes(), own_key).0, 404, "company A's key cannot reach company B");
    assert_eq!(daemon.signed(&body, own_key).0, 200, "it can reach company A");
    assert_eq!(count(db, "SELECT COUNT(*) FROM webhook_events"), 1);

    // Signed by Retell's official SDK, posted to the daemon.
    if let Some(signer) = common::retell_sdk_signer() {
        let body = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/retell/call_ended.json");
        let out = std::process::Command::new("python3")
            .arg(signer)
            .args(["sign", "--key", own_key, "--body"])
            .arg(&body)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let header = String::from_utf8(out.stdout).unwrap();
        let (status, answer) = daemon.post("/retell/webhook", &std::fs::read(&body).unwrap(), Some(header.trim()));
        assert_eq!(status, 200, "{answer}");
        assert_eq!(count(db, "SELECT COUNT(*) FROM webhook_events"), 2);
    }
    drop(daemon);
}

/// One source sending faster than the limit gets 429 with Retry-After, as JSON.
#[test]
fn a_source_over_the_rate_limit_is_told_to_wait() {
    use std::io::{Read, Write};
    let db = TestDb::sqlite();
    let daemon = Daemon::start(&db, &[("ASKPRO_RATE_LIMIT", "2")]);
    let statuses: Vec<u16> = (0..6).map(|_| daemon.post("/retell/webhook", b"{}", None).0).collect();
    assert_eq!(&statuses[..4], [401, 401, 401, 401], "a burst of twice the rate is allowed");
    assert!(statuses[4..].contains(&429), "{statuses:?}");
    let mut stream = std::net::TcpStream::connect(&daemon.addr).unwrap();
    write!(stream, "POST /retell/webhook HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}")
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 429"), "{response}");
    assert!(response.to_ascii_lowercase().contains("retry-after: 1"), "{response}");
    assert!(response.contains(r#""code":"rate_limited""#), "{response}");
    assert!(daemon.get("/healthz").contains("200 OK"), "health checks are not limited");
}

/// `retell:trigger` signs like Retell and reaches a running daemon: each call event is stored
/// (a repeat is a duplicate), a function call gets its answer, and every refusal has its exit
/// code.
#[test]
fn trigger_sends_signed_samples_to_a_running_daemon() {
    let db = TestDb::sqlite();
    let c = salon(&db, "Salon", "+493023125100");
    let daemon = Daemon::start(&db, &[]);
    let to = format!("http://{}", daemon.addr);
    let trigger = |extra: &[&str]| {
        let mut args = vec!["retell:trigger", "--to", &to, "--key", PLATFORM_KEY, "--to-number", "030 23125100"];
        args.extend_from_slice(extra);
        db.run(&args)
    };
    for event in ["call_started", "call_ended", "call_analyzed"] {
        let run = trigger(&[event, "--call-id", "call_trig_1", "--from", "+49 176 11111111", "--json"]);
        assert_eq!(run.code, 0, "{event}: {}", run.stderr);
        let out: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(out["status"], 200);
        assert_eq!(out["url"], format!("{to}/retell/webhook"));
        assert_eq!(out["response"]["status"], "ok", "{event}");
    }
    let again = trigger(&["call_ended", "--call-id", "call_trig_1", "--json"]);
    let out: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(out["response"]["status"], "duplicate");
    let row = common::block_on(db.strings(
        "SELECT status || '|' || from_number || '|' || CAST(duration_ms AS TEXT) || '|' || sentiment || '|' || \
         CAST(branch_id AS TEXT) FROM calls WHERE retell_call_id = 'call_trig_1'",
    ));
    assert_eq!(row, ["ended|+4917611111111|95000|Positive|1"]);
    assert_eq!(count(&db, &format!("SELECT COUNT(*) FROM webhook_events WHERE company_id = {c}")), 3);

    // A function call, answered by the daemon's function code.
    let run = trigger(&["get_current_context"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with(&format!("HTTP 200 from {to}/retell/function")), "{}", run.stdout);
    assert!(run.stdout.contains(r#""status":"ok""#), "{}", run.stdout);

    // Refusals: a wrong key (6), an unknown number (3), an unknown event (2), no daemon (5).
    let wrong =
        db.run(&["retell:trigger", "call_started", "--to", &to, "--key", "key_wrong", "--to-number", "030 23125100"]);
    wrong.fails(6, "401");
    let unknown =
        ["retell:trigger", "call_started", "--to", &to, "--key", PLATFORM_KEY, "--to-number", "+49 40 1234567"];
    db.run(&unknown).fails(3, "404");
    trigger(&["call_exploded"]).fails(2, "neither a call event nor a custom function");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let nowhere = format!("http://{closed}");
    db.run(&["retell:trigger", "call_started", "--to", &nowhere, "--key", PLATFORM_KEY]).fails(5, "could not reach");
    assert_eq!(count(&db, &format!("SELECT COUNT(*) FROM webhook_events WHERE company_id = {c}")), 3);
}

const WEBHOOK_SECRET: &str = "whsec_salon_a_0123456789";

/// A Cal.com delivery as Cal.com sends it (default payload, no template).
fn booking(trigger: &str, uid: &str, start: &str, end: &str, extra: serde_json::Value) -> Vec<u8> {
    let mut payload = serde_json::json!({
        "uid": uid,
        "bookingId": 4711,
        "eventTypeId": 501,
        "type": "herrenhaarschnitt",
        "title": "Herrenhaarschnitt zwischen Salon und Eva",
        "startTime": start,
        "endTime": end,
        "organizer": {"id": 11, "name": "Anna", "email": "anna@salon.test", "timeZone": "Europe/Berlin"},
        "attendees": [{"name": "Eva Schulz", "email": "eva@example.test", "timeZone": "Europe/Berlin", "phoneNumber": "+4917612345678"}],
        "status": "ACCEPTED",
        "metadata": {},
    });
    if let (Some(p), serde_json::Value::Object(more)) = (payload.as_object_mut(), extra) {
        p.extend(more);
    }
    serde_json::json!({"triggerEvent": trigger, "createdAt": "2026-11-22T08:00:00.000Z", "payload": payload})
        .to_string()
        .into_bytes()
}

fn post_calcom(daemon: &Daemon, body: &[u8], secret: Option<&str>) -> (u16, String) {
    let signature = secret.map(|s| askpro::signatures::calcom::sign(body, s));
    daemon.post_with("/calcom/webhook", body, &[("X-Cal-Signature-256", signature.as_deref())])
}

/// Bookings made, moved and cancelled in Cal.com reach askpro's appointments; only deliveries
/// signed with a company's webhook secret are taken, and only for that company.
fn calcom_webhooks_keep_appointments_in_sync(db: &TestDb) {
    let c = salon(db, "Salon A", "+493023125100").to_string();
    let other = salon(db, "Salon B", "+493099999999").to_string();
    db.ok(&["company:config", "--company-id", &c, "--scheduling", "calcom", "--calcom-webhook-secret", WEBHOOK_SECRET]);
    db.ok(&["company:config", "--company-id", &other, "--calcom-webhook-secret", "whsec_salon_b_9876543210"]);
    let shown = db.json(&["company:show", &c]);
    assert!(!shown.to_string().contains(WEBHOOK_SECRET), "the secret is never shown: {shown}");
    db.ok(&[
        "service:create",
        "--company-id",
        &c,
        "--name",
        "Herrenhaarschnitt",
        "--duration",
        "30",
        "--calcom-event-type-id",
        "501",
    ]);
    db.ok(&["staff:create", "--branch-id", "1", "--name", "Anna", "--calcom-user-id", "11", "-q"]);
    let daemon = Daemon::start(db, &[]);
    let appointment = || {
        common::block_on(db.strings(
            "SELECT a.status || '|' || a.external_uid || '|' || CAST(a.starts_at AS TEXT) || '|' || s.name || '|' || \
             c.name || '|' || a.backend FROM appointments a JOIN staff s ON s.id = a.staff_id \
             JOIN customers c ON c.id = a.customer_id ORDER BY a.id",
        ))
    };

    let created = booking("BOOKING_CREATED", "bk_1", "2026-11-27T09:00:00.000Z", "2026-11-27T09:30:00.000Z", json!({}));
    assert_eq!(post_calcom(&daemon, &created, Some(WEBHOOK_SECRET)), (200, r#"{"status":"ok"}"#.to_string()));
    assert_eq!(appointment(), ["booked|bk_1|1795770000000|Anna|Eva Schulz|calcom"]);
    assert_eq!(post_calcom(&daemon, &created, Some(WEBHOOK_SECRET)).1, r#"{"status":"duplicate"}"#);
    assert_eq!(appointment().len(), 1, "a repeated delivery has no second effect");

    // Moved in Cal.com: a new uid, the old one in rescheduleUid.
    let moved = booking(
        "BOOKING_RESCHEDULED",
        "bk_2",
        "2026-11-27T13:00:00.000Z",
        "2026-11-27T13:30:00.000Z",
        json!({"rescheduleUid": "bk_1"}),
    );
    assert_eq!(post_calcom(&daemon, &moved, Some(WEBHOOK_SECRET)).0, 200);
    assert_eq!(appointment(), ["booked|bk_2|1795784400000|Anna|Eva Schulz|calcom"]);

    // Another company's secret cannot touch this company's booking.
    let cancelled = booking(
        "BOOKING_CANCELLED",
        "bk_2",
        "2026-11-27T13:00:00.000Z",
        "2026-11-27T13:30:00.000Z",
        json!({"status": "CANCELLED", "cancellationReason": "krank"}),
    );
    assert_eq!(post_calcom(&daemon, &cancelled, Some("whsec_salon_b_9876543210")).0, 200);
    assert_eq!(appointment()[0].split('|').next(), Some("booked"));
    assert_eq!(post_calcom(&daemon, &cancelled, Some(WEBHOOK_SECRET)).0, 200);
    assert_eq!(appointment()[0].split('|').next(), Some("cancelled"));
    let reason = common::block_on(db.strings("SELECT cancel_reason FROM appointments"));
    assert_eq!(reason, ["cancelled in Cal.com: krank"]);

    // Refused: unsigned, a wrong secret, Cal.com's no-secret marker, a tampered body. Nothing stored.
    let stored = count(db, "SELECT COUNT(*) FROM webhook_events");
    let late = booking("BOOKING_CREATED", "bk_9", "2026-11-28T09:00:00.000Z", "2026-11-28T09:30:00.000Z", json!({}));
    assert_eq!(post_calcom(&daemon, &late, None).0, 401);
    assert_eq!(post_calcom(&daemon, &late, Some("whsec_wrong")).0, 401);
    let marker = daemon.post_with("/calcom/webhook", &late, &[("X-Cal-Signature-256", Some("no-secret-provided"))]);
    assert_eq!(marker.0, 401);
    let signature = askpro::signatures::calcom::sign(&late, WEBHOOK_SECRET);
    let mut tampered = late.clone();
    tampered.extend_from_slice(b" ");
    assert_eq!(daemon.post_with("/calcom/webhook", &tampered, &[("x-cal-signature-256", Some(&signature))]).0, 401);
    assert_eq!(count(db, "SELECT COUNT(*) FROM webhook_events"), stored);
    let metrics = daemon.get("/metrics");
    for (reason, n) in [("calcom_missing", 1), ("calcom_malformed", 1), ("calcom_mismatch", 2)] {
        let line = format!(r#"askpro_signature_failures_total{{reason="{reason}"}} {n}"#);
        assert!(metrics.lines().any(|l| l == line), "{line}: {metrics}");
    }
    assert_eq!(post_calcom(&daemon, b"{not json", Some(WEBHOOK_SECRET)).0, 400);

    // An event type askpro has not imported: kept as failed, applied by webhooks:retry after the import.
    let unknown = booking(
        "BOOKING_CREATED",
        "bk_3",
        "2026-11-28T09:00:00.000Z",
        "2026-11-28T10:00:00.000Z",
        json!({"eventTypeId": 777}),
    );
    assert_eq!(post_calcom(&daemon, &unknown, Some(WEBHOOK_SECRET)).0, 200);
    assert_eq!(count(db, "SELECT COUNT(*) FROM webhook_events WHERE status = 'failed' AND last_error LIKE '%777%'"), 1);
    db.ok(&[
        "service:create",
        "--company-id",
        &c,
        "--name",
        "Färben",
        "--duration",
        "60",
        "--calcom-event-type-id",
        "777",
    ]);
    let run = db.run(&["webhooks:retry", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(appointment().len(), 2);
    assert_eq!(count(db, "SELECT COUNT(*) FROM appointments WHERE external_uid = 'bk_3' AND status = 'booked'"), 1);
    assert_eq!(count(db, "SELECT COUNT(*) FROM appointments WHERE call_id IS NOT NULL"), 0, "made in Cal.com itself");

    // A booking askpro made during a call but whose answer came after the deadline: its webhook
    // mirrors it for that call (askpro's call id in the metadata), and the call counts as booked
    // although its events arrived before.
    let ended = fixture("call_ended.json");
    let call_id =
        serde_json::from_slice::<serde_json::Value>(&ended).unwrap()["call"]["call_id"].as_str().unwrap().to_string();
    assert_eq!(daemon.signed(&ended, PLATFORM_KEY).0, 200);
    let booked = format!("SELECT CAST(booked AS INTEGER) FROM calls WHERE retell_call_id = '{call_id}'");
    assert_eq!(count(db, &booked), 0);
    let metadata =
        json!({"metadata": {"askpro_ref": format!("{c}:{call_id}:1795856400000"), "askpro_call_id": call_id}});
    let late = booking("BOOKING_CREATED", "bk_4", "2026-11-29T09:00:00.000Z", "2026-11-29T09:30:00.000Z", metadata);
    assert_eq!(post_calcom(&daemon, &late, Some(WEBHOOK_SECRET)).0, 200);
    let linked = format!("SELECT COUNT(*) FROM appointments WHERE external_uid = 'bk_4' AND call_id = '{call_id}'");
    assert_eq!(count(db, &linked), 1);
    assert_eq!(count(db, &booked), 1, "the call made a booking");
}
