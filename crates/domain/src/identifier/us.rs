//! US Social Security numbers: `AAA-GG-SSSS`, normalised to the nine digits.
//!
//! There is no check digit, so only the ranges the Social Security Administration never issues are
//! refused: area 000, 666 and 900–999 (the 9xx areas are taxpayer numbers and advertising examples, not
//! SSNs), group 00 and serial 0000, and the two numbers the SSA voided after they were printed on sample
//! cards and used by thousands of people. Since 2011 areas are assigned at random, so the area no longer
//! says where or when a number was issued.

use super::check::{digits, number, put_number, text};
use super::synthetic::Seed;
use super::{IdentifierError, IdentifierSystem, Parsed};

const SYSTEM: IdentifierSystem = IdentifierSystem::UsSsn;
const FORMAT: &str = "9 digits, AAA-GG-SSSS (the hyphens are optional)";
/// The number on the Woolworth wallet insert (1938) and one printed on sample cards: voided by the SSA
/// after many people used them as their own.
const VOIDED: [(u32, u32, u32); 2] = [(78, 5, 1120), (219, 9, 9999)];

/// Accepts both hyphens or none, not one of them, so that a number with a digit in the wrong group is not
/// silently read.
pub(super) fn parse(s: &str) -> Result<Parsed, IdentifierError> {
    let b = s.as_bytes();
    let d: [u8; 9] = match b.len() {
        9 => digits(&[b]),
        11 if b[3] == b'-' && b[6] == b'-' => digits(&[&b[..3], &b[4..6], &b[7..]]),
        _ => None,
    }
    .ok_or(IdentifierError::Format {
        system: SYSTEM,
        expected: FORMAT,
    })?;
    let (area, group, serial) = (number(&d[0..3]), number(&d[3..5]), number(&d[5..9]));
    if !is_issuable(area, group, serial) {
        return Err(IdentifierError::ReservedRange { system: SYSTEM });
    }
    Ok(Parsed {
        value: text(&d),
        birth_date: None,
    })
}

fn is_issuable(area: u32, group: u32, serial: u32) -> bool {
    !matches!(area, 0 | 666 | 900..) && group != 0 && serial != 0 && !VOIDED.contains(&(area, group, serial))
}

/// Any issuable number: the SSA keeps no test range that passes these rules.
pub(super) fn synthetic(seed: &mut Seed) -> String {
    // 1–898 mapped onto 1–899 without 666.
    let area = match 1 + seed.below(898) {
        area if area >= 666 => area + 1,
        area => area,
    };
    let group = 1 + seed.below(99);
    let serial = match 1 + seed.below(9999) {
        serial if VOIDED.contains(&(area, group, serial)) => 1,
        serial => serial,
    };
    let mut d = [0; 9];
    put_number(&mut d[0..3], area);
    put_number(&mut d[3..5], group);
    put_number(&mut d[5..9], serial);
    text(&d)
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
    fn ssn_is_normalised_to_nine_digits() {
        for input in ["536-22-1234", "536221234", " 536-22-1234 "] {
            let id = parse(input).unwrap();
            assert_eq!(id.value(), "536221234", "{input:?}");
            assert_eq!(id.birth_date(), None);
        }
    }

    #[test]
    fn ssn_never_issued_ranges_are_refused() {
        for bad in [
            "000-12-3456",
            "666-12-3456",
            "900-12-3456",
            "987-65-4320", // the advertising range
            "999-12-3456",
            "123-00-4567",
            "123-45-0000",
            "078-05-1120", // voided
            "219-09-9999", // voided
        ] {
            assert_eq!(code(bad), "reserved_range", "{bad}");
        }
    }

    #[test]
    fn ssn_range_edges_are_issuable() {
        for ok in [
            "001-01-0001",
            "665-99-9999",
            "667-01-0001",
            "899-99-9999",
            "078-05-1121",
        ] {
            assert!(parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn ssn_refuses_other_shapes() {
        for bad in [
            "",
            "536-221234",
            "536 22 1234",
            "53622123",
            "5362212345",
            "536-22-123a",
            "536--2-1234",
        ] {
            assert_eq!(code(bad), "invalid_format", "{bad:?}");
        }
    }
}
