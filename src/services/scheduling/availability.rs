//! Finding a time: the free slots of a service, and a front desk's day view.
//!
//! Both are computed the same way: working hours become instants day by day in the organization's time zone,
//! time blocks are taken out, and appointments (widened by their buffers) count as busy.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use praxis_domain::access::Permission;
use praxis_domain::audit::Outcome;
use praxis_domain::schedule::{Interval, IntervalSet, SlotRules, free_slots, working_intervals};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::booking::{AppointmentView, appointment_views};
use super::hours::{TimeBlockView, stored_hours};
use super::{SchedulingService, practitioner_row, resource_row, service_row};
use crate::services::access::Principal;
use crate::services::audit::EventExt;
use crate::services::error::{FieldIssue, ServiceError, ServiceResult};
use crate::store::{BlockOwner, DbTime, Occupant, ServiceRow, TimeBlockRow, Tx};

/// The widest window one availability query may span.
const WINDOW_MAX: SignedDuration = SignedDuration::from_hours(31 * 24);
const STEP_DEFAULT_MINUTES: i64 = 15;
/// The most practitioners one day view shows.
const DAY_VIEW_MAX: i64 = 100;

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityQuery {
    pub service_id: Uuid,
    /// Only this practitioner; every active practitioner offering the service when absent.
    pub practitioner_id: Option<Uuid>,
    /// Only slots when this resource is free too.
    pub resource_id: Option<Uuid>,
    /// Window start (RFC 3339); slots in the past are never offered.
    pub start: Timestamp,
    /// Window end (RFC 3339), at most 31 days after `start`.
    pub end: Timestamp,
    /// Minutes between offered starts, 5 to 240 (default 15).
    pub step_minutes: Option<i64>,
}

/// A bookable time. Times carry the organization's UTC offset of that moment, so a slot in the repeated
/// hour of a daylight-saving change is told apart from its twin.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
#[schema(example = json!({
    "start": "2027-03-01T09:00:00+01:00", "end": "2027-03-01T09:45:00+01:00",
    "practitioner_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e50"
}))]
pub struct Slot {
    pub start: String,
    pub end: String,
    pub practitioner_id: Uuid,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "time_zone": "Europe/Oslo",
    "slots": [{"start": "2027-03-01T09:00:00+01:00", "end": "2027-03-01T09:45:00+01:00",
               "practitioner_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e50"}]
}))]
pub struct SlotList {
    pub time_zone: String,
    /// By start, then practitioner.
    pub slots: Vec<Slot>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScheduleQuery {
    /// The local date in the organization's time zone, `YYYY-MM-DD`.
    pub date: Date,
    /// Comma-separated practitioner ids; every active practitioner when absent.
    pub practitioner_ids: Option<String>,
}

/// A stretch of time in a day view, with local offsets like [`Slot`].
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct Period {
    pub start: String,
    pub end: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PractitionerDay {
    pub practitioner_id: Uuid,
    pub name: String,
    /// When the practitioner works that day.
    pub working: Vec<Period>,
    pub blocks: Vec<TimeBlockView>,
    /// Appointments of the day, cancelled ones included, by start.
    pub appointments: Vec<AppointmentView>,
    /// Working time not blocked nor taken by an appointment or its buffers.
    pub free: Vec<Period>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "date": "2027-03-01", "time_zone": "Europe/Oslo",
    "practitioners": [{
        "practitioner_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e50", "name": "Dr. Kari Berg",
        "working": [{"start": "2027-03-01T08:00:00+01:00", "end": "2027-03-01T16:00:00+01:00"}],
        "blocks": [], "appointments": [],
        "free": [{"start": "2027-03-01T08:00:00+01:00", "end": "2027-03-01T16:00:00+01:00"}]
    }]
}))]
pub struct DaySchedule {
    pub date: Date,
    pub time_zone: String,
    pub practitioners: Vec<PractitionerDay>,
}

