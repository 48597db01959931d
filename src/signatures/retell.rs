//! Retell's request signature (`X-Retell-Signature`), checked on the raw body bytes before
//! anything is parsed, as Retell documents it and its official Python SDK
//! does: the header is exactly `v=<ms>,d=<64 lowercase hex>`; the timestamp is within five
//! minutes either way of now (300,000 ms passes); the digest is HMAC-SHA256 keyed with the API
//! key over the body followed by the timestamp as a decimal integer; compared in constant time.

use ring::hmac;

pub const HEADER: &str = "x-retell-signature";

/// The accepted distance between the signature's timestamp and now, either way.
pub const TOLERANCE_MS: i64 = 300_000;

/// Why a signature was refused. Every variant answers 401; they differ only in the logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no X-Retell-Signature header")]
    Missing,
    #[error("the X-Retell-Signature header is not v=<ms>,d=<64 hex>")]
    Malformed,
    #[error("the signature is older or newer than five minutes")]
    OutOfWindow,
    #[error("the signature does not match any configured Retell key")]
    Mismatch,
}

impl SignatureError {
    /// A short label for metrics.
    pub fn reason(self) -> &'static str {
        match self {
            SignatureError::Missing => "missing",
            SignatureError::Malformed => "malformed",
            SignatureError::OutOfWindow => "out_of_window",
            SignatureError::Mismatch => "mismatch",
        }
    }
}

/// A header split into its timestamp and digest, before any key is tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    pub timestamp_ms: i64,
    digest: [u8; 32],
}

impl Signature {
    /// Parses `v=<digits>,d=<64 lowercase hex>` — nothing before, between or after.
    pub fn parse(header: &str) -> Result<Signature, SignatureError> {
        let rest = header.strip_prefix("v=").ok_or(SignatureError::Malformed)?;
        let (digits, hex) = rest.split_once(",d=").ok_or(SignatureError::Malformed)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || hex.len() != 64 {
            return Err(SignatureError::Malformed);
        }
        // Leading zeros are allowed and dropped, as the SDK's int() does; a value beyond i64
        // can never be inside the window.
        let timestamp_ms = digits.parse::<i64>().map_err(|_| SignatureError::OutOfWindow)?;
        let digest = hex32(hex).ok_or(SignatureError::Malformed)?;
        Ok(Signature { timestamp_ms, digest })
    }

    pub fn in_window(&self, now_ms: i64) -> bool {
        now_ms.abs_diff(self.timestamp_ms) <= TOLERANCE_MS as u64
    }

    /// The header of a request, parsed and inside the time window, before any key is tried.
    pub fn checked(header: Option<&str>, now_ms: i64) -> Result<Signature, SignatureError> {
        let signature = Signature::parse(header.ok_or(SignatureError::Missing)?)?;
        if signature.in_window(now_ms) {
            Ok(signature)
        } else {
            Err(SignatureError::OutOfWindow)
        }
    }

    /// Whether `key` signed `body` with this timestamp (constant-time comparison).
    pub fn matches(&self, body: &[u8], key: &str) -> bool {
        let key = hmac::Key::new(hmac::HMAC_SHA256, key.as_bytes());
        hmac::verify(&key, &message(body, self.timestamp_ms), &self.digest).is_ok()
    }
}

/// 64 lowercase hex digits as 32 bytes (lowercase only, as the Python SDK's `[0-9a-f]{64}`
/// and as Cal.com sends them).
pub(crate) fn hex32(hex: &str) -> Option<[u8; 32]> {
    fn nibble(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            _ => None,
        }
    }
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in hex.as_bytes().chunks(2).enumerate() {
        out[i] = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

/// Lowercase hex of `bytes`.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn message(body: &[u8], timestamp_ms: i64) -> Vec<u8> {
    let ts = timestamp_ms.to_string();
    let mut msg = Vec::with_capacity(body.len() + ts.len());
    msg.extend_from_slice(body);
    msg.extend_from_slice(ts.as_bytes());
    msg
}

/// Checks `header` over `body` against `key` at `now_ms`.
pub fn verify(body: &[u8], key: &str, header: Option<&str>, now_ms: i64) -> Result<(), SignatureError> {
    if Signature::checked(header, now_ms)?.matches(body, key) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The header value Retell would send for `body` signed with `key` at `timestamp_ms`
/// (for `retell:trigger`, tests and benchmarks).
pub fn sign(body: &[u8], key: &str, timestamp_ms: i64) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key.as_bytes());
    let tag = hmac::sign(&key, &message(body, timestamp_ms));
    format!("v={timestamp_ms},d={}", to_hex(tag.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_grammar() {
        let good = sign(b"{}", "k", 1_795_511_643_600);
        assert!(Signature::parse(&good).is_ok());
        for bad in [
            "",
            "v=1,d=",
            &good.replace(",d=", ", d="),
            &good.to_uppercase(),
            &format!("{good} "),
            &format!(" {good}"),
            &good.replacen("v=", "v=-", 1),
            &good.replacen("v=", "t=", 1),
            &format!("{good}0"),
        ] {
            assert_eq!(Signature::parse(bad).err(), Some(SignatureError::Malformed), "{bad:?}");
        }
        let zeros = good.replacen("v=", "v=000", 1);
        assert_eq!(verify(b"{}", "k", Some(&zeros), 1_795_511_643_600), Ok(()), "leading zeros are dropped");
        let huge = format!("v=99999999999999999999999,d={}", "0".repeat(64));
        assert_eq!(verify(b"{}", "k", Some(&huge), 0), Err(SignatureError::OutOfWindow));
    }

    #[test]
    fn window_is_symmetric_and_inclusive() {
        let at = 1_795_511_643_600;
        let header = sign(b"x", "k", at);
        assert_eq!(verify(b"x", "k", Some(&header), at + TOLERANCE_MS), Ok(()));
        assert_eq!(verify(b"x", "k", Some(&header), at - TOLERANCE_MS), Ok(()));
        assert_eq!(verify(b"x", "k", Some(&header), at + TOLERANCE_MS + 1), Err(SignatureError::OutOfWindow));
        assert_eq!(verify(b"x", "k", Some(&header), at - TOLERANCE_MS - 1), Err(SignatureError::OutOfWindow));
        assert_eq!(verify(b"y", "k", Some(&header), at), Err(SignatureError::Mismatch));
        assert_eq!(verify(b"x", "k", None, at), Err(SignatureError::Missing));
    }
}
