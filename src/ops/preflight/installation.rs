//! The installation: database, migrations, master key, files, disk, public URL.

use super::*;

/// The public URL's check, and the URL when it is usable.
#[derive(Clone)]
pub(crate) struct Public {
    pub(crate) url: Option<String>,
    pub(crate) check: Check,
}

pub(crate) fn public_url(settings: &Settings) -> Public {
    let name = "public URL";
    let Some(raw) = settings.public_url.as_deref() else {
        return Public {
            url: None,
            check: Check::fail(
                INSTALLATION,
                name,
                "ASKPRO_PUBLIC_URL is not set: agents cannot be pointed at the daemon",
                "export ASKPRO_PUBLIC_URL=https://askpro.example.com (the address Retell reaches askpro-daemon at)",
            )
            .missing(),
        };
    };
    let url = raw.trim_end_matches('/').to_string();
    let parsed = match reqwest::Url::parse(&url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => u,
        _ => {
            return Public {
                url: None,
                check: Check::fail(
                    INSTALLATION,
                    name,
                    format!("ASKPRO_PUBLIC_URL '{raw}' is not an http(s) URL"),
                    "set ASKPRO_PUBLIC_URL to the daemon's address, e.g. https://askpro.example.com",
                ),
            }
        }
    };
    let host = parsed.host_str().unwrap_or("").trim_start_matches('[').trim_end_matches(']');
    let loopback = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    let check = match (parsed.scheme(), loopback) {
        ("https", _) => Check::pass(INSTALLATION, name, url.clone()),
        (_, true) => Check::pass(INSTALLATION, name, format!("{url} (plain http on loopback)")),
        _ => Check::warn(
            INSTALLATION,
            name,
            format!("{url} is plain http: calls' data would cross the network unencrypted"),
            "put the daemon behind TLS and set ASKPRO_PUBLIC_URL to its https:// address",
        ),
    };
    Public { url: Some(url), check }
}

pub(crate) fn describe_database(url: &str) -> String {
    match sqlite_path(url) {
        Some(path) => format!("SQLite {}", path.display()),
        None => format!("PostgreSQL {}", crate::store::redact_url(url)),
    }
}

/// The store as it is: a SQLite file must exist (nothing is created), nothing is migrated.
pub(crate) async fn open(settings: &Settings) -> std::result::Result<Arc<dyn Store>, Check> {
    let name = "database";
    let url = &settings.database_url;
    if let Some(path) = sqlite_path(url) {
        if !path.exists() {
            return Err(Check::fail(
                INSTALLATION,
                name,
                format!("there is no database at {}", path.display()),
                "run in the directory of askpro.db, or set ASKPRO_DATABASE_URL to the installation's database",
            )
            .missing());
        }
    }
    let store = crate::store::open_unmigrated(url, PoolSize(1))
        .await
        .map_err(|e| Check::error(INSTALLATION, name, &e, "check ASKPRO_DATABASE_URL and that the database runs"))?;
    // A query, not only a connection.
    store
        .applied_migrations()
        .await
        .map_err(|e| Check::error(INSTALLATION, name, &e, "check that the database is askpro's (askpro db:status)"))?;
    Ok(store)
}

pub(crate) async fn migrations(app: &App) -> Result<Vec<Check>> {
    let name = "migrations";
    let known = app.store.migration_status().await?;
    let applied = app.store.applied_migrations().await?;
    let pending: Vec<i64> = known.iter().filter(|m| !m.applied).map(|m| m.version).collect();
    let unknown: Vec<i64> = applied.iter().copied().filter(|v| !known.iter().any(|m| m.version == *v)).collect();
    let list = |v: &[i64]| v.iter().map(|n| format!("{n:04}")).collect::<Vec<_>>().join(", ");
    Ok(vec![if !unknown.is_empty() {
        Check::fail(
            INSTALLATION,
            name,
            format!(
                "the database has migration(s) {} that this askpro does not know: it is newer than this binary",
                list(&unknown)
            ),
            "install the askpro release that migrated it (askpro and askpro-daemon from one build)",
        )
    } else if !pending.is_empty() {
        Check::fail(
            INSTALLATION,
            name,
            format!("{} of {} applied; pending: {}", known.len() - pending.len(), known.len(), list(&pending)),
            "askpro db:migrate (back up first), then restart askpro-daemon",
        )
    } else {
        Check::pass(INSTALLATION, name, format!("all {} applied, none unknown", known.len()))
    }])
}

