//! Norwegian fødselsnummer, D-number and H-number: 11 digits, `DDMMYYIIIKK`.
//!
//! The birth date is followed by a three-digit individual number, whose range gives the century, and two
//! modulus-11 check digits. A D-number adds 4 to the first digit (day 41–71) and an H-number adds 4 to the
//! third (month 41–52); both are otherwise built like a fødselsnummer.
//!
//! Only those three official schemes are accepted. The numbers made for test environments are refused on
//! purpose, so that test data cannot end up in a patient's record: Skatteetaten's synthetic numbers add 80
//! to the month, and fail as an invalid date. NAV's older test numbers add 40 to the month, exactly like
//! H-numbers, so they cannot be told apart from H-numbers by their digits; they are refused as
//! fødselsnummer and D-numbers, and accepted only where an H-number is expected.
//!
//! Skatteetaten has announced a revised number (from 2032) that stops encoding sex and changes how the
//! check digits are computed; when it is issued, this rule has to change with it.

use jiff::civil::Date;

use super::check::{date, date_parts, digits, mod11_check, number, put_number, text};
use super::synthetic::Seed;
use super::{IdentifierError, IdentifierSystem, Parsed};

const FORMAT: &str = "11 digits, DDMMYYIIIKK";
const FIRST_WEIGHTS: [u32; 9] = [3, 7, 6, 1, 8, 9, 4, 5, 2];
const SECOND_WEIGHTS: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
/// The first and last birth dates the individual-number ranges can express.
const EARLIEST: Date = jiff::civil::date(1854, 1, 1);
const LATEST: Date = jiff::civil::date(2039, 12, 31);

/// Accepts the 11 digits, or with one space after the birth date (`DDMMYY IIIKK`) as the number is often
/// printed; the normalised form is the 11 digits.
pub(super) fn parse(system: IdentifierSystem, s: &str) -> Result<Parsed, IdentifierError> {
    let b = s.as_bytes();
    let d: [u8; 11] = match b.len() {
        11 => digits(&[b]),
        12 if b[6] == b' ' => digits(&[&b[..6], &b[7..]]),
        _ => None,
    }
    .ok_or(IdentifierError::Format {
        system,
        expected: FORMAT,
    })?;
    if !check_digits_match(&d) {
        return Err(IdentifierError::CheckDigit { system });
    }
    let (day, month) = (number(&d[0..2]), number(&d[2..4]));
    // A D- or H-number must carry its +40; without it the subtraction fails and so does the date.
    let (day, month) = match system {
        IdentifierSystem::NoDnr => (day.checked_sub(40), Some(month)),
        IdentifierSystem::NoHnr => (Some(day), month.checked_sub(40)),
        _ => (Some(day), Some(month)),
    };
    let invalid_date = IdentifierError::InvalidDate { system };
    let (day, month) = (day.ok_or(invalid_date)?, month.ok_or(invalid_date)?);
    let century =
        century(number(&d[4..6]), number(&d[6..9])).ok_or(IdentifierError::ReservedRange { system })?;
    let born = date(century + number(&d[4..6]) as i32, month, day).ok_or(invalid_date)?;
    Ok(Parsed {
        value: text(&d),
        birth_date: Some(born),
    })
}

fn check_digits_match(d: &[u8; 11]) -> bool {
    mod11_check(&d[..9], &FIRST_WEIGHTS) == Some(d[9])
        && mod11_check(&d[..10], &SECOND_WEIGHTS) == Some(d[10])
}

/// The century the individual number puts a two-digit birth year in, per Skatteetaten's table; `None` for
/// the combinations that are never issued (such as 500–749 with a year in 40–53).
fn century(year: u32, individual: u32) -> Option<i32> {
    match individual {
        0..=499 => Some(1900),
        500..=749 if year >= 54 => Some(1800),
        500..=999 if year <= 39 => Some(2000),
        900..=999 if year >= 40 => Some(1900),
        _ => None,
    }
}

/// Tries the individual numbers the birth year allows, from a random one on, until both check digits
/// exist (about one in six combinations has a check digit of 10 and is never issued).
pub(super) fn synthetic(system: IdentifierSystem, birth_date: Date, seed: &mut Seed) -> String {
    let born = birth_date.clamp(EARLIEST, LATEST);
    let (year, mut month, mut day) = date_parts(born);
    match system {
        IdentifierSystem::NoDnr => day += 40,
        IdentifierSystem::NoHnr => month += 40,
        _ => {}
    }
    let ranges = individual_ranges(i32::from(born.year()));
    let count: u32 = ranges.iter().map(|(first, last)| last - first + 1).sum();
    let start = seed.below(count);
    (0..count)
        .find_map(|i| {
            let mut d = [0; 11];
            put_number(&mut d[0..2], day);
            put_number(&mut d[2..4], month);
            put_number(&mut d[4..6], year);
            put_number(&mut d[6..9], nth_individual(ranges, (start + i) % count));
            d[9] = mod11_check(&d[..9], &FIRST_WEIGHTS)?;
            d[10] = mod11_check(&d[..10], &SECOND_WEIGHTS)?;
            Some(text(&d))
        })
        .expect("among at least 250 individual numbers some have both check digits")
}

/// The individual numbers [`century`] gives a birth year, as inclusive ranges, so the generator can pick
/// one uniformly and people born on one day do not all get the same number.
fn individual_ranges(year: i32) -> &'static [(u32, u32)] {
    match year {
        ..=1899 => &[(500, 749)],
        2000.. => &[(500, 999)],
        year if year % 100 >= 40 => &[(0, 499), (900, 999)],
        _ => &[(0, 499)],
    }
}

