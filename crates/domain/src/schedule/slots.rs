//! Bookable slots: where an appointment of a given length fits between the others.

use jiff::{SignedDuration, Timestamp};

use super::{Interval, IntervalSet, ScheduleError, add};

/// How appointments of one kind are laid out: how long they last, the time kept free around them (to clean
/// a room, to write notes) and the step between the start times offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SlotRules {
    pub duration: SignedDuration,
    pub buffer_before: SignedDuration,
    pub buffer_after: SignedDuration,
    pub step: SignedDuration,
}

impl SlotRules {
    pub fn new(
        duration: SignedDuration,
        buffer_before: SignedDuration,
        buffer_after: SignedDuration,
        step: SignedDuration,
    ) -> Result<Self, ScheduleError> {
        let rules = Self {
            duration,
            buffer_before,
            buffer_after,
            step,
        };
        rules.validate()?;
        Ok(rules)
    }

    /// Checks what [`SlotRules::new`] checks, for a value built from its public fields.
    pub fn validate(&self) -> Result<(), ScheduleError> {
        if !self.duration.is_positive() || !self.step.is_positive() {
            return Err(ScheduleError::NonPositiveDuration);
        }
        if self.buffer_before.is_negative() || self.buffer_after.is_negative() {
            return Err(ScheduleError::NegativeBuffer);
        }
        Ok(())
    }

    /// The appointment itself, `[start, start + duration)`.
    pub fn appointment(&self, start: Timestamp) -> Interval {
        span(start, SignedDuration::ZERO, self.duration)
    }

    /// The time the appointment keeps from others, `[start - buffer_before, start + duration + buffer_after)`.
    pub fn occupied(&self, start: Timestamp) -> Interval {
        span(
            start,
            self.buffer_before,
            self.duration.saturating_add(self.buffer_after),
        )
    }

    /// Like [`SlotRules::occupied`], but `None` where it would run past the supported range.
    fn checked_occupied(&self, start: Timestamp) -> Option<Interval> {
        let from = start.checked_sub(self.buffer_before).ok()?;
        let to = start
            .checked_add(self.duration.checked_add(self.buffer_after)?)
            .ok()?;
        Interval::new(from, to).ok()
    }
}

/// `[start - before, start + after)`, saturated at the ends of the supported range and at least a
/// nanosecond long even for rules that [`SlotRules::new`] would refuse, so that it never panics.
fn span(start: Timestamp, before: SignedDuration, after: SignedDuration) -> Interval {
    let from = start.saturating_sub(before).unwrap_or(start);
    let to = start.saturating_add(after).unwrap_or(start);
    Interval::at_least_a_tick(from, to)
}

/// Bookable starts: the grid runs from each open interval's start in steps of `rules.step` (absolute time);
/// a start is offered when its occupied interval lies within `open`, overlaps nothing in `busy`, and the
/// appointment lies within `window`.
///
/// Returns the appointment intervals, sorted, with unique starts. Stepping in absolute time means the
/// repeated hour of a fall-back night gives distinct slots and the missing hour of a spring-forward night
/// gives none. Rules that [`SlotRules::validate`] refuses give no slots.
pub fn free_slots(
    open: &IntervalSet,
    busy: &IntervalSet,
    window: Interval,
    rules: &SlotRules,
) -> Vec<Interval> {
    if rules.validate().is_err() {
        return Vec::new();
    }
    let mut slots = Vec::new();
    for free in open {
        // Skip the grid points that cannot be offered: the buffer before must fit in `free`, and the
        // appointment must not start before the window.
        let Ok(after_buffer) = add(free.start(), rules.buffer_before) else {
            continue;
        };
        let earliest = after_buffer.max(window.start());
        let mut start = match first_grid_point(free.start(), earliest, rules.step) {
            Some(start) => start,
            None => continue,
        };
        // Both bounds below only move later as `start` does, so the first failure ends this interval.
        while let Some(occupied) = rules.checked_occupied(start)
            && occupied.end() <= free.end()
        {
            let appointment = rules.appointment(start);
            if appointment.end() > window.end() {
                break;
            }
            if !busy.overlaps(&occupied) {
                slots.push(appointment);
            }
            match add(start, rules.step) {
                Ok(next) => start = next,
                Err(_) => break,
            }
        }
    }
    slots
}

