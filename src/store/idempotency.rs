//! Idempotency keys: a caller's claim on a key while its first request runs, then that request's answer.

use uuid::Uuid;

use super::Backend;
use super::tx::on_conn;
use super::{DbTime, StoreError, Tx};

const IN_PROGRESS: &str = "in_progress";
const COMPLETED: &str = "completed";

/// Expired keys removed per claim: enough to keep up with any organization's traffic, bounded so that no
/// request pays for a backlog.
const PRUNE_BATCH: i64 = 100;

/// A claim as the request that takes it writes it.
#[derive(Debug, Clone)]
pub struct IdempotencyClaimRow {
    pub idempotency_key_id: Uuid,
    pub organization_id: Uuid,
    pub principal_id: Uuid,
    pub key_hash: String,
    pub fingerprint: String,
    pub created_at: DbTime,
}

/// A stored answer; the body sealed under its own data key.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IdempotentAnswerRow {
    pub status: i64,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub content_type: Option<String>,
    pub record_id: Option<Uuid>,
    pub key_id: String,
    pub wrapped_key: Vec<u8>,
    pub body: Vec<u8>,
}

/// A key as found: still claimed, or completed with its answer.
#[derive(Debug, Clone)]
pub struct IdempotencyKeyRow {
    pub idempotency_key_id: Uuid,
    pub fingerprint: String,
    /// `None` while the first request still runs.
    pub answer: Option<IdempotentAnswerRow>,
}

#[derive(sqlx::FromRow)]
struct KeyColumns {
    idempotency_key_id: Uuid,
    fingerprint: String,
    state: String,
    status: Option<i64>,
    location: Option<String>,
    etag: Option<String>,
    content_type: Option<String>,
    record_id: Option<Uuid>,
    key_id: Option<String>,
    wrapped_key: Option<Vec<u8>>,
    body: Option<Vec<u8>>,
}

impl TryFrom<KeyColumns> for IdempotencyKeyRow {
    type Error = StoreError;

    fn try_from(row: KeyColumns) -> Result<Self, StoreError> {
        let answer = match (
            row.state.as_str(),
            row.status,
            row.key_id,
            row.wrapped_key,
            row.body,
        ) {
            (IN_PROGRESS, ..) => None,
            (COMPLETED, Some(status), Some(key_id), Some(wrapped_key), Some(body)) => {
                Some(IdempotentAnswerRow {
                    status,
                    location: row.location,
                    etag: row.etag,
                    content_type: row.content_type,
                    record_id: row.record_id,
                    key_id,
                    wrapped_key,
                    body,
                })
            }
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "idempotency key {} is in state `{}` without its answer",
                    row.idempotency_key_id, row.state
                )));
            }
        };
        Ok(Self {
            idempotency_key_id: row.idempotency_key_id,
            fingerprint: row.fingerprint,
            answer,
        })
    }
}

const SELECT_KEY: &str =
    "select idempotency_key_id, fingerprint, state, status, location, etag, content_type,
    record_id, key_id, wrapped_key, body
    from idempotency_key where organization_id = $1 and principal_id = $2 and key_hash = $3";

/// PostgreSQL skips rows another transaction is pruning rather than waiting for it; SQLite has one writer.
const PRUNE_POSTGRES: &str =
    "delete from idempotency_key where organization_id = $1 and idempotency_key_id in (
    select idempotency_key_id from idempotency_key where organization_id = $1 and created_at < $2
    limit $3 for update skip locked)";
const PRUNE_SQLITE: &str =
    "delete from idempotency_key where organization_id = $1 and idempotency_key_id in (
    select idempotency_key_id from idempotency_key where organization_id = $1 and created_at < $2 limit $3)";

impl Tx {
    /// Removes some of the organization's keys created before `expired_before`.
    pub async fn prune_idempotency_keys(
        &mut self,
        organization_id: Uuid,
        expired_before: DbTime,
    ) -> Result<u64, StoreError> {
        let sql = match self.backend() {
            Backend::Sqlite => PRUNE_SQLITE,
            Backend::Postgres => PRUNE_POSTGRES,
        };
        Ok(on_conn!(self, |conn| sqlx::query(sql)
            .bind(organization_id)
            .bind(expired_before)
            .bind(PRUNE_BATCH)
            .execute(conn)
            .await?
            .rows_affected()))
    }

