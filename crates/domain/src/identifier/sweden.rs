//! Swedish personnummer and samordningsnummer: `YYMMDD-NNNC`, or `YYYYMMDDNNNC` with the century.
//!
//! The last digit is a Luhn check over the ten-digit form. A samordningsnummer adds 60 to the day. The
//! short form leaves the century out; its separator tells it: `-` until the year the person turns 100,
//! `+` from then on. The normalised form is the twelve digits without separator, as Swedish registers and
//! FHIR profiles store it, so the century never has to be guessed again.
//!
//! The Luhn check covers the ten-digit form only: a twelve-digit number with its century digits changed
//! is still valid (a different birth year), which is why the century must come from the input or from
//! the separator and today's date, never be patched up afterwards.

use jiff::civil::Date;

use super::check::{date, date_parts, digits, luhn_check, number, put_number, text};
use super::synthetic::Seed;
use super::{IdentifierError, IdentifierSystem, Parsed};

const FORMAT: &str = "YYMMDD-NNNC, YYMMDD+NNNC or YYYYMMDDNNNC";
/// Numbers were first issued in 1947, to people then alive; the twelve-digit form is written 18xx, 19xx
/// or 20xx.
const FIRST_YEAR: i32 = 1800;
const LAST_YEAR: i32 = 2099;

/// `today` is needed only for the short form; without it (reading back a stored value) only the
/// twelve-digit form is accepted.
pub(super) fn parse(
    system: IdentifierSystem,
    s: &str,
    today: Option<Date>,
) -> Result<Parsed, IdentifierError> {
    let format = IdentifierError::Format {
        system,
        expected: FORMAT,
    };
    let b = s.as_bytes();
    let (century, separator, ten): (Option<[u8; 2]>, u8, Option<[u8; 10]>) = match b.len() {
        10 => (None, b'-', digits(&[b])),
        11 => (None, b[6], digits(&[&b[..6], &b[7..]])),
        12 => (digits(&[&b[..2]]), b'-', digits(&[&b[2..]])),
        13 if b[8] == b'-' => (digits(&[&b[..2]]), b'-', digits(&[&b[2..8], &b[9..]])),
        _ => return Err(format),
    };
    let ten = ten.ok_or(format)?;
    if !matches!(separator, b'-' | b'+') || (b.len() >= 12 && century.is_none()) {
        return Err(format);
    }
    if luhn_check(&ten[..9]) != ten[9] {
        return Err(IdentifierError::CheckDigit { system });
    }
    let invalid_date = IdentifierError::InvalidDate { system };
    let (yy, month, day) = (number(&ten[0..2]), number(&ten[2..4]), number(&ten[4..6]));
    let day = match system {
        IdentifierSystem::SeSnr => day.checked_sub(60).ok_or(invalid_date)?,
        _ => day,
    };
    let year = match (century, today) {
        (Some(century), _) => number(&century) as i32 * 100 + yy as i32,
        (None, Some(today)) => infer_year(yy, month, day, separator == b'+', today),
        (None, None) => return Err(IdentifierError::NotNormalised { system }),
    };
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(invalid_date);
    }
    let born = date(year, month, day).ok_or(invalid_date)?;
    Ok(Parsed {
        value: format!("{year:04}{}", text(&ten[2..])),
        birth_date: Some(born),
    })
}

/// The birth year of a short-form number. With `-`, the most recent year that does not put the birth date
/// after `today`; with `+`, the most recent year in which the person turned 100 no later than this year,
/// since the `+` is used from the start of that year. A number written with `-` although its holder is
/// past 100 is read as the separator says, as a child's; only the twelve-digit form avoids that.
fn infer_year(yy: u32, month: u32, day: u32, centenarian: bool, today: Date) -> i32 {
    let latest = |limit: i32| limit - (limit - yy as i32).rem_euclid(100);
    let this_year = i32::from(today.year());
    if centenarian {
        return latest(this_year - 100);
    }
    let year = latest(this_year);
    match date(year, month, day) {
        Some(born) if born <= today => year,
        _ => year - 100,
    }
}

