//! `performance:analyze`: where the database time goes, and what would make it go faster.
//!
//! The evidence comes from two places. The daemons' counters (`meter.rs`), saved to the
//! database every minute, say which store operations are slow (p50/p95 from their histograms),
//! which request kinds run one operation over and over (N+1), and how the caches hit. The
//! database itself is asked the rest: every hot query askpro issues (`store::hot_queries`) is
//! planned with representative values from real rows, and a plan that reads a table in full —
//! on PostgreSQL with sequential scans disabled, so a scan means no index can serve it — is a
//! missing index, with the `CREATE INDEX` that fixes it; then indexes nobody uses or that
//! repeat another, table sizes, statistics age, WAL and free pages, and (PostgreSQL)
//! `pg_stat_statements`.
//!
//! `--fix` applies only what is safe and idempotent — the missing indexes, `ANALYZE`, SQLite's
//! `PRAGMA optimize` and a WAL checkpoint — and drops indexes only with `--drop-unused`; the
//! report is then made again, so it shows what remains.

use std::collections::BTreeSet;
use std::time::Duration;

use serde::Serialize;

use super::Progress;
use crate::app::App;
use crate::error::{Error, Result};
use crate::meter::{Snapshot, REPEATED};
use crate::store::{
    hot_queries, Backend, HotQuery, IndexStats, Maintenance, Param, Plan, StatementStats, StorageStats, TableStats,
};

/// What to look at and what to change.
#[derive(Debug, Clone)]
pub struct Options {
    /// Only the slow queries (with their plans).
    pub query_only: bool,
    /// Apply the safe fixes.
    pub fix: bool,
    /// With `fix`: say what would run, run nothing.
    pub dry_run: bool,
    /// With `fix`: also drop duplicate and unused indexes.
    pub drop_unused: bool,
    /// Take representative values from this company's rows.
    pub company_id: Option<i64>,
    /// An operation whose p95 reaches this is slow.
    pub slow_ms: f64,
    /// An operation that took this long in all is slow, whatever its p95.
    pub slow_total_ms: f64,
    /// A full scan of a table with at least this many rows is an error (below: a warning).
    pub min_rows: i64,
    /// How far back saved counters are read.
    pub window: Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            query_only: false,
            fix: false,
            dry_run: false,
            drop_unused: false,
            company_id: None,
            slow_ms: 20.0,
            slow_total_ms: 60_000.0,
            min_rows: 1_000,
            window: Duration::from_secs(7 * 86_400),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warn,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Error => "error",
        }
    }
}

/// The report's sections, in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    SlowQueries,
    MissingIndexes,
    Indexes,
    NPlusOne,
    Caches,
    Housekeeping,
}

impl Section {
    pub fn title(self) -> &'static str {
        match self {
            Section::SlowQueries => "Slow queries",
            Section::MissingIndexes => "Missing indexes",
            Section::Indexes => "Unused and duplicate indexes",
            Section::NPlusOne => "N+1 queries",
            Section::Caches => "Caches",
            Section::Housekeeping => "Housekeeping",
        }
    }
}

/// One thing the analysis found: what, how bad, the evidence, and the fix.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub section: Section,
    pub severity: Severity,
    /// What it is about: an operation, a table, an index, a cache.
    pub subject: String,
    pub evidence: String,
    /// The plan that shows it, where a plan does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// The statement or command that fixes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// A store operation the daemons found slow.
#[derive(Debug, Clone, Serialize)]
pub struct SlowQuery {
    pub op: String,
    pub calls: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub total_ms: f64,
    /// The statement's text, where it is one of the planned hot queries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
}

/// What `--fix` ran (or, with `--dry-run`, would run).
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub statement: String,
    /// `applied`, `planned` (dry run) or the error.
    pub outcome: String,
}

/// The whole report (`--json` prints it as one document).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub backend: &'static str,
    /// Daemons whose saved counters were read, and the requests they counted.
    pub daemons: usize,
    pub requests: u64,
    pub slow_queries: Vec<SlowQuery>,
    pub findings: Vec<Finding>,
    pub tables: Vec<TableStats>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage: Option<StorageStats>,
    /// `pg_stat_statements`' top statements, where available.
    pub statements: Vec<crate::store::StatementStat>,
    pub fixes: Vec<Step>,
}

