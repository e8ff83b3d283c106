//! `GET /api/v1/events`: the organization's live event stream over a WebSocket (frames in `docs/events.md`).

use std::convert::Infallible;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::http::HeaderMap;
use axum::response::Response;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use tokio::time::{Instant, interval_at, timeout};

use crate::http::extract::{ApiQuery, bearer};
use crate::http::problem::{ApiError, Problem, ProblemKind};
use crate::services::access::{AccessService, Principal, RequestMeta};
use crate::services::events::{
    BATCH, Closing, EventService, Gap, ResumeRequest, StreamEvent, Subscription, may_subscribe,
};

/// Pings this often; a client that has not answered the previous ping by the next is dropped. The caller's
/// credentials are checked again at the same pace, so a revoked session or key loses its stream too.
const KEEPALIVE: Duration = Duration::from_secs(30);
/// A client that takes longer than this to accept one frame has stopped reading.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a goodbye (close frame and the client's answer) may take.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);
/// Clients send nothing but control frames; anything larger is refused before it is buffered.
const MAX_CLIENT_MESSAGE: usize = 4 * 1024;
const LAST_EVENT_ID: &str = "last-event-id";

#[derive(Debug, Deserialize)]
pub struct StreamParams {
    /// Text, parsed by the service after the permission check.
    last_event_id: Option<String>,
}

/// Opens the organization's live event stream (WebSocket).
///
/// Each text frame is one JSON event: `{"id", "type", "occurred_at", "data"}`, in id order. Events carry
/// ids, times and statuses, never personal data. To resume after a disconnect, pass the last id received:
/// every later event is sent first, then live ones. If events after it were pruned, a
/// `{"type": "stream.gap"}` frame comes first: reload. Opening the stream is audited.
#[utoipa::path(
    get, path = "/api/v1/events", operation_id = "stream_events", tag = "events", security(("bearer" = [])),
    params(
        ("last_event_id" = Option<i64>, Query, description = "Resume after this event id; every later event of the organization is sent before live ones"),
        ("Last-Event-ID" = Option<i64>, Header, description = "The same as `last_event_id`, for clients that set headers; the query parameter wins"),
    ),
    responses(
        (status = 101, description = "Switching to the WebSocket protocol; the stream follows as JSON text frames",
         headers(("Upgrade" = String, description = "websocket"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The resume point is not an event id", body = Problem, content_type = "application/problem+json"),
        (status = 426, description = "Not a WebSocket upgrade request", body = Problem, content_type = "application/problem+json",
         headers(("Upgrade" = String, description = "websocket"))),
    ),
)]
pub async fn stream(
    State(events): State<EventService>,
    State(access): State<AccessService>,
    principal: Principal,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<StreamParams>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    // The permission comes before the handshake, so a caller without it gets 403 however it asks.
    events.authorize(&principal).await?;
    let upgrade = upgrade.map_err(|_| {
        ApiError::new(
            ProblemKind::UpgradeRequired,
            "this route speaks WebSocket only; open it with an upgrade request (Upgrade: websocket)",
        )
    })?;
    let resume = resume_request(params, &headers);
    let subscription = events.subscribe(&principal, resume).await?;
    let recheck = Recheck {
        access,
        bearer: bearer(&headers).unwrap_or_default(),
        meta: principal.meta,
    };
    Ok(upgrade
        .max_message_size(MAX_CLIENT_MESSAGE)
        .max_frame_size(MAX_CLIENT_MESSAGE)
        .on_upgrade(move |socket| pump(socket, subscription, recheck)))
}

/// The query parameter, else the header (which is what EventSource-style clients send).
fn resume_request(params: StreamParams, headers: &HeaderMap) -> Option<ResumeRequest> {
    let header = || {
        let value = headers.get(LAST_EVENT_ID)?;
        Some(ResumeRequest {
            field: "Last-Event-ID",
            value: value.to_str().unwrap_or_default().to_owned(),
        })
    };
    params
        .last_event_id
        .map(|value| ResumeRequest {
            field: "last_event_id",
            value,
        })
        .or_else(header)
}

/// The caller's credentials, to be judged again while the stream stays open.
struct Recheck {
    access: AccessService,
    bearer: String,
    meta: RequestMeta,
}

impl Recheck {
    async fn still_allowed(&self) -> bool {
        self.access
            .authenticate(&self.bearer, self.meta.clone())
            .await
            .is_ok_and(|principal| may_subscribe(&principal))
    }
}

#[derive(Serialize)]
struct EventFrame<'a> {
    id: i64,
    #[serde(rename = "type")]
    kind: &'a str,
    occurred_at: Timestamp,
    data: &'a serde_json::Value,
}

