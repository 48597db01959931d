//! Store introspection (`store::inspect`) on SQLite and PostgreSQL: every hot query plans, none
//! reads its table in full with the migrations applied, a dropped index shows in the plan and
//! `maintain` puts it back, and the statistics describe the database as it is.

mod common;

use std::sync::Arc;

use askpro::store::{self, *};
use common::rows::{branch, company};
use common::{block_on, TestDb};

both_backends!(
    every_hot_query_plans_on_an_empty_and_a_filled_database,
    no_hot_query_reads_its_table_in_full,
    the_catalogue_matches_the_migrated_indexes,
    a_dropped_index_shows_in_the_plan_until_maintain_recreates_it,
    a_dropped_appointments_index_is_missed_by_its_query,
    duplicate_indexes_are_listed_with_their_columns,
    table_stats_count_rows,
    storage_and_statement_stats,
    maintenance_steps_are_idempotent,
);

async fn open(db: &TestDb) -> Arc<dyn Store> {
    store::connect(&db.url, PoolSize(4)).await.expect("connect")
}

const HOUR: i64 = 3_600_000;

/// A company with a bit of everything a call touches; returns its id.
async fn fill(s: &dyn Store) -> i64 {
    s.insert_company(&company("Leer")).await.unwrap();
    let c = s.insert_company(&company("Salon")).await.unwrap().id;
    let b = s.insert_branch(c, &NewBranch { phone: Some("+4930111".into()), ..branch("Mitte") }).await.unwrap().id;
    let service = NewService {
        branch_id: None,
        name: "Schnitt".into(),
        name_key: "schnitt".into(),
        duration_min: 30,
        price_cents: None,
        calcom_event_type_id: None,
    };
    let sv = s.insert_service(c, &service).await.unwrap().id;
    let synonym = NewSynonym { service_id: sv, synonym: "Haare".into(), synonym_key: "haare".into() };
    s.insert_synonyms(c, &[synonym], &|_| {}).await.unwrap();
    let staff = NewStaff {
        branch_id: b,
        name: "Anna".into(),
        email: None,
        phone: None,
        calcom_user_id: None,
        working_hours: None,
        key: StaffKey::Name("anna".into()),
    };
    let st = s.insert_staff(c, &staff).await.unwrap().id;
    s.assign_services(c, st, &[sv]).await.unwrap();
    let mut customers = Vec::new();
    for i in 0..3 {
        customers.push(s.upsert_customer(c, &format!("+491700000{i}"), Some("Kundin")).await.unwrap().id);
    }
    let now = now_ms();
    for (i, customer) in customers.iter().enumerate() {
        let start = now + (i as i64 + 1) * HOUR;
        let appointment = NewAppointment {
            branch_id: b,
            staff_id: Some(st),
            service_id: Some(sv),
            customer_id: Some(*customer),
            starts_at: start,
            ends_at: start + HOUR / 2,
            status: "booked".into(),
            backend: "local".into(),
            external_uid: Some(format!("uid-{i}")),
            call_id: Some(format!("call-{i}")),
        };
        s.insert_appointment(c, &appointment).await.unwrap();
    }
    let hold = NewHold {
        branch_id: b,
        staff_id: Some(st),
        service_id: sv,
        call_id: "call-9".into(),
        starts_at: now + 10 * HOUR,
        ends_at: now + 11 * HOUR,
        expires_at: now + HOUR,
        external_uid: None,
        customer_id: None,
    };
    s.hold_slot(c, &hold, now).await.unwrap();
    let agent = NewAgent {
        branch_id: b,
        retell_agent_id: "agent_salon".into(),
        engine: "retell-llm".into(),
        engine_id: "llm_1".into(),
        template: None,
        template_version: None,
        published_version: None,
        deployed_hash: None,
        voice_id: None,
        language: "de-DE".into(),
    };
    let agent = s.insert_agent(c, &agent).await.unwrap();
    s.upsert_phone_number(c, &agent, "+4930222", None).await.unwrap();
    let call = CallRecord { retell_call_id: "call-0".into(), started_at: Some(now), ..Default::default() };
    s.upsert_call(c, &call).await.unwrap();
    let event = NewWebhookEvent {
        company_id: c,
        source: "retell",
        event: "call_ended".into(),
        external_id: Some("call-0".into()),
        dedupe_key: "retell:call_ended:call-0".into(),
        payload: askpro::store::payload::pack("{}"),
    };
    s.record_webhook_event(&event).await.unwrap();
    let key = FunctionKey {
        company_id: c,
        call_id: "call-0".into(),
        name: "check_availability".into(),
        args_hash: "h".into(),
    };
    s.claim_function(&key, now, now + 1000).await.unwrap();
    s.answer_function(&key, "{}").await.unwrap();
    c
}

