//! The one error type of the library, and the one place where an error becomes an exit code.
//!
//! Every failure carries a [`ErrorKind`] that decides the process exit code, a short
//! lowercase message that names the offending value, and, when there is a fix, a `help` line.

use std::fmt;

/// What went wrong, as far as the caller (and the exit code) is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A check ran and found problems (preflight, health-check, verify-sync).
    CheckFailed,
    /// Invalid input or usage: bad flag, bad phone number, bad JSON, bad CSV row.
    Invalid,
    /// Unknown company, branch, service, agent …
    NotFound,
    /// Duplicate, slot already taken.
    Conflict,
    /// Retell or Cal.com unreachable, timed out, or refused.
    Upstream,
    /// No API key, no master key, no public URL, unreachable database.
    Config,
    /// The operator stopped an interactive command (Ctrl-C, Esc, or No at its last question).
    Cancelled,
    /// A bug.
    Internal,
}

impl ErrorKind {
    /// The process exit code.
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorKind::CheckFailed => 1,
            ErrorKind::Invalid => 2,
            ErrorKind::NotFound => 3,
            ErrorKind::Conflict => 4,
            ErrorKind::Upstream => 5,
            ErrorKind::Config => 6,
            ErrorKind::Cancelled => 130,
            ErrorKind::Internal => 70,
        }
    }

    /// The machine-readable code used in `{"error": {"code": …}}`.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::CheckFailed => "check_failed",
            ErrorKind::Invalid => "invalid_input",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Upstream => "upstream",
            ErrorKind::Config => "configuration",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Internal => "internal",
        }
    }
}

/// An error with its kind, message and optional fix.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    help: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
    /// The command already printed its result document (a check's report); with `--json` no
    /// second document follows.
    reported: bool,
    /// A configuration error because a setting is absent, rather than wrong or unreachable.
    unset: bool,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into(), help: None, source: None, reported: false, unset: false }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }
    pub fn upstream(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Upstream, message)
    }
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config, message)
    }
    /// A configuration error because a setting is absent (a key, a URL): what a check reports
    /// as "not set up" rather than "broken".
    pub fn unset(message: impl Into<String>) -> Self {
        Error { unset: true, ..Self::new(ErrorKind::Config, message) }
    }
    pub fn is_unset(&self) -> bool {
        self.unset
    }
    pub fn cancelled(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Cancelled, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
    pub fn check_failed(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::CheckFailed, message)
    }

    /// Adds the `help:` line shown under the error.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Keeps the underlying cause for the cause chain.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// Marks the error as one whose details the command already printed.
    pub fn reported(mut self) -> Self {
        self.reported = true;
        self
    }
    pub fn is_reported(&self) -> bool {
        self.reported
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Whether the database gave up on a transaction that may simply be run again: a deadlock
    /// between concurrent transactions or a serialization failure (PostgreSQL 40P01, 40001).
    pub fn is_transient(&self) -> bool {
        let source = self.source.as_deref().and_then(|s| s.downcast_ref::<sqlx::Error>());
        matches!(source, Some(sqlx::Error::Database(db)) if matches!(db.code().as_deref(), Some("40P01" | "40001")))
    }
    pub fn message(&self) -> &str {
        &self.message
    }
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }
    pub fn exit_code(&self) -> i32 {
        self.kind.exit_code()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                Error::conflict("that record already exists").with_source(err)
            }
            // PostgreSQL's exclusion constraints, or SQLite's triggers, against double bookings
            // and two calls holding one slot.
            sqlx::Error::Database(db)
                if db.constraint() == Some("slot_holds_no_overlap")
                    || db.message().contains("held by another call") =>
            {
                Error::conflict("that time is being booked by another caller").with_source(err)
            }
            sqlx::Error::Database(db)
                if db.code().as_deref() == Some("23P01") || db.message().starts_with("appointment_overlap") =>
            {
                Error::conflict("that time is already booked for this staff member").with_source(err)
            }
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                Error::not_found("a referenced record does not exist").with_source(err)
            }
            sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::Tls(_) => {
                Error::config("cannot reach the database")
                    .with_help("check ASKPRO_DATABASE_URL (or --database-url) and that the server is running")
                    .with_source(err)
            }
            sqlx::Error::Configuration(_) => Error::config("the database URL is not valid")
                .with_help("use sqlite://FILE or postgres://USER@HOST:PORT/DB")
                .with_source(err),
            _ => Error::internal("database error").with_source(err),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for Error {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        Error::internal("database migration failed").with_source(err)
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        Error::internal("i/o error").with_source(err)
    }
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Self {
        Error::internal("JSON encoding failed").with_source(err)
    }
}
