//! PostgreSQL's side of the introspection: `EXPLAIN (FORMAT JSON)`, the system catalogs and
//! statistics views (`pg_index`, `pg_stat_user_tables`, `pg_stat_user_indexes`) and
//! `pg_stat_statements` where it is installed. Everything is read in the schemas on the search
//! path, where askpro's migrations put its tables.

use super::super::*;
use super::{pg_plan, quote_identifier};

/// Tables with more rows than this (by the planner's estimate) are not counted row by row.
const COUNT_BELOW: i64 = 1_000_000;

const TABLES: &str = "SELECT CAST(c.relname AS TEXT), CAST(c.reltuples AS BIGINT), pg_table_size(c.oid), \
     CAST(EXTRACT(EPOCH FROM GREATEST(s.last_analyze, s.last_autoanalyze)) * 1000 AS BIGINT), s.n_dead_tup \
     FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid \
     WHERE s.schemaname = ANY (current_schemas(false)) AND s.relname NOT LIKE '\\_sqlx%' ORDER BY c.relname";

const INDEXES: &str = "SELECT CAST(i.relname AS TEXT), CAST(t.relname AS TEXT), \
     ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true) FROM generate_series(1, x.indnkeyatts) AS k ORDER BY k), \
     x.indisunique, \
     EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid), \
     x.indpred IS NOT NULL, s.idx_scan, pg_relation_size(x.indexrelid), x.indisvalid \
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
     JOIN pg_namespace n ON n.oid = t.relnamespace LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = x.indexrelid \
     WHERE n.nspname = ANY (current_schemas(false)) AND t.relname NOT LIKE '\\_sqlx%' ORDER BY t.relname, i.relname";

const STORAGE: &str = "SELECT CAST(current_setting('block_size') AS BIGINT), pg_database_size(current_database()), \
     EXISTS (SELECT 1 FROM pg_stat_user_tables WHERE schemaname = ANY (current_schemas(false)) \
     AND COALESCE(last_analyze, last_autoanalyze) IS NOT NULL), \
     (SELECT CAST(EXTRACT(EPOCH FROM stats_reset) * 1000 AS BIGINT) FROM pg_stat_database \
     WHERE datname = current_database())";

/// The schema `pg_stat_statements` is installed in, if it is.
const STATEMENTS_SCHEMA: &str = "SELECT CAST(n.nspname AS TEXT) FROM pg_extension e \
     JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_stat_statements'";

/// The 20 statements of this database that took the most time (`{schema}`: the extension's).
const STATEMENTS: &str = "SELECT COALESCE(query, ''), calls, total_exec_time, mean_exec_time, rows \
     FROM {schema}.pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) \
     ORDER BY total_exec_time DESC LIMIT 20";

const HOW_TO_ENABLE: &str = "add pg_stat_statements to shared_preload_libraries in postgresql.conf, restart \
     PostgreSQL, and run CREATE EXTENSION pg_stat_statements in askpro's database";

/// Whether index `$1` was left invalid by a failed concurrent build.
const INVALID_INDEX: &str = "SELECT NOT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)";

impl PgStore {
    /// Plans `sql` with `params` bound, in a transaction that disables sequential scans
    /// (`SET LOCAL enable_seqscan = off`) and is rolled back. The planner then takes any index
    /// that can serve the statement, whatever the table's size and statistics, so a `Seq Scan`
    /// in the plan means that no index can.
    pub(in crate::store) async fn explain_statement(&self, sql: &str, params: &[Param]) -> Result<Plan> {
        let mut tx = self.pool().begin().await?;
        sqlx::Executor::execute(&mut *tx, "SET LOCAL enable_seqscan = off").await?;
        let explain = format!("EXPLAIN (FORMAT JSON) {sql}");
        let mut query = sqlx::query(&explain).persistent(false);
        for param in params {
            query = match param {
                Param::Int(v) => query.bind(*v),
                Param::Text(v) => query.bind(v.clone()),
            };
        }
        let row = query.fetch_one(&mut *tx).await?;
        // A `json` column, read as its text.
        let document: String = sqlx::Row::try_get_unchecked(&row, 0)?;
        tx.rollback().await?;
        let document = serde_json::from_str(&document)
            .map_err(|e| Error::internal("PostgreSQL's plan is not the JSON expected").with_source(e))?;
        Ok(pg_plan(&document))
    }

