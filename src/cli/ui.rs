//! Prompts and progress, both only where a person is watching: prompts when stdin is a terminal
//! and `-n` is absent, progress bars when stderr is a terminal.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use crate::error::{Error, Result};
use crate::ops::{NoProgress, Progress};

#[derive(Debug, Clone, Copy)]
pub struct Ui {
    interactive: bool,
}

impl Ui {
    pub fn new(no_interaction: bool) -> Ui {
        Ui { interactive: !no_interaction && std::io::stdin().is_terminal() && std::io::stderr().is_terminal() }
    }

    /// Whether prompts may be shown: stdin and stderr are terminals and `-n` is absent.
    pub fn is_interactive(&self) -> bool {
        self.interactive
    }

    /// The flag's value, or a prompt for it on a terminal, or an error naming the flag.
    pub fn text(&self, value: Option<String>, flag: &str, prompt: &str) -> Result<String> {
        if let Some(v) = value {
            return Ok(v);
        }
        if !self.interactive {
            return Err(Error::invalid(format!("missing {flag}"))
                .with_help(format!("pass {flag} (prompts appear only on a terminal without -n)")));
        }
        dialoguer::Input::<String>::new()
            .with_prompt(prompt)
            .interact_text()
            .map_err(|e| Error::invalid(format!("no value for {flag}: {e}")))
    }

    /// A progress bar on a terminal, nothing elsewhere.
    pub fn progress(&self) -> Box<dyn Progress> {
        if std::io::stderr().is_terminal() {
            Box::new(Bar(ProgressBar::hidden()))
        } else {
            Box::new(NoProgress)
        }
    }

    /// A spinner with a count of what is done, on a terminal; nothing elsewhere.
    pub fn spinner(&self) -> Box<dyn Progress> {
        if std::io::stderr().is_terminal() {
            Box::new(Spinner(ProgressBar::hidden()))
        } else {
            Box::new(NoProgress)
        }
    }
}

struct Spinner(ProgressBar);

impl Progress for Spinner {
    fn start(&self, total: u64, message: &str) {
        self.0.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        self.0.set_length(total);
        self.0.set_style(ProgressStyle::with_template("{spinner} {msg}: {pos}/{len} done").expect("valid template"));
        self.0.set_message(message.to_string());
        self.0.enable_steady_tick(std::time::Duration::from_millis(100));
    }
    fn advance(&self, by: u64) {
        self.0.inc(by);
    }
    fn extend(&self, by: u64) {
        self.0.inc_length(by);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&self, total: u64, message: &str) {
        self.0.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        self.0.reset();
        self.0.set_length(total);
        self.0.set_position(0);
        self.0.set_style(
            ProgressStyle::with_template("{msg:>18} [{bar:40}] {percent:>3}% {elapsed_precise}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        self.0.set_message(message.to_string());
    }
    fn advance(&self, by: u64) {
        self.0.inc(by);
    }
    fn extend(&self, by: u64) {
        self.0.inc_length(by);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}
