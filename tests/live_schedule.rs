//! The live event stream carries real schedule and queue changes: bookings, cancellations, waitlist offers
//! and queue tickets reach the organization's subscribers, and on PostgreSQL a booking made through one
//! `praxis serve` process reaches a subscriber of another.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::scheduling::{book, desk, expect, patient};
use common::{Backend, TestApp};
use futures_util::StreamExt;
use praxis::crypto::KEY_FILE_NAME;
use reqwest::Method;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long a test waits for a frame before it fails: generous, so a slow machine does not fail it.
const FRAME_GUARD: Duration = Duration::from_secs(20);

async fn subscribe(address: &str, token: &str) -> Socket {
    let mut request = format!("ws://{address}/api/v1/events")
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    let (socket, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the stream opens");
    assert_eq!(response.status(), 101);
    socket
}

/// The next event frame of one of `kinds`, skipping others.
async fn next_of(socket: &mut Socket, kinds: &[&str]) -> Value {
    loop {
        let message = tokio::time::timeout(FRAME_GUARD, socket.next())
            .await
            .expect("a frame arrives")
            .expect("the stream is open")
            .expect("the frame reads");
        if let Message::Text(text) = message {
            let frame: Value = serde_json::from_str(&text).unwrap();
            if kinds.contains(&frame["type"].as_str().unwrap_or_default()) {
                return frame;
            }
        }
    }
}

async fn schedule_and_queue_changes_are_pushed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("live").await;
    let other = app.clinic("elsewhere").await;
    let token = clinic.admin.token.clone();
    let berg = desk(&app, &clinic, "Dr. Berg").await;
    let (ola, kari) = (
        patient(&app, &clinic, "Ola").await,
        patient(&app, &clinic, "Kari").await,
    );
    let address = app.address.to_string();
    let mut socket = subscribe(&address, &token).await;
    let mut outsider = subscribe(&address, &other.admin.token).await;

    let (status, booked) = book(&app, &token, &berg, &ola, "2030-03-04T09:00:00+01:00").await;
    assert_eq!(status, 201, "{booked}");
    let frame = next_of(&mut socket, &["appointment.booked"]).await;
    assert_eq!(frame["data"]["appointment_id"], booked["id"]);
    assert_eq!(frame["data"]["status"], "booked");
    assert!(
        !frame.to_string().contains("Nordmann"),
        "events carry ids, never names: {frame}"
    );

    let waiting = json!({"patient_id": kari, "service_id": berg.service,
        "windows": [{"start": "2030-03-04T08:00:00+01:00", "end": "2030-03-04T12:00:00+01:00"}]});
    expect(&app, &token, Method::POST, "/api/v1/waitlist", Some(waiting), 201).await;
    let path = format!("/api/v1/appointments/{}/status", booked["id"].as_str().unwrap());
    expect(
        &app,
        &token,
        Method::POST,
        &path,
        Some(json!({"status": "cancelled", "reason": "weather"})),
        200,
    )
    .await;
    let cancelled = next_of(&mut socket, &["appointment.cancelled"]).await;
    assert_eq!(cancelled["data"]["appointment_id"], booked["id"]);
    let offered = next_of(&mut socket, &["waitlist.offered"]).await;
    assert_eq!(offered["data"]["patient_id"], json!(kari));

    let queue = expect(
        &app,
        &token,
        Method::POST,
        "/api/v1/queues",
        Some(json!({"name": "Front desk"})),
        201,
    )
    .await;
    let tickets = format!("/api/v1/queues/{}/tickets", queue["id"].as_str().unwrap());
    expect(&app, &token, Method::POST, &tickets, Some(json!({})), 201).await;
    let issued = next_of(&mut socket, &["queue.ticket_issued"]).await;
    assert_eq!(issued["data"]["number"], 1);

    // The other organization's subscriber saw none of it: its first frame is its own booking.
    let lie = desk(&app, &other, "Dr. Lie").await;
    let nils = patient(&app, &other, "Nils").await;
    let (_, theirs) = book(&app, &other.admin.token, &lie, &nils, "2030-03-04T09:00:00+01:00").await;
    let first = next_of(
        &mut outsider,
        &[
            "appointment.booked",
            "appointment.cancelled",
            "waitlist.offered",
            "queue.ticket_issued",
        ],
    )
    .await;
    assert_eq!(first["data"]["appointment_id"], theirs["id"]);
}

on_both_backends!(schedule_and_queue_changes_are_pushed);

/// A `praxis serve` process of its own, killed when dropped.
struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start(database_url: &str, keys_from: &std::path::Path) -> (Self, tempfile::TempDir) {
        let data_dir = tempfile::tempdir().unwrap();
        std::fs::copy(keys_from.join(KEY_FILE_NAME), data_dir.path().join(KEY_FILE_NAME)).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_praxis"))
            .env("PRAXIS_DATABASE_URL", database_url)
            .env("PRAXIS_DATA_DIR", data_dir.path())
            .env("PRAXIS_LOG_FORMAT", "json")
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let address = loop {
            let line = lines.next().expect("the server logs that it listens").unwrap();
            if line.contains("praxis is listening") {
                let entry: Value = serde_json::from_str(&line).unwrap();
                break entry["address"].as_str().unwrap().to_owned();
            }
        };
        // Keep reading the log so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        (Self { child, address }, data_dir)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_through_one_instance_reaches_a_subscriber_of_another() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let clinic = app.clinic("twins").await;
    let berg = desk(&app, &clinic, "Dr. Berg").await;
    let ola = patient(&app, &clinic, "Ola").await;
    let url = app.database.as_ref().unwrap().url();
    let (first, _first_dir) = Server::start(&url, app.data_dir.path());
    let (second, _second_dir) = Server::start(&url, app.data_dir.path());

    let mut socket = subscribe(&second.address, &clinic.admin.token).await;
    let body = json!({"patient_id": ola, "practitioner_id": berg.practitioner, "service_id": berg.service,
        "start": "2030-03-04T09:00:00+01:00"});
    let response = app
        .client
        .post(format!("http://{}/api/v1/appointments", first.address))
        .bearer_auth(&clinic.admin.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let booked: Value = response.json().await.unwrap();
    let frame = next_of(&mut socket, &["appointment.booked"]).await;
    assert_eq!(frame["data"]["appointment_id"], booked["id"]);
}
