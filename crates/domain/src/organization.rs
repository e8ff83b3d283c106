//! An organization's settings as values that can only be valid.
//!
//! An organization is set up once and then read on every request (its slug at login, its time zone for every
//! appointment, its currency for every invoice), so a bad setting must be refused when it is entered, not
//! discovered later. Error messages never repeat the input: what an admin typed may be anything.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Implements the conversions every value here shares, so that `parse`, serde and `Display` always agree.
macro_rules! string_value {
    ($ty:ident, $err:ty) => {
        impl TryFrom<String> for $ty {
            type Error = $err;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                value.parse()
            }
        }

        impl From<$ty> for String {
            fn from(value: $ty) -> Self {
                value.as_str().to_owned()
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }
    };
}

mod country;
mod currency;
mod locale;
mod time_zone;

pub use country::{CountryCode, CountryCodeError};
pub use currency::{CurrencyCode, CurrencyCodeError};
pub use locale::{Locale, LocaleError};
pub use time_zone::{TimeZoneName, TimeZoneNameError};

/// The short name of an organization, typed at login and shown in URLs.
///
/// Kept to a form that is the same in every case-folding, URL-encoding and DNS context, so that it can never
/// be confused with a near-identical one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("A slug may contain only lowercase letters a-z, digits and hyphens.")]
    InvalidCharacter,
    #[error("A slug must be 2 to 63 characters long.")]
    Length,
    #[error("A slug must start with a letter.")]
    LeadingNonLetter,
    #[error("A slug must not contain two hyphens in a row.")]
    DoubleHyphen,
    #[error("A slug must not end with a hyphen.")]
    TrailingHyphen,
}

impl SlugError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidCharacter => "slug_invalid_character",
            Self::Length => "slug_length",
            Self::LeadingNonLetter => "slug_leading_non_letter",
            Self::DoubleHyphen => "slug_double_hyphen",
            Self::TrailingHyphen => "slug_trailing_hyphen",
        }
    }
}

impl Slug {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Slug {
    type Err = SlugError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if !s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(SlugError::InvalidCharacter);
        }
        if !(2..=63).contains(&s.len()) {
            return Err(SlugError::Length);
        }
        if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err(SlugError::LeadingNonLetter);
        }
        if s.contains("--") {
            return Err(SlugError::DoubleHyphen);
        }
        if s.ends_with('-') {
            return Err(SlugError::TrailingHyphen);
        }
        Ok(Self(s.to_owned()))
    }
}

string_value!(Slug, SlugError);

/// The name of an organization as shown to its users and printed on its documents.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OrganizationName(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OrganizationNameError {
    #[error("An organization name must not be empty.")]
    Empty,
    #[error("An organization name must be at most 200 characters long.")]
    TooLong,
    #[error("An organization name must not contain control characters.")]
    ControlCharacter,
}

impl OrganizationNameError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "organization_name_empty",
            Self::TooLong => "organization_name_too_long",
            Self::ControlCharacter => "organization_name_control_character",
        }
    }
}

impl OrganizationName {
    pub const MAX_CHARS: usize = 200;

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Besides C0/C1 controls, refuses line and paragraph separators and the bidirectional overrides, which
/// can make a name render as a different one on invoices and in the user interface.
fn is_forbidden_in_name(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

impl FromStr for OrganizationName {
    type Err = OrganizationNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim();
        if name.is_empty() {
            return Err(OrganizationNameError::Empty);
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(OrganizationNameError::TooLong);
        }
        if name.chars().any(is_forbidden_in_name) {
            return Err(OrganizationNameError::ControlCharacter);
        }
        Ok(Self(name.to_owned()))
    }
}

string_value!(OrganizationName, OrganizationNameError);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn slug_accepts_letters_digits_and_single_inner_hyphens() {
        for ok in ["ab", "oslo-legesenter", "clinic2", "a1-b2-c3", &"a".repeat(63)] {
            assert_eq!(ok.parse::<Slug>().unwrap().as_str(), ok);
        }
    }

