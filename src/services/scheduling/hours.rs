//! When practitioners work (weekly hours in the organization's local time, with validity periods) and when
//! practitioners or resources are not bookable (time blocks).

use jiff::civil::{Date, Time};
use jiff::{SignedDuration, Timestamp};
use praxis_domain::access::Permission;
use praxis_domain::appointment::BlockKind;
use praxis_domain::audit::Outcome;
use praxis_domain::schedule::{LocalHours, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::{SchedulingService, input, practitioner_row, resource_row};
use crate::services::access::Principal;
use crate::services::access::users::check_version;
use crate::services::audit::EventExt;
use crate::services::error::{FieldIssue, ServiceError, ServiceResult, Validation};
use crate::store::{BlockOwner, DbTime, TimeBlockRow, Tx, WorkingHoursRow};

/// The longest time block: a year's leave.
const BLOCK_MAX: SignedDuration = SignedDuration::from_hours(366 * 24);

/// One weekday's hours in the organization's local time, optionally valid only between two dates.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"weekday": "monday", "start": "08:00", "end": "16:00", "valid_from": "2027-01-01", "valid_until": null}))]
pub struct WeeklyHours {
    /// `monday` … `sunday`.
    pub weekday: String,
    /// Local wall-clock time, `HH:MM`.
    pub start: String,
    /// Local wall-clock time, `HH:MM`, after `start`.
    pub end: String,
    /// First day these hours apply (inclusive); open when absent.
    #[serde(default)]
    pub valid_from: Option<Date>,
    /// Last day these hours apply (inclusive); open when absent.
    #[serde(default)]
    pub valid_until: Option<Date>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"weekly": [
    {"weekday": "monday", "start": "08:00", "end": "12:00"},
    {"weekday": "monday", "start": "13:00", "end": "16:00"},
    {"weekday": "tuesday", "start": "08:00", "end": "16:00", "valid_until": "2027-06-30"}
]}))]
pub struct WorkingHoursInput {
    /// Every period of the week; several per weekday are allowed (a split day), and their union counts.
    pub weekly: Vec<WeeklyHours>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "practitioner_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e50", "time_zone": "Europe/Oslo",
    "weekly": [{"weekday": "monday", "start": "08:00", "end": "16:00", "valid_from": null, "valid_until": null}]
}))]
pub struct WorkingHoursView {
    pub practitioner_id: Uuid,
    /// The organization's time zone, in which the hours are meant.
    pub time_zone: String,
    pub weekly: Vec<WeeklyHours>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e53", "practitioner_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e50",
    "resource_id": null, "kind": "meeting", "start": "2027-03-01T11:00:00Z", "end": "2027-03-01T12:00:00Z",
    "version": 1, "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z"
}))]
pub struct TimeBlockView {
    pub id: Uuid,
    pub practitioner_id: Option<Uuid>,
    pub resource_id: Option<Uuid>,
    /// `absence`, `break`, `meeting`, `maintenance` or `other`.
    pub kind: String,
    pub start: Timestamp,
    pub end: Timestamp,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "practitioner_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e50", "kind": "meeting",
    "start": "2027-03-01T11:00:00+01:00", "end": "2027-03-01T12:00:00+01:00"
}))]
pub struct TimeBlockInput {
    /// Exactly one of `practitioner_id` and `resource_id`.
    pub practitioner_id: Option<Uuid>,
    pub resource_id: Option<Uuid>,
    pub kind: String,
    pub start: Timestamp,
    pub end: Timestamp,
}

