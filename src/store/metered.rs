//! [`Metered`]: a [`Store`] that times every operation of the store it wraps into a
//! [`Meter`](crate::meter::Meter) — per operation, and per request for the request being
//! tallied on the task (see `meter.rs`). The daemon wraps its store in one; the operation
//! names are the store's method names, which `performance:analyze` matches with the hot
//! queries it plans (`inspect.rs`).

use std::sync::Arc;

use async_trait::async_trait;

use super::*;
use crate::meter::Meter;

/// A store whose operations are counted.
pub struct Metered {
    inner: Arc<dyn Store>,
    meter: Arc<Meter>,
}

impl Metered {
    /// Wraps `inner`; returns the wrapped store and the meter its operations are counted in.
    pub fn wrap(inner: Arc<dyn Store>) -> (Arc<dyn Store>, Arc<Meter>) {
        let meter = Arc::new(Meter::new(OPERATIONS));
        (Arc::new(Metered { inner, meter: meter.clone() }), meter)
    }
}

#[async_trait]
impl Store for Metered {
    fn backend(&self) -> Backend {
        self.inner.backend()
    }

    fn last_checkpoint(&self) -> Option<crate::meter::Checkpoint> {
        self.inner.last_checkpoint()
    }

    async fn close(&self) {
        self.inner.close().await
    }

    async fn migrate(&self) -> Result<Vec<MigrationStatus>> {
        self.inner.migrate().await
    }

    async fn migration_status(&self) -> Result<Vec<MigrationStatus>> {
        self.inner.migration_status().await
    }

    async fn applied_migrations(&self) -> Result<Vec<i64>> {
        self.inner.applied_migrations().await
    }
}

/// Implements each topic trait for [`Metered`] from its methods' signatures, each method timed
/// as the operation of its name, and lists the names in [`OPERATIONS`].
macro_rules! metered {
    ($( $topic:ident { $( fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty; )* } )*) => {
        /// Operation indexes, in [`OPERATIONS`] order.
        #[allow(non_camel_case_types, clippy::enum_variant_names)]
        #[derive(Clone, Copy)]
        enum Op { $($($name,)*)* }

        /// Every counted operation: the store's method names.
        pub static OPERATIONS: &[&str] = &[$($(stringify!($name),)*)*];

        $(
            #[async_trait]
            impl $topic for Metered {
                $(
                    async fn $name(&self, $($arg: $ty),*) -> $ret {
                        self.meter.time(Op::$name as u16, self.inner.$name($($arg),*)).await
                    }
                )*
            }
        )*
    };
}

