//! Links the `askpro` CLI as a position-dependent executable on Linux/x86-64, and tells the
//! tests whether a PostgreSQL server is configured for them.
//!
//! As a PIE, `askpro` carries ~56,000 dynamic relocations that the loader applies before
//! `main` on every start (measured: 556 page faults for `askpro --version`, 184 without PIE),
//! and the CLI is started thousands of times in onboarding loops. The network-facing
//! `askpro-daemon` keeps PIE and its address-space randomisation; the library and proc-macros
//! are not affected.

fn main() {
    if std::env::var("TARGET").as_deref() == Ok("x86_64-unknown-linux-gnu") {
        println!("cargo:rustc-link-arg-bin=askpro=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
    // sqlx::migrate! embeds the migrations; a new or changed one rebuilds the crate.
    println!("cargo:rerun-if-changed=migrations");
    // The PostgreSQL variants of the tests run when a server is configured, and are reported
    // as ignored (with the variable to set) when not, rather than passing without running.
    println!("cargo:rustc-check-cfg=cfg(askpro_test_postgres)");
    println!("cargo:rerun-if-env-changed=ASKPRO_TEST_POSTGRES_URL");
    if std::env::var("ASKPRO_TEST_POSTGRES_URL").is_ok_and(|url| !url.is_empty()) {
        println!("cargo:rustc-cfg=askpro_test_postgres");
    }
}
