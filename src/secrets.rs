//! Secrets at rest: AES-256-GCM (ring) under the installation's master key, masking for every
//! place a secret might be shown, and the redaction of every secret the process knows from
//! text it did not write itself ([`known`]).
//!
//! A sealed value is `v1:` + base64(nonce ‖ ciphertext ‖ tag). The field name is bound in as
//! associated data, so a Cal.com key copied into the Retell column does not decrypt.

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};

use crate::error::{Error, Result};

mod known;
pub use known::{redact, remember, Redacting, MIN_SECRET_LEN};

const PREFIX: &str = "v1:";

/// The 32-byte key that seals every secret of one installation.
pub struct MasterKey {
    key: LessSafeKey,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(…)")
    }
}

/// Where the master key came from; decides what happens when none exists yet.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// `ASKPRO_MASTER_KEY` (base64 of 32 bytes).
    Env(String),
    /// `askpro.key` beside the SQLite file; generated on first use.
    File(PathBuf),
    /// PostgreSQL without `ASKPRO_MASTER_KEY`: secrets cannot be stored or read.
    Missing,
}

impl MasterKey {
    /// A new random key, base64-encoded, for `key:generate`.
    pub fn generate_base64() -> String {
        let mut bytes = [0u8; 32];
        SystemRandom::new().fill(&mut bytes).expect("system randomness");
        B64.encode(bytes)
    }

    pub fn from_base64(text: &str) -> Result<MasterKey> {
        let bad = || {
            Error::config("the master key is not valid: it must be base64 of 32 bytes")
                .with_help("create one with `askpro key:generate`")
        };
        let bytes = B64.decode(text.trim()).map_err(|_| bad())?;
        if bytes.len() != 32 {
            return Err(bad());
        }
        let key = UnboundKey::new(&AES_256_GCM, &bytes).map_err(|_| bad())?;
        Ok(MasterKey { key: LessSafeKey::new(key) })
    }

    /// Loads the key from its source, generating the key file for the embedded default.
    pub fn load(source: &KeySource) -> Result<MasterKey> {
        match source {
            KeySource::Env(value) => MasterKey::from_base64(value),
            KeySource::File(path) => Self::load_or_create_file(path),
            KeySource::Missing => Err(Error::unset("no master key to encrypt secrets with")
                .with_help("set ASKPRO_MASTER_KEY; `askpro key:generate` prints a new key")),
        }
    }

    fn load_or_create_file(path: &Path) -> Result<MasterKey> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                remember(&text);
                MasterKey::from_base64(&text).map_err(|e| {
                    Error::config(format!("the key file {} is not valid", path.display()))
                        .with_help(e.help().unwrap_or_default().to_string())
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let encoded = Self::generate_base64();
                remember(&encoded);
                write_private(path, &encoded).map_err(|e| {
                    Error::config(format!("cannot write the key file {}", path.display())).with_source(e)
                })?;
                eprintln!(
                    "notice: generated a master key in {} — back it up; secrets cannot be read without it",
                    path.display()
                );
                MasterKey::from_base64(&encoded)
            }
            Err(e) => Err(Error::config(format!("cannot read the key file {}", path.display())).with_source(e)),
        }
    }

    /// Encrypts `plain` for the column `field`.
    pub fn seal(&self, field: &str, plain: &str) -> String {
        remember(plain);
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).expect("system randomness");
        let mut buf = plain.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(field.as_bytes()), &mut buf)
            .expect("AES-GCM seal");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        format!("{PREFIX}{}", B64.encode(out))
    }

    /// Decrypts a value sealed for `field`.
    pub fn open(&self, field: &str, sealed: &str) -> Result<String> {
        let bad = || {
            Error::config(format!("a stored {field} cannot be decrypted with this master key"))
                .with_help("use the master key this database was set up with (ASKPRO_MASTER_KEY or askpro.key)")
        };
        let raw = sealed.strip_prefix(PREFIX).and_then(|b| B64.decode(b).ok()).ok_or_else(bad)?;
        if raw.len() < NONCE_LEN {
            return Err(bad());
        }
        let (nonce, body) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| bad())?;
        let mut body = body.to_vec();
        let plain = self.key.open_in_place(nonce, Aad::from(field.as_bytes()), &mut body).map_err(|_| bad())?;
        let plain = String::from_utf8(plain.to_vec()).map_err(|_| bad())?;
        remember(&plain);
        Ok(plain)
    }
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, format!("{text}\n"))
}

/// The form a secret is shown in: a known prefix and the last four characters (`cal_live_…9f2c`).
pub fn mask(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() < 12 {
        return "…".to_string();
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    // A vendor prefix such as `cal_live_` (the last `_` within the first 12 bytes) is not secret.
    let head = secret.char_indices().take_while(|(i, _)| *i < 12).map(|(i, c)| i + c.len_utf8()).last().unwrap_or(0);
    let prefix = match secret[..head].rfind('_') {
        Some(i) if secret.len() - i > 8 => &secret[..=i],
        _ => "",
    };
    format!("{prefix}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> MasterKey {
        MasterKey::from_base64(&MasterKey::generate_base64()).unwrap()
    }

    #[test]
    fn round_trip_and_field_binding() {
        let k = key();
        let sealed = k.seal("calcom_api_key", "cal_live_abcdef1234567890");
        assert!(!sealed.contains("abcdef"));
        assert_eq!(k.open("calcom_api_key", &sealed).unwrap(), "cal_live_abcdef1234567890");
        assert!(k.open("retell_api_key", &sealed).is_err(), "field is bound as associated data");
        assert!(key().open("calcom_api_key", &sealed).is_err(), "another key cannot open it");
        assert_ne!(sealed, k.seal("calcom_api_key", "cal_live_abcdef1234567890"), "fresh nonce each time");
    }

    #[test]
    fn masks_keep_prefix_and_tail_only() {
        assert_eq!(mask("cal_live_0123456789abcdef9f2c"), "cal_live_…9f2c");
        assert_eq!(mask("key_0123456789abcdef"), "key_…cdef");
        assert_eq!(mask("key_retell_very_secret_0123456789"), "key_retell_…6789");
        assert_eq!(mask("ümlaut_ümlaut_ümlaut_secret"), "ümlaut_…cret");
        assert_eq!(mask("abcdefghijklmnop"), "…mnop");
        assert_eq!(mask("short"), "…");
    }

    #[test]
    fn bad_keys_are_configuration_errors() {
        for bad in ["", "abc", "AAAA"] {
            assert_eq!(MasterKey::from_base64(bad).unwrap_err().exit_code(), 6);
        }
        assert_eq!(MasterKey::load(&KeySource::Missing).unwrap_err().exit_code(), 6);
    }
}
