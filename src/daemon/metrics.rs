//! Counters and latency histograms for `/metrics` (Prometheus text format): requests per
//! endpoint and status, request latency per endpoint, and signature failures per reason.

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

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(&'static str, u16), u64>,
    latency: BTreeMap<&'static str, Histogram>,
    signature_failures: BTreeMap<&'static str, u64>,
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
        let h = m.latency.entry(endpoint).or_default();
        let secs = took.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += secs;
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
                let mean = if h.count == 0 { 0.0 } else { h.sum / h.count as f64 * 1e3 };
                (*endpoint, h.count, failed, mean)
            })
            .collect();
        (rows, m.signature_failures.iter().map(|(r, n)| (*r, *n)).collect())
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
            for (bound, n) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    out,
                    "askpro_request_duration_seconds_bucket{{endpoint=\"{endpoint}\",le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "askpro_request_duration_seconds_bucket{{endpoint=\"{endpoint}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(out, "askpro_request_duration_seconds_sum{{endpoint=\"{endpoint}\"}} {}", h.sum);
            let _ = writeln!(out, "askpro_request_duration_seconds_count{{endpoint=\"{endpoint}\"}} {}", h.count);
        }
        out.push_str("# HELP askpro_signature_failures_total Requests refused for their signature, by reason.\n");
        out.push_str("# TYPE askpro_signature_failures_total counter\n");
        for (reason, n) in &m.signature_failures {
            let _ = writeln!(out, "askpro_signature_failures_total{{reason=\"{reason}\"}} {n}");
        }
        out
    }
}
