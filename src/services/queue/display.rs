//! The waiting-room screen: read without signing in, with the queue's display token, and holding numbers and
//! desks only — never a name, a patient id or a reason.

use praxis_domain::queue::TicketStatus;
use serde::Serialize;
use utoipa::ToSchema;

use super::{ClinicNow, QueueService, clinic_now};
use crate::services::access::secrets::hash_token;
use crate::services::error::{ServiceError, ServiceResult};
use crate::store::{DbTime, TicketRow};

/// How many of the next waiting numbers a screen shows.
const NEXT_SHOWN: usize = 10;

/// What a waiting-room screen shows.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
#[schema(example = json!({
    "name": "Walk-in",
    "now_calling": [{"number": 7, "desk": "Desk 2", "status": "called"}, {"number": 6, "desk": "Desk 1", "status": "serving"}],
    "next_numbers": [8, 9, 10], "waiting": 3
}))]
pub struct QueueDisplay {
    /// The queue's name.
    pub name: String,
    /// The day's tickets at a desk, the most recently called first.
    pub now_calling: Vec<CalledTicket>,
    /// The next waiting numbers in the order they will be called, at most 10.
    pub next_numbers: Vec<i64>,
    /// How many tickets wait in all.
    pub waiting: usize,
}

/// A ticket at a desk, as the screen shows it.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
#[schema(example = json!({"number": 7, "desk": "Desk 2", "status": "called"}))]
pub struct CalledTicket {
    pub number: i64,
    pub desk: String,
    /// `called` (go to the desk now) or `serving`.
    pub status: String,
}

impl QueueService {
    /// The screen of the queue whose display token this is; 404 for any other token. Not audited: it holds
    /// nothing about anyone.
    pub async fn display(&self, token: &str) -> ServiceResult<QueueDisplay> {
        let not_found = || ServiceError::NotFound("queue display");
        let mut tx = self.store.begin_read().await?;
        let queue = tx
            .queue_by_display_token(&hash_token(token))
            .await?
            .ok_or_else(not_found)?;
        let ClinicNow { day, .. } = clinic_now(&mut tx, queue.organization_id).await?;
        let rows = tx
            .tickets_of_day(queue.organization_id, queue.queue_id, &day.to_string())
            .await?;
        tx.commit().await?;
        let status = |row: &TicketRow| row.status.parse::<TicketStatus>().ok();
        let mut at_desk: Vec<(DbTime, CalledTicket)> = rows
            .iter()
            .filter(|row| status(row).is_some_and(TicketStatus::at_desk))
            .filter_map(|row| {
                let called = CalledTicket {
                    number: row.number,
                    desk: row.desk.clone()?,
                    status: row.status.clone(),
                };
                Some((row.called_at?, called))
            })
            .collect();
        at_desk.sort_by(|(a_at, a), (b_at, b)| b_at.cmp(a_at).then(b.number.cmp(&a.number)));
        let waiting: Vec<i64> = rows
            .iter()
            .filter(|row| status(row) == Some(TicketStatus::Waiting))
            .map(|row| row.number)
            .collect();
        Ok(QueueDisplay {
            name: queue.name,
            now_calling: at_desk.into_iter().map(|(_, called)| called).collect(),
            next_numbers: waiting.iter().take(NEXT_SHOWN).copied().collect(),
            waiting: waiting.len(),
        })
    }
}