    #[test]
    fn slug_refuses_each_broken_rule_with_its_code() {
        let cases = [
            ("", "slug_length"),
            ("a", "slug_length"),
            (&"a".repeat(64), "slug_length"),
            ("Oslo", "slug_invalid_character"),
            ("os lo", "slug_invalid_character"),
            ("bæ", "slug_invalid_character"),
            ("os_lo", "slug_invalid_character"),
            ("1clinic", "slug_leading_non_letter"),
            ("-clinic", "slug_leading_non_letter"),
            ("oslo--sentrum", "slug_double_hyphen"),
            ("oslo-", "slug_trailing_hyphen"),
        ];
        for (input, code) in cases {
            assert_eq!(input.parse::<Slug>().unwrap_err().code(), code, "{input:?}");
        }
    }

    #[test]
    fn slug_serde_round_trips_and_refuses_invalid() {
        let slug: Slug = "oslo-legesenter".parse().unwrap();
        let json = serde_json::to_string(&slug).unwrap();
        assert_eq!(json, r#""oslo-legesenter""#);
        assert_eq!(serde_json::from_str::<Slug>(&json).unwrap(), slug);
        assert!(serde_json::from_str::<Slug>(r#""Oslo""#).is_err());
    }

    #[test]
    fn organization_name_is_trimmed() {
        let name: OrganizationName = "  Oslo Legesenter AS \n".parse().unwrap();
        assert_eq!(name.as_str(), "Oslo Legesenter AS");
    }

    #[test]
    fn organization_name_counts_characters_not_bytes() {
        assert!("Ø".repeat(200).parse::<OrganizationName>().is_ok());
        let too_long = "Ø".repeat(201).parse::<OrganizationName>();
        assert_eq!(too_long.unwrap_err().code(), "organization_name_too_long");
    }

    #[test]
    fn organization_name_refuses_empty_and_control_characters() {
        assert_eq!(
            "   ".parse::<OrganizationName>().unwrap_err().code(),
            "organization_name_empty"
        );
        for bad in ["Oslo\nLege", "Oslo\u{0}", "Oslo\u{202E}SA", "Oslo\u{2028}Lege"] {
            let err = bad.parse::<OrganizationName>().unwrap_err();
            assert_eq!(err.code(), "organization_name_control_character");
        }
    }

    #[test]
    fn organization_name_serde_round_trips_and_refuses_invalid() {
        let name: OrganizationName = "Bergen Fysio".parse().unwrap();
        let json = serde_json::to_string(&name).unwrap();
        assert_eq!(serde_json::from_str::<OrganizationName>(&json).unwrap(), name);
        assert!(serde_json::from_str::<OrganizationName>(r#""""#).is_err());
    }

    #[test]
    fn errors_do_not_echo_the_input() {
        let secret = "Secret\u{0}Name";
        let err = secret.parse::<OrganizationName>().unwrap_err();
        assert!(!err.to_string().contains("Secret"));
    }

    proptest! {
        #[test]
        fn slug_accepts_every_well_formed_slug(s in "[a-z]([a-z0-9]|-[a-z0-9]){1,30}") {
            let slug: Slug = s.parse().unwrap();
            prop_assert_eq!(slug.as_str(), s.as_str());
        }

        #[test]
        fn slug_holds_its_rules_for_any_input(s in "\\PC{0,70}") {
            if let Ok(slug) = s.parse::<Slug>() {
                let s = slug.as_str();
                prop_assert!((2..=63).contains(&s.len()));
                prop_assert!(s.starts_with(|c: char| c.is_ascii_lowercase()));
                prop_assert!(!s.contains("--") && !s.ends_with('-'));
            }
        }

        #[test]
        fn organization_name_parsing_is_idempotent(s in "\\PC{0,220}") {
            if let Ok(name) = s.parse::<OrganizationName>() {
                prop_assert_eq!(name.as_str().parse::<OrganizationName>().unwrap(), name.clone());
                prop_assert_eq!(name.as_str(), name.as_str().trim());
            }
        }
    }
}
