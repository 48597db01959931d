//! Service matching, caller recognition, prediction and greetings on real SQLite and PostgreSQL
//! data.

mod common;

use askpro::app::App;
use askpro::config::{Overrides, Settings};
use askpro::ops::{callers, company};
use askpro::store::{NewAppointment, PoolSize};
use chrono::{DateTime, Utc};
use common::{block_on, TestDb};
use serde_json::json;

both_backends!(service_match_command, prediction_and_greetings);

fn service_match_command(db: &TestDb) {
    let c = db.company("Salon").to_string();
    let herren = db.service(c.parse().unwrap(), "Herrenhaarschnitt", 30).to_string();
    db.service(c.parse().unwrap(), "Damenhaarschnitt", 45);
    db.service(c.parse().unwrap(), "Färben", 90);
    db.ok(&["service:add-synonym", "--service-id", &herren, "--synonym", "Männerschnitt"]);
    let m = db.json(&["service:match", "--company-id", &c, "Herrenhaarschnitt"]);
    assert_eq!(
        m,
        json!({"service_id": herren.parse::<i64>().unwrap(), "name": "Herrenhaarschnitt", "confidence": 1.0, "matched_by": "name"})
    );
    let m = db.json(&["service:match", "--company-id", &c, "männerschnitt"]);
    assert_eq!((m["name"].as_str(), m["matched_by"].as_str()), (Some("Herrenhaarschnitt"), Some("synonym")));
    let m = db.json(&["service", "match", "--company-id", &c, "einen Männerhaarschnitt bitte"]);
    assert_eq!(m["name"], "Herrenhaarschnitt");
    let m = db.json(&["service:match", "--company-id", &c, "Herenhaarschnit"]);
    assert_eq!(m["matched_by"], "fuzzy");
    // Ambiguous or unknown: no match, exit 0 — an ordinary outcome, the agent asks.
    assert_eq!(db.json(&["service:match", "--company-id", &c, "einen Haarschnitt"]), json!({"service_id": null}));
    assert_eq!(db.json(&["service:match", "--company-id", &c, "Dauerwelle"]), json!({"service_id": null}));
    // The company's threshold decides: the fuzzy match is below 0.95.
    db.ok(&["company:config", "--company-id", &c, "--service-confidence-threshold", "0.95"]);
    assert_eq!(db.json(&["service:match", "--company-id", &c, "Herenhaarschnit"]), json!({"service_id": null}));
    assert_eq!(db.json(&["service:match", "--company-id", &c, "Färben"])["name"], "Färben");
    // Another company's services are never matched.
    let other = db.company("Other");
    db.service(other, "Dauerwelle", 60);
    assert_eq!(db.json(&["service:match", "--company-id", &c, "Dauerwelle"]), json!({"service_id": null}));
    db.run(&["service:match", "--company-id", "99", "x"]).fails(3, "company 99");
    let human = db.ok(&["service:match", "--company-id", &c, "Färben"]);
    assert!(human.starts_with("Färben (service"), "{human}");
}

fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().with_timezone(&Utc)
}