/// A twelve-digit number with a random birth number (001–999); the Luhn check always has a digit.
pub(super) fn synthetic(system: IdentifierSystem, birth_date: Date, seed: &mut Seed) -> String {
    let born = birth_date.clamp(
        jiff::civil::date(FIRST_YEAR as i16, 1, 1),
        jiff::civil::date(LAST_YEAR as i16, 12, 31),
    );
    let (yy, month, day) = date_parts(born);
    let day = if system == IdentifierSystem::SeSnr {
        day + 60
    } else {
        day
    };
    let mut ten = [0; 10];
    put_number(&mut ten[0..2], yy);
    put_number(&mut ten[2..4], month);
    put_number(&mut ten[4..6], day);
    put_number(&mut ten[6..9], seed.below(999) + 1);
    ten[9] = luhn_check(&ten[..9]);
    format!("{:04}{}", born.year(), text(&ten[2..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identifier::NationalIdentifier;

    const PNR: IdentifierSystem = IdentifierSystem::SePnr;
    const SNR: IdentifierSystem = IdentifierSystem::SeSnr;

    fn on(today: Date, system: IdentifierSystem, s: &str) -> Result<NationalIdentifier, IdentifierError> {
        NationalIdentifier::parse(system, s, today)
    }

    fn parse(system: IdentifierSystem, s: &str) -> Result<NationalIdentifier, IdentifierError> {
        on(jiff::civil::date(2025, 6, 1), system, s)
    }

    fn value(system: IdentifierSystem, s: &str) -> String {
        parse(system, s).unwrap().value().to_owned()
    }

    fn code(system: IdentifierSystem, s: &str) -> &'static str {
        parse(system, s).unwrap_err().code()
    }

    #[test]
    fn swedish_number_is_normalised_to_twelve_digits() {
        // Skatteverket's example personnummer, in every accepted spelling.
        for input in [
            "811218-9876",
            "8112189876",
            "19811218-9876",
            "198112189876",
            " 811218-9876 ",
        ] {
            assert_eq!(value(PNR, input), "198112189876", "{input:?}");
        }
        let id = parse(PNR, "811218-9876").unwrap();
        assert_eq!(id.birth_date(), Some(jiff::civil::date(1981, 12, 18)));
    }

    #[test]
    fn swedish_short_form_takes_the_latest_century_not_in_the_future() {
        // "Tolvan Tolvansson": with a hyphen in 2025 he is 12, with a plus 112.
        assert_eq!(value(PNR, "121212-1212"), "201212121212");
        assert_eq!(value(PNR, "121212+1212"), "191212121212");
        assert_eq!(value(PNR, "19121212-1212"), "191212121212");
        // 31 December 2025 has not come yet on 1 June 2025, so the person was born in 1925.
        assert_eq!(value(PNR, "251231-1230"), "192512311230");
        assert_eq!(value(PNR, "250101-1239"), "202501011239");
        // The same number read on its birthday is a newborn's.
        let new_year = jiff::civil::date(2025, 12, 31);
        assert_eq!(on(new_year, PNR, "251231-1230").unwrap().value(), "202512311230");
    }

    #[test]
    fn swedish_plus_means_turning_100_this_year_or_earlier() {
        // Born 31 December 1925: the plus is used from 1 January 2025, before the birthday.
        assert_eq!(value(PNR, "251231+1230"), "192512311230");
        assert_eq!(value(PNR, "811218+9876"), "188112189876");
    }

    #[test]
    fn swedish_leap_day_century_matters() {
        assert_eq!(value(PNR, "000229-1235"), "200002291235");
        assert_eq!(code(PNR, "000229+1235"), "invalid_date"); // 1900 was not a leap year
    }

    #[test]
    fn swedish_samordningsnummer_adds_sixty_to_the_day() {
        // Skatteverket's example: born 3 October 1970, birth number 239.
        let id = parse(SNR, "701063-2391").unwrap();
        assert_eq!(id.value(), "197010632391");
        assert_eq!(id.birth_date(), Some(jiff::civil::date(1970, 10, 3)));
        assert_eq!(code(PNR, "701063-2391"), "invalid_date");
        assert_eq!(code(SNR, "811218-9876"), "invalid_date");
    }

    #[test]
    fn swedish_check_digit_is_luhn_over_the_ten_digit_form() {
        assert_eq!(code(PNR, "811218-9877"), "check_digit");
        assert_eq!(code(PNR, "811218-9867"), "check_digit");
        assert_eq!(code(PNR, "19811218-9866"), "check_digit");
    }

    #[test]
    fn swedish_century_digits_are_not_covered_by_the_check() {
        // A documented limit of the scheme: the same ten digits are valid in another century.
        assert_eq!(value(PNR, "181212121212"), "181212121212");
        assert_eq!(code(PNR, "171212121212"), "invalid_date"); // before any number was issued
        assert_eq!(code(PNR, "203001011232"), "future_birth_date");
    }

    #[test]
    fn swedish_number_refuses_other_shapes() {
        for bad in [
            "",
            "811218*9876",
            "81121-89876",
            "19811218+9876",
            "1981121898765",
            "811218--9876",
            "a81218-9876",
            "ab8112189876",
            "811218-98é",
        ] {
            assert_eq!(code(PNR, bad), "invalid_format", "{bad:?}");
        }
    }

    #[test]
    fn swedish_short_form_cannot_be_read_back_without_a_date() {
        let err = NationalIdentifier::from_normalised(PNR, "8112189876").unwrap_err();
        assert_eq!(err.code(), "not_normalised");
        let err = NationalIdentifier::from_normalised(PNR, "19811218-9876").unwrap_err();
        assert_eq!(err.code(), "not_normalised");
    }
}
