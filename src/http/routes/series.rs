//! Recurring appointment series.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use crate::http::extract::ApiJson;
use crate::http::problem::{ApiError, Problem};
use crate::services::access::Principal;
use crate::services::scheduling::{SchedulingService, SeriesCancel, SeriesInput, SeriesMove, SeriesView};

/// Books a recurring series from an RFC 5545 RRULE (with COUNT or UNTIL), expanded in the organization's time
/// zone. `all_or_nothing` refuses the whole series on any clash (409, each named with its occurrence);
/// `book_what_fits` books what fits and lists every occurrence with its outcome. Send an `Idempotency-Key` to
/// retry safely.
#[utoipa::path(
    post, path = "/api/v1/appointment-series", operation_id = "create_appointment_series", tag = "appointments",
    security(("bearer" = [])),
    request_body = SeriesInput,
    responses(
        (status = 201, description = "Booked; every occurrence listed", body = SeriesView,
         headers(("Location" = String, description = "The series' URL"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such patient, practitioner, service or resource in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "All-or-nothing and some occurrence clashes; `conflicts` names each with its `occurrence`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid rule or values, each named", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn create(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    ApiJson(input): ApiJson<SeriesInput>,
) -> Result<Response, ApiError> {
    let series = scheduling.book_series(&principal, input).await?;
    let location = HeaderValue::from_str(&format!("/api/v1/appointment-series/{}", series.id))
        .expect("a path is a header value");
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(series)).into_response())
}

/// A series: every occurrence its rule gives, with its appointment, or `not_booked`. Audited.
#[utoipa::path(
    get, path = "/api/v1/appointment-series/{id}", operation_id = "read_appointment_series", tag = "appointments",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The series")),
    responses(
        (status = 200, description = "The series", body = SeriesView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such series in this organization", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn read(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<Json<SeriesView>, ApiError> {
    Ok(Json(scheduling.series(&principal, id).await?))
}

/// Cancels this occurrence and all following that are still booked. Earlier occurrences are untouched; to
/// cancel one occurrence alone, change its appointment's status.
#[utoipa::path(
    post, path = "/api/v1/appointment-series/{id}/cancel", operation_id = "cancel_appointment_series",
    tag = "appointments", security(("bearer" = [])),
    request_body = SeriesCancel,
    params(("id" = Uuid, Path, description = "The series")),
    responses(
        (status = 200, description = "Cancelled", body = SeriesView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such series in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown reason, or no occurrence from that index on", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn cancel(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<SeriesCancel>,
) -> Result<Json<SeriesView>, ApiError> {
    Ok(Json(scheduling.cancel_series(&principal, id, input).await?))
}

/// Moves this occurrence and all following that are still booked by the same change of local date and time
/// (so a move from 09:00 to 10:00 stays 10:00 across daylight-saving changes). All move or none. To move one
/// occurrence alone, move its appointment.
#[utoipa::path(
    post, path = "/api/v1/appointment-series/{id}/move", operation_id = "move_appointment_series",
    tag = "appointments", security(("bearer" = [])),
    request_body = SeriesMove,
    params(("id" = Uuid, Path, description = "The series")),
    responses(
        (status = 200, description = "Moved", body = SeriesView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such series in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A moved occurrence would clash (`conflicts`), or the occurrence is not booked", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Start in the past, or no occurrence from that index on", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn move_series(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<SeriesMove>,
) -> Result<Json<SeriesView>, ApiError> {
    Ok(Json(scheduling.move_series(&principal, id, input).await?))
}
