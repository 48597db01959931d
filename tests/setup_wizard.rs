//! `setup:wizard` through a pseudo-terminal, on SQLite and PostgreSQL: a full run creates the
//! same rows as the equivalent `onboarding:automated`; Ctrl-C or No at the review writes
//! nothing; without a terminal it exits 2 and names the scriptable form. Every wait on the
//! terminal is bounded, and the child is killed if a test fails midway.

mod common;

use std::time::Duration;

use common::TestDb;
use rexpect::process::WaitStatus;
use rexpect::session::PtySession;

both_backends!(a_full_run_creates_what_onboarding_automated_creates);
both_backends!(ctrl_c_at_the_review_writes_nothing);
both_backends!(no_at_the_review_writes_nothing);
both_backends!(an_existing_company_gets_only_what_it_lacks);

/// How long any one answer may take to appear.
const WAIT_MS: u64 = 10_000;

/// `askpro setup:wizard ARGS` on a pseudo-terminal, with the test database's environment.
fn wizard(db: &TestDb, args: &[&str]) -> PtySession {
    let template = db.cmd();
    let mut cmd = std::process::Command::new(template.get_program());
    for (k, v) in template.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd.current_dir(db.path()).env("TERM", "xterm").env_remove("ASKPRO_PUBLIC_URL").arg("setup:wizard").args(args);
    let mut session = rexpect::session::spawn_command(cmd, Some(WAIT_MS)).expect("spawn askpro on a pty");
    session.process_mut().set_kill_timeout(Some(2_000));
    session
}

/// Waits for `prompt`, then gives the prompt a moment to switch the terminal to raw mode (a key
/// sent before would reach a line-buffered terminal) and sends `keys`.
fn answer(s: &mut PtySession, prompt: &str, keys: &str) {
    s.exp_string(prompt).unwrap_or_else(|e| panic!("waiting for {prompt:?}: {e}"));
    std::thread::sleep(Duration::from_millis(150));
    s.send(keys).unwrap();
    s.flush().unwrap();
}

