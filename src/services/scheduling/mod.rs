//! Scheduling: what can be booked and when (set-up, working hours, time blocks), finding free slots, booking
//! without overlaps, the lifecycle of appointments, and recurring series.
//!
//! Every local time is read in the organization's time zone; every stored time is an instant. The overlap
//! rules are checked inside the write transaction (SQLite's single writer makes that sufficient) and, on
//! PostgreSQL, enforced again by exclusion constraints, whose violations are answered like any other conflict.

mod availability;
mod booking;
mod hours;
mod input;
mod lifecycle;
mod series;
mod setup;
mod waitlist;

use std::sync::Arc;

use jiff::SignedDuration;
use jiff::tz::TimeZone;
use uuid::Uuid;

pub use availability::{
    AvailabilityQuery, DaySchedule, Period, PractitionerDay, ScheduleQuery, Slot, SlotList,
};
pub use booking::{AppointmentView, BookingInput, MoveInput};
pub use hours::{
    TimeBlockInput, TimeBlockPatch, TimeBlockQuery, TimeBlockView, WeeklyHours, WorkingHoursInput,
    WorkingHoursView,
};
pub use lifecycle::{AppointmentQuery, HistoryEntry, StatusChange};
pub use series::{OccurrenceView, SeriesCancel, SeriesInput, SeriesMode, SeriesMove, SeriesView};
pub use setup::{
    PractitionerInput, PractitionerPatch, PractitionerView, ResourceInput, ResourcePatch, ResourceView,
    ServiceInput, ServicePatch, ServiceView,
};
pub use waitlist::{
    OfferQuery, WaitlistEntryView, WaitlistInput, WaitlistOfferView, WaitlistQuery, WindowInput,
};

use super::error::{ServiceError, ServiceResult};
use crate::crypto::LiveKeys;
use crate::store::{PractitionerRow, ResourceRow, ServiceRow, Store, Tx};

#[derive(Debug, Clone)]
pub struct SchedulingService {
    store: Store,
    keys: Arc<LiveKeys>,
    /// A cancellation this close to the start, or later, is flagged as late.
    late_cancellation: SignedDuration,
}

impl SchedulingService {
    pub fn new(store: Store, keys: Arc<LiveKeys>, late_cancellation: SignedDuration) -> Self {
        Self {
            store,
            keys,
            late_cancellation,
        }
    }
}

/// The organization's time zone, in which every local time of its schedule is meant.
async fn time_zone(tx: &mut Tx, organization_id: Uuid) -> ServiceResult<TimeZone> {
    let organization = tx
        .organization(organization_id)
        .await?
        .ok_or(ServiceError::NotFound("organization"))?;
    TimeZone::get(&organization.time_zone)
        .map_err(|e| ServiceError::Internal(format!("organization time zone: {e}")))
}

async fn practitioner_row(tx: &mut Tx, organization_id: Uuid, id: Uuid) -> ServiceResult<PractitionerRow> {
    tx.practitioner(organization_id, id)
        .await?
        .ok_or(ServiceError::NotFound("practitioner"))
}

async fn resource_row(tx: &mut Tx, organization_id: Uuid, id: Uuid) -> ServiceResult<ResourceRow> {
    tx.resource(organization_id, id)
        .await?
        .ok_or(ServiceError::NotFound("resource"))
}

async fn service_row(tx: &mut Tx, organization_id: Uuid, id: Uuid) -> ServiceResult<ServiceRow> {
    tx.service(organization_id, id)
        .await?
        .ok_or(ServiceError::NotFound("service"))
}
