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
pub mod onboarding;
pub mod performance;
pub mod preflight;
pub mod retell;
pub mod service;
pub mod setup;
pub mod staff;
pub mod templates;
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

/// Parses an industry preset argument: a built-in key or a preset file path, taken as given
/// (`Industry::load` checks it). Its possible values are the built-in keys, so that shell
/// completion offers them; help does not list them, as a path is accepted too.
pub fn industry_parser() -> IndustryParser {
    IndustryParser
}

#[derive(Debug, Clone, Copy)]
pub struct IndustryParser;

impl clap::builder::TypedValueParser for IndustryParser {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(crate::templates::Industry::keys().into_iter().map(clap::builder::PossibleValue::new)))
    }
}
