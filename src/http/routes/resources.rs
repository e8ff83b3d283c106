//! Bookable resources: rooms and equipment.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use uuid::Uuid;

use super::page::Page;
use crate::http::extract::{ApiJson, ApiQuery, IfMatch, PageParams, created_response, versioned_response};
use crate::http::problem::{ApiError, Problem};
use crate::services::access::Principal;
use crate::services::scheduling::{ResourceInput, ResourcePatch, ResourceView, SchedulingService};

/// Adds a room or a piece of equipment that appointments can book.
#[utoipa::path(
    post, path = "/api/v1/resources", operation_id = "create_resource", tag = "scheduling set-up",
    security(("bearer" = [])),
    request_body = ResourceInput,
    responses(
        (status = 201, description = "Added", body = ResourceView,
         headers(("Location" = String, description = "The resource's URL"), ("ETag" = String, description = "The version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, each named", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn create(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    ApiJson(input): ApiJson<ResourceInput>,
) -> Result<Response, ApiError> {
    let created = scheduling.create_resource(&principal, input).await?;
    Ok(created_response(
        format!("/api/v1/resources/{}", created.id),
        created,
    ))
}

/// Lists resources in the order they were added.
#[utoipa::path(
    get, path = "/api/v1/resources", operation_id = "list_resources", tag = "scheduling set-up",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of resources", body = Page<ResourceView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn list(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<ResourceView>>, ApiError> {
    let listing = scheduling.resources(&principal, &page.into()).await?;
    Ok(Json(Page::from_listing(listing, |view| view)))
}

/// One resource.
#[utoipa::path(
    get, path = "/api/v1/resources/{id}", operation_id = "read_resource", tag = "scheduling set-up",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The resource")),
    responses(
        (status = 200, description = "The resource", body = ResourceView, headers(("ETag" = String, description = "The version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resource in this organization", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn read(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    Ok(versioned_response(
        StatusCode::OK,
        scheduling.resource(&principal, id).await?,
    ))
}

/// Renames, re-kinds or (de)activates a resource.
#[utoipa::path(
    patch, path = "/api/v1/resources/{id}", operation_id = "update_resource", tag = "scheduling set-up",
    security(("bearer" = [])),
    request_body = ResourcePatch,
    params(("id" = Uuid, Path, description = "The resource"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Changed", body = ResourceView, headers(("ETag" = String, description = "The new version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such resource in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, each named", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn update(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    Path(id): Path<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(patch): ApiJson<ResourcePatch>,
) -> Result<Response, ApiError> {
    let updated = scheduling.update_resource(&principal, id, patch, version).await?;
    Ok(versioned_response(StatusCode::OK, updated))
}
