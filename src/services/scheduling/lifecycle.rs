//! Reading appointments and moving them along their lifecycle: arrived, in progress, completed, cancelled,
//! no-show. Every read names its patients in the audit trail.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use praxis_domain::access::Permission;
use praxis_domain::appointment::{AppointmentStatus, CancelReason, TransitionError, is_late_cancellation};
use praxis_domain::audit::Outcome;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::SchedulingService;
use super::availability::local;
use super::booking::{
    AppointmentView, announce, appointment_row, appointment_view, appointment_views, record_history,
};
use super::input;
use crate::services::access::Principal;
use crate::services::access::users::check_version;
use crate::services::audit::EventExt;
use crate::services::error::{FieldIssue, ServiceError, ServiceResult, Validation};
use crate::services::events::EventKind;
use crate::services::page::{Listing, PageRequest};
use crate::store::{AppointmentFilter, AppointmentRow, DbTime};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "cancelled", "reason": "patient_unwell"}))]
pub struct StatusChange {
    /// `arrived`, `in_progress`, `completed`, `cancelled` or `no_show`.
    pub status: String,
    /// Required when cancelling: `patient_request`, `patient_unwell`, `clinic_request`,
    /// `practitioner_unavailable`, `weather` or `other`.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AppointmentQuery {
    pub patient_id: Option<Uuid>,
    pub practitioner_id: Option<Uuid>,
    /// Only appointments in this status.
    pub status: Option<String>,
    /// Appointments that end after this instant (RFC 3339).
    pub from: Option<Timestamp>,
    /// Appointments that start before this instant (RFC 3339).
    pub to: Option<Timestamp>,
}

/// One version of an appointment: where and when it was, and who changed it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "version": 2, "action": "moved", "status": "booked", "practitioner_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e50",
    "resource_id": null, "start": "2027-03-02T10:00:00+01:00", "end": "2027-03-02T10:45:00+01:00",
    "actor_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e70", "changed_at": "2026-11-23T09:05:00Z"
}))]
pub struct HistoryEntry {
    pub version: i64,
    /// `booked`, `moved`, or the status it changed to.
    pub action: String,
    pub status: String,
    pub practitioner_id: Uuid,
    pub resource_id: Option<Uuid>,
    pub start: String,
    pub end: String,
    /// The user or API key that made the change.
    pub actor_id: Uuid,
    pub changed_at: Timestamp,
}

/// Resumes a listing after (start, id).
#[derive(Debug, Clone, Copy)]
struct Cursor(DbTime, Uuid);

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", self.0.get().as_microsecond(), self.1)
    }
}

impl FromStr for Cursor {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        let (micros, id) = s.split_once('_').ok_or(())?;
        let start = Timestamp::from_microsecond(micros.parse().map_err(drop)?).map_err(drop)?;
        Ok(Self(start.into(), id.parse().map_err(drop)?))
    }
}