metered! {
    CompanyStore {
        fn insert_company(company: &NewCompany) -> Result<Company>;
        fn company(id: i64) -> Result<Option<Company>>;
        fn company_by_name(name_key: &str) -> Result<Option<Company>>;
        fn companies() -> Result<Vec<Company>>;
        fn update_company(id: i64, patch: &CompanyPatch) -> Result<Company>;
        fn company_secret(id: i64, field: SecretField) -> Result<Option<String>>;
        fn holds_sealed_secrets() -> Result<bool>;
        fn set_greeting(company_id: i64, kind: GreetingKind, template: &str) -> Result<()>;
        fn greetings(company_id: i64) -> Result<Vec<Greeting>>;
        fn insert_branch(company_id: i64, branch: &NewBranch) -> Result<Branch>;
        fn branch(id: i64) -> Result<Option<Branch>>;
        fn branch_by_name(company_id: i64, name_key: &str) -> Result<Option<Branch>>;
        fn branches(company_id: i64) -> Result<Vec<Branch>>;
        fn update_branch_notifications(company_id: i64, branch_id: i64, targets: &NotificationTargets) -> Result<Branch>;
        fn onboard(business: &NewBusiness) -> Result<Onboarded>;
    }
    CatalogStore {
        fn insert_service(company_id: i64, service: &NewService) -> Result<Service>;
        fn service(id: i64) -> Result<Option<Service>>;
        fn service_by_name(company_id: i64, name_key: &str) -> Result<Option<Service>>;
        fn services(company_id: i64, branch_id: Option<i64>) -> Result<Vec<Service>>;
        fn insert_synonyms(company_id: i64, synonyms: &[NewSynonym], on_batch: &(dyn Fn(u64) + Send + Sync)) -> Result<u64>;
        fn update_service(company_id: i64, id: i64, service: &NewService) -> Result<Service>;
        fn synonyms(company_id: i64, service_id: i64) -> Result<Vec<Synonym>>;
        fn company_synonyms(company_id: i64) -> Result<Vec<(i64, String)>>;
        fn insert_staff(company_id: i64, staff: &NewStaff) -> Result<Staff>;
        fn update_staff(company_id: i64, id: i64, staff: &NewStaff) -> Result<Staff>;
        fn staff_member(id: i64) -> Result<Option<Staff>>;
        fn staff_by_key(company_id: i64, branch_id: i64, key: &StaffKey) -> Result<Option<Staff>>;
        fn staff(company_id: i64, branch_id: i64) -> Result<Vec<Staff>>;
        fn assign_services(company_id: i64, staff_id: i64, service_ids: &[i64]) -> Result<u64>;
        fn staff_service_names(company_id: i64, branch_id: i64) -> Result<Vec<(i64, String)>>;
        fn staff_for_service(company_id: i64, branch_id: i64, service_id: i64) -> Result<Vec<Staff>>;
    }
    CustomerStore {
        fn upsert_customer(company_id: i64, phone: &str, name: Option<&str>) -> Result<Customer>;
        fn customer_by_phone(company_id: i64, phone: &str) -> Result<Option<Customer>>;
        fn customer(company_id: i64, id: i64) -> Result<Option<Customer>>;
        fn customer_history(company_id: i64, customer_id: i64) -> Result<Vec<Visit>>;
    }
    CalendarStore {
        fn insert_appointment(company_id: i64, appointment: &NewAppointment) -> Result<i64>;
        fn book_hold(company_id: i64, appointment: &NewAppointment) -> Result<i64>;
        fn call_appointments(company_id: i64, call_id: &str) -> Result<Vec<Appointment>>;
        fn appointment(company_id: i64, id: i64) -> Result<Option<Appointment>>;
        fn appointment_by_uid(company_id: i64, external_uid: &str) -> Result<Option<Appointment>>;
        fn appointments(company_id: i64, branch_id: i64, from: i64, to: i64) -> Result<Vec<Appointment>>;
        fn staff_appointments(company_id: i64, staff_id: i64, from: i64, to: i64) -> Result<Vec<Appointment>>;
        fn upcoming_appointments(company_id: i64, customer_id: i64, now: i64) -> Result<Vec<Appointment>>;
        fn move_appointment(company_id: i64, id: i64, to: &AppointmentMove) -> Result<Appointment>;
        fn cancel_appointment(company_id: i64, id: i64, reason: Option<&str>) -> Result<Appointment>;
        fn hold_slot(company_id: i64, hold: &NewHold, now: i64) -> Result<Hold>;
        fn active_hold(company_id: i64, call_id: &str, now: i64) -> Result<Option<Hold>>;
        fn busy_times(company_id: i64, branch_id: i64, service_id: i64, from: i64, to: i64, now: i64) -> Result<Vec<BusyTime>>;
        fn branch_schedule(company_id: i64, branch_id: i64, from: i64, to: i64, now: i64) -> Result<Vec<ScheduleEntry>>;
    }
    AgentStore {
        fn insert_agent(company_id: i64, agent: &NewAgent) -> Result<AgentRecord>;
        fn agent_by_retell_id(retell_agent_id: &str) -> Result<Option<AgentRecord>>;
        fn agents(company_id: Option<i64>) -> Result<Vec<AgentRecord>>;
        fn update_agent_record(company_id: i64, id: i64, published_version: i64, deployed_hash: &str, voice_id: Option<&str>, language: Option<&str>) -> Result<()>;
        fn upsert_phone_number(company_id: i64, agent: &AgentRecord, number: &str, provider: Option<&str>) -> Result<()>;
        fn phone_holders(number: &str) -> Result<Vec<PhoneHolder>>;
        fn phone_numbers(company_id: i64) -> Result<Vec<RegisteredNumber>>;
        fn release_phone_number(company_id: i64, agent_id: i64, number: &str) -> Result<()>;
        fn tenant_for_call(agent_id: Option<&str>, to_number: Option<&str>) -> Result<Option<Tenant>>;
    }
    CallStore {
        fn record_webhook_event(event: &NewWebhookEvent) -> Result<Option<i64>>;
        fn finish_webhook_event(id: i64, status: &str, error: Option<&str>) -> Result<()>;
        fn backlog(company_id: Option<i64>) -> Result<Backlog>;
        fn failed_webhook_events(since: i64) -> Result<Vec<FailedEvent>>;
        fn commit_writes(writes: Arc<[Write]>) -> Result<Vec<Written>>;
        fn upsert_call(company_id: i64, call: &CallRecord) -> Result<()>;
        fn call(company_id: i64, retell_call_id: &str) -> Result<Option<Call>>;
        fn calls_started(company_id: i64, from: i64, to: i64) -> Result<Vec<Call>>;
    }
    MonitoringStore {
        fn alert_settings() -> Result<AlertSettingsRow>;
        fn save_alert_settings(settings: &AlertSettingsRow) -> Result<()>;
        fn database_size() -> Result<i64>;
        fn outcomes_since(since: i64) -> Result<Outcomes>;
        fn activity_since(since: i64) -> Result<Activity>;
        fn queue_alert(breach: &str, now: i64, quiet_since: i64, alerts: &[NewAlert]) -> Result<bool>;
        fn save_meter_snapshot(instance: &str, taken_at: i64, snapshot: &str, keep_since: i64) -> Result<()>;
        fn meter_snapshots(since: i64) -> Result<Vec<String>>;
    }
    FunctionStore {
        fn function_context(ids: (i64, i64), call_id: &str, name: &str, args_hash: &str) -> Result<FunctionContext>;
        fn claim_function(key: &FunctionKey, now: i64, until: i64) -> Result<Claim>;
        fn function_answer(key: &FunctionKey) -> Result<Option<String>>;
        fn answer_function(key: &FunctionKey, response: &str) -> Result<String>;
        fn insert_callback(company_id: i64, callback: &NewCallback) -> Result<i64>;
        fn queue_notification(company_id: i64, channel: &str, target: &str, subject: &str, body: &str) -> Result<()>;
    }
    InspectStore {
        fn representative(company_id: Option<i64>) -> Result<Representative>;
        fn explain(query: &HotQuery, params: &[Param]) -> Result<Plan>;
        fn table_stats() -> Result<Vec<TableStats>>;
        fn index_stats() -> Result<Vec<IndexStats>>;
        fn storage_stats() -> Result<StorageStats>;
        fn statement_stats() -> Result<StatementStats>;
        fn maintain(step: &Maintenance) -> Result<()>;
    }
}