/// Moves, shortens or re-labels a block; absent fields stay.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"end": "2027-03-01T11:30:00+01:00"}))]
pub struct TimeBlockPatch {
    pub kind: Option<String>,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimeBlockQuery {
    /// Blocks of this practitioner (or give `resource_id`).
    pub practitioner_id: Option<Uuid>,
    /// Blocks of this resource.
    pub resource_id: Option<Uuid>,
    /// Blocks that end after this instant (RFC 3339).
    pub from: Timestamp,
    /// Blocks that start before this instant (RFC 3339).
    pub to: Timestamp,
}

impl From<TimeBlockRow> for TimeBlockView {
    fn from(row: TimeBlockRow) -> Self {
        Self {
            id: row.time_block_id,
            practitioner_id: row.practitioner_id,
            resource_id: row.resource_id,
            kind: row.kind,
            start: row.start_at.get(),
            end: row.end_at.get(),
            version: row.version,
            created_at: row.created_at.get(),
            updated_at: row.updated_at.get(),
        }
    }
}

/// A local time of day, `HH:MM`; seconds are refused rather than silently dropped.
fn local_time(validation: &mut Validation, field: &str, raw: &str) -> Option<Time> {
    let parsed = raw
        .parse::<Time>()
        .ok()
        .filter(|time| time.second() == 0 && time.subsec_nanosecond() == 0);
    if parsed.is_none() {
        validation.push(FieldIssue::new(
            field,
            "invalid_time",
            "a local time is written HH:MM, e.g. 08:30",
        ));
    }
    parsed
}

/// Checks every period and turns it into the domain's hours, naming each bad field by its position.
pub(super) fn check_weekly(weekly: &[WeeklyHours]) -> ServiceResult<Vec<LocalHours>> {
    let mut validation = Validation::default();
    let mut hours = Vec::with_capacity(weekly.len());
    for (index, period) in weekly.iter().enumerate() {
        let field = |name: &str| format!("weekly[{index}].{name}");
        let weekday = validation.field(
            &field("weekday"),
            period.weekday.parse::<Weekday>(),
            |_| "unknown_weekday",
        );
        let start = local_time(&mut validation, &field("start"), &period.start);
        let end = local_time(&mut validation, &field("end"), &period.end);
        if let (Some(weekday), Some(start), Some(end)) = (weekday, start, end)
            && let Some(period) = validation.field(
                &field("end"),
                LocalHours::new(weekday, start, end, period.valid_from, period.valid_until),
                |_| "invalid_period",
            )
        {
            hours.push(period);
        }
    }
    validation.finish()?;
    Ok(hours)
}

/// The stored hours of a practitioner, as the domain reads them.
pub(super) async fn stored_hours(
    tx: &mut Tx,
    organization_id: Uuid,
    practitioner_id: Uuid,
) -> ServiceResult<Vec<LocalHours>> {
    let rows = tx.working_hours(organization_id, practitioner_id).await?;
    check_weekly(&rows.into_iter().map(WeeklyHours::from).collect::<Vec<_>>())
        .map_err(|_| ServiceError::Internal("stored working hours do not parse".to_owned()))
}

impl From<WorkingHoursRow> for WeeklyHours {
    fn from(row: WorkingHoursRow) -> Self {
        Self {
            weekday: row.weekday,
            start: row.start_time,
            end: row.end_time,
            valid_from: row.valid_from.and_then(|date| date.parse().ok()),
            valid_until: row.valid_until.and_then(|date| date.parse().ok()),
        }
    }
}

fn hours_row(hours: &LocalHours) -> WorkingHoursRow {
    WorkingHoursRow {
        weekday: hours.weekday.as_str().to_owned(),
        start_time: hours.start.strftime("%H:%M").to_string(),
        end_time: hours.end.strftime("%H:%M").to_string(),
        valid_from: hours.valid_from.map(|date| date.to_string()),
        valid_until: hours.valid_until.map(|date| date.to_string()),
    }
}

/// A block's owner: exactly one practitioner or resource of the organization.
async fn block_owner(
    tx: &mut Tx,
    organization_id: Uuid,
    practitioner_id: Option<Uuid>,
    resource_id: Option<Uuid>,
) -> ServiceResult<BlockOwner> {
    match (practitioner_id, resource_id) {
        (Some(id), None) => {
            practitioner_row(tx, organization_id, id).await?;
            Ok(BlockOwner::Practitioner(id))
        }
        (None, Some(id)) => {
            resource_row(tx, organization_id, id).await?;
            Ok(BlockOwner::Resource(id))
        }
        _ => Err(ServiceError::Invalid(vec![FieldIssue::new(
            "practitioner_id",
            "one_owner",
            "give exactly one of practitioner_id and resource_id",
        )])),
    }
}

fn check_block_times(validation: &mut Validation, start: Timestamp, end: Timestamp) {
    if end <= start {
        validation.push(FieldIssue::new(
            "end",
            "before_start",
            "a block ends after it starts",
        ));
    } else if end.duration_since(start) > BLOCK_MAX {
        validation.push(FieldIssue::new(
            "end",
            "too_long",
            "a block lasts at most 366 days",
        ));
    }
}

impl SchedulingService {
    pub async fn working_hours(
        &self,
        principal: &Principal,
        practitioner_id: Uuid,
    ) -> ServiceResult<WorkingHoursView> {
        principal
            .require(&self.store, Permission::SchedulingRead, "working_hours.read")
            .await?;
        let mut tx = self.store.begin_read().await?;
        self.hours_view(&mut tx, principal.organization_id, practitioner_id)
            .await
    }