fn nth_individual(ranges: &[(u32, u32)], mut n: u32) -> u32 {
    for &(first, last) in ranges {
        if n <= last - first {
            return first + n;
        }
        n -= last - first + 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identifier::NationalIdentifier;

    const TODAY: Date = jiff::civil::date(2025, 6, 1);

    fn parse(system: IdentifierSystem, s: &str) -> Result<NationalIdentifier, IdentifierError> {
        NationalIdentifier::parse(system, s, TODAY)
    }

    fn born(system: IdentifierSystem, s: &str) -> Date {
        parse(system, s).unwrap().birth_date().unwrap()
    }

    fn code(system: IdentifierSystem, s: &str) -> &'static str {
        parse(system, s).unwrap_err().code()
    }

    const FNR: IdentifierSystem = IdentifierSystem::NoFnr;

    #[test]
    fn norwegian_number_is_normalised_to_eleven_digits() {
        for input in ["01019012480", " 01019012480\n", "010190 12480"] {
            assert_eq!(parse(FNR, input).unwrap().value(), "01019012480", "{input:?}");
        }
    }

    #[test]
    fn norwegian_century_follows_the_individual_number() {
        let cases = [
            ("01019012480", jiff::civil::date(1990, 1, 1)), // 000–499: 1900s
            ("15039951360", jiff::civil::date(1899, 3, 15)), // 500–749, year 54–99: 1800s
            ("01015450068", jiff::civil::date(1854, 1, 1)), // the earliest year of that range
            ("15060561386", jiff::civil::date(2005, 6, 15)), // 500–999, year 00–39: 2000s
            ("31127091350", jiff::civil::date(1970, 12, 31)), // 900–999, year 40–99: 1900s
            ("01013910045", jiff::civil::date(1939, 1, 1)), // 000–499 stays in the 1900s
            ("29020050088", jiff::civil::date(2000, 2, 29)), // a leap day in the 2000s
        ];
        for (input, date) in cases {
            assert_eq!(born(FNR, input), date, "{input}");
        }
    }

    #[test]
    fn norwegian_individual_number_outside_every_range_is_reserved() {
        // Individual number 600 with year 45: neither 1800s (54–99) nor 2000s (00–39).
        assert_eq!(code(FNR, "01014560013"), "reserved_range");
    }

    #[test]
    fn norwegian_birth_date_must_exist_and_not_be_in_the_future() {
        assert_eq!(code(FNR, "29020000064"), "invalid_date"); // 1900 was not a leap year
        assert_eq!(code(FNR, "01013050038"), "future_birth_date"); // 2030
    }

    #[test]
    fn norwegian_check_digits_are_both_checked() {
        assert_eq!(code(FNR, "01019012481"), "check_digit");
        assert_eq!(code(FNR, "01019012490"), "check_digit");
        assert_eq!(code(FNR, "11019012480"), "check_digit");
    }

    #[test]
    fn norwegian_d_number_adds_forty_to_the_day() {
        let dnr = IdentifierSystem::NoDnr;
        assert_eq!(born(dnr, "41019012393"), jiff::civil::date(1990, 1, 1));
        assert_eq!(code(dnr, "01019012480"), "invalid_date"); // a fødselsnummer is not a D-number
        assert_eq!(code(FNR, "41019012393"), "invalid_date"); // nor the other way round
    }

    #[test]
    fn norwegian_h_number_adds_forty_to_the_month() {
        let hnr = IdentifierSystem::NoHnr;
        assert_eq!(born(hnr, "01419012382"), jiff::civil::date(1990, 1, 1));
        assert_eq!(code(hnr, "01019012480"), "invalid_date");
        assert_eq!(code(FNR, "01419012382"), "invalid_date");
    }

    #[test]
    fn norwegian_synthetic_test_numbers_are_refused() {
        // Skatteetaten's synthetic numbers add 80 to the month; check digits are valid, the month is not.
        for system in [FNR, IdentifierSystem::NoDnr, IdentifierSystem::NoHnr] {
            assert_eq!(code(system, "01819000049"), "invalid_date", "{system}");
        }
    }

    #[test]
    fn norwegian_number_refuses_other_shapes() {
        for bad in [
            "",
            "0101901248",
            "010190124800",
            "010190-12480",
            "0101901248O",
            "０1019012480",
        ] {
            assert_eq!(code(FNR, bad), "invalid_format", "{bad:?}");
        }
    }

    #[test]
    fn norwegian_generator_ranges_match_the_century_table() {
        for year in 1854..=2039 {
            let ranges = individual_ranges(year);
            for individual in 0..1000 {
                let listed = ranges
                    .iter()
                    .any(|&(first, last)| (first..=last).contains(&individual));
                let fits = century(year.unsigned_abs() % 100, individual) == Some(year / 100 * 100);
                assert_eq!(listed, fits, "{year} {individual}");
            }
        }
    }

    #[test]
    fn norwegian_synthetic_numbers_exist_for_every_birth_date_in_range() {
        let mut day = EARLIEST;
        while day <= LATEST {
            for system in [FNR, IdentifierSystem::NoDnr, IdentifierSystem::NoHnr] {
                let id = crate::identifier::synthetic(system, day, u64::from(day.day().unsigned_abs()));
                assert_eq!(id.birth_date(), Some(day));
            }
            day = day.tomorrow().unwrap();
        }
    }
}