fn prediction_and_greetings(db: &TestDb) {
    // Build the tenant through the CLI, as an engineer would.
    let c: i64 =
        db.ok(&["company:create", "--name", "Schnittpunkt", "--industry", "friseur", "-q"]).trim().parse().unwrap();
    let b: i64 = db.branch(c, "Mitte");
    let herren = db.service(c, "Herrenhaarschnitt", 30);
    let faerben = db.service(c, "Färben", 90);
    let jana: i64 =
        db.ok(&["staff:create", "--branch-id", &b.to_string(), "--name", "Jana", "-q"]).trim().parse().unwrap();
    let other = db.company("Anderer Salon");
    let other_branch = db.branch(other, "Nord");
    db.ok(&[
        "company:greeting",
        "--company-id",
        &c.to_string(),
        "--type",
        "personalized_with_service",
        "--template",
        "Hallo {{customer_name}}! Wieder {{service}} bei {{company}} {{branch}}?",
    ]);

    let overrides = Overrides { database_url: Some(db.url.clone()), ..Default::default() };
    let mut env = vec![];
    if let Some(k) = &db.master_key {
        env.push(("ASKPRO_MASTER_KEY".to_string(), k.clone()));
    }
    let settings =
        Settings::resolve(&overrides, |name| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())).unwrap();
    block_on(async {
        let app = App::connect(settings, PoolSize(2)).await.unwrap();
        let store = &app.store;
        let now = at("2026-11-18T09:00:00Z"); // Wednesday 10:00 in Berlin: open
        let day = 86_400_000;
        let visit = |customer: i64, service: i64, days_ago: i64| NewAppointment {
            branch_id: b,
            staff_id: Some(jana),
            service_id: Some(service),
            customer_id: Some(customer),
            starts_at: now.timestamp_millis() - days_ago * day,
            ends_at: now.timestamp_millis() - days_ago * day + 30 * 60_000,
            status: "booked".into(),
            backend: "local".into(),
            external_uid: None,
            call_id: None,
        };
        let regular = store.upsert_customer(c, "+493011111111", Some("Sabine Müller")).await.unwrap();
        store.insert_appointment(c, &visit(regular.id, herren, 30)).await.unwrap();
        store.insert_appointment(c, &visit(regular.id, herren, 65)).await.unwrap();
        let once = store.upsert_customer(c, "+493022222222", Some("Tom Once")).await.unwrap();
        store.insert_appointment(c, &visit(once.id, faerben, 10)).await.unwrap();
        store.upsert_customer(c, "+493033333333", None).await.unwrap();
        // The same number in another company has its own, empty, history.
        store.upsert_customer(other, "+493011111111", Some("Fremd")).await.unwrap();
        let foreign = NewAppointment { branch_id: other_branch, staff_id: None, ..visit(regular.id, herren, 5) };
        assert!(
            store
                .insert_appointment(c, &NewAppointment { branch_id: other_branch, ..visit(regular.id, herren, 1) })
                .await
                .is_err(),
            "an appointment cannot name another company's branch"
        );
        store
            .insert_appointment(other, &NewAppointment { service_id: None, customer_id: None, ..foreign })
            .await
            .unwrap();

        let company = company::get(&app, c).await.unwrap();
        let branch = store.branch(b).await.unwrap().unwrap();
        let insight = callers::recognise(&app, &company, Some("+493011111111"), now.timestamp_millis()).await.unwrap();
        assert_eq!(insight.customer.as_ref().unwrap().name.as_deref(), Some("Sabine Müller"));
        assert_eq!(insight.predicted_service.as_ref().unwrap().name, "Herrenhaarschnitt");
        assert_eq!(insight.service_confidence, 0.91);
        assert_eq!(insight.preferred_staff.as_ref().unwrap().name, "Jana");
        let g = callers::greeting(&app, &company, &branch, &insight, now).await.unwrap();
        assert_eq!(g.situation, "personalized_with_service");
        assert_eq!(g.text, "Hallo Sabine Müller! Wieder Herrenhaarschnitt bei Schnittpunkt Mitte?");

        // One visit is no habit: known, greeted by name, no prediction.
        let insight = callers::recognise(&app, &company, Some("+493022222222"), now.timestamp_millis()).await.unwrap();
        assert!(insight.is_known() && insight.predicted_service.is_none());
        let g = callers::greeting(&app, &company, &branch, &insight, now).await.unwrap();
        assert_eq!(g.situation, "returning_customer");
        assert!(g.text.contains("Tom Once") && g.text.contains("Schnittpunkt"), "{}", g.text);

        // Known number without a name, unknown number, withheld number: the default greeting.
        for phone in [Some("+493033333333"), Some("+499999999999"), None, Some("")] {
            let insight = callers::recognise(&app, &company, phone, now.timestamp_millis()).await.unwrap();
            assert!(insight.predicted_service.is_none());
            let g = callers::greeting(&app, &company, &branch, &insight, now).await.unwrap();
            assert_eq!(g.situation, "default", "{phone:?}");
            assert_eq!(g.text, "Guten Tag, hier ist Schnittpunkt, Mitte. Wie kann ich Ihnen helfen?");
        }

        // Switched off or above the threshold: no prediction.
        let mut strict = company.clone();
        strict.enable_smart_service = false;
        let insight = callers::recognise(&app, &strict, Some("+493011111111"), now.timestamp_millis()).await.unwrap();
        assert!(insight.predicted_service.is_none() && insight.preferred_staff.is_some());
        strict.enable_smart_service = true;
        strict.service_confidence_threshold = 0.95;
        strict.enable_staff_preferences = false;
        let insight = callers::recognise(&app, &strict, Some("+493011111111"), now.timestamp_millis()).await.unwrap();
        assert!(insight.predicted_service.is_none() && insight.preferred_staff.is_none());

        // After hours: Sunday, and Wednesday 19:30 in Berlin.
        let insight = callers::recognise(&app, &company, Some("+493011111111"), now.timestamp_millis()).await.unwrap();
        for closed in ["2026-11-22T10:00:00Z", "2026-11-18T18:30:00Z"] {
            let g = callers::greeting(&app, &company, &branch, &insight, at(closed)).await.unwrap();
            assert_eq!(g.situation, "after_hours", "{closed}");
        }
        // Another company never sees this caller's history.
        let other_company = company::get(&app, other).await.unwrap();
        let insight =
            callers::recognise(&app, &other_company, Some("+493011111111"), now.timestamp_millis()).await.unwrap();
        assert_eq!(insight.customer.unwrap().name.as_deref(), Some("Fremd"));
        assert!(insight.predicted_service.is_none());
    });
}
