//! The embedded default: one SQLite file in WAL mode, created on first use.
//!
//! # Connections, and who writes through which
//!
//! A SQLite store reaches its file through two drivers: sqlx, which runs each connection on a
//! worker thread of its own and shares its SQL with PostgreSQL, and rusqlite, which runs on the
//! calling thread. What a store opens depends on the pool size it is given. A long-running
//! process (the daemon, `PoolSize(16)`) opens all of this:
//!
//! ```text
//!   a live call's reads     every other read        every other write      app::commit::GroupCommit
//!   (tenant, company,       (commands, retries,     (bookings, holds,      (Retell deliveries and
//!    branch, catalogue,      anything off the        claims and their       the call records they
//!    staff, busy times,      hot path)               answers, Cal.com       bring; answers of
//!    a first answer)             |                   deliveries, ...)       unclaimed functions)
//!         |                      |                        |                          |
//!         |                      |                        +------> WRITE GATE <------+
//!         |                      |                        |     (FIFO, in-process)   |
//!         v                      v                        v                          v
//!  +-----------------+  +-------------------+  +--------------------+  +---------------------+
//!  | inline.rs       |  | pool              |  | writer             |  | hot.rs              |
//!  | rusqlite        |  | sqlx, <= 4 conns  |  | sqlx, 1 conn       |  | rusqlite, 1 conn    |
//!  | read-only       |  | 8 MiB cache each  |  | BEGIN IMMEDIATE    |  | BEGIN IMMEDIATE     |
//!  | <= 8 kept idle  |  | runs migrations   |  | no autocheckpoint  |  | no autocheckpoint   |
//!  +-----------------+  +-------------------+  +--------------------+  +---------------------+
//!         |                 |         ^                   |                          |
//!         |                 |         |  every 250 ms: PRAGMA wal_checkpoint(PASSIVE),
//!         |                 |         +- the background checkpointer (a Tokio task)
//!         v                 v                             v                          v
//!  ======================= askpro.db  +  askpro.db-wal  +  askpro.db-shm =======================
//!         ^                                                ^
//!         | askpro.db.lock: an exclusive file lock, held   | askpro (the CLI, PoolSize(1)): one
//!         | only by a process that creates the file or     | sqlx connection is both pool and
//!         | finds migrations pending (MigrationLock)       | writer; no inline reads, hot writes,
//!                                                            gate or background checkpointer
//! ```
//!
//! - **Hot writes** ([`CallStore::commit_writes`], fed by the daemon's group commit): a Retell
//!   delivery with the call record it brings, and the answer of a function call that was not
//!   claimed. A daemon's store commits each batch in `hot.rs`, one `IMMEDIATE` transaction of
//!   cached single-row statements on the committing task's thread. Everywhere else (PostgreSQL,
//!   the CLI's store) `sql/calls.rs` commits the same batch with multi-row statements.
//!   `tests/store_equivalence.rs` runs the same writes both ways and compares the rows they leave.
//! - **Every other write** goes through `writer`, one connection, so this process's writers
//!   queue for it instead of meeting inside SQLite. Write transactions begin `IMMEDIATE`
//!   (`BEGIN_WRITE`): a deferred one that reads first and writes later fails outright when
//!   another process committed in between.
//! - **Reads**: a live call's few reads run in `inline.rs`, on read-only connections on the
//!   calling thread; every other read, through `pool`. WAL readers never wait for a writer.
//! - **Checkpoints**: the write connections never checkpoint inside a commit
//!   (`wal_autocheckpoint = 0`, [`WRITER_PRAGMAS`]); a background task copies the WAL back into
//!   the database every [`CHECKPOINT_EVERY`] on a `pool` connection, passively, so no writer
//!   waits for it. The CLI's connection checkpoints on its own commits, as SQLite does by default.
//! - **Migrations** run on `pool` when the store opens and finds some pending, under
//!   `<file>.lock`, so that of several processes starting at once exactly one migrates.
//! - **Another process** (the CLI beside the daemon) meets this one only at SQLite's file lock;
//!   each side waits for it up to [`BUSY_TIMEOUT`].
//!
//! Why rusqlite beside sqlx: sqlx hands every statement to its connection's thread and the rows
//! back, two thread switches around reads and writes that take microseconds. For the few that a
//! live call waits for, that hand-off costs more than SQLite itself, so a long-running process
//! runs them on the calling thread. Everything else stays on sqlx, with the SQL PostgreSQL runs.
//!
//! # The write gate
//!
//! A daemon's store has two write connections, `writer` and `hot.rs`'s, and SQLite lets one
//! of them write at a time. The other would sleep in SQLite's busy handler, which retries after
//! growing pauses (1, 2, 5, 10 … ms), and under a flood of webhook batches a booking could lose
//! that race again and again, for seconds. The gate, a fair Tokio mutex kept by `hot.rs`, queues
//! them instead: every write on either connection locks it first and keeps it until its
//! connection or transaction is released (`sql::Gated`), so writes of this process take turns in
//! arrival order and none sleeps in SQLite waiting for another of the same process. Only another
//! process can still hold SQLite's lock: then a hot batch waits for it on Tokio's blocking pool,
//! a `writer` write on sqlx's worker thread, and neither blocks the runtime.
//!
//! PostgreSQL (`postgres.rs`) needs none of this: one pool serves reads and writes, row locks
//! order concurrent writers, and the batched writes go through `sql/calls.rs`.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

