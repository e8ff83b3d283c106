//! Data-subject rights (GDPR articles 15, 17 and 20): the export of everything Praxis holds about a patient,
//! erasure by crypto-shredding under the organization's retention rule, and the register of these requests.
//!
//! Exports and erasures are the admin's (`DataSubjectRequests`); the register is read by compliance officers,
//! that is auditors (`AuditRead`), and by admins. Every request is recorded with its outcome, refused ones too.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use praxis_domain::access::Permission;
use praxis_domain::audit::Outcome;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::access::Principal;
use super::audit::EventExt;
use super::contacts::{ContactService, PatientContactView};
use super::error::{FieldIssue, ServiceError, ServiceResult};
use super::page::{Listing, PageRequest};
use super::patients::{PatientService, PatientView};
use super::scheduling::{AppointmentView, SchedulingService, WaitlistEntryView};
use crate::store::{AuditFilter, AuditRow, DataSubjectRequestRow, DbTime, KeyTable, Store, Tx};

/// The longest legal reason accepted, in characters.
pub const MAX_LEGAL_REASON: usize = 500;

/// What a data-subject request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// Article 15: a copy of the data.
    Access,
    /// Article 20: the data in a machine-readable form, to take elsewhere.
    Portability,
    /// Article 17: erasure.
    Erasure,
}

impl RequestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Portability => "portability",
            Self::Erasure => "erasure",
        }
    }
}

/// A recorded data-subject request and how it ended.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
#[schema(example = json!({
    "id": "0193b1f4-8888-7c3e-9a43-2f0f6f8e4b11", "patient_id": "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11",
    "kind": "erasure", "requested_by": "0193b1f4-6666-7c3e-9a43-2f0f6f8e4b11", "requested_at": "2026-11-23T09:00:00Z",
    "outcome": "refused", "legal_reason": null, "refused_until": "2036-11-23"
}))]
pub struct DataSubjectRequestView {
    pub id: Uuid,
    pub patient_id: Uuid,
    /// `access`, `portability` or `erasure`.
    pub kind: String,
    /// The admin who made the request on the data subject's behalf.
    pub requested_by: Uuid,
    pub requested_at: Timestamp,
    /// `completed` or `refused`.
    pub outcome: String,
    /// The legal ground given to override the retention rule; never personal data.
    pub legal_reason: Option<String>,
    /// When refused under the retention rule: the date until which the record must be kept.
    pub refused_until: Option<String>,
}

impl From<DataSubjectRequestRow> for DataSubjectRequestView {
    fn from(row: DataSubjectRequestRow) -> Self {
        Self {
            id: row.request_id,
            patient_id: row.patient_id,
            kind: row.kind,
            requested_by: row.requested_by,
            requested_at: row.requested_at.get(),
            outcome: row.outcome,
            legal_reason: row.legal_reason,
            refused_until: row.refused_until,
        }
    }
}

/// Everything held about a patient, as read in one transaction.
#[derive(Debug)]
pub struct PatientExport {
    pub exported_at: Timestamp,
    pub patient: PatientView,
    pub contacts: Vec<PatientContactView>,
    /// Every appointment of the patient, cancelled ones included, by start.
    pub appointments: Vec<AppointmentView>,
    /// Every waitlist entry of the patient, oldest first.
    pub waitlist: Vec<WaitlistEntryView>,
    /// Every event about the patient, oldest first.
    pub audit_events: Vec<AuditRow>,
    pub request: DataSubjectRequestView,
}

#[derive(Debug, Clone)]
pub struct DataSubjectService {
    store: Store,
    patients: PatientService,
    contacts: ContactService,
    scheduling: SchedulingService,
    retention_years: u32,
}

const AUDIT_PAGE: i64 = 5_000;

impl DataSubjectService {
    pub fn new(
        store: Store,
        patients: PatientService,
        contacts: ContactService,
        scheduling: SchedulingService,
        retention_years: u32,
    ) -> Self {
        Self {
            store,
            patients,
            contacts,
            scheduling,
            retention_years,
        }
    }

