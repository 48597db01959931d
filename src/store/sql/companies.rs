//! Companies (their settings, sealed secrets and greetings) and their branches.

use std::sync::LazyLock;

pub(in crate::store) const COMPANY_COLUMNS: &str = "id, name, email, phone, country, timezone, industry, scheduling, \
     calcom_team_id, calcom_api_key_hint AS calcom_api_key, retell_api_key_hint AS retell_api_key, \
     calcom_webhook_secret_hint AS calcom_webhook_secret, callback_channels, callback_email, enable_smart_service, service_confidence_threshold, \
     enable_staff_preferences, staff_confidence_threshold, cancellation_hours, \
     slot_step_min, slot_buffer_min, min_notice_min, created_at, catalog_version";

pub(in crate::store) const BRANCH_COLUMNS: &str =
    "id, company_id, name, address, phone, email, timezone, business_hours, \
     notify_email, notify_sms_phone, notify_whatsapp, created_at, schedule_version";

/// A company by id. Also read inline (`inline.rs`).
pub(in crate::store) static COMPANY_BY_ID: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {COMPANY_COLUMNS} FROM companies WHERE id = $1"));

/// A branch by id. Also read inline (`inline.rs`).
pub(in crate::store) static BRANCH_BY_ID: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {BRANCH_COLUMNS} FROM branches WHERE id = $1"));

/// [`CompanyStore`](crate::store::CompanyStore) for a store type and its sqlx database (see `sql_store!`).
macro_rules! company_sql {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::CompanyStore for $store {
            async fn insert_company(&self, c: &NewCompany) -> Result<Company> {
                let id = Self::insert_company_in(&mut *self.writing().await?, c, now_ms()).await?;
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

            async fn holds_sealed_secrets(&self) -> Result<bool> {
                let sealed = SecretField::ALL.map(|f| format!("{}_enc IS NOT NULL", f.name())).join(" OR ");
                let sql = format!("SELECT COUNT(*) FROM companies WHERE {sealed}");
                Ok(sqlx::query_scalar::<_, i64>(&sql).fetch_one(&self.pool).await? > 0)
            }

            async fn company_secret(&self, id: i64, field: SecretField) -> Result<Option<String>> {
                let sql = format!("SELECT {}_enc FROM companies WHERE id = $1", field.name());
                Ok(sqlx::query_scalar::<_, Option<String>>(&sql).bind(id).fetch_optional(&self.pool).await?.flatten())
            }

            async fn set_greeting(&self, company_id: i64, kind: GreetingKind, template: &str) -> Result<()> {
                Self::set_greeting_in(&mut *self.writing().await?, company_id, kind, template, now_ms()).await
            }

            async fn greetings(&self, company_id: i64) -> Result<Vec<Greeting>> {
                Ok(sqlx::query_as("SELECT kind, template FROM company_greetings WHERE company_id = $1 ORDER BY kind")
                    .bind(company_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn insert_branch(&self, company_id: i64, b: &NewBranch) -> Result<Branch> {
                let id = Self::insert_branch_in(&mut *self.writing().await?, company_id, b, now_ms()).await?;
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

            async fn onboard(&self, business: &NewBusiness) -> Result<Onboarded> {
                $crate::store::sql::again_if_transient(|| self.onboard_once(business)).await
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
        }

        /// The inserts, on a connection or inside a transaction (`onboard` runs them together).
        impl $store {
            /// [`CompanyStore::onboard`](crate::store::CompanyStore::onboard), once.
            async fn onboard_once(&self, b: &NewBusiness) -> Result<Onboarded> {
                let now = now_ms();
                let mut tx = self.begin_write().await?;
                let company_id = match &b.company {
                    Existing::Id(id) => *id,
                    Existing::New(c) => Self::insert_company_in(&mut tx, c, now).await?,
                };
                for (kind, template) in &b.greetings {
                    Self::set_greeting_in(&mut tx, company_id, *kind, template, now).await?;
                }
                let mut done = Onboarded { company_id, ..Onboarded::default() };
                for branch in &b.branches {
                    done.branch_ids.push(match branch {
                        Existing::Id(id) => *id,
                        Existing::New(new) => Self::insert_branch_in(&mut tx, company_id, new, now).await?,
                    });
                }
                let mut synonyms = Vec::new();
                for s in &b.services {
                    let id = match &s.service {
                        Existing::Id(id) => *id,
                        Existing::New(new) => Self::insert_service_in(&mut tx, company_id, new, now).await?,
                    };
                    done.service_ids.push(id);
                    synonyms.extend(s.synonyms.iter().map(|(synonym, key)| NewSynonym {
                        service_id: id,
                        synonym: synonym.clone(),
                        synonym_key: key.clone(),
                    }));
                }
                done.synonyms = Self::insert_synonyms_in(&mut tx, company_id, &synonyms, now, &|_| {}).await?;
                sqlx::query(BUMP_CATALOG).bind(company_id).execute(&mut *tx).await?;
                for member in &b.staff {
                    let branch_id = *done.branch_ids.get(member.branch).ok_or_else(|| Error::internal("staff of an unknown branch"))?;
                    let id = match &member.staff {
                        Existing::Id(id) => *id,
                        Existing::New(new) => {
                            let new = NewStaff { branch_id, ..new.clone() };
                            Self::insert_staff_in(&mut tx, company_id, &new, now).await?
                        }
                    };
                    let services: Vec<i64> = member.services.iter().filter_map(|i| done.service_ids.get(*i).copied()).collect();
                    done.mappings += Self::assign_services_in(&mut tx, company_id, id, &services).await?;
                    done.staff_ids.push(id);
                }
                tx.commit().await?;
                Ok(done)
            }

            pub(in crate::store) async fn insert_company_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                c: &NewCompany,
                now: i64,
            ) -> Result<i64> {
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
                .fetch_one(conn)
                .await?;
                Ok(id)
            }

            pub(in crate::store) async fn insert_branch_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                company_id: i64,
                b: &NewBranch,
                now: i64,
            ) -> Result<i64> {
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
                .fetch_one(conn)
                .await?;
                Ok(id)
            }

            pub(in crate::store) async fn set_greeting_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                company_id: i64,
                kind: GreetingKind,
                template: &str,
                now: i64,
            ) -> Result<()> {
                sqlx::query(
                    "INSERT INTO company_greetings (company_id, kind, template, updated_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (company_id, kind) DO UPDATE SET template = excluded.template, updated_at = excluded.updated_at",
                )
                .bind(company_id)
                .bind(kind.as_str())
                .bind(template)
                .bind(now)
                .execute(conn)
                .await?;
                Ok(())
            }
        }
    };
}

pub(in crate::store) use company_sql;
