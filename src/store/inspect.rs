//! What the store can tell about itself, for `performance:analyze`: the hot-path statements askpro
//! runs and the indexes that serve them ([`hot_queries`]), their plans on the real database
//! ([`InspectStore::explain`]), table, index and storage statistics, PostgreSQL's statement
//! statistics, and the maintenance steps `--fix` may take.
//!
//! Why a catalogue rather than capturing statements as they run: a missing index shows in a plan
//! long before it shows in latencies, and a plan can only be asked for a statement known in
//! advance with parameters that look like real ones ([`Representative`]). Each catalogue entry is
//! the very constant its store method runs, so a changed query is planned as it now is.
//!
//! Plans are asked so that a full scan means *no index can serve the statement*: without
//! statistics SQLite's planner searches any index it can use rather than scan, and on PostgreSQL
//! the plan is asked with sequential scans disabled (see [`InspectStore::explain`]), so that
//! neither a small table nor stale statistics make a `Seq Scan` look cheaper. Two cost choices
//! remain, both on small tables only: SQLite with statistics (after `ANALYZE`) may scan a table of
//! a few rows, and PostgreSQL may read a small table through its primary key from end to end
//! rather than sort. So a full scan is a finding on a table with many rows ([`TableStats::rows`]).
//!
//! The store-side code lives in `sql/inspect.rs` (shared SQL) and `inspect/sqlite.rs`,
//! `inspect/postgres.rs` (the catalogs each backend keeps); plan parsing in `inspect/plan.rs`.
//!
//! [`InspectStore::explain`]: super::InspectStore::explain

mod catalogue;
mod plan;
mod postgres;
mod sqlite;

pub use catalogue::{hot_indexes, hot_queries};
pub(super) use plan::{pg_plan, sqlite_plan};

use super::Backend;

/// A bound parameter of a hot query, as its store method binds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    Int(i64),
    Text(String),
}

/// Parameter values taken from real rows — of the company with the most appointments, or the
/// one asked for — so that plans are those the company's calls get. Where a table is empty a
/// harmless stand-in is used (0, `"+490000000000"`, …): the plan is then that of a miss.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Representative {
    pub company_id: i64,
    pub branch_id: i64,
    pub staff_id: i64,
    pub service_id: i64,
    pub customer_id: i64,
    /// A customer's phone number.
    pub phone: String,
    /// A Retell call id.
    pub call_id: String,
    pub retell_agent_id: String,
    /// A number calls are made to (registered for an agent, else a branch's phone).
    pub number: String,
    /// An appointment's id at its calendar backend.
    pub external_uid: String,
    /// Now, in ms since the epoch: time windows are planned from here.
    pub now: i64,
}

/// Where an index is a table constraint's (`UNIQUE` in `CREATE TABLE`, or added as a
/// constraint), its name on each backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConstraintIndex {
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

/// An index a hot query needs, as the latest migrations define it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexDef {
    /// The name `CREATE INDEX` gives it (a migration's name, or for a constraint's index the
    /// PostgreSQL constraint's name, under which SQLite can create an equivalent one).
    pub name: &'static str,
    pub table: &'static str,
    /// The column list and any predicate, as in the migration:
    /// `"(company_id, phone) WHERE phone IS NOT NULL"`.
    pub columns: &'static str,
    pub unique: bool,
    /// Set where a table constraint provides the index: then its name in a migrated database
    /// differs by backend ([`IndexDef::existing_name`]).
    pub constraint: Option<ConstraintIndex>,
}

impl IndexDef {
    /// The statement that creates the index unless it exists. On PostgreSQL it is built
    /// `CONCURRENTLY`, so writes go on meanwhile; that cannot run inside a transaction.
    pub fn create_statement(&self, backend: Backend) -> String {
        let unique = if self.unique { "UNIQUE " } else { "" };
        let concurrently = match backend {
            Backend::Sqlite => "",
            Backend::Postgres => "CONCURRENTLY ",
        };
        format!("CREATE {unique}INDEX {concurrently}IF NOT EXISTS {} ON {} {}", self.name, self.table, self.columns)
    }

