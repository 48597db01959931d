//! A flow's own tool definitions drive a whole booking through the daemon (in process, SQLite
//! and PostgreSQL): every request goes to the path of the tool's URL, under the tool's name, with
//! only the arguments its schema declares (the required ones included), written the way its
//! parameter descriptions ask. Once for a flow shaped like the seeds' V110 (`start_booking` with
//! `datetime` as `DD.MM.YYYY HH:MM`, the seeds' paths), once for the tools askpro itself puts into
//! its agents.

mod common;

use chrono::Datelike;
use chrono_tz::Europe::Berlin;
use common::daemon::{Daemon, PLATFORM_KEY};
use common::TestDb;
use serde_json::{json, Value};

both_backends!(the_seeds_v110_flow_books_through_its_own_tools, askpros_own_tools_drive_a_whole_booking);

const BRANCH_PHONE: &str = "+493023125100";

/// A flow's tools, called as Retell calls them.
struct Flow {
    tools: Vec<Value>,
}

impl Flow {
    /// Calls tool `name` with `args` for `call_id` from `from`; the arguments must fit the tool's
    /// schema. Returns the answer (HTTP 200 required).
    fn call(&self, daemon: &Daemon, call_id: &str, from: &str, name: &str, args: Value) -> Value {
        let tool =
            self.tools.iter().find(|t| t["name"] == name).unwrap_or_else(|| panic!("the flow has no tool {name}"));
        let schema = &tool["parameters"];
        let given = args.as_object().unwrap();
        for key in given.keys() {
            assert!(schema["properties"].get(key).is_some(), "{name}: '{key}' is not a parameter of the tool");
        }
        for required in schema["required"].as_array().into_iter().flatten() {
            assert!(given.contains_key(required.as_str().unwrap()), "{name}: required {required} missing");
        }
        let url = tool["url"].as_str().unwrap();
        let path = &url[url.find("://").map(|i| i + 3).unwrap()..];
        let path = &path[path.find('/').unwrap()..];
        let body = json!({"name": name, "args": args, "call": {"call_id": call_id, "agent_id": "agent_unknown",
            "from_number": from, "to_number": BRANCH_PHONE, "call_status": "ongoing"}});
        let (status, text) = daemon.signed_to(path, body.to_string().as_bytes(), PLATFORM_KEY);
        assert_eq!(status, 200, "{name} at {path}: {text}");
        serde_json::from_str(&text).unwrap()
    }
}

fn salon(db: &TestDb) {
    let c = db.company("Salon").to_string();
    let b = db.ok(&["branch:create", "--company-id", &c, "--name", "Mitte", "--phone", BRANCH_PHONE, "-q"]);
    db.ok(&["service:create", "--company-id", &c, "--name", "Herrenhaarschnitt", "--duration", "30", "-q"]);
    let anna = db.ok(&["staff:create", "--branch-id", b.trim(), "--name", "Anna", "-q"]);
    db.ok(&["staff:assign-services", "--staff-id", anna.trim(), "--services", "all"]);
}

/// Monday of the week after next.
fn monday() -> chrono::NaiveDate {
    let today = chrono::Utc::now().with_timezone(&Berlin).date_naive();
    today + chrono::Duration::days(i64::from(7 - today.weekday().num_days_from_monday()) + 7)
}

