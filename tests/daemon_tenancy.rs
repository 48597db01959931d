//! What a signed request may act on, through the daemon in process on SQLite and PostgreSQL: a
//! signed body is a function call only under its own name (never a webhook body, never another
//! function's body); several companies may share one Retell key, each reached through its own
//! numbers; and a call id means one call of one company, so another company's events and
//! function calls with the same id neither suppress nor break this company's.

mod common;

use common::daemon::{Daemon, PLATFORM_KEY};
use common::TestDb;
use serde_json::{json, Value};

both_backends!(
    a_signed_body_is_a_function_call_only_under_its_own_name,
    companies_sharing_one_key_each_reach_their_own_calls,
    the_same_call_id_at_two_companies_is_two_calls
);

const MITTE: &str = "+493023125100";
const NORD: &str = "+494023125100";
const CALLER: &str = "+4917611111111";

fn count(db: &TestDb, sql: &str) -> i64 {
    common::block_on(db.strings(&format!("SELECT CAST(({sql}) AS TEXT)")))[0].parse().unwrap()
}

/// A company with one branch answering on `phone`, one 30-minute service and one staff member
/// who performs it.
fn salon(db: &TestDb, name: &str, phone: &str) -> i64 {
    let c = db.company(name);
    let cs = c.to_string();
    let b = db.ok(&["branch:create", "--company-id", &cs, "--name", name, "--phone", phone, "-q"]);
    db.ok(&["service:create", "--company-id", &cs, "--name", "Herrenhaarschnitt", "--duration", "30", "-q"]);
    let anna = db.ok(&["staff:create", "--branch-id", b.trim(), "--name", "Anna", "-q"]);
    db.ok(&["staff:assign-services", "--staff-id", anna.trim(), "--services", "all"]);
    c
}

fn function_body(name: Option<&str>, call_id: &str, to: &str, args: Value) -> Vec<u8> {
    let call = json!({"call_id": call_id, "agent_id": "agent_unknown", "from_number": CALLER, "to_number": to,
        "call_status": "ongoing"});
    let body = match name {
        Some(name) => json!({"name": name, "args": args, "call": call}),
        None => json!({"args": args, "call": call}),
    };
    body.to_string().into_bytes()
}

fn answer(daemon: &Daemon, path: &str, body: &[u8], key: &str) -> (u16, Value) {
    let (status, text) = daemon.signed_to(path, body, key);
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn next_monday_10() -> String {
    use chrono::Datelike;
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Berlin).date_naive();
    let monday = today + chrono::Duration::days(i64::from(7 - today.weekday().num_days_from_monday()) + 7);
    format!("{}T10:00:00+01:00", monday.format("%Y-%m-%d"))
}

fn a_signed_body_is_a_function_call_only_under_its_own_name(db: &TestDb) {
    salon(db, "Mitte", MITTE);
    let daemon = Daemon::start(db, &[]);
    let args = json!({"service": "Herrenhaarschnitt", "datetime": next_monday_10(), "customer_name": "Max Muster"});
    let (status, booked) = answer(
        &daemon,
        "/retell/function",
        &function_body(Some("book_appointment"), "call_1", MITTE, args),
        PLATFORM_KEY,
    );
    assert_eq!((status, booked["status"].as_str()), (200, Some("ok")), "{booked}");
    let booked_count = "SELECT COUNT(*) FROM appointments WHERE status = 'booked'";
    assert_eq!(count(db, booked_count), 1);

    // The caller's own call_ended webhook, signed by Retell, re-sent to a function's endpoint.
    let webhook = json!({"event": "call_ended", "call": {"call_id": "call_1", "agent_id": "agent_unknown",
        "from_number": CALLER, "to_number": MITTE, "call_status": "ended"}})
    .to_string();
    let (status, refused) = answer(&daemon, "/retell/function/cancel_appointment", webhook.as_bytes(), PLATFORM_KEY);
    assert_eq!((status, refused["error"]["code"].as_str()), (400, Some("invalid_input")), "{refused}");
    // Another function's body under cancel_appointment's name, here and on a compatibility path.
    let check = function_body(Some("check_customer"), "call_1", MITTE, json!({}));
    assert_eq!(answer(&daemon, "/retell/function/cancel_appointment", &check, PLATFORM_KEY).0, 400);
    let cancel = function_body(Some("cancel_appointment"), "call_1", MITTE, json!({}));
    assert_eq!(answer(&daemon, "/api/webhooks/retell/check-customer", &cancel, PLATFORM_KEY).0, 400);
    assert_eq!(answer(&daemon, "/api/webhooks/retell/current-context", &cancel, PLATFORM_KEY).0, 400);
    // A body that names no function is refused on the named path too.
    let unnamed = function_body(None, "call_1", MITTE, json!({}));
    assert_eq!(answer(&daemon, "/retell/function/cancel_appointment", &unnamed, PLATFORM_KEY).0, 400);
    assert_eq!(answer(&daemon, "/retell/function", &unnamed, PLATFORM_KEY).0, 400);
    assert_eq!(count(db, booked_count), 1, "nothing was cancelled");

    // The body's own name on its own path is served, also on the compatibility paths.
    let (status, found) = answer(&daemon, "/api/webhooks/retell/check-customer", &check, PLATFORM_KEY);
    assert_eq!((status, found["customer_found"].as_bool()), (200, Some(true)), "{found}");
    let (status, cancelled) = answer(&daemon, "/retell/function/cancel_appointment", &cancel, PLATFORM_KEY);
    assert_eq!((status, cancelled["status"].as_str()), (200, Some("ok")), "{cancelled}");
    assert_eq!(count(db, booked_count), 0);
}