    /// Everything Praxis holds about the patient, deleted or not; 409 once the patient was erased. The export
    /// is recorded as a request (access or portability) and audited as `patient.export`.
    pub async fn export(
        &self,
        principal: &Principal,
        patient_id: Uuid,
        kind: RequestKind,
    ) -> ServiceResult<PatientExport> {
        principal
            .require(&self.store, Permission::DataSubjectRequests, "patient.export")
            .await?;
        let requested_by = principal.require_user(&self.store, "patient.export").await?;
        if kind == RequestKind::Erasure {
            return Err(ServiceError::Invalid(vec![FieldIssue::new(
                "kind",
                "invalid_kind",
                "an export is an access or a portability request",
            )]));
        }
        let mut tx = self.store.begin_write().await?;
        let patient = self
            .patients
            .load_for_export(&mut tx, principal.organization_id, patient_id)
            .await?;
        let contacts = self
            .contacts
            .links_of_patient(&mut tx, principal.organization_id, patient_id)
            .await?;
        let appointments = self
            .scheduling
            .appointments_of_patient(&mut tx, principal.organization_id, patient_id)
            .await?;
        let waitlist = self
            .scheduling
            .waitlist_of_patient(&mut tx, principal.organization_id, patient_id)
            .await?;
        let audit_events = patient_events(&mut tx, principal.organization_id, patient_id).await?;
        let now = DbTime::now();
        let row = DataSubjectRequestRow {
            request_id: Uuid::now_v7(),
            organization_id: principal.organization_id,
            patient_id,
            kind: kind.as_str().to_owned(),
            requested_by,
            requested_at: now,
            outcome: "completed".to_owned(),
            legal_reason: None,
            refused_until: None,
        };
        tx.insert_data_subject_request(&row).await?;
        let event = principal
            .audit("patient.export", Outcome::Success)
            .entity("patient", patient_id)
            .details(serde_json::json!({
                "data_subject_request_id": row.request_id,
                "kind": row.kind,
                "audit_events": audit_events.len(),
            }));
        tx.append_audit(event.patient(patient_id)).await?;
        tx.commit().await?;
        Ok(PatientExport {
            exported_at: now.get(),
            patient,
            contacts,
            appointments,
            waitlist,
            audit_events,
            request: row.into(),
        })
    }

    /// Erases a patient: destroys the data key, overwrites the clear-text fields, removes the blind indexes,
    /// marks the record deleted, and records the request; all in one transaction with its audit event.
    ///
    /// While the retention rule still keeps the record (`retention_years` after its last change), the
    /// request is refused with 409 naming the date, and recorded as refused, unless a legal reason is given.
    pub async fn erase(
        &self,
        principal: &Principal,
        patient_id: Uuid,
        legal_reason: Option<String>,
    ) -> ServiceResult<DataSubjectRequestView> {
        principal
            .require(&self.store, Permission::DataSubjectRequests, "patient.erase")
            .await?;
        let requested_by = principal.require_user(&self.store, "patient.erase").await?;
        let legal_reason = check_legal_reason(legal_reason)?;
        let mut tx = self.store.begin_write().await?;
        let row = tx
            .patient(principal.organization_id, patient_id)
            .await?
            .ok_or(ServiceError::NotFound("patient"))?;
        let key = tx
            .data_key(KeyTable::Patient, principal.organization_id, patient_id)
            .await?
            .ok_or(ServiceError::NotFound("patient"))?;
        if key.wrapped.is_none() {
            return Err(ServiceError::Conflict(
                "this patient's data has been erased".to_owned(),
            ));
        }
        let now = DbTime::now();
        let mut request = DataSubjectRequestRow {
            request_id: Uuid::now_v7(),
            organization_id: principal.organization_id,
            patient_id,
            kind: RequestKind::Erasure.as_str().to_owned(),
            requested_by,
            requested_at: now,
            outcome: "completed".to_owned(),
            legal_reason: legal_reason.clone(),
            refused_until: None,
        };
        let retained_until = retained_until(row.updated_at.get(), self.retention_years)?;
        let today = now.get().to_zoned(TimeZone::UTC).date();
        if let Some(until) = retained_until.filter(|until| today < *until && legal_reason.is_none()) {
            request.outcome = "refused".to_owned();
            request.refused_until = Some(until.to_string());
            tx.insert_data_subject_request(&request).await?;
            let event = principal
                .audit("patient.erase", Outcome::Failure)
                .entity("patient", patient_id)
                .details(serde_json::json!({
                    "data_subject_request_id": request.request_id,
                    "refused": "retention",
                    "retained_until": until.to_string(),
                }));
            tx.append_audit(event.patient(patient_id)).await?;
            tx.commit().await?;
            return Err(ServiceError::Conflict(format!(
                "the retention rule keeps this patient's record until {until} ({} years after its last change); \
                 give a legal reason to erase it before then",
                self.retention_years
            )));
        }
        if !tx
            .erase_patient(principal.organization_id, patient_id, now)
            .await?
        {
            return Err(ServiceError::Conflict(
                "this patient's data has been erased".to_owned(),
            ));
        }
        // An answer kept for an idempotent retry of the patient's registration holds the data just erased.
        tx.forget_idempotent_answers(principal.organization_id, patient_id)
            .await?;
        tx.insert_data_subject_request(&request).await?;
        // The reason's text stays on the request row; the trail only says whether one was given.
        let event = principal
            .audit("patient.erase", Outcome::Success)
            .entity("patient", patient_id)
            .details(serde_json::json!({
                "data_subject_request_id": request.request_id,
                "legal_reason_given": legal_reason.is_some(),
                "within_retention": retained_until.is_some_and(|until| today < until),
            }));
        tx.append_audit(event.patient(patient_id)).await?;
        tx.commit().await?;
        Ok(request.into())
    }