    /// The index's name in a database `backend`'s migrations made: a constraint's automatic
    /// index is `sqlite_autoindex_<table>_<n>` on SQLite and the constraint's name on PostgreSQL.
    pub fn existing_name(&self, backend: Backend) -> &'static str {
        match (self.constraint, backend) {
            (Some(c), Backend::Sqlite) => c.sqlite,
            (Some(c), Backend::Postgres) => c.postgres,
            (None, _) => self.name,
        }
    }

    /// The indexed columns, in order.
    pub fn column_names(&self) -> Vec<&'static str> {
        let list = self.columns.trim_start().strip_prefix('(').unwrap_or(self.columns);
        let list = list.split(')').next().unwrap_or_default();
        list.split(',').map(str::trim).filter(|c| !c.is_empty()).collect()
    }

    /// The predicate of a partial index (`phone IS NOT NULL`), if it has one.
    pub fn predicate(&self) -> Option<&'static str> {
        self.columns.split_once(" WHERE ").map(|(_, p)| p.trim())
    }
}

/// A statement askpro runs on a live call's path (or on every webhook), planned by
/// `performance:analyze`.
#[derive(Debug, Clone, Copy)]
pub struct HotQuery {
    /// The store method that runs it (`tenant_for_call:agent`: one of that method's statements).
    pub name: &'static str,
    /// What it is for, in a few words.
    pub purpose: &'static str,
    /// The table it is about: a full scan of it is the finding.
    pub table: &'static str,
    /// The statement, the very constant the store method runs.
    pub sql: &'static str,
    /// Its parameters, `$1` first, made from representative values.
    pub params: fn(&Representative) -> Vec<Param>,
    /// The index that serves it.
    pub index: &'static IndexDef,
}

/// A statement's plan as the database would run it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Readable, one line per plan node, children indented under their parent.
    pub text: String,
    /// Tables read in full: SQLite `SCAN t` (also through an index with no condition, or with an
    /// automatic index SQLite builds for the statement); PostgreSQL a `Seq Scan`, or an index
    /// scan without an index condition. Each table once.
    pub full_scans: Vec<String>,
    /// Whether rows are sorted after reading: SQLite `USE TEMP B-TREE`, a PostgreSQL Sort node.
    pub temp_btree: bool,
    /// The indexes the plan uses, each once, in plan order.
    pub indexes: Vec<String>,
}

impl Plan {
    /// Whether the plan uses the index `name`.
    pub fn uses(&self, name: &str) -> bool {
        self.indexes.iter().any(|i| i == name)
    }

    /// Whether the plan reads `table` in full.
    pub fn scans(&self, table: &str) -> bool {
        self.full_scans.iter().any(|t| t == table)
    }
}

/// One of askpro's tables (not sqlx's `_sqlx_migrations`, nor SQLite's own).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableStats {
    pub name: String,
    /// Rows: counted (SQLite; PostgreSQL below a million estimated rows), else the statistics'
    /// estimate.
    pub rows: i64,
    /// The table's own size (without its indexes): SQLite from `dbstat` where the library has
    /// it, PostgreSQL `pg_table_size`.
    pub bytes: Option<i64>,
    /// When its statistics were last gathered (ms since the epoch): PostgreSQL's latest of
    /// `last_analyze` and `last_autoanalyze`; SQLite keeps no date.
    pub last_analyzed: Option<i64>,
    /// Dead rows awaiting vacuum (PostgreSQL `n_dead_tup`): the bloat estimate.
    pub dead_rows: Option<i64>,
}

/// One index of askpro's tables.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IndexStats {
    pub name: String,
    pub table: String,
    /// The key columns in order (an expression as the database prints it).
    pub columns: Vec<String>,
    pub unique: bool,
    /// A primary key's or table constraint's index (unique, exclusion): never a drop candidate.
    pub constraint: bool,
    pub partial: bool,
    /// Scans since statistics were reset (PostgreSQL `pg_stat_user_indexes.idx_scan`).
    pub scans: Option<i64>,
    pub bytes: Option<i64>,
    /// False for a PostgreSQL index left invalid by a failed `CREATE INDEX CONCURRENTLY`: it is
    /// maintained on every write but never used.
    pub valid: bool,
}

/// The database file (SQLite) or database (PostgreSQL) as a whole.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StorageStats {
    pub page_size: i64,
    /// Pages in use: the file's (SQLite), the database's size in blocks (PostgreSQL).
    pub pages: i64,
    /// SQLite's free list: pages a `VACUUM` would give back. 0 on PostgreSQL, where free space
    /// is kept per table (see [`TableStats::dead_rows`]).
    pub free_pages: i64,
    /// The size of SQLite's `-wal` file (0 when it does not exist).
    pub wal_bytes: Option<i64>,
    /// Whether the planner has statistics: SQLite's `sqlite_stat1` exists and has rows;
    /// PostgreSQL has analyzed any of askpro's tables.
    pub statistics: bool,
    /// When PostgreSQL's statistics (index scans, dead rows) were last reset, ms since the epoch.
    pub stats_reset: Option<i64>,
}

