//! The daemon's store counters (see [`crate::meter`]): in `/metrics`, as JSON at
//! `GET /admin/performance`, and saved to the database every `ASKPRO_METER_SAVE_SECS` (and when
//! the daemon stops) for `performance:analyze`.

use std::fmt::Write;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};

use super::State;

/// How long saved counters are kept: `performance:analyze` reads the last week.
pub const KEEP_SAVED: Duration = Duration::from_secs(7 * 86_400);

/// The counters in Prometheus text: per store operation its calls and seconds, per request kind
/// its requests and operations, per cache its hits and misses.
pub(super) fn render(state: &State) -> String {
    let Some(snapshot) = state.app.meter_snapshot() else { return String::new() };
    let mut out = String::new();
    out.push_str("# HELP askpro_store_operations_total Store operations run, by operation.\n");
    out.push_str("# TYPE askpro_store_operations_total counter\n");
    for op in &snapshot.ops {
        let _ = writeln!(out, "askpro_store_operations_total{{op=\"{}\"}} {}", op.op, op.calls);
    }
    out.push_str("# HELP askpro_store_operation_seconds_total Time spent in store operations, by operation.\n");
    out.push_str("# TYPE askpro_store_operation_seconds_total counter\n");
    for op in &snapshot.ops {
        let _ = writeln!(out, "askpro_store_operation_seconds_total{{op=\"{}\"}} {}", op.op, op.total_ms / 1e3);
    }
    out.push_str("# HELP askpro_request_store_operations_total Store operations run by requests, by request kind.\n");
    out.push_str("# TYPE askpro_request_store_operations_total counter\n");
    for r in &snapshot.requests {
        let _ = writeln!(out, "askpro_request_store_operations_total{{kind=\"{}\"}} {}", r.kind, r.operations);
    }
    out.push_str("# HELP askpro_cache_lookups_total Lookups in the daemon's caches, by cache and result.\n");
    out.push_str("# TYPE askpro_cache_lookups_total counter\n");
    for c in &snapshot.caches {
        let _ = writeln!(out, "askpro_cache_lookups_total{{cache=\"{}\",result=\"hit\"}} {}", c.cache, c.hits);
        let _ = writeln!(out, "askpro_cache_lookups_total{{cache=\"{}\",result=\"miss\"}} {}", c.cache, c.misses);
    }
    out
}

/// `GET /admin/performance`: the counters as JSON (the document `performance:analyze` reads).
pub(super) fn admin(state: &State) -> Response<Full<Bytes>> {
    match state.app.meter_snapshot() {
        Some(snapshot) => super::json_text(StatusCode::OK, serde_json::to_string(&snapshot).unwrap_or_default()),
        None => super::error_response(
            StatusCode::NOT_FOUND,
            "counters_off",
            "the store counters are off (ASKPRO_STORE_COUNTERS=off)",
        ),
    }
}

/// Saves the counters for `performance:analyze`; a failure is logged, and the next save tries again.
pub async fn save(state: &State) {
    let Some(snapshot) = state.app.meter_snapshot() else { return };
    let json = match serde_json::to_string(&snapshot) {
        Ok(json) => json,
        Err(e) => return tracing::warn!(error = %e, "could not serialise the store counters"),
    };
    let keep_since = snapshot.taken_at - KEEP_SAVED.as_millis() as i64;
    if let Err(e) = state.app.store.save_meter_snapshot(&snapshot.instance, snapshot.taken_at, &json, keep_since).await
    {
        tracing::warn!(error = %e, "could not save the store counters");
    }
}
