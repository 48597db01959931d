//! One file per namespace: clap argument structs and a `run` that builds a typed request, calls
//! `ops`, and renders the result. No SQL and no HTTP here.

pub mod branch;
pub mod calcom;
pub mod call;
pub mod company;
pub mod completions;
pub mod db;
pub mod debug;
pub mod key;
pub mod monitoring;
pub mod nlu;
pub mod performance;
pub mod preflight;
pub mod retell;
pub mod service;
pub mod staff;
pub mod webhooks;

/// `--if-not-exists` on create commands.
#[derive(Debug, Clone, clap::Args)]
pub struct IfNotExists {
    /// When it already exists (same natural key), print its id and exit 0 instead of failing
    #[arg(long)]
    pub if_not_exists: bool,
}

/// Parses an id flag: a positive integer.
pub fn id_parser() -> clap::builder::RangedI64ValueParser<i64> {
    clap::value_parser!(i64).range(1..)
}
