//! Recurring series: RRULEs in the organization's time zone, all-or-nothing or book-what-fits, and cancelling
//! or moving one occurrence or this and all following.

mod common;

use common::scheduling::{Desk, book, call, desk, expect, patient};
use common::{Backend, Clinic, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

async fn series(
    app: &TestApp,
    clinic: &Clinic,
    desk: &Desk,
    patient: &str,
    start: &str,
    rule: &str,
    mode: &str,
) -> (u16, Value) {
    let body = json!({"patient_id": patient, "practitioner_id": desk.practitioner, "service_id": desk.service,
        "start": start, "rrule": rule, "mode": mode});
    call(
        app,
        &clinic.admin.token,
        Method::POST,
        "/api/v1/appointment-series",
        Some(body),
    )
    .await
}

fn starts(series: &Value) -> Vec<String> {
    series["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["start"].as_str().unwrap().to_owned())
        .collect()
}

fn statuses(series: &Value) -> Vec<String> {
    series["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["status"].as_str().unwrap().to_owned())
        .collect()
}

async fn weekly_series_keep_their_local_time_across_daylight_saving(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("weekly").await;
    let berg = desk(&app, &clinic, "Dr. Berg").await;
    let ola = patient(&app, &clinic, "Ola").await;
    let (status, booked) = series(
        &app,
        &clinic,
        &berg,
        &ola,
        "2030-03-19T09:00:00+01:00",
        "FREQ=WEEKLY;COUNT=6",
        "all_or_nothing",
    )
    .await;
    assert_eq!(status, 201, "{booked}");
    assert_eq!(
        starts(&booked),
        [
            "2030-03-19T09:00:00+01:00",
            "2030-03-26T09:00:00+01:00",
            "2030-04-02T09:00:00+02:00",
            "2030-04-09T09:00:00+02:00",
            "2030-04-16T09:00:00+02:00",
            "2030-04-23T09:00:00+02:00",
        ]
    );
    assert!(statuses(&booked).iter().all(|s| s == "booked"));

    // Every second Tuesday until the end of May.
    let kari = patient(&app, &clinic, "Kari").await;
    let (status, fortnightly) = series(
        &app,
        &clinic,
        &berg,
        &kari,
        "2030-03-05T11:00:00+01:00",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20300531",
        "all_or_nothing",
    )
    .await;
    assert_eq!(status, 201, "{fortnightly}");
    assert_eq!(starts(&fortnightly).len(), 7);
    assert_eq!(starts(&fortnightly)[6], "2030-05-28T11:00:00+02:00");

    let (status, refused) = series(
        &app,
        &clinic,
        &berg,
        &kari,
        "2030-03-05T13:00:00+01:00",
        "FREQ=WEEKLY",
        "all_or_nothing",
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(refused["errors"][0]["field"], "rrule");
}

async fn conflicts_refuse_all_or_are_listed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("clashes").await;
    let token = clinic.admin.token.clone();
    let berg = desk(&app, &clinic, "Dr. Berg").await;
    let (ola, kari) = (
        patient(&app, &clinic, "Ola").await,
        patient(&app, &clinic, "Kari").await,
    );
    let (_, taken) = book(&app, &token, &berg, &kari, "2030-03-18T09:15:00+01:00").await;

    let (status, refused) = series(
        &app,
        &clinic,
        &berg,
        &ola,
        "2030-03-04T09:00:00+01:00",
        "FREQ=WEEKLY;COUNT=4",
        "all_or_nothing",
    )
    .await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["conflicts"][0]["occurrence"], 2);
    assert_eq!(refused["conflicts"][0]["appointment_id"], taken["id"]);
    let path = format!("/api/v1/appointments?patient_id={ola}");
    let nothing = expect(&app, &token, Method::GET, &path, None, 200).await;
    assert!(
        nothing["data"].as_array().unwrap().is_empty(),
        "all or nothing booked nothing"
    );

    let (status, fitted) = series(
        &app,
        &clinic,
        &berg,
        &ola,
        "2030-03-04T09:00:00+01:00",
        "FREQ=WEEKLY;COUNT=4",
        "book_what_fits",
    )
    .await;
    assert_eq!(status, 201, "{fitted}");
    assert_eq!(statuses(&fitted), ["booked", "booked", "not_booked", "booked"]);
    assert_eq!(fitted["occurrences"][2]["conflicts"][0]["kind"], "practitioner");
    // Reading the series later still shows the occurrence that was never booked.
    let read = expect(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/appointment-series/{}", fitted["id"].as_str().unwrap()),
        None,
        200,
    )
    .await;
    assert_eq!(statuses(&read), ["booked", "booked", "not_booked", "booked"]);
}

async fn one_or_all_following_occurrences_change_alone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("following").await;
    let token = clinic.admin.token.clone();
    let berg = desk(&app, &clinic, "Dr. Berg").await;
    let ola = patient(&app, &clinic, "Ola").await;
    let (_, booked) = series(
        &app,
        &clinic,
        &berg,
        &ola,
        "2030-03-19T09:00:00+01:00",
        "FREQ=WEEKLY;COUNT=6",
        "all_or_nothing",
    )
    .await;
    let path = format!("/api/v1/appointment-series/{}", booked["id"].as_str().unwrap());

    // One occurrence alone, through its appointment.
    let second = booked["occurrences"][1]["appointment_id"].as_str().unwrap();
    expect(
        &app,
        &token,
        Method::POST,
        &format!("/api/v1/appointments/{second}/status"),
        Some(json!({"status": "cancelled", "reason": "patient_unwell"})),
        200,
    )
    .await;
    let read = expect(&app, &token, Method::GET, &path, None, 200).await;
    assert_eq!(
        statuses(&read),
        ["booked", "cancelled", "booked", "booked", "booked", "booked"]
    );

    // This and all following, one hour later: the local time stays 10:00 across the change to summer time.
    let moved = expect(
        &app,
        &token,
        Method::POST,
        &format!("{path}/move"),
        Some(json!({"from_index": 2, "start": "2030-04-02T10:00:00+02:00"})),
        200,
    )
    .await;
    assert_eq!(
        starts(&moved),
        [
            "2030-03-19T09:00:00+01:00",
            "2030-03-26T09:00:00+01:00",
            "2030-04-02T10:00:00+02:00",
            "2030-04-09T10:00:00+02:00",
            "2030-04-16T10:00:00+02:00",
            "2030-04-23T10:00:00+02:00",
        ]
    );
    // A week later: each moves onto the time the next one leaves.
    let moved = expect(
        &app,
        &token,
        Method::POST,
        &format!("{path}/move"),
        Some(json!({"from_index": 4, "start": "2030-04-23T10:00:00+02:00"})),
        200,
    )
    .await;
    assert_eq!(
        starts(&moved)[4..],
        ["2030-04-23T10:00:00+02:00", "2030-04-30T10:00:00+02:00"]
    );

    let cancelled = expect(
        &app,
        &token,
        Method::POST,
        &format!("{path}/cancel"),
        Some(json!({"from_index": 3, "reason": "clinic_request"})),
        200,
    )
    .await;
    assert_eq!(
        statuses(&cancelled),
        [
            "booked",
            "cancelled",
            "booked",
            "cancelled",
            "cancelled",
            "cancelled"
        ]
    );
}

on_both_backends!(
    weekly_series_keep_their_local_time_across_daylight_saving,
    conflicts_refuse_all_or_are_listed,
    one_or_all_following_occurrences_change_alone,
);
