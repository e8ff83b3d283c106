//! The live event stream: services publish what happened in an organization inside their transaction, and
//! subscribers (`GET /api/v1/events`) read it back in id order, live or resuming after a disconnect.

use std::future::Future;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use praxis_domain::access::Permission;
use praxis_domain::audit::Outcome;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use uuid::Uuid;

use super::access::Principal;
use super::audit::EventExt;
use super::error::{FieldIssue, ServiceError, ServiceResult};
use crate::config::Settings;
use crate::store::{DbTime, EventBounds, EventRow, Store, Tx};

/// How many events one read takes; a subscriber reads the next batch only once the last one is sent, so a
/// client that stops reading holds at most one batch in memory.
pub const BATCH: i64 = 100;
const PRUNE_EVERY: Duration = Duration::from_secs(60 * 60);

/// Declares the kinds with their wire names once: the enum, its serde names and `as_str` cannot drift.
macro_rules! event_kinds {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)+) => {
        /// What happened. The wire name is `<entity>.<what happened>`; add a kind by adding a line here.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum EventKind {
            $($(#[$doc])* #[serde(rename = $name)] $variant,)+
        }

        impl EventKind {
            pub const ALL: &[EventKind] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)+
                }
            }
        }
    };
}

event_kinds! {
    AppointmentBooked = "appointment.booked",
    /// Moved to another time, practitioner or resource, or otherwise changed.
    AppointmentUpdated = "appointment.updated",
    /// Checked in, started, completed, no-show.
    AppointmentStatusChanged = "appointment.status_changed",
    AppointmentCancelled = "appointment.cancelled",
    /// A freed slot was offered to someone on the waiting list.
    WaitlistOffered = "waitlist.offered",
    WaitlistUpdated = "waitlist.updated",
    QueueTicketIssued = "queue.ticket_issued",
    /// Called, served, skipped or cancelled.
    QueueTicketUpdated = "queue.ticket_updated",
}

/// Events are about the schedule and the queue, so reading them needs what reading those needs.
const PERMISSION: Permission = Permission::SchedulingRead;

/// Whether the principal may hold a stream open; judged again while it is open.
pub fn may_subscribe(principal: &Principal) -> bool {
    principal.allows(PERMISSION)
}

/// Records an event in the caller's transaction; subscribers see it once, and only if, the transaction
/// commits. Call it after the transaction's other writes, just before committing.
///
/// `data` must be a JSON object holding ids, times and statuses only (`appointment_id`, `start`,
/// `status`, …), never names, contact details, notes or any other personal data: every subscriber of
/// the organization receives it, events outlive erasures until they are pruned, and they are not
/// audited per reader. A subscriber that needs more reads the record through the API, which checks and
/// audits that read.
pub async fn publish(
    tx: &mut Tx,
    organization_id: Uuid,
    kind: EventKind,
    data: serde_json::Value,
) -> ServiceResult<()> {
    if !data.is_object() {
        return Err(ServiceError::Internal(format!(
            "the data of a {} event must be a JSON object",
            kind.as_str()
        )));
    }
    tx.insert_event(organization_id, kind.as_str(), &data.to_string(), DbTime::now())
        .await?;
    Ok(())
}

/// One event as subscribers receive it.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamEvent {
    pub id: i64,
    pub kind: String,
    pub occurred_at: Timestamp,
    pub data: serde_json::Value,
}

/// The resume point lies outside the events still kept: some may have been pruned (or the id is not one of
/// this organization's), so the client must reload what it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    pub last_event_id: i64,
    pub oldest_event_id: Option<i64>,
}

/// Where a client asks to resume, as it sent it: the parameter's name and its text.
#[derive(Debug, Clone)]
pub struct ResumeRequest {
    pub field: &'static str,
    pub value: String,
}

#[derive(Debug, Clone)]
pub struct EventService {
    store: Store,
    retention: SignedDuration,
    /// Turns true when the server shuts down; every stream and background task holds a receiver.
    closing: watch::Sender<bool>,
}

impl EventService {
    pub fn new(store: Store, settings: &Settings) -> Self {
        Self {
            store,
            retention: SignedDuration::from_hours(i64::from(settings.event_retention_hours)),
            closing: watch::Sender::new(false),
        }
    }

    /// 403, audited, unless the principal may subscribe.
    pub async fn authorize(&self, principal: &Principal) -> ServiceResult<()> {
        principal
            .require(&self.store, PERMISSION, "event_stream.open")
            .await
    }

