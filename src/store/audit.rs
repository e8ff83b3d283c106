//! The audit trail: `audit_event` rows chained per organization, and `audit_head`, the chain's tip.
//!
//! Appending locks the organization's head row (an `update … returning`), so concurrent appends on
//! PostgreSQL take turns and the sequence stays gapless; on SQLite the single writer already serializes them.

use praxis_domain::audit::{Actor, AuditEvent, ChainHash, Outcome, chain_hash};
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::tx::on_conn;
use super::{DbTime, StoreError, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub organization_id: Uuid,
    pub seq: i64,
    pub occurred_at: DbTime,
    pub actor_kind: String,
    pub actor_id: Option<Uuid>,
    pub actor_role: Option<String>,
    pub action: String,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub patient_id: Option<Uuid>,
    pub outcome: String,
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub details: String,
    pub hash: String,
}

/// A stored row that no longer reads as an event: itself a sign of tampering.
#[derive(Debug, thiserror::Error)]
#[error("audit event {seq} cannot be read back: {reason}")]
pub struct UnreadableEvent {
    pub seq: i64,
    pub reason: String,
}

impl AuditRow {
    pub fn to_event(&self) -> Result<(AuditEvent, ChainHash), UnreadableEvent> {
        let unreadable = |reason: String| UnreadableEvent {
            seq: self.seq,
            reason,
        };
        let actor = match (self.actor_kind.as_str(), self.actor_id) {
            ("user", Some(id)) => Actor::User { id },
            ("api_key", Some(id)) => Actor::ApiKey { id },
            ("anonymous", None) => Actor::Anonymous,
            ("system", None) => Actor::System,
            (kind, _) => return Err(unreadable(format!("unknown actor {kind:?}"))),
        };
        let outcome = match self.outcome.as_str() {
            "success" => Outcome::Success,
            "denied" => Outcome::Denied,
            "failure" => Outcome::Failure,
            other => return Err(unreadable(format!("unknown outcome {other:?}"))),
        };
        let details = serde_json::from_str(&self.details).map_err(|e| unreadable(e.to_string()))?;
        let hash = self
            .hash
            .parse()
            .map_err(|_| unreadable("malformed hash".to_owned()))?;
        let event = AuditEvent {
            organization_id: self.organization_id,
            seq: self.seq,
            occurred_at: self.occurred_at.get(),
            actor,
            actor_role: self.actor_role.clone(),
            action: self.action.clone(),
            entity_type: self.entity_type.clone(),
            entity_id: self.entity_id.clone(),
            patient_id: self.patient_id,
            outcome,
            request_id: self.request_id.clone(),
            ip: self.ip.clone(),
            user_agent: self.user_agent.clone(),
            details,
        };
        Ok((event, hash))
    }
}

/// What an auditor may narrow the trail to; `None` leaves a field open.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_id: Option<Uuid>,
    pub action: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub patient_id: Option<Uuid>,
    pub from: Option<DbTime>,
    pub to: Option<DbTime>,
    /// Newest first: only events with a lower sequence number than this.
    pub before_seq: Option<i64>,
}

const COLUMNS: &str =
    "organization_id, seq, occurred_at, actor_kind, actor_id, actor_role, action, entity_type,
    entity_id, patient_id, outcome, request_id, ip, user_agent, details, hash";

impl Tx {
    /// Appends the event to its organization's chain; `event.seq` is assigned here. Returns the stored event.
    pub async fn append_audit(&mut self, mut event: AuditEvent) -> Result<AuditEvent, StoreError> {
        let (seq, prev): (i64, String) = on_conn!(self, |conn| sqlx::query_as(
            "update audit_head set seq = seq + 1 where organization_id = $1 returning seq, hash"
        )
        .bind(event.organization_id)
        .fetch_one(conn)
        .await?);
        event.seq = seq;
        let prev: ChainHash = prev.parse().map_err(|_| {
            StoreError::Corrupt(format!(
                "the audit chain head of an organization is malformed at {seq}"
            ))
        })?;
        let hash = chain_hash(&prev, &event).to_string();
        let details = event.details.to_string();
        let occurred_at = DbTime::new(event.occurred_at);
        on_conn!(self, |conn| {
            sqlx::query(
                "insert into audit_event (organization_id, seq, occurred_at, actor_kind, actor_id, actor_role,
                 action, entity_type, entity_id, patient_id, outcome, request_id, ip, user_agent, details, hash)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            )
            .bind(event.organization_id)
            .bind(seq)
            .bind(occurred_at)
            .bind(event.actor.kind())
            .bind(event.actor.id())
            .bind(&event.actor_role)
            .bind(&event.action)
            .bind(&event.entity_type)
            .bind(&event.entity_id)
            .bind(event.patient_id)
            .bind(event.outcome.as_str())
            .bind(&event.request_id)
            .bind(&event.ip)
            .bind(&event.user_agent)
            .bind(&details)
            .bind(&hash)
            .execute(&mut *conn)
            .await?;
            sqlx::query("update audit_head set hash = $2 where organization_id = $1")
                .bind(event.organization_id)
                .bind(&hash)
                .execute(&mut *conn)
                .await?;
        });
        Ok(event)
    }

    /// The trail for an auditor, newest first.
    pub async fn audit_events(
        &mut self,
        organization_id: Uuid,
        filter: &AuditFilter,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        Ok(on_conn!(self, |conn| {
            let mut query = QueryBuilder::new(format!(
                "select {COLUMNS} from audit_event where organization_id = "
            ));
            query.push_bind(organization_id);
            if let Some(actor_id) = filter.actor_id {
                query.push(" and actor_id = ").push_bind(actor_id);
            }
            if let Some(action) = &filter.action {
                query.push(" and action = ").push_bind(action.clone());
            }
            if let Some(entity_type) = &filter.entity_type {
                query.push(" and entity_type = ").push_bind(entity_type.clone());
            }
            if let Some(entity_id) = &filter.entity_id {
                query.push(" and entity_id = ").push_bind(entity_id.clone());
            }
            if let Some(patient_id) = filter.patient_id {
                query.push(" and patient_id = ").push_bind(patient_id);
            }
            if let Some(from) = filter.from {
                query.push(" and occurred_at >= ").push_bind(from);
            }
            if let Some(to) = filter.to {
                query.push(" and occurred_at < ").push_bind(to);
            }
            if let Some(before) = filter.before_seq {
                query.push(" and seq < ").push_bind(before);
            }
            query.push(" order by seq desc limit ").push_bind(limit);
            query.build_query_as().fetch_all(conn).await?
        }))
    }

    /// One page of an organization's chain in sequence order, for verification.
    pub async fn audit_chain_page(
        &mut self,
        organization_id: Uuid,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let sql = format!(
            "select {COLUMNS} from audit_event where organization_id = $1 and seq > $2 order by seq limit $3"
        );
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(after_seq)
            .bind(limit)
            .fetch_all(conn)
            .await?))
    }

    /// The recorded tip of the chain: the last sequence number handed out and its hash.
    pub async fn audit_head(&mut self, organization_id: Uuid) -> Result<(i64, String), StoreError> {
        Ok(on_conn!(self, |conn| sqlx::query_as(
            "select seq, hash from audit_head where organization_id = $1"
        )
        .bind(organization_id)
        .fetch_one(conn)
        .await?))
    }
}
