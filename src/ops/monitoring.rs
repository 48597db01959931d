//! `monitoring:health-check` and `monitoring:configure-alerts`: is the running installation
//! healthy, measured against thresholds stored for the installation, and who hears about it when
//! it is not.
//!
//! The health check produces a preflight [`Report`]: every measure is a [`Check`] that fails when
//! its threshold is breached. It measures the database (reachable, its size), the disk use of the
//! database's volume, the daemon at `ASKPRO_PUBLIC_URL` (`/readyz`), the error rate of the answers
//! and deliveries stored in the last 15 minutes, what the daemon's `/metrics` says about its
//! memory, its CPU and the upstreams (Cal.com, Retell: error rate and p95 latency since it
//! started), and the failed webhooks and outbox backlog. With `--alert`, each failed check is
//! queued into the notification outbox for the configured e-mail and webhook targets, at most
//! once per check an hour.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::json;

use super::preflight::daemon::{backlog, readiness};
use super::preflight::installation::{describe_database, open, public_url};
use super::preflight::{Check, Report, Status, DAEMON, INSTALLATION};
use super::Progress;
use crate::app::App;
use crate::config::{sqlite_path, Settings};
use crate::error::{Error, Result};
use crate::store::{now_ms, AlertSettingsRow, NewAlert};

/// Error rates are measured over this much of the recent past.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// One breach is alerted at most once in this time.
pub const ALERT_QUIET: Duration = Duration::from_secs(3600);
/// An upstream whose 95th percentile latency exceeds this is a breach (seconds).
pub const UPSTREAM_P95_LIMIT: f64 = 2.5;
/// Between the two samples of the daemon's CPU time.
const CPU_SAMPLE: Duration = Duration::from_millis(500);

/// The thresholds when none is set.
pub const DEFAULT_CPU: f64 = 80.0;
pub const DEFAULT_MEMORY: f64 = 1024.0;
pub const DEFAULT_DISK: f64 = 90.0;
pub const DEFAULT_ERROR_RATE: f64 = 5.0;

const UPSTREAM: &str = "upstream";

/// The alert targets and thresholds in force: stored ones, else the defaults.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertConfig {
    pub email: Option<String>,
    pub webhook_url: Option<String>,
    /// Percent of one core the daemon may use.
    pub threshold_cpu: f64,
    /// Megabytes the daemon may keep resident.
    pub threshold_memory: f64,
    /// Percent of the database's volume that may be in use.
    pub threshold_disk: f64,
    /// Percent of answers, deliveries or upstream requests that may fail.
    pub threshold_error_rate: f64,
    /// The thresholds not set, which take their default.
    pub defaults: Vec<&'static str>,
}

impl AlertConfig {
    pub fn from_row(row: &AlertSettingsRow) -> AlertConfig {
        let mut defaults = Vec::new();
        let mut pick = |name: &'static str, value: Option<f64>, default: f64| {
            value.unwrap_or_else(|| {
                defaults.push(name);
                default
            })
        };
        let threshold_cpu = pick("threshold_cpu", row.threshold_cpu, DEFAULT_CPU);
        let threshold_memory = pick("threshold_memory", row.threshold_memory, DEFAULT_MEMORY);
        let threshold_disk = pick("threshold_disk", row.threshold_disk, DEFAULT_DISK);
        let threshold_error_rate = pick("threshold_error_rate", row.threshold_error_rate, DEFAULT_ERROR_RATE);
        AlertConfig {
            email: row.email.clone(),
            webhook_url: row.webhook_url.clone(),
            threshold_cpu,
            threshold_memory,
            threshold_disk,
            threshold_error_rate,
            defaults,
        }
    }

    pub fn has_target(&self) -> bool {
        self.email.is_some() || self.webhook_url.is_some()
    }
}

/// What `monitoring:configure-alerts` was given; `Some("")` clears a target.
#[derive(Debug, Clone, Default)]
pub struct AlertChanges {
    pub email: Option<String>,
    pub webhook_url: Option<String>,
    pub threshold_cpu: Option<f64>,
    pub threshold_memory: Option<f64>,
    pub threshold_disk: Option<f64>,
    pub threshold_error_rate: Option<f64>,
}

