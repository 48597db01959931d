//! `key:generate` — a new master key for secrets at rest.

use clap::Subcommand;

use crate::cli::Ctx;
use crate::error::{Error, Result};
use crate::secrets::{KeySource, MasterKey};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a new master key for ASKPRO_MASTER_KEY
    Generate {
        /// Write it to askpro.key beside the SQLite database instead (never overwrites)
        #[arg(long)]
        write: bool,
    },
}

pub async fn run(cmd: Command, ctx: &Ctx) -> Result<()> {
    let Command::Generate { write } = cmd;
    if !write {
        let key = MasterKey::generate_base64();
        return ctx.out.message(&serde_json::json!({"key": key}), &key);
    }
    match ctx.settings()?.master_key {
        KeySource::File(path) if path.exists() => Err(Error::conflict(format!("{} already exists", path.display()))
            .with_help("a new key would make the stored secrets unreadable; remove the file only if you mean that")),
        KeySource::File(path) => {
            MasterKey::load(&KeySource::File(path.clone()))?;
            ctx.out.message(&serde_json::json!({"path": path}), &format!("Wrote {}", path.display()))
        }
        _ => Err(Error::invalid("--write needs the SQLite default and no ASKPRO_MASTER_KEY")
            .with_help("for PostgreSQL, set ASKPRO_MASTER_KEY to the printed key")),
    }
}
