//! `preflight:check`: is this installation ready to take calls? Every check says pass, fail,
//! warn or skip, with a one-sentence fix (the command to run) for every failure, so CI can gate
//! a release or a go-live on it.
//!
//! The checks look and change nothing: the database is opened without migrating (a pending
//! migration is a finding, not something to apply), the master key is read but never created,
//! and the daemon gets one signed function call that names no caller (answered 404, nothing
//! stored) and one forged one (answered 401). They run concurrently, each within its own
//! timeout, so a run takes about as long as the slowest check.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use serde::Serialize;
use serde_json::Value;

use super::Progress;
use crate::app::App;
use crate::clients::retell::{Client, RetellError};
use crate::config::{sqlite_path, Settings};
use crate::domain::{BusinessHours, Weekday};
use crate::error::{Error, Result};
use crate::secrets::{KeySource, MasterKey};
use crate::store::{AgentRecord, Branch, Company, PoolSize, SecretField, Store};

mod company;
pub(crate) mod daemon;
pub(crate) mod installation;

use company::*;
use daemon::*;
use installation::*;

/// The default time each check may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// What to check.
#[derive(Debug, Clone)]
pub struct Request {
    /// One company's checks, or (`None`) every company's.
    pub company_id: Option<i64>,
    /// Skip whatever needs Retell or Cal.com.
    pub skip_external: bool,
    /// How long each check may take.
    pub timeout: Duration,
    /// The Retell key to sign the daemon's test events with (default: `RETELL_API_KEY`, else a
    /// company's own key).
    pub signing_key: Option<String>,
}

/// Requests to Retell and Cal.com under way at once (a check's timeout starts once it may send).
const UPSTREAM_AT_ONCE: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Skip,
    Warn,
}

impl Status {
    /// The mark a person sees.
    pub fn mark(self) -> &'static str {
        match self {
            Status::Pass => "✓",
            Status::Fail => "✗",
            Status::Skip => "–",
            Status::Warn => "!",
        }
    }
}

/// One check's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub name: String,
    /// `installation`, `daemon`, `company N`, or `company N, branch M`.
    pub scope: String,
    pub status: Status,
    pub detail: String,
    /// For a failure (and some warnings): what to do, naming the command.
    pub fix: Option<String>,
    /// It failed because a setting is missing (exit 6 rather than 1).
    #[serde(skip)]
    pub missing_config: bool,
}

impl Check {
    pub(crate) fn new(scope: &str, name: &str, status: Status, detail: impl Into<String>) -> Check {
        Check {
            name: name.to_string(),
            scope: scope.to_string(),
            status,
            detail: detail.into(),
            fix: None,
            missing_config: false,
        }
    }
    pub(crate) fn pass(scope: &str, name: &str, detail: impl Into<String>) -> Check {
        Check::new(scope, name, Status::Pass, detail)
    }
    pub(crate) fn skip(scope: &str, name: &str, detail: impl Into<String>) -> Check {
        Check::new(scope, name, Status::Skip, detail)
    }
    pub(crate) fn fail(scope: &str, name: &str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check { fix: Some(fix.into()), ..Check::new(scope, name, Status::Fail, detail) }
    }
    pub(crate) fn warn(scope: &str, name: &str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check { fix: Some(fix.into()), ..Check::new(scope, name, Status::Warn, detail) }
    }
    /// A failure whose cause is a missing setting.
    pub(crate) fn missing(mut self) -> Check {
        self.missing_config = true;
        self
    }
    /// A failure from an error: its message, and its help (else `fix`) as the fix.
    pub(crate) fn error(scope: &str, name: &str, e: &Error, fix: &str) -> Check {
        let check = Check::fail(scope, name, e.to_string(), e.help().unwrap_or(fix));
        if e.is_unset() {
            check.missing()
        } else {
            check
        }
    }
}

/// Every check, in a stable order.
#[derive(Debug, Serialize)]
pub struct Report {
    pub ok: bool,
    pub checks: Vec<Check>,
}

impl Report {
    pub(crate) fn new(checks: Vec<Check>) -> Report {
        Report { ok: !checks.iter().any(|c| c.status == Status::Fail), checks }
    }
    pub fn count(&self, status: Status) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }
    /// Whether a failure comes from a missing setting (API key, master key, public URL, database).
    pub fn missing_config(&self) -> bool {
        self.checks.iter().any(|c| c.status == Status::Fail && c.missing_config)
    }
}

pub(crate) const INSTALLATION: &str = "installation";
pub(crate) const DAEMON: &str = "daemon";
const EXTERNAL_SKIPPED: &str = "skipped: needs Retell (--skip-external)";
const CALCOM_SKIPPED: &str = "skipped: needs Cal.com (--skip-external)";

