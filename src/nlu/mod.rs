//! Language understanding for live calls: spoken dates and times ([`when`]), with service
//! matching and caller prediction to follow.

mod compounds;
mod lexicon;
mod phrase;
pub mod predict;
pub mod services;
mod tokens;
pub mod when;

pub use services::{Catalog, MatchedBy, ServiceMatch};
pub use when::{resolve as resolve_when, Part, When};
