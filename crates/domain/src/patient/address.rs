//! Postal addresses, for letters to patients and animal owners.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{TextRule, clean_text};
use crate::organization::CountryCode;

/// An address a letter can be sent to: 1 to 4 street lines, an optional postal code, a city and a country.
///
/// Each part is trimmed, put in Unicode NFC and free of control characters, so that it prints as entered on
/// an envelope. The postal code is optional because some countries have none (Hong Kong, much of Africa);
/// its format is not checked per country. The lines are as many as the address needs (`c/o` lines, a
/// building, a street): blank lines are refused rather than kept, since they only print as gaps.
///
/// In JSON: `{"lines": ["Storgata 1"], "postal_code": "0155", "city": "Oslo", "country": "NO"}`, with
/// `postal_code` `null` when there is none. An address is personal data, so `Debug` shows only the country.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Stored", into = "Stored")]
pub struct PostalAddress {
    lines: Vec<String>,
    postal_code: Option<String>,
    city: String,
    country: CountryCode,
}

/// The rule an address broke. Line numbers count from 1, as a form shows them; the text is never repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PostalAddressError {
    #[error("An address must have 1 to 4 lines.")]
    LineCount,
    #[error("Address line {line} must not be empty.")]
    LineEmpty { line: usize },
    #[error("Address line {line} must be at most 200 characters long.")]
    LineTooLong { line: usize },
    #[error("Address line {line} must not contain control characters.")]
    LineControlCharacter { line: usize },
    #[error("A postal code must be at most 20 characters long.")]
    PostalCodeTooLong,
    #[error("A postal code must not contain control characters.")]
    PostalCodeControlCharacter,
    #[error("An address must have a city.")]
    CityEmpty,
    #[error("A city must be at most 100 characters long.")]
    CityTooLong,
    #[error("A city must not contain control characters.")]
    CityControlCharacter,
}

impl PostalAddressError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::LineCount => "address_line_count",
            Self::LineEmpty { .. } => "address_line_empty",
            Self::LineTooLong { .. } => "address_line_too_long",
            Self::LineControlCharacter { .. } => "address_line_control_character",
            Self::PostalCodeTooLong => "address_postal_code_too_long",
            Self::PostalCodeControlCharacter => "address_postal_code_control_character",
            Self::CityEmpty => "address_city_empty",
            Self::CityTooLong => "address_city_too_long",
            Self::CityControlCharacter => "address_city_control_character",
        }
    }

    /// The field the error belongs to, for reporting it next to the right input: `lines`, `postal_code` or
    /// `city`.
    pub fn field(&self) -> &'static str {
        match self {
            Self::LineCount
            | Self::LineEmpty { .. }
            | Self::LineTooLong { .. }
            | Self::LineControlCharacter { .. } => "lines",
            Self::PostalCodeTooLong | Self::PostalCodeControlCharacter => "postal_code",
            Self::CityEmpty | Self::CityTooLong | Self::CityControlCharacter => "city",
        }
    }
}

impl PostalAddress {
    pub const MAX_LINES: usize = 4;
    pub const MAX_LINE_CHARS: usize = 200;
    pub const MAX_POSTAL_CODE_CHARS: usize = 20;
    pub const MAX_CITY_CHARS: usize = 100;

    /// Checks and normalises every part. A blank `postal_code` means there is none.
    pub fn new<L: AsRef<str>>(
        lines: &[L],
        postal_code: &str,
        city: &str,
        country: CountryCode,
    ) -> Result<Self, PostalAddressError> {
        if !(1..=Self::MAX_LINES).contains(&lines.len()) {
            return Err(PostalAddressError::LineCount);
        }
        let lines = lines
            .iter()
            .enumerate()
            .map(|(i, line)| {
                let line_number = i + 1;
                clean_text(line.as_ref(), Self::MAX_LINE_CHARS).map_err(|rule| match rule {
                    TextRule::Empty => PostalAddressError::LineEmpty { line: line_number },
                    TextRule::TooLong => PostalAddressError::LineTooLong { line: line_number },
                    TextRule::ControlCharacter => {
                        PostalAddressError::LineControlCharacter { line: line_number }
                    }
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let postal_code = match clean_text(postal_code, Self::MAX_POSTAL_CODE_CHARS) {
            Ok(code) => Some(code),
            Err(TextRule::Empty) => None,
            Err(TextRule::TooLong) => return Err(PostalAddressError::PostalCodeTooLong),
            Err(TextRule::ControlCharacter) => return Err(PostalAddressError::PostalCodeControlCharacter),
        };
        let city = clean_text(city, Self::MAX_CITY_CHARS).map_err(|rule| match rule {
            TextRule::Empty => PostalAddressError::CityEmpty,
            TextRule::TooLong => PostalAddressError::CityTooLong,
            TextRule::ControlCharacter => PostalAddressError::CityControlCharacter,
        })?;
        Ok(Self {
            lines,
            postal_code,
            city,
            country,
        })
    }

    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    pub fn postal_code(&self) -> Option<&str> {
        self.postal_code.as_deref()
    }

    pub fn city(&self) -> &str {
        &self.city
    }

    pub fn country(&self) -> CountryCode {
        self.country
    }
}

impl fmt::Debug for PostalAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostalAddress")
            .field("country", &self.country)
            .finish_non_exhaustive()
    }
}

/// The JSON shape, written out once so serializing and deserializing cannot drift apart.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    lines: Vec<String>,
    #[serde(default)]
    postal_code: Option<String>,
    city: String,
    country: CountryCode,
}

impl TryFrom<Stored> for PostalAddress {
    type Error = PostalAddressError;

