//! Danish CPR numbers: `DDMMYY-SSSS`, normalised to the ten digits.
//!
//! The birth date is followed by a four-digit sequence number whose first digit, with the year, gives the
//! century. There is no check digit to test: the modulus-11 rule was dropped in 2007, when some birth dates
//! ran out of numbers that satisfy it, and numbers issued since then may fail it although they are valid.
//! Refusing those would refuse real patients, so a CPR number is checked only for its shape and its date.
//!
//! Replacement numbers (erstatningspersonnumre), which hospitals give patients without a CPR number, are a
//! separate scheme and not accepted here; those whose date part is not a real date are refused as such.

use jiff::civil::Date;

use super::check::{date, date_parts, digits, number, put_number, text};
use super::synthetic::Seed;
use super::{IdentifierError, IdentifierSystem, Parsed};

const SYSTEM: IdentifierSystem = IdentifierSystem::DkCpr;
const FORMAT: &str = "10 digits, DDMMYY-SSSS (the hyphen is optional)";
/// The first and last birth dates the century table can express.
const EARLIEST: Date = jiff::civil::date(1858, 1, 1);
const LATEST: Date = jiff::civil::date(2057, 12, 31);

pub(super) fn parse(s: &str) -> Result<Parsed, IdentifierError> {
    let b = s.as_bytes();
    let d: [u8; 10] = match b.len() {
        10 => digits(&[b]),
        11 if b[6] == b'-' => digits(&[&b[..6], &b[7..]]),
        _ => None,
    }
    .ok_or(IdentifierError::Format {
        system: SYSTEM,
        expected: FORMAT,
    })?;
    let year = number(&d[4..6]);
    let born = date(
        century(d[6], year) + year as i32,
        number(&d[2..4]),
        number(&d[0..2]),
    )
    .ok_or(IdentifierError::InvalidDate { system: SYSTEM })?;
    Ok(Parsed {
        value: text(&d),
        birth_date: Some(born),
    })
}

/// The CPR office's table: the century from the seventh digit and the two-digit year.
fn century(seventh: u8, year: u32) -> i32 {
    match (seventh, year) {
        (4 | 9, 0..=36) | (5..=8, 0..=57) => 2000,
        (5..=8, _) => 1800,
        _ => 1900,
    }
}

/// Picks a seventh digit that puts the year in the right century, and a random rest of the sequence.
pub(super) fn synthetic(birth_date: Date, seed: &mut Seed) -> String {
    let born = birth_date.clamp(EARLIEST, LATEST);
    let (year, month, day) = date_parts(born);
    let wanted = i32::from(born.year()) / 100 * 100;
    let sevenths: Vec<u8> = (0..10).filter(|&digit| century(digit, year) == wanted).collect();
    let mut d = [0; 10];
    put_number(&mut d[0..2], day);
    put_number(&mut d[2..4], month);
    put_number(&mut d[4..6], year);
    d[6] = seed.pick(&sevenths);
    put_number(&mut d[7..10], seed.below(1000));
    text(&d)
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
    fn danish_number_is_normalised_to_ten_digits() {
        for input in ["070761-4285", "0707614285", " 0707614285 "] {
            assert_eq!(parse(input).unwrap().value(), "0707614285", "{input:?}");
        }
        assert_eq!(born("070761-4285"), jiff::civil::date(1961, 7, 7));
    }

    #[test]
    fn danish_century_follows_the_official_table() {
        let cases = [
            ("0101100000", 1910), // 0–3: always the 1900s
            ("0101993999", 1999),
            ("0101204000", 2020), // 4 and 9: 00–36 in the 2000s, 37–99 in the 1900s
            ("0101379000", 1937),
            ("0101999999", 1999),
            ("0101205000", 2020), // 5–8: 00–57 in the 2000s, 58–99 in the 1800s
            ("0101588999", 1858),
            ("0101998000", 1899),
        ];
        for (input, year) in cases {
            assert_eq!(born(input).year(), year, "{input}");
        }
    }

    #[test]
    fn danish_birth_date_must_exist_and_not_be_in_the_future() {
        assert_eq!(code("3102901234"), "invalid_date");
        assert_eq!(code("2902001234"), "invalid_date"); // 1900
        assert_eq!(born("2902004234"), jiff::civil::date(2000, 2, 29));
        assert_eq!(code("0101365000"), "future_birth_date"); // 2036
        assert_eq!(code("0101575000"), "future_birth_date"); // 2057
        assert_eq!(code("6101901234"), "invalid_date"); // a replacement-number style day
    }

    #[test]
    fn danish_number_needs_no_modulus_11() {
        let number = "0707614281";
        let weights = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
        let sum: u32 = number
            .bytes()
            .zip(weights)
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        assert_ne!(sum % 11, 0, "the example must fail the abandoned rule");
        assert!(parse(number).is_ok());
    }

    #[test]
    fn danish_number_refuses_other_shapes() {
        for bad in [
            "",
            "070761 4285",
            "07076-14285",
            "07076142851",
            "070761428",
            "O707614285",
        ] {
            assert_eq!(code(bad), "invalid_format", "{bad:?}");
        }
    }
}
