//! Repeating appointments: RFC 5545 recurrence rules (RRULE), expanded in the organization's wall-clock time.
//!
//! The `rrule` crate does the calendar arithmetic. It is given the local date-times as if they were UTC
//! ("floating" time), so that it never applies daylight saving itself: a weekly 09:00 series stays at 09:00
//! on the wall clock, and only then is each occurrence converted to an instant by [`start_instant`]. `UNTIL`
//! is read here rather than by the crate, which would read a value without `Z` in the server's own zone.

mod until;

use std::str::FromStr;

use chrono::{Datelike, TimeZone as _, Timelike};
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use rrule::{Frequency, NWeekday, RRule, RRuleError, Unvalidated};
use serde::{Deserialize, Serialize};

use super::start_instant;
use until::{Until, digits};

/// The most occurrences a rule may give; a rule that gives more is refused, never cut short.
pub const MAX_OCCURRENCES: usize = 260;

/// The longest rule accepted, in bytes; real rules are a few dozen.
pub const MAX_RULE_LENGTH: usize = 500;

/// The parts a rule may have. The others would move an occurrence away from the first one's time of day
/// (`BYHOUR`, `BYMINUTE`, `BYSECOND`) or are rarely meant for appointments (`BYYEARDAY`, `BYWEEKNO`).
const SUPPORTED_PARTS: [&str; 9] = [
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
];
const UNSUPPORTED_PARTS: [&str; 5] = ["BYSECOND", "BYMINUTE", "BYHOUR", "BYYEARDAY", "BYWEEKNO"];
const FREQUENCIES: [&str; 4] = ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"];

/// Why a recurrence rule was refused. Messages name the rule part at fault; only [`RecurrenceError::Invalid`]
/// quotes the part's value, as the `rrule` crate words it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecurrenceError {
    #[error("A recurrence rule must be at most {max} characters long.", max = MAX_RULE_LENGTH)]
    TooLong,
    #[error(
        "A recurrence rule is a list of NAME=VALUE parts separated by semicolons, such as FREQ=WEEKLY;COUNT=6."
    )]
    Malformed,
    #[error(
        "The recurrence rule part {0} is not supported; use FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS and WKST."
    )]
    UnsupportedPart(&'static str),
    #[error(
        "The recurrence rule has a part that RFC 5545 does not define; use FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH, BYSETPOS and WKST."
    )]
    UnknownPart,
    #[error("The recurrence rule part {0} appears more than once.")]
    DuplicatePart(&'static str),
    #[error("A recurrence rule needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY.")]
    MissingFrequency,
    #[error("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY: appointments do not repeat within a day.")]
    InvalidFrequency,
    #[error("INTERVAL must be a whole number of at least 1.")]
    InvalidInterval,
    #[error("COUNT must be a whole number from 1 to {max}.", max = MAX_OCCURRENCES)]
    InvalidCount,
    #[error(
        "UNTIL must be a date such as 20270131, or a date-time such as 20270131T170000 (local) or 20270131T160000Z (UTC)."
    )]
    InvalidUntil,
    #[error("BYDAY may number its days (such as 1MO or -1FR) only with FREQ=MONTHLY or YEARLY.")]
    OrdinalWeekday,
    #[error("BYMONTHDAY values run from 1 to 31, or from -31 to -1 counting from the end of the month.")]
    InvalidMonthDay,
    #[error("A recurrence rule must end: give COUNT or UNTIL.")]
    Unbounded,
    #[error("A recurrence rule may give COUNT or UNTIL, not both.")]
    CountAndUntil,
    #[error("The recurrence rule is not valid: {0}")]
    Invalid(String),
    #[error("UNTIL is before the first occurrence.")]
    UntilBeforeStart,
    #[error("The recurrence rule gives no occurrence from the first one on.")]
    NoOccurrence,
    #[error("The recurrence rule gives more than {max} occurrences; end the series sooner.", max = MAX_OCCURRENCES)]
    TooMany,
    #[error(
        "The recurrence rule runs out of matching dates before COUNT is reached (such as a 30th of February)."
    )]
    TooSparse,
    #[error("An occurrence falls outside the range of dates Praxis supports.")]
    OutOfRange,
}

