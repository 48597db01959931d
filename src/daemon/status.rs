//! What `GET /metrics` (Prometheus text) and `GET /status` (a small HTML page) show: requests,
//! functions, signature failures, circuits, kept slots, and the limits in use.

use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;

use super::State;

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
                + &limits(state),
        )))
        .expect("static response parts are valid")
}

/// A small HTML page with the same figures as `/metrics`, refreshing itself every 30 s.
pub(super) fn page(state: &State) -> Response<Full<Bytes>> {
    let (rows, failures) = state.metrics.summary();
    let mut html = String::from(
        "<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"30\">\
         <title>askpro-daemon</title><style>body{font-family:sans-serif;margin:2em}td,th{padding:.2em 1em;text-align:right}\
         th:first-child,td:first-child{text-align:left}</style></head><body><h1>askpro-daemon</h1>\
         <table><tr><th>endpoint</th><th>requests</th><th>not 2xx</th><th>mean ms</th></tr>",
    );
    for (endpoint, count, failed, mean) in rows {
        html.push_str(&format!("<tr><td>{endpoint}</td><td>{count}</td><td>{failed}</td><td>{mean:.2}</td></tr>"));
    }
    let (functions, upstream) = state.metrics.function_summary();
    html.push_str("</table><h2>functions</h2><table><tr><th>function</th><th>calls</th><th>mean ms</th></tr>");
    for (function, count, mean) in functions {
        html.push_str(&format!("<tr><td>{function}</td><td>{count}</td><td>{mean:.2}</td></tr>"));
    }
    html.push_str("</table><h2>upstream failures</h2><table>");
    for (what, n) in upstream {
        html.push_str(&format!("<tr><td>{what}</td><td>{n}</td></tr>"));
    }
    html.push_str("</table><h2>signature failures</h2><table>");
    for (reason, n) in failures {
        html.push_str(&format!("<tr><td>{reason}</td><td>{n}</td></tr>"));
    }
    html.push_str("</table><h2>circuits</h2><table>");
    for (company, upstream, open) in state.app.breakers.states() {
        let state = if open { "open (paused)" } else { "closed" };
        html.push_str(&format!("<tr><td>company {company}, {upstream}</td><td>{state}</td></tr>"));
    }
    html.push_str("</table></body></html>");
    Response::builder()
        .header("content-type", "text/html; charset=utf-8")
        .body(Full::new(Bytes::from(html)))
        .expect("static response parts are valid")
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