impl Report {
    /// Whether an error-level finding remains (the command then exits 1).
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// The `--fix` steps that failed.
    pub fn failed_fixes(&self) -> usize {
        self.fixes.iter().filter(|s| s.outcome.starts_with("failed")).count()
    }
}

/// Analyses the database and the saved counters; with `fix`, applies the safe fixes and
/// analyses again.
pub async fn analyze(app: &App, options: &Options, progress: &dyn Progress) -> Result<Report> {
    let report = measure(app, options, progress).await?;
    if !options.fix {
        return Ok(report);
    }
    let steps = fixes(app, &report, options);
    let mut done = Vec::with_capacity(steps.len());
    for step in steps {
        let Some(statement) = step.statement(app.store.backend()) else { continue };
        let outcome = if options.dry_run {
            "planned".to_string()
        } else {
            // Another --fix at the same time (or autovacuum) can make PostgreSQL abort a
            // concurrent index build or ANALYZE; one more try, after it, usually finds it done.
            let mut outcome = app.store.maintain(&step).await;
            if outcome.is_err() {
                tokio::time::sleep(RETRY_AFTER).await;
                outcome = app.store.maintain(&step).await;
            }
            match outcome {
                Ok(()) => "applied".to_string(),
                Err(e) => format!("failed: {e}"),
            }
        };
        done.push(Step { statement, outcome });
    }
    let mut after = if options.dry_run { report } else { measure(app, options, progress).await? };
    after.fixes = done;
    Ok(after)
}

/// How long a failed fix step waits before its one retry.
const RETRY_AFTER: Duration = Duration::from_millis(500);

/// The safe fixes for `report`: its missing indexes, then statistics, optimisation and a
/// checkpoint; drops only with `--drop-unused`.
fn fixes(app: &App, report: &Report, options: &Options) -> Vec<Maintenance> {
    let backend = app.store.backend();
    let mut steps = Vec::new();
    let mut created = BTreeSet::new();
    for q in hot_queries() {
        // A missing index's fix, or an invalid one's (dropped first by `maintain`).
        let create = q.index.create_statement(backend);
        let wanted = report.findings.iter().any(|f| {
            f.section == Section::MissingIndexes && f.fix.as_deref().is_some_and(|fix| fix.ends_with(create.as_str()))
        });
        if wanted && created.insert(q.index.name) {
            steps.push(Maintenance::CreateIndex(q.index));
        }
    }
    if options.drop_unused {
        for f in report.findings.iter().filter(|f| f.section == Section::Indexes && f.fix.is_some()) {
            steps.push(Maintenance::DropIndex { name: f.subject.clone() });
        }
    }
    steps.extend([Maintenance::Analyze, Maintenance::Optimize, Maintenance::Checkpoint]);
    steps
}

