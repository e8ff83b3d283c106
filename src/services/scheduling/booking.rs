//! Booking and moving appointments: the checks that keep a practitioner, a resource and a patient from ever
//! being in two places at once, and the appointment as the API shows it.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use praxis_domain::access::{Permission, Role};
use praxis_domain::appointment::AppointmentStatus;
use praxis_domain::audit::Outcome;
use praxis_domain::schedule::Interval;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::availability::{Calendar, local, slot_rules};
use super::input::double_option;
use super::{SchedulingService, practitioner_row, resource_row, service_row};
use crate::crypto::{DataKey, LiveKeys};
use crate::services::access::users::check_version;
use crate::services::access::{Credential, Principal};
use crate::services::audit::{self, EventExt};
use crate::services::error::{Clash, FieldIssue, ServiceError, ServiceResult};
use crate::services::events::{self, EventKind};
use crate::services::record_keys::{StoredKey, open_data_key};
use crate::store::{
    AppointmentHistoryRow, AppointmentRow, DbTime, KeyTable, Occupant, ServiceRow, Store, StoreError, Tx,
    overlap_violation,
};

/// The sealed field holding why an admin booked outside working hours.
const OVERRIDE_FIELD: &str = "appointment.override_reason";
const OVERRIDE_MAX: usize = 500;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "patient_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e5f", "practitioner_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e50",
    "service_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e52", "start": "2027-03-01T09:00:00+01:00"
}))]
pub struct BookingInput {
    pub patient_id: Uuid,
    pub practitioner_id: Uuid,
    pub service_id: Uuid,
    pub resource_id: Option<Uuid>,
    /// RFC 3339; the end follows from the service's duration.
    pub start: Timestamp,
    /// Books outside working hours or into a time block. Admins only; encrypted at rest and audited.
    pub override_reason: Option<String>,
}

/// Moves an appointment: a new start, practitioner or resource. It keeps its id and its history.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"start": "2027-03-02T10:00:00+01:00"}))]
pub struct MoveInput {
    pub start: Option<Timestamp>,
    pub practitioner_id: Option<Uuid>,
    /// `null` frees the resource.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub resource_id: Option<Option<Uuid>>,
    pub override_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e60", "patient_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e5f",
    "patient_name": "Ola Nordmann", "practitioner_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e50",
    "service_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e52", "resource_id": null, "series_id": null,
    "series_index": null, "start": "2027-03-01T09:00:00+01:00", "end": "2027-03-01T09:45:00+01:00",
    "status": "booked", "cancel_reason": null, "cancelled_at": null, "late_cancellation": false,
    "override_reason": null, "version": 1, "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z"
}))]
pub struct AppointmentView {
    pub id: Uuid,
    pub patient_id: Uuid,
    /// Given and family name, for the front desk.
    pub patient_name: String,
    pub practitioner_id: Uuid,
    pub service_id: Uuid,
    pub resource_id: Option<Uuid>,
    pub series_id: Option<Uuid>,
    /// The occurrence's position in its series, from 0.
    pub series_index: Option<i64>,
    /// RFC 3339 with the organization's offset at that moment.
    pub start: String,
    pub end: String,
    /// `booked`, `arrived`, `in_progress`, `completed`, `cancelled` or `no_show`.
    pub status: String,
    pub cancel_reason: Option<String>,
    pub cancelled_by: Option<Uuid>,
    pub cancelled_at: Option<Timestamp>,
    /// Cancelled inside the organization's late-cancellation window.
    pub late_cancellation: bool,
    /// Why it was booked outside working hours, when an admin did so.
    pub override_reason: Option<String>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// An appointment before and after a move.
#[derive(Debug, Clone)]
pub(super) struct Moved {
    pub before: AppointmentRow,
    pub after: AppointmentRow,
}

/// Where an appointment is to go.
#[derive(Debug, Clone)]
pub(super) struct Placement {
    pub patient_id: Uuid,
    pub practitioner_id: Uuid,
    pub service: ServiceRow,
    pub resource_id: Option<Uuid>,
    pub start: Timestamp,
}

impl Placement {
    fn appointment(&self) -> Interval {
        slot_rules(&self.service, SignedDuration::ZERO).appointment(self.start)
    }

