//! Function arguments under their German and English names, and the `slot_id` that ties a
//! booking to a slot askpro offered.

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
