//! Days of the week as working hours name them.

coded_enum!(
    /// A day of the week, written in lowercase English in JSON and the database (`"monday"`), Monday first as
    /// ISO 8601 counts.
    Weekday, WeekdayError, "weekday_invalid",
    "A weekday must be one of monday, tuesday, wednesday, thursday, friday, saturday or sunday.",
    {
        Monday => "monday",
        Tuesday => "tuesday",
        Wednesday => "wednesday",
        Thursday => "thursday",
        Friday => "friday",
        Saturday => "saturday",
        Sunday => "sunday",
    }
);

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
