//! A ticket's reason is free text about a person's visit: on a ticket that names a patient it is sealed
//! under that patient's data key, so erasing the patient erases it too. A ticket without a patient names
//! nobody, and its reason is kept in clear.

use uuid::Uuid;

use super::QueueService;
use crate::crypto::DataKey;
use crate::services::error::{FieldIssue, ServiceError, ServiceResult};
use crate::services::record_keys::{StoredKey, open_data_key};
use crate::store::{DataKeyRow, KeyTable, TicketRow, Tx};

/// The field name a ticket's reason is sealed under, in the patient's data key.
pub(super) const REASON: &str = "queue_ticket.reason";

impl QueueService {
    /// The data key of a patient a new ticket names; the patient must exist, not deleted nor erased.
    pub(super) async fn live_patient_key(
        &self,
        tx: &mut Tx,
        organization_id: Uuid,
        patient_id: Uuid,
    ) -> ServiceResult<DataKey> {
        let unknown = || {
            ServiceError::Invalid(vec![FieldIssue::new(
                "patient_id",
                "patient_not_found",
                "no such patient in this organization",
            )])
        };
        tx.patient(organization_id, patient_id)
            .await?
            .filter(|patient| patient.deleted_at.is_none())
            .ok_or_else(unknown)?;
        let key = tx
            .data_key(KeyTable::Patient, organization_id, patient_id)
            .await?
            .filter(|key| key.wrapped.is_some())
            .ok_or_else(unknown)?;
        open_data_key(&self.keys, patient_key(organization_id, patient_id, &key))
    }

    /// The reasons of the tickets, opened: in clear on tickets without a patient, under the patient's data
    /// key otherwise (gone once the patient was erased).
    pub(super) async fn reasons(
        &self,
        tx: &mut Tx,
        organization_id: Uuid,
        rows: &[&TicketRow],
    ) -> ServiceResult<Vec<Option<String>>> {
        let mut sealed_for: Vec<Uuid> = rows
            .iter()
            .filter(|row| row.reason_sealed.is_some())
            .filter_map(|row| row.patient_id)
            .collect();
        sealed_for.sort_unstable();
        sealed_for.dedup();
        let stored = tx
            .data_keys(KeyTable::Patient, organization_id, &sealed_for)
            .await?;
        let mut keys: Vec<(Uuid, DataKey)> = Vec::with_capacity(stored.len());
        for (patient_id, key) in stored.iter().filter(|(_, key)| key.wrapped.is_some()) {
            let opened = open_data_key(&self.keys, patient_key(organization_id, *patient_id, key))?;
            keys.push((*patient_id, opened));
        }
        rows.iter()
            .map(|row| match (&row.reason_sealed, row.patient_id) {
                (Some(sealed), Some(patient_id)) => keys
                    .iter()
                    .find(|(id, _)| *id == patient_id)
                    .map(|(_, key)| key.open_str(REASON, sealed))
                    .transpose()
                    .map_err(|e| ServiceError::Internal(format!("{REASON}: {e}"))),
                _ => Ok(row.reason.clone()),
            })
            .collect()
    }
}

fn patient_key(organization_id: Uuid, patient_id: Uuid, key: &DataKeyRow) -> StoredKey<'_> {
    StoredKey {
        organization_id,
        owner_id: patient_id,
        key_id: &key.key_id,
        wrapped: key.wrapped.as_deref(),
        what: "patient",
    }
}
