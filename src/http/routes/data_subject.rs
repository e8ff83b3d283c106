//! Data-subject rights (GDPR articles 15, 17 and 20): export, erasure, and the register of requests.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::audit::AuditEventView;
use super::page::Page;
use crate::http::extract::{ApiJson, ApiQuery};
use crate::http::problem::{ApiError, Problem};
use crate::services::access::Principal;
use crate::services::contacts::PatientContactView;
use crate::services::data_subject::{DataSubjectRequestView, DataSubjectService, RequestKind};
use crate::services::page::PageRequest;
use crate::services::patients::PatientView;
use crate::services::scheduling::{AppointmentView, WaitlistEntryView};

/// The version of the export document; a reader should check it before reading the rest.
pub const EXPORT_FORMAT: &str = "praxis.patient-export.v1";

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `access` (article 15, the default) or `portability` (article 20); recorded on the request.
    #[param(value_type = Option<String>, example = "portability")]
    kind: Option<RequestKind>,
}

/// Everything Praxis holds about one patient, as one JSON document a program can read back.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "format": "praxis.patient-export.v1", "exported_at": "2026-11-23T09:00:00Z",
    "data_subject_request_id": "0193b1f4-8888-7c3e-9a43-2f0f6f8e4b11",
    "patient": {"id": "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11", "patient_number": 1042, "kind": "person",
        "given_name": "Kari", "family_name": "Østby", "birth_date": "1990-01-01", "sex": "female", "status": "active",
        "deceased_on": null, "identifiers": [{"system": "no-fnr", "value": "01019012480"}], "phone": "+4791234567",
        "email": "kari@example.org", "address": null, "notes": null, "animal": null, "version": 1,
        "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z"},
    "contacts": [],
    "appointments": [{"id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e60", "patient_id": "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11",
        "patient_name": "Kari Østby", "practitioner_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e50",
        "service_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e52", "resource_id": null, "series_id": null, "series_index": null,
        "start": "2027-03-01T09:00:00+01:00", "end": "2027-03-01T09:45:00+01:00", "status": "completed",
        "cancel_reason": null, "cancelled_by": null, "cancelled_at": null, "late_cancellation": false, "override_reason": null,
        "version": 4, "created_at": "2026-11-23T09:00:00Z", "updated_at": "2027-03-01T09:50:00Z"}],
    "waitlist": [],
    "audit_events": [{"seq": 7, "occurred_at": "2026-11-23T09:00:00Z", "actor": {"kind": "user", "id": "0193b1f4-6666-7c3e-9a43-2f0f6f8e4b11"},
        "actor_role": "reception", "action": "patient.create", "entity_type": "patient", "entity_id": "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11",
        "patient_id": "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11", "outcome": "success", "request_id": "0193b1f4-7777-7c3e-9a43-2f0f6f8e4b11",
        "ip": "10.0.0.7", "user_agent": "Mozilla/5.0", "details": {"fields": ["kind", "given_name", "family_name"]}, "hash": "9f86d081884c7d65…"}]
}))]
pub struct PatientExportDocument {
    /// `praxis.patient-export.v1`.
    format: &'static str,
    exported_at: Timestamp,
    /// The data-subject request this export answered.
    data_subject_request_id: Uuid,
    /// Demographics, identifiers and contact details, opened.
    patient: PatientView,
    /// The people related to the patient (owners, guardians, next of kin) with their links.
    contacts: Vec<PatientContactView>,
    /// Every appointment of the patient, cancelled ones included, by start.
    appointments: Vec<AppointmentView>,
    /// Every waitlist entry of the patient, oldest first.
    waitlist: Vec<WaitlistEntryView>,
    /// Every audit event about the patient, oldest first, this export excepted.
    audit_events: Vec<AuditEventView>,
    // Encounters, invoices and messages join here as top-level members as they land; an addition keeps
    // `format` at v1, any other change bumps it.
}

/// Exports everything Praxis holds about a patient, deleted or not (GDPR articles 15 and 20). Admins only;
/// recorded as a data-subject request and audited.
#[utoipa::path(
    get, path = "/api/v1/patients/{id}/export", operation_id = "export_patient", tag = "data-subject requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The patient"), ExportParams),
    responses(
        (status = 200, description = "The export document", body = PatientExportDocument,
         headers(("Content-Disposition" = String, description = "attachment; filename=\"patient-<id>.json\""))),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the admin role (data-subject requests)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such patient in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The patient's data has been erased", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad kind", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn export(
    State(service): State<DataSubjectService>,
    principal: Principal,
    Path(id): Path<Uuid>,
    ApiQuery(params): ApiQuery<ExportParams>,
) -> Result<Response, ApiError> {
    let export = service
        .export(&principal, id, params.kind.unwrap_or(RequestKind::Access))
        .await?;
    let audit_events = export
        .audit_events
        .into_iter()
        .map(AuditEventView::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let document = PatientExportDocument {
        format: EXPORT_FORMAT,
        exported_at: export.exported_at,
        data_subject_request_id: export.request.id,
        patient: export.patient,
        contacts: export.contacts,
        appointments: export.appointments,
        waitlist: export.waitlist,
        audit_events,
    };
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"patient-{id}.json\""))
        .expect("a file name is a header value");
    Ok(([(header::CONTENT_DISPOSITION, disposition)], Json(document)).into_response())
}

/// An erasure request.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"legal_reason": null}))]
pub struct ErasureInput {
    /// Needed only while the retention rule still keeps the record: the legal ground for erasing it anyway,
    /// 1 to 500 characters. Stored in clear on the request, so never personal data.
    #[serde(default)]
    legal_reason: Option<String>,
}

/// Erases a patient (GDPR article 17): destroys the data key, overwrites names and birth date, removes
/// identifiers and contact details, and marks the record deleted. Refused with 409 naming the date while the
/// retention rule keeps the record, unless a legal reason is given. Admins only; recorded either way.
#[utoipa::path(
    post, path = "/api/v1/patients/{id}/erasure", operation_id = "erase_patient", tag = "data-subject requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The patient")),
    request_body = ErasureInput,
    responses(
        (status = 200, description = "Erased; the recorded request", body = DataSubjectRequestView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the admin role (data-subject requests)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such patient in this organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Kept by the retention rule until the date named (the refusal is recorded), or already erased",
         body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad legal reason", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn erase(
    State(service): State<DataSubjectService>,
    principal: Principal,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<ErasureInput>,
) -> Result<Json<DataSubjectRequestView>, ApiError> {
    Ok(Json(service.erase(&principal, id, input.legal_reason).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestListParams {
    /// Only the requests about this patient.
    patient_id: Option<Uuid>,
    /// How many requests to return, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// The register of data-subject requests and their outcomes, oldest first, for compliance officers
/// (auditors) and admins. Reading it is audited.
#[utoipa::path(
    get, path = "/api/v1/data-subject-requests", operation_id = "list_data_subject_requests",
    tag = "data-subject requests", security(("bearer" = [])),
    params(RequestListParams),
    responses(
        (status = 200, description = "A page of requests", body = Page<DataSubjectRequestView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the auditor or admin role, or the audit:read scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad parameter, limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn list(
    State(service): State<DataSubjectService>,
    principal: Principal,
    ApiQuery(params): ApiQuery<RequestListParams>,
) -> Result<Json<Page<DataSubjectRequestView>>, ApiError> {
    let page = PageRequest {
        limit: params.limit,
        cursor: params.cursor,
    };
    let listing = service.list(&principal, params.patient_id, &page).await?;
    Ok(Json(Page::from_listing(listing, |request| request)))
}
