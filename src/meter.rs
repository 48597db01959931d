//! Where a long-running process spends its time in the database, counted as it serves.
//!
//! Every store operation (one method of [`crate::store::Store`], a bounded set of statements)
//! is timed by the [`crate::store::Metered`] wrapper into a per-operation histogram: calls, total
//! time and a log-scale histogram from which `performance:analyze` reads p50 and p95. A request
//! the daemon serves runs inside [`tally`], which adds up the operations it ran (how many, how
//! long, how often each) and hands them to [`Meter::request`] under the request's kind (a
//! function's name, a webhook's event): per kind the meter keeps requests, operations and
//! their time, and — the N+1 signal — how often one operation ran [`REPEATED`] times or more
//! within one request, which askpro's own request paths never do.
//!
//! Counting costs a clock read on each side of an operation and a few relaxed atomic adds; a
//! request's tally lives in a task-local cell. [`Snapshot`] is the serialisable form the daemon
//! serves (`/admin/performance`), persists for the CLI and merges across daemons.

use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use serde::{Deserialize, Serialize};

/// An operation that ran this many times within one request is an N+1 pattern.
pub const REPEATED: u32 = 5;

/// Buckets of the latency histograms: four per power of two of 100-nanosecond units (about
/// 19 % wide each), from 100 ns to well over an hour.
const BUCKETS: usize = 4 * 40;

/// Milliseconds since the Unix epoch.
fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// The bucket of `nanos`.
fn bucket(nanos: u64) -> usize {
    let v = (nanos / 100).max(1);
    let exp = 63 - v.leading_zeros() as usize;
    let sub = if exp >= 2 { (v >> (exp - 2)) & 3 } else { (v << (2 - exp)) & 3 } as usize;
    (exp * 4 + sub).min(BUCKETS - 1)
}

/// The upper bound of bucket `i`, in milliseconds.
fn bucket_upper_ms(i: usize) -> f64 {
    let (exp, sub) = (i / 4, i % 4);
    // Bucket (exp, sub) holds [ (4+sub)·2^exp/4, (5+sub)·2^exp/4 ) units of 100 ns.
    (5 + sub) as f64 * 2f64.powi(exp as i32) / 4.0 * 1e-4
}

/// One operation's calls and time.
struct OpStats {
    calls: AtomicU64,
    nanos: AtomicU64,
    buckets: Box<[AtomicU64]>,
}

impl OpStats {
    fn new() -> OpStats {
        OpStats {
            calls: AtomicU64::new(0),
            nanos: AtomicU64::new(0),
            buckets: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
        }
    }
}

/// What one request ran, by operation index.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    pub operations: u32,
    pub nanos: u64,
    /// `(operation, times)`; a request runs a handful of distinct operations.
    pub by_op: Vec<(u16, u32)>,
    /// What the request turned out to be (a webhook's event), when the handler said.
    pub kind: Option<&'static str>,
}

impl Tally {
    fn add(&mut self, op: u16, nanos: u64) {
        self.operations += 1;
        self.nanos += nanos;
        match self.by_op.iter_mut().find(|(o, _)| *o == op) {
            Some((_, n)) => *n += 1,
            None => self.by_op.push((op, 1)),
        }
    }
}

tokio::task_local! {
    static TALLY: RefCell<Tally>;
}

/// Runs `work`, adding up the store operations it runs on this task.
pub async fn tally<F: Future>(work: F) -> (F::Output, Tally) {
    let work = async move {
        let out = work.await;
        (out, TALLY.with(|t| t.take()))
    };
    TALLY.scope(RefCell::new(Tally::default()), work).await
}

/// Names the request being tallied on this task (a webhook's event), if one is.
pub fn name_request(kind: &'static str) {
    let _ = TALLY.try_with(|t| t.borrow_mut().kind = Some(kind));
}

