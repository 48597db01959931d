//! Call records and webhook deliveries, and the daemon's batched writes (`commit_writes`).
//!
//! `commit_writes` is one of the two implementations of the hot writes: this one (a few multi-row
//! statements per batch) serves PostgreSQL and a one-connection SQLite store; a daemon's SQLite
//! store commits the same batches in `hot.rs` with single-row statements built from the constants
//! here. `tests/store_equivalence.rs` checks that both leave the same rows, and that `upsert_call`
//! writes the call record a delivery's does.

use std::sync::LazyLock;

/// The columns of a call record upsert (see `call_upsert`). Also run by the hot writes (`hot.rs`).
pub(in crate::store) const CALL_UPSERT_HEAD: &str =
    "INSERT INTO calls (company_id, branch_id, retell_call_id, agent_id, \
     from_number, to_number, direction, status, started_at, ended_at, duration_ms, disconnection_reason, customer_id, \
     summary, sentiment, booked, created_at, updated_at) ";

/// What a call record upsert does to a stored record: fields given replace stored ones.
/// Also run by the hot writes (`hot.rs`).
pub(in crate::store) const CALL_UPSERT_TAIL: &str = " ON CONFLICT (company_id, retell_call_id) DO UPDATE SET \
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
pub(in crate::store) const CALL_UPSERT_ROW: &str = "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
     COALESCE($13, (SELECT id FROM customers WHERE company_id = $1 AND phone = $5)), $14, $15, \
     EXISTS (SELECT 1 FROM appointments a WHERE a.company_id = $1 AND a.call_id = $3), $16, $16)";

/// Stores a delivery handled as it arrived (`$8`: processed or ignored) unless its company has
/// one with its dedupe key; returns its id, or no row. Also run by the hot writes (`hot.rs`).
pub(in crate::store) const INSERT_HANDLED_EVENT: &str = "INSERT INTO webhook_events \
     (company_id, source, event, external_id, dedupe_key, payload, received_at, status, attempts, processed_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $7) ON CONFLICT (company_id, dedupe_key) DO NOTHING RETURNING id";

/// Stores a webhook delivery unless its company has one with its dedupe key; returns its id, or
/// no row.
pub(in crate::store) const INSERT_EVENT: &str = "INSERT INTO webhook_events \
     (company_id, source, event, external_id, dedupe_key, payload, received_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (company_id, dedupe_key) DO NOTHING RETURNING id";

/// Looks a delivery up by its dedupe key: the same condition as the conflict target of
/// [`INSERT_EVENT`] and [`INSERT_HANDLED_EVENT`] (`ON CONFLICT (company_id, dedupe_key)`), which
/// the unique constraint behind it serves. Only `performance:analyze` runs it, to plan the
/// dedupe check that every delivery's INSERT makes.
pub(in crate::store) const WEBHOOK_BY_DEDUPE_KEY: &str =
    "SELECT id FROM webhook_events WHERE company_id = $1 AND dedupe_key = $2";

pub(in crate::store) const CALL_COLUMNS: &str =
    "id, company_id, branch_id, retell_call_id, agent_id, from_number, to_number, direction, status, \
     started_at, ended_at, duration_ms, disconnection_reason, customer_id, booked, service_predicted, \
     summary, sentiment";

/// A company's call record by Retell's call id.
pub(in crate::store) static CALL_BY_RETELL_ID: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {CALL_COLUMNS} FROM calls WHERE company_id = $1 AND retell_call_id = $2"));

/// A company's calls started in `[$2, $3)`, by start.
pub(in crate::store) static CALLS_STARTED: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {CALL_COLUMNS} FROM calls WHERE company_id = $1 AND started_at >= $2 AND started_at < $3 \
         ORDER BY started_at, id LIMIT 10000"
    )
});

/// [`CallStore`](crate::store::CallStore) for a store type and its sqlx database (see `sql_store!`).
macro_rules! call_sql {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::CallStore for $store {
            async fn record_webhook_event(&self, e: &NewWebhookEvent) -> Result<Option<i64>> {
                Ok(sqlx::query_scalar(INSERT_EVENT)
                    .bind(e.company_id)
                    .bind(e.source)
                    .bind(&e.event)
                    .bind(&e.external_id)
                    .bind(&e.dedupe_key)
                    .bind(&e.payload)
                    .bind(now_ms())
                    .fetch_optional(&mut *self.writing().await?)
                    .await?)
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

            async fn backlog(&self, company_id: Option<i64>) -> Result<Backlog> {
                Ok(sqlx::query_as(
                    "SELECT \
                     (SELECT COUNT(*) FROM webhook_events WHERE status = 'failed' AND ($1 IS NULL OR company_id = $1)) AS failed_webhooks, \
                     (SELECT MIN(received_at) FROM webhook_events WHERE status = 'failed' AND ($1 IS NULL OR company_id = $1)) AS oldest_failed_webhook, \
                     (SELECT COUNT(*) FROM notification_outbox WHERE status = 'pending' AND ($1 IS NULL OR company_id = $1)) AS pending_notifications, \
                     (SELECT MIN(created_at) FROM notification_outbox WHERE status = 'pending' AND ($1 IS NULL OR company_id = $1)) AS oldest_pending_notification",
                )
                .bind(company_id)
                .fetch_one(&self.pool)
                .await?)
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
                Ok(sqlx::query_as(&CALL_BY_RETELL_ID).bind(company_id).bind(retell_call_id).fetch_optional(&self.pool).await?)
            }

            async fn calls_started(&self, company_id: i64, from: i64, to: i64) -> Result<Vec<Call>> {
                Ok(sqlx::query_as(&CALLS_STARTED).bind(company_id).bind(from).bind(to).fetch_all(&self.pool).await?)
            }
        }

        impl $store {
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

pub(in crate::store) use call_sql;
