//! The rules of a clinic's calendar: working hours, free slots and repeating appointments.
//!
//! A clinic thinks in wall-clock time ("we open at 08:00 on Mondays"), while an appointment is a pair of
//! instants. Every rule here takes local dates and times in the organization's time zone and answers in
//! [`Timestamp`]s, so that what is stored and compared is never ambiguous.
//!
//! # Daylight saving
//!
//! Twice a year the wall clock of most zones jumps: in spring an hour is missing (Europe/Oslo goes from
//! 02:00 to 03:00 on 2026-03-29), in autumn an hour is repeated (03:00 back to 02:00 on 2026-10-25). A local
//! time is turned into an instant by these rules ([`start_instant`], [`end_instant`]):
//!
//! - A start or an end inside the missing hour moves to the first instant after the gap (03:00 in Oslo), so
//!   on that day working hours 02:15–02:45 are empty and 01:00–02:30 last one real hour, until 03:00.
//! - A start inside the repeated hour takes the earlier instant (the first 02:30) and an end takes the later
//!   one (the second 02:30), so a shift that spans the repeated hour works it entirely: 00:00–06:00 is 5 real
//!   hours on the spring day and 7 on the autumn day.
//! - Free slots are stepped in absolute time from the start of each open interval, so the repeated hour's
//!   slots are distinct instants, none is offered twice, and no slot starts at a local time in the missing
//!   hour (no instant has one).
//! - A repeating appointment keeps the wall-clock time of its first occurrence: a weekly 09:00 appointment
//!   is at 09:00 local before and after the change, so the gap between two occurrences is not always a
//!   multiple of 24 hours. Each occurrence's local date-time is converted with the start rule above.
//!
//! Nothing here reads a clock or does I/O; the caller gives the time zone, the dates and the window.

mod hours;
mod interval;
mod recurrence;
mod slots;
mod wall_clock;
mod weekday;

#[cfg(test)]
mod tests;

pub use hours::{LocalHours, working_intervals};
pub use interval::{Interval, IntervalSet};
pub use recurrence::{MAX_OCCURRENCES, MAX_RULE_LENGTH, Occurrence, Recurrence, RecurrenceError};
pub use slots::{SlotRules, free_slots};
pub use wall_clock::{end_instant, start_instant};
pub use weekday::{Weekday, WeekdayError};

use jiff::Timestamp;

/// Why a schedule value was refused. The messages name the rule that was broken, never the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("An interval must end after it starts.")]
    EmptyInterval,
    #[error("Working hours must end after they start, on the same day.")]
    HoursEndBeforeStart,
    #[error("Working hours must not be valid from a date after the date they are valid until.")]
    ValidityReversed,
    #[error("An appointment must last longer than zero, and its time step must be longer than zero.")]
    NonPositiveDuration,
    #[error("The buffers before and after an appointment must not be negative.")]
    NegativeBuffer,
    #[error("The time is outside the range of dates Praxis supports.")]
    OutOfRange,
}

impl ScheduleError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::EmptyInterval => "interval_empty",
            Self::HoursEndBeforeStart => "hours_end_before_start",
            Self::ValidityReversed => "hours_validity_reversed",
            Self::NonPositiveDuration => "slot_duration_not_positive",
            Self::NegativeBuffer => "slot_buffer_negative",
            Self::OutOfRange => "time_out_of_range",
        }
    }
}

/// `time + duration`, or `OutOfRange` past the ends of jiff's range (year 9999) instead of jiff's panic.
fn add(time: Timestamp, duration: jiff::SignedDuration) -> Result<Timestamp, ScheduleError> {
    time.checked_add(duration).map_err(|_| ScheduleError::OutOfRange)
}
