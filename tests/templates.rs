//! `templates:list` and `templates:show`: the industry presets, built-in and from a file, through
//! the real binary. They need no database: most runs here point at one that cannot be reached.

mod common;

use common::TestDb;
use serde_json::Value;

both_backends!(company_create_takes_a_preset_file);

/// A test directory whose database URL leads nowhere, so that any database access fails.
fn no_database() -> TestDb {
    let db = TestDb::sqlite();
    db.set_env("ASKPRO_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none");
    db
}

const NAGELSTUDIO: &str = r#"
key = "nagelstudio"
name = "Nagelstudio"
callback_channels = ["email", "whatsapp"]
cancellation_hours = 12

[business_hours]
tuesday = { open = "10:00", close = "18:00" }
saturday = { open = "10:00", close = "14:00" }

[[services]]
name = "Maniküre"
duration = 45
price = 30.0
synonyms = ["Nägel machen"]

[[staff_roles]]
name = "Nageldesigner/in"
services = ["*"]

[greetings]
default = "Hallo, hier ist {{company}}. Was darf es sein?"
"#;

#[test]
fn list_shows_every_preset_for_people_and_scripts() {
    let db = no_database();
    let human = db.ok(&["templates:list"]);
    for needle in [
        "friseur",
        "4: Herrenhaarschnitt, Damenhaarschnitt, Bart trimmen, Färben",
        "Mon–Fri 09:00–18:00, Sat 09:00–16:00",
        "email, sms, portal",
        "kosmetikstudio",
        "Tue–Fri 10:00–19:00, Sat 10:00–17:00",
        "24 h",
        "automotive",
    ] {
        assert!(human.contains(needle), "templates:list lacks {needle:?}:\n{human}");
    }
    assert_eq!(db.ok(&["templates", "list", "-q"]).lines().count(), 8, "-q prints the keys");
    let list = db.json(&["templates:list"]);
    let list = list.as_array().unwrap();
    let keys: Vec<&str> = list.iter().map(|p| p["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        ["friseur", "physiotherapie", "kosmetikstudio", "medical", "beauty", "legal", "fitness", "automotive"]
    );
    for preset in list {
        // Full presets: services with synonyms, roles, greetings, settings.
        assert!(!preset["services"][0]["synonyms"].as_array().unwrap().is_empty(), "{preset}");
        assert!(!preset["staff_roles"].as_array().unwrap().is_empty());
        assert!(preset["greetings"]["after_hours"].as_str().unwrap().contains("{{company}}"));
        assert!(preset["service_confidence_threshold"].is_number() && preset["agent_template"].is_string());
    }
}

#[test]
fn show_prints_everything_a_preset_sets_up() {
    let db = no_database();
    let human = db.ok(&["templates:show", "Physiotherapie"]);
    for needle in [
        "physiotherapie",
        "booking-de",
        "email, portal",
        "on (threshold 0.9)",
        "24 h",
        "Mon–Fri 08:00–20:00, Sat 08:00–14:00",
        "Manuelle Therapie — 30 min, €45.00 (also: MT, Manualtherapie, manuelle Behandlung)",
        "Physiotherapeut/in: all services",
        "Masseur/in: Massagetherapie, Lymphdrainage",
        "returning_customer: Hallo {{customer_name}}",
    ] {
        assert!(human.contains(needle), "templates:show lacks {needle:?}:\n{human}");
    }
    let v = db.json(&["templates", "show", "friseur"]);
    assert_eq!(v["key"], "friseur");
    assert_eq!(v["callback_channels"], serde_json::json!(["email", "sms", "portal"]));
    assert_eq!(v["business_hours"]["saturday"]["close"], "16:00");
    let herren = &v["services"][0];
    assert_eq!(
        (herren["name"].as_str(), herren["duration"].as_i64(), herren["price"].as_f64()),
        (Some("Herrenhaarschnitt"), Some(30), Some(25.0))
    );
    assert_eq!(v["staff_roles"][0], serde_json::json!({"name": "Friseur/in", "services": ["*"]}));
    assert!(v["greetings"]["personalized_with_service"].as_str().unwrap().contains("{{service}}"));
}

#[test]
fn an_unknown_key_lists_the_known_ones() {
    let db = no_database();
    let run = db.run(&["templates:show", "bakery"]);
    run.fails(2, "unknown industry 'bakery'");
    assert!(run.stderr.contains("friseur, physiotherapie") && run.stderr.contains(".toml"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let run = db.run(&["templates:show", "bakery", "--json"]);
    assert_eq!(run.code, 2);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["error"]["code"], "invalid_input");
}

#[test]
fn show_reads_a_preset_file_and_names_what_is_wrong_in_one() {
    let db = no_database();
    db.write("nagel.toml", NAGELSTUDIO);
    let human = db.ok(&["templates:show", "./nagel.toml"]);
    assert!(human.contains("Nagelstudio") && human.contains("Tue 10:00–18:00, Sat 10:00–14:00"), "{human}");
    assert!(human.contains("Maniküre — 45 min, €30.00 (also: Nägel machen)") && human.contains("12 h"), "{human}");
    let v = db.json(&["templates:show", "nagel.toml"]);
    assert_eq!((v["key"].as_str(), v["agent_template"].as_str()), (Some("nagelstudio"), Some("booking-de")));
    assert_eq!(v["greetings"]["default"], "Hallo, hier ist {{company}}. Was darf es sein?");
    assert_eq!(v["greetings"]["after_hours"], Value::Null, "absent greetings stay absent");

    db.write("typo.toml", &NAGELSTUDIO.replace("cancellation_hours", "cancelation_hours"));
    db.run(&["templates:show", "typo.toml"])
        .fails(2, "preset file 'typo.toml' line 5: unknown field `cancelation_hours`");
    db.write("hours.toml", &NAGELSTUDIO.replace("\"14:00\"", "\"9:60\""));
    db.run(&["templates:show", "hours.toml"]).fails(2, "saturday");
    db.write("role.toml", &NAGELSTUDIO.replace("[\"*\"]", "[\"Pediküre\"]"));
    db.run(&["templates:show", "role.toml"]).fails(2, "staff role 'Nageldesigner/in' names unknown service 'Pediküre'");
    let twice = format!("{NAGELSTUDIO}\n[[services]]\nname = \"maniküre\"\nduration = 30\n");
    db.write(
        "twice.toml",
        &twice.replace("[greetings]\ndefault = \"Hallo, hier ist {{company}}. Was darf es sein?\"\n", ""),
    );
    db.run(&["templates:show", "twice.toml"]).fails(2, "service 'maniküre' is listed twice");
    db.run(&["templates:show", "./missing.toml"]).fails(2, "cannot read preset file './missing.toml'");
}

/// `company:create --industry FILE` applies the file's settings and keeps its key; branches of
/// such a company get the default week, as the key names no built-in preset.
fn company_create_takes_a_preset_file(db: &TestDb) {
    db.write("nagel.toml", NAGELSTUDIO);
    let v = db.json(&["company:create", "--name", "Nagelwerk", "--industry", "./nagel.toml"]);
    assert_eq!(v["industry"], "nagelstudio");
    assert_eq!((v["callback_channels"].as_str(), v["cancellation_hours"].as_i64()), (Some("email,whatsapp"), Some(12)));
    let company = v["id"].as_i64().unwrap().to_string();
    let branch = db.json(&["branch:create", "--company-id", &company, "--name", "Mitte"]);
    assert_eq!(branch["business_hours"]["monday"]["open"], "09:00", "{branch}");
    db.write("bad.toml", &NAGELSTUDIO.replace("duration = 45", "duration = -5"));
    db.run(&["company:create", "--name", "Nagel Zwei", "--industry", "bad.toml"])
        .fails(2, "service 'Maniküre': duration must be 1–1440 minutes, not -5");
    assert_eq!(db.json(&["company:list"]).as_array().unwrap().len(), 1, "nothing created from a bad preset");
}

#[test]
fn the_readme_preset_example_loads() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = &readme[readme.find("### Writing a preset").expect("the README has the section")..];
    let start = section.find("```toml\n").expect("with a TOML example") + "```toml\n".len();
    let example = &section[start..start + section[start..].find("```").unwrap()];
    let db = no_database();
    db.write("my.toml", example);
    let v = db.json(&["templates:show", "my.toml"]);
    assert_eq!(v["staff_roles"][0]["services"][0], "*");
    assert!(v["greetings"]["default"].is_string());
}
