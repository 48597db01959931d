//! Upgrading a database that holds data: each migration that rebuilds or re-keys a table keeps
//! every row, on SQLite and PostgreSQL. The database is first brought to the version before the
//! migration under test with the same embedded migrations askpro ships, filled as that version
//! of askpro would have filled it, and then opened by askpro, which applies the rest.

mod common;

use askpro::store::{self, PoolSize};
use common::{block_on, TestDb};
use sqlx::migrate::Migrator;

both_backends!(company_scoped_call_keys_keep_every_row, an_upgrade_keeps_a_shared_phone_on_the_first_branch);

/// The shipped migrations of `db`'s backend up to and including `version`.
fn migrator_up_to(db: &TestDb, version: i64) -> Migrator {
    let mut migrator =
        if db.is_postgres() { sqlx::migrate!("./migrations/postgres") } else { sqlx::migrate!("./migrations/sqlite") };
    migrator.migrations = migrator.migrations.iter().filter(|m| m.version <= version).cloned().collect();
    migrator
}

async fn run(db: &TestDb, migrator: &Migrator, statements: &[&str]) {
    if db.is_postgres() {
        let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
        migrator.run(&pool).await.unwrap();
        for sql in statements {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        pool.close().await;
    } else {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(db.path().join("askpro.db"))
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        migrator.run(&pool).await.unwrap();
        for sql in statements {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        pool.close().await;
    }
}

/// Migration 0011 re-keys webhook deliveries, call records and function answers by company.
fn company_scoped_call_keys_keep_every_row(db: &TestDb) {
    block_on(async {
        let payload = if db.is_postgres() { "convert_to('{}', 'UTF8')" } else { "'{}'" };
        let events = format!(
            "INSERT INTO webhook_events (company_id, source, event, external_id, dedupe_key, payload, status, \
             attempts, received_at) VALUES (1, 'retell', 'call_started', 'call_1', 'retell:call_started:call_1', \
             {payload}, 'failed', 1, 5)"
        );
        run(
            db,
            &migrator_up_to(db, 10),
            &[
                "INSERT INTO companies (id, name, name_key, country, timezone, scheduling, created_at, updated_at) \
                 VALUES (1, 'A', 'a', 'DE', 'Europe/Berlin', 'local', 0, 0), \
                 (2, 'B', 'b', 'DE', 'Europe/Berlin', 'local', 0, 0)",
                &events,
                "INSERT INTO calls (company_id, retell_call_id, status, booked, created_at, updated_at) \
                 VALUES (1, 'call_1', 'ended', TRUE, 5, 6)",
                "INSERT INTO function_calls (company_id, call_id, name, args_hash, response, created_at) \
                 VALUES (1, 'call_1', 'check_customer', 'h', '{\"status\":\"ok\"}', 7)",
            ],
        )
        .await;

        let s = store::connect(&db.url, PoolSize(2)).await.unwrap();
        assert!(s.migration_status().await.unwrap().iter().all(|m| m.applied));
        let call = s.call(1, "call_1").await.unwrap().expect("the call record was kept");
        assert_eq!((call.status.as_deref(), call.booked), (Some("ended"), true));
        let failed = s.failed_webhook_events(0).await.unwrap();
        assert_eq!(
            failed.iter().map(|e| (e.company_id, e.event.as_str())).collect::<Vec<_>>(),
            [(Some(1), "call_started")]
        );
        let answer = s.function_context((1, 1), "call_1", "check_customer", "h").await.unwrap().first_answer;
        assert_eq!(answer.as_deref(), Some("{\"status\":\"ok\"}"));
        // The same keys are free for another company now.
        s.close().await;
        let other = [
            "INSERT INTO calls (company_id, retell_call_id, booked, created_at, updated_at) \
             VALUES (2, 'call_1', FALSE, 8, 8)",
            "INSERT INTO function_calls (company_id, call_id, name, args_hash, response, created_at) \
             VALUES (2, 'call_1', 'check_customer', 'h', '{}', 9)",
        ];
        run(db, &migrator_up_to(db, i64::MAX), &other).await;
    });
}

/// Migration 0012 makes a branch's phone unique: where two branches shared one, the branch that
/// had it first keeps it (its calls reach it again), the later ones are left without.
fn an_upgrade_keeps_a_shared_phone_on_the_first_branch(db: &TestDb) {
    block_on(run(
        db,
        &migrator_up_to(db, 11),
        &[
            "INSERT INTO companies (id, name, name_key, country, timezone, scheduling, created_at, updated_at) \
             VALUES (1, 'A', 'a', 'DE', 'Europe/Berlin', 'local', 0, 0), \
             (2, 'B', 'b', 'DE', 'Europe/Berlin', 'local', 0, 0)",
            "INSERT INTO branches (id, company_id, name, name_key, phone, timezone, business_hours, created_at, updated_at) \
             VALUES (1, 1, 'Eins', 'eins', '+49301111111', 'Europe/Berlin', '{}', 0, 0), \
             (2, 2, 'Zwei', 'zwei', '+49301111111', 'Europe/Berlin', '{}', 0, 0), \
             (3, 1, 'Drei', 'drei', '+49301111111', 'Europe/Berlin', '{}', 0, 0), \
             (4, 2, 'Vier', 'vier', '+49302222222', 'Europe/Berlin', '{}', 0, 0)",
        ],
    ));
    // askpro opens it and applies the rest.
    block_on(async {
        let s = store::connect(&db.url, PoolSize(1)).await.unwrap();
        let tenant = s.tenant_for_call(None, Some("+49301111111")).await.unwrap().expect("reaches a branch again");
        assert_eq!((tenant.company_id, tenant.branch_id), (1, 1));
        s.close().await;
    });
    let phones =
        block_on(db.strings("SELECT CAST(id AS TEXT) || ':' || COALESCE(phone, '-') FROM branches ORDER BY id"));
    assert_eq!(phones, ["1:+49301111111", "2:-", "3:-", "4:+49302222222"]);
    db.run(&["branch:create", "--company-id", "2", "--name", "Fünf", "--phone", "+49302222222"])
        .fails(4, "already the phone of branch 4 'Vier' of company 2 'B'");
}
