//! Function arguments under their German and English names, the idempotency hash, and the
//! `slot_id` that ties a booking to a slot askpro offered.

use std::collections::BTreeMap;

use ring::digest;
use serde_json::{Map, Value};

pub struct Args(Map<String, Value>);

impl Args {
    pub fn new(map: Map<String, Value>) -> Args {
        Args(map)
    }

    /// The first of `names` that holds a non-empty value, as text (numbers too).
    pub fn text(&self, names: &[&str]) -> Option<String> {
        names.iter().find_map(|n| match self.0.get(*n)? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    }
}

/// A hash of the arguments that ignores key order, so a retry matches its first call.
pub fn hash(args: &Map<String, Value>) -> String {
    fn sorted(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let ordered: BTreeMap<&String, Value> = m.iter().map(|(k, v)| (k, sorted(v))).collect();
                Value::Object(ordered.into_iter().map(|(k, v)| (k.clone(), v)).collect())
            }
            Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
            other => other.clone(),
        }
    }
    let canonical = sorted(&Value::Object(args.clone())).to_string();
    digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref().iter().map(|b| format!("{b:02x}")).collect()
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
