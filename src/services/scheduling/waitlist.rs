//! The waitlist. Patients wait for a service, optionally with one practitioner, within time windows and with
//! a priority. When a practitioner's time frees up (a cancellation, a no-show, a moved appointment, a
//! shortened or removed block) the matching entries are offered the first slot that fits them, most urgent
//! first. Accepting an offer books it through the same checks as any booking, so of two patients offered the
//! same slot only the first to accept gets it; the other hears 409.

use jiff::{SignedDuration, Timestamp};
use praxis_domain::access::Permission;
use praxis_domain::audit::Outcome;
use praxis_domain::schedule::{Interval, IntervalSet, free_slots};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::SchedulingService;
use super::availability::{Calendar, local, slot_rules};
use super::booking::{AppointmentView, Placement, appointment_view};
use super::service_row;
use crate::services::access::Principal;
use crate::services::audit::EventExt;
use crate::services::error::{FieldIssue, ServiceError, ServiceResult, Validation};
use crate::services::events::{self, EventKind};
use crate::store::{DbTime, Occupant, Tx, WaitlistEntryRow, WaitlistOfferRow};

const PRIORITY: std::ops::RangeInclusive<i64> = 1..=5;
const PRIORITY_DEFAULT: i64 = 3;
const WINDOWS_MAX: usize = 20;
/// How finely freed time is searched for a start that fits an entry.
const OFFER_STEP: SignedDuration = SignedDuration::from_mins(5);
/// How many waiting entries one stretch of freed time is offered to.
const OFFERS_PER_FREEING: usize = 10;
const LIST_MAX: i64 = 500;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct WindowInput {
    pub start: Timestamp,
    pub end: Timestamp,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "patient_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e5f", "service_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e52",
    "priority": 1, "windows": [{"start": "2027-03-01T08:00:00+01:00", "end": "2027-03-05T16:00:00+01:00"}]
}))]
pub struct WaitlistInput {
    pub patient_id: Uuid,
    pub service_id: Uuid,
    /// Only this practitioner; anyone offering the service when absent.
    pub practitioner_id: Option<Uuid>,
    /// 1 (most urgent) to 5; default 3.
    pub priority: Option<i64>,
    /// When the patient can come: 1 to 20 windows.
    pub windows: Vec<WindowInput>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e80", "patient_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e5f",
    "service_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e52", "practitioner_id": null, "priority": 1,
    "windows": [{"start": "2027-03-01T07:00:00Z", "end": "2027-03-05T15:00:00Z"}], "status": "waiting",
    "appointment_id": null, "version": 1, "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z"
}))]
pub struct WaitlistEntryView {
    pub id: Uuid,
    pub patient_id: Uuid,
    pub service_id: Uuid,
    pub practitioner_id: Option<Uuid>,
    pub priority: i64,
    pub windows: Vec<WindowInput>,
    /// `waiting`, `booked` or `removed`.
    pub status: String,
    /// The appointment an accepted offer booked.
    pub appointment_id: Option<Uuid>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e81", "entry_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e80",
    "patient_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e5f", "practitioner_id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e50",
    "priority": 1, "start": "2027-03-02T10:00:00+01:00", "end": "2027-03-02T10:45:00+01:00", "status": "open",
    "appointment_id": null, "created_at": "2026-11-23T09:00:00Z"
}))]
pub struct WaitlistOfferView {
    pub id: Uuid,
    pub entry_id: Uuid,
    pub patient_id: Uuid,
    pub practitioner_id: Uuid,
    pub priority: i64,
    pub start: String,
    pub end: String,
    /// `open`, `accepted`, `declined`, `taken` (someone else got the time) or `withdrawn` (the entry was
    /// booked or removed).
    pub status: String,
    pub appointment_id: Option<Uuid>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WaitlistQuery {
    /// `waiting` (default), `booked` or `removed`.
    pub status: Option<String>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfferQuery {
    /// `open` (default), `accepted`, `declined`, `taken` or `withdrawn`.
    pub status: Option<String>,
}

const ENTRY_STATUSES: [&str; 3] = ["waiting", "booked", "removed"];
const OFFER_STATUSES: [&str; 5] = ["open", "accepted", "declined", "taken", "withdrawn"];

fn status_filter(raw: Option<&str>, allowed: &[&'static str]) -> ServiceResult<&'static str> {
    let wanted = raw.unwrap_or(allowed[0]);
    allowed
        .iter()
        .copied()
        .find(|status| *status == wanted)
        .ok_or_else(|| {
            ServiceError::Invalid(vec![FieldIssue::new(
                "status",
                "unknown_status",
                format!("the status is one of {}", allowed.join(", ")),
            )])
        })
}

fn entry_view(row: WaitlistEntryRow, windows: Vec<(DbTime, DbTime)>) -> WaitlistEntryView {
    WaitlistEntryView {
        id: row.entry_id,
        patient_id: row.patient_id,
        service_id: row.service_id,
        practitioner_id: row.practitioner_id,
        priority: row.priority,
        windows: windows
            .into_iter()
            .map(|(start, end)| WindowInput {
                start: start.get(),
                end: end.get(),
            })
            .collect(),
        status: row.status,
        appointment_id: row.appointment_id,
        version: row.version,
        created_at: row.created_at.get(),
        updated_at: row.updated_at.get(),
    }
}

async fn entry_row(tx: &mut Tx, organization_id: Uuid, id: Uuid) -> ServiceResult<WaitlistEntryRow> {
    tx.waitlist_entry(organization_id, id)
        .await?
        .ok_or(ServiceError::NotFound("waitlist entry"))
}

async fn offer_view(
    tx: &mut Tx,
    tz: &jiff::tz::TimeZone,
    row: WaitlistOfferRow,
) -> ServiceResult<WaitlistOfferView> {
    let entry = entry_row(tx, row.organization_id, row.entry_id).await?;
    Ok(WaitlistOfferView {
        id: row.offer_id,
        entry_id: row.entry_id,
        patient_id: entry.patient_id,
        practitioner_id: row.practitioner_id,
        priority: entry.priority,
        start: local(row.start_at.get(), tz),
        end: local(row.end_at.get(), tz),
        status: row.status,
        appointment_id: row.appointment_id,
        created_at: row.created_at.get(),
    })
}

impl SchedulingService {
    pub async fn create_waitlist_entry(
        &self,
        principal: &Principal,
        input: WaitlistInput,
    ) -> ServiceResult<WaitlistEntryView> {
        principal
            .require(&self.store, Permission::SchedulingWrite, "waitlist.create")
            .await?;
        let mut validation = Validation::default();
        let priority = input.priority.unwrap_or(PRIORITY_DEFAULT);
        if !PRIORITY.contains(&priority) {
            validation.push(FieldIssue::new(
                "priority",
                "out_of_range",
                "the priority is 1 (most urgent) to 5",
            ));
        }
        if input.windows.is_empty() || input.windows.len() > WINDOWS_MAX {
            validation.push(FieldIssue::new(
                "windows",
                "count",
                format!("give 1 to {WINDOWS_MAX} windows"),
            ));
        }
        let now = Timestamp::now();
        for (index, window) in input.windows.iter().enumerate() {
            if window.end <= window.start {
                validation.push(FieldIssue::new(
                    format!("windows[{index}].end"),
                    "before_start",
                    "a window ends after it starts",
                ));
            } else if window.end <= now {
                validation.push(FieldIssue::new(
                    format!("windows[{index}].end"),
                    "in_the_past",
                    "the window has passed",
                ));
            }
        }
        validation.finish()?;
        let organization_id = principal.organization_id;
        let mut tx = self.store.begin_write().await?;
        tx.patient(organization_id, input.patient_id)
            .await?
            .filter(|row| row.deleted_at.is_none())
            .ok_or(ServiceError::NotFound("patient"))?;
        service_row(&mut tx, organization_id, input.service_id).await?;
        if let Some(practitioner_id) = input.practitioner_id {
            super::practitioner_row(&mut tx, organization_id, practitioner_id).await?;
        }
        let windows: Vec<(DbTime, DbTime)> = IntervalSet::new(
            input
                .windows
                .iter()
                .filter_map(|window| Interval::new(window.start, window.end).ok()),
        )
        .iter()
        .map(|window| (window.start().into(), window.end().into()))
        .collect();
        let stamp = DbTime::now();
        let row = WaitlistEntryRow {
            entry_id: Uuid::now_v7(),
            organization_id,
            patient_id: input.patient_id,
            service_id: input.service_id,
            practitioner_id: input.practitioner_id,
            priority,
            status: "waiting".to_owned(),
            appointment_id: None,
            version: 1,
            created_at: stamp,
            updated_at: stamp,
        };
        tx.insert_waitlist_entry(&row, &windows).await?;
        entry_changed(&mut tx, &row).await?;
        let event = principal
            .audit("waitlist.create", Outcome::Success)
            .entity("waitlist_entry", row.entry_id)
            .patient(row.patient_id);
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(entry_view(row, windows))
    }

    /// Entries in a status, most urgent first; audited with their patients.
    pub async fn waitlist(
        &self,
        principal: &Principal,
        query: WaitlistQuery,
    ) -> ServiceResult<Vec<WaitlistEntryView>> {
        principal
            .require(&self.store, Permission::SchedulingRead, "waitlist.list")
            .await?;
        let status = status_filter(query.status.as_deref(), &ENTRY_STATUSES)?;
        let organization_id = principal.organization_id;
        let mut tx = self.store.begin_write().await?;
        let rows = tx.waitlist_entries(organization_id, status, LIST_MAX).await?;
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            let windows = tx.waitlist_windows(organization_id, row.entry_id).await?;
            views.push(entry_view(row, windows));
        }
        let patient_ids: Vec<Uuid> = views.iter().map(|view| view.patient_id).collect();
        let event = principal
            .audit("waitlist.list", Outcome::Success)
            .details(serde_json::json!({ "patient_ids": patient_ids }));
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(views)
    }

    /// Every waitlist entry of a patient, inside the caller's transaction: for the patient's data export,
    /// which audits itself.
    pub async fn waitlist_of_patient(
        &self,
        tx: &mut Tx,
        organization_id: Uuid,
        patient_id: Uuid,
    ) -> ServiceResult<Vec<WaitlistEntryView>> {
        let rows = tx
            .waitlist_entries_of_patient(organization_id, patient_id)
            .await?;
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            let windows = tx.waitlist_windows(organization_id, row.entry_id).await?;
            views.push(entry_view(row, windows));
        }
        Ok(views)
    }

    /// Takes an entry off the waitlist; its open offers are withdrawn.
    pub async fn remove_waitlist_entry(&self, principal: &Principal, id: Uuid) -> ServiceResult<()> {
        principal
            .require(&self.store, Permission::SchedulingWrite, "waitlist.remove")
            .await?;
        let mut tx = self.store.begin_write().await?;
        let mut row = entry_row(&mut tx, principal.organization_id, id).await?;
        if row.status != "waiting" {
            return Err(ServiceError::Conflict(format!(
                "the entry is already {}",
                row.status
            )));
        }
        self.close_entry(&mut tx, &mut row, "removed", None).await?;
        let event = principal
            .audit("waitlist.remove", Outcome::Success)
            .entity("waitlist_entry", id)
            .patient(row.patient_id);
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Offers in a status, by start then urgency; audited with their patients.
    pub async fn waitlist_offers(
        &self,
        principal: &Principal,
        query: OfferQuery,
    ) -> ServiceResult<Vec<WaitlistOfferView>> {
        principal
            .require(&self.store, Permission::SchedulingRead, "waitlist_offer.list")
            .await?;
        let status = status_filter(query.status.as_deref(), &OFFER_STATUSES)?;
        let mut tx = self.store.begin_write().await?;
        let tz = super::time_zone(&mut tx, principal.organization_id).await?;
        let rows = tx
            .waitlist_offers(principal.organization_id, status, LIST_MAX)
            .await?;
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            views.push(offer_view(&mut tx, &tz, row).await?);
        }
        let patient_ids: Vec<Uuid> = views.iter().map(|view| view.patient_id).collect();
        let event = principal
            .audit("waitlist_offer.list", Outcome::Success)
            .details(serde_json::json!({ "patient_ids": patient_ids }));
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(views)
    }

    /// Books the offered slot for the waiting patient, in one transaction: the offer is claimed first (so a
    /// double click books once), then the booking's own checks decide whether the time is still free.
    pub async fn accept_offer(&self, principal: &Principal, id: Uuid) -> ServiceResult<AppointmentView> {
        principal
            .require(&self.store, Permission::SchedulingWrite, "waitlist_offer.accept")
            .await?;
        let organization_id = principal.organization_id;
        let mut tx = self.store.begin_write().await?;
        let tz = super::time_zone(&mut tx, organization_id).await?;
        let offer = tx
            .waitlist_offer(organization_id, id)
            .await?
            .ok_or(ServiceError::NotFound("waitlist offer"))?;
        // Accepting marks the competing offers taken: without this lock two accepts could each hold an offer
        // row the other wants while waiting on the other's appointment, and deadlock.
        tx.lock_practitioner(organization_id, offer.practitioner_id)
            .await?;
        let now = DbTime::now();
        if !tx
            .settle_waitlist_offer(organization_id, id, "open", "accepted", None, now)
            .await?
        {
            return Err(ServiceError::Conflict(format!(
                "the offer is {}, no longer open",
                offer.status
            )));
        }
        let mut entry = entry_row(&mut tx, organization_id, offer.entry_id).await?;
        let placement = Placement {
            patient_id: entry.patient_id,
            practitioner_id: offer.practitioner_id,
            service: service_row(&mut tx, organization_id, entry.service_id).await?,
            resource_id: None,
            start: offer.start_at.get(),
        };
        let row = match self.insert(&mut tx, &tz, principal, &placement, None, None).await {
            Ok(row) => row,
            Err(error @ ServiceError::Overlap { .. }) => {
                // Someone else took the time first: the offer is spent either way.
                drop(tx);
                let mut spent = self.store.begin_write().await?;
                spent
                    .settle_waitlist_offer(organization_id, id, "open", "taken", None, now)
                    .await?;
                spent.commit().await?;
                return Err(error);
            }
            Err(error) => return Err(error),
        };
        self.record_booked(&mut tx, principal, &row).await?;
        tx.settle_waitlist_offer(
            organization_id,
            id,
            "accepted",
            "accepted",
            Some(row.appointment_id),
            now,
        )
        .await?;
        self.close_entry(&mut tx, &mut entry, "booked", Some(row.appointment_id))
            .await?;
        for other in tx
            .open_offers_overlapping(
                organization_id,
                offer.practitioner_id,
                row.occupied_start,
                row.occupied_end,
            )
            .await?
        {
            tx.settle_waitlist_offer(organization_id, other.offer_id, "open", "taken", None, now)
                .await?;
        }
        let event = principal
            .audit("waitlist_offer.accept", Outcome::Success)
            .entity("waitlist_offer", id)
            .patient(entry.patient_id)
            .details(serde_json::json!({ "appointment_id": row.appointment_id }));
        tx.append_audit(event).await?;
        let view = appointment_view(&mut tx, &self.keys, &tz, row).await?;
        match tx.commit().await {
            Ok(()) => Ok(view),
            Err(error) => Err(self.lost_race(organization_id, &placement, error).await),
        }
    }

    pub async fn decline_offer(&self, principal: &Principal, id: Uuid) -> ServiceResult<WaitlistOfferView> {
        principal
            .require(&self.store, Permission::SchedulingWrite, "waitlist_offer.decline")
            .await?;
        let organization_id = principal.organization_id;
        let mut tx = self.store.begin_write().await?;
        let tz = super::time_zone(&mut tx, organization_id).await?;
        let offer = tx
            .waitlist_offer(organization_id, id)
            .await?
            .ok_or(ServiceError::NotFound("waitlist offer"))?;
        if !tx
            .settle_waitlist_offer(organization_id, id, "open", "declined", None, DbTime::now())
            .await?
        {
            return Err(ServiceError::Conflict(format!(
                "the offer is {}, no longer open",
                offer.status
            )));
        }
        let declined = tx_offer(&mut tx, organization_id, id).await?;
        let view = offer_view(&mut tx, &tz, declined).await?;
        let event = principal
            .audit("waitlist_offer.decline", Outcome::Success)
            .entity("waitlist_offer", id)
            .patient(view.patient_id);
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Closes an entry and withdraws its other open offers.
    async fn close_entry(
        &self,
        tx: &mut Tx,
        entry: &mut WaitlistEntryRow,
        status: &str,
        appointment_id: Option<Uuid>,
    ) -> ServiceResult<()> {
        entry.status = status.to_owned();
        entry.appointment_id = appointment_id;
        entry.version += 1;
        entry.updated_at = DbTime::now();
        if !tx.update_waitlist_entry(entry).await? {
            return Err(ServiceError::Conflict(
                "the waitlist entry changed meanwhile; try again".to_owned(),
            ));
        }
        for offer in tx
            .waitlist_offers(entry.organization_id, "open", LIST_MAX)
            .await?
        {
            if offer.entry_id == entry.entry_id {
                tx.settle_waitlist_offer(
                    entry.organization_id,
                    offer.offer_id,
                    "open",
                    "withdrawn",
                    None,
                    entry.updated_at,
                )
                .await?;
            }
        }
        Ok(())
    }

    /// Offers time a practitioner no longer has taken, `[start, end)`, to the waiting entries it suits, most
    /// urgent first. Runs inside the transaction that freed the time, so an offer never outlives a rollback.
    pub(super) async fn offer_freed_time(
        &self,
        tx: &mut Tx,
        principal: &Principal,
        practitioner_id: Uuid,
        start: Timestamp,
        end: Timestamp,
    ) -> ServiceResult<()> {
        let organization_id = principal.organization_id;
        let Ok(freed) = Interval::new(start.max(Timestamp::now()), end) else {
            return Ok(());
        };
        let waiting = tx.waitlist_entries(organization_id, "waiting", LIST_MAX).await?;
        if waiting.is_empty() {
            return Ok(());
        }
        let tz = super::time_zone(tx, organization_id).await?;
        let calendar = Calendar::read(tx, &tz, organization_id, practitioner_id, None, freed).await?;
        let mut offered = 0;
        for entry in waiting {
            if offered == OFFERS_PER_FREEING {
                break;
            }
            if entry.practitioner_id.is_some_and(|id| id != practitioner_id) {
                continue;
            }
            let service = service_row(tx, organization_id, entry.service_id).await?;
            let offering = tx
                .service_practitioners(organization_id, entry.service_id)
                .await?;
            if !service.active || !offering.contains(&practitioner_id) {
                continue;
            }
            let windows = IntervalSet::new(
                tx.waitlist_windows(organization_id, entry.entry_id)
                    .await?
                    .into_iter()
                    .filter_map(|(start, end)| Interval::new(start.get(), end.get()).ok()),
            );
            let rules = slot_rules(&service, OFFER_STEP);
            let mut found = None;
            for window in windows.clip(freed).iter() {
                for slot in free_slots(&calendar.open, &calendar.busy, *window, &rules) {
                    let patient_busy = !tx
                        .overlapping_appointments(
                            organization_id,
                            Occupant::Patient(entry.patient_id),
                            slot.start().into(),
                            slot.end().into(),
                            None,
                        )
                        .await?
                        .is_empty();
                    if !patient_busy {
                        found = Some(slot);
                        break;
                    }
                }
                if found.is_some() {
                    break;
                }
            }
            let Some(slot) = found else {
                continue;
            };
            let stamp = DbTime::now();
            let offer = WaitlistOfferRow {
                offer_id: Uuid::now_v7(),
                organization_id,
                entry_id: entry.entry_id,
                practitioner_id,
                start_at: slot.start().into(),
                end_at: slot.end().into(),
                status: "open".to_owned(),
                appointment_id: None,
                created_at: stamp,
                updated_at: stamp,
            };
            tx.insert_waitlist_offer(&offer).await?;
            let data = serde_json::json!({
                "offer_id": offer.offer_id, "entry_id": entry.entry_id, "patient_id": entry.patient_id,
                "practitioner_id": practitioner_id, "start": slot.start(), "end": slot.end(), "priority": entry.priority,
            });
            events::publish(tx, organization_id, EventKind::WaitlistOffered, data).await?;
            let event = principal
                .audit("waitlist_offer.create", Outcome::Success)
                .entity("waitlist_offer", offer.offer_id)
                .patient(entry.patient_id);
            tx.append_audit(event).await?;
            offered += 1;
        }
        Ok(())
    }
}

async fn tx_offer(tx: &mut Tx, organization_id: Uuid, id: Uuid) -> ServiceResult<WaitlistOfferRow> {
    tx.waitlist_offer(organization_id, id)
        .await?
        .ok_or(ServiceError::NotFound("waitlist offer"))
}

/// Tells the live event stream that an entry changed: its ids and status.
async fn entry_changed(tx: &mut Tx, entry: &WaitlistEntryRow) -> ServiceResult<()> {
    let data = serde_json::json!({
        "entry_id": entry.entry_id, "patient_id": entry.patient_id, "status": entry.status,
        "appointment_id": entry.appointment_id, "version": entry.version,
    });
    events::publish(tx, entry.organization_id, EventKind::WaitlistUpdated, data).await
}
