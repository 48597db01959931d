//! A token bucket per source address: a burst is allowed, then requests above the rate get a
//! 429 with `Retry-After`. Retell calls from few addresses for every tenant, so the default is
//! generous; `ASKPRO_RATE_LIMIT=0` turns it off (benchmarks).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

pub struct RateLimit {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimit {
    /// `per_second == 0` admits everything.
    pub fn new(per_second: u32) -> RateLimit {
        let per_second = f64::from(per_second);
        RateLimit { per_second, burst: per_second * 2.0, buckets: Mutex::new(HashMap::new()) }
    }

    /// `Ok` to go ahead, or the whole seconds to wait.
    pub fn admit(&self, source: IpAddr) -> Result<(), u64> {
        if self.per_second <= 0.0 {
            return Ok(());
        }
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > 10_000 {
            buckets.retain(|_, (_, seen)| now.duration_since(*seen).as_secs() < 60);
        }
        let (tokens, seen) = buckets.entry(source).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*seen).as_secs_f64() * self.per_second).min(self.burst);
        *seen = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / self.per_second).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_refusals_with_a_wait_and_other_sources_unaffected() {
        let limit = RateLimit::new(5);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..10 {
            assert_eq!(limit.admit(a), Ok(()));
        }
        assert_eq!(limit.admit(a), Err(1));
        assert_eq!(limit.admit(b), Ok(()));
        assert!(RateLimit::new(0).admit(a).is_ok());
    }
}