    fn occupied(&self) -> Interval {
        slot_rules(&self.service, SignedDuration::ZERO).occupied(self.start)
    }
}

/// A checked override: who may, and the reason to seal.
/// A refused override is a denied request, and in the audit trail like any other.
async fn check_override(
    store: &Store,
    principal: &Principal,
    action: &str,
    reason: Option<&str>,
) -> ServiceResult<Option<String>> {
    let Some(reason) = reason else {
        return Ok(None);
    };
    let is_admin =
        matches!(&principal.credential, Credential::User { roles, .. } if roles.contains(&Role::Admin));
    if !is_admin {
        let denied = principal
            .audit(action, Outcome::Denied)
            .details(serde_json::json!({ "outside_hours_override": true }));
        audit::record_alone(store, denied).await?;
        return Err(ServiceError::Forbidden(
            "only an admin may book outside working hours or into a time block".to_owned(),
        ));
    }
    let trimmed = reason.trim();
    if trimmed.is_empty() || trimmed.chars().count() > OVERRIDE_MAX {
        return Err(ServiceError::Invalid(vec![FieldIssue::new(
            "override_reason",
            "invalid_length",
            format!("a reason has 1 to {OVERRIDE_MAX} characters"),
        )]));
    }
    Ok(Some(trimmed.to_owned()))
}

/// The patient's data key: the override reason is sealed under it, so erasing the patient shreds it too.
async fn patient_key(
    tx: &mut Tx,
    keys: &LiveKeys,
    organization_id: Uuid,
    patient_id: Uuid,
) -> ServiceResult<DataKey> {
    let key = tx
        .data_key(KeyTable::Patient, organization_id, patient_id)
        .await?
        .ok_or(ServiceError::NotFound("patient"))?;
    open_data_key(
        keys,
        StoredKey {
            organization_id,
            owner_id: patient_id,
            key_id: &key.key_id,
            wrapped: key.wrapped.as_deref(),
            what: "patient",
        },
    )
}

fn clash(kind: &'static str, row: &AppointmentRow) -> Clash {
    Clash {
        kind,
        appointment_id: Some(row.appointment_id),
        time_block_id: None,
        occurrence: None,
        start: row.start_at.get(),
        end: row.end_at.get(),
    }
}

/// A write the database refused: an exclusion constraint's overlap is the same 409 as the application's own
/// check, naming the kind of clash over the time the appointment would occupy.
fn refused_by_database(error: StoreError, occupied: Interval) -> ServiceError {
    match overlap_violation(&error) {
        Some(kind) => overlap(vec![Clash::over(kind, occupied)]),
        None => error.into(),
    }
}

fn overlap(conflicts: Vec<Clash>) -> ServiceError {
    let kinds: Vec<&str> = conflicts.iter().map(|c| c.kind).collect();
    let detail = match kinds.as_slice() {
        ["working_hours"] => "the appointment falls outside the practitioner's working hours".to_owned(),
        _ => format!("the time is already taken ({})", kinds.join(", ")),
    };
    ServiceError::Overlap { detail, conflicts }
}

/// Appointments holding time that the placement would overlap, for its practitioner, resource and patient.
async fn appointment_clashes(
    tx: &mut Tx,
    organization_id: Uuid,
    placement: &Placement,
    except: Option<Uuid>,
) -> ServiceResult<Vec<Clash>> {
    let (appointment, occupied) = (placement.appointment(), placement.occupied());
    let mut occupants = vec![
        (
            "practitioner",
            Occupant::Practitioner(placement.practitioner_id),
            occupied,
        ),
        ("patient", Occupant::Patient(placement.patient_id), appointment),
    ];
    if let Some(resource_id) = placement.resource_id {
        occupants.push(("resource", Occupant::Resource(resource_id), occupied));
    }
    let mut clashes = Vec::new();
    for (kind, occupant, interval) in occupants {
        let rows = tx
            .overlapping_appointments(
                organization_id,
                occupant,
                interval.start().into(),
                interval.end().into(),
                except,
            )
            .await?;
        clashes.extend(rows.iter().map(|row| clash(kind, row)));
    }
    Ok(clashes)
}

impl SchedulingService {
    /// Checks that everything the placement names exists, is active and fits together.
    async fn check_parties(
        &self,
        tx: &mut Tx,
        organization_id: Uuid,
        placement: &Placement,
    ) -> ServiceResult<()> {
        tx.patient(organization_id, placement.patient_id)
            .await?
            .filter(|row| row.deleted_at.is_none())
            .ok_or(ServiceError::NotFound("patient"))?;
        if !practitioner_row(tx, organization_id, placement.practitioner_id)
            .await?
            .active
        {
            return Err(ServiceError::Conflict("the practitioner is inactive".to_owned()));
        }
        if !placement.service.active {
            return Err(ServiceError::Conflict("the service is inactive".to_owned()));
        }
        let offering = tx
            .service_practitioners(organization_id, placement.service.service_id)
            .await?;
        if !offering.contains(&placement.practitioner_id) {
            return Err(ServiceError::Conflict(
                "the practitioner does not offer this service".to_owned(),
            ));
        }
        if let Some(resource_id) = placement.resource_id
            && !resource_row(tx, organization_id, resource_id).await?.active
        {
            return Err(ServiceError::Conflict("the resource is inactive".to_owned()));
        }
        Ok(())
    }