use super::sql::*;
use super::*;
use crate::config::sqlite_path;

/// What every connection of a SQLite store that writes sets (sqlx's and `hot.rs`'s): durable at
/// commit against a crash of the process (the WAL is synced when checkpointed), foreign keys
/// enforced, and the WAL file shrunk back to at most 64 MiB after a checkpoint.
pub(super) const CONNECTION_PRAGMAS: [(&str, &str); 3] =
    [("synchronous", "NORMAL"), ("foreign_keys", "ON"), ("journal_size_limit", "67108864")];

/// How long any connection of the store waits for another's lock before failing.
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// What a long-running process's write connections (sqlx's and `hot.rs`'s) set besides the
/// store's options: no checkpoint inside a commit (one runs in the background), and 2 MiB of
/// page cache — they mostly append, new pages need no cache, and 2 MiB keeps the indexes'
/// upper levels; more would only hold freshly written webhook bodies in memory.
pub(super) const WRITER_PRAGMAS: [(&str, &str); 2] = [("wal_autocheckpoint", "0"), ("cache_size", "-2048")];

/// The most reader connections a SQLite store opens.
const MAX_READERS: u32 = 4;

pub struct SqliteStore {
    pool: SqlitePool,
    /// One connection for every write but the hot ones: writers of this process queue here
    /// instead of colliding inside SQLite, whose busy handler would make them sleep.
    writer: SqlitePool,
    /// A long-running process's hot reads, on the calling thread (see `inline.rs`).
    inline: Option<inline::InlineReads>,
    /// A long-running process's hot writes, committed without a hand-off (see `hot.rs`).
    hot: Option<hot::HotWrites>,
    /// The background checkpointer's last outcome.
    checkpointed: Arc<std::sync::Mutex<Option<crate::meter::Checkpoint>>>,
}

impl SqliteStore {
    const BACKEND: Backend = Backend::Sqlite;
    /// A write transaction takes SQLite's write lock at once. A deferred one that reads first
    /// and writes later fails outright — its busy handler is not asked — when another process
    /// (the CLI beside the daemon) commits in between.
    const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";
    /// A write transaction holds the whole database: nothing to lock per staff member.
    const LOCK_STAFF: Option<&str> = None;
    pub(super) const MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
    /// The database's size in bytes (its pages; the WAL aside).
    const DATABASE_SIZE: &str = "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()";

    /// Opens (creating if needed) the database file and applies pending migrations.
    ///
    /// A new file is created readable by its owner only, before SQLite opens it: SQLite gives
    /// the `-wal` and `-shm` files the database file's mode, so they are private too.
    ///
    /// Several processes may start on a new file at once (`askpro … &` in a shell loop): whoever
    /// creates the file or finds migrations pending takes an exclusive lock on `<file>.lock`
    /// first, so exactly one of them switches it to WAL and migrates while the others wait.
    /// When nothing is pending — every ordinary start — no lock is taken and the migrator does
    /// not run.
    pub async fn open(url: &str, size: PoolSize) -> Result<SqliteStore> {
        Self::open_with(url, size, true).await
    }

