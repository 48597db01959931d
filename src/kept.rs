//! Values a long-running process keeps while the database says they are current: each is
//! stored with the version it was built at (a counter the database bumps whenever the data
//! behind it changes), and used again only by a caller that read the same version.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use crate::error::Result;
use crate::meter::{CacheSnapshot, HitCounter};

/// Kept values by key, at most `limit` of them (beyond it they are all built again as needed).
pub struct Kept<K, V> {
    held: Mutex<HashMap<K, (i64, Arc<V>)>>,
    limit: usize,
    counter: HitCounter,
}

impl<K: Eq + Hash + Copy, V> Kept<K, V> {
    pub fn new(limit: usize) -> Kept<K, V> {
        Kept { held: Mutex::new(HashMap::new()), limit, counter: HitCounter::default() }
    }

    /// Its hits (a kept value served), misses (a value built) and size, as `name`.
    pub fn snapshot(&self, name: &str) -> CacheSnapshot {
        self.counter.snapshot(name, self.held.lock().unwrap_or_else(|e| e.into_inner()).len())
    }

    /// The value kept for `key` at `version`, or the one `build` makes (then kept). `build`
    /// must read after the version was read, so that what it reads is at least that new.
    pub async fn get(&self, key: K, version: i64, build: impl AsyncFnOnce() -> Result<V>) -> Result<Arc<V>> {
        let found = self.held.lock().unwrap_or_else(|e| e.into_inner()).get(&key).cloned();
        if let Some((kept_at, value)) = found {
            if kept_at == version {
                self.counter.hit();
                return Ok(value);
            }
        }
        self.counter.miss();
        let value = Arc::new(build().await?);
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        if held.len() >= self.limit && !held.contains_key(&key) {
            held.clear();
        }
        // A concurrent caller may have kept a newer version already: the newest stays.
        if held.get(&key).is_none_or(|(kept_at, _)| *kept_at <= version) {
            held.insert(key, (version, value.clone()));
        }
        Ok(value)
    }
}
