//! Whole-process CLI benchmarks (run with `cargo bench --bench cli`):
//! `askpro company:create` on SQLite, 1,000 `branch:create` in a shell loop, a 100,000-row
//! `service:import-synonyms`, and 100 companies of 10 branches each onboarded with
//! `onboarding:automated` in a shell loop (`cargo bench --bench cli -- onboarding` runs only
//! that). Each figure is printed beside its target and the ratio measured/target (below 1.0
//! meets the target).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_askpro");

fn askpro(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("ASKPRO_DATABASE_URL")
        .env_remove("DATABASE_URL")
        .stdin(Stdio::null())
        .output()
        .expect("run askpro");
    assert!(out.status.success(), "askpro {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn report(what: &str, measured: Duration, target: Duration) {
    println!(
        "{what:<48} {:>10.2} ms   target {:>8.0} ms   ratio {:.2}",
        measured.as_secs_f64() * 1e3,
        target.as_secs_f64() * 1e3,
        measured.as_secs_f64() / target.as_secs_f64()
    );
}

fn main() {
    // `cargo bench` passes --bench; `onboarding` runs only that part.
    let only_onboarding = std::env::args().skip(1).any(|a| a == "onboarding");
    onboarding_loop();
    if only_onboarding {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    askpro(dir, &["company:create", "--name", "warm-up", "-q"]);

    // The floor on this machine in this run: starting a process that does nothing.
    let floor = median(
        (0..30)
            .map(|_| {
                let start = Instant::now();
                Command::new("true").status().unwrap();
                start.elapsed()
            })
            .collect(),
    );
    println!("process start-up floor (`true`, median of 30): {:.2} ms", floor.as_secs_f64() * 1e3);

    let runs = 60;
    let samples: Vec<Duration> = (0..runs)
        .map(|i| {
            let start = Instant::now();
            askpro(dir, &["company:create", "--name", &format!("Salon {i}"), "-q"]);
            start.elapsed()
        })
        .collect();
    let mut sorted = samples.clone();
    sorted.sort();
    println!(
        "company:create, {runs} runs: min {:.2} ms, p90 {:.2} ms",
        sorted[0].as_secs_f64() * 1e3,
        sorted[runs * 9 / 10].as_secs_f64() * 1e3
    );
    report("askpro company:create (SQLite, median)", median(samples), Duration::from_millis(10));

    let company = askpro(dir, &["company:create", "--name", "Loop", "-q"]).trim().to_string();
    let bin_dir = Path::new(BIN).parent().unwrap();
    let script = format!(
        "for i in $(seq 1 1000); do askpro branch:create --company-id {company} --name \"Filiale $i\" -q >/dev/null || exit 1; done"
    );
    let start = Instant::now();
    let status = Command::new("bash")
        .args(["-c", &script])
        .current_dir(dir)
        .env("PATH", format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default()))
        .env_remove("ASKPRO_DATABASE_URL")
        .status()
        .unwrap();
    assert!(status.success());
    report("1,000 branch:create in a shell loop", start.elapsed(), Duration::from_secs(15));

    // The import: three runs, each into a fresh database with 200 services; the median counts.
    let mut csv = String::from("service_name,synonym\n");
    for i in 0..100_000 {
        csv.push_str(&format!("Leistung {},Ausdruck Nummer {i}\n", i % 200));
    }
    let imports: Vec<Duration> = (0..3)
        .map(|_| {
            let run_dir = tempfile::tempdir().unwrap();
            let run_dir = run_dir.path();
            let company = askpro(run_dir, &["company:create", "--name", "Import", "-q"]).trim().to_string();
            for i in 0..200 {
                let name = format!("Leistung {i}");
                askpro(
                    run_dir,
                    &["service:create", "--company-id", &company, "--name", &name, "--duration", "30", "-q"],
                );
            }
            std::fs::write(run_dir.join("synonyms.csv"), &csv).unwrap();
            let start = Instant::now();
            let out = askpro(run_dir, &["service:import-synonyms", "--file", "synonyms.csv", "--company-id", &company]);
            let elapsed = start.elapsed();
            assert!(out.contains("imported 100000"), "{out}");
            elapsed
        })
        .collect();
    let elapsed = median(imports);
    report("service:import-synonyms, 100,000 rows", elapsed, Duration::from_secs(1));
}

/// 100 companies, each with 10 branches, the friseur preset's services, synonyms and staff, onboarded
/// one process each in a shell loop with the flags operators pass (`--email`, `--phone`), into one
/// fresh SQLite database (target: under 30 s).
fn onboarding_loop() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let bin_dir = Path::new(BIN).parent().unwrap();
    let script = "for i in $(seq 1 100); do askpro onboarding:automated --name \"Salon $i\" --industry friseur \
        --branches 10 --email \"info@salon$i.de\" --phone \"+49 30 $((2000000 + i))\" -q >/dev/null || exit 1; done";
    let start = Instant::now();
    let status = Command::new("bash")
        .args(["-c", script])
        .current_dir(dir)
        .env("PATH", format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default()))
        .env_remove("ASKPRO_DATABASE_URL")
        .env_remove("RETELL_API_KEY")
        .status()
        .unwrap();
    assert!(status.success());
    let elapsed = start.elapsed();
    let branches = askpro(dir, &["branch:list", "--company-id", "100", "-q"]).lines().count();
    assert_eq!(branches, 10, "the last company has its 10 branches");
    report("100 onboarding:automated x 10 branches, shell loop", elapsed, Duration::from_secs(30));
}
