//! Settings, resolved once per process: command-line flag > environment > `askpro.toml` > default
//!.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::secrets::KeySource;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://askpro.db";
pub const DEFAULT_RETELL_BASE_URL: &str = "https://api.retellai.com";
pub const DEFAULT_CALCOM_BASE_URL: &str = "https://api.cal.com";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// The default budget of request body bytes the daemon buffers across all connections.
/// The largest request body the daemon accepts (and so the largest stored delivery).
pub const BODY_LIMIT: usize = 1 << 20;

pub const DEFAULT_MAX_BUFFERED_BYTES: usize = 32 << 20;
/// The smallest budget: one whole body of the largest size accepted (1 MiB).
const MIN_BUFFERED_BYTES: usize = 1 << 20;

/// Values given on the command line; they win over everything else.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub database_url: Option<String>,
    pub listen: Option<String>,
}

/// The optional `askpro.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    database_url: Option<String>,
    retell_api_key: Option<String>,
    retell_base_url: Option<String>,
    calcom_base_url: Option<String>,
    public_url: Option<String>,
    listen: Option<String>,
    function_deadline_ms: Option<u64>,
    rate_limit_per_source: Option<u32>,
    max_connections: Option<usize>,
    max_buffered_bytes: Option<usize>,
    store_counters: Option<bool>,
    meter_save_secs: Option<u64>,
}

/// The resolved configuration of one process.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub master_key: KeySource,
    pub retell_api_key: Option<String>,
    pub retell_base_url: String,
    pub calcom_base_url: String,
    pub public_url: Option<String>,
    pub listen: String,
    /// How long a custom function may take before the caller hears a fallback.
    pub function_deadline: std::time::Duration,
    /// Requests per second one source address may send the daemon (0: no limit), counted
    /// separately for signed requests and for refused ones.
    pub rate_limit_per_source: u32,
    /// Connections the daemon keeps open at once (`None`: derived from the open-file limit).
    pub max_connections: Option<usize>,
    /// Request body bytes buffered across all connections at once.
    pub max_buffered_bytes: usize,
    /// Whether the daemon counts its store operations for `performance:analyze` (on unless
    /// `ASKPRO_STORE_COUNTERS=off`).
    pub store_counters: bool,
    /// How often the daemon saves its counters to the database.
    pub meter_save_every: std::time::Duration,
}

impl Settings {
    /// Resolves settings from the process environment.
    pub fn load(overrides: &Overrides) -> Result<Settings> {
        Self::resolve(overrides, |name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Resolves settings with an explicit environment lookup (used by tests).
    pub fn resolve(overrides: &Overrides, env: impl Fn(&str) -> Option<String>) -> Result<Settings> {
        let file = read_file(overrides.config_file.as_deref())?;
        let database_url = overrides
            .database_url
            .clone()
            .or_else(|| env("ASKPRO_DATABASE_URL"))
            .or_else(|| env("DATABASE_URL"))
            .or(file.database_url)
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        let master_key = match env("ASKPRO_MASTER_KEY") {
            Some(key) => KeySource::Env(key),
            None => match sqlite_path(&database_url) {
                Some(db) => KeySource::File(db.parent().unwrap_or(Path::new(".")).join("askpro.key")),
                None => KeySource::Missing,
            },
        };
        Ok(Settings {
            master_key,
            retell_api_key: env("RETELL_API_KEY").or(file.retell_api_key),
            retell_base_url: env("RETELL_BASE_URL")
                .or(file.retell_base_url)
                .unwrap_or_else(|| DEFAULT_RETELL_BASE_URL.into()),
            calcom_base_url: env("CALCOM_BASE_URL")
                .or(file.calcom_base_url)
                .unwrap_or_else(|| DEFAULT_CALCOM_BASE_URL.into()),
            public_url: env("ASKPRO_PUBLIC_URL").or(file.public_url),
            listen: overrides
                .listen
                .clone()
                .or_else(|| env("ASKPRO_LISTEN"))
                .or(file.listen)
                .unwrap_or_else(|| DEFAULT_LISTEN.into()),
            function_deadline: std::time::Duration::from_millis(match env("ASKPRO_FUNCTION_DEADLINE_MS") {
                Some(v) => v.trim().parse().ok().filter(|ms| (100..=60_000).contains(ms)).ok_or_else(|| {
                    Error::config(format!("ASKPRO_FUNCTION_DEADLINE_MS must be 100–60000 milliseconds, not '{v}'"))
                })?,
                None => file.function_deadline_ms.unwrap_or(2_000),
            }),
            rate_limit_per_source: match env("ASKPRO_RATE_LIMIT") {
                Some(v) => v.trim().parse().map_err(|_| {
                    Error::config(format!("ASKPRO_RATE_LIMIT must be requests per second (0: off), not '{v}'"))
                })?,
                None => file.rate_limit_per_source.unwrap_or(500),
            },
            max_connections: match env("ASKPRO_MAX_CONNECTIONS") {
                Some(v) => Some(v.trim().parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    Error::config(format!("ASKPRO_MAX_CONNECTIONS must be a number of connections above 0, not '{v}'"))
                })?),
                None => file.max_connections.filter(|n| *n > 0),
            },
            max_buffered_bytes: match env("ASKPRO_MAX_BUFFERED_BYTES") {
                Some(v) => v.trim().parse().ok().filter(|n| *n >= MIN_BUFFERED_BYTES).ok_or_else(|| {
                    Error::config(format!(
                        "ASKPRO_MAX_BUFFERED_BYTES must be bytes, at least 1048576 (one whole body), not '{v}'"
                    ))
                })?,
                None => file.max_buffered_bytes.unwrap_or(DEFAULT_MAX_BUFFERED_BYTES).max(MIN_BUFFERED_BYTES),
            },
            store_counters: match env("ASKPRO_STORE_COUNTERS").map(|v| v.trim().to_ascii_lowercase()).as_deref() {
                Some("on" | "true" | "1") => true,
                Some("off" | "false" | "0") => false,
                Some(v) => return Err(Error::config(format!("ASKPRO_STORE_COUNTERS must be on or off, not '{v}'"))),
                None => file.store_counters.unwrap_or(true),
            },
            meter_save_every: std::time::Duration::from_secs(match env("ASKPRO_METER_SAVE_SECS") {
                Some(v) => v.trim().parse().ok().filter(|s| (1..=3600).contains(s)).ok_or_else(|| {
                    Error::config(format!("ASKPRO_METER_SAVE_SECS must be 1–3600 seconds, not '{v}'"))
                })?,
                None => file.meter_save_secs.filter(|s| (1..=3600).contains(s)).unwrap_or(60),
            }),
            database_url,
        })
    }
}

