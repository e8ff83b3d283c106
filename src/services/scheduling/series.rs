//! Recurring series: an RFC 5545 RRULE expanded in the organization's time zone (09:00 stays 09:00 local
//! across daylight-saving changes), booked all-or-nothing or as much as fits, with every occurrence and every
//! conflict in the answer. A series never loses an occurrence silently: reading it expands the rule again
//! and shows occurrences that were never booked as such.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};
use praxis_domain::access::Permission;
use praxis_domain::appointment::{AppointmentStatus, CancelReason};
use praxis_domain::audit::Outcome;
use praxis_domain::schedule::{Occurrence, Recurrence, start_instant};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::SchedulingService;
use super::availability::{local, zone_name};
use super::booking::Placement;
use super::{input, service_row};
use crate::services::access::Principal;
use crate::services::audit::EventExt;
use crate::services::error::{Clash, FieldIssue, ServiceError, ServiceResult, Validation};
use crate::store::{AppointmentRow, DbTime, SeriesRow, Tx};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SeriesMode {
    /// Book every occurrence or none: one conflict refuses the series (409 naming each).
    #[default]
    AllOrNothing,
    /// Book the occurrences that fit; the answer lists those that did not, with their conflicts.
    BookWhatFits,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "patient_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e5f", "practitioner_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e50",
    "service_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e52", "start": "2027-03-02T09:00:00+01:00",
    "rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=6", "mode": "book_what_fits"
}))]
pub struct SeriesInput {
    pub patient_id: Uuid,
    pub practitioner_id: Uuid,
    pub service_id: Uuid,
    pub resource_id: Option<Uuid>,
    /// The first occurrence (RFC 3339); its local wall-clock time is kept for every occurrence.
    pub start: Timestamp,
    /// An RFC 5545 RRULE with COUNT or UNTIL, e.g. `FREQ=WEEKLY;COUNT=6`; at most 260 occurrences.
    pub rrule: String,
    #[serde(default)]
    pub mode: SeriesMode,
}

/// One occurrence of a series and what became of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OccurrenceView {
    /// Position in the series, from 0.
    pub index: i64,
    pub start: String,
    /// `booked`, `arrived`, `in_progress`, `completed`, `cancelled`, `no_show` (an appointment exists), or
    /// `not_booked` (it clashed when the series was booked).
    pub status: String,
    pub appointment_id: Option<Uuid>,
    /// Why it was not booked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Clash>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e90", "rrule": "FREQ=WEEKLY;COUNT=2", "time_zone": "Europe/Oslo",
    "patient_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e5f", "practitioner_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e50",
    "service_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e52", "resource_id": null,
    "occurrences": [
        {"index": 0, "start": "2027-03-02T09:00:00+01:00", "status": "booked", "appointment_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e91"},
        {"index": 1, "start": "2027-03-09T09:00:00+01:00", "status": "not_booked", "appointment_id": null,
         "conflicts": [{"kind": "practitioner", "appointment_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e60",
                        "start": "2027-03-09T08:00:00Z", "end": "2027-03-09T08:30:00Z"}]}
    ]
}))]
pub struct SeriesView {
    pub id: Uuid,
    pub rrule: String,
    pub time_zone: String,
    pub patient_id: Uuid,
    pub practitioner_id: Uuid,
    pub service_id: Uuid,
    pub resource_id: Option<Uuid>,
    pub occurrences: Vec<OccurrenceView>,
}

/// Cancels the occurrences from one on.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"from_index": 3, "reason": "patient_request"}))]
pub struct SeriesCancel {
    /// The first occurrence to cancel; every later one goes too. Occurrences no longer booked are left as
    /// they are.
    pub from_index: i64,
    pub reason: String,
}

/// Moves the occurrences from one on by the same change of local date and time.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"from_index": 2, "start": "2027-03-17T10:00:00+01:00"}))]
pub struct SeriesMove {
    pub from_index: i64,
    /// The new start of occurrence `from_index`; later ones shift by the same local date and time.
    pub start: Timestamp,
}

