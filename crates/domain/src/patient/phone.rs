//! Patients' phone numbers, normalised to E.164.
//!
//! Reminders are sent by SMS and patients are called back, so a number must reach the patient from
//! anywhere: it is kept in E.164 (`+4791234567`), the one form every SMS gateway takes, and the same number
//! typed as `912 34 567` or `+47 912 34 567` is one number. Numbers are checked against Google's
//! libphonenumber metadata, through the `phonenumber` crate.

use std::fmt;
use std::str::FromStr;

use phonenumber::country::Id;
use phonenumber::metadata::DATABASE;
use phonenumber::{Mode, ParseError};
use serde::{Deserialize, Serialize};

use crate::organization::CountryCode;

/// A phone number that is valid in the numbering plan of its country, in E.164 form.
///
/// Validity is libphonenumber's: the number has a length and prefix in use in its country. It does not
/// mean the number is assigned to anyone. The metadata changes as countries open new ranges, so a number
/// refused today may be accepted after an update of the crate.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneNumberError {
    #[error("A phone number may contain only digits, a leading + and spaces, hyphens, dots or brackets.")]
    Invalid,
    #[error(
        "The organization's country has no numbering plan; write the number with + and its country code."
    )]
    UnknownRegion,
    #[error(
        "The phone number is not valid in its country's numbering plan; it may be mistyped or incomplete."
    )]
    NotValid,
}

impl PhoneNumberError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid => "invalid_phone",
            Self::UnknownRegion => "unknown_region",
            Self::NotValid => "not_a_valid_number",
        }
    }
}

impl PhoneNumber {
    /// Longer input than this is no phone number, and is not handed to the parser.
    pub const MAX_INPUT_CHARS: usize = 40;

    /// Reads a number as a person typed it. A number without a `+` or international prefix is read in the
    /// numbering plan of `region`, the organization's country; one with either is read in its own country's
    /// plan, so a Norwegian clinic can record a Swedish number.
    ///
    /// Only digits, a leading `+` and the separators ` -./()` are accepted. Letters are refused: vanity
    /// numbers are rare on patient forms, and an extension (`ext. 12`) cannot be kept in E.164, so it is
    /// refused rather than silently dropped. Refusing the `tel:` form also keeps input away from the rarely
    /// used parser paths that have had panics (GHSA-whhr-7f2w-qqj2, GHSA-mjw4-jj88-v687).
    pub fn parse(raw: &str, region: &CountryCode) -> Result<Self, PhoneNumberError> {
        let raw = raw.trim();
        if !is_phone_text(raw) {
            return Err(PhoneNumberError::Invalid);
        }
        // The parser panics when given a region it has no metadata for (Antarctica, Bouvet Island, ...),
        // so such a region is not passed: international numbers still parse without one.
        let region = DATABASE
            .by_id(region.as_str())
            .and_then(|_| region.as_str().parse::<Id>().ok());
        let number = phonenumber::parse(region, raw).map_err(|err| match err {
            ParseError::InvalidCountryCode if region.is_none() && !raw.starts_with('+') => {
                PhoneNumberError::UnknownRegion
            }
            ParseError::NoNumber | ParseError::MalformedInteger(_) => PhoneNumberError::Invalid,
            ParseError::InvalidCountryCode
            | ParseError::TooShortAfterIdd
            | ParseError::TooShortNsn
            | ParseError::TooLong => PhoneNumberError::NotValid,
        })?;
        if number.extension().is_some() {
            return Err(PhoneNumberError::Invalid);
        }
        if !phonenumber::is_valid(&number) {
            return Err(PhoneNumberError::NotValid);
        }
        Ok(Self(number.format().mode(Mode::E164).to_string()))
    }

    /// Reads a number already in E.164 form, such as a stored one or one from another system's FHIR
    /// `ContactPoint`. Anything else, even the same number with a space, is refused as `invalid_phone`, so
    /// that stored numbers are always in the one form that compares equal. Validity is checked again.
    pub fn from_e164(s: &str) -> Result<Self, PhoneNumberError> {
        let digits = s.strip_prefix('+').ok_or(PhoneNumberError::Invalid)?;
        if !(2..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PhoneNumberError::Invalid);
        }
        let number = phonenumber::parse(None, s).map_err(|_| PhoneNumberError::NotValid)?;
        if !phonenumber::is_valid(&number) {
            return Err(PhoneNumberError::NotValid);
        }
        let e164 = number.format().mode(Mode::E164).to_string();
        if e164 != s {
            return Err(PhoneNumberError::Invalid);
        }
        Ok(Self(e164))
    }

    /// The number in E.164 form, such as `+4791234567`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `s` is plausibly a phone number as typed: see [`PhoneNumber::parse`].
fn is_phone_text(s: &str) -> bool {
    let digits = s.strip_prefix('+').unwrap_or(s);
    s.chars().count() <= PhoneNumber::MAX_INPUT_CHARS
        && digits.bytes().any(|b| b.is_ascii_digit())
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_whitespace() || matches!(c, '-' | '.' | '/' | '(' | ')'))
}

impl FromStr for PhoneNumber {
    type Err = PhoneNumberError;

    /// The same as [`PhoneNumber::from_e164`]: without a region, only the international form is unambiguous.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_e164(s)
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = PhoneNumberError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::from_e164(&value)
    }
}

impl From<PhoneNumber> for String {
    fn from(value: PhoneNumber) -> Self {
        value.0
    }
}

/// A phone number is personal data: `{:?}` must not carry it into logs.
impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PhoneNumber([redacted])")
    }
}

#[cfg(test)]
mod tests;