fn read_file(explicit: Option<&Path>) -> Result<FileSettings> {
    let path = explicit.unwrap_or(Path::new("askpro.toml"));
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() => return Ok(FileSettings::default()),
        Err(e) => return Err(Error::config(format!("cannot read the config file {}", path.display())).with_source(e)),
    };
    toml::from_str(&text).map_err(|e| {
        Error::invalid(format!("the config file {} is not valid", path.display())).with_help(e.message().to_string())
    })
}

/// The file behind a `sqlite:` URL, or `None` for other databases and in-memory SQLite.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn flag_beats_env_beats_default() {
        let none = Overrides::default();
        assert_eq!(Settings::resolve(&none, env(&[])).unwrap().database_url, DEFAULT_DATABASE_URL);
        let s = Settings::resolve(
            &none,
            env(&[("DATABASE_URL", "sqlite://b.db"), ("ASKPRO_DATABASE_URL", "sqlite://a.db")]),
        )
        .unwrap();
        assert_eq!(s.database_url, "sqlite://a.db");
        let flag = Overrides { database_url: Some("sqlite://c.db".into()), ..Default::default() };
        assert_eq!(
            Settings::resolve(&flag, env(&[("ASKPRO_DATABASE_URL", "sqlite://a.db")])).unwrap().database_url,
            "sqlite://c.db"
        );
    }

    #[test]
    fn config_file_sits_between_env_and_default() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("askpro.toml");
        std::fs::write(&file, "database_url = \"sqlite://file.db\"\nlisten = \"127.0.0.1:9000\"\n").unwrap();
        let o = Overrides { config_file: Some(file.clone()), ..Default::default() };
        let s = Settings::resolve(&o, env(&[])).unwrap();
        assert_eq!((s.database_url.as_str(), s.listen.as_str()), ("sqlite://file.db", "127.0.0.1:9000"));
        let s = Settings::resolve(&o, env(&[("ASKPRO_LISTEN", "127.0.0.1:7000")])).unwrap();
        assert_eq!(s.listen, "127.0.0.1:7000");
        std::fs::write(&file, "databse_url = 1\n").unwrap();
        assert_eq!(Settings::resolve(&o, env(&[])).unwrap_err().exit_code(), 2);
    }

    #[test]
    fn daemon_limits_have_defaults_and_refuse_nonsense() {
        let none = Overrides::default();
        let s = Settings::resolve(&none, env(&[])).unwrap();
        assert_eq!((s.max_connections, s.max_buffered_bytes), (None, DEFAULT_MAX_BUFFERED_BYTES));
        let s = Settings::resolve(
            &none,
            env(&[("ASKPRO_MAX_CONNECTIONS", "64"), ("ASKPRO_MAX_BUFFERED_BYTES", "8388608")]),
        )
        .unwrap();
        assert_eq!((s.max_connections, s.max_buffered_bytes), (Some(64), 8 << 20));
        for (name, value) in [("ASKPRO_MAX_CONNECTIONS", "0"), ("ASKPRO_MAX_BUFFERED_BYTES", "1000")] {
            assert_eq!(Settings::resolve(&none, env(&[(name, value)])).unwrap_err().exit_code(), 6, "{name}={value}");
        }
    }

    #[test]
    fn master_key_source_follows_the_backend() {
        let none = Overrides::default();
        let s = Settings::resolve(&none, env(&[("ASKPRO_DATABASE_URL", "sqlite:///tmp/x/askpro.db")])).unwrap();
        assert!(matches!(s.master_key, KeySource::File(ref p) if p == Path::new("/tmp/x/askpro.key")));
        let s = Settings::resolve(&none, env(&[("ASKPRO_DATABASE_URL", "postgres://h/db")])).unwrap();
        assert!(matches!(s.master_key, KeySource::Missing));
        let s =
            Settings::resolve(&none, env(&[("ASKPRO_DATABASE_URL", "postgres://h/db"), ("ASKPRO_MASTER_KEY", "k")]))
                .unwrap();
        assert!(matches!(s.master_key, KeySource::Env(_)));
    }
}
