//! Admin use cases behind the CLI commands. Commands parse flags into the typed requests here;
//! these functions validate against the store, act, and return typed results for rendering.

pub mod bookings;
pub mod branch;
pub mod calcom;
pub mod callers;
pub mod company;
pub mod events;
pub mod monitoring;
pub mod onboarding;
pub mod performance;
pub mod preflight;
pub mod retell;
pub mod schedule;
pub mod service;
pub mod staff;
pub mod synonyms;
pub mod trigger;

use crate::error::{Error, ErrorKind, Result};

/// Reports progress of long work; the CLI draws a bar on a terminal, everything else ignores it.
pub trait Progress: Send + Sync {
    fn start(&self, _total: u64, _message: &str) {}
    fn advance(&self, _by: u64) {}
    /// More work turned up (a further page of a list whose length was not known).
    fn extend(&self, _by: u64) {}
    fn finish(&self) {}
}

/// Progress that goes nowhere.
pub struct NoProgress;
impl Progress for NoProgress {}

/// A created entity, or the existing one when `--if-not-exists` found it.
#[derive(Debug)]
pub struct Created<T> {
    pub entity: T,
    pub existed: bool,
}

/// Creates an entity by its natural key: with `if_not_exists` an existing one is returned
/// instead, also when another process inserts it between the look-up and the insert; without
/// it, an existing one is the `conflict` error. A conflict on anything but the natural key is
/// the insert's own error.
pub(crate) async fn create_or_reuse<T>(
    if_not_exists: bool,
    lookup: impl AsyncFn() -> Result<Option<T>>,
    insert: impl AsyncFnOnce() -> Result<T>,
    conflict: Error,
) -> Result<Created<T>> {
    if if_not_exists {
        if let Some(entity) = lookup().await? {
            return Ok(Created { entity, existed: true });
        }
    }
    match insert().await {
        Ok(entity) => Ok(Created { entity, existed: false }),
        Err(e) if e.kind() == ErrorKind::Conflict => match lookup().await? {
            Some(entity) if if_not_exists => Ok(Created { entity, existed: true }),
            Some(_) => Err(conflict),
            // Another unique value (a branch's phone, say) was taken: the insert says which.
            None => Err(e),
        },
        Err(e) => Err(e),
    }
}
