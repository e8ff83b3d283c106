//! Patients: people and animals.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::page::Page;
use crate::http::extract::{ApiJson, ApiQuery, IfMatch, created_response, versioned_response};
use crate::http::problem::{ApiError, Problem};
use crate::services::access::Principal;
use crate::services::page::PageRequest;
use crate::services::patients::{PatientInput, PatientQuery, PatientService, PatientView};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PatientSearchParams {
    /// Prefix of the given or family name, ignoring case and accents ("ostby" finds "Østby").
    q: Option<String>,
    birth_date: Option<Date>,
    /// An identifier, as `system|value` (e.g. `no-fnr|01019012480`) or a bare value tried under every scheme.
    identifier: Option<String>,
    /// Exact phone number, in any format the organization's country understands.
    phone: Option<String>,
    /// Exact e-mail address.
    email: Option<String>,
    /// How many patients to return, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// Registers a patient: a person, or an animal. Identifying fields are encrypted at rest.
#[utoipa::path(
    post, path = "/api/v1/patients", operation_id = "create_patient", tag = "patients", security(("bearer" = [])),
    request_body = PatientInput,
    responses(
        (status = 201, description = "Registered", body = PatientView,
         headers(("Location" = String, description = "The patient's URL"), ("ETag" = String, description = "The version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs patients:write", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another patient has the same identifier", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, each named", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn create(
    State(patients): State<PatientService>,
    principal: Principal,
    ApiJson(input): ApiJson<PatientInput>,
) -> Result<Response, ApiError> {
    let created = patients.create(&principal, input).await?;
    let location = format!("/api/v1/patients/{}", created.id);
    Ok(created_response(location, created))
}

/// Lists and searches patients in registration order; deleted ones are left out. Every call is audited with
/// the patients it returned.
#[utoipa::path(
    get, path = "/api/v1/patients", operation_id = "list_patients", tag = "patients", security(("bearer" = [])),
    params(PatientSearchParams),
    responses(
        (status = 200, description = "A page of patients", body = Page<PatientView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs patients:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter, limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn list(
    State(patients): State<PatientService>,
    principal: Principal,
    ApiQuery(params): ApiQuery<PatientSearchParams>,
) -> Result<Json<Page<PatientView>>, ApiError> {
    let query = PatientQuery {
        q: params.q,
        birth_date: params.birth_date,
        identifier: params.identifier,
        phone: params.phone,
        email: params.email,
    };
    let page = PageRequest {
        limit: params.limit,
        cursor: params.cursor,
    };
    let listing = patients.list(&principal, query, &page).await?;
    Ok(Json(Page::from_listing(listing, |patient| patient)))
}

/// One patient. The read is audited.
#[utoipa::path(
    get, path = "/api/v1/patients/{id}", operation_id = "read_patient", tag = "patients", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The patient")),
    responses(
        (status = 200, description = "The patient", body = PatientView, headers(("ETag" = String, description = "The version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs patients:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such patient in this organization, or deleted", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn read(
    State(patients): State<PatientService>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    Ok(versioned_response(
        StatusCode::OK,
        patients.read(&principal, id).await?,
    ))
}

/// Replaces a patient's record. Send `If-Match` with the ETag you read.
#[utoipa::path(
    put, path = "/api/v1/patients/{id}", operation_id = "replace_patient", tag = "patients", security(("bearer" = [])),
    request_body = PatientInput,
    params(("id" = Uuid, Path, description = "The patient"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Replaced", body = PatientView, headers(("ETag" = String, description = "The new version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs patients:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such patient in this organization, or deleted", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another patient has the same identifier", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, each named", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn replace(
    State(patients): State<PatientService>,
    principal: Principal,
    Path(id): Path<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<PatientInput>,
) -> Result<Response, ApiError> {
    Ok(versioned_response(
        StatusCode::OK,
        patients.replace(&principal, id, input, version).await?,
    ))
}

/// Deletes a patient softly: gone from lists and searches at once, restorable.
#[utoipa::path(
    delete, path = "/api/v1/patients/{id}", operation_id = "delete_patient", tag = "patients", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The patient")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs patients:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such patient in this organization, or already deleted", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn delete(
    State(patients): State<PatientService>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    patients.delete(&principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Restores a deleted patient.
#[utoipa::path(
    post, path = "/api/v1/patients/{id}/restore", operation_id = "restore_patient", tag = "patients", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The patient")),
    responses(
        (status = 200, description = "Restored", body = PatientView, headers(("ETag" = String, description = "The new version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs patients:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such deleted patient in this organization", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn restore(
    State(patients): State<PatientService>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    Ok(versioned_response(
        StatusCode::OK,
        patients.restore(&principal, id).await?,
    ))
}
