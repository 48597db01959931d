//! Row types read from and written to the store.

use serde::Serialize;

/// Milliseconds since the Unix epoch, UTC.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

#[derive(Debug, Clone, Serialize)]
pub struct MigrationStatus {
    pub version: i64,
    pub description: String,
    pub applied: bool,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Company {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub country: String,
    pub timezone: String,
    pub industry: Option<String>,
    pub scheduling: String,
    pub calcom_team_id: Option<i64>,
    /// Masked form of the Cal.com key (`cal_live_…9f2c`); the key itself stays sealed.
    pub calcom_api_key: Option<String>,
    pub retell_api_key: Option<String>,
    /// Masked form of the secret Cal.com signs this company's webhooks with.
    pub calcom_webhook_secret: Option<String>,
    pub callback_channels: String,
    pub callback_email: Option<String>,
    pub enable_smart_service: bool,
    pub service_confidence_threshold: f64,
    pub enable_staff_preferences: bool,
    pub staff_confidence_threshold: f64,
    pub cancellation_hours: i64,
    /// The local calendar's slot layout: minutes between start times, buffer around
    /// appointments, and minimum notice.
    pub slot_step_min: i64,
    pub slot_buffer_min: i64,
    pub min_notice_min: i64,
    pub created_at: i64,
    /// Counts changes to the company's services and synonyms (migration 0009): a kept service
    /// matcher of the same version is current.
    #[serde(skip)]
    pub catalog_version: i64,
}

/// A secret as stored: the sealed value and the masked hint shown in output.
#[derive(Debug, Clone)]
pub struct SealedSecret {
    pub sealed: String,
    pub hint: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretField {
    CalcomApiKey,
    RetellApiKey,
    CalcomWebhookSecret,
}

impl SecretField {
    pub const ALL: [SecretField; 3] =
        [SecretField::CalcomApiKey, SecretField::RetellApiKey, SecretField::CalcomWebhookSecret];

