//! Customers, found by their phone number within a company, and their history.

/// A company's customer with a phone number (the caller of a live call).
pub(in crate::store) const CUSTOMER_BY_PHONE: &str =
    "SELECT id, company_id, phone, name, email FROM customers WHERE company_id = $1 AND phone = $2";

/// [`CustomerStore`](crate::store::CustomerStore) for a store type and its sqlx database (see `sql_store!`).
macro_rules! customer_sql {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::CustomerStore for $store {
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
                Ok(sqlx::query_as(CUSTOMER_BY_PHONE)
                    .bind(company_id)
                    .bind(phone)
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
        }
    };
}

pub(in crate::store) use customer_sql;
