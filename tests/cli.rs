//! The CLI suite: the real `askpro` binary against a real database, every test on SQLite and on
//! PostgreSQL (when `ASKPRO_TEST_POSTGRES_URL` is set).

mod common;

use common::TestDb;
use serde_json::Value;

both_backends!(
    company_create_forms_and_outputs,
    company_create_validates_input,
    company_config_shows_and_changes_settings,
    company_greeting_templates,
    branch_create_normalises_and_validates,
    branch_notifications_and_list,
    service_create_list_and_synonyms,
    synonym_import_is_all_or_nothing,
    staff_create_assign_and_list,
    tenants_never_see_each_other,
    secrets_never_appear_in_output,
    db_commands_and_json_errors,
    shell_loop_onboarding,
);

fn company_create_forms_and_outputs(db: &TestDb) {
    // Colon form prints the `Company ID: N` line; nested form works the same way.
    let out = db.ok(&["company:create", "--name", "Salon Eins"]);
    assert_eq!(out, "Company ID: 1\n");
    let out = db.ok(&["company", "create", "--name", "Salon Zwei"]);
    assert_eq!(out, "Company ID: 2\n");
    // -q prints only the id.
    assert_eq!(db.ok(&["company:create", "--name", "Salon Drei", "-q"]), "3\n");
    // --json: exactly one object with the entity's fields.
    let v = db.json(&[
        "company:create",
        "--name",
        "Physio Vier",
        "--industry",
        "physiotherapie",
        "--timezone",
        "Europe/Vienna",
    ]);
    assert_eq!(v["id"], 4);
    assert_eq!(v["name"], "Physio Vier");
    assert_eq!(v["timezone"], "Europe/Vienna");
    assert_eq!(v["industry"], "physiotherapie");
    assert_eq!(v["cancellation_hours"], 24, "industry preset applied");
    assert_eq!(v["service_confidence_threshold"], 0.9);
    assert_eq!(v["callback_channels"], "email,portal");
    assert_eq!(v["existed"], false);
    // Duplicate name (any case/spacing) → conflict, with help naming the fix.
    let run = db.run(&["company:create", "--name", "salon  eins"]);
    run.fails(4, "already exists");
    assert!(run.stderr.contains("help:") && run.stderr.contains("--if-not-exists"));
    assert!(run.stdout.is_empty(), "errors do not go to stdout without --json");
    // --if-not-exists returns the existing id and exits 0.
    assert_eq!(db.ok(&["company:create", "--name", "Salon Eins", "--if-not-exists", "-q"]), "1\n");
    let v = db.json(&["company:create", "--name", "Salon Eins", "--if-not-exists"]);
    assert_eq!((v["id"].as_i64(), v["existed"].as_bool()), (Some(1), Some(true)));
    // list and show in both output forms.
    let list = db.json(&["company:list"]);
    assert_eq!(list.as_array().unwrap().len(), 4);
    let human = db.ok(&["company:list"]);
    assert!(human.contains("Salon Zwei") && human.contains("physiotherapie"));
    let show = db.json(&["company:show", "4"]);
    assert!(show["greetings"]["default"].as_str().unwrap().contains("{{company}}"));
    assert_eq!(db.json(&["company", "show", "2"])["name"], "Salon Zwei");
    db.run(&["company:show", "99"]).fails(3, "company 99 does not exist");
}

fn company_create_validates_input(db: &TestDb) {
    db.run(&["company:create", "--name", "X", "--phone", "hello"]).fails(2, "'hello' is not a phone number");
    db.run(&["company:create", "--name", "X", "--timezone", "Europe/Atlantis"]).fails(2, "Europe/Atlantis");
    db.run(&["company:create", "--name", "X", "--industry", "bakery"]).fails(2, "unknown industry 'bakery'");
    db.run(&["company:create", "--name", "X", "--email", "no-at-sign"]).fails(2, "no-at-sign");
    db.run(&["company:create", "--name", "X", "--country", "ZZ"]).fails(2, "ZZ");
    db.run(&["company:create", "--name", "X", "--scheduling", "outlook"]).fails(2, "outlook");
    db.run(&["company:create", "--name", "   "]).fails(2, "--name must not be empty");
    // No terminal: a missing required value names its flag instead of prompting.
    db.run(&["company:create"]).fails(2, "missing --name");
    db.run(&["company:create", "--nmae", "X"]).fails(2, "--nmae");
    // A 10,000-character value is refused, and the error repeats only its start.
    let long = "1".repeat(10_000);
    for flag in ["--phone", "--timezone", "--email"] {
        let run = db.run(&["company:create", "--name", "X", flag, &long]);
        run.fails(2, "… (10000 characters)");
        assert!(run.stderr.len() < 400, "{flag}: {} bytes on stderr", run.stderr.len());
    }
    let address = format!("{}@example.de", "a".repeat(250));
    db.run(&["company:create", "--name", "X", "--email", &address]).fails(2, "is not an e-mail address");
    // Nothing was written by any of the above.
    assert_eq!(db.json(&["company:list"]), Value::Array(vec![]));
    // A valid phone in another written form is stored in E.164.
    let v = db.json(&["company:create", "--name", "Y", "--phone", "0049 30 1234567"]);
    assert_eq!(v["phone"], "+49301234567");
}

