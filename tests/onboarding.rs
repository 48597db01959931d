//! `onboarding:automated` on SQLite and PostgreSQL: every industry preset gives a business whose
//! branches book a simulated call; a plan changes nothing; a re-run finishes what is missing and
//! duplicates nothing; the rows commit together or not at all; and with Retell configured one
//! agent per branch is cloned, a Retell failure leaving the database complete for a re-run.

mod common;

use askpro::templates::Industry;
use askpro_fakes::retell::{FakeRetell, Settings};
use chrono::{Datelike, Utc};
use common::TestDb;
use serde_json::Value;

both_backends!(every_industry_onboards_two_branches_that_book);
both_backends!(a_dry_run_plans_everything_and_writes_nothing);
both_backends!(a_rerun_with_if_not_exists_finishes_and_duplicates_nothing);
both_backends!(a_failed_write_leaves_nothing_behind);
both_backends!(agents_are_cloned_per_branch_and_a_failure_is_finished_by_a_rerun);
both_backends!(runs_at_the_same_moment_finish_one_business);
both_backends!(a_rerun_keeps_to_the_company_it_finishes);

fn count(db: &TestDb, sql: &str) -> i64 {
    common::block_on(db.strings(&format!("SELECT CAST(({sql}) AS TEXT)")))[0].parse().unwrap()
}

/// 09:00 in Berlin on a Monday at least a week ahead: "morgen" is a Tuesday every preset opens.
fn monday_morning() -> String {
    let today = Utc::now().date_naive();
    let monday = today + chrono::Duration::days(i64::from(7 - today.weekday().num_days_from_monday()) + 7);
    format!("{}T09:00:00+01:00", monday.format("%Y-%m-%d"))
}

fn onboard(db: &TestDb, args: &[&str]) -> Value {
    let mut all = vec!["onboarding:automated"];
    all.extend_from_slice(args);
    db.json(&all)
}

fn every_industry_onboards_two_branches_that_book(db: &TestDb) {
    let now = monday_morning();
    for industry in Industry::all() {
        let name = format!("Betrieb {}", industry.key);
        let done = onboard(db, &["--name", &name, "--industry", &industry.key, "--branches", "2"]);
        let outcome = &done["outcome"];
        let company = outcome["company_id"].as_i64().unwrap();
        let branches: Vec<i64> =
            outcome["branch_ids"].as_array().unwrap().iter().map(|b| b.as_i64().unwrap()).collect();
        assert_eq!(branches.len(), 2, "{done}");
        let services = count(db, &format!("SELECT COUNT(*) FROM services WHERE company_id = {company}"));
        assert_eq!(services as usize, industry.services.len(), "{}: the preset's services", industry.key);
        let synonyms: usize = industry.services.iter().map(|s| s.synonyms.len()).sum();
        let stored = count(db, &format!("SELECT COUNT(*) FROM service_synonyms WHERE company_id = {company}"));
        assert_eq!(stored as usize, synonyms, "{}: the preset's synonyms", industry.key);
        let channels =
            common::block_on(db.strings(&format!("SELECT callback_channels FROM companies WHERE id = {company}")));
        assert_eq!(channels[0], industry.callback_channels.join(","), "{}", industry.key);
        for branch in branches {
            let b = branch.to_string();
            let steps = db.json(&[
                "call:simulate",
                "--branch-id",
                &b,
                "--scenario",
                "new-booking",
                "--from",
                "+4917612345678",
                "--now",
                &now,
            ]);
            let last = steps.as_array().unwrap().last().unwrap();
            assert_eq!(last["function"], "book_appointment", "{}: {steps}", industry.key);
            assert_eq!(last["answer"]["status"], "ok", "{}: {steps}", industry.key);
            let booked = count(
                db,
                &format!("SELECT COUNT(*) FROM appointments WHERE branch_id = {branch} AND status = 'booked'"),
            );
            assert_eq!(booked, 1, "{}", industry.key);
        }
    }
}

fn a_dry_run_plans_everything_and_writes_nothing(db: &TestDb) {
    let plan = onboard(
        db,
        &[
            "--name",
            "Dr. Schmidt Praxis",
            "--industry",
            "medical",
            "--branches",
            "2",
            "--phone",
            "+4930123456",
            "--dry-run",
        ],
    );
    assert_eq!(plan["dry_run"], true);
    let p = &plan["plan"];
    assert_eq!(p["branches"].as_array().unwrap().len(), 2);
    assert_eq!(p["branches"][0]["phone"], "+4930123456", "the first branch answers the company's number");
    assert!(p["services"].as_array().unwrap().len() >= 3, "{p}");
    assert!(!p["staff"].as_array().unwrap().is_empty(), "{p}");
    assert_eq!(p["agents_skipped"], "RETELL_API_KEY is not set");
    let human = db.ok(&["onboarding:automated", "--name", "Dr. Schmidt Praxis", "--industry", "medical", "--dry-run"]);
    assert!(human.contains("nothing written") && human.contains("service"), "{human}");
    // Not even a database file where there was none; on PostgreSQL no company.
    match db.is_postgres() {
        true => assert_eq!(count(db, "SELECT COUNT(*) FROM companies"), 0),
        false => assert!(!db.path().join("askpro.db").exists()),
    }
    // Against an existing database too.
    db.company("Andere");
    onboard(db, &["--name", "Dr. Schmidt Praxis", "--industry", "medical", "--dry-run"]);
    assert_eq!(count(db, "SELECT COUNT(*) FROM companies"), 1);
}