fn occurrence_of(row: &AppointmentRow, tz: &TimeZone) -> OccurrenceView {
    OccurrenceView {
        index: row.series_index.unwrap_or_default(),
        start: local(row.start_at.get(), tz),
        status: row.status.clone(),
        appointment_id: Some(row.appointment_id),
        conflicts: Vec::new(),
    }
}

fn expand(rule: &Recurrence, first: DateTime, tz: &TimeZone) -> ServiceResult<Vec<Occurrence>> {
    rule.occurrences(first, tz).map_err(|error| {
        ServiceError::Invalid(vec![FieldIssue::new("rrule", error.code(), error.to_string())])
    })
}

fn clash_conflicts(error: ServiceError, index: i64) -> ServiceResult<Vec<Clash>> {
    match error {
        ServiceError::Overlap { conflicts, .. } => Ok(conflicts
            .into_iter()
            .map(|clash| Clash {
                occurrence: Some(index),
                ..clash
            })
            .collect()),
        other => Err(other),
    }
}

impl SchedulingService {
    pub async fn book_series(&self, principal: &Principal, input: SeriesInput) -> ServiceResult<SeriesView> {
        principal
            .require(
                &self.store,
                Permission::SchedulingWrite,
                "appointment_series.create",
            )
            .await?;
        let rule = Recurrence::parse(&input.rrule).map_err(|error| {
            ServiceError::Invalid(vec![FieldIssue::new("rrule", error.code(), error.to_string())])
        })?;
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
        let first = input.start.to_zoned(tz.clone()).datetime();
        let occurrences = expand(&rule, first, &tz)?;
        let service = service_row(&mut tx, organization_id, input.service_id).await?;
        let series = SeriesRow {
            series_id: Uuid::now_v7(),
            organization_id,
            patient_id: input.patient_id,
            practitioner_id: input.practitioner_id,
            service_id: input.service_id,
            resource_id: input.resource_id,
            rrule: rule.as_str().to_owned(),
            first_local: first.to_string(),
            time_zone: zone_name(&tz),
            created_at: DbTime::now(),
        };
        tx.insert_series(&series).await?;
        let mut views = Vec::with_capacity(occurrences.len());
        let mut booked_rows = Vec::with_capacity(occurrences.len());
        let mut refused = Vec::new();
        for (index, occurrence) in (0_i64..).zip(&occurrences) {
            let placement = Placement {
                patient_id: input.patient_id,
                practitioner_id: input.practitioner_id,
                service: service.clone(),
                resource_id: input.resource_id,
                start: occurrence.start,
            };
            match self
                .insert(
                    &mut tx,
                    &tz,
                    principal,
                    &placement,
                    None,
                    Some((series.series_id, index)),
                )
                .await
            {
                Ok(row) => {
                    views.push(occurrence_of(&row, &tz));
                    booked_rows.push(row);
                }
                Err(error) => {
                    let conflicts = clash_conflicts(error, index)?;
                    refused.extend(conflicts.iter().cloned());
                    views.push(OccurrenceView {
                        index,
                        start: local(occurrence.start, &tz),
                        status: "not_booked".to_owned(),
                        appointment_id: None,
                        conflicts,
                    });
                }
            }
        }
        if !refused.is_empty() && input.mode == SeriesMode::AllOrNothing {
            let occurrences: Vec<i64> = views
                .iter()
                .filter(|v| v.appointment_id.is_none())
                .map(|v| v.index)
                .collect();
            return Err(ServiceError::Overlap {
                detail: format!(
                    "{} of {} occurrences clash: {occurrences:?}; nothing was booked",
                    occurrences.len(),
                    views.len()
                ),
                conflicts: refused,
            });
        }
        for row in &booked_rows {
            self.record_booked(&mut tx, principal, row).await?;
        }
        let booked = booked_rows.len();
        let event = principal
            .audit("appointment_series.create", Outcome::Success)
            .entity("appointment_series", series.series_id)
            .patient(input.patient_id)
            .details(serde_json::json!({ "occurrences": views.len(), "booked": booked }));
        tx.append_audit(event).await?;
        let placement = Placement {
            patient_id: input.patient_id,
            practitioner_id: input.practitioner_id,
            service,
            resource_id: input.resource_id,
            start: input.start,
        };
        match tx.commit().await {
            Ok(()) => Ok(series_view(series, views)),
            Err(error) => Err(self.lost_race(organization_id, &placement, error).await),
        }
    }

