//! Contacts: people related to patients, and the links between them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::page::Page;
use crate::http::extract::{ApiJson, ApiQuery, IfMatch, created_response, versioned_response};
use crate::http::problem::{ApiError, Problem};
use crate::services::access::Principal;
use crate::services::contacts::{
    ContactInput, ContactPatientView, ContactQuery, ContactService, ContactView, LinkInput,
    PatientContactView,
};
use crate::services::page::PageRequest;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactSearchParams {
    /// Prefix of the given or family name, ignoring case and accents ("ostby" finds "Østby").
    q: Option<String>,
    /// Exact phone number, in any format the organization's country understands.
    phone: Option<String>,
    /// Exact e-mail address.
    email: Option<String>,
    /// How many contacts to return, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnlinkParams {
    /// The role to remove: `owner`, `guardian`, `next_of_kin` or `emergency`; every role when absent.
    role: Option<String>,
}

/// Registers a contact: a person related to patients. Phone, e-mail and address are encrypted at rest.
#[utoipa::path(
    post, path = "/api/v1/contacts", operation_id = "create_contact", tag = "contacts", security(("bearer" = [])),
    request_body = ContactInput,
    responses(
        (status = 201, description = "Registered", body = ContactView,
         headers(("Location" = String, description = "The contact's URL"), ("ETag" = String, description = "The version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs patients:write", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, each named", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn create(
    State(contacts): State<ContactService>,
    principal: Principal,
    ApiJson(input): ApiJson<ContactInput>,
) -> Result<Response, ApiError> {
    let created = contacts.create(&principal, input).await?;
    let location = format!("/api/v1/contacts/{}", created.id);
    Ok(created_response(location, created))
}

/// Lists and searches contacts in registration order; deleted ones are left out. Every call is audited with
/// the contacts it returned.
#[utoipa::path(
    get, path = "/api/v1/contacts", operation_id = "list_contacts", tag = "contacts", security(("bearer" = [])),
    params(ContactSearchParams),
    responses(
        (status = 200, description = "A page of contacts", body = Page<ContactView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs patients:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter, limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn list(
    State(contacts): State<ContactService>,
    principal: Principal,
    ApiQuery(params): ApiQuery<ContactSearchParams>,
) -> Result<Json<Page<ContactView>>, ApiError> {
    let query = ContactQuery {
        q: params.q,
        phone: params.phone,
        email: params.email,
    };
    let page = PageRequest {
        limit: params.limit,
        cursor: params.cursor,
    };
    let listing = contacts.list(&principal, query, &page).await?;
    Ok(Json(Page::from_listing(listing, |contact| contact)))
}

/// One contact. The read is audited.
#[utoipa::path(
    get, path = "/api/v1/contacts/{id}", operation_id = "read_contact", tag = "contacts", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The contact")),
    responses(
        (status = 200, description = "The contact", body = ContactView, headers(("ETag" = String, description = "The version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs patients:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such contact in this organization, or deleted", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn read(
    State(contacts): State<ContactService>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    Ok(versioned_response(
        StatusCode::OK,
        contacts.read(&principal, id).await?,
    ))
}

/// Replaces a contact's record. Send `If-Match` with the ETag you read.
#[utoipa::path(
    put, path = "/api/v1/contacts/{id}", operation_id = "replace_contact", tag = "contacts", security(("bearer" = [])),
    request_body = ContactInput,
    params(("id" = Uuid, Path, description = "The contact"), ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    responses(
        (status = 200, description = "Replaced", body = ContactView, headers(("ETag" = String, description = "The new version"))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs patients:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such contact in this organization, or deleted", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed by someone else since read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, each named", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn replace(
    State(contacts): State<ContactService>,
    principal: Principal,
    Path(id): Path<Uuid>,
    IfMatch(version): IfMatch,
    ApiJson(input): ApiJson<ContactInput>,
) -> Result<Response, ApiError> {
    Ok(versioned_response(
        StatusCode::OK,
        contacts.replace(&principal, id, input, version).await?,
    ))
}

/// Deletes a contact softly: gone from lists, searches and every patient's contacts at once.
#[utoipa::path(
    delete, path = "/api/v1/contacts/{id}", operation_id = "delete_contact", tag = "contacts", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The contact")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs patients:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such contact in this organization, or already deleted", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn delete(
    State(contacts): State<ContactService>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    contacts.delete(&principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The patients a contact is related to (an owner's animals, a guardian's children), with the roles. Audited.
#[utoipa::path(
    get, path = "/api/v1/contacts/{id}/patients", operation_id = "list_contact_patients", tag = "contacts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The contact")),
    responses(
        (status = 200, description = "The contact's patients; never more than one page", body = Page<ContactPatientView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs patients:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such contact in this organization, or deleted", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn patients(
    State(contacts): State<ContactService>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<Json<Page<ContactPatientView>>, ApiError> {
    let data = contacts.patients_of_contact(&principal, id).await?;
    Ok(Json(Page {
        data,
        next_cursor: None,
    }))
}

/// A patient's contacts with their roles. Audited under the patient, naming the contacts returned.
#[utoipa::path(
    get, path = "/api/v1/patients/{id}/contacts", operation_id = "list_patient_contacts", tag = "contacts",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The patient")),
    responses(
        (status = 200, description = "The patient's contacts; never more than one page", body = Page<PatientContactView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs patients:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such patient in this organization, or deleted", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn of_patient(
    State(contacts): State<ContactService>,
    principal: Principal,
    Path(id): Path<Uuid>,
) -> Result<Json<Page<PatientContactView>>, ApiError> {
    let data = contacts.contacts_of_patient(&principal, id).await?;
    Ok(Json(Page {
        data,
        next_cursor: None,
    }))
}

/// Links a contact to a patient in a role, or replaces the relationship and flags of that role. `owner` is
/// for animals only, `guardian` for people only.
#[utoipa::path(
    put, path = "/api/v1/patients/{id}/contacts/{contact_id}", operation_id = "link_patient_contact",
    tag = "contacts", security(("bearer" = [])),
    request_body = LinkInput,
    params(("id" = Uuid, Path, description = "The patient"), ("contact_id" = Uuid, Path, description = "The contact")),
    responses(
        (status = 200, description = "Linked", body = PatientContactView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs patients:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such patient or contact in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, or a role that does not fit the patient", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn link(
    State(contacts): State<ContactService>,
    principal: Principal,
    Path((id, contact_id)): Path<(Uuid, Uuid)>,
    ApiJson(input): ApiJson<LinkInput>,
) -> Result<Json<PatientContactView>, ApiError> {
    Ok(Json(contacts.link(&principal, id, contact_id, input).await?))
}

/// Removes a contact's role for a patient (`?role=owner`), or every role when none is named.
#[utoipa::path(
    delete, path = "/api/v1/patients/{id}/contacts/{contact_id}", operation_id = "unlink_patient_contact",
    tag = "contacts", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The patient"), ("contact_id" = Uuid, Path, description = "The contact"), UnlinkParams),
    responses(
        (status = 204, description = "Unlinked"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs patients:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such patient, or the contact has no such role for it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown role", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn unlink(
    State(contacts): State<ContactService>,
    principal: Principal,
    Path((id, contact_id)): Path<(Uuid, Uuid)>,
    ApiQuery(params): ApiQuery<UnlinkParams>,
) -> Result<StatusCode, ApiError> {
    contacts
        .unlink(&principal, id, contact_id, params.role.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