fn a_rerun_with_if_not_exists_finishes_and_duplicates_nothing(db: &TestDb) {
    let args = ["--name", "Salon Sonne", "--industry", "friseur", "--branch-names", "Mitte,Pankow", "--if-not-exists"];
    let first = onboard(db, &args);
    let rows = |db: &TestDb| {
        ["companies", "branches", "services", "service_synonyms", "staff", "staff_services", "company_greetings"]
            .map(|t| count(db, &format!("SELECT COUNT(*) FROM {t}")))
    };
    let before = rows(db);
    let second = onboard(db, &args);
    assert_eq!(rows(db), before, "nothing twice");
    assert_eq!(first["outcome"]["branch_ids"], second["outcome"]["branch_ids"]);
    assert_eq!(second["outcome"]["created"]["company"], false);
    assert_eq!(second["outcome"]["created"]["staff"], 0);
    // A third branch named: only it (and its staff) is new.
    let more = onboard(
        db,
        &[
            "--name",
            "Salon Sonne",
            "--industry",
            "friseur",
            "--branch-names",
            "Mitte,Pankow,Wedding",
            "--if-not-exists",
        ],
    );
    assert_eq!(more["outcome"]["created"]["branches"], 1);
    assert_eq!(count(db, "SELECT COUNT(*) FROM branches"), 3);
    // Without --if-not-exists the name is taken.
    db.run(&["onboarding:automated", "--name", "salon  SONNE", "--industry", "friseur"]).fails(4, "already exists");
    // Bad input changes nothing.
    db.run(&["onboarding:automated", "--name", "X", "--industry", "bakery"]).fails(2, "unknown industry");
    db.run(&["onboarding:automated", "--name", "X", "--industry", "friseur", "--branches", "2", "--branch-names", "A"])
        .fails(2, "--branch-names");
    db.run(&["onboarding:automated", "--name", "X", "--industry", "friseur", "--branch-names", "A,a"])
        .fails(2, "twice");
    assert_eq!(db.run(&["onboarding:automated", "--name", "X", "--industry", "friseur", "--branches", "0"]).code, 2);
    db.run(&["onboarding:automated", "--name", "X", "--industry", "./missing.toml"]).fails(2, "missing.toml");
    db.run(&["onboarding:automated", "--name", "X", "--industry", "/dev/zero"]).fails(2, "not a regular file");
    db.run(&["onboarding:automated", "--name", "X", "--industry", "friseur", "--branch-names", "A,,B"])
        .fails(2, "empty name");
    assert_eq!(count(db, "SELECT COUNT(*) FROM companies"), 1);
}

fn a_failed_write_leaves_nothing_behind(db: &TestDb) {
    // Another company's branch already answers the number: refused before anything is written.
    let other = db.company("Andere");
    db.ok(&["branch:create", "--company-id", &other.to_string(), "--name", "Eins", "--phone", "+4930999999"]);
    db.run(&["onboarding:automated", "--name", "Neu", "--industry", "fitness", "--phone", "030 999999"])
        .fails(4, "already the phone");
    assert_eq!(count(db, "SELECT COUNT(*) FROM companies WHERE name = 'Neu'"), 0);
    // A write that fails inside the transaction (the second branch's name is the first's):
    // the company, branches, services and staff before it are rolled back too.
    common::block_on(async {
        use askpro::store::*;
        let store = connect(&db.url, PoolSize(1)).await.unwrap();
        // Two branches whose names are the same to askpro ("Same", "SAME").
        let branch = |name: &str| Existing::New(common::rows::branch(name));
        let business = NewBusiness {
            company: Existing::New(common::rows::company("Halb")),
            greetings: vec![(GreetingKind::Default, "Hallo".into())],
            branches: vec![branch("Same"), branch("SAME")],
            services: vec![],
            staff: vec![],
        };
        let err = store.onboard(&business).await.unwrap_err();
        assert_eq!(err.exit_code(), 4, "{err}");
        store.close().await;
    });
    assert_eq!(count(db, "SELECT COUNT(*) FROM companies WHERE name = 'Halb'"), 0);
    assert_eq!(count(db, "SELECT COUNT(*) FROM company_greetings"), 0);
    assert_eq!(count(db, "SELECT COUNT(*) FROM branches"), 1);
}