    /// Everything that must hold before an appointment takes its place: the parties fit, the time is inside
    /// working hours and outside blocks (unless overridden), and nothing holding time overlaps it.
    pub(super) async fn check_placement(
        &self,
        tx: &mut Tx,
        tz: &TimeZone,
        organization_id: Uuid,
        placement: &Placement,
        except: Option<Uuid>,
        overridden: bool,
    ) -> ServiceResult<()> {
        self.check_parties(tx, organization_id, placement).await?;
        let occupied = placement.occupied();
        let calendar = Calendar::read(
            tx,
            tz,
            organization_id,
            placement.practitioner_id,
            placement.resource_id,
            occupied,
        )
        .await?;
        let mut clashes = Vec::new();
        if !overridden && !calendar.open.covers(&occupied) {
            let blocks: Vec<Clash> = calendar
                .blocks
                .iter()
                .filter(|block| {
                    block.start_at.get() < occupied.end() && block.end_at.get() > occupied.start()
                })
                .map(|block| Clash {
                    kind: "time_block",
                    appointment_id: None,
                    time_block_id: Some(block.time_block_id),
                    occurrence: None,
                    start: block.start_at.get(),
                    end: block.end_at.get(),
                })
                .collect();
            if blocks.is_empty() || !calendar.working.covers(&occupied) {
                clashes.push(Clash::over("working_hours", occupied));
            }
            clashes.extend(blocks);
        }
        clashes.extend(appointment_clashes(tx, organization_id, placement, except).await?);
        if clashes.is_empty() {
            Ok(())
        } else {
            Err(overlap(clashes))
        }
    }

