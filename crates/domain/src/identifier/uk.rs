//! NHS numbers (England, Wales, Isle of Man): ten digits, often printed `943 476 5919`.
//!
//! The tenth digit is a modulus-11 check over the first nine with weights 10 down to 2; a check of 11 is
//! written 0, and a check of 10 is never issued. Issued ranges are not checked: they are allocated by
//! the NHS and change, and the same format and check serve Scotland's CHI numbers, which a clinic may also
//! receive.

use super::check::{digits, mod11_check, put_number, text};
use super::synthetic::Seed;
use super::{IdentifierError, IdentifierSystem, Parsed};

const SYSTEM: IdentifierSystem = IdentifierSystem::UkNhs;
const FORMAT: &str = "10 digits, such as 943 476 5919";
const WEIGHTS: [u32; 9] = [10, 9, 8, 7, 6, 5, 4, 3, 2];
/// NHS England's range for test data, never issued to a patient.
const TEST_PREFIX: [u8; 3] = [9, 9, 9];

/// Spaces are accepted anywhere, as the number is printed in groups; the normalised form is the ten digits.
pub(super) fn parse(s: &str) -> Result<Parsed, IdentifierError> {
    let compact: Vec<u8> = s.bytes().filter(|&b| b != b' ').collect();
    let d: [u8; 10] = digits(&[&compact]).ok_or(IdentifierError::Format {
        system: SYSTEM,
        expected: FORMAT,
    })?;
    if mod11_check(&d[..9], &WEIGHTS) != Some(d[9]) {
        return Err(IdentifierError::CheckDigit { system: SYSTEM });
    }
    Ok(Parsed {
        value: text(&d),
        birth_date: None,
    })
}

/// A number in the test range (see the module [`super::synthetic`]): from a random start, the first six
/// digits after `999` whose check digit exists.
pub(super) fn synthetic(seed: &mut Seed) -> String {
    let start = seed.below(1_000_000);
    (0..1_000_000)
        .find_map(|i| {
            let mut d = [0; 10];
            d[..3].copy_from_slice(&TEST_PREFIX);
            put_number(&mut d[3..9], (start + i) % 1_000_000);
            d[9] = mod11_check(&d[..9], &WEIGHTS)?;
            Some(text(&d))
        })
        .expect("one in eleven numbers lacks a check digit, so one of any two in a row has one")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identifier::NationalIdentifier;

    fn parse(s: &str) -> Result<NationalIdentifier, IdentifierError> {
        NationalIdentifier::parse(SYSTEM, s, jiff::civil::date(2025, 6, 1))
    }

    fn code(s: &str) -> &'static str {
        parse(s).unwrap_err().code()
    }

    #[test]
    fn nhs_number_is_normalised_without_spaces() {
        // The worked example of the NHS number's check digit.
        for input in ["943 476 5919", "9434765919", " 943 4765 919 "] {
            let id = parse(input).unwrap();
            assert_eq!(id.value(), "9434765919", "{input:?}");
            assert_eq!(id.birth_date(), None);
        }
    }

    #[test]
    fn nhs_check_of_eleven_is_written_zero() {
        assert!(parse("9990000000").is_err()); // its check would be 10
        // 999 000 005 has a weighted sum of 253 = 23 · 11.
        assert_eq!(mod11_check(&[9, 9, 9, 0, 0, 0, 0, 0, 5], &WEIGHTS), Some(0));
        assert!(parse("9990000050").is_ok());
    }

    #[test]
    fn nhs_check_of_ten_is_never_valid() {
        // 123 456 789 has a check of 10, so no tenth digit makes it valid.
        for last in 0..=9 {
            assert_eq!(code(&format!("123456789{last}")), "check_digit");
        }
    }

    #[test]
    fn nhs_wrong_check_digit_is_refused() {
        assert_eq!(code("943 476 5918"), "check_digit");
        assert_eq!(code("943 476 9519"), "check_digit");
    }

    #[test]
    fn nhs_number_refuses_other_shapes() {
        for bad in [
            "",
            "943-476-5919",
            "943 476 591",
            "94347659190",
            "943 476 591O",
            "943\u{a0}476 5919",
        ] {
            assert_eq!(code(bad), "invalid_format", "{bad:?}");
        }
    }

    #[test]
    fn nhs_synthetic_numbers_stay_in_the_test_range() {
        for seed in 0..200 {
            let id = crate::identifier::synthetic(SYSTEM, jiff::civil::date(2000, 1, 1), seed);
            let value = id.value();
            assert!(value.starts_with("999"), "{value}");
        }
    }
}