/// Per request kind: requests, operations and their time, and repeated operations.
#[derive(Default)]
struct KindStats {
    requests: u64,
    operations: u64,
    max_operations: u32,
    nanos: u64,
    /// By operation: requests that ran it [`REPEATED`] times or more, and the most times.
    repeats: HashMap<u16, (u64, u32)>,
}

/// Hits and misses of one cache.
#[derive(Default)]
pub struct HitCounter {
    hits: AtomicU64,
    misses: AtomicU64,
}

impl HitCounter {
    pub fn hit(&self) {
        self.hits.fetch_add(1, Ordering::Relaxed);
    }

    pub fn miss(&self) {
        self.misses.fetch_add(1, Ordering::Relaxed);
    }

    /// `(hits, misses)` so far.
    pub fn counts(&self) -> (u64, u64) {
        (self.hits.load(Ordering::Relaxed), self.misses.load(Ordering::Relaxed))
    }

    /// The cache `name` holding `entries`, as a snapshot reports it.
    pub fn snapshot(&self, name: &str, entries: usize) -> CacheSnapshot {
        let (hits, misses) = self.counts();
        CacheSnapshot { cache: name.to_string(), hits, misses, entries: entries as u64 }
    }
}

/// The operations' histograms and the requests' tallies of one process.
pub struct Meter {
    names: &'static [&'static str],
    ops: Box<[OpStats]>,
    kinds: Mutex<HashMap<&'static str, KindStats>>,
    instance: String,
    started_at: i64,
}

impl Meter {
    /// A meter for the operations `names` (indexed as [`Meter::record`] is called).
    pub fn new(names: &'static [&'static str]) -> Meter {
        let started_at = now_ms();
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        let host = host.trim();
        Meter {
            names,
            ops: names.iter().map(|_| OpStats::new()).collect(),
            kinds: Mutex::default(),
            instance: format!(
                "{}:{}:{started_at}",
                if host.is_empty() { "localhost" } else { host },
                std::process::id()
            ),
            started_at,
        }
    }

    /// Runs operation `op` (an index into the names), counting its time here and in the
    /// request's tally.
    pub async fn time<T>(&self, op: u16, work: impl Future<Output = T>) -> T {
        let started = Instant::now();
        let out = work.await;
        self.record(op, started.elapsed().as_nanos() as u64);
        out
    }

    /// Counts one run of operation `op` that took `nanos`.
    pub fn record(&self, op: u16, nanos: u64) {
        if let Some(stats) = self.ops.get(op as usize) {
            stats.calls.fetch_add(1, Ordering::Relaxed);
            stats.nanos.fetch_add(nanos, Ordering::Relaxed);
            stats.buckets[bucket(nanos)].fetch_add(1, Ordering::Relaxed);
        }
        let _ = TALLY.try_with(|t| t.borrow_mut().add(op, nanos));
    }

    /// Adds a finished request's tally under `kind` (its own name wins when it named itself).
    pub fn request(&self, kind: &'static str, tally: &Tally) {
        let kind = tally.kind.unwrap_or(kind);
        let mut kinds = self.kinds.lock().unwrap_or_else(|e| e.into_inner());
        let stats = kinds.entry(kind).or_default();
        stats.requests += 1;
        stats.operations += u64::from(tally.operations);
        stats.max_operations = stats.max_operations.max(tally.operations);
        stats.nanos += tally.nanos;
        for &(op, times) in tally.by_op.iter().filter(|(_, n)| *n >= REPEATED) {
            let seen = stats.repeats.entry(op).or_default();
            seen.0 += 1;
            seen.1 = seen.1.max(times);
        }
    }

    /// Everything counted so far, with `caches` as their owners report them.
    pub fn snapshot(&self, caches: Vec<CacheSnapshot>) -> Snapshot {
        self.snapshot_with(caches, None)
    }

    /// [`Meter::snapshot`] with the store's last checkpoint.
    pub fn snapshot_with(&self, caches: Vec<CacheSnapshot>, checkpoint: Option<Checkpoint>) -> Snapshot {
        let ops = self
            .names
            .iter()
            .zip(self.ops.iter())
            .filter(|(_, s)| s.calls.load(Ordering::Relaxed) > 0)
            .map(|(name, s)| OpSnapshot {
                op: name.to_string(),
                calls: s.calls.load(Ordering::Relaxed),
                total_ms: s.nanos.load(Ordering::Relaxed) as f64 / 1e6,
                buckets: s
                    .buckets
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (i as u16, n.load(Ordering::Relaxed)))
                    .filter(|(_, n)| *n > 0)
                    .collect(),
            })
            .collect();
        let kinds = self.kinds.lock().unwrap_or_else(|e| e.into_inner());
        let mut requests: Vec<RequestSnapshot> = kinds
            .iter()
            .map(|(kind, s)| RequestSnapshot {
                kind: kind.to_string(),
                requests: s.requests,
                operations: s.operations,
                max_operations: u64::from(s.max_operations),
                total_ms: s.nanos as f64 / 1e6,
                repeats: s
                    .repeats
                    .iter()
                    .map(|(op, (requests, most))| Repeat {
                        op: self.names.get(*op as usize).copied().unwrap_or("unknown").to_string(),
                        requests: *requests,
                        most: u64::from(*most),
                    })
                    .collect(),
            })
            .collect();
        requests.sort_by(|a, b| a.kind.cmp(&b.kind));
        Snapshot {
            instance: self.instance.clone(),
            started_at: self.started_at,
            taken_at: now_ms(),
            ops,
            requests,
            caches,
            checkpoint,
        }
    }
}

