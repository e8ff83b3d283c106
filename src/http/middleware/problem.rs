//! Renders every error answer as `application/problem+json` with the request id.

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

use super::RequestId;
use crate::config::Settings;
use crate::http::problem::{ApiError, PROBLEM_JSON, ProblemKind, problem_response};

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub body_bytes: usize,
    pub timeout_secs: u64,
}

impl Limits {
    pub fn of(settings: &Settings) -> Self {
        Self {
            body_bytes: settings.body_limit_bytes,
            timeout_secs: settings.request_timeout_secs,
        }
    }
}

pub async fn render(State(limits): State<Limits>, request: Request, next: Next) -> Response {
    let request_id = request_id_of(&request);
    let response = next.run(request).await;
    as_problem(response, &request_id, limits)
}

/// The id `request_id::assign` gave the request, for problem bodies.
pub fn request_id_of(request: &Request) -> String {
    request
        .extensions()
        .get::<RequestId>()
        .map(|id| id.as_str().to_owned())
        .unwrap_or_default()
}

/// The answer with its error, if any, rendered as a problem; other answers and problems pass unchanged.
pub fn as_problem(response: Response, request_id: &str, limits: Limits) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_problem(&response) {
        return response;
    }
    let error = response
        .extensions()
        .get::<ApiError>()
        .cloned()
        .unwrap_or_else(|| {
            let kind = ProblemKind::from_status(status);
            ApiError::new(kind, default_detail(kind, limits))
        });
    let mut rendered = problem_response(status, &error.into_problem(request_id));
    // Headers such as Allow, Retry-After and WWW-Authenticate belong to the answer whatever its body.
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rendered.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rendered
}

fn is_problem(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(PROBLEM_JSON.as_bytes()))
}

/// Layers below the handlers answer with bare statuses; their reason is known from the status alone.
/// A rejection's own text is not passed on because it can quote the caller's input.
fn default_detail(kind: ProblemKind, limits: Limits) -> String {
    match kind {
        ProblemKind::RouteNotFound => {
            "no route matches this path; the API is described at /api/v1/openapi.json".to_owned()
        }
        ProblemKind::MethodNotAllowed => {
            "this route does not take this method; the Allow header lists the ones it takes".to_owned()
        }
        ProblemKind::PayloadTooLarge => {
            format!("the request body is larger than {} bytes", limits.body_bytes)
        }
        ProblemKind::UnsupportedMediaType => "the request body must be sent as application/json".to_owned(),
        ProblemKind::ValidationFailed => "the request body does not have the expected shape".to_owned(),
        ProblemKind::MalformedRequest => "the request could not be read".to_owned(),
        ProblemKind::Unauthenticated => "authentication required".to_owned(),
        ProblemKind::Forbidden => "not permitted".to_owned(),
        ProblemKind::NotFound => "not found".to_owned(),
        ProblemKind::Conflict => "the request conflicts with the current state".to_owned(),
        ProblemKind::PreconditionFailed => "the record has changed since it was read".to_owned(),
        ProblemKind::TooManyRequests => "too many requests".to_owned(),
        ProblemKind::Timeout => format!("the request did not complete within {} s", limits.timeout_secs),
        ProblemKind::UpgradeRequired => {
            "this route speaks WebSocket only; open it with an upgrade request".to_owned()
        }
        ProblemKind::NotReady => "the server is not ready".to_owned(),
        ProblemKind::Internal => {
            "an internal error occurred; quote the request id when reporting it".to_owned()
        }
    }
}