impl AlertChanges {
    pub fn is_empty(&self) -> bool {
        self.email.is_none()
            && self.webhook_url.is_none()
            && self.threshold_cpu.is_none()
            && self.threshold_memory.is_none()
            && self.threshold_disk.is_none()
            && self.threshold_error_rate.is_none()
    }

    /// Every problem with the values given, one sentence each naming the flag.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(email) = self.email.as_deref().filter(|e| !e.is_empty()) {
            if crate::domain::parse_email(email).is_err() {
                problems.push(format!("--email '{email}' is not an e-mail address (name@example.com)"));
            }
        }
        if let Some(url) = self.webhook_url.as_deref().filter(|u| !u.is_empty()) {
            match reqwest::Url::parse(url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {}
                _ => problems.push(format!("--webhook-url '{url}' is not an http(s) URL")),
            }
        }
        let mut range = |flag: &str, value: Option<f64>, max: f64, unit: &str| {
            if let Some(v) = value {
                if !(v.is_finite() && v > 0.0 && v <= max) {
                    problems.push(format!("{flag} {v} is out of range: more than 0 and at most {max} {unit}"));
                }
            }
        };
        range("--threshold-cpu", self.threshold_cpu, 6400.0, "% (of one core)");
        range("--threshold-memory", self.threshold_memory, 1_048_576.0, "MB");
        range("--threshold-disk", self.threshold_disk, 100.0, "%");
        range("--threshold-error-rate", self.threshold_error_rate, 100.0, "%");
        problems
    }

    /// `row` with these changes applied.
    pub fn apply(&self, row: &AlertSettingsRow) -> AlertSettingsRow {
        let target = |given: &Option<String>, stored: &Option<String>| match given {
            Some(v) if v.trim().is_empty() => None,
            Some(v) => Some(v.trim().to_string()),
            None => stored.clone(),
        };
        AlertSettingsRow {
            email: target(&self.email, &row.email),
            webhook_url: target(&self.webhook_url, &row.webhook_url),
            threshold_cpu: self.threshold_cpu.or(row.threshold_cpu),
            threshold_memory: self.threshold_memory.or(row.threshold_memory),
            threshold_disk: self.threshold_disk.or(row.threshold_disk),
            threshold_error_rate: self.threshold_error_rate.or(row.threshold_error_rate),
        }
    }
}

/// A webhook URL as shown: scheme and host only, since the path of an incoming webhook (Slack's)
/// is its credential.
pub fn mask_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) if u.path().len() > 1 || u.query().is_some() => {
            format!("{}://{}/…", u.scheme(), u.host_str().unwrap_or(""))
        }
        Ok(u) => format!("{}://{}", u.scheme(), u.host_str().unwrap_or("")),
        Err(_) => "…".to_string(),
    }
}

/// Shows (no changes) or changes and shows the alert settings.
pub async fn configure(app: &App, changes: &AlertChanges) -> Result<AlertConfig> {
    let problems = changes.problems();
    if !problems.is_empty() {
        return Err(Error::invalid(problems.join("; ")));
    }
    let mut row = app.store.alert_settings().await?;
    if !changes.is_empty() {
        row = changes.apply(&row);
        // An incoming webhook's URL is its credential: stored sealed, like the API keys.
        if let Some(url) = changes.webhook_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            row.webhook_url = Some(app.master_key().await?.seal(WEBHOOK_FIELD, url));
        }
        app.store.save_alert_settings(&row).await?;
    }
    if let Some(sealed) = &row.webhook_url {
        row.webhook_url = Some(app.master_key().await?.open(WEBHOOK_FIELD, sealed)?);
    }
    Ok(AlertConfig::from_row(&row))
}

/// The associated data the alert webhook URL is sealed under.
const WEBHOOK_FIELD: &str = "alert_webhook_url";

/// The outbox target of a webhook alert: the URL itself stays sealed in the alert settings,
/// where the delivery reads it.
pub const WEBHOOK_TARGET: &str = "alert_settings.webhook_url";

/// An alert queued (or not, within the hour of the last one) for a failed check.
#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    /// `scope/name` of the check.
    pub breach: String,
    pub queued: bool,
    /// `email:ADDR` and `webhook:URL`.
    pub targets: Vec<String>,
}

/// The health check's outcome: the report, the thresholds, and the alerts (with `--alert`).
#[derive(Debug)]
pub struct Health {
    pub report: Report,
    pub config: Option<AlertConfig>,
    pub alerts: Vec<Alert>,
    /// Why `--alert` could not queue anything (no database, no target).
    pub alert_problem: Option<String>,
}

