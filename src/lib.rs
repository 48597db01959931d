//! askpro: the operator's toolkit and webhook daemon for AI phone receptionists.
//!
//! Small service businesses let a Retell.ai voice agent answer their phone; during a call the
//! agent calls `askpro-daemon` to recognise the caller, understand service and time, and book in
//! Cal.com or askpro's own calendar. Implementation engineers onboard businesses with the
//! `askpro` CLI. Both binaries are thin shells over this library:
//!
//! - [`store`]: the `Store` trait with SQLite (embedded default) and PostgreSQL implementations;
//! - [`ops`]: admin use cases behind the CLI commands;
//! - [`domain`]: validated business types (E.164 numbers, opening hours, money);
//! - [`secrets`]: AES-256-GCM sealing of API keys at rest, and masking;
//! - [`cli`]: clap types, `ns:verb` normalisation, output and prompts;
//! - [`daemon`]: the hyper server.

pub mod calendar;
pub mod cli;
pub mod clients;
pub mod config;
pub mod daemon;
pub mod domain;
pub mod error;
pub mod functions;
pub mod nlu;
pub mod ops;
pub mod secrets;
pub mod store;
pub mod templates;

pub use error::{Error, ErrorKind, Result};
