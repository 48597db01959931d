//! Storage: one [`Store`] trait with a SQLite and a PostgreSQL implementation.
//!
//! The backend is picked once from the database URL ([`connect`]). SQL that both dialects accept
//! is written once in `sql/` and compiled for each backend; migrations live in
//! `migrations/sqlite` and `migrations/postgres` with the same version numbers and are applied on
//! connect. Every method that serves a command takes the `company_id` it serves, and the global
//! lookups by id (`branch(id)`, `service(id)` …) return the row's `company_id` so that callers
//! scope everything after them to that company.
//!
//! How a SQLite store uses its connections — the sqlx pool and writer, the inline reads and hot
//! writes on rusqlite, the write gate, the background checkpointer and the migration lock — is
//! pictured in `sqlite.rs`.

mod hot;
mod inline;
pub mod inspect;
mod metered;
pub mod payload;
mod postgres;
mod rows;
mod sql;
mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::{Error, Result};

pub use inspect::{
    hot_indexes, hot_queries, ConstraintIndex, HotQuery, IndexDef, IndexStats, Maintenance, Param, Plan,
    Representative, StatementStat, StatementStats, StorageStats, TableStats,
};
pub use metered::{Metered, OPERATIONS};
pub use postgres::PgStore;
pub use rows::*;
pub use sqlite::SqliteStore;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(Error::config(format!("unsupported database URL '{}'", redact_url(url)))
                .with_help("use sqlite://askpro.db (the default) or postgres://USER@HOST:5432/DB"))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// How many connections a process wants: the CLI needs few, the daemon more.
#[derive(Debug, Clone, Copy)]
pub struct PoolSize(pub u32);

/// Opens the store behind `url`, creating a SQLite file on first use, and applies migrations.
pub async fn connect(url: &str, pool: PoolSize) -> Result<Arc<dyn Store>> {
    Ok(match Backend::from_url(url)? {
        Backend::Sqlite => Arc::new(SqliteStore::open(url, pool).await?),
        Backend::Postgres => Arc::new(PgStore::open(url, pool).await?),
    })
}

/// Opens the store behind `url` as it is, migrating nothing (`preflight:check` looks without
/// changing). A SQLite file that does not exist is created, so callers check for it first.
pub async fn open_unmigrated(url: &str, pool: PoolSize) -> Result<Arc<dyn Store>> {
    Ok(match Backend::from_url(url)? {
        Backend::Sqlite => Arc::new(SqliteStore::open_with(url, pool, false).await?),
        Backend::Postgres => Arc::new(PgStore::open_with(url, pool, false).await?),
    })
}

/// The indexes askpro's own migrations leave on `backend`: created, and not dropped by a later
/// migration. `performance:analyze` never offers to drop one of them (askpro's queries rely on
/// them, also where a fresh database has not used them yet); an index an operator added is not
/// among them.
pub fn own_indexes(backend: Backend) -> std::collections::BTreeSet<String> {
    let migrator = match backend {
        Backend::Sqlite => &SqliteStore::MIGRATOR,
        Backend::Postgres => &PgStore::MIGRATOR,
    };
    let mut own = std::collections::BTreeSet::new();
    for migration in migrator.iter() {
        for statement in migration.sql.split(';') {
            let words: Vec<String> = statement
                .lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .flat_map(str::split_whitespace)
                .map(|w| w.to_ascii_lowercase())
                .take(8)
                .collect();
            let words: Vec<&str> = words.iter().map(String::as_str).filter(|w| *w != "concurrently").collect();
            let name = |at: usize| match words.get(at..at + 3) {
                Some(["if", "not", "exists"]) => words.get(at + 3),
                Some(["if", "exists", name]) => Some(name),
                _ => words.get(at),
            };
            match words.as_slice() {
                ["create", "index", ..] => own.extend(name(2).map(|n| n.to_string())),
                ["create", "unique", "index", ..] => own.extend(name(3).map(|n| n.to_string())),
                ["drop", "index", ..] => {
                    if let Some(n) = name(2) {
                        own.remove(*n);
                    }
                }
                ["alter", "index", old, "rename", "to", new, ..] if own.remove(*old) => {
                    own.insert(new.to_string());
                }
                _ => {}
            }
        }
    }
    own
}

