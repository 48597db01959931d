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
use crate::clients::daemon;
use crate::clients::retell::{Client, RetellError};
use crate::config::{sqlite_path, Settings};
use crate::domain::{BusinessHours, Weekday};
use crate::error::{Error, ErrorKind, Result};
use crate::secrets::{KeySource, MasterKey};
use crate::store::{AgentRecord, Branch, Company, PoolSize, SecretField, Store};

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
    fn new(scope: &str, name: &str, status: Status, detail: impl Into<String>) -> Check {
        Check {
            name: name.to_string(),
            scope: scope.to_string(),
            status,
            detail: detail.into(),
            fix: None,
            missing_config: false,
        }
    }
    fn pass(scope: &str, name: &str, detail: impl Into<String>) -> Check {
        Check::new(scope, name, Status::Pass, detail)
    }
    fn skip(scope: &str, name: &str, detail: impl Into<String>) -> Check {
        Check::new(scope, name, Status::Skip, detail)
    }
    fn fail(scope: &str, name: &str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check { fix: Some(fix.into()), ..Check::new(scope, name, Status::Fail, detail) }
    }
    fn warn(scope: &str, name: &str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check { fix: Some(fix.into()), ..Check::new(scope, name, Status::Warn, detail) }
    }
    /// A failure whose cause is a missing setting.
    fn missing(mut self) -> Check {
        self.missing_config = true;
        self
    }
    /// A failure from an error: its message, and its help (else `fix`) as the fix.
    fn error(scope: &str, name: &str, e: &Error, fix: &str) -> Check {
        let check = Check::fail(scope, name, e.to_string(), e.help().unwrap_or(fix));
        match e.kind() {
            ErrorKind::Config if is_missing(e.message()) => check.missing(),
            _ => check,
        }
    }
}

/// Whether a configuration error says a setting is absent (rather than wrong).
fn is_missing(message: &str) -> bool {
    message.starts_with("no ") || message.contains(" has no ") || message.contains("is not set")
}

/// Every check, in a stable order.
#[derive(Debug, Serialize)]
pub struct Report {
    pub ok: bool,
    pub checks: Vec<Check>,
}

impl Report {
    fn new(checks: Vec<Check>) -> Report {
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

const INSTALLATION: &str = "installation";
const DAEMON: &str = "daemon";
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
async fn timed<T>(
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

fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s:.1}")
    }
}

// --- installation --------------------------------------------------------------------------

/// The public URL's check, and the URL when it is usable.
#[derive(Clone)]
struct Public {
    url: Option<String>,
    check: Check,
}

fn public_url(settings: &Settings) -> Public {
    let name = "public URL";
    let Some(raw) = settings.public_url.as_deref() else {
        return Public {
            url: None,
            check: Check::fail(
                INSTALLATION,
                name,
                "ASKPRO_PUBLIC_URL is not set: agents cannot be pointed at the daemon",
                "export ASKPRO_PUBLIC_URL=https://askpro.example.com (the address Retell reaches askpro-daemon at)",
            )
            .missing(),
        };
    };
    let url = raw.trim_end_matches('/').to_string();
    let parsed = match reqwest::Url::parse(&url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => u,
        _ => {
            return Public {
                url: None,
                check: Check::fail(
                    INSTALLATION,
                    name,
                    format!("ASKPRO_PUBLIC_URL '{raw}' is not an http(s) URL"),
                    "set ASKPRO_PUBLIC_URL to the daemon's address, e.g. https://askpro.example.com",
                ),
            }
        }
    };
    let host = parsed.host_str().unwrap_or("").trim_start_matches('[').trim_end_matches(']');
    let loopback = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    let check = match (parsed.scheme(), loopback) {
        ("https", _) => Check::pass(INSTALLATION, name, url.clone()),
        (_, true) => Check::pass(INSTALLATION, name, format!("{url} (plain http on loopback)")),
        _ => Check::warn(
            INSTALLATION,
            name,
            format!("{url} is plain http: calls' data would cross the network unencrypted"),
            "put the daemon behind TLS and set ASKPRO_PUBLIC_URL to its https:// address",
        ),
    };
    Public { url: Some(url), check }
}

fn describe_database(url: &str) -> String {
    match sqlite_path(url) {
        Some(path) => format!("SQLite {}", path.display()),
        None => format!("PostgreSQL {}", crate::store::redact_url(url)),
    }
}

/// The store as it is: a SQLite file must exist (nothing is created), nothing is migrated.
async fn open(settings: &Settings) -> std::result::Result<Arc<dyn Store>, Check> {
    let name = "database";
    let url = &settings.database_url;
    if let Some(path) = sqlite_path(url) {
        if !path.exists() {
            return Err(Check::fail(
                INSTALLATION,
                name,
                format!("there is no database at {}", path.display()),
                "run in the directory of askpro.db, or set ASKPRO_DATABASE_URL to the installation's database",
            )
            .missing());
        }
    }
    let store = crate::store::open_unmigrated(url, PoolSize(1))
        .await
        .map_err(|e| Check::error(INSTALLATION, name, &e, "check ASKPRO_DATABASE_URL and that the database runs"))?;
    // A query, not only a connection.
    store
        .applied_migrations()
        .await
        .map_err(|e| Check::error(INSTALLATION, name, &e, "check that the database is askpro's (askpro db:status)"))?;
    Ok(store)
}

