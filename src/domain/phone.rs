//! Phone numbers in E.164, parsed from the usual written forms with a default region.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// An ISO 3166-1 alpha-2 country code used as the default region for national numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country(phonenumber::country::Id);

impl Country {
    pub const DE: Country = Country(phonenumber::country::Id::DE);

    pub fn code(&self) -> String {
        format!("{:?}", self.0)
    }
}

impl FromStr for Country {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        s.trim().to_ascii_uppercase().parse::<phonenumber::country::Id>().map(Country).map_err(|_| {
            Error::invalid(format!("'{}' is not a country code", super::shown(s)))
                .with_help("use an ISO 3166 code such as DE, AT or CH")
        })
    }
}

/// A validated phone number in E.164 form (`+49301234567`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct E164(String);

impl E164 {
    /// Parses `+49 30 1234567`, `030 1234567`, `0049301234567`, … with `country` as the region
    /// for national numbers. Rejects anything that is not a valid number, naming the value.
    pub fn parse(input: &str, country: Country) -> Result<E164> {
        let bad = || {
            Error::invalid(format!("'{}' is not a phone number", super::shown(input)))
                .with_help("write it as +49 30 1234567 or 030 1234567")
        };
        let trimmed = input.trim();
        if trimmed.is_empty() || trimmed.chars().any(|c| c.is_alphabetic()) {
            return Err(bad());
        }
        let number = phonenumber::parse(Some(country.0), trimmed).map_err(|_| bad())?;
        if !phonenumber::is_valid(&number) {
            return Err(bad());
        }
        Ok(E164(number.format().mode(phonenumber::Mode::E164).to_string()))
    }

    /// Parses an optional flag value into its stored E.164 form.
    pub fn parse_opt(input: Option<&str>, country: Country) -> Result<Option<String>> {
        input.map(|p| E164::parse(p, country).map(|e| e.0)).transpose()
    }

    /// Wraps a value that is already stored in E.164 (from the database or Retell).
    pub fn from_stored(value: String) -> E164 {
        E164(value)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_forms_become_e164() {
        for input in ["+49 30 1234567", "030 1234567", "0049301234567", "+49 (0)30 123-4567"] {
            assert_eq!(E164::parse(input, Country::DE).unwrap().as_str(), "+49301234567", "{input}");
        }
        let at: Country = "at".parse().unwrap();
        assert_eq!(E164::parse("01 5123456", at).unwrap().as_str(), "+4315123456");
    }

    #[test]
    fn non_numbers_are_rejected_with_the_value() {
        for input in ["", "hello", "123", "+49", "0049 30"] {
            let err = E164::parse(input, Country::DE).unwrap_err();
            assert!(err.message().contains(input), "{input}: {}", err.message());
        }
    }
}
