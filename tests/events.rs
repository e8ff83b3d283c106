//! The live event stream (`GET /api/v1/events`): delivery within an organization only, resuming after a
//! disconnect, the gap after pruning, authentication, delivery across instances, and shutdown.
//!
//! Events are published through a test-only route whose handler calls `events::publish` in a write
//! transaction, as the services that own appointments and the queue do.

mod common;

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use common::{Backend, TestApp, problem};
use futures_util::StreamExt;
use jiff::{SignedDuration, Timestamp};
use praxis::http::AppState;
use praxis::services::access::Principal;
use praxis::services::events::{self, EventKind};
use praxis::store::DbTime;
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Only a guard against a test hanging: well below the stream's 30 s keep-alive, so an event that arrives
/// came through its wake-up, not through the periodic look.
const FRAME_GUARD: Duration = Duration::from_secs(10);

#[derive(serde::Deserialize)]
struct Publish {
    kind: EventKind,
    data: Value,
}

/// Publishes one event in the caller's organization, in a write transaction of its own.
async fn publish_route(
    State(state): State<AppState>,
    principal: Principal,
    Json(body): Json<Publish>,
) -> StatusCode {
    let mut tx = state.store.begin_write().await.unwrap();
    events::publish(&mut tx, principal.organization_id, body.kind, body.data)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    StatusCode::NO_CONTENT
}

fn with_publishing(routes: Router, state: &AppState) -> Router {
    routes.merge(
        Router::new()
            .route("/test/events", post(publish_route))
            .with_state(state.clone()),
    )
}

async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with_state(backend, |_| {}, with_publishing).await
}

