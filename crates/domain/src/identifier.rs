//! National patient identifiers, validated by the rules of the scheme that issued them.
//!
//! A clinic finds a patient's records, bills the payer and talks to national registries by these numbers,
//! so a mistyped one attaches care to the wrong person. Each scheme's check digits, birth-date encoding and
//! issued ranges are therefore checked when the number is entered, and the number is kept in one
//! normalised form, so that the same person typed two ways (`811218-9876`, `19811218-9876`) is one
//! identifier.
//!
//! The numbers are personal data and often reveal the birth date. `Debug` never shows them, error messages
//! never repeat them, and there is no `Display`: code that shows or stores one asks for
//! [`NationalIdentifier::value`] on purpose.
//!
//! Nothing here reads a clock. Rules that depend on the date (a Swedish number without its century, a
//! birth date that has not happened yet) take `today` from the caller, in the clinic's own time zone.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

mod check;
mod denmark;
mod finland;
mod norway;
mod sweden;
mod synthetic;
#[cfg(test)]
mod tests;
mod uk;
mod us;

pub use synthetic::synthetic;

/// The numbering scheme an identifier belongs to, by the code Praxis stores and the URI FHIR names it by.
///
/// Only numbers issued by the authorities are schemes here. Test and synthetic numbers that some countries
/// hand out for their test environments are not: see each scheme's module for how they are told apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum IdentifierSystem {
    /// Norwegian fødselsnummer, given to everyone registered as living in Norway.
    NoFnr,
    /// Norwegian D-number, for people who are not (yet) registered as living in Norway.
    NoDnr,
    /// Norwegian H-number, given by health services to patients with neither of the above.
    NoHnr,
    /// Swedish personnummer, given to everyone registered in Sweden.
    SePnr,
    /// Swedish samordningsnummer (co-ordination number), for people who are not or were not registered.
    SeSnr,
    /// Danish CPR number.
    DkCpr,
    /// Finnish henkilötunnus (personal identity code).
    FiHetu,
    /// NHS number of England, Wales and the Isle of Man.
    UkNhs,
    /// US Social Security number.
    UsSsn,
}

/// A string that names no identifier system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierSystemError {
    #[error("The identifier system must be one of the supported codes, such as no-fnr or se-pnr.")]
    Unknown,
}

impl IdentifierSystemError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unknown => "unknown_identifier_system",
        }
    }
}

impl IdentifierSystem {
    pub const ALL: [Self; 9] = [
        Self::NoFnr,
        Self::NoDnr,
        Self::NoHnr,
        Self::SePnr,
        Self::SeSnr,
        Self::DkCpr,
        Self::FiHetu,
        Self::UkNhs,
        Self::UsSsn,
    ];

    /// The code stored in the database and sent in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NoFnr => "no-fnr",
            Self::NoDnr => "no-dnr",
            Self::NoHnr => "no-hnr",
            Self::SePnr => "se-pnr",
            Self::SeSnr => "se-snr",
            Self::DkCpr => "dk-cpr",
            Self::FiHetu => "fi-hetu",
            Self::UkNhs => "uk-nhs",
            Self::UsSsn => "us-ssn",
        }
    }

    /// The `Identifier.system` URI that the scheme's own authority (or HL7) publishes for FHIR.
    pub const fn uri(self) -> &'static str {
        match self {
            Self::NoFnr => "urn:oid:2.16.578.1.12.4.1.4.1",
            Self::NoDnr => "urn:oid:2.16.578.1.12.4.1.4.2",
            Self::NoHnr => "urn:oid:2.16.578.1.12.4.1.4.3",
            Self::SePnr => "urn:oid:1.2.752.129.2.1.3.1",
            Self::SeSnr => "urn:oid:1.2.752.129.2.1.3.3",
            Self::DkCpr => "urn:oid:1.2.208.176.1.2",
            Self::FiHetu => "urn:oid:1.2.246.21",
            Self::UkNhs => "https://fhir.nhs.uk/Id/nhs-number",
            Self::UsSsn => "http://hl7.org/fhir/sid/us-ssn",
        }
    }

    /// The scheme a FHIR `Identifier.system` names, for identifiers arriving from other systems.
    pub fn from_uri(uri: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|system| system.uri() == uri)
    }

    /// The scheme's name in English prose, as error messages use it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::NoFnr => "Norwegian fødselsnummer",
            Self::NoDnr => "Norwegian D-number",
            Self::NoHnr => "Norwegian H-number",
            Self::SePnr => "Swedish personnummer",
            Self::SeSnr => "Swedish samordningsnummer",
            Self::DkCpr => "Danish CPR number",
            Self::FiHetu => "Finnish henkilötunnus",
            Self::UkNhs => "UK NHS number",
            Self::UsSsn => "US Social Security number",
        }
    }
}

impl fmt::Display for IdentifierSystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for IdentifierSystem {
    type Err = IdentifierSystemError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|system| system.as_str() == s)
            .ok_or(IdentifierSystemError::Unknown)
    }
}

impl TryFrom<String> for IdentifierSystem {
    type Error = IdentifierSystemError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<IdentifierSystem> for String {
    fn from(system: IdentifierSystem) -> Self {
        system.as_str().to_owned()
    }
}

/// The rule of its scheme that an identifier broke. Each names the scheme, never the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("A {} must be written as {expected}.", .system.name())]
    Format {
        system: IdentifierSystem,
        expected: &'static str,
    },
    #[error("The check digit of the {} does not match its other digits; it may be mistyped.", .system.name())]
    CheckDigit { system: IdentifierSystem },
    #[error("The {} does not contain a valid birth date.", .system.name())]
    InvalidDate { system: IdentifierSystem },
    #[error("The birth date in the {} is in the future.", .system.name())]
    FutureBirthDate { system: IdentifierSystem },
    #[error("The {} is in a number range that is never issued.", .system.name())]
    ReservedRange { system: IdentifierSystem },
    #[error("A stored {} must be in its normalised form.", .system.name())]
    NotNormalised { system: IdentifierSystem },
}

