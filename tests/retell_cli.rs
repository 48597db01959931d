//! `retell:clone-agent` against the stateful Retell fake, on SQLite and PostgreSQL: from a
//! template (flow and LLM), from an existing agent, from a flow exported from Retell with the
//! seeds' tool names and German arguments; `--dry-run`, `--json`, `-q`; and every refusal with
//! its exit code. An agent cloned from the seeds' flow is answered by the daemon on every tool.

mod common;

use askpro_fakes::retell::{FakeRetell, Settings};
use common::daemon::{Daemon, PLATFORM_KEY};
use common::TestDb;
use serde_json::{json, Value};

both_backends!(
    clone_agent_from_a_template,
    clone_agent_refusals,
    cloned_seed_flow_is_answered_by_the_daemon,
    numbers_updates_and_drift,
    two_companies_assigning_one_number_at_once,
    five_branches_onboarded_in_a_shell_loop
);

const PUBLIC: &str = "https://askpro.test";

/// A salon with one branch, and the Retell fake configured as the Retell API.
fn salon(db: &TestDb) -> (FakeRetell, String, String) {
    let fake = FakeRetell::start(Settings::default());
    db.set_env("RETELL_BASE_URL", &fake.url);
    db.set_env("RETELL_API_KEY", &fake.api_key());
    db.set_env("ASKPRO_PUBLIC_URL", PUBLIC);
    let c = db.company("Salon Schnittpunkt").to_string();
    let hours = r#"{"monday": {"open": "09:00", "close": "18:00"}, "saturday": {"open": "09:00", "close": "14:00"}}"#;
    let b = db
        .ok(&[
            "branch:create",
            "--company-id",
            &c,
            "--name",
            "Mitte",
            "--phone",
            "+493023125100",
            "--business-hours",
            hours,
            "-q",
        ])
        .trim()
        .to_string();
    (fake, c, b)
}

