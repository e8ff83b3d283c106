//! `Idempotency-Key` on creating requests. Not part of the shared pipeline: the routes that take the header
//! are listed in `routes::idempotent`, which wraps them in [`guard`] and documents the header on each.
//!
//! Without the header a request runs as usual. With it, the caller is authenticated here (and left in the
//! request for the handler's `Principal`), the key is claimed, the handler runs, and its answer, rendered
//! in full, is kept for replay; see `services::idempotency` for the rules.

use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::response::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use praxis_domain::idempotency::{IdempotencyKey, RequestFingerprint};
use tracing::Instrument;

use super::problem::{Limits, as_problem, request_id_of};
use crate::http::AppState;
use crate::http::extract::body_bytes;
use crate::http::problem::{ApiError, ProblemKind};
use crate::services::access::Principal;
use crate::services::error::ServiceError;
use crate::services::idempotency::{Answer, Begun, Claim};

pub const KEY_HEADER: &str = "idempotency-key";
/// Marks an answer sent again from the store rather than produced by this request.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// The headers kept with a body, in the order of [`Answer`]'s fields; the pipeline adds the rest to every
/// answer, replays included.
const KEPT_HEADERS: [HeaderName; 3] = [header::LOCATION, header::ETAG, header::CONTENT_TYPE];

pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    guarded(state, request, next)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn guarded(state: AppState, request: Request, next: Next) -> Result<Response, ApiError> {
    // Only creating POSTs take a key; other methods reach the route's 405 untouched.
    let key = (request.method() == Method::POST)
        .then(|| key_of(request.headers()))
        .flatten();
    let Some(key) = key else {
        return Ok(next.run(request).await);
    };
    let (mut parts, body) = request.into_parts();
    // Who sends it comes first: a caller without credentials gets 401 whatever the header holds.
    let principal = Principal::from_request_parts(&mut parts, &state).await?;
    let key = key?;
    let body = body_bytes(Request::from_parts(parts.clone(), body), &state).await?;
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path(), |path| path.as_str());
    let fingerprint = RequestFingerprint::of(parts.method.as_str(), path, &body);
    parts.extensions.insert(principal.clone());
    let request = Request::from_parts(parts, Body::from(body));
    Ok(
        match state.idempotency.begin(&principal, &key, fingerprint).await? {
            Begun::Replay(answer) => replay(answer),
            Begun::Run(claim) => run(&state, claim, request, next).await,
        },
    )
}

/// The key, if the header was sent; 400 unless it was sent once and well-formed.
fn key_of(headers: &HeaderMap) -> Option<Result<IdempotencyKey, ApiError>> {
    let mut values = headers.get_all(KEY_HEADER).iter();
    let first = values.next()?;
    let parsed = match values.next() {
        None => IdempotencyKey::parse(first.as_bytes()).map_err(|error| error.to_string()),
        Some(_) => Err("send Idempotency-Key once".to_owned()),
    };
    Some(parsed.map_err(|detail| ApiError::new(ProblemKind::MalformedRequest, detail)))
}

/// Runs the handler and keeps its answer. The work runs in a task of its own: a client that hangs up would
/// otherwise cancel it between committing the record and keeping the answer, and the retry it is about to
/// send would then wait on a claim that never completes.
async fn run(state: &AppState, claim: Claim, request: Request, next: Next) -> Response {
    let idempotency = state.idempotency.clone();
    let limits = Limits::of(&state.settings);
    let timeout = Duration::from_secs(state.settings.request_timeout_secs);
    let request_id = request_id_of(&request);
    let work = async move {
        let Ok(response) = tokio::time::timeout(timeout, next.run(request)).await else {
            // The pipeline has answered 503 already. Whether the handler's transaction committed is unknown,
            // so the claim stays until it counts as abandoned.
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        };
        // Rendered here, not by the outer layer, so the kept body is exactly the one the caller gets.
        let (parts, body) = buffered(as_problem(response, &request_id, limits), &request_id, limits).await;
        let answer = Answer {
            status: parts.status.as_u16(),
            location: header_text(&parts.headers, &header::LOCATION),
            etag: header_text(&parts.headers, &header::ETAG),
            content_type: header_text(&parts.headers, &header::CONTENT_TYPE),
            body: body.to_vec(),
        };
        if let Err(error) = idempotency.finish(claim, &answer).await {
            // The caller still gets the answer; a retry meets the claim until it counts as abandoned.
            tracing::error!(error = %error, "the answer to an idempotent request could not be kept");
        }
        Response::from_parts(parts, Body::from(body))
    };
    match tokio::spawn(work.instrument(tracing::Span::current())).await {
        Ok(response) => response,
        // The panic goes on to the pipeline's panic layer, which answers 500 and logs it.
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// The answer's body in memory. Handlers answer from memory, so a body that fails is a fault: it is
/// answered (and kept, so released) as one.
async fn buffered(response: Response, request_id: &str, limits: Limits) -> (Parts, Bytes) {
    let (parts, body) = response.into_parts();
    match to_bytes(body, usize::MAX).await {
        Ok(bytes) => (parts, bytes),
        Err(error) => {
            let failed = ApiError::from(ServiceError::Internal(format!(
                "an answer's body failed: {error}"
            )));
            let (parts, body) = as_problem(failed.into_response(), request_id, limits).into_parts();
            let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
            (parts, bytes)
        }
    }
}

fn header_text(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

/// The kept answer byte for byte; a problem in it names the first request's id, this answer's
/// `X-Request-Id` header this request's.
fn replay(answer: Answer) -> Response {
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    for (name, value) in KEPT_HEADERS
        .into_iter()
        .zip([answer.location, answer.etag, answer.content_type])
    {
        if let Some(value) = value.and_then(|value| HeaderValue::from_str(&value).ok()) {
            headers.insert(name, value);
        }
    }
    headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    response
}