/// Plans every hot query with `r`'s parameters.
async fn plans(s: &dyn Store, r: &Representative) -> Vec<(&'static HotQuery, Plan)> {
    let mut out = Vec::new();
    for query in hot_queries() {
        let plan = s
            .explain(query, &(query.params)(r))
            .await
            .unwrap_or_else(|e| panic!("{} does not plan: {e:?}", query.name));
        assert!(!plan.text.is_empty(), "{}: empty plan", query.name);
        out.push((query, plan));
    }
    out
}

fn every_hot_query_plans_on_an_empty_and_a_filled_database(db: &TestDb) {
    block_on(async {
        let s = open(db).await;
        let empty = s.representative(None).await.unwrap();
        assert_eq!((empty.company_id, empty.phone.as_str()), (0, "+490000000000"));
        plans(&*s, &empty).await;

        let c = fill(&*s).await;
        let r = s.representative(None).await.unwrap();
        assert_eq!(r.company_id, c, "the company with the most appointments");
        assert!(r.branch_id > 0 && r.staff_id > 0 && r.service_id > 0 && r.customer_id > 0, "{r:?}");
        assert_eq!((r.retell_agent_id.as_str(), r.number.as_str()), ("agent_salon", "+4930222"));
        assert_eq!(r.call_id, "call-0");
        assert!(r.external_uid.starts_with("uid-") && r.phone.starts_with("+491700000"), "{r:?}");
        plans(&*s, &r).await;
        // Asked for a company, the values are that company's (here: none).
        let other = s.representative(Some(c - 1)).await.unwrap();
        assert_eq!((other.company_id, other.branch_id, other.call_id.as_str()), (c - 1, 0, "call_0"));
    });
}

fn no_hot_query_reads_its_table_in_full(db: &TestDb) {
    block_on(async {
        let s = open(db).await;
        fill(&*s).await;
        let r = s.representative(None).await.unwrap();
        for (query, plan) in plans(&*s, &r).await {
            assert!(plan.full_scans.is_empty(), "{} reads {:?} in full:\n{}", query.name, plan.full_scans, plan.text);
            // Without statistics SQLite takes the index that serves the most terms: the
            // catalogue's. (PostgreSQL may weigh another index of the table as cheaper.)
            let index = query.index.existing_name(s.backend());
            if s.backend() == Backend::Sqlite {
                assert!(plan.uses(index), "{} does not use {index}:\n{}", query.name, plan.text);
            }
        }
    });
}

fn the_catalogue_matches_the_migrated_indexes(db: &TestDb) {
    block_on(async {
        let s = open(db).await;
        let indexes = s.index_stats().await.unwrap();
        for def in hot_indexes() {
            let name = def.existing_name(s.backend());
            let found = indexes.iter().find(|i| i.name == name).unwrap_or_else(|| panic!("no index {name}"));
            assert_eq!(found.table, def.table, "{name}");
            assert_eq!(found.columns, def.column_names(), "{name}");
            assert_eq!(found.unique, def.unique, "{name}");
            assert_eq!(found.partial, def.predicate().is_some(), "{name}");
            assert_eq!(found.constraint, def.constraint.is_some(), "{name}");
            assert!(found.valid, "{name}");
        }
    });
}

fn a_dropped_index_shows_in_the_plan_until_maintain_recreates_it(db: &TestDb) {
    block_on(async {
        let s = open(db).await;
        fill(&*s).await;
        let r = s.representative(None).await.unwrap();
        let query = hot_queries().iter().find(|q| q.name == "customer_by_phone").unwrap();
        let drop = Maintenance::DropIndex { name: query.index.name.into() };
        s.maintain(&drop).await.unwrap();
        s.maintain(&drop).await.unwrap();
        let plan = s.explain(query, &(query.params)(&r)).await.unwrap();
        assert_eq!(plan.full_scans, ["customers"], "{}", plan.text);
        assert!(
            plan.text.contains("SCAN customers") || plan.text.contains("Seq Scan on customers"),
            "the text shows the scan:\n{}",
            plan.text
        );
        assert!(!plan.uses(query.index.name));

        let create = Maintenance::CreateIndex(query.index);
        s.maintain(&create).await.unwrap();
        s.maintain(&create).await.unwrap();
        let plan = s.explain(query, &(query.params)(&r)).await.unwrap();
        assert!(plan.full_scans.is_empty(), "{}", plan.text);
        assert!(plan.uses(query.index.name), "{}", plan.text);
        // The store still finds callers through it.
        assert!(s.customer_by_phone(r.company_id, &r.phone).await.unwrap().is_some());
    });
}