async fn measure(app: &App, options: &Options, progress: &dyn Progress) -> Result<Report> {
    let store = app.store.as_ref();
    let backend = store.backend();
    let queries = hot_queries();
    progress.start(queries.len() as u64 + 4, "performance:analyze");

    if let Some(id) = options.company_id {
        if store.company(id).await?.is_none() {
            return Err(Error::not_found(format!("company {id} does not exist"))
                .with_help("askpro company:list shows the companies"));
        }
    }
    let since = crate::store::now_ms() - options.window.as_millis() as i64;
    let mut findings = Vec::new();
    let saved = store.meter_snapshots(since).await?;
    let snapshots: Vec<Snapshot> = saved.iter().filter_map(|json| serde_json::from_str(json).ok()).collect();
    if snapshots.len() < saved.len() {
        findings.push(Finding {
            section: Section::Housekeeping,
            severity: Severity::Info,
            subject: "saved counters".into(),
            evidence: format!(
                "{} saved row(s) in meter_snapshots are not counters this askpro can read (another version, or edited)",
                saved.len() - snapshots.len()
            ),
            plan: None,
            fix: None,
        });
    }
    let counters = Snapshot::merge(&snapshots);
    progress.advance(1);

    let tables = store.table_stats().await?;
    let rows_of = |table: &str| tables.iter().find(|t| t.name == table).map_or(0, |t| t.rows);
    let representative = store.representative(options.company_id).await?;
    let mut plans: Vec<(&HotQuery, Plan)> = Vec::with_capacity(queries.len());
    for q in queries {
        let params = (q.params)(&representative);
        let mut plan = store.explain(q, &params).await?;
        // PostgreSQL prints the values a plan was made for: a customer's number has no place
        // in a report that is pasted into tickets.
        for (i, param) in params.iter().enumerate() {
            if let Param::Text(value) = param {
                if value.len() >= 3 {
                    plan.text = plan.text.replace(value.as_str(), &format!("${}", i + 1));
                }
            }
        }
        plans.push((q, plan));
        progress.advance(1);
    }
    // An operation's statements: one hot query, or several (`tenant_for_call:agent`, `:number` …).
    let planned = |op: &str| -> Option<(String, String)> {
        let mine: Vec<_> = plans.iter().filter(|(q, _)| q.name.split(':').next() == Some(op)).collect();
        let label = |q: &HotQuery| if mine.len() > 1 { format!("[{}] ", q.name) } else { String::new() };
        (!mine.is_empty()).then(|| {
            let sql = mine.iter().map(|(q, _)| format!("{}{}", label(q), q.sql)).collect::<Vec<_>>().join("\n");
            let plan = mine.iter().map(|(q, p)| format!("{}{}", label(q), p.text)).collect::<Vec<_>>().join("\n");
            (sql, plan)
        })
    };

    // Slow queries: from the counters, with the plan where the operation is a hot query.
    let mut slow_queries: Vec<SlowQuery> = counters
        .ops
        .iter()
        .filter(|op| !BACKGROUND_OPS.contains(&op.op.as_str()))
        .filter_map(|op| {
            let p95 = op.quantile_ms(0.95)?;
            let by_p95 = p95 >= options.slow_ms && op.calls >= MIN_CALLS;
            (by_p95 || op.total_ms >= options.slow_total_ms).then(|| {
                let (sql, plan) = planned(&op.op).unzip();
                SlowQuery {
                    op: op.op.clone(),
                    calls: op.calls,
                    p50_ms: op.quantile_ms(0.5).unwrap_or(0.0),
                    p95_ms: p95,
                    total_ms: op.total_ms,
                    sql,
                    plan,
                }
            })
        })
        .collect();
    slow_queries.sort_by(|a, b| b.total_ms.total_cmp(&a.total_ms));
    for s in &slow_queries {
        findings.push(Finding {
            section: Section::SlowQueries,
            severity: Severity::Warn,
            subject: s.op.clone(),
            evidence: format!(
                "{} calls, p50 {:.1} ms, p95 {:.1} ms, {:.0} ms in all",
                s.calls, s.p50_ms, s.p95_ms, s.total_ms
            ),
            plan: s.plan.clone(),
            fix: None,
        });
    }
    let statements = match store.statement_stats().await? {
        StatementStats::Available(list) => list,
        StatementStats::Unavailable(why) => {
            if backend == Backend::Postgres {
                findings.push(Finding {
                    section: Section::SlowQueries,
                    severity: Severity::Info,
                    subject: "pg_stat_statements".into(),
                    evidence: why,
                    plan: None,
                    fix: None,
                });
            }
            Vec::new()
        }
    };
    progress.advance(1);

    let storage = match options.query_only {
        true => None,
        false => {
            let indexes = store.index_stats().await?;
            missing_indexes(&plans, &indexes, &rows_of, options, backend, &mut findings);
            index_findings(&indexes, backend, &mut findings);
            progress.advance(1);
            n_plus_one(&counters, &mut findings);
            caches(&counters, snapshots.len(), &mut findings);
            let storage = store.storage_stats().await?;
            housekeeping(&tables, &storage, options, backend, &mut findings);
            checkpoint(&counters, &storage, &mut findings);
            progress.advance(1);
            if snapshots.is_empty() {
                findings.push(Finding {
                    section: Section::SlowQueries,
                    severity: Severity::Info,
                    subject: "daemon counters".into(),
                    evidence: format!(
                        "no askpro-daemon saved its counters in the last {} days",
                        options.window.as_secs() / 86_400
                    ),
                    plan: None,
                    fix: Some("run askpro-daemon against this database; it saves its counters every minute".into()),
                });
            }
            Some(storage)
        }
    };
    findings.sort_by(|a, b| a.section.cmp(&b.section).then(b.severity.cmp(&a.severity)));
    progress.finish();
    Ok(Report {
        backend: backend.name(),
        daemons: counters.processes(),
        requests: counters.requests.iter().map(|r| r.requests).sum(),
        slow_queries,
        findings,
        // --query shows only the slow operations.
        tables: if options.query_only { Vec::new() } else { tables },
        storage,
        statements,
        fixes: Vec::new(),
    })
}