/// Runs every check. The database is opened here, as it is, without migrating.
pub async fn run(settings: Settings, req: &Request, progress: &dyn Progress) -> Report {
    progress.start(0, "preflight");
    let limit = req.timeout;
    let public = public_url(&settings);
    let mut checks = vec![public.check.clone()];
    let store = match timed(
        limit,
        INSTALLATION,
        "database",
        "check ASKPRO_DATABASE_URL and that the database runs",
        open(&settings),
    )
    .await
    {
        Ok(store) => store,
        Err(failed) => {
            checks.push(failed);
            for name in ["migrations", "master key", "file permissions", "disk space"] {
                checks.push(Check::skip(INSTALLATION, name, "skipped: no database"));
            }
            checks.extend(daemon_checks(&settings, &public, None, req).await);
            progress.finish();
            return Report::new(checks);
        }
    };
    checks.push(Check::pass(INSTALLATION, "database", describe_database(&settings.database_url)));
    let app = App::new(store, settings);
    let app = &app;

    let companies: Vec<Company> = match app.store.companies().await {
        Ok(all) => all.into_iter().filter(|c| req.company_id.is_none_or(|id| id == c.id)).collect(),
        Err(e) => {
            checks.push(Check::error(INSTALLATION, "companies", &e, "check the database (askpro db:status)"));
            Vec::new()
        }
    };
    if let Some(id) = req.company_id.filter(|_| companies.is_empty() && checks.iter().all(|c| c.name != "companies")) {
        checks.push(Check::fail(
            INSTALLATION,
            "company",
            format!("there is no company {id}"),
            "list the companies with `askpro company:list`",
        ));
    }
    progress.extend(6 + companies.len() as u64);
    let fix_db = "check the database (askpro db:status)";
    let installation = async {
        let (migrations, key, files, disk) = tokio::join!(
            step(progress, limit, INSTALLATION, "migrations", fix_db, migrations(app)),
            step(progress, limit, INSTALLATION, "master key", fix_db, master_key(app)),
            step(progress, limit, INSTALLATION, "file permissions", fix_db, async { permissions(&app.settings) }),
            step(progress, limit, INSTALLATION, "disk space", fix_db, async { disk_space(&app.settings) }),
        );
        [migrations, key, files, disk].concat()
    };
    let public = &public;
    let daemon = async {
        let checks = daemon_checks(&app.settings, public, Some(app), req).await;
        progress.advance(2);
        checks
    };
    let upstream = &tokio::sync::Semaphore::new(UPSTREAM_AT_ONCE);
    let per_company = join_all(companies.iter().map(|company| async move {
        let checks = company_checks(app, company, public, req, upstream).await;
        progress.advance(1);
        checks
    }));
    let (installation, daemon, per_company) = tokio::join!(installation, daemon, per_company);
    checks.extend(installation);
    checks.extend(daemon);
    checks.extend(per_company.into_iter().flatten());
    app.store.close().await;
    progress.finish();
    Report::new(checks)
}

/// Runs `check` within `limit`; out of time, it is a failure with `fix`.
pub(crate) async fn timed<T>(
    limit: Duration,
    scope: &str,
    name: &str,
    fix: &str,
    check: impl Future<Output = std::result::Result<T, Check>>,
) -> std::result::Result<T, Check> {
    match tokio::time::timeout(limit, check).await {
        Ok(result) => result,
        Err(_) => Err(Check::fail(scope, name, format!("no answer within {} s", seconds(limit)), fix)),
    }
}

/// One step of checks within `limit`, counted on the progress line: a store error or the
/// timeout becomes a failed check named `name`.
async fn step(
    progress: &dyn Progress,
    limit: Duration,
    scope: &str,
    name: &str,
    fix: &str,
    check: impl Future<Output = Result<Vec<Check>>>,
) -> Vec<Check> {
    let checks = match tokio::time::timeout(limit, check).await {
        Ok(Ok(checks)) => checks,
        Ok(Err(e)) => vec![Check::error(scope, name, &e, fix)],
        Err(_) => vec![Check::fail(scope, name, format!("no answer within {} s", seconds(limit)), fix)],
    };
    progress.advance(1);
    checks
}

pub(crate) fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s:.1}")
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn disk_thresholds() {
        let total = 100 * GIB;
        assert_eq!(disk_verdict("/d", 50 * GIB, total).status, Status::Pass);
        assert_eq!(disk_verdict("/d", 9 * GIB, total).status, Status::Warn);
        assert_eq!(disk_verdict("/d", GIB, total).status, Status::Fail);
        assert_eq!(disk_verdict("/d", GIB / 2, 2 * GIB).status, Status::Warn, "under 1 GiB free");
        assert!(disk_verdict("/d", GIB, total).fix.is_some());
    }

    #[test]
    fn custom_tools_anywhere() {
        let flow = json!({"tools": [{"type": "custom", "url": "https://a/retell/function"}, {"type": "end_call"}],
            "states": [{"tools": [{"type": "custom", "url": "https://b/x"}]}]});
        let mut urls = Vec::new();
        custom_tool_urls(&flow, &mut urls);
        assert_eq!(urls, ["https://a/retell/function", "https://b/x"]);
    }

    fn settings(public: Option<&str>) -> Settings {
        let mut s = Settings::resolve(&Default::default(), |_| None).unwrap();
        s.public_url = public.map(str::to_string);
        s
    }

    #[test]
    fn public_url_rules() {
        assert_eq!(public_url(&settings(Some("https://askpro.example.com/"))).check.status, Status::Pass);
        assert_eq!(public_url(&settings(Some("http://127.0.0.1:8080"))).check.status, Status::Pass);
        assert_eq!(public_url(&settings(Some("http://askpro.example.com"))).check.status, Status::Warn);
        assert_eq!(public_url(&settings(Some("askpro.example.com"))).check.status, Status::Fail);
        let missing = public_url(&settings(None)).check;
        assert!(missing.status == Status::Fail && missing.missing_config && missing.fix.is_some());
    }
}
