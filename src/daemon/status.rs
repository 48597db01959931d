//! What `GET /metrics` (Prometheus text) and `GET /status` (an HTML page for a phone) show:
//! requests, functions, signature failures, circuits, kept slots, and the limits in use; the
//! page adds the health check's measures and the last hour's calls and bookings.

use std::fmt::Write;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;

use super::State;
use crate::ops::preflight::{Check, Status};
use crate::store::{now_ms, Activity};

/// `GET /metrics`.
pub(super) fn metrics(state: &State) -> Response<Full<Bytes>> {
    Response::builder()
        .header("content-type", "text/plain; version=0.0.4")
        .body(Full::new(Bytes::from(
            state.metrics.render()
                + &crate::clients::observed::render()
                + &process()
                + &circuits(state)
                + &kept_slots(state)
                + &limits(state)
                + &super::perf::render(state),
        )))
        .expect("static response parts are valid")
}

/// How long the status page's database figures are kept: a page refreshing on many phones
/// (and anyone requesting it, unauthenticated) does not query the database more often.
const SNAPSHOT_FOR: Duration = Duration::from_secs(5);
/// Each database measure's time limit on the page.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// What the page shows from the database, measured at most every [`SNAPSHOT_FOR`].
#[derive(Clone)]
pub(super) struct Snapshot {
    taken: Instant,
    checks: Vec<Check>,
    /// `None`: the database did not answer.
    activity: Option<Activity>,
}

/// The page's cached snapshot; its lock also keeps two requests from measuring at once.
#[derive(Default)]
pub(super) struct SnapshotCache(tokio::sync::Mutex<Option<Snapshot>>);

async fn snapshot(state: &State) -> Snapshot {
    let mut cached = state.status.0.lock().await;
    if let Some(s) = cached.as_ref().filter(|s| s.taken.elapsed() < SNAPSHOT_FOR) {
        return s.clone();
    }
    let since = now_ms() - 3_600_000;
    let (checks, activity) = tokio::join!(
        crate::ops::monitoring::in_daemon(&state.app, resident_bytes(), CHECK_TIMEOUT),
        tokio::time::timeout(CHECK_TIMEOUT, state.app.store.activity_since(since)),
    );
    let fresh = Snapshot { taken: Instant::now(), checks, activity: activity.ok().and_then(|a| a.ok()) };
    *cached = Some(fresh.clone());
    fresh
}

/// `GET /status`: a page an operator reads on a phone, refreshing itself every 30 s. The
/// health check's measures that make sense inside the daemon with their state, the calls and
/// bookings of the last hour (the whole installation's, every company), each function's
/// latency, the upstreams as this process saw them, the circuits, endpoints and signature
/// failures. One self-contained document: inline CSS, no script, no external asset; cards on a
/// narrow screen, tables on a wide one; every value HTML-escaped.
pub(super) async fn page(state: &State) -> Response<Full<Bytes>> {
    let snap = snapshot(state).await;
    Response::builder()
        .header("content-type", "text/html; charset=utf-8")
        .header("cache-control", "no-store")
        .body(Full::new(Bytes::from(render(state, &snap))))
        .expect("static response parts are valid")
}

const STYLE: &str = "\
:root{color-scheme:light dark;--ok:#1a7f37;--fail:#cf222e;--warn:#9a6700;--skip:#6e7781;--line:#8c8c8c55}\
*{box-sizing:border-box}\
body{font:18px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;padding:14px;max-width:1200px}\
h1{font-size:1.5em;margin:.1em 0}h2{font-size:1.2em;margin:1.3em 0 .5em}\
.meta{color:#888;font-size:.85em}.summary{font-size:1.15em;font-weight:600;margin:.4em 0}\
.tiles{display:grid;grid-template-columns:1fr 1fr;gap:10px}\
.tile{border:1px solid var(--line);border-radius:12px;padding:12px 14px}\
.tile b{display:block;font-size:2.4em;line-height:1.1}.tile span{color:#888}\
table{width:100%;border-collapse:collapse}thead{display:none}\
tr{display:block;border:1px solid var(--line);border-radius:12px;padding:10px 14px;margin:0 0 10px}\
td{display:block;padding:2px 0;overflow-wrap:anywhere}\
td:first-child{font-weight:600;font-size:1.05em}\
td[data-label]::before{content:attr(data-label) ': ';color:#888}\
.state{font-weight:700;white-space:nowrap}\
.pass .state{color:var(--ok)}.fail .state{color:var(--fail)}.warn .state{color:var(--warn)}.skip .state{color:var(--skip)}\
tr.fail{border-color:var(--fail)}.fix{display:block;font-size:.9em}.num{font-variant-numeric:tabular-nums}\
.empty{color:#888}\
@media (min-width:760px){body{padding:24px}thead{display:table-header-group}\
tr{display:table-row;border:0}tr.fail{border:0}\
th,td{display:table-cell;padding:7px 12px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}\
td:first-child{font-size:1em}td[data-label]::before{content:none}td.num,th.num{text-align:right}\
.tiles{grid-template-columns:repeat(4,1fr)}}";

