//! Scheduling (SPEC.md §8). So far: the slot computation ([`slots`]) and the local calendar's
//! availability read from the store ([`local`]); the database refuses double bookings
//! (migration 0002). The backend interface, holds and bookings, and the Cal.com backend follow.

pub mod local;
pub mod slots;

pub use local::LocalCalendar;
pub use slots::{free_slots, Interval, Slot, SlotRules, StaffAvailability};