    fn try_from(stored: Stored) -> Result<Self, Self::Error> {
        let postal_code = stored.postal_code.unwrap_or_default();
        Self::new(&stored.lines, &postal_code, &stored.city, stored.country)
    }
}

impl From<PostalAddress> for Stored {
    fn from(address: PostalAddress) -> Self {
        Self {
            lines: address.lines,
            postal_code: address.postal_code,
            city: address.city,
            country: address.country,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn norway() -> CountryCode {
        "NO".parse().unwrap()
    }

    fn code(lines: &[&str], postal_code: &str, city: &str) -> &'static str {
        PostalAddress::new(lines, postal_code, city, norway())
            .unwrap_err()
            .code()
    }

    #[test]
    fn address_parts_are_trimmed() {
        let address =
            PostalAddress::new(&["  c/o Hansen ", "Storgata 1\t"], " 0155 ", " Oslo ", norway()).unwrap();
        assert_eq!(address.lines(), ["c/o Hansen", "Storgata 1"]);
        assert_eq!(address.postal_code(), Some("0155"));
        assert_eq!(address.city(), "Oslo");
        assert_eq!(address.country(), norway());
    }

    #[test]
    fn address_blank_postal_code_means_none() {
        let address =
            PostalAddress::new(&["1 Queen's Road"], "  ", "Hong Kong", "HK".parse().unwrap()).unwrap();
        assert_eq!(address.postal_code(), None);
    }

    #[test]
    fn address_must_have_1_to_4_lines() {
        assert_eq!(code(&[], "0155", "Oslo"), "address_line_count");
        assert_eq!(
            code(&["a", "b", "c", "d", "e"], "0155", "Oslo"),
            "address_line_count"
        );
        assert!(PostalAddress::new(&["a", "b", "c", "d"], "0155", "Oslo", norway()).is_ok());
    }

    #[test]
    fn address_line_rules_name_the_line() {
        let long = "x".repeat(201);
        let err = PostalAddress::new(&["Storgata 1", &long], "0155", "Oslo", norway()).unwrap_err();
        assert_eq!(err, PostalAddressError::LineTooLong { line: 2 });
        assert_eq!(
            err.to_string(),
            "Address line 2 must be at most 200 characters long."
        );
        assert_eq!(err.field(), "lines");
        assert_eq!(code(&[" "], "0155", "Oslo"), "address_line_empty");
        assert_eq!(
            code(&["Stor\ngata 1"], "0155", "Oslo"),
            "address_line_control_character"
        );
        assert!(PostalAddress::new(&["x".repeat(200)], "0155", "Oslo", norway()).is_ok());
    }

    #[test]
    fn address_postal_code_and_city_limits() {
        assert_eq!(
            code(&["a"], &"1".repeat(21), "Oslo"),
            "address_postal_code_too_long"
        );
        assert_eq!(
            code(&["a"], "01\u{0}55", "Oslo"),
            "address_postal_code_control_character"
        );
        assert_eq!(code(&["a"], "0155", ""), "address_city_empty");
        assert_eq!(code(&["a"], "0155", &"Å".repeat(101)), "address_city_too_long");
        assert_eq!(
            code(&["a"], "0155", "Os\u{202E}lo"),
            "address_city_control_character"
        );
        assert!(PostalAddress::new(&["a"], &"1".repeat(20), &"Å".repeat(100), norway()).is_ok());
    }

    #[test]
    fn address_debug_shows_only_the_country() {
        let address = PostalAddress::new(&["Storgata 1"], "0155", "Oslo", norway()).unwrap();
        assert_eq!(
            format!("{address:?}"),
            r#"PostalAddress { country: CountryCode("NO"), .. }"#
        );
    }

    #[test]
    fn address_serde_round_trips_and_refuses_invalid() {
        let address = PostalAddress::new(&["Storgata 1"], "0155", "Oslo", norway()).unwrap();
        let json = serde_json::to_string(&address).unwrap();
        assert_eq!(
            json,
            r#"{"lines":["Storgata 1"],"postal_code":"0155","city":"Oslo","country":"NO"}"#
        );
        assert_eq!(serde_json::from_str::<PostalAddress>(&json).unwrap(), address);
        let no_code = r#"{"lines":["1 Queen's Road"],"city":"Hong Kong","country":"HK"}"#;
        assert_eq!(
            serde_json::from_str::<PostalAddress>(no_code)
                .unwrap()
                .postal_code(),
            None
        );
        let secret = r#"{"lines":["Secret\u0000"],"city":"Oslo","country":"NO"}"#;
        let err = serde_json::from_str::<PostalAddress>(secret).unwrap_err();
        assert!(!err.to_string().contains("Secret"));
        let extra = r#"{"lines":["a"],"city":"Oslo","country":"NO","name":"x"}"#;
        assert!(serde_json::from_str::<PostalAddress>(extra).is_err());
    }

    proptest! {
        #[test]
        fn address_new_is_idempotent(
            lines in proptest::collection::vec("\\PC{0,30}", 0..6),
            postal_code in "\\PC{0,25}",
            city in "\\PC{0,30}",
        ) {
            if let Ok(address) = PostalAddress::new(&lines, &postal_code, &city, norway()) {
                let again = PostalAddress::new(
                    address.lines(),
                    address.postal_code().unwrap_or_default(),
                    address.city(),
                    address.country(),
                ).unwrap();
                prop_assert_eq!(again, address);
            }
        }
    }
}