fn agents_are_cloned_per_branch_and_a_failure_is_finished_by_a_rerun(db: &TestDb) {
    let fake = FakeRetell::start(Settings::default());
    db.set_env("RETELL_BASE_URL", &fake.url);
    db.set_env("RETELL_API_KEY", &fake.api_key());
    db.set_env("ASKPRO_PUBLIC_URL", "https://askpro.test");
    let args = ["--name", "Praxis Nord", "--industry", "physiotherapie", "--branches", "3", "--if-not-exists"];
    // Retell refuses the first agent: the database is complete, the command exits 5.
    fake.fail_next("POST", "/create-agent", 400);
    let mut all = vec!["onboarding:automated", "--json"];
    all.extend_from_slice(&args);
    let run = db.run(&all);
    assert_eq!(run.code, 5, "{}\n{}", run.stdout, run.stderr);
    let first: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(first["error"]["code"], "upstream", "the one JSON document says it failed: {first}");
    let agents = first["outcome"]["agents"].as_array().unwrap();
    assert_eq!(agents.iter().filter(|a| a["status"] == "failed").count(), 1, "{first}");
    assert_eq!(agents.iter().filter(|a| a["status"] == "created").count(), 2, "{first}");
    assert_eq!(count(db, "SELECT COUNT(*) FROM branches"), 3);
    assert_eq!(count(db, "SELECT COUNT(*) FROM agents"), 2);
    let created_before = fake.with_model(|m| m.agents.len());

    // The re-run creates only the missing agent.
    let second = onboard(db, &args);
    let agents = second["outcome"]["agents"].as_array().unwrap();
    assert_eq!(agents.iter().filter(|a| a["status"] == "exists").count(), 2, "{second}");
    assert_eq!(agents.iter().filter(|a| a["status"] == "created").count(), 1, "{second}");
    assert_eq!(count(db, "SELECT COUNT(*) FROM agents"), 3);
    assert_eq!(fake.with_model(|m| m.agents.len()), created_before + 1);
    let next = second["outcome"]["next"].as_array().unwrap();
    assert!(next.iter().any(|n| n.as_str().unwrap().contains("retell:assign-phone")), "{second}");
}

fn runs_at_the_same_moment_finish_one_business(db: &TestDb) {
    // Four processes onboard the same company at once: one writes it, the others find it and
    // finish what is missing — every one exits 0 and nothing is there twice.
    let run = db.shell(
        "for i in 1 2 3 4; do askpro onboarding:automated --name 'Zeitgleich' --industry friseur --branches 3 \
         --if-not-exists -q > out_$i 2> err_$i & done; wait; for i in 1 2 3 4; do cat out_$i; cat err_$i >&2; done",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ids: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(ids.len(), 4, "every run printed the id: {}\n{}", run.stdout, run.stderr);
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    assert!(!run.stderr.contains("error:"), "{}", run.stderr);
    assert_eq!(count(db, "SELECT COUNT(*) FROM companies"), 1);
    assert_eq!(count(db, "SELECT COUNT(*) FROM branches"), 3);
    assert_eq!(count(db, "SELECT COUNT(*) FROM services"), 4);
    assert_eq!(count(db, "SELECT COUNT(*) FROM staff"), 6);
}

fn a_rerun_keeps_to_the_company_it_finishes(db: &TestDb) {
    onboard(db, &["--name", "Eins", "--industry", "friseur"]);
    // Another preset for the same company is refused, not merged.
    db.run(&["onboarding:automated", "--name", "Eins", "--industry", "medical", "--if-not-exists"])
        .fails(4, "was onboarded with the preset 'friseur'");
    // More branches extend the ones there are.
    let more = onboard(db, &["--name", "eins", "--industry", "friseur", "--branches", "2", "--if-not-exists"]);
    let names = common::block_on(db.strings("SELECT name FROM branches ORDER BY id"));
    assert_eq!(names, ["Hauptsitz", "Filiale 1"], "{more}");
    assert_eq!(more["plan"]["company"]["name"], "Eins", "the stored name");
    // The branch that has staff gets no second set of placeholders.
    assert_eq!(count(db, "SELECT COUNT(*) FROM staff WHERE branch_id = 1"), 2);
    let next: Vec<String> =
        more["outcome"]["next"].as_array().unwrap().iter().map(|n| n.as_str().unwrap().to_string()).collect();
    assert!(next.iter().any(|n| n.contains("--branch-id 2") && n.contains("retell:clone-agent")), "{next:?}");
    assert!(next.iter().any(|n| n.contains("real staff for Filiale 1")), "{next:?}");
}
