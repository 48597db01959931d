//! `completions SHELL` — generated from the same clap tree the CLI parses with.

use clap_complete::Shell;

use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// bash, zsh, fish, elvish or powershell
    #[arg(value_enum)]
    shell: Shell,
}

pub fn run(args: Args) -> Result<()> {
    let mut out = Vec::new();
    generate(args.shell, &mut out);
    crate::cli::output::print_line(String::from_utf8_lossy(&out).trim_end())
}

/// Writes the completion script for `shell`.
pub fn generate(shell: Shell, out: &mut dyn std::io::Write) {
    clap_complete::generate(shell, &mut crate::cli::command(), "askpro", out);
}