impl IdentifierError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Format { .. } => "invalid_format",
            Self::CheckDigit { .. } => "check_digit",
            Self::InvalidDate { .. } => "invalid_date",
            Self::FutureBirthDate { .. } => "future_birth_date",
            Self::ReservedRange { .. } => "reserved_range",
            Self::NotNormalised { .. } => "not_normalised",
        }
    }

    /// The scheme whose rule failed, so that the error can be reported against the right field.
    pub fn system(&self) -> IdentifierSystem {
        match *self {
            Self::Format { system, .. }
            | Self::CheckDigit { system }
            | Self::InvalidDate { system }
            | Self::FutureBirthDate { system }
            | Self::ReservedRange { system }
            | Self::NotNormalised { system } => system,
        }
    }
}

/// What a scheme's parser found: the normalised number and the birth date it encodes, if any.
#[derive(Debug)]
struct Parsed {
    value: String,
    birth_date: Option<Date>,
}

/// A patient's number in one national scheme, valid by that scheme's rules.
///
/// Equality and hashing go by scheme and normalised number, so two spellings of one number are equal and a
/// Norwegian D-number never equals the fødselsnummer the same person is given later: linking those is a
/// decision for people, not for this type.
///
/// In JSON it is `{"system": "no-fnr", "value": "..."}`. Deserializing accepts only the normalised form that
/// serializing writes (see [`NationalIdentifier::from_normalised`]); numbers as people type them go
/// through [`NationalIdentifier::parse`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct NationalIdentifier {
    system: IdentifierSystem,
    value: String,
    /// Derived from `value`; kept so that reading it needs no second parse.
    birth_date: Option<Date>,
}

impl NationalIdentifier {
    /// Validates a number as a person typed it: surrounding whitespace and the separators the scheme allows
    /// are accepted, then the number is normalised.
    ///
    /// `today` is the clinic's current date. It decides the century of a Swedish number written without
    /// one, and refuses a number whose birth date is after it: such a number has not been issued yet, so
    /// it is a typo the check digit did not catch.
    pub fn parse(system: IdentifierSystem, raw: &str, today: Date) -> Result<Self, IdentifierError> {
        Self::parse_as_of(system, raw.trim(), Some(today))
    }

    /// Rebuilds an identifier from its stored, normalised form, such as a database row.
    ///
    /// Every scheme rule is checked again except the future birth date: the number was checked against the
    /// date it was entered on, and dates only move forward. Any other spelling is refused, so that a
    /// stored value is always the one form that compares equal.
    pub fn from_normalised(system: IdentifierSystem, value: &str) -> Result<Self, IdentifierError> {
        let identifier = Self::parse_as_of(system, value, None)?;
        if identifier.value != value {
            return Err(IdentifierError::NotNormalised { system });
        }
        Ok(identifier)
    }

    /// Without `today`, nothing is inferred from the date and no birth date counts as in the future.
    fn parse_as_of(system: IdentifierSystem, s: &str, today: Option<Date>) -> Result<Self, IdentifierError> {
        let parsed = match system {
            IdentifierSystem::NoFnr | IdentifierSystem::NoDnr | IdentifierSystem::NoHnr => {
                norway::parse(system, s)
            }
            IdentifierSystem::SePnr | IdentifierSystem::SeSnr => sweden::parse(system, s, today),
            IdentifierSystem::DkCpr => denmark::parse(s),
            IdentifierSystem::FiHetu => finland::parse(s),
            IdentifierSystem::UkNhs => uk::parse(s),
            IdentifierSystem::UsSsn => us::parse(s),
        }?;
        if let (Some(born), Some(today)) = (parsed.birth_date, today)
            && born > today
        {
            return Err(IdentifierError::FutureBirthDate { system });
        }
        Ok(Self {
            system,
            value: parsed.value,
            birth_date: parsed.birth_date,
        })
    }

    pub fn system(&self) -> IdentifierSystem {
        self.system
    }

    /// The normalised number: what is stored, compared and sent as FHIR `Identifier.value`.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The birth date the number encodes, for the schemes that encode one (not NHS or Social Security
    /// numbers).
    ///
    /// It is the date the authority put in the number, which is nearly always, but not always, the true
    /// birth date: Sweden may use a neighbouring date when a day's numbers run out, and numbers for people
    /// whose birth date was unknown carry an estimate.
    pub fn birth_date(&self) -> Option<Date> {
        self.birth_date
    }
}

/// Shows the scheme only: the number is personal data and must not reach logs through `{:?}`.
impl fmt::Debug for NationalIdentifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NationalIdentifier")
            .field("system", &self.system)
            .field("value", &format_args!("[redacted]"))
            .finish()
    }
}

/// The JSON shape, written out once so serializing and deserializing cannot drift apart.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored<V> {
    system: IdentifierSystem,
    value: V,
}

impl Serialize for NationalIdentifier {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Stored {
            system: self.system,
            value: self.value.as_str(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for NationalIdentifier {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let stored = Stored::<String>::deserialize(deserializer)?;
        Self::from_normalised(stored.system, &stored.value).map_err(serde::de::Error::custom)
    }
}