fn clone_agent_from_a_template(db: &TestDb) {
    let (fake, c, b) = salon(db);
    let out = db.ok(&["retell:clone-agent", "--from", "booking-de", "--company-id", &c, "--branch-id", &b]);
    let agent_id = out.lines().find_map(|l| l.strip_prefix("Agent ID: ")).expect("Agent ID line").to_string();
    let flow_id = out.lines().find_map(|l| l.strip_prefix("Flow ID: ")).expect("Flow ID line").to_string();
    fake.with_model(|m| {
        let flow = m.flows[&flow_id].last().unwrap().clone();
        let tools = flow["tools"].as_array().unwrap();
        let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(names, askpro::templates::tools::NAMES, "exactly SPEC's functions");
        assert!(tools.iter().all(|t| t["url"] == format!("{PUBLIC}/retell/function")));
        let prompt = flow["global_prompt"].as_str().unwrap();
        assert!(prompt.contains("Salon Schnittpunkt") && prompt.contains("Mitte"), "{prompt}");
        assert!(prompt.contains("Mo 09:00–18:00") && prompt.contains("So geschlossen"), "{prompt}");
        assert!(!prompt.contains("{{company_name}}"));
        let greeting = flow["nodes"][0]["instruction"]["text"].as_str().unwrap();
        assert!(greeting.starts_with("Salon Schnittpunkt, Mitte"), "{greeting}");
        let agent = m.agent(&agent_id).unwrap();
        assert_eq!(agent["response_engine"]["conversation_flow_id"], flow_id.as_str());
        assert_eq!((agent["language"].as_str(), agent["voice_id"].as_str()), (Some("de-DE"), Some("11labs-Carola")));
        assert_eq!(agent["webhook_url"], format!("{PUBLIC}/retell/webhook"));
        assert_eq!(agent["is_published"], true, "published, not left as a draft");
    });
    let row = common::block_on(db.strings(&format!(
        "SELECT engine || '|' || engine_id || '|' || template || '|' || template_version || '|' || \
         CAST(published_version AS TEXT) || '|' || CAST(branch_id AS TEXT) FROM agents WHERE retell_agent_id = '{agent_id}'"
    )));
    assert_eq!(row, [format!("conversation-flow|{flow_id}|booking-de|2|0|{b}")]);

    // The Retell-LLM variant, --json, a voice of choice.
    let cloned = db.json(&[
        "retell:clone-agent",
        "--from",
        "booking-de-llm",
        "--company-id",
        &c,
        "--branch-id",
        &b,
        "--voice-id",
        "11labs-Anton",
        "--name",
        "Salon Mitte LLM",
    ]);
    assert_eq!((cloned["engine"].as_str(), cloned["template"].as_str()), (Some("retell-llm"), Some("booking-de-llm")));
    let llm_id = cloned["engine_id"].as_str().unwrap().to_string();
    fake.with_model(|m| {
        let llm = m.llms[&llm_id].last().unwrap();
        assert_eq!(llm["general_tools"].as_array().unwrap().len(), askpro::templates::tools::NAMES.len());
        assert!(llm["begin_message"].as_str().unwrap().contains("Salon Schnittpunkt"));
        assert_eq!(m.agent(cloned["agent_id"].as_str().unwrap()).unwrap()["voice_id"], "11labs-Anton");
    });

    // From an existing agent: its flow is copied into a new one, tools rewired.
    let quiet = db.ok(&["retell:clone-agent", "--from", &agent_id, "--company-id", &c, "--branch-id", &b, "-q"]);
    assert!(quiet.trim().starts_with("agent_") && quiet.trim() != agent_id, "{quiet}");
    fake.with_model(|m| assert_eq!(m.flows.len(), 2, "a new flow, the original untouched"));

    // --dry-run: every request printed, nothing sent, nothing recorded.
    let sent = fake.seen().len();
    let planned =
        db.json(&["retell:clone-agent", "--from", "booking-de", "--company-id", &c, "--branch-id", &b, "--dry-run"]);
    let paths: Vec<&str> = planned.as_array().unwrap().iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["/create-conversation-flow", "/create-agent", "/publish-agent-version/<agent id>"]);
    assert_eq!(planned[0]["body"]["tools"].as_array().unwrap().len(), askpro::templates::tools::NAMES.len());
    assert_eq!(planned[1]["body"]["webhook_url"], format!("{PUBLIC}/retell/webhook"));
    let human =
        db.ok(&["retell:clone-agent", "--from", "booking-de", "--company-id", &c, "--branch-id", &b, "--dry-run"]);
    assert!(human.starts_with("POST /create-conversation-flow\n{"), "{human}");
    assert_eq!(fake.seen().len(), sent, "a dry run sends nothing");
    assert_eq!(common::block_on(db.strings("SELECT retell_agent_id FROM agents")).len(), 3);
}

fn clone_agent_refusals(db: &TestDb) {
    let (fake, c, b) = salon(db);
    let clone = |extra: &[&str]| {
        let mut args = vec!["retell:clone-agent", "--company-id", &c, "--branch-id", &b];
        args.extend_from_slice(extra);
        db.run(&args)
    };
    clone(&["--from", "agent_nope"]).fails(3, "no such agent");
    clone(&["--from", "nonsense"]).fails(2, "not a template");
    clone(&["--from", "/no/such/flow.json"]).fails(2, "cannot read");
    let other = db.company("Andere");
    db.run(&["retell:clone-agent", "--from", "booking-de", "--company-id", &other.to_string(), "--branch-id", &b])
        .fails(3, "has no branch");
    // An unknown voice: refused by Retell, and the flow made for it is deleted again.
    clone(&["--from", "booking-de", "--voice-id", "11labs-Nobody"]).fails(3, "voice");
    fake.with_model(|m| assert!(m.flows.is_empty() && m.agents.is_empty(), "no orphan left behind"));
    // Retell failing while creating the agent: exit 5, nothing left behind either.
    fake.fail_next("POST", "/create-agent", 500);
    clone(&["--from", "booking-de"]).fails(5, "Retell failed");
    fake.with_model(|m| assert!(m.flows.is_empty() && m.agents.is_empty()));
    assert!(common::block_on(db.strings("SELECT retell_agent_id FROM agents")).is_empty());
    // A rejected key, then no key, then no public URL: exit 6 with the fix.
    db.set_env("RETELL_API_KEY", "key_wrong");
    clone(&["--from", "booking-de"]).fails(6, "RETELL_API_KEY");
    db.set_env("ASKPRO_PUBLIC_URL", "");
    let run = clone(&["--from", "booking-de"]);
    assert_eq!(run.code, 6, "{}", run.stderr);
}

