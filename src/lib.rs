//! askpro: the operator's toolkit and webhook daemon for AI phone receptionists.
//!
//! Small service businesses let a Retell.ai voice agent answer their phone; during a call the
//! agent calls `askpro-daemon` to recognise the caller, understand service and time, and book in
//! Cal.com or askpro's own calendar. Implementation engineers onboard businesses with the
//! `askpro` CLI. Both binaries are thin shells over this library:
//!
//! Modules import only those below them, from the binaries down:
//!
//! - [`cli`], [`daemon`]: clap commands and output; the hyper server;
//! - [`functions`]: the custom functions a call runs;
//! - [`ops`]: admin use cases behind the CLI commands, and webhook intake;
//! - [`app`]: the store, settings and master key every use case runs on, with the parts a
//!   long-running process keeps (breakers, group commit, caches);
//! - [`calendar`], [`nlu`], [`clients`], [`signatures`]: scheduling, language understanding,
//!   the Retell and Cal.com clients, their signature schemes;
//! - [`store`]: the `Store` trait with SQLite (embedded default) and PostgreSQL implementations;
//! - [`domain`], [`templates`], [`kept`], [`meter`], [`config`], [`secrets`], [`error`]:
//!   validated business types, industry presets and tool definitions, versioned caches, the
//!   database time counters, settings, secrets at rest, errors.

pub mod app;
pub mod calendar;
pub mod cli;
pub mod clients;
pub mod config;
pub mod daemon;
pub mod domain;
pub mod error;
pub mod functions;
pub mod kept;
pub mod meter;
pub mod nlu;
pub mod ops;
pub mod secrets;
pub mod signatures;
pub mod store;
pub mod templates;

pub use error::{Error, ErrorKind, Result};
