//! The `calcom:*` and `debug:*` commands, run as a user would against the Cal.com fake:
//! a 1,000-event-type / 200-member team read page by page, re-imports that change nothing,
//! `--dry-run`, `--force`, drift reports with exit 1, and the day views.

mod common;

use askpro_fakes::calcom::{FakeCalcom, FakeEventType, FakeMember, Schedule, Settings};
use chrono_tz::Europe::Berlin;
use common::TestDb;
use serde_json::Value;

both_backends!(import_a_large_team_and_verify, import_services_dry_run_and_force, debug_views);

fn team(event_types: i64, members: i64, org: bool) -> FakeCalcom {
    let settings = Settings { org_id: org.then_some(9), ..Settings::default() };
    let fake =
        FakeCalcom::start(settings, Schedule { tz: Berlin, hours: (0..5).map(|d| (d, 9 * 60, 18 * 60)).collect() });
    fake.with_model(|m| {
        for u in 1..=members {
            m.members.push(FakeMember {
                user_id: 1000 + u,
                name: format!("Mitarbeiter {u}"),
                email: format!("m{u}@example.test"),
                username: format!("m{u}"),
                accepted: u % 50 != 0,
                role: "MEMBER".into(),
            });
        }
        for e in 1..=event_types {
            m.event_types.push(FakeEventType {
                id: 5000 + e,
                team_id: 77,
                title: format!("Leistung {e}"),
                slug: format!("leistung-{e}"),
                length: 15 + (e % 6) * 15,
                price: Some(1000 + e * 10),
                hosts: vec![1000 + (e % members) + 1, 1000 + ((e + 1) % members) + 1],
                slot_interval: None,
                minimum_booking_notice: 60,
            });
        }
    });
    fake
}

fn company(db: &TestDb, fake: &FakeCalcom) -> (i64, i64) {
    let c = db.calcom_company("Kette", fake);
    (c, db.branch(c, "Mitte"))
}

