//! Patients: people and animals, with the fields that identify a person sealed under the patient's own data
//! key, exact search through blind indexes, and every read and change in the audit trail.

mod input;
mod sealed;
mod search;

use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Date;
use praxis_domain::access::Permission;
use praxis_domain::audit::Outcome;
use praxis_domain::organization::{CountryCode, TimeZoneName};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

pub use input::{AddressInput, IdentifierInput, PatientInput};
use sealed::{Sealed, seal, unseal};

use super::access::Principal;
use super::audit::EventExt;
use super::error::{ServiceError, ServiceResult};
use crate::crypto::LiveKeys;
use crate::store::{DbTime, KeyTable, PatientRow, Store, Tx, is_unique_violation};

/// A patient as the API shows it, sealed fields opened.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
#[schema(example = json!({
    "id": "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11", "patient_number": 1042, "kind": "person",
    "given_name": "Kari", "family_name": "Østby", "birth_date": "1990-01-01", "sex": "female", "status": "active",
    "deceased_on": null, "identifiers": [{"system": "no-fnr", "value": "01019012480"}], "phone": "+4791234567",
    "email": "kari@example.org", "address": {"lines": ["Strandgaten 12"], "postal_code": "5013", "city": "Bergen", "country": "NO"},
    "notes": null, "animal": null, "version": 1, "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z"
}))]
pub struct PatientView {
    pub id: Uuid,
    /// Assigned by the clinic in order, never reused.
    pub patient_number: i64,
    pub kind: String,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: Option<String>,
    pub sex: String,
    pub status: String,
    pub deceased_on: Option<String>,
    pub identifiers: Vec<IdentifierInput>,
    /// E.164.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<AddressInput>,
    pub notes: Option<String>,
    /// Present for animals.
    pub animal: Option<AnimalView>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct AnimalView {
    pub species: String,
    pub breed: Option<String>,
    pub colour: Option<String>,
    pub neuter_status: String,
    pub microchip: Option<String>,
}

/// Search parameters as sent; all optional, all must hold.
#[derive(Debug, Clone, Default)]
pub struct PatientQuery {
    pub q: Option<String>,
    pub birth_date: Option<Date>,
    /// `system|value` or a bare value tried under every scheme.
    pub identifier: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone)]
pub struct PatientService {
    store: Store,
    keys: Arc<LiveKeys>,
}

/// The organization facts a patient record depends on.
struct Context {
    country: CountryCode,
    today: Date,
}

impl PatientService {
    pub fn new(store: Store, keys: Arc<LiveKeys>) -> Self {
        Self { store, keys }
    }

    async fn context(&self, tx: &mut Tx, organization_id: Uuid) -> ServiceResult<Context> {
        let organization = tx
            .organization(organization_id)
            .await?
            .ok_or(ServiceError::NotFound("organization"))?;
        let country = organization
            .country
            .parse::<CountryCode>()
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let zone = organization
            .time_zone
            .parse::<TimeZoneName>()
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        Ok(Context {
            country,
            today: Timestamp::now().to_zoned(zone.time_zone()).date(),
        })
    }

    pub async fn create(&self, principal: &Principal, input: PatientInput) -> ServiceResult<PatientView> {
        principal
            .require(&self.store, Permission::PatientsWrite, "patient.create")
            .await?;
        let mut tx = self.store.begin_write().await?;
        let context = self.context(&mut tx, principal.organization_id).await?;
        let patient = input.check(&context.country, context.today)?;
        let patient_id = Uuid::now_v7();
        let now = DbTime::now();
        let number = tx.next_patient_number(principal.organization_id).await?;
        let Sealed {
            row,
            key,
            identifiers,
            lookups,
        } = seal(
            &self.keys,
            principal.organization_id,
            patient_id,
            number,
            &patient,
            now,
        )?;
        tx.insert_patient(&row, &key).await?;
        self.write_indexes(&mut tx, &row, &identifiers, &lookups).await?;
        let view = unseal(&self.keys, &row, &key, &identifiers)?;
        let event = principal
            .audit("patient.create", Outcome::Success)
            .entity("patient", patient_id)
            .details(serde_json::json!({ "fields": filled_fields(&view) }));
        tx.append_audit(event.patient(patient_id)).await?;
        tx.commit().await?;
        Ok(view)
    }