    async fn hours_view(
        &self,
        tx: &mut Tx,
        organization_id: Uuid,
        practitioner_id: Uuid,
    ) -> ServiceResult<WorkingHoursView> {
        practitioner_row(tx, organization_id, practitioner_id).await?;
        let time_zone = super::time_zone(tx, organization_id).await?;
        let weekly = tx
            .working_hours(organization_id, practitioner_id)
            .await?
            .into_iter()
            .map(WeeklyHours::from)
            .collect();
        Ok(WorkingHoursView {
            practitioner_id,
            time_zone: time_zone.iana_name().unwrap_or("UTC").to_owned(),
            weekly,
        })
    }

    /// Replaces all of a practitioner's hours. Appointments already booked stay; outside the new hours they
    /// show in the day view as they are.
    pub async fn replace_working_hours(
        &self,
        principal: &Principal,
        practitioner_id: Uuid,
        input: WorkingHoursInput,
    ) -> ServiceResult<WorkingHoursView> {
        principal
            .require(&self.store, Permission::SchedulingWrite, "working_hours.update")
            .await?;
        let hours = check_weekly(&input.weekly)?;
        let mut tx = self.store.begin_write().await?;
        let organization_id = principal.organization_id;
        practitioner_row(&mut tx, organization_id, practitioner_id).await?;
        let rows: Vec<_> = hours.iter().map(hours_row).collect();
        tx.replace_working_hours(organization_id, practitioner_id, &rows)
            .await?;
        let event = principal
            .audit("working_hours.update", Outcome::Success)
            .entity("practitioner", practitioner_id)
            .details(serde_json::json!({ "periods": rows.len() }));
        tx.append_audit(event).await?;
        let view = self.hours_view(&mut tx, organization_id, practitioner_id).await?;
        tx.commit().await?;
        Ok(view)
    }

