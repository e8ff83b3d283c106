//! Contacts: people related to patients (owners of animals, guardians, next of kin, emergency contacts).
//! A contact is a person of its own: its phone, e-mail and address are sealed under its own data key, found
//! through blind indexes, and every read and change is in the audit trail.

mod input;
mod links;
mod sealed;

use std::sync::Arc;

use jiff::Timestamp;
use praxis_domain::access::Permission;
use praxis_domain::audit::Outcome;
use praxis_domain::organization::CountryCode;
use praxis_domain::patient::search_key;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

pub use input::{ContactInput, LinkInput};
pub use links::{ContactPatientView, PatientContactView};
use sealed::{Sealed, seal, unseal};

use super::access::Principal;
use super::audit::EventExt;
use super::error::{ServiceError, ServiceResult};
use super::page::{Listing, PageRequest};
use super::patients::AddressInput;
use crate::crypto::LiveKeys;
use crate::services::record_keys::{LookupQuery, lookup_query};
use crate::store::{ContactRow, ContactSearch, DbTime, KeyTable, Store, Tx};

/// A contact as the API shows it, sealed fields opened.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
#[schema(example = json!({
    "id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e5f", "given_name": "Ola", "family_name": "Nordmann",
    "phone": "+4791345678", "email": "ola@example.org",
    "address": {"lines": ["Strandgaten 12"], "postal_code": "5013", "city": "Bergen", "country": "NO"},
    "version": 1, "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z"
}))]
pub struct ContactView {
    pub id: Uuid,
    pub given_name: String,
    pub family_name: String,
    /// E.164.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<AddressInput>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Search parameters as sent; all optional, all must hold.
#[derive(Debug, Clone, Default)]
pub struct ContactQuery {
    pub q: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ContactService {
    store: Store,
    keys: Arc<LiveKeys>,
}

impl ContactService {
    pub fn new(store: Store, keys: Arc<LiveKeys>) -> Self {
        Self { store, keys }
    }

    /// The organization's country: the default region of phone numbers and addresses.
    async fn country(&self, tx: &mut Tx, organization_id: Uuid) -> ServiceResult<CountryCode> {
        let organization = tx
            .organization(organization_id)
            .await?
            .ok_or(ServiceError::NotFound("organization"))?;
        organization
            .country
            .parse::<CountryCode>()
            .map_err(|e| ServiceError::Internal(e.to_string()))
    }