fn company_config_shows_and_changes_settings(db: &TestDb) {
    let id = db.company("Salon").to_string();
    let shown = db.json(&["company:config", "--company-id", &id]);
    assert_eq!(shown["enable_smart_service"], true);
    assert_eq!(shown["service_confidence_threshold"], 0.8);
    assert_eq!(shown["staff_confidence_threshold"], 0.8);
    assert_eq!(shown["cancellation_hours"], 0);
    assert_eq!(shown["scheduling"], "local");
    let changed = db.json(&[
        "company:config",
        "--company-id",
        &id,
        "--callback-channels",
        "email,whatsapp",
        "--callback-email",
        "chef@salon.de",
        "--enable-smart-service",
        "false",
        "--service-confidence-threshold",
        "0.65",
        "--enable-staff-preferences",
        "no",
        "--staff-confidence-threshold",
        "0.9",
        "--cancellation-hours",
        "24",
        "--scheduling",
        "calcom",
    ]);
    assert_eq!(changed["callback_channels"], "email,whatsapp");
    assert_eq!(changed["callback_email"], "chef@salon.de");
    assert_eq!(changed["enable_smart_service"], false);
    assert_eq!(changed["service_confidence_threshold"], 0.65);
    assert_eq!(changed["enable_staff_preferences"], false);
    assert_eq!(changed["cancellation_hours"], 24);
    assert_eq!(changed["scheduling"], "calcom");
    // Unchanged settings keep their values on the next change.
    let again = db.json(&["company:config", "--company-id", &id, "--cancellation-hours", "12"]);
    assert_eq!(
        (again["cancellation_hours"].as_i64(), again["callback_email"].as_str()),
        (Some(12), Some("chef@salon.de"))
    );
    db.run(&["company:config", "--company-id", &id, "--service-confidence-threshold", "1.5"])
        .fails(2, "between 0 and 1");
    db.run(&["company:config", "--company-id", &id, "--cancellation-hours", "-3"]).fails(2, "-3");
    db.run(&["company:config", "--company-id", &id, "--callback-channels", "email,pigeon"]).fails(2, "pigeon");
    db.run(&["company:config", "--company-id", &id, "--enable-smart-service", "maybe"]).fails(2, "maybe");
    db.run(&["company:config", "--company-id", "42"]).fails(3, "company 42");
    db.run(&["company:config", "--company-id", "0"]).fails(2, "company-id");
    let human = db.ok(&["company:config", "--company-id", &id]);
    assert!(human.contains("cancellation hours:") && human.contains("12"));
}

fn company_greeting_templates(db: &TestDb) {
    let id = db.company("Salon").to_string();
    let t = "Hallo {{customer_name}}, wieder {{service}} bei {{company}} in {{branch}}?";
    db.ok(&["company:greeting", "--company-id", &id, "--type", "personalized_with_service", "--template", t]);
    let show = db.json(&["company:show", &id]);
    assert_eq!(show["greetings"]["personalized_with_service"], t);
    // Setting it again replaces it.
    db.ok(&[
        "company:greeting",
        "--company-id",
        &id,
        "--type",
        "personalized_with_service",
        "--template",
        "Hi {{customer_name}}",
    ]);
    assert_eq!(db.json(&["company:show", &id])["greetings"]["personalized_with_service"], "Hi {{customer_name}}");
    db.run(&["company:greeting", "--company-id", &id, "--type", "default", "--template", "Hallo {{kunde}}"])
        .fails(2, "kunde");
    db.run(&["company:greeting", "--company-id", &id, "--type", "morning", "--template", "x"]).fails(2, "morning");
    db.run(&["company:greeting", "--company-id", "9", "--type", "default", "--template", "x"]).fails(3, "company 9");
    let page = "Hallo! ".repeat(100);
    db.run(&["company:greeting", "--company-id", &id, "--type", "default", "--template", &page])
        .fails(2, "longer than 500 characters");
}

