//! API keys for integrations, managed by admins.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::page::Page;
use crate::http::extract::{ApiJson, ApiQuery, PageParams};
use crate::http::problem::{ApiError, Problem};
use crate::services::access::api_keys::{ApiKeyView, NewApiKey};
use crate::services::access::{AccessService, Principal};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Booking widget", "scopes": ["scheduling:read", "scheduling:write"], "expires_at": "2027-12-31T23:00:00Z"}))]
pub struct CreateApiKey {
    name: String,
    /// Any of `patients:read|write`, `scheduling:read|write`, `clinical:read|write`, `billing:read|write`,
    /// `audit:read`, `fhir:read`, within what your own roles allow.
    scopes: Vec<String>,
    /// When the key stops working; never when absent.
    expires_at: Option<Timestamp>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKey {
    #[serde(flatten)]
    key: ApiKeyView,
    /// The key itself (`prx_…`), shown only in this answer: Praxis keeps only its hash.
    secret: String,
}

/// Creates a key. Its scopes can never exceed the roles of the admin creating it.
#[utoipa::path(
    post, path = "/api/v1/api-keys", operation_id = "create_api_key", tag = "api keys", security(("bearer" = [])), request_body = CreateApiKey,
    responses(
        (status = 201, description = "Created; the secret is in this answer only", body = CreatedApiKey,
         headers(("Location" = String, description = "The key's URL"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the admin role, as a signed-in user", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, or scopes beyond your roles", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn create(
    State(access): State<AccessService>,
    principal: Principal,
    ApiJson(input): ApiJson<CreateApiKey>,
) -> Result<Response, ApiError> {
    let created = access
        .create_api_key(
            &principal,
            NewApiKey {
                name: input.name,
                scopes: input.scopes,
                expires_at: input.expires_at,
            },
        )
        .await?;
    let location = HeaderValue::from_str(&format!("/api/v1/api-keys/{}", created.key.id))
        .expect("a path is a header value");
    let body = CreatedApiKey {
        key: created.key,
        secret: created.secret,
    };
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(body)).into_response())
}

/// Lists the organization's keys by prefix, revoked ones included.
#[utoipa::path(
    get, path = "/api/v1/api-keys", operation_id = "list_api_keys", tag = "api keys", security(("bearer" = [])), params(PageParams),
    responses(
        (status = 200, description = "A page of keys", body = Page<ApiKeyView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the admin role", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn list(
    State(access): State<AccessService>,
    principal: Principal,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<Page<ApiKeyView>>, ApiError> {
    let keys = access.api_keys(&principal, &page.into()).await?;
    Ok(Json(Page::from_listing(keys, |key| key)))
}

/// Revokes a key; its next request is refused.
#[utoipa::path(
    delete, path = "/api/v1/api-keys/{id}", operation_id = "revoke_api_key", tag = "api keys", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The key")),
    responses(
        (status = 200, description = "Revoked", body = ApiKeyView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the admin role", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such key in this organization", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn revoke(
    State(access): State<AccessService>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<Json<ApiKeyView>, ApiError> {
    Ok(Json(access.revoke_api_key(&principal, id).await?))
}
