//! Installation-wide monitoring: alert settings, the database's size, the answers and deliveries
//! of the last minutes and the calls and bookings of the last hour across every company, and alerts queued at most once per breach and
//! window. Nothing here serves a call or a company: these are the documented installation-level
//! queries (like `backlog(None)`), used by `monitoring:*` and the daemon's `/status` page.

/// [`MonitoringStore`](crate::store::MonitoringStore) for a store type and its sqlx database (see `sql_store!`).
macro_rules! monitoring_sql {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::MonitoringStore for $store {
            async fn alert_settings(&self) -> Result<AlertSettingsRow> {
                Ok(sqlx::query_as(
                    "SELECT email, webhook_url, threshold_cpu, threshold_memory, threshold_disk, threshold_error_rate \
                     FROM alert_settings WHERE id = 1",
                )
                .fetch_optional(&self.pool)
                .await?
                .unwrap_or_default())
            }

            async fn save_alert_settings(&self, s: &AlertSettingsRow) -> Result<()> {
                sqlx::query(
                    "INSERT INTO alert_settings (id, email, webhook_url, threshold_cpu, threshold_memory, threshold_disk, \
                     threshold_error_rate, updated_at) VALUES (1, $1, $2, $3, $4, $5, $6, $7) \
                     ON CONFLICT (id) DO UPDATE SET email = excluded.email, webhook_url = excluded.webhook_url, \
                     threshold_cpu = excluded.threshold_cpu, threshold_memory = excluded.threshold_memory, \
                     threshold_disk = excluded.threshold_disk, threshold_error_rate = excluded.threshold_error_rate, \
                     updated_at = excluded.updated_at",
                )
                .bind(&s.email)
                .bind(&s.webhook_url)
                .bind(s.threshold_cpu)
                .bind(s.threshold_memory)
                .bind(s.threshold_disk)
                .bind(s.threshold_error_rate)
                .bind(now_ms())
                .execute(&mut *self.writing().await?)
                .await?;
                Ok(())
            }

            async fn database_size(&self) -> Result<i64> {
                Ok(sqlx::query_scalar(Self::DATABASE_SIZE).fetch_one(&self.pool).await?)
            }

            async fn outcomes_since(&self, since: i64) -> Result<Outcomes> {
                // An answer is kept as the JSON of `functions::Answer`, whose `status` comes first.
                Ok(sqlx::query_as(
                    "SELECT \
                     (SELECT COUNT(*) FROM function_calls WHERE created_at >= $1 AND response IS NOT NULL) AS function_answers, \
                     (SELECT COUNT(*) FROM function_calls WHERE created_at >= $1 AND response LIKE '{\"status\":\"error\"%') AS function_errors, \
                     (SELECT COUNT(*) FROM webhook_events WHERE received_at >= $1 AND status <> 'pending') AS webhooks, \
                     (SELECT COUNT(*) FROM webhook_events WHERE received_at >= $1 AND status = 'failed') AS webhook_failures",
                )
                .bind(since)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn activity_since(&self, since: i64) -> Result<Activity> {
                Ok(sqlx::query_as(
                    "SELECT (SELECT COUNT(*) FROM calls WHERE created_at >= $1) AS calls, \
                     (SELECT COUNT(*) FROM appointments WHERE created_at >= $1) AS bookings",
                )
                .bind(since)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn queue_alert(&self, breach: &str, now: i64, quiet_since: i64, alerts: &[NewAlert]) -> Result<bool> {
                let mut tx = self.begin_write().await?;
                let claimed: Option<String> = sqlx::query_scalar(
                    "INSERT INTO alerts_sent (breach, sent_at) VALUES ($1, $2) \
                     ON CONFLICT (breach) DO UPDATE SET sent_at = excluded.sent_at WHERE alerts_sent.sent_at <= $3 \
                     RETURNING breach",
                )
                .bind(breach)
                .bind(now)
                .bind(quiet_since)
                .fetch_optional(&mut *tx)
                .await?;
                if claimed.is_none() {
                    return Ok(false);
                }
                for a in alerts {
                    sqlx::query(
                        "INSERT INTO notification_outbox (company_id, channel, target, subject, body, created_at) \
                         VALUES (NULL, $1, $2, $3, $4, $5)",
                    )
                    .bind(&a.channel)
                    .bind(&a.target)
                    .bind(&a.subject)
                    .bind(&a.body)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(true)
            }

            async fn save_meter_snapshot(&self, instance: &str, taken_at: i64, snapshot: &str, keep_since: i64) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    "INSERT INTO meter_snapshots (instance, taken_at, snapshot) VALUES ($1, $2, $3) \
                     ON CONFLICT (instance) DO UPDATE SET taken_at = excluded.taken_at, snapshot = excluded.snapshot",
                )
                .bind(instance)
                .bind(taken_at)
                .bind(snapshot)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM meter_snapshots WHERE taken_at < $1").bind(keep_since).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn meter_snapshots(&self, since: i64) -> Result<Vec<String>> {
                Ok(sqlx::query_scalar("SELECT snapshot FROM meter_snapshots WHERE taken_at >= $1 ORDER BY instance")
                    .bind(since)
                    .fetch_all(&self.pool)
                    .await?)
            }
        }
    };
}

pub(in crate::store) use monitoring_sql;