    pub async fn create(&self, principal: &Principal, input: ContactInput) -> ServiceResult<ContactView> {
        principal
            .require(&self.store, Permission::PatientsWrite, "contact.create")
            .await?;
        let mut tx = self.store.begin_write().await?;
        let country = self.country(&mut tx, principal.organization_id).await?;
        let contact = input.check(&country)?;
        let contact_id = Uuid::now_v7();
        let Sealed { row, key, lookups } = seal(
            &self.keys,
            principal.organization_id,
            contact_id,
            &contact,
            DbTime::now(),
        )?;
        tx.insert_contact(&row, &key).await?;
        tx.replace_contact_lookups(row.organization_id, contact_id, &lookups)
            .await?;
        let view = unseal(&self.keys, &row, &key)?;
        let event = principal
            .audit("contact.create", Outcome::Success)
            .entity("contact", contact_id)
            .details(serde_json::json!({ "fields": filled_fields(&view) }));
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// Reads a contact; the read is in the audit trail before the answer leaves.
    pub async fn read(&self, principal: &Principal, contact_id: Uuid) -> ServiceResult<ContactView> {
        principal
            .require(&self.store, Permission::PatientsRead, "contact.read")
            .await?;
        let mut tx = self.store.begin_write().await?;
        let view = self.load(&mut tx, principal.organization_id, contact_id).await?;
        let event = principal
            .audit("contact.read", Outcome::Success)
            .entity("contact", contact_id);
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(view)
    }

    /// The stored contact, not deleted, of the organization.
    async fn row(&self, tx: &mut Tx, organization_id: Uuid, contact_id: Uuid) -> ServiceResult<ContactRow> {
        tx.contact(organization_id, contact_id)
            .await?
            .filter(|row| row.deleted_at.is_none())
            .ok_or(ServiceError::NotFound("contact"))
    }

    async fn load(&self, tx: &mut Tx, organization_id: Uuid, contact_id: Uuid) -> ServiceResult<ContactView> {
        let row = self.row(tx, organization_id, contact_id).await?;
        let key = tx
            .data_key(KeyTable::Contact, organization_id, contact_id)
            .await?
            .ok_or(ServiceError::NotFound("contact"))?;
        unseal(&self.keys, &row, &key)
    }

    /// Replaces a contact's record; `expected_version` (from `If-Match`) guards against lost updates.
    pub async fn replace(
        &self,
        principal: &Principal,
        contact_id: Uuid,
        input: ContactInput,
        expected_version: Option<i64>,
    ) -> ServiceResult<ContactView> {
        principal
            .require(&self.store, Permission::PatientsWrite, "contact.update")
            .await?;
        let mut tx = self.store.begin_write().await?;
        let country = self.country(&mut tx, principal.organization_id).await?;
        let contact = input.check(&country)?;
        let stored = self.row(&mut tx, principal.organization_id, contact_id).await?;
        super::access::users::check_version(stored.version, expected_version)?;
        let key = tx
            .data_key(KeyTable::Contact, principal.organization_id, contact_id)
            .await?
            .ok_or(ServiceError::NotFound("contact"))?;
        let before = unseal(&self.keys, &stored, &key)?;
        let Sealed { mut row, lookups, .. } =
            sealed::reseal(&self.keys, &stored, &key, &contact, DbTime::now())?;
        row.version = stored.version + 1;
        if !tx.update_contact(&row).await? {
            return Err(ServiceError::StaleVersion {
                current: stored.version,
            });
        }
        tx.replace_contact_lookups(row.organization_id, contact_id, &lookups)
            .await?;
        let after = unseal(&self.keys, &row, &key)?;
        let event = principal
            .audit("contact.update", Outcome::Success)
            .entity("contact", contact_id)
            .details(serde_json::json!({ "fields": changed_fields(&before, &after) }));
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Soft delete: the contact leaves every list, search and patient's contacts at once.
    pub async fn delete(&self, principal: &Principal, contact_id: Uuid) -> ServiceResult<()> {
        principal
            .require(&self.store, Permission::PatientsWrite, "contact.delete")
            .await?;
        let mut tx = self.store.begin_write().await?;
        let mut row = self.row(&mut tx, principal.organization_id, contact_id).await?;
        let now = DbTime::now();
        row.deleted_at = Some(now);
        row.updated_at = now;
        row.version += 1;
        if !tx.update_contact(&row).await? {
            return Err(ServiceError::StaleVersion {
                current: row.version - 1,
            });
        }
        let event = principal
            .audit("contact.delete", Outcome::Success)
            .entity("contact", contact_id);
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Lists and searches contacts; one audit event names every contact returned.
    pub async fn list(
        &self,
        principal: &Principal,
        query: ContactQuery,
        page: &PageRequest,
    ) -> ServiceResult<Listing<ContactView>> {
        principal
            .require(&self.store, Permission::PatientsRead, "contact.list")
            .await?;
        let spec = page.check::<Uuid>()?;
        let mut tx = self.store.begin_write().await?;
        let country = self.country(&mut tx, principal.organization_id).await?;
        let search = self.search(principal.organization_id, &query, &country, spec.after)?;
        let rows = match search {
            Some(search) => {
                tx.search_contacts(principal.organization_id, &search, spec.read_limit())
                    .await?
            }
            // A search value that cannot be valid matches nobody.
            None => Vec::new(),
        };
        let views = self.open_all(&mut tx, principal.organization_id, &rows).await?;
        let listing = Listing::new(views, &spec, |view: &ContactView| view.id);
        let returned: Vec<Uuid> = listing.items.iter().map(|view| view.id).collect();
        let event = principal
            .audit("contact.list", Outcome::Success)
            .details(serde_json::json!({ "contact_ids": returned }));
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(listing)
    }

    /// Opens a batch of stored contacts, reading their keys at once.
    async fn open_all(
        &self,
        tx: &mut Tx,
        organization_id: Uuid,
        rows: &[ContactRow],
    ) -> ServiceResult<Vec<ContactView>> {
        let ids: Vec<Uuid> = rows.iter().map(|row| row.contact_id).collect();
        let keys = tx.data_keys(KeyTable::Contact, organization_id, &ids).await?;
        rows.iter()
            .map(|row| {
                let key = keys
                    .iter()
                    .find(|(id, _)| *id == row.contact_id)
                    .map(|(_, key)| key)
                    .ok_or(ServiceError::NotFound("contact"))?;
                unseal(&self.keys, row, key)
            })
            .collect()
    }

    /// The store search for a query, or `None` when a search value cannot match anyone.
    fn search(
        &self,
        organization_id: Uuid,
        query: &ContactQuery,
        country: &CountryCode,
        after: Option<Uuid>,
    ) -> ServiceResult<Option<ContactSearch>> {
        let mut search = ContactSearch {
            name_prefix: query.q.as_deref().map(search_key).filter(|key| !key.is_empty()),
            after,
            ..ContactSearch::default()
        };
        match lookup_query(
            &self.keys,
            organization_id,
            country,
            query.phone.as_deref(),
            query.email.as_deref(),
        )? {
            LookupQuery::Impossible => return Ok(None),
            LookupQuery::Index(lookup) => search.lookup = Some(lookup),
            LookupQuery::Open => {}
        }
        Ok(Some(search))
    }
}

/// The names of the fields a contact has values for, as the audit trail records them (never the values).
fn filled_fields(view: &ContactView) -> Vec<&'static str> {
    let empty = ContactView {
        phone: None,
        email: None,
        address: None,
        ..view.clone()
    };
    let mut fields = vec!["given_name", "family_name"];
    fields.extend(changed_fields(&empty, view));
    fields
}

/// The names of the fields that differ between two versions of a contact.
fn changed_fields(before: &ContactView, after: &ContactView) -> Vec<&'static str> {
    let pairs: [(&'static str, bool); 5] = [
        ("given_name", before.given_name != after.given_name),
        ("family_name", before.family_name != after.family_name),
        ("phone", before.phone != after.phone),
        ("email", before.email != after.email),
        ("address", before.address != after.address),
    ];
    pairs
        .into_iter()
        .filter(|(_, changed)| *changed)
        .map(|(name, _)| name)
        .collect()
}
