//! A JSON object's hash that does not depend on the order of its keys.

use std::fmt::Write as _;
use std::io::Write as _;

use ring::digest;
use serde_json::{Map, Value};

/// A hash of a JSON object that ignores key order (a function call's arguments, so that a retry
/// matches its first call; an agent's deployed configuration): SHA-256 of its compact JSON text
/// with every object's keys sorted, in hex.
pub fn hash(args: &Map<String, Value>) -> String {
    let mut text = Vec::with_capacity(256);
    object(args, &mut text);
    let digest = digest::digest(&digest::SHA256, &text);
    digest.as_ref().iter().fold(String::with_capacity(64), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

/// Writes `map` as compact JSON with its keys (and its objects' keys) sorted.
fn object(map: &Map<String, Value>, out: &mut Vec<u8>) {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_unstable_by_key(|(key, _)| *key);
    out.push(b'{');
    for (i, (key, value)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        scalar(&Value::from(key.as_str()), out);
        out.push(b':');
        canonical(value, out);
    }
    out.push(b'}');
}

fn canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => object(map, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical(item, out);
            }
            out.push(b']');
        }
        other => scalar(other, out),
    }
}

/// Writes a string, number, boolean or null as compact JSON, through `Value`'s `Display`:
/// serde_json compiles that writer itself, where the generic one would be compiled (on a debug
/// build, unoptimised) here and escape a megabyte argument twenty times slower.
fn scalar(value: &Value, out: &mut Vec<u8>) {
    // Written into memory: this cannot fail.
    let _ = write!(out, "{value}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_ignores_key_order_but_not_values() {
        let a: Map<String, Value> = serde_json::from_str(r#"{"datum": "morgen", "uhrzeit": "10"}"#).unwrap();
        let b: Map<String, Value> = serde_json::from_str(r#"{"uhrzeit": "10", "datum": "morgen"}"#).unwrap();
        let c: Map<String, Value> = serde_json::from_str(r#"{"uhrzeit": "11", "datum": "morgen"}"#).unwrap();
        assert_eq!(hash(&a), hash(&b));
        assert_ne!(hash(&a), hash(&c));
    }

    #[test]
    fn hash_is_sha256_of_the_sorted_compact_text() {
        // The digest Python's json.dumps(sorted, separators=(",", ":"), ensure_ascii=False)
        // gives for the same arguments: hashes kept by earlier releases still match.
        let args: Map<String, Value> = serde_json::from_str(
            r#"{"datum": "2026-12-09", "uhrzeit": "10:00", "dienstleistung": "Herrenhaarschnitt",
                "extra": {"z": [1, {"b": "ä\"\n", "a": null}], "a": true, "m": 1.5}}"#,
        )
        .unwrap();
        assert_eq!(hash(&args), "0029d706df510bd90102859f7ea99f4bca72476645c8e0b1ac36af1b7f2632ab");
    }
}
