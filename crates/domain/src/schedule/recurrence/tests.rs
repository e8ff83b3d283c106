use jiff::civil::{Date, date};

use super::*;

fn oslo() -> TimeZone {
    TimeZone::get("Europe/Oslo").unwrap()
}

fn expand(rule: &str, first: DateTime, tz: &TimeZone) -> Result<Vec<Occurrence>, RecurrenceError> {
    Recurrence::parse(rule).unwrap().occurrences(first, tz)
}

fn local_dates(occurrences: &[Occurrence]) -> Vec<Date> {
    occurrences.iter().map(|o| o.local.date()).collect()
}

fn instants(texts: &[&str]) -> Vec<Timestamp> {
    texts.iter().map(|t| t.parse().unwrap()).collect()
}

#[test]
fn weekly_for_six_weeks() {
    let monday = date(2026, 1, 5).at(9, 0, 0, 0);
    let all = expand("FREQ=WEEKLY;COUNT=6", monday, &oslo()).unwrap();
    let expected: Vec<Date> = (0..6)
        .map(|week| date(2026, 1, 5) + jiff::Span::new().weeks(week))
        .collect();
    assert_eq!(local_dates(&all), expected);
    assert!(
        all.iter()
            .all(|o| o.local.time() == jiff::civil::time(9, 0, 0, 0))
    );
    assert_eq!(all[0].start, "2026-01-05T08:00:00Z".parse().unwrap());
}

#[test]
fn every_second_tuesday_until_a_date_includes_that_day() {
    let monday = date(2026, 1, 5).at(10, 0, 0, 0);
    let all = expand(
        "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20260217",
        monday,
        &oslo(),
    )
    .unwrap();
    let expected = [
        date(2026, 1, 6),
        date(2026, 1, 20),
        date(2026, 2, 3),
        date(2026, 2, 17),
    ];
    assert_eq!(local_dates(&all), expected);
}

#[test]
fn until_a_local_or_utc_date_time_is_inclusive() {
    let first = date(2026, 1, 5).at(9, 0, 0, 0);
    let local = expand("FREQ=DAILY;UNTIL=20260108T090000", first, &oslo()).unwrap();
    assert_eq!(local.len(), 4);
    // 07:59:59Z is 08:59:59 in Oslo in winter: the 8th's 09:00 is after it.
    let utc = expand("FREQ=DAILY;UNTIL=20260108T075959Z", first, &oslo()).unwrap();
    assert_eq!(
        local_dates(&utc),
        [date(2026, 1, 5), date(2026, 1, 6), date(2026, 1, 7)]
    );
}

#[test]
fn a_weekly_series_keeps_its_local_time_across_daylight_saving_changes() {
    let all = expand("FREQ=WEEKLY;COUNT=4", date(2026, 3, 16).at(9, 0, 0, 0), &oslo()).unwrap();
    let starts: Vec<Timestamp> = all.iter().map(|o| o.start).collect();
    let expected = instants(&[
        "2026-03-16T08:00:00Z",
        "2026-03-23T08:00:00Z",
        "2026-03-30T07:00:00Z",
        "2026-04-06T07:00:00Z",
    ]);
    assert_eq!(starts, expected);
    let new_york = TimeZone::get("America/New_York").unwrap();
    let autumn = expand(
        "FREQ=WEEKLY;COUNT=2",
        date(2026, 10, 26).at(9, 0, 0, 0),
        &new_york,
    )
    .unwrap();
    let starts: Vec<Timestamp> = autumn.iter().map(|o| o.start).collect();
    assert_eq!(
        starts,
        instants(&["2026-10-26T13:00:00Z", "2026-11-02T14:00:00Z"])
    );
    for occurrence in all.iter().chain(&autumn) {
        assert_eq!(occurrence.local.time(), jiff::civil::time(9, 0, 0, 0));
    }
}

#[test]
fn an_occurrence_in_the_spring_gap_starts_when_the_gap_ends() {
    let all = expand("FREQ=WEEKLY;COUNT=2", date(2026, 3, 22).at(2, 30, 0, 0), &oslo()).unwrap();
    assert_eq!(all[1].local, date(2026, 3, 29).at(2, 30, 0, 0));
    assert_eq!(all[1].start, "2026-03-29T01:00:00Z".parse().unwrap());
}