    /// A series with every occurrence its rule gives, booked or not.
    pub async fn series(&self, principal: &Principal, id: Uuid) -> ServiceResult<SeriesView> {
        principal
            .require(&self.store, Permission::SchedulingRead, "appointment_series.read")
            .await?;
        let mut tx = self.store.begin_write().await?;
        let (series, tz) = series_row(&mut tx, principal.organization_id, id).await?;
        let view = self.occurrences(&mut tx, series, &tz).await?;
        let event = principal
            .audit("appointment_series.read", Outcome::Success)
            .entity("appointment_series", id)
            .patient(view.patient_id);
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(view)
    }

    async fn occurrences(&self, tx: &mut Tx, series: SeriesRow, tz: &TimeZone) -> ServiceResult<SeriesView> {
        let booked = tx
            .series_appointments(series.organization_id, series.series_id)
            .await?;
        let rule = Recurrence::parse(&series.rrule)
            .map_err(|e| ServiceError::Internal(format!("stored rule: {e}")))?;
        let first: DateTime = series
            .first_local
            .parse()
            .map_err(|e| ServiceError::Internal(format!("stored first occurrence: {e}")))?;
        let expected = rule
            .occurrences(first, tz)
            .map_err(|e| ServiceError::Internal(format!("stored rule: {e}")))?;
        let views = (0_i64..)
            .zip(&expected)
            .map(
                |(index, occurrence)| match booked.iter().find(|row| row.series_index == Some(index)) {
                    Some(row) => occurrence_of(row, tz),
                    None => OccurrenceView {
                        index,
                        start: local(occurrence.start, tz),
                        status: "not_booked".to_owned(),
                        appointment_id: None,
                        conflicts: Vec::new(),
                    },
                },
            )
            .collect();
        Ok(series_view(series, views))
    }

