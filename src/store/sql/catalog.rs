//! What a company offers and who performs it: services, their synonyms, staff, and which staff
//! member performs which service.
//!
//! Writes to services and synonyms bump the company's `catalog_version` in the same transaction,
//! so that a daemon's kept service matcher sees, from one number read with the company, whether
//! it is current.

use std::sync::LazyLock;

pub(in crate::store) const SERVICE_COLUMNS: &str =
    "s.id, s.company_id, s.branch_id, s.name, s.duration_min, s.price_cents, \
     s.calcom_event_type_id, s.active, \
     (SELECT COUNT(*) FROM service_synonyms y WHERE y.service_id = s.id) AS synonym_count";

pub(in crate::store) const STAFF_COLUMNS: &str =
    "id, company_id, branch_id, name, email, phone, calcom_user_id, working_hours, active";

/// A company's services; with a branch (`$2`), the company-wide ones and that branch's.
/// Also read inline (`inline.rs`).
pub(in crate::store) static SERVICES: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {SERVICE_COLUMNS} FROM services s WHERE s.company_id = $1 \
         AND ($2 IS NULL OR s.branch_id IS NULL OR s.branch_id = $2) ORDER BY s.id"
    )
});

/// Every synonym of a company's services, for service matching. Also read inline (`inline.rs`).
pub(in crate::store) const COMPANY_SYNONYMS: &str =
    "SELECT service_id, synonym FROM service_synonyms WHERE company_id = $1 ORDER BY id";

/// Active staff of branch `$2` who perform service `$3`. Also read inline (`inline.rs`).
pub(in crate::store) static STAFF_FOR_SERVICE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {STAFF_COLUMNS} FROM staff WHERE company_id = $1 AND branch_id = $2 AND active \
         AND id IN (SELECT staff_id FROM staff_services WHERE company_id = $1 AND service_id = $3) ORDER BY id"
    )
});

/// Marks a company's services or synonyms changed (see migration 0009), inside the writing
/// transaction.
pub(in crate::store) const BUMP_CATALOG: &str =
    "UPDATE companies SET catalog_version = catalog_version + 1 WHERE id = $1";

/// Rows per multi-row INSERT: well under both backends' bound-parameter limits.
pub(in crate::store) const BATCH_ROWS: usize = 1000;

/// [`CatalogStore`](crate::store::CatalogStore) for a store type and its sqlx database (see `sql_store!`).
macro_rules! catalog_sql {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::CatalogStore for $store {
            async fn insert_service(&self, company_id: i64, s: &NewService) -> Result<Service> {
                let mut tx = self.begin_write().await?;
                let id = Self::insert_service_in(&mut tx, company_id, s, now_ms()).await?;
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
                let mut tx = self.begin_write().await?;
                let inserted = Self::insert_synonyms_in(&mut tx, company_id, synonyms, now_ms(), on_batch).await?;
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
                let id = Self::insert_staff_in(&mut *self.writing().await?, company_id, s, now_ms()).await?;
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
                let inserted = Self::assign_services_in(&mut tx, company_id, staff_id, service_ids).await?;
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
        }

        /// The inserts, on a connection or inside a transaction (`onboard` runs them together).
        /// Callers that write services or synonyms bump the catalog version in the same
        /// transaction.
        impl $store {
            pub(in crate::store) async fn insert_service_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                company_id: i64,
                s: &NewService,
                now: i64,
            ) -> Result<i64> {
                Ok(sqlx::query_scalar(
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
                .fetch_one(conn)
                .await?)
            }

            /// Inserts synonyms in batches, skipping ones a service already has; how many were new.
            pub(in crate::store) async fn insert_synonyms_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                company_id: i64,
                synonyms: &[NewSynonym],
                now: i64,
                on_batch: &(dyn Fn(u64) + Send + Sync),
            ) -> Result<u64> {
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
                    inserted += query.build().execute(&mut *conn).await?.rows_affected();
                    on_batch(chunk.len() as u64);
                }
                Ok(inserted)
            }

            pub(in crate::store) async fn insert_staff_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                company_id: i64,
                s: &NewStaff,
                now: i64,
            ) -> Result<i64> {
                let (email_key, name_key) = match &s.key {
                    StaffKey::Email(e) => (Some(e.as_str()), $crate::domain::name_key(&s.name)),
                    StaffKey::Name(n) => (None, n.clone()),
                };
                Ok(sqlx::query_scalar(
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
                .fetch_one(conn)
                .await?)
            }

            /// Maps a staff member to services of the same company (existing pairs are kept).
            pub(in crate::store) async fn assign_services_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                company_id: i64,
                staff_id: i64,
                service_ids: &[i64],
            ) -> Result<u64> {
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
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                }
                Ok(inserted)
            }
        }
    };
}

pub(in crate::store) use catalog_sql;