/// Every appointments index leads with `company_id` but one, so without its own index a query
/// reads the company's appointments through another: the plan says which, and it is not the
/// catalogue's.
fn a_dropped_appointments_index_is_missed_by_its_query(db: &TestDb) {
    block_on(async {
        let s = open(db).await;
        fill(&*s).await;
        let r = s.representative(None).await.unwrap();
        let query = hot_queries().iter().find(|q| q.name == "staff_appointments").unwrap();
        s.maintain(&Maintenance::DropIndex { name: query.index.name.into() }).await.unwrap();
        let plan = s.explain(query, &(query.params)(&r)).await.unwrap();
        assert!(!plan.uses(query.index.name), "{}", plan.text);
        s.maintain(&Maintenance::CreateIndex(query.index)).await.unwrap();
        let plan = s.explain(query, &(query.params)(&r)).await.unwrap();
        assert!(plan.uses(query.index.name), "{}", plan.text);
        assert_eq!(s.staff_appointments(r.company_id, r.staff_id, r.now, r.now + 24 * HOUR).await.unwrap().len(), 3);
    });
}

fn duplicate_indexes_are_listed_with_their_columns(db: &TestDb) {
    block_on(async {
        let s = open(db).await;
        db.execute("CREATE INDEX customers_phone_again ON customers (company_id, phone)").await.unwrap();
        let indexes = s.index_stats().await.unwrap();
        let columns = |name: &str| indexes.iter().find(|i| i.name == name).map(|i| i.columns.clone());
        assert_eq!(columns("customers_phone_again"), Some(vec!["company_id".to_string(), "phone".to_string()]));
        assert_eq!(columns("customers_phone_again"), columns("customers_company_phone"));
        let again = indexes.iter().find(|i| i.name == "customers_phone_again").unwrap();
        assert!(!again.unique && !again.constraint && !again.partial);
        assert!(indexes.iter().all(|i| !i.table.starts_with("_sqlx") && !i.table.starts_with("sqlite_")));
        if s.backend() == Backend::Postgres {
            assert!(indexes.iter().all(|i| i.scans.is_some() && i.bytes.is_some()));
            let pkey = indexes.iter().find(|i| i.name == "customers_pkey").unwrap();
            assert!(pkey.constraint && pkey.unique);
        }
    });
}

fn table_stats_count_rows(db: &TestDb) {
    block_on(async {
        let s = open(db).await;
        let c = fill(&*s).await;
        s.upsert_customer(c, "+4917099", None).await.unwrap();
        let tables = s.table_stats().await.unwrap();
        let rows = |name: &str| tables.iter().find(|t| t.name == name).map(|t| t.rows);
        assert_eq!(rows("customers"), Some(4));
        assert_eq!(rows("appointments"), Some(3));
        assert_eq!(rows("companies"), Some(2));
        assert_eq!(rows("alerts_sent"), Some(0));
        assert!(tables.iter().all(|t| !t.name.starts_with("_sqlx") && !t.name.starts_with("sqlite_")));
        if s.backend() == Backend::Postgres {
            assert!(tables.iter().all(|t| t.bytes.is_some() && t.dead_rows.is_some()));
        }
    });
}

fn storage_and_statement_stats(db: &TestDb) {
    block_on(async {
        let s = open(db).await;
        fill(&*s).await;
        let storage = s.storage_stats().await.unwrap();
        assert!(storage.page_size >= 512 && storage.pages > 0, "{storage:?}");
        match s.backend() {
            Backend::Sqlite => {
                assert!(storage.wal_bytes.is_some(), "{storage:?}");
                assert!(!storage.statistics, "nothing analyzed yet");
                assert_eq!(
                    s.statement_stats().await.unwrap(),
                    StatementStats::Unavailable(
                        "SQLite keeps no statement statistics; askpro-daemon's counters cover it".into()
                    )
                );
            }
            Backend::Postgres => {
                assert_eq!(storage.wal_bytes, None);
                match s.statement_stats().await.unwrap() {
                    StatementStats::Available(top) => assert!(top.len() <= 20),
                    StatementStats::Unavailable(why) => {
                        assert!(why.contains("shared_preload_libraries") && why.contains("CREATE EXTENSION"), "{why}")
                    }
                }
            }
        }
    });
}

fn maintenance_steps_are_idempotent(db: &TestDb) {
    block_on(async {
        let s = open(db).await;
        fill(&*s).await;
        for step in [Maintenance::Analyze, Maintenance::Optimize, Maintenance::Checkpoint] {
            s.maintain(&step).await.unwrap();
            s.maintain(&step).await.unwrap();
        }
        assert!(s.storage_stats().await.unwrap().statistics, "ANALYZE gathered statistics");
        if s.backend() == Backend::Sqlite {
            assert_eq!(s.storage_stats().await.unwrap().wal_bytes, Some(0), "the checkpoint truncated the WAL");
        } else {
            let analyzed = s.table_stats().await.unwrap();
            let customers = analyzed.iter().find(|t| t.name == "customers").unwrap();
            assert!(customers.last_analyzed.is_some_and(|at| at > now_ms() - 600_000), "{customers:?}");
        }
        // With statistics, every query still plans (on tables this small a scan may now be the
        // cheaper choice: `performance:analyze` weighs a scan by the table's rows).
        let r = s.representative(None).await.unwrap();
        plans(&*s, &r).await;
    });
}