/// What a meter counted, as served, persisted and merged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// `host:pid:start` of the process that counted it.
    pub instance: String,
    pub started_at: i64,
    pub taken_at: i64,
    pub ops: Vec<OpSnapshot>,
    pub requests: Vec<RequestSnapshot>,
    pub caches: Vec<CacheSnapshot>,
    /// The daemon's last WAL checkpoint (SQLite).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<Checkpoint>,
}

/// A WAL checkpoint's outcome: SQLite's `PRAGMA wal_checkpoint` row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// When it ran, ms since the epoch.
    pub at: i64,
    /// Frames in the WAL, and how many of them are now in the database file (fewer: a reader
    /// still needs the older ones, and the WAL cannot start over).
    pub wal_frames: i64,
    pub checkpointed: i64,
}

/// One store operation's calls and latency.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OpSnapshot {
    pub op: String,
    pub calls: u64,
    pub total_ms: f64,
    /// `(bucket, count)` of the non-empty buckets.
    pub buckets: Vec<(u16, u64)>,
}

impl OpSnapshot {
    /// The latency (milliseconds, a bucket's upper bound) at or below which `q` of the calls
    /// fell; `None` before the first.
    pub fn quantile_ms(&self, q: f64) -> Option<f64> {
        let total: u64 = self.buckets.iter().map(|(_, n)| n).sum();
        if total == 0 {
            return None;
        }
        let wanted = (total as f64 * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        let mut sorted = self.buckets.clone();
        sorted.sort_unstable();
        for (i, n) in sorted {
            seen += n;
            if seen >= wanted {
                // A bucket's bound, but no call took longer than all of them together.
                return Some(bucket_upper_ms(i as usize).min(self.total_ms));
            }
        }
        None
    }
}

/// One request kind's operations.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RequestSnapshot {
    pub kind: String,
    pub requests: u64,
    pub operations: u64,
    pub max_operations: u64,
    pub total_ms: f64,
    /// Operations that ran [`REPEATED`] times or more within one request.
    pub repeats: Vec<Repeat>,
}

/// An operation run repeatedly within requests of one kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Repeat {
    pub op: String,
    /// Requests in which it ran [`REPEATED`] times or more.
    pub requests: u64,
    /// The most times it ran in one request.
    pub most: u64,
}

/// One cache's hits, misses and size.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CacheSnapshot {
    pub cache: String,
    pub hits: u64,
    pub misses: u64,
    pub entries: u64,
}