fn cloned_seed_flow_is_answered_by_the_daemon(db: &TestDb) {
    let (fake, c, b) = salon(db);
    db.service(c.parse().unwrap(), "Herrenhaarschnitt", 30);
    let flow = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seed-flow.json");
    let out = db.ok(&["retell:clone-agent", "--from", flow, "--company-id", &c, "--branch-id", &b, "--json"]);
    let cloned: Value = serde_json::from_str(&out).unwrap();
    let (agent_id, flow_id) = (cloned["agent_id"].as_str().unwrap(), cloned["engine_id"].as_str().unwrap());
    let tools = fake.with_model(|m| m.flows[flow_id].last().unwrap()["tools"].clone());
    let tools = tools.as_array().unwrap();
    assert_eq!(tools.len(), 5, "the flow's own tools are kept");
    for tool in tools {
        assert_eq!(tool["url"], format!("{PUBLIC}/retell/function"), "{tool}");
    }
    fake.with_model(|m| {
        let f = m.flows[flow_id].last().unwrap();
        assert_eq!(f["nodes"][1]["tool_id"], "tool_check_customer", "nodes keep their tool references");
        assert_eq!(f["default_dynamic_variables"]["salon"], "Schnittpunkt");
    });
    // Every tool, called as Retell calls it (path from its URL, this agent), gets an answer.
    let daemon = Daemon::start(db, &[]);
    let path = tools[0]["url"].as_str().unwrap().strip_prefix(PUBLIC).unwrap().to_string();
    for tool in tools {
        let name = tool["name"].as_str().unwrap();
        let args = match name {
            "check_availability_v17" | "book_appointment" => {
                json!({"dienstleistung": "Herrenhaarschnitt", "datum": "morgen", "uhrzeit": "10 Uhr", "name": "Max"})
            }
            _ => json!({}),
        };
        let body = json!({"name": name, "args": args, "call": {"call_id": "call_seed_1", "agent_id": agent_id,
            "from_number": "+4917611111111", "to_number": "+4940999999", "call_status": "ongoing"}});
        let (status, answer) = daemon.signed_to(&path, body.to_string().as_bytes(), PLATFORM_KEY);
        assert_eq!(status, 200, "{name}: {answer}");
        let answer: Value = serde_json::from_str(&answer).unwrap();
        assert!(answer["status"].is_string() && answer["message"].is_string(), "{name}: {answer}");
        assert_ne!(answer["message"], "Diese Funktion kenne ich leider nicht.", "{name} is one of the daemon's");
    }
}