/// Statement statistics kept by the database itself.
#[derive(Debug, Clone, PartialEq)]
pub enum StatementStats {
    /// The statements of this database that took the most time, longest first.
    Available(Vec<StatementStat>),
    /// Why there are none, and how to get them.
    Unavailable(String),
}

/// One normalised statement from `pg_stat_statements`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StatementStat {
    pub query: String,
    pub calls: i64,
    pub total_ms: f64,
    pub mean_ms: f64,
    pub rows: i64,
}

/// A step `performance:analyze --fix` can take. Every step is idempotent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Maintenance {
    /// Creates a missing index (PostgreSQL: concurrently).
    CreateIndex(&'static IndexDef),
    /// Drops an index (PostgreSQL: concurrently); nothing if it does not exist.
    DropIndex { name: String },
    /// Gathers the planner's statistics.
    Analyze,
    /// SQLite `PRAGMA optimize`; nothing to do on PostgreSQL (autovacuum analyzes).
    Optimize,
    /// Copies SQLite's WAL into the database and truncates it; nothing to do on PostgreSQL.
    Checkpoint,
}

impl Maintenance {
    /// The statement the step runs on `backend`, or `None` where it does not apply.
    pub fn statement(&self, backend: Backend) -> Option<String> {
        let sqlite = backend == Backend::Sqlite;
        match self {
            Maintenance::CreateIndex(def) => Some(def.create_statement(backend)),
            Maintenance::DropIndex { name } => {
                let concurrently = if sqlite { "" } else { "CONCURRENTLY " };
                Some(format!("DROP INDEX {concurrently}IF EXISTS {}", quote_identifier(name)))
            }
            Maintenance::Analyze => Some("ANALYZE".into()),
            Maintenance::Optimize => sqlite.then(|| "PRAGMA optimize".into()),
            Maintenance::Checkpoint => sqlite.then(|| "PRAGMA wal_checkpoint(TRUNCATE)".into()),
        }
    }
}

/// `name` as a quoted SQL identifier (both dialects).
fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_per_backend() {
        let def = hot_queries().iter().find(|q| q.name == "customer_by_phone").unwrap().index;
        assert_eq!(
            def.create_statement(Backend::Sqlite),
            "CREATE UNIQUE INDEX IF NOT EXISTS customers_company_phone ON customers (company_id, phone) WHERE phone IS NOT NULL"
        );
        assert_eq!(
            def.create_statement(Backend::Postgres),
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS customers_company_phone ON customers (company_id, phone) \
             WHERE phone IS NOT NULL"
        );
        assert_eq!(def.column_names(), ["company_id", "phone"]);
        assert_eq!(def.predicate(), Some("phone IS NOT NULL"));
        let drop = Maintenance::DropIndex { name: "x\"y".into() };
        assert_eq!(drop.statement(Backend::Postgres).unwrap(), "DROP INDEX CONCURRENTLY IF EXISTS \"x\"\"y\"");
        assert_eq!(drop.statement(Backend::Sqlite).unwrap(), "DROP INDEX IF EXISTS \"x\"\"y\"");
        assert_eq!(Maintenance::Optimize.statement(Backend::Postgres), None);
        assert_eq!(Maintenance::Checkpoint.statement(Backend::Sqlite).unwrap(), "PRAGMA wal_checkpoint(TRUNCATE)");
    }

    #[test]
    fn the_catalogue_binds_every_parameter_it_names() {
        let r = Representative {
            company_id: 1,
            branch_id: 2,
            staff_id: 3,
            service_id: 4,
            customer_id: 5,
            phone: "+49301".into(),
            call_id: "c".into(),
            retell_agent_id: "a".into(),
            number: "+49302".into(),
            external_uid: "u".into(),
            now: 1_000,
        };
        let mut names = std::collections::HashSet::new();
        for q in hot_queries() {
            assert!(names.insert(q.name), "{} twice", q.name);
            let bound = (q.params)(&r).len();
            let highest = (1..=9).filter(|n| q.sql.contains(&format!("${n}"))).max().unwrap_or(0);
            assert_eq!(bound, highest, "{}: binds {bound} parameters, its SQL names ${highest}", q.name);
            assert!(q.sql.contains(q.table), "{} is about {}", q.name, q.table);
            assert_eq!(q.index.table, q.table, "{}: its index is on another table", q.name);
        }
    }
}