    /// The column stem, also bound into the ciphertext as associated data.
    pub fn name(self) -> &'static str {
        match self {
            SecretField::CalcomApiKey => "calcom_api_key",
            SecretField::RetellApiKey => "retell_api_key",
            SecretField::CalcomWebhookSecret => "calcom_webhook_secret",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewCompany {
    pub name: String,
    pub name_key: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub country: String,
    pub timezone: String,
    pub industry: Option<String>,
    pub scheduling: String,
    pub calcom_team_id: Option<i64>,
    pub calcom_api_key: Option<SealedSecret>,
    pub retell_api_key: Option<SealedSecret>,
    pub settings: CompanyPatch,
}

/// Settings to change; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct CompanyPatch {
    pub callback_channels: Option<String>,
    pub callback_email: Option<String>,
    pub enable_smart_service: Option<bool>,
    pub service_confidence_threshold: Option<f64>,
    pub enable_staff_preferences: Option<bool>,
    pub staff_confidence_threshold: Option<f64>,
    pub cancellation_hours: Option<i64>,
    pub calcom_api_key: Option<SealedSecret>,
    pub retell_api_key: Option<SealedSecret>,
    pub calcom_webhook_secret: Option<SealedSecret>,
    pub scheduling: Option<String>,
    pub slot_step_min: Option<i64>,
    pub slot_buffer_min: Option<i64>,
    pub min_notice_min: Option<i64>,
}

impl CompanyPatch {
    pub fn is_empty(&self) -> bool {
        self.callback_channels.is_none()
            && self.callback_email.is_none()
            && self.enable_smart_service.is_none()
            && self.service_confidence_threshold.is_none()
            && self.enable_staff_preferences.is_none()
            && self.staff_confidence_threshold.is_none()
            && self.cancellation_hours.is_none()
            && self.calcom_api_key.is_none()
            && self.retell_api_key.is_none()
            && self.calcom_webhook_secret.is_none()
            && self.scheduling.is_none()
            && self.slot_step_min.is_none()
            && self.slot_buffer_min.is_none()
            && self.min_notice_min.is_none()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum GreetingKind {
    Default,
    ReturningCustomer,
    PersonalizedWithService,
    AfterHours,
}

impl GreetingKind {
    pub const ALL: [GreetingKind; 4] = [
        GreetingKind::Default,
        GreetingKind::ReturningCustomer,
        GreetingKind::PersonalizedWithService,
        GreetingKind::AfterHours,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GreetingKind::Default => "default",
            GreetingKind::ReturningCustomer => "returning_customer",
            GreetingKind::PersonalizedWithService => "personalized_with_service",
            GreetingKind::AfterHours => "after_hours",
        }
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Greeting {
    pub kind: String,
    pub template: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Branch {
    pub id: i64,
    pub company_id: i64,
    pub name: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub timezone: String,
    /// Canonical business-hours JSON (see `domain::BusinessHours`).
    pub business_hours: String,
    pub notify_email: Option<String>,
    pub notify_sms_phone: Option<String>,
    pub notify_whatsapp: Option<String>,
    pub created_at: i64,
    /// Counts changes to the branch's appointments and holds (kept by database triggers,
    /// migration 0007): an in-memory schedule of the same version is current.
    #[serde(skip)]
    pub schedule_version: i64,
}

#[derive(Debug, Clone)]
pub struct NewBranch {
    pub name: String,
    pub name_key: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub timezone: String,
    pub business_hours: String,
}

/// Where a branch's notifications go; `None` keeps the current target.
#[derive(Debug, Clone, Default)]
pub struct NotificationTargets {
    pub email: Option<String>,
    pub sms_phone: Option<String>,
    pub whatsapp: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Service {
    pub id: i64,
    pub company_id: i64,
    pub branch_id: Option<i64>,
    pub name: String,
    pub duration_min: i64,
    pub price_cents: Option<i64>,
    pub calcom_event_type_id: Option<i64>,
    pub active: bool,
    pub synonym_count: i64,
}

#[derive(Debug, Clone)]
pub struct NewService {
    pub branch_id: Option<i64>,
    pub name: String,
    pub name_key: String,
    pub duration_min: i64,
    pub price_cents: Option<i64>,
    pub calcom_event_type_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Synonym {
    pub id: i64,
    pub service_id: i64,
    pub synonym: String,
}

#[derive(Debug, Clone)]
pub struct NewSynonym {
    pub service_id: i64,
    pub synonym: String,
    pub synonym_key: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Staff {
    pub id: i64,
    pub company_id: i64,
    pub branch_id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub calcom_user_id: Option<i64>,
    /// The staff member's own hours (business-hours JSON); `None` means the branch's.
    pub working_hours: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct NewStaff {
    pub branch_id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub calcom_user_id: Option<i64>,
    /// Business-hours JSON of their own; `None` works the branch's hours.
    pub working_hours: Option<String>,
    pub key: StaffKey,
}

/// A staff member's natural key within a branch: the e-mail, or the name when there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffKey {
    Email(String),
    Name(String),
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Customer {
    pub id: i64,
    pub company_id: i64,
    pub phone: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewAppointment {
    pub branch_id: i64,
    pub staff_id: Option<i64>,
    pub service_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub status: String,
    pub backend: String,
    pub external_uid: Option<String>,
    pub call_id: Option<String>,
}

/// One past or upcoming appointment of a customer, as prediction reads it.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Visit {
    pub service_id: Option<i64>,
    pub staff_id: Option<i64>,
    pub starts_at: i64,
    pub status: String,
}

/// One busy interval of a branch's schedule: a booked appointment, or a hold until it expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct ScheduleEntry {
    /// The appointment, or `None` for a hold.
    pub appointment_id: Option<i64>,
    pub staff_id: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    /// When a hold lapses; `None` for an appointment.
    pub expires_at: Option<i64>,
}

impl ScheduleEntry {
    /// The interval as a busy time (whether it is still busy is the caller's question).
    pub fn busy_time(&self) -> BusyTime {
        BusyTime {
            appointment_id: self.appointment_id,
            staff_id: self.staff_id,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
        }
    }
}

/// A staff member's booked appointment or unexpired hold, in UTC milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct BusyTime {
    /// The appointment, or `None` for a hold.
    pub appointment_id: Option<i64>,
    pub staff_id: i64,
    pub starts_at: i64,
    pub ends_at: i64,
}

/// A slot held for a call while the caller confirms. Local holds name a staff member; Cal.com
/// holds carry the reservation uid instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Hold {
    pub id: i64,
    pub company_id: i64,
    pub branch_id: i64,
    pub staff_id: Option<i64>,
    pub service_id: Option<i64>,
    pub call_id: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub expires_at: i64,
    pub external_uid: Option<String>,
    pub customer_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewHold {
    pub branch_id: i64,
    pub staff_id: Option<i64>,
    pub service_id: i64,
    pub call_id: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub expires_at: i64,
    pub external_uid: Option<String>,
    pub customer_id: Option<i64>,
}

/// An appointment with the names of its staff member, service and customer.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Appointment {
    pub id: i64,
    pub company_id: i64,
    pub branch_id: i64,
    pub staff_id: Option<i64>,
    pub staff_name: Option<String>,
    pub service_id: Option<i64>,
    pub service_name: Option<String>,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    pub customer_phone: Option<String>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub status: String,
    pub backend: String,
    pub external_uid: Option<String>,
    pub call_id: Option<String>,
    pub cancel_reason: Option<String>,
}

/// A new time (and possibly staff member and Cal.com uid) for an appointment.
#[derive(Debug, Clone)]
pub struct AppointmentMove {
    pub staff_id: Option<i64>,
    pub starts_at: i64,
    pub ends_at: i64,
    pub external_uid: Option<String>,
}

/// A Retell agent askpro deployed for a branch.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct AgentRecord {
    pub id: i64,
    pub company_id: i64,
    pub branch_id: i64,
    pub retell_agent_id: String,
    /// `conversation-flow` or `retell-llm`.
    pub engine: String,
    pub engine_id: String,
    pub template: Option<String>,
    pub template_version: Option<String>,
    pub published_version: Option<i64>,
    /// A hash of the flow or LLM as askpro last deployed it (drift shows as a different hash).
    pub deployed_hash: Option<String>,
    pub voice_id: Option<String>,
    pub language: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct NewAgent {
    pub branch_id: i64,
    pub retell_agent_id: String,
    pub engine: String,
    pub engine_id: String,
    pub template: Option<String>,
    pub template_version: Option<String>,
    pub published_version: Option<i64>,
    pub deployed_hash: Option<String>,
    pub voice_id: Option<String>,
    pub language: String,
}

/// Which company (and branch) a call belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Tenant {
    pub company_id: i64,
    pub branch_id: i64,
}

/// A branch that a phone number reaches, and how.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PhoneHolder {
    pub company_id: i64,
    pub company_name: String,
    pub branch_id: i64,
    pub branch_name: String,
    /// A number registered in Retell for the branch's agent, rather than the branch's own phone.
    pub registered: bool,
}

/// What a function call reads before anything else, as of one moment: the answer already given
/// to the same `(call, function, arguments)`, and the call's company and branch.
#[derive(Debug, Clone)]
pub struct FunctionContext {
    pub first_answer: Option<String>,
    pub company: Option<Company>,
    pub branch: Option<Branch>,
}

/// A function call as answered once: the company, the call, the function and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionKey {
    pub company_id: i64,
    pub call_id: String,
    pub name: String,
    pub args_hash: String,
}

/// What claiming a function call found (see `Store::claim_function`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This run goes ahead. `resumed`: an earlier run claimed it and never answered (its
    /// process died), so what that run changed may already be there.
    Won { resumed: bool },
    /// It has been answered: this is the answer.
    Answered(String),
    /// Another run holds it until this instant (ms).
    Running { until: i64 },
}

/// A webhook delivery as received, before it is processed.
#[derive(Debug, Clone)]
pub struct NewWebhookEvent {
    pub company_id: i64,
    /// `retell` or `calcom`.
    pub source: &'static str,
    pub event: String,
    pub external_id: Option<String>,
    /// Unique per delivery meaning within the company: a duplicate delivery has the same key.
    pub dedupe_key: String,
    /// The body as received, packed by [`super::payload::pack`].
    pub payload: Vec<u8>,
}

/// A write the daemon's hot paths commit, many to a transaction (see `app::commit`).
#[derive(Debug, Clone)]
pub enum Write {
    /// A Retell delivery and the call record it brings (`None`: an event askpro ignores).
    RetellEvent { event: NewWebhookEvent, call: Option<Box<CallRecord>> },
    /// A function's answer, kept unless one exists for the same `(call, name, arguments)`.
    FunctionAnswer { company_id: i64, call_id: String, name: String, args_hash: String, response: String },
}

/// What a [`Write`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// The delivery's id, or `None` for a duplicate.
    Event(Option<i64>),
    /// The answer that counts: this one, or the one kept first.
    Answer(String),
}

/// A call as the Retell events describe it so far; `None` leaves a stored value alone.
#[derive(Debug, Clone, Default)]
pub struct CallRecord {
    pub retell_call_id: String,
    pub branch_id: Option<i64>,
    pub agent_id: Option<String>,
    pub from_number: Option<String>,
    pub to_number: Option<String>,
    pub direction: Option<String>,
    pub status: Option<String>,
    pub started_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub duration_ms: Option<i64>,
    pub disconnection_reason: Option<String>,
    pub customer_id: Option<i64>,
    pub summary: Option<String>,
    pub sentiment: Option<String>,
}

impl CallRecord {
    /// Takes what a later event says about the same call: fields it gives replace these (as the
    /// stored record's are replaced).
    pub fn update(&mut self, later: &CallRecord) {
        macro_rules! take {
            ($($field:ident),*) => { $( if later.$field.is_some() { self.$field = later.$field.clone(); } )* };
        }
        take!(
            branch_id,
            agent_id,
            from_number,
            to_number,
            direction,
            status,
            started_at,
            ended_at,
            duration_ms,
            disconnection_reason,
            customer_id,
            summary,
            sentiment
        );
    }
}

/// A stored call, for `metrics:kpis` and tests.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Call {
    pub id: i64,
    pub company_id: i64,
    pub branch_id: Option<i64>,
    pub retell_call_id: String,
    pub agent_id: Option<String>,
    pub from_number: Option<String>,
    pub to_number: Option<String>,
    pub direction: Option<String>,
    pub status: Option<String>,
    pub started_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub duration_ms: Option<i64>,
    pub disconnection_reason: Option<String>,
    pub customer_id: Option<i64>,
    pub booked: bool,
    pub service_predicted: bool,
    pub summary: Option<String>,
    pub sentiment: Option<String>,
}

/// A callback the business owes a caller.
#[derive(Debug, Clone)]
pub struct NewCallback {
    pub branch_id: Option<i64>,
    pub call_id: Option<String>,
    pub customer_name: Option<String>,
    pub phone: Option<String>,
    pub reason: Option<String>,
}

/// A stored delivery that failed to process, for `webhooks:retry`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FailedEvent {
    pub id: i64,
    pub company_id: Option<i64>,
    pub source: String,
    pub event: String,
    /// Read it with [`super::payload::unpack`].
    pub payload: Vec<u8>,
}

/// A number registered in Retell for a branch's agent.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RegisteredNumber {
    pub number: String,
    pub branch_id: i64,
    /// The `agents.id` answering it (none once that agent was deleted).
    pub agent_id: Option<i64>,
}