fn numbers_updates_and_drift(db: &TestDb) {
    let (fake, c, b) = salon(db);
    let agent = db.ok(&["retell:clone-agent", "--from", "booking-de", "--company-id", &c, "--branch-id", &b, "-q"]);
    let agent = agent.trim().to_string();
    // A German number imported over SIP in Retell's dashboard.
    fake.with_model(|m| {
        m.numbers.insert(
            "+493023125100".into(),
            json!({"phone_number": "+493023125100", "phone_number_type": "custom", "inbound_agents": []}),
        );
    });
    let out = db.ok(&["retell:assign-phone", "--agent-id", &agent, "--phone", "030 23125100"]);
    assert_eq!(out.trim(), format!("Phone: +493023125100 → agent {agent} version 0"));
    fake.with_model(|m| {
        let n = &m.numbers["+493023125100"];
        assert_eq!(
            n["inbound_agents"],
            json!([{"agent_id": agent, "weight": 1.0, "agent_version": 0}]),
            "the published version"
        );
        assert_eq!(n["inbound_webhook_url"], format!("{PUBLIC}/retell/inbound"));
    });
    let row = common::block_on(db.strings(
        "SELECT p.number || '|' || CAST(p.branch_id AS TEXT) || '|' || a.retell_agent_id FROM phone_numbers p JOIN agents a ON a.id = p.agent_id",
    ));
    assert_eq!(row, [format!("+493023125100|{b}|{agent}")]);
    db.run(&["retell:assign-phone", "--agent-id", &agent, "--phone", "+49 40 1234567"])
        .fails(3, "not a number in this Retell account");
    db.run(&["retell:assign-phone", "--agent-id", "agent_unknown", "--phone", "030 23125100"])
        .fails(3, "askpro has no agent");
    db.run(&["retell:assign-phone", "--agent-id", &agent, "--phone", "abc"]).fails(2, "not a phone number");
    // A number reaches one branch: another branch's own phone is not given to this agent (Retell
    // is not asked), nor is this agent's number given to a new branch.
    let nord = db.ok(&["branch:create", "--company-id", &c, "--name", "Nord", "--phone", "040 7777777", "-q"]);
    fake.with_model(|m| {
        m.numbers.insert(
            "+49407777777".into(),
            json!({"phone_number": "+49407777777", "phone_number_type": "custom", "inbound_agents": []}),
        );
    });
    let patches = fake.seen().iter().filter(|r| r.method == "PATCH").count();
    db.run(&["retell:assign-phone", "--agent-id", &agent, "--phone", "040 7777777"])
        .fails(4, &format!("+49407777777 is already the phone of branch {} 'Nord'", nord.trim()));
    assert_eq!(fake.seen().iter().filter(|r| r.method == "PATCH").count(), patches, "Retell was not asked");
    fake.with_model(|m| assert_eq!(m.numbers["+49407777777"]["inbound_agents"], json!([])));
    db.run(&["branch:create", "--company-id", &c, "--name", "Süd", "--phone", "+493023125100"])
        .fails(4, &format!("+493023125100 is already the phone of branch {b} 'Mitte'"));
    db.run(&["retell:buy-phone", "--agent-id", &agent, "--country", "DE", "--area-code", "30"])
        .fails(2, "US and Canada");
    let bought = db.json(&["retell:buy-phone", "--agent-id", &agent, "--country", "US", "--area-code", "415"]);
    assert!(bought["phone_number"].as_str().unwrap().starts_with("+1415"), "{bought}");

    // Updates: each a new published version, recorded.
    let out = db.ok(&["retell:update-greeting", "--agent-id", &agent, "--greeting", "Salon Schnittpunkt, hallo!"]);
    assert!(out.contains("published as version 1"), "{out}");
    let out = db.ok(&["retell:update-voice", "--agent-id", &agent, "--voice-id", "11labs-Anton"]);
    assert!(out.contains("version 2"), "{out}");
    let out = db.ok(&[
        "retell:update-prompts",
        "--agent-id",
        &agent,
        "--replace",
        "freundliche:herzliche",
        "--replace",
        "kurzes:klares",
    ]);
    assert!(out.contains("version 3"), "{out}");
    db.run(&["retell:update-prompts", "--agent-id", &agent, "--replace", "gibt es nicht:x"])
        .fails(2, "appears in none");
    db.run(&["retell:update-prompts", "--agent-id", &agent, "--replace", "ohne Doppelpunkt"]).fails(2, "OLD:NEW");
    db.run(&["retell:update-voice", "--agent-id", &agent, "--voice-id", "11labs-Nobody"]).fails(3, "voice");
    fake.with_model(|m| {
        let a = m.agent(&agent).unwrap();
        assert_eq!((a["version"].as_i64(), a["is_published"].as_bool()), (Some(3), Some(true)));
        assert_eq!(a["voice_id"], "11labs-Anton");
        let flow_id = a["response_engine"]["conversation_flow_id"].as_str().unwrap();
        let flow = m.flows[flow_id].last().unwrap();
        assert_eq!(flow["nodes"][0]["instruction"]["text"], "Salon Schnittpunkt, hallo!");
        let prompt = flow["global_prompt"].as_str().unwrap();
        assert!(prompt.contains("herzliche") && prompt.contains("klares") && !prompt.contains("freundliche"));
    });
    let row = common::block_on(db.strings(&format!(
        "SELECT CAST(published_version AS TEXT) || '|' || voice_id FROM agents WHERE retell_agent_id = '{agent}'"
    )));
    assert_eq!(row, ["3|11labs-Anton"]);

    // --dry-run on every command that calls Retell: the requests, nothing sent or recorded.
    let sent = fake.seen().iter().filter(|r| r.method != "GET").count();
    let dry = |args: &[&str]| -> Value {
        let mut all = args.to_vec();
        all.extend(["--agent-id", agent.as_str(), "--dry-run"]);
        db.json(&all)
    };
    let plan = dry(&["retell:assign-phone", "--phone", "030 23125100"]);
    assert_eq!(plan[0]["path"], "/update-phone-number/+493023125100");
    assert_eq!(plan[0]["body"]["inbound_agents"][0]["agent_version"], 3);
    assert_eq!(dry(&["retell:buy-phone", "--area-code", "212"])[0]["path"], "/create-phone-number");
    let plan = dry(&["retell:update-greeting", "--greeting", "Hallo"]);
    let paths: Vec<&str> = plan.as_array().unwrap().iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert!(
        paths[0].starts_with("/update-conversation-flow/") && paths[1] == format!("/update-agent/{agent}"),
        "{plan}"
    );
    assert_eq!(dry(&["retell:update-voice", "--voice-id", "openai-Alloy"])[0]["body"]["voice_id"], "openai-Alloy");
    assert!(dry(&["retell:update-prompts", "--replace", "herzliche:warme"])[0]["body"]["global_prompt"]
        .as_str()
        .unwrap()
        .contains("warme"));
    assert_eq!(
        dry(&["retell:test-call", "--from", "030 23125100", "--to", "0176 12345678"])[0]["path"],
        "/v2/create-phone-call"
    );
    let human = db.ok(&["retell:update-voice", "--agent-id", &agent, "--voice-id", "openai-Alloy", "--dry-run"]);
    assert!(human.starts_with(&format!("PATCH /update-agent/{agent}")), "{human}");
    assert_eq!(fake.seen().iter().filter(|r| r.method != "GET").count(), sent, "dry runs send no change");
    fake.with_model(|m| assert_eq!(m.agent(&agent).unwrap()["version"], 3));

    // A test call from the imported number.
    let call = db.ok(&["retell:test-call", "--agent-id", &agent, "--from", "030 23125100", "--to", "0176 12345678"]);
    assert!(call.starts_with("Call ID: call_"), "{call}");
    fake.with_model(|m| assert_eq!(m.calls[0]["to_number"], "+4917612345678"));
    db.run(&["retell:test-call", "--agent-id", &agent, "--from", "+49 40 1234567", "--to", "0176 12345678"])
        .fails(3, "cannot call from");

    // In sync, until someone edits the flow in Retell's dashboard.
    let list = db.ok(&["retell:agents", "--company-id", &c]);
    assert!(list.contains("✓ in sync") && list.contains("booking-de 2"), "{list}");
    fake.with_model(|m| {
        let flow_id = m.agent(&agent).unwrap()["response_engine"]["conversation_flow_id"].as_str().unwrap().to_string();
        m.flows.get_mut(&flow_id).unwrap().last_mut().unwrap()["global_prompt"] = json!("Von Hand geändert.");
    });
    let drifted = db.run(&["retell:agents"]);
    assert_eq!(drifted.code, 1, "{}", drifted.stderr);
    assert!(drifted.stdout.contains("edited outside askpro"), "{}", drifted.stdout);
    let json_run = db.run(&["retell:agents", "--json"]);
    assert_eq!(json_run.code, 1);
    let list: Value = serde_json::from_str(&json_run.stdout).expect("one JSON document");
    assert!(list[0]["drift"].as_str().unwrap().contains("edited outside askpro"), "{list}");
    db.run(&["retell:agents", "--company-id", "999"]).fails(3, "999");
    db.set_env("RETELL_API_KEY", "key_wrong");
    db.run(&["retell:agents"]).fails(6, "RETELL_API_KEY");
}

