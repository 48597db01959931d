//! The secrets this process knows, and their removal from any text it shows.
//!
//! A secret is remembered where it enters the process: decrypted from the database, read as the
//! master key or `RETELL_API_KEY`, or handed to an upstream client. Text that came from outside
//! (an upstream's error body, a transport error) passes through [`redact`] before it becomes an
//! error message, so a gateway that echoes the `Authorization` header cannot put a key into an
//! error, a callback request or an answer; what the CLI prints and what the daemon logs passes
//! through it once more on the way out. Every occurrence shows as the secret's masked form
//! (`cal_live_…9f2c`).

use std::borrow::Cow;
use std::collections::HashSet;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, Mutex, RwLock};

use aho_corasick::{AhoCorasick, MatchKind};

use super::mask;

/// Values shorter than this are not treated as secrets: replacing them would mangle ordinary
/// text, and every key askpro handles is far longer.
pub const MIN_SECRET_LEN: usize = 8;

/// Every secret remembered, each also percent-encoded (as a URL would carry it), with the
/// masked form that replaces it.
#[derive(Default)]
struct Secrets {
    /// `patterns` as a set.
    known: HashSet<String>,
    patterns: Vec<String>,
    masks: Vec<String>,
}

/// One automaton that finds any known secret in a single pass.
struct Matcher {
    automaton: AhoCorasick,
    masks: Vec<String>,
}

static SECRETS: LazyLock<Mutex<Secrets>> = LazyLock::new(Mutex::default);
/// Built on the first redaction after secrets were added: a daemon remembering every
/// company's keys at start builds it once, not once per key.
static MATCHER: RwLock<Option<Arc<Matcher>>> = RwLock::new(None);
static CHANGED: AtomicBool = AtomicBool::new(false);

/// Adds `secret` to the secrets this process never shows. Cheap when it is already known.
pub fn remember(secret: &str) {
    let secret = secret.trim();
    if secret.chars().count() < MIN_SECRET_LEN {
        return;
    }
    let mut secrets = SECRETS.lock().unwrap_or_else(|e| e.into_inner());
    if secrets.known.contains(secret) {
        return;
    }
    let encoded: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    for form in [secret, encoded.as_str()] {
        if secrets.known.insert(form.to_string()) {
            secrets.patterns.push(form.to_string());
            secrets.masks.push(mask(secret));
        }
    }
    CHANGED.store(true, Ordering::Release);
}

/// The automaton for every secret remembered so far.
fn matcher() -> Option<Arc<Matcher>> {
    if CHANGED.load(Ordering::Acquire) {
        // Rebuilt under the write lock, so a reader that comes while it is built waits for it
        // rather than using one without the newest secret.
        let mut current = MATCHER.write().unwrap_or_else(|e| e.into_inner());
        if CHANGED.swap(false, Ordering::AcqRel) {
            let secrets = SECRETS.lock().unwrap_or_else(|e| e.into_inner());
            // Longest first where secrets overlap, so a key is never half replaced.
            match AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .ascii_case_insensitive(true)
                .build(&secrets.patterns)
            {
                Ok(automaton) => *current = Some(Arc::new(Matcher { automaton, masks: secrets.masks.clone() })),
                // Only a pathological number of secrets can fail to build; keep what worked.
                Err(e) => tracing::error!(error = %e, "cannot build the redaction set"),
            }
        }
    }
    MATCHER.read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// `text` with every known secret replaced by its masked form.
pub fn redact(text: &str) -> Cow<'_, str> {
    match matcher() {
        Some(m) if m.automaton.is_match(text) => Cow::Owned(m.automaton.replace_all(text, &m.masks)),
        _ => Cow::Borrowed(text),
    }
}

/// A writer that redacts what passes through it; the daemon's log is written through one.
/// Each log line arrives in one `write`, so no secret is split between two.
pub struct Redacting<W>(pub W);

impl<W: Write> Write for Redacting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match std::str::from_utf8(buf) {
            Ok(text) => {
                self.0.write_all(redact(text).as_bytes())?;
                Ok(buf.len())
            }
            Err(_) => self.0.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_secrets_show_masked_wherever_they_appear() {
        remember("cal_live_redacttest000000000000000009f2c");
        remember("short");
        let text = "Invalid token cal_live_redacttest000000000000000009f2c; short stays";
        assert_eq!(redact(text), "Invalid token cal_live_…9f2c; short stays");
        assert!(matches!(redact("nothing secret here"), Cow::Borrowed(_)));
    }

    #[test]
    fn url_encoded_and_overlapping_secrets() {
        remember("k3y+with/slash=redact");
        remember("k3y+with/slash=redact-and-more");
        assert_eq!(redact("?key=k3y%2Bwith%2Fslash%3Dredact&x"), "?key=…dact&x");
        assert_eq!(redact("k3y+with/slash=redact-and-more"), "…more", "the longest match wins");
    }

    #[test]
    fn the_writer_redacts_each_write() {
        remember("key_writer_test_0123456789abcd");
        let mut out = Redacting(Vec::new());
        // As tracing writes: the whole formatted line at once.
        out.write_all(b"error=Retell refused key_writer_test_0123456789abcd\n").unwrap();
        assert_eq!(String::from_utf8(out.0).unwrap(), "error=Retell refused key_writer_…abcd\n");
    }
}