impl RecurrenceError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLong => "recurrence_too_long",
            Self::Malformed => "recurrence_malformed",
            Self::UnsupportedPart(_) => "recurrence_part_unsupported",
            Self::UnknownPart => "recurrence_part_unknown",
            Self::DuplicatePart(_) => "recurrence_part_duplicate",
            Self::MissingFrequency => "recurrence_frequency_missing",
            Self::InvalidFrequency => "recurrence_frequency_invalid",
            Self::InvalidInterval => "recurrence_interval_invalid",
            Self::InvalidCount => "recurrence_count_invalid",
            Self::InvalidUntil => "recurrence_until_invalid",
            Self::OrdinalWeekday => "recurrence_ordinal_weekday",
            Self::InvalidMonthDay => "recurrence_month_day_invalid",
            Self::Unbounded => "recurrence_unbounded",
            Self::CountAndUntil => "recurrence_count_and_until",
            Self::Invalid(_) => "recurrence_invalid",
            Self::UntilBeforeStart => "recurrence_until_before_start",
            Self::NoOccurrence => "recurrence_no_occurrence",
            Self::TooMany => "recurrence_too_many",
            Self::TooSparse => "recurrence_too_sparse",
            Self::OutOfRange => "recurrence_out_of_range",
        }
    }

    /// The crate's own message, without its "RRule parsing error:" prefix.
    fn from_rrule(error: RRuleError) -> Self {
        Self::Invalid(match error {
            RRuleError::ParserError(e) => e.to_string(),
            RRuleError::ValidationError(e) => e.to_string(),
            RRuleError::IterError(message) => message,
        })
    }
}

/// A parsed recurrence rule such as `FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=10`, kept in upper case without
/// an `RRULE:` prefix. It always ends (`COUNT` or `UNTIL`); the first occurrence comes from the caller.
#[derive(Clone)]
pub struct Recurrence {
    text: String,
    /// Everything but `UNTIL`, which depends on the time zone and is added when expanding.
    rule: RRule<Unvalidated>,
    until: Option<Until>,
}

/// One occurrence: the wall-clock date-time the rule gives and the instant it starts. The instant's local
/// time differs from `local` only when `local` falls in a spring-forward gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Occurrence {
    pub local: DateTime,
    pub start: Timestamp,
}

impl Recurrence {
    /// Accepts `FREQ=WEEKLY;COUNT=6`, with or without an `RRULE:` prefix, in any letter case.
    pub fn parse(rule: &str) -> Result<Self, RecurrenceError> {
        let rule = rule.trim();
        if rule.len() > MAX_RULE_LENGTH {
            return Err(RecurrenceError::TooLong);
        }
        let upper = rule.to_ascii_uppercase();
        let body = upper.strip_prefix("RRULE:").unwrap_or(&upper);
        let parts: Vec<&str> = body.split(';').filter(|part| !part.is_empty()).collect();
        let (mut seen, mut kept, mut until, mut count) = (Vec::new(), Vec::new(), None, None);
        for &part in &parts {
            let (name, value) = part
                .split_once('=')
                .filter(|(name, value)| !name.is_empty() && !value.is_empty())
                .ok_or(RecurrenceError::Malformed)?;
            let name = part_name(name)?;
            if seen.contains(&name) {
                return Err(RecurrenceError::DuplicatePart(name));
            }
            seen.push(name);
            match name {
                "FREQ" if !FREQUENCIES.contains(&value) => return Err(RecurrenceError::InvalidFrequency),
                "INTERVAL" if digits::<u16>(value).is_none_or(|n| n == 0) => {
                    return Err(RecurrenceError::InvalidInterval);
                }
                "COUNT" => count = Some(parse_count(value)?),
                "UNTIL" => until = Some(Until::parse(value)?),
                _ => {}
            }
            if name != "UNTIL" {
                kept.push(part);
            }
        }
        if !seen.contains(&"FREQ") {
            return Err(if seen.is_empty() {
                RecurrenceError::Malformed
            } else {
                RecurrenceError::MissingFrequency
            });
        }
        match (count, until) {
            (None, None) => return Err(RecurrenceError::Unbounded),
            (Some(_), Some(_)) => return Err(RecurrenceError::CountAndUntil),
            _ => {}
        }
        let parsed: RRule<Unvalidated> = kept.join(";").parse().map_err(RecurrenceError::from_rrule)?;
        check_rfc_limits(&parsed)?;
        // Check the rule against a neutral start now, so that a broken rule is refused when it is entered.
        let neutral = floating(jiff::civil::date(2000, 1, 1).at(0, 0, 0, 0))?;
        parsed
            .clone()
            .validate(neutral)
            .map_err(RecurrenceError::from_rrule)?;
        Ok(Self {
            text: parts.join(";"),
            rule: parsed,
            until,
        })
    }

