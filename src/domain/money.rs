//! Prices in euro cents, parsed from what an operator types (`25`, `25.50`, `25,50`).

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cents(pub i64);

impl FromStr for Cents {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let bad = || Error::invalid(format!("'{}' is not a price; use euros such as 25 or 25.50", super::shown(s)));
        let t = s.trim().trim_start_matches('€').trim_end_matches('€').trim().replace(',', ".");
        let (whole, frac) = match t.split_once('.') {
            Some((w, f)) => (w, f),
            None => (t.as_str(), ""),
        };
        if whole.is_empty() || frac.len() > 2 || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let euros: i64 = whole.parse().map_err(|_| bad())?;
        let cents: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().map_err(|_| bad())? };
        euros.checked_mul(100).and_then(|c| c.checked_add(cents)).map(Cents).ok_or_else(bad)
    }
}

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_euro_amounts() {
        assert_eq!("25".parse::<Cents>().unwrap(), Cents(2500));
        assert_eq!("25.5".parse::<Cents>().unwrap(), Cents(2550));
        assert_eq!("25,50".parse::<Cents>().unwrap(), Cents(2550));
        assert_eq!("€ 9.99".parse::<Cents>().unwrap(), Cents(999));
        assert_eq!(Cents(2550).to_string(), "25.50");
        for bad in ["", "-5", "1.234", "abc", "1.x"] {
            assert!(bad.parse::<Cents>().is_err(), "{bad}");
        }
    }
}
