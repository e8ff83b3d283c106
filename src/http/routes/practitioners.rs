//! Practitioners and their weekly working hours.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use uuid::Uuid;

use super::page::Page;
use crate::http::extract::{ApiJson, ApiQuery, IfMatch, PageParams, created_response, versioned_response};
use crate::http::problem::{ApiError, Problem};
use crate::services::access::Principal;
use crate::services::scheduling::{
    PractitionerInput, PractitionerPatch, PractitionerView, SchedulingService, WorkingHoursInput,
    WorkingHoursView,
};

/// Adds a practitioner, optionally linked to the user who signs in as them.
#[utoipa::path(
    post, path = "/api/v1/practitioners", operation_id = "create_practitioner", tag = "scheduling set-up",
    security(("bearer" = [])),
    request_body = PractitionerInput,
    responses(
        (status = 201, description = "Added", body = PractitionerView,
         headers(("Location" = String, description = "The practitioner's URL"), ("ETag" = String, description = "The version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The user is already another practitioner", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, each named", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn create(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    ApiJson(input): ApiJson<PractitionerInput>,
) -> Result<Response, ApiError> {
    let created = scheduling.create_practitioner(&principal, input).await?;
    Ok(created_response(
        format!("/api/v1/practitioners/{}", created.id),
        created,
    ))
}

/// Lists practitioners in the order they were added, inactive ones included.
#[utoipa::path(
    get, path = "/api/v1/practitioners", operation_id = "list_practitioners", tag = "scheduling set-up",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of practitioners", body = Page<PractitionerView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn list(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<PractitionerView>>, ApiError> {
    let listing = scheduling.practitioners(&principal, &page.into()).await?;
    Ok(Json(Page::from_listing(listing, |view| view)))
}

/// One practitioner.
#[utoipa::path(
    get, path = "/api/v1/practitioners/{id}", operation_id = "read_practitioner", tag = "scheduling set-up",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The practitioner")),
    responses(
        (status = 200, description = "The practitioner", body = PractitionerView, headers(("ETag" = String, description = "The version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such practitioner in this organization", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn read(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    Ok(versioned_response(
        StatusCode::OK,
        scheduling.practitioner(&principal, id).await?,
    ))
}

/// Renames, links or unlinks a user, or (de)activates a practitioner. Inactive practitioners cannot be
/// booked; their appointments stay.
#[utoipa::path(
    patch, path = "/api/v1/practitioners/{id}", operation_id = "update_practitioner", tag = "scheduling set-up",
    security(("bearer" = [])),
    request_body = PractitionerPatch,
    params(("id" = Uuid, Path, description = "The practitioner"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Changed", body = PractitionerView, headers(("ETag" = String, description = "The new version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such practitioner in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The user is already another practitioner", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, each named", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn update(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    Path(id): Path<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(patch): ApiJson<PractitionerPatch>,
) -> Result<Response, ApiError> {
    let updated = scheduling
        .update_practitioner(&principal, id, patch, version)
        .await?;
    Ok(versioned_response(StatusCode::OK, updated))
}

/// A practitioner's weekly working hours, in the organization's local time.
#[utoipa::path(
    get, path = "/api/v1/practitioners/{id}/working-hours", operation_id = "read_working_hours",
    tag = "scheduling set-up", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The practitioner")),
    responses(
        (status = 200, description = "The hours", body = WorkingHoursView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such practitioner in this organization", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn working_hours(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<Json<WorkingHoursView>, ApiError> {
    Ok(Json(scheduling.working_hours(&principal, id).await?))
}

/// Replaces a practitioner's weekly working hours. Times are local wall-clock times of the organization's
/// time zone, so 08:00 stays 08:00 across daylight-saving changes.
#[utoipa::path(
    put, path = "/api/v1/practitioners/{id}/working-hours", operation_id = "replace_working_hours",
    tag = "scheduling set-up", security(("bearer" = [])),
    request_body = WorkingHoursInput,
    params(("id" = Uuid, Path, description = "The practitioner")),
    responses(
        (status = 200, description = "Replaced", body = WorkingHoursView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such practitioner in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid periods, each named by position", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn replace_working_hours(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<WorkingHoursInput>,
) -> Result<Json<WorkingHoursView>, ApiError> {
    Ok(Json(
        scheduling.replace_working_hours(&principal, id, input).await?,
    ))
}
