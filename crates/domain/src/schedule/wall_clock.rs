//! Local wall-clock times to instants, by the daylight-saving rules in the module docs.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};

use super::ScheduleError;

/// The instant at which something that starts at `local` in `tz` starts.
///
/// In a spring-forward gap it is the first instant after the gap; in a repeated fall-back hour it is the
/// earlier of the two instants.
pub fn start_instant(tz: &TimeZone, local: DateTime) -> Result<Timestamp, ScheduleError> {
    resolve(tz, local, Side::Start)
}

/// The instant at which something that ends at `local` in `tz` ends.
///
/// In a spring-forward gap it is the first instant after the gap; in a repeated fall-back hour it is the
/// later of the two instants, so that hours spanning the repeated hour include both of its passes.
pub fn end_instant(tz: &TimeZone, local: DateTime) -> Result<Timestamp, ScheduleError> {
    resolve(tz, local, Side::End)
}

#[derive(Clone, Copy)]
enum Side {
    Start,
    End,
}

fn resolve(tz: &TimeZone, local: DateTime, side: Side) -> Result<Timestamp, ScheduleError> {
    let ambiguous = tz.to_ambiguous_timestamp(local);
    let resolved = match (ambiguous.offset(), side) {
        (AmbiguousOffset::Gap { .. }, _) => {
            // `earlier` reads the time with the offset after the gap, which gives an instant before the
            // transition; the transition that follows it is where the gap ends.
            let before_gap = ambiguous.earlier().map_err(|_| ScheduleError::OutOfRange)?;
            let transition = tz.following(before_gap).next().ok_or(ScheduleError::OutOfRange)?;
            return Ok(transition.timestamp());
        }
        (AmbiguousOffset::Fold { .. }, Side::End) => ambiguous.later(),
        (_, _) => ambiguous.earlier(),
    };
    resolved.map_err(|_| ScheduleError::OutOfRange)
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn times_in_the_spring_gap_move_to_the_end_of_the_gap() {
        let oslo = TimeZone::get("Europe/Oslo").unwrap();
        let in_gap = date(2026, 3, 29).at(2, 30, 0, 0);
        assert_eq!(start_instant(&oslo, in_gap).unwrap(), ts("2026-03-29T01:00:00Z"));
        assert_eq!(end_instant(&oslo, in_gap).unwrap(), ts("2026-03-29T01:00:00Z"));
        let new_york = TimeZone::get("America/New_York").unwrap();
        let in_gap = date(2026, 3, 8).at(2, 0, 0, 0);
        assert_eq!(
            start_instant(&new_york, in_gap).unwrap(),
            ts("2026-03-08T07:00:00Z")
        );
    }

    #[test]
    fn times_in_the_repeated_hour_start_early_and_end_late() {
        let oslo = TimeZone::get("Europe/Oslo").unwrap();
        let repeated = date(2026, 10, 25).at(2, 30, 0, 0);
        assert_eq!(
            start_instant(&oslo, repeated).unwrap(),
            ts("2026-10-25T00:30:00Z")
        );
        assert_eq!(end_instant(&oslo, repeated).unwrap(), ts("2026-10-25T01:30:00Z"));
    }

    #[test]
    fn ordinary_times_have_one_instant() {
        let oslo = TimeZone::get("Europe/Oslo").unwrap();
        let noon = date(2026, 7, 1).at(12, 0, 0, 0);
        assert_eq!(start_instant(&oslo, noon).unwrap(), ts("2026-07-01T10:00:00Z"));
        assert_eq!(end_instant(&oslo, noon).unwrap(), ts("2026-07-01T10:00:00Z"));
    }

    #[test]
    fn times_beyond_the_supported_range_are_refused_not_panicked_on() {
        let tz = TimeZone::fixed(jiff::tz::offset(-12));
        assert_eq!(start_instant(&tz, DateTime::MAX), Err(ScheduleError::OutOfRange));
    }
}
