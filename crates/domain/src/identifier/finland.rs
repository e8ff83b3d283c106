//! Finnish henkilötunnus: `DDMMYYCZZZQ`.
//!
//! The birth date, a century sign, a three-digit individual number and a check character: the nine digits
//! `DDMMYYZZZ` as one number modulo 31, indexed into an alphabet without the letters that are easy to
//! confuse (G, I, O, Q, Z). Since 2023 the 1900s may also be signed Y, X, W, V or U and the 2000s B to F,
//! because some birth dates ran out of numbers; a number with a new sign is a different number from the
//! one with `-` or `A`, so signs are kept as given, not folded together.
//!
//! Individual numbers 002–899 are ordinary; 900–999 are temporary numbers given, for example, by hospitals
//! to patients whose identity is not yet established. Those are real numbers a clinic must record, so they
//! are accepted; 000 and 001 are never issued.

use jiff::civil::Date;

use super::check::{date, date_parts, digits, number, put_number, text};
use super::synthetic::Seed;
use super::{IdentifierError, IdentifierSystem, Parsed};

const SYSTEM: IdentifierSystem = IdentifierSystem::FiHetu;
const FORMAT: &str = "DDMMYYCZZZQ, with a century sign such as - or A";
const CHECK_CHARACTERS: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";
const SIGNS_1900S: &[u8] = b"-YXWVU";
const SIGNS_2000S: &[u8] = b"ABCDEF";

/// Letters are accepted in either case and normalised to uppercase, as the number is printed.
pub(super) fn parse(s: &str) -> Result<Parsed, IdentifierError> {
    let format = IdentifierError::Format {
        system: SYSTEM,
        expected: FORMAT,
    };
    let upper = s.to_ascii_uppercase();
    let b = upper.as_bytes();
    if b.len() != 11 {
        return Err(format);
    }
    let (birth, individual): ([u8; 6], [u8; 3]) = (
        digits(&[&b[..6]]).ok_or(format)?,
        digits(&[&b[7..10]]).ok_or(format)?,
    );
    let century = match b[6] {
        b'+' => 1800,
        sign if SIGNS_1900S.contains(&sign) => 1900,
        sign if SIGNS_2000S.contains(&sign) => 2000,
        _ => return Err(format),
    };
    if !CHECK_CHARACTERS.contains(&b[10]) {
        return Err(format);
    }
    if check_character(&birth, &individual) != b[10] {
        return Err(IdentifierError::CheckDigit { system: SYSTEM });
    }
    if number(&individual) < 2 {
        return Err(IdentifierError::ReservedRange { system: SYSTEM });
    }
    let born = date(
        century + number(&birth[4..6]) as i32,
        number(&birth[2..4]),
        number(&birth[0..2]),
    )
    .ok_or(IdentifierError::InvalidDate { system: SYSTEM })?;
    Ok(Parsed {
        value: upper,
        birth_date: Some(born),
    })
}

fn check_character(birth: &[u8; 6], individual: &[u8; 3]) -> u8 {
    // At most 999 999 999, which fits in a u32.
    let n = number(birth) * 1000 + number(individual);
    CHECK_CHARACTERS[(n % 31) as usize]
}

/// An ordinary (not temporary) individual number, and any century sign the birth year allows.
pub(super) fn synthetic(birth_date: Date, seed: &mut Seed) -> String {
    let born = birth_date.clamp(jiff::civil::date(1800, 1, 1), jiff::civil::date(2099, 12, 31));
    let (year, month, day) = date_parts(born);
    let sign = match born.year() {
        ..=1899 => b'+',
        1900..=1999 => seed.pick(SIGNS_1900S),
        _ => seed.pick(SIGNS_2000S),
    };
    let (mut birth, mut individual) = ([0; 6], [0; 3]);
    put_number(&mut birth[0..2], day);
    put_number(&mut birth[2..4], month);
    put_number(&mut birth[4..6], year);
    put_number(&mut individual, 2 + seed.below(898));
    let check = char::from(check_character(&birth, &individual));
    format!("{}{}{}{check}", text(&birth), char::from(sign), text(&individual))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identifier::NationalIdentifier;

    fn parse(s: &str) -> Result<NationalIdentifier, IdentifierError> {
        NationalIdentifier::parse(SYSTEM, s, jiff::civil::date(2025, 6, 1))
    }

    fn born(s: &str) -> Date {
        parse(s).unwrap().birth_date().unwrap()
    }

    fn code(s: &str) -> &'static str {
        parse(s).unwrap_err().code()
    }

    #[test]
    fn finnish_published_examples_are_valid() {
        // DVV's examples, the second and third with the century signs introduced in 2023.
        assert_eq!(born("131052-308T"), jiff::civil::date(1952, 10, 13));
        assert_eq!(born("010594Y9021"), jiff::civil::date(1994, 5, 1));
        assert_eq!(born("020594X903P"), jiff::civil::date(1994, 5, 2));
    }

    #[test]
    fn finnish_number_is_normalised_to_uppercase_and_keeps_its_sign() {
        assert_eq!(parse(" 131052-308t ").unwrap().value(), "131052-308T");
        assert_eq!(parse("010594y9021").unwrap().value(), "010594Y9021");
    }

    #[test]
    fn finnish_century_follows_the_sign() {
        assert_eq!(born("010150+123A").year(), 1850);
        assert_eq!(born("010120A123K").year(), 2020);
        // The check character ignores the sign, so one number can be read in each century.
        assert_eq!(code("131052B308T"), "future_birth_date");
    }

    #[test]
    fn finnish_check_character_is_modulo_31() {
        assert_eq!(code("131052-308U"), "check_digit");
        assert_eq!(code("131052-309T"), "check_digit");
        assert_eq!(code("131052-3080"), "check_digit");
    }

    #[test]
    fn finnish_individual_numbers_000_and_001_are_never_issued() {
        assert_eq!(code("010100-000E"), "reserved_range");
        assert_eq!(code("010100-001F"), "reserved_range");
    }

    #[test]
    fn finnish_temporary_numbers_are_accepted() {
        assert!(parse("010594Y9021").is_ok()); // individual number 902
    }

    #[test]
    fn finnish_birth_date_must_exist() {
        assert_eq!(code("310294-123U"), "invalid_date");
    }

    #[test]
    fn finnish_number_refuses_other_shapes() {
        for bad in [
            "",
            "131052308T",
            "131052G308T", // not a century sign
            "131052-308G", // not in the check alphabet
            "131052-308TT",
            "13105a-308T",
            "131052-3O8T",
            "131052–308T", // an en dash
        ] {
            assert_eq!(code(bad), "invalid_format", "{bad:?}");
        }
    }
}