    /// Opens a subscription for the principal's organization, audited once. Without a resume point it
    /// starts after the newest event, so only live ones follow; with one, every later event is replayed.
    pub async fn subscribe(
        &self,
        principal: &Principal,
        resume: Option<ResumeRequest>,
    ) -> ServiceResult<Subscription> {
        self.authorize(principal).await?;
        let requested = resume.map(parse_resume).transpose()?;
        // Subscribed before the newest id is read, so an event committed in between still wakes the stream.
        let wake = self.store.event_signal().subscribe();
        let organization_id = principal.organization_id;
        let mut tx = self.store.begin_write().await?;
        let bounds = tx.event_bounds(organization_id).await?;
        let opened = principal
            .audit("event_stream.open", Outcome::Success)
            .details(serde_json::json!({ "last_event_id": requested }));
        tx.append_audit(opened).await?;
        tx.commit().await?;
        let (position, gap) = resume_point(requested, bounds);
        Ok(Subscription {
            store: self.store.clone(),
            organization_id,
            position,
            gap,
            wake,
            closing: self.closing(),
        })
    }

    /// Deletes events older than the retention; answers how many. One short transaction per organization,
    /// so the embedded database's single writer is never held for long.
    pub async fn prune(&self) -> ServiceResult<u64> {
        let before = Timestamp::now()
            .checked_sub(self.retention)
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let mut tx = self.store.begin_read().await?;
        let organizations = tx.organization_ids().await?;
        tx.commit().await?;
        let mut pruned = 0;
        for organization_id in organizations {
            let mut tx = self.store.begin_write().await?;
            pruned += tx.prune_events(organization_id, DbTime::new(before)).await?;
            tx.commit().await?;
        }
        Ok(pruned)
    }

    /// The server's background work for events, until it closes: relaying other instances' events
    /// (PostgreSQL) and pruning every hour.
    pub async fn run_background(&self) {
        let relay = self.store.relay_event_notifications(self.closing().wait());
        tokio::join!(relay, self.prune_periodically());
    }

    async fn prune_periodically(&self) {
        let closing = self.closing();
        let mut every = tokio::time::interval(PRUNE_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = every.tick() => {}
                () = closing.clone().wait() => return,
            }
            match self.prune().await {
                Ok(0) => {}
                Ok(pruned) => tracing::info!(pruned, "pruned events past their retention"),
                Err(error) => tracing::warn!(%error, "could not prune events"),
            }
        }
    }

    /// Tells every open stream and the background work to stop.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves once every stream and background task has let go.
    pub fn closed(&self) -> impl Future<Output = ()> + '_ {
        self.closing.closed()
    }

    fn closing(&self) -> Closing {
        Closing(self.closing.subscribe())
    }
}

/// Resolves when the server begins to shut down.
#[derive(Debug, Clone)]
pub struct Closing(watch::Receiver<bool>);

impl Closing {
    pub async fn wait(mut self) {
        // A dropped sender means the service is gone: closing too.
        let _ = self.0.wait_for(|closing| *closing).await;
    }
}

fn parse_resume(resume: ResumeRequest) -> ServiceResult<i64> {
    match resume.value.trim().parse::<i64>() {
        Ok(id) if id >= 0 => Ok(id),
        _ => Err(ServiceError::Invalid(vec![FieldIssue::new(
            resume.field,
            "invalid_event_id",
            format!(
                "{} must be the id of an event received earlier (an integer, 0 or more)",
                resume.field
            ),
        )])),
    }
}

/// Where the stream starts and whether the client must be told of a gap. A resume point is trusted only
/// within the organization's kept events: below the oldest, events after it may have been pruned; above
/// the newest, it is not an id of this organization (another database, a restored backup).
fn resume_point(requested: Option<i64>, bounds: EventBounds) -> (i64, Option<Gap>) {
    let newest = bounds.newest.unwrap_or(0);
    let Some(requested) = requested else {
        return (newest, None);
    };
    let kept = match (bounds.oldest, bounds.newest) {
        (Some(oldest), Some(newest)) => (oldest..=newest).contains(&requested),
        _ => requested == 0,
    };
    if kept {
        return (requested, None);
    }
    let gap = Gap {
        last_event_id: requested,
        oldest_event_id: bounds.oldest,
    };
    (requested.min(newest), Some(gap))
}

