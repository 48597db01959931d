//! How a webhook delivery's body is kept: LZ4-compressed.
//!
//! Retell's `call_ended` and `call_analyzed` bodies carry the whole transcript twice, word by
//! word with timestamps: 15–100 KB of JSON that compresses three- to sixfold. The daemon stores
//! every delivery before it answers, so the bytes written (to SQLite's WAL and again by its
//! checkpoint) are most of what storing one costs; compressed, they are a third. The body is
//! compressed on the request's own task, before it joins a group commit.
//!
//! A packed body is a NUL byte (which no JSON text starts with), then lz4_flex's block format
//! with the size prepended. Rows stored before migration 0010 hold the body as it arrived;
//! [`unpack`] reads both.

use crate::error::{Error, Result};

const PACKED: u8 = 0;

/// The largest body [`unpack`] restores: the daemon accepts none larger.
const LIMIT: usize = crate::config::BODY_LIMIT;

/// A delivery's body as the store keeps it.
pub fn pack(body: &str) -> Vec<u8> {
    // The block is allocated for its worst case, so the tag fits without a second allocation.
    let mut packed = lz4_flex::compress_prepend_size(body.as_bytes());
    packed.insert(0, PACKED);
    packed
}

/// The body [`pack`] kept (or, from before migration 0010, the body itself).
pub fn unpack(stored: &[u8]) -> Result<String> {
    let damaged = |why: &dyn std::fmt::Display| Error::internal(format!("a stored webhook body is damaged: {why}"));
    let bytes = match stored.split_first() {
        Some((&PACKED, block)) => {
            let (size, block) = lz4_flex::block::uncompressed_size(block).map_err(|e| damaged(&e))?;
            if size > LIMIT {
                return Err(damaged(&format!("it claims {size} bytes")));
            }
            lz4_flex::decompress(block, size).map_err(|e| damaged(&e))?
        }
        _ => stored.to_vec(),
    };
    String::from_utf8(bytes).map_err(|e| damaged(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packed_body_unpacks_to_itself_and_is_smaller() {
        let body = format!(
            r#"{{"event":"call_ended","call":{{"call_id":"c1","transcript":"{}"}}}}"#,
            "Agent: Guten Tag, was kann ich für Sie tun?\\nUser: Einen Termin, bitte. ".repeat(50)
        );
        let packed = pack(&body);
        assert!(packed.len() < body.len() / 3, "{} bytes packed from {}", packed.len(), body.len());
        assert_eq!(unpack(&packed).unwrap(), body);
        assert_eq!(unpack(&pack("")).unwrap(), "");
    }

    #[test]
    fn a_body_stored_before_packing_reads_as_it_is() {
        assert_eq!(unpack(br#"{"event":"call_started"}"#).unwrap(), r#"{"event":"call_started"}"#);
    }

    #[test]
    fn a_damaged_body_is_an_error_not_a_panic() {
        let mut packed = pack(&"Termin um halb drei. ".repeat(40));
        packed.truncate(packed.len() / 2);
        assert!(unpack(&packed).is_err());
        assert!(unpack(&[PACKED, 0xff, 0xff, 0xff, 0x7f, 1, 2]).is_err(), "an absurd size is refused");
        assert!(unpack(&[PACKED]).is_err());
        assert!(unpack(&[0xff, 0xfe]).is_err(), "not UTF-8");
    }
}
