//! The embedded default: one SQLite file in WAL mode, created on first use.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use super::sql::*;
use super::*;

pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    const BACKEND: Backend = Backend::Sqlite;
    const MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

    /// Opens (creating if needed) the database file and applies pending migrations.
    pub async fn open(url: &str, size: PoolSize) -> Result<SqliteStore> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| Error::config(format!("the SQLite URL '{url}' is not valid")).with_source(e))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // 32 MiB page cache: bulk imports and the hot read paths stay in memory.
            .pragma("cache_size", "-32768");
        let pool =
            SqlitePoolOptions::new().max_connections(size.0.max(1)).connect_with(options).await.map_err(|e| {
                Error::config(format!("cannot open the SQLite database '{url}'"))
                    .with_help("check that the directory exists and is writable")
                    .with_source(e)
            })?;
        Self::MIGRATOR.run(&pool).await?;
        Ok(SqliteStore { pool })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

sql_store!(SqliteStore, sqlx::Sqlite);