/// One client's place in its organization's events.
#[derive(Debug)]
pub struct Subscription {
    store: Store,
    organization_id: Uuid,
    /// The id of the last event handed out.
    position: i64,
    gap: Option<Gap>,
    wake: watch::Receiver<()>,
    closing: Closing,
}

impl Subscription {
    /// The gap to announce before any event, once.
    pub fn take_gap(&mut self) -> Option<Gap> {
        self.gap.take()
    }

    /// The next events after the last one handed out, at most [`BATCH`]; empty when caught up.
    pub async fn next_batch(&mut self) -> ServiceResult<Vec<StreamEvent>> {
        let mut tx = self.store.begin_read().await?;
        let rows = tx
            .events_after(self.organization_id, self.position, BATCH)
            .await?;
        tx.commit().await?;
        let events = rows
            .into_iter()
            .map(stream_event)
            .collect::<ServiceResult<Vec<_>>>()?;
        if let Some(last) = events.last() {
            self.position = last.id;
        }
        Ok(events)
    }

    /// Resolves when events may have been committed since the last call (or since subscribing).
    pub async fn woken(&mut self) {
        if self.wake.changed().await.is_err() {
            // The store is gone; only closing can end the wait now.
            std::future::pending::<()>().await;
        }
    }

    /// Resolves when the server begins to shut down.
    pub fn closing(&self) -> Closing {
        self.closing.clone()
    }
}

fn stream_event(row: EventRow) -> ServiceResult<StreamEvent> {
    let data = serde_json::from_str(&row.data)
        .map_err(|e| ServiceError::Internal(format!("event {} holds malformed data: {e}", row.event_id)))?;
    Ok(StreamEvent {
        id: row.event_id,
        kind: row.kind,
        occurred_at: row.occurred_at.get(),
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(oldest: Option<i64>, newest: Option<i64>) -> EventBounds {
        EventBounds { oldest, newest }
    }

    #[test]
    fn without_a_resume_point_the_stream_starts_after_the_newest_event() {
        assert_eq!(resume_point(None, bounds(Some(3), Some(9))), (9, None));
        assert_eq!(resume_point(None, bounds(None, None)), (0, None));
    }

    #[test]
    fn a_resume_point_among_the_kept_events_replays_what_follows() {
        assert_eq!(resume_point(Some(3), bounds(Some(3), Some(9))), (3, None));
        assert_eq!(resume_point(Some(9), bounds(Some(3), Some(9))), (9, None));
        assert_eq!(resume_point(Some(0), bounds(None, None)), (0, None));
    }

    #[test]
    fn a_resume_point_before_the_oldest_kept_event_is_a_gap_and_replays_all_kept() {
        let gap = Gap {
            last_event_id: 2,
            oldest_event_id: Some(3),
        };
        assert_eq!(resume_point(Some(2), bounds(Some(3), Some(9))), (2, Some(gap)));
    }

    #[test]
    fn a_resume_point_the_organization_never_had_is_a_gap_and_continues_live() {
        let (position, gap) = resume_point(Some(12), bounds(Some(3), Some(9)));
        assert_eq!(position, 9);
        assert_eq!(gap.map(|gap| gap.last_event_id), Some(12));
        let (position, gap) = resume_point(Some(5), bounds(None, None));
        assert_eq!(position, 0);
        assert_eq!(gap.and_then(|gap| gap.oldest_event_id), None);
        assert!(gap.is_some());
    }

    #[test]
    fn resume_points_are_non_negative_integers() {
        let resume = |value: &str| {
            parse_resume(ResumeRequest {
                field: "last_event_id",
                value: value.to_owned(),
            })
        };
        assert_eq!(resume(" 42 ").unwrap(), 42);
        for bad in ["-1", "x", "", "1.5"] {
            let Err(ServiceError::Invalid(issues)) = resume(bad) else {
                panic!("{bad:?} is refused");
            };
            assert_eq!(issues[0].field, "last_event_id");
        }
    }

    #[test]
    fn every_kind_serializes_as_its_wire_name() {
        for kind in EventKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
            let back: EventKind = serde_json::from_value(kind.as_str().into()).unwrap();
            assert_eq!(back, *kind);
        }
        assert_eq!(EventKind::AppointmentBooked.as_str(), "appointment.booked");
    }
}