impl Snapshot {
    /// What was counted after `earlier` (an earlier snapshot of the same meter): counts and
    /// times are differences; the most operations in a request, the most repeats and the
    /// caches' sizes are the latest.
    pub fn since(&self, earlier: &Snapshot) -> Snapshot {
        let ops_before: HashMap<&str, &OpSnapshot> = earlier.ops.iter().map(|o| (o.op.as_str(), o)).collect();
        let ops = self
            .ops
            .iter()
            .map(|op| match ops_before.get(op.op.as_str()) {
                None => op.clone(),
                Some(e) => {
                    let before: HashMap<u16, u64> = e.buckets.iter().copied().collect();
                    OpSnapshot {
                        op: op.op.clone(),
                        calls: op.calls.saturating_sub(e.calls),
                        total_ms: (op.total_ms - e.total_ms).max(0.0),
                        buckets: op
                            .buckets
                            .iter()
                            .map(|&(i, n)| (i, n.saturating_sub(before.get(&i).copied().unwrap_or(0))))
                            .filter(|(_, n)| *n > 0)
                            .collect(),
                    }
                }
            })
            .filter(|op| op.calls > 0)
            .collect();
        let requests_before: HashMap<&str, &RequestSnapshot> =
            earlier.requests.iter().map(|r| (r.kind.as_str(), r)).collect();
        let requests = self
            .requests
            .iter()
            .map(|r| match requests_before.get(r.kind.as_str()) {
                None => r.clone(),
                Some(e) => {
                    let before: HashMap<&str, u64> = e.repeats.iter().map(|x| (x.op.as_str(), x.requests)).collect();
                    RequestSnapshot {
                        kind: r.kind.clone(),
                        requests: r.requests.saturating_sub(e.requests),
                        operations: r.operations.saturating_sub(e.operations),
                        max_operations: r.max_operations,
                        total_ms: (r.total_ms - e.total_ms).max(0.0),
                        repeats: r
                            .repeats
                            .iter()
                            .map(|rep| Repeat {
                                requests: rep
                                    .requests
                                    .saturating_sub(before.get(rep.op.as_str()).copied().unwrap_or(0)),
                                ..rep.clone()
                            })
                            .filter(|rep| rep.requests > 0)
                            .collect(),
                    }
                }
            })
            .filter(|r| r.requests > 0)
            .collect();
        let caches_before: HashMap<&str, &CacheSnapshot> =
            earlier.caches.iter().map(|c| (c.cache.as_str(), c)).collect();
        let caches = self
            .caches
            .iter()
            .map(|c| {
                let e = caches_before.get(c.cache.as_str());
                CacheSnapshot {
                    cache: c.cache.clone(),
                    hits: c.hits.saturating_sub(e.map_or(0, |e| e.hits)),
                    misses: c.misses.saturating_sub(e.map_or(0, |e| e.misses)),
                    entries: c.entries,
                }
            })
            .collect();
        Snapshot {
            instance: self.instance.clone(),
            started_at: earlier.taken_at.max(self.started_at),
            taken_at: self.taken_at,
            ops,
            requests,
            caches,
            checkpoint: self.checkpoint,
        }
    }

