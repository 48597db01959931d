//! Request bodies: at most [`BODY_LIMIT`] bytes each, sent within `BODY_TIMEOUT` (10 s), and all of
//! them together at most a process-wide budget of buffered bytes, so that many large or slow
//! bodies cannot grow the daemon's memory. The budget is taken as bytes arrive, not from what a
//! client declares, and comes back when the body is dropped.
//!
//! A body that arrives in pieces is kept in chunks of at most `CHUNK` (64 KiB) and joined once
//! it is complete: a body cut off half-way never held a large block, so what it frees is reused
//! by the next bodies instead of staying resident in the allocator.
//!
//! When the budget runs short, the bodies that have been arriving longest give way (503 with
//! `Retry-After`) to the one that needs room: a genuine sender delivers its body within
//! milliseconds, while a client that dribbles one out holds memory for nothing. Bodies that
//! arrive at once never enter the list of arriving ones, so the common path costs a few atomic
//! operations.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, Incoming};
use hyper::Request;
use tokio::sync::Notify;

/// The largest body accepted (413 above it).
pub use crate::config::BODY_LIMIT;
/// How long a client may take to send its body (408 after it).
const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// The most a body that arrives in pieces holds in one block until it is complete.
const CHUNK: usize = 64 << 10;
/// How long a body waits for the room that bodies giving way free.
const ROOM_WAIT: Duration = Duration::from_millis(500);

/// Why a body was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyError {
    TooLarge,
    Unreadable,
    Timeout,
    /// The budget of buffered bytes is taken.
    Overloaded,
}

/// The bytes buffered across all connections, and the bodies still arriving.
pub struct Budget {
    limit: usize,
    used: AtomicUsize,
    arriving: Mutex<Arriving>,
}

#[derive(Default)]
struct Arriving {
    next: u64,
    /// Oldest first.
    bodies: BTreeMap<u64, Arc<Slow>>,
}

/// A body that had to be waited for.
#[derive(Default)]
struct Slow {
    held: AtomicUsize,
    gave_way: AtomicBool,
    give_way: Notify,
}

impl Budget {
    pub fn new(limit: usize) -> Arc<Budget> {
        Arc::new(Budget { limit, used: AtomicUsize::new(0), arriving: Mutex::default() })
    }

    /// The bytes buffered now.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    fn try_take(&self, bytes: usize) -> bool {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |u| (u + bytes <= self.limit).then_some(u + bytes))
            .is_ok()
    }

    /// Takes `bytes`, asking the longest-arriving bodies (other than `me`) to give way when
    /// the budget is short; fails when they cannot free enough.
    async fn take(&self, bytes: usize, me: Option<&Slow>) -> Result<(), BodyError> {
        if self.try_take(bytes) {
            return Ok(());
        }
        {
            let arriving = self.arriving.lock().unwrap_or_else(|e| e.into_inner());
            let short = (self.used() + bytes).saturating_sub(self.limit);
            let mut freed = 0;
            let mut chosen = Vec::new();
            for slow in arriving.bodies.values() {
                if freed >= short {
                    break;
                }
                if !me.is_some_and(|me| std::ptr::eq(me, &**slow)) && !slow.gave_way.load(Ordering::Acquire) {
                    freed += slow.held.load(Ordering::Acquire);
                    chosen.push(slow);
                }
            }
            if freed < short {
                return Err(BodyError::Overloaded);
            }
            for slow in chosen {
                slow.gave_way.store(true, Ordering::Release);
                slow.give_way.notify_one();
            }
        }
        let waited = tokio::time::timeout(ROOM_WAIT, async {
            loop {
                tokio::time::sleep(Duration::from_millis(1)).await;
                if me.is_some_and(|me| me.gave_way.load(Ordering::Acquire)) {
                    return Err(BodyError::Overloaded);
                }
                if self.try_take(bytes) {
                    return Ok(());
                }
            }
        });
        waited.await.unwrap_or(Err(BodyError::Overloaded))
    }

    fn give_back(&self, bytes: usize) {
        self.used.fetch_sub(bytes, Ordering::AcqRel);
    }
}

/// The request's body, at most [`BODY_LIMIT`] bytes, sent within `BODY_TIMEOUT`, buffered
/// within the budget (which it holds until the returned bytes are dropped).
pub async fn read(budget: &Arc<Budget>, req: Request<Incoming>) -> Result<Bytes, BodyError> {
    let declared = req.headers().get(hyper::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return Err(BodyError::TooLarge);
    }
    let declared = declared.map(|n| n as usize);
    tokio::time::timeout(BODY_TIMEOUT, collect(budget, req.into_body(), declared))
        .await
        .unwrap_or(Err(BodyError::Timeout))
}

async fn collect(budget: &Arc<Budget>, mut body: Incoming, declared: Option<usize>) -> Result<Bytes, BodyError> {
    let mut buffer = Buffer { chunks: Vec::new(), len: 0, held: Held { budget: budget.clone(), bytes: 0 }, slow: None };
    let expected = declared.unwrap_or(BODY_LIMIT);
    loop {
        if buffer.slow.as_ref().is_some_and(|listed| listed.slow.gave_way.load(Ordering::Acquire)) {
            return Err(BodyError::Overloaded);
        }
        let frame = match now(&mut body).await {
            Poll::Ready(frame) => frame,
            Poll::Pending => {
                let slow = buffer.slow();
                tokio::select! {
                    biased;
                    () = slow.give_way.notified() => return Err(BodyError::Overloaded),
                    frame = body.frame() => frame,
                }
            }
        };
        let Some(frame) = frame else { break };
        let Ok(data) = frame.map_err(|_| BodyError::Unreadable)?.into_data() else { continue };
        if buffer.len == 0 && declared == Some(data.len()) {
            // The whole body in one frame, as usual: kept as hyper read it, not copied.
            return buffer.whole(data).await;
        }
        if buffer.len + data.len() > BODY_LIMIT {
            return Err(BodyError::TooLarge);
        }
        buffer.append(&data, expected).await?;
    }
    buffer.join().await
}