    /// The register of requests, oldest first, optionally for one patient; for auditors and admins. Audited.
    pub async fn list(
        &self,
        principal: &Principal,
        patient_id: Option<Uuid>,
        page: &PageRequest,
    ) -> ServiceResult<Listing<DataSubjectRequestView>> {
        // Compliance officers are auditors; admins handle the requests and may see what they did.
        if !principal.allows(Permission::DataSubjectRequests) {
            principal
                .require(&self.store, Permission::AuditRead, "data_subject_request.list")
                .await?;
        }
        let spec = page.check::<Uuid>()?;
        let mut tx = self.store.begin_write().await?;
        let rows = tx
            .data_subject_requests(
                principal.organization_id,
                patient_id,
                spec.after,
                spec.read_limit(),
            )
            .await?;
        let views: Vec<DataSubjectRequestView> = rows.into_iter().map(Into::into).collect();
        let listing = Listing::new(views, &spec, |view: &DataSubjectRequestView| view.id);
        let event = principal
            .audit("data_subject_request.list", Outcome::Success)
            .details(serde_json::json!({ "count": listing.items.len() }));
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(listing)
    }
}

/// The date until which the retention rule keeps a record last changed at `last_change`; `None` without a rule.
pub fn retained_until(last_change: Timestamp, retention_years: u32) -> ServiceResult<Option<Date>> {
    if retention_years == 0 {
        return Ok(None);
    }
    last_change
        .to_zoned(TimeZone::UTC)
        .date()
        .checked_add(Span::new().years(i64::from(retention_years)))
        .map(Some)
        .map_err(|e| ServiceError::Internal(format!("retention date out of range: {e}")))
}

fn check_legal_reason(reason: Option<String>) -> ServiceResult<Option<String>> {
    let Some(reason) = reason else {
        return Ok(None);
    };
    let reason = reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > MAX_LEGAL_REASON {
        return Err(ServiceError::Invalid(vec![FieldIssue::new(
            "legal_reason",
            "invalid_legal_reason",
            format!("a legal reason is null or 1 to {MAX_LEGAL_REASON} characters"),
        )]));
    }
    Ok(Some(reason))
}

/// Every event about the patient, oldest first, page by page.
async fn patient_events(
    tx: &mut Tx,
    organization_id: Uuid,
    patient_id: Uuid,
) -> ServiceResult<Vec<AuditRow>> {
    let mut events = Vec::new();
    let mut filter = AuditFilter {
        patient_id: Some(patient_id),
        ..AuditFilter::default()
    };
    loop {
        let page = tx.audit_events(organization_id, &filter, AUDIT_PAGE).await?;
        let full = page.len() as i64 == AUDIT_PAGE;
        filter.before_seq = page.last().map(|row| row.seq);
        events.extend(page);
        if !full {
            break;
        }
    }
    events.reverse();
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_retention_rule_counts_years_from_the_last_change() {
        let changed: Timestamp = "2026-11-23T09:00:00Z".parse().unwrap();
        assert_eq!(
            retained_until(changed, 10).unwrap(),
            Some(jiff::civil::date(2036, 11, 23))
        );
        assert_eq!(retained_until(changed, 0).unwrap(), None);
    }

    #[test]
    fn a_legal_reason_is_trimmed_and_bounded() {
        assert_eq!(check_legal_reason(None).unwrap(), None);
        assert_eq!(
            check_legal_reason(Some("  court order  ".into())).unwrap(),
            Some("court order".to_owned())
        );
        assert!(check_legal_reason(Some("   ".into())).is_err());
        assert!(check_legal_reason(Some("x".repeat(MAX_LEGAL_REASON + 1))).is_err());
    }
}