    async fn write_indexes(
        &self,
        tx: &mut Tx,
        row: &PatientRow,
        identifiers: &[crate::store::IdentifierRow],
        lookups: &[(&'static str, String)],
    ) -> ServiceResult<()> {
        match tx
            .replace_patient_indexes(row.organization_id, row.patient_id, identifiers, lookups)
            .await
        {
            Err(error) if is_unique_violation(&error) => Err(ServiceError::Conflict(
                "another patient of this organization has the same identifier".to_owned(),
            )),
            other => Ok(other?),
        }
    }

    /// Reads a patient; the read is in the audit trail before the answer leaves.
    pub async fn read(&self, principal: &Principal, patient_id: Uuid) -> ServiceResult<PatientView> {
        principal
            .require(&self.store, Permission::PatientsRead, "patient.read")
            .await?;
        let mut tx = self.store.begin_write().await?;
        let view = self
            .load(&mut tx, principal.organization_id, patient_id, false)
            .await?;
        let event = principal
            .audit("patient.read", Outcome::Success)
            .entity("patient", patient_id);
        tx.append_audit(event.patient(patient_id)).await?;
        tx.commit().await?;
        Ok(view)
    }

    async fn load(
        &self,
        tx: &mut Tx,
        organization_id: Uuid,
        patient_id: Uuid,
        deleted: bool,
    ) -> ServiceResult<PatientView> {
        let row = tx
            .patient(organization_id, patient_id)
            .await?
            .filter(|row| row.deleted_at.is_some() == deleted)
            .ok_or(ServiceError::NotFound("patient"))?;
        let key = tx
            .data_key(KeyTable::Patient, organization_id, patient_id)
            .await?
            .ok_or(ServiceError::NotFound("patient"))?;
        let identifiers = tx.patient_identifiers(organization_id, patient_id).await?;
        unseal(&self.keys, &row, &key, &identifiers)
    }

    /// A patient whether deleted or not, for the data-subject services; 409 once the data was erased.
    pub(crate) async fn load_for_export(
        &self,
        tx: &mut Tx,
        organization_id: Uuid,
        patient_id: Uuid,
    ) -> ServiceResult<PatientView> {
        let row = tx
            .patient(organization_id, patient_id)
            .await?
            .ok_or(ServiceError::NotFound("patient"))?;
        let key = tx
            .data_key(KeyTable::Patient, organization_id, patient_id)
            .await?
            .ok_or(ServiceError::NotFound("patient"))?;
        let identifiers = tx.patient_identifiers(organization_id, patient_id).await?;
        unseal(&self.keys, &row, &key, &identifiers)
    }

    /// Replaces a patient's record; `expected_version` (from `If-Match`) guards against lost updates.
    pub async fn replace(
        &self,
        principal: &Principal,
        patient_id: Uuid,
        input: PatientInput,
        expected_version: Option<i64>,
    ) -> ServiceResult<PatientView> {
        principal
            .require(&self.store, Permission::PatientsWrite, "patient.update")
            .await?;
        let mut tx = self.store.begin_write().await?;
        let context = self.context(&mut tx, principal.organization_id).await?;
        let patient = input.check(&context.country, context.today)?;
        let before = self
            .load(&mut tx, principal.organization_id, patient_id, false)
            .await?;
        super::access::users::check_version(before.version, expected_version)?;
        let stored = tx
            .patient(principal.organization_id, patient_id)
            .await?
            .ok_or(ServiceError::NotFound("patient"))?;
        let key = tx
            .data_key(KeyTable::Patient, principal.organization_id, patient_id)
            .await?
            .ok_or(ServiceError::NotFound("patient"))?;
        let now = DbTime::now();
        let Sealed {
            mut row,
            identifiers,
            lookups,
            ..
        } = sealed::reseal(&self.keys, &stored, &key, &patient, now)?;
        row.version = stored.version + 1;
        if !tx.update_patient(&row).await? {
            return Err(ServiceError::StaleVersion {
                current: stored.version,
            });
        }
        self.write_indexes(&mut tx, &row, &identifiers, &lookups).await?;
        let after = unseal(&self.keys, &row, &key, &identifiers)?;
        let event = principal
            .audit("patient.update", Outcome::Success)
            .entity("patient", patient_id)
            .details(serde_json::json!({ "fields": changed_fields(&before, &after) }));
        tx.append_audit(event.patient(patient_id)).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Soft delete: the patient leaves every list and search at once and can be restored.
    pub async fn delete(&self, principal: &Principal, patient_id: Uuid) -> ServiceResult<()> {
        self.set_deleted(principal, patient_id, true).await.map(drop)
    }

    pub async fn restore(&self, principal: &Principal, patient_id: Uuid) -> ServiceResult<PatientView> {
        self.set_deleted(principal, patient_id, false).await
    }

    async fn set_deleted(
        &self,
        principal: &Principal,
        patient_id: Uuid,
        delete: bool,
    ) -> ServiceResult<PatientView> {
        let action = if delete {
            "patient.delete"
        } else {
            "patient.restore"
        };
        principal
            .require(&self.store, Permission::PatientsWrite, action)
            .await?;
        let mut tx = self.store.begin_write().await?;
        let mut row = tx
            .patient(principal.organization_id, patient_id)
            .await?
            .filter(|row| row.deleted_at.is_some() != delete)
            .ok_or(ServiceError::NotFound("patient"))?;
        let erased = tx
            .data_key(KeyTable::Patient, principal.organization_id, patient_id)
            .await?
            .is_some_and(|key| key.wrapped.is_none());
        if erased {
            return Err(ServiceError::Conflict(
                "this patient's data has been erased".to_owned(),
            ));
        }
        let now = DbTime::now();
        row.deleted_at = delete.then_some(now);
        row.updated_at = now;
        row.version += 1;
        if !tx.update_patient(&row).await? {
            return Err(ServiceError::StaleVersion {
                current: row.version - 1,
            });
        }
        let event = principal
            .audit(action, Outcome::Success)
            .entity("patient", patient_id);
        tx.append_audit(event.patient(patient_id)).await?;
        let key = tx
            .data_key(KeyTable::Patient, principal.organization_id, patient_id)
            .await?
            .ok_or(ServiceError::NotFound("patient"))?;
        let identifiers = tx
            .patient_identifiers(principal.organization_id, patient_id)
            .await?;
        tx.commit().await?;
        unseal(&self.keys, &row, &key, &identifiers)
    }
}

/// The names of the fields a record has values for, as the audit trail records them (never the values).
fn filled_fields(view: &PatientView) -> Vec<&'static str> {
    let empty = PatientView {
        identifiers: Vec::new(),
        phone: None,
        email: None,
        address: None,
        notes: None,
        animal: None,
        birth_date: None,
        deceased_on: None,
        ..view.clone()
    };
    let mut fields = vec!["kind", "given_name", "family_name", "sex", "status"];
    fields.extend(changed_fields(&empty, view));
    fields
}

/// The names of the fields that differ between two versions of a record.
fn changed_fields(before: &PatientView, after: &PatientView) -> Vec<&'static str> {
    let pairs: [(&'static str, bool); 12] = [
        ("kind", before.kind != after.kind),
        ("given_name", before.given_name != after.given_name),
        ("family_name", before.family_name != after.family_name),
        ("birth_date", before.birth_date != after.birth_date),
        ("sex", before.sex != after.sex),
        (
            "status",
            before.status != after.status || before.deceased_on != after.deceased_on,
        ),
        ("identifiers", before.identifiers != after.identifiers),
        ("phone", before.phone != after.phone),
        ("email", before.email != after.email),
        ("address", before.address != after.address),
        ("notes", before.notes != after.notes),
        ("animal", before.animal != after.animal),
    ];
    pairs
        .into_iter()
        .filter(|(_, changed)| *changed)
        .map(|(name, _)| name)
        .collect()
}