/// The README's loop: five branches, each with its agent and its (imported) number.
fn five_branches_onboarded_in_a_shell_loop(db: &TestDb) {
    let (fake, c, _) = salon(db);
    fake.with_model(|m| {
        for i in 1..=5 {
            let number = format!("+49302312510{i}");
            m.numbers.insert(number.clone(), json!({"phone_number": number, "phone_number_type": "custom"}));
        }
    });
    let run = db.shell(&format!(
        r#"set -e
        COMPANY_ID={c}
        for i in 1 2 3 4 5; do
          BRANCH_ID=$(askpro branch:create --company-id "$COMPANY_ID" --name "Filiale $i" --phone "030 2312510$i" -q)
          AGENT_ID=$(askpro retell:clone-agent --from booking-de --company-id "$COMPANY_ID" --branch-id "$BRANCH_ID" -q)
          askpro retell:assign-phone --agent-id "$AGENT_ID" --phone "030 2312510$i"
        done"#
    ));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout.lines().filter(|l| l.starts_with("Phone: +49302312510")).count(), 5, "{}", run.stdout);
    let rows = common::block_on(db.strings(
        "SELECT b.name || '|' || p.number FROM phone_numbers p JOIN branches b ON b.id = p.branch_id \
         JOIN agents a ON a.id = p.agent_id AND a.branch_id = b.id ORDER BY p.number",
    ));
    let expected: Vec<String> = (1..=5).map(|i| format!("Filiale {i}|+49302312510{i}")).collect();
    assert_eq!(rows, expected);
    fake.with_model(|m| {
        assert_eq!(m.agents.len(), 5);
        assert!(m.numbers.values().all(|n| n["inbound_agents"][0]["agent_version"] == 0));
    });
}

