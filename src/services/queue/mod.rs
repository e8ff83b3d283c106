//! The walk-in queue: people take a numbered ticket at the door, desks call the numbers in order, and a
//! waiting-room screen shows who is called where, without a name ever appearing.
//!
//! Queues are scheduling records (`scheduling:read` and `scheduling:write`). Every change is audited; a list
//! of tickets that name patients is a read of patient data and is audited with their ids. The methods that
//! change a ticket return it, so that a change can be published to live subscribers.

mod display;
mod input;
mod reasons;
mod tickets;
mod view;

use std::sync::Arc;

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use praxis_domain::access::Permission;
use praxis_domain::audit::Outcome;
use praxis_domain::organization::TimeZoneName;
use praxis_domain::queue::{Label, service_day};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

pub use display::{CalledTicket, QueueDisplay};
pub use input::{CallNext, NewQueue, NewTicket, QueueChanges, StatusChange};
pub use view::TicketView;

use super::access::Principal;
use super::access::secrets::{hash_token, random_secret};
use super::access::users::check_version;
use super::audit::EventExt;
use super::error::{ServiceError, ServiceResult};
use super::page::{Listing, PageRequest};
use crate::crypto::LiveKeys;
use crate::store::{DbTime, QueueRow, Store, Tx, is_unique_violation};
use input::ValidQueue;

/// Where a waiting-room screen reads its queue, followed by the token.
pub const DISPLAY_PATH: &str = "/api/v1/queue-displays/";

