//! Counters and latency histograms for `/metrics` (Prometheus text format): requests per
//! endpoint and status, request latency per endpoint, function calls per function and answer
//! status with their latency, upstream failures, and signature failures per reason.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, took: Duration) {
        let secs = took.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                self.counts[i] += 1;
            }
        }
        self.count += 1;
        self.sum += secs;
    }

    /// Mean milliseconds (0 before the first observation).
    fn mean_ms(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum / self.count as f64 * 1e3
        }
    }

    /// The smallest bucket bound (milliseconds) at or below which 95 % of the observations
    /// fall; `None` before the first, infinite when they fall above the last bound.
    fn p95_ms(&self) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let wanted = self.count as f64 * 0.95;
        Some(
            BUCKETS
                .iter()
                .zip(self.counts)
                .find(|(_, n)| *n as f64 >= wanted)
                .map_or(f64::INFINITY, |(bound, _)| bound * 1e3),
        )
    }

    /// The histogram's lines for `metric` with the label `label="value"`.
    fn render(&self, out: &mut String, metric: &str, label: &str, value: &str) {
        for (bound, n) in BUCKETS.iter().zip(self.counts) {
            let _ = writeln!(out, "{metric}_bucket{{{label}=\"{value}\",le=\"{bound}\"}} {n}");
        }
        let _ = writeln!(out, "{metric}_bucket{{{label}=\"{value}\",le=\"+Inf\"}} {}", self.count);
        let _ = writeln!(out, "{metric}_sum{{{label}=\"{value}\"}} {}", self.sum);
        let _ = writeln!(out, "{metric}_count{{{label}=\"{value}\"}} {}", self.count);
    }
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(&'static str, u16), u64>,
    latency: BTreeMap<&'static str, Histogram>,
    signature_failures: BTreeMap<&'static str, u64>,
    /// By function and answer status (`replayed` for a retry's first answer).
    function_calls: BTreeMap<(&'static str, &'static str), u64>,
    function_latency: BTreeMap<&'static str, Histogram>,
    /// By upstream and what happened (`timeout`, `error`, `circuit_open`).
    upstream_failures: BTreeMap<(&'static str, &'static str), u64>,
}

/// One function's calls and latency, for the `/status` page.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionSummary {
    pub function: &'static str,
    pub calls: u64,
    /// Answers whose status was `error`.
    pub errors: u64,
    pub mean_ms: f64,
    /// The bucket bound 95 % of the answers came within (infinite: over the last bound).
    pub p95_ms: Option<f64>,
}

/// `(endpoint, requests, not 2xx, mean milliseconds)`.
pub type EndpointSummary = (&'static str, u64, u64, f64);

#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Metrics {
    pub fn request(&self, endpoint: &'static str, status: u16, took: Duration) {
        let mut m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *m.requests.entry((endpoint, status)).or_default() += 1;
        m.latency.entry(endpoint).or_default().observe(took);
    }

    /// A function call answered in `took`.
    pub fn function(&self, served: &crate::functions::Served, took: Duration) {
        let mut m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let status = if served.replayed { "replayed" } else { served.status.as_str() };
        *m.function_calls.entry((served.function, status)).or_default() += 1;
        m.function_latency.entry(served.function).or_default().observe(took);
        if let Some(failure) = served.upstream_failure {
            *m.upstream_failures.entry(failure).or_default() += 1;
        }
    }

    pub fn signature_failure(&self, reason: &'static str) {
        let mut m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *m.signature_failures.entry(reason).or_default() += 1;
    }

    /// Per endpoint: requests, answers that were not 2xx, and mean latency in milliseconds;
    /// then signature failures per reason. For the `/status` page.
    pub fn summary(&self) -> (Vec<EndpointSummary>, Vec<(&'static str, u64)>) {
        let m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let rows = m
            .latency
            .iter()
            .map(|(endpoint, h)| {
                let failed = m
                    .requests
                    .iter()
                    .filter(|((e, s), _)| e == endpoint && !(200..300).contains(s))
                    .map(|(_, n)| n)
                    .sum();
                (*endpoint, h.count, failed, h.mean_ms())
            })
            .collect();
        (rows, m.signature_failures.iter().map(|(r, n)| (*r, *n)).collect())
    }

    /// Per function: calls, errors and latency; then upstream failures by upstream and kind.
    /// For the `/status` page.
    pub fn function_summary(&self) -> (Vec<FunctionSummary>, Vec<(String, u64)>) {
        let m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let rows = m
            .function_latency
            .iter()
            .map(|(f, h)| FunctionSummary {
                function: f,
                calls: h.count,
                errors: m.function_calls.iter().filter(|((g, s), _)| g == f && *s == "error").map(|(_, n)| n).sum(),
                mean_ms: h.mean_ms(),
                p95_ms: h.p95_ms(),
            })
            .collect();
        let failures = m.upstream_failures.iter().map(|((u, k), n)| (format!("{u}: {k}"), *n)).collect();
        (rows, failures)
    }

    pub fn render(&self) -> String {
        let m = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = String::new();
        out.push_str("# HELP askpro_requests_total Requests answered, by endpoint and status.\n");
        out.push_str("# TYPE askpro_requests_total counter\n");
        for ((endpoint, status), n) in &m.requests {
            let _ = writeln!(out, "askpro_requests_total{{endpoint=\"{endpoint}\",status=\"{status}\"}} {n}");
        }
        out.push_str("# HELP askpro_request_duration_seconds Time to answer, by endpoint.\n");
        out.push_str("# TYPE askpro_request_duration_seconds histogram\n");
        for (endpoint, h) in &m.latency {
            h.render(&mut out, "askpro_request_duration_seconds", "endpoint", endpoint);
        }
        out.push_str("# HELP askpro_function_calls_total Custom function calls, by function and answer status.\n");
        out.push_str("# TYPE askpro_function_calls_total counter\n");
        for ((function, status), n) in &m.function_calls {
            let _ = writeln!(out, "askpro_function_calls_total{{function=\"{function}\",status=\"{status}\"}} {n}");
        }
        out.push_str("# HELP askpro_function_duration_seconds Time to answer a custom function, by function.\n");
        out.push_str("# TYPE askpro_function_duration_seconds histogram\n");
        for (function, h) in &m.function_latency {
            h.render(&mut out, "askpro_function_duration_seconds", "function", function);
        }
        out.push_str("# HELP askpro_upstream_failures_total Calls to an upstream that failed, timed out or were skipped while its circuit was open.\n");
        out.push_str("# TYPE askpro_upstream_failures_total counter\n");
        for ((upstream, kind), n) in &m.upstream_failures {
            let _ = writeln!(out, "askpro_upstream_failures_total{{upstream=\"{upstream}\",kind=\"{kind}\"}} {n}");
        }
        out.push_str("# HELP askpro_signature_failures_total Requests refused for their signature, by reason.\n");
        out.push_str("# TYPE askpro_signature_failures_total counter\n");
        for (reason, n) in &m.signature_failures {
            let _ = writeln!(out, "askpro_signature_failures_total{{reason=\"{reason}\"}} {n}");
        }
        out
    }
}
