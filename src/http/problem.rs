//! Errors as `application/problem+json` (RFC 9457).
//!
//! Handlers return [`ApiError`]; it travels to the problem middleware as a response extension, and the
//! middleware renders it with the request id. Answers that never reach a handler (no route, wrong method,
//! body too large, timeout, panic) are rendered by the same middleware from their status.

use axum::Extension;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::services::error::{Clash, ServiceError};

pub const PROBLEM_JSON: &str = "application/problem+json";

/// The kinds of problem Praxis answers with; each has a stable `type` URI documented in `docs/api.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    MalformedRequest,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    PreconditionFailed,
    TooManyRequests,
    RouteNotFound,
    MethodNotAllowed,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    Internal,
    NotReady,
    Timeout,
    /// A WebSocket route called without the upgrade handshake.
    UpgradeRequired,
}

impl ProblemKind {
    pub fn status(self) -> StatusCode {
        match self {
            Self::MalformedRequest => StatusCode::BAD_REQUEST,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict => StatusCode::CONFLICT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::RouteNotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::NotReady | Self::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            Self::UpgradeRequired => StatusCode::UPGRADE_REQUIRED,
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Self::MalformedRequest => "malformed-request",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not-found",
            Self::Conflict => "conflict",
            Self::PreconditionFailed => "precondition-failed",
            Self::TooManyRequests => "too-many-requests",
            Self::RouteNotFound => "route-not-found",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::PayloadTooLarge => "payload-too-large",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::ValidationFailed => "validation-failed",
            Self::Internal => "internal-error",
            Self::NotReady => "not-ready",
            Self::Timeout => "timeout",
            Self::UpgradeRequired => "upgrade-required",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Self::MalformedRequest => "Malformed request",
            Self::Unauthenticated => "Authentication required",
            Self::Forbidden => "Not permitted",
            Self::NotFound => "Not found",
            Self::Conflict => "Conflict",
            Self::PreconditionFailed => "Precondition failed",
            Self::TooManyRequests => "Too many requests",
            Self::RouteNotFound => "No such route",
            Self::MethodNotAllowed => "Method not allowed",
            Self::PayloadTooLarge => "Request body too large",
            Self::UnsupportedMediaType => "Unsupported media type",
            Self::ValidationFailed => "Invalid values",
            Self::Internal => "Internal error",
            Self::NotReady => "Not ready",
            Self::Timeout => "Request timed out",
            Self::UpgradeRequired => "Upgrade required",
        }
    }

    /// A relative URI reference, resolved against the server, as RFC 9457 allows.
    pub fn type_uri(self) -> String {
        format!("/problems/{}", self.slug())
    }

    /// The kind for an answer some layer produced without a handler.
    pub fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND => Self::RouteNotFound,
            StatusCode::UNAUTHORIZED => Self::Unauthenticated,
            StatusCode::FORBIDDEN => Self::Forbidden,
            StatusCode::CONFLICT => Self::Conflict,
            StatusCode::PRECONDITION_FAILED => Self::PreconditionFailed,
            StatusCode::TOO_MANY_REQUESTS => Self::TooManyRequests,
            StatusCode::METHOD_NOT_ALLOWED => Self::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::UnsupportedMediaType,
            StatusCode::UNPROCESSABLE_ENTITY => Self::ValidationFailed,
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => Self::Timeout,
            StatusCode::UPGRADE_REQUIRED => Self::UpgradeRequired,
            status if status.is_client_error() => Self::MalformedRequest,
            _ => Self::Internal,
        }
    }
}

/// A problem as it goes over the wire.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/validation-failed",
    "title": "Invalid values",
    "status": 422,
    "detail": "1 field has an invalid value",
    "request_id": "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11",
    "errors": [{"field": "slug", "code": "invalid_slug", "message": "a slug has lowercase letters, digits and hyphens"}]
}))]
pub struct Problem {
    /// A URI reference naming the kind of problem.
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    /// What went wrong with this request, for a person to read.
    pub detail: String,
    /// The request id, also in the `X-Request-Id` header and the server's log.
    pub request_id: String,
    /// One entry per invalid field, on validation failures.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// What a refused booking clashes with, on overlap conflicts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Clash>,
}

/// Why one field of the input was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field's path in the input, e.g. `identifiers[0].value`.
    pub field: String,
    /// A stable machine-readable code, e.g. `too_short`.
    pub code: String,
    pub message: String,
}

/// An error a handler answers with; rendered by the problem middleware.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub kind: ProblemKind,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub conflicts: Vec<Clash>,
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
            errors: Vec::new(),
            conflicts: Vec::new(),
            retry_after_secs: None,
        }
    }

    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let detail = match errors.len() {
            1 => format!("`{}`: {}", errors[0].field, errors[0].message),
            n => format!("{n} fields have invalid values"),
        };
        Self {
            errors,
            ..Self::new(ProblemKind::ValidationFailed, detail)
        }
    }

    pub fn into_problem(self, request_id: &str) -> Problem {
        Problem {
            type_uri: self.kind.type_uri(),
            title: self.kind.title().to_owned(),
            status: self.kind.status().as_u16(),
            detail: self.detail,
            request_id: request_id.to_owned(),
            errors: self.errors,
            conflicts: self.conflicts,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.kind.status(), Extension(self.clone())).into_response();
        let headers = response.headers_mut();
        if let Some(seconds) = self.retry_after_secs {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        match self.kind {
            ProblemKind::Unauthenticated => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            // RFC 9110 §15.5.22: a 426 names the protocol to switch to.
            ProblemKind::UpgradeRequired => {
                headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
            }
            _ => {}
        }
        response
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Unauthenticated => Self::new(
                ProblemKind::Unauthenticated,
                "send a valid bearer token or API key in the Authorization header",
            ),
            ServiceError::Forbidden(detail) => Self::new(ProblemKind::Forbidden, detail),
            ServiceError::NotFound(entity) => Self::new(ProblemKind::NotFound, format!("no such {entity}")),
            ServiceError::Conflict(detail) => Self::new(ProblemKind::Conflict, detail),
            ServiceError::Overlap { detail, conflicts } => Self {
                conflicts,
                ..Self::new(ProblemKind::Conflict, detail)
            },
            ServiceError::StaleVersion { current } => Self::new(
                ProblemKind::PreconditionFailed,
                format!("the record has changed; its current version is {current}"),
            ),
            ServiceError::Invalid(issues) => Self::invalid(
                issues
                    .into_iter()
                    .map(|issue| FieldError {
                        field: issue.field,
                        code: issue.code,
                        message: issue.message,
                    })
                    .collect(),
            ),
            ServiceError::RateLimited { retry_after_secs } => Self {
                retry_after_secs: Some(retry_after_secs),
                ..Self::new(
                    ProblemKind::TooManyRequests,
                    format!("too many requests; retry in {retry_after_secs} s"),
                )
            },
            ServiceError::Store(cause) => internal(&cause),
            ServiceError::Internal(cause) => internal(&cause),
        }
    }
}

/// The cause goes to the log (within the request's span, so with its id); the caller learns nothing of it.
fn internal(cause: &dyn std::fmt::Display) -> ApiError {
    tracing::error!(error = %cause, "request failed");
    ApiError::new(
        ProblemKind::Internal,
        "an internal error occurred; quote the request id when reporting it",
    )
}

/// Serializes a problem with its content type; anything serializable can ride along as extension members.
pub fn problem_response(status: StatusCode, body: &impl Serialize) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response
}
