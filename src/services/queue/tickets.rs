//! Tickets: issuing them numbered per queue and day, reading the day's with positions and estimated waits,
//! calling the next one, and moving them on through their statuses.

use praxis_domain::access::Permission;
use praxis_domain::audit::{AuditEvent, Outcome};
use praxis_domain::queue::{Label, TicketStatus};
use uuid::Uuid;

use super::input::{CallNext, NewTicket, StatusChange};
use super::reasons::REASON;
use super::view::{Place, TicketView, places, status_of, view};
use super::{ClinicNow, QueueService, clinic_now, configured_average, queue_row};
use crate::services::access::Principal;
use crate::services::access::users::check_version;
use crate::services::audit::EventExt;
use crate::services::error::{FieldIssue, ServiceError, ServiceResult};
use crate::services::events::{self, EventKind};
use crate::store::{DbTime, QueueRow, TicketRow, Tx, is_unique_violation};

impl QueueService {
    /// Issues the next number of the queue's day. Returns the ticket with its position and estimated wait.
    pub async fn issue(
        &self,
        principal: &Principal,
        queue_id: Uuid,
        input: NewTicket,
    ) -> ServiceResult<TicketView> {
        principal
            .require(&self.store, Permission::SchedulingWrite, "queue_ticket.issue")
            .await?;
        let ticket = input.check()?;
        let organization_id = principal.organization_id;
        let mut tx = self.store.begin_write().await?;
        let queue = queue_row(&mut tx, organization_id, queue_id).await?;
        let clock = clinic_now(&mut tx, organization_id).await?;
        let patient_key = match ticket.patient_id {
            Some(patient_id) => Some(
                self.live_patient_key(&mut tx, organization_id, patient_id)
                    .await?,
            ),
            None => None,
        };
        let day = clock.day.to_string();
        let number = tx
            .next_ticket_number(organization_id, queue_id, &day)
            .await?
            .ok_or(ServiceError::NotFound("queue"))?;
        let reason = ticket.reason.as_ref().map(Label::as_str);
        let row = TicketRow {
            ticket_id: Uuid::now_v7(),
            organization_id,
            queue_id,
            service_day: day.clone(),
            number,
            patient_id: ticket.patient_id,
            reason: reason.filter(|_| patient_key.is_none()).map(str::to_owned),
            reason_sealed: patient_key
                .as_ref()
                .and_then(|key| reason.map(|reason| key.seal_str(REASON, reason))),
            status: TicketStatus::Waiting.as_str().to_owned(),
            desk: None,
            issued_at: clock.now,
            called_at: None,
            serving_at: None,
            finished_at: None,
            version: 1,
            updated_at: clock.now,
        };
        match tx.insert_ticket(&row).await {
            // The queue's counter hands out each number once; this happens only when the counter and the
            // stored tickets disagree, and the next try counts on from the day's tickets.
            Err(error) if is_unique_violation(&error) => {
                return Err(ServiceError::Conflict(
                    "this ticket number was just taken; issue the ticket again".to_owned(),
                ));
            }
            other => other?,
        }
        let event = ticket_event(principal, "queue_ticket.issue", &row).details(serde_json::json!({
            "queue_id": queue_id, "number": number, "day": day, "reason": reason.is_some(),
        }));
        tx.append_audit(event).await?;
        let place = place_today(&mut tx, &queue, &row, clock).await?;
        announce(&mut tx, EventKind::QueueTicketIssued, &row).await?;
        tx.commit().await?;
        Ok(view(&row, reason.map(str::to_owned), place))
    }

