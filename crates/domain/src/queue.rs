//! The walk-in queue: the life of a ticket, the clinic's day that numbers it, and the estimate of how long
//! a waiting ticket still waits.
//!
//! Nothing here reads a clock: `now` comes from the caller.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use crate::patient::{TextRule, clean_text};

coded_enum!(
    /// Where a ticket is in its life. Waiting tickets are called in the order they were issued.
    TicketStatus, TicketStatusError, "ticket_status_invalid",
    "A ticket status must be waiting, called, serving, done, no_show or cancelled.", {
        /// Issued, not yet called.
        Waiting => "waiting",
        /// Called to a desk; the waiting-room screen shows the number and the desk.
        Called => "called",
        /// Being attended to at the desk.
        Serving => "serving",
        /// Attended to; its time at the desk counts towards the estimates.
        Done => "done",
        /// Called, or waiting, but the person did not come.
        NoShow => "no_show",
        /// Withdrawn before it was called (the person left, or took the ticket by mistake).
        Cancelled => "cancelled",
    }
);

/// A change of status that the rules do not allow; the message names both ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TicketTransitionError {
    #[error("a ticket cannot go from {from} to {to}; waiting tickets are called with call-next, in order")]
    CallNextOnly { from: TicketStatus, to: TicketStatus },
    #[error("a ticket cannot go from {from} to {to}")]
    NotAllowed { from: TicketStatus, to: TicketStatus },
}

impl TicketStatus {
    /// Whether a desk may move a ticket from this status to `to` by naming the new status.
    ///
    /// The one way from waiting to called is call-next, which hands out the oldest waiting ticket, so
    /// that no desk can jump the queue. Calling a called ticket again (a re-call) is allowed: the person
    /// may not have heard, or is sent to another desk.
    pub fn check_change(self, to: TicketStatus) -> Result<(), TicketTransitionError> {
        use TicketStatus::*;
        match (self, to) {
            (Called, Called | Serving | NoShow) | (Serving, Done) | (Waiting, NoShow | Cancelled) => Ok(()),
            (Waiting, Called) => Err(TicketTransitionError::CallNextOnly { from: self, to }),
            _ => Err(TicketTransitionError::NotAllowed { from: self, to }),
        }
    }

    /// Called or being served: a desk is busy with it.
    pub fn at_desk(self) -> bool {
        matches!(self, Self::Called | Self::Serving)
    }
}

/// Short free text of the queue: a queue's name and location, a desk, a ticket's reason. Trimmed, in
/// Unicode NFC, without control characters; its maximum length depends on the field.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Label(String);

/// Shows the length only: a ticket's reason says something about a person's health.
impl std::fmt::Debug for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Label({} characters)", self.0.chars().count())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    #[error("The value must not be empty.")]
    Empty,
    #[error("The value must be at most {0} characters long.")]
    TooLong(usize),
    #[error("The value must not contain control characters.")]
    ControlCharacter,
}

impl LabelError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::TooLong(_) => "too_long",
            Self::ControlCharacter => "control_character",
        }
    }
}

impl Label {
    /// A queue's name: "Walk-in", "Blood tests".
    pub const NAME_MAX: usize = 100;
    /// Where the queue is: "Ground floor", "Bergen sentrum".
    pub const LOCATION_MAX: usize = 100;
    /// What the screen shows people to go to: "Desk 2", "Room 4".
    pub const DESK_MAX: usize = 40;
    /// Why someone came, in a few words: "Prescription", "Blood test".
    pub const REASON_MAX: usize = 100;

    pub fn parse(s: &str, max_chars: usize) -> Result<Self, LabelError> {
        clean_text(s, max_chars).map(Self).map_err(|rule| match rule {
            TextRule::Empty => LabelError::Empty,
            TextRule::TooLong => LabelError::TooLong(max_chars),
            TextRule::ControlCharacter => LabelError::ControlCharacter,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<Label> for String {
    fn from(label: Label) -> Self {
        label.0
    }
}

/// The clinic's day at `now`, which tickets are numbered by: numbers start at 1 each day in the clinic's
/// own time zone, not in UTC, so a clinic in Oslo does not restart its numbers at 01:00 in winter.
pub fn service_day(now: Timestamp, zone: &TimeZone) -> Date {
    now.to_zoned(zone.clone()).date()
}

/// A desk counts as active while it has a ticket called or in service, and for this long after it last
/// called one.
pub const ACTIVE_DESK_WINDOW: SignedDuration = SignedDuration::from_mins(30);

/// What a ticket says about the desk that called it.
#[derive(Debug, Clone, Copy)]
pub struct DeskActivity<'a> {
    pub desk: &'a str,
    pub status: TicketStatus,
    pub called_at: Timestamp,
}

/// How many different desks are working the queue at `now`: those with a ticket at the desk, and those
/// that called a ticket within [`ACTIVE_DESK_WINDOW`].
pub fn active_desks<'a>(tickets: impl IntoIterator<Item = DeskActivity<'a>>, now: Timestamp) -> u32 {
    let since = now.checked_sub(ACTIVE_DESK_WINDOW).unwrap_or(Timestamp::MIN);
    let mut desks: Vec<&str> = tickets
        .into_iter()
        .filter(|ticket| ticket.status.at_desk() || ticket.called_at >= since)
        .map(|ticket| ticket.desk)
        .collect();
    desks.sort_unstable();
    desks.dedup();
    u32::try_from(desks.len()).unwrap_or(u32::MAX)
}

/// How long waiting tickets still wait: each position ahead costs one average service, shared among the
/// active desks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitEstimate {
    average_service: SignedDuration,
    desks: u32,
}

impl WaitEstimate {
    /// `finished` are the service times of the day's finished tickets (from the call to done); without
    /// any, `fallback` (the queue's configured average) stands in. Fewer than one desk counts as one: a
    /// queue nobody works yet still gets an estimate.
    pub fn new(finished: &[SignedDuration], fallback: SignedDuration, active_desks: u32) -> Self {
        Self {
            average_service: average(finished).unwrap_or(fallback),
            desks: active_desks.max(1),
        }
    }