fn the_seeds_v110_flow_books_through_its_own_tools(db: &TestDb) {
    salon(db);
    let daemon = Daemon::start(db, &[]);
    let flow: Value = serde_json::from_str(include_str!("fixtures/v110-flow.json")).unwrap();
    let flow = Flow { tools: flow["tools"].as_array().unwrap().clone() };
    let (day, iso) = (monday().format("%d.%m.%Y").to_string(), monday().format("%Y-%m-%d").to_string());
    let max = "+4917611111111";

    let who = flow.call(&daemon, "call_1", max, "check_customer", json!({}));
    assert_eq!(who["customer_found"], false, "{who}");
    let free = flow.call(
        &daemon,
        "call_1",
        max,
        "check_availability_v17",
        json!({"dienstleistung": "Herrenhaarschnitt", "datum": day, "uhrzeit": "10:00"}),
    );
    assert_eq!(free["available"], true, "{free}");
    let args =
        json!({"customer_name": "Max Muster", "service": "Herrenhaarschnitt", "datetime": format!("{day} 10:00")});
    let held = flow.call(&daemon, "call_1", max, "start_booking", args);
    assert_eq!((held["status"].as_str(), held["time"].as_str()), (Some("ok"), Some("10:00")), "{held}");
    let booked = flow.call(&daemon, "call_1", max, "confirm_booking", json!({}));
    assert_eq!(
        (booked["status"].as_str(), booked["date"].as_str(), booked["time"].as_str()),
        (Some("ok"), Some(iso.as_str()), Some("10:00")),
        "{booked}"
    );

    // The other forms a flow sends in `datetime`: ISO without an offset, RFC 3339, spoken.
    let forms = [
        (format!("{iso} 11:00"), "11:00"),
        (format!("{iso}T11:30:00"), "11:30"),
        (monday().and_hms_opt(12, 0, 0).unwrap().and_local_timezone(Berlin).unwrap().to_rfc3339(), "12:00"),
        (format!("am {} um halb eins", monday().format("%-d.%-m.")), "12:30"),
    ];
    for (i, (datetime, time)) in forms.iter().enumerate() {
        let (call_id, from) = (format!("call_form_{i}"), format!("+4917622222{i:03}"));
        let args = json!({"customer_name": "Eva Beispiel", "service": "Herrenhaarschnitt", "datetime": datetime});
        let held = flow.call(&daemon, &call_id, &from, "start_booking", args);
        assert_eq!((held["status"].as_str(), held["time"].as_str()), (Some("ok"), Some(*time)), "{datetime}: {held}");
        let booked = flow.call(&daemon, &call_id, &from, "confirm_booking", json!({}));
        assert_eq!((booked["date"].as_str(), booked["time"].as_str()), (Some(iso.as_str()), Some(*time)), "{booked}");
    }

    let cancelled = flow.call(&daemon, "call_2", max, "cancel_appointment", json!({"datum": day, "uhrzeit": "10:00"}));
    assert_eq!(cancelled["status"], "ok", "{cancelled}");
}

fn askpros_own_tools_drive_a_whole_booking(db: &TestDb) {
    salon(db);
    let daemon = Daemon::start(db, &[]);
    let flow = Flow { tools: askpro::templates::tools::definitions("https://askpro.example", true) };
    let day = monday().format("%-d.%-m.").to_string();
    let max = "+4917611111111";

    let ask =
        json!({"dienstleistung": "Herrenhaarschnitt", "datum": format!("Montag, den {day}"), "uhrzeit": "halb elf"});
    let free = flow.call(&daemon, "call_1", max, "check_availability", ask);
    assert_eq!((free["available"].as_bool(), free["time"].as_str()), (Some(true), Some("10:30")), "{free}");
    let booked = flow.call(
        &daemon,
        "call_1",
        max,
        "book_appointment",
        json!({"slot_id": free["slot_id"], "customer_name": "Max"}),
    );
    assert_eq!((booked["status"].as_str(), booked["time"].as_str()), (Some("ok"), Some("10:30")), "{booked}");

    let eva = "+4917622222222";
    let taken = flow.call(
        &daemon,
        "call_2",
        eva,
        "check_availability",
        json!({"dienstleistung": "Herrenhaarschnitt", "datum": day, "uhrzeit": "10:30"}),
    );
    let alternative = &taken["alternatives"][0];
    let held = flow.call(
        &daemon,
        "call_2",
        eva,
        "start_booking",
        json!({"slot_id": alternative["slot_id"], "customer_name": "Eva"}),
    );
    assert_eq!(held["status"], "ok", "{held}");
    let confirmed = flow.call(&daemon, "call_2", eva, "confirm_booking", json!({}));
    assert_eq!((confirmed["status"].as_str(), &confirmed["time"]), (Some("ok"), &alternative["time"]), "{confirmed}");
    let mine = flow.call(&daemon, "call_3", max, "get_customer_appointments", json!({}));
    assert_eq!(mine["appointments"].as_array().map(Vec::len), Some(1), "{mine}");
}