/// Runs every measure (and, with `alert`, queues the alerts).
pub async fn health_check(settings: Settings, timeout: Duration, alert: bool, progress: &dyn Progress) -> Health {
    progress.start(0, "health-check");
    let public = public_url(&settings);
    let mut checks = vec![public.check.clone()];
    let store = match super::preflight::timed(
        timeout,
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
            progress.finish();
            return Health {
                report: Report::new(checks),
                config: None,
                alerts: Vec::new(),
                alert_problem: alert.then(|| "no database to read the alert targets from".to_string()),
            };
        }
    };
    let app = App::new(store, settings);
    let config = match app.store.alert_settings().await {
        Ok(row) => AlertConfig::from_row(&row),
        Err(e) => {
            checks.push(Check::error(INSTALLATION, "alert settings", &e, "askpro db:status"));
            AlertConfig::from_row(&AlertSettingsRow::default())
        }
    };
    let size = database_size(&app).await;
    checks.push(Check::pass(
        INSTALLATION,
        "database",
        match size {
            Some(bytes) => format!("{}, {}", describe_database(&app.settings.database_url), megabytes(bytes)),
            None => describe_database(&app.settings.database_url),
        },
    ));
    checks.push(disk_use(&app.settings, config.threshold_disk));

    let (daemon, outcomes, backlog) = tokio::join!(
        daemon_checks(public.url.as_deref(), &app, &config, timeout),
        error_rate(&app, config.threshold_error_rate),
        backlog(&app, timeout),
    );
    checks.extend(daemon.0);
    checks.push(outcomes);
    checks.extend(backlog);
    checks.extend(daemon.1);
    let report = Report::new(checks);

    let mut alerts = Vec::new();
    let mut alert_problem = None;
    if alert {
        if !config.has_target() {
            alert_problem = Some("no alert target is configured".to_string());
        } else {
            for check in report.checks.iter().filter(|c| c.status == Status::Fail) {
                match queue(&app, &config, check).await {
                    Ok(a) => alerts.push(a),
                    Err(e) => {
                        alert_problem =
                            Some(format!("could not queue the alert for {}/{}: {e}", check.scope, check.name))
                    }
                }
            }
        }
    }
    app.store.close().await;
    progress.finish();
    Health { report, config: Some(config), alerts, alert_problem }
}

/// The health check's measures that make sense inside the daemon, for its `/status` page: the
/// database (reachable, its size), the disk, the error rate, memory (`resident` bytes, when
/// known), the upstreams as this process saw them, failed webhooks and the outbox. Not the
/// daemon's own readiness or CPU (the page is the daemon answering), nor any alert.
pub async fn in_daemon(app: &App, resident: Option<u64>, timeout: Duration) -> Vec<Check> {
    let mut checks = Vec::new();
    let config = match tokio::time::timeout(timeout, app.store.alert_settings()).await {
        Ok(Ok(row)) => AlertConfig::from_row(&row),
        Ok(Err(e)) => {
            checks.push(Check::error(
                INSTALLATION,
                "database",
                &e,
                "check ASKPRO_DATABASE_URL and that the database runs",
            ));
            AlertConfig::from_row(&AlertSettingsRow::default())
        }
        Err(_) => {
            checks.push(Check::fail(
                INSTALLATION,
                "database",
                format!("no answer within {} s", super::preflight::seconds(timeout)),
                "check ASKPRO_DATABASE_URL and that the database runs",
            ));
            AlertConfig::from_row(&AlertSettingsRow::default())
        }
    };
    if checks.is_empty() {
        let size = tokio::time::timeout(timeout, database_size(app)).await.ok().flatten();
        checks.push(Check::pass(
            INSTALLATION,
            "database",
            match size {
                Some(bytes) => format!("{}, {}", describe_database(&app.settings.database_url), megabytes(bytes)),
                None => describe_database(&app.settings.database_url),
            },
        ));
    }
    checks.push(disk_use(&app.settings, config.threshold_disk));
    let (outcomes, backlog) = tokio::join!(
        async {
            tokio::time::timeout(timeout, error_rate(app, config.threshold_error_rate)).await.unwrap_or_else(|_| {
                Check::fail(
                    DAEMON,
                    "error rate",
                    format!("no answer within {} s", super::preflight::seconds(timeout)),
                    "check the database (askpro db:status)",
                )
            })
        },
        backlog(app, timeout),
    );
    checks.push(outcomes);
    if let Some(bytes) = resident {
        checks.push(memory_check(bytes as f64, config.threshold_memory));
    }
    let seen = Scrape::parse(&crate::clients::observed::render());
    for upstream in crate::clients::observed::UPSTREAMS {
        checks.push(upstream_check(&seen, upstream, config.threshold_error_rate));
    }
    checks.extend(backlog);
    checks
}

