//! The SQLite files hold customers' names, numbers and transcripts: `askpro.db`, its `-wal`
//! and `-shm`, the `.lock` beside it and `askpro.key` are created readable by their owner
//! only, under a permissive umask, by the CLI and by the daemon; an existing database that
//! others can read is reported, not silently changed.
#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

use common::TestDb;

/// The permission bits of `dir/name`, or `None` when it does not exist.
fn mode(dir: &Path, name: &str) -> Option<u32> {
    std::fs::metadata(dir.join(name)).ok().map(|m| m.permissions().mode() & 0o777)
}

fn assert_private(dir: &Path, names: &[&str], when: &str) {
    for name in names {
        let found = mode(dir, name).unwrap_or_else(|| panic!("{when}: {name} does not exist"));
        assert_eq!(found, 0o600, "{when}: {name} is {found:o}, not 600");
    }
}

#[test]
fn the_cli_creates_the_database_and_its_files_private() {
    for umask in ["022", "000"] {
        let db = TestDb::sqlite();
        let run = db.shell(&format!(
            "umask {umask}; askpro company:create --name Salon --calcom-api-key cal_live_0123456789abcdef -q"
        ));
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_private(db.path(), &["askpro.db", "askpro.db.lock", "askpro.key"], &format!("umask {umask}"));
        for wal in ["askpro.db-wal", "askpro.db-shm"] {
            if let Some(found) = mode(db.path(), wal) {
                assert_eq!(found, 0o600, "umask {umask}: {wal} is {found:o}");
            }
        }
    }
}

#[test]
fn the_daemon_creates_the_database_and_its_wal_private() {
    let db = TestDb::sqlite();
    let mut daemon = Command::new("bash")
        .args([
            "-c",
            &format!("umask 022; exec {} --listen 127.0.0.1:0 --log-format json", env!("CARGO_BIN_EXE_askpro-daemon")),
        ])
        .current_dir(db.path())
        .env("ASKPRO_DATABASE_URL", &db.url)
        .env_remove("ASKPRO_MASTER_KEY")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(daemon.stderr.take().unwrap()).lines().map_while(Result::ok);
    assert!(lines.any(|l| l.contains("askpro-daemon listening")), "the daemon did not start");
    std::thread::spawn(move || for _ in lines {});
    // The daemon holds the WAL and the shared-memory file open while it runs.
    assert_private(db.path(), &["askpro.db", "askpro.db-wal", "askpro.db-shm", "askpro.db.lock"], "daemon");
    // A command beside it writes through the same files.
    let run = db.shell("umask 022; askpro company:create --name Salon --calcom-api-key cal_live_0123456789abcdef -q");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_private(db.path(), &["askpro.db", "askpro.db-wal", "askpro.db-shm", "askpro.key"], "CLI beside the daemon");
    assert!(Command::new("kill").args(["-TERM", &daemon.id().to_string()]).status().unwrap().success());
    daemon.wait().unwrap();
}

#[test]
fn an_existing_database_others_can_read_is_reported() {
    let db = TestDb::sqlite();
    db.company("Salon");
    let file = db.path().join("askpro.db");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let run = db.run(&["company:list", "-q"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("warning:") && run.stderr.contains("chmod 600"), "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "1", "stdout carries the data only");
    assert_eq!(mode(db.path(), "askpro.db"), Some(0o644), "the operator's choice is left alone");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let run = db.run(&["company:list", "-q"]);
    assert!(!run.stderr.contains("warning:"), "{}", run.stderr);
}
