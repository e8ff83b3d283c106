//! Between a valid patient and its stored row: sealing the identifying fields under the patient's data key,
//! computing the blind indexes, and opening them again.

use praxis_domain::patient::search_key;
use uuid::Uuid;

use super::input::ValidPatient;
use super::{AddressInput, AnimalView, IdentifierInput, PatientView};
use crate::crypto::{DataKey, LiveKeys, owner_aad};
use crate::services::error::{ServiceError, ServiceResult};
use crate::services::record_keys::{StoredKey, email_lookup, identifier_index, open_data_key, phone_lookup};
use crate::store::{DataKeyRow, DbTime, IdentifierRow, PatientRow};

const PHONE: &str = "patient.phone";
const EMAIL: &str = "patient.email";
const ADDRESS: &str = "patient.address";
const NOTES: &str = "patient.notes";
const IDENTIFIER: &str = "patient.identifier";

/// A patient ready to store.
#[derive(Debug)]
pub struct Sealed {
    pub row: PatientRow,
    pub key: DataKeyRow,
    pub identifiers: Vec<IdentifierRow>,
    pub lookups: Vec<(&'static str, String)>,
}

/// A new patient under a fresh data key.
pub fn seal(
    keys: &LiveKeys,
    organization_id: Uuid,
    patient_id: Uuid,
    patient_number: i64,
    patient: &ValidPatient,
    now: DbTime,
) -> ServiceResult<Sealed> {
    let data_key = DataKey::generate();
    let wrapped = keys.wrap(&data_key, &owner_aad(organization_id, patient_id));
    let key = DataKeyRow {
        key_id: wrapped.key_id,
        wrapped: Some(wrapped.bytes),
    };
    let shell = Shell {
        organization_id,
        patient_id,
        patient_number,
        created_at: now,
    };
    build(keys, &data_key, shell, patient, key, now)
}

/// A changed patient under the data key it already has.
pub fn reseal(
    keys: &LiveKeys,
    stored: &PatientRow,
    key: &DataKeyRow,
    patient: &ValidPatient,
    now: DbTime,
) -> ServiceResult<Sealed> {
    let data_key = open_key(keys, stored, key)?;
    let shell = Shell {
        organization_id: stored.organization_id,
        patient_id: stored.patient_id,
        patient_number: stored.patient_number,
        created_at: stored.created_at,
    };
    build(keys, &data_key, shell, patient, key.clone(), now)
}

/// What stays when a record changes.
struct Shell {
    organization_id: Uuid,
    patient_id: Uuid,
    patient_number: i64,
    created_at: DbTime,
}

fn build(
    keys: &LiveKeys,
    data_key: &DataKey,
    shell: Shell,
    patient: &ValidPatient,
    key: DataKeyRow,
    now: DbTime,
) -> ServiceResult<Sealed> {
    let organization_id = shell.organization_id;
    let address = patient
        .address
        .as_ref()
        .map(|address| serde_json::to_string(address).map_err(|e| ServiceError::Internal(e.to_string())))
        .transpose()?;
    let animal = patient.animal.as_ref();
    let row = PatientRow {
        patient_id: shell.patient_id,
        organization_id,
        patient_number: shell.patient_number,
        kind: patient.kind.to_string(),
        given_name: patient.given_name.as_str().to_owned(),
        family_name: patient.family_name.as_str().to_owned(),
        search_given: search_key(patient.given_name.as_str()),
        search_family: search_key(patient.family_name.as_str()),
        birth_date: patient.birth_date.as_ref().map(|date| date.date().to_string()),
        sex: patient.sex.clone(),
        status: patient.status.kind().to_string(),
        deceased_on: patient.status.deceased_on().map(|date| date.to_string()),
        species: animal.map(|a| a.species.clone()),
        breed: animal.and_then(|a| a.breed.clone()),
        colour: animal.and_then(|a| a.colour.clone()),
        neuter_status: animal.map(|a| a.neuter_status.to_string()),
        microchip: animal.and_then(|a| a.microchip.as_ref().map(|m| m.as_str().to_owned())),
        phone: patient
            .phone
            .as_ref()
            .map(|phone| data_key.seal_str(PHONE, phone.as_str())),
        email: patient
            .email
            .as_ref()
            .map(|email| data_key.seal_str(EMAIL, email.as_str())),
        address: address.map(|address| data_key.seal_str(ADDRESS, &address)),
        notes: patient
            .notes
            .as_ref()
            .map(|notes| data_key.seal_str(NOTES, notes)),
        version: 1,
        created_at: shell.created_at,
        updated_at: now,
        deleted_at: None,
    };
    let identifiers = patient
        .identifiers
        .iter()
        .map(|identifier| IdentifierRow {
            system: identifier.system().as_str().to_owned(),
            value: data_key.seal_str(IDENTIFIER, identifier.value()),
            blind_index: identifier_index(keys, organization_id, identifier),
        })
        .collect();
    let mut lookups = Vec::new();
    if let Some(phone) = &patient.phone {
        lookups.push(phone_lookup(keys, organization_id, phone));
    }
    if let Some(email) = &patient.email {
        lookups.push(email_lookup(keys, organization_id, email));
    }
    Ok(Sealed {
        row,
        key,
        identifiers,
        lookups,
    })
}

fn open_key(keys: &LiveKeys, row: &PatientRow, key: &DataKeyRow) -> ServiceResult<DataKey> {
    let stored = StoredKey {
        organization_id: row.organization_id,
        owner_id: row.patient_id,
        key_id: &key.key_id,
        wrapped: key.wrapped.as_deref(),
        what: "patient",
    };
    open_data_key(keys, stored)
}

/// Opens the sealed fields of a stored patient.
pub fn unseal(
    keys: &LiveKeys,
    row: &PatientRow,
    key: &DataKeyRow,
    identifiers: &[IdentifierRow],
) -> ServiceResult<PatientView> {
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
    let identifiers = identifiers
        .iter()
        .map(|identifier| {
            Ok(IdentifierInput {
                system: identifier.system.clone(),
                value: data_key
                    .open_str(IDENTIFIER, &identifier.value)
                    .map_err(|e| ServiceError::Internal(format!("{IDENTIFIER}: {e}")))?,
            })
        })
        .collect::<ServiceResult<Vec<_>>>()?;
    let animal = row.species.clone().map(|species| AnimalView {
        species,
        breed: row.breed.clone(),
        colour: row.colour.clone(),
        neuter_status: row.neuter_status.clone().unwrap_or_else(|| "unknown".to_owned()),
        microchip: row.microchip.clone(),
    });
    Ok(PatientView {
        id: row.patient_id,
        patient_number: row.patient_number,
        kind: row.kind.clone(),
        given_name: row.given_name.clone(),
        family_name: row.family_name.clone(),
        birth_date: row.birth_date.clone(),
        sex: row.sex.clone(),
        status: row.status.clone(),
        deceased_on: row.deceased_on.clone(),
        identifiers,
        phone: open(PHONE, &row.phone)?,
        email: open(EMAIL, &row.email)?,
        address,
        notes: open(NOTES, &row.notes)?,
        animal,
        version: row.version,
        created_at: row.created_at.get(),
        updated_at: row.updated_at.get(),
    })
}
