//! A token bucket per source address: a burst of twice the rate is allowed, then requests above
//! the rate get a 429 with `Retry-After`. The daemon keeps two, so that unsigned traffic cannot
//! use up what signed traffic may send: one charged only by requests whose signature verified,
//! one by the requests it refused. Retell calls from few addresses for every tenant (behind a
//! load balancer, from one), so the default is generous; `ASKPRO_RATE_LIMIT=0` turns both off.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Sources tracked at once; beyond them, new sources share one bucket until old ones are full
/// again and forgotten, so that a sender with many addresses cannot grow the map.
const MAX_SOURCES: usize = 10_000;

pub struct RateLimit {
    per_second: f64,
    burst: f64,
    buckets: Mutex<Buckets>,
}

struct Buckets {
    by_source: HashMap<IpAddr, (f64, Instant)>,
    pruned: Instant,
}

impl RateLimit {
    /// `per_second == 0` admits everything.
    pub fn new(per_second: u32) -> RateLimit {
        let per_second = f64::from(per_second);
        let buckets = Buckets { by_source: HashMap::new(), pruned: Instant::now() };
        RateLimit { per_second, burst: per_second * 2.0, buckets: Mutex::new(buckets) }
    }

    /// `Ok` to go ahead, or the whole seconds to wait.
    pub fn admit(&self, source: IpAddr) -> Result<(), u64> {
        if self.per_second <= 0.0 {
            return Ok(());
        }
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let mut source = sender(source);
        if buckets.by_source.len() >= MAX_SOURCES && !buckets.by_source.contains_key(&source) {
            // A bucket untouched for burst/rate seconds is full again: forgetting it changes nothing.
            if now.duration_since(buckets.pruned) >= Duration::from_secs(1) {
                let full_after = self.burst / self.per_second;
                buckets.by_source.retain(|_, (_, seen)| now.duration_since(*seen).as_secs_f64() < full_after);
                buckets.pruned = now;
            }
            if buckets.by_source.len() >= MAX_SOURCES {
                source = IpAddr::V6(Ipv6Addr::UNSPECIFIED);
            }
        }
        let (tokens, seen) = buckets.by_source.entry(source).or_insert((self.burst, now));
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

/// The sender behind an address: an IPv4 address, or an IPv6 /64 (one host's usual share).
fn sender(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
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

    #[test]
    fn one_ipv6_host_is_one_sender_and_many_senders_stay_bounded() {
        let limit = RateLimit::new(1);
        assert_eq!(limit.admit("2001:db8::1".parse().unwrap()), Ok(()));
        assert_eq!(limit.admit("2001:db8::2".parse().unwrap()), Ok(()));
        assert_eq!(limit.admit("2001:db8::3".parse().unwrap()), Err(1), "the same /64");
        assert_eq!(limit.admit("::ffff:10.0.0.1".parse().unwrap()), Ok(()));
        assert_eq!(limit.admit("10.0.0.1".parse().unwrap()), Ok(()), "a mapped address is its IPv4 one");
        assert_eq!(limit.admit("10.0.0.1".parse().unwrap()), Err(1));
        for i in 0..(MAX_SOURCES as u32 + 50) {
            let _ = limit.admit(IpAddr::V4((0x0b00_0000 + i).into()));
        }
        assert!(limit.buckets.lock().unwrap().by_source.len() <= MAX_SOURCES + 1);
    }
}
