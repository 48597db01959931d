//! The SQL both backends share, written once, by topic.
//!
//! `$1`-style placeholders, `RETURNING`, `ON CONFLICT` and partial indexes mean the same in
//! SQLite and PostgreSQL, so each topic's methods are written once, in a macro that
//! [`sql_store!`] expands for each store type and its sqlx database; dialect-specific work
//! (opening, pragmas, migrations folder, per-staff locking) lives in `sqlite.rs` and
//! `postgres.rs`, as constants and methods the macros call (`BACKEND`, `BEGIN_WRITE`,
//! `LOCK_STAFF`, `MIGRATOR`, `inline()`, `hot_writes()`).
//!
//! | file | trait |
//! |---|---|
//! | `companies.rs` | [`CompanyStore`](super::CompanyStore): companies, greetings, secrets, branches |
//! | `catalog.rs` | [`CatalogStore`](super::CatalogStore): services, synonyms, staff |
//! | `customers.rs` | [`CustomerStore`](super::CustomerStore): customers and their history |
//! | `calendar.rs` | [`CalendarStore`](super::CalendarStore): appointments, holds, busy times |
//! | `agents.rs` | [`AgentStore`](super::AgentStore): agents, phone numbers, a call's tenant |
//! | `calls.rs` | [`CallStore`](super::CallStore): call records, webhook deliveries, batched writes |
//! | `functions.rs` | [`FunctionStore`](super::FunctionStore): function answers, callbacks, notifications |
//! | `inspect.rs` | [`InspectStore`](super::InspectStore): plans, statistics and maintenance for `performance:analyze` (installation-wide) |
//! | `monitoring.rs` | [`MonitoringStore`](super::MonitoringStore): alert settings, sizes and outcomes, alerts (installation-wide) |
//! | here | [`Store`](super::Store) itself (migrations, closing), the write gate, retries |
//!
//! The statements that SQLite's inline reads (`inline.rs`) or hot writes (`hot.rs`) run too are
//! constants that say so: both drivers run the same text. The constants are visible to the whole
//! `store` module because the macros expand in `sqlite.rs` and `postgres.rs`.

mod agents;
mod calendar;
mod calls;
mod catalog;
mod companies;
mod customers;
mod functions;
mod inspect;
mod monitoring;

pub(super) use agents::*;
pub(super) use calendar::*;
pub(super) use calls::*;
pub(super) use catalog::*;
pub(super) use companies::*;
pub(super) use customers::*;
pub(super) use functions::*;
pub(super) use inspect::*;
pub(super) use monitoring::*;

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

/// Implements [`Store`](super::Store) and every topic trait for `$store`, a struct with a
/// `pool` and a `writer` of sqlx database `$db`.
macro_rules! sql_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::Store for $store {
            fn backend(&self) -> $crate::store::Backend {
                Self::BACKEND
            }

            fn last_checkpoint(&self) -> Option<$crate::meter::Checkpoint> {
                self.checkpoint_state()
            }

            async fn close(&self) {
                self.pool.close().await;
                self.writer.close().await;
            }

            async fn migrate(&self) -> Result<Vec<MigrationStatus>> {
                Self::MIGRATOR.run(&self.pool).await?;
                self.migration_status().await
            }

            async fn applied_migrations(&self) -> Result<Vec<i64>> {
                Ok(sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
                    .fetch_all(&self.pool)
                    .await?)
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
        }

        $crate::store::sql::company_sql!($store, $db);
        $crate::store::sql::catalog_sql!($store, $db);
        $crate::store::sql::customer_sql!($store, $db);
        $crate::store::sql::calendar_sql!($store, $db);
        $crate::store::sql::agent_sql!($store, $db);
        $crate::store::sql::call_sql!($store, $db);
        $crate::store::sql::function_sql!($store, $db);
        $crate::store::sql::monitoring_sql!($store, $db);
        $crate::store::sql::inspect_sql!($store, $db);
    };
}

pub(super) use sql_store;
