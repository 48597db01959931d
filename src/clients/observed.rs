//! What the upstreams (Cal.com, Retell) did for this process: every HTTP exchange's duration and
//! outcome, per upstream. Kept process-wide so every client records into it; the daemon shows it
//! in `/metrics` (`askpro_upstream_request_duration_seconds`, `askpro_upstream_requests_total`).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// The upstreams, always shown (at zero before the first request).
pub const UPSTREAMS: [&str; 2] = ["calcom", "retell"];

/// Upper bounds of the latency buckets, in seconds: an upstream answers in tens of milliseconds
/// to seconds.
pub const BUCKETS: [f64; 12] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// How one exchange ended. Everything but `ok` and `rejected` (a 4xx the request earned, such as
/// a slot already taken) counts as an error of the upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    Ok,
    Rejected,
    RateLimited,
    ServerError,
    Timeout,
    Connect,
    Decode,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Rejected => "rejected",
            Outcome::RateLimited => "rate_limited",
            Outcome::ServerError => "server_error",
            Outcome::Timeout => "timeout",
            Outcome::Connect => "connect",
            Outcome::Decode => "decode",
        }
    }

    pub fn is_error(self) -> bool {
        !matches!(self, Outcome::Ok | Outcome::Rejected)
    }

    /// The outcome of an answer with HTTP `status`.
    pub fn of_status(status: u16) -> Outcome {
        match status {
            200..=399 => Outcome::Ok,
            429 => Outcome::RateLimited,
            500.. => Outcome::ServerError,
            _ => Outcome::Rejected,
        }
    }
}

#[derive(Default)]
struct Upstream {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
    outcomes: BTreeMap<Outcome, u64>,
}

static REGISTRY: Mutex<BTreeMap<&'static str, Upstream>> = Mutex::new(BTreeMap::new());

/// Records one exchange with `upstream` that took `took`.
pub fn record(upstream: &'static str, outcome: Outcome, took: Duration) {
    let mut all = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    let u = all.entry(upstream).or_default();
    let secs = took.as_secs_f64();
    for (i, bound) in BUCKETS.iter().enumerate() {
        if secs <= *bound {
            u.buckets[i] += 1;
        }
    }
    u.count += 1;
    u.sum += secs;
    *u.outcomes.entry(outcome).or_default() += 1;
}

/// One upstream's exchanges since the process started, for the daemon's `/status` page.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub upstream: &'static str,
    pub requests: u64,
    /// Exchanges that failed (no answer, 429 or 5xx).
    pub errors: u64,
    pub mean_ms: f64,
    /// The bucket bound 95 % of the exchanges came within (infinite: over the last bound).
    pub p95_ms: Option<f64>,
}

/// Every upstream's exchanges (Cal.com and Retell always, at zero before the first).
pub fn summary() -> Vec<Summary> {
    let all = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    let empty = Upstream::default();
    let mut names: Vec<&'static str> = UPSTREAMS.to_vec();
    names.extend(all.keys().filter(|k| !UPSTREAMS.contains(k)));
    names
        .into_iter()
        .map(|name| {
            let u = all.get(name).unwrap_or(&empty);
            let wanted = u.count as f64 * 0.95;
            Summary {
                upstream: name,
                requests: u.count,
                errors: u.outcomes.iter().filter(|(o, _)| o.is_error()).map(|(_, n)| n).sum(),
                mean_ms: if u.count == 0 { 0.0 } else { u.sum / u.count as f64 * 1e3 },
                p95_ms: (u.count > 0).then(|| {
                    BUCKETS
                        .iter()
                        .zip(u.buckets)
                        .find(|(_, n)| *n as f64 >= wanted)
                        .map_or(f64::INFINITY, |(bound, _)| bound * 1e3)
                }),
            }
        })
        .collect()
}

