//! The services a clinic offers: what is booked, for how long, by whom.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use uuid::Uuid;

use super::page::Page;
use crate::http::extract::{ApiJson, ApiQuery, IfMatch, PageParams, created_response, versioned_response};
use crate::http::problem::{ApiError, Problem};
use crate::services::access::Principal;
use crate::services::scheduling::{SchedulingService, ServiceInput, ServicePatch, ServiceView};

/// Adds a service: its duration, buffers before and after, price, colour and who offers it.
#[utoipa::path(
    post, path = "/api/v1/services", operation_id = "create_service", tag = "scheduling set-up",
    security(("bearer" = [])),
    request_body = ServiceInput,
    responses(
        (status = 201, description = "Added", body = ServiceView,
         headers(("Location" = String, description = "The service's URL"), ("ETag" = String, description = "The version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, each named", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn create(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    ApiJson(input): ApiJson<ServiceInput>,
) -> Result<Response, ApiError> {
    let created = scheduling.create_service(&principal, input).await?;
    Ok(created_response(
        format!("/api/v1/services/{}", created.id),
        created,
    ))
}

/// Lists services in the order they were added.
#[utoipa::path(
    get, path = "/api/v1/services", operation_id = "list_services", tag = "scheduling set-up",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of services", body = Page<ServiceView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn list(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<ServiceView>>, ApiError> {
    let listing = scheduling.services(&principal, &page.into()).await?;
    Ok(Json(Page::from_listing(listing, |view| view)))
}

/// One service, with the practitioners who offer it.
#[utoipa::path(
    get, path = "/api/v1/services/{id}", operation_id = "read_service", tag = "scheduling set-up",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The service")),
    responses(
        (status = 200, description = "The service", body = ServiceView, headers(("ETag" = String, description = "The version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service in this organization", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn read(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    Ok(versioned_response(
        StatusCode::OK,
        scheduling.service(&principal, id).await?,
    ))
}

/// Changes a service. Appointments already booked keep the times they were booked with.
#[utoipa::path(
    patch, path = "/api/v1/services/{id}", operation_id = "update_service", tag = "scheduling set-up",
    security(("bearer" = [])),
    request_body = ServicePatch,
    params(("id" = Uuid, Path, description = "The service"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Changed", body = ServiceView, headers(("ETag" = String, description = "The new version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such service in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, each named", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn update(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    Path(id): Path<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(patch): ApiJson<ServicePatch>,
) -> Result<Response, ApiError> {
    let updated = scheduling.update_service(&principal, id, patch, version).await?;
    Ok(versioned_response(StatusCode::OK, updated))
}
