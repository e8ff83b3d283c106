//! The `UNTIL` part, read here because the `rrule` crate would read a local value in the server's own zone.

use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;

use super::RecurrenceError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Until {
    /// Through the end of that local day.
    Date(Date),
    Local(DateTime),
    Utc(Timestamp),
}

/// A number written with ASCII digits only (no sign, no spaces), as RFC 5545 writes them.
pub(super) fn digits<T: FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

impl Until {
    /// `YYYYMMDD`, `YYYYMMDDTHHMMSS` or `YYYYMMDDTHHMMSSZ`.
    pub(super) fn parse(value: &str) -> Result<Self, RecurrenceError> {
        let invalid = RecurrenceError::InvalidUntil;
        let (date, rest) = value.split_at_checked(8).ok_or(invalid.clone())?;
        let number = |range: std::ops::Range<usize>, text: &str| text.get(range).and_then(digits::<i16>);
        let date = match (number(0..4, date), number(4..6, date), number(6..8, date)) {
            (Some(y), Some(m), Some(d)) => Date::new(y, m as i8, d as i8).map_err(|_| invalid.clone())?,
            _ => return Err(invalid),
        };
        if rest.is_empty() {
            return Ok(Self::Date(date));
        }
        let time = rest.strip_prefix('T').ok_or(invalid.clone())?;
        let (time, utc) = match time.strip_suffix('Z') {
            Some(time) => (time, true),
            None => (time, false),
        };
        let time = match (
            time.len(),
            number(0..2, time),
            number(2..4, time),
            number(4..6, time),
        ) {
            (6, Some(h), Some(m), Some(s)) => {
                Time::new(h as i8, m as i8, s as i8, 0).map_err(|_| invalid.clone())?
            }
            _ => return Err(invalid),
        };
        let local = date.to_datetime(time);
        if utc {
            let instant = local.to_zoned(TimeZone::UTC).map_err(|_| invalid)?.timestamp();
            Ok(Self::Utc(instant))
        } else {
            Ok(Self::Local(local))
        }
    }

    /// The last local date-time an occurrence may have.
    pub(super) fn local(self, tz: &TimeZone) -> Result<DateTime, RecurrenceError> {
        Ok(match self {
            Self::Date(date) => date.at(23, 59, 59, 999_999_999),
            Self::Local(local) => local,
            Self::Utc(instant) => tz.to_datetime(instant),
        })
    }
}
