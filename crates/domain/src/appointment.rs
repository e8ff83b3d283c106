//! Appointments and what they are booked with: the lifecycle of an appointment, why it was cancelled, and
//! the coded values of services, resources and time blocks.
//!
//! Nothing here reads a clock: rules that depend on the time take `now` from the caller.

use jiff::{SignedDuration, Timestamp};

coded_enum!(
    /// Where an appointment is in its life. Only the transitions of [`AppointmentStatus::check_transition`]
    /// exist; cancelled and no-show appointments no longer hold their time.
    AppointmentStatus, AppointmentStatusError, "unknown_status",
    "the status is booked, arrived, in_progress, completed, cancelled or no_show",
    {
        Booked => "booked",
        Arrived => "arrived",
        InProgress => "in_progress",
        Completed => "completed",
        Cancelled => "cancelled",
        NoShow => "no_show",
    }
);

/// A transition the lifecycle does not have, or one that comes too early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("an appointment cannot go from {from} to {to}")]
    NotAllowed {
        from: AppointmentStatus,
        to: AppointmentStatus,
    },
    #[error("an appointment can be marked no-show only once it has started")]
    NoShowBeforeStart,
}

impl AppointmentStatus {
    /// The statuses whose appointments occupy their time: the overlap rules and the PostgreSQL exclusion
    /// constraints count exactly these.
    pub const HOLDING_TIME: [AppointmentStatus; 4] =
        [Self::Booked, Self::Arrived, Self::InProgress, Self::Completed];

    pub fn holds_time(self) -> bool {
        Self::HOLDING_TIME.contains(&self)
    }

    /// Whether an appointment may still be moved to another time, practitioner or resource.
    pub fn is_movable(self) -> bool {
        self == Self::Booked
    }

    /// Checks one step of the lifecycle: booked → arrived → in progress → completed, with cancellation before
    /// the patient is seen, and no-show once the start has passed.
    pub fn check_transition(
        self,
        to: AppointmentStatus,
        now: Timestamp,
        start: Timestamp,
    ) -> Result<(), TransitionError> {
        use AppointmentStatus::*;
        let allowed = matches!(
            (self, to),
            (Booked, Arrived)
                | (Booked, Cancelled)
                | (Booked, NoShow)
                | (Arrived, InProgress)
                | (Arrived, Cancelled)
                | (InProgress, Completed)
        );
        if !allowed {
            return Err(TransitionError::NotAllowed { from: self, to });
        }
        if to == NoShow && now < start {
            return Err(TransitionError::NoShowBeforeStart);
        }
        Ok(())
    }
}

coded_enum!(
    /// Why an appointment was cancelled: a code, so no free text about a patient ends up in the schedule.
    CancelReason, CancelReasonError, "unknown_cancel_reason",
    "the reason is patient_request, patient_unwell, clinic_request, practitioner_unavailable, weather or other",
    {
        PatientRequest => "patient_request",
        PatientUnwell => "patient_unwell",
        ClinicRequest => "clinic_request",
        PractitionerUnavailable => "practitioner_unavailable",
        Weather => "weather",
        Other => "other",
    }
);

/// Whether cancelling at `now` an appointment starting at `start` is late: inside the window before the
/// start, or after it.
pub fn is_late_cancellation(now: Timestamp, start: Timestamp, window: SignedDuration) -> bool {
    now >= start - window
}

coded_enum!(
    /// Why a practitioner or a resource is not bookable for a while.
    BlockKind, BlockKindError, "unknown_block_kind",
    "the kind is absence, break, meeting, maintenance or other",
    {
        Absence => "absence",
        Break => "break",
        Meeting => "meeting",
        Maintenance => "maintenance",
        Other => "other",
    }
);

coded_enum!(
    /// What a bookable resource is.
    ResourceKind, ResourceKindError, "unknown_resource_kind",
    "the kind is room, equipment or other",
    {
        Room => "room",
        Equipment => "equipment",
        Other => "other",
    }
);

/// The bounds of a service's timing, in minutes.
pub const DURATION_MINUTES: std::ops::RangeInclusive<i64> = 5..=720;
pub const BUFFER_MINUTES: std::ops::RangeInclusive<i64> = 0..=240;

/// A colour for the calendar, `#rrggbb`, kept in lowercase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Colour(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a colour is written #rrggbb, for example #3b82f6")]
pub struct ColourError;

impl Colour {
    pub fn parse(raw: &str) -> Result<Self, ColourError> {
        let hex = raw.strip_prefix('#').ok_or(ColourError)?;
        if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(format!("#{}", hex.to_ascii_lowercase())))
        } else {
            Err(ColourError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::AppointmentStatus::*;
    use super::*;

    fn at(hour: i8) -> Timestamp {
        jiff::civil::date(2027, 3, 1)
            .at(hour, 0, 0, 0)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .unwrap()
            .timestamp()
    }

    #[test]
    fn the_lifecycle_runs_forward_only() {
        let (now, start) = (at(8), at(9));
        assert!(Booked.check_transition(Arrived, now, start).is_ok());
        assert!(Arrived.check_transition(InProgress, now, start).is_ok());
        assert!(InProgress.check_transition(Completed, now, start).is_ok());
        assert!(Booked.check_transition(Cancelled, now, start).is_ok());
        for (from, to) in [
            (Completed, Booked),
            (Cancelled, Booked),
            (Booked, Completed),
            (Booked, InProgress),
            (InProgress, Cancelled),
            (NoShow, Arrived),
            (Completed, Cancelled),
        ] {
            assert_eq!(
                from.check_transition(to, now, start),
                Err(TransitionError::NotAllowed { from, to }),
                "{from} -> {to}"
            );
        }
    }

    #[test]
    fn no_show_waits_for_the_start() {
        assert_eq!(
            Booked.check_transition(NoShow, at(8), at(9)),
            Err(TransitionError::NoShowBeforeStart)
        );
        assert!(Booked.check_transition(NoShow, at(9), at(9)).is_ok());
    }

    #[test]
    fn only_live_appointments_hold_time() {
        assert!(Completed.holds_time() && Booked.holds_time());
        assert!(!Cancelled.holds_time() && !NoShow.holds_time());
    }

    #[test]
    fn late_cancellation_is_inside_the_window() {
        let window = SignedDuration::from_hours(24);
        assert!(!is_late_cancellation(
            at(8) - SignedDuration::from_hours(25),
            at(8),
            window
        ));
        assert!(is_late_cancellation(
            at(8) - SignedDuration::from_hours(23),
            at(8),
            window
        ));
        assert!(is_late_cancellation(at(9), at(8), window));
    }

    #[test]
    fn colours_are_hex_triplets() {
        assert_eq!(Colour::parse("#3B82F6").unwrap().as_str(), "#3b82f6");
        for bad in ["3b82f6", "#3b82f", "#3b82fg", "#3b82f6aa", ""] {
            assert_eq!(Colour::parse(bad), Err(ColourError), "{bad}");
        }
    }
}