/// Two companies' agents given the same new numbers at the same moment, five times: for each
/// number one run wins and the other exits 4, and the agent Retell routes the number to is the
/// one askpro recorded, so no call reaches the company that lost.
fn two_companies_assigning_one_number_at_once(db: &TestDb) {
    let (fake, c, b) = salon(db);
    let other = db.company("Praxis Ost").to_string();
    let ost = db.ok(&["branch:create", "--company-id", &other, "--name", "Ost", "-q"]);
    let clone = |c: &str, b: &str| {
        db.ok(&["retell:clone-agent", "--from", "booking-de", "--company-id", c, "--branch-id", b, "-q"])
            .trim()
            .to_string()
    };
    let (salon_agent, praxis_agent) = (clone(&c, &b), clone(&other, ost.trim()));
    let numbers: Vec<String> = (0..5).map(|i| format!("+4930999000{i}")).collect();
    fake.with_model(|m| {
        for n in &numbers {
            m.numbers
                .insert(n.clone(), json!({"phone_number": n, "phone_number_type": "custom", "inbound_agents": []}));
        }
    });
    let script: String = numbers
        .iter()
        .enumerate()
        .map(|(i, n)| {
            format!(
                "askpro retell:assign-phone --agent-id {salon_agent} --phone {n} >/dev/null 2>err_a{i} & \
                 askpro retell:assign-phone --agent-id {praxis_agent} --phone {n} >/dev/null 2>err_b{i}; wait\n"
            )
        })
        .collect();
    let run = db.shell(&script);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (i, n) in numbers.iter().enumerate() {
        let recorded = common::block_on(db.strings(&format!(
            "SELECT a.retell_agent_id FROM phone_numbers p JOIN agents a ON a.id = p.agent_id WHERE p.number = '{n}'"
        )));
        assert_eq!(recorded.len(), 1, "{n} is recorded once: {recorded:?}");
        let routed = fake.with_model(|m| m.numbers[n]["inbound_agents"][0]["agent_id"].as_str().map(str::to_string));
        assert_eq!(routed.as_deref(), Some(recorded[0].as_str()), "{n}: Retell routes it to the agent askpro recorded");
        let errors: Vec<String> = ["a", "b"]
            .iter()
            .map(|s| std::fs::read_to_string(db.path().join(format!("err_{s}{i}"))).unwrap())
            .collect();
        assert_eq!(errors.iter().filter(|e| e.contains("error:")).count(), 1, "{n}: one run lost: {errors:?}");
        assert!(errors.iter().any(|e| e.contains("is already answered by the agent of branch")), "{errors:?}");
    }
}