    pub fn average_service(&self) -> SignedDuration {
        self.average_service
    }

    /// The wait of the ticket at `position` (1 is next): position × average service ÷ desks.
    pub fn wait(&self, position: u32) -> SignedDuration {
        let nanos = self.average_service.as_nanos() * i128::from(position) / i128::from(self.desks);
        SignedDuration::from_nanos_i128(nanos)
    }

    /// [`Self::wait`] in whole minutes, rounded up: a clinic would rather call someone early than late.
    pub fn wait_minutes(&self, position: u32) -> i64 {
        let nanos = self.wait(position).as_nanos();
        let minute = SignedDuration::from_mins(1).as_nanos();
        i64::try_from(nanos.div_euclid(minute) + i128::from(nanos.rem_euclid(minute) > 0)).unwrap_or(i64::MAX)
    }
}

/// The mean of the durations, leaving out negative ones (a clock stepped back between call and done).
fn average(durations: &[SignedDuration]) -> Option<SignedDuration> {
    let valid: Vec<i128> = durations
        .iter()
        .map(SignedDuration::as_nanos)
        .filter(|nanos| *nanos >= 0)
        .collect();
    let count = i128::try_from(valid.len()).ok().filter(|count| *count > 0)?;
    Some(SignedDuration::from_nanos_i128(
        valid.iter().sum::<i128>() / count,
    ))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const MINUTE: SignedDuration = SignedDuration::from_mins(1);

    #[test]
    fn statuses_are_stored_as_snake_case_codes() {
        assert_eq!(TicketStatus::NoShow.as_str(), "no_show");
        assert_eq!("serving".parse::<TicketStatus>(), Ok(TicketStatus::Serving));
        let error = "Done".parse::<TicketStatus>().unwrap_err();
        assert_eq!(error.code(), "ticket_status_invalid");
        assert!(!error.to_string().contains("Done"), "the input is not repeated");
    }

    #[test]
    fn exactly_the_listed_changes_are_allowed() {
        use TicketStatus::*;
        let allowed = [
            (Called, Called),
            (Called, Serving),
            (Called, NoShow),
            (Serving, Done),
            (Waiting, NoShow),
            (Waiting, Cancelled),
        ];
        for from in TicketStatus::ALL {
            for to in TicketStatus::ALL {
                assert_eq!(
                    from.check_change(to).is_ok(),
                    allowed.contains(&(from, to)),
                    "{from} -> {to}"
                );
            }
        }
    }

    #[test]
    fn a_refusal_names_both_statuses_and_points_waiting_tickets_to_call_next() {
        let refused = TicketStatus::Done
            .check_change(TicketStatus::Serving)
            .unwrap_err();
        assert_eq!(refused.to_string(), "a ticket cannot go from done to serving");
        let jump = TicketStatus::Waiting
            .check_change(TicketStatus::Called)
            .unwrap_err();
        assert!(matches!(jump, TicketTransitionError::CallNextOnly { .. }));
        assert!(jump.to_string().contains("from waiting to called"));
        assert!(jump.to_string().contains("call-next"));
    }

    #[test]
    fn labels_are_trimmed_and_limited() {
        assert_eq!(
            Label::parse("  Desk 2 ", Label::DESK_MAX).unwrap().as_str(),
            "Desk 2"
        );
        assert_eq!(Label::parse(" ", 10), Err(LabelError::Empty));
        assert_eq!(
            Label::parse(&"x".repeat(41), Label::DESK_MAX),
            Err(LabelError::TooLong(40))
        );
        assert_eq!(Label::parse("a\nb", 10), Err(LabelError::ControlCharacter));
        assert_eq!(
            LabelError::TooLong(40).to_string(),
            "The value must be at most 40 characters long."
        );
    }

    #[test]
    fn the_day_is_the_clinics_own() {
        let oslo = TimeZone::get("Europe/Oslo").unwrap();
        // 23:30 UTC on 31 January is already 1 February in Oslo.
        let late: Timestamp = "2026-01-31T23:30:00Z".parse().unwrap();
        assert_eq!(service_day(late, &oslo), jiff::civil::date(2026, 2, 1));
        assert_eq!(service_day(late, &TimeZone::UTC), jiff::civil::date(2026, 1, 31));
        // Across the spring change (02:00 becomes 03:00 on 29 March 2026) the day is still that day.
        let after_change: Timestamp = "2026-03-29T01:30:00Z".parse().unwrap();
        assert_eq!(service_day(after_change, &oslo), jiff::civil::date(2026, 3, 29));
        let new_york = TimeZone::get("America/New_York").unwrap();
        assert_eq!(service_day(late, &new_york), jiff::civil::date(2026, 1, 31));
    }

    fn at(minutes_ago: i64, now: Timestamp) -> Timestamp {
        now.checked_sub(SignedDuration::from_mins(minutes_ago)).unwrap()
    }

    #[test]
    fn desks_count_while_busy_or_recently_calling() {
        let now: Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
        let activity = |desk, status, minutes_ago| DeskActivity {
            desk,
            status,
            called_at: at(minutes_ago, now),
        };
        let tickets = [
            activity("Desk 1", TicketStatus::Done, 5),
            activity("Desk 1", TicketStatus::Done, 20),
            activity("Desk 2", TicketStatus::Serving, 90),
            activity("Desk 3", TicketStatus::Done, 45),
            activity("Desk 4", TicketStatus::NoShow, 29),
        ];
        assert_eq!(
            active_desks(tickets, now),
            3,
            "desks 1, 2 and 4; desk 3 went quiet"
        );
        assert_eq!(active_desks([], now), 0);
    }

    #[test]
    fn the_estimate_uses_the_days_average_or_the_configured_one() {
        let configured = SignedDuration::from_mins(10);
        let fresh = WaitEstimate::new(&[], configured, 0);
        assert_eq!(fresh.average_service(), configured);
        assert_eq!(
            fresh.wait_minutes(3),
            30,
            "three positions, one desk at 10 minutes"
        );

        let finished = [SignedDuration::from_mins(4), SignedDuration::from_mins(8)];
        let busy = WaitEstimate::new(&finished, configured, 2);
        assert_eq!(busy.average_service(), SignedDuration::from_mins(6));
        assert_eq!(
            busy.wait(3),
            SignedDuration::from_mins(9),
            "3 × 6 minutes ÷ 2 desks"
        );

        let odd = WaitEstimate::new(&[SignedDuration::from_secs(150)], configured, 1);
        assert_eq!(odd.wait_minutes(1), 3, "2.5 minutes round up");
        assert_eq!(odd.wait_minutes(2), 5);
        assert_eq!(odd.wait_minutes(0), 0);
    }

    #[test]
    fn negative_service_times_are_left_out() {
        let finished = [SignedDuration::from_mins(-5), SignedDuration::from_mins(6)];
        let estimate = WaitEstimate::new(&finished, MINUTE, 1);
        assert_eq!(estimate.average_service(), SignedDuration::from_mins(6));
        let only_negative = WaitEstimate::new(&[SignedDuration::from_mins(-5)], MINUTE, 1);
        assert_eq!(only_negative.average_service(), MINUTE);
    }

    fn durations() -> impl Strategy<Value = Vec<SignedDuration>> {
        prop::collection::vec((0i64..4 * 3600).prop_map(SignedDuration::from_secs), 0..20)
    }

    proptest! {
        #[test]
        fn a_later_position_never_waits_less(
            finished in durations(), fallback in 1i64..120, desks in 0u32..10, position in 0u32..500,
        ) {
            let estimate = WaitEstimate::new(&finished, SignedDuration::from_mins(fallback), desks);
            prop_assert!(estimate.wait(position + 1) >= estimate.wait(position));
            prop_assert!(estimate.wait_minutes(position + 1) >= estimate.wait_minutes(position));
        }

        #[test]
        fn more_desks_never_wait_longer(
            finished in durations(), fallback in 1i64..120, desks in 0u32..10, position in 0u32..500,
        ) {
            let fallback = SignedDuration::from_mins(fallback);
            let fewer = WaitEstimate::new(&finished, fallback, desks);
            let more = WaitEstimate::new(&finished, fallback, desks + 1);
            prop_assert!(more.wait(position) <= fewer.wait(position));
        }

        #[test]
        fn minutes_round_the_wait_up(
            finished in durations(), fallback in 1i64..120, desks in 0u32..10, position in 0u32..500,
        ) {
            let estimate = WaitEstimate::new(&finished, SignedDuration::from_mins(fallback), desks);
            let wait = estimate.wait(position);
            let minutes = estimate.wait_minutes(position);
            prop_assert!(MINUTE * i32::try_from(minutes).unwrap() >= wait);
            prop_assert!(MINUTE * i32::try_from(minutes - 1).unwrap() < wait || minutes == 0);
        }

        #[test]
        fn no_desk_counts_as_one(finished in durations(), fallback in 1i64..120, position in 0u32..500) {
            let fallback = SignedDuration::from_mins(fallback);
            prop_assert_eq!(
                WaitEstimate::new(&finished, fallback, 0).wait(position),
                WaitEstimate::new(&finished, fallback, 1).wait(position)
            );
        }
    }
}