/// Publishes `appointment.booked` with `{"n": n}` as the token's organization.
async fn publish(app: &TestApp, token: &str, n: u32) {
    let response = app
        .authed(Method::POST, "/test/events", token)
        .json(&json!({ "kind": "appointment.booked", "data": { "n": n } }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204, "published");
}

fn request(
    app: &TestApp,
    query: &str,
    token: Option<&str>,
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let mut request = format!("ws://{}/api/v1/events{query}", app.address)
        .into_client_request()
        .unwrap();
    if let Some(token) = token {
        request
            .headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
    }
    request
}

async fn subscribe(app: &TestApp, token: &str, query: &str) -> Socket {
    let (socket, response) = tokio_tungstenite::connect_async(request(app, query, Some(token)))
        .await
        .expect("the stream opens");
    assert_eq!(response.status(), 101);
    socket
}

/// The refused handshake's status and problem body.
async fn refused(request: tokio_tungstenite::tungstenite::handshake::client::Request) -> (u16, Value) {
    match tokio_tungstenite::connect_async(request).await {
        Err(WsError::Http(response)) => {
            let status = response.status().as_u16();
            assert_eq!(response.headers()["content-type"], "application/problem+json");
            let body = serde_json::from_slice(response.body().as_deref().unwrap_or_default()).unwrap();
            (status, body)
        }
        Err(other) => panic!("expected an HTTP answer, got {other}"),
        Ok(_) => panic!("the stream must not open"),
    }
}

/// The next text frame as JSON; pings are answered by the client library and skipped here.
async fn next_frame(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(FRAME_GUARD, socket.next())
            .await
            .expect("a frame arrives")
            .expect("the stream is open")
            .expect("the frame reads");
        match message {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// The `n` of each of the next `count` frames, checking each is a well-formed event frame.
async fn next_numbers(socket: &mut Socket, count: usize) -> Vec<(i64, u64)> {
    let mut numbers = Vec::new();
    for _ in 0..count {
        let frame = next_frame(socket).await;
        assert_eq!(frame["type"], "appointment.booked", "{frame}");
        frame["occurred_at"]
            .as_str()
            .unwrap()
            .parse::<Timestamp>()
            .expect("an RFC 3339 instant");
        numbers.push((
            frame["id"].as_i64().unwrap(),
            frame["data"]["n"].as_u64().unwrap(),
        ));
    }
    numbers
}

async fn a_subscriber_receives_its_organizations_events_and_no_others(backend: Backend) {
    let app = spawn(backend).await;
    let alpha = app.clinic("alpha").await;
    let beta = app.clinic("beta").await;
    let reception = app.user(&alpha, "reception", &["reception"]).await;
    let mut alpha_socket = subscribe(&app, &reception.token, "").await;
    let mut beta_socket = subscribe(&app, &beta.admin.token, "").await;

    publish(&app, &alpha.admin.token, 1).await;
    publish(&app, &beta.admin.token, 100).await;
    publish(&app, &alpha.admin.token, 2).await;

    let alpha_events = next_numbers(&mut alpha_socket, 2).await;
    assert_eq!(alpha_events.iter().map(|(_, n)| *n).collect::<Vec<_>>(), [1, 2]);
    assert!(alpha_events[0].0 < alpha_events[1].0, "ids increase");
    let beta_events = next_numbers(&mut beta_socket, 1).await;
    assert_eq!(beta_events[0].1, 100, "beta's own event, none of alpha's");

    // Had beta's stream carried alpha's events, this would not be the next frame.
    publish(&app, &beta.admin.token, 101).await;
    assert_eq!(next_numbers(&mut beta_socket, 1).await[0].1, 101);
    publish(&app, &alpha.admin.token, 3).await;
    assert_eq!(next_numbers(&mut alpha_socket, 1).await[0].1, 3);
}

async fn reconnecting_with_the_last_event_id_replays_exactly_what_was_missed(backend: Backend) {
    let app = spawn(backend).await;
    let alpha = app.clinic("alpha").await;
    let beta = app.clinic("beta").await;
    let token = &alpha.admin.token;

    let mut socket = subscribe(&app, token, "").await;
    for n in 1..=3 {
        publish(&app, token, n).await;
    }
    let seen = next_numbers(&mut socket, 3).await;
    socket.close(None).await.unwrap();

    for n in 4..=6 {
        publish(&app, token, n).await;
        publish(&app, &beta.admin.token, 100 + n).await;
    }

    // By query parameter: the missed events in order, then live ones with nothing repeated in between.
    let last = seen[2].0;
    let mut socket = subscribe(&app, token, &format!("?last_event_id={last}")).await;
    let replayed = next_numbers(&mut socket, 3).await;
    assert_eq!(replayed.iter().map(|(_, n)| *n).collect::<Vec<_>>(), [4, 5, 6]);
    assert!(
        replayed.windows(2).all(|pair| pair[0].0 < pair[1].0),
        "in id order"
    );
    assert!(replayed[0].0 > last);
    publish(&app, token, 7).await;
    assert_eq!(
        next_numbers(&mut socket, 1).await[0].1,
        7,
        "no duplicate before the live event"
    );

    // By header, from further back: everything after that id.
    let mut request = request(&app, "", Some(token));
    request
        .headers_mut()
        .insert("last-event-id", seen[0].0.to_string().parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let replayed = next_numbers(&mut socket, 6).await;
    assert_eq!(
        replayed.iter().map(|(_, n)| *n).collect::<Vec<_>>(),
        [2, 3, 4, 5, 6, 7]
    );
    publish(&app, token, 8).await;
    assert_eq!(next_numbers(&mut socket, 1).await[0].1, 8);
}

async fn opening_the_stream_needs_credentials_and_scheduling_read(backend: Backend) {
    let app = spawn(backend).await;
    let alpha = app.clinic("alpha").await;
    let auditor = app.user(&alpha, "auditor", &["auditor"]).await;

    let (status, body) = refused(request(&app, "", None)).await;
    assert_eq!(status, 401);
    assert_eq!(body["type"], "/problems/unauthenticated");

    let (status, body) = refused(request(&app, "", Some(&auditor.token))).await;
    assert_eq!(status, 403);
    assert_eq!(body["type"], "/problems/forbidden");

    let (status, body) = refused(request(
        &app,
        "?last_event_id=yesterday",
        Some(&alpha.admin.token),
    ))
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "last_event_id", "{body}");

    // A plain request, without the handshake, is told to upgrade.
    let plain = app
        .authed(Method::GET, "/api/v1/events", &alpha.admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(plain.headers()["upgrade"], "websocket");
    let body = problem(plain, 426).await;
    assert_eq!(body["type"], "/problems/upgrade-required");

    let _socket = subscribe(&app, &alpha.admin.token, "").await;
    let trail: Value = app
        .authed(
            Method::GET,
            "/api/v1/audit-events?action=event_stream.open",
            &auditor.token,
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let outcomes: Vec<(&str, &str)> = trail["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| {
            (
                event["outcome"].as_str().unwrap(),
                event["actor"]["id"].as_str().unwrap(),
            )
        })
        .collect();
    let admin = alpha.admin.user_id.to_string();
    let auditor_id = auditor.user_id.to_string();
    assert_eq!(
        outcomes,
        [("success", admin.as_str()), ("denied", auditor_id.as_str())],
        "one opening (newest first) and the auditor's refusal"
    );
}

async fn a_resume_point_before_the_kept_events_is_announced_as_a_gap(backend: Backend) {
    let app = spawn(backend).await;
    let alpha = app.clinic("alpha").await;
    let token = &alpha.admin.token;
    let long_ago = DbTime::new(Timestamp::now() - SignedDuration::from_hours(24 * 30));
    let mut tx = app.state.store.begin_write().await.unwrap();
    let mut old = Vec::new();
    for n in 1..=2 {
        let data = json!({ "n": n }).to_string();
        let id = tx
            .insert_event(alpha.organization_id, "appointment.booked", &data, long_ago)
            .await
            .unwrap();
        old.push(id);
    }
    tx.commit().await.unwrap();
    publish(&app, token, 3).await;

    assert_eq!(app.state.events.prune().await.unwrap(), 2, "the old events go");

    let mut socket = subscribe(&app, token, &format!("?last_event_id={}", old[0])).await;
    let gap = next_frame(&mut socket).await;
    assert_eq!(gap["type"], "stream.gap", "{gap}");
    assert_eq!(gap["last_event_id"], old[0]);
    let kept = next_numbers(&mut socket, 1).await;
    assert_eq!(
        gap["oldest_event_id"], kept[0].0,
        "the gap names the oldest kept event"
    );
    assert_eq!(kept[0].1, 3, "then every kept event after the resume point");

    // Resuming from a kept event is no gap.
    let mut socket = subscribe(&app, token, &format!("?last_event_id={}", kept[0].0)).await;
    publish(&app, token, 4).await;
    let frame = next_frame(&mut socket).await;
    assert_eq!(frame["type"], "appointment.booked", "{frame}");
    assert_eq!(frame["data"]["n"], 4);
}

async fn shutdown_closes_open_streams(backend: Backend) {
    let mut app = spawn(backend).await;
    let alpha = app.clinic("alpha").await;
    let socket = subscribe(&app, &alpha.admin.token, "").await;
    let reader = tokio::spawn(async move {
        let mut socket = socket;
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(frame))) => return frame,
                Some(Ok(_)) => {}
                other => panic!("the stream ends with a close frame, not {other:?}"),
            }
        }
    });

    app.stop().await.expect("the server stops");
    let frame = reader.await.unwrap().expect("the close frame says why");
    assert_eq!(frame.code, CloseCode::Away);
}