/// Operations the daemon runs for itself, off every request's path: never slow queries.
const BACKGROUND_OPS: [&str; 1] = ["save_meter_snapshot"];
/// Calls below which an operation's p95 says nothing (one cold start is not a slow query).
const MIN_CALLS: u64 = 20;

/// A hot query whose index is missing (or left invalid by a failed build), with its plan as the
/// evidence of what the database does instead; and one whose plan reads a large table in full,
/// or sorts it, although its index exists. A full scan of a small table is no finding: with
/// statistics both planners may rightly prefer it.
fn missing_indexes(
    plans: &[(&HotQuery, Plan)],
    indexes: &[IndexStats],
    rows_of: &dyn Fn(&str) -> i64,
    options: &Options,
    backend: Backend,
    findings: &mut Vec<Finding>,
) {
    for (q, plan) in plans {
        let name = q.index.existing_name(backend);
        let found = indexes.iter().find(|ix| ix.name == name);
        let rows = rows_of(q.table);
        let large = rows >= options.min_rows;
        let scanned = plan.full_scans.iter().any(|t| t == q.table);
        let create = q.index.create_statement(backend);
        let (severity, evidence, fix) = match found {
            // A unique index is a rule, not a speed-up: without it the upserts that name it
            // (a returning caller, a booking) fail, whatever the table's size.
            None if q.index.unique => (
                Severity::Error,
                format!("unique index {name} is missing: writes that rely on it fail, and the plan reads {}", scan_or_other(scanned, rows, q.table)),
                create,
            ),
            None => (
                if scanned && large { Severity::Error } else { Severity::Warn },
                format!("index {name} is missing: the plan reads {}", scan_or_other(scanned, rows, q.table)),
                create,
            ),
            Some(ix) if !ix.valid => (
                Severity::Error,
                format!("index {name} is invalid (a CREATE INDEX CONCURRENTLY failed, e.g. on duplicate rows): it is kept up to date but never used"),
                format!(
                    "{}; {create}",
                    Maintenance::DropIndex { name: name.to_string() }.statement(backend).unwrap_or_default()
                ),
            ),
            Some(_) if scanned && large => (
                Severity::Warn,
                format!("the plan reads all {rows} rows of {} although {name} exists: statistics may be stale", q.table),
                Maintenance::Analyze.statement(backend).unwrap_or_default(),
            ),
            Some(_) if plan.temp_btree && large => (
                Severity::Warn,
                format!("the plan sorts {} ({rows} rows) in a temporary B-tree", q.table),
                Maintenance::Analyze.statement(backend).unwrap_or_default(),
            ),
            Some(_) => continue,
        };
        findings.push(Finding {
            section: Section::MissingIndexes,
            severity,
            subject: q.name.to_string(),
            evidence: format!("{evidence} ({})", q.purpose),
            plan: Some(plan.text.clone()),
            fix: Some(fix),
        });
    }
}

/// How a plan reads `table` without its index.
fn scan_or_other(scanned: bool, rows: i64, table: &str) -> String {
    match scanned {
        true => format!("all {rows} rows of {table}"),
        false => format!("{table} through another index"),
    }
}