impl SchedulingService {
    /// Reads one appointment; the read is audited with its patient.
    pub async fn appointment(&self, principal: &Principal, id: Uuid) -> ServiceResult<AppointmentView> {
        principal
            .require(&self.store, Permission::SchedulingRead, "appointment.read")
            .await?;
        let mut tx = self.store.begin_write().await?;
        let tz = super::time_zone(&mut tx, principal.organization_id).await?;
        let row = appointment_row(&mut tx, principal.organization_id, id).await?;
        let event = principal
            .audit("appointment.read", Outcome::Success)
            .entity("appointment", id)
            .patient(row.patient_id);
        tx.append_audit(event).await?;
        let view = appointment_view(&mut tx, &self.keys, &tz, row).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Lists appointments by start; audited with the patients of the page.
    pub async fn appointments(
        &self,
        principal: &Principal,
        query: AppointmentQuery,
        page: &PageRequest,
    ) -> ServiceResult<Listing<AppointmentView>> {
        principal
            .require(&self.store, Permission::SchedulingRead, "appointment.list")
            .await?;
        let spec = page.check::<Cursor>()?;
        let mut validation = Validation::default();
        let status = query
            .status
            .as_deref()
            .and_then(|status| input::coded::<AppointmentStatus>(&mut validation, "status", status));
        validation.finish()?;
        let filter = AppointmentFilter {
            patient_id: query.patient_id,
            practitioner_id: query.practitioner_id,
            status: status.map(|status| status.as_str().to_owned()),
            from: query.from.map(DbTime::from),
            to: query.to.map(DbTime::from),
            after: spec.after.map(|Cursor(start, id)| (start, id)),
        };
        let mut tx = self.store.begin_write().await?;
        let tz = super::time_zone(&mut tx, principal.organization_id).await?;
        let rows = tx
            .appointments(principal.organization_id, &filter, spec.read_limit())
            .await?;
        let listing = Listing::new(rows, &spec, |row: &AppointmentRow| {
            Cursor(row.start_at, row.appointment_id)
        });
        let mut patient_ids: Vec<Uuid> = listing.items.iter().map(|row| row.patient_id).collect();
        patient_ids.sort();
        patient_ids.dedup();
        let returned: Vec<Uuid> = listing.items.iter().map(|row| row.appointment_id).collect();
        let event = principal
            .audit("appointment.list", Outcome::Success)
            .details(serde_json::json!({ "appointment_ids": returned, "patient_ids": patient_ids }));
        tx.append_audit(event).await?;
        let items = appointment_views(&mut tx, &self.keys, &tz, listing.items).await?;
        tx.commit().await?;
        Ok(Listing {
            items,
            next_cursor: listing.next_cursor,
        })
    }

    /// Every appointment of a patient, by start, inside the caller's transaction: for the patient's data
    /// export, which audits itself.
    pub async fn appointments_of_patient(
        &self,
        tx: &mut crate::store::Tx,
        organization_id: Uuid,
        patient_id: Uuid,
    ) -> ServiceResult<Vec<AppointmentView>> {
        const PAGE: i64 = 1_000;
        let tz = super::time_zone(tx, organization_id).await?;
        let mut filter = AppointmentFilter {
            patient_id: Some(patient_id),
            ..Default::default()
        };
        let mut rows = Vec::new();
        loop {
            let page = tx.appointments(organization_id, &filter, PAGE).await?;
            let full = page.len() as i64 == PAGE;
            filter.after = page.last().map(|row| (row.start_at, row.appointment_id));
            rows.extend(page);
            if !full {
                break;
            }
        }
        appointment_views(tx, &self.keys, &tz, rows).await
    }

    /// Every version of an appointment, oldest first.
    pub async fn appointment_history(
        &self,
        principal: &Principal,
        id: Uuid,
    ) -> ServiceResult<Vec<HistoryEntry>> {
        principal
            .require(&self.store, Permission::SchedulingRead, "appointment.history")
            .await?;
        let mut tx = self.store.begin_write().await?;
        let tz = super::time_zone(&mut tx, principal.organization_id).await?;
        let row = appointment_row(&mut tx, principal.organization_id, id).await?;
        let entries = tx.appointment_history(principal.organization_id, id).await?;
        let event = principal
            .audit("appointment.history", Outcome::Success)
            .entity("appointment", id)
            .patient(row.patient_id);
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(entries
            .into_iter()
            .map(|entry| HistoryEntry {
                version: entry.version,
                action: entry.action,
                status: entry.status,
                practitioner_id: entry.practitioner_id,
                resource_id: entry.resource_id,
                start: local(entry.start_at.get(), &tz),
                end: local(entry.end_at.get(), &tz),
                actor_id: entry.actor_id,
                changed_at: entry.changed_at.get(),
            })
            .collect())
    }

    /// One step of the lifecycle. Cancelling and no-shows give the time back, and it is offered to the
    /// waitlist in the same transaction.
    pub async fn change_status(
        &self,
        principal: &Principal,
        id: Uuid,
        change: StatusChange,
        expected_version: Option<i64>,
    ) -> ServiceResult<AppointmentView> {
        principal
            .require(&self.store, Permission::SchedulingWrite, "appointment.status")
            .await?;
        let mut validation = Validation::default();
        let to = input::coded::<AppointmentStatus>(&mut validation, "status", &change.status);
        let reason = change
            .reason
            .as_deref()
            .and_then(|reason| input::coded::<CancelReason>(&mut validation, "reason", reason));
        if to == Some(AppointmentStatus::Cancelled) && change.reason.is_none() {
            validation.push(FieldIssue::new(
                "reason",
                "required",
                "say why the appointment is cancelled",
            ));
        }
        if to.is_some_and(|to| to != AppointmentStatus::Cancelled) && change.reason.is_some() {
            validation.push(FieldIssue::new(
                "reason",
                "not_applicable",
                "a reason goes with cancelling only",
            ));
        }
        validation.finish()?;
        let Some(to) = to else {
            return Err(ServiceError::Internal("validated status missing".to_owned()));
        };
        let organization_id = principal.organization_id;
        let mut tx = self.store.begin_write().await?;
        let tz = super::time_zone(&mut tx, organization_id).await?;
        let row = self
            .transition(&mut tx, principal, id, to, reason, expected_version)
            .await?;
        let view = appointment_view(&mut tx, &self.keys, &tz, row).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Applies one transition inside the caller's transaction.
    pub(super) async fn transition(
        &self,
        tx: &mut crate::store::Tx,
        principal: &Principal,
        id: Uuid,
        to: AppointmentStatus,
        reason: Option<CancelReason>,
        expected_version: Option<i64>,
    ) -> ServiceResult<AppointmentRow> {
        let organization_id = principal.organization_id;
        let stored = appointment_row(tx, organization_id, id).await?;
        check_version(stored.version, expected_version)?;
        let from: AppointmentStatus = stored
            .status
            .parse()
            .map_err(|_| ServiceError::Internal("stored appointment status".to_owned()))?;
        let now = Timestamp::now();
        from.check_transition(to, now, stored.start_at.get())
            .map_err(|error: TransitionError| ServiceError::Conflict(error.to_string()))?;
        let mut row = stored.clone();
        row.status = to.as_str().to_owned();
        if to == AppointmentStatus::Cancelled {
            row.cancel_reason = reason.map(|reason| reason.as_str().to_owned());
            row.cancelled_by = Some(principal.actor_id());
            row.cancelled_at = Some(now.into());
            row.late_cancellation = is_late_cancellation(now, stored.start_at.get(), self.late_cancellation);
        }
        row.version += 1;
        row.updated_at = now.into();
        if !tx.update_appointment(&row).await? {
            return Err(ServiceError::StaleVersion {
                current: stored.version,
            });
        }
        record_history(tx, principal, &row, to.as_str()).await?;
        let kind = match to {
            AppointmentStatus::Cancelled => EventKind::AppointmentCancelled,
            _ => EventKind::AppointmentStatusChanged,
        };
        announce(tx, kind, &row).await?;
        let event = principal
            .audit("appointment.status", Outcome::Success)
            .entity("appointment", id)
            .patient(row.patient_id)
            .details(serde_json::json!({
                "from": from.as_str(), "to": to.as_str(), "late_cancellation": row.late_cancellation,
            }));
        tx.append_audit(event).await?;
        if !to.holds_time() {
            self.offer_freed_time(
                tx,
                principal,
                row.practitioner_id,
                row.occupied_start.get(),
                row.occupied_end.get(),
            )
            .await?;
        }
        Ok(row)
    }
}
