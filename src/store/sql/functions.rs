//! What the custom functions of a live call keep: each call's claim and answer (one answer per
//! `(company, call, function, arguments)`, so a retried request gets the first answer), callback
//! requests and queued notifications.

/// A function call's answer (a claimed call has none until its run answers).
/// Also read inline (`inline.rs`) and by the hot writes (`hot.rs`).
pub(in crate::store) const FUNCTION_ANSWER: &str = "SELECT response FROM function_calls \
     WHERE company_id = $1 AND call_id = $2 AND name = $3 AND args_hash = $4 AND response IS NOT NULL";

/// Claims a function call (`$5` now, `$6` the claim's end) unless it is answered or another
/// run's claim still holds; returns the runs so far (this one included), or no row.
pub(in crate::store) const CLAIM_FUNCTION: &str = "INSERT INTO function_calls \
     (company_id, call_id, name, args_hash, response, claimed_until, attempts, created_at) \
     VALUES ($1, $2, $3, $4, NULL, $6, 1, $5) \
     ON CONFLICT (company_id, call_id, name, args_hash) DO UPDATE \
     SET claimed_until = excluded.claimed_until, attempts = function_calls.attempts + 1 \
     WHERE function_calls.response IS NULL \
     AND (function_calls.claimed_until IS NULL OR function_calls.claimed_until <= excluded.created_at) \
     RETURNING CAST(attempts AS BIGINT)";

/// Keeps a function's answer unless one exists for the same `(company, call, name, arguments)`.
/// Also run by the hot writes (`hot.rs`).
pub(in crate::store) const INSERT_ANSWER: &str = "INSERT INTO function_calls \
     (company_id, call_id, name, args_hash, response, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
     ON CONFLICT (company_id, call_id, name, args_hash) DO NOTHING";

/// [`FunctionStore`](crate::store::FunctionStore) for a store type and its sqlx database (see `sql_store!`).
macro_rules! function_sql {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::FunctionStore for $store {
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
        }
    };
}

pub(in crate::store) use function_sql;