    /// The rule as stored, such as `FREQ=WEEKLY;COUNT=6`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Every occurrence, `first` included when it matches the rule, as local date-times converted to
    /// instants in `tz`.
    pub fn occurrences(&self, first: DateTime, tz: &TimeZone) -> Result<Vec<Occurrence>, RecurrenceError> {
        let mut rule = self.rule.clone();
        if let Some(until) = self.until {
            let last = until.local(tz)?;
            if last < first {
                return Err(RecurrenceError::UntilBeforeStart);
            }
            rule = rule.until(floating(last)?);
        }
        let set = rule
            .build(floating(first)?)
            .map_err(RecurrenceError::from_rrule)?;
        // One more than allowed, to tell a rule that reaches the maximum from one that exceeds it.
        let result = set.all(MAX_OCCURRENCES as u16 + 1);
        if result.dates.len() > MAX_OCCURRENCES {
            return Err(RecurrenceError::TooMany);
        }
        // The crate stops a search that finds nothing for too long, and at the end of its range of years.
        let short_of_count = self
            .rule
            .get_count()
            .is_some_and(|count| result.dates.len() < count as usize);
        if result.limited || short_of_count {
            return Err(RecurrenceError::TooSparse);
        }
        if result.dates.is_empty() {
            return Err(RecurrenceError::NoOccurrence);
        }
        result
            .dates
            .iter()
            .map(|date| {
                let local = civil(date.naive_utc())?;
                let start = start_instant(tz, local).map_err(|_| RecurrenceError::OutOfRange)?;
                Ok(Occurrence { local, start })
            })
            .collect()
    }
}

/// What RFC 5545 forbids and the `rrule` crate lets through (it would silently ignore or never match it).
fn check_rfc_limits(rule: &RRule<Unvalidated>) -> Result<(), RecurrenceError> {
    let by_ordinal = rule
        .get_by_weekday()
        .iter()
        .any(|day| matches!(day, NWeekday::Nth(..)));
    if by_ordinal && matches!(rule.get_freq(), Frequency::Daily | Frequency::Weekly) {
        return Err(RecurrenceError::OrdinalWeekday);
    }
    if rule.get_by_month_day().contains(&0) {
        return Err(RecurrenceError::InvalidMonthDay);
    }
    Ok(())
}

/// The spelling of a part name as a constant, or why the name is refused.
fn part_name(name: &str) -> Result<&'static str, RecurrenceError> {
    if let Some(known) = SUPPORTED_PARTS.into_iter().find(|known| *known == name) {
        return Ok(known);
    }
    match UNSUPPORTED_PARTS.into_iter().find(|known| *known == name) {
        Some(known) => Err(RecurrenceError::UnsupportedPart(known)),
        None => Err(RecurrenceError::UnknownPart),
    }
}

fn parse_count(value: &str) -> Result<u32, RecurrenceError> {
    let count: u32 = digits(value).ok_or(RecurrenceError::InvalidCount)?;
    match count {
        0 => Err(RecurrenceError::InvalidCount),
        n if n as usize > MAX_OCCURRENCES => Err(RecurrenceError::TooMany),
        n => Ok(n),
    }
}

/// A local date-time as the `rrule` crate's UTC, so that it does no time-zone arithmetic of its own.
fn floating(local: DateTime) -> Result<chrono::DateTime<rrule::Tz>, RecurrenceError> {
    let naive =
        chrono::NaiveDate::from_ymd_opt(local.year().into(), local.month() as u32, local.day() as u32)
            .and_then(|date| {
                date.and_hms_nano_opt(
                    local.hour() as u32,
                    local.minute() as u32,
                    local.second() as u32,
                    local.subsec_nanosecond() as u32,
                )
            })
            .ok_or(RecurrenceError::OutOfRange)?;
    Ok(rrule::Tz::UTC.from_utc_datetime(&naive))
}

/// The inverse of [`floating`].
fn civil(naive: chrono::NaiveDateTime) -> Result<DateTime, RecurrenceError> {
    let year = i16::try_from(naive.year()).map_err(|_| RecurrenceError::OutOfRange)?;
    DateTime::new(
        year,
        naive.month() as i8,
        naive.day() as i8,
        naive.hour() as i8,
        naive.minute() as i8,
        naive.second() as i8,
        naive.nanosecond() as i32,
    )
    .map_err(|_| RecurrenceError::OutOfRange)
}

impl FromStr for Recurrence {
    type Err = RecurrenceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl std::fmt::Display for Recurrence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Shows the rule's text; the parsed form adds nothing to a log line.
impl std::fmt::Debug for Recurrence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Recurrence").field(&self.text).finish()
    }
}

/// Two rules are equal when their stored texts are.
impl PartialEq for Recurrence {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Recurrence {}

impl Serialize for Recurrence {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Recurrence {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