/// What waits to be done again or sent: failed webhook deliveries and pending notifications,
/// each with when the oldest arrived (ms).
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Backlog {
    pub failed_webhooks: i64,
    pub oldest_failed_webhook: Option<i64>,
    pub pending_notifications: i64,
    pub oldest_pending_notification: Option<i64>,
}

/// The installation's alert targets and thresholds (`alert_settings`, one row, installation-wide);
/// a threshold left NULL takes its default.
#[derive(Debug, Clone, Default, PartialEq, sqlx::FromRow)]
pub struct AlertSettingsRow {
    pub email: Option<String>,
    pub webhook_url: Option<String>,
    /// Percent of one core.
    pub threshold_cpu: Option<f64>,
    /// Megabytes resident.
    pub threshold_memory: Option<f64>,
    /// Percent of the volume in use.
    pub threshold_disk: Option<f64>,
    /// Percent of answers that failed.
    pub threshold_error_rate: Option<f64>,
}

/// Function answers and webhook deliveries since a time, across every company.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Outcomes {
    pub function_answers: i64,
    /// Answers with status `error`.
    pub function_errors: i64,
    pub webhooks: i64,
    /// Deliveries whose processing failed.
    pub webhook_failures: i64,
}

/// Calls and bookings since a time, across every company (the status page's figures).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Activity {
    /// Calls first recorded since then (by a function call or a webhook).
    pub calls: i64,
    /// Appointments made since then, whatever became of them.
    pub bookings: i64,
}