async fn migrations(app: &App) -> Result<Vec<Check>> {
    let name = "migrations";
    let known = app.store.migration_status().await?;
    let applied = app.store.applied_migrations().await?;
    let pending: Vec<i64> = known.iter().filter(|m| !m.applied).map(|m| m.version).collect();
    let unknown: Vec<i64> = applied.iter().copied().filter(|v| !known.iter().any(|m| m.version == *v)).collect();
    let list = |v: &[i64]| v.iter().map(|n| format!("{n:04}")).collect::<Vec<_>>().join(", ");
    Ok(vec![if !unknown.is_empty() {
        Check::fail(
            INSTALLATION,
            name,
            format!(
                "the database has migration(s) {} that this askpro does not know: it is newer than this binary",
                list(&unknown)
            ),
            "install the askpro release that migrated it (askpro and askpro-daemon from one build)",
        )
    } else if !pending.is_empty() {
        Check::fail(
            INSTALLATION,
            name,
            format!("{} of {} applied; pending: {}", known.len() - pending.len(), known.len(), list(&pending)),
            "askpro db:migrate (back up first), then restart askpro-daemon",
        )
    } else {
        Check::pass(INSTALLATION, name, format!("all {} applied, none unknown", known.len()))
    }])
}

async fn master_key(app: &App) -> Result<Vec<Check>> {
    let name = "master key";
    let companies = app.store.companies().await?;
    let stored: Vec<(i64, SecretField)> = companies
        .iter()
        .flat_map(|c| {
            [
                (c.calcom_api_key.is_some(), SecretField::CalcomApiKey),
                (c.retell_api_key.is_some(), SecretField::RetellApiKey),
                (c.calcom_webhook_secret.is_some(), SecretField::CalcomWebhookSecret),
            ]
            .into_iter()
            .filter(|(has, _)| *has)
            .map(|(_, field)| (c.id, field))
        })
        .collect();
    let source = match &app.settings.master_key {
        KeySource::Env(_) => "ASKPRO_MASTER_KEY".to_string(),
        KeySource::File(path) => path.display().to_string(),
        KeySource::Missing => String::new(),
    };
    // Never created here: a missing key file is a finding.
    let key = match &app.settings.master_key {
        KeySource::File(path) if !path.exists() => {
            return Ok(vec![if stored.is_empty() {
                Check::pass(INSTALLATION, name, format!("no secret stored yet ({source} is created with the first)"))
            } else {
                Check::fail(
                    INSTALLATION,
                    name,
                    format!("{source} is missing, and {} stored secret(s) need it", stored.len()),
                    "restore askpro.key from your backup (or set ASKPRO_MASTER_KEY to the key the secrets were stored with)",
                )
                .missing()
            }]);
        }
        KeySource::Missing => {
            return Ok(vec![Check::fail(
                INSTALLATION,
                name,
                "ASKPRO_MASTER_KEY is not set (PostgreSQL needs it for API keys and webhook secrets)",
                "set ASKPRO_MASTER_KEY (from your secret store, or a new one from `askpro key:generate` if none is stored yet)",
            )
            .missing()]);
        }
        other => MasterKey::load(other),
    };
    let key = match key {
        Ok(key) => key,
        Err(e) => return Ok(vec![Check::error(INSTALLATION, name, &e, "askpro key:generate prints a valid key")]),
    };
    let mut unreadable = Vec::new();
    for (company, field) in &stored {
        if let Some(sealed) = app.store.company_secret(*company, *field).await? {
            if key.open(field.name(), &sealed).is_err() {
                unreadable.push(format!("company {company} {}", field.name()));
            }
        }
    }
    Ok(vec![if unreadable.is_empty() {
        Check::pass(INSTALLATION, name, format!("{source} opens all {} stored secret(s)", stored.len()))
    } else {
        Check::fail(
            INSTALLATION,
            name,
            format!(
                "{source} cannot decrypt {} of {} stored secret(s): {}",
                unreadable.len(),
                stored.len(),
                unreadable.join(", ")
            ),
            "use the master key the secrets were stored with: restore askpro.key or ASKPRO_MASTER_KEY",
        )
    }])
}

/// `askpro.db` (and its `-wal`, `-shm`, `.lock`) and `askpro.key`: readable by the owner only.
fn permissions(settings: &Settings) -> Result<Vec<Check>> {
    let name = "file permissions";
    let Some(db) = sqlite_path(&settings.database_url) else {
        return Ok(vec![Check::skip(INSTALLATION, name, "skipped: PostgreSQL keeps no askpro.db here")]);
    };
    let mut files: Vec<PathBuf> =
        ["", "-wal", "-shm", ".lock"].iter().map(|suffix| PathBuf::from(format!("{}{suffix}", db.display()))).collect();
    if let KeySource::File(key) = &settings.master_key {
        files.push(key.clone());
    }
    let mut open = Vec::new();
    let mut seen = 0;
    for file in files.iter().filter(|f| f.exists()) {
        seen += 1;
        if let Some(mode) = mode(file).filter(|m| m & 0o077 != 0) {
            open.push((file.display().to_string(), mode));
        }
    }
    Ok(vec![if open.is_empty() {
        Check::pass(INSTALLATION, name, format!("{seen} file(s) readable by their owner only (0600)"))
    } else {
        let shown: Vec<String> = open.iter().map(|(f, m)| format!("{f} is {m:04o}")).collect();
        let paths: Vec<&str> = open.iter().map(|(f, _)| f.as_str()).collect();
        Check::fail(
            INSTALLATION,
            name,
            format!("{}: others may read customers' data or the key", shown.join(", ")),
            format!("chmod 600 {}", paths.join(" ")),
        )
    }])
}

