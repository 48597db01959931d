//! Links the `askpro` CLI as a position-dependent executable on Linux/x86-64.
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
}
