//! Plain business types that validate themselves on construction: phone numbers, opening hours,
//! time zones, money. Parse into these first, then act.

pub mod canonical;
mod hours;
mod money;
mod phone;
pub mod say;

pub use hours::{BusinessHours, Hhmm, Shift, Weekday};
pub use money::Cents;
pub use phone::{Country, E164};

use crate::error::{Error, Result};

/// Parses and validates an IANA time zone name.
pub fn parse_timezone(name: &str) -> Result<chrono_tz::Tz> {
    name.trim().parse::<chrono_tz::Tz>().map_err(|_| {
        Error::invalid(format!("'{}' is not an IANA time zone", shown(name)))
            .with_help("use a zone name such as Europe/Berlin or America/New_York")
    })
}

/// Normalises a name for natural-key comparison: trimmed, inner whitespace collapsed, lowercase.
pub fn name_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !key.is_empty() {
            key.push(' ');
        }
        key.extend(word.chars().flat_map(char::to_lowercase));
    }
    key
}

/// Rejects empty or overlong names, naming the flag.
pub fn require_name(value: &str, what: &str) -> Result<String> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid(format!("{what} must not be empty")));
    }
    if trimmed.chars().count() > 200 {
        return Err(Error::invalid(format!("{what} is longer than 200 characters")));
    }
    // A tab or line break would break tables, CSV exports and shell loops over the output; an
    // escape sequence would be played back on the terminal that lists it.
    if trimmed.chars().any(char::is_control) {
        return Err(Error::invalid(format!("{what} must not contain tabs, line breaks or other control characters")));
    }
    Ok(trimmed.to_string())
}

/// `input` as an error message repeats it: whole when short, else its start and its length, so
/// that a 10,000-character argument does not fill the terminal (or the `--json` error).
pub fn shown(input: &str) -> String {
    const SHOWN: usize = 60;
    match input.char_indices().nth(SHOWN) {
        Some((end, _)) => format!("{}… ({} characters)", &input[..end], input.chars().count()),
        None => input.to_string(),
    }
}

/// The longest e-mail address there can be (RFC 5321's path limit).
const MAX_EMAIL: usize = 254;

/// Accepts a plausible e-mail address (one `@`, a dot in the domain, no spaces, at most 254
/// characters).
pub fn parse_email(value: &str) -> Result<String> {
    let v = value.trim();
    let ok = match v.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !v.contains(char::is_whitespace)
                && !domain.contains('@')
                && v.len() <= MAX_EMAIL
        }
        None => false,
    };
    if ok {
        Ok(v.to_string())
    } else {
        Err(Error::invalid(format!("'{}' is not an e-mail address", shown(value))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timezones_are_validated() {
        assert_eq!(parse_timezone("Europe/Berlin").unwrap(), chrono_tz::Europe::Berlin);
        let err = parse_timezone("Mars/Olympus").unwrap_err();
        assert!(err.message().contains("Mars/Olympus"));
    }

    #[test]
    fn name_keys_ignore_case_and_spacing() {
        assert_eq!(name_key("  Salon   Mitte "), "salon mitte");
        assert_eq!(name_key("HERREN Schnitt"), name_key("herren schnitt"));
    }

    #[test]
    fn emails() {
        assert!(parse_email("info@salon.de").is_ok());
        for bad in ["info", "a@b", "@x.de", "a b@c.de", "a@.de"] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
    }
}