/// A database URL with any password replaced, for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:…{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Everything askpro keeps. Implemented by [`SqliteStore`] and [`PgStore`] with the same SQL
/// (`sql/`); its methods are grouped by topic into the traits it extends, which the SQL follows
/// file by file.
#[async_trait]
pub trait Store:
    CompanyStore
    + CatalogStore
    + CustomerStore
    + CalendarStore
    + AgentStore
    + CallStore
    + FunctionStore
    + MonitoringStore
    + InspectStore
    + Send
    + Sync
{
    fn backend(&self) -> Backend;

    /// The last background WAL checkpoint of a long-running SQLite store (`None` elsewhere).
    fn last_checkpoint(&self) -> Option<crate::meter::Checkpoint> {
        None
    }

    /// Closes every connection. For SQLite this lets the last connection checkpoint and remove
    /// the WAL, so the next process does not have to replay it.
    async fn close(&self);

    /// Applies pending migrations (also done on connect).
    async fn migrate(&self) -> Result<Vec<MigrationStatus>>;
    /// Every known migration and whether it is applied.
    async fn migration_status(&self) -> Result<Vec<MigrationStatus>>;
    /// The versions of every migration the database records as applied, including any this
    /// binary does not know (a database migrated by a newer askpro).
    async fn applied_migrations(&self) -> Result<Vec<i64>>;
}

/// Companies, their greetings and sealed secrets, and their branches (`sql/companies.rs`).
#[async_trait]
pub trait CompanyStore: Send + Sync {
    // --- companies -------------------------------------------------------------------------------
    async fn insert_company(&self, company: &NewCompany) -> Result<Company>;
    async fn company(&self, id: i64) -> Result<Option<Company>>;
    async fn company_by_name(&self, name_key: &str) -> Result<Option<Company>>;
    async fn companies(&self) -> Result<Vec<Company>>;
    async fn update_company(&self, id: i64, patch: &CompanyPatch) -> Result<Company>;
    /// The sealed (encrypted) value of a company secret.
    async fn company_secret(&self, id: i64, field: SecretField) -> Result<Option<String>>;
    /// Whether any company holds a sealed secret: an installation-wide question, asked before a
    /// new master key would be made.
    async fn holds_sealed_secrets(&self) -> Result<bool>;
    async fn set_greeting(&self, company_id: i64, kind: GreetingKind, template: &str) -> Result<()>;
    async fn greetings(&self, company_id: i64) -> Result<Vec<Greeting>>;

    // --- branches --------------------------------------------------------------------------------
    async fn insert_branch(&self, company_id: i64, branch: &NewBranch) -> Result<Branch>;
    async fn branch(&self, id: i64) -> Result<Option<Branch>>;
    async fn branch_by_name(&self, company_id: i64, name_key: &str) -> Result<Option<Branch>>;
    async fn branches(&self, company_id: i64) -> Result<Vec<Branch>>;
    async fn update_branch_notifications(
        &self,
        company_id: i64,
        branch_id: i64,
        targets: &NotificationTargets,
    ) -> Result<Branch>;

    // --- a whole business ------------------------------------------------------------------------
    /// Writes `business` in one transaction: all of it or, on any error, nothing
    /// (`sql/onboarding.rs`).
    async fn onboard(&self, business: &NewBusiness) -> Result<Onboarded>;
}