    /// The sum of several processes' snapshots (operations, requests and caches by name;
    /// counts saturate rather than wrap).
    pub fn merge(snapshots: &[Snapshot]) -> Snapshot {
        use std::collections::BTreeMap;
        let mut ops: BTreeMap<&str, (u64, f64, BTreeMap<u16, u64>)> = BTreeMap::new();
        // By kind: the sums, and by operation its repeats' requests and most.
        type Repeats<'a> = BTreeMap<&'a str, (u64, u64)>;
        let mut requests: BTreeMap<&str, (RequestSnapshot, Repeats)> = BTreeMap::new();
        let mut caches: BTreeMap<&str, CacheSnapshot> = BTreeMap::new();
        let mut merged = Snapshot::default();
        for s in snapshots {
            merged.started_at = if merged.started_at == 0 { s.started_at } else { merged.started_at.min(s.started_at) };
            merged.taken_at = merged.taken_at.max(s.taken_at);
            if s.checkpoint.is_some_and(|c| merged.checkpoint.is_none_or(|m| c.at > m.at)) {
                merged.checkpoint = s.checkpoint;
            }
            for op in &s.ops {
                let m = ops.entry(op.op.as_str()).or_default();
                m.0 = m.0.saturating_add(op.calls);
                m.1 += op.total_ms;
                for &(i, n) in &op.buckets {
                    let c = m.2.entry(i).or_default();
                    *c = c.saturating_add(n);
                }
            }
            for r in &s.requests {
                let (m, repeats) = requests.entry(r.kind.as_str()).or_insert_with(|| {
                    (RequestSnapshot { kind: r.kind.clone(), ..Default::default() }, BTreeMap::new())
                });
                m.requests = m.requests.saturating_add(r.requests);
                m.operations = m.operations.saturating_add(r.operations);
                m.max_operations = m.max_operations.max(r.max_operations);
                m.total_ms += r.total_ms;
                for rep in &r.repeats {
                    let x = repeats.entry(rep.op.as_str()).or_default();
                    x.0 = x.0.saturating_add(rep.requests);
                    x.1 = x.1.max(rep.most);
                }
            }
            for c in &s.caches {
                let m = caches
                    .entry(c.cache.as_str())
                    .or_insert_with(|| CacheSnapshot { cache: c.cache.clone(), ..Default::default() });
                m.hits = m.hits.saturating_add(c.hits);
                m.misses = m.misses.saturating_add(c.misses);
                m.entries = m.entries.max(c.entries);
            }
        }
        merged.ops = ops
            .into_iter()
            .map(|(op, (calls, total_ms, buckets))| OpSnapshot {
                op: op.to_string(),
                calls,
                total_ms,
                buckets: buckets.into_iter().collect(),
            })
            .collect();
        merged.requests = requests
            .into_values()
            .map(|(mut r, repeats)| {
                r.repeats = repeats
                    .into_iter()
                    .map(|(op, (requests, most))| Repeat { op: op.to_string(), requests, most })
                    .collect();
                r
            })
            .collect();
        merged.caches = caches.into_values().collect();
        let mut instances: Vec<&str> = snapshots.iter().map(|s| s.instance.as_str()).collect();
        instances.sort_unstable();
        instances.dedup();
        merged.instance = instances.join(",");
        merged
    }