    pub(in crate::store) async fn inspect_tables(&self) -> Result<Vec<TableStats>> {
        type Row = (String, i64, i64, Option<i64>, Option<i64>);
        let rows: Vec<Row> = sqlx::query_as(TABLES).fetch_all(self.pool()).await?;
        let mut out = Vec::new();
        for (name, estimate, bytes, last_analyzed, dead_rows) in rows {
            let rows = if estimate < COUNT_BELOW {
                let count = format!("SELECT COUNT(*) FROM {}", quote_identifier(&name));
                sqlx::query_scalar(&count).fetch_one(self.pool()).await?
            } else {
                estimate
            };
            out.push(TableStats { name, rows, bytes: Some(bytes), last_analyzed, dead_rows });
        }
        Ok(out)
    }

    pub(in crate::store) async fn inspect_indexes(&self) -> Result<Vec<IndexStats>> {
        type Row = (String, String, Vec<String>, bool, bool, bool, Option<i64>, i64, bool);
        let rows: Vec<Row> = sqlx::query_as(INDEXES).fetch_all(self.pool()).await?;
        Ok(rows
            .into_iter()
            .map(|(name, table, columns, unique, constraint, partial, scans, bytes, valid)| IndexStats {
                name,
                table,
                columns,
                unique,
                constraint,
                partial,
                scans,
                bytes: Some(bytes),
                valid,
            })
            .collect())
    }

    pub(in crate::store) async fn inspect_storage(&self) -> Result<StorageStats> {
        let (page_size, bytes, statistics, stats_reset): (i64, i64, bool, Option<i64>) =
            sqlx::query_as(STORAGE).fetch_one(self.pool()).await?;
        Ok(StorageStats {
            page_size,
            pages: bytes / page_size.max(1),
            free_pages: 0,
            wal_bytes: None,
            statistics,
            stats_reset,
        })
    }

    pub(in crate::store) async fn inspect_statements(&self) -> Result<StatementStats> {
        let schema: Option<String> = sqlx::query_scalar(STATEMENTS_SCHEMA).fetch_optional(self.pool()).await?;
        let Some(schema) = schema else {
            return Ok(StatementStats::Unavailable(format!(
                "pg_stat_statements is not installed in this database: {HOW_TO_ENABLE}"
            )));
        };
        let sql = STATEMENTS.replace("{schema}", &quote_identifier(&schema));
        type Row = (String, i64, f64, f64, i64);
        let read: std::result::Result<Vec<Row>, _> = sqlx::query_as(&sql).fetch_all(self.pool()).await;
        Ok(match read {
            Ok(rows) => StatementStats::Available(
                rows.into_iter()
                    .map(|(query, calls, total_ms, mean_ms, rows)| StatementStat {
                        query,
                        calls,
                        total_ms,
                        mean_ms,
                        rows,
                    })
                    .collect(),
            ),
            // Installed but not loaded at server start, or not readable by this role.
            Err(e) => StatementStats::Unavailable(format!("pg_stat_statements cannot be read ({e}): {HOW_TO_ENABLE}")),
        })
    }

    /// Whether index `name` exists but was left invalid by a failed concurrent build (which
    /// `CREATE INDEX … IF NOT EXISTS` would take for done).
    pub(in crate::store) async fn invalid_index(&self, name: &str) -> Result<bool> {
        let invalid: Option<bool> = sqlx::query_scalar(INVALID_INDEX).bind(name).fetch_optional(self.pool()).await?;
        Ok(invalid.unwrap_or(false))
    }
}
