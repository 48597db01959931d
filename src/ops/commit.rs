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
