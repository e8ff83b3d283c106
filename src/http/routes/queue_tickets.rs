//! The tickets of a walk-in queue: issuing, listing the day's, calling the next, and moving them on.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::page::Page;
use crate::http::extract::{ApiJson, ApiQuery, IfMatch, created_response, versioned_response};
use crate::http::problem::{ApiError, Problem};
use crate::services::access::Principal;
use crate::services::queue::{CallNext, NewTicket, QueueService, StatusChange, TicketView};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketParams {
    /// Only tickets in this status: `waiting`, `called`, `serving`, `done`, `no_show` or `cancelled`.
    status: Option<String>,
}

/// Issues the queue's next number of the day to someone who walked in. No name goes on a ticket; a desk that
/// knows the patient may link them by id. The answer holds the position and the estimated wait.
#[utoipa::path(
    post, path = "/api/v1/queues/{id}/tickets", operation_id = "issue_queue_ticket", tag = "queue",
    security(("bearer" = [])),
    request_body = NewTicket,
    params(("id" = Uuid, Path, description = "The queue")),
    responses(
        (status = 201, description = "Issued", body = TicketView,
         headers(("Location" = String, description = "The ticket's URL"), ("ETag" = String, description = "The version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such queue in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The number was taken at the same moment; issue again", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, or no such patient (`patient_id`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn issue(
    State(queues): State<QueueService>,
    principal: Principal,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<NewTicket>,
) -> Result<Response, ApiError> {
    let ticket = queues.issue(&principal, id, input).await?;
    let location = format!("/api/v1/queues/{id}/tickets/{}", ticket.id);
    Ok(created_response(location, ticket))
}

/// The queue's tickets of today (in the organization's time zone) by number, with the position and estimated
/// wait of each waiting one. Audited with the patients of the tickets that name one.
#[utoipa::path(
    get, path = "/api/v1/queues/{id}/tickets", operation_id = "list_queue_tickets", tag = "queue",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The queue"), TicketParams),
    responses(
        (status = 200, description = "Today's tickets; never more than one page", body = Page<TicketView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such queue in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown status", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn list(
    State(queues): State<QueueService>,
    principal: Principal,
    Path(id): Path<Uuid>,
    ApiQuery(params): ApiQuery<TicketParams>,
) -> Result<Json<Page<TicketView>>, ApiError> {
    let data = queues.tickets(&principal, id, params.status.as_deref()).await?;
    Ok(Json(Page {
        data,
        next_cursor: None,
    }))
}

/// One ticket, of any day. Audited when it names a patient.
#[utoipa::path(
    get, path = "/api/v1/queues/{id}/tickets/{ticket_id}", operation_id = "read_queue_ticket", tag = "queue",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The queue"), ("ticket_id" = Uuid, Path, description = "The ticket")),
    responses(
        (status = 200, description = "The ticket", body = TicketView, headers(("ETag" = String, description = "The version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such queue in this organization, or no such ticket in it", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn read(
    State(queues): State<QueueService>,
    principal: Principal,
    Path((id, ticket_id)): Path<(Uuid, Uuid)>,
) -> Result<Response, ApiError> {
    Ok(versioned_response(
        StatusCode::OK,
        queues.ticket(&principal, id, ticket_id).await?,
    ))
}

/// Calls the oldest waiting ticket of today to the desk. Desks calling at the same moment each get a
/// different ticket; when nobody waits the answer is 204 with no body.
#[utoipa::path(
    post, path = "/api/v1/queues/{id}/call-next", operation_id = "call_next_queue_ticket", tag = "queue",
    security(("bearer" = [])),
    request_body = CallNext,
    params(("id" = Uuid, Path, description = "The queue")),
    responses(
        (status = 200, description = "The ticket now called to the desk", body = TicketView,
         headers(("ETag" = String, description = "The version"))),
        (status = 204, description = "Nobody is waiting"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such queue in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid desk", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn call_next(
    State(queues): State<QueueService>,
    principal: Principal,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<CallNext>,
) -> Result<Response, ApiError> {
    Ok(match queues.call_next(&principal, id, input).await? {
        Some(ticket) => versioned_response(StatusCode::OK, ticket),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// Moves a ticket on: `serving` (from called), `done` (from serving), `no_show` (from called or waiting),
/// `cancelled` (from waiting), or `called` again for a called ticket, optionally to another `desk`. Waiting
/// tickets are called only through call-next. Any other change is a 409 naming both statuses.
#[utoipa::path(
    post, path = "/api/v1/queues/{id}/tickets/{ticket_id}/status", operation_id = "change_queue_ticket_status",
    tag = "queue", security(("bearer" = [])),
    request_body = StatusChange,
    params(
        ("id" = Uuid, Path, description = "The queue"), ("ticket_id" = Uuid, Path, description = "The ticket"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    responses(
        (status = 200, description = "Changed", body = TicketView, headers(("ETag" = String, description = "The new version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such queue in this organization, or no such ticket in it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed from the ticket's status, or changed at the same moment", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown status, or a desk without `called`", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn change_status(
    State(queues): State<QueueService>,
    principal: Principal,
    Path((id, ticket_id)): Path<(Uuid, Uuid)>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<StatusChange>,
) -> Result<Response, ApiError> {
    Ok(versioned_response(
        StatusCode::OK,
        queues
            .change_status(&principal, (id, ticket_id), input, version)
            .await?,
    ))
}
