//! What patients and contacts share: the blind indexes that find them and the data keys that seal them.

use praxis_domain::email::EmailAddress;
use praxis_domain::identifier::NationalIdentifier;
use praxis_domain::patient::PhoneNumber;
use uuid::Uuid;

use super::error::{ServiceError, ServiceResult};
use crate::crypto::{DataKey, LiveKeys, WrappedKey, owner_aad};

pub fn identifier_index(keys: &LiveKeys, organization_id: Uuid, identifier: &NationalIdentifier) -> String {
    let kind = format!("identifier:{}", identifier.system().as_str());
    keys.blind_index(organization_id, &kind, identifier.value())
}

/// Patients and contacts index phones under one kind, so one number finds both.
pub fn phone_lookup(keys: &LiveKeys, organization_id: Uuid, phone: &PhoneNumber) -> (&'static str, String) {
    (
        "phone",
        keys.blind_index(organization_id, "phone", phone.as_str()),
    )
}

pub fn email_lookup(keys: &LiveKeys, organization_id: Uuid, email: &EmailAddress) -> (&'static str, String) {
    (
        "email",
        keys.blind_index(organization_id, "email", &email.normalized()),
    )
}

/// The stored form of a record's data key: the key id and the wrapped bytes, gone once erased.
#[derive(Debug, Clone, Copy)]
pub struct StoredKey<'a> {
    pub organization_id: Uuid,
    pub owner_id: Uuid,
    pub key_id: &'a str,
    pub wrapped: Option<&'a [u8]>,
    /// `patient` or `contact`, for messages.
    pub what: &'static str,
}

/// Opens a record's data key; a destroyed one means the record was erased (409).
pub fn open_data_key(keys: &LiveKeys, stored: StoredKey<'_>) -> ServiceResult<DataKey> {
    let bytes = stored
        .wrapped
        .ok_or_else(|| ServiceError::Conflict(format!("this {}'s data has been erased", stored.what)))?;
    let wrapped = WrappedKey {
        key_id: stored.key_id.to_owned(),
        bytes: bytes.to_vec(),
    };
    keys.unwrap(&wrapped, &owner_aad(stored.organization_id, stored.owner_id))
        .map_err(|e| ServiceError::Internal(format!("{} data key: {e}", stored.what)))
}
