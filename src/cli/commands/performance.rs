//! `performance:analyze` — slow queries, missing indexes, N+1 requests, caches and
//! housekeeping, with `--fix` for the safe remedies. For weekly checks and CI.

use std::time::Duration;

use clap::Subcommand;

use crate::cli::output::{print_line, table};
use crate::cli::Ctx;
use crate::error::{Error, Result};
use crate::ops::performance::{self, Options, Report, Section};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find slow queries, missing indexes, N+1 requests and cold caches; exit 1 when an error-level finding remains
    #[command(long_about = "Find slow queries, missing indexes, N+1 requests and cold caches; exit 1 when an \
        error-level finding remains.\n\n\
        Reads the counters askpro-daemon saves every minute (store operations with p50/p95, \
        statements per request, cache hits) and plans every hot query askpro issues on the real \
        database: a full scan of a table with --min-rows rows or more is an error, with the CREATE \
        INDEX that fixes it. --fix creates missing indexes, runs ANALYZE, and on SQLite PRAGMA \
        optimize and a WAL checkpoint; it drops indexes only with --drop-unused.")]
    Analyze {
        /// Show only the slow queries, with their plans
        #[arg(long)]
        query: bool,
        /// Apply the safe fixes (missing indexes, ANALYZE, PRAGMA optimize, WAL checkpoint), then report again
        #[arg(long)]
        fix: bool,
        /// With --fix: print the statements, change nothing
        #[arg(long, requires = "fix")]
        dry_run: bool,
        /// With --fix: also drop duplicate and unused indexes
        #[arg(long, requires = "fix")]
        drop_unused: bool,
        /// Plan the queries with values from this company's rows (default: the busiest company)
        #[arg(long, value_parser = super::id_parser())]
        company_id: Option<i64>,
        /// A store operation whose p95 reaches this many milliseconds (or that took a minute in all) is slow
        #[arg(long, value_name = "MS", default_value_t = 20.0, value_parser = milliseconds)]
        slow_ms: f64,
        /// A full scan of a table with at least this many rows is an error (below: a warning)
        #[arg(long, allow_negative_numbers = true, value_name = "ROWS", default_value_t = 1_000, value_parser = clap::value_parser!(i64).range(0..))]
        min_rows: i64,
        /// Read the counters daemons saved in the last DAYS days
        #[arg(long, allow_negative_numbers = true, value_name = "DAYS", default_value_t = 7, value_parser = clap::value_parser!(u64).range(1..=365))]
        days: u64,
    },
}

/// Milliseconds from 0 to an hour.
fn milliseconds(text: &str) -> std::result::Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if (0.0..=3_600_000.0).contains(&v) => Ok(v),
        _ => Err("not a number of milliseconds from 0 to 3600000".to_string()),
    }
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    let Command::Analyze { query, fix, dry_run, drop_unused, company_id, slow_ms, min_rows, days } = cmd;
    let options = Options {
        query_only: query,
        fix,
        dry_run,
        drop_unused,
        company_id,
        slow_ms,
        min_rows,
        window: Duration::from_secs(days * 86_400),
        ..Options::default()
    };
    let app = ctx.app_to_read().await?;
    let report = performance::analyze(app, &options, ctx.ui.spinner().as_ref()).await?;
    if ctx.out.json {
        crate::cli::output::print_json(&serde_json::to_value(&report)?)?;
    } else {
        print_line(&render(&report, &options))?;
    }
    let errors = report.findings.iter().filter(|f| f.severity == performance::Severity::Error).count();
    let help = match (report.failed_fixes(), fix) {
        (0, false) => "each finding names its fix; `askpro performance:analyze --fix` applies the safe ones",
        (0, true) => "each finding names its fix; --fix applied what it safely could",
        _ => "a --fix step failed: its line says why (for a unique index, remove the duplicate rows first)",
    };
    if errors > 0 || report.failed_fixes() > 0 {
        return Err(Error::check_failed(format!(
            "{errors} error-level finding(s) remain{}",
            match report.failed_fixes() {
                0 => String::new(),
                n => format!(", {n} --fix step(s) failed"),
            }
        ))
        .with_help(help)
        .reported());
    }
    Ok(())
}