/// The upstream metrics in Prometheus text format.
pub fn render() -> String {
    let all = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    let empty = Upstream::default();
    let mut names: Vec<&str> = UPSTREAMS.to_vec();
    names.extend(all.keys().filter(|k| !UPSTREAMS.contains(k)));
    let mut out = String::from(
        "# HELP askpro_upstream_request_duration_seconds Time an upstream took to answer one HTTP exchange, by upstream.\n\
         # TYPE askpro_upstream_request_duration_seconds histogram\n",
    );
    for name in &names {
        let u = all.get(name).unwrap_or(&empty);
        for (bound, n) in BUCKETS.iter().zip(u.buckets) {
            let _ = writeln!(
                out,
                "askpro_upstream_request_duration_seconds_bucket{{upstream=\"{name}\",le=\"{bound}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "askpro_upstream_request_duration_seconds_bucket{{upstream=\"{name}\",le=\"+Inf\"}} {}",
            u.count
        );
        let _ = writeln!(out, "askpro_upstream_request_duration_seconds_sum{{upstream=\"{name}\"}} {}", u.sum);
        let _ = writeln!(out, "askpro_upstream_request_duration_seconds_count{{upstream=\"{name}\"}} {}", u.count);
    }
    out.push_str(
        "# HELP askpro_upstream_requests_total HTTP exchanges with an upstream, by upstream and outcome (ok, rejected; errors: rate_limited, server_error, timeout, connect, decode).\n\
         # TYPE askpro_upstream_requests_total counter\n",
    );
    for name in &names {
        let u = all.get(name).unwrap_or(&empty);
        let _ = writeln!(
            out,
            "askpro_upstream_requests_total{{upstream=\"{name}\",outcome=\"ok\"}} {}",
            u.outcomes.get(&Outcome::Ok).unwrap_or(&0)
        );
        for (outcome, n) in u.outcomes.iter().filter(|(o, _)| **o != Outcome::Ok) {
            let _ = writeln!(
                out,
                "askpro_upstream_requests_total{{upstream=\"{name}\",outcome=\"{}\"}} {n}",
                outcome.as_str()
            );
        }
    }
    out.push_str(
        "# HELP askpro_upstream_errors_total HTTP exchanges with an upstream that failed (no answer, 429 or 5xx), by upstream.\n\
         # TYPE askpro_upstream_errors_total counter\n",
    );
    for name in &names {
        let u = all.get(name).unwrap_or(&empty);
        let errors: u64 = u.outcomes.iter().filter(|(o, _)| o.is_error()).map(|(_, n)| n).sum();
        let _ = writeln!(out, "askpro_upstream_errors_total{{upstream=\"{name}\"}} {errors}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_exchanges_are_rendered() {
        // The registry is process-wide: a name no client uses keeps this test to itself.
        record("test_upstream", Outcome::Ok, Duration::from_millis(20));
        record("test_upstream", Outcome::of_status(503), Duration::from_millis(3));
        record("test_upstream", Outcome::Timeout, Duration::from_secs(60));
        let text = render();
        let line = |prefix: &str| {
            text.lines().find(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("{prefix} in\n{text}")).to_string()
        };
        assert!(line("askpro_upstream_request_duration_seconds_bucket{upstream=\"test_upstream\",le=\"0.005\"}")
            .ends_with(" 1"));
        assert!(line("askpro_upstream_request_duration_seconds_bucket{upstream=\"test_upstream\",le=\"0.025\"}")
            .ends_with(" 2"));
        assert!(line("askpro_upstream_request_duration_seconds_bucket{upstream=\"test_upstream\",le=\"30\"}")
            .ends_with(" 2"));
        assert!(line("askpro_upstream_request_duration_seconds_bucket{upstream=\"test_upstream\",le=\"+Inf\"}")
            .ends_with(" 3"));
        assert!(
            line("askpro_upstream_requests_total{upstream=\"test_upstream\",outcome=\"server_error\"}").ends_with(" 1")
        );
        assert!(line("askpro_upstream_errors_total{upstream=\"test_upstream\"}").ends_with(" 2"));
        // Both upstreams are always there.
        assert!(line("askpro_upstream_errors_total{upstream=\"calcom\"}").starts_with("askpro"));
        assert!(line("askpro_upstream_errors_total{upstream=\"retell\"}").starts_with("askpro"));
        assert_eq!(Outcome::of_status(409), Outcome::Rejected);
        assert!(!Outcome::Rejected.is_error() && Outcome::RateLimited.is_error());
    }
}