    /// The queue's tickets of the organization's current day by number, all or those with `status`, with
    /// the positions and estimated waits of the waiting ones. Tickets naming patients make this a read of
    /// patient data: one audit event names them all.
    pub async fn tickets(
        &self,
        principal: &Principal,
        queue_id: Uuid,
        status: Option<&str>,
    ) -> ServiceResult<Vec<TicketView>> {
        principal
            .require(&self.store, Permission::SchedulingRead, "queue_ticket.list")
            .await?;
        let status = status
            .map(|status| {
                status.parse::<TicketStatus>().map_err(|e| {
                    ServiceError::Invalid(vec![FieldIssue::new("status", e.code(), e.to_string())])
                })
            })
            .transpose()?;
        let organization_id = principal.organization_id;
        let mut tx = self.store.begin_write().await?;
        let queue = queue_row(&mut tx, organization_id, queue_id).await?;
        let ClinicNow { now, day } = clinic_now(&mut tx, organization_id).await?;
        let rows = tx
            .tickets_of_day(organization_id, queue_id, &day.to_string())
            .await?;
        let places = places(&rows, configured_average(&queue), now.get())?;
        let shown: Vec<(&TicketRow, Option<Place>)> = rows
            .iter()
            .zip(places)
            .filter(|(row, _)| status.is_none_or(|status| status.as_str() == row.status))
            .collect();
        let opened: Vec<&TicketRow> = shown.iter().map(|(row, _)| *row).collect();
        let reasons = self.reasons(&mut tx, organization_id, &opened).await?;
        let views: Vec<TicketView> = shown
            .into_iter()
            .zip(reasons)
            .map(|((row, place), reason)| view(row, reason, place))
            .collect();
        let mut patient_ids: Vec<Uuid> = views.iter().filter_map(|view| view.patient_id).collect();
        patient_ids.sort_unstable();
        patient_ids.dedup();
        if !patient_ids.is_empty() {
            let event = principal
                .audit("queue_ticket.list", Outcome::Success)
                .entity("queue", queue_id)
                .details(serde_json::json!({ "patient_ids": patient_ids }));
            tx.append_audit(event).await?;
        }
        tx.commit().await?;
        Ok(views)
    }

    /// One ticket of the queue, of any day; with its place when it waits today. Audited when it names a
    /// patient.
    pub async fn ticket(
        &self,
        principal: &Principal,
        queue_id: Uuid,
        ticket_id: Uuid,
    ) -> ServiceResult<TicketView> {
        principal
            .require(&self.store, Permission::SchedulingRead, "queue_ticket.read")
            .await?;
        let organization_id = principal.organization_id;
        let mut tx = self.store.begin_write().await?;
        let queue = queue_row(&mut tx, organization_id, queue_id).await?;
        let row = ticket_row(&mut tx, organization_id, queue_id, ticket_id).await?;
        let clock = clinic_now(&mut tx, organization_id).await?;
        let place = place_today(&mut tx, &queue, &row, clock).await?;
        let reason = self.reason(&mut tx, &row).await?;
        if row.patient_id.is_some() {
            tx.append_audit(ticket_event(principal, "queue_ticket.read", &row))
                .await?;
        }
        tx.commit().await?;
        Ok(view(&row, reason, place))
    }

    /// Hands the day's oldest waiting ticket to `desk`; None when nobody waits. Desks calling at the same
    /// moment each get a different ticket.
    pub async fn call_next(
        &self,
        principal: &Principal,
        queue_id: Uuid,
        input: CallNext,
    ) -> ServiceResult<Option<TicketView>> {
        principal
            .require(&self.store, Permission::SchedulingWrite, "queue_ticket.call_next")
            .await?;
        let desk = input.check()?;
        let organization_id = principal.organization_id;
        let mut tx = self.store.begin_write().await?;
        queue_row(&mut tx, organization_id, queue_id).await?;
        let ClinicNow { now, day } = clinic_now(&mut tx, organization_id).await?;
        let called = tx
            .call_next_ticket(organization_id, queue_id, &day.to_string(), desk.as_str(), now)
            .await?;
        let Some(row) = called else {
            tx.commit().await?;
            return Ok(None);
        };
        let event = change_event(principal, "queue_ticket.call_next", &row, TicketStatus::Waiting);
        tx.append_audit(event).await?;
        let reason = self.reason(&mut tx, &row).await?;
        announce(&mut tx, EventKind::QueueTicketUpdated, &row).await?;
        tx.commit().await?;
        Ok(Some(view(&row, reason, None)))
    }

