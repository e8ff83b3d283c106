//! Between a valid contact and its stored row: sealing phone, e-mail and address under the contact's own
//! data key, computing the blind indexes, and opening them again.

use praxis_domain::patient::search_key;
use uuid::Uuid;

use super::ContactView;
use super::input::ValidContact;
use crate::crypto::{DataKey, LiveKeys, owner_aad};
use crate::services::error::{ServiceError, ServiceResult};
use crate::services::patients::AddressInput;
use crate::services::record_keys::{StoredKey, email_lookup, open_data_key, phone_lookup};
use crate::store::{ContactRow, DataKeyRow, DbTime};

const PHONE: &str = "contact.phone";
const EMAIL: &str = "contact.email";
const ADDRESS: &str = "contact.address";

/// A contact ready to store.
#[derive(Debug)]
pub struct Sealed {
    pub row: ContactRow,
    pub key: DataKeyRow,
    pub lookups: Vec<(&'static str, String)>,
}

/// A new contact under a fresh data key.
pub fn seal(
    keys: &LiveKeys,
    organization_id: Uuid,
    contact_id: Uuid,
    contact: &ValidContact,
    now: DbTime,
) -> ServiceResult<Sealed> {
    let data_key = DataKey::generate();
    let wrapped = keys.wrap(&data_key, &owner_aad(organization_id, contact_id));
    let key = DataKeyRow {
        key_id: wrapped.key_id,
        wrapped: Some(wrapped.bytes),
    };
    build(
        keys,
        &data_key,
        (organization_id, contact_id, now),
        contact,
        key,
        now,
    )
}

/// A changed contact under the data key it already has.
pub fn reseal(
    keys: &LiveKeys,
    stored: &ContactRow,
    key: &DataKeyRow,
    contact: &ValidContact,
    now: DbTime,
) -> ServiceResult<Sealed> {
    let data_key = open_key(keys, stored, key)?;
    let shell = (stored.organization_id, stored.contact_id, stored.created_at);
    build(keys, &data_key, shell, contact, key.clone(), now)
}

fn build(
    keys: &LiveKeys,
    data_key: &DataKey,
    (organization_id, contact_id, created_at): (Uuid, Uuid, DbTime),
    contact: &ValidContact,
    key: DataKeyRow,
    now: DbTime,
) -> ServiceResult<Sealed> {
    let address = contact
        .address
        .as_ref()
        .map(|address| serde_json::to_string(address).map_err(|e| ServiceError::Internal(e.to_string())))
        .transpose()?;
    let row = ContactRow {
        contact_id,
        organization_id,
        given_name: contact.given_name.as_str().to_owned(),
        family_name: contact.family_name.as_str().to_owned(),
        search_given: search_key(contact.given_name.as_str()),
        search_family: search_key(contact.family_name.as_str()),
        phone: contact
            .phone
            .as_ref()
            .map(|phone| data_key.seal_str(PHONE, phone.as_str())),
        email: contact
            .email
            .as_ref()
            .map(|email| data_key.seal_str(EMAIL, email.as_str())),
        address: address.map(|address| data_key.seal_str(ADDRESS, &address)),
        version: 1,
        created_at,
        updated_at: now,
        deleted_at: None,
    };
    let mut lookups = Vec::new();
    if let Some(phone) = &contact.phone {
        lookups.push(phone_lookup(keys, organization_id, phone));
    }
    if let Some(email) = &contact.email {
        lookups.push(email_lookup(keys, organization_id, email));
    }
    Ok(Sealed { row, key, lookups })
}

fn open_key(keys: &LiveKeys, row: &ContactRow, key: &DataKeyRow) -> ServiceResult<DataKey> {
    let stored = StoredKey {
        organization_id: row.organization_id,
        owner_id: row.contact_id,
        key_id: &key.key_id,
        wrapped: key.wrapped.as_deref(),
        what: "contact",
    };
    open_data_key(keys, stored)
}

/// Opens the sealed fields of a stored contact.
pub fn unseal(keys: &LiveKeys, row: &ContactRow, key: &DataKeyRow) -> ServiceResult<ContactView> {
    let data_key = open_key(keys, row, key)?;
    let open = |field: &str, sealed: &Option<Vec<u8>>| -> ServiceResult<Option<String>> {
        sealed
            .as_ref()
            .map(|bytes| data_key.open_str(field, bytes))
            .transpose()
            .map_err(|e| ServiceError::Internal(format!("{field}: {e}")))
    };
    let address = open(ADDRESS, &row.address)?
        .map(|json| serde_json::from_str::<AddressInput>(&json))
        .transpose()
        .map_err(|e| ServiceError::Internal(format!("{ADDRESS}: {e}")))?;
    Ok(ContactView {
        id: row.contact_id,
        given_name: row.given_name.clone(),
        family_name: row.family_name.clone(),
        phone: open(PHONE, &row.phone)?,
        email: open(EMAIL, &row.email)?,
        address,
        version: row.version,
        created_at: row.created_at.get(),
        updated_at: row.updated_at.get(),
    })
}
