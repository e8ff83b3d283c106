//! The parts of a patient's name.
//!
//! Given and family names are separate types, so that one cannot be passed where the other belongs: a
//! swapped name is a common way to create a duplicate patient. Both follow the same rules. They are kept as
//! typed, apart from surrounding whitespace and Unicode composition (see `clean_text`), because a name is
//! spelled the way its owner spells it; the folded [`search_key`](super::search_key) is for finding it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{TextRule, clean_text, search_key};

/// Defines one name part: its type, its error, and the conversions serde shares with `parse`.
macro_rules! name_part {
    ($(#[$doc:meta])* $name:ident, $error:ident, $what:literal, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        #[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
        pub enum $error {
            #[error("A {} must not be empty.", $what)]
            Empty,
            #[error("A {} must be at most 100 characters long.", $what)]
            TooLong,
            #[error("A {} must not contain control characters.", $what)]
            ControlCharacter,
        }

        impl $error {
            pub fn code(&self) -> &'static str {
                match self {
                    Self::Empty => concat!($prefix, "_empty"),
                    Self::TooLong => concat!($prefix, "_too_long"),
                    Self::ControlCharacter => concat!($prefix, "_control_character"),
                }
            }
        }

        impl $name {
            pub const MAX_CHARS: usize = 100;

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The folded form that search compares; see [`search_key`].
            pub fn search_key(&self) -> String {
                search_key(&self.0)
            }
        }

        impl FromStr for $name {
            type Err = $error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                clean_text(s, Self::MAX_CHARS).map(Self).map_err(|rule| match rule {
                    TextRule::Empty => $error::Empty,
                    TextRule::TooLong => $error::TooLong,
                    TextRule::ControlCharacter => $error::ControlCharacter,
                })
            }
        }

        impl TryFrom<String> for $name {
            type Error = $error;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                value.parse()
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        /// A name is personal data: `{:?}` must not carry it into logs.
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }
    };
}

name_part!(
    /// A patient's given name or names, in one string as the patient writes them (`Kari Anne`), 1 to 100
    /// characters. An animal's call name is its given name.
    GivenName, GivenNameError, "given name", "given_name"
);

name_part!(
    /// A patient's family name or names (`Nordmann`, `García Márquez`), 1 to 100 characters. For an animal,
    /// clinics commonly record the owner's family name here, so that `Fido Hansen` can be told apart.
    FamilyName, FamilyNameError, "family name", "family_name"
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn name_is_trimmed_and_kept_as_typed() {
        let given: GivenName = "  Kari Anne \n".parse().unwrap();
        assert_eq!(given.as_str(), "Kari Anne");
        let family: FamilyName = "O'Brien-García".parse().unwrap();
        assert_eq!(family.as_str(), "O'Brien-García");
    }

    #[test]
    fn name_typed_with_combining_accents_equals_the_composed_one() {
        let decomposed: FamilyName = "Mu\u{308}ller".parse().unwrap();
        let composed: FamilyName = "Müller".parse().unwrap();
        assert_eq!(decomposed, composed);
        assert_eq!(decomposed.as_str(), "Müller");
    }

    #[test]
    fn name_length_is_1_to_100_characters() {
        assert!("Ø".repeat(100).parse::<GivenName>().is_ok());
        assert_eq!(
            "Ø".repeat(101).parse::<GivenName>().unwrap_err().code(),
            "given_name_too_long"
        );
        assert_eq!(
            "  ".parse::<FamilyName>().unwrap_err().code(),
            "family_name_empty"
        );
        assert_eq!("".parse::<GivenName>().unwrap_err().code(), "given_name_empty");
    }

    #[test]
    fn name_refuses_control_characters() {
        for bad in ["Kari\nAnne", "Kari\u{0}", "Kari\u{202E}", "Ka\tri"] {
            let err = bad.parse::<FamilyName>().unwrap_err();
            assert_eq!(err.code(), "family_name_control_character", "{bad:?}");
        }
    }

    #[test]
    fn name_errors_say_which_part_and_do_not_echo_the_input() {
        let err = "Secret\u{0}".parse::<GivenName>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "A given name must not contain control characters."
        );
        let err = "Secret\u{0}".parse::<FamilyName>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "A family name must not contain control characters."
        );
    }

    #[test]
    fn name_debug_is_redacted() {
        let name: GivenName = "Kari".parse().unwrap();
        assert_eq!(format!("{name:?}"), "GivenName([redacted])");
        let name: FamilyName = "Nordmann".parse().unwrap();
        assert_eq!(format!("{name:?}"), "FamilyName([redacted])");
    }

    #[test]
    fn name_search_key_is_folded() {
        let name: FamilyName = "Østby".parse().unwrap();
        assert_eq!(name.search_key(), "ostby");
    }

    #[test]
    fn name_serde_round_trips_and_refuses_invalid() {
        let name: FamilyName = "Nordmann".parse().unwrap();
        let json = serde_json::to_string(&name).unwrap();
        assert_eq!(json, r#""Nordmann""#);
        assert_eq!(serde_json::from_str::<FamilyName>(&json).unwrap(), name);
        assert!(serde_json::from_str::<FamilyName>(r#""  ""#).is_err());
        let err = serde_json::from_str::<GivenName>("\"Secret\\u0000\"").unwrap_err();
        assert!(!err.to_string().contains("Secret"));
    }

    proptest! {
        #[test]
        fn name_parsing_is_idempotent(s in "\\PC{0,120}") {
            if let Ok(name) = s.parse::<GivenName>() {
                prop_assert_eq!(name.as_str().parse::<GivenName>().unwrap(), name.clone());
                prop_assert_eq!(name.as_str(), name.as_str().trim());
                prop_assert!((1..=100).contains(&name.as_str().chars().count()));
            }
        }
    }
}