/// Indexes an operator added that repeat another (the same leading columns on the same table),
/// and on PostgreSQL ones never scanned since the statistics were reset. askpro's own indexes
/// and constraints' are never drop candidates.
fn index_findings(indexes: &[IndexStats], backend: Backend, findings: &mut Vec<Finding>) {
    let drop = |name: &str| Maintenance::DropIndex { name: name.to_string() }.statement(backend);
    let own = crate::store::own_indexes(backend);
    let added = |ix: &&IndexStats| !ix.constraint && !ix.unique && !ix.partial && !own.contains(&ix.name);
    for ix in indexes.iter().filter(added) {
        // Of two added indexes on the same columns one is reported; one that repeats askpro's
        // own (or a constraint's) is always the one.
        let covered_by = indexes.iter().find(|other| {
            other.name != ix.name
                && other.table == ix.table
                && !other.partial
                && other.columns.len() >= ix.columns.len()
                && other.columns[..ix.columns.len()] == ix.columns[..]
                && (other.columns.len() > ix.columns.len() || !added(other) || other.name < ix.name)
        });
        if let Some(other) = covered_by {
            findings.push(Finding {
                section: Section::Indexes,
                severity: Severity::Warn,
                subject: ix.name.clone(),
                evidence: format!(
                    "duplicate: {} ({}) is covered by {} ({}) on {}",
                    ix.name,
                    ix.columns.join(", "),
                    other.name,
                    other.columns.join(", "),
                    ix.table
                ),
                plan: None,
                fix: drop(&ix.name),
            });
        } else if ix.scans == Some(0) {
            findings.push(Finding {
                section: Section::Indexes,
                severity: Severity::Info,
                subject: ix.name.clone(),
                evidence: format!(
                    "unused: {} on {} has not been scanned since the statistics were reset",
                    ix.name, ix.table
                ),
                plan: None,
                fix: drop(&ix.name),
            });
        }
    }
}

/// Request kinds in which one operation ran [`REPEATED`] times or more.
fn n_plus_one(counters: &Snapshot, findings: &mut Vec<Finding>) {
    for r in &counters.requests {
        for rep in &r.repeats {
            findings.push(Finding {
                section: Section::NPlusOne,
                severity: Severity::Warn,
                subject: r.kind.clone(),
                evidence: format!(
                    "{} runs {} once per item: up to {} times in one request ({} of {} requests ran it {REPEATED}+ times)",
                    r.kind, rep.op, rep.most, rep.requests, r.requests
                ),
                plan: None,
                fix: Some(format!("read what {} reads for every item in one query", rep.op)),
            });
        }
    }
}

/// The least lookups after which a cache's hit rate says something.
const CACHE_LOOKUPS: u64 = 100;

fn caches(counters: &Snapshot, daemons: usize, findings: &mut Vec<Finding>) {
    for c in &counters.caches {
        let lookups = c.hits + c.misses;
        let rate = if lookups == 0 { 0.0 } else { c.hits as f64 / lookups as f64 * 100.0 };
        let (severity, evidence) = if lookups == 0 {
            (Severity::Info, format!("cold: no lookups since the daemon{} started", if daemons > 1 { "s" } else { "" }))
        } else if lookups >= CACHE_LOOKUPS && rate < 50.0 {
            (Severity::Warn, format!("low hit rate: {rate:.0} % of {lookups} lookups, {} kept", c.entries))
        } else {
            (Severity::Info, format!("{rate:.0} % of {lookups} lookups hit, {} kept", c.entries))
        };
        findings.push(Finding {
            section: Section::Caches,
            severity,
            subject: c.cache.clone(),
            evidence,
            plan: None,
            fix: None,
        });
    }
}

