//! Arbitrary bodies and headers at every daemon endpoint, signed and unsigned: every answer is
//! a well-formed HTTP response with a JSON body and an expected status, and the daemon keeps
//! serving. (Signed garbage reaches the JSON parsers and handlers, past the signature check.)

mod common;

use common::daemon::{Daemon, PLATFORM_KEY};
use common::TestDb;
use proptest::prelude::*;

const WEBHOOK_SECRET: &str = "whsec_fuzz_0123456789";

const PATHS: [&str; 9] = [
    "/retell/webhook",
    "/retell/function",
    "/retell/function/check_availability",
    "/retell/function/book_appointment",
    "/retell/inbound",
    "/api/webhooks/retell/function",
    "/api/webhooks/retell/check-customer",
    "/calcom/webhook",
    "/nowhere",
];

/// JSON-ish bodies: structured Retell-like shapes with random values, and raw bytes.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let text = "[ -~äöüß]{0,40}";
    let shaped = (
        prop::sample::select(vec![
            "call_started",
            "call_ended",
            "call_inbound",
            "check_availability",
            "book_appointment",
            "BOOKING_CREATED",
            "BOOKING_RESCHEDULED",
            "BOOKING_CANCELLED",
            "",
        ]),
        text,
        text,
        prop::sample::select(vec!["+493023125100", "+4940000000", "", "030", "null"]),
    )
        .prop_map(|(name, a, b, to)| {
            serde_json::json!({"event": name, "name": name, "args": {"datum": a, "uhrzeit": b, "slot_id": a, "customer_phone": b},
                "call": {"call_id": a, "to_number": to, "from_number": b}, "call_inbound": {"to_number": to, "from_number": a},
                "triggerEvent": name, "payload": {"uid": a, "rescheduleUid": b, "eventTypeId": 501, "startTime": a,
                "endTime": b, "organizer": {"id": 11}, "attendees": [{"name": a, "phoneNumber": to}]}})
                .to_string()
                .into_bytes()
        });
    prop_oneof![shaped, prop::collection::vec(any::<u8>(), 0..300)]
}

#[test]
fn arbitrary_requests_never_break_the_daemon() {
    let db = TestDb::sqlite();
    let c = db.company("Salon");
    db.ok(&["branch:create", "--company-id", &c.to_string(), "--name", "Mitte", "--phone", "+493023125100", "-q"]);
    db.service(c, "Herrenhaarschnitt", 30);
    db.ok(&["company:config", "--company-id", &c.to_string(), "--calcom-webhook-secret", WEBHOOK_SECRET]);
    let daemon = Daemon::start(&db, &[("ASKPRO_RATE_LIMIT", "0")]);
    let config = ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() };
    proptest!(config, |(path in prop::sample::select(PATHS.to_vec()), payload in body(), signed in any::<bool>(),
                        header in "[ -~]{0,80}")| {
        let (status, answer) = if path == "/calcom/webhook" {
            let signature = if signed { askpro::signatures::calcom::sign(&payload, WEBHOOK_SECRET) } else { header };
            daemon.post_with(path, &payload, &[("X-Cal-Signature-256", Some(&signature))])
        } else {
            let signature =
                if signed { askpro::signatures::retell::sign(&payload, PLATFORM_KEY, askpro::store::now_ms()) } else { header };
            daemon.post(path, &payload, Some(&signature))
        };
        prop_assert!([200, 400, 401, 404].contains(&status), "{path}: {status} {answer}");
        prop_assert!(serde_json::from_str::<serde_json::Value>(&answer).is_ok(), "{path}: not JSON: {answer}");
        if status == 200 && path.contains("function") {
            let v: serde_json::Value = serde_json::from_str(&answer).unwrap();
            prop_assert!(v["status"].is_string() && v["message"].is_string(), "{answer}");
        }
    });
    assert!(daemon.get("/healthz").contains("200 OK"), "still serving");
}
