//! The caller's own organization and its settings.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::http::extract::{ApiJson, IfMatch, versioned_response};
use crate::http::problem::{ApiError, Problem};
use crate::services::access::Principal;
use crate::services::organizations::{self, OrganizationFields, OrganizationView};
use crate::store::Store;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Fjordklinikken Bergen", "time_zone": "Europe/Oslo"}))]
pub struct UpdateOrganization {
    name: Option<String>,
    /// IANA time zone, e.g. `Europe/Oslo`.
    time_zone: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `NO`.
    country: Option<String>,
    /// ISO 4217, e.g. `NOK`.
    currency: Option<String>,
    /// BCP 47, e.g. `nb-NO`.
    locale: Option<String>,
}

/// The caller's organization.
#[utoipa::path(
    get, path = "/api/v1/organization", operation_id = "read_organization", tag = "organization", security(("bearer" = [])),
    responses(
        (status = 200, description = "The organization", body = OrganizationView, headers(("ETag" = String, description = "The version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn read(State(store): State<Store>, principal: Principal) -> Result<Response, ApiError> {
    Ok(versioned_response(
        StatusCode::OK,
        organizations::get(&store, &principal).await?,
    ))
}

/// Changes the organization's settings (admins). The slug never changes: users sign in with it.
#[utoipa::path(
    patch, path = "/api/v1/organization", operation_id = "update_organization", tag = "organization", security(("bearer" = [])), request_body = UpdateOrganization,
    params(("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Changed", body = OrganizationView, headers(("ETag" = String, description = "The new version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the admin role", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, each named", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn update(
    State(store): State<Store>,
    principal: Principal,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<UpdateOrganization>,
) -> Result<Response, ApiError> {
    let fields = OrganizationFields {
        name: input.name,
        time_zone: input.time_zone,
        country: input.country,
        currency: input.currency,
        locale: input.locale,
    };
    Ok(versioned_response(
        StatusCode::OK,
        organizations::update(&store, &principal, fields, version).await?,
    ))
}
