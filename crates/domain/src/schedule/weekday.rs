//! Days of the week as working hours name them.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A day of the week, written in lowercase English in JSON and the database (`"monday"`).
///
/// Serde goes through [`FromStr`] so that an unknown day is refused with [`WeekdayError`] and the input is
/// not repeated in the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WeekdayError {
    #[error("A weekday must be one of monday, tuesday, wednesday, thursday, friday, saturday or sunday.")]
    Unknown,
}

impl WeekdayError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unknown => "weekday_invalid",
        }
    }
}

impl Weekday {
    /// Monday first, as ISO 8601 counts.
    pub const ALL: [Weekday; 7] = [
        Self::Monday,
        Self::Tuesday,
        Self::Wednesday,
        Self::Thursday,
        Self::Friday,
        Self::Saturday,
        Self::Sunday,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Monday => "monday",
            Self::Tuesday => "tuesday",
            Self::Wednesday => "wednesday",
            Self::Thursday => "thursday",
            Self::Friday => "friday",
            Self::Saturday => "saturday",
            Self::Sunday => "sunday",
        }
    }
}

impl std::fmt::Display for Weekday {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Weekday {
    type Err = WeekdayError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|day| day.as_str() == s)
            .ok_or(WeekdayError::Unknown)
    }
}

impl TryFrom<String> for Weekday {
    type Error = WeekdayError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Weekday> for String {
    fn from(value: Weekday) -> Self {
        value.as_str().to_owned()
    }
}

impl From<Weekday> for jiff::civil::Weekday {
    fn from(value: Weekday) -> Self {
        match value {
            Weekday::Monday => Self::Monday,
            Weekday::Tuesday => Self::Tuesday,
            Weekday::Wednesday => Self::Wednesday,
            Weekday::Thursday => Self::Thursday,
            Weekday::Friday => Self::Friday,
            Weekday::Saturday => Self::Saturday,
            Weekday::Sunday => Self::Sunday,
        }
    }
}

impl From<jiff::civil::Weekday> for Weekday {
    fn from(value: jiff::civil::Weekday) -> Self {
        use jiff::civil::Weekday as J;
        match value {
            J::Monday => Self::Monday,
            J::Tuesday => Self::Tuesday,
            J::Wednesday => Self::Wednesday,
            J::Thursday => Self::Thursday,
            J::Friday => Self::Friday,
            J::Saturday => Self::Saturday,
            J::Sunday => Self::Sunday,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekday_round_trips_through_text_serde_and_jiff() {
        for day in Weekday::ALL {
            assert_eq!(day.to_string().parse::<Weekday>().unwrap(), day);
            let json = serde_json::to_string(&day).unwrap();
            assert_eq!(json, format!("\"{}\"", day.as_str()));
            assert_eq!(serde_json::from_str::<Weekday>(&json).unwrap(), day);
            assert_eq!(Weekday::from(jiff::civil::Weekday::from(day)), day);
        }
        assert_eq!(Weekday::Monday.as_str(), "monday");
        assert_eq!(jiff::civil::date(2026, 3, 29).weekday(), Weekday::Sunday.into());
    }

    #[test]
    fn weekday_refuses_other_spellings_without_echoing_them() {
        for bad in ["Monday", "mon", "MO", "", "mandag", " monday"] {
            assert_eq!(
                bad.parse::<Weekday>().unwrap_err(),
                WeekdayError::Unknown,
                "{bad:?}"
            );
        }
        let err = serde_json::from_str::<Weekday>(r#""someday""#).unwrap_err();
        assert!(!err.to_string().contains("someday"));
        assert_eq!(WeekdayError::Unknown.code(), "weekday_invalid");
    }
}
