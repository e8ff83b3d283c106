//! API keys for integrations: scoped, optionally expiring, revocable, never stronger than their maker.

use jiff::Timestamp;
use praxis_domain::access::{Permission, Scope, scopes_exceeding};
use praxis_domain::audit::Outcome;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{AccessService, Credential, Principal, join_list, parse_list, secrets};
use crate::services::audit::EventExt;
use crate::services::error::{FieldIssue, ServiceError, ServiceResult, Validation};
use crate::services::page::{Listing, PageRequest};
use crate::store::{ApiKeyRow, DbTime};

const NAME_MAX: usize = 100;

/// A key as listed: its prefix identifies it, its secret is never shown again.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11", "name": "Booking widget", "prefix": "prx_3f9a0c1d",
    "scopes": ["scheduling:read", "scheduling:write"], "created_by": "0193b1f4-1111-7c3e-9a43-2f0f6f8e4b11",
    "created_at": "2026-11-23T09:00:00Z", "expires_at": null, "revoked_at": null, "last_used_at": null
}))]
pub struct ApiKeyView {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    #[schema(value_type = Vec<String>)]
    pub scopes: Vec<Scope>,
    pub created_by: Uuid,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    /// Updated at most once a minute.
    pub last_used_at: Option<Timestamp>,
}

impl ApiKeyView {
    fn from_row(row: &ApiKeyRow) -> Self {
        Self {
            id: row.api_key_id,
            name: row.name.clone(),
            prefix: row.prefix.clone(),
            scopes: parse_list(&row.scopes),
            created_by: row.created_by,
            created_at: row.created_at.get(),
            expires_at: row.expires_at.map(DbTime::get),
            revoked_at: row.revoked_at.map(DbTime::get),
            last_used_at: row.last_used_at.map(DbTime::get),
        }
    }
}

#[derive(Debug)]
pub struct NewApiKey {
    pub name: String,
    pub scopes: Vec<String>,
    pub expires_at: Option<Timestamp>,
}

/// A created key with its secret, which exists only in this answer.
#[derive(Debug)]
pub struct CreatedApiKey {
    pub key: ApiKeyView,
    pub secret: String,
}

impl AccessService {
    pub async fn create_api_key(
        &self,
        principal: &Principal,
        input: NewApiKey,
    ) -> ServiceResult<CreatedApiKey> {
        principal
            .require(&self.store, Permission::Administer, "api_key.create")
            .await?;
        let creator = principal.require_user(&self.store, "api_key.create").await?;
        let Credential::User { roles, .. } = &principal.credential else {
            return Err(ServiceError::Unauthenticated);
        };
        let mut validation = Validation::default();
        let name = input.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
            validation.push(FieldIssue::new(
                "name",
                "invalid_name",
                format!("a key name has 1 to {NAME_MAX} characters"),
            ));
        }
        let mut scopes = Vec::new();
        for (index, raw) in input.scopes.iter().enumerate() {
            let parsed = validation.field(&format!("scopes[{index}]"), raw.parse::<Scope>(), |e| e.code());
            if let Some(scope) = parsed
                && !scopes.contains(&scope)
            {
                scopes.push(scope);
            }
        }
        if input.scopes.is_empty() {
            validation.push(FieldIssue::new(
                "scopes",
                "no_scopes",
                "a key needs at least one scope",
            ));
        }
        let exceeding = scopes_exceeding(roles, &scopes);
        if !exceeding.is_empty() {
            let names = join_list(&exceeding);
            validation.push(FieldIssue::new(
                "scopes",
                "exceeds_roles",
                format!("your roles do not cover these scopes: {names}"),
            ));
        }
        if input.expires_at.is_some_and(|expiry| expiry <= Timestamp::now()) {
            validation.push(FieldIssue::new(
                "expires_at",
                "in_the_past",
                "the expiry must be in the future",
            ));
        }
        validation.finish()?;

        let (secret, prefix) = secrets::new_api_key()?;
        let row = ApiKeyRow {
            api_key_id: Uuid::now_v7(),
            organization_id: principal.organization_id,
            name,
            prefix,
            secret_hash: secrets::hash_token(&secret),
            scopes: join_list(&scopes),
            created_by: creator,
            created_at: DbTime::now(),
            expires_at: input.expires_at.map(DbTime::new),
            revoked_at: None,
            last_used_at: None,
        };
        let mut tx = self.store.begin_write().await?;
        tx.insert_api_key(&row).await?;
        let event = principal
            .audit("api_key.create", Outcome::Success)
            .entity("api_key", row.api_key_id)
            .details(serde_json::json!({ "scopes": row.scopes.split(',').collect::<Vec<_>>() }));
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(CreatedApiKey {
            key: ApiKeyView::from_row(&row),
            secret,
        })
    }

    pub async fn api_keys(
        &self,
        principal: &Principal,
        page: &PageRequest,
    ) -> ServiceResult<Listing<ApiKeyView>> {
        principal
            .require(&self.store, Permission::Administer, "api_key.list")
            .await?;
        let spec = page.check::<Uuid>()?;
        let mut tx = self.store.begin_read().await?;
        let rows = tx
            .api_keys(principal.organization_id, spec.after, spec.read_limit())
            .await?;
        tx.commit().await?;
        let views = rows.iter().map(ApiKeyView::from_row).collect();
        Ok(Listing::new(views, &spec, |key: &ApiKeyView| key.id))
    }

    /// Revocation takes effect on the key's next request.
    pub async fn revoke_api_key(&self, principal: &Principal, api_key_id: Uuid) -> ServiceResult<ApiKeyView> {
        principal
            .require(&self.store, Permission::Administer, "api_key.revoke")
            .await?;
        let mut tx = self.store.begin_write().await?;
        let now = DbTime::now();
        let existing = tx
            .api_key(principal.organization_id, api_key_id)
            .await?
            .ok_or(ServiceError::NotFound("api key"))?;
        if tx
            .revoke_api_key(principal.organization_id, api_key_id, now)
            .await?
        {
            tx.append_audit(
                principal
                    .audit("api_key.revoke", Outcome::Success)
                    .entity("api_key", api_key_id),
            )
            .await?;
        }
        let revoked = ApiKeyRow {
            revoked_at: existing.revoked_at.or(Some(now)),
            ..existing
        };
        tx.commit().await?;
        Ok(ApiKeyView::from_row(&revoked))
    }
}