on_both_backends!(
    a_subscriber_receives_its_organizations_events_and_no_others,
    reconnecting_with_the_last_event_id_replays_exactly_what_was_missed,
    opening_the_stream_needs_credentials_and_scheduling_read,
    a_resume_point_before_the_kept_events_is_announced_as_a_gap,
    shutdown_closes_open_streams,
);

/// Two instances on one database: an event committed through one reaches a subscriber of the other, also
/// after the other's listening connection was cut.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_published_on_one_instance_reaches_subscribers_of_another_postgres() {
    let first = spawn(Backend::Postgres).await;
    let second = first.spawn_beside(with_publishing).await;
    let alpha = first.clinic("alpha").await;
    let reception = second.user(&alpha, "reception", &["reception"]).await;
    let mut socket = subscribe(&second, &reception.token, "").await;

    publish(&first, &alpha.admin.token, 1).await;
    assert_eq!(next_numbers(&mut socket, 1).await[0].1, 1);

    // Cut the listeners' connections; an event committed before they listen again is found all the same.
    let mut admin = PgConnection::connect(&first.database.as_ref().unwrap().url())
        .await
        .unwrap();
    let cut: i64 = sqlx::query_scalar(
        "select count(pg_terminate_backend(pid)) from pg_stat_activity
         where datname = current_database() and application_name = 'praxis event listener'",
    )
    .fetch_one(&mut admin)
    .await
    .unwrap();
    assert!(cut >= 1, "the second instance was listening");
    publish(&first, &alpha.admin.token, 2).await;
    assert_eq!(next_numbers(&mut socket, 1).await[0].1, 2);
    publish(&first, &alpha.admin.token, 3).await;
    assert_eq!(next_numbers(&mut socket, 1).await[0].1, 3, "and it listens again");
}
