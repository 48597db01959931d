//! A circuit breaker per company and upstream: after a run of failures (errors or deadlines)
//! calls to that upstream stop for a while, so a failing Cal.com costs callers no more waiting;
//! the first call after the pause is let through to try again.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Consecutive failures that open the circuit.
pub const THRESHOLD: u32 = 5;
/// How long an open circuit stays open.
pub const PAUSE: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Circuit {
    failures: u32,
    open_until: Option<Instant>,
}

#[derive(Default)]
pub struct Breakers {
    circuits: Mutex<BTreeMap<(i64, &'static str), Circuit>>,
}

impl Breakers {
    /// Whether calls to `upstream` for the company may go ahead now.
    pub fn allows(&self, company_id: i64, upstream: &'static str) -> bool {
        let mut all = self.circuits.lock().unwrap_or_else(|e| e.into_inner());
        match all.get_mut(&(company_id, upstream)) {
            Some(c) => match c.open_until {
                Some(until) if Instant::now() < until => false,
                Some(_) => {
                    // Half open: one call tries; another failure opens it again at once.
                    c.open_until = None;
                    c.failures = THRESHOLD - 1;
                    true
                }
                None => true,
            },
            None => true,
        }
    }

    pub fn record(&self, company_id: i64, upstream: &'static str, ok: bool) {
        let mut all = self.circuits.lock().unwrap_or_else(|e| e.into_inner());
        let c = all.entry((company_id, upstream)).or_default();
        if ok {
            *c = Circuit::default();
            return;
        }
        c.failures += 1;
        if c.failures >= THRESHOLD {
            c.open_until = Some(Instant::now() + PAUSE);
            tracing::warn!(company_id, upstream, "circuit opened after {} failures", c.failures);
        }
    }

    /// `(company, upstream, open)` for every circuit that has seen a call, for `/metrics`.
    pub fn states(&self) -> Vec<(i64, &'static str, bool)> {
        let all = self.circuits.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        all.iter()
            .map(|((company, upstream), c)| (*company, *upstream, c.open_until.is_some_and(|u| now < u)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_a_run_of_failures_and_closes_on_success() {
        let b = Breakers::default();
        for _ in 0..THRESHOLD - 1 {
            b.record(1, "calcom", false);
        }
        assert!(b.allows(1, "calcom"));
        b.record(1, "calcom", true);
        for _ in 0..THRESHOLD {
            b.record(1, "calcom", false);
        }
        assert!(!b.allows(1, "calcom"), "open");
        assert!(b.allows(2, "calcom"), "per company");
        assert_eq!(b.states(), vec![(1, "calcom", true)]);
    }
}
