//! The daemon's store counters (see [`crate::meter`]): in `/metrics`, as JSON at
//! `GET /admin/performance` (since the daemon started), and saved to the database every
//! `ASKPRO_METER_SAVE_SECS` (and when the daemon stops) for `performance:analyze`. What is saved
//! is one row per process and UTC day holding what that day counted, so that the analysis of the
//! last N days reads those days, however long the daemon has run.

use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Response, StatusCode};

use super::State;
use crate::meter::Snapshot;

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

const DAY_MS: i64 = 86_400_000;

/// The day being saved: which (UTC), the counters when it began, and as last saved.
#[derive(Default)]
pub(super) struct SavedDay(Mutex<Option<Day>>);

struct Day {
    day: i64,
    began: Snapshot,
    last: Snapshot,
}

impl SavedDay {
    /// The day of `now` (the counters since the daemon started) and what that day counted.
    fn today(&self, now: &Snapshot) -> (i64, Snapshot) {
        let day = now.taken_at.div_euclid(DAY_MS);
        let mut saved = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let current = saved.get_or_insert_with(|| Day { day, began: Snapshot::default(), last: Snapshot::default() });
        if current.day != day {
            // A new day begins where the last save of the one before ended.
            current.began = std::mem::take(&mut current.last);
            current.day = day;
        }
        (day, now.since(&current.began))
    }

    /// Notes that `now`, of `day`, was saved.
    fn saved(&self, day: i64, now: Snapshot) {
        let mut saved = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(current) = saved.as_mut().filter(|c| c.day == day) {
            current.last = now;
        }
    }
}

/// Saves what today counted for `performance:analyze`; a failure is logged, and the next save
/// tries again.
pub async fn save(state: &State) {
    let Some(now) = state.app.meter_snapshot() else { return };
    let (day, today) = state.saved_day.today(&now);
    let json = match serde_json::to_string(&today) {
        Ok(json) => json,
        Err(e) => return tracing::warn!(error = %e, "could not serialise the store counters"),
    };
    let key = format!("{}:{day}", now.instance);
    let keep_since = now.taken_at - KEEP_SAVED.as_millis() as i64;
    match state.app.store.save_meter_snapshot(&key, now.taken_at, &json, keep_since).await {
        Ok(()) => state.saved_day.saved(day, now),
        Err(e) => tracing::warn!(error = %e, "could not save the store counters"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meter::OpSnapshot;

    fn counted(taken_at: i64, calls: u64) -> Snapshot {
        let op =
            OpSnapshot { op: "customer_by_phone".into(), calls, total_ms: calls as f64, buckets: vec![(40, calls)] };
        Snapshot { taken_at, ops: vec![op], ..Snapshot::default() }
    }

    #[test]
    fn each_day_is_saved_with_what_it_counted() {
        let saved = SavedDay::default();
        let monday = 20_000 * DAY_MS;
        let (day, today) = saved.today(&counted(monday + 1_000, 5));
        assert_eq!((day, today.ops[0].calls), (20_000, 5));
        saved.saved(day, counted(monday + 1_000, 5));
        let (day, today) = saved.today(&counted(monday + 60_000, 8));
        assert_eq!((day, today.ops[0].calls), (20_000, 8), "the same day's row holds all of it");
        saved.saved(day, counted(monday + 60_000, 8));
        let (day, today) = saved.today(&counted(monday + DAY_MS + 5, 10));
        assert_eq!((day, today.ops[0].calls), (20_001, 2), "the next day starts from the last save");
        assert_eq!(today.ops[0].buckets, vec![(40, 2)]);
    }
}