/// The first `origin + k * step` (k >= 0) at or after `earliest`.
fn first_grid_point(origin: Timestamp, earliest: Timestamp, step: SignedDuration) -> Option<Timestamp> {
    let behind = earliest.duration_since(origin).as_nanos().max(0);
    let step = step.as_nanos();
    // Both are non-negative here (signed `div_ceil` is not stable).
    let steps = (behind + step - 1) / step;
    let offset = SignedDuration::try_from_nanos_i128(steps.checked_mul(step)?)?;
    origin.checked_add(offset).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::tests::minutes;

    fn rules(duration: i64, before: i64, after: i64, step: i64) -> SlotRules {
        let m = SignedDuration::from_mins;
        SlotRules::new(m(duration), m(before), m(after), m(step)).unwrap()
    }

    #[test]
    fn slot_rules_refuse_empty_appointments_steps_and_negative_buffers() {
        let m = SignedDuration::from_mins;
        assert_eq!(
            SlotRules::new(m(0), m(0), m(0), m(15)),
            Err(ScheduleError::NonPositiveDuration)
        );
        assert_eq!(
            SlotRules::new(m(30), m(0), m(0), m(0)),
            Err(ScheduleError::NonPositiveDuration)
        );
        assert_eq!(
            SlotRules::new(m(30), m(-5), m(0), m(15)),
            Err(ScheduleError::NegativeBuffer)
        );
        assert_eq!(
            SlotRules::new(m(30), m(0), m(-5), m(15)),
            Err(ScheduleError::NegativeBuffer)
        );
    }

    #[test]
    fn appointment_and_occupied_include_the_buffers() {
        let r = rules(30, 5, 10, 15);
        let start = minutes(60, 61).start();
        assert_eq!(r.appointment(start), minutes(60, 90));
        assert_eq!(r.occupied(start), minutes(55, 100));
    }

    #[test]
    fn invalid_rules_give_no_slots_and_never_panic() {
        let bad = SlotRules {
            duration: SignedDuration::ZERO,
            ..rules(30, 0, 0, 15)
        };
        let open = IntervalSet::new([minutes(0, 120)]);
        assert!(free_slots(&open, &IntervalSet::default(), minutes(0, 120), &bad).is_empty());
        assert_eq!(bad.appointment(Timestamp::MAX).end(), Timestamp::MAX);
        assert!(bad.appointment(Timestamp::MIN).duration().is_positive());
        let no_step = SlotRules {
            step: SignedDuration::ZERO,
            ..rules(30, 0, 0, 15)
        };
        assert!(free_slots(&open, &IntervalSet::default(), minutes(0, 120), &no_step).is_empty());
    }

    #[test]
    fn slots_avoid_busy_time_with_buffers_and_stay_in_the_window() {
        let open = IntervalSet::new([minutes(0, 240)]);
        let busy = IntervalSet::new([minutes(90, 120)]);
        // 30 minutes with 10 minutes after, offered every 15 minutes from the start of the day.
        let slots = free_slots(&open, &busy, minutes(15, 240), &rules(30, 0, 10, 15));
        let starts: Vec<_> = slots.iter().map(|s| s.start()).collect();
        let expected: Vec<_> = [15, 30, 45, 120, 135, 150, 165, 180, 195]
            .map(|m| minutes(m, m + 1).start())
            .into();
        assert_eq!(starts, expected);
        assert!(
            slots
                .iter()
                .all(|s| s.duration() == SignedDuration::from_mins(30))
        );
    }

    #[test]
    fn the_grid_starts_at_each_open_interval_and_the_buffer_before_must_fit() {
        let open = IntervalSet::new([minutes(0, 60), minutes(100, 160)]);
        let slots = free_slots(
            &open,
            &IntervalSet::default(),
            minutes(0, 1000),
            &rules(20, 10, 0, 20),
        );
        let starts: Vec<_> = slots.iter().map(|s| s.start()).collect();
        let expected: Vec<_> = [20, 40, 120, 140].map(|m| minutes(m, m + 1).start()).into();
        assert_eq!(starts, expected);
    }
}