#[test]
fn monthly_by_ordinal_weekday() {
    let first = date(2026, 1, 1).at(9, 0, 0, 0);
    let all = expand("FREQ=MONTHLY;BYDAY=1MO;COUNT=3", first, &oslo()).unwrap();
    assert_eq!(
        local_dates(&all),
        [date(2026, 1, 5), date(2026, 2, 2), date(2026, 3, 2)]
    );
    let all = expand("FREQ=MONTHLY;BYDAY=-1FR;COUNT=2", first, &oslo()).unwrap();
    assert_eq!(local_dates(&all), [date(2026, 1, 30), date(2026, 2, 27)]);
}

#[test]
fn the_first_date_counts_only_when_it_matches() {
    let monday = date(2026, 1, 5).at(9, 0, 0, 0);
    let all = expand("FREQ=WEEKLY;BYDAY=MO,TU;COUNT=3", monday, &oslo()).unwrap();
    assert_eq!(
        local_dates(&all),
        [date(2026, 1, 5), date(2026, 1, 6), date(2026, 1, 12)]
    );
    let all = expand("FREQ=WEEKLY;BYDAY=TU;COUNT=2", monday, &oslo()).unwrap();
    assert_eq!(local_dates(&all), [date(2026, 1, 6), date(2026, 1, 13)]);
}

#[test]
fn unbounded_rules_are_refused() {
    for rule in [
        "FREQ=WEEKLY",
        "RRULE:FREQ=DAILY;INTERVAL=2",
        "FREQ=MONTHLY;BYDAY=1MO",
    ] {
        assert_eq!(
            Recurrence::parse(rule).unwrap_err(),
            RecurrenceError::Unbounded,
            "{rule}"
        );
    }
}

#[test]
fn more_than_the_maximum_is_refused_never_truncated() {
    assert_eq!(
        Recurrence::parse("FREQ=DAILY;COUNT=261").unwrap_err(),
        RecurrenceError::TooMany
    );
    let first = date(2026, 1, 1).at(9, 0, 0, 0);
    assert_eq!(
        expand("FREQ=DAILY;COUNT=260", first, &oslo()).unwrap().len(),
        MAX_OCCURRENCES
    );
    let err = expand("FREQ=DAILY;UNTIL=20271231", first, &oslo()).unwrap_err();
    assert_eq!(err, RecurrenceError::TooMany);
    assert!(err.to_string().contains("260"));
}

#[test]
fn garbage_is_refused_with_a_clear_message() {
    let cases: [(&str, RecurrenceError); 19] = [
        ("", RecurrenceError::Malformed),
        ("hello", RecurrenceError::Malformed),
        ("RRULE:", RecurrenceError::Malformed),
        (
            "FREQ=WEEKLY;COUNT=6;BYHOUR=9",
            RecurrenceError::UnsupportedPart("BYHOUR"),
        ),
        ("FREQ=WEEKLY;COUNT=6;X-PRAXIS=1", RecurrenceError::UnknownPart),
        (
            "FREQ=WEEKLY;COUNT=6;COUNT=7",
            RecurrenceError::DuplicatePart("COUNT"),
        ),
        ("COUNT=6", RecurrenceError::MissingFrequency),
        ("FREQ=HOURLY;COUNT=6", RecurrenceError::InvalidFrequency),
        ("FREQ=FORTNIGHTLY;COUNT=6", RecurrenceError::InvalidFrequency),
        ("FREQ=WEEKLY;INTERVAL=0;COUNT=6", RecurrenceError::InvalidInterval),
        ("FREQ=WEEKLY;COUNT=0", RecurrenceError::InvalidCount),
        ("FREQ=WEEKLY;COUNT=-1", RecurrenceError::InvalidCount),
        ("FREQ=WEEKLY;UNTIL=2027-01-31", RecurrenceError::InvalidUntil),
        ("FREQ=WEEKLY;UNTIL=20270230", RecurrenceError::InvalidUntil),
        ("FREQ=WEEKLY;UNTIL=20270131T2500", RecurrenceError::InvalidUntil),
        (
            "FREQ=DAILY;COUNT=3;UNTIL=20270131",
            RecurrenceError::CountAndUntil,
        ),
        ("FREQ=WEEKLY;BYDAY=1MO;COUNT=3", RecurrenceError::OrdinalWeekday),
        ("FREQ=DAILY;BYDAY=-1FR;COUNT=3", RecurrenceError::OrdinalWeekday),
        (
            "FREQ=MONTHLY;BYMONTHDAY=0;COUNT=3",
            RecurrenceError::InvalidMonthDay,
        ),
    ];
    for (rule, expected) in cases {
        let err = Recurrence::parse(rule).unwrap_err();
        assert_eq!(err, expected, "{rule:?}");
        assert!(err.to_string().ends_with('.'), "{err}");
    }
    let too_long = format!("FREQ=WEEKLY;COUNT=6;{}", "BYDAY=MO;".repeat(60));
    assert_eq!(
        Recurrence::parse(&too_long).unwrap_err(),
        RecurrenceError::TooLong
    );
}