    /// Moves a ticket on: called → serving → done, called or waiting → no_show, waiting → cancelled, or
    /// calls a called ticket again (to `desk`, or to its own). Anything else is a conflict naming both ends;
    /// `expected_version` (from `If-Match`) guards against acting on a ticket another desk just changed.
    pub async fn change_status(
        &self,
        principal: &Principal,
        (queue_id, ticket_id): (Uuid, Uuid),
        input: StatusChange,
        expected_version: Option<i64>,
    ) -> ServiceResult<TicketView> {
        principal
            .require(
                &self.store,
                Permission::SchedulingWrite,
                "queue_ticket.status_change",
            )
            .await?;
        let (to, desk) = input.check()?;
        let organization_id = principal.organization_id;
        let mut tx = self.store.begin_write().await?;
        queue_row(&mut tx, organization_id, queue_id).await?;
        let mut row = ticket_row(&mut tx, organization_id, queue_id, ticket_id).await?;
        check_version(row.version, expected_version)?;
        let from = status_of(&row)?;
        from.check_change(to)
            .map_err(|refused| ServiceError::Conflict(refused.to_string()))?;
        let now = DbTime::now();
        match to {
            TicketStatus::Called => {
                row.called_at = Some(now);
                row.desk = desk.map(String::from).or(row.desk);
            }
            TicketStatus::Serving => row.serving_at = Some(now),
            TicketStatus::Done | TicketStatus::NoShow | TicketStatus::Cancelled => {
                row.finished_at = Some(now)
            }
            TicketStatus::Waiting => {}
        }
        row.status = to.as_str().to_owned();
        row.version += 1;
        row.updated_at = now;
        if !tx.update_ticket_status(&row).await? {
            return Err(ServiceError::Conflict(
                "another desk changed this ticket at the same moment; read it again".to_owned(),
            ));
        }
        let event = change_event(principal, "queue_ticket.status_change", &row, from);
        tx.append_audit(event).await?;
        let reason = self.reason(&mut tx, &row).await?;
        announce(&mut tx, EventKind::QueueTicketUpdated, &row).await?;
        tx.commit().await?;
        Ok(view(&row, reason, None))
    }

    /// One ticket's reason, opened.
    async fn reason(&self, tx: &mut Tx, row: &TicketRow) -> ServiceResult<Option<String>> {
        let organization_id = row.organization_id;
        Ok(self.reasons(tx, organization_id, &[row]).await?.pop().flatten())
    }
}

async fn ticket_row(
    tx: &mut Tx,
    organization_id: Uuid,
    queue_id: Uuid,
    ticket_id: Uuid,
) -> ServiceResult<TicketRow> {
    tx.ticket(organization_id, queue_id, ticket_id)
        .await?
        .ok_or(ServiceError::NotFound("ticket"))
}

/// The ticket's place in the queue when it waits today; None otherwise.
async fn place_today(
    tx: &mut Tx,
    queue: &QueueRow,
    row: &TicketRow,
    clock: ClinicNow,
) -> ServiceResult<Option<Place>> {
    let day = clock.day.to_string();
    if row.service_day != day || row.status != TicketStatus::Waiting.as_str() {
        return Ok(None);
    }
    let rows = tx.tickets_of_day(row.organization_id, row.queue_id, &day).await?;
    let places = places(&rows, configured_average(queue), clock.now.get())?;
    Ok(rows
        .iter()
        .zip(places)
        .find(|(other, _)| other.ticket_id == row.ticket_id)
        .and_then(|(_, place)| place))
}

/// An event about a ticket, under its patient when it names one.
fn ticket_event(principal: &Principal, action: &str, row: &TicketRow) -> AuditEvent {
    let mut event = principal
        .audit(action, Outcome::Success)
        .entity("queue_ticket", row.ticket_id);
    event.patient_id = row.patient_id;
    event
}

/// The event of a ticket's change from `from` to its current status.
fn change_event(principal: &Principal, action: &str, row: &TicketRow, from: TicketStatus) -> AuditEvent {
    ticket_event(principal, action, row).details(serde_json::json!({
        "queue_id": row.queue_id, "number": row.number, "day": row.service_day,
        "from": from.as_str(), "to": row.status, "desk": row.desk,
    }))
}

/// Tells the live event stream about a ticket: its number, status and desk, never its patient or reason,
/// as the waiting-room screen shows it.
async fn announce(tx: &mut Tx, kind: EventKind, row: &TicketRow) -> ServiceResult<()> {
    let data = serde_json::json!({
        "queue_id": row.queue_id, "ticket_id": row.ticket_id, "number": row.number, "status": row.status,
        "desk": row.desk, "version": row.version,
    });
    events::publish(tx, row.organization_id, kind, data).await
}
