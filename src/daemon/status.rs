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
        .body(Full::new(Bytes::from(state.metrics.render() + &circuits(state) + &kept_slots(state) + &limits(state))))
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