/// The whole document.
fn render(state: &State, snap: &Snapshot) -> String {
    let mut html = String::with_capacity(16 * 1024);
    let failing = snap.checks.iter().filter(|c| c.status == Status::Fail).count();
    let warnings = snap.checks.iter().filter(|c| c.status == Status::Warn).count();
    let summary = match (failing, warnings) {
        (0, 0) => "✓ all checks pass".to_string(),
        (0, w) => format!("! {w} warning(s), no failure"),
        (f, w) => format!("✗ {f} check(s) failing, {w} warning(s)"),
    };
    let class = match (failing, warnings) {
        (0, 0) => "pass",
        (0, _) => "warn",
        _ => "fail",
    };
    let _ = write!(
        html,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta http-equiv=\"refresh\" content=\"30\"><title>askpro status</title><style>{STYLE}</style></head><body>\
         <h1>askpro-daemon</h1><p class=\"meta\">askpro {} · {} UTC · refreshes every 30 s</p>\
         <p class=\"summary {class}\" id=\"summary\"><span class=\"state\">{}</span></p>",
        esc(env!("CARGO_PKG_VERSION")),
        esc(&chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string()),
        esc(&summary),
    );

    // The last hour, installation-wide.
    let (functions, upstream_failures) = state.metrics.function_summary();
    let answered: u64 = functions.iter().map(|f| f.calls).sum();
    let figure = |n: Option<i64>| n.map_or("–".to_string(), |n| n.to_string());
    let _ = write!(
        html,
        "<h2>Last hour (all companies)</h2><div class=\"tiles\">\
         <div class=\"tile\"><b class=\"num\" id=\"calls-last-hour\">{}</b><span>calls</span></div>\
         <div class=\"tile\"><b class=\"num\" id=\"bookings-last-hour\">{}</b><span>bookings</span></div>\
         <div class=\"tile\"><b class=\"num\" id=\"function-answers\">{answered}</b><span>function answers since start</span></div>\
         <div class=\"tile\"><b class=\"num\" id=\"failing-checks\">{failing}</b><span>failing checks</span></div></div>",
        figure(snap.activity.map(|a| a.calls)),
        figure(snap.activity.map(|a| a.bookings)),
    );

    html.push_str(
        "<h2>Checks</h2><table id=\"checks\"><thead><tr><th>check</th><th>state</th><th>detail</th></tr></thead><tbody>",
    );
    for c in &snap.checks {
        let status = match c.status {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Warn => "warn",
            Status::Skip => "skip",
        };
        let fix = c.fix.as_deref().map(|f| format!("<span class=\"fix\">fix: {}</span>", esc(f))).unwrap_or_default();
        let _ = write!(
            html,
            "<tr class=\"{status}\" data-check=\"{scope}/{name}\"><td>{scope} · {name}</td>\
             <td class=\"state\" data-label=\"state\">{} {status}</td><td>{}{fix}</td></tr>",
            c.status.mark(),
            esc(&c.detail),
            scope = esc(&c.scope),
            name = esc(&c.name),
        );
    }
    html.push_str("</tbody></table>");

    html.push_str(
        "<h2>Functions (since start)</h2><table id=\"functions\"><thead><tr><th>function</th><th class=\"num\">calls</th>\
         <th class=\"num\">errors</th><th class=\"num\">mean</th><th class=\"num\">p95</th></tr></thead><tbody>",
    );
    if functions.is_empty() {
        html.push_str("<tr><td class=\"empty\">no function call yet</td></tr>");
    }
    for f in &functions {
        let _ = write!(
            html,
            "<tr data-function=\"{name}\"><td>{name}</td><td class=\"num\" data-label=\"calls\">{}</td>\
             <td class=\"num\" data-label=\"errors\">{}</td><td class=\"num\" data-label=\"mean\">{}</td>\
             <td class=\"num\" data-label=\"p95\">{}</td></tr>",
            f.calls,
            f.errors,
            esc(&millis(f.mean_ms)),
            esc(&p95(f.p95_ms)),
            name = esc(f.function),
        );
    }
    html.push_str("</tbody></table>");

    html.push_str(
        "<h2>Upstreams (since start)</h2><table id=\"upstreams\"><thead><tr><th>upstream</th><th class=\"num\">requests</th>\
         <th class=\"num\">errors</th><th class=\"num\">mean</th><th class=\"num\">p95</th></tr></thead><tbody>",
    );
    for u in crate::clients::observed::summary() {
        let rate = if u.requests == 0 {
            String::new()
        } else {
            format!(" ({:.1} %)", u.errors as f64 / u.requests as f64 * 100.0)
        };
        let _ = write!(
            html,
            "<tr data-upstream=\"{name}\"><td>{name}</td><td class=\"num\" data-label=\"requests\">{}</td>\
             <td class=\"num\" data-label=\"errors\">{}{}</td><td class=\"num\" data-label=\"mean\">{}</td>\
             <td class=\"num\" data-label=\"p95\">{}</td></tr>",
            u.requests,
            u.errors,
            esc(&rate),
            esc(&if u.requests == 0 { "–".to_string() } else { millis(u.mean_ms) }),
            esc(&p95(u.p95_ms)),
            name = esc(u.upstream),
        );
    }
    html.push_str("</tbody></table>");

    let circuits = state.app.breakers.states();
    if !circuits.is_empty() || !upstream_failures.is_empty() {
        html.push_str(
            "<h2>Circuits and failed calls</h2><table id=\"circuits\"><thead><tr><th>what</th><th>state</th></tr></thead><tbody>",
        );
        for (company, upstream, open) in circuits {
            let (class, text) = if open { ("fail", "✗ open (paused)") } else { ("pass", "✓ closed") };
            let _ = write!(
                html,
                "<tr class=\"{class}\"><td>company {company}, {}</td><td class=\"state\" data-label=\"circuit\">{text}</td></tr>",
                esc(upstream)
            );
        }
        for (what, n) in upstream_failures {
            let _ = write!(html, "<tr><td>{}</td><td class=\"num\" data-label=\"calls\">{n}</td></tr>", esc(&what));
        }
        html.push_str("</tbody></table>");
    }

    let (endpoints, signature_failures) = state.metrics.summary();
    html.push_str(
        "<h2>Endpoints (since start)</h2><table id=\"endpoints\"><thead><tr><th>endpoint</th><th class=\"num\">requests</th>\
         <th class=\"num\">not 2xx</th><th class=\"num\">mean</th></tr></thead><tbody>",
    );
    for (endpoint, count, failed, mean) in endpoints {
        let _ = write!(
            html,
            "<tr><td>{}</td><td class=\"num\" data-label=\"requests\">{count}</td>\
             <td class=\"num\" data-label=\"not 2xx\">{failed}</td><td class=\"num\" data-label=\"mean\">{}</td></tr>",
            esc(endpoint),
            esc(&millis(mean)),
        );
    }
    html.push_str("</tbody></table>");
    if !signature_failures.is_empty() {
        html.push_str(
            "<h2>Refused signatures</h2><table id=\"signatures\"><thead><tr><th>reason</th><th class=\"num\">requests</th></tr></thead><tbody>",
        );
        for (reason, n) in signature_failures {
            let _ = write!(html, "<tr><td>{}</td><td class=\"num\" data-label=\"requests\">{n}</td></tr>", esc(reason));
        }
        html.push_str("</tbody></table>");
    }
    html.push_str("</body></html>");
    html
}

