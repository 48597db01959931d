//! Scheduling (SPEC.md §8). So far: the local calendar's slot computation ([`slots`]); the
//! backend interface, the stored local calendar with its double-booking guard, and the Cal.com
//! backend follow.

pub mod slots;

pub use slots::{free_slots, Interval, Slot, SlotRules, StaffAvailability};
