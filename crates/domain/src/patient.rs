//! The value types a patient record is made of, for people and for animals.
//!
//! A clinic finds a patient by name, phones them, writes to them and, for an animal, scans its chip, so
//! each of these values is checked when it is entered and kept in one normalised form: the same name typed
//! with a composed or a decomposed `ü` is one name, and the same phone number typed nationally or
//! internationally is one number.
//!
//! Nearly everything here is personal data. `Debug` never shows it, error messages never repeat the input,
//! and the types that hold it have no `Display`: code that shows or stores a value asks for it on purpose
//! (`as_str`, `date`, ...). The coded values ([`PatientKind`], [`AdministrativeSex`], ...) keep their
//! derived `Debug`, since a code alone identifies no one; the records that hold them redact them.
//!
//! Nothing here reads a clock. Rules that depend on the date take `today` from the caller, in the clinic's
//! own time zone.

mod address;
mod birth_date;
mod contact_role;
mod kind;
mod microchip;
mod name;
mod phone;
mod search;
mod status;

pub use address::{PostalAddress, PostalAddressError};
pub use birth_date::{BirthDate, BirthDateError};
pub use contact_role::{ContactRole, ContactRoleError, ContactRoleMismatch};
pub use kind::{
    AdministrativeSex, AdministrativeSexError, AnimalSex, NeuterStatus, NeuterStatusError, PatientKind,
    PatientKindError, Sex, SexError,
};
pub use microchip::{Microchip, MicrochipError};
pub use name::{FamilyName, FamilyNameError, GivenName, GivenNameError};
pub use phone::{PhoneNumber, PhoneNumberError};
pub use search::search_key;
pub use status::{PatientStatus, PatientStatusError, PatientStatusKind, PatientStatusKindError};

/// Why a piece of free text was refused; each type turns it into its own error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextRule {
    Empty,
    TooLong,
    ControlCharacter,
}

/// Trims `s`, puts it in Unicode NFC and checks it is 1 to `max_chars` characters of printable text.
///
/// NFC makes a name typed with a decomposed `u` + `¨` equal to one typed with `ü`, so that both sort,
/// compare and count alike; characters are counted after it, as the user sees them.
pub(crate) fn clean_text(s: &str, max_chars: usize) -> Result<String, TextRule> {
    use unicode_normalization::UnicodeNormalization;

    let text: String = s.trim().nfc().collect();
    if text.is_empty() {
        return Err(TextRule::Empty);
    }
    if text.chars().count() > max_chars {
        return Err(TextRule::TooLong);
    }
    if text.chars().any(is_forbidden_in_text) {
        return Err(TextRule::ControlCharacter);
    }
    Ok(text)
}

/// Besides C0/C1 controls, refuses line and paragraph separators and the bidirectional overrides, which
/// can make a name or address render as a different one on letters and in the user interface.
fn is_forbidden_in_text(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' // line and paragraph separators
                | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' // bidi controls
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_composed() {
        assert_eq!(clean_text("  Mu\u{308}ller \n", 100).unwrap(), "Müller");
    }

    #[test]
    fn text_length_counts_composed_characters() {
        let decomposed = "u\u{308}".repeat(100);
        assert_eq!(clean_text(&decomposed, 100).unwrap().chars().count(), 100);
        assert_eq!(clean_text(&"ü".repeat(101), 100), Err(TextRule::TooLong));
    }

    #[test]
    fn text_refuses_blank_and_control_characters() {
        assert_eq!(clean_text(" \t ", 10), Err(TextRule::Empty));
        for bad in ["a\nb", "a\u{0}", "a\u{202E}b", "a\u{2028}b", "a\u{85}b"] {
            assert_eq!(clean_text(bad, 10), Err(TextRule::ControlCharacter), "{bad:?}");
        }
    }
}