fn millis(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

fn p95(ms: Option<f64>) -> String {
    match ms {
        None => "–".to_string(),
        Some(ms) if ms.is_infinite() => "over the last bucket".to_string(),
        Some(ms) => format!("≤ {}", millis(ms)),
    }
}

/// `text` safe inside an element or a quoted attribute.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// This process's resident memory and CPU time, from `/proc/self` (Linux; elsewhere nothing).
fn process() -> String {
    let mut out = String::new();
    if let Some(bytes) = resident_bytes() {
        out.push_str(&format!(
            "# HELP process_resident_memory_bytes Resident memory size in bytes.\n\
             # TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes {bytes}\n"
        ));
    }
    if let Some(seconds) = cpu_seconds() {
        out.push_str(&format!(
            "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n\
             # TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total {seconds}\n"
        ));
    }
    out
}

/// `VmRSS` of `/proc/self/status`, in bytes.
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.trim_start_matches("VmRSS:").trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kib * 1024)
}

/// `utime + stime` of `/proc/self/stat`, in seconds.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after its end.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of the whole line; `rest` starts at field 3.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let ticks = rustix::param::clock_ticks_per_second().max(1);
    Some((utime + stime) as f64 / ticks as f64)
}

/// The circuit breakers' states as a Prometheus gauge.
fn circuits(state: &State) -> String {
    let mut out = String::from(
        "# HELP askpro_circuit_open Whether calls to an upstream are paused for a company (1) or not (0).\n\
         # TYPE askpro_circuit_open gauge\n",
    );
    for (company, upstream, open) in state.app.breakers.states() {
        out.push_str(&format!(
            "askpro_circuit_open{{company=\"{company}\",upstream=\"{upstream}\"}} {}\n",
            u8::from(open)
        ));
    }
    out
}

