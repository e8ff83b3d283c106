//! What patients and contacts share: the blind indexes that find them and the data keys that seal them.

use praxis_domain::email::EmailAddress;
use praxis_domain::identifier::NationalIdentifier;
use praxis_domain::organization::CountryCode;
use praxis_domain::patient::PhoneNumber;
use uuid::Uuid;

use super::error::{FieldIssue, ServiceError, ServiceResult};
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

/// What an exact search by phone or e-mail looks up.
#[derive(Debug)]
pub enum LookupQuery {
    /// Neither was asked for.
    Open,
    /// The value cannot be valid, so nobody matches.
    Impossible,
    /// The blind index to look up, by kind.
    Index((&'static str, String)),
}

/// The lookup for a search's `phone` or `email` (one at a time), read as the organization's country reads them.
pub fn lookup_query(
    keys: &LiveKeys,
    organization_id: Uuid,
    country: &CountryCode,
    phone: Option<&str>,
    email: Option<&str>,
) -> ServiceResult<LookupQuery> {
    let phone = phone.map(|raw| PhoneNumber::parse(raw, country));
    let email = email.map(str::parse::<EmailAddress>);
    Ok(match (phone, email) {
        (Some(Err(_)), _) | (_, Some(Err(_))) => LookupQuery::Impossible,
        (Some(Ok(_)), Some(Ok(_))) => {
            return Err(ServiceError::Invalid(vec![FieldIssue::new(
                "phone",
                "one_contact_field",
                "search by phone or by e-mail, not both at once",
            )]));
        }
        (Some(Ok(phone)), None) => LookupQuery::Index(phone_lookup(keys, organization_id, &phone)),
        (None, Some(Ok(email))) => LookupQuery::Index(email_lookup(keys, organization_id, &email)),
        (None, None) => LookupQuery::Open,
    })
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
