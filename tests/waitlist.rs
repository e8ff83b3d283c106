//! The waitlist: freed time is offered to matching entries in priority order, and of two patients offered
//! the same slot only one can accept it.

mod common;

use common::scheduling::{Desk, book, call, desk, expect, patient};
use common::{Backend, Clinic, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

async fn wait(app: &TestApp, clinic: &Clinic, desk: &Desk, patient: &str, priority: i64) -> Value {
    let body = json!({"patient_id": patient, "service_id": desk.service, "practitioner_id": desk.practitioner,
        "priority": priority, "windows": [{"start": "2030-03-04T08:00:00+01:00", "end": "2030-03-04T12:00:00+01:00"}]});
    expect(
        app,
        &clinic.admin.token,
        Method::POST,
        "/api/v1/waitlist",
        Some(body),
        201,
    )
    .await
}

async fn open_offers(app: &TestApp, clinic: &Clinic) -> Vec<Value> {
    let offers = expect(
        app,
        &clinic.admin.token,
        Method::GET,
        "/api/v1/waitlist-offers",
        None,
        200,
    )
    .await;
    offers.as_array().unwrap().clone()
}

async fn a_cancellation_is_offered_in_priority_order_and_accepted_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("waitlist").await;
    let token = clinic.admin.token.clone();
    let berg = desk(&app, &clinic, "Dr. Berg").await;
    let (ola, kari, nils) = (
        patient(&app, &clinic, "Ola").await,
        patient(&app, &clinic, "Kari").await,
        patient(&app, &clinic, "Nils").await,
    );
    let (_, booked) = book(&app, &token, &berg, &ola, "2030-03-04T09:00:00+01:00").await;
    let kari_waits = wait(&app, &clinic, &berg, &kari, 2).await;
    let nils_waits = wait(&app, &clinic, &berg, &nils, 1).await;
    assert!(open_offers(&app, &clinic).await.is_empty());
    let waiting = expect(&app, &token, Method::GET, "/api/v1/waitlist", None, 200).await;
    let order: Vec<&Value> = waiting
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| &entry["id"])
        .collect();
    assert_eq!(order, [&nils_waits["id"], &kari_waits["id"]]);

    let path = format!("/api/v1/appointments/{}/status", booked["id"].as_str().unwrap());
    expect(
        &app,
        &token,
        Method::POST,
        &path,
        Some(json!({"status": "cancelled", "reason": "patient_request"})),
        200,
    )
    .await;
    let offers = open_offers(&app, &clinic).await;
    let offered: Vec<(&Value, &str)> = offers
        .iter()
        .map(|o| (&o["patient_id"], o["start"].as_str().unwrap()))
        .collect();
    assert_eq!(
        offered,
        [
            (&json!(nils), "2030-03-04T09:00:00+01:00"),
            (&json!(kari), "2030-03-04T09:00:00+01:00")
        ]
    );

    // Both accept at once: exactly one gets the slot.
    let accepts = offers.iter().map(|offer| {
        let path = format!("/api/v1/waitlist-offers/{}/accept", offer["id"].as_str().unwrap());
        let request = app.authed(Method::POST, &path, &token);
        async move { request.send().await.unwrap().status().as_u16() }
    });
    let mut statuses = futures_join(accepts.collect()).await;
    statuses.sort();
    assert_eq!(statuses, [201, 409]);

    let booked = expect(
        &app,
        &token,
        Method::GET,
        "/api/v1/waitlist?status=booked",
        None,
        200,
    )
    .await;
    assert_eq!(booked.as_array().unwrap().len(), 1);
    let winner = booked[0]["patient_id"].clone();
    let still_waiting = expect(&app, &token, Method::GET, "/api/v1/waitlist", None, 200).await;
    assert_eq!(still_waiting.as_array().unwrap().len(), 1);
    assert_ne!(still_waiting[0]["patient_id"], winner);
    let taken = expect(
        &app,
        &token,
        Method::GET,
        "/api/v1/waitlist-offers?status=taken",
        None,
        200,
    )
    .await;
    assert_eq!(taken.as_array().unwrap().len(), 1);
    let appointment = booked[0]["appointment_id"].as_str().unwrap();
    let appointment = expect(
        &app,
        &token,
        Method::GET,
        &format!("/api/v1/appointments/{appointment}"),
        None,
        200,
    )
    .await;
    assert_eq!(
        (&appointment["patient_id"], appointment["start"].as_str()),
        (&winner, Some("2030-03-04T09:00:00+01:00"))
    );
}

async fn a_shortened_block_is_offered_and_can_be_declined(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("blocks").await;
    let token = clinic.admin.token.clone();
    let berg = desk(&app, &clinic, "Dr. Berg").await;
    let kari = patient(&app, &clinic, "Kari").await;
    let block = json!({"practitioner_id": berg.practitioner, "kind": "absence",
        "start": "2030-03-04T08:00:00+01:00", "end": "2030-03-04T16:00:00+01:00"});
    let block = expect(
        &app,
        &token,
        Method::POST,
        "/api/v1/time-blocks",
        Some(block),
        201,
    )
    .await;
    wait(&app, &clinic, &berg, &kari, 3).await;
    let path = format!("/api/v1/time-blocks/{}", block["id"].as_str().unwrap());
    expect(
        &app,
        &token,
        Method::PATCH,
        &path,
        Some(json!({"start": "2030-03-04T10:30:00+01:00"})),
        200,
    )
    .await;
    let offers = open_offers(&app, &clinic).await;
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0]["start"], "2030-03-04T08:00:00+01:00");

    let decline = format!(
        "/api/v1/waitlist-offers/{}/decline",
        offers[0]["id"].as_str().unwrap()
    );
    let declined = expect(&app, &token, Method::POST, &decline, None, 200).await;
    assert_eq!(declined["status"], "declined");
    let (status, _) = call(&app, &token, Method::POST, &decline, None).await;
    assert_eq!(status, 409);
    assert!(open_offers(&app, &clinic).await.is_empty());
}

async fn futures_join(requests: Vec<impl Future<Output = u16> + Send + 'static>) -> Vec<u16> {
    let handles: Vec<_> = requests.into_iter().map(tokio::spawn).collect();
    let mut statuses = Vec::new();
    for handle in handles {
        statuses.push(handle.await.unwrap());
    }
    statuses
}

on_both_backends!(
    a_cancellation_is_offered_in_priority_order_and_accepted_once,
    a_shortened_block_is_offered_and_can_be_declined,
);
