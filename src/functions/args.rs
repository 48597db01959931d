//! Function arguments under their German and English names, the idempotency hash, and the
//! `slot_id` that ties a booking to a slot askpro offered.

use std::fmt::Write as _;
use std::io::Write as _;

use ring::digest;
use serde_json::{Map, Value};

pub struct Args(Map<String, Value>);

impl Args {
    pub fn new(map: Map<String, Value>) -> Args {
        Args(map)
    }

    /// The first of `names` that holds a non-empty value, as text (numbers too). What reads it
    /// bounds its own work (service phrases and spoken dates have caps of their own).
    pub fn text(&self, names: &[&str]) -> Option<String> {
        self.raw(names)
    }

    /// A person's name, at most [`MAX_NAME`] characters as the CLI's names: a longer one is not a
    /// name anyone gave, so it counts as not given (the caller is asked) and is never stored to
    /// be repeated on every later call.
    pub fn name(&self, names: &[&str]) -> Option<String> {
        self.raw(names).filter(|name| name.chars().nth(MAX_NAME).is_none())
    }

    /// Free text kept for people to read (a callback's reason): cut to [`MAX_NOTE`] characters
    /// with an ellipsis rather than dropped, since what the caller said still matters.
    pub fn note(&self, names: &[&str]) -> Option<String> {
        let text = self.raw(names)?;
        Some(match text.char_indices().nth(MAX_NOTE) {
            Some((end, _)) => format!("{}…", &text[..end]),
            None => text,
        })
    }

    fn raw(&self, names: &[&str]) -> Option<String> {
        names.iter().find_map(|n| match self.0.get(*n)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    }
}

/// The longest name taken as given.
pub const MAX_NAME: usize = 200;
/// The longest free text kept whole.
pub const MAX_NOTE: usize = 1_000;

/// A hash of the arguments that ignores key order, so a retry matches its first call: SHA-256
/// of their compact JSON text with every object's keys sorted, in hex.
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

/// A slot offered to the caller: service, start (UTC ms) and staff member (0: any).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotId {
    pub service_id: i64,
    pub start: i64,
    pub staff_id: Option<i64>,
}

impl SlotId {
    pub fn encode(&self) -> String {
        format!("s{}-{}-{}", self.service_id, self.start, self.staff_id.unwrap_or(0))
    }

    pub fn parse(text: &str) -> Option<SlotId> {
        let mut parts = text.strip_prefix('s')?.split('-');
        let service_id = parts.next()?.parse().ok()?;
        let start = parts.next()?.parse().ok()?;
        let staff: i64 = parts.next()?.parse().ok()?;
        if parts.next().is_some() {
            return None;
        }
        Some(SlotId { service_id, start, staff_id: (staff > 0).then_some(staff) })
    }
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

    #[test]
    fn slot_ids_round_trip_and_reject_junk() {
        let id = SlotId { service_id: 7, start: 1_795_511_643_600, staff_id: Some(3) };
        assert_eq!(SlotId::parse(&id.encode()), Some(id));
        let any = SlotId { staff_id: None, ..id };
        assert_eq!(SlotId::parse(&any.encode()), Some(any));
        for junk in ["", "s", "s1-2", "x1-2-3", "s1-2-3-4", "s1-zwei-3"] {
            assert_eq!(SlotId::parse(junk), None, "{junk}");
        }
    }
}
