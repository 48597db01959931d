//! SQLite's side of the introspection: `EXPLAIN QUERY PLAN`, the schema's pragmas, the `dbstat`
//! table (where the library has it) and the `-wal` file beside the database.

use std::collections::HashMap;

use super::super::*;
use super::{quote_identifier, sqlite_plan};

/// askpro's tables: neither SQLite's own nor sqlx's migration table.
const TABLES: &str = "SELECT name FROM sqlite_master WHERE type = 'table' \
     AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_sqlx\\_%' ESCAPE '\\' ORDER BY name";

/// Bytes per table and index. `dbstat` reads every page, and exists only where SQLite was built
/// with it (`SQLITE_ENABLE_DBSTAT_VTAB`).
const SIZES: &str = "SELECT name, CAST(SUM(pgsize) AS INTEGER) FROM dbstat GROUP BY name";

const INDEX_LIST: &str = "SELECT name, \"unique\", origin, partial FROM pragma_index_list($1) ORDER BY name";
/// An index's key columns (`NULL` for an expression).
const INDEX_COLUMNS: &str = "SELECT name FROM pragma_index_info($1) ORDER BY seqno";

const PAGES: &str = "SELECT page_size, page_count, freelist_count \
     FROM pragma_page_size(), pragma_page_count(), pragma_freelist_count()";
const DATABASE_FILE: &str = "SELECT file FROM pragma_database_list WHERE name = 'main'";
const SCHEMA_READ: &str = "SELECT COUNT(*) FROM sqlite_master";
const STATISTICS: &str = "SELECT COUNT(*) FROM sqlite_stat1";

impl SqliteStore {
    pub(in crate::store) async fn explain_statement(&self, sql: &str, params: &[Param]) -> Result<Plan> {
        let mut conn = self.pool().acquire().await?;
        // EXPLAIN reads no table, so SQLite would plan against the schema this connection
        // cached, even after another connection (the writer's `maintain`) changed it; a read of
        // the schema table first brings it up to date.
        sqlx::query(SCHEMA_READ).persistent(false).fetch_one(&mut *conn).await?;
        let explain = format!("EXPLAIN QUERY PLAN {sql}");
        let mut query = sqlx::query_as::<_, (i64, i64, i64, String)>(&explain).persistent(false);
        for param in params {
            query = match param {
                Param::Int(v) => query.bind(*v),
                Param::Text(v) => query.bind(v.clone()),
            };
        }
        let rows = query.fetch_all(&mut *conn).await?;
        let rows: Vec<(i64, i64, String)> =
            rows.into_iter().map(|(id, parent, _, detail)| (id, parent, detail)).collect();
        Ok(sqlite_plan(&rows, sql))
    }

    /// Bytes per table or index name; empty without `dbstat`.
    async fn sizes(&self) -> HashMap<String, i64> {
        sqlx::query_as::<_, (String, i64)>(SIZES).fetch_all(self.pool()).await.unwrap_or_default().into_iter().collect()
    }

    async fn tables(&self) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(TABLES).fetch_all(self.pool()).await?)
    }

    pub(in crate::store) async fn inspect_tables(&self) -> Result<Vec<TableStats>> {
        let sizes = self.sizes().await;
        let mut out = Vec::new();
        for name in self.tables().await? {
            let count = format!("SELECT COUNT(*) FROM {}", quote_identifier(&name));
            let rows: i64 = sqlx::query_scalar(&count).fetch_one(self.pool()).await?;
            let bytes = sizes.get(&name).copied();
            out.push(TableStats { name, rows, bytes, last_analyzed: None, dead_rows: None });
        }
        Ok(out)
    }

    pub(in crate::store) async fn inspect_indexes(&self) -> Result<Vec<IndexStats>> {
        let sizes = self.sizes().await;
        let mut out = Vec::new();
        for table in self.tables().await? {
            let list: Vec<(String, bool, String, bool)> =
                sqlx::query_as(INDEX_LIST).bind(&table).fetch_all(self.pool()).await?;
            for (name, unique, origin, partial) in list {
                let columns: Vec<Option<String>> =
                    sqlx::query_scalar(INDEX_COLUMNS).bind(&name).fetch_all(self.pool()).await?;
                out.push(IndexStats {
                    columns: columns.into_iter().map(|c| c.unwrap_or_else(|| "<expression>".into())).collect(),
                    table: table.clone(),
                    unique,
                    // `pk` and `u`: made for a PRIMARY KEY or UNIQUE in CREATE TABLE.
                    constraint: origin != "c",
                    partial,
                    scans: None,
                    bytes: sizes.get(&name).copied(),
                    valid: true,
                    name,
                });
            }
        }
        Ok(out)
    }

    pub(in crate::store) async fn inspect_storage(&self) -> Result<StorageStats> {
        let (page_size, pages, free_pages): (i64, i64, i64) = sqlx::query_as(PAGES).fetch_one(self.pool()).await?;
        let file: Option<String> = sqlx::query_scalar(DATABASE_FILE).fetch_optional(self.pool()).await?;
        // An in-memory database has no file, and no WAL.
        let wal_bytes = file.filter(|f| !f.is_empty()).map(|f| {
            std::fs::metadata(format!("{f}-wal")).map(|m| i64::try_from(m.len()).unwrap_or(i64::MAX)).unwrap_or(0)
        });
        let analyzed: Option<i64> = sqlx::query_scalar(STATISTICS).fetch_one(self.pool()).await.ok();
        Ok(StorageStats {
            page_size,
            pages,
            free_pages,
            wal_bytes,
            statistics: analyzed.unwrap_or(0) > 0,
            stats_reset: None,
        })
    }

    pub(in crate::store) async fn inspect_statements(&self) -> Result<StatementStats> {
        Ok(StatementStats::Unavailable(
            "SQLite keeps no statement statistics; askpro-daemon's counters cover it".into(),
        ))
    }

    /// SQLite builds an index in one transaction: none is ever left half-built.
    pub(in crate::store) async fn invalid_index(&self, _name: &str) -> Result<bool> {
        Ok(false)
    }
}
