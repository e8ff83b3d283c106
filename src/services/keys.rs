//! Moving every data key onto the current master key: the second half of a key rotation.

use std::collections::BTreeMap;

use praxis_domain::audit::{Actor, Outcome};
use uuid::Uuid;

use super::access::RequestMeta;
use super::audit::{self, EventExt};
use super::error::{ServiceError, ServiceResult};
use crate::crypto::{KeyRing, WrappedKey, owner_aad};
use crate::store::{KeyTable, Store};

/// Keys per transaction: small enough to keep the writer free for requests in between.
const BATCH: i64 = 500;

/// Rewraps every live data key that is not under the ring's current master key. Each batch commits with
/// one audit event per organization it touched. Safe to run again, and while servers run.
pub async fn rewrap_all(store: &Store, ring: &KeyRing) -> ServiceResult<u64> {
    let current = ring.current_key_id().to_owned();
    let mut total = 0;
    for table in KeyTable::ALL {
        loop {
            let mut tx = store.begin_write().await?;
            let batch = tx.data_keys_not_under(table, &current, BATCH).await?;
            if batch.is_empty() {
                tx.commit().await?;
                break;
            }
            let mut per_organization: BTreeMap<Uuid, u64> = BTreeMap::new();
            for key in &batch {
                let aad = owner_aad(key.organization_id, key.owner_id);
                let wrapped = WrappedKey {
                    key_id: key.key_id.clone(),
                    bytes: key.wrapped.clone(),
                };
                let rewrapped = ring
                    .rewrap(&wrapped, &aad)
                    .map_err(|e| ServiceError::Internal(format!("a data key could not be rewrapped: {e}")))?;
                tx.set_data_key(table, key, &rewrapped.key_id, &rewrapped.bytes)
                    .await?;
                *per_organization.entry(key.organization_id).or_default() += 1;
            }
            for (organization_id, count) in per_organization {
                let event = audit::event(
                    organization_id,
                    Actor::System,
                    None,
                    &RequestMeta::default(),
                    "keys.rewrap",
                    Outcome::Success,
                )
                .details(serde_json::json!({ "key_id": current, "data_keys": count }));
                tx.append_audit(event).await?;
            }
            tx.commit().await?;
            total += batch.len() as u64;
        }
    }
    Ok(total)
}
