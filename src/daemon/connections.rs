//! The open connections: at most a cap of them, the idle ones closed first to make room for a
//! new client, and all of them closed gracefully on shutdown (a request in flight finishes).
//!
//! The cap keeps the daemon within its open-file limit, which the binary raises to the hard
//! limit at start ([`raise_fd_limit`]): without it, a few hundred idle sockets used up the
//! descriptors and the daemon could accept nobody until they timed out. A connection that has
//! never carried a request goes first (a client that connects and says nothing), then the one
//! idle the longest; with every connection busy, a new client is told to retry (503).
//! The registry is locked once per accepted and per closed connection; a request only sets two
//! atomics on its own connection.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::Notify;

/// The default cap: half the open-file limit (the rest is for the database, the log and
/// connections still closing), at most 1,024 (each costs memory; see README, "Limits").
pub fn default_cap() -> usize {
    let soft = rlimit::getrlimit(rlimit::Resource::NOFILE).map(|(soft, _)| soft).unwrap_or(1024);
    (soft / 2).clamp(16, 1024) as usize
}

/// Raises the soft open-file limit to the hard limit; the new soft limit.
pub fn raise_fd_limit() -> std::io::Result<u64> {
    rlimit::increase_nofile_limit(u64::MAX)
}

/// A connection that has sent no request this long after connecting is the first to go.
const SILENT_MS: u64 = 1_000;

pub struct Connections {
    cap: usize,
    epoch: Instant,
    registry: Mutex<Registry>,
    /// Signalled when the last connection closes.
    drained: Notify,
    shed: AtomicU64,
    refused: AtomicU64,
}

#[derive(Default)]
struct Registry {
    next: u64,
    open: HashMap<u64, Arc<Connection>>,
    /// Open connections asked to close that have not closed yet.
    closing: usize,
    shutting_down: bool,
}

/// One connection's state, shared by its task and the requests on it.
pub struct Connection {
    id: u64,
    epoch: Instant,
    busy: AtomicBool,
    /// Milliseconds after `epoch` when it was accepted.
    opened: u64,
    /// Milliseconds after `epoch` when its last request ended; 0 before its first.
    last_request: AtomicU64,
    asked_to_close: AtomicBool,
    close: Notify,
}

impl Connections {
    pub fn new(cap: usize) -> Arc<Connections> {
        Arc::new(Connections {
            cap: cap.max(1),
            epoch: Instant::now(),
            registry: Mutex::default(),
            drained: Notify::new(),
            shed: AtomicU64::new(0),
            refused: AtomicU64::new(0),
        })
    }

    pub fn cap(&self) -> usize {
        self.cap
    }

