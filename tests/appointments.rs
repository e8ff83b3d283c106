//! Booking: no practitioner, resource or patient is ever in two appointments at once, on both backends and
//! under concurrency; working hours and blocks hold unless an admin overrides; the lifecycle; moving.

mod common;

use common::scheduling::{Desk, book, call, desk, expect, patient};
use common::{Backend, TestApp, problem};
use reqwest::Method;
use serde_json::{Value, json};

fn clash_kinds(problem: &Value) -> Vec<&str> {
    problem["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect()
}

async fn overlaps_are_refused_and_named(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("overlaps").await;
    let token = clinic.admin.token.clone();
    let berg = desk(&app, &clinic, "Dr. Berg").await;
    let lie = desk(&app, &clinic, "Dr. Lie").await;
    let (ola, kari) = (
        patient(&app, &clinic, "Ola").await,
        patient(&app, &clinic, "Kari").await,
    );

    let (status, first) = book(&app, &token, &berg, &ola, "2030-03-04T09:00:00+01:00").await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(
        (first["start"].as_str(), first["end"].as_str()),
        (
            Some("2030-03-04T09:00:00+01:00"),
            Some("2030-03-04T09:30:00+01:00")
        )
    );

    // Another patient with the same practitioner, overlapping.
    let (status, refused) = book(&app, &token, &berg, &kari, "2030-03-04T09:15:00+01:00").await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(clash_kinds(&refused), ["practitioner"]);
    assert_eq!(refused["conflicts"][0]["appointment_id"], first["id"]);
    // The same patient with another practitioner at the same time.
    let (status, refused) = book(&app, &token, &lie, &ola, "2030-03-04T09:00:00+01:00").await;
    assert_eq!(status, 409);
    assert_eq!(clash_kinds(&refused), ["patient"]);
    // Back to back is fine: appointments are half-open intervals.
    let (status, _) = book(&app, &token, &berg, &kari, "2030-03-04T09:30:00+01:00").await;
    assert_eq!(status, 201);

    // A room two practitioners want at once.
    let room = expect(
        &app,
        &token,
        Method::POST,
        "/api/v1/resources",
        Some(json!({"name": "Gym"})),
        201,
    )
    .await;
    let with_room = |desk: &Desk, patient: &str| {
        json!({"patient_id": patient, "practitioner_id": desk.practitioner,
        "service_id": desk.service, "resource_id": room["id"], "start": "2030-03-04T11:00:00+01:00"})
    };
    let nils = patient(&app, &clinic, "Nils").await;
    expect(
        &app,
        &token,
        Method::POST,
        "/api/v1/appointments",
        Some(with_room(&berg, &nils)),
        201,
    )
    .await;
    let (status, refused) = call(
        &app,
        &token,
        Method::POST,
        "/api/v1/appointments",
        Some(with_room(&lie, &kari)),
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(clash_kinds(&refused), ["resource"]);

    // Before opening hours, and in a time block.
    let (status, refused) = book(&app, &token, &berg, &kari, "2030-03-04T07:00:00+01:00").await;
    assert_eq!(status, 409);
    assert_eq!(clash_kinds(&refused), ["working_hours"]);
    let block = json!({"practitioner_id": berg.practitioner, "kind": "meeting",
        "start": "2030-03-04T13:00:00+01:00", "end": "2030-03-04T14:00:00+01:00"});
    expect(
        &app,
        &token,
        Method::POST,
        "/api/v1/time-blocks",
        Some(block),
        201,
    )
    .await;
    let (status, refused) = book(&app, &token, &berg, &kari, "2030-03-04T13:30:00+01:00").await;
    assert_eq!(status, 409);
    assert_eq!(clash_kinds(&refused), ["time_block"]);

    // Only an admin overrides working hours, with a reason that is kept sealed and audited.
    let reception = app.user(&clinic, "desk", &["reception"]).await;
    let early = |reason: &str| {
        json!({"patient_id": kari, "practitioner_id": berg.practitioner,
        "service_id": berg.service, "start": "2030-03-04T07:00:00+01:00", "override_reason": reason})
    };
    let response = app
        .authed(Method::POST, "/api/v1/appointments", &reception.token)
        .json(&early("urgent"))
        .send()
        .await
        .unwrap();
    problem(response, 403).await;
    let auditor = app.user(&clinic, "auditor", &["auditor"]).await;
    let path = format!(
        "/api/v1/audit-events?action=appointment.create&actor_id={}",
        reception.user_id
    );
    let denied = expect(&app, &auditor.token, Method::GET, &path, None, 200).await;
    assert_eq!(denied["data"][0]["outcome"], "denied", "{denied}");
    let overridden = expect(
        &app,
        &token,
        Method::POST,
        "/api/v1/appointments",
        Some(early("acute pain, seen early")),
        201,
    )
    .await;
    assert_eq!(overridden["override_reason"], "acute pain, seen early");

    // Past starts are refused.
    let response = app
        .authed(Method::POST, "/api/v1/appointments", &token)
        .json(
            &json!({"patient_id": kari, "practitioner_id": berg.practitioner, "service_id": berg.service,
            "start": "2020-03-04T09:00:00+01:00"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(problem(response, 422).await["errors"][0]["field"], "start");

    // Last: on SQLite reading the raw files closes the server's connections.
    let stored = app.raw_database_text(&["appointment"]).await;
    assert!(
        !stored.contains("acute pain"),
        "the override reason is encrypted at rest"
    );
}

async fn fifty_simultaneous_bookings_of_one_slot_book_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("rush").await;
    let token = clinic.admin.token.clone();
    let berg = desk(&app, &clinic, "Dr. Berg").await;
    let mut patients = Vec::new();
    for index in 0..50 {
        patients.push(patient(&app, &clinic, &format!("Patient{index}")).await);
    }
    let mut attempts = tokio::task::JoinSet::new();
    for patient in patients {
        let (client, url, token, desk) = (
            app.client.clone(),
            app.url("/api/v1/appointments"),
            token.clone(),
            berg.clone(),
        );
        attempts.spawn(async move {
            let body = json!({"patient_id": patient, "practitioner_id": desk.practitioner,
                "service_id": desk.service, "start": "2030-03-04T10:00:00+01:00"});
            let response = client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        });
    }
    let mut statuses = Vec::new();
    while let Some(result) = attempts.join_next().await {
        let (status, body) = result.unwrap();
        if status == 409 {
            assert_eq!(clash_kinds(&body), ["practitioner"], "{body}");
        }
        statuses.push(status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 49, "{statuses:?}");
    let path = format!("/api/v1/appointments?practitioner_id={}", berg.practitioner);
    let listed = expect(&app, &token, Method::GET, &path, None, 200).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
}

/// On PostgreSQL the database itself refuses an overlap, whatever the application does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_refuses_overlaps_itself() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let clinic = app.clinic("constraint").await;
    let berg = desk(&app, &clinic, "Dr. Berg").await;
    let ola = patient(&app, &clinic, "Ola").await;
    let kari = patient(&app, &clinic, "Kari").await;
    let (status, booked) = book(
        &app,
        &clinic.admin.token,
        &berg,
        &ola,
        "2030-03-04T09:00:00+01:00",
    )
    .await;
    assert_eq!(status, 201, "{booked}");
    let copy = format!(
        "insert into appointment (appointment_id, organization_id, patient_id, practitioner_id, service_id,
             start_at, end_at, occupied_start, occupied_end, status, late_cancellation, version, created_at, updated_at)
         select gen_random_uuid(), organization_id, '{kari}', practitioner_id, service_id, start_at + interval '10 minutes',
             end_at + interval '10 minutes', occupied_start + interval '10 minutes', occupied_end + interval '10 minutes',
             'booked', false, 1, now(), now()
         from appointment where appointment_id = '{}'",
        booked["id"].as_str().unwrap()
    );
    let error = app
        .try_sql(&copy)
        .await
        .expect_err("the exclusion constraint refuses the overlap");
    assert!(
        error.to_string().contains("appointment_practitioner_overlap"),
        "{error}"
    );
}

async fn the_lifecycle_allows_only_its_steps(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("lifecycle").await;
    let token = clinic.admin.token.clone();
    let berg = desk(&app, &clinic, "Dr. Berg").await;
    let ola = patient(&app, &clinic, "Ola").await;
    let (_, booked) = book(&app, &token, &berg, &ola, "2030-03-04T09:00:00+01:00").await;
    let status_path = format!("/api/v1/appointments/{}/status", booked["id"].as_str().unwrap());
    let step = |status: &str| json!({"status": status});

    let refused = expect(
        &app,
        &token,
        Method::POST,
        &status_path,
        Some(step("completed")),
        409,
    )
    .await;
    assert!(
        refused["detail"]
            .as_str()
            .unwrap()
            .contains("booked to completed"),
        "{refused}"
    );
    let refused = expect(
        &app,
        &token,
        Method::POST,
        &status_path,
        Some(step("no_show")),
        409,
    )
    .await;
    assert!(
        refused["detail"].as_str().unwrap().contains("started"),
        "{refused}"
    );
    let missing = expect(
        &app,
        &token,
        Method::POST,
        &status_path,
        Some(step("cancelled")),
        422,
    )
    .await;
    assert_eq!(missing["errors"][0]["field"], "reason");

    for status in ["arrived", "in_progress", "completed"] {
        let changed = expect(&app, &token, Method::POST, &status_path, Some(step(status)), 200).await;
        assert_eq!(changed["status"], status);
    }
    expect(
        &app,
        &token,
        Method::POST,
        &status_path,
        Some(json!({"status": "cancelled", "reason": "weather"})),
        409,
    )
    .await;

    // Cancelling far ahead is not late; the time is free again at once.
    let (_, later) = book(&app, &token, &berg, &ola, "2030-03-05T09:00:00+01:00").await;
    let path = format!("/api/v1/appointments/{}/status", later["id"].as_str().unwrap());
    let cancelled = expect(
        &app,
        &token,
        Method::POST,
        &path,
        Some(json!({"status": "cancelled", "reason": "patient_unwell"})),
        200,
    )
    .await;
    assert_eq!(
        (
            cancelled["late_cancellation"].as_bool(),
            cancelled["cancel_reason"].as_str()
        ),
        (Some(false), Some("patient_unwell"))
    );
    assert_eq!(cancelled["cancelled_by"], json!(clinic.admin.user_id));
    let (status, _) = book(&app, &token, &berg, &ola, "2030-03-05T09:00:00+01:00").await;
    assert_eq!(status, 201);

    // Inside the late-cancellation window (24 hours by default).
    let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(3);
    let soon = soon
        .round(
            jiff::TimestampRound::new()
                .smallest(jiff::Unit::Hour)
                .mode(jiff::RoundMode::Ceil),
        )
        .unwrap();
    let around_the_clock =
        common::scheduling::desk_with(&app, &clinic, "Dr. Night", ("00:00", "23:59"), 30, (0, 0)).await;
    let (status, urgent) = book(&app, &token, &around_the_clock, &ola, &soon.to_string()).await;
    assert_eq!(status, 201, "{urgent}");
    let path = format!("/api/v1/appointments/{}/status", urgent["id"].as_str().unwrap());
    let cancelled = expect(
        &app,
        &token,
        Method::POST,
        &path,
        Some(json!({"status": "cancelled", "reason": "patient_request"})),
        200,
    )
    .await;
    assert_eq!(cancelled["late_cancellation"], true);
}

async fn moving_keeps_the_id_and_the_history(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("moving").await;
    let token = clinic.admin.token.clone();
    let berg = desk(&app, &clinic, "Dr. Berg").await;
    let (ola, kari) = (
        patient(&app, &clinic, "Ola").await,
        patient(&app, &clinic, "Kari").await,
    );
    let (_, booked) = book(&app, &token, &berg, &ola, "2030-03-04T09:00:00+01:00").await;
    let (_, other) = book(&app, &token, &berg, &kari, "2030-03-04T11:00:00+01:00").await;
    let id = booked["id"].as_str().unwrap();
    let path = format!("/api/v1/appointments/{id}");

    let stale = app
        .authed(Method::PATCH, &path, &token)
        .header("if-match", "\"7\"")
        .json(&json!({"start": "2030-03-04T10:00:00+01:00"}))
        .send()
        .await
        .unwrap();
    problem(stale, 412).await;
    let clash = expect(
        &app,
        &token,
        Method::PATCH,
        &path,
        Some(json!({"start": "2030-03-04T11:15:00+01:00"})),
        409,
    )
    .await;
    assert_eq!(clash["conflicts"][0]["appointment_id"], other["id"]);

    let moved = app
        .authed(Method::PATCH, &path, &token)
        .header("if-match", "\"1\"")
        .json(&json!({"start": "2030-03-04T10:00:00+01:00"}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 200);
    assert_eq!(moved.headers()["etag"], "\"2\"");
    let moved: Value = moved.json().await.unwrap();
    assert_eq!(
        (moved["id"].as_str(), moved["start"].as_str()),
        (Some(id), Some("2030-03-04T10:00:00+01:00"))
    );
    // The old time is free again.
    let (status, _) = book(&app, &token, &berg, &kari, "2030-03-04T09:00:00+01:00").await;
    assert_eq!(status, 201);

    let history = expect(&app, &token, Method::GET, &format!("{path}/history"), None, 200).await;
    let steps: Vec<(&str, &str)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["action"].as_str().unwrap(), h["start"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [
            ("booked", "2030-03-04T09:00:00+01:00"),
            ("moved", "2030-03-04T10:00:00+01:00")
        ]
    );

    let status_path = format!("{path}/status");
    expect(
        &app,
        &token,
        Method::POST,
        &status_path,
        Some(json!({"status": "cancelled", "reason": "other"})),
        200,
    )
    .await;
    let refused = expect(
        &app,
        &token,
        Method::PATCH,
        &path,
        Some(json!({"start": "2030-03-04T12:00:00+01:00"})),
        409,
    )
    .await;
    assert!(
        refused["detail"].as_str().unwrap().contains("cannot be moved"),
        "{refused}"
    );

    // Every read of the appointment is in the audit trail under its patient.
    expect(&app, &token, Method::GET, &path, None, 200).await;
    let auditor = app.user(&clinic, "auditor", &["auditor"]).await;
    let events = expect(
        &app,
        &auditor.token,
        Method::GET,
        "/api/v1/audit-events?action=appointment.read",
        None,
        200,
    )
    .await;
    assert_eq!(events["data"][0]["patient_id"], json!(ola));
}

async fn a_retried_booking_with_its_idempotency_key_books_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("retry").await;
    let token = clinic.admin.token.clone();
    let berg = desk(&app, &clinic, "Dr. Berg").await;
    let ola = patient(&app, &clinic, "Ola").await;
    let body = json!({"patient_id": ola, "practitioner_id": berg.practitioner, "service_id": berg.service,
        "start": "2030-03-04T09:00:00+01:00"});
    let send = |body: Value| {
        app.authed(Method::POST, "/api/v1/appointments", &token)
            .header("idempotency-key", "booking-7f3a")
            .json(&body)
            .send()
    };
    let first = send(body.clone()).await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    // The answer was lost on the way; the front desk sends the same request again.
    let again = send(body.clone()).await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
    let listed = expect(&app, &token, Method::GET, "/api/v1/appointments", None, 200).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    // The same key with another booking is refused, naming the key.
    let mut other = body;
    other["start"] = json!("2030-03-04T10:00:00+01:00");
    let refused = problem(send(other).await.unwrap(), 422).await;
    assert_eq!(refused["errors"][0]["field"], "Idempotency-Key");
}

on_both_backends!(
    a_retried_booking_with_its_idempotency_key_books_once,
    overlaps_are_refused_and_named,
    fifty_simultaneous_bookings_of_one_slot_book_once,
    the_lifecycle_allows_only_its_steps,
    moving_keeps_the_id_and_the_history,
);