    /// How many processes counted it (a merged snapshot names each once).
    pub fn processes(&self) -> usize {
        self.instance.split(',').filter(|i| !i.is_empty()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_bound_their_values_within_a_fifth() {
        for nanos in [100u64, 999, 1_000, 12_345, 1_000_000, 37_000_000, 2_000_000_000] {
            let upper = bucket_upper_ms(bucket(nanos)) * 1e6;
            assert!(upper >= nanos as f64, "{nanos} ns above its bucket's bound {upper}");
            assert!(upper <= nanos as f64 * 1.26 + 100.0, "{nanos} ns in a bucket up to {upper}");
        }
    }

    #[test]
    fn quantiles_come_from_the_histogram() {
        static NAMES: [&str; 1] = ["op"];
        let meter = Meter::new(&NAMES);
        for _ in 0..90 {
            meter.record(0, 1_000_000);
        }
        for _ in 0..10 {
            meter.record(0, 50_000_000);
        }
        let snap = meter.snapshot(vec![]);
        let op = &snap.ops[0];
        assert_eq!(op.calls, 100);
        let p50 = op.quantile_ms(0.5).unwrap();
        let p95 = op.quantile_ms(0.95).unwrap();
        assert!((1.0..1.26).contains(&p50), "p50 {p50}");
        assert!((50.0..63.0).contains(&p95), "p95 {p95}");
    }

    #[tokio::test]
    async fn a_request_tallies_its_operations_and_repeats() {
        static NAMES: [&str; 2] = ["one", "each"];
        let meter = Meter::new(&NAMES);
        let ((), counted) = tally(async {
            meter.time(0, async {}).await;
            for _ in 0..7 {
                meter.time(1, async {}).await;
            }
        })
        .await;
        assert_eq!(counted.operations, 8);
        meter.request("fn", &counted);
        let ((), small) = tally(async { meter.time(1, async {}).await }).await;
        meter.request("fn", &small);
        let snap = meter.snapshot(vec![]);
        let r = &snap.requests[0];
        assert_eq!((r.requests, r.operations, r.max_operations), (2, 9, 8));
        assert_eq!(r.repeats, vec![Repeat { op: "each".into(), requests: 1, most: 7 }]);
        // Outside a tally, operations are still counted per operation.
        meter.time(0, async {}).await;
        assert_eq!(meter.snapshot(vec![]).ops[0].calls, 2);
    }

    #[test]
    fn a_later_snapshot_less_an_earlier_is_what_came_between() {
        static NAMES: [&str; 2] = ["one", "each"];
        let meter = Meter::new(&NAMES);
        meter.record(0, 1_000);
        let ((), t) = futures_free_tally(&meter, 6);
        meter.request("fn", &t);
        let earlier = meter.snapshot(vec![CacheSnapshot { cache: "c".into(), hits: 3, misses: 1, entries: 4 }]);
        meter.record(0, 50_000_000);
        meter.record(1, 2_000);
        let later = meter.snapshot(vec![CacheSnapshot { cache: "c".into(), hits: 10, misses: 1, entries: 5 }]);
        let between = later.since(&earlier);
        let one = between.ops.iter().find(|o| o.op == "one").unwrap();
        assert_eq!(one.calls, 1);
        assert!(one.quantile_ms(0.5).unwrap() >= 50.0, "only the slow call is left: {one:?}");
        assert_eq!(between.ops.iter().find(|o| o.op == "each").unwrap().calls, 1);
        assert!(between.requests.is_empty(), "no request came between: {between:?}");
        assert_eq!(between.caches[0], CacheSnapshot { cache: "c".into(), hits: 7, misses: 0, entries: 5 });
    }

    /// A request that ran operation 1 `n` times.
    fn futures_free_tally(meter: &Meter, n: usize) -> ((), Tally) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(tally(async {
            for _ in 0..n {
                meter.time(1, async {}).await;
            }
        }))
    }

    #[test]
    fn merging_huge_counts_saturates() {
        let huge = Snapshot {
            instance: "a".into(),
            ops: vec![OpSnapshot { op: "x".into(), calls: u64::MAX, total_ms: 1.0, buckets: vec![(3, u64::MAX)] }],
            requests: vec![RequestSnapshot {
                kind: "k".into(),
                requests: u64::MAX,
                operations: u64::MAX,
                ..Default::default()
            }],
            caches: vec![CacheSnapshot { cache: "c".into(), hits: u64::MAX, misses: 1, entries: 1 }],
            ..Default::default()
        };
        let m = Snapshot::merge(&[huge.clone(), huge]);
        assert_eq!((m.ops[0].calls, m.ops[0].buckets[0].1, m.requests[0].requests), (u64::MAX, u64::MAX, u64::MAX));
        assert_eq!(m.processes(), 1);
    }

    #[test]
    fn snapshots_merge_by_name() {
        let a = Snapshot {
            ops: vec![OpSnapshot { op: "x".into(), calls: 2, total_ms: 1.0, buckets: vec![(3, 2)] }],
            caches: vec![CacheSnapshot { cache: "tenants".into(), hits: 5, misses: 1, entries: 2 }],
            ..Default::default()
        };
        let m = Snapshot::merge(&[a.clone(), a]);
        assert_eq!(m.ops[0].calls, 4);
        assert_eq!(m.ops[0].buckets, vec![(3, 4)]);
        assert_eq!(m.caches[0].hits, 10);
    }
}
