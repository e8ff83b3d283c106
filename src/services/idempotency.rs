//! Idempotency keys for creating requests: the first request with a caller's key runs and its answer is kept
//! for 24 hours; the same request again gets that answer back, the same key with another request gets 422,
//! and a duplicate that arrives while the first still runs gets 409.
//!
//! A key belongs to the principal that sent it (user or API key) within its organization. The key and the
//! request's fingerprint are stored as blind indexes and the answer's body sealed under a data key of its
//! own, since answers hold patients' identifiers and contact details.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use jiff::SignedDuration;
use praxis_domain::audit::Outcome;
use praxis_domain::idempotency::{IdempotencyKey, REPLAY_WINDOW_SECS, RequestFingerprint, answer_is_kept};
use uuid::Uuid;

use super::access::{Credential, Principal};
use super::audit::EventExt;
use super::error::{FieldIssue, ServiceError, ServiceResult};
use crate::crypto::{DataKey, LiveKeys, WrappedKey, owner_aad};
use crate::store::{DbTime, IdempotencyClaimRow, IdempotentAnswerRow, Store};

/// The field name the sealed body is bound to.
const BODY_FIELD: &str = "idempotency_key.body";

/// After the request timeout a claim's request can no longer finish; the margin covers the moments between
/// taking the claim and starting the clock on the request.
const ABANDON_MARGIN: SignedDuration = SignedDuration::from_secs(5);

/// What the request holding a key does next.
#[derive(Debug)]
pub enum Begun {
    /// The key is this request's: run it, then hand its answer to [`IdempotencyService::finish`].
    Run(Claim),
    /// The same request was answered before: send this back.
    Replay(Answer),
}

/// A key held by a running request.
#[derive(Debug)]
pub struct Claim {
    organization_id: Uuid,
    idempotency_key_id: Uuid,
}

/// An answer as kept and replayed: the status, the headers that describe the body, and the body.
#[derive(Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// The body holds personal data; `Debug` shows its size only.
impl fmt::Debug for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Answer")
            .field("status", &self.status)
            .field("location", &self.location)
            .field("body_bytes", &self.body.len())
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
pub struct IdempotencyService {
    store: Store,
    keys: Arc<LiveKeys>,
    abandoned_after: SignedDuration,
}

impl IdempotencyService {
    /// `request_timeout` bounds how long a request may hold a key before another may take it over.
    pub fn new(store: Store, keys: Arc<LiveKeys>, request_timeout: Duration) -> Self {
        let timeout = SignedDuration::try_from(request_timeout).unwrap_or(SignedDuration::MAX);
        Self {
            store,
            keys,
            abandoned_after: timeout.saturating_add(ABANDON_MARGIN),
        }
    }

    /// Claims the key for this request in a transaction of its own, so a duplicate sent at the same moment
    /// sees the claim; or finds the first answer to replay. Expired keys of the organization are pruned on
    /// the way, a few at a time.
    pub async fn begin(
        &self,
        principal: &Principal,
        key: &IdempotencyKey,
        fingerprint: RequestFingerprint,
    ) -> ServiceResult<Begun> {
        let organization_id = principal.organization_id;
        let now = DbTime::now();
        let claim = IdempotencyClaimRow {
            idempotency_key_id: Uuid::now_v7(),
            organization_id,
            principal_id: principal_id(principal),
            key_hash: self
                .keys
                .blind_index(organization_id, "idempotency_key", key.as_str()),
            fingerprint: self
                .keys
                .blind_index(organization_id, "idempotency_request", &fingerprint.to_hex()),
            created_at: now,
        };
        let expired_before = DbTime::new(now.get() - SignedDuration::from_secs(REPLAY_WINDOW_SECS));
        let abandoned_before = DbTime::new(now.get() - self.abandoned_after);

        let mut tx = self.store.begin_write().await?;
        tx.prune_idempotency_keys(organization_id, expired_before).await?;
        tx.drop_stale_idempotency_key(&claim, expired_before, abandoned_before)
            .await?;
        if tx.insert_idempotency_claim(&claim).await? {
            tx.commit().await?;
            return Ok(Begun::Run(Claim {
                organization_id,
                idempotency_key_id: claim.idempotency_key_id,
            }));
        }
        let found = tx
            .idempotency_key(organization_id, claim.principal_id, &claim.key_hash)
            .await?;
        let outcome = match found {
            Some(found) if found.fingerprint != claim.fingerprint => Err(reused_key()),
            Some(found) => match found.answer {
                Some(stored) => {
                    let record_id = stored.record_id;
                    let answer = self.open(organization_id, found.idempotency_key_id, stored)?;
                    // The answer may show a patient's record again, so its delivery is on the trail like a read.
                    let replayed =
                        principal
                            .audit("request.replay", Outcome::Success)
                            .details(serde_json::json!({
                                "status": answer.status,
                                "record_id": record_id,
                            }));
                    tx.append_audit(replayed).await?;
                    Ok(Begun::Replay(answer))
                }
                None => Err(in_progress()),
            },
            // The holder released its claim between the insert and the read: a retry will run.
            None => Err(in_progress()),
        };
        tx.commit().await?;
        outcome
    }