    pub async fn create_time_block(
        &self,
        principal: &Principal,
        input: TimeBlockInput,
    ) -> ServiceResult<TimeBlockView> {
        principal
            .require(&self.store, Permission::SchedulingWrite, "time_block.create")
            .await?;
        let mut validation = Validation::default();
        let kind = input::coded::<BlockKind>(&mut validation, "kind", &input.kind);
        check_block_times(&mut validation, input.start, input.end);
        validation.finish()?;
        let mut tx = self.store.begin_write().await?;
        let owner = block_owner(
            &mut tx,
            principal.organization_id,
            input.practitioner_id,
            input.resource_id,
        )
        .await?;
        let now = DbTime::now();
        let row = TimeBlockRow {
            time_block_id: Uuid::now_v7(),
            organization_id: principal.organization_id,
            practitioner_id: input
                .practitioner_id
                .filter(|_| matches!(owner, BlockOwner::Practitioner(_))),
            resource_id: input
                .resource_id
                .filter(|_| matches!(owner, BlockOwner::Resource(_))),
            kind: kind.map(BlockKind::as_str).unwrap_or_default().to_owned(),
            start_at: input.start.into(),
            end_at: input.end.into(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        tx.insert_time_block(&row).await?;
        let event = principal
            .audit("time_block.create", Outcome::Success)
            .entity("time_block", row.time_block_id);
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(row.into())
    }

    /// Changes a block. Time it gives back is offered to the waitlist.
    pub async fn update_time_block(
        &self,
        principal: &Principal,
        id: Uuid,
        patch: TimeBlockPatch,
        expected_version: Option<i64>,
    ) -> ServiceResult<TimeBlockView> {
        principal
            .require(&self.store, Permission::SchedulingWrite, "time_block.update")
            .await?;
        let mut tx = self.store.begin_write().await?;
        let mut row = tx
            .time_block(principal.organization_id, id)
            .await?
            .ok_or(ServiceError::NotFound("time block"))?;
        check_version(row.version, expected_version)?;
        let before = (row.start_at, row.end_at);
        let mut validation = Validation::default();
        if let Some(kind) = &patch.kind
            && let Some(kind) = input::coded::<BlockKind>(&mut validation, "kind", kind)
        {
            row.kind = kind.as_str().to_owned();
        }
        let start = patch.start.unwrap_or(row.start_at.get());
        let end = patch.end.unwrap_or(row.end_at.get());
        check_block_times(&mut validation, start, end);
        validation.finish()?;
        row.start_at = start.into();
        row.end_at = end.into();
        row.version += 1;
        row.updated_at = DbTime::now();
        if !tx.update_time_block(&row).await? {
            return Err(ServiceError::StaleVersion {
                current: row.version - 1,
            });
        }
        let event = principal
            .audit("time_block.update", Outcome::Success)
            .entity("time_block", id)
            .details(super::setup::changed(&[
                ("kind", patch.kind.is_some()),
                ("start", patch.start.is_some()),
                ("end", patch.end.is_some()),
            ]));
        tx.append_audit(event).await?;
        self.freed(
            &mut tx,
            principal,
            row.practitioner_id,
            before,
            Some((row.start_at, row.end_at)),
        )
        .await?;
        tx.commit().await?;
        Ok(row.into())
    }

    pub async fn delete_time_block(&self, principal: &Principal, id: Uuid) -> ServiceResult<()> {
        principal
            .require(&self.store, Permission::SchedulingWrite, "time_block.delete")
            .await?;
        let mut tx = self.store.begin_write().await?;
        let row = tx
            .time_block(principal.organization_id, id)
            .await?
            .ok_or(ServiceError::NotFound("time block"))?;
        tx.delete_time_block(principal.organization_id, id).await?;
        let event = principal
            .audit("time_block.delete", Outcome::Success)
            .entity("time_block", id);
        tx.append_audit(event).await?;
        self.freed(
            &mut tx,
            principal,
            row.practitioner_id,
            (row.start_at, row.end_at),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn time_blocks(
        &self,
        principal: &Principal,
        query: TimeBlockQuery,
    ) -> ServiceResult<Vec<TimeBlockView>> {
        principal
            .require(&self.store, Permission::SchedulingRead, "time_block.list")
            .await?;
        let mut tx = self.store.begin_read().await?;
        let owner = block_owner(
            &mut tx,
            principal.organization_id,
            query.practitioner_id,
            query.resource_id,
        )
        .await?;
        let rows = tx
            .time_blocks(
                principal.organization_id,
                owner,
                query.from.into(),
                query.to.into(),
            )
            .await?;
        Ok(rows.into_iter().map(TimeBlockView::from).collect())
    }

    /// Offers to the waitlist the practitioner's time a block covered `before` and no longer covers.
    async fn freed(
        &self,
        tx: &mut Tx,
        principal: &Principal,
        practitioner_id: Option<Uuid>,
        before: (DbTime, DbTime),
        after: Option<(DbTime, DbTime)>,
    ) -> ServiceResult<()> {
        let Some(practitioner_id) = practitioner_id else {
            return Ok(());
        };
        let (old_start, old_end) = before;
        let freed = match after {
            Some((start, end)) => vec![(old_start, start.min(old_end)), (end.max(old_start), old_end)],
            None => vec![(old_start, old_end)],
        };
        for (start, end) in freed.into_iter().filter(|(start, end)| start < end) {
            self.offer_freed_time(tx, principal, practitioner_id, start.get(), end.get())
                .await?;
        }
        Ok(())
    }
}
