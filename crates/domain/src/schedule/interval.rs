//! Half-open spans of time and sets of them.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::ScheduleError;

/// A span of time `[start, end)`: it includes its start and not its end, so an appointment ending at 10:00
/// and one starting at 10:00 do not overlap. Never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "RawInterval")]
pub struct Interval {
    start: Timestamp,
    end: Timestamp,
}

/// The JSON form, checked by [`Interval::new`] on the way in.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInterval {
    start: Timestamp,
    end: Timestamp,
}

impl TryFrom<RawInterval> for Interval {
    type Error = ScheduleError;

    fn try_from(raw: RawInterval) -> Result<Self, Self::Error> {
        Self::new(raw.start, raw.end)
    }
}

impl Interval {
    pub fn new(start: Timestamp, end: Timestamp) -> Result<Self, ScheduleError> {
        if start < end {
            Ok(Self { start, end })
        } else {
            Err(ScheduleError::EmptyInterval)
        }
    }

    /// `[start, start + duration)`.
    pub fn starting_at(start: Timestamp, duration: SignedDuration) -> Result<Self, ScheduleError> {
        Self::new(start, super::add(start, duration)?)
    }

    /// `[start, end)`, or the nanosecond after `start` (before `end` at the end of the supported range)
    /// when `end` is not after `start`: for arithmetic that must give an interval whatever its input.
    pub(super) fn at_least_a_tick(start: Timestamp, end: Timestamp) -> Self {
        if start < end {
            return Self { start, end };
        }
        let tick = SignedDuration::from_nanos(1);
        match start.checked_add(tick) {
            Ok(end) => Self { start, end },
            Err(_) => Self {
                start: Timestamp::MAX - tick,
                end: Timestamp::MAX,
            },
        }
    }

    pub fn start(&self) -> Timestamp {
        self.start
    }

    pub fn end(&self) -> Timestamp {
        self.end
    }

    /// Whether the two share at least one instant; touching ends do not count.
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Whether every instant of `other` lies in `self`.
    pub fn contains(&self, other: &Interval) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn duration(&self) -> SignedDuration {
        self.end.duration_since(self.start)
    }
}

/// A set of instants kept as sorted, disjoint intervals, with touching intervals merged (`[9, 10)` and
/// `[10, 11)` become `[9, 11)`), so that every set has one representation and equality means the same
/// instants.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct IntervalSet {
    intervals: Vec<Interval>,
}

impl IntervalSet {
    pub fn new(intervals: impl IntoIterator<Item = Interval>) -> Self {
        let mut sorted: Vec<Interval> = intervals.into_iter().collect();
        sorted.sort_unstable();
        let mut merged: Vec<Interval> = Vec::with_capacity(sorted.len());
        for next in sorted {
            match merged.last_mut() {
                Some(last) if next.start <= last.end => last.end = last.end.max(next.end),
                _ => merged.push(next),
            }
        }
        Self { intervals: merged }
    }

    pub fn union(&self, other: &Self) -> Self {
        Self::new(self.intervals.iter().chain(&other.intervals).copied())
    }

    /// The instants of `self` that are not in `other`.
    pub fn subtract(&self, other: &Self) -> Self {
        let mut result = Vec::new();
        let mut cuts = other.intervals.iter().peekable();
        for interval in &self.intervals {
            let mut rest = *interval;
            // Cuts ending before this interval cannot touch any later one either: both lists are sorted.
            while cuts.next_if(|cut| cut.end <= rest.start).is_some() {}
            for cut in cuts.clone().take_while(|cut| cut.start < rest.end) {
                if rest.start < cut.start {
                    result.push(Interval {
                        start: rest.start,
                        end: cut.start,
                    });
                }
                if cut.end >= rest.end {
                    rest.start = rest.end;
                    break;
                }
                rest.start = rest.start.max(cut.end);
            }
            if rest.start < rest.end {
                result.push(rest);
            }
        }
        Self { intervals: result }
    }

