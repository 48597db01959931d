//! Test harness: a fresh database per test — a SQLite file in a temp dir always, a new
//! PostgreSQL database when `ASKPRO_TEST_POSTGRES_URL` is set — and helpers to run the real
//! `askpro` binary against it.
#![allow(dead_code)]

pub mod calcom;
pub mod daemon;
pub mod echo;
pub mod monitoring;
pub mod rows;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::Value;
use sqlx::{Connection, Executor};

pub const TEST_MASTER_KEY: &str = "q5nVq7Ny0Lk1p6c0C7b6+0b7xWcI5d1H2d3mK4oP5rQ=";

/// Runs the same test body on SQLite and PostgreSQL. Without `ASKPRO_TEST_POSTGRES_URL` (read
/// when the tests are built) the PostgreSQL variant is reported as ignored, with the reason.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::$name(&$crate::common::TestDb::sqlite());
            }
            #[test]
            #[cfg_attr(not(askpro_test_postgres), ignore = "PostgreSQL: set ASKPRO_TEST_POSTGRES_URL to run")]
            fn postgres() {
                super::$name(&$crate::common::TestDb::postgres());
            }
        }
    )*};
}

/// The PostgreSQL server for tests. A PostgreSQL test without one is ignored (see
/// [`both_backends`]); run anyway (`--include-ignored`), it fails and says what to set.
pub fn postgres_admin_url() -> String {
    match std::env::var("ASKPRO_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "this test needs PostgreSQL: set ASKPRO_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)"
        ),
    }
}

pub struct TestDb {
    pub dir: tempfile::TempDir,
    pub url: String,
    pub master_key: Option<String>,
    pg: Option<(String, String)>,
    /// Extra environment for every `askpro` run (say, `CALCOM_BASE_URL` of a fake).
    env: std::sync::Mutex<Vec<(String, String)>>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("askpro.db").display());
        TestDb { dir, url, master_key: None, pg: None, env: Default::default() }
    }

    pub fn postgres() -> TestDb {
        let admin = postgres_admin_url();
        let name = format!(
            "askpro_t_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos()
        );
        block_on(async {
            let mut conn = sqlx::PgConnection::connect(&admin).await.expect("connect to ASKPRO_TEST_POSTGRES_URL");
            conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create test database");
        });
        let url = replace_database(&admin, &name);
        TestDb {
            dir: tempfile::tempdir().expect("temp dir"),
            url,
            master_key: Some(TEST_MASTER_KEY.into()),
            pg: Some((admin, name)),
            env: Default::default(),
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The `askpro` binary with this database and a clean environment.
    pub fn cmd(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_askpro"));
        cmd.current_dir(self.dir.path())
            .env_remove("DATABASE_URL")
            .env_remove("ASKPRO_MASTER_KEY")
            .env_remove("RETELL_API_KEY")
            .env_remove("CALCOM_BASE_URL")
            .env("ASKPRO_DATABASE_URL", &self.url)
            .stdin(std::process::Stdio::null());
        if let Some(key) = &self.master_key {
            cmd.env("ASKPRO_MASTER_KEY", key);
        }
        for (k, v) in self.env.lock().unwrap().iter() {
            cmd.env(k, v);
        }
        cmd
    }

    /// Sets an environment variable for every later `askpro` run.
    pub fn set_env(&self, key: &str, value: &str) {
        self.env.lock().unwrap().push((key.to_string(), value.to_string()));
    }

    /// Runs a bash script with `askpro` on PATH and this database configured.
    pub fn shell(&self, script: &str) -> Run {
        let bin_dir = Path::new(env!("CARGO_BIN_EXE_askpro")).parent().unwrap();
        let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
        let mut cmd = std::process::Command::new("bash");
        for (k, v) in self.cmd().get_envs() {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        let out = cmd.current_dir(self.dir.path()).env("PATH", path).args(["-c", script]).output().expect("run bash");
        Run::from(out)
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.cmd().args(args).output().expect("run askpro"))
    }

    /// Runs a command that must succeed and returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert_eq!(run.code, 0, "askpro {args:?} failed:\n{}", run.stderr);
        run.stdout
    }

    /// Runs with `--json`, requires success, and parses stdout as exactly one JSON document.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.ok(&all);
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("stdout of {args:?} is not one JSON document ({e}):\n{out}"))
    }

    /// Creates a company and returns its id (via `-q`).
    pub fn company(&self, name: &str) -> i64 {
        self.ok(&["company:create", "--name", name, "-q"]).trim().parse().expect("numeric id")
    }

    pub fn branch(&self, company: i64, name: &str) -> i64 {
        self.ok(&["branch:create", "--company-id", &company.to_string(), "--name", name, "-q"]).trim().parse().unwrap()
    }

    pub fn service(&self, company: i64, name: &str, minutes: u32) -> i64 {
        let (c, m) = (company.to_string(), minutes.to_string());
        self.ok(&["service:create", "--company-id", &c, "--name", name, "--duration", &m, "-q"]).trim().parse().unwrap()
    }

    /// Runs one SQL statement directly on the test database, whichever backend it is, for
    /// checks and set-ups that have no askpro command.
    pub async fn execute(&self, sql: &str) -> Result<(), sqlx::Error> {
        if self.is_postgres() {
            let mut conn = sqlx::PgConnection::connect(&self.url).await?;
            sqlx::query(sql).execute(&mut conn).await.map(|_| ())
        } else {
            let mut conn = sqlx::SqliteConnection::connect(&self.url).await?;
            sqlx::query(sql).execute(&mut conn).await.map(|_| ())
        }
    }

    /// Reads the first (text) column of every row of a query, whichever backend it is.
    pub async fn strings(&self, sql: &str) -> Vec<String> {
        if self.is_postgres() {
            let mut conn = sqlx::PgConnection::connect(&self.url).await.unwrap();
            sqlx::query_scalar(sql).fetch_all(&mut conn).await.unwrap()
        } else {
            let mut conn = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
            sqlx::query_scalar(sql).fetch_all(&mut conn).await.unwrap()
        }
    }

    pub fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            block_on(async {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                    let _ = conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
                }
            });
        }
    }
}

