//! The arithmetic the schemes share: reading digits, check-digit algorithms and birth dates.
//!
//! Everything works on bytes, never on string slices, so that no input (however long, however far from
//! ASCII) can make a parser slice inside a character and panic.

use jiff::civil::Date;

/// The digits of `parts` joined, if every byte is an ASCII digit and there are exactly `N` of them.
pub(super) fn digits<const N: usize>(parts: &[&[u8]]) -> Option<[u8; N]> {
    let mut out = [0; N];
    let mut len = 0;
    for &b in parts.iter().flat_map(|part| part.iter()) {
        if !b.is_ascii_digit() || len == N {
            return None;
        }
        out[len] = b - b'0';
        len += 1;
    }
    (len == N).then_some(out)
}

/// The number the digits spell, most significant first.
pub(super) fn number(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |n, &d| n * 10 + u32::from(d))
}

/// Writes `n` into `out` as zero-padded digits, the inverse of [`number`] for the generators.
pub(super) fn put_number(out: &mut [u8], mut n: u32) {
    for slot in out.iter_mut().rev() {
        // The remainder is below ten, so it always fits.
        *slot = (n % 10) as u8;
        n /= 10;
    }
}

/// The digits as text.
pub(super) fn text(digits: &[u8]) -> String {
    digits.iter().map(|&d| char::from(b'0' + d)).collect()
}

/// The weighted modulus-11 check digit used by Norway and the NHS: 11 minus the weighted sum's remainder,
/// with 11 written as 0. A result of 10 has no digit, so numbers that would need it are never issued.
pub(super) fn mod11_check(payload: &[u8], weights: &[u32]) -> Option<u8> {
    let sum: u32 = payload.iter().zip(weights).map(|(&d, &w)| u32::from(d) * w).sum();
    // Below 11, so it always fits.
    let check = ((11 - sum % 11) % 11) as u8;
    (check != 10).then_some(check)
}

/// The Luhn (modulus-10) check digit for `payload`: every other digit from the right is doubled and its
/// digits summed.
pub(super) fn luhn_check(payload: &[u8]) -> u8 {
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 0 { d * 2 / 10 + d * 2 % 10 } else { d }
        })
        .sum();
    // Below 10, so it always fits.
    ((10 - sum % 10) % 10) as u8
}

/// A calendar date, if these numbers make one; out-of-range numbers make none rather than wrapping.
pub(super) fn date(year: i32, month: u32, day: u32) -> Option<Date> {
    Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()
}

/// The last two digits of the year, month and day, for the generators that write a birth date.
pub(super) fn date_parts(date: Date) -> (u32, u32, u32) {
    let part = |n: i32| n.unsigned_abs();
    (
        part(i32::from(date.year()) % 100),
        part(i32::from(date.month())),
        part(i32::from(date.day())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_requires_exactly_n_ascii_digits() {
        assert_eq!(digits::<3>(&[b"12", b"3"]), Some([1, 2, 3]));
        assert_eq!(digits::<3>(&[b"12"]), None);
        assert_eq!(digits::<3>(&[b"1234"]), None);
        assert_eq!(digits::<3>(&[b"1a3"]), None);
        assert_eq!(digits::<3>(&["1²3".as_bytes()]), None);
    }

    #[test]
    fn put_number_is_the_inverse_of_number() {
        let mut out = [0; 4];
        put_number(&mut out, 42);
        assert_eq!(out, [0, 0, 4, 2]);
        assert_eq!(number(&out), 42);
        assert_eq!(text(&out), "0042");
    }

    #[test]
    fn mod11_check_maps_eleven_to_zero_and_has_no_digit_for_ten() {
        let weights = [10, 9, 8, 7, 6, 5, 4, 3, 2];
        assert_eq!(mod11_check(&[9, 4, 3, 4, 7, 6, 5, 9, 1], &weights), Some(9));
        assert_eq!(mod11_check(&[0; 9], &weights), Some(0));
        assert_eq!(mod11_check(&[1, 2, 3, 4, 5, 6, 7, 8, 9], &weights), None);
    }

    #[test]
    fn luhn_check_matches_the_published_swedish_example() {
        // Skatteverket's example personnummer 811218-9876.
        assert_eq!(luhn_check(&[8, 1, 1, 2, 1, 8, 9, 8, 7]), 6);
        assert_eq!(luhn_check(&[0; 9]), 0);
    }

    #[test]
    fn date_refuses_impossible_dates() {
        assert!(date(2000, 2, 29).is_some());
        assert!(date(1900, 2, 29).is_none());
        assert!(date(2024, 13, 1).is_none());
        assert!(date(2024, 1, 0).is_none());
        assert!(date(40_000, 1, 1).is_none());
    }
}