fn branch_create_normalises_and_validates(db: &TestDb) {
    let c = db.company("Salon").to_string();
    let v = db.json(&[
        "branch:create",
        "--company-id",
        &c,
        "--name",
        "Mitte",
        "--phone",
        "030 1234567",
        "--email",
        "mitte@salon.de",
        "--address",
        "Hauptstr. 1, Berlin",
    ]);
    assert_eq!(v["phone"], "+49301234567");
    assert_eq!(v["timezone"], "Europe/Berlin", "inherited from the company");
    assert_eq!(v["business_hours"]["monday"]["open"], "09:00");
    assert_eq!(v["business_hours"]["sunday"]["open"], Value::Null);
    // Hours from a file, with a split shift, and an explicit zone.
    let hours = db.write("hours.json", r#"{"monday": [{"open": "08:00", "close": "12:00"}, {"open": "14:00", "close": "18:00"}], "saturday": {"open": "09:00", "close": "13:00"}}"#);
    let arg = format!("@{}", hours.display());
    let v = db.json(&[
        "branch",
        "create",
        "--company-id",
        &c,
        "--name",
        "Wien",
        "--timezone",
        "Europe/Vienna",
        "--business-hours",
        &arg,
    ]);
    assert_eq!(v["timezone"], "Europe/Vienna");
    assert_eq!(v["business_hours"]["monday"][1]["open"], "14:00");
    assert_eq!(v["business_hours"]["tuesday"]["open"], Value::Null);
    // Invalid input: exit 2 naming the offending value or day; nothing written.
    let bad = |hours: &str, needle: &str| {
        db.run(&["branch:create", "--company-id", &c, "--name", "Bad", "--business-hours", hours]).fails(2, needle);
    };
    bad(r#"{"funday": {"open": "09:00", "close": "18:00"}}"#, "funday");
    bad(r#"{"tuesday": {"open": "18:00", "close": "09:00"}}"#, "tuesday");
    bad(r#"{"wednesday": {"open": "9h", "close": "18:00"}}"#, "wednesday");
    bad("{not json", "not valid JSON");
    bad("@/nonexistent/hours.json", "/nonexistent/hours.json");
    db.run(&["branch:create", "--company-id", &c, "--name", "Bad", "--phone", "12"])
        .fails(2, "'12' is not a phone number");
    db.run(&["branch:create", "--company-id", &c, "--name", "Bad", "--timezone", "Berlin"]).fails(2, "Berlin");
    db.run(&["branch:create", "--company-id", "77", "--name", "Bad"]).fails(3, "company 77");
    assert_eq!(db.json(&["branch:list", "--company-id", &c]).as_array().unwrap().len(), 2);
    // Natural key: company + name.
    db.run(&["branch:create", "--company-id", &c, "--name", "mitte"]).fails(4, "already has a branch named");
    assert_eq!(db.ok(&["branch:create", "--company-id", &c, "--name", "Mitte", "--if-not-exists", "-q"]), "1\n");
    // An industry preset supplies default hours.
    let physio = db.ok(&["company:create", "--name", "Physio", "--industry", "physiotherapie", "-q"]);
    let v = db.json(&["branch:create", "--company-id", physio.trim(), "--name", "Praxis"]);
    assert_eq!(v["business_hours"]["monday"]["close"], "20:00");
    assert_eq!(v["business_hours"]["saturday"]["close"], "14:00");
}

fn branch_notifications_and_list(db: &TestDb) {
    let c = db.company("Salon");
    let b = db.branch(c, "Mitte").to_string();
    let v = db.json(&[
        "branch:notifications",
        "--branch-id",
        &b,
        "--email",
        "team@salon.de",
        "--sms-phone",
        "0171 2345678",
    ]);
    assert_eq!(v["notify_email"], "team@salon.de");
    assert_eq!(v["notify_sms_phone"], "+491712345678");
    let v = db.json(&["branch:notifications", "--branch-id", &b, "--whatsapp", "+49 171 2345679"]);
    assert_eq!(
        (v["notify_email"].as_str(), v["notify_whatsapp"].as_str()),
        (Some("team@salon.de"), Some("+491712345679"))
    );
    db.run(&["branch:notifications", "--branch-id", &b, "--sms-phone", "abc"]).fails(2, "abc");
    db.run(&["branch:notifications", "--branch-id", "999", "--email", "a@b.de"]).fails(3, "branch 999");
    let human = db.ok(&["branch:list", "--company-id", &c.to_string()]);
    assert!(human.contains("Mitte") && human.contains("Europe/Berlin"));
    assert_eq!(db.ok(&["branch:list", "--company-id", &c.to_string(), "-q"]).trim(), b);
    db.run(&["branch:list", "--company-id", "999"]).fails(3, "company 999");
}

fn service_create_list_and_synonyms(db: &TestDb) {
    let c = db.company("Salon");
    let cs = c.to_string();
    let b = db.branch(c, "Mitte").to_string();
    let v = db.json(&[
        "service:create",
        "--company-id",
        &cs,
        "--name",
        "Herrenhaarschnitt",
        "--duration",
        "30",
        "--price",
        "25,50",
        "--calcom-event-type-id",
        "1001",
    ]);
    assert_eq!(
        (v["duration_min"].as_i64(), v["price_cents"].as_i64(), v["calcom_event_type_id"].as_i64()),
        (Some(30), Some(2550), Some(1001))
    );
    assert_eq!(v["branch_id"], Value::Null);
    let only_here = db.json(&[
        "service:create",
        "--company-id",
        &cs,
        "--branch-id",
        &b,
        "--name",
        "Bart trimmen",
        "--duration",
        "15",
    ]);
    assert_eq!(only_here["branch_id"].as_i64(), Some(b.parse().unwrap()));
    db.run(&["service:create", "--company-id", &cs, "--name", "X", "--duration", "0"]).fails(2, "duration");
    db.run(&["service:create", "--company-id", &cs, "--name", "X", "--duration", "30", "--price", "zehn"])
        .fails(2, "zehn");
    db.run(&["service:create", "--company-id", &cs, "--name", "herrenhaarschnitt", "--duration", "30"])
        .fails(4, "already has a service");
    let other = db.company("Other");
    let other_branch = db.branch(other, "Elsewhere").to_string();
    db.run(&["service:create", "--company-id", &cs, "--branch-id", &other_branch, "--name", "X", "--duration", "5"])
        .fails(3, "has no branch");
    let all = db.json(&["service:list", "--company-id", &cs]);
    assert_eq!(all.as_array().unwrap().len(), 2);
    let second = db.branch(c, "Zweite").to_string();
    let at_second = db.json(&["service:list", "--company-id", &cs, "--branch-id", &second]);
    assert_eq!(at_second.as_array().unwrap().len(), 1, "a branch-only service is not offered elsewhere");
    // Synonyms: add, idempotent re-add, show.
    let sid = v["id"].to_string();
    let added = db.json(&["service:add-synonym", "--service-id", &sid, "--synonym", "Männerhaarschnitt"]);
    assert_eq!(added["added"], true);
    let again = db.json(&["service:add-synonym", "--service-id", &sid, "--synonym", "männerhaarschnitt "]);
    assert_eq!(again["added"], false);
    db.ok(&["service:add-synonym", "--service-id", &sid, "--synonym", "Herren Haarschnitt"]);
    let shown = db.json(&["service:show-synonyms", "--service-id", &sid]);
    let names: Vec<&str> =
        shown["synonyms"].as_array().unwrap().iter().map(|s| s["synonym"].as_str().unwrap()).collect();
    assert_eq!(names, ["Männerhaarschnitt", "Herren Haarschnitt"]);
    let human = db.ok(&["service:list", "--company-id", &cs]);
    assert!(human.contains("25.50") && human.contains("Herrenhaarschnitt"));
    db.run(&["service:add-synonym", "--service-id", "999", "--synonym", "x"]).fails(3, "service 999");
}

fn synonym_import_is_all_or_nothing(db: &TestDb) {
    let c = db.company("Salon");
    let cs = c.to_string();
    let herren = db.service(c, "Herrenhaarschnitt", 30).to_string();
    db.service(c, "Färben", 90);
    db.ok(&["service:add-synonym", "--service-id", &herren, "--synonym", "Herrenschnitt"]);
    let count = || -> i64 {
        db.json(&["service:list", "--company-id", &cs])
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["synonym_count"].as_i64().unwrap())
            .sum()
    };
    assert_eq!(count(), 1);
    let import = |name: &str, content: &str| {
        let path = db.write(name, content);
        db.run(&["service:import-synonyms", "--file", path.to_str().unwrap(), "--company-id", &cs])
    };
    // A bad row anywhere aborts with its line number, and nothing is written.
    import("unknown.csv", "service_name,synonym\nHerrenhaarschnitt,Männerschnitt\nDauerwelle,Locken\n")
        .fails(2, "line 3");
    import("short.csv", "service_name,synonym\nFärben,Tönung\nFärben\n").fails(2, "line 3");
    import("empty.csv", "service_name,synonym\nFärben,Tönung\nFärben,\n").fails(2, "line 3");
    import("header.csv", "service,synonym\nFärben,Tönung\n").fails(2, "line 1");
    let mut bad_utf8 = b"service_name,synonym\nF\xc3\xa4rben,T\xc3\xb6nung\n".to_vec();
    bad_utf8.extend_from_slice(b"F\xc3\xa4rben,\xff\n");
    let path = db.path().join("utf8.csv");
    std::fs::write(&path, bad_utf8).unwrap();
    db.run(&["service:import-synonyms", "--file", path.to_str().unwrap(), "--company-id", &cs]).fails(2, "line 3");
    db.run(&["service:import-synonyms", "--file", "missing.csv", "--company-id", &cs]).fails(2, "missing.csv");
    assert_eq!(count(), 1, "failed imports wrote nothing");
    // Dry run counts and writes nothing.
    let csv = "service_name,synonym\nHerrenhaarschnitt,Männerschnitt\nherrenhaarschnitt, Herrenschnitt\nFärben,Tönung\nFÄRBEN,tönung\nFärben,Coloration\n";
    let path = db.write("good.csv", csv);
    let dry = db.json(&["service:import-synonyms", "--file", path.to_str().unwrap(), "--company-id", &cs, "--dry-run"]);
    assert_eq!(dry, serde_json::json!({"rows": 5, "imported": 3, "duplicates_skipped": 2, "dry_run": true}));
    assert_eq!(count(), 1);
    // The real import: duplicates (in the file and already stored) are skipped and counted.
    let out = db.ok(&["service:import-synonyms", "--file", path.to_str().unwrap(), "--company-id", &cs]);
    assert_eq!(out.trim(), "5 rows: imported 3, skipped 2 duplicates");
    assert_eq!(count(), 4);
    let again = db.json(&["service:import-synonyms", "--file", path.to_str().unwrap(), "--company-id", &cs]);
    assert_eq!((again["imported"].as_i64(), again["duplicates_skipped"].as_i64()), (Some(0), Some(5)));
    db.run(&["service:import-synonyms", "--file", path.to_str().unwrap(), "--company-id", "99"]).fails(3, "company 99");
}

fn staff_create_assign_and_list(db: &TestDb) {
    let c = db.company("Salon");
    let b = db.branch(c, "Mitte").to_string();
    db.service(c, "Herrenhaarschnitt", 30);
    db.service(c, "Färben", 90);
    let jana = db.json(&[
        "staff:create",
        "--branch-id",
        &b,
        "--name",
        "Jana",
        "--email",
        "Jana@Salon.de",
        "--phone",
        "0171 1111111",
    ]);
    assert_eq!(jana["phone"], "+491711111111");
    let jid = jana["id"].to_string();
    // Natural key: branch + email (case-insensitive), or the name when there is no email.
    db.run(&["staff:create", "--branch-id", &b, "--name", "Jana B.", "--email", "jana@salon.de"])
        .fails(4, "already has this staff member");
    assert_eq!(
        db.ok(&[
            "staff:create",
            "--branch-id",
            &b,
            "--name",
            "Jana",
            "--email",
            "jana@salon.de",
            "--if-not-exists",
            "-q"
        ])
        .trim(),
        jid
    );
    let tom = db.ok(&["staff:create", "--branch-id", &b, "--name", "Tom", "-q"]).trim().to_string();
    db.run(&["staff:create", "--branch-id", &b, "--name", "tom"]).fails(4, "already has");
    assert_eq!(db.ok(&["staff:create", "--branch-id", &b, "--name", "Tom", "--if-not-exists", "-q"]).trim(), tom);
    db.run(&["staff:create", "--branch-id", "999", "--name", "X"]).fails(3, "branch 999");
    // Assign: a list of names, all-or-nothing on an unknown name, and `all`.
    let r = db.json(&["staff:assign-services", "--staff-id", &jid, "--services", "Färben"]);
    assert_eq!(r["services"], serde_json::json!(["Färben"]));
    db.run(&["staff:assign-services", "--staff-id", &tom, "--services", "Herrenhaarschnitt,Dauerwelle"])
        .fails(3, "Dauerwelle");
    let list = db.json(&["staff:list", "--branch-id", &b]);
    let tom_row = list.as_array().unwrap().iter().find(|s| s["name"] == "Tom").unwrap();
    assert_eq!(tom_row["services"], serde_json::json!([]), "nothing written on an unknown name");
    let r = db.json(&["staff:assign-services", "--staff-id", &tom, "--services", "all"]);
    assert_eq!((r["services"].as_array().unwrap().len(), r["newly_assigned"].as_i64()), (2, Some(2)));
    let r = db.json(&["staff:assign-services", "--staff-id", &tom, "--services", "all"]);
    assert_eq!(r["newly_assigned"], 0);
    let human = db.ok(&["staff:list", "--branch-id", &b]);
    assert!(human.contains("Färben, Herrenhaarschnitt"), "{human}");
    db.run(&["staff:assign-services", "--staff-id", "999", "--services", "all"]).fails(3, "staff member 999");
}

/// Two companies side by side: no listing, show or import of one returns the other's rows.
fn tenants_never_see_each_other(db: &TestDb) {
    let a = db.company("Salon A");
    let b = db.company("Salon B");
    let (as_, bs) = (a.to_string(), b.to_string());
    let branch_a = db.branch(a, "Filiale A");
    let branch_b = db.branch(b, "Filiale B");
    let svc_a = db.service(a, "Schnitt A", 30);
    let svc_b = db.service(b, "Schnitt B", 30);
    db.ok(&["service:add-synonym", "--service-id", &svc_a.to_string(), "--synonym", "nur A"]);
    db.ok(&["service:add-synonym", "--service-id", &svc_b.to_string(), "--synonym", "nur B"]);
    let staff_a =
        db.ok(&["staff:create", "--branch-id", &branch_a.to_string(), "--name", "Anna", "-q"]).trim().to_string();
    db.ok(&["staff:create", "--branch-id", &branch_b.to_string(), "--name", "Berta", "-q"]);

    let text_of = |args: &[&str]| serde_json::to_string(&db.json(args)).unwrap();
    for (mine, theirs, own_args) in [
        (
            &as_,
            ["Salon B", "Filiale B", "Schnitt B", "nur B", "Berta"],
            [("branch:list", &as_), ("service:list", &as_)],
        ),
        (&bs, ["Salon A", "Filiale A", "Schnitt A", "nur A", "Anna"], [("branch:list", &bs), ("service:list", &bs)]),
    ] {
        let mut seen = vec![text_of(&["company:show", mine])];
        for (cmd, id) in own_args {
            seen.push(text_of(&[cmd, "--company-id", id]));
        }
        for text in seen {
            for foreign in theirs {
                assert!(!text.contains(foreign), "{mine} sees {foreign}: {text}");
            }
        }
    }
    for (branch, foreign) in [(branch_a, "Berta"), (branch_b, "Anna")] {
        let text = text_of(&["staff:list", "--branch-id", &branch.to_string()]);
        assert!(!text.contains(foreign));
    }
    // Reaching across with an id of the other company is refused as not found.
    db.run(&["service:list", "--company-id", &as_, "--branch-id", &branch_b.to_string()]).fails(3, "has no branch");
    db.run(&[
        "service:create",
        "--company-id",
        &as_,
        "--branch-id",
        &branch_b.to_string(),
        "--name",
        "X",
        "--duration",
        "5",
    ])
    .fails(3, "has no branch");
    db.run(&["staff:assign-services", "--staff-id", &staff_a, "--services", "Schnitt B"]).fails(3, "Schnitt B");
    let staff_list = db.json(&["staff:list", "--branch-id", &branch_a.to_string()]);
    assert_eq!(staff_list[0]["services"], serde_json::json!([]));
    db.ok(&["staff:assign-services", "--staff-id", &staff_a, "--services", "all"]);
    let staff_list = db.json(&["staff:list", "--branch-id", &branch_a.to_string()]);
    assert_eq!(
        staff_list[0]["services"],
        serde_json::json!(["Schnitt A"]),
        "`all` means all of the own company's services"
    );
    // Importing into A with B's service name is an unknown service, and writes nothing.
    let path = db.write("cross.csv", "service_name,synonym\nSchnitt A,fine\nSchnitt B,sneaky\n");
    db.run(&["service:import-synonyms", "--file", path.to_str().unwrap(), "--company-id", &as_])
        .fails(2, "no service named 'Schnitt B'");
    let b_syn = db.json(&["service:show-synonyms", "--service-id", &svc_b.to_string()]);
    assert_eq!(b_syn["synonyms"].as_array().unwrap().len(), 1);
    let a_syn = db.json(&["service:show-synonyms", "--service-id", &svc_a.to_string()]);
    assert_eq!(a_syn["synonyms"].as_array().unwrap().len(), 1);
    // Same names in two companies are fine: natural keys are per company.
    db.ok(&["branch:create", "--company-id", &bs, "--name", "Filiale A"]);
    db.ok(&["service:create", "--company-id", &bs, "--name", "Schnitt A", "--duration", "30"]);
}

fn secrets_never_appear_in_output(db: &TestDb) {
    const CAL: &str = "cal_live_supersecret0123456789abcd9f2c";
    const RETELL: &str = "key_retell_verysecret_abcdef0123456789";
    let mut transcript = String::new();
    let mut record = |args: &[&str]| {
        let run = db.run(args);
        transcript.push_str(&run.stdout);
        transcript.push_str(&run.stderr);
        run
    };
    let run =
        record(&["company:create", "--name", "Geheim", "--calcom-api-key", CAL, "--retell-api-key", RETELL, "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["calcom_api_key"], "cal_live_…9f2c");
    assert_eq!(v["retell_api_key"], "key_retell_…6789");
    for args in [
        vec!["company:show", "1"],
        vec!["company:show", "1", "--json"],
        vec!["company:list"],
        vec!["company:list", "--json"],
        vec!["company:config", "--company-id", "1"],
        vec!["company:config", "--company-id", "1", "--json"],
        vec!["company:config", "--company-id", "1", "--calcom-api-key", CAL],
        vec!["company:create", "--name", "Geheim", "--calcom-api-key", CAL],
        vec!["company:create", "--name", "Geheim", "--calcom-api-key", CAL, "--json"],
        vec!["company:config", "--company-id", "1", "--retell-api-key", RETELL, "--service-confidence-threshold", "7"],
    ] {
        record(&args);
    }
    assert!(transcript.contains("…9f2c"), "masked form is shown");
    for secret in [CAL, RETELL, "supersecret", "verysecret"] {
        assert!(!transcript.contains(secret), "secret {secret} leaked into output:\n{transcript}");
    }
    // At rest: the database holds ciphertext only.
    let stored = common::block_on(db.strings("SELECT calcom_api_key_enc || ' ' || retell_api_key_enc FROM companies"));
    assert_eq!(stored.len(), 1);
    assert!(stored[0].starts_with("v1:") && !stored[0].contains("secret"));
    if !db.is_postgres() {
        for file in ["askpro.db", "askpro.db-wal"] {
            let bytes = std::fs::read(db.path().join(file)).unwrap_or_default();
            assert!(!bytes.windows(11).any(|w| w == b"supersecret"), "{file} holds the plain key");
        }
    }
}

fn db_commands_and_json_errors(db: &TestDb) {
    if !db.is_postgres() {
        // A read where there is no database yet says so and creates none.
        db.run(&["db:status"]).fails(6, "there is no askpro database at");
        db.run(&["company:list"]).fails(6, "there is no askpro database at");
        assert!(!db.path().join("askpro.db").exists());
    }
    let migrated = db.json(&["db", "migrate"]);
    assert!(migrated.as_array().unwrap().iter().all(|m| m["applied"] == true));
    let status = db.json(&["db:status"]);
    assert_eq!(status[0]["version"], 1);
    assert_eq!(status[0]["applied"], true);
    // --json errors: one JSON document on stdout with code and message, exit code as usual.
    let run = db.run(&["company:show", "5", "--json"]);
    assert_eq!(run.code, 3);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["error"]["code"], "not_found");
    assert!(v["error"]["message"].as_str().unwrap().contains("company 5"));
    let run = db.run(&["company:create", "--json", "--bogus"]);
    assert_eq!(run.code, 2);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["error"]["code"], "invalid_input");
    // Configuration missing → 6.
    if db.is_postgres() {
        let run = db
            .cmd()
            .env_remove("ASKPRO_MASTER_KEY")
            .args(["company:create", "--name", "K", "--calcom-api-key", "cal_live_0123456789abcdef"])
            .output()
            .unwrap();
        let run = common::Run::from(run);
        run.fails(6, "no master key");
        assert!(run.stderr.contains("ASKPRO_MASTER_KEY"));
        // Reusing an existing company with --if-not-exists seals nothing, so needs no key.
        db.ok(&["company:create", "--name", "Reuse", "-q"]);
        let reuse = common::Run::from(
            db.cmd()
                .env_remove("ASKPRO_MASTER_KEY")
                .args([
                    "company:create",
                    "--name",
                    "Reuse",
                    "--calcom-api-key",
                    "cal_live_0123456789abcdef",
                    "--if-not-exists",
                    "-q",
                ])
                .output()
                .unwrap(),
        );
        assert_eq!((reuse.code, reuse.stdout.trim()), (0, "1"), "{}", reuse.stderr);
        // Commands that need no secret still work without the key.
        assert_eq!(
            common::Run::from(db.cmd().env_remove("ASKPRO_MASTER_KEY").args(["company:list"]).output().unwrap()).code,
            0
        );
    }
    let before = db.json(&["company:list"]).as_array().unwrap().len();
    let run = common::Run::from(
        db.cmd()
            .env("ASKPRO_MASTER_KEY", "not-a-key")
            .args(["company:create", "--name", "K", "--retell-api-key", "key_0123456789abcdef"])
            .output()
            .unwrap(),
    );
    run.fails(6, "master key is not valid");
    assert_eq!(db.json(&["company:list"]).as_array().unwrap().len(), before, "nothing half-written");
    let unreachable = common::Run::from(
        db.cmd()
            .env("ASKPRO_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
            .args(["company:list"])
            .output()
            .unwrap(),
    );
    unreachable.fails(6, "cannot connect to PostgreSQL");
}

/// The onboarding loop from the README, small: one company, ten branches, thirty services.
fn shell_loop_onboarding(db: &TestDb) {
    let script = r#"
set -eu
COMPANY_ID=$(askpro company:create --name "Salon Loop" --industry friseur -q)
for i in $(seq 1 10); do
  BRANCH_ID=$(askpro branch:create --company-id "$COMPANY_ID" --name "Filiale $i" --phone "030 555 00$i" -q)
  for s in a b c; do
    askpro service:create --company-id "$COMPANY_ID" --branch-id "$BRANCH_ID" --name "Service $i$s" --duration 30 -q >/dev/null
  done
done
askpro company:create --name "Salon Loop" --if-not-exists -q
askpro branch:list --company-id "$COMPANY_ID" --json
"#;
    let run = db.shell(script);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut lines = run.stdout.splitn(2, '\n');
    assert_eq!(lines.next(), Some("1"));
    let branches: Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(branches.as_array().unwrap().len(), 10);
    assert_eq!(branches[9]["phone"], "+49305550010");
    assert_eq!(db.json(&["service:list", "--company-id", "1"]).as_array().unwrap().len(), 30);
}

#[test]
fn help_lists_every_command_in_colon_form() {
    let db = TestDb::sqlite();
    let help = db.ok(&["--help"]);
    assert!(help.contains("askpro list"));
    let list = db.ok(&["list"]);
    for cmd in [
        "company:create",
        "company:config",
        "company:greeting",
        "company:list",
        "company:show",
        "branch:create",
        "branch:notifications",
        "branch:list",
        "service:create",
        "service:list",
        "service:add-synonym",
        "service:import-synonyms",
        "service:show-synonyms",
        "staff:create",
        "staff:assign-services",
        "staff:list",
        "db:migrate",
        "db:status",
        "key:generate",
        "completions",
    ] {
        assert!(list.contains(cmd), "`askpro list` misses {cmd}");
    }
    let json = db.json(&["list"]);
    assert!(json.as_array().unwrap().iter().any(|c| c["command"] == "service:import-synonyms"));
    let sub = db.ok(&["company:create", "--help"]);
    assert!(sub.contains("--if-not-exists") && sub.contains("--calcom-api-key"));
    assert!(!db.path().join("askpro.db").exists(), "help and list never create a database");
}

#[test]
fn key_generate_prints_a_usable_key() {
    let db = TestDb::sqlite();
    let key = db.ok(&["key:generate"]).trim().to_string();
    let run = common::Run::from(
        db.cmd()
            .env("ASKPRO_MASTER_KEY", &key)
            .args(["company:create", "--name", "K", "--calcom-api-key", "cal_live_0123456789abcdef"])
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!db.path().join("askpro.key").exists(), "an explicit key means no key file");
    let other = TestDb::sqlite();
    other.ok(&["key:generate", "--write"]);
    assert!(other.path().join("askpro.key").exists());
    other.run(&["key:generate", "--write"]).fails(4, "already exists");
}

#[test]
fn embedded_default_creates_database_and_key_on_first_use() {
    let db = TestDb::sqlite();
    // The embedded default: no database URL, so askpro.db and askpro.key in the current directory.
    let embedded =
        |args: &[&str]| common::Run::from(db.cmd().env_remove("ASKPRO_DATABASE_URL").args(args).output().unwrap());
    let run = embedded(&["company:create", "--name", "Erster", "--calcom-api-key", "cal_live_0123456789abcdef"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "Company ID: 1\n");
    assert!(run.stderr.contains("generated a master key"), "notice on stderr: {}", run.stderr);
    assert!(db.path().join("askpro.db").exists() && db.path().join("askpro.key").exists());
    // The key file is reused: the stored secret stays readable (a second notice would mean a new key).
    let run = embedded(&["company:config", "--company-id", "1", "--retell-api-key", "key_0123456789abcdef"]);
    assert_eq!(run.code, 0);
    assert!(!run.stderr.contains("generated"));
    // A lost key file is not silently replaced while sealed secrets need it.
    let key = db.path().join("askpro.key");
    let saved = std::fs::read(&key).unwrap();
    std::fs::remove_file(&key).unwrap();
    let run = embedded(&["company:config", "--company-id", "1", "--retell-api-key", "key_fedcba9876543210"]);
    run.fails(6, "is missing, but the database holds secrets sealed with it");
    assert!(run.stderr.contains("restore askpro.key"), "{}", run.stderr);
    assert!(!key.exists(), "no new key file was made");
    std::fs::write(&key, saved).unwrap();
    let run = embedded(&["company:config", "--company-id", "1", "--retell-api-key", "key_fedcba9876543210"]);
    assert_eq!(run.code, 0, "the restored key works: {}", run.stderr);
}

/// On a terminal a missing --name is prompted for (`script` gives the command a pty); with -n it
/// is an error naming the flag even there.
#[test]
fn prompts_appear_only_on_a_terminal() {
    if std::process::Command::new("script").arg("--version").output().is_err() {
        panic!("`script` (util-linux) is needed to give the CLI a terminal in this test");
    }
    let db = TestDb::sqlite();
    let bin = env!("CARGO_BIN_EXE_askpro");
    let run = db.shell(&format!(
        "(sleep 1; printf 'Salon am Terminal\\r'; sleep 1) | script -qec '{bin} company:create -q' /dev/null"
    ));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Company name"), "the prompt is shown: {}", run.stdout);
    assert_eq!(db.json(&["company:list"])[0]["name"], "Salon am Terminal");
    let run = db.shell(&format!("(sleep 1; printf 'Nie\\r') | script -qec '{bin} company:create -n' /dev/null"));
    assert!(run.stdout.contains("missing --name") && !run.stdout.contains("Company name"), "{}", run.stdout);
    assert_eq!(db.json(&["company:list"]).as_array().unwrap().len(), 1);
}

/// Eight processes starting at once on a new SQLite file: one creates and migrates it while the
/// others wait, and every command succeeds.
#[test]
fn parallel_first_use_of_a_new_database() {
    for _ in 0..3 {
        let db = TestDb::sqlite();
        let run = db.shell(
            "for i in 1 2 3 4 5 6 7 8; do (askpro company:create --name \"Parallel $i\" -q >/dev/null || echo FAILED $i) & done; wait",
        );
        assert_eq!(run.code, 0);
        assert!(!run.stdout.contains("FAILED"), "{}{}", run.stdout, run.stderr);
        assert_eq!(db.json(&["company:list"]).as_array().unwrap().len(), 8, "{}", run.stderr);
    }
}

/// Each command closes its one connection before exiting, which checkpoints the WAL: the
/// database file alone then holds every row (a plain `cp askpro.db` is a complete copy) and the
/// next process has no WAL to replay.
#[test]
fn commands_leave_no_wal_behind() {
    let db = TestDb::sqlite();
    let company = db.company("Salon");
    for i in 0..20 {
        db.service(company, &format!("Leistung {i}"), 30);
        let wal = db.path().join("askpro.db-wal");
        let wal_len = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        assert_eq!(wal_len, 0, "after command {i} the WAL still holds {wal_len} bytes");
    }
    let other = TestDb::sqlite();
    std::fs::copy(db.path().join("askpro.db"), other.path().join("askpro.db")).unwrap();
    assert_eq!(other.json(&["service:list", "--company-id", &company.to_string()]).as_array().unwrap().len(), 20);
}

#[test]
fn an_unreachable_postgres_fails_at_once_naming_where() {
    let db = TestDb::sqlite();
    // Nothing listens on port 1: refused at once, not after the pool's 10 s.
    db.set_env("ASKPRO_DATABASE_URL", "postgres://askpro:hunter2@127.0.0.1:1/askpro");
    let started = std::time::Instant::now();
    let run = db.run(&["company:list"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(3), "took {:?}", started.elapsed());
    run.fails(6, "cannot connect to PostgreSQL at 127.0.0.1:1: connection refused");
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
    let json = db.run(&["company:list", "--json"]);
    assert_eq!(json.code, 6);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert!(doc["error"]["message"].as_str().unwrap().contains("connection refused"), "{doc}");
}

#[test]
fn quiet_and_json_mean_what_they_say_everywhere() {
    let db = TestDb::sqlite();
    let c = db.company("Ruhig").to_string();
    // -q on a change prints the id, not the whole configuration.
    let quiet = db.ok(&["company:config", "--company-id", &c, "--cancellation-hours", "12", "-q"]);
    assert_eq!(quiet.trim(), c);
    // completions are a script: --json cannot apply, and says so as one JSON document.
    let run = db.run(&["completions", "bash", "--json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    assert!(doc["error"]["message"].as_str().unwrap().contains("--json does not apply"), "{doc}");
    assert!(db.ok(&["completions", "bash"]).contains("askpro"));
}

#[test]
fn negative_numbers_control_characters_and_open_quotes_get_clear_errors() {
    let db = TestDb::sqlite();
    let c = db.company("Salon").to_string();
    // A negative number is a value (and refused as one), not an unknown flag '-3'.
    db.run(&["service:create", "--company-id", &c, "--name", "Schnitt", "--duration", "-30"])
        .fails(2, "'-30' for '--duration <MIN>'");
    db.run(&["service:create", "--company-id", &c, "--name", "Schnitt", "--duration", "30", "--price", "-5"])
        .fails(2, "'-5' is not a price");
    db.run(&["company:config", "--company-id", &c, "--slot-step", "-15"]).fails(2, "slot");
    // Tabs, line breaks and escapes would break tables and loops over the output.
    for name in ["A\tB", "Zeile\nzwei", "Farbe\u{1b}[2J"] {
        db.run(&["company:create", "--name", name]).fails(2, "must not contain tabs, line breaks");
        db.run(&["branch:create", "--company-id", &c, "--name", name]).fails(2, "must not contain tabs, line breaks");
    }
    // An unterminated quote no longer swallows the rest of the file into one synonym.
    db.ok(&["service:create", "--company-id", &c, "--name", "Schnitt", "--duration", "30"]);
    let csv = db.write("open.csv", "service_name,synonym\nSchnitt,\"Haare\nSchnitt,kurz\nSchnitt,lang\n");
    db.run(&["service:import-synonyms", "--company-id", &c, "--file", csv.to_str().unwrap()])
        .fails(2, "line 2: a quoted field runs over a line break");
    assert_eq!(db.json(&["service:show-synonyms", "--service-id", "1"])["synonyms"].as_array().unwrap().len(), 0);
}
