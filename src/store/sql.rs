//! The SQL both backends share, written once.
//!
//! `$1`-style placeholders, `RETURNING`, `ON CONFLICT` and partial indexes mean the same in
//! SQLite and PostgreSQL, so [`sql_store!`] expands these method bodies for each pool type;
//! dialect-specific work (opening, pragmas, migrations folder) lives in `sqlite.rs` and
//! `postgres.rs`.

use std::sync::LazyLock;

pub(super) const COMPANY_COLUMNS: &str = "id, name, email, phone, country, timezone, industry, scheduling, \
     calcom_team_id, calcom_api_key_hint AS calcom_api_key, retell_api_key_hint AS retell_api_key, \
     calcom_webhook_secret_hint AS calcom_webhook_secret, callback_channels, callback_email, enable_smart_service, service_confidence_threshold, \
     enable_staff_preferences, staff_confidence_threshold, cancellation_hours, \
     slot_step_min, slot_buffer_min, min_notice_min, created_at, catalog_version";

pub(super) const BRANCH_COLUMNS: &str = "id, company_id, name, address, phone, email, timezone, business_hours, \
     notify_email, notify_sms_phone, notify_whatsapp, created_at, schedule_version";

pub(super) const SERVICE_COLUMNS: &str = "s.id, s.company_id, s.branch_id, s.name, s.duration_min, s.price_cents, \
     s.calcom_event_type_id, s.active, \
     (SELECT COUNT(*) FROM service_synonyms y WHERE y.service_id = s.id) AS synonym_count";

pub(super) const STAFF_COLUMNS: &str =
    "id, company_id, branch_id, name, email, phone, calcom_user_id, working_hours, active";

pub(super) const AGENT_COLUMNS: &str = "id, company_id, branch_id, retell_agent_id, engine, engine_id, template, \
     template_version, published_version, deployed_hash, voice_id, language, created_at";

pub(super) const HOLD_COLUMNS: &str =
    "id, company_id, branch_id, staff_id, service_id, call_id, starts_at, ends_at, expires_at, external_uid, customer_id";

pub(super) const APPOINTMENT_SELECT: &str =
    "SELECT a.id, a.company_id, a.branch_id, a.staff_id, st.name AS staff_name, \
     a.service_id, sv.name AS service_name, a.customer_id, c.name AS customer_name, c.phone AS customer_phone, \
     a.starts_at, a.ends_at, a.status, a.backend, a.external_uid, a.call_id, a.cancel_reason \
     FROM appointments a LEFT JOIN staff st ON st.id = a.staff_id LEFT JOIN services sv ON sv.id = a.service_id \
     LEFT JOIN customers c ON c.id = a.customer_id";

/// The reads of a live call's hot path, shared by the sqlx implementation and SQLite's inline
/// reads (`inline.rs`).
pub(super) static COMPANY_BY_ID: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {COMPANY_COLUMNS} FROM companies WHERE id = $1"));
pub(super) static BRANCH_BY_ID: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {BRANCH_COLUMNS} FROM branches WHERE id = $1"));
/// A company's services; with a branch (`$2`), the company-wide ones and that branch's.
pub(super) static SERVICES: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {SERVICE_COLUMNS} FROM services s WHERE s.company_id = $1 \
         AND ($2 IS NULL OR s.branch_id IS NULL OR s.branch_id = $2) ORDER BY s.id"
    )
});
pub(super) const COMPANY_SYNONYMS: &str =
    "SELECT service_id, synonym FROM service_synonyms WHERE company_id = $1 ORDER BY id";
/// Active staff of branch `$2` who perform service `$3`.
pub(super) static STAFF_FOR_SERVICE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {STAFF_COLUMNS} FROM staff WHERE company_id = $1 AND branch_id = $2 AND active \
         AND id IN (SELECT staff_id FROM staff_services WHERE company_id = $1 AND service_id = $3) ORDER BY id"
    )
});
/// Booked appointments and unexpired holds of branch `$2` overlapping `[$3, $4)` at `$5`, of staff
/// who perform service `$7` (a list built once per read, not a lookup per row); `$6` (`$3` less
/// [`MAX_APPOINTMENT_MS`]) bounds the index range to the window instead of all history.
pub(super) const BUSY_TIMES: &str = "SELECT id AS appointment_id, staff_id, starts_at, ends_at FROM appointments \
     WHERE company_id = $1 AND branch_id = $2 AND starts_at >= $6 AND starts_at < $4 \
     AND ends_at > $3 AND status = 'booked' \
     AND staff_id IN (SELECT staff_id FROM staff_services WHERE company_id = $1 AND service_id = $7) \
     UNION ALL \
     SELECT CAST(NULL AS BIGINT) AS appointment_id, staff_id, starts_at, ends_at FROM slot_holds \
     WHERE company_id = $1 AND branch_id = $2 AND expires_at > $5 AND starts_at < $4 AND ends_at > $3 \
     AND staff_id IN (SELECT staff_id FROM staff_services WHERE company_id = $1 AND service_id = $7)";
/// Every staff member's booked appointments and unexpired (at `$6`) holds of branch `$2`
/// overlapping `[$3, $4)`; `$5` bounds the index range as in [`BUSY_TIMES`].
pub(super) const BRANCH_SCHEDULE: &str = "SELECT id AS appointment_id, staff_id, starts_at, ends_at, \
     CAST(NULL AS BIGINT) AS expires_at FROM appointments \
     WHERE company_id = $1 AND branch_id = $2 AND starts_at >= $5 AND starts_at < $4 \
     AND ends_at > $3 AND status = 'booked' AND staff_id IS NOT NULL \
     UNION ALL \
     SELECT CAST(NULL AS BIGINT) AS appointment_id, staff_id, starts_at, ends_at, expires_at FROM slot_holds \
     WHERE company_id = $1 AND branch_id = $2 AND expires_at > $6 AND starts_at < $4 AND ends_at > $3 \
     AND staff_id IS NOT NULL";
/// A function call's answer (a claimed call has none until its run answers).
pub(super) const FUNCTION_ANSWER: &str = "SELECT response FROM function_calls \
     WHERE company_id = $1 AND call_id = $2 AND name = $3 AND args_hash = $4 AND response IS NOT NULL";
pub(super) const TENANT_BY_AGENT: &str = "SELECT company_id, branch_id FROM agents WHERE retell_agent_id = $1";
pub(super) const TENANT_BY_NUMBER: &str = "SELECT company_id, branch_id FROM phone_numbers WHERE number = $1";
/// A branch's own number (one branch at most since migration 0012; two would be ambiguous).
pub(super) const TENANT_BY_BRANCH_PHONE: &str =
    "SELECT company_id, id AS branch_id FROM branches WHERE phone = $1 LIMIT 2";

/// The branches a number reaches: as a branch's phone, and as a number registered for an agent.
pub(super) const PHONE_HOLDERS: &str = "SELECT b.company_id, c.name AS company_name, b.id AS branch_id, \
     b.name AS branch_name, FALSE AS registered FROM branches b JOIN companies c ON c.id = b.company_id \
     WHERE b.phone = $1 \
     UNION ALL SELECT b.company_id, c.name, b.id, b.name, TRUE FROM phone_numbers p \
     JOIN branches b ON b.id = p.branch_id JOIN companies c ON c.id = b.company_id WHERE p.number = $1 \
     ORDER BY registered";

/// Marks a company's services or synonyms changed (see migration 0009), inside the writing
/// transaction.
pub(super) const BUMP_CATALOG: &str = "UPDATE companies SET catalog_version = catalog_version + 1 WHERE id = $1";

/// No appointment lasts longer than a day; busy-time reads rely on it to bound their range.
pub(super) const MAX_APPOINTMENT_MS: i64 = 86_400_000;

/// Rows per multi-row INSERT: well under both backends' bound-parameter limits.
pub(super) const BATCH_ROWS: usize = 1000;

/// The columns of a call record upsert (see `call_upsert`).
pub(super) const CALL_UPSERT_HEAD: &str = "INSERT INTO calls (company_id, branch_id, retell_call_id, agent_id, \
     from_number, to_number, direction, status, started_at, ended_at, duration_ms, disconnection_reason, customer_id, \
     summary, sentiment, booked, created_at, updated_at) ";

