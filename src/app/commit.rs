//! Group commit for the daemon's hot writes (webhook deliveries, function answers).
//!
//! Concurrent requests hand their [`Write`] to one task, which commits whatever has queued up
//! — up to [`MAX_BATCH`] writes — in a single transaction and then answers each request. Every
//! request is still acknowledged only after the transaction holding its write has committed,
//! so nothing acknowledged is lost; what is saved is one commit (and one disk flush) per
//! request. When a batch fails, its writes are committed again one by one, so one bad write
//! fails alone.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::error::{Error, Result};
use crate::store::{Store, Write, Written};

/// The most writes one transaction carries.
pub const MAX_BATCH: usize = 128;

/// A batch smaller than this lets the runtime run once before it commits, and takes what was
/// written meanwhile. Each commit writes whole pages to SQLite's WAL — for a small function
/// answer, the table's and its index's pages again — so small batches cost more per write; and
/// without the wait the committing task, woken as soon as the last commit ends, often commits
/// one or two writes while other requests are about to write.
const SMALL_BATCH: usize = 8;

type Job = (Write, oneshot::Sender<Result<Written>>);

/// The queue in front of the committing task; the task ends when this is dropped.
pub struct GroupCommit {
    queue: mpsc::Sender<Job>,
}

impl GroupCommit {
    /// Starts the committing task on the current Tokio runtime.
    pub fn start(store: Arc<dyn Store>) -> GroupCommit {
        let (queue, jobs) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(store, jobs));
        GroupCommit { queue }
    }

    /// Commits `write` with whatever else is waiting; returns once it is durable.
    pub async fn commit(&self, write: Write) -> Result<Written> {
        let (done, outcome) = oneshot::channel();
        self.queue.send((write, done)).await.map_err(|_| Error::internal("the committing task has stopped"))?;
        outcome.await.map_err(|_| Error::internal("the committing task stopped before answering"))?
    }
}

async fn run(store: Arc<dyn Store>, mut jobs: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while jobs.recv_many(&mut batch, MAX_BATCH).await > 0 {
        if batch.len() < SMALL_BATCH {
            // Requests that are ready to run may be about to write: let them, and take their
            // writes into this commit. Alone, this costs one turn of the runtime.
            tokio::task::yield_now().await;
            while batch.len() < MAX_BATCH {
                let Ok(job) = jobs.try_recv() else { break };
                batch.push(job);
            }
        }
        let (writes, waiting): (Vec<Write>, Vec<_>) = batch.drain(..).unzip();
        let writes: Arc<[Write]> = writes.into();
        match store.commit_writes(writes.clone()).await {
            Ok(done) => {
                for (written, waiter) in done.into_iter().zip(waiting) {
                    let _ = waiter.send(Ok(written));
                }
            }
            Err(e) if writes.len() == 1 => {
                let _ = waiting.into_iter().next().map(|w| w.send(Err(e)));
            }
            Err(e) => {
                tracing::warn!(error = %e, writes = writes.len(), "a group commit failed; committing its writes one by one");
                for (write, waiter) in writes.iter().zip(waiting) {
                    let outcome = store.commit_writes(Arc::from([write.clone()])).await;
                    let _ = waiter.send(
                        outcome.and_then(|mut w| w.pop().ok_or_else(|| Error::internal("the store answered no write"))),
                    );
                }
            }
        }
    }
}
