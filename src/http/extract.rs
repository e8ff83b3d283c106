//! Extractors that turn a request into what services take, answering bad input with precise problems.

use std::net::SocketAddr;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use super::AppState;
use super::middleware::RequestId;
use super::problem::{ApiError, FieldError, ProblemKind};
use crate::services::access::users::UserView;
use crate::services::access::{AccessService, Principal, RequestMeta};
use crate::services::contacts::ContactView;
use crate::services::organizations::OrganizationView;
use crate::services::page::PageRequest;
use crate::services::patients::PatientView;
use crate::services::queue::{QueueView, TicketView};
use crate::services::scheduling::{
    AppointmentView, PractitionerView, ResourceView, ServiceView, TimeBlockView, WaitlistEntryView,
};

/// A JSON body. Wrong content type: 415; not JSON: 400 with the position; wrong shape: 422 naming the field.
/// Serde's own messages are not passed on where they would quote the caller's values.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError::new(
                ProblemKind::UnsupportedMediaType,
                "the request body must be sent with Content-Type: application/json",
            ));
        }
        let bytes = body_bytes(request, state).await?;
        serde_json::from_slice(&bytes)
            .map(ApiJson)
            .map_err(|error| json_error(&error))
    }
}

/// The whole body, within the body limit: 413 over it, 400 when it breaks off.
pub async fn body_bytes<S: Send + Sync>(request: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(request, state).await.map_err(|rejection| {
        let kind = ProblemKind::from_status(rejection.status());
        ApiError::new(kind, "the request body could not be read in full")
    })
}

fn json_error(error: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    let position = format!("line {}, column {}", error.line(), error.column());
    match error.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::new(
            ProblemKind::MalformedRequest,
            format!("the body is not valid JSON ({position})"),
        ),
        Category::Data => {
            let text = error.to_string();
            let (field, code, message) = if let Some(field) = quoted_after(&text, "missing field `") {
                (field.clone(), "required", format!("`{field}` is required"))
            } else if let Some(field) = quoted_after(&text, "unknown field `") {
                (
                    field.clone(),
                    "unknown_field",
                    format!("`{field}` is not a field of this request"),
                )
            } else {
                (
                    "body".to_owned(),
                    "invalid_type",
                    format!("a value has the wrong type or form ({position})"),
                )
            };
            ApiError::invalid(vec![FieldError {
                field,
                code: code.to_owned(),
                message,
            }])
        }
    }
}

fn quoted_after(text: &str, marker: &str) -> Option<String> {
    let rest = text.split_once(marker)?.1;
    Some(rest.split('`').next()?.to_owned())
}

/// Where the request came from, for the audit trail.
pub fn request_meta(parts: &Parts) -> RequestMeta {
    let request_id = parts
        .extensions
        .get::<RequestId>()
        .map(|id| id.as_str().to_owned());
    let ip = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip().to_string());
    let user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok());
    RequestMeta::new(request_id, ip, user_agent)
}

/// The caller, from `Authorization: Bearer …`. No route that needs one can be reached without it.
impl<S> FromRequestParts<S> for Principal
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // A layer that needed the caller first (idempotency keys) leaves it here: authenticating again would
        // count against the caller's rate limit twice.
        if let Some(principal) = parts.extensions.get::<Principal>() {
            return Ok(principal.clone());
        }
        let access = AccessService::from_ref(&AppState::from_ref(state));
        let Some(bearer) = bearer(&parts.headers) else {
            return Err(crate::services::error::ServiceError::Unauthenticated.into());
        };
        Ok(access.authenticate(&bearer, request_meta(parts)).await?)
    }
}

pub(crate) fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim().to_owned())
}

/// The version named by `If-Match` (`"3"`, `W/"3"` or `3`); absent or `*` means any version.
#[derive(Debug, Clone, Copy)]
pub struct IfMatch(pub Option<i64>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get(header::IF_MATCH) else {
            return Ok(Self(None));
        };
        let text = value.to_str().unwrap_or_default().trim();
        if text == "*" {
            return Ok(Self(None));
        }
        let bare = text.trim_start_matches("W/").trim_matches('"');
        bare.parse().map(|version| Self(Some(version))).map_err(|_| {
            ApiError::new(
                ProblemKind::MalformedRequest,
                "If-Match must hold an ETag such as \"3\"",
            )
        })
    }
}

/// The `ETag` of a record at a version.
pub fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).expect("a quoted number is a valid header value")
}

/// A record that carries a `version`, answered with it as its `ETag`.
pub trait Versioned: Serialize {
    fn version(&self) -> i64;
}

macro_rules! versioned {
    ($($view:ty),+) => {$(
        impl Versioned for $view {
            fn version(&self) -> i64 {
                self.version
            }
        }
    )+};
}
versioned!(
    UserView,
    OrganizationView,
    PatientView,
    ContactView,
    PractitionerView,
    ResourceView,
    ServiceView,
    TimeBlockView,
    AppointmentView,
    WaitlistEntryView,
    QueueView,
    TicketView
);

/// A versioned record's answer: the record with its `ETag`.
pub fn versioned_response(status: StatusCode, record: impl Versioned) -> Response {
    (status, [(header::ETAG, etag(record.version()))], Json(record)).into_response()
}

/// A created record's answer: 201 with its `Location` and `ETag`.
pub fn created_response(location: String, record: impl Versioned) -> Response {
    let location = HeaderValue::from_str(&location).expect("a path is a header value");
    let mut response = versioned_response(StatusCode::CREATED, record);
    response.headers_mut().insert(header::LOCATION, location);
    response
}

/// `limit` and `cursor` of every list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// How many records to return, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl From<PageParams> for PageRequest {
    fn from(params: PageParams) -> Self {
        Self {
            limit: params.limit,
            cursor: params.cursor,
        }
    }
}

/// Query strings that do not parse answer 422 naming the problem, like bodies.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| Self(value))
            .map_err(|rejection| {
                ApiError::invalid(vec![FieldError {
                    field: "query".to_owned(),
                    code: "invalid_query".to_owned(),
                    message: rejection
                        .body_text()
                        .replace("Failed to deserialize query string: ", ""),
                }])
            })
    }
}
