//! Introspection for `performance:analyze` (see `store/inspect.rs`): representative parameters,
//! and maintenance, written once; plans and statistics come from each backend's catalogs, in
//! `inspect/sqlite.rs` and `inspect/postgres.rs`. Installation-wide, not scoped to a company.

/// The company with the most appointments.
pub(in crate::store) const BUSIEST_COMPANY: &str =
    "SELECT company_id FROM appointments GROUP BY company_id ORDER BY COUNT(*) DESC, company_id LIMIT 1";

/// The first company, for a database without appointments.
pub(in crate::store) const FIRST_COMPANY: &str = "SELECT MIN(id) FROM companies";

/// Company `$1`'s latest appointment: what a call of that company looks at.
pub(in crate::store) const LATEST_APPOINTMENT: &str = "SELECT branch_id, staff_id, service_id, customer_id \
     FROM appointments WHERE company_id = $1 ORDER BY id DESC LIMIT 1";

/// One of each kind of row of company `$1` (`NULL` where it has none).
pub(in crate::store) const COMPANY_SAMPLES: &str = "SELECT \
     (SELECT MIN(id) FROM branches WHERE company_id = $1), \
     (SELECT MIN(id) FROM staff WHERE company_id = $1), \
     (SELECT MIN(id) FROM services WHERE company_id = $1), \
     (SELECT id FROM customers WHERE company_id = $1 AND phone IS NOT NULL ORDER BY id DESC LIMIT 1), \
     (SELECT phone FROM customers WHERE company_id = $1 AND phone IS NOT NULL ORDER BY id DESC LIMIT 1), \
     (SELECT retell_call_id FROM calls WHERE company_id = $1 ORDER BY id DESC LIMIT 1), \
     (SELECT retell_agent_id FROM agents WHERE company_id = $1 ORDER BY id LIMIT 1), \
     (SELECT number FROM phone_numbers WHERE company_id = $1 ORDER BY id LIMIT 1), \
     (SELECT phone FROM branches WHERE company_id = $1 AND phone IS NOT NULL ORDER BY id LIMIT 1), \
     (SELECT external_uid FROM appointments WHERE company_id = $1 AND external_uid IS NOT NULL ORDER BY id DESC LIMIT 1)";

/// The sample rows of [`COMPANY_SAMPLES`].
pub(in crate::store) type CompanySamples = (
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// [`InspectStore`](crate::store::InspectStore) for a store type and its sqlx database (see `sql_store!`).
macro_rules! inspect_sql {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::InspectStore for $store {
            async fn representative(&self, company_id: Option<i64>) -> Result<Representative> {
                let company_id = match company_id {
                    Some(id) => id,
                    None => match sqlx::query_scalar(BUSIEST_COMPANY).fetch_optional(&self.pool).await? {
                        Some(id) => id,
                        None => sqlx::query_scalar::<_, Option<i64>>(FIRST_COMPANY)
                            .fetch_one(&self.pool)
                            .await?
                            .unwrap_or(0),
                    },
                };
                let latest: Option<(i64, Option<i64>, Option<i64>, Option<i64>)> =
                    sqlx::query_as(LATEST_APPOINTMENT).bind(company_id).fetch_optional(&self.pool).await?;
                let (branch, staff, service, customer, phone, call, agent, number, branch_phone, uid): CompanySamples =
                    sqlx::query_as(COMPANY_SAMPLES).bind(company_id).fetch_one(&self.pool).await?;
                let (a_branch, a_staff, a_service, a_customer) = match latest {
                    Some((b, st, sv, c)) => (Some(b), st, sv, c),
                    None => (None, None, None, None),
                };
                Ok(Representative {
                    company_id,
                    branch_id: a_branch.or(branch).unwrap_or(0),
                    staff_id: a_staff.or(staff).unwrap_or(0),
                    service_id: a_service.or(service).unwrap_or(0),
                    customer_id: a_customer.or(customer).unwrap_or(0),
                    phone: phone.unwrap_or_else(|| "+490000000000".into()),
                    call_id: call.unwrap_or_else(|| "call_0".into()),
                    retell_agent_id: agent.unwrap_or_else(|| "agent_0".into()),
                    number: number.or(branch_phone).unwrap_or_else(|| "+490000000000".into()),
                    external_uid: uid.unwrap_or_else(|| "uid_0".into()),
                    now: now_ms(),
                })
            }

            async fn explain(&self, query: &HotQuery, params: &[Param]) -> Result<Plan> {
                self.explain_statement(query.sql, params).await
            }

            async fn table_stats(&self) -> Result<Vec<TableStats>> {
                self.inspect_tables().await
            }

            async fn index_stats(&self) -> Result<Vec<IndexStats>> {
                self.inspect_indexes().await
            }

            async fn storage_stats(&self) -> Result<StorageStats> {
                self.inspect_storage().await
            }

            async fn statement_stats(&self) -> Result<StatementStats> {
                self.inspect_statements().await
            }

            async fn maintain(&self, step: &Maintenance) -> Result<()> {
                let Some(sql) = step.statement(Self::BACKEND) else { return Ok(()) };
                // Each statement on its own, outside any transaction (PostgreSQL's CONCURRENTLY
                // needs that), on the writer connection inside the write gate.
                if let Maintenance::CreateIndex(def) = step {
                    if self.invalid_index(def.name).await? {
                        let drop = Maintenance::DropIndex { name: def.name.to_string() };
                        if let Some(drop) = drop.statement(Self::BACKEND) {
                            sqlx::Executor::execute(&mut *self.writing().await?, drop.as_str()).await?;
                        }
                    }
                }
                // A statement without arguments goes as a simple query: not prepared, nor kept.
                sqlx::Executor::execute(&mut *self.writing().await?, sql.as_str()).await?;
                Ok(())
            }
        }
    };
}

pub(in crate::store) use inspect_sql;