fn import_a_large_team_and_verify(db: &TestDb) {
    let fake = team(1000, 200, true);
    let (c, b) = company(db, &fake);
    let (cs, bs) = (c.to_string(), b.to_string());

    let who = db.ok(&["calcom:test-connection", "--company-id", &cs]);
    assert!(who.contains("belongs to owner") && who.contains("organization 9") && who.contains("Salon Team"), "{who}");

    // Before anything is imported, everything is drift.
    let run = db.run(&["calcom:verify-sync", "--company-id", &cs, "--json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    assert_eq!(report["in_sync"], false);
    assert_eq!(report["drift"].as_array().unwrap().len(), 1000 + 196);

    let staff = db.json(&["calcom:import-staff", "--branch-id", &bs]);
    assert_eq!((staff["fetched"].as_u64(), staff["created"].as_u64()), (Some(200), Some(196)));
    assert_eq!(staff["skipped"].as_array().unwrap().len(), 4, "pending invitations");

    let summary = db.ok(&["calcom:import-services", "--company-id", &cs]);
    assert!(summary.contains("1000 event types from Cal.com: 1000 created, 0 updated, 0 unchanged"), "{summary}");
    // 1,000 event types came in pages of 250 from the organization's list.
    let pages: Vec<String> =
        fake.seen().iter().filter(|r| r.path.ends_with("/teams/event-types")).map(|r| r.query.clone()).collect();
    assert!(pages.iter().any(|q| q.contains("skip=750")) && pages.iter().all(|q| q.contains("take=250")), "{pages:?}");
    let members: Vec<String> =
        fake.seen().iter().filter(|r| r.path.ends_with("/memberships")).map(|r| r.query.clone()).collect();
    assert!(members.iter().all(|q| q.contains("take=250")), "{members:?}");

    let list = db.json(&["service:list", "--company-id", &cs]);
    let first = list.as_array().unwrap().iter().find(|s| s["name"] == "Leistung 1").unwrap();
    assert_eq!(
        (first["duration_min"].as_i64(), first["price_cents"].as_i64(), first["calcom_event_type_id"].as_i64()),
        (Some(30), Some(1010), Some(5001))
    );
    // Hosts became the staff–service mapping.
    let staff_list = db.json(&["staff:list", "--branch-id", &bs]);
    let m3 = staff_list.as_array().unwrap().iter().find(|s| s["name"] == "Mitarbeiter 3").unwrap();
    assert!(m3["services"].as_array().unwrap().iter().any(|s| s == "Leistung 1"), "{m3}");

    // Nothing changed: a second import and the check say so.
    let again = db.json(&["calcom:import-services", "--company-id", &cs]);
    assert_eq!(
        (again["created"].as_u64(), again["updated"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(0), Some(1000))
    );
    assert!(db.ok(&["calcom:verify-sync", "--company-id", &cs]).contains("match Cal.com"));

    // Drift: a changed length, a removed event type, a member who left.
    fake.with_model(|m| {
        m.event_types[0].length = 45;
        m.event_types.pop();
        m.members.retain(|u| u.user_id != 1001);
    });
    let run = db.run(&["calcom:verify-sync", "--company-id", &cs]);
    assert_eq!(run.code, 1);
    for needle in ["differs", "event type 6000 no longer exists", "no longer a member", "Leistung 1"] {
        assert!(run.stdout.contains(needle), "{needle}: {}", run.stdout);
    }
    assert!(run.stderr.contains("3 difference(s)"), "{}", run.stderr);
    let update = db.json(&["calcom:import-services", "--company-id", &cs]);
    assert_eq!((update["updated"].as_u64(), update["unchanged"].as_u64()), (Some(1), Some(998)));
}

fn import_services_dry_run_and_force(db: &TestDb) {
    let fake = team(3, 2, false);
    let (c, _) = company(db, &fake);
    let cs = c.to_string();
    // A service made by hand that shares an event type's name.
    let own = db.service(c, "Leistung 2", 20);

    let dry = db.json(&["calcom:import-services", "--company-id", &cs, "--dry-run"]);
    assert_eq!((dry["dry_run"].as_bool(), dry["created"].as_u64()), (Some(true), Some(2)));
    assert_eq!(db.json(&["service:list", "--company-id", &cs]).as_array().unwrap().len(), 1, "--dry-run wrote nothing");

    let run = db.run(&["calcom:import-services", "--company-id", &cs]);
    assert_eq!(run.code, 0);
    assert!(run.stderr.contains("skipped 'Leistung 2'") && run.stderr.contains("--force"), "{}", run.stderr);
    assert!(run.stdout.contains("2 created") && run.stdout.contains("1 skipped"), "{}", run.stdout);

    let forced = db.json(&["calcom:import-services", "--company-id", &cs, "--force"]);
    assert_eq!((forced["updated"].as_u64(), forced["unchanged"].as_u64()), (Some(1), Some(2)));
    let linked = db.json(&["service:list", "--company-id", &cs]);
    let mine = linked.as_array().unwrap().iter().find(|s| s["id"] == own).unwrap();
    assert_eq!((mine["calcom_event_type_id"].as_i64(), mine["duration_min"].as_i64()), (Some(5002), Some(45)));

    // A wrong key is a configuration error naming the fix.
    db.ok(&["company:config", "--company-id", &cs, "--calcom-api-key", "cal_live_wrong_key_123"]);
    db.run(&["calcom:test-connection", "--company-id", &cs]).fails(6, "refused the API key");
    // A company without Cal.com says how to connect it.
    let plain = db.company("Ohne Cal");
    db.run(&["calcom:import-services", "--company-id", &plain.to_string()]).fails(6, "no Cal.com API key");
    db.run(&["calcom:verify-sync", "--company-id", "999"]).fails(3, "company 999");
}

fn debug_views(db: &TestDb) {
    let c = db.company("Salon");
    let cs = c.to_string();
    let b: i64 = db
        .ok(&[
            "branch:create",
            "--company-id",
            &cs,
            "--name",
            "Mitte",
            "-q",
            "--business-hours",
            r#"{"monday": [{"open": "09:00", "close": "12:00"}, {"open": "13:00", "close": "17:00"}]}"#,
        ])
        .trim()
        .parse()
        .unwrap();
    let s = db.service(c, "Herrenhaarschnitt", 30);
    let staff = db.ok(&["staff:create", "--branch-id", &b.to_string(), "--name", "Anna", "-q"]);
    let staff = staff.trim();
    common::block_on(async {
        db.execute("INSERT INTO customers (company_id, phone, name, created_at, updated_at) VALUES (1, '+4930123456', 'Max', 0, 0)").await.unwrap();
        // Monday 2030-03-04 10:00 Berlin = 09:00 UTC.
        db.execute(&format!(
            "INSERT INTO appointments (company_id, branch_id, staff_id, service_id, customer_id, starts_at, ends_at, status, backend, created_at, updated_at) \
             VALUES ({c}, {b}, {staff}, {s}, 1, 1898845200000, 1898847000000, 'booked', 'local', 0, 0)"
        ))
        .await
        .unwrap();
    });
    let day = db.ok(&["debug:appointments", "--branch-id", &b.to_string(), "--date", "2030-03-04"]);
    for needle in ["10:00–10:30", "Anna", "Herrenhaarschnitt", "Max", "+4930123456", "booked", "local"] {
        assert!(day.contains(needle), "{needle}: {day}");
    }
    let json = db.json(&["debug:appointments", "--branch-id", &b.to_string(), "--date", "2030-03-05"]);
    assert_eq!(json["appointments"].as_array().unwrap().len(), 0, "the next day is empty");

    let hours = db.ok(&["debug:working-hours", "--staff-id", staff, "--date", "2030-03-04"]);
    assert!(
        hours.contains("09:00–12:00, 13:00–17:00 (the branch's hours)") && hours.contains("10:00–10:30"),
        "{hours}"
    );
    let sunday = db.json(&["debug:working-hours", "--staff-id", staff, "--date", "2030-03-03"]);
    assert_eq!(sunday["shifts"].as_array().unwrap().len(), 0);
    // Own hours narrow the branch's; a bad value is refused with the day named.
    let bs = b.to_string();
    let ben = db.ok(&[
        "staff:create",
        "--branch-id",
        &bs,
        "--name",
        "Ben",
        "-q",
        "--working-hours",
        r#"{"monday": {"open": "08:00", "close": "10:30"}}"#,
    ]);
    let ben_day = db.ok(&["debug:working-hours", "--staff-id", ben.trim(), "--date", "2030-03-04"]);
    assert!(ben_day.contains("09:00–10:30 (own hours within the branch's)"), "{ben_day}");
    db.run(&[
        "staff:create",
        "--branch-id",
        &bs,
        "--name",
        "Cem",
        "--working-hours",
        r#"{"monday": {"open": "18:00", "close": "08:00"}}"#,
    ])
    .fails(2, "monday");
    db.run(&["debug:appointments", "--branch-id", &b.to_string(), "--date", "irgendwann"]).fails(2, "--date");
    db.run(&["debug:working-hours", "--staff-id", "999"]).fails(3, "staff member 999");
}

/// On a terminal the import draws a progress bar (`script` gives the command a pty); piped,
/// stderr stays free of it.
#[test]
fn import_shows_progress_only_on_a_terminal() {
    let db = TestDb::sqlite();
    let fake = team(1000, 5, true);
    fake.set_delay(Some(std::time::Duration::from_millis(150)));
    let (c, _) = company(&db, &fake);
    let bin = env!("CARGO_BIN_EXE_askpro");
    let run = db.shell(&format!("script -qec '{bin} calcom:import-services --company-id {c}' /dev/null"));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("reading event types") && run.stdout.contains('%'), "no bar drawn: {:?}", run.stdout);
    assert!(run.stdout.contains("importing services"), "{:?}", run.stdout);
    assert!(run.stdout.contains("1000 created"), "{:?}", run.stdout);
    let piped = db.run(&["calcom:verify-sync", "--company-id", &c.to_string()]);
    assert!(!piped.stderr.contains('%'), "a bar on a pipe: {}", piped.stderr);
}
