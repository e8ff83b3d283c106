//! The audit trail, for auditors.

use axum::Json;
use axum::extract::State;
use jiff::Timestamp;
use praxis_domain::audit::Actor;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::page::Page;
use crate::http::extract::ApiQuery;
use crate::http::problem::{ApiError, Problem};
use crate::services::access::Principal;
use crate::services::audit::{self, bound};
use crate::services::page::PageRequest;
use crate::store::{AuditFilter, AuditRow, Store};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only events by this user or API key.
    actor_id: Option<Uuid>,
    /// Only this action, e.g. `auth.login`.
    action: Option<String>,
    /// Only events about this kind of record, e.g. `user`.
    entity_type: Option<String>,
    /// Only events about this record.
    entity_id: Option<String>,
    /// Only events about this patient.
    patient_id: Option<Uuid>,
    /// From this instant (inclusive).
    from: Option<Timestamp>,
    /// Until this instant (exclusive).
    to: Option<Timestamp>,
    /// How many events to return, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// One event of the trail, with its place in the organization's hash chain.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "seq": 42, "occurred_at": "2026-11-23T09:00:00.123456Z", "actor": {"kind": "user", "id": "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11"},
    "actor_role": "admin", "action": "user.create", "entity_type": "user", "entity_id": "0193b1f4-6666-7c3e-9a43-2f0f6f8e4b11",
    "patient_id": null, "outcome": "success", "request_id": "0193b1f4-7777-7c3e-9a43-2f0f6f8e4b11", "ip": "10.0.0.7",
    "user_agent": "Mozilla/5.0", "details": {"fields": ["email", "display_name", "roles"]}, "hash": "9f86d081884c7d65…"
}))]
pub struct AuditEventView {
    seq: i64,
    occurred_at: Timestamp,
    #[schema(value_type = Object)]
    actor: Actor,
    actor_role: Option<String>,
    action: String,
    entity_type: Option<String>,
    entity_id: Option<String>,
    patient_id: Option<Uuid>,
    /// `success`, `denied` or `failure`.
    outcome: String,
    request_id: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    /// Names of changed fields and other non-sensitive facts; never the values of personal data.
    #[schema(value_type = Object)]
    details: serde_json::Value,
    /// SHA-256 over the previous hash and this event.
    hash: String,
}

impl AuditEventView {
    pub(super) fn from_row(row: AuditRow) -> Result<Self, ApiError> {
        let (event, _) = row
            .to_event()
            .map_err(crate::services::error::ServiceError::from)?;
        Ok(Self {
            seq: event.seq,
            occurred_at: event.occurred_at,
            actor: event.actor,
            actor_role: event.actor_role,
            action: event.action,
            entity_type: event.entity_type,
            entity_id: event.entity_id,
            patient_id: event.patient_id,
            outcome: event.outcome.as_str().to_owned(),
            request_id: event.request_id,
            ip: event.ip,
            user_agent: event.user_agent,
            details: event.details,
            hash: row.hash,
        })
    }
}

/// The organization's audit trail, newest first. Reading it is audited too.
#[utoipa::path(
    get, path = "/api/v1/audit-events", operation_id = "list_audit_events", tag = "audit", security(("bearer" = [])), params(AuditQuery),
    responses(
        (status = 200, description = "A page of events", body = Page<AuditEventView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Needs the auditor role or the audit:read scope", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter, limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn list(
    State(store): State<Store>,
    principal: Principal,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<Page<AuditEventView>>, ApiError> {
    let page = PageRequest {
        limit: query.limit,
        cursor: query.cursor,
    };
    let filter = AuditFilter {
        actor_id: query.actor_id,
        action: query.action,
        entity_type: query.entity_type,
        entity_id: query.entity_id,
        patient_id: query.patient_id,
        from: bound(query.from),
        to: bound(query.to),
        before_seq: None,
    };
    let listing = audit::list(&store, &principal, filter, &page).await?;
    let data = listing
        .items
        .into_iter()
        .map(AuditEventView::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(Page {
        data,
        next_cursor: listing.next_cursor,
    }))
}