#[cfg(unix)]
fn mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).ok().map(|m| m.permissions().mode() & 0o777)
}

#[cfg(not(unix))]
fn mode(_path: &Path) -> Option<u32> {
    None
}

/// Free space on the database's volume: a warning under 10 % or 1 GiB, a failure under 2 %.
fn disk_space(settings: &Settings) -> Result<Vec<Check>> {
    let name = "disk space";
    let Some(db) = sqlite_path(&settings.database_url) else {
        return Ok(vec![Check::skip(INSTALLATION, name, "skipped: the PostgreSQL server's disk is watched there")]);
    };
    let dir = db.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let stat = rustix::fs::statvfs(dir)
        .map_err(|e| Error::internal(format!("cannot read the free space of {}", dir.display())).with_source(e))?;
    let unit = stat.f_frsize.max(1);
    let (free, total) = (stat.f_bavail.saturating_mul(unit), stat.f_blocks.saturating_mul(unit));
    Ok(vec![disk_verdict(&dir.display().to_string(), free, total)])
}

const GIB: u64 = 1 << 30;

fn disk_verdict(dir: &str, free: u64, total: u64) -> Check {
    let name = "disk space";
    let share = if total == 0 { 1.0 } else { free as f64 / total as f64 };
    let detail = format!(
        "{:.1} GiB free of {:.1} GiB ({:.1} %) on the volume of {dir}",
        free as f64 / GIB as f64,
        total as f64 / GIB as f64,
        share * 100.0
    );
    let fix = "free space on that volume (or move the database to a larger one): SQLite stops writing when it is full";
    if share < 0.02 {
        Check::fail(INSTALLATION, name, detail, fix)
    } else if share < 0.10 || free < GIB {
        Check::warn(INSTALLATION, name, detail, fix)
    } else {
        Check::pass(INSTALLATION, name, detail)
    }
}

// --- the daemon ----------------------------------------------------------------------------

/// Reachable at the public URL, the same version and migrations, a signed event accepted and a
/// forged one refused; then what waits for `webhooks:retry` and in the outbox.
async fn daemon_checks(settings: &Settings, public: &Public, app: Option<&App>, req: &Request) -> Vec<Check> {
    let limit = req.timeout;
    let mut checks = Vec::new();
    match &public.url {
        None => {
            for name in ["reachable", "version", "signatures"] {
                checks.push(Check::skip(DAEMON, name, "skipped: no usable ASKPRO_PUBLIC_URL"));
            }
        }
        Some(url) => {
            let ready = readiness(url, app, limit).await;
            // Something answered: whether it verifies signatures is worth knowing even when
            // it is not ready.
            let answered = ready.iter().any(|c| c.name == "version" && c.status != Status::Skip);
            checks.extend(ready);
            checks.push(match answered {
                true => signatures(req, settings, url, app).await,
                false => Check::skip(DAEMON, "signatures", "skipped: the daemon is not reachable"),
            });
        }
    }
    if let Some(app) = app {
        checks.extend(backlog(app, limit).await);
    } else {
        for name in ["failed webhooks", "outbox"] {
            checks.push(Check::skip(DAEMON, name, "skipped: no database"));
        }
    }
    checks
}