    /// The instants in both sets.
    pub fn intersect(&self, other: &Self) -> Self {
        let (mut a, mut b) = (
            self.intervals.iter().peekable(),
            other.intervals.iter().peekable(),
        );
        let mut result = Vec::new();
        while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
            let (start, end) = (x.start.max(y.start), x.end.min(y.end));
            if start < end {
                result.push(Interval { start, end });
            }
            // The one that ends first cannot meet anything further on in the other list.
            if x.end <= y.end {
                a.next();
            } else {
                b.next();
            }
        }
        Self { intervals: result }
    }

    /// The part of the set inside `window`.
    pub fn clip(&self, window: Interval) -> Self {
        self.intersect(&Self {
            intervals: vec![window],
        })
    }

    /// Whether one member contains `interval` entirely.
    pub fn covers(&self, interval: &Interval) -> bool {
        // The only candidate is the last member starting at or before `interval`.
        let after = self
            .intervals
            .partition_point(|member| member.start <= interval.start);
        after > 0 && self.intervals[after - 1].contains(interval)
    }

    /// Whether any member shares an instant with `interval`.
    pub fn overlaps(&self, interval: &Interval) -> bool {
        // The only candidate is the first member ending after `interval` starts.
        let first = self
            .intervals
            .partition_point(|member| member.end <= interval.start);
        self.intervals
            .get(first)
            .is_some_and(|member| member.overlaps(interval))
    }

    pub fn iter(&self) -> impl Iterator<Item = &Interval> {
        self.intervals.iter()
    }

    pub fn as_slice(&self) -> &[Interval] {
        &self.intervals
    }

    pub fn is_empty(&self) -> bool {
        self.intervals.is_empty()
    }

    /// The total time the set holds.
    pub fn duration(&self) -> SignedDuration {
        self.intervals.iter().map(Interval::duration).sum()
    }
}

impl FromIterator<Interval> for IntervalSet {
    fn from_iter<I: IntoIterator<Item = Interval>>(iter: I) -> Self {
        Self::new(iter)
    }
}

impl<'a> IntoIterator for &'a IntervalSet {
    type Item = &'a Interval;
    type IntoIter = std::slice::Iter<'a, Interval>;

    fn into_iter(self) -> Self::IntoIter {
        self.intervals.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::tests::minutes;

    #[test]
    fn interval_must_not_be_empty() {
        let t: Timestamp = "2026-01-05T08:00:00Z".parse().unwrap();
        assert_eq!(Interval::new(t, t), Err(ScheduleError::EmptyInterval));
        assert_eq!(
            Interval::new(t + SignedDuration::from_secs(1), t),
            Err(ScheduleError::EmptyInterval)
        );
        assert_eq!(Interval::new(t, Timestamp::MAX).unwrap().end(), Timestamp::MAX);
        assert_eq!(
            Interval::starting_at(Timestamp::MAX, SignedDuration::from_secs(1)),
            Err(ScheduleError::OutOfRange)
        );
    }

    #[test]
    fn touching_intervals_neither_overlap_nor_stay_apart() {
        assert!(!minutes(0, 30).overlaps(&minutes(30, 60)));
        assert!(minutes(0, 31).overlaps(&minutes(30, 60)));
        assert!(minutes(0, 60).contains(&minutes(0, 60)));
        assert!(!minutes(0, 60).contains(&minutes(30, 61)));
        let set = IntervalSet::new([minutes(30, 60), minutes(0, 30), minutes(90, 100)]);
        assert_eq!(set.as_slice(), [minutes(0, 60), minutes(90, 100)]);
        assert_eq!(set.duration(), SignedDuration::from_mins(70));
    }

    #[test]
    fn covers_needs_one_member_to_hold_it_all() {
        let set = IntervalSet::new([minutes(0, 30), minutes(40, 60)]);
        assert!(set.covers(&minutes(40, 60)));
        assert!(set.covers(&minutes(0, 10)));
        assert!(!set.covers(&minutes(20, 50)));
        assert!(!set.covers(&minutes(-10, 10)));
        assert!(!IntervalSet::default().covers(&minutes(0, 1)));
        assert!(set.overlaps(&minutes(29, 35)));
        assert!(!set.overlaps(&minutes(30, 40)));
        assert!(!set.overlaps(&minutes(60, 70)));
    }

    #[test]
    fn set_operations_on_an_example_day() {
        let open = IntervalSet::new([minutes(0, 240), minutes(300, 480)]);
        let busy = IntervalSet::new([minutes(60, 90), minutes(200, 320)]);
        assert_eq!(
            open.subtract(&busy).as_slice(),
            [minutes(0, 60), minutes(90, 200), minutes(320, 480)]
        );
        assert_eq!(
            open.intersect(&busy).as_slice(),
            [minutes(60, 90), minutes(200, 240), minutes(300, 320)]
        );
        assert_eq!(open.union(&busy).as_slice(), [minutes(0, 480)]);
        assert_eq!(
            open.clip(minutes(230, 310)).as_slice(),
            [minutes(230, 240), minutes(300, 310)]
        );
    }

    #[test]
    fn interval_json_is_start_and_end_and_is_checked() {
        let json = serde_json::to_string(&minutes(0, 30)).unwrap();
        assert_eq!(
            json,
            r#"{"start":"2026-01-05T08:00:00Z","end":"2026-01-05T08:30:00Z"}"#
        );
        assert_eq!(serde_json::from_str::<Interval>(&json).unwrap(), minutes(0, 30));
        let reversed = r#"{"start":"2026-01-05T09:00:00Z","end":"2026-01-05T08:00:00Z"}"#;
        assert!(serde_json::from_str::<Interval>(reversed).is_err());
    }
}
