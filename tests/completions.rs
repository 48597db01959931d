//! The committed shell completions must match the CLI; regenerate them with
//! `UPDATE_COMPLETIONS=1 cargo test --test completions`.

use clap_complete::Shell;

#[test]
fn completions_are_up_to_date() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let update = std::env::var("UPDATE_COMPLETIONS").is_ok();
    let mut stale = Vec::new();
    for (shell, file) in [(Shell::Bash, "askpro.bash"), (Shell::Zsh, "_askpro"), (Shell::Fish, "askpro.fish")] {
        let mut generated = Vec::new();
        askpro::cli::commands::completions::generate(shell, &mut generated);
        let path = dir.join(file);
        if update {
            std::fs::write(&path, &generated).unwrap();
        } else if std::fs::read(&path).ok().as_deref() != Some(generated.as_slice()) {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "completions/{stale:?} are stale: run `UPDATE_COMPLETIONS=1 cargo test --test completions`"
    );
}

#[test]
fn completions_know_the_nested_commands() {
    let mut bash = Vec::new();
    askpro::cli::commands::completions::generate(Shell::Bash, &mut bash);
    let bash = String::from_utf8(bash).unwrap();
    for word in ["company", "import-synonyms", "--if-not-exists", "--business-hours"] {
        assert!(bash.contains(word), "bash completion lacks {word}");
    }
    // `--industry` and `templates:show` complete the built-in preset keys.
    assert!(bash.contains("friseur physiotherapie kosmetikstudio"), "bash completion lacks the preset keys");
}