pub(crate) async fn master_key(app: &App) -> Result<Vec<Check>> {
    let name = "master key";
    let companies = app.store.companies().await?;
    let stored: Vec<(i64, SecretField)> = companies
        .iter()
        .flat_map(|c| {
            [
                (c.calcom_api_key.is_some(), SecretField::CalcomApiKey),
                (c.retell_api_key.is_some(), SecretField::RetellApiKey),
                (c.calcom_webhook_secret.is_some(), SecretField::CalcomWebhookSecret),
            ]
            .into_iter()
            .filter(|(has, _)| *has)
            .map(|(_, field)| (c.id, field))
        })
        .collect();
    let source = match &app.settings.master_key {
        KeySource::Env(_) => "ASKPRO_MASTER_KEY".to_string(),
        KeySource::File(path) => path.display().to_string(),
        KeySource::Missing => String::new(),
    };
    // Never created here: a missing key file is a finding.
    let key = match &app.settings.master_key {
        KeySource::File(path) if !path.exists() => {
            return Ok(vec![if stored.is_empty() {
                Check::pass(INSTALLATION, name, format!("no secret stored yet ({source} is created with the first)"))
            } else {
                Check::fail(
                    INSTALLATION,
                    name,
                    format!("{source} is missing, and {} stored secret(s) need it", stored.len()),
                    "restore askpro.key from your backup (or set ASKPRO_MASTER_KEY to the key the secrets were stored with)",
                )
                .missing()
            }]);
        }
        KeySource::Missing => {
            return Ok(vec![Check::fail(
                INSTALLATION,
                name,
                "ASKPRO_MASTER_KEY is not set (PostgreSQL needs it for API keys and webhook secrets)",
                "set ASKPRO_MASTER_KEY (from your secret store, or a new one from `askpro key:generate` if none is stored yet)",
            )
            .missing()]);
        }
        other => MasterKey::load(other),
    };
    let key = match key {
        Ok(key) => key,
        Err(e) => return Ok(vec![Check::error(INSTALLATION, name, &e, "askpro key:generate prints a valid key")]),
    };
    let mut unreadable = Vec::new();
    for (company, field) in &stored {
        if let Some(sealed) = app.store.company_secret(*company, *field).await? {
            if key.open(field.name(), &sealed).is_err() {
                unreadable.push(format!("company {company} {}", field.name()));
            }
        }
    }
    Ok(vec![if unreadable.is_empty() {
        Check::pass(INSTALLATION, name, format!("{source} opens all {} stored secret(s)", stored.len()))
    } else {
        Check::fail(
            INSTALLATION,
            name,
            format!(
                "{source} cannot decrypt {} of {} stored secret(s): {}",
                unreadable.len(),
                stored.len(),
                unreadable.join(", ")
            ),
            "use the master key the secrets were stored with: restore askpro.key or ASKPRO_MASTER_KEY",
        )
    }])
}

/// `askpro.db` (and its `-wal`, `-shm`, `.lock`) and `askpro.key`: readable by the owner only.
pub(crate) fn permissions(settings: &Settings) -> Result<Vec<Check>> {
    let name = "file permissions";
    let Some(db) = sqlite_path(&settings.database_url) else {
        return Ok(vec![Check::skip(INSTALLATION, name, "skipped: PostgreSQL keeps no askpro.db here")]);
    };
    let mut files: Vec<PathBuf> =
        ["", "-wal", "-shm", ".lock"].iter().map(|suffix| PathBuf::from(format!("{}{suffix}", db.display()))).collect();
    if let KeySource::File(key) = &settings.master_key {
        files.push(key.clone());
    }
    let mut open = Vec::new();
    let mut seen = 0;
    for file in files.iter().filter(|f| f.exists()) {
        seen += 1;
        if let Some(mode) = mode(file).filter(|m| m & 0o077 != 0) {
            open.push((file.display().to_string(), mode));
        }
    }
    Ok(vec![if open.is_empty() {
        Check::pass(INSTALLATION, name, format!("{seen} file(s) readable by their owner only (0600)"))
    } else {
        let shown: Vec<String> = open.iter().map(|(f, m)| format!("{f} is {m:04o}")).collect();
        let paths: Vec<&str> = open.iter().map(|(f, _)| f.as_str()).collect();
        Check::fail(
            INSTALLATION,
            name,
            format!("{}: others may read customers' data or the key", shown.join(", ")),
            format!("chmod 600 {}", paths.join(" ")),
        )
    }])
}

#[cfg(unix)]
pub(crate) fn mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).ok().map(|m| m.permissions().mode() & 0o777)
}

#[cfg(not(unix))]
pub(crate) fn mode(_path: &Path) -> Option<u32> {
    None
}

/// Free space on the database's volume: a warning under 10 % or 1 GiB, a failure under 2 %.
pub(crate) fn disk_space(settings: &Settings) -> Result<Vec<Check>> {
    let name = "disk space";
    let Some(db) = sqlite_path(&settings.database_url) else {
        return Ok(vec![Check::skip(INSTALLATION, name, "skipped: the PostgreSQL server's disk is watched there")]);
    };
    let dir = db.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let stat = rustix::fs::statvfs(dir)
        .map_err(|e| Error::internal(format!("cannot read the free space of {}", dir.display())).with_source(e))?;
    let unit = stat.f_frsize.max(1);
    let (free, total) = (stat.f_bavail.saturating_mul(unit), stat.f_blocks.saturating_mul(unit));
    Ok(vec![disk_verdict(&dir.display().to_string(), free, total)])
}

pub(crate) const GIB: u64 = 1 << 30;

pub(crate) fn disk_verdict(dir: &str, free: u64, total: u64) -> Check {
    let name = "disk space";
    let share = if total == 0 { 1.0 } else { free as f64 / total as f64 };
    let detail = format!(
        "{:.1} GiB free of {:.1} GiB ({:.1} %) on the volume of {dir}",
        free as f64 / GIB as f64,
        total as f64 / GIB as f64,
        share * 100.0
    );
    let fix = "free space on that volume (or move the database to a larger one): SQLite stops writing when it is full";
    if share < 0.02 {
        Check::fail(INSTALLATION, name, detail, fix)
    } else if share < 0.10 || free < GIB {
        Check::warn(INSTALLATION, name, detail, fix)
    } else {
        Check::pass(INSTALLATION, name, detail)
    }
}
