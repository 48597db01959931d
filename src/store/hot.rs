//! The daemon's hot writes on SQLite — webhook deliveries, the call records they bring, function
//! answers — committed in one transaction per batch, on the committing task's own thread.
//!
//! `app::commit` hands the store batches of these writes. A batch runs a few cached single-row
//! statements per write on a rusqlite connection of its own, on the thread that polls the
//! committing task. It takes a millisecond or two; handing it to a writing thread (sqlx's worker,
//! or Tokio's blocking pool) and its answer back would cost two thread wake-ups more than that on
//! a busy machine. Single-row statements keep one text each, prepared once, where a multi-row
//! statement has a new text for every batch size that SQLite parses and plans afresh. Only when
//! another process (the CLI) holds SQLite's write lock does the batch wait for it, on Tokio's
//! blocking pool, so the runtime's thread never sleeps in the busy handler.
//!
//! A batch commits inside the write gate kept here (`sql::Gated`; see `sqlite.rs` for why), which
//! the sqlx writer's writes take too, so no other write of the process runs meanwhile. The gate is
//! a lock of its own rather than the sqlx writer connection, because returning that connection to
//! its pool takes a spawned task and a round trip to its thread. The transaction begins
//! `IMMEDIATE`, so it takes the write lock before it writes anything.
//!
//! The same batches commit through sqlx in `sql/calls.rs` (PostgreSQL, the CLI's SQLite store),
//! with multi-row statements: both must leave the same rows, which `tests/store_equivalence.rs`
//! checks column by column.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};

use super::sql::*;
use super::sqlite::{BUSY_TIMEOUT, CONNECTION_PRAGMAS, WRITER_PRAGMAS};
use super::*;

/// The daemon's hot writes: their connection, and the gate they take turns through.
pub(super) struct HotWrites {
    /// Locked only by whoever holds the gate, so never waited for.
    writer: Arc<Mutex<Writer>>,
    /// Where the batches and the store's sqlx writes take turns (see `sql::Gated`).
    gate: Arc<tokio::sync::Mutex<()>>,
}

struct Writer {
    conn: Connection,
    /// The call record upsert's text, built once.
    calls: String,
}

impl HotWrites {
    /// Opens a read-write connection to `path` (whose journal is already WAL).
    pub(super) fn start(path: &Path) -> Result<HotWrites> {
        let conn = open(path).map_err(|e| {
            Error::config(format!("cannot open {} for writing", path.display()))
                .with_source(e)
                .with_help("check that the file and its directory are writable")
        })?;
        let calls = format!("{CALL_UPSERT_HEAD}{CALL_UPSERT_ROW}{CALL_UPSERT_TAIL}");
        Ok(HotWrites { writer: Arc::new(Mutex::new(Writer { conn, calls })), gate: Arc::default() })
    }

    /// The write gate, locked: no batch commits until the guard drops.
    pub(super) async fn lock(&self) -> tokio::sync::OwnedMutexGuard<()> {
        self.gate.clone().lock_owned().await
    }

    /// Commits `writes` in one transaction, inside the write gate, and says what each did.
    pub(super) async fn commit(&self, writes: Arc<[Write]>) -> Result<Vec<Written>> {
        let gate = self.lock().await;
        let now = now_ms();
        // At once, here: no other write of this process can hold SQLite's lock now.
        let at_once = writer(&self.writer).commit(&writes, now, Duration::ZERO);
        let outcome = match at_once {
            // Another process's write is under way: wait for it off the runtime's threads. The
            // gate goes along, so it stays locked until the write ends even if this is dropped.
            Err(e) if busy(&e) => {
                let held = self.writer.clone();
                tokio::task::spawn_blocking(move || {
                    let _gate = gate;
                    writer(&held).commit(&writes, now, BUSY_TIMEOUT)
                })
                .await
                .map_err(|e| Error::internal("the SQLite write was cancelled").with_source(e))?
            }
            other => other,
        };
        outcome.map_err(|e| Error::internal("a database write failed").with_source(e))
    }
}

fn writer(held: &Mutex<Writer>) -> MutexGuard<'_, Writer> {
    held.lock().unwrap_or_else(|e| e.into_inner())
}

fn busy(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy)
}

fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    // As the store's sqlx writer (each commit sets its own; see `Writer::commit`).
    conn.busy_timeout(BUSY_TIMEOUT)?;
    for (name, value) in CONNECTION_PRAGMAS.into_iter().chain(WRITER_PRAGMAS) {
        conn.pragma_update(None, name, value)?;
    }
    conn.set_prepared_statement_cache_capacity(8);
    Ok(conn)
}

impl Writer {
    /// [`commit`], waiting up to `wait` for another connection's write lock.
    fn commit(&mut self, writes: &[Write], now: i64, wait: Duration) -> rusqlite::Result<Vec<Written>> {
        self.conn.busy_timeout(wait)?;
        commit(&mut self.conn, &self.calls, writes, now)
    }
}

/// One transaction for `writes`, in order: each delivery stored unless its dedupe key is (then
/// its call record upserted), each answer kept unless one exists for its `(call, name,
/// arguments)` (then that one read back). An error rolls all of them back.
fn commit(conn: &mut Connection, calls: &str, writes: &[Write], now: i64) -> rusqlite::Result<Vec<Written>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut done = Vec::with_capacity(writes.len());
    for write in writes {
        done.push(match write {
            Write::RetellEvent { event: e, call } => {
                // Stored already processed (or ignored): the call record commits with it.
                let status = if call.is_some() { "processed" } else { "ignored" };
                let id: Option<i64> = tx
                    .prepare_cached(INSERT_HANDLED_EVENT)?
                    .query_row(
                        params![e.company_id, e.source, e.event, e.external_id, e.dedupe_key, e.payload, now, status],
                        |row| row.get(0),
                    )
                    .optional()?;
                if let (Some(_), Some(c)) = (id, call) {
                    tx.prepare_cached(calls)?.execute(params![
                        e.company_id,
                        c.branch_id,
                        c.retell_call_id,
                        c.agent_id,
                        c.from_number,
                        c.to_number,
                        c.direction,
                        c.status,
                        c.started_at,
                        c.ended_at,
                        c.duration_ms,
                        c.disconnection_reason,
                        c.customer_id,
                        c.summary,
                        c.sentiment,
                        now,
                    ])?;
                }
                Written::Event(id)
            }
            Write::FunctionAnswer { company_id, call_id, name, args_hash, response } => {
                let kept = tx
                    .prepare_cached(INSERT_ANSWER)?
                    .execute(params![company_id, call_id, name, args_hash, response, now])?;
                Written::Answer(if kept == 1 {
                    response.clone()
                } else {
                    tx.prepare_cached(FUNCTION_ANSWER)?
                        .query_row(params![company_id, call_id, name, args_hash], |row| row.get(0))?
                })
            }
        });
    }
    tx.commit()?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_writing_connection_is_set_up_as_the_stores_writer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("askpro.db");
        Connection::open(&path).unwrap().pragma_update(None, "journal_mode", "WAL").unwrap();
        let conn = open(&path).unwrap();
        let read = |name: &str| conn.pragma_query_value(None, name, |row| row.get::<_, i64>(0)).unwrap();
        // synchronous NORMAL is 1; foreign_keys ON is 1.
        let names =
            ["synchronous", "foreign_keys", "journal_size_limit", "wal_autocheckpoint", "cache_size", "busy_timeout"];
        assert_eq!(names.map(read), [1, 1, 67_108_864, 0, -2048, 10_000]);
    }
}
