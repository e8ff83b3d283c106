//! A patient's date of birth.

use std::fmt;

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A date of birth that was not in the future and not more than [`BirthDate::MAX_AGE_YEARS`] years ago on
/// the day it was entered.
///
/// The same limit holds for animals. Hardly any animal a clinic sees lives that long; the few that might
/// (giant tortoises) have no known birth date, and a record without one is better than a guessed one.
///
/// Both rules depend on the day they are checked, so they are checked on entry ([`BirthDate::new`]) only.
/// Deserializing, for reading a stored record, accepts any date: a date that was valid when entered does not
/// become wrong when, one day, the patient would be more than 150 years old.
///
/// A birth date, with a name, is enough to single out most people, so `Debug` does not show it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BirthDate(Date);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BirthDateError {
    #[error("A birth date cannot be in the future.")]
    InFuture,
    #[error("A birth date cannot be more than 150 years ago.")]
    TooLongAgo,
}

impl BirthDateError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::InFuture => "birth_date_in_future",
            Self::TooLongAgo => "birth_date_too_long_ago",
        }
    }
}

impl BirthDate {
    pub const MAX_AGE_YEARS: i16 = 150;

    /// Checks `date` against `today`, the clinic's current date. A child born today is accepted, and so is
    /// a birth date exactly 150 years ago.
    pub fn new(date: Date, today: Date) -> Result<Self, BirthDateError> {
        if date > today {
            return Err(BirthDateError::InFuture);
        }
        // Only fails near the ends of jiff's range (years -9999 and 9999); every date is then too old.
        let earliest = today
            .checked_sub(Self::MAX_AGE_YEARS.years())
            .unwrap_or(Date::MIN);
        if date < earliest {
            return Err(BirthDateError::TooLongAgo);
        }
        Ok(Self(date))
    }

    pub fn date(&self) -> Date {
        self.0
    }
}

impl fmt::Debug for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BirthDate([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    const TODAY: Date = date(2025, 3, 14);

    #[test]
    fn birth_date_today_and_in_the_past_is_accepted() {
        assert_eq!(BirthDate::new(TODAY, TODAY).unwrap().date(), TODAY);
        assert_eq!(
            BirthDate::new(date(1981, 12, 18), TODAY).unwrap().date(),
            date(1981, 12, 18)
        );
    }

    #[test]
    fn birth_date_in_the_future_is_refused() {
        let err = BirthDate::new(date(2025, 3, 15), TODAY).unwrap_err();
        assert_eq!(err.code(), "birth_date_in_future");
    }

    #[test]
    fn birth_date_more_than_150_years_ago_is_refused() {
        assert!(BirthDate::new(date(1875, 3, 14), TODAY).is_ok());
        let err = BirthDate::new(date(1875, 3, 13), TODAY).unwrap_err();
        assert_eq!(err.code(), "birth_date_too_long_ago");
    }

    #[test]
    fn birth_date_limit_from_a_leap_day_is_the_last_day_of_february() {
        let leap_day = date(2024, 2, 29);
        assert!(BirthDate::new(date(1874, 2, 28), leap_day).is_ok());
        assert!(BirthDate::new(date(1874, 2, 27), leap_day).is_err());
    }

    #[test]
    fn birth_date_debug_is_redacted() {
        let born = BirthDate::new(date(1981, 12, 18), TODAY).unwrap();
        assert_eq!(format!("{born:?}"), "BirthDate([redacted])");
    }

    #[test]
    fn birth_date_serde_is_an_iso_date_and_reads_old_records() {
        let born = BirthDate::new(date(1981, 12, 18), TODAY).unwrap();
        let json = serde_json::to_string(&born).unwrap();
        assert_eq!(json, r#""1981-12-18""#);
        assert_eq!(serde_json::from_str::<BirthDate>(&json).unwrap(), born);
        assert!(serde_json::from_str::<BirthDate>(r#""1850-01-01""#).is_ok());
        assert!(serde_json::from_str::<BirthDate>(r#""1981-02-30""#).is_err());
    }

    proptest! {
        #[test]
        fn birth_date_is_accepted_exactly_within_150_years(days in -60_000i32..60_000) {
            let day = TODAY.checked_add(days.days()).unwrap();
            let result = BirthDate::new(day, TODAY);
            prop_assert_eq!(result.is_ok(), (date(1875, 3, 14)..=TODAY).contains(&day));
        }
    }
}
