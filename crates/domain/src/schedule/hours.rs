//! Working hours: the weekly pattern of when a practitioner works, in local wall-clock time.

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

use super::{Interval, IntervalSet, ScheduleError, Weekday, end_instant, start_instant};

/// The hours someone works on one weekday, such as Monday 08:00–16:00, optionally only between two dates
/// (both inclusive). A day with a lunch break is two values; hours that cross midnight are two values on
/// two weekdays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LocalHours {
    pub weekday: Weekday,
    pub start: Time,
    pub end: Time,
    pub valid_from: Option<Date>,
    pub valid_until: Option<Date>,
}

impl LocalHours {
    pub fn new(
        weekday: Weekday,
        start: Time,
        end: Time,
        valid_from: Option<Date>,
        valid_until: Option<Date>,
    ) -> Result<Self, ScheduleError> {
        if start >= end {
            return Err(ScheduleError::HoursEndBeforeStart);
        }
        if let (Some(from), Some(until)) = (valid_from, valid_until)
            && from > until
        {
            return Err(ScheduleError::ValidityReversed);
        }
        Ok(Self {
            weekday,
            start,
            end,
            valid_from,
            valid_until,
        })
    }

    /// Whether these hours apply on `date`: its weekday, within the validity.
    pub fn applies_on(&self, date: Date) -> bool {
        Weekday::from(date.weekday()) == self.weekday
            && self.valid_from.is_none_or(|from| from <= date)
            && self.valid_until.is_none_or(|until| date <= until)
    }

    /// The instants these hours cover on `date` (which they must apply on), or `None` when the wall-clock
    /// hours fall entirely in a spring-forward gap.
    fn on(&self, tz: &TimeZone, date: Date) -> Result<Option<Interval>, ScheduleError> {
        let start = start_instant(tz, date.to_datetime(self.start))?;
        let end = end_instant(tz, date.to_datetime(self.end))?;
        Ok(Interval::new(start, end).ok())
    }
}

/// The instants a practitioner works between two local dates (inclusive), in `tz`.
///
/// Hours that [`LocalHours::new`] would refuse contribute nothing, and so do days beyond the supported
/// range; overlapping hours merge.
pub fn working_intervals(tz: &TimeZone, hours: &[LocalHours], first: Date, last: Date) -> IntervalSet {
    let mut intervals = Vec::new();
    let mut date = first;
    while date <= last {
        for day_hours in hours.iter().filter(|h| h.applies_on(date)) {
            if let Ok(Some(interval)) = day_hours.on(tz, date) {
                intervals.push(interval);
            }
        }
        match date.tomorrow() {
            Ok(next) => date = next,
            Err(_) => break,
        }
    }
    IntervalSet::new(intervals)
}

#[cfg(test)]
mod tests {
    use jiff::civil::{date, time};
    use jiff::{SignedDuration, Timestamp};

    use super::*;

    fn hours(weekday: Weekday, start: Time, end: Time) -> LocalHours {
        LocalHours::new(weekday, start, end, None, None).unwrap()
    }

    #[test]
    fn hours_must_end_after_they_start_and_validity_must_not_be_reversed() {
        let nine = time(9, 0, 0, 0);
        let err = LocalHours::new(Weekday::Monday, nine, nine, None, None).unwrap_err();
        assert_eq!(err, ScheduleError::HoursEndBeforeStart);
        let err = LocalHours::new(Weekday::Monday, nine, time(8, 0, 0, 0), None, None).unwrap_err();
        assert_eq!(err, ScheduleError::HoursEndBeforeStart);
        let (from, until) = (Some(date(2026, 2, 1)), Some(date(2026, 1, 31)));
        let err = LocalHours::new(Weekday::Monday, nine, time(17, 0, 0, 0), from, until).unwrap_err();
        assert_eq!(err, ScheduleError::ValidityReversed);
        let same_day = Some(date(2026, 2, 1));
        assert!(LocalHours::new(Weekday::Sunday, nine, time(17, 0, 0, 0), same_day, same_day).is_ok());
    }

    #[test]
    fn working_intervals_follow_weekday_and_validity() {
        let oslo = TimeZone::get("Europe/Oslo").unwrap();
        let mut monday = hours(Weekday::Monday, time(8, 0, 0, 0), time(12, 0, 0, 0));
        monday.valid_from = Some(date(2026, 1, 12));
        monday.valid_until = Some(date(2026, 1, 19));
        let wednesday = hours(Weekday::Wednesday, time(13, 0, 0, 0), time(15, 0, 0, 0));
        let set = working_intervals(&oslo, &[monday, wednesday], date(2026, 1, 5), date(2026, 1, 26));
        let starts: Vec<Timestamp> = set.iter().map(|i| i.start()).collect();
        let expected: Vec<Timestamp> = [
            "2026-01-07T12:00:00Z",
            "2026-01-12T07:00:00Z",
            "2026-01-14T12:00:00Z",
            "2026-01-19T07:00:00Z",
            "2026-01-21T12:00:00Z",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        assert_eq!(starts, expected);
        assert_eq!(set.duration(), SignedDuration::from_hours(3 * 2 + 2 * 4));
    }

    #[test]
    fn working_intervals_merge_overlaps_and_skip_invalid_or_vanished_hours() {
        let oslo = TimeZone::get("Europe/Oslo").unwrap();
        let sunday = date(2026, 3, 29);
        let morning = hours(Weekday::Sunday, time(8, 0, 0, 0), time(12, 0, 0, 0));
        let overlapping = hours(Weekday::Sunday, time(11, 0, 0, 0), time(13, 0, 0, 0));
        let reversed = LocalHours {
            start: time(15, 0, 0, 0),
            end: time(14, 0, 0, 0),
            ..morning
        };
        // Entirely inside the missing hour of the spring-forward night.
        let vanished = hours(Weekday::Sunday, time(2, 15, 0, 0), time(2, 45, 0, 0));
        let set = working_intervals(&oslo, &[morning, overlapping, reversed, vanished], sunday, sunday);
        assert_eq!(set.iter().count(), 1);
        assert_eq!(set.duration(), SignedDuration::from_hours(5));
        assert!(working_intervals(&oslo, &[morning], date(2026, 3, 30), sunday).is_empty());
    }

    #[test]
    fn hours_ending_in_the_spring_gap_end_when_it_ends() {
        let oslo = TimeZone::get("Europe/Oslo").unwrap();
        let sunday = date(2026, 3, 29);
        let early = hours(Weekday::Sunday, time(1, 0, 0, 0), time(2, 30, 0, 0));
        let set = working_intervals(&oslo, &[early], sunday, sunday);
        assert_eq!(set.duration(), SignedDuration::from_hours(1));
        let end = set.iter().next().unwrap().end();
        assert_eq!(oslo.to_datetime(end), sunday.at(3, 0, 0, 0));
    }
}
