//! JSON calls and a ready-made schedule for the scheduling tests: a practitioner who works every day from
//! 08:00 to 16:00 local time and offers one service.

use reqwest::Method;
use serde_json::{Value, json};

use super::{Clinic, TestApp};

/// Sends a JSON request and returns the status and the body (`null` when empty).
pub async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app.authed(method, path, token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

/// Like [`call`], asserting the status (the body is shown when it differs).
pub async fn expect(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
    status: u16,
) -> Value {
    let (actual, body) = call(app, token, method.clone(), path, body).await;
    assert_eq!(actual, status, "{method} {path}: {body}");
    body
}

pub async fn patient(app: &TestApp, clinic: &Clinic, given_name: &str) -> String {
    let body = json!({"kind": "person", "given_name": given_name, "family_name": "Nordmann"});
    let created = expect(
        app,
        &clinic.admin.token,
        Method::POST,
        "/api/v1/patients",
        Some(body),
        201,
    )
    .await;
    created["id"].as_str().unwrap().to_owned()
}

/// A practitioner and a service they offer.
#[derive(Debug, Clone)]
pub struct Desk {
    pub practitioner: String,
    pub service: String,
}

pub const EVERY_DAY: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// A practitioner working every day `start`–`end` (local), offering a service of `minutes` with buffers.
pub async fn desk_with(
    app: &TestApp,
    clinic: &Clinic,
    name: &str,
    (start, end): (&str, &str),
    minutes: i64,
    (before, after): (i64, i64),
) -> Desk {
    let token = &clinic.admin.token;
    let practitioner = expect(
        app,
        token,
        Method::POST,
        "/api/v1/practitioners",
        Some(json!({"name": name})),
        201,
    )
    .await;
    let practitioner = practitioner["id"].as_str().unwrap().to_owned();
    let weekly: Vec<Value> = EVERY_DAY
        .iter()
        .map(|day| json!({"weekday": day, "start": start, "end": end}))
        .collect();
    let path = format!("/api/v1/practitioners/{practitioner}/working-hours");
    expect(
        app,
        token,
        Method::PUT,
        &path,
        Some(json!({"weekly": weekly})),
        200,
    )
    .await;
    let service = json!({
        "name": format!("Consultation with {name}"), "duration_minutes": minutes,
        "buffer_before_minutes": before, "buffer_after_minutes": after, "practitioner_ids": [practitioner],
    });
    let service = expect(app, token, Method::POST, "/api/v1/services", Some(service), 201).await;
    Desk {
        practitioner,
        service: service["id"].as_str().unwrap().to_owned(),
    }
}

/// Every day 08:00–16:00, a 30-minute service without buffers.
pub async fn desk(app: &TestApp, clinic: &Clinic, name: &str) -> Desk {
    desk_with(app, clinic, name, ("08:00", "16:00"), 30, (0, 0)).await
}

/// Books `start` (RFC 3339) and returns the answer's status and body.
pub async fn book(app: &TestApp, token: &str, desk: &Desk, patient: &str, start: &str) -> (u16, Value) {
    let body = json!({
        "patient_id": patient, "practitioner_id": desk.practitioner, "service_id": desk.service, "start": start,
    });
    call(app, token, Method::POST, "/api/v1/appointments", Some(body)).await
}