    /// After a PostgreSQL exclusion constraint refused a write that raced another: names what won.
    pub(super) async fn lost_race(
        &self,
        organization_id: Uuid,
        placement: &Placement,
        error: StoreError,
    ) -> ServiceError {
        let Some(kind) = overlap_violation(&error) else {
            return error.into();
        };
        let clashes = match self.store.begin_read().await {
            Ok(mut tx) => appointment_clashes(&mut tx, organization_id, placement, None)
                .await
                .unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        if clashes.is_empty() {
            return overlap(vec![Clash::over(kind, placement.occupied())]);
        }
        overlap(clashes)
    }

    pub async fn book(&self, principal: &Principal, input: BookingInput) -> ServiceResult<AppointmentView> {
        principal
            .require(&self.store, Permission::SchedulingWrite, "appointment.create")
            .await?;
        let reason = check_override(
            &self.store,
            principal,
            "appointment.create",
            input.override_reason.as_deref(),
        )
        .await?;
        if input.start < Timestamp::now() {
            return Err(ServiceError::Invalid(vec![FieldIssue::new(
                "start",
                "in_the_past",
                "the start has passed",
            )]));
        }
        let organization_id = principal.organization_id;
        let mut tx = self.store.begin_write().await?;
        let tz = super::time_zone(&mut tx, organization_id).await?;
        let placement = Placement {
            patient_id: input.patient_id,
            practitioner_id: input.practitioner_id,
            service: service_row(&mut tx, organization_id, input.service_id).await?,
            resource_id: input.resource_id,
            start: input.start,
        };
        let row = self
            .insert(&mut tx, &tz, principal, &placement, reason, None)
            .await?;
        self.record_booked(&mut tx, principal, &row).await?;
        let view = appointment_view(&mut tx, &self.keys, &tz, row).await?;
        match tx.commit().await {
            Ok(()) => Ok(view),
            Err(error) => Err(self.lost_race(organization_id, &placement, error).await),
        }
    }

    /// Checks and writes a new appointment; [`Self::record_booked`] completes it.
    pub(super) async fn insert(
        &self,
        tx: &mut Tx,
        tz: &TimeZone,
        principal: &Principal,
        placement: &Placement,
        override_reason: Option<String>,
        series: Option<(Uuid, i64)>,
    ) -> ServiceResult<AppointmentRow> {
        let organization_id = principal.organization_id;
        self.check_placement(
            tx,
            tz,
            organization_id,
            placement,
            None,
            override_reason.is_some(),
        )
        .await?;
        let sealed_reason = match &override_reason {
            Some(reason) => {
                let key = patient_key(tx, &self.keys, organization_id, placement.patient_id).await?;
                Some(key.seal_str(OVERRIDE_FIELD, reason))
            }
            None => None,
        };
        let (appointment, occupied) = (placement.appointment(), placement.occupied());
        let now = DbTime::now();
        let row = AppointmentRow {
            appointment_id: Uuid::now_v7(),
            organization_id,
            patient_id: placement.patient_id,
            practitioner_id: placement.practitioner_id,
            service_id: placement.service.service_id,
            resource_id: placement.resource_id,
            series_id: series.map(|(id, _)| id),
            series_index: series.map(|(_, index)| index),
            start_at: appointment.start().into(),
            end_at: appointment.end().into(),
            occupied_start: occupied.start().into(),
            occupied_end: occupied.end().into(),
            status: AppointmentStatus::Booked.as_str().to_owned(),
            cancel_reason: None,
            cancelled_by: None,
            cancelled_at: None,
            late_cancellation: false,
            override_reason: sealed_reason,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        tx.insert_appointment(&row)
            .await
            .map_err(|error| refused_by_database(error, occupied))?;
        Ok(row)
    }

    /// The history entry, event and audit event of a new appointment. They lock the organization's audit
    /// head, so a transaction writing several appointments writes all of them first: waiting on another
    /// booking's appointment while holding that lock could deadlock with it.
    pub(super) async fn record_booked(
        &self,
        tx: &mut Tx,
        principal: &Principal,
        row: &AppointmentRow,
    ) -> ServiceResult<()> {
        record_history(tx, principal, row, "booked").await?;
        announce(tx, EventKind::AppointmentBooked, row).await?;
        let event = principal
            .audit("appointment.create", Outcome::Success)
            .entity("appointment", row.appointment_id)
            .patient(row.patient_id)
            .details(serde_json::json!({ "outside_hours_override": row.override_reason.is_some() }));
        tx.append_audit(event).await?;
        Ok(())
    }

    /// Moves a booked appointment to another time, practitioner or resource, keeping its id.
    pub async fn move_appointment(
        &self,
        principal: &Principal,
        id: Uuid,
        input: MoveInput,
        expected_version: Option<i64>,
    ) -> ServiceResult<AppointmentView> {
        principal
            .require(&self.store, Permission::SchedulingWrite, "appointment.update")
            .await?;
        let reason = check_override(
            &self.store,
            principal,
            "appointment.update",
            input.override_reason.as_deref(),
        )
        .await?;
        if input.start.is_some_and(|start| start < Timestamp::now()) {
            return Err(ServiceError::Invalid(vec![FieldIssue::new(
                "start",
                "in_the_past",
                "the start has passed",
            )]));
        }
        let organization_id = principal.organization_id;
        let mut tx = self.store.begin_write().await?;
        let tz = super::time_zone(&mut tx, organization_id).await?;
        let stored = appointment_row(&mut tx, organization_id, id).await?;
        check_version(stored.version, expected_version)?;
        let placement = Placement {
            patient_id: stored.patient_id,
            practitioner_id: input.practitioner_id.unwrap_or(stored.practitioner_id),
            service: service_row(&mut tx, organization_id, stored.service_id).await?,
            resource_id: input.resource_id.unwrap_or(stored.resource_id),
            start: input.start.unwrap_or(stored.start_at.get()),
        };
        let moved = self
            .relocate(&mut tx, &tz, principal, stored, &placement, reason)
            .await?;
        self.record_moved(&mut tx, principal, &moved).await?;
        let view = appointment_view(&mut tx, &self.keys, &tz, moved.after).await?;
        match tx.commit().await {
            Ok(()) => Ok(view),
            Err(error) => Err(self.lost_race(organization_id, &placement, error).await),
        }
    }

    /// Writes a booked appointment at its new place; [`Self::record_moved`] completes it.
    pub(super) async fn relocate(
        &self,
        tx: &mut Tx,
        tz: &TimeZone,
        principal: &Principal,
        stored: AppointmentRow,
        placement: &Placement,
        override_reason: Option<String>,
    ) -> ServiceResult<Moved> {
        let organization_id = principal.organization_id;
        let status: AppointmentStatus = stored
            .status
            .parse()
            .map_err(|_| ServiceError::Internal("stored appointment status".to_owned()))?;
        if !status.is_movable() {
            return Err(ServiceError::Conflict(format!(
                "a {status} appointment cannot be moved"
            )));
        }
        self.check_placement(
            tx,
            tz,
            organization_id,
            placement,
            Some(stored.appointment_id),
            override_reason.is_some(),
        )
        .await?;
        let (appointment, occupied) = (placement.appointment(), placement.occupied());
        let mut row = stored.clone();
        row.practitioner_id = placement.practitioner_id;
        row.resource_id = placement.resource_id;
        row.start_at = appointment.start().into();
        row.end_at = appointment.end().into();
        row.occupied_start = occupied.start().into();
        row.occupied_end = occupied.end().into();
        if let Some(reason) = &override_reason {
            let key = patient_key(tx, &self.keys, organization_id, row.patient_id).await?;
            row.override_reason = Some(key.seal_str(OVERRIDE_FIELD, reason));
        }
        row.version += 1;
        row.updated_at = DbTime::now();
        let updated = tx
            .update_appointment(&row)
            .await
            .map_err(|error| refused_by_database(error, occupied))?;
        if !updated {
            return Err(ServiceError::StaleVersion {
                current: stored.version,
            });
        }
        Ok(Moved {
            before: stored,
            after: row,
        })
    }

    /// The history entry, event and audit event of a move, and the offer of the time it left to the
    /// waitlist; written after all of a transaction's moves, like [`Self::record_booked`].
    pub(super) async fn record_moved(
        &self,
        tx: &mut Tx,
        principal: &Principal,
        moved: &Moved,
    ) -> ServiceResult<()> {
        let Moved { before, after } = moved;
        record_history(tx, principal, after, "moved").await?;
        announce(tx, EventKind::AppointmentUpdated, after).await?;
        let event = principal
            .audit("appointment.move", Outcome::Success)
            .entity("appointment", after.appointment_id)
            .patient(after.patient_id)
            .details(serde_json::json!({
                "moved_from": {"start": before.start_at.get(), "practitioner_id": before.practitioner_id},
                "outside_hours_override": after.override_reason != before.override_reason,
            }));
        tx.append_audit(event).await?;
        self.offer_freed_time(
            tx,
            principal,
            before.practitioner_id,
            before.occupied_start.get(),
            before.occupied_end.get(),
        )
        .await
    }
}

pub(super) async fn appointment_row(
    tx: &mut Tx,
    organization_id: Uuid,
    id: Uuid,
) -> ServiceResult<AppointmentRow> {
    tx.appointment(organization_id, id)
        .await?
        .ok_or(ServiceError::NotFound("appointment"))
}

/// Tells the live event stream about an appointment: ids, times and status, never names.
pub(super) async fn announce(tx: &mut Tx, kind: EventKind, row: &AppointmentRow) -> ServiceResult<()> {
    let data = serde_json::json!({
        "appointment_id": row.appointment_id, "patient_id": row.patient_id, "practitioner_id": row.practitioner_id,
        "service_id": row.service_id, "resource_id": row.resource_id, "series_id": row.series_id,
        "start": row.start_at.get(), "end": row.end_at.get(), "status": row.status, "version": row.version,
    });
    events::publish(tx, row.organization_id, kind, data).await
}

pub(super) async fn record_history(
    tx: &mut Tx,
    principal: &Principal,
    row: &AppointmentRow,
    action: &str,
) -> ServiceResult<()> {
    let entry = AppointmentHistoryRow {
        appointment_id: row.appointment_id,
        version: row.version,
        action: action.to_owned(),
        status: row.status.clone(),
        practitioner_id: row.practitioner_id,
        resource_id: row.resource_id,
        start_at: row.start_at,
        end_at: row.end_at,
        actor_id: principal.actor_id(),
        changed_at: row.updated_at,
    };
    tx.insert_appointment_history(row.organization_id, &entry).await?;
    Ok(())
}

/// The appointments as the API shows them, with their patients' names and any override reason opened.
pub(super) async fn appointment_views(
    tx: &mut Tx,
    keys: &LiveKeys,
    tz: &TimeZone,
    rows: Vec<AppointmentRow>,
) -> ServiceResult<Vec<AppointmentView>> {
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        views.push(appointment_view(tx, keys, tz, row).await?);
    }
    Ok(views)
}

pub(super) async fn appointment_view(
    tx: &mut Tx,
    keys: &LiveKeys,
    tz: &TimeZone,
    row: AppointmentRow,
) -> ServiceResult<AppointmentView> {
    let patient = tx
        .patient(row.organization_id, row.patient_id)
        .await?
        .ok_or(ServiceError::NotFound("patient"))?;
    let override_reason = match &row.override_reason {
        Some(sealed) => match patient_key(tx, keys, row.organization_id, row.patient_id).await {
            Ok(key) => Some(
                key.open_str(OVERRIDE_FIELD, sealed)
                    .map_err(|e| ServiceError::Internal(format!("override reason: {e}")))?,
            ),
            // An erased patient's reason is gone with its key; the appointment itself stays.
            Err(ServiceError::Conflict(_)) => None,
            Err(error) => return Err(error),
        },
        None => None,
    };
    Ok(AppointmentView {
        id: row.appointment_id,
        patient_id: row.patient_id,
        patient_name: format!("{} {}", patient.given_name, patient.family_name)
            .trim()
            .to_owned(),
        practitioner_id: row.practitioner_id,
        service_id: row.service_id,
        resource_id: row.resource_id,
        series_id: row.series_id,
        series_index: row.series_index,
        start: local(row.start_at.get(), tz),
        end: local(row.end_at.get(), tz),
        status: row.status,
        cancel_reason: row.cancel_reason,
        cancelled_by: row.cancelled_by,
        cancelled_at: row.cancelled_at.map(DbTime::get),
        late_cancellation: row.late_cancellation,
        override_reason,
        version: row.version,
        created_at: row.created_at.get(),
        updated_at: row.updated_at.get(),
    })
}