    /// Removes the caller's claim on the key if it is still in progress but older than `abandoned_before`,
    /// or if it expired: either way the key counts as unused.
    pub async fn drop_stale_idempotency_key(
        &mut self,
        claim: &IdempotencyClaimRow,
        expired_before: DbTime,
        abandoned_before: DbTime,
    ) -> Result<bool, StoreError> {
        let deleted = on_conn!(self, |conn| sqlx::query(
            "delete from idempotency_key
             where organization_id = $1 and principal_id = $2 and key_hash = $3
               and (created_at < $4 or (state = $5 and created_at < $6))"
        )
        .bind(claim.organization_id)
        .bind(claim.principal_id)
        .bind(&claim.key_hash)
        .bind(expired_before)
        .bind(IN_PROGRESS)
        .bind(abandoned_before)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(deleted > 0)
    }

    /// Claims the key; false when the caller already holds it (claimed or completed).
    pub async fn insert_idempotency_claim(
        &mut self,
        claim: &IdempotencyClaimRow,
    ) -> Result<bool, StoreError> {
        let inserted = on_conn!(self, |conn| sqlx::query(
            "insert into idempotency_key
                 (idempotency_key_id, organization_id, principal_id, key_hash, fingerprint, state, created_at)
             values ($1, $2, $3, $4, $5, $6, $7)
             on conflict (organization_id, principal_id, key_hash) do nothing"
        )
        .bind(claim.idempotency_key_id)
        .bind(claim.organization_id)
        .bind(claim.principal_id)
        .bind(&claim.key_hash)
        .bind(&claim.fingerprint)
        .bind(IN_PROGRESS)
        .bind(claim.created_at)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(inserted == 1)
    }

    pub async fn idempotency_key(
        &mut self,
        organization_id: Uuid,
        principal_id: Uuid,
        key_hash: &str,
    ) -> Result<Option<IdempotencyKeyRow>, StoreError> {
        let row: Option<KeyColumns> = on_conn!(self, |conn| sqlx::query_as(SELECT_KEY)
            .bind(organization_id)
            .bind(principal_id)
            .bind(key_hash)
            .fetch_optional(conn)
            .await?);
        row.map(IdempotencyKeyRow::try_from).transpose()
    }

    /// Stores the answer on the claim; false when the claim is gone (taken over after it was abandoned).
    pub async fn complete_idempotency_key(
        &mut self,
        organization_id: Uuid,
        idempotency_key_id: Uuid,
        answer: &IdempotentAnswerRow,
    ) -> Result<bool, StoreError> {
        let updated = on_conn!(self, |conn| sqlx::query(
            "update idempotency_key
             set state = $3, status = $4, location = $5, etag = $6, content_type = $7, record_id = $8,
                 key_id = $9, wrapped_key = $10, body = $11
             where organization_id = $1 and idempotency_key_id = $2 and state = $12"
        )
        .bind(organization_id)
        .bind(idempotency_key_id)
        .bind(COMPLETED)
        .bind(answer.status)
        .bind(&answer.location)
        .bind(&answer.etag)
        .bind(&answer.content_type)
        .bind(answer.record_id)
        .bind(&answer.key_id)
        .bind(&answer.wrapped_key)
        .bind(&answer.body)
        .bind(IN_PROGRESS)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(updated == 1)
    }

    /// Gives up a claim still in progress, so the key can be used again.
    pub async fn release_idempotency_claim(
        &mut self,
        organization_id: Uuid,
        idempotency_key_id: Uuid,
    ) -> Result<bool, StoreError> {
        let deleted = on_conn!(self, |conn| {
            sqlx::query(
            "delete from idempotency_key where organization_id = $1 and idempotency_key_id = $2 and state = $3"
        )
        .bind(organization_id)
        .bind(idempotency_key_id)
        .bind(IN_PROGRESS)
        .execute(conn)
        .await?
        .rows_affected()
        });
        Ok(deleted == 1)
    }

    /// Removes every stored answer whose Location names the record.
    pub async fn forget_idempotent_answers(
        &mut self,
        organization_id: Uuid,
        record_id: Uuid,
    ) -> Result<u64, StoreError> {
        Ok(on_conn!(self, |conn| sqlx::query(
            "delete from idempotency_key where organization_id = $1 and record_id = $2"
        )
        .bind(organization_id)
        .bind(record_id)
        .execute(conn)
        .await?
        .rows_affected()))
    }
}