/// What a call record upsert does to a stored record: fields given replace stored ones.
pub(super) const CALL_UPSERT_TAIL: &str = " ON CONFLICT (company_id, retell_call_id) DO UPDATE SET \
     branch_id = COALESCE(excluded.branch_id, calls.branch_id), \
     agent_id = COALESCE(excluded.agent_id, calls.agent_id), \
     from_number = COALESCE(excluded.from_number, calls.from_number), \
     to_number = COALESCE(excluded.to_number, calls.to_number), \
     direction = COALESCE(excluded.direction, calls.direction), \
     status = COALESCE(excluded.status, calls.status), \
     started_at = COALESCE(excluded.started_at, calls.started_at), \
     ended_at = COALESCE(excluded.ended_at, calls.ended_at), \
     duration_ms = COALESCE(excluded.duration_ms, calls.duration_ms), \
     disconnection_reason = COALESCE(excluded.disconnection_reason, calls.disconnection_reason), \
     customer_id = COALESCE(excluded.customer_id, calls.customer_id), \
     summary = COALESCE(excluded.summary, calls.summary), \
     sentiment = COALESCE(excluded.sentiment, calls.sentiment), \
     booked = calls.booked OR excluded.booked, \
     updated_at = excluded.updated_at";

/// One row of [`CALL_UPSERT_HEAD`]: `$1` company, `$2` … `$12` and `$14`, `$15` the record's
/// fields, `$13` its customer (else the company's customer with its number), `$16` now.
pub(super) const CALL_UPSERT_ROW: &str = "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
     COALESCE($13, (SELECT id FROM customers WHERE company_id = $1 AND phone = $5)), $14, $15, \
     EXISTS (SELECT 1 FROM appointments a WHERE a.company_id = $1 AND a.call_id = $3), $16, $16)";

/// Stores a delivery handled as it arrived (`$8`: processed or ignored) unless its company has
/// one with its dedupe key; returns its id, or no row.
pub(super) const INSERT_HANDLED_EVENT: &str = "INSERT INTO webhook_events \
     (company_id, source, event, external_id, dedupe_key, payload, received_at, status, attempts, processed_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $7) ON CONFLICT (company_id, dedupe_key) DO NOTHING RETURNING id";

/// Claims a function call (`$5` now, `$6` the claim's end) unless it is answered or another
/// run's claim still holds; returns the runs so far (this one included), or no row.
pub(super) const CLAIM_FUNCTION: &str = "INSERT INTO function_calls \
     (company_id, call_id, name, args_hash, response, claimed_until, attempts, created_at) \
     VALUES ($1, $2, $3, $4, NULL, $6, 1, $5) \
     ON CONFLICT (company_id, call_id, name, args_hash) DO UPDATE \
     SET claimed_until = excluded.claimed_until, attempts = function_calls.attempts + 1 \
     WHERE function_calls.response IS NULL \
     AND (function_calls.claimed_until IS NULL OR function_calls.claimed_until <= excluded.created_at) \
     RETURNING CAST(attempts AS BIGINT)";

/// Keeps a function's answer unless one exists for the same `(company, call, name, arguments)`.
pub(super) const INSERT_ANSWER: &str = "INSERT INTO function_calls \
     (company_id, call_id, name, args_hash, response, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
     ON CONFLICT (company_id, call_id, name, args_hash) DO NOTHING";

/// Stores a webhook delivery unless its company has one with its dedupe key; returns its id, or
/// no row.
pub(super) const INSERT_EVENT: &str = "INSERT INTO webhook_events \
     (company_id, source, event, external_id, dedupe_key, payload, received_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (company_id, dedupe_key) DO NOTHING RETURNING id";

/// Binds a [`NewWebhookEvent`] to [`INSERT_EVENT`].
macro_rules! bind_event {
    ($query:expr, $e:expr) => {
        $query
            .bind($e.company_id)
            .bind($e.source)
            .bind(&$e.event)
            .bind(&$e.external_id)
            .bind(&$e.dedupe_key)
            .bind(&$e.payload)
            .bind(now_ms())
    };
}

/// Runs `write` again, up to [`TRANSIENT_RETRIES`] times after a short pause, when PostgreSQL
/// aborted it to break a deadlock (or a serialization conflict). Concurrent bookings and holds
/// of one staff member wait on each other's new rows while the no-overlap constraints are
/// checked, and the database aborts one of them; run again, it finds the slot taken (a
/// conflict) or free.
pub(super) async fn again_if_transient<T, F>(mut write: impl FnMut() -> F) -> crate::error::Result<T>
where
    F: std::future::Future<Output = crate::error::Result<T>>,
{
    let mut attempt = 0;
    loop {
        match write().await {
            Err(e) if e.is_transient() && attempt < TRANSIENT_RETRIES => {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(10 * u64::from(attempt))).await;
            }
            other => return other,
        }
    }
}

/// How often [`again_if_transient`] runs a write again.
const TRANSIENT_RETRIES: u32 = 5;

/// A write — the writer connection, or a transaction on it — holding the store's write gate (if
/// it has one) until it drops. A daemon's SQLite store writes on two connections: sqlx's, for
/// everything but the hot writes, and `hot.rs`'s. SQLite lets one of them write at a time and
/// makes the other sleep in its busy handler (1, 2, 5, 10 … ms) and try again; under a flood of
/// webhooks a booking could lose that race for seconds. The gate, a fair in-process lock, queues
/// them instead.
pub(super) struct Gated<T> {
    inner: T,
    _gate: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl<T> Gated<T> {
    /// `inner`, taken after `gate` was locked.
    pub(super) fn new(inner: T, gate: Option<tokio::sync::OwnedMutexGuard<()>>) -> Gated<T> {
        Gated { inner, _gate: gate }
    }
}

impl<T: std::ops::Deref> std::ops::Deref for Gated<T> {
    type Target = T::Target;
    fn deref(&self) -> &T::Target {
        &self.inner
    }
}

impl<T: std::ops::DerefMut> std::ops::DerefMut for Gated<T> {
    fn deref_mut(&mut self) -> &mut T::Target {
        &mut self.inner
    }
}

impl<DB: sqlx::Database> Gated<sqlx::Transaction<'static, DB>> {
    pub(super) async fn commit(self) -> Result<(), sqlx::Error> {
        self.inner.commit().await
    }
}