/// The daemons' last WAL checkpoint (SQLite): when, and whether it could copy the whole WAL.
fn checkpoint(counters: &Snapshot, storage: &StorageStats, findings: &mut Vec<Finding>) {
    let Some(c) = counters.checkpoint else { return };
    let age_s = (counters.taken_at - c.at).max(0) / 1_000;
    let stuck = c.checkpointed < c.wal_frames;
    let (severity, evidence) = if stuck && storage.wal_bytes.unwrap_or(0) >= LARGE_WAL {
        (
            Severity::Warn,
            format!(
                "the daemon's last checkpoint copied {} of {} WAL frames: a long read keeps the WAL from starting over",
                c.checkpointed, c.wal_frames
            ),
        )
    } else {
        (
            Severity::Info,
            format!(
                "the daemon's last checkpoint ({age_s} s before its last save) copied {} of {} WAL frames",
                c.checkpointed, c.wal_frames
            ),
        )
    };
    findings.push(Finding {
        section: Section::Housekeeping,
        severity,
        subject: "checkpoint".into(),
        evidence,
        plan: None,
        fix: stuck.then(|| "end long-running readers (backups with .backup are fine); --fix checkpoints".into()),
    });
}

/// WAL above this size is worth a checkpoint.
const LARGE_WAL: i64 = 64 << 20;
/// Statistics older than this are stale.
const STALE_STATISTICS_MS: i64 = 7 * 86_400_000;

fn housekeeping(
    tables: &[TableStats],
    storage: &StorageStats,
    options: &Options,
    backend: Backend,
    findings: &mut Vec<Finding>,
) {
    let analyze = Maintenance::Analyze.statement(backend);
    let mut add = |severity, subject: &str, evidence: String, fix: Option<String>| {
        findings.push(Finding {
            section: Section::Housekeeping,
            severity,
            subject: subject.to_string(),
            evidence,
            plan: None,
            fix,
        })
    };
    let large: Vec<&TableStats> = tables.iter().filter(|t| t.rows >= options.min_rows).collect();
    match backend {
        Backend::Sqlite => {
            if !storage.statistics && !large.is_empty() {
                add(
                    Severity::Warn,
                    "statistics",
                    format!("no ANALYZE statistics, and {} has {} rows", large[0].name, large[0].rows),
                    analyze.clone(),
                );
            }
            if let Some(wal) = storage.wal_bytes.filter(|w| *w >= LARGE_WAL) {
                add(
                    Severity::Warn,
                    "wal",
                    format!("the WAL holds {} MB not yet checkpointed", wal >> 20),
                    Maintenance::Checkpoint.statement(backend),
                );
            }
        }
        Backend::Postgres => {
            let now = crate::store::now_ms();
            for t in &large {
                match t.last_analyzed {
                    Some(at) if now - at < STALE_STATISTICS_MS => {}
                    at => add(
                        Severity::Warn,
                        &t.name,
                        match at {
                            Some(at) => {
                                format!("statistics are {} days old ({} rows)", (now - at) / 86_400_000, t.rows)
                            }
                            None => format!("never analysed ({} rows)", t.rows),
                        },
                        analyze.clone(),
                    ),
                }
                if let Some(dead) = t.dead_rows.filter(|d| *d >= 1_000 && *d * 5 > t.rows) {
                    add(
                        Severity::Warn,
                        &t.name,
                        format!("bloat: {dead} dead rows beside {} live", t.rows),
                        Some(format!("VACUUM (ANALYZE) {}", t.name)),
                    );
                }
            }
        }
    }
    if storage.pages > 1_000 && storage.free_pages * 4 > storage.pages {
        add(
            Severity::Info,
            "free pages",
            format!("{} of {} pages are free", storage.free_pages, storage.pages),
            Some("VACUUM (returns the space; takes a lock while it runs)".into()),
        );
    }
    let bytes: i64 = tables.iter().filter_map(|t| t.bytes).sum();
    let rows: i64 = tables.iter().map(|t| t.rows).sum();
    add(
        Severity::Info,
        "size",
        format!(
            "{} tables, {rows} rows, {} pages of {} bytes{}",
            tables.len(),
            storage.pages,
            storage.page_size,
            if bytes > 0 { format!(" ({} KB in tables)", bytes >> 10) } else { String::new() }
        ),
        None,
    );
}
