//! A ticket as staff see it, with the place of a waiting one: its position and estimated wait.

use jiff::{SignedDuration, Timestamp};
use praxis_domain::queue::{DeskActivity, TicketStatus, WaitEstimate, active_desks};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::services::error::{ServiceError, ServiceResult};
use crate::store::TicketRow;

/// A waiting ticket's place: its position and estimated wait in minutes.
pub(super) type Place = (u32, i64);

/// A ticket as staff see it. The waiting-room screen shows none of this but the number and the desk.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
#[schema(example = json!({
    "id": "0193b1f4-8b20-7c3e-9a43-2f0f6f8e4b11", "queue_id": "0193b1f4-7a10-7c3e-9a43-2f0f6f8e4b11",
    "number": 7, "day": "2026-11-23", "status": "waiting",
    "patient_id": "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11", "reason": "Prescription", "desk": null,
    "position": 3, "estimated_wait_minutes": 24, "issued_at": "2026-11-23T09:12:00Z",
    "called_at": null, "serving_at": null, "finished_at": null, "version": 1
}))]
pub struct TicketView {
    pub id: Uuid,
    pub queue_id: Uuid,
    /// 1 for the day's first ticket of the queue.
    pub number: i64,
    /// The organization's day the ticket was issued on (in its time zone), ISO 8601.
    #[schema(format = Date)]
    pub day: String,
    /// `waiting`, `called`, `serving`, `done`, `no_show` or `cancelled`.
    pub status: String,
    pub patient_id: Option<Uuid>,
    /// Absent when none was given, or when the patient's data was erased.
    pub reason: Option<String>,
    /// The desk that called the ticket.
    pub desk: Option<String>,
    /// For a waiting ticket: 1 when it is next.
    pub position: Option<u32>,
    /// For a waiting ticket: position × the average service time of the day's finished tickets (the
    /// queue's `average_service_minutes` before there are any) ÷ the desks active lately; rounded up.
    pub estimated_wait_minutes: Option<i64>,
    pub issued_at: Timestamp,
    pub called_at: Option<Timestamp>,
    pub serving_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub version: i64,
}

pub(super) fn status_of(row: &TicketRow) -> ServiceResult<TicketStatus> {
    row.status
        .parse()
        .map_err(|e| ServiceError::Internal(format!("stored ticket status: {e}")))
}

/// The place of each of a day's tickets (in number order) that is waiting, None for the others.
pub(super) fn places(
    rows: &[TicketRow],
    configured: SignedDuration,
    now: Timestamp,
) -> ServiceResult<Vec<Option<Place>>> {
    let statuses = rows.iter().map(status_of).collect::<ServiceResult<Vec<_>>>()?;
    let finished: Vec<SignedDuration> = rows
        .iter()
        .zip(&statuses)
        .filter(|(_, status)| **status == TicketStatus::Done)
        .filter_map(|(row, _)| Some(row.finished_at?.get().duration_since(row.called_at?.get())))
        .collect();
    let activity = rows.iter().zip(&statuses).filter_map(|(row, status)| {
        Some(DeskActivity {
            desk: row.desk.as_deref()?,
            status: *status,
            called_at: row.called_at?.get(),
        })
    });
    let estimate = WaitEstimate::new(&finished, configured, active_desks(activity, now));
    let mut position = 0;
    Ok(statuses
        .iter()
        .map(|status| {
            (*status == TicketStatus::Waiting).then(|| {
                position += 1;
                (position, estimate.wait_minutes(position))
            })
        })
        .collect())
}

pub(super) fn view(row: &TicketRow, reason: Option<String>, place: Option<Place>) -> TicketView {
    TicketView {
        id: row.ticket_id,
        queue_id: row.queue_id,
        number: row.number,
        day: row.service_day.clone(),
        status: row.status.clone(),
        patient_id: row.patient_id,
        reason,
        desk: row.desk.clone(),
        position: place.map(|(position, _)| position),
        estimated_wait_minutes: place.map(|(_, minutes)| minutes),
        issued_at: row.issued_at.get(),
        called_at: row.called_at.map(|at| at.get()),
        serving_at: row.serving_at.map(|at| at.get()),
        finished_at: row.finished_at.map(|at| at.get()),
        version: row.version,
    }
}
