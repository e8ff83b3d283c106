//! Appointments: booking, moving, the lifecycle, and each appointment's history.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::Timestamp;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::page::Page;
use crate::http::extract::{ApiJson, ApiQuery, IfMatch, created_response, versioned_response};
use crate::http::problem::{ApiError, Problem};
use crate::services::access::Principal;
use crate::services::page::PageRequest;
use crate::services::scheduling::{
    AppointmentQuery, AppointmentView, BookingInput, HistoryEntry, MoveInput, SchedulingService, StatusChange,
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AppointmentListParams {
    patient_id: Option<Uuid>,
    practitioner_id: Option<Uuid>,
    /// Only appointments in this status.
    status: Option<String>,
    /// Appointments that end after this instant (RFC 3339).
    from: Option<Timestamp>,
    /// Appointments that start before this instant (RFC 3339).
    to: Option<Timestamp>,
    /// How many appointments to return, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Books an appointment; the end follows from the service. Practitioner, resource and patient must be free
/// for it (practitioner and resource including the service's buffers), and it must lie in the practitioner's
/// working hours outside time blocks unless an admin gives an `override_reason`. Send an `Idempotency-Key`
/// to retry safely.
#[utoipa::path(
    post, path = "/api/v1/appointments", operation_id = "create_appointment", tag = "appointments",
    security(("bearer" = [])),
    request_body = BookingInput,
    responses(
        (status = 201, description = "Booked", body = AppointmentView,
         headers(("Location" = String, description = "The appointment's URL"), ("ETag" = String, description = "The version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write; an override needs the admin role", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such patient, practitioner, service or resource in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The time is taken or outside working hours; `conflicts` names each clash", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, each named", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn create(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    ApiJson(input): ApiJson<BookingInput>,
) -> Result<Response, ApiError> {
    let booked = scheduling.book(&principal, input).await?;
    Ok(created_response(
        format!("/api/v1/appointments/{}", booked.id),
        booked,
    ))
}

/// Lists appointments by start. Audited with the patients of the page.
#[utoipa::path(
    get, path = "/api/v1/appointments", operation_id = "list_appointments", tag = "appointments",
    security(("bearer" = [])),
    params(AppointmentListParams),
    responses(
        (status = 200, description = "A page of appointments", body = Page<AppointmentView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter, limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn list(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    ApiQuery(params): ApiQuery<AppointmentListParams>,
) -> Result<Json<Page<AppointmentView>>, ApiError> {
    let query = AppointmentQuery {
        patient_id: params.patient_id,
        practitioner_id: params.practitioner_id,
        status: params.status,
        from: params.from,
        to: params.to,
    };
    let page = PageRequest {
        limit: params.limit,
        cursor: params.cursor,
    };
    let listing = scheduling.appointments(&principal, query, &page).await?;
    Ok(Json(Page::from_listing(listing, |view| view)))
}

/// One appointment. Audited with its patient.
#[utoipa::path(
    get, path = "/api/v1/appointments/{id}", operation_id = "read_appointment", tag = "appointments",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The appointment")),
    responses(
        (status = 200, description = "The appointment", body = AppointmentView, headers(("ETag" = String, description = "The version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such appointment in this organization", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn read(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    Ok(versioned_response(
        StatusCode::OK,
        scheduling.appointment(&principal, id).await?,
    ))
}

/// Moves a booked appointment to a new start, practitioner or resource. It keeps its id; the history keeps
/// where it was. The same checks as booking apply.
#[utoipa::path(
    patch, path = "/api/v1/appointments/{id}", operation_id = "move_appointment", tag = "appointments",
    security(("bearer" = [])),
    request_body = MoveInput,
    params(("id" = Uuid, Path, description = "The appointment"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Moved", body = AppointmentView, headers(("ETag" = String, description = "The new version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write; an override needs the admin role", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such appointment, practitioner or resource in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not movable in its status, or the new time clashes (`conflicts`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, each named", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn move_appointment(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    Path(id): Path<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<MoveInput>,
) -> Result<Response, ApiError> {
    let moved = scheduling
        .move_appointment(&principal, id, input, version)
        .await?;
    Ok(versioned_response(StatusCode::OK, moved))
}

/// Moves an appointment along its lifecycle: booked → arrived → in_progress → completed; cancelled (with a
/// reason) before the patient is seen; no_show once the start has passed. Other transitions get 409.
#[utoipa::path(
    post, path = "/api/v1/appointments/{id}/status", operation_id = "change_appointment_status",
    tag = "appointments", security(("bearer" = [])),
    request_body = StatusChange,
    params(("id" = Uuid, Path, description = "The appointment"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Changed", body = AppointmentView, headers(("ETag" = String, description = "The new version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such appointment in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The lifecycle has no such step from the current status", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown status or reason, or a missing reason", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn change_status(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    Path(id): Path<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(change): ApiJson<StatusChange>,
) -> Result<Response, ApiError> {
    let changed = scheduling.change_status(&principal, id, change, version).await?;
    Ok(versioned_response(StatusCode::OK, changed))
}

/// Every version of an appointment, oldest first: where and when it was, its status, and who changed it.
#[utoipa::path(
    get, path = "/api/v1/appointments/{id}/history", operation_id = "appointment_history", tag = "appointments",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The appointment")),
    responses(
        (status = 200, description = "The versions", body = [HistoryEntry]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such appointment in this organization", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn history(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<HistoryEntry>>, ApiError> {
    Ok(Json(scheduling.appointment_history(&principal, id).await?))
}
