//! Cal.com's webhook signature (`X-Cal-Signature-256`): the
//! lowercase hex HMAC-SHA256 of the raw body keyed with the webhook's secret — no prefix, no
//! timestamp — checked on the bytes received, before parsing, in constant time.

use ring::hmac;

use super::retell::{hex32, to_hex};

pub const HEADER: &str = "x-cal-signature-256";

/// Why a Cal.com delivery was refused (401 for each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CalSignatureError {
    #[error("no X-Cal-Signature-256 header")]
    Missing,
    #[error("the X-Cal-Signature-256 header is not 64 lowercase hex digits")]
    Malformed,
    #[error("the signature does not match any company's Cal.com webhook secret")]
    Mismatch,
}

impl CalSignatureError {
    /// A short label for metrics.
    pub fn reason(self) -> &'static str {
        match self {
            CalSignatureError::Missing => "calcom_missing",
            CalSignatureError::Malformed => "calcom_malformed",
            CalSignatureError::Mismatch => "calcom_mismatch",
        }
    }
}

/// The header's digest.
pub fn parse(header: Option<&str>) -> Result<[u8; 32], CalSignatureError> {
    hex32(header.ok_or(CalSignatureError::Missing)?).ok_or(CalSignatureError::Malformed)
}

/// Whether `secret` signed `body` with `digest` (constant-time comparison).
pub fn matches(body: &[u8], secret: &str, digest: &[u8; 32]) -> bool {
    hmac::verify(&hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes()), body, digest).is_ok()
}

/// The header value Cal.com sends for `body` with `secret` (for tests).
pub fn sign(body: &[u8], secret: &str) -> String {
    to_hex(hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes()), body).as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_checks_like_calcom() {
        // HMAC-SHA256 keyed "secret" over "{}", computed independently with Python's hmac module
        // (what Cal.com's Node crypto.createHmac(...).digest("hex") gives).
        let signed = sign(b"{}", "secret");
        assert_eq!(signed, "77325902caca812dc259733aacd046b73817372c777b8d95b402647474516e13");
        let digest = parse(Some(&signed)).unwrap();
        assert!(matches(b"{}", "secret", &digest));
        assert!(!matches(b"{ }", "secret", &digest), "one byte more changes the digest");
        assert!(!matches(b"{}", "other", &digest));
        assert_eq!(parse(None), Err(CalSignatureError::Missing));
        assert_eq!(parse(Some(&signed.to_uppercase())), Err(CalSignatureError::Malformed));
        assert_eq!(parse(Some(&format!("sha256={signed}"))), Err(CalSignatureError::Malformed));
        assert_eq!(parse(Some("no-secret-provided")), Err(CalSignatureError::Malformed));
    }
}
