//! Scheduling set-up and finding a time: practitioners, services, working hours, time blocks, availability
//! across daylight-saving changes, and the front desk's day view.

mod common;

use common::scheduling::{Desk, book, call, desk, desk_with, expect, patient};
use common::{Backend, Clinic, TestApp, problem};
use reqwest::Method;
use serde_json::{Value, json};

async fn set_time_zone(app: &TestApp, clinic: &Clinic, zone: &str) {
    let (status, body) = call(
        app,
        &clinic.admin.token,
        Method::PATCH,
        "/api/v1/organization",
        Some(json!({"time_zone": zone})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

async fn slots(app: &TestApp, clinic: &Clinic, desk: &Desk, start: &str, end: &str, step: u32) -> Vec<Value> {
    let path = format!(
        "/api/v1/availability?service_id={}&practitioner_id={}&start={}&end={}&step_minutes={step}",
        desk.service,
        desk.practitioner,
        urlencode(start),
        urlencode(end)
    );
    let body = expect(app, &clinic.admin.token, Method::GET, &path, None, 200).await;
    body["slots"].as_array().unwrap().clone()
}

fn urlencode(text: &str) -> String {
    text.replace('+', "%2B").replace(':', "%3A")
}

fn starts(slots: &[Value]) -> Vec<String> {
    slots
        .iter()
        .map(|slot| slot["start"].as_str().unwrap().to_owned())
        .collect()
}

/// Local wall-clock "HH:MM" of an RFC 3339 time with offset.
fn local_hm(time: &str) -> &str {
    &time[11..16]
}

fn instant(time: &str) -> jiff::Timestamp {
    time.parse().unwrap()
}

/// A night desk (00:00–06:00) on a day the clocks change: the missing hour has no slot, the repeated hour's
/// slots are distinct instants, and the day has as many slots as it has real half hours.
async fn night_slots(app: &TestApp, clinic: &Clinic, zone: &str, date: &str) -> Vec<Value> {
    set_time_zone(app, clinic, zone).await;
    let desk = desk_with(
        app,
        clinic,
        &format!("Night {zone} {date}"),
        ("00:00", "06:00"),
        30,
        (0, 0),
    )
    .await;
    let day_before = format!("{}T12:00:00Z", previous_day(date));
    let day_after = format!("{date}T23:00:00Z");
    slots(app, clinic, &desk, &day_before, &day_after, 30)
        .await
        .into_iter()
        .filter(|slot| slot["start"].as_str().unwrap().starts_with(date))
        .collect()
}

fn previous_day(date: &str) -> String {
    let date: jiff::civil::Date = date.parse().unwrap();
    date.yesterday().unwrap().to_string()
}

fn assert_distinct_and_stepped(slots: &[Value]) {
    let instants: Vec<_> = slots
        .iter()
        .map(|slot| instant(slot["start"].as_str().unwrap()))
        .collect();
    for pair in instants.windows(2) {
        assert_eq!(
            pair[1].duration_since(pair[0]),
            jiff::SignedDuration::from_mins(30),
            "{instants:?}"
        );
    }
}

async fn spring_forward_has_no_slot_in_the_missing_hour(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("spring").await;
    for (zone, date) in [("Europe/Oslo", "2030-03-31"), ("America/New_York", "2030-03-10")] {
        let slots = night_slots(&app, &clinic, zone, date).await;
        let locals: Vec<&str> = slots
            .iter()
            .map(|slot| local_hm(slot["start"].as_str().unwrap()))
            .collect();
        assert!(
            locals.iter().all(|time| !time.starts_with("02:")),
            "{zone}: {locals:?}"
        );
        // 00:00–06:00 on a 23-hour day is five real hours: ten half-hour slots.
        assert_eq!(slots.len(), 10, "{zone}: {locals:?}");
        assert_distinct_and_stepped(&slots);
    }
}

async fn fall_back_offers_the_repeated_hour_once_per_instant(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("autumn").await;
    for (zone, date, repeated) in [
        ("Europe/Oslo", "2030-10-27", "02:"),
        ("America/New_York", "2030-11-03", "01:"),
    ] {
        let slots = night_slots(&app, &clinic, zone, date).await;
        // Seven real hours: fourteen slots, each a different instant.
        assert_eq!(slots.len(), 14, "{zone}: {:?}", starts(&slots));
        assert_distinct_and_stepped(&slots);
        let in_repeated: Vec<String> = starts(&slots)
            .into_iter()
            .filter(|s| &s[11..14] == repeated)
            .collect();
        assert_eq!(in_repeated.len(), 4, "{zone}: {in_repeated:?}");
        let offsets: std::collections::BTreeSet<&str> = in_repeated.iter().map(|s| &s[19..]).collect();
        assert_eq!(
            offsets.len(),
            2,
            "the repeated hour appears under both offsets: {in_repeated:?}"
        );
    }
}

async fn slots_respect_hours_blocks_appointments_and_buffers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("slots").await;
    let token = clinic.admin.token.clone();
    let desk = desk_with(&app, &clinic, "Dr. Berg", ("08:00", "12:00"), 30, (0, 15)).await;
    let day = ("2030-03-04T00:00:00+01:00", "2030-03-05T00:00:00+01:00");
    let all = starts(&slots(&app, &clinic, &desk, day.0, day.1, 15).await);
    assert_eq!(all.first().unwrap(), "2030-03-04T08:00:00+01:00");
    // The last start leaves room for 30 minutes and the 15-minute buffer before 12:00.
    assert_eq!(all.last().unwrap(), "2030-03-04T11:15:00+01:00");

    let block = json!({"practitioner_id": desk.practitioner, "kind": "meeting",
        "start": "2030-03-04T09:00:00+01:00", "end": "2030-03-04T10:00:00+01:00"});
    expect(
        &app,
        &token,
        Method::POST,
        "/api/v1/time-blocks",
        Some(block),
        201,
    )
    .await;
    let ola = patient(&app, &clinic, "Ola").await;
    let (status, body) = book(&app, &token, &desk, &ola, "2030-03-04T10:30:00+01:00").await;
    assert_eq!(status, 201, "{body}");

    let free = starts(&slots(&app, &clinic, &desk, day.0, day.1, 15).await);
    let locals: Vec<&str> = free.iter().map(|s| local_hm(s)).collect();
    // 08:30 would run with its buffer into the 09:00 meeting; from 10:00 every start until 11:15 would
    // overlap the booked 10:30 appointment or its buffer (to 11:15); 11:30 would end after 12:00.
    assert_eq!(locals, ["08:00", "08:15", "11:15"]);
}

async fn set_up_is_validated_and_named(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("setup").await;
    let token = clinic.admin.token.clone();
    let desk = desk(&app, &clinic, "Dr. Berg").await;
    let path = format!("/api/v1/practitioners/{}/working-hours", desk.practitioner);
    let bad = json!({"weekly": [
        {"weekday": "funday", "start": "08:00", "end": "16:00"},
        {"weekday": "monday", "start": "16:00", "end": "08:00"},
        {"weekday": "tuesday", "start": "8 am", "end": "16:00"},
    ]});
    let response = app
        .authed(Method::PUT, &path, &token)
        .json(&bad)
        .send()
        .await
        .unwrap();
    let body = problem(response, 422).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["weekly[0].weekday", "weekly[1].end", "weekly[2].start"]);
    // The hours stored before are untouched.
    let stored = expect(&app, &token, Method::GET, &path, None, 200).await;
    assert_eq!(stored["weekly"].as_array().unwrap().len(), 7);
    assert_eq!(stored["time_zone"], "Europe/Oslo");

    let service = json!({"name": "", "duration_minutes": 2, "colour": "blue",
        "practitioner_ids": ["0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e50"]});
    let response = app
        .authed(Method::POST, "/api/v1/services", &token)
        .json(&service)
        .send()
        .await
        .unwrap();
    let body = problem(response, 422).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["name", "duration_minutes", "colour", "practitioner_ids[0]"]
    );

    let service = expect(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/services/{}", desk.service),
        None,
        200,
    )
    .await;
    assert_eq!(service["practitioner_ids"], json!([desk.practitioner]));
    let (status, _) = call(
        &app,
        &token,
        Method::PATCH,
        &format!("/api/v1/services/{}", desk.service),
        Some(json!({"buffer_after_minutes": 10, "colour": "#3B82F6"})),
    )
    .await;
    assert_eq!(status, 200);
    let service = expect(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/services/{}", desk.service),
        None,
        200,
    )
    .await;
    assert_eq!(
        (
            service["buffer_after_minutes"].as_i64(),
            service["colour"].as_str()
        ),
        (Some(10), Some("#3b82f6"))
    );

    let room = expect(
        &app,
        &token,
        Method::POST,
        "/api/v1/resources",
        Some(json!({"name": "Room 2"})),
        201,
    )
    .await;
    assert_eq!(room["kind"], "room");
    let block = json!({"practitioner_id": desk.practitioner, "resource_id": room["id"], "kind": "meeting",
        "start": "2030-03-04T09:00:00+01:00", "end": "2030-03-04T10:00:00+01:00"});
    let response = app
        .authed(Method::POST, "/api/v1/time-blocks", &token)
        .json(&block)
        .send()
        .await
        .unwrap();
    assert_eq!(problem(response, 422).await["errors"][0]["code"], "one_owner");
}