/// A queue as staff see it.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
#[schema(example = json!({
    "id": "0193b1f4-7a10-7c3e-9a43-2f0f6f8e4b11", "name": "Walk-in", "location": "Ground floor",
    "average_service_minutes": 10,
    "display_token": "5f0c8e3a9b7d4c2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e",
    "display_path": "/api/v1/queue-displays/5f0c8e3a9b7d4c2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e",
    "version": 1, "created_at": "2026-11-23T08:00:00Z", "updated_at": "2026-11-23T08:00:00Z"
}))]
pub struct QueueView {
    pub id: Uuid,
    pub name: String,
    pub location: Option<String>,
    /// Minutes per person used for estimates until the day has finished tickets of its own.
    pub average_service_minutes: i64,
    /// The waiting-room screen's token. Only in the answers to creating the queue and to rotating the token:
    /// Praxis keeps only a hash of it, so it cannot be shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_token: Option<String>,
    /// The screen's address on this server, with the token; present with `display_token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_path: Option<String>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl QueueView {
    fn from_row(row: &QueueRow, display_token: Option<String>) -> Self {
        Self {
            id: row.queue_id,
            name: row.name.clone(),
            location: row.location.clone(),
            average_service_minutes: row.average_service_minutes,
            display_path: display_token
                .as_ref()
                .map(|token| format!("{DISPLAY_PATH}{token}")),
            display_token,
            version: row.version,
            created_at: row.created_at.get(),
            updated_at: row.updated_at.get(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct QueueService {
    store: Store,
    keys: Arc<LiveKeys>,
}

/// The organization's clock: the instant of the request and the day it falls on where the clinic is.
#[derive(Debug, Clone, Copy)]
struct ClinicNow {
    now: DbTime,
    day: Date,
}

impl QueueService {
    pub fn new(store: Store, keys: Arc<LiveKeys>) -> Self {
        Self { store, keys }
    }

    pub async fn create(&self, principal: &Principal, input: NewQueue) -> ServiceResult<QueueView> {
        principal
            .require(&self.store, Permission::SchedulingWrite, "queue.create")
            .await?;
        let queue = input.check()?;
        let token = random_secret()?;
        let now = DbTime::now();
        let mut row = QueueRow {
            queue_id: Uuid::now_v7(),
            organization_id: principal.organization_id,
            name: String::new(),
            location: None,
            average_service_minutes: 0,
            display_token_hash: hash_token(&token),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        set_fields(&mut row, queue);
        let mut tx = self.store.begin_write().await?;
        match tx.insert_queue(&row).await {
            Err(error) if is_unique_violation(&error) => return Err(duplicate_name()),
            other => other?,
        }
        let event = principal
            .audit("queue.create", Outcome::Success)
            .entity("queue", row.queue_id);
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(QueueView::from_row(&row, Some(token)))
    }

    pub async fn list(&self, principal: &Principal, page: &PageRequest) -> ServiceResult<Listing<QueueView>> {
        principal
            .require(&self.store, Permission::SchedulingRead, "queue.list")
            .await?;
        let spec = page.check::<Uuid>()?;
        let mut tx = self.store.begin_read().await?;
        let rows = tx
            .queues(principal.organization_id, spec.after, spec.read_limit())
            .await?;
        tx.commit().await?;
        let views = rows.iter().map(|row| QueueView::from_row(row, None)).collect();
        Ok(Listing::new(views, &spec, |view: &QueueView| view.id))
    }

    pub async fn read(&self, principal: &Principal, queue_id: Uuid) -> ServiceResult<QueueView> {
        principal
            .require(&self.store, Permission::SchedulingRead, "queue.read")
            .await?;
        let mut tx = self.store.begin_read().await?;
        let row = queue_row(&mut tx, principal.organization_id, queue_id).await?;
        tx.commit().await?;
        Ok(QueueView::from_row(&row, None))
    }

    /// Changes a queue's settings; `expected_version` (from `If-Match`) guards against lost updates.
    pub async fn update(
        &self,
        principal: &Principal,
        queue_id: Uuid,
        changes: QueueChanges,
        expected_version: Option<i64>,
    ) -> ServiceResult<QueueView> {
        principal
            .require(&self.store, Permission::SchedulingWrite, "queue.update")
            .await?;
        let mut tx = self.store.begin_write().await?;
        let mut row = queue_row(&mut tx, principal.organization_id, queue_id).await?;
        check_version(row.version, expected_version)?;
        let queue = changes.apply(&stored_queue(&row)?)?;
        let before = row.clone();
        set_fields(&mut row, queue);
        let changed: Vec<&str> = [
            ("name", before.name != row.name),
            ("location", before.location != row.location),
            (
                "average_service_minutes",
                before.average_service_minutes != row.average_service_minutes,
            ),
        ]
        .into_iter()
        .filter_map(|(field, changed)| changed.then_some(field))
        .collect();
        if changed.is_empty() {
            tx.commit().await?;
            return Ok(QueueView::from_row(&row, None));
        }
        let event = principal
            .audit("queue.update", Outcome::Success)
            .entity("queue", queue_id)
            .details(serde_json::json!({ "fields": changed }));
        self.write_queue(tx, &mut row, event).await?;
        Ok(QueueView::from_row(&row, None))
    }

    /// Gives the queue a new display token; the old one stops working at once (a screen was lost, or the
    /// address was shared too widely). The new token is in the answer, and only there.
    pub async fn rotate_display_token(
        &self,
        principal: &Principal,
        queue_id: Uuid,
    ) -> ServiceResult<QueueView> {
        principal
            .require(
                &self.store,
                Permission::SchedulingWrite,
                "queue.display_token_rotate",
            )
            .await?;
        let token = random_secret()?;
        let mut tx = self.store.begin_write().await?;
        let mut row = queue_row(&mut tx, principal.organization_id, queue_id).await?;
        row.display_token_hash = hash_token(&token);
        let event = principal
            .audit("queue.display_token_rotate", Outcome::Success)
            .entity("queue", queue_id);
        self.write_queue(tx, &mut row, event).await?;
        Ok(QueueView::from_row(&row, Some(token)))
    }

    /// Stores a changed queue as its next version with its audit event, and commits.
    async fn write_queue(
        &self,
        mut tx: Tx,
        row: &mut QueueRow,
        event: praxis_domain::audit::AuditEvent,
    ) -> ServiceResult<()> {
        row.version += 1;
        row.updated_at = DbTime::now();
        match tx.update_queue(row).await {
            Err(error) if is_unique_violation(&error) => return Err(duplicate_name()),
            Ok(false) => {
                return Err(ServiceError::StaleVersion {
                    current: row.version - 1,
                });
            }
            other => other.map(drop)?,
        }
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The organization's queue, or 404.
async fn queue_row(tx: &mut Tx, organization_id: Uuid, queue_id: Uuid) -> ServiceResult<QueueRow> {
    tx.queue(organization_id, queue_id)
        .await?
        .ok_or(ServiceError::NotFound("queue"))
}

/// The current instant and the organization's day at it.
async fn clinic_now(tx: &mut Tx, organization_id: Uuid) -> ServiceResult<ClinicNow> {
    let organization = tx
        .organization(organization_id)
        .await?
        .ok_or(ServiceError::NotFound("organization"))?;
    let zone = organization
        .time_zone
        .parse::<TimeZoneName>()
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    let now = DbTime::now();
    Ok(ClinicNow {
        now,
        day: service_day(now.get(), &zone.time_zone()),
    })
}

/// The queue's configured average service time.
fn configured_average(row: &QueueRow) -> SignedDuration {
    SignedDuration::from_mins(row.average_service_minutes)
}

fn set_fields(row: &mut QueueRow, queue: ValidQueue) {
    row.name = queue.name.into();
    row.location = queue.location.map(String::from);
    row.average_service_minutes = queue.average_service_minutes;
}

/// The stored settings as valid values; they were checked when written.
fn stored_queue(row: &QueueRow) -> ServiceResult<ValidQueue> {
    let corrupt = |e: praxis_domain::queue::LabelError| ServiceError::Internal(format!("stored queue: {e}"));
    Ok(ValidQueue {
        name: Label::parse(&row.name, Label::NAME_MAX).map_err(corrupt)?,
        location: row
            .location
            .as_deref()
            .map(|location| Label::parse(location, Label::LOCATION_MAX))
            .transpose()
            .map_err(corrupt)?,
        average_service_minutes: row.average_service_minutes,
    })
}

fn duplicate_name() -> ServiceError {
    ServiceError::Conflict("the organization has a queue with this name already".to_owned())
}