    /// (open, closed to make room, refused at the cap) for the metrics.
    pub fn counts(&self) -> (usize, u64, u64) {
        let open = self.lock().open.len();
        (open, self.shed.load(Ordering::Relaxed), self.refused.load(Ordering::Relaxed))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers a new connection, closing an idle one when at the cap; `None` when every
    /// connection is busy (or the daemon is shutting down).
    pub fn admit(self: &Arc<Self>) -> Option<Open> {
        let mut registry = self.lock();
        if registry.shutting_down {
            return None;
        }
        if registry.open.len() - registry.closing >= self.cap && !self.shed_one(&mut registry) {
            self.refused.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        let id = registry.next;
        registry.next += 1;
        let connection = Arc::new(Connection {
            id,
            epoch: self.epoch,
            opened: self.epoch.elapsed().as_millis() as u64,
            busy: AtomicBool::new(false),
            last_request: AtomicU64::new(0),
            asked_to_close: AtomicBool::new(false),
            close: Notify::new(),
        });
        registry.open.insert(id, connection.clone());
        Some(Open { connections: self.clone(), connection })
    }

    /// Closes the least useful idle connection, if there is one (to free a descriptor).
    pub fn shed_idle(&self) -> bool {
        self.shed_one(&mut self.lock())
    }

    /// Asks the idle connection that matters least to close: one that has said nothing for a
    /// second since it connected (oldest first), else the one idle the longest, else one that has
    /// only just connected (its request is likely on its way).
    fn shed_one(&self, registry: &mut Registry) -> bool {
        let now = self.epoch.elapsed().as_millis() as u64;
        let victim = registry
            .open
            .values()
            .filter(|c| !c.busy.load(Ordering::Acquire) && !c.asked_to_close.load(Ordering::Acquire))
            .min_by_key(|c| match c.last_request.load(Ordering::Relaxed) {
                0 if now - c.opened >= SILENT_MS => (0, c.opened),
                0 => (2, c.opened),
                last => (1, last),
            });
        let Some(victim) = victim else { return false };
        victim.asked_to_close.store(true, Ordering::Release);
        victim.close.notify_one();
        registry.closing += 1;
        self.shed.fetch_add(1, Ordering::Relaxed);
        true
    }

    /// Asks every connection to close once its request in flight (if any) is answered, and
    /// admits no more; [`Connections::drained`] tells when they are gone.
    pub fn close_all(&self) {
        let mut registry = self.lock();
        registry.shutting_down = true;
        let mut asked = 0;
        for connection in registry.open.values() {
            if !connection.asked_to_close.swap(true, Ordering::AcqRel) {
                asked += 1;
            }
            connection.close.notify_one();
        }
        registry.closing += asked;
    }

    /// Resolves once no connection is open.
    pub async fn drained(&self) {
        loop {
            let notified = self.drained.notified();
            if self.lock().open.is_empty() {
                return;
            }
            notified.await;
        }
    }
}

/// A registered connection; dropping it takes it out of the registry.
pub struct Open {
    connections: Arc<Connections>,
    connection: Arc<Connection>,
}

impl Open {
    pub fn connection(&self) -> Arc<Connection> {
        self.connection.clone()
    }

    /// Resolves when the connection is asked to close (to make room, or on shutdown).
    pub async fn asked_to_close(&self) {
        self.connection.close.notified().await;
    }

    pub fn is_busy(&self) -> bool {
        self.connection.busy.load(Ordering::Acquire)
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        let mut registry = self.connections.lock();
        registry.open.remove(&self.connection.id);
        if self.connection.asked_to_close.load(Ordering::Acquire) {
            registry.closing -= 1;
        }
        if registry.open.is_empty() {
            self.connections.drained.notify_one();
        }
    }
}

impl Connection {
    /// Marks a request in flight until the returned guard is dropped.
    pub fn busy(self: &Arc<Self>) -> Busy {
        self.busy.store(true, Ordering::Release);
        Busy(self.clone())
    }
}

pub struct Busy(Arc<Connection>);

impl Drop for Busy {
    fn drop(&mut self) {
        let ms = self.0.epoch.elapsed().as_millis() as u64;
        self.0.last_request.store(ms.max(1), Ordering::Relaxed);
        self.0.busy.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_the_cap_the_idle_give_way_first_and_the_busy_never() {
        let connections = Connections::new(3);
        let silent = connections.admit().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(SILENT_MS + 50));
        let served = connections.admit().unwrap();
        drop(served.connection().busy());
        let young = connections.admit().unwrap();
        let asked = |open: &Open| open.connection.asked_to_close.load(Ordering::Acquire);
        // At the cap: first the one that said nothing for a second,
        let fourth = connections.admit().unwrap();
        assert!(asked(&silent) && !asked(&served) && !asked(&young));
        drop(silent);
        // then the one idle after a request, before the one that only just connected,
        let _fourth_busy = fourth.connection().busy();
        let fifth = connections.admit().unwrap();
        assert!(asked(&served) && !asked(&young));
        drop(served);
        let _young_busy = young.connection().busy();
        let _fifth_busy = fifth.connection().busy();
        // and a busy one never.
        assert!(connections.admit().is_none(), "all busy: refused");
        assert_eq!(connections.counts(), (3, 2, 1));
    }
}
