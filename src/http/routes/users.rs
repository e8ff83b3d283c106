//! Staff accounts, managed by admins.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::page::Page;
use crate::http::extract::{ApiJson, ApiQuery, IfMatch, PageParams, created_response, versioned_response};
use crate::http::problem::{ApiError, Problem};
use crate::services::access::users::{NewUserInput, UserChanges, UserView};
use crate::services::access::{AccessService, Principal};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "ola@clinic.example", "display_name": "Ola Hansen", "roles": ["reception"], "password": "a long and uncommon passphrase"}))]
pub struct CreateUser {
    email: String,
    display_name: String,
    /// Any of `admin`, `clinician`, `reception`, `billing`, `auditor`; roles add up.
    roles: Vec<String>,
    /// The initial password: at least 12 characters, not a common one, not containing the e-mail's local part.
    password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"roles": ["reception", "billing"]}))]
pub struct UpdateUser {
    display_name: Option<String>,
    roles: Option<Vec<String>>,
}

/// Creates a staff account.
#[utoipa::path(
    post, path = "/api/v1/users", operation_id = "create_user", tag = "users", security(("bearer" = [])), request_body = CreateUser,
    responses(
        (status = 201, description = "Created", body = UserView,
         headers(("Location" = String, description = "The user's URL"), ("ETag" = String, description = "The version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the admin role", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The e-mail is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn create(
    State(access): State<AccessService>,
    principal: Principal,
    ApiJson(input): ApiJson<CreateUser>,
) -> Result<Response, ApiError> {
    let input = NewUserInput {
        email: input.email,
        display_name: input.display_name,
        roles: input.roles,
        password: input.password,
    };
    let created = access.create_user(&principal, input).await?;
    let location = format!("/api/v1/users/{}", created.id);
    Ok(created_response(location, created))
}

/// Lists the organization's staff accounts in creation order.
#[utoipa::path(
    get, path = "/api/v1/users", operation_id = "list_users", tag = "users", security(("bearer" = [])), params(PageParams),
    responses(
        (status = 200, description = "A page of users", body = Page<UserView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the admin role", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn list(
    State(access): State<AccessService>,
    principal: Principal,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<UserView>>, ApiError> {
    let users = access.users(&principal, &page.into()).await?;
    Ok(Json(Page::from_listing(users, |user| user)))
}

/// One staff account.
#[utoipa::path(
    get, path = "/api/v1/users/{id}", operation_id = "read_user", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The user")),
    responses(
        (status = 200, description = "The user", body = UserView, headers(("ETag" = String, description = "The version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the admin role", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user in this organization", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn read(
    State(access): State<AccessService>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    Ok(versioned_response(
        StatusCode::OK,
        access.user(&principal, id).await?,
    ))
}

/// Changes a user's name or roles. Send `If-Match` with the ETag you read to avoid overwriting a change.
#[utoipa::path(
    patch, path = "/api/v1/users/{id}", operation_id = "update_user", tag = "users", security(("bearer" = [])), request_body = UpdateUser,
    params(("id" = Uuid, Path, description = "The user"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Changed", body = UserView, headers(("ETag" = String, description = "The new version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the admin role", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn update(
    State(access): State<AccessService>,
    principal: Principal,
    Path(id): Path<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<UpdateUser>,
) -> Result<Response, ApiError> {
    let changes = UserChanges {
        display_name: input.display_name,
        roles: input.roles,
    };
    Ok(versioned_response(
        StatusCode::OK,
        access.update_user(&principal, id, changes, version).await?,
    ))
}

/// Deactivates a user: their sessions end at once, they can no longer sign in, and the account stays for
/// the audit trail.
#[utoipa::path(
    post, path = "/api/v1/users/{id}/deactivate", operation_id = "deactivate_user", tag = "users", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The user"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Deactivated", body = UserView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the admin role", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "You cannot deactivate yourself", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since read", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn deactivate(
    State(access): State<AccessService>,
    principal: Principal,
    Path(id): Path<Uuid>,
    IfMatch(version): IfMatch,
) -> Result<Response, ApiError> {
    Ok(versioned_response(
        StatusCode::OK,
        access.deactivate_user(&principal, id, version).await?,
    ))
}