#[derive(Serialize)]
struct GapFrame {
    #[serde(rename = "type")]
    kind: &'static str,
    last_event_id: i64,
    oldest_event_id: Option<i64>,
}

/// Why a stream ended.
#[derive(Debug)]
enum End {
    ClientGone,
    /// Stopped reading or answering pings: not worth a goodbye.
    Unresponsive,
    ShuttingDown,
    CredentialsLapsed,
    Failed,
}

impl End {
    fn goodbye(&self) -> Option<CloseFrame> {
        let (code, reason) = match self {
            Self::ClientGone | Self::Unresponsive => return None,
            Self::ShuttingDown => (
                close_code::AWAY,
                "the server is shutting down; reconnect and resume",
            ),
            Self::CredentialsLapsed => (close_code::POLICY, "the credentials are no longer valid"),
            Self::Failed => (close_code::ERROR, "internal error; reconnect and resume"),
        };
        Some(CloseFrame {
            code,
            reason: reason.into(),
        })
    }
}

async fn pump(mut socket: WebSocket, mut subscription: Subscription, recheck: Recheck) {
    let Err(end) = run(&mut socket, &mut subscription, &recheck).await;
    if let Some(frame) = end.goodbye() {
        let _ = timeout(CLOSE_TIMEOUT, goodbye(&mut socket, frame)).await;
    }
}

/// Sends the close frame and waits for the client's, so the connection ends cleanly on both sides.
async fn goodbye(socket: &mut WebSocket, frame: CloseFrame) {
    if socket.send(Message::Close(Some(frame))).await.is_err() {
        return;
    }
    while let Some(Ok(message)) = socket.recv().await {
        if matches!(message, Message::Close(_)) {
            break;
        }
    }
}

async fn run(
    socket: &mut WebSocket,
    subscription: &mut Subscription,
    recheck: &Recheck,
) -> Result<Infallible, End> {
    let closing = subscription.closing();
    if let Some(gap) = subscription.take_gap() {
        send(socket, gap_frame(gap), &closing).await?;
    }
    let mut keepalive = interval_at(Instant::now() + KEEPALIVE, KEEPALIVE);
    let mut awaiting_pong = false;
    let mut look = true;
    loop {
        if look {
            deliver(socket, subscription, &closing).await?;
        }
        look = tokio::select! {
            () = subscription.woken() => true,
            () = closing.clone().wait() => return Err(End::ShuttingDown),
            _ = keepalive.tick() => {
                if awaiting_pong {
                    return Err(End::Unresponsive);
                }
                if !recheck.still_allowed().await {
                    return Err(End::CredentialsLapsed);
                }
                send(socket, Message::Ping(Bytes::new()), &closing).await?;
                awaiting_pong = true;
                // Also a chance to find events whose wake-up never came (say, written by another process).
                true
            }
            message = socket.recv() => match message {
                None | Some(Err(_) | Ok(Message::Close(_))) => return Err(End::ClientGone),
                Some(Ok(_)) => {
                    awaiting_pong = false;
                    false
                }
            },
        };
    }
}

/// Sends every event after the subscription's position, one bounded batch at a time.
async fn deliver(
    socket: &mut WebSocket,
    subscription: &mut Subscription,
    closing: &Closing,
) -> Result<(), End> {
    loop {
        let events = subscription.next_batch().await.map_err(|error| {
            tracing::error!(%error, "could not read events for a stream");
            End::Failed
        })?;
        for event in &events {
            send(socket, event_frame(event), closing).await?;
        }
        if events.len() < BATCH as usize {
            return Ok(());
        }
    }
}

/// Sends one frame, waiting while the client's buffers are full, but not past shutdown or the send timeout.
async fn send(socket: &mut WebSocket, message: Message, closing: &Closing) -> Result<(), End> {
    tokio::select! {
        sent = timeout(SEND_TIMEOUT, socket.send(message)) => match sent {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) => Err(End::ClientGone),
            Err(_) => Err(End::Unresponsive),
        },
        () = closing.clone().wait() => Err(End::ShuttingDown),
    }
}

fn event_frame(event: &StreamEvent) -> Message {
    text(&EventFrame {
        id: event.id,
        kind: &event.kind,
        occurred_at: event.occurred_at,
        data: &event.data,
    })
}

fn gap_frame(gap: Gap) -> Message {
    text(&GapFrame {
        kind: "stream.gap",
        last_event_id: gap.last_event_id,
        oldest_event_id: gap.oldest_event_id,
    })
}

fn text(frame: &impl Serialize) -> Message {
    Message::Text(serde_json::to_string(frame).expect("frames serialize").into())
}