fn memory_check(bytes: f64, threshold: f64) -> Check {
    let mb = bytes / 1e6;
    let detail = format!("{mb:.1} MB resident, threshold {threshold} MB");
    if mb > threshold {
        Check::fail(
            DAEMON,
            "memory",
            format!("memory over threshold: {detail}"),
            "restart askpro-daemon (systemctl restart askpro-daemon) and watch it, or raise it: askpro monitoring:configure-alerts --threshold-memory MB",
        )
    } else {
        Check::pass(DAEMON, "memory", detail)
    }
}

async fn database_size(app: &App) -> Option<i64> {
    app.store.database_size().await.ok()
}

fn megabytes(bytes: i64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// Disk use of the database's volume against the threshold (SQLite; PostgreSQL's disk is the
/// server's).
fn disk_use(settings: &Settings, threshold: f64) -> Check {
    let name = "disk";
    let Some(db) = sqlite_path(&settings.database_url) else {
        return Check::skip(INSTALLATION, name, "skipped: the PostgreSQL server's disk is watched there");
    };
    let dir = db.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let stat = match rustix::fs::statvfs(dir) {
        Ok(stat) => stat,
        Err(e) => {
            return Check::fail(
                INSTALLATION,
                name,
                format!("cannot read the disk use of {}: {e}", dir.display()),
                "check that the database's directory exists and is readable",
            )
        }
    };
    let unit = stat.f_frsize.max(1);
    let used = stat.f_blocks.saturating_sub(stat.f_bfree).saturating_mul(unit);
    let avail = stat.f_bavail.saturating_mul(unit);
    disk_verdict(&dir.display().to_string(), used, avail, threshold)
}

fn disk_verdict(dir: &str, used: u64, avail: u64, threshold: f64) -> Check {
    let name = "disk";
    let share = if used + avail == 0 { 0.0 } else { used as f64 / (used + avail) as f64 * 100.0 };
    let detail = format!(
        "{share:.1} % in use on the volume of {dir} ({:.1} GB free), threshold {threshold} %",
        avail as f64 / 1e9
    );
    if share > threshold {
        Check::fail(
            INSTALLATION,
            name,
            format!("disk use over threshold: {detail}"),
            "free space on that volume (or move the database to a larger one), or raise it: askpro monitoring:configure-alerts --threshold-disk PCT",
        )
    } else {
        Check::pass(INSTALLATION, name, detail)
    }
}

/// Failed answers and deliveries over the last [`WINDOW`], against the threshold.
async fn error_rate(app: &App, threshold: f64) -> Check {
    let name = "error rate";
    let since = now_ms() - WINDOW.as_millis() as i64;
    let o = match app.store.outcomes_since(since).await {
        Ok(o) => o,
        Err(e) => return Check::error(DAEMON, name, &e, "check the database (askpro db:status)"),
    };
    let total = o.function_answers + o.webhooks;
    let failed = o.function_errors + o.webhook_failures;
    if total == 0 {
        return Check::pass(DAEMON, name, "no function answers or webhooks in the last 15 min");
    }
    let rate = failed as f64 / total as f64 * 100.0;
    let detail = format!(
        "{rate:.1} % failed in the last 15 min ({} of {} function answers, {} of {} webhooks), threshold {threshold} %",
        o.function_errors, o.function_answers, o.webhook_failures, o.webhooks
    );
    if rate > threshold {
        Check::fail(
            DAEMON,
            name,
            format!("error rate over threshold: {detail}"),
            "look at the daemon's log for the failing functions and webhooks; failed webhooks: askpro webhooks:retry",
        )
    } else {
        Check::pass(DAEMON, name, detail)
    }
}

/// The daemon's readiness, then (second list) its memory, CPU and upstreams from `/metrics`.
async fn daemon_checks(
    public: Option<&str>,
    app: &App,
    config: &AlertConfig,
    timeout: Duration,
) -> (Vec<Check>, Vec<Check>) {
    const FROM_METRICS: [(&str, &str); 4] =
        [(DAEMON, "memory"), (DAEMON, "cpu"), (UPSTREAM, "calcom"), (UPSTREAM, "retell")];
    let skip_all = |why: &str| FROM_METRICS.iter().map(|(scope, name)| Check::skip(scope, name, why)).collect();
    let Some(url) = public else {
        return (
            vec![Check::skip(DAEMON, "reachable", "skipped: no usable ASKPRO_PUBLIC_URL")],
            skip_all("skipped: no usable ASKPRO_PUBLIC_URL"),
        );
    };
    let ready: Vec<Check> =
        readiness(url, Some(app), timeout).await.into_iter().filter(|c| c.name == "reachable").collect();
    let first = match scrape(url, timeout).await {
        Ok(s) => s,
        Err(why) => return (ready, skip_all(&format!("skipped: {why}"))),
    };
    let started = Instant::now();
    tokio::time::sleep(CPU_SAMPLE).await;
    let second = scrape(url, timeout).await.unwrap_or_else(|_| first.clone());
    let elapsed = started.elapsed().as_secs_f64();

    let mut checks = Vec::new();
    checks.push(match second.value("process_resident_memory_bytes", &[]) {
        None => Check::skip(DAEMON, "memory", "skipped: the daemon does not report process_resident_memory_bytes"),
        Some(bytes) => memory_check(bytes, config.threshold_memory),
    });
    checks.push(match (first.value("process_cpu_seconds_total", &[]), second.value("process_cpu_seconds_total", &[])) {
        (Some(a), Some(b)) => {
            let pct = ((b - a).max(0.0) / elapsed.max(1e-3)) * 100.0;
            let detail = format!("{pct:.1} % of one core, threshold {} %", config.threshold_cpu);
            if pct > config.threshold_cpu {
                Check::fail(
                    DAEMON,
                    "cpu",
                    format!("CPU over threshold: {detail}"),
                    "look at the daemon's load (askpro-daemon /status), or raise it: askpro monitoring:configure-alerts --threshold-cpu PCT",
                )
            } else {
                Check::pass(DAEMON, "cpu", detail)
            }
        }
        _ => Check::skip(DAEMON, "cpu", "skipped: the daemon does not report process_cpu_seconds_total"),
    });
    for upstream in crate::clients::observed::UPSTREAMS {
        checks.push(upstream_check(&second, upstream, config.threshold_error_rate));
    }
    (ready, checks)
}

/// An upstream's error rate and p95 latency as the daemon saw them since it started.
fn upstream_check(m: &Scrape, upstream: &str, threshold: f64) -> Check {
    let metric = "askpro_upstream_request_duration_seconds";
    let label = [("upstream", upstream)];
    let Some(count) = m.value(&format!("{metric}_count"), &label) else {
        return Check::skip(UPSTREAM, upstream, "skipped: the daemon does not report upstream metrics");
    };
    if count == 0.0 {
        return Check::pass(UPSTREAM, upstream, "no request since the daemon started");
    }
    let errors = m.value("askpro_upstream_errors_total", &label).unwrap_or(0.0);
    let rate = errors / count * 100.0;
    let p95 = percentile(&m.buckets(&format!("{metric}_bucket"), &label), 0.95);
    let p95_text = match p95 {
        Some(s) if s.is_infinite() => "over 30 s".to_string(),
        Some(s) => format!("≤ {:.0} ms", s * 1e3),
        None => "unknown".to_string(),
    };
    let detail = format!(
        "{count} request(s) since the daemon started, {rate:.1} % failed (threshold {threshold} %), p95 {p95_text} (limit {:.0} ms)",
        UPSTREAM_P95_LIMIT * 1e3
    );
    let slow = p95.is_some_and(|s| s > UPSTREAM_P95_LIMIT);
    if rate > threshold || slow {
        let what = if rate > threshold { "error rate over threshold" } else { "p95 latency over limit" };
        let name = if upstream == "calcom" { "Cal.com" } else { "Retell" };
        Check::fail(
            UPSTREAM,
            upstream,
            format!("{what}: {detail}"),
            format!("check {name}'s status page and the daemon's log (circuits on /status); a restart of askpro-daemon resets these figures"),
        )
    } else {
        Check::pass(UPSTREAM, upstream, detail)
    }
}

/// The smallest bucket bound below which `q` of the observations fall.
fn percentile(buckets: &[(f64, f64)], q: f64) -> Option<f64> {
    let total = buckets.iter().find(|(le, _)| le.is_infinite())?.1;
    if total <= 0.0 {
        return None;
    }
    buckets.iter().find(|(_, n)| *n >= q * total).map(|(le, _)| *le)
}

/// The samples of one `/metrics` answer: name, labels, value.
#[derive(Debug, Clone, Default)]
pub struct Scrape {
    samples: Vec<(String, BTreeMap<String, String>, f64)>,
}

impl Scrape {
    /// Parses Prometheus text (the samples askpro-daemon writes: no escapes in label values).
    pub fn parse(text: &str) -> Scrape {
        let mut samples = Vec::new();
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let (series, value) = match line.rsplit_once(' ') {
                Some(parts) => parts,
                None => continue,
            };
            let value = match value {
                "+Inf" => f64::INFINITY,
                v => match v.parse() {
                    Ok(v) => v,
                    Err(_) => continue,
                },
            };
            let (name, labels) = match series.split_once('{') {
                Some((name, rest)) => (name, rest.trim_end_matches('}')),
                None => (series, ""),
            };
            let labels = labels
                .split(',')
                .filter_map(|pair| pair.split_once('='))
                .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
                .collect();
            samples.push((name.to_string(), labels, value));
        }
        Scrape { samples }
    }

    /// The value of the sample `name` with (at least) `labels`.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.samples
            .iter()
            .find(|(n, l, _)| n == name && labels.iter().all(|(k, v)| l.get(*k).is_some_and(|x| x == v)))
            .map(|(_, _, v)| *v)
    }

    /// `(le, cumulative count)` of a histogram's buckets with `labels`, in order.
    pub fn buckets(&self, name: &str, labels: &[(&str, &str)]) -> Vec<(f64, f64)> {
        let mut out: Vec<(f64, f64)> = self
            .samples
            .iter()
            .filter(|(n, l, _)| n == name && labels.iter().all(|(k, v)| l.get(*k).is_some_and(|x| x == v)))
            .filter_map(|(_, l, v)| {
                let le = l.get("le")?;
                let le = if le == "+Inf" { f64::INFINITY } else { le.parse().ok()? };
                Some((le, *v))
            })
            .collect();
        out.sort_by(|a, b| a.0.total_cmp(&b.0));
        out
    }
}

