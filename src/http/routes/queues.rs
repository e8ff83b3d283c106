//! Walk-in queues, and the waiting-room screen that shows them without signing in.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use uuid::Uuid;

use super::page::Page;
use crate::http::extract::{ApiJson, ApiQuery, IfMatch, PageParams, created_response, versioned_response};
use crate::http::problem::{ApiError, Problem};
use crate::services::access::Principal;
use crate::services::queue::{NewQueue, QueueChanges, QueueDisplay, QueueService, QueueView};

/// Creates a queue for a location or department. The answer holds the waiting-room screen's token, shown
/// only this once.
#[utoipa::path(
    post, path = "/api/v1/queues", operation_id = "create_queue", tag = "queue", security(("bearer" = [])),
    request_body = NewQueue,
    responses(
        (status = 201, description = "Created, with `display_token` and `display_path`", body = QueueView,
         headers(("Location" = String, description = "The queue's URL"), ("ETag" = String, description = "The version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The organization has a queue with this name", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, each named", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn create(
    State(queues): State<QueueService>,
    principal: Principal,
    ApiJson(input): ApiJson<NewQueue>,
) -> Result<Response, ApiError> {
    let created = queues.create(&principal, input).await?;
    let location = format!("/api/v1/queues/{}", created.id);
    Ok(created_response(location, created))
}

/// Lists the organization's queues in creation order.
#[utoipa::path(
    get, path = "/api/v1/queues", operation_id = "list_queues", tag = "queue", security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of queues", body = Page<QueueView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn list(
    State(queues): State<QueueService>,
    principal: Principal,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<QueueView>>, ApiError> {
    let listing = queues.list(&principal, &page.into()).await?;
    Ok(Json(Page::from_listing(listing, |queue| queue)))
}

/// One queue.
#[utoipa::path(
    get, path = "/api/v1/queues/{id}", operation_id = "read_queue", tag = "queue", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The queue")),
    responses(
        (status = 200, description = "The queue", body = QueueView, headers(("ETag" = String, description = "The version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such queue in this organization", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn read(
    State(queues): State<QueueService>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    Ok(versioned_response(
        StatusCode::OK,
        queues.read(&principal, id).await?,
    ))
}

/// Changes a queue's name, location or average service time; fields left out stay. Send `If-Match`.
#[utoipa::path(
    patch, path = "/api/v1/queues/{id}", operation_id = "update_queue", tag = "queue", security(("bearer" = [])),
    request_body = QueueChanges,
    params(("id" = Uuid, Path, description = "The queue"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Changed", body = QueueView, headers(("ETag" = String, description = "The new version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such queue in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The organization has a queue with this name", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, each named", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn update(
    State(queues): State<QueueService>,
    principal: Principal,
    Path(id): Path<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(changes): ApiJson<QueueChanges>,
) -> Result<Response, ApiError> {
    Ok(versioned_response(
        StatusCode::OK,
        queues.update(&principal, id, changes, version).await?,
    ))
}

/// Gives the queue's waiting-room screen a new token; the old one stops working at once. The answer holds
/// the new token, shown only this once.
#[utoipa::path(
    post, path = "/api/v1/queues/{id}/display-token", operation_id = "rotate_queue_display_token", tag = "queue",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The queue")),
    responses(
        (status = 200, description = "Rotated, with the new `display_token` and `display_path`", body = QueueView,
         headers(("ETag" = String, description = "The new version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs scheduling:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such queue in this organization", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn rotate_display_token(
    State(queues): State<QueueService>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    Ok(versioned_response(
        StatusCode::OK,
        queues.rotate_display_token(&principal, id).await?,
    ))
}

/// The waiting-room screen of a queue: its name, the numbers called to a desk, and the next numbers. No
/// sign-in: the token in the path is the key. Never a name, a patient id or a reason.
#[utoipa::path(
    get, path = "/api/v1/queue-displays/{token}", operation_id = "read_queue_display", tag = "queue",
    params(("token" = String, Path, description = "The queue's display token")),
    responses(
        (status = 200, description = "What the screen shows now", body = QueueDisplay),
        (status = 404, description = "No queue has this display token (any more)", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn display(
    State(queues): State<QueueService>,
    Path(token): Path<String>,
) -> Result<Json<QueueDisplay>, ApiError> {
    Ok(Json(queues.display(&token).await?))
}