    /// [`SqliteStore::open`], migrating only with `migrate`.
    pub async fn open_with(url: &str, size: PoolSize, migrate: bool) -> Result<SqliteStore> {
        // Every SQLite connection has its own worker thread, and one writer serves them all:
        // beyond a few readers, more connections only add thread switches and page caches.
        let size = PoolSize(size.0.min(MAX_READERS));
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| Error::config(format!("the SQLite URL '{url}' is not valid")).with_source(e))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(BUSY_TIMEOUT)
            // Page cache per connection: 32 MiB for the CLI's one connection (bulk imports stay in
            // memory), 8 MiB for each of a long-running process's few.
            .pragma("cache_size", if size.0 <= 1 { "-32768" } else { "-8192" });
        let options = CONNECTION_PRAGMAS.iter().fold(options, |o, &(name, value)| o.pragma(name, value));
        let file = sqlite_path(url);
        let mut lock = match &file {
            Some(path) if !path.exists() => Some(MigrationLock::acquire(path)?),
            _ => None,
        };
        if let Some(path) = &file {
            private_file(path)?;
        }
        let mut attempt = 0;
        let pool = loop {
            match Self::connect(&options, size, url).await {
                // Switching a new file to WAL needs it to itself for a moment: wait for whoever
                // sets it up (taking the lock), or for readers to let go, then open again.
                Err(e) if is_busy(&e) && attempt < 40 => {
                    attempt += 1;
                    if lock.is_none() {
                        lock = file.as_deref().map(MigrationLock::acquire).transpose()?;
                    }
                    tokio::time::sleep(Duration::from_millis(10 * attempt.min(10))).await;
                }
                other => break other?,
            }
        };
        // A one-connection store (the CLI) writes on that connection. A long-running process
        // (the daemon) writes on its own connection and checkpoints the WAL in the background,
        // so no write waits for a checkpoint that its commit happened to trigger.
        let checkpointed = Arc::default();
        let (writer, inline, hot) = if size.0 <= 1 {
            (pool.clone(), None, None)
        } else {
            let writer = WRITER_PRAGMAS.iter().fold(options.clone(), |o, &(name, value)| o.pragma(name, value));
            let writer = Self::connect(&writer, PoolSize(1), url).await?;
            checkpoint_in_background(pool.clone(), Arc::clone(&checkpointed));
            let hot = file.as_deref().map(hot::HotWrites::start).transpose()?;
            (writer, file.as_deref().map(inline::InlineReads::new), hot)
        };
        let store = SqliteStore { pool, writer, inline, hot, checkpointed };
        if migrate && store.migration_status().await?.iter().any(|m| !m.applied) {
            if lock.is_none() {
                lock = file.as_deref().map(MigrationLock::acquire).transpose()?;
            }
            Self::MIGRATOR.run(&store.pool).await?;
        }
        drop(lock);
        Ok(store)
    }

    async fn connect(options: &SqliteConnectOptions, size: PoolSize, url: &str) -> Result<SqlitePool> {
        SqlitePoolOptions::new()
            .max_connections(size.0.max(1))
            // A local file cannot silently drop a connection; skip the ping before every query.
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await
            .map_err(|e| {
                let busy = is_busy_sqlx(&e);
                let err = Error::config(format!("cannot open the SQLite database '{url}'")).with_source(e);
                if busy {
                    err.with_help("another process holds the database; try again")
                } else {
                    err.with_help("check that the directory exists and is writable")
                }
            })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    fn checkpoint_state(&self) -> Option<crate::meter::Checkpoint> {
        *self.checkpointed.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn inline(&self) -> Option<&inline::InlineReads> {
        self.inline.as_ref()
    }

    fn hot_writes(&self) -> Option<&hot::HotWrites> {
        self.hot.as_ref()
    }
}

sql_store!(SqliteStore, sqlx::Sqlite);

/// How often the daemon's store copies the WAL back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// Checkpoints the WAL every [`CHECKPOINT_EVERY`] (passively: writers never wait for it) until
/// the pool closes, keeping the last outcome in `last`.
fn checkpoint_in_background(pool: SqlitePool, last: Arc<std::sync::Mutex<Option<crate::meter::Checkpoint>>>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        loop {
            tick.tick().await;
            if pool.is_closed() {
                break;
            }
            match sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&pool).await {
                Ok((_, wal_frames, checkpointed)) => {
                    let at = now_ms();
                    *last.lock().unwrap_or_else(|e| e.into_inner()) =
                        Some(crate::meter::Checkpoint { at, wal_frames, checkpointed });
                }
                Err(e) => tracing::debug!(error = %e, "background WAL checkpoint failed"),
            }
        }
    });
}

fn is_busy_sqlx(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.code().as_deref() == Some("5"))
}

fn is_busy(e: &Error) -> bool {
    std::error::Error::source(e).and_then(|s| s.downcast_ref::<sqlx::Error>()).is_some_and(is_busy_sqlx)
}

/// An exclusive advisory lock on `<database>.lock`, held while a process creates or migrates
/// the database file; released on drop.
struct MigrationLock {
    _held: std::fs::File,
}

impl MigrationLock {
    fn acquire(db: &Path) -> Result<MigrationLock> {
        let mut name = db.as_os_str().to_owned();
        name.push(".lock");
        let file = private_options().create(true).truncate(false).write(true).open(&name).map_err(|e| {
            Error::config(format!("cannot create the lock file {}", Path::new(&name).display()))
                .with_help("check that the database directory exists and is writable")
                .with_source(e)
        })?;
        file.lock().map_err(|e| Error::internal("cannot lock the database for migration").with_source(e))?;
        Ok(MigrationLock { _held: file })
    }
}

/// Options that create a file readable and writable by its owner only, whatever the umask.
fn private_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// Creates the database file, empty and private (SQLite takes an empty file as a new
/// database). An existing file keeps the mode it has, which may be an operator's choice
/// (a backup group, say); one that others can read is reported on stderr.
fn private_file(path: &Path) -> Result<()> {
    match private_options().write(true).create_new(true).open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            warn_if_shared(path);
            Ok(())
        }
        Err(e) => Err(Error::config(format!("cannot create the SQLite database {}", path.display()))
            .with_help("check that the directory exists and is writable")
            .with_source(e)),
    }
}

#[cfg(unix)]
fn warn_if_shared(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(path) else { return };
    let mode = meta.permissions().mode() & 0o777;
    if meta.is_file() && mode & 0o077 != 0 {
        eprintln!(
            "warning: {} (customers' names, numbers and call transcripts) is readable by others (mode {mode:o}); \
             `chmod 600 {}` makes it private, and its -wal/-shm files follow when they are next created",
            path.display(),
            path.display()
        );
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_path: &Path) {}
