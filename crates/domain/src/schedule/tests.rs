//! Daylight-saving days end to end (working hours to slots), and properties of the interval algebra and of
//! free slots checked against brute-force models.

use jiff::civil::{Date, date, time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

use super::*;

/// An interval of whole minutes after a fixed instant, for short tests.
pub(super) fn minutes(start: i64, end: i64) -> Interval {
    Interval::new(minute(start), minute(end)).unwrap()
}

fn minute(m: i64) -> Timestamp {
    let base: Timestamp = "2026-01-05T08:00:00Z".parse().unwrap();
    base + SignedDuration::from_mins(m)
}

/// The days the clocks change in 2026, with the local hour that is missing or repeated.
const SPRING: [(&str, (i16, i8, i8), i8); 2] = [
    ("Europe/Oslo", (2026, 3, 29), 2),
    ("America/New_York", (2026, 3, 8), 2),
];
const AUTUMN: [(&str, (i16, i8, i8), i8); 2] = [
    ("Europe/Oslo", (2026, 10, 25), 2),
    ("America/New_York", (2026, 11, 1), 1),
];

/// One day's working hours from `start` to `end` o'clock.
fn working_day(zone: &str, (y, m, d): (i16, i8, i8), start: i8, end: i8) -> (TimeZone, Date, IntervalSet) {
    let tz = TimeZone::get(zone).unwrap();
    let day = date(y, m, d);
    let hours = LocalHours::new(
        day.weekday().into(),
        time(start, 0, 0, 0),
        time(end, 0, 0, 0),
        None,
        None,
    );
    let open = working_intervals(&tz, &[hours.unwrap()], day, day);
    (tz, day, open)
}

fn half_hour_slots(open: &IntervalSet) -> Vec<Interval> {
    let half = SignedDuration::from_mins(30);
    let rules = SlotRules::new(half, SignedDuration::ZERO, SignedDuration::ZERO, half).unwrap();
    let window = Interval::new(Timestamp::MIN, Timestamp::MAX).unwrap();
    free_slots(open, &IntervalSet::default(), window, &rules)
}

#[test]
fn a_night_shift_lasts_five_real_hours_when_the_clocks_go_forward() {
    for (zone, day, missing_hour) in SPRING {
        let (tz, _, open) = working_day(zone, day, 0, 6);
        assert_eq!(open.duration(), SignedDuration::from_hours(5), "{zone}");
        let slots = half_hour_slots(&open);
        assert_eq!(slots.len(), 10, "{zone}");
        for slot in &slots {
            assert_ne!(
                tz.to_datetime(slot.start()).hour(),
                missing_hour,
                "{zone}: slot in the missing hour"
            );
        }
    }
}

#[test]
fn a_night_shift_lasts_seven_real_hours_when_the_clocks_go_back() {
    for (zone, day, repeated_hour) in AUTUMN {
        let (tz, _, open) = working_day(zone, day, 0, 6);
        assert_eq!(open.duration(), SignedDuration::from_hours(7), "{zone}");
        let slots = half_hour_slots(&open);
        assert_eq!(slots.len(), 14, "{zone}");
        let mut starts: Vec<Timestamp> = slots.iter().map(|s| s.start()).collect();
        starts.dedup();
        assert_eq!(starts.len(), 14, "{zone}: a slot offered twice");
        // The repeated hour's local times come twice, as two different instants.
        let in_repeated_hour = starts
            .iter()
            .filter(|t| tz.to_datetime(**t).hour() == repeated_hour)
            .count();
        assert_eq!(in_repeated_hour, 4, "{zone}");
    }
}

#[test]
fn a_day_shift_lasts_eight_real_hours_on_every_change_day() {
    for (zone, day, _) in SPRING.into_iter().chain(AUTUMN) {
        let (tz, local_day, open) = working_day(zone, day, 8, 16);
        assert_eq!(open.duration(), SignedDuration::from_hours(8), "{zone}");
        let first = open.iter().next().unwrap();
        assert_eq!(tz.to_datetime(first.start()), local_day.at(8, 0, 0, 0));
        assert_eq!(half_hour_slots(&open).len(), 16);
    }
}

#[test]
fn hours_spanning_the_repeated_hour_get_both_passes_of_it() {
    let (_, _, open) = working_day("Europe/Oslo", (2026, 10, 25), 2, 3);
    assert_eq!(open.duration(), SignedDuration::from_hours(2));
}

fn interval_strategy() -> impl Strategy<Value = Interval> {
    (0i64..60, 1i64..15).prop_map(|(start, len)| minutes(start, start + len))
}

fn set_strategy() -> impl Strategy<Value = IntervalSet> {
    proptest::collection::vec(interval_strategy(), 0..6).prop_map(IntervalSet::new)
}

/// The minutes `0..80` that a set holds, one flag each.
fn model(set: &IntervalSet) -> Vec<bool> {
    (0..80)
        .map(|m| set.iter().any(|member| member.contains(&minutes(m, m + 1))))
        .collect()
}

fn model_of(interval: &Interval) -> Vec<bool> {
    (0..80).map(|m| interval.contains(&minutes(m, m + 1))).collect()
}

/// Sorted, disjoint and not touching: the one form every set must have.
fn assert_normal(set: &IntervalSet) {
    for pair in set.as_slice().windows(2) {
        assert!(pair[0].end() < pair[1].start(), "{set:?}");
    }
}

proptest! {
    #[test]
    fn interval_set_algebra_agrees_with_minutes(a in set_strategy(), b in set_strategy(), probe in interval_strategy()) {
        let (ma, mb) = (model(&a), model(&b));
        let zip = |f: fn(bool, bool) -> bool| ma.iter().zip(&mb).map(|(x, y)| f(*x, *y)).collect::<Vec<_>>();
        for (result, expected) in [
            (a.union(&b), zip(|x, y| x || y)),
            (a.subtract(&b), zip(|x, y| x && !y)),
            (a.intersect(&b), zip(|x, y| x && y)),
        ] {
            assert_normal(&result);
            prop_assert_eq!(model(&result), expected);
        }
        let clipped = a.clip(probe);
        assert_normal(&clipped);
        let inside = model_of(&probe);
        prop_assert_eq!(model(&clipped), ma.iter().zip(&inside).map(|(x, y)| *x && *y).collect::<Vec<_>>());
        let probe_minutes: Vec<bool> = ma.iter().zip(&inside).filter(|(_, i)| **i).map(|(x, _)| *x).collect();
        prop_assert_eq!(a.covers(&probe), probe_minutes.iter().all(|x| *x));
        prop_assert_eq!(a.overlaps(&probe), probe_minutes.iter().any(|x| *x));
    }

    #[test]
    fn free_slots_fit_open_time_avoid_busy_time_and_miss_none(
        open in set_strategy(),
        busy in set_strategy(),
        window in interval_strategy(),
        (duration, before, after, step) in (1i64..20, 0i64..5, 0i64..5, 1i64..10),
    ) {
        let m = SignedDuration::from_mins;
        let rules = SlotRules::new(m(duration), m(before), m(after), m(step)).unwrap();
        let slots = free_slots(&open, &busy, window, &rules);
        for pair in slots.windows(2) {
            prop_assert!(pair[0].start() < pair[1].start());
        }
        for slot in &slots {
            let occupied = rules.occupied(slot.start());
            prop_assert_eq!(*slot, rules.appointment(slot.start()));
            prop_assert!(open.covers(&occupied));
            prop_assert!(!busy.overlaps(&occupied));
            prop_assert!(window.contains(slot));
        }
        // Every start on an open interval's grid that meets the rule is offered, and nothing else.
        let mut expected = Vec::new();
        for free in &open {
            let mut start = free.start();
            while start < free.end() {
                let occupied = rules.occupied(start);
                if open.covers(&occupied) && !busy.overlaps(&occupied) && window.contains(&rules.appointment(start)) {
                    expected.push(rules.appointment(start));
                }
                start += rules.step;
            }
        }
        prop_assert_eq!(slots, expected);
    }
}