async fn scrape(public: &str, timeout: Duration) -> std::result::Result<Scrape, String> {
    let url = format!("{public}/metrics");
    match crate::clients::daemon::get(&url, timeout).await {
        Ok(reply) if reply.status == 200 => Ok(Scrape::parse(&reply.body)),
        Ok(reply) => Err(format!("{url} answered {}", reply.status)),
        Err(_) => Err("the daemon is not reachable".to_string()),
    }
}

/// Queues the alert for a failed check to every target, unless it went out within the hour.
async fn queue(app: &App, config: &AlertConfig, check: &Check) -> Result<Alert> {
    let breach = format!("{}/{}", check.scope, check.name);
    let subject = format!("askpro health-check: {} {} failed", check.scope, check.name);
    let fix = check.fix.as_deref().map(|f| format!("\nfix: {f}")).unwrap_or_default();
    let text = format!("✗ {} {}: {}{fix}", check.scope, check.name, check.detail);
    let mut alerts = Vec::new();
    let mut targets = Vec::new();
    if let Some(email) = &config.email {
        alerts.push(NewAlert {
            channel: "email".into(),
            target: email.clone(),
            subject: subject.clone(),
            body: text.clone(),
        });
        targets.push(format!("email:{email}"));
    }
    if config.webhook_url.is_some() {
        alerts.push(NewAlert {
            channel: "webhook".into(),
            target: WEBHOOK_TARGET.into(),
            subject: subject.clone(),
            body: json!({ "text": format!("askpro health-check {text}") }).to_string(),
        });
        targets.push("webhook".to_string());
    }
    let now = now_ms();
    let quiet_since = now - ALERT_QUIET.as_millis() as i64;
    let queued = app.store.queue_alert(&breach, now, quiet_since, &alerts).await?;
    Ok(Alert { breach, queued, targets })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_each_flag() {
        let bad = AlertChanges {
            email: Some("nobody".into()),
            webhook_url: Some("ftp://x".into()),
            threshold_cpu: Some(0.0),
            threshold_memory: Some(-1.0),
            threshold_disk: Some(101.0),
            threshold_error_rate: Some(f64::NAN),
        };
        let problems = bad.problems().join("\n");
        for flag in [
            "--email",
            "--webhook-url",
            "--threshold-cpu",
            "--threshold-memory",
            "--threshold-disk",
            "--threshold-error-rate",
        ] {
            assert!(problems.contains(flag), "{flag}: {problems}");
        }
        let good = AlertChanges {
            email: Some("ops@example.com".into()),
            webhook_url: Some("https://hooks.slack.com/services/T/B/X".into()),
            threshold_disk: Some(0.001),
            threshold_memory: Some(1.0),
            ..Default::default()
        };
        assert!(good.problems().is_empty(), "{:?}", good.problems());
    }

    #[test]
    fn clearing_a_target_and_keeping_the_rest() {
        let row = AlertSettingsRow { email: Some("a@b.de".into()), threshold_cpu: Some(50.0), ..Default::default() };
        let changed =
            AlertChanges { email: Some(String::new()), threshold_disk: Some(70.0), ..Default::default() }.apply(&row);
        assert_eq!(changed.email, None);
        assert_eq!(changed.threshold_cpu, Some(50.0));
        assert_eq!(changed.threshold_disk, Some(70.0));
        let config = AlertConfig::from_row(&changed);
        assert_eq!(config.threshold_memory, DEFAULT_MEMORY);
        assert_eq!(config.defaults, ["threshold_memory", "threshold_error_rate"]);
    }

    #[test]
    fn p95_from_buckets() {
        let m = Scrape::parse(
            "x_bucket{upstream=\"calcom\",le=\"0.1\"} 90\nx_bucket{upstream=\"calcom\",le=\"1\"} 96\n\
             x_bucket{upstream=\"calcom\",le=\"+Inf\"} 100\nx_count{upstream=\"calcom\"} 100\n",
        );
        assert_eq!(percentile(&m.buckets("x_bucket", &[("upstream", "calcom")]), 0.95), Some(1.0));
        assert_eq!(m.value("x_count", &[("upstream", "calcom")]), Some(100.0));
        assert_eq!(m.value("x_count", &[("upstream", "retell")]), None);
    }

    #[test]
    fn upstream_error_rate_and_p95() {
        let text = |errors: u64, slow: u64| {
            let mut t = String::new();
            for (le, n) in [("0.1", 100 - slow), ("2.5", 100 - slow), ("5", 100), ("+Inf", 100)] {
                t.push_str(&format!(
                    "askpro_upstream_request_duration_seconds_bucket{{upstream=\"calcom\",le=\"{le}\"}} {n}\n"
                ));
            }
            t.push_str("askpro_upstream_request_duration_seconds_count{upstream=\"calcom\"} 100\n");
            t.push_str(&format!("askpro_upstream_errors_total{{upstream=\"calcom\"}} {errors}\n"));
            Scrape::parse(&t)
        };
        assert_eq!(upstream_check(&text(1, 0), "calcom", 5.0).status, Status::Pass);
        let failing = upstream_check(&text(6, 0), "calcom", 5.0);
        assert!(
            failing.status == Status::Fail && failing.detail.starts_with("error rate over threshold"),
            "{failing:?}"
        );
        let slow = upstream_check(&text(0, 6), "calcom", 5.0);
        assert!(slow.status == Status::Fail && slow.detail.starts_with("p95 latency over limit"), "{slow:?}");
        assert_eq!(upstream_check(&text(0, 0), "retell", 5.0).status, Status::Skip, "no series for retell");
    }

    #[test]
    fn disk_over_threshold_fails() {
        assert_eq!(disk_verdict("/d", 50, 50, 90.0).status, Status::Pass);
        assert_eq!(disk_verdict("/d", 95, 5, 90.0).status, Status::Fail);
        assert_eq!(disk_verdict("/d", 100, 1_000_000, 0.001).status, Status::Fail);
    }
}