/// How often kept slots served a day (SQLite only: a daemon on PostgreSQL keeps none).
fn kept_slots(state: &State) -> String {
    let Some(kept) = &state.app.schedules else { return String::new() };
    format!(
        "# HELP askpro_kept_slot_days_reused_total Days whose free slots a call took from memory instead of computing them.\n\
         # TYPE askpro_kept_slot_days_reused_total counter\n\
         askpro_kept_slot_days_reused_total {}\n",
        kept.days_reused()
    )
}

/// The open connections and the buffered body bytes, against their caps.
fn limits(state: &State) -> String {
    let (open, shed, refused) = state.connections.counts();
    format!(
        "# HELP askpro_connections_open Connections open now (at most askpro_connections_max).\n\
         # TYPE askpro_connections_open gauge\naskpro_connections_open {open}\n\
         # TYPE askpro_connections_max gauge\naskpro_connections_max {}\n\
         # HELP askpro_connections_shed_total Idle connections closed to make room for new ones.\n\
         # TYPE askpro_connections_shed_total counter\naskpro_connections_shed_total {shed}\n\
         # HELP askpro_connections_refused_total Connections answered 503 because every connection was busy.\n\
         # TYPE askpro_connections_refused_total counter\naskpro_connections_refused_total {refused}\n\
         # HELP askpro_buffered_body_bytes Request body bytes buffered now (at most askpro_buffered_body_bytes_max).\n\
         # TYPE askpro_buffered_body_bytes gauge\naskpro_buffered_body_bytes {}\n\
         # TYPE askpro_buffered_body_bytes_max gauge\naskpro_buffered_body_bytes_max {}\n",
        state.connections.cap(),
        state.bodies.used(),
        state.app.settings.max_buffered_bytes,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(esc("<b a=\"x\">'&'</b>"), "&lt;b a=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/b&gt;");
        assert_eq!(esc("Müller · ✓"), "Müller · ✓");
    }

    #[test]
    fn latency_texts() {
        assert_eq!(millis(2.5), "2.5 ms");
        assert_eq!(millis(250.0), "250 ms");
        assert_eq!(p95(None), "–");
        assert_eq!(p95(Some(f64::INFINITY)), "over the last bucket");
        assert_eq!(p95(Some(25.0)), "≤ 25 ms");
    }
}