#[test]
fn errors_the_crate_finds_are_passed_on_without_its_prefix() {
    let err = Recurrence::parse("FREQ=WEEKLY;BYDAY=XX;COUNT=3").unwrap_err();
    assert_eq!(err.code(), "recurrence_invalid");
    let message = err.to_string();
    assert!(
        message.starts_with("The recurrence rule is not valid: ") && message.contains("weekday"),
        "{message}"
    );
    assert!(!message.contains("RRule parsing error"));
    let err = Recurrence::parse("FREQ=WEEKLY;BYMONTHDAY=1;COUNT=3").unwrap_err();
    assert!(err.to_string().contains("BYMONTHDAY"), "{err}");
    let err = Recurrence::parse("FREQ=MONTHLY;BYSETPOS=0;BYDAY=MO;COUNT=3").unwrap_err();
    assert!(err.to_string().contains("BYSETPOS"), "{err}");
}

#[test]
fn rules_that_cannot_produce_what_they_promise_are_refused() {
    let first = date(2026, 1, 5).at(9, 0, 0, 0);
    let err = expand("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=2", first, &oslo()).unwrap_err();
    assert_eq!(err, RecurrenceError::TooSparse);
    let err = expand("FREQ=WEEKLY;UNTIL=20260101", first, &oslo()).unwrap_err();
    assert_eq!(err, RecurrenceError::UntilBeforeStart);
    let err = expand("FREQ=WEEKLY;BYDAY=FR;UNTIL=20260106", first, &oslo()).unwrap_err();
    assert_eq!(err, RecurrenceError::NoOccurrence);
}

#[test]
fn a_rule_is_kept_in_one_spelling_and_round_trips_through_serde() {
    let rule = Recurrence::parse("  rrule:freq=weekly;count=6; ").unwrap();
    assert_eq!(rule.as_str(), "FREQ=WEEKLY;COUNT=6");
    assert_eq!(rule, Recurrence::parse("FREQ=WEEKLY;COUNT=6").unwrap());
    let json = serde_json::to_string(&rule).unwrap();
    assert_eq!(json, r#""FREQ=WEEKLY;COUNT=6""#);
    assert_eq!(serde_json::from_str::<Recurrence>(&json).unwrap(), rule);
    assert!(serde_json::from_str::<Recurrence>(r#""FREQ=WEEKLY""#).is_err());
}

#[test]
fn every_error_has_its_own_code() {
    let all = [
        RecurrenceError::TooLong,
        RecurrenceError::Malformed,
        RecurrenceError::UnsupportedPart("BYHOUR"),
        RecurrenceError::UnknownPart,
        RecurrenceError::DuplicatePart("FREQ"),
        RecurrenceError::MissingFrequency,
        RecurrenceError::InvalidFrequency,
        RecurrenceError::InvalidInterval,
        RecurrenceError::InvalidCount,
        RecurrenceError::InvalidUntil,
        RecurrenceError::OrdinalWeekday,
        RecurrenceError::InvalidMonthDay,
        RecurrenceError::Unbounded,
        RecurrenceError::CountAndUntil,
        RecurrenceError::Invalid(String::new()),
        RecurrenceError::UntilBeforeStart,
        RecurrenceError::NoOccurrence,
        RecurrenceError::TooMany,
        RecurrenceError::TooSparse,
        RecurrenceError::OutOfRange,
    ];
    let codes: std::collections::HashSet<_> = all.iter().map(RecurrenceError::code).collect();
    assert_eq!(codes.len(), all.len());
}

#[test]
fn series_at_the_ends_of_the_calendar_are_refused_not_panicked_on() {
    let utc = TimeZone::UTC;
    let err = expand("FREQ=DAILY;COUNT=5", date(9999, 12, 29).at(9, 0, 0, 0), &utc).unwrap_err();
    assert_eq!(err, RecurrenceError::OutOfRange);
    let err = expand("FREQ=YEARLY;UNTIL=99991231", DateTime::MIN, &utc).unwrap_err();
    assert_eq!(err, RecurrenceError::TooMany);
    let err = expand("FREQ=MONTHLY;COUNT=3", DateTime::MAX, &utc).unwrap_err();
    assert_eq!(err, RecurrenceError::OutOfRange);
}