async fn the_day_view_shows_appointments_blocks_and_free_time(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("dayview").await;
    let token = clinic.admin.token.clone();
    let other = desk(&app, &clinic, "Dr. Lie").await;
    let desk = desk_with(&app, &clinic, "Dr. Berg", ("08:00", "12:00"), 30, (0, 0)).await;
    let ola = patient(&app, &clinic, "Ola").await;
    let (status, booked) = book(&app, &token, &desk, &ola, "2030-03-04T09:00:00+01:00").await;
    assert_eq!(status, 201, "{booked}");
    let block = json!({"practitioner_id": desk.practitioner, "kind": "break",
        "start": "2030-03-04T10:00:00+01:00", "end": "2030-03-04T10:30:00+01:00"});
    expect(
        &app,
        &token,
        Method::POST,
        "/api/v1/time-blocks",
        Some(block),
        201,
    )
    .await;

    let path = format!(
        "/api/v1/schedule?date=2030-03-04&practitioner_ids={}",
        desk.practitioner
    );
    let day = expect(&app, &token, Method::GET, &path, None, 200).await;
    let berg = &day["practitioners"][0];
    assert_eq!(day["practitioners"].as_array().unwrap().len(), 1);
    assert_eq!(
        berg["working"],
        json!([{"start": "2030-03-04T08:00:00+01:00", "end": "2030-03-04T12:00:00+01:00"}])
    );
    assert_eq!(berg["appointments"][0]["patient_name"], "Ola Nordmann");
    assert_eq!(berg["blocks"][0]["kind"], "break");
    assert_eq!(
        berg["free"],
        json!([
            {"start": "2030-03-04T08:00:00+01:00", "end": "2030-03-04T09:00:00+01:00"},
            {"start": "2030-03-04T09:30:00+01:00", "end": "2030-03-04T10:00:00+01:00"},
            {"start": "2030-03-04T10:30:00+01:00", "end": "2030-03-04T12:00:00+01:00"},
        ])
    );
    let everyone = expect(
        &app,
        &token,
        Method::GET,
        "/api/v1/schedule?date=2030-03-04",
        None,
        200,
    )
    .await;
    let ids: Vec<&str> = everyone["practitioners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["practitioner_id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&desk.practitioner.as_str()) && ids.contains(&other.practitioner.as_str()));

    // The day view names a patient, so it is a read of patient data in the audit trail.
    let auditor = app.user(&clinic, "auditor", &["auditor"]).await;
    let events = expect(
        &app,
        &auditor.token,
        Method::GET,
        "/api/v1/audit-events?action=schedule.read",
        None,
        200,
    )
    .await;
    let shown = &events["data"][0]["details"]["patient_ids"];
    assert!(
        shown.as_array().unwrap().contains(&Value::String(ola.clone())),
        "{events}"
    );
}

on_both_backends!(
    spring_forward_has_no_slot_in_the_missing_hour,
    fall_back_offers_the_repeated_hour_once_per_instant,
    slots_respect_hours_blocks_appointments_and_buffers,
    set_up_is_validated_and_named,
    the_day_view_shows_appointments_blocks_and_free_time,
);