/// The report for people: a table per section, the plans under them, then what --fix did.
fn render(report: &Report, options: &Options) -> String {
    let mut out = format!(
        "performance:analyze on {} — counters of {} daemon process(es), {} request(s)\n",
        report.backend, report.daemons, report.requests
    );
    if !report.slow_queries.is_empty() {
        out.push_str(&format!("\nSlow queries (p95 ≥ {} ms)\n", options.slow_ms));
        let mut t = table();
        t.set_header(vec!["operation", "calls", "p50 ms", "p95 ms", "total ms"]);
        for s in &report.slow_queries {
            t.add_row(vec![
                s.op.clone(),
                s.calls.to_string(),
                format!("{:.2}", s.p50_ms),
                format!("{:.2}", s.p95_ms),
                format!("{:.0}", s.total_ms),
            ]);
        }
        out.push_str(&t.to_string());
        out.push('\n');
        for s in report.slow_queries.iter().filter(|s| s.sql.is_some()) {
            out.push_str(&format!("\n{}:\n", s.op));
            out.extend(s.sql.iter().flat_map(|sql| sql.lines()).map(|l| format!("  {l}\n")));
            out.push_str("  plan:\n");
            out.push_str(&indent(s.plan.as_deref().unwrap_or_default()));
        }
    } else if options.query_only {
        out.push_str(&format!("\nno store operation with p95 ≥ {} ms\n", options.slow_ms));
    }
    if !report.statements.is_empty() {
        out.push_str("\nTop statements (pg_stat_statements)\n");
        let mut t = table();
        t.set_header(vec!["calls", "mean ms", "total ms", "statement"]);
        for s in &report.statements {
            t.add_row(vec![
                s.calls.to_string(),
                format!("{:.2}", s.mean_ms),
                format!("{:.0}", s.total_ms),
                s.query.chars().take(100).collect(),
            ]);
        }
        out.push_str(&t.to_string());
        out.push('\n');
    }
    let sections = [
        Section::SlowQueries,
        Section::MissingIndexes,
        Section::Indexes,
        Section::NPlusOne,
        Section::Caches,
        Section::Housekeeping,
    ];
    for section in sections {
        // The slow operations are in their own table above; their section keeps the notes.
        let shown = |f: &&performance::Finding| {
            f.section == section
                && !report.slow_queries.iter().any(|s| s.op == f.subject && section == Section::SlowQueries)
        };
        let found: Vec<_> = report.findings.iter().filter(shown).collect();
        if found.is_empty() {
            if section == Section::MissingIndexes && !options.query_only {
                out.push_str("\nMissing indexes: none — every hot query is served by an index\n");
            }
            continue;
        }
        if section != Section::SlowQueries || report.slow_queries.is_empty() {
            out.push_str(&format!("\n{}\n", section.title()));
        }
        for f in &found {
            let mark = match f.severity {
                performance::Severity::Error => "✗",
                performance::Severity::Warn => "!",
                performance::Severity::Info => "·",
            };
            out.push_str(&format!("  {mark} {}: {}\n", f.subject, f.evidence));
            if let Some(plan) = &f.plan {
                let mut lines = plan.lines();
                out.push_str(&format!("    plan: {}\n", lines.next().unwrap_or_default()));
                out.extend(lines.map(|l| format!("          {l}\n")));
            }
            if let Some(fix) = &f.fix {
                out.push_str(&format!("    fix:  {fix}\n"));
            }
        }
    }
    let filled: Vec<_> = report.tables.iter().filter(|t| t.rows > 0).collect();
    if !filled.is_empty() {
        out.push_str(&format!("\nTables ({} empty not shown)\n", report.tables.len() - filled.len()));
        let mut t = table();
        t.set_header(vec!["table", "rows", "size"]);
        for table in filled {
            t.add_row(vec![table.name.clone(), table.rows.to_string(), table.bytes.map_or_else(|| "-".into(), size)]);
        }
        out.push_str(&t.to_string());
        out.push('\n');
    }
    if !report.fixes.is_empty() {
        out.push_str("\n--fix\n");
        for step in &report.fixes {
            out.push_str(&format!("  {}: {}\n", step.outcome, step.statement));
        }
    }
    let count = |s| report.findings.iter().filter(|f| f.severity == s).count();
    out.push_str(&format!(
        "\n{} error(s), {} warning(s), {} note(s)",
        count(performance::Severity::Error),
        count(performance::Severity::Warn),
        count(performance::Severity::Info)
    ));
    out
}

/// Bytes as KB or MB.
fn size(bytes: i64) -> String {
    match bytes {
        b if b >= 10 << 20 => format!("{} MB", b >> 20),
        b => format!("{} KB", b >> 10),
    }
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}