/// Services, their synonyms, staff, and who performs what (`sql/catalog.rs`).
#[async_trait]
pub trait CatalogStore: Send + Sync {
    // --- services and synonyms -------------------------------------------------------------------
    async fn insert_service(&self, company_id: i64, service: &NewService) -> Result<Service>;
    async fn service(&self, id: i64) -> Result<Option<Service>>;
    async fn service_by_name(&self, company_id: i64, name_key: &str) -> Result<Option<Service>>;
    /// A company's services; with a branch, the company-wide ones and that branch's.
    async fn services(&self, company_id: i64, branch_id: Option<i64>) -> Result<Vec<Service>>;
    /// Inserts synonyms in one transaction, skipping ones a service already has; returns how
    /// many were inserted. `on_batch` hears how many rows each written batch held.
    async fn insert_synonyms(
        &self,
        company_id: i64,
        synonyms: &[NewSynonym],
        on_batch: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<u64>;
    /// Sets a service's name, duration, price and event type (its branch stays).
    async fn update_service(&self, company_id: i64, id: i64, service: &NewService) -> Result<Service>;
    async fn synonyms(&self, company_id: i64, service_id: i64) -> Result<Vec<Synonym>>;
    /// Every synonym of a company's services as `(service_id, synonym)`, for service matching.
    async fn company_synonyms(&self, company_id: i64) -> Result<Vec<(i64, String)>>;

    // --- staff -----------------------------------------------------------------------------------
    async fn insert_staff(&self, company_id: i64, staff: &NewStaff) -> Result<Staff>;
    /// Sets a staff member's name, e-mail, phone and Cal.com user id (their branch stays).
    async fn update_staff(&self, company_id: i64, id: i64, staff: &NewStaff) -> Result<Staff>;
    async fn staff_member(&self, id: i64) -> Result<Option<Staff>>;
    async fn staff_by_key(&self, company_id: i64, branch_id: i64, key: &StaffKey) -> Result<Option<Staff>>;
    async fn staff(&self, company_id: i64, branch_id: i64) -> Result<Vec<Staff>>;
    /// Maps a staff member to services (existing pairs are kept); returns how many were new.
    async fn assign_services(&self, company_id: i64, staff_id: i64, service_ids: &[i64]) -> Result<u64>;
    /// `(staff_id, service name)` for every mapping in a branch.
    async fn staff_service_names(&self, company_id: i64, branch_id: i64) -> Result<Vec<(i64, String)>>;
    /// Active staff of a branch who perform a service.
    async fn staff_for_service(&self, company_id: i64, branch_id: i64, service_id: i64) -> Result<Vec<Staff>>;
}

/// Customers and their history (`sql/customers.rs`).
#[async_trait]
pub trait CustomerStore: Send + Sync {
    /// Creates the customer for a phone number, or returns the existing one (filling in a name
    /// it did not have yet).
    async fn upsert_customer(&self, company_id: i64, phone: &str, name: Option<&str>) -> Result<Customer>;
    async fn customer_by_phone(&self, company_id: i64, phone: &str) -> Result<Option<Customer>>;
    async fn customer(&self, company_id: i64, id: i64) -> Result<Option<Customer>>;
    /// A customer's appointments, newest first.
    async fn customer_history(&self, company_id: i64, customer_id: i64) -> Result<Vec<Visit>>;
}

/// The local calendar: appointments, holds and busy times (`sql/calendar.rs`).
#[async_trait]
pub trait CalendarStore: Send + Sync {
    // --- appointments ----------------------------------------------------------------------------
    /// Writes an appointment row as given (the calendar decides whether the slot is free).
    async fn insert_appointment(&self, company_id: i64, appointment: &NewAppointment) -> Result<i64>;
    /// Books a call's held slot: writes the appointment (its `call_id` names the call) and
    /// releases the call's holds in one transaction, so a booking never leaves its hold behind
    /// to be booked again.
    async fn book_hold(&self, company_id: i64, appointment: &NewAppointment) -> Result<i64>;
    /// The booked appointments a call made, newest first.
    async fn call_appointments(&self, company_id: i64, call_id: &str) -> Result<Vec<Appointment>>;
    async fn appointment(&self, company_id: i64, id: i64) -> Result<Option<Appointment>>;
    async fn appointment_by_uid(&self, company_id: i64, external_uid: &str) -> Result<Option<Appointment>>;
    /// A branch's appointments (any status) starting in `[from, to)`, by start.
    async fn appointments(&self, company_id: i64, branch_id: i64, from: i64, to: i64) -> Result<Vec<Appointment>>;
    /// A staff member's appointments (any status) starting in `[from, to)`, by start.
    async fn staff_appointments(&self, company_id: i64, staff_id: i64, from: i64, to: i64) -> Result<Vec<Appointment>>;
    /// A customer's booked appointments that end after `now`, soonest first.
    async fn upcoming_appointments(&self, company_id: i64, customer_id: i64, now: i64) -> Result<Vec<Appointment>>;
    /// Moves a booked appointment; the database refuses an overlap (conflict).
    async fn move_appointment(&self, company_id: i64, id: i64, to: &AppointmentMove) -> Result<Appointment>;
    async fn cancel_appointment(&self, company_id: i64, id: i64, reason: Option<&str>) -> Result<Appointment>;

