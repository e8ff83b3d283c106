//! Recording to the audit trail, reading it, and verifying its hash chains.

use jiff::Timestamp;
use praxis_domain::access::Permission;
use praxis_domain::audit::{Actor, AuditEvent, ChainHash, ChainHead, Outcome, verify_chain_from};
use serde_json::Value;
use uuid::Uuid;

use super::access::{Principal, RequestMeta};
use super::error::{ServiceError, ServiceResult};
use super::page::{Listing, PageRequest};
use crate::store::{AuditFilter, AuditRow, DbTime, Store, StoreError};

/// An event about to be appended; the store assigns its sequence number and hash.
pub fn event(
    organization_id: Uuid,
    actor: Actor,
    actor_role: Option<String>,
    meta: &RequestMeta,
    action: &str,
    outcome: Outcome,
) -> AuditEvent {
    let mut event = AuditEvent::new(organization_id, 0, Timestamp::now(), actor, action, outcome);
    event.actor_role = actor_role;
    event.request_id = meta.request_id.clone();
    event.ip = meta.ip.clone();
    event.user_agent = meta.user_agent.clone();
    event
}

/// Builder steps for the optional parts of an event.
pub trait EventExt {
    fn entity(self, entity_type: &str, entity_id: impl ToString) -> Self;
    fn details(self, details: Value) -> Self;
    /// The patient whose record the event touched.
    fn patient(self, patient_id: Uuid) -> Self;
}

impl EventExt for AuditEvent {
    fn entity(mut self, entity_type: &str, entity_id: impl ToString) -> Self {
        self.entity_type = Some(entity_type.to_owned());
        self.entity_id = Some(entity_id.to_string());
        self
    }

    fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    fn patient(mut self, patient_id: Uuid) -> Self {
        self.patient_id = Some(patient_id);
        self
    }
}

/// Appends one event in a transaction of its own: for denials and failures, which change nothing else.
pub async fn record_alone(store: &Store, event: AuditEvent) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    tx.append_audit(event).await?;
    tx.commit().await
}

/// Lists the trail for an auditor, newest first. The listing is itself audited.
pub async fn list(
    store: &Store,
    principal: &Principal,
    mut filter: AuditFilter,
    page: &PageRequest,
) -> ServiceResult<Listing<AuditRow>> {
    principal
        .require(store, Permission::AuditRead, "audit_event.list")
        .await?;
    let spec = page.check::<i64>()?;
    filter.before_seq = spec.after;
    let mut tx = store.begin_write().await?;
    let rows = tx
        .audit_events(principal.organization_id, &filter, spec.read_limit())
        .await?;
    let listed = principal
        .audit("audit_event.list", Outcome::Success)
        .details(serde_json::json!({ "count": rows.len() }));
    tx.append_audit(listed).await?;
    tx.commit().await?;
    Ok(Listing::new(rows, &spec, |row: &AuditRow| row.seq))
}

/// The outcome of verifying one organization's chain.
#[derive(Debug)]
pub struct ChainReport {
    pub organization_id: Uuid,
    pub events: i64,
    pub outcome: Result<ChainHash, ChainBroken>,
}

#[derive(Debug, thiserror::Error)]
pub enum ChainBroken {
    #[error("{0}")]
    Link(#[from] praxis_domain::audit::BrokenLink),
    #[error(transparent)]
    Unreadable(#[from] crate::store::UnreadableEvent),
    #[error("the chain ends at event {found} but {recorded} were recorded: events after {found} are missing")]
    Truncated { found: i64, recorded: i64 },
    #[error("the chain's last hash differs from the recorded head at event {seq}")]
    HeadMismatch { seq: i64 },
}

const VERIFY_PAGE: i64 = 5_000;

/// Recomputes every organization's chain, page by page so memory stays flat however long the trail is.
pub async fn verify_all(store: &Store) -> ServiceResult<Vec<ChainReport>> {
    // One snapshot for the heads and the events, or an append during the run would look like tampering.
    let mut tx = store.begin_snapshot().await?;
    let organizations = tx.organization_ids().await?;
    let mut reports = Vec::with_capacity(organizations.len());
    for organization_id in organizations {
        let outcome = verify_one(&mut tx, organization_id).await?;
        reports.push(outcome);
    }
    tx.commit().await?;
    Ok(reports)
}

async fn verify_one(tx: &mut crate::store::Tx, organization_id: Uuid) -> ServiceResult<ChainReport> {
    let (recorded_seq, recorded_hash) = tx.audit_head(organization_id).await?;
    let mut head = ChainHead::EMPTY;
    let report = |events, outcome| ChainReport {
        organization_id,
        events,
        outcome,
    };
    loop {
        let rows = tx
            .audit_chain_page(organization_id, head.seq, VERIFY_PAGE)
            .await?;
        if rows.is_empty() {
            break;
        }
        // Row by row, so the first broken link is named whether it was altered, removed or unreadable.
        for row in &rows {
            let (event, stored) = match row.to_event() {
                Ok(pair) => pair,
                Err(unreadable) => return Ok(report(head.seq, Err(unreadable.into()))),
            };
            match verify_chain_from(head, [(&event, &stored)]) {
                Ok(next) => head = next,
                Err(broken) => return Ok(report(head.seq, Err(broken.into()))),
            }
        }
    }
    if head.seq != recorded_seq {
        return Ok(report(
            head.seq,
            Err(ChainBroken::Truncated {
                found: head.seq,
                recorded: recorded_seq,
            }),
        ));
    }
    if head.hash.to_string() != recorded_hash {
        return Ok(report(head.seq, Err(ChainBroken::HeadMismatch { seq: head.seq })));
    }
    Ok(report(head.seq, Ok(head.hash)))
}

/// Time bounds for listing, as stored.
pub fn bound(instant: Option<Timestamp>) -> Option<DbTime> {
    instant.map(DbTime::new)
}

impl From<crate::store::UnreadableEvent> for ServiceError {
    fn from(error: crate::store::UnreadableEvent) -> Self {
        Self::Internal(error.to_string())
    }
}