/// The result of one `askpro` run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Asserts the exit code and an `error:` line on stderr that mentions `needle`.
    pub fn fails(&self, code: i32, needle: &str) -> &Run {
        assert_eq!(self.code, code, "expected exit {code}\nstdout: {}\nstderr: {}", self.stdout, self.stderr);
        assert!(self.stderr.contains("error:"), "no error: line on stderr: {}", self.stderr);
        assert!(self.stderr.contains(needle), "stderr does not mention {needle:?}: {}", self.stderr);
        self
    }
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

/// `postgres://u@h:5432/db?x` with the database name replaced.
pub fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[after_scheme..].find('/').map(|i| i + after_scheme).unwrap_or(base.len());
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// A fixture under `tests/fixtures/`.
pub fn fixture(path: &str) -> Vec<u8> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(path);
    std::fs::read(&file).unwrap_or_else(|e| panic!("read {}: {e}", file.display()))
}

/// `tests/retell_sign.py`, which signs and verifies with Retell's official Python SDK, when the
/// SDK is installed. Without it the cross-check is skipped with a note on stderr, except under
/// `CI=true`, where `.ci/run` installs it and a missing SDK fails the test.
pub fn retell_sdk_signer() -> Option<PathBuf> {
    let installed = std::process::Command::new("python3")
        .args(["-c", "import importlib.util, sys; sys.exit(importlib.util.find_spec('retell') is None)"])
        .output()
        .is_ok_and(|o| o.status.success());
    if installed {
        return Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/retell_sign.py"));
    }
    assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "CI must install retell-sdk (pip install retell-sdk)");
    // Written to stderr directly, past the test harness's capture, so that the skip is seen.
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        b"skipped: the cross-check with Retell's Python SDK (pip install retell-sdk to run it)\n",
    );
    None
}