    // --- holds and busy times --------------------------------------------------------------------
    /// Holds a slot for a call, replacing the call's earlier hold, in one transaction. Fails
    /// with a conflict when another call holds an overlapping time of the same staff member,
    /// or when that staff member has a booked local appointment then.
    async fn hold_slot(&self, company_id: i64, hold: &NewHold, now: i64) -> Result<Hold>;
    /// The call's hold, if it has not expired.
    async fn active_hold(&self, company_id: i64, call_id: &str, now: i64) -> Result<Option<Hold>>;
    /// Booked appointments and unexpired holds that overlap `[from, to)`, of the branch's staff
    /// who perform the service (no one else's times matter for its slots).
    async fn busy_times(
        &self,
        company_id: i64,
        branch_id: i64,
        service_id: i64,
        from: i64,
        to: i64,
        now: i64,
    ) -> Result<Vec<BusyTime>>;
    /// Every staff member's booked appointments and the holds unexpired at `now` of a branch,
    /// overlapping `[from, to)` (what an in-memory schedule keeps; see `calendar::schedules`).
    async fn branch_schedule(
        &self,
        company_id: i64,
        branch_id: i64,
        from: i64,
        to: i64,
        now: i64,
    ) -> Result<Vec<ScheduleEntry>>;
}

/// The Retell agents askpro deployed, their numbers, and whose a call is (`sql/agents.rs`).
#[async_trait]
pub trait AgentStore: Send + Sync {
    /// Records an agent deployed for a branch of `company_id`.
    async fn insert_agent(&self, company_id: i64, agent: &NewAgent) -> Result<AgentRecord>;
    /// An agent askpro deployed, by Retell's id (any company; the row names its company).
    async fn agent_by_retell_id(&self, retell_agent_id: &str) -> Result<Option<AgentRecord>>;
    /// The agents of a company (of every company with `None`), oldest first.
    async fn agents(&self, company_id: Option<i64>) -> Result<Vec<AgentRecord>>;
    /// Records a change to an agent: what is published now and the hash of what was deployed.
    async fn update_agent_record(
        &self,
        company_id: i64,
        id: i64,
        published_version: i64,
        deployed_hash: &str,
        voice_id: Option<&str>,
        language: Option<&str>,
    ) -> Result<()>;
    /// Records (or moves) a number answered by an agent of `company_id`.
    async fn upsert_phone_number(
        &self,
        company_id: i64,
        agent: &AgentRecord,
        number: &str,
        provider: Option<&str>,
    ) -> Result<()>;
    /// Every branch `number` reaches, in any company: the branch whose phone it is, and the
    /// branch whose agent answers it as a registered number. A number reaches one branch of one
    /// installation, so this look-up, unlike the others, is not scoped to a company.
    async fn phone_holders(&self, number: &str) -> Result<Vec<PhoneHolder>>;
    /// The numbers registered for the company's agents (`retell:assign-phone`, `retell:buy-phone`).
    async fn phone_numbers(&self, company_id: i64) -> Result<Vec<RegisteredNumber>>;
    /// Forgets `number` if it is still recorded for the company's agent `agent_id`.
    async fn release_phone_number(&self, company_id: i64, agent_id: i64, number: &str) -> Result<()>;
    /// The company and branch of a call: the agent askpro registered, else the number it was
    /// made to (a registered number, else a branch's own phone).
    async fn tenant_for_call(&self, agent_id: Option<&str>, to_number: Option<&str>) -> Result<Option<Tenant>>;
}

/// Call records, webhook deliveries, and the daemon's batched writes (`sql/calls.rs`).
#[async_trait]
pub trait CallStore: Send + Sync {
    /// Stores a delivery unless one with its dedupe key exists; `None` means a duplicate.
    async fn record_webhook_event(&self, event: &NewWebhookEvent) -> Result<Option<i64>>;
    /// Marks a stored delivery `processed`, `ignored` or `failed` (with the error).
    async fn finish_webhook_event(&self, id: i64, status: &str, error: Option<&str>) -> Result<()>;
    /// Failed deliveries and queued notifications of a company (of every company with `None`).
    async fn backlog(&self, company_id: Option<i64>) -> Result<Backlog>;
    /// Deliveries that failed to process and arrived after `since`, oldest first.
    async fn failed_webhook_events(&self, since: i64) -> Result<Vec<FailedEvent>>;
    /// Commits `writes` in one transaction and says what each did, in order. An error means
    /// none of them happened (the caller may retry them one by one). Shared, not borrowed: a
    /// store may commit them on another thread without copying the bodies.
    async fn commit_writes(&self, writes: Arc<[Write]>) -> Result<Vec<Written>>;
    /// Creates or completes a call record (fields given replace stored ones).
    async fn upsert_call(&self, company_id: i64, call: &CallRecord) -> Result<()>;
    async fn call(&self, company_id: i64, retell_call_id: &str) -> Result<Option<Call>>;
    /// A company's calls started in `[from, to)`, by start (at most 10 000).
    async fn calls_started(&self, company_id: i64, from: i64, to: i64) -> Result<Vec<Call>>;
}

/// Monitoring (`sql/monitoring.rs`): installation-level, not scoped to a company — the settings
/// and alerts are the installation's, and the size, outcomes and activity span every company.
/// Used by `monitoring:*` and the daemon's `/status` page, never while serving a call.
#[async_trait]
pub trait MonitoringStore: Send + Sync {
    /// The alert targets and thresholds (all `None` until configured).
    async fn alert_settings(&self) -> Result<AlertSettingsRow>;
    async fn save_alert_settings(&self, settings: &AlertSettingsRow) -> Result<()>;
    /// The database's size in bytes.
    async fn database_size(&self) -> Result<i64>;
    /// Function answers and webhook deliveries since `since` (ms), across every company.
    async fn outcomes_since(&self, since: i64) -> Result<Outcomes>;
    /// Calls first recorded and appointments made since `since` (ms), across every company.
    async fn activity_since(&self, since: i64) -> Result<Activity>;
    /// Queues `alerts` (no company) unless `breach` was alerted after `quiet_since`; records
    /// `now` as its last alert. Says whether it queued them.
    async fn queue_alert(&self, breach: &str, now: i64, quiet_since: i64, alerts: &[NewAlert]) -> Result<bool>;
    /// Saves a daemon's counters (`instance` names the process; a later save replaces its
    /// earlier one) and forgets every process's saved before `keep_since`.
    async fn save_meter_snapshot(&self, instance: &str, taken_at: i64, snapshot: &str, keep_since: i64) -> Result<()>;
    /// The counters saved at or after `since`, one per process.
    async fn meter_snapshots(&self, since: i64) -> Result<Vec<String>>;
}

/// What the store can tell about itself, for `performance:analyze` (`inspect.rs`,
/// `sql/inspect.rs`): installation-wide, not scoped to a company, never used while serving a call.
#[async_trait]
pub trait InspectStore: Send + Sync {
    /// Parameter values from real rows of `company_id`, or of the company with the most
    /// appointments; stand-ins where a table is empty.
    async fn representative(&self, company_id: Option<i64>) -> Result<Representative>;
    /// The plan `query` gets with `params`, asked so that a full scan means that no index can
    /// serve it: SQLite `EXPLAIN QUERY PLAN`; PostgreSQL `EXPLAIN (FORMAT JSON)` with the
    /// parameters bound, in a rolled-back transaction with `SET LOCAL enable_seqscan = off`, so
    /// that a `Seq Scan` is chosen only where no index applies, whatever the table's size and
    /// statistics. Nothing runs.
    async fn explain(&self, query: &HotQuery, params: &[Param]) -> Result<Plan>;
    /// askpro's tables: rows, sizes, statistics age, dead rows.
    async fn table_stats(&self) -> Result<Vec<TableStats>>;
    /// Every index of askpro's tables, constraints' included.
    async fn index_stats(&self) -> Result<Vec<IndexStats>>;
    /// Pages, free pages and the WAL (SQLite), whether the planner has statistics.
    async fn storage_stats(&self) -> Result<StorageStats>;
    /// PostgreSQL's `pg_stat_statements`, where installed and readable.
    async fn statement_stats(&self) -> Result<StatementStats>;
    /// Takes a maintenance step, outside any transaction, on the writer connection (SQLite:
    /// inside the write gate). Idempotent; a step that does not apply to the backend does nothing.
    async fn maintain(&self, step: &Maintenance) -> Result<()>;
}

/// What a live call's custom functions keep (`sql/functions.rs`).
#[async_trait]
pub trait FunctionStore: Send + Sync {
    /// The answer already given to this `(call, function, arguments)`, if any, with company
    /// `company_id` and branch `branch_id` (whichever company it belongs to), read together.
    async fn function_context(
        &self,
        (company_id, branch_id): (i64, i64),
        call_id: &str,
        name: &str,
        args_hash: &str,
    ) -> Result<FunctionContext>;
    /// Claims a function call for one run until `until` (ms), unless it has been answered or
    /// another run's claim holds at `now`. A claim that lapsed unanswered is taken over.
    async fn claim_function(&self, key: &FunctionKey, now: i64, until: i64) -> Result<Claim>;
    /// The function call's answer, if it has one.
    async fn function_answer(&self, key: &FunctionKey) -> Result<Option<String>>;
    /// Answers a claimed function call unless it has an answer already; returns the answer that
    /// counts (this one, or the first).
    async fn answer_function(&self, key: &FunctionKey, response: &str) -> Result<String>;
    async fn insert_callback(&self, company_id: i64, callback: &NewCallback) -> Result<i64>;
    async fn queue_notification(
        &self,
        company_id: i64,
        channel: &str,
        target: &str,
        subject: &str,
        body: &str,
    ) -> Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_indexes_follow_the_migrations() {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let own = own_indexes(backend);
            for name in
                ["customers_company_phone", "appointments_staff_time", "meter_snapshots_taken", "branches_phone"]
            {
                assert!(own.contains(name), "{backend:?}: {name} in {own:?}");
            }
            for def in hot_indexes() {
                if def.constraint.is_none() {
                    assert!(own.contains(def.name), "{backend:?}: the hot index {} is askpro's", def.name);
                }
            }
        }
    }

    #[test]
    fn backend_from_url() {
        assert_eq!(Backend::from_url("sqlite://askpro.db").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::from_url("postgres://u@h/db").unwrap(), Backend::Postgres);
        let err = Backend::from_url("mysql://root:hunter2@h/db").unwrap_err();
        assert_eq!(err.exit_code(), 6);
        assert!(!err.message().contains("hunter2"));
    }
}
