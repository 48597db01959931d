//! The Retell agents askpro deployed, the phone numbers they answer, and which company and branch
//! a call belongs to (by its agent, else by the number it was made to).

pub(in crate::store) const AGENT_COLUMNS: &str =
    "id, company_id, branch_id, retell_agent_id, engine, engine_id, template, \
     template_version, published_version, deployed_hash, voice_id, language, created_at";

/// The company and branch of an agent askpro registered. Also read inline (`inline.rs`).
pub(in crate::store) const TENANT_BY_AGENT: &str =
    "SELECT company_id, branch_id FROM agents WHERE retell_agent_id = $1";

/// The company and branch of a registered number. Also read inline (`inline.rs`).
pub(in crate::store) const TENANT_BY_NUMBER: &str = "SELECT company_id, branch_id FROM phone_numbers WHERE number = $1";

/// A branch's own number (a unique index, migration 0012, allows one branch; two would be
/// ambiguous).
/// Also read inline (`inline.rs`).
pub(in crate::store) const TENANT_BY_BRANCH_PHONE: &str =
    "SELECT company_id, id AS branch_id FROM branches WHERE phone = $1 LIMIT 2";

/// The branches a number reaches: as a branch's phone, and as a number registered for an agent.
pub(in crate::store) const PHONE_HOLDERS: &str = "SELECT b.company_id, c.name AS company_name, b.id AS branch_id, \
     b.name AS branch_name, FALSE AS registered FROM branches b JOIN companies c ON c.id = b.company_id \
     WHERE b.phone = $1 \
     UNION ALL SELECT b.company_id, c.name, b.id, b.name, TRUE FROM phone_numbers p \
     JOIN branches b ON b.id = p.branch_id JOIN companies c ON c.id = b.company_id WHERE p.number = $1 \
     ORDER BY registered";

/// [`AgentStore`](crate::store::AgentStore) for a store type and its sqlx database (see `sql_store!`).
macro_rules! agent_sql {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::AgentStore for $store {
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

            async fn phone_numbers(&self, company_id: i64) -> Result<Vec<RegisteredNumber>> {
                Ok(sqlx::query_as(
                    "SELECT number, branch_id, agent_id FROM phone_numbers WHERE company_id = $1 ORDER BY id",
                )
                .bind(company_id)
                .fetch_all(&self.pool)
                .await?)
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
        }
    };
}

pub(in crate::store) use agent_sql;