/// The exit code, waiting at most a few seconds.
fn exit_code(s: &mut PtySession) -> i32 {
    let _ = s.exp_eof();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        match s.process().status() {
            Some(WaitStatus::Exited(_, code)) => return code,
            Some(WaitStatus::Signaled(_, signal, _)) => {
                panic!("askpro ended by {signal:?}")
            }
            _ if std::time::Instant::now() > deadline => panic!("askpro did not exit"),
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Answers every question up to the review for a friseur with branches A and B, the preset's
/// hours, all services and the placeholder staff.
fn answer_up_to_review(s: &mut PtySession, name: &str) {
    answer(s, "Industry", "\r"); // friseur is the first preset
    answer(s, "Company name", &format!("{name}\r"));
    answer(s, "E-mail", "\r");
    answer(s, "Phone", "\r");
    answer(s, "Number of branches", "2\r");
    answer(s, "Name of branch 1", "A\r");
    answer(s, "Name of branch 2", "B\r");
    answer(s, "A: use the preset's hours", "\r");
    answer(s, "B: use the preset's hours", "\r");
    answer(s, "Services to offer", "\r");
    answer(s, "A: staff names", "\r");
    answer(s, "B: staff names", "\r");
    s.exp_string("Plan for").expect("the review shows the plan");
}

/// Every row onboarding writes, without ids, in a stable order.
fn rows(db: &TestDb) -> Vec<String> {
    let queries = [
        "SELECT name || '|' || COALESCE(industry, '') || '|' || callback_channels || '|' \
         || CAST(enable_smart_service AS TEXT) || '|' || CAST(service_confidence_threshold AS TEXT) || '|' \
         || CAST(enable_staff_preferences AS TEXT) || '|' || CAST(staff_confidence_threshold AS TEXT) || '|' \
         || CAST(cancellation_hours AS TEXT) || '|' || timezone || '|' || scheduling FROM companies",
        "SELECT kind || '|' || template FROM company_greetings ORDER BY kind",
        "SELECT name || '|' || business_hours || '|' || timezone || '|' || COALESCE(phone, '') FROM branches ORDER BY name",
        "SELECT name || '|' || CAST(duration_min AS TEXT) || '|' || COALESCE(CAST(price_cents AS TEXT), '') \
         || '|' || CAST(branch_id IS NULL AS TEXT) FROM services ORDER BY name",
        "SELECT s.name || '|' || y.synonym FROM service_synonyms y JOIN services s ON s.id = y.service_id \
         ORDER BY s.name, y.synonym",
        "SELECT b.name || '|' || t.name FROM staff t JOIN branches b ON b.id = t.branch_id ORDER BY b.name, t.name",
        "SELECT b.name || '|' || t.name || '|' || s.name FROM staff_services x JOIN staff t ON t.id = x.staff_id \
         JOIN branches b ON b.id = t.branch_id JOIN services s ON s.id = x.service_id ORDER BY b.name, t.name, s.name",
    ];
    let mut all = Vec::new();
    for sql in queries {
        let found = common::block_on(db.strings(sql));
        all.push(format!("-- {} row(s)", found.len()));
        all.extend(found);
    }
    all
}

fn companies(db: &TestDb) -> i64 {
    common::block_on(db.strings("SELECT CAST(COUNT(*) AS TEXT) FROM companies"))[0].parse().unwrap()
}

fn another(db: &TestDb) -> TestDb {
    match db.is_postgres() {
        true => TestDb::postgres(),
        false => TestDb::sqlite(),
    }
}

fn a_full_run_creates_what_onboarding_automated_creates(db: &TestDb) {
    let mut s = wizard(db, &[]);
    answer_up_to_review(&mut s, "Salon Sonne");
    answer(&mut s, "Create all of this?", "y");
    s.exp_string("Company ID:").expect("the summary");
    assert_eq!(exit_code(&mut s), 0);

    let scripted = another(db);
    scripted.ok(&["onboarding:automated", "--name", "Salon Sonne", "--industry", "friseur", "--branch-names", "A,B"]);
    let (by_wizard, by_flags) = (rows(db), rows(&scripted));
    assert!(by_wizard.iter().filter(|r| !r.starts_with("--")).count() > 10, "{by_wizard:#?}");
    assert_eq!(by_wizard, by_flags, "the wizard and onboarding:automated differ");
}

fn ctrl_c_at_the_review_writes_nothing(db: &TestDb) {
    let mut s = wizard(db, &[]);
    answer_up_to_review(&mut s, "Salon Sonne");
    answer(&mut s, "Create all of this?", "\x03");
    s.exp_string("nothing written").expect("says nothing was written");
    assert_eq!(exit_code(&mut s), 130);
    assert_eq!(companies(db), 0);
}

fn no_at_the_review_writes_nothing(db: &TestDb) {
    let mut s = wizard(db, &[]);
    answer_up_to_review(&mut s, "Salon Sonne");
    answer(&mut s, "Create all of this?", "n");
    s.exp_string("nothing written").expect("says nothing was written");
    assert_eq!(exit_code(&mut s), 130);
    assert_eq!(companies(db), 0);
}

fn an_existing_company_gets_only_what_it_lacks(db: &TestDb) {
    let created = db.ok(&["company:create", "--name", "Salon Sonne", "--industry", "friseur", "-q"]);
    let company: i64 = created.trim().parse().unwrap();
    db.branch(company, "A");
    let mut s = wizard(db, &["--company-id", &company.to_string()]);
    answer(&mut s, "Number of branches", "2\r");
    answer(&mut s, "Name of branch 1", "\r"); // A, as it is
    answer(&mut s, "Name of branch 2", "B\r");
    answer(&mut s, "B: use the preset's hours", "\r");
    answer(&mut s, "Services to offer", "\r");
    answer(&mut s, "A: staff names", "Anna, Ben\r");
    answer(&mut s, "B: staff names", "\r");
    s.exp_string("exists, ID").expect("the review shows what exists");
    answer(&mut s, "Create all of this?", "y");
    s.exp_string("Company ID:").expect("the summary");
    assert_eq!(exit_code(&mut s), 0);
    assert_eq!(companies(db), 1);
    let staff = common::block_on(db.strings(
        "SELECT b.name || ':' || t.name FROM staff t JOIN branches b ON b.id = t.branch_id ORDER BY b.name, t.name",
    ));
    assert_eq!(staff[..2], ["A:Anna".to_string(), "A:Ben".to_string()], "{staff:?}");
    assert!(staff.len() > 2 && staff[2..].iter().all(|s| s.starts_with("B:")), "{staff:?}");
}

#[test]
fn without_a_terminal_it_names_the_scriptable_form() {
    let db = TestDb::sqlite();
    db.run(&["setup:wizard"]).fails(2, "askpro onboarding:automated --name");
    db.run(&["setup:wizard", "-n"]).fails(2, "onboarding:automated");
    assert!(!db.path().join("askpro.db").exists(), "no database is opened without a terminal");
}