macro_rules! sql_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::Store for $store {
            fn backend(&self) -> $crate::store::Backend {
                Self::BACKEND
            }

            async fn close(&self) {
                self.pool.close().await;
                self.writer.close().await;
            }

            async fn migrate(&self) -> Result<Vec<MigrationStatus>> {
                Self::MIGRATOR.run(&self.pool).await?;
                self.migration_status().await
            }

            async fn migration_status(&self) -> Result<Vec<MigrationStatus>> {
                let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                    .fetch_all(&self.pool)
                    .await
                    .unwrap_or_default();
                Ok(Self::MIGRATOR
                    .iter()
                    .map(|m| MigrationStatus {
                        version: m.version,
                        description: m.description.to_string(),
                        applied: applied.contains(&m.version),
                    })
                    .collect())
            }

            async fn insert_company(&self, c: &NewCompany) -> Result<Company> {
                let now = now_ms();
                let s = &c.settings;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO companies (name, name_key, email, phone, country, timezone, industry, scheduling, \
                     calcom_team_id, calcom_api_key_enc, calcom_api_key_hint, retell_api_key_enc, retell_api_key_hint, \
                     callback_channels, callback_email, enable_smart_service, service_confidence_threshold, \
                     enable_staff_preferences, staff_confidence_threshold, cancellation_hours, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
                     COALESCE($14, 'email'), $15, COALESCE($16, TRUE), COALESCE($17, 0.8), COALESCE($18, TRUE), \
                     COALESCE($19, 0.8), COALESCE($20, 0), $21, $21) RETURNING id",
                )
                .bind(&c.name)
                .bind(&c.name_key)
                .bind(&c.email)
                .bind(&c.phone)
                .bind(&c.country)
                .bind(&c.timezone)
                .bind(&c.industry)
                .bind(&c.scheduling)
                .bind(c.calcom_team_id)
                .bind(c.calcom_api_key.as_ref().map(|k| &k.sealed))
                .bind(c.calcom_api_key.as_ref().map(|k| &k.hint))
                .bind(c.retell_api_key.as_ref().map(|k| &k.sealed))
                .bind(c.retell_api_key.as_ref().map(|k| &k.hint))
                .bind(&s.callback_channels)
                .bind(&s.callback_email)
                .bind(s.enable_smart_service)
                .bind(s.service_confidence_threshold)
                .bind(s.enable_staff_preferences)
                .bind(s.staff_confidence_threshold)
                .bind(s.cancellation_hours)
                .bind(now)
                .fetch_one(&mut *self.writing().await?)
                .await?;
                self.company(id).await?.ok_or_else(|| Error::internal("company vanished after insert"))
            }

            async fn company(&self, id: i64) -> Result<Option<Company>> {
                if let Some(inline) = self.inline() {
                    return inline.company(id);
                }
                Ok(sqlx::query_as(&COMPANY_BY_ID).bind(id).fetch_optional(&self.pool).await?)
            }

            async fn company_by_name(&self, name_key: &str) -> Result<Option<Company>> {
                let sql = format!("SELECT {COMPANY_COLUMNS} FROM companies WHERE name_key = $1");
                Ok(sqlx::query_as(&sql).bind(name_key).fetch_optional(&self.pool).await?)
            }

            async fn companies(&self) -> Result<Vec<Company>> {
                let sql = format!("SELECT {COMPANY_COLUMNS} FROM companies ORDER BY id");
                Ok(sqlx::query_as(&sql).fetch_all(&self.pool).await?)
            }

            async fn update_company(&self, id: i64, p: &CompanyPatch) -> Result<Company> {
                sqlx::query(
                    "UPDATE companies SET \
                     callback_channels = COALESCE($2, callback_channels), \
                     callback_email = COALESCE($3, callback_email), \
                     enable_smart_service = COALESCE($4, enable_smart_service), \
                     service_confidence_threshold = COALESCE($5, service_confidence_threshold), \
                     enable_staff_preferences = COALESCE($6, enable_staff_preferences), \
                     staff_confidence_threshold = COALESCE($7, staff_confidence_threshold), \
                     cancellation_hours = COALESCE($8, cancellation_hours), \
                     calcom_api_key_enc = COALESCE($9, calcom_api_key_enc), \
                     calcom_api_key_hint = COALESCE($10, calcom_api_key_hint), \
                     retell_api_key_enc = COALESCE($11, retell_api_key_enc), \
                     retell_api_key_hint = COALESCE($12, retell_api_key_hint), \
                     scheduling = COALESCE($13, scheduling), \
                     slot_step_min = COALESCE($15, slot_step_min), \
                     slot_buffer_min = COALESCE($16, slot_buffer_min), \
                     min_notice_min = COALESCE($17, min_notice_min), \
                     calcom_webhook_secret_enc = COALESCE($18, calcom_webhook_secret_enc), \
                     calcom_webhook_secret_hint = COALESCE($19, calcom_webhook_secret_hint), \
                     updated_at = $14 \
                     WHERE id = $1",
                )
                .bind(id)
                .bind(&p.callback_channels)
                .bind(&p.callback_email)
                .bind(p.enable_smart_service)
                .bind(p.service_confidence_threshold)
                .bind(p.enable_staff_preferences)
                .bind(p.staff_confidence_threshold)
                .bind(p.cancellation_hours)
                .bind(p.calcom_api_key.as_ref().map(|k| &k.sealed))
                .bind(p.calcom_api_key.as_ref().map(|k| &k.hint))
                .bind(p.retell_api_key.as_ref().map(|k| &k.sealed))
                .bind(p.retell_api_key.as_ref().map(|k| &k.hint))
                .bind(&p.scheduling)
                .bind(now_ms())
                .bind(p.slot_step_min)
                .bind(p.slot_buffer_min)
                .bind(p.min_notice_min)
                .bind(p.calcom_webhook_secret.as_ref().map(|k| &k.sealed))
                .bind(p.calcom_webhook_secret.as_ref().map(|k| &k.hint))
                .execute(&mut *self.writing().await?)
                .await?;
                self.company(id).await?.ok_or_else(|| Error::not_found(format!("company {id} does not exist")))
            }

            async fn company_secret(&self, id: i64, field: SecretField) -> Result<Option<String>> {
                let sql = format!("SELECT {}_enc FROM companies WHERE id = $1", field.name());
                Ok(sqlx::query_scalar::<_, Option<String>>(&sql).bind(id).fetch_optional(&self.pool).await?.flatten())
            }

            async fn set_greeting(&self, company_id: i64, kind: GreetingKind, template: &str) -> Result<()> {
                sqlx::query(
                    "INSERT INTO company_greetings (company_id, kind, template, updated_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (company_id, kind) DO UPDATE SET template = excluded.template, updated_at = excluded.updated_at",
                )
                .bind(company_id)
                .bind(kind.as_str())
                .bind(template)
                .bind(now_ms())
                .execute(&mut *self.writing().await?)
                .await?;
                Ok(())
            }

            async fn greetings(&self, company_id: i64) -> Result<Vec<Greeting>> {
                Ok(sqlx::query_as("SELECT kind, template FROM company_greetings WHERE company_id = $1 ORDER BY kind")
                    .bind(company_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn insert_branch(&self, company_id: i64, b: &NewBranch) -> Result<Branch> {
                let now = now_ms();
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO branches (company_id, name, name_key, address, phone, email, timezone, business_hours, \
                     created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
                )
                .bind(company_id)
                .bind(&b.name)
                .bind(&b.name_key)
                .bind(&b.address)
                .bind(&b.phone)
                .bind(&b.email)
                .bind(&b.timezone)
                .bind(&b.business_hours)
                .bind(now)
                .fetch_one(&mut *self.writing().await?)
                .await?;
                self.branch(id).await?.ok_or_else(|| Error::internal("branch vanished after insert"))
            }

            async fn branch(&self, id: i64) -> Result<Option<Branch>> {
                if let Some(inline) = self.inline() {
                    return inline.branch(id);
                }
                Ok(sqlx::query_as(&BRANCH_BY_ID).bind(id).fetch_optional(&self.pool).await?)
            }

            async fn branch_by_name(&self, company_id: i64, name_key: &str) -> Result<Option<Branch>> {
                let sql = format!("SELECT {BRANCH_COLUMNS} FROM branches WHERE company_id = $1 AND name_key = $2");
                Ok(sqlx::query_as(&sql).bind(company_id).bind(name_key).fetch_optional(&self.pool).await?)
            }

            async fn branches(&self, company_id: i64) -> Result<Vec<Branch>> {
                let sql = format!("SELECT {BRANCH_COLUMNS} FROM branches WHERE company_id = $1 ORDER BY id");
                Ok(sqlx::query_as(&sql).bind(company_id).fetch_all(&self.pool).await?)
            }

            async fn update_branch_notifications(&self, company_id: i64, branch_id: i64, t: &NotificationTargets) -> Result<Branch> {
                sqlx::query(
                    "UPDATE branches SET notify_email = COALESCE($3, notify_email), \
                     notify_sms_phone = COALESCE($4, notify_sms_phone), notify_whatsapp = COALESCE($5, notify_whatsapp), \
                     updated_at = $6 WHERE company_id = $1 AND id = $2",
                )
                .bind(company_id)
                .bind(branch_id)
                .bind(&t.email)
                .bind(&t.sms_phone)
                .bind(&t.whatsapp)
                .bind(now_ms())
                .execute(&mut *self.writing().await?)
                .await?;
                self.branch(branch_id)
                    .await?
                    .filter(|b| b.company_id == company_id)
                    .ok_or_else(|| Error::not_found(format!("branch {branch_id} does not exist")))
            }

            async fn insert_service(&self, company_id: i64, s: &NewService) -> Result<Service> {
                let now = now_ms();
                let mut tx = self.begin_write().await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO services (company_id, branch_id, name, name_key, duration_min, price_cents, \
                     calcom_event_type_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
                )
                .bind(company_id)
                .bind(s.branch_id)
                .bind(&s.name)
                .bind(&s.name_key)
                .bind(s.duration_min)
                .bind(s.price_cents)
                .bind(s.calcom_event_type_id)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query(BUMP_CATALOG).bind(company_id).execute(&mut *tx).await?;
                tx.commit().await?;
                self.service(id).await?.ok_or_else(|| Error::internal("service vanished after insert"))
            }

            async fn update_service(&self, company_id: i64, id: i64, s: &NewService) -> Result<Service> {
                let mut tx = self.begin_write().await?;
                let updated = sqlx::query(
                    "UPDATE services SET name = $3, name_key = $4, duration_min = $5, price_cents = $6, \
                     calcom_event_type_id = $7, updated_at = $8 WHERE company_id = $1 AND id = $2",
                )
                .bind(company_id)
                .bind(id)
                .bind(&s.name)
                .bind(&s.name_key)
                .bind(s.duration_min)
                .bind(s.price_cents)
                .bind(s.calcom_event_type_id)
                .bind(now_ms())
                .execute(&mut *tx)
                .await?;
                if updated.rows_affected() == 0 {
                    return Err(Error::not_found(format!("company {company_id} has no service {id}")));
                }
                sqlx::query(BUMP_CATALOG).bind(company_id).execute(&mut *tx).await?;
                tx.commit().await?;
                self.service(id).await?.ok_or_else(|| Error::internal("service vanished after update"))
            }

            async fn service(&self, id: i64) -> Result<Option<Service>> {
                let sql = format!("SELECT {SERVICE_COLUMNS} FROM services s WHERE s.id = $1");
                Ok(sqlx::query_as(&sql).bind(id).fetch_optional(&self.pool).await?)
            }

            async fn service_by_name(&self, company_id: i64, name_key: &str) -> Result<Option<Service>> {
                let sql = format!("SELECT {SERVICE_COLUMNS} FROM services s WHERE s.company_id = $1 AND s.name_key = $2");
                Ok(sqlx::query_as(&sql).bind(company_id).bind(name_key).fetch_optional(&self.pool).await?)
            }

            async fn services(&self, company_id: i64, branch_id: Option<i64>) -> Result<Vec<Service>> {
                if let Some(inline) = self.inline() {
                    return inline.services(company_id, branch_id);
                }
                Ok(sqlx::query_as(&SERVICES).bind(company_id).bind(branch_id).fetch_all(&self.pool).await?)
            }

            async fn insert_synonyms(&self, company_id: i64, synonyms: &[NewSynonym], on_batch: &(dyn Fn(u64) + Send + Sync)) -> Result<u64> {
                let now = now_ms();
                let mut tx = self.begin_write().await?;
                let mut inserted = 0;
                for chunk in synonyms.chunks(BATCH_ROWS) {
                    let mut query = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO service_synonyms (company_id, service_id, synonym, synonym_key, created_at) ",
                    );
                    // company_id and the timestamp are integers we own: written as literals, they
                    // leave three bound values per row instead of five.
                    query.push_values(chunk, |mut row, s| {
                        row.push(company_id)
                            .push_bind(s.service_id)
                            .push_bind(s.synonym.as_str())
                            .push_bind(s.synonym_key.as_str())
                            .push(now);
                    });
                    query.push(" ON CONFLICT (service_id, synonym_key) DO NOTHING");
                    inserted += query.build().execute(&mut *tx).await?.rows_affected();
                    on_batch(chunk.len() as u64);
                }
                sqlx::query(BUMP_CATALOG).bind(company_id).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(inserted)
            }

            async fn synonyms(&self, company_id: i64, service_id: i64) -> Result<Vec<Synonym>> {
                Ok(sqlx::query_as(
                    "SELECT id, service_id, synonym FROM service_synonyms WHERE company_id = $1 AND service_id = $2 ORDER BY id",
                )
                .bind(company_id)
                .bind(service_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn company_synonyms(&self, company_id: i64) -> Result<Vec<(i64, String)>> {
                if let Some(inline) = self.inline() {
                    return inline.company_synonyms(company_id);
                }
                Ok(sqlx::query_as(COMPANY_SYNONYMS).bind(company_id).fetch_all(&self.pool).await?)
            }

            async fn insert_staff(&self, company_id: i64, s: &NewStaff) -> Result<Staff> {
                let now = now_ms();
                let (email_key, name_key) = match &s.key {
                    StaffKey::Email(e) => (Some(e.as_str()), $crate::domain::name_key(&s.name)),
                    StaffKey::Name(n) => (None, n.clone()),
                };
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO staff (company_id, branch_id, name, name_key, email, email_key, phone, calcom_user_id, \
                     created_at, updated_at, working_hours) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) RETURNING id",
                )
                .bind(company_id)
                .bind(s.branch_id)
                .bind(&s.name)
                .bind(name_key)
                .bind(&s.email)
                .bind(email_key)
                .bind(&s.phone)
                .bind(s.calcom_user_id)
                .bind(now)
                .bind(&s.working_hours)
                .fetch_one(&mut *self.writing().await?)
                .await?;
                self.staff_member(id).await?.ok_or_else(|| Error::internal("staff vanished after insert"))
            }

            async fn update_staff(&self, company_id: i64, id: i64, s: &NewStaff) -> Result<Staff> {
                let (email_key, name_key) = match &s.key {
                    StaffKey::Email(e) => (Some(e.as_str()), $crate::domain::name_key(&s.name)),
                    StaffKey::Name(n) => (None, n.clone()),
                };
                let updated = sqlx::query(
                    "UPDATE staff SET name = $3, name_key = $4, email = $5, email_key = $6, phone = COALESCE($7, phone), \
                     calcom_user_id = $8, updated_at = $9 WHERE company_id = $1 AND id = $2",
                )
                .bind(company_id)
                .bind(id)
                .bind(&s.name)
                .bind(name_key)
                .bind(&s.email)
                .bind(email_key)
                .bind(&s.phone)
                .bind(s.calcom_user_id)
                .bind(now_ms())
                .execute(&mut *self.writing().await?)
                .await?;
                if updated.rows_affected() == 0 {
                    return Err(Error::not_found(format!("company {company_id} has no staff member {id}")));
                }
                self.staff_member(id).await?.ok_or_else(|| Error::internal("staff vanished after update"))
            }

            async fn staff_member(&self, id: i64) -> Result<Option<Staff>> {
                let sql = format!("SELECT {STAFF_COLUMNS} FROM staff WHERE id = $1");
                Ok(sqlx::query_as(&sql).bind(id).fetch_optional(&self.pool).await?)
            }

            async fn staff_by_key(&self, company_id: i64, branch_id: i64, key: &StaffKey) -> Result<Option<Staff>> {
                let (condition, value) = match key {
                    StaffKey::Email(e) => ("email_key = $3", e),
                    StaffKey::Name(n) => ("email_key IS NULL AND name_key = $3", n),
                };
                let sql = format!("SELECT {STAFF_COLUMNS} FROM staff WHERE company_id = $1 AND branch_id = $2 AND {condition}");
                Ok(sqlx::query_as(&sql).bind(company_id).bind(branch_id).bind(value).fetch_optional(&self.pool).await?)
            }

            async fn staff(&self, company_id: i64, branch_id: i64) -> Result<Vec<Staff>> {
                let sql = format!("SELECT {STAFF_COLUMNS} FROM staff WHERE company_id = $1 AND branch_id = $2 ORDER BY id");
                Ok(sqlx::query_as(&sql).bind(company_id).bind(branch_id).fetch_all(&self.pool).await?)
            }

            async fn assign_services(&self, company_id: i64, staff_id: i64, service_ids: &[i64]) -> Result<u64> {
                let mut tx = self.begin_write().await?;
                let mut inserted = 0;
                for service_id in service_ids {
                    // The SELECT keeps the mapping inside the company even if a caller passed a foreign id.
                    inserted += sqlx::query(
                        "INSERT INTO staff_services (company_id, staff_id, service_id) \
                         SELECT $1, st.id, sv.id FROM staff st, services sv \
                         WHERE st.company_id = $1 AND st.id = $2 AND sv.company_id = $1 AND sv.id = $3 \
                         ON CONFLICT (staff_id, service_id) DO NOTHING",
                    )
                    .bind(company_id)
                    .bind(staff_id)
                    .bind(service_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                }
                tx.commit().await?;
                Ok(inserted)
            }

            async fn staff_service_names(&self, company_id: i64, branch_id: i64) -> Result<Vec<(i64, String)>> {
                Ok(sqlx::query_as(
                    "SELECT ss.staff_id, sv.name FROM staff_services ss \
                     JOIN staff st ON st.id = ss.staff_id JOIN services sv ON sv.id = ss.service_id \
                     WHERE ss.company_id = $1 AND st.branch_id = $2 ORDER BY ss.staff_id, sv.name",
                )
                .bind(company_id)
                .bind(branch_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn upsert_customer(&self, company_id: i64, phone: &str, name: Option<&str>) -> Result<Customer> {
                let now = now_ms();
                Ok(sqlx::query_as(
                    "INSERT INTO customers (company_id, phone, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
                     ON CONFLICT (company_id, phone) WHERE phone IS NOT NULL \
                     DO UPDATE SET name = COALESCE(customers.name, excluded.name), updated_at = excluded.updated_at \
                     RETURNING id, company_id, phone, name, email",
                )
                .bind(company_id)
                .bind(phone)
                .bind(name)
                .bind(now)
                .fetch_one(&mut *self.writing().await?)
                .await?)
            }

            async fn customer_by_phone(&self, company_id: i64, phone: &str) -> Result<Option<Customer>> {
                Ok(sqlx::query_as("SELECT id, company_id, phone, name, email FROM customers WHERE company_id = $1 AND phone = $2")
                    .bind(company_id)
                    .bind(phone)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn insert_appointment(&self, company_id: i64, a: &NewAppointment) -> Result<i64> {
                again_if_transient(|| self.insert_appointment_once(company_id, a, false)).await
            }

            async fn book_hold(&self, company_id: i64, a: &NewAppointment) -> Result<i64> {
                if a.call_id.is_none() {
                    return Err(Error::internal("a held slot is booked for its call, and this appointment names none"));
                }
                again_if_transient(|| self.insert_appointment_once(company_id, a, true)).await
            }

            async fn call_appointments(&self, company_id: i64, call_id: &str) -> Result<Vec<Appointment>> {
                let sql = format!(
                    "{APPOINTMENT_SELECT} WHERE a.company_id = $1 AND a.call_id = $2 AND a.status = 'booked' \
                     ORDER BY a.id DESC"
                );
                Ok(sqlx::query_as(&sql).bind(company_id).bind(call_id).fetch_all(&self.pool).await?)
            }

            async fn staff_for_service(&self, company_id: i64, branch_id: i64, service_id: i64) -> Result<Vec<Staff>> {
                if let Some(inline) = self.inline() {
                    return inline.staff_for_service(company_id, branch_id, service_id);
                }
                Ok(sqlx::query_as(&STAFF_FOR_SERVICE)
                    .bind(company_id)
                    .bind(branch_id)
                    .bind(service_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn busy_times(
                &self,
                company_id: i64,
                branch_id: i64,
                service_id: i64,
                from: i64,
                to: i64,
                now: i64,
            ) -> Result<Vec<BusyTime>> {
                if let Some(inline) = self.inline() {
                    return inline.busy_times([company_id, branch_id, service_id], from, to, now);
                }
                Ok(sqlx::query_as(BUSY_TIMES)
                    .bind(company_id)
                    .bind(branch_id)
                    .bind(from)
                    .bind(to)
                    .bind(now)
                    .bind(from - MAX_APPOINTMENT_MS)
                    .bind(service_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn branch_schedule(&self, company_id: i64, branch_id: i64, from: i64, to: i64, now: i64) -> Result<Vec<ScheduleEntry>> {
                if let Some(inline) = self.inline() {
                    return inline.branch_schedule([company_id, branch_id], from, to, now);
                }
                Ok(sqlx::query_as(BRANCH_SCHEDULE)
                    .bind(company_id)
                    .bind(branch_id)
                    .bind(from)
                    .bind(to)
                    .bind(from - MAX_APPOINTMENT_MS)
                    .bind(now)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn customer_history(&self, company_id: i64, customer_id: i64) -> Result<Vec<Visit>> {
                Ok(sqlx::query_as(
                    "SELECT service_id, staff_id, starts_at, status FROM appointments \
                     WHERE company_id = $1 AND customer_id = $2 ORDER BY starts_at DESC LIMIT 200",
                )
                .bind(company_id)
                .bind(customer_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn hold_slot(&self, company_id: i64, h: &NewHold, now: i64) -> Result<Hold> {
                // Concurrent holds on PostgreSQL can also deadlock on each other's deleted rows.
                again_if_transient(|| self.hold_slot_once(company_id, h, now)).await
            }

            async fn active_hold(&self, company_id: i64, call_id: &str, now: i64) -> Result<Option<Hold>> {
                let sql = format!(
                    "SELECT {HOLD_COLUMNS} FROM slot_holds WHERE company_id = $1 AND call_id = $2 AND expires_at > $3 \
                     ORDER BY id DESC LIMIT 1"
                );
                Ok(sqlx::query_as(&sql).bind(company_id).bind(call_id).bind(now).fetch_optional(&self.pool).await?)
            }

            async fn appointment(&self, company_id: i64, id: i64) -> Result<Option<Appointment>> {
                let sql = format!("{APPOINTMENT_SELECT} WHERE a.company_id = $1 AND a.id = $2");
                Ok(sqlx::query_as(&sql).bind(company_id).bind(id).fetch_optional(&self.pool).await?)
            }

            async fn appointment_by_uid(&self, company_id: i64, uid: &str) -> Result<Option<Appointment>> {
                let sql = format!("{APPOINTMENT_SELECT} WHERE a.company_id = $1 AND a.external_uid = $2");
                Ok(sqlx::query_as(&sql).bind(company_id).bind(uid).fetch_optional(&self.pool).await?)
            }

            async fn appointments(&self, company_id: i64, branch_id: i64, from: i64, to: i64) -> Result<Vec<Appointment>> {
                let sql = format!(
                    "{APPOINTMENT_SELECT} WHERE a.company_id = $1 AND a.branch_id = $2 AND a.starts_at >= $3 \
                     AND a.starts_at < $4 ORDER BY a.starts_at, a.id"
                );
                Ok(sqlx::query_as(&sql).bind(company_id).bind(branch_id).bind(from).bind(to).fetch_all(&self.pool).await?)
            }

            async fn staff_appointments(
                &self,
                company_id: i64,
                staff_id: i64,
                from: i64,
                to: i64,
            ) -> Result<Vec<Appointment>> {
                let sql = format!(
                    "{APPOINTMENT_SELECT} WHERE a.company_id = $1 AND a.staff_id = $2 AND a.starts_at >= $3 \
                     AND a.starts_at < $4 ORDER BY a.starts_at, a.id"
                );
                Ok(sqlx::query_as(&sql).bind(company_id).bind(staff_id).bind(from).bind(to).fetch_all(&self.pool).await?)
            }

            async fn upcoming_appointments(&self, company_id: i64, customer_id: i64, now: i64) -> Result<Vec<Appointment>> {
                let sql = format!(
                    "{APPOINTMENT_SELECT} WHERE a.company_id = $1 AND a.customer_id = $2 AND a.status = 'booked' \
                     AND a.ends_at > $3 ORDER BY a.starts_at, a.id LIMIT 50"
                );
                Ok(sqlx::query_as(&sql).bind(company_id).bind(customer_id).bind(now).fetch_all(&self.pool).await?)
            }

            async fn move_appointment(&self, company_id: i64, id: i64, to: &AppointmentMove) -> Result<Appointment> {
                again_if_transient(|| self.move_appointment_once(company_id, id, to)).await
            }

            async fn tenant_for_call(&self, agent_id: Option<&str>, to_number: Option<&str>) -> Result<Option<Tenant>> {
                if let Some(inline) = self.inline() {
                    return inline.tenant_for_call(agent_id, to_number);
                }
                if let Some(agent) = agent_id {
                    let found = sqlx::query_as(TENANT_BY_AGENT).bind(agent).fetch_optional(&self.pool).await?;
                    if found.is_some() {
                        return Ok(found);
                    }
                }
                let Some(number) = to_number else { return Ok(None) };
                let found = sqlx::query_as(TENANT_BY_NUMBER).bind(number).fetch_optional(&self.pool).await?;
                if found.is_some() {
                    return Ok(found);
                }
                let mut rows: Vec<Tenant> = sqlx::query_as(TENANT_BY_BRANCH_PHONE).bind(number).fetch_all(&self.pool).await?;
                Ok(if rows.len() == 1 { rows.pop() } else { None })
            }

            async fn insert_agent(&self, company_id: i64, a: &NewAgent) -> Result<AgentRecord> {
                let now = now_ms();
                let sql = format!(
                    "INSERT INTO agents (company_id, branch_id, retell_agent_id, engine, engine_id, template, \
                     template_version, published_version, deployed_hash, voice_id, language, created_at, updated_at) \
                     SELECT $1, b.id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12 FROM branches b \
                     WHERE b.company_id = $1 AND b.id = $2 RETURNING {AGENT_COLUMNS}"
                );
                let row: Option<AgentRecord> = sqlx::query_as(&sql)
                    .bind(company_id)
                    .bind(a.branch_id)
                    .bind(&a.retell_agent_id)
                    .bind(&a.engine)
                    .bind(&a.engine_id)
                    .bind(&a.template)
                    .bind(&a.template_version)
                    .bind(a.published_version)
                    .bind(&a.deployed_hash)
                    .bind(&a.voice_id)
                    .bind(&a.language)
                    .bind(now)
                    .fetch_optional(&mut *self.writing().await?)
                    .await?;
                row.ok_or_else(|| Error::not_found(format!("company {company_id} has no branch {}", a.branch_id)))
            }

            async fn agent_by_retell_id(&self, retell_agent_id: &str) -> Result<Option<AgentRecord>> {
                let sql = format!("SELECT {AGENT_COLUMNS} FROM agents WHERE retell_agent_id = $1");
                Ok(sqlx::query_as(&sql).bind(retell_agent_id).fetch_optional(&self.pool).await?)
            }

            async fn agents(&self, company_id: Option<i64>) -> Result<Vec<AgentRecord>> {
                let sql = format!(
                    "SELECT {AGENT_COLUMNS} FROM agents WHERE ($1 IS NULL OR company_id = $1) ORDER BY id"
                );
                Ok(sqlx::query_as(&sql).bind(company_id).fetch_all(&self.pool).await?)
            }

            async fn update_agent_record(
                &self,
                company_id: i64,
                id: i64,
                published_version: i64,
                deployed_hash: &str,
                voice_id: Option<&str>,
                language: Option<&str>,
            ) -> Result<()> {
                sqlx::query(
                    "UPDATE agents SET published_version = $3, deployed_hash = $4, voice_id = COALESCE($5, voice_id), \
                     language = COALESCE($6, language), updated_at = $7 WHERE company_id = $1 AND id = $2",
                )
                .bind(company_id)
                .bind(id)
                .bind(published_version)
                .bind(deployed_hash)
                .bind(voice_id)
                .bind(language)
                .bind(now_ms())
                .execute(&mut *self.writing().await?)
                .await?;
                Ok(())
            }

            async fn upsert_phone_number(
                &self,
                company_id: i64,
                agent: &AgentRecord,
                number: &str,
                provider: Option<&str>,
            ) -> Result<()> {
                // A number of another company is never taken over.
                let done = sqlx::query(
                    "INSERT INTO phone_numbers (company_id, branch_id, agent_id, number, provider, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (number) DO UPDATE SET \
                     branch_id = excluded.branch_id, agent_id = excluded.agent_id, provider = excluded.provider \
                     WHERE phone_numbers.company_id = excluded.company_id",
                )
                .bind(company_id)
                .bind(agent.branch_id)
                .bind(agent.id)
                .bind(number)
                .bind(provider)
                .bind(now_ms())
                .execute(&mut *self.writing().await?)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(Error::conflict(format!("{number} is recorded for another company")));
                }
                Ok(())
            }

            async fn phone_holders(&self, number: &str) -> Result<Vec<PhoneHolder>> {
                Ok(sqlx::query_as(PHONE_HOLDERS).bind(number).fetch_all(&self.pool).await?)
            }

            async fn release_phone_number(&self, company_id: i64, agent_id: i64, number: &str) -> Result<()> {
                sqlx::query("DELETE FROM phone_numbers WHERE company_id = $1 AND agent_id = $2 AND number = $3")
                    .bind(company_id)
                    .bind(agent_id)
                    .bind(number)
                    .execute(&mut *self.writing().await?)
                    .await?;
                Ok(())
            }

            async fn record_webhook_event(&self, e: &NewWebhookEvent) -> Result<Option<i64>> {
                Ok(bind_event!(sqlx::query_scalar(INSERT_EVENT), e).fetch_optional(&mut *self.writing().await?).await?)
            }

            async fn finish_webhook_event(&self, id: i64, status: &str, error: Option<&str>) -> Result<()> {
                sqlx::query(
                    "UPDATE webhook_events SET status = $2, last_error = $3, attempts = attempts + 1, processed_at = $4 \
                     WHERE id = $1",
                )
                .bind(id)
                .bind(status)
                .bind(error)
                .bind(now_ms())
                .execute(&mut *self.writing().await?)
                .await?;
                Ok(())
            }

            async fn failed_webhook_events(&self, since: i64) -> Result<Vec<FailedEvent>> {
                Ok(sqlx::query_as(
                    "SELECT id, company_id, source, event, payload FROM webhook_events \
                     WHERE status = 'failed' AND received_at >= $1 ORDER BY id LIMIT 10000",
                )
                .bind(since)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn upsert_call(&self, company_id: i64, c: &CallRecord) -> Result<()> {
                Self::call_upsert(&[(company_id, c)], now_ms()).build().execute(&mut *self.writing().await?).await?;
                Ok(())
            }

            async fn commit_writes(&self, writes: std::sync::Arc<[Write]>) -> Result<Vec<Written>> {
                if let Some(hot) = self.hot_writes() {
                    return hot.commit(writes).await;
                }
                // A few multi-row statements per batch, whatever its size: one INSERT for the
                // deliveries, one upsert for the calls they bring, one INSERT for the answers.
                let now = now_ms();
                let mut done: Vec<Option<Written>> = vec![None; writes.len()];
                let mut events = Vec::new();
                let mut answers = Vec::new();
                for (i, write) in writes.iter().enumerate() {
                    match write {
                        Write::RetellEvent { event, call } => events.push((i, event, call.as_deref())),
                        Write::FunctionAnswer { .. } => answers.push((i, write)),
                    }
                }
                let mut tx = self.begin_write().await?;
                if !events.is_empty() {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO webhook_events (company_id, source, event, external_id, dedupe_key, payload, \
                         received_at, status, attempts, processed_at) ",
                    );
                    insert.push_values(&events, |mut row, (_, e, call)| {
                        // Stored already processed (or ignored): the call record commits with it.
                        let status = if call.is_some() { "processed" } else { "ignored" };
                        row.push_bind(e.company_id)
                            .push_bind(e.source)
                            .push_bind(e.event.as_str())
                            .push_bind(e.external_id.as_deref())
                            .push_bind(e.dedupe_key.as_str())
                            .push_bind(e.payload.as_slice())
                            .push(now)
                            .push_bind(status)
                            .push(1)
                            .push(now);
                    });
                    insert.push(" ON CONFLICT (company_id, dedupe_key) DO NOTHING RETURNING id, company_id, dedupe_key");
                    let stored: Vec<(i64, i64, String)> = insert.build_query_as().fetch_all(&mut *tx).await?;
                    let mut ids: std::collections::HashMap<(i64, &str), i64> =
                        stored.iter().map(|(id, company, key)| ((*company, key.as_str()), *id)).collect();
                    // Call records in the order they arrived, one per call (later fields win).
                    let mut calls: Vec<(i64, CallRecord)> = Vec::new();
                    for (i, e, call) in &events {
                        // The first delivery of a key in the batch is stored; any later is a duplicate.
                        let id = ids.remove(&(e.company_id, e.dedupe_key.as_str()));
                        done[*i] = Some(Written::Event(id));
                        let (Some(_), Some(call)) = (id, call) else { continue };
                        let company_id = e.company_id;
                        match calls.iter_mut().find(|(c, r)| *c == company_id && r.retell_call_id == call.retell_call_id) {
                            Some((_, earlier)) => earlier.update(call),
                            None => calls.push((company_id, (*call).clone())),
                        }
                    }
                    if !calls.is_empty() {
                        let rows: Vec<(i64, &CallRecord)> = calls.iter().map(|(c, r)| (*c, r)).collect();
                        Self::call_upsert(&rows, now).build().execute(&mut *tx).await?;
                    }
                }
                if !answers.is_empty() {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO function_calls (company_id, call_id, name, args_hash, response, created_at) ",
                    );
                    insert.push_values(&answers, |mut row, (_, write)| {
                        if let Write::FunctionAnswer { company_id, call_id, name, args_hash, response } = write {
                            row.push_bind(*company_id)
                                .push_bind(call_id.as_str())
                                .push_bind(name.as_str())
                                .push_bind(args_hash.as_str())
                                .push_bind(response.as_str())
                                .push(now);
                        }
                    });
                    insert.push(
                        " ON CONFLICT (company_id, call_id, name, args_hash) DO NOTHING \
                         RETURNING company_id, call_id, name, args_hash",
                    );
                    let kept: Vec<(i64, String, String, String)> = insert.build_query_as().fetch_all(&mut *tx).await?;
                    let mut kept: std::collections::HashSet<(i64, String, String, String)> = kept.into_iter().collect();
                    for (i, write) in answers {
                        let Write::FunctionAnswer { company_id, call_id, name, args_hash, response } = write else { continue };
                        // The first of a `(call, name, arguments)` in the batch was kept; any other
                        // (an earlier answer, or a twin in this batch) reads back the one kept.
                        let first = if kept.remove(&(*company_id, call_id.clone(), name.clone(), args_hash.clone())) {
                            response.clone()
                        } else {
                            sqlx::query_scalar(
                                "SELECT response FROM function_calls \
                                 WHERE company_id = $1 AND call_id = $2 AND name = $3 AND args_hash = $4",
                            )
                            .bind(company_id)
                            .bind(call_id)
                            .bind(name)
                            .bind(args_hash)
                            .fetch_one(&mut *tx)
                            .await?
                        };
                        done[i] = Some(Written::Answer(first));
                    }
                }
                tx.commit().await?;
                done.into_iter()
                    .map(|d| d.ok_or_else(|| Error::internal("a write of the batch has no outcome")))
                    .collect()
            }

            async fn call(&self, company_id: i64, retell_call_id: &str) -> Result<Option<Call>> {
                Ok(sqlx::query_as(
                    "SELECT id, company_id, branch_id, retell_call_id, agent_id, from_number, to_number, direction, status, \
                     started_at, ended_at, duration_ms, disconnection_reason, customer_id, booked, service_predicted, \
                     summary, sentiment FROM calls WHERE company_id = $1 AND retell_call_id = $2",
                )
                .bind(company_id)
                .bind(retell_call_id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn customer(&self, company_id: i64, id: i64) -> Result<Option<Customer>> {
                Ok(sqlx::query_as("SELECT id, company_id, phone, name, email FROM customers WHERE company_id = $1 AND id = $2")
                    .bind(company_id)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn function_context(&self, (company_id, branch_id): (i64, i64), call_id: &str, name: &str, args_hash: &str) -> Result<FunctionContext> {
                if let Some(inline) = self.inline() {
                    return inline.function_context((company_id, branch_id), call_id, name, args_hash);
                }
                let first_answer = sqlx::query_scalar(FUNCTION_ANSWER)
                    .bind(company_id)
                    .bind(call_id)
                    .bind(name)
                    .bind(args_hash)
                    .fetch_optional(&self.pool);
                let company = sqlx::query_as(&COMPANY_BY_ID).bind(company_id).fetch_optional(&self.pool);
                let branch = sqlx::query_as(&BRANCH_BY_ID).bind(branch_id).fetch_optional(&self.pool);
                let (first_answer, company, branch) = tokio::try_join!(first_answer, company, branch)?;
                Ok(FunctionContext { first_answer, company, branch })
            }

            async fn claim_function(&self, key: &FunctionKey, now: i64, until: i64) -> Result<Claim> {
                let FunctionKey { company_id, call_id, name, args_hash } = key;
                let won: Option<i64> = sqlx::query_scalar(CLAIM_FUNCTION)
                    .bind(company_id)
                    .bind(call_id)
                    .bind(name)
                    .bind(args_hash)
                    .bind(now)
                    .bind(until)
                    .fetch_optional(&mut *self.writing().await?)
                    .await?;
                if let Some(attempts) = won {
                    return Ok(Claim::Won { resumed: attempts > 1 });
                }
                let (response, claimed_until): (Option<String>, Option<i64>) = sqlx::query_as(
                    "SELECT response, claimed_until FROM function_calls \
                     WHERE company_id = $1 AND call_id = $2 AND name = $3 AND args_hash = $4",
                )
                .bind(company_id)
                .bind(call_id)
                .bind(name)
                .bind(args_hash)
                .fetch_one(&self.pool)
                .await?;
                Ok(match response {
                    Some(answer) => Claim::Answered(answer),
                    None => Claim::Running { until: claimed_until.unwrap_or(now) },
                })
            }

            async fn function_answer(&self, key: &FunctionKey) -> Result<Option<String>> {
                Ok(sqlx::query_scalar(FUNCTION_ANSWER)
                    .bind(key.company_id)
                    .bind(&key.call_id)
                    .bind(&key.name)
                    .bind(&key.args_hash)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn answer_function(&self, key: &FunctionKey, response: &str) -> Result<String> {
                let FunctionKey { company_id, call_id, name, args_hash } = key;
                let mut tx = self.begin_write().await?;
                // Ours, unless a run that took over a lapsed claim answered first.
                sqlx::query(
                    "UPDATE function_calls SET response = $5, claimed_until = NULL \
                     WHERE company_id = $1 AND call_id = $2 AND name = $3 AND args_hash = $4 AND response IS NULL",
                )
                .bind(company_id)
                .bind(call_id)
                .bind(name)
                .bind(args_hash)
                .bind(response)
                .execute(&mut *tx)
                .await?;
                let first: String = sqlx::query_scalar(FUNCTION_ANSWER)
                    .bind(company_id)
                    .bind(call_id)
                    .bind(name)
                    .bind(args_hash)
                    .fetch_one(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(first)
            }

            async fn insert_callback(&self, company_id: i64, c: &NewCallback) -> Result<i64> {
                Ok(sqlx::query_scalar(
                    "INSERT INTO callback_requests (company_id, branch_id, call_id, customer_name, phone, reason, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(company_id)
                .bind(c.branch_id)
                .bind(&c.call_id)
                .bind(&c.customer_name)
                .bind(&c.phone)
                .bind(&c.reason)
                .bind(now_ms())
                .fetch_one(&mut *self.writing().await?)
                .await?)
            }

            async fn queue_notification(&self, company_id: i64, channel: &str, target: &str, subject: &str, body: &str) -> Result<()> {
                sqlx::query(
                    "INSERT INTO notification_outbox (company_id, channel, target, subject, body, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(company_id)
                .bind(channel)
                .bind(target)
                .bind(subject)
                .bind(body)
                .bind(now_ms())
                .execute(&mut *self.writing().await?)
                .await?;
                Ok(())
            }

            async fn cancel_appointment(&self, company_id: i64, id: i64, reason: Option<&str>) -> Result<Appointment> {
                let cancelled = sqlx::query(
                    "UPDATE appointments SET status = 'cancelled', cancel_reason = $3, updated_at = $4 \
                     WHERE company_id = $1 AND id = $2 AND status = 'booked'",
                )
                .bind(company_id)
                .bind(id)
                .bind(reason)
                .bind(now_ms())
                .execute(&mut *self.writing().await?)
                .await?;
                self.updated_booking(cancelled.rows_affected(), company_id, id).await
            }
        }

        impl $store {
            /// The write gate, locked, where hot writes share the database with the sqlx writer
            /// (a daemon's SQLite store).
            async fn lock_gate(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
                match self.hot_writes() {
                    Some(hot) => Some(hot.lock().await),
                    None => None,
                }
            }

            /// The writer connection, for one statement, inside the write gate.
            async fn writing(&self) -> Result<Gated<sqlx::pool::PoolConnection<$db>>> {
                let gate = self.lock_gate().await;
                Ok(Gated::new(self.writer.acquire().await?, gate))
            }

            /// A write transaction on the writer connection, inside the write gate.
            async fn begin_write(&self) -> Result<Gated<sqlx::Transaction<'static, $db>>> {
                let gate = self.lock_gate().await;
                Ok(Gated::new(self.writer.begin_with(Self::BEGIN_WRITE).await?, gate))
            }

            /// Inserts `a` (and marks its call booked); with `release_holds`, also deletes its
            /// call's holds, in the same transaction.
            async fn insert_appointment_once(&self, company_id: i64, a: &NewAppointment, release_holds: bool) -> Result<i64> {
                let now = now_ms();
                let mut tx = self.begin_write().await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO appointments (company_id, branch_id, staff_id, service_id, customer_id, starts_at, ends_at, \
                     status, backend, external_uid, call_id, created_at, updated_at) \
                     SELECT $1, b.id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12 FROM branches b \
                     WHERE b.company_id = $1 AND b.id = $2 RETURNING id",
                )
                .bind(company_id)
                .bind(a.branch_id)
                .bind(a.staff_id)
                .bind(a.service_id)
                .bind(a.customer_id)
                .bind(a.starts_at)
                .bind(a.ends_at)
                .bind(&a.status)
                .bind(&a.backend)
                .bind(&a.external_uid)
                .bind(&a.call_id)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| Error::not_found(format!("company {company_id} has no branch {}", a.branch_id)))?;
                if let Some(call_id) = &a.call_id {
                    // A booking that lands after its call's events (a Cal.com booking mirrored
                    // from its webhook) still counts for the call.
                    sqlx::query(
                        "UPDATE calls SET booked = TRUE, updated_at = $3 \
                         WHERE company_id = $1 AND retell_call_id = $2 AND NOT booked",
                    )
                    .bind(company_id)
                    .bind(call_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    if release_holds {
                        sqlx::query("DELETE FROM slot_holds WHERE company_id = $1 AND call_id = $2")
                            .bind(company_id)
                            .bind(call_id)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                tx.commit().await?;
                Ok(id)
            }

            async fn move_appointment_once(&self, company_id: i64, id: i64, to: &AppointmentMove) -> Result<Appointment> {
                let moved = sqlx::query(
                    "UPDATE appointments SET staff_id = $3, starts_at = $4, ends_at = $5, \
                     external_uid = COALESCE($6, external_uid), updated_at = $7 \
                     WHERE company_id = $1 AND id = $2 AND status = 'booked'",
                )
                .bind(company_id)
                .bind(id)
                .bind(to.staff_id)
                .bind(to.starts_at)
                .bind(to.ends_at)
                .bind(&to.external_uid)
                .bind(now_ms())
                .execute(&mut *self.writing().await?)
                .await?;
                self.updated_booking(moved.rows_affected(), company_id, id).await
            }

            /// The booked appointment an UPDATE changed (`changed` rows), read back; not found
            /// when the UPDATE matched none.
            async fn updated_booking(&self, changed: u64, company_id: i64, id: i64) -> Result<Appointment> {
                if changed == 0 {
                    return Err(Error::not_found(format!("no booked appointment {id} in company {company_id}")));
                }
                self.appointment(company_id, id).await?.ok_or_else(|| Error::internal("appointment vanished after update"))
            }

            async fn hold_slot_once(&self, company_id: i64, h: &NewHold, now: i64) -> Result<Hold> {
                let mut tx = self.begin_write().await?;
                if let (Some(lock), Some(staff_id)) = (Self::LOCK_STAFF, h.staff_id) {
                    sqlx::query(lock).bind(company_id).bind(staff_id).execute(&mut *tx).await?;
                }
                // The call's earlier hold, and expired holds that would stand in this one's way
                // (the same staff member): only rows this hold is about, so concurrent holds for
                // other staff never wait on each other here.
                sqlx::query(
                    "DELETE FROM slot_holds WHERE company_id = $1 \
                     AND (call_id = $2 OR (expires_at <= $3 AND staff_id IS NOT DISTINCT FROM $4))",
                )
                .bind(company_id)
                .bind(&h.call_id)
                .bind(now)
                .bind(h.staff_id)
                .execute(&mut *tx)
                .await?;
                if let Some(staff_id) = h.staff_id {
                    let booked: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM appointments WHERE company_id = $1 AND staff_id = $2 AND status = 'booked' \
                         AND backend = 'local' AND starts_at < $4 AND ends_at > $3 LIMIT 1",
                    )
                    .bind(company_id)
                    .bind(staff_id)
                    .bind(h.starts_at)
                    .bind(h.ends_at)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if booked.is_some() {
                        return Err(Error::conflict("that time is already booked for this staff member"));
                    }
                }
                let sql = format!(
                    "INSERT INTO slot_holds (company_id, branch_id, staff_id, service_id, call_id, starts_at, ends_at, \
                     expires_at, external_uid, created_at, customer_id) \
                     SELECT $1, b.id, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM branches b WHERE b.company_id = $1 AND b.id = $2 \
                     RETURNING {HOLD_COLUMNS}"
                );
                let hold: Option<Hold> = sqlx::query_as(&sql)
                    .bind(company_id)
                    .bind(h.branch_id)
                    .bind(h.staff_id)
                    .bind(h.service_id)
                    .bind(&h.call_id)
                    .bind(h.starts_at)
                    .bind(h.ends_at)
                    .bind(h.expires_at)
                    .bind(&h.external_uid)
                    .bind(now)
                    .bind(h.customer_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let hold =
                    hold.ok_or_else(|| Error::not_found(format!("company {company_id} has no branch {}", h.branch_id)))?;
                tx.commit().await?;
                Ok(hold)
            }

            /// One upsert for `rows` of `(company_id, record)`; the customer is found by the
            /// caller's number when the record names none, and `booked` says whether the call
            /// made an appointment.
            fn call_upsert<'a>(rows: &[(i64, &'a CallRecord)], now: i64) -> sqlx::QueryBuilder<'a, $db> {
                let mut upsert = sqlx::QueryBuilder::<$db>::new(CALL_UPSERT_HEAD);
                upsert.push_values(rows, |mut row, (company_id, c)| {
                    row.push_bind(*company_id)
                        .push_bind(c.branch_id)
                        .push_bind(c.retell_call_id.as_str())
                        .push_bind(c.agent_id.as_deref())
                        .push_bind(c.from_number.as_deref())
                        .push_bind(c.to_number.as_deref())
                        .push_bind(c.direction.as_deref())
                        .push_bind(c.status.as_deref())
                        .push_bind(c.started_at)
                        .push_bind(c.ended_at)
                        .push_bind(c.duration_ms)
                        .push_bind(c.disconnection_reason.as_deref())
                        .push("COALESCE(")
                        .push_bind_unseparated(c.customer_id)
                        .push_unseparated(", (SELECT id FROM customers WHERE company_id = ")
                        .push_bind_unseparated(*company_id)
                        .push_unseparated(" AND phone = ")
                        .push_bind_unseparated(c.from_number.as_deref())
                        .push_unseparated("))")
                        .push_bind(c.summary.as_deref())
                        .push_bind(c.sentiment.as_deref())
                        .push("EXISTS (SELECT 1 FROM appointments a WHERE a.company_id = ")
                        .push_bind_unseparated(*company_id)
                        .push_unseparated(" AND a.call_id = ")
                        .push_bind_unseparated(c.retell_call_id.as_str())
                        .push_unseparated(")")
                        .push(now)
                        .push(now);
                });
                upsert.push(CALL_UPSERT_TAIL);
                upsert
            }
        }
    };
}

pub(super) use bind_event;
pub(super) use sql_store;
