//! Time blocks: absences, breaks, meetings and maintenance, when a practitioner or resource is not bookable.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use uuid::Uuid;

use crate::http::extract::{ApiJson, ApiQuery, IfMatch, created_response, versioned_response};
use crate::http::problem::{ApiError, Problem};
use crate::services::access::Principal;
use crate::services::scheduling::{
    SchedulingService, TimeBlockInput, TimeBlockPatch, TimeBlockQuery, TimeBlockView,
};

/// Blocks a practitioner's or a resource's time. Appointments already in it stay; the day view shows both.
#[utoipa::path(
    post, path = "/api/v1/time-blocks", operation_id = "create_time_block", tag = "scheduling set-up",
    security(("bearer" = [])),
    request_body = TimeBlockInput,
    responses(
        (status = 201, description = "Blocked", body = TimeBlockView,
         headers(("Location" = String, description = "The block's URL"), ("ETag" = String, description = "The version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such practitioner or resource in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, each named", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn create(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    ApiJson(input): ApiJson<TimeBlockInput>,
) -> Result<Response, ApiError> {
    let created = scheduling.create_time_block(&principal, input).await?;
    Ok(created_response(
        format!("/api/v1/time-blocks/{}", created.id),
        created,
    ))
}

/// A practitioner's or a resource's blocks that overlap a window, by start.
#[utoipa::path(
    get, path = "/api/v1/time-blocks", operation_id = "list_time_blocks", tag = "scheduling set-up",
    security(("bearer" = [])),
    params(TimeBlockQuery),
    responses(
        (status = 200, description = "The blocks", body = [TimeBlockView]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such practitioner or resource in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameters", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn list(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    ApiQuery(query): ApiQuery<TimeBlockQuery>,
) -> Result<Json<Vec<TimeBlockView>>, ApiError> {
    Ok(Json(scheduling.time_blocks(&principal, query).await?))
}

/// Moves, shortens or re-labels a block. Time it gives back is offered to the waitlist at once.
#[utoipa::path(
    patch, path = "/api/v1/time-blocks/{id}", operation_id = "update_time_block", tag = "scheduling set-up",
    security(("bearer" = [])),
    request_body = TimeBlockPatch,
    params(("id" = Uuid, Path, description = "The block"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Changed", body = TimeBlockView, headers(("ETag" = String, description = "The new version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such block in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, each named", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn update(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    Path(id): Path<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(patch): ApiJson<TimeBlockPatch>,
) -> Result<Response, ApiError> {
    let updated = scheduling
        .update_time_block(&principal, id, patch, version)
        .await?;
    Ok(versioned_response(StatusCode::OK, updated))
}

/// Removes a block; its time is offered to the waitlist at once.
#[utoipa::path(
    delete, path = "/api/v1/time-blocks/{id}", operation_id = "delete_time_block", tag = "scheduling set-up",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The block")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such block in this organization", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn delete(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    scheduling.delete_time_block(&principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