fn companies_sharing_one_key_each_reach_their_own_calls(db: &TestDb) {
    let shared = "key_agency_0123456789abcdef";
    let own = "key_other_0123456789abcdef";
    let (a, b) = (salon(db, "Mitte", MITTE), salon(db, "Nord", NORD));
    let c = salon(db, "Süd", "+498923125100");
    for (company, key) in [(a, shared), (b, shared), (c, own)] {
        db.ok(&["company:config", "--company-id", &company.to_string(), "--retell-api-key", key]);
    }
    let daemon = Daemon::start(db, &[]);
    for (phone, branch) in [(MITTE, "Mitte"), (NORD, "Nord")] {
        let body = function_body(Some("get_current_context"), "call_shared", phone, json!({}));
        let (status, context) = answer(&daemon, "/retell/function", &body, shared);
        assert_eq!((status, context["branch"].as_str()), (200, Some(branch)), "{context}");
        let event = json!({"event": "call_started", "call": {"call_id": format!("call_{branch}"),
            "agent_id": "agent_unknown", "from_number": CALLER, "to_number": phone, "call_status": "ongoing"}});
        assert_eq!(daemon.signed(event.to_string().as_bytes(), shared).0, 200, "{branch}");
    }
    // The shared key reaches only the companies that hold it.
    let body = function_body(Some("get_current_context"), "call_shared", "+498923125100", json!({}));
    assert_eq!(answer(&daemon, "/retell/function", &body, shared).0, 404);
    assert_eq!(answer(&daemon, "/retell/function", &body, own).0, 200);
    let body = function_body(Some("get_current_context"), "call_shared", MITTE, json!({}));
    assert_eq!(answer(&daemon, "/retell/function", &body, own).0, 404);
    assert_eq!(count(db, &format!("SELECT COUNT(*) FROM calls WHERE company_id IN ({a}, {b})")), 2);
}

fn the_same_call_id_at_two_companies_is_two_calls(db: &TestDb) {
    let (a, b) = (salon(db, "Mitte", MITTE), salon(db, "Nord", NORD));
    let daemon = Daemon::start(db, &[]);
    for phone in [NORD, MITTE] {
        let event = json!({"event": "call_started", "call": {"call_id": "call_same", "agent_id": "agent_unknown",
            "from_number": CALLER, "to_number": phone, "call_status": "ongoing", "start_timestamp": 1}});
        let (status, stored) = daemon.signed(event.to_string().as_bytes(), PLATFORM_KEY);
        assert_eq!((status, stored.as_str()), (200, r#"{"status":"ok"}"#), "{phone}: not another company's duplicate");
    }
    for company in [a, b] {
        let calls = format!("SELECT COUNT(*) FROM calls WHERE company_id = {company} AND retell_call_id = 'call_same'");
        assert_eq!(count(db, &calls), 1, "company {company} has its own call record");
        let events = format!("SELECT COUNT(*) FROM webhook_events WHERE company_id = {company}");
        assert_eq!(count(db, &events), 1);
    }
    // The same function with the same arguments in both companies' calls: each its own answer,
    // and a retry of each gets that company's first answer again.
    for _ in 0..2 {
        for (phone, branch) in [(NORD, "Nord"), (MITTE, "Mitte")] {
            let body = function_body(Some("get_current_context"), "call_same", phone, json!({}));
            let (status, context) = answer(&daemon, "/retell/function", &body, PLATFORM_KEY);
            assert_eq!((status, context["branch"].as_str()), (200, Some(branch)), "{context}");
        }
    }
    assert_eq!(count(db, "SELECT COUNT(*) FROM function_calls"), 2);
}