/// `GET /readyz`: reachable and ready; the version and migration it reports against this CLI's.
async fn readiness(public: &str, app: Option<&App>, limit: Duration) -> Vec<Check> {
    let url = format!("{public}/readyz");
    let start = "start askpro-daemon (systemctl start askpro-daemon) and check that ASKPRO_PUBLIC_URL leads to it";
    let reply = match daemon::get(&url, limit).await {
        Ok(reply) => reply,
        Err(e) => {
            let cause = std::error::Error::source(&e).map(|s| format!(": {}", root_cause(s))).unwrap_or_default();
            return vec![
                Check::fail(DAEMON, "reachable", format!("cannot reach {url}{cause}"), start),
                Check::skip(DAEMON, "version", "skipped: the daemon is not reachable"),
            ];
        }
    };
    let body: Value = serde_json::from_str(&reply.body).unwrap_or(Value::Null);
    let said = body["status"].as_str().unwrap_or("").to_string();
    let reachable = match (reply.status, said.as_str()) {
        (200, "ready") => Check::pass(DAEMON, "reachable", format!("{url} answers ready")),
        (503, "migrations pending") => Check::fail(
            DAEMON,
            "reachable",
            format!("{url}: the daemon's migrations are pending"),
            "askpro db:migrate, then restart askpro-daemon",
        ),
        (503, _) => Check::fail(
            DAEMON,
            "reachable",
            format!("{url}: {}", if said.is_empty() { "not ready" } else { &said }),
            "check the daemon's log and its database settings (ASKPRO_DATABASE_URL as the CLI has it)",
        ),
        (status, _) => Check::fail(
            DAEMON,
            "reachable",
            format!("{url} answered {status}, not askpro-daemon's readiness"),
            "point ASKPRO_PUBLIC_URL at askpro-daemon (behind its proxy), not at another service",
        ),
    };
    if body.is_null() {
        return vec![reachable, Check::skip(DAEMON, "version", "skipped: the answer was not askpro-daemon's")];
    }
    let ours = env!("CARGO_PKG_VERSION");
    let our_migration = match app {
        Some(app) => app.store.migration_status().await.ok().and_then(|l| l.iter().map(|m| m.version).max()),
        None => None,
    };
    let theirs = body["version"].as_str();
    let their_migration = body["migration"].as_i64();
    let same = "run askpro and askpro-daemon from one build: install both and restart askpro-daemon";
    let version = match theirs {
        None => {
            Check::fail(DAEMON, "version", "the daemon does not say its version: it is older than this askpro", same)
        }
        Some(v) if v != ours => {
            Check::fail(DAEMON, "version", format!("the daemon is askpro {v}, this CLI {ours}"), same)
        }
        Some(_) if our_migration.is_some() && their_migration != our_migration => Check::fail(
            DAEMON,
            "version",
            format!(
                "the daemon knows migrations up to {}, this CLI up to {}",
                their_migration.map_or("none".into(), |m| format!("{m:04}")),
                our_migration.map_or("none".into(), |m| format!("{m:04}"))
            ),
            same,
        ),
        Some(v) => Check::pass(
            DAEMON,
            "version",
            format!(
                "askpro {v}, migrations up to {} as this CLI",
                their_migration.map_or("?".into(), |m| format!("{m:04}"))
            ),
        ),
    };
    vec![reachable, version]
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// One correctly signed function call and one forged, through `retell:trigger`'s code. The call
/// names no agent and no number, so a daemon that verifies it answers 404 (no caller) and
/// stores nothing; a forged signature must get 401.
async fn signatures(req: &Request, settings: &Settings, public: &str, app: Option<&App>) -> Check {
    let limit = req.timeout;
    use super::trigger::{self, Sample, SampleCall};
    let name = "signatures";
    let key = match signing_key(req.signing_key.as_deref(), settings, app).await {
        Some(key) => key,
        None => {
            return Check::fail(
                DAEMON,
                name,
                "no Retell key to sign a test event with",
                "set RETELL_API_KEY to the key askpro-daemon verifies with",
            )
            .missing()
        }
    };
    let sample = Sample::Function("get_current_context".into());
    let call = SampleCall {
        call_id: format!("askpro_preflight_{}", crate::store::now_ms()),
        started_at: crate::store::now_ms(),
        ..Default::default()
    };
    let forged_key = format!("{key}-forged");
    let send = |key: String| {
        let (sample, call) = (sample.clone(), call.clone());
        async move { tokio::time::timeout(limit, trigger::trigger(&sample, &call, public, &key)).await }
    };
    let (signed, forged) = tokio::join!(send(key), send(forged_key));
    let out_of_time = format!("no answer within {} s", seconds(limit));
    let signed = match signed {
        Err(_) => {
            return Check::fail(DAEMON, name, format!("the signed test event: {out_of_time}"), "check the daemon's log")
        }
        Ok(Err(e)) => return Check::error(DAEMON, name, &e, "check that askpro-daemon runs at ASKPRO_PUBLIC_URL"),
        Ok(Ok(d)) => d,
    };
    let forged = match forged {
        Err(_) => {
            return Check::fail(DAEMON, name, format!("the forged test event: {out_of_time}"), "check the daemon's log")
        }
        Ok(Err(e)) => return Check::error(DAEMON, name, &e, "check that askpro-daemon runs at ASKPRO_PUBLIC_URL"),
        Ok(Ok(d)) => d,
    };
    let signed_code = signed.response.pointer("/error/code").and_then(Value::as_str).unwrap_or("");
    if signed.status == 401 {
        return Check::fail(
            DAEMON,
            name,
            format!("the daemon refused a correctly signed event (401 at {})", signed.url),
            "give askpro-daemon and askpro the same RETELL_API_KEY (the key Retell signs with), and restart the daemon",
        );
    }
    if !((200..300).contains(&signed.status) || (signed.status == 404 && signed_code == "not_found")) {
        return Check::fail(
            DAEMON,
            name,
            format!("the signed test event got {} at {}: {}", signed.status, signed.url, signed.response),
            "check the daemon's log; ASKPRO_PUBLIC_URL must lead to askpro-daemon unchanged (the proxy passes bodies as they are)",
        );
    }
    if forged.status != 401 {
        return Check::fail(
            DAEMON,
            name,
            format!("the daemon did not refuse a forged signature ({} at {})", forged.status, forged.url),
            "ASKPRO_PUBLIC_URL must lead to askpro-daemon itself; install askpro-daemon from this build",
        );
    }
    Check::pass(DAEMON, name, "a correctly signed event is accepted, a forged one refused (401)")
}

/// The key to sign with: the one given (`--key`), else `RETELL_API_KEY`, else a company's own
/// Retell key, which the daemon verifies with as well.
async fn signing_key(given: Option<&str>, settings: &Settings, app: Option<&App>) -> Option<String> {
    if let Some(key) = given.filter(|k| !k.is_empty()) {
        return Some(key.to_string());
    }
    if let Some(key) = &settings.retell_api_key {
        return Some(key.clone());
    }
    let app = app?;
    for company in app.store.companies().await.ok()?.iter().filter(|c| c.retell_api_key.is_some()) {
        if let Ok(Some(key)) = app.company_secret(company.id, SecretField::RetellApiKey).await {
            return Some(key);
        }
    }
    None
}

async fn backlog(app: &App, limit: Duration) -> Vec<Check> {
    let fix = "check the database (askpro db:status)";
    let backlog = match tokio::time::timeout(limit, app.store.backlog(None)).await {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => return vec![Check::error(DAEMON, "failed webhooks", &e, fix)],
        Err(_) => {
            return vec![Check::fail(DAEMON, "failed webhooks", format!("no answer within {} s", seconds(limit)), fix)]
        }
    };
    let now = crate::store::now_ms();
    let age = |oldest: Option<i64>| oldest.map(|t| ((now - t).max(0) / 3_600_000) + 1).unwrap_or(1);
    let webhooks = if backlog.failed_webhooks == 0 {
        Check::pass(DAEMON, "failed webhooks", "none waiting for webhooks:retry")
    } else {
        let hours = age(backlog.oldest_failed_webhook);
        Check::fail(
            DAEMON,
            "failed webhooks",
            format!(
                "{} delivery(ies) failed to process, the oldest within the last {hours} h",
                backlog.failed_webhooks
            ),
            format!("askpro webhooks:retry --hours {}", hours.clamp(1, 8760)),
        )
    };
    let outbox = if backlog.pending_notifications == 0 {
        Check::pass(DAEMON, "outbox", "no notification waiting")
    } else {
        let hours = age(backlog.oldest_pending_notification);
        Check::warn(
            DAEMON,
            "outbox",
            format!(
                "{} notification(s) waiting in the outbox, the oldest within the last {hours} h; askpro does not deliver them yet",
                backlog.pending_notifications
            ),
            "tell the companies' staff about their callback requests (askpro has no notification delivery yet)",
        )
    };
    vec![webhooks, outbox]
}

// --- per company ---------------------------------------------------------------------------

/// Everything one company needs to take calls.
async fn company_checks(
    app: &App,
    company: &Company,
    public: &Public,
    req: &Request,
    upstream: &tokio::sync::Semaphore,
) -> Vec<Check> {
    let scope = format!("company {}", company.id);
    let limit = req.timeout;
    let loaded = tokio::time::timeout(limit, async {
        let branches = app.store.branches(company.id).await?;
        let agents = app.store.agents(Some(company.id)).await?;
        let numbers = app.store.phone_numbers(company.id).await?;
        let services = app.store.services(company.id, None).await?;
        let mut staff = Vec::new();
        let mut mapped = Vec::new();
        for b in &branches {
            staff.push(app.store.staff(company.id, b.id).await?);
            mapped.push(app.store.staff_service_names(company.id, b.id).await?);
        }
        Ok::<_, Error>((branches, agents, numbers, services, staff, mapped))
    })
    .await;
    let (branches, agents, numbers, services, staff, mapped) = match loaded {
        Ok(Ok(all)) => all,
        Ok(Err(e)) => return vec![Check::error(&scope, "company", &e, "check the database (askpro db:status)")],
        Err(_) => {
            return vec![Check::fail(
                &scope,
                "company",
                format!("its records did not load within {} s", seconds(limit)),
                "check the database's load",
            )]
        }
    };
    let mut checks = Vec::new();
    if branches.is_empty() {
        checks.push(Check::warn(
            &scope,
            "branches",
            format!("'{}' has no branch: no phone reaches it", company.name),
            format!("askpro branch:create --company-id {} --name NAME --phone PHONE", company.id),
        ));
    }
    // The branch's agent: the one recorded last for it.
    let agent_of = |branch: &Branch| agents.iter().rev().find(|a| a.branch_id == branch.id);
    for (i, branch) in branches.iter().enumerate() {
        let bscope = format!("{scope}, branch {}", branch.id);
        checks.push(match agent_of(branch) {
            Some(a) => Check::pass(&bscope, "agent", format!("'{}' is answered by {}", branch.name, a.retell_agent_id)),
            None => Check::fail(
                &bscope,
                "agent",
                format!("'{}' has no Retell agent", branch.name),
                format!(
                    "askpro retell:clone-agent --from booking-de --company-id {} --branch-id {}",
                    company.id, branch.id
                ),
            ),
        });
        checks.push(can_book(&bscope, branch, &staff[i], &mapped[i]));
    }
    if company.scheduling == "calcom" {
        checks.extend(calcom_mapping(&scope, company, &branches, &services, &staff));
    }

    // What needs Retell and Cal.com.
    if req.skip_external {
        checks.push(Check::skip(&scope, "retell key", EXTERNAL_SKIPPED));
        for branch in branches.iter().filter(|b| agent_of(b).is_some()) {
            let bscope = format!("{scope}, branch {}", branch.id);
            for name in ["agent published", "agent URLs", "agent drift", "phone"] {
                checks.push(Check::skip(&bscope, name, EXTERNAL_SKIPPED));
            }
        }
        if company.scheduling == "calcom" {
            checks.push(Check::skip(&scope, "calcom", CALCOM_SKIPPED));
        }
        return by_branch(checks);
    }
    let calcom = async {
        if company.scheduling != "calcom" {
            return Vec::new();
        }
        let fix = format!(
            "set the key with `askpro company:config --company-id {} --calcom-api-key cal_live_…` and check it with calcom:test-connection",
            company.id
        );
        let _turn = upstream.acquire().await;
        vec![match tokio::time::timeout(limit, super::calcom::test_connection(app, company.id)).await {
            Ok(Ok(c)) => Check::pass(
                &scope,
                "calcom",
                format!(
                    "the key of {} reaches team {} '{}'",
                    c.user.username.as_deref().or(c.user.email.as_deref()).unwrap_or("its user"),
                    c.team.id,
                    c.team.name
                ),
            ),
            Ok(Err(e)) => Check::error(&scope, "calcom", &e, &fix),
            Err(_) => Check::fail(&scope, "calcom", format!("Cal.com did not answer within {} s", seconds(limit)), fix),
        }]
    };
    let retell = retell_checks(app, company, &scope, &branches, &agents, &numbers, public, limit, upstream);
    let (calcom, retell) = tokio::join!(calcom, retell);
    checks.extend(retell);
    checks.extend(calcom);
    by_branch(checks)
}

/// The company's own checks first, then each branch's together, in branch order.
fn by_branch(mut checks: Vec<Check>) -> Vec<Check> {
    checks.sort_by_key(|c| c.scope.split_once(", branch ").and_then(|(_, id)| id.parse::<i64>().ok()));
    checks
}

/// Hours on at least one day, and at least one active staff member who performs a service.
fn can_book(scope: &str, branch: &Branch, staff: &[crate::store::Staff], mapped: &[(i64, String)]) -> Check {
    let name = "can book";
    let open = BusinessHours::parse_json(&branch.business_hours)
        .map(|h| (0..7u8).any(|d| !h.shifts(Weekday(d)).is_empty()))
        .unwrap_or(false);
    if !open {
        return Check::fail(
            scope,
            name,
            format!("'{}' cannot book: it has no opening hours", branch.name),
            "give the branch opening hours (branch:create --business-hours @hours.json; there is no branch:update yet)",
        );
    }
    let active: Vec<&crate::store::Staff> = staff.iter().filter(|s| s.active).collect();
    let Some(first) = active.first() else {
        return Check::fail(
            scope,
            name,
            format!("'{}' cannot book: no active staff member", branch.name),
            format!(
                "askpro staff:create --branch-id {} --name NAME, then askpro staff:assign-services --staff-id ID --services all",
                branch.id
            ),
        );
    };
    let performing = active.iter().filter(|s| mapped.iter().any(|(id, _)| *id == s.id)).count();
    if performing == 0 {
        return Check::fail(
            scope,
            name,
            format!("'{}' cannot book: none of its {} staff member(s) performs a service", branch.name, active.len()),
            format!("askpro staff:assign-services --staff-id {} --services all", first.id),
        );
    }
    Check::pass(
        scope,
        name,
        format!("'{}' is open and {performing} of {} staff member(s) perform services", branch.name, active.len()),
    )
}

/// A Cal.com company: every active service linked to an event type, every staff member to a user.
fn calcom_mapping(
    scope: &str,
    company: &Company,
    branches: &[Branch],
    services: &[crate::store::Service],
    staff: &[Vec<crate::store::Staff>],
) -> Vec<Check> {
    let unmapped: Vec<&str> =
        services.iter().filter(|s| s.active && s.calcom_event_type_id.is_none()).map(|s| s.name.as_str()).collect();
    let services = if unmapped.is_empty() {
        Check::pass(scope, "services mapped", format!("{} service(s), each linked to an event type", services.len()))
    } else {
        Check::fail(
            scope,
            "services mapped",
            format!("not linked to a Cal.com event type, so not bookable: {}", unmapped.join(", ")),
            format!(
                "askpro calcom:import-services --company-id {} --force (links services named like the team's event types)",
                company.id
            ),
        )
    };
    let mut unmapped_staff = Vec::new();
    let mut branch_to_import = None;
    for (branch, members) in branches.iter().zip(staff) {
        for s in members.iter().filter(|s| s.active && s.calcom_user_id.is_none()) {
            unmapped_staff.push(format!("{} (branch {})", s.name, branch.id));
            branch_to_import.get_or_insert(branch.id);
        }
    }
    let staff = match branch_to_import {
        None => Check::pass(scope, "staff mapped", "every active staff member is a Cal.com user"),
        Some(branch) => Check::fail(
            scope,
            "staff mapped",
            format!("not linked to a Cal.com user: {}", unmapped_staff.join(", ")),
            format!("askpro calcom:import-staff --branch-id {branch} (matches team members by e-mail)"),
        ),
    };
    vec![services, staff]
}

/// The company's Retell key; for each branch's agent: published, wired to this daemon, no
/// drift; every number bound to its agent's published version.
#[allow(clippy::too_many_arguments)]
async fn retell_checks(
    app: &App,
    company: &Company,
    scope: &str,
    branches: &[Branch],
    agents: &[AgentRecord],
    numbers: &[crate::store::RegisteredNumber],
    public: &Public,
    limit: Duration,
    upstream: &tokio::sync::Semaphore,
) -> Vec<Check> {
    let client = match super::retell::client(app, company).await {
        Ok(client) => client,
        Err(e) => {
            let mut checks = vec![Check::error(scope, "retell key", &e, "set RETELL_API_KEY")];
            for branch in branches.iter().filter(|b| agents.iter().any(|a| a.branch_id == b.id)) {
                let bscope = format!("{scope}, branch {}", branch.id);
                for name in ["agent published", "agent URLs", "agent drift", "phone"] {
                    checks.push(Check::skip(&bscope, name, "skipped: no Retell key"));
                }
            }
            return checks;
        }
    };
    let key_fix = format!(
        "set a valid key: RETELL_API_KEY, or `askpro company:config --company-id {} --retell-api-key key_…`",
        company.id
    );
    let turn = upstream.acquire().await;
    let voices = tokio::time::timeout(limit, client.list_voices()).await;
    drop(turn);
    let key = match voices {
        Ok(Ok(voices)) => Check::pass(scope, "retell key", format!("valid ({} voices available)", voices.len())),
        Ok(Err(e)) => {
            let check = Check::fail(scope, "retell key", e.to_string(), key_fix);
            let invalid = matches!(e, RetellError::Auth { .. });
            let mut checks = vec![check];
            for branch in branches.iter().filter(|b| agents.iter().any(|a| a.branch_id == b.id)) {
                let bscope = format!("{scope}, branch {}", branch.id);
                for name in ["agent published", "agent URLs", "agent drift", "phone"] {
                    let why = if invalid { "skipped: the Retell key is refused" } else { "skipped: Retell failed" };
                    checks.push(Check::skip(&bscope, name, why));
                }
            }
            return checks;
        }
        Err(_) => {
            Check::fail(scope, "retell key", format!("Retell did not answer within {} s", seconds(limit)), key_fix)
        }
    };
    let per_branch = join_all(branches.iter().filter_map(|branch| {
        let agent = agents.iter().rev().find(|a| a.branch_id == branch.id)?;
        let client = &client;
        Some(async move {
            let _turn = upstream.acquire().await;
            let bscope = format!("{scope}, branch {}", branch.id);
            let mut checks = agent_checks(company, branch, agent, client, public, &bscope, limit).await;
            checks.extend(phone_checks(branch, agent, agents, numbers, client, &bscope, limit).await);
            checks
        })
    }))
    .await;
    let mut checks = vec![key];
    checks.extend(per_branch.into_iter().flatten());
    checks
}

fn clone_fix(company: &Company, branch: &Branch, agent: &AgentRecord) -> String {
    let from = agent.template.clone().unwrap_or_else(|| agent.retell_agent_id.clone());
    format!(
        "askpro retell:clone-agent --from {from} --company-id {} --branch-id {}, then retell:assign-phone the branch's number to the new agent",
        company.id, branch.id
    )
}

async fn agent_checks(
    company: &Company,
    branch: &Branch,
    agent: &AgentRecord,
    client: &Client,
    public: &Public,
    scope: &str,
    limit: Duration,
) -> Vec<Check> {
    let id = &agent.retell_agent_id;
    let clone = clone_fix(company, branch, agent);
    let out_of_time = || format!("Retell did not answer within {} s", seconds(limit));
    let published = async {
        let Some(version) = agent.published_version else {
            return Check::fail(
                scope,
                "agent published",
                format!("askpro recorded no published version of {id}"),
                clone.clone(),
            );
        };
        match tokio::time::timeout(limit, client.get_agent(id, Some(version))).await {
            Err(_) => Check::fail(scope, "agent published", out_of_time(), "try again; check Retell's status page"),
            Ok(Err(RetellError::NotFound { .. })) => Check::fail(
                scope,
                "agent published",
                format!("{id} version {version} does not exist in Retell"),
                clone.clone(),
            ),
            Ok(Err(e)) => Check::fail(scope, "agent published", e.to_string(), "try again; check Retell's status page"),
            Ok(Ok(a)) if !a.is_published => Check::fail(
                scope,
                "agent published",
                format!("{id} version {version} is a draft, not published"),
                format!(
                    "askpro retell:update-voice --agent-id {id} --voice-id {} (publishes a version)",
                    agent.voice_id.as_deref().unwrap_or(super::retell::DEFAULT_VOICE)
                ),
            ),
            Ok(Ok(_)) => Check::pass(scope, "agent published", format!("{id} version {version} is published")),
        }
    };
    let urls = async {
        let Some(public) = public.url.as_deref() else {
            return Check::skip(scope, "agent URLs", "skipped: no usable ASKPRO_PUBLIC_URL");
        };
        let wanted_hook = format!("{public}/retell/webhook");
        let wanted_function = format!("{public}/retell/function");
        let read = async {
            let a = client.get_agent(id, agent.published_version).await?;
            let engine = super::retell::read_engine(client, agent).await?;
            Ok::<_, Error>((a, engine))
        };
        let (a, engine) = match tokio::time::timeout(limit, read).await {
            Err(_) => return Check::fail(scope, "agent URLs", out_of_time(), "try again; check Retell's status page"),
            Ok(Err(e)) => return Check::error(scope, "agent URLs", &e, &clone),
            Ok(Ok(found)) => found,
        };
        let mut wrong = Vec::new();
        match a.webhook_url.as_deref() {
            Some(url) if url == wanted_hook => {}
            other => wrong.push(format!("webhook → {}", other.unwrap_or("none"))),
        }
        let mut tools = Vec::new();
        custom_tool_urls(&engine, &mut tools);
        let mut elsewhere: Vec<&str> = tools.iter().map(String::as_str).filter(|u| *u != wanted_function).collect();
        elsewhere.sort_unstable();
        elsewhere.dedup();
        if !elsewhere.is_empty() {
            wrong.push(format!("functions → {}", elsewhere.join(", ")));
        }
        if wrong.is_empty() {
            Check::pass(scope, "agent URLs", format!("webhook and {} function(s) point at {public}", tools.len()))
        } else {
            Check::fail(
                scope,
                "agent URLs",
                format!("{id} does not point at ASKPRO_PUBLIC_URL {public}: {}", wrong.join("; ")),
                format!(
                    "askpro retell:clone-agent --from {id} --company-id {} --branch-id {} (a copy wired to ASKPRO_PUBLIC_URL), then retell:assign-phone its number",
                    company.id, branch.id
                ),
            )
        }
    };
    let drift = async {
        match tokio::time::timeout(limit, super::retell::drift(client, agent)).await {
            Err(_) => Check::fail(scope, "agent drift", out_of_time(), "try again; check Retell's status page"),
            Ok(Err(e)) => Check::error(scope, "agent drift", &e, "try again; check Retell's status page"),
            Ok(Ok(None)) => Check::pass(scope, "agent drift", format!("{id} is as askpro deployed it")),
            Ok(Ok(Some(what))) => Check::fail(scope, "agent drift", format!("{id}: {what}"), clone.clone()),
        }
    };
    let (published, urls, drift) = tokio::join!(published, urls, drift);
    vec![published, urls, drift]
}

/// Every custom tool's URL anywhere in a flow or LLM.
fn custom_tool_urls(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if map.get("type").and_then(Value::as_str) == Some("custom") {
                if let Some(url) = map.get("url").and_then(Value::as_str) {
                    out.push(url.to_string());
                }
            }
            map.values().for_each(|v| custom_tool_urls(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| custom_tool_urls(v, out)),
        _ => {}
    }
}

/// The branch's numbers — those registered for its agents, else its own phone — each answered
/// by its agent's published version.
async fn phone_checks(
    branch: &Branch,
    agent: &AgentRecord,
    agents: &[AgentRecord],
    numbers: &[crate::store::RegisteredNumber],
    client: &Client,
    scope: &str,
    limit: Duration,
) -> Vec<Check> {
    let mut wanted: Vec<(String, &AgentRecord)> = numbers
        .iter()
        .filter(|n| n.branch_id == branch.id)
        .map(|n| (n.number.clone(), agents.iter().find(|a| Some(a.id) == n.agent_id).unwrap_or(agent)))
        .collect();
    let registered = !wanted.is_empty();
    if let Some(phone) = branch.phone.as_ref().filter(|p| !wanted.iter().any(|(n, _)| n == *p)) {
        wanted.push((phone.clone(), agent));
    }
    if wanted.is_empty() {
        return vec![Check::fail(
            scope,
            "phone",
            format!("'{}' has no phone number: no call reaches its agent", branch.name),
            format!("askpro retell:assign-phone --agent-id {} --phone NUMBER", agent.retell_agent_id),
        )];
    }
    let checks = wanted.into_iter().map(|(number, agent)| async move {
        let assign = format!("askpro retell:assign-phone --agent-id {} --phone {number}", agent.retell_agent_id);
        let own_phone_only = branch.phone.as_deref() == Some(number.as_str()) && registered;
        match tokio::time::timeout(limit, client.get_phone_number(&number)).await {
            Err(_) => {
                Check::fail(scope, "phone", format!("Retell did not answer within {} s", seconds(limit)), "try again")
            }
            Ok(Err(RetellError::NotFound { .. })) if own_phone_only => Check::pass(
                scope,
                "phone",
                format!(
                    "{number} (the branch's own phone) is not a Retell number; calls come in on its registered numbers"
                ),
            ),
            Ok(Err(RetellError::NotFound { .. })) => Check::fail(
                scope,
                "phone",
                format!("{number} is not a number in this Retell account"),
                format!("import {number} in Retell (SIP trunk), then {assign}"),
            ),
            Ok(Err(e)) => Check::fail(scope, "phone", e.to_string(), "try again; check Retell's status page"),
            Ok(Ok(found)) => {
                let inbound = found.inbound_agents.unwrap_or_default();
                let bound = inbound.iter().any(|a| {
                    a["agent_id"].as_str() == Some(agent.retell_agent_id.as_str())
                        && a["agent_version"].as_i64() == agent.published_version
                });
                if bound {
                    Check::pass(
                        scope,
                        "phone",
                        format!(
                            "{number} → {} version {}",
                            agent.retell_agent_id,
                            agent.published_version.unwrap_or_default()
                        ),
                    )
                } else {
                    let now: Vec<String> = inbound
                        .iter()
                        .map(|a| {
                            format!(
                                "{} version {}",
                                a["agent_id"].as_str().unwrap_or("?"),
                                a["agent_version"].as_i64().map_or("latest".into(), |v| v.to_string())
                            )
                        })
                        .collect();
                    Check::fail(
                        scope,
                        "phone",
                        format!(
                            "{number} is answered by {}, not {} version {}",
                            if now.is_empty() { "no agent".to_string() } else { now.join(", ") },
                            agent.retell_agent_id,
                            agent.published_version.map_or("?".into(), |v| v.to_string())
                        ),
                        assign,
                    )
                }
            }
        }
    });
    join_all(checks).await
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