/// An instant as RFC 3339 with the organization's offset at that instant.
pub(super) fn local(instant: Timestamp, tz: &TimeZone) -> String {
    instant
        .to_zoned(tz.clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

pub(super) fn zone_name(tz: &TimeZone) -> String {
    tz.iana_name().unwrap_or("UTC").to_owned()
}

fn period(interval: &Interval, tz: &TimeZone) -> Period {
    Period {
        start: local(interval.start(), tz),
        end: local(interval.end(), tz),
    }
}

pub(super) fn slot_rules(service: &ServiceRow, step: SignedDuration) -> SlotRules {
    SlotRules {
        duration: SignedDuration::from_mins(service.duration_minutes),
        buffer_before: SignedDuration::from_mins(service.buffer_before_minutes),
        buffer_after: SignedDuration::from_mins(service.buffer_after_minutes),
        step,
    }
}

fn intervals<T>(rows: &[T], bounds: impl Fn(&T) -> (DbTime, DbTime)) -> IntervalSet {
    IntervalSet::new(rows.iter().filter_map(|row| {
        let (start, end) = bounds(row);
        Interval::new(start.get(), end.get()).ok()
    }))
}

/// What one practitioner (and optionally one resource) has open and has taken around a window.
pub(super) struct Calendar {
    pub working: IntervalSet,
    pub blocks: Vec<TimeBlockRow>,
    /// Working time minus blocks.
    pub open: IntervalSet,
    /// Occupied intervals of appointments holding time.
    pub busy: IntervalSet,
}

impl Calendar {
    /// Reads the calendar over `window`, widened by a day on each side so that buffers and local days that
    /// straddle the window's edges are seen.
    pub(super) async fn read(
        tx: &mut Tx,
        tz: &TimeZone,
        organization_id: Uuid,
        practitioner_id: Uuid,
        resource_id: Option<Uuid>,
        window: Interval,
    ) -> ServiceResult<Self> {
        let margin = SignedDuration::from_hours(24);
        let (from, to) = (window.start() - margin, window.end() + margin);
        let first = from.to_zoned(tz.clone()).date();
        let last = to.to_zoned(tz.clone()).date();
        let hours = stored_hours(tx, organization_id, practitioner_id).await?;
        let working = working_intervals(tz, &hours, first, last);
        let mut blocks = tx
            .time_blocks(
                organization_id,
                BlockOwner::Practitioner(practitioner_id),
                from.into(),
                to.into(),
            )
            .await?;
        let mut appointments = tx
            .overlapping_appointments(
                organization_id,
                Occupant::Practitioner(practitioner_id),
                from.into(),
                to.into(),
                None,
            )
            .await?;
        if let Some(resource_id) = resource_id {
            blocks.extend(
                tx.time_blocks(
                    organization_id,
                    BlockOwner::Resource(resource_id),
                    from.into(),
                    to.into(),
                )
                .await?,
            );
            appointments.extend(
                tx.overlapping_appointments(
                    organization_id,
                    Occupant::Resource(resource_id),
                    from.into(),
                    to.into(),
                    None,
                )
                .await?,
            );
        }
        let open = working.subtract(&intervals(&blocks, |b| (b.start_at, b.end_at)));
        let busy = intervals(&appointments, |a| (a.occupied_start, a.occupied_end));
        Ok(Self {
            working,
            blocks,
            open,
            busy,
        })
    }
}

pub(super) fn window(start: Timestamp, end: Timestamp) -> ServiceResult<Interval> {
    if end <= start {
        return Err(ServiceError::Invalid(vec![FieldIssue::new(
            "end",
            "before_start",
            "the window ends after it starts",
        )]));
    }
    if end.duration_since(start) > WINDOW_MAX {
        return Err(ServiceError::Invalid(vec![FieldIssue::new(
            "end",
            "too_wide",
            "a window spans at most 31 days",
        )]));
    }
    Interval::new(start, end).map_err(|e| ServiceError::Internal(e.to_string()))
}

impl SchedulingService {
    pub async fn availability(
        &self,
        principal: &Principal,
        query: AvailabilityQuery,
    ) -> ServiceResult<SlotList> {
        principal
            .require(&self.store, Permission::SchedulingRead, "availability.read")
            .await?;
        let step_minutes = query.step_minutes.unwrap_or(STEP_DEFAULT_MINUTES);
        if !(5..=240).contains(&step_minutes) {
            return Err(ServiceError::Invalid(vec![FieldIssue::new(
                "step_minutes",
                "out_of_range",
                "between 5 and 240 minutes",
            )]));
        }
        let requested = window(query.start, query.end)?;
        let organization_id = principal.organization_id;
        let mut tx = self.store.begin_read().await?;
        let tz = super::time_zone(&mut tx, organization_id).await?;
        let service = service_row(&mut tx, organization_id, query.service_id).await?;
        if let Some(resource_id) = query.resource_id {
            resource_row(&mut tx, organization_id, resource_id).await?;
        }
        let offering = tx
            .service_practitioners(organization_id, service.service_id)
            .await?;
        let candidates = match query.practitioner_id {
            Some(id) if !offering.contains(&id) => {
                practitioner_row(&mut tx, organization_id, id).await?;
                return Err(ServiceError::Conflict(
                    "this practitioner does not offer this service".to_owned(),
                ));
            }
            Some(id) => vec![id],
            None => offering,
        };
        let mut practitioners = Vec::with_capacity(candidates.len());
        for id in candidates {
            practitioners.push(practitioner_row(&mut tx, organization_id, id).await?);
        }
        let now = Timestamp::now();
        let mut slots = Vec::new();
        if service.active && requested.end() > now {
            let window = Interval::new(requested.start().max(now), requested.end())
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            let rules = slot_rules(&service, SignedDuration::from_mins(step_minutes));
            for practitioner in practitioners.iter().filter(|row| row.active) {
                let practitioner_id = practitioner.practitioner_id;
                let calendar = Calendar::read(
                    &mut tx,
                    &tz,
                    organization_id,
                    practitioner_id,
                    query.resource_id,
                    window,
                )
                .await?;
                slots.extend(
                    free_slots(&calendar.open, &calendar.busy, window, &rules)
                        .into_iter()
                        .map(|slot| (slot, practitioner_id)),
                );
            }
        }
        slots.sort_by_key(|(slot, practitioner_id)| (slot.start(), *practitioner_id));
        Ok(SlotList {
            time_zone: zone_name(&tz),
            slots: slots
                .into_iter()
                .map(|(slot, practitioner_id)| Slot {
                    start: local(slot.start(), &tz),
                    end: local(slot.end(), &tz),
                    practitioner_id,
                })
                .collect(),
        })
    }

    /// The front desk's day: for each practitioner, working time, blocks, appointments and free time. It
    /// names patients, so it is a read of patient data and audited with the patients it showed.
    pub async fn day_schedule(
        &self,
        principal: &Principal,
        query: ScheduleQuery,
    ) -> ServiceResult<DaySchedule> {
        principal
            .require(&self.store, Permission::SchedulingRead, "schedule.read")
            .await?;
        let requested = match &query.practitioner_ids {
            Some(joined) => Some(
                joined
                    .split(',')
                    .map(|id| id.trim().parse::<Uuid>())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| {
                        ServiceError::Invalid(vec![FieldIssue::new(
                            "practitioner_ids",
                            "invalid_id",
                            "practitioner ids are UUIDs separated by commas",
                        )])
                    })?,
            ),
            None => None,
        };
        let organization_id = principal.organization_id;
        let mut tx = self.store.begin_write().await?;
        let tz = super::time_zone(&mut tx, organization_id).await?;
        let practitioners = match requested {
            Some(ids) => {
                let mut rows = Vec::with_capacity(ids.len());
                for id in ids {
                    rows.push(practitioner_row(&mut tx, organization_id, id).await?);
                }
                rows
            }
            None => tx
                .practitioners(organization_id, None, DAY_VIEW_MAX)
                .await?
                .into_iter()
                .filter(|row| row.active)
                .collect(),
        };
        let day_start = query
            .date
            .to_zoned(tz.clone())
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let day_end = day_start
            .checked_add(1.day())
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let day = Interval::new(day_start.timestamp(), day_end.timestamp())
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let mut days = Vec::with_capacity(practitioners.len());
        let mut shown_patients = Vec::new();
        for practitioner in practitioners {
            let calendar = Calendar::read(
                &mut tx,
                &tz,
                organization_id,
                practitioner.practitioner_id,
                None,
                day,
            )
            .await?;
            let day_set = IntervalSet::new([day]);
            let working = calendar.working.intersect(&day_set);
            let free = calendar.open.subtract(&calendar.busy).intersect(&day_set);
            let mut appointments: Vec<_> = tx
                .appointments(
                    organization_id,
                    &crate::store::AppointmentFilter {
                        practitioner_id: Some(practitioner.practitioner_id),
                        from: Some(day.start().into()),
                        to: Some(day.end().into()),
                        ..Default::default()
                    },
                    1000,
                )
                .await?;
            appointments.sort_by_key(|row| (row.start_at, row.appointment_id));
            shown_patients.extend(appointments.iter().map(|row| row.patient_id));
            let blocks = calendar
                .blocks
                .into_iter()
                .filter(|block| block.end_at.get() > day.start() && block.start_at.get() < day.end())
                .map(TimeBlockView::from)
                .collect();
            days.push(PractitionerDay {
                practitioner_id: practitioner.practitioner_id,
                name: practitioner.name,
                working: working.iter().map(|i| period(i, &tz)).collect(),
                blocks,
                appointments: appointment_views(&mut tx, &self.keys, &tz, appointments).await?,
                free: free.iter().map(|i| period(i, &tz)).collect(),
            });
        }
        shown_patients.sort();
        shown_patients.dedup();
        let event = principal
            .audit("schedule.read", Outcome::Success)
            .details(serde_json::json!({ "date": query.date.to_string(), "patient_ids": shown_patients }));
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(DaySchedule {
            date: query.date,
            time_zone: zone_name(&tz),
            practitioners: days,
        })
    }
}