    /// Keeps the answer for replay, or, for an answer the client is meant to retry (a server fault, a rate
    /// limit), releases the key so the retry runs.
    pub async fn finish(&self, claim: Claim, answer: &Answer) -> ServiceResult<()> {
        let mut tx = self.store.begin_write().await?;
        if answer_is_kept(answer.status) {
            let row = self.seal(&claim, answer);
            if !tx
                .complete_idempotency_key(claim.organization_id, claim.idempotency_key_id, &row)
                .await?
            {
                tracing::warn!(
                    "an idempotency key was taken over before its request finished; answer not kept"
                );
            }
        } else {
            tx.release_idempotency_claim(claim.organization_id, claim.idempotency_key_id)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    fn seal(&self, claim: &Claim, answer: &Answer) -> IdempotentAnswerRow {
        let data_key = DataKey::generate();
        let wrapped = self.keys.wrap(
            &data_key,
            &owner_aad(claim.organization_id, claim.idempotency_key_id),
        );
        IdempotentAnswerRow {
            status: i64::from(answer.status),
            location: answer.location.clone(),
            etag: answer.etag.clone(),
            content_type: answer.content_type.clone(),
            record_id: answer.location.as_deref().and_then(record_named_by),
            key_id: wrapped.key_id,
            wrapped_key: wrapped.bytes,
            body: data_key.seal(BODY_FIELD, &answer.body),
        }
    }

    fn open(
        &self,
        organization_id: Uuid,
        idempotency_key_id: Uuid,
        stored: IdempotentAnswerRow,
    ) -> ServiceResult<Answer> {
        let unreadable = |e: crate::crypto::CryptoError| {
            ServiceError::Internal(format!("a kept idempotent answer does not open: {e}"))
        };
        let wrapped = WrappedKey {
            key_id: stored.key_id,
            bytes: stored.wrapped_key,
        };
        let data_key = self
            .keys
            .unwrap(&wrapped, &owner_aad(organization_id, idempotency_key_id))
            .map_err(unreadable)?;
        let status = u16::try_from(stored.status)
            .map_err(|_| ServiceError::Internal(format!("kept status {} is not a status", stored.status)))?;
        Ok(Answer {
            status,
            location: stored.location,
            etag: stored.etag,
            content_type: stored.content_type,
            body: data_key.open(BODY_FIELD, &stored.body).map_err(unreadable)?,
        })
    }
}

/// The user or API key behind the principal: keys are theirs alone.
fn principal_id(principal: &Principal) -> Uuid {
    match &principal.credential {
        Credential::User { user_id, .. } => *user_id,
        Credential::ApiKey { api_key_id, .. } => *api_key_id,
    }
}

/// The record a `Location` names, when its last segment is an id.
fn record_named_by(location: &str) -> Option<Uuid> {
    location.rsplit('/').next()?.parse().ok()
}

fn reused_key() -> ServiceError {
    ServiceError::Invalid(vec![FieldIssue::new(
        "Idempotency-Key",
        "idempotency_key_reused",
        "this key was sent before with another request (method, path or body); use a new key for a new request",
    )])
}

fn in_progress() -> ServiceError {
    ServiceError::Conflict(
        "a request with this Idempotency-Key is still in progress; retry once it has been answered"
            .to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::record_named_by;

    #[test]
    fn the_record_is_the_last_segment_of_the_location() {
        let id = uuid::Uuid::now_v7();
        assert_eq!(record_named_by(&format!("/api/v1/patients/{id}")), Some(id));
        assert_eq!(record_named_by("/api/v1/patients"), None);
    }
}