/// An alert about the installation for the notification outbox (no company).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    /// `email` or `webhook`.
    pub channel: String,
    pub target: String,
    pub subject: String,
    pub body: String,
}

/// A row that exists (its id) or is to be written.
#[derive(Debug, Clone)]
pub enum Existing<T> {
    Id(i64),
    New(T),
}

/// A whole business, written in one transaction (`onboarding:automated`): rows given by id are
/// kept as they are, the others inserted; staff and their services refer to branches and services
/// by position in these lists.
#[derive(Debug, Clone)]
pub struct NewBusiness {
    pub company: Existing<NewCompany>,
    pub greetings: Vec<(GreetingKind, String)>,
    pub branches: Vec<Existing<NewBranch>>,
    pub services: Vec<BusinessService>,
    pub staff: Vec<BusinessStaff>,
}

#[derive(Debug, Clone)]
pub struct BusinessService {
    pub service: Existing<NewService>,
    /// `(synonym, synonym_key)`; ones the service has are skipped.
    pub synonyms: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct BusinessStaff {
    /// Index into [`NewBusiness::branches`] (a new member's `branch_id` is that branch's).
    pub branch: usize,
    pub staff: Existing<NewStaff>,
    /// Indexes into [`NewBusiness::services`]; existing mappings are kept.
    pub services: Vec<usize>,
}

/// The ids of a written business, in the order of [`NewBusiness`]'s lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Onboarded {
    pub company_id: i64,
    pub branch_ids: Vec<i64>,
    pub service_ids: Vec<i64>,
    pub staff_ids: Vec<i64>,
    /// Synonyms and staff-service mappings that were new.
    pub synonyms: u64,
    pub mappings: u64,
}