/// The next frame if it is there already, without waiting for it.
fn now(body: &mut Incoming) -> impl Future<Output = Poll<Option<Result<Frame<Bytes>, hyper::Error>>>> + '_ {
    std::future::poll_fn(move |cx| Poll::Ready(Pin::new(&mut *body).poll_frame(cx)))
}

/// Budget taken, given back when dropped.
struct Held {
    budget: Arc<Budget>,
    bytes: usize,
}

impl Drop for Held {
    fn drop(&mut self) {
        self.budget.give_back(self.bytes);
    }
}

/// A body's bytes so far (in chunks), the budget they hold, and its place among the arriving
/// bodies.
struct Buffer {
    chunks: Vec<Vec<u8>>,
    len: usize,
    held: Held,
    slow: Option<Listed>,
}

impl Buffer {
    /// Copies `data` in, taking budget for each new chunk before it is allocated.
    async fn append(&mut self, mut data: &[u8], expected: usize) -> Result<(), BodyError> {
        while !data.is_empty() {
            let room = self.chunks.last().map_or(0, |c| c.capacity() - c.len());
            if room == 0 {
                let size = expected.saturating_sub(self.len).clamp(data.len().min(CHUNK), CHUNK);
                self.take(size).await?;
                self.chunks.push(Vec::with_capacity(size));
            }
            let chunk = self.chunks.last_mut().expect("a chunk with room");
            let n = data.len().min(chunk.capacity() - chunk.len());
            chunk.extend_from_slice(&data[..n]);
            self.len += n;
            data = &data[n..];
        }
        Ok(())
    }

    async fn take(&mut self, bytes: usize) -> Result<(), BodyError> {
        let slow = self.slow.as_ref().map(|listed| &*listed.slow);
        self.held.budget.take(bytes, slow).await?;
        self.held.bytes += bytes;
        if let Some(slow) = slow {
            slow.held.store(self.held.bytes, Ordering::Release);
        }
        Ok(())
    }

    /// This body in the list of arriving ones (it is entered the first time it is waited for).
    fn slow(&mut self) -> Arc<Slow> {
        let budget = &self.held.budget;
        let held = self.held.bytes;
        self.slow
            .get_or_insert_with(|| {
                let slow = Arc::new(Slow { held: AtomicUsize::new(held), ..Slow::default() });
                let mut arriving = budget.arriving.lock().unwrap_or_else(|e| e.into_inner());
                let id = arriving.next;
                arriving.next += 1;
                arriving.bodies.insert(id, slow.clone());
                Listed { budget: budget.clone(), id, slow }
            })
            .slow
            .clone()
    }

    /// The complete body in one block (joining its chunks needs room for one more copy).
    async fn join(mut self) -> Result<Bytes, BodyError> {
        drop(self.slow.take());
        let data = match self.chunks.len() {
            0 => Vec::new(),
            1 => self.chunks.pop().expect("one chunk"),
            _ => {
                self.take(self.len).await?;
                let joined = self.chunks.concat();
                self.chunks = Vec::new();
                self.held.budget.give_back(self.held.bytes - self.len);
                self.held.bytes = self.len;
                joined
            }
        };
        Ok(Bytes::from_owner(Buffered { data, _held: self.held }))
    }

    /// `data`, which is the whole body, holding the budget for its length.
    async fn whole(self, data: Bytes) -> Result<Bytes, BodyError> {
        let Buffer { mut held, slow, .. } = self;
        held.budget.take(data.len(), slow.as_ref().map(|listed| &*listed.slow)).await?;
        held.bytes = data.len();
        drop(slow);
        Ok(Bytes::from_owner(Buffered { data, _held: held }))
    }
}

/// An entry in the list of arriving bodies, taken out when dropped.
struct Listed {
    budget: Arc<Budget>,
    id: u64,
    slow: Arc<Slow>,
}

impl Drop for Listed {
    fn drop(&mut self) {
        self.budget.arriving.lock().unwrap_or_else(|e| e.into_inner()).bodies.remove(&self.id);
    }
}

/// A whole body, holding its share of the budget for as long as any handler uses it.
struct Buffered<T> {
    data: T,
    _held: Held,
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for Buffered<T> {
    fn as_ref(&self) -> &[u8] {
        self.data.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_budget_is_taken_within_its_limit_and_the_slowest_give_way() {
        let budget = Budget::new(100);
        assert!(budget.try_take(60));
        assert!(!budget.try_take(41), "over the limit");
        // Nothing is arriving slowly: nothing can give way.
        assert_eq!(budget.take(41, None).await, Err(BodyError::Overloaded));
        let held = Held { budget: budget.clone(), bytes: 60 };
        let mut buffer = Buffer { chunks: Vec::new(), len: 0, held, slow: None };
        let slow = buffer.slow();
        let waiting = tokio::spawn(async move {
            slow.give_way.notified().await;
            drop(buffer);
        });
        budget.take(50, None).await.unwrap();
        waiting.await.unwrap();
        assert_eq!(budget.used(), 50, "the slow body gave its 60 back");
        assert!(budget.arriving.lock().unwrap().bodies.is_empty());
    }
}
