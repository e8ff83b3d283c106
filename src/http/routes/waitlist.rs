//! The waitlist and the offers of freed time made to it.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use uuid::Uuid;

use crate::http::extract::{ApiJson, ApiQuery, created_response};
use crate::http::problem::{ApiError, Problem};
use crate::services::access::Principal;
use crate::services::scheduling::{
    AppointmentView, OfferQuery, SchedulingService, WaitlistEntryView, WaitlistInput, WaitlistOfferView,
    WaitlistQuery,
};

/// Puts a patient on the waitlist for a service, optionally with one practitioner, within time windows.
#[utoipa::path(
    post, path = "/api/v1/waitlist", operation_id = "create_waitlist_entry", tag = "waitlist",
    security(("bearer" = [])),
    request_body = WaitlistInput,
    responses(
        (status = 201, description = "Waiting", body = WaitlistEntryView,
         headers(("Location" = String, description = "The entry's URL"), ("ETag" = String, description = "The version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such patient, service or practitioner in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, each named", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn create(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    ApiJson(input): ApiJson<WaitlistInput>,
) -> Result<Response, ApiError> {
    let created = scheduling.create_waitlist_entry(&principal, input).await?;
    Ok(created_response(
        format!("/api/v1/waitlist/{}", created.id),
        created,
    ))
}

/// The waitlist, most urgent first (priority, then time waited). Audited with the patients listed.
#[utoipa::path(
    get, path = "/api/v1/waitlist", operation_id = "list_waitlist", tag = "waitlist", security(("bearer" = [])),
    params(WaitlistQuery),
    responses(
        (status = 200, description = "The entries", body = [WaitlistEntryView]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown status", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn list(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    ApiQuery(query): ApiQuery<WaitlistQuery>,
) -> Result<Json<Vec<WaitlistEntryView>>, ApiError> {
    Ok(Json(scheduling.waitlist(&principal, query).await?))
}

/// Takes a patient off the waitlist; open offers made to the entry are withdrawn.
#[utoipa::path(
    delete, path = "/api/v1/waitlist/{id}", operation_id = "remove_waitlist_entry", tag = "waitlist",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The entry")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such entry in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The entry is already booked or removed", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn remove(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    scheduling.remove_waitlist_entry(&principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Offers of freed time, by start and then urgency. Audited with the patients listed.
#[utoipa::path(
    get, path = "/api/v1/waitlist-offers", operation_id = "list_waitlist_offers", tag = "waitlist",
    security(("bearer" = [])),
    params(OfferQuery),
    responses(
        (status = 200, description = "The offers", body = [WaitlistOfferView]),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown status", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn offers(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    ApiQuery(query): ApiQuery<OfferQuery>,
) -> Result<Json<Vec<WaitlistOfferView>>, ApiError> {
    Ok(Json(scheduling.waitlist_offers(&principal, query).await?))
}

/// Books the offered time for the waiting patient, atomically: of two patients offered the same slot, the
/// first to accept gets it and the other gets 409.
#[utoipa::path(
    post, path = "/api/v1/waitlist-offers/{id}/accept", operation_id = "accept_waitlist_offer", tag = "waitlist",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The offer")),
    responses(
        (status = 201, description = "Booked", body = AppointmentView,
         headers(("Location" = String, description = "The appointment's URL"), ("ETag" = String, description = "The version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such offer in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The offer is no longer open, or the time was taken meanwhile", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn accept(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let booked = scheduling.accept_offer(&principal, id).await?;
    Ok(created_response(
        format!("/api/v1/appointments/{}", booked.id),
        booked,
    ))
}

/// Declines an offer; the time stays free for others.
#[utoipa::path(
    post, path = "/api/v1/waitlist-offers/{id}/decline", operation_id = "decline_waitlist_offer", tag = "waitlist",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The offer")),
    responses(
        (status = 200, description = "Declined", body = WaitlistOfferView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such offer in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The offer is no longer open", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn decline(
    State(scheduling): State<SchedulingService>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<Json<WaitlistOfferView>, ApiError> {
    Ok(Json(scheduling.decline_offer(&principal, id).await?))
}