    /// Cancels the booked occurrences from `from_index` on; earlier ones are untouched.
    pub async fn cancel_series(
        &self,
        principal: &Principal,
        id: Uuid,
        input: SeriesCancel,
    ) -> ServiceResult<SeriesView> {
        principal
            .require(
                &self.store,
                Permission::SchedulingWrite,
                "appointment_series.cancel",
            )
            .await?;
        let mut validation = Validation::default();
        let reason = input::coded::<CancelReason>(&mut validation, "reason", &input.reason);
        validation.finish()?;
        let mut tx = self.store.begin_write().await?;
        let (series, tz) = series_row(&mut tx, principal.organization_id, id).await?;
        for row in self.following(&mut tx, &series, input.from_index).await? {
            self.transition(
                &mut tx,
                principal,
                row.appointment_id,
                AppointmentStatus::Cancelled,
                reason,
                None,
            )
            .await?;
        }
        let view = self.occurrences(&mut tx, series, &tz).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Moves the booked occurrences from `from_index` on by the local date-and-time change that takes
    /// occurrence `from_index` to `start`. All of them move or none: a clash refuses the whole move.
    pub async fn move_series(
        &self,
        principal: &Principal,
        id: Uuid,
        input: SeriesMove,
    ) -> ServiceResult<SeriesView> {
        principal
            .require(
                &self.store,
                Permission::SchedulingWrite,
                "appointment_series.move",
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
        let (series, tz) = series_row(&mut tx, organization_id, id).await?;
        let following = self.following(&mut tx, &series, input.from_index).await?;
        let anchor = following
            .iter()
            .find(|row| row.series_index == Some(input.from_index))
            .ok_or_else(|| {
                ServiceError::Conflict(format!("occurrence {} is not booked", input.from_index))
            })?;
        let old_local = anchor.start_at.get().to_zoned(tz.clone()).datetime();
        let new_local = input.start.to_zoned(tz.clone()).datetime();
        let shift: Span = old_local
            .until(new_local)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let service = service_row(&mut tx, organization_id, series.service_id).await?;
        let mut following = following;
        if new_local > old_local {
            // Later occurrences move first, so that each frees the time the one before it moves into.
            following.reverse();
        }
        let mut clashes = Vec::new();
        let mut moves = Vec::new();
        let mut last = None;
        for row in following {
            let index = row.series_index.unwrap_or_default();
            let local_start = row.start_at.get().to_zoned(tz.clone()).datetime();
            let start = local_start
                .checked_add(shift)
                .map_err(|e| ServiceError::Internal(e.to_string()))
                .and_then(|moved| {
                    start_instant(&tz, moved).map_err(|e| ServiceError::Internal(e.to_string()))
                })?;
            let placement = Placement {
                patient_id: row.patient_id,
                practitioner_id: row.practitioner_id,
                service: service.clone(),
                resource_id: row.resource_id,
                start,
            };
            match self
                .relocate(&mut tx, &tz, principal, row, &placement, None)
                .await
            {
                Ok(change) => {
                    moves.push(change);
                    last = Some(placement);
                }
                Err(error) => clashes.extend(clash_conflicts(error, index)?),
            }
        }
        if !clashes.is_empty() {
            return Err(ServiceError::Overlap {
                detail: "moving these occurrences would clash; nothing was moved".to_owned(),
                conflicts: clashes,
            });
        }
        for change in &moves {
            self.record_moved(&mut tx, principal, change).await?;
        }
        let view = self.occurrences(&mut tx, series, &tz).await?;
        match (tx.commit().await, last) {
            (Ok(()), _) => Ok(view),
            (Err(error), Some(placement)) => Err(self.lost_race(organization_id, &placement, error).await),
            (Err(error), None) => Err(error.into()),
        }
    }

    /// The booked occurrences from `from_index` on.
    async fn following(
        &self,
        tx: &mut Tx,
        series: &SeriesRow,
        from_index: i64,
    ) -> ServiceResult<Vec<AppointmentRow>> {
        let rows = tx
            .series_appointments(series.organization_id, series.series_id)
            .await?;
        if !rows
            .iter()
            .any(|row| row.series_index.is_some_and(|index| index >= from_index))
        {
            return Err(ServiceError::Invalid(vec![FieldIssue::new(
                "from_index",
                "no_occurrence",
                "the series has no booked occurrence from this index on",
            )]));
        }
        Ok(rows
            .into_iter()
            .filter(|row| row.series_index.is_some_and(|index| index >= from_index))
            .filter(|row| row.status == AppointmentStatus::Booked.as_str())
            .collect())
    }
}

async fn series_row(tx: &mut Tx, organization_id: Uuid, id: Uuid) -> ServiceResult<(SeriesRow, TimeZone)> {
    let series = tx
        .series(organization_id, id)
        .await?
        .ok_or(ServiceError::NotFound("appointment series"))?;
    let tz = TimeZone::get(&series.time_zone)
        .map_err(|e| ServiceError::Internal(format!("series time zone: {e}")))?;
    Ok((series, tz))
}

fn series_view(series: SeriesRow, occurrences: Vec<OccurrenceView>) -> SeriesView {
    SeriesView {
        id: series.series_id,
        rrule: series.rrule,
        time_zone: series.time_zone,
        patient_id: series.patient_id,
        practitioner_id: series.practitioner_id,
        service_id: series.service_id,
        resource_id: series.resource_id,
        occurrences,
    }
}
