//! The production store: PostgreSQL, shared by several daemons behind a load balancer.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::sql::*;
use super::*;

/// How long a first connection to the server may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

pub struct PgStore {
    pool: PgPool,
    /// The same pool: PostgreSQL takes concurrent writers.
    writer: PgPool,
}

impl PgStore {
    const BACKEND: Backend = Backend::Postgres;
    const BEGIN_WRITE: &str = "BEGIN";
    /// Taken by a hold's transaction before it writes: holds of one staff member then queue on
    /// the staff row instead of racing into the no-overlap constraint, where two concurrent
    /// inserts can each wait for the other and one is aborted as a deadlock (under a hundred
    /// concurrent calls, more often than a few retries absorb). `NO KEY UPDATE` leaves the
    /// foreign-key checks of other writes on the row unblocked.
    const LOCK_STAFF: Option<&str> = Some("SELECT id FROM staff WHERE company_id = $1 AND id = $2 FOR NO KEY UPDATE");
    pub(super) const MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");
    /// The database's size in bytes.
    const DATABASE_SIZE: &str = "SELECT pg_database_size(current_database())";

    /// Connects and applies pending migrations (serialised across processes by sqlx's advisory lock).
    pub async fn open(url: &str, size: PoolSize) -> Result<PgStore> {
        Self::open_with(url, size, true).await
    }

    /// [`PgStore::open`], migrating only with `migrate`.
    pub async fn open_with(url: &str, size: PoolSize, migrate: bool) -> Result<PgStore> {
        let options = PgConnectOptions::from_str(url).map_err(|e| {
            Error::config(format!("the PostgreSQL URL '{}' is not valid", redact_url(url))).with_source(e)
        })?;
        Self::reach(url, &options).await?;
        let pool = PgPoolOptions::new()
            .max_connections(size.0.max(1))
            .acquire_timeout(Duration::from_secs(10))
            // No ping round trip before every query on the hot path; a connection that broke
            // fails its query and is dropped from the pool.
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(|e| {
                Error::config(format!("cannot connect to PostgreSQL at '{}'", redact_url(url)))
                    .with_help("check ASKPRO_DATABASE_URL and that the server is running")
                    .with_source(e)
            })?;
        if migrate {
            Self::MIGRATOR.run(&pool).await?;
        }
        Ok(PgStore { writer: pool.clone(), pool })
    }

    /// Connects once, directly, so that a server that is down or does not answer fails within
    /// [`CONNECT_TIMEOUT`] and says so. The pool would keep trying for its whole acquire
    /// timeout and then report only that it timed out.
    async fn reach(url: &str, options: &PgConnectOptions) -> Result<()> {
        use sqlx::{ConnectOptions, Connection};
        let at = format!("{}:{}", options.get_host(), options.get_port());
        let failed = |what: String| {
            Error::config(format!("cannot connect to PostgreSQL at {at}: {what}"))
                .with_help(format!("check ASKPRO_DATABASE_URL ({}) and that the server is running", redact_url(url)))
        };
        match tokio::time::timeout(CONNECT_TIMEOUT, options.connect()).await {
            Err(_) => Err(failed(format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()))),
            Ok(Err(sqlx::Error::Io(e))) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                Err(failed("connection refused".to_string()))
            }
            Ok(Err(sqlx::Error::Io(e))) => Err(failed(e.to_string())),
            Ok(Err(e)) => Err(failed(e.to_string()).with_source(e)),
            Ok(Ok(connection)) => {
                let _ = connection.close().await;
                Ok(())
            }
        }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// PostgreSQL checkpoints by itself.
    fn checkpoint_state(&self) -> Option<crate::meter::Checkpoint> {
        None
    }

    /// PostgreSQL answers over a socket anyway: every read goes through the pool.
    fn inline(&self) -> Option<&inline::InlineReads> {
        None
    }

    fn hot_writes(&self) -> Option<&hot::HotWrites> {
        None
    }
}

sql_store!(PgStore, sqlx::Postgres);
