//! Links between patients and contacts: who owns an animal, who is a child's guardian, whom to call in an
//! emergency, and who receives the invoices and messages.

use praxis_domain::access::Permission;
use praxis_domain::audit::Outcome;
use praxis_domain::patient::PatientKind;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::input::{LinkInput, check_role_fits, parse_role};
use super::{ContactService, ContactView};
use crate::services::access::Principal;
use crate::services::audit::EventExt;
use crate::services::error::{ServiceError, ServiceResult};
use crate::store::{DbTime, PatientContactRow, PatientRow, Tx};

/// A patient's contact with the role it has for the patient.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
#[schema(example = json!({
    "contact": {"id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e5f", "given_name": "Ola", "family_name": "Nordmann",
                "phone": "+4791345678", "email": "ola@example.org", "address": null, "version": 1,
                "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z"},
    "role": "owner", "relationship": "owner", "receives_invoices": true, "receives_messages": true
}))]
pub struct PatientContactView {
    pub contact: ContactView,
    /// `owner`, `guardian`, `next_of_kin` or `emergency`.
    pub role: String,
    pub relationship: Option<String>,
    pub receives_invoices: bool,
    pub receives_messages: bool,
}

/// A contact's patient (for an owner, one of the animals) with the role the contact has for it.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
#[schema(example = json!({
    "patient_id": "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11", "patient_number": 1043, "kind": "animal",
    "given_name": "Rex", "family_name": "Nordmann", "role": "owner", "relationship": "owner",
    "receives_invoices": true, "receives_messages": true
}))]
pub struct ContactPatientView {
    pub patient_id: Uuid,
    pub patient_number: i64,
    /// `person` or `animal`.
    pub kind: String,
    pub given_name: String,
    pub family_name: String,
    pub role: String,
    pub relationship: Option<String>,
    pub receives_invoices: bool,
    pub receives_messages: bool,
}

impl ContactService {
    async fn patient_row(
        &self,
        tx: &mut Tx,
        organization_id: Uuid,
        patient_id: Uuid,
    ) -> ServiceResult<PatientRow> {
        tx.patient(organization_id, patient_id)
            .await?
            .filter(|row| row.deleted_at.is_none())
            .ok_or(ServiceError::NotFound("patient"))
    }

    /// Creates the link, or replaces the relationship and flags of the contact's role for the patient.
    pub async fn link(
        &self,
        principal: &Principal,
        patient_id: Uuid,
        contact_id: Uuid,
        input: LinkInput,
    ) -> ServiceResult<PatientContactView> {
        principal
            .require(&self.store, Permission::PatientsWrite, "contact.link")
            .await?;
        let link = input.check()?;
        let organization_id = principal.organization_id;
        let mut tx = self.store.begin_write().await?;
        let patient = self.patient_row(&mut tx, organization_id, patient_id).await?;
        let contact = self.load(&mut tx, organization_id, contact_id).await?;
        let kind = patient
            .kind
            .parse::<PatientKind>()
            .map_err(|e| ServiceError::Internal(format!("stored patient kind: {e}")))?;
        check_role_fits(link.role, kind)?;
        let now = DbTime::now();
        let row = PatientContactRow {
            patient_id,
            contact_id,
            role: link.role.as_str().to_owned(),
            relationship: link.relationship,
            receives_invoices: link.receives_invoices,
            receives_messages: link.receives_messages,
            created_at: now,
            updated_at: now,
        };
        tx.upsert_patient_contact(organization_id, &row).await?;
        let event = principal
            .audit("contact.link", Outcome::Success)
            .entity("contact", contact_id)
            .details(serde_json::json!({
                "role": row.role,
                "fields": ["relationship", "receives_invoices", "receives_messages"],
            }));
        tx.append_audit(event.patient(patient_id)).await?;
        tx.commit().await?;
        Ok(PatientContactView {
            contact,
            role: row.role,
            relationship: row.relationship,
            receives_invoices: row.receives_invoices,
            receives_messages: row.receives_messages,
        })
    }

    /// Removes one role of a contact for a patient, or every role when none is named.
    pub async fn unlink(
        &self,
        principal: &Principal,
        patient_id: Uuid,
        contact_id: Uuid,
        role: Option<&str>,
    ) -> ServiceResult<()> {
        principal
            .require(&self.store, Permission::PatientsWrite, "contact.unlink")
            .await?;
        let role = role
            .map(|text| parse_role(text).map_err(|issue| ServiceError::Invalid(vec![issue])))
            .transpose()?;
        let organization_id = principal.organization_id;
        let mut tx = self.store.begin_write().await?;
        self.patient_row(&mut tx, organization_id, patient_id).await?;
        let links = tx.contacts_of_patient(organization_id, patient_id).await?;
        let roles: Vec<String> = links
            .into_iter()
            .filter(|link| link.contact_id == contact_id)
            .map(|link| link.role)
            .filter(|stored| role.is_none_or(|role| role.as_str() == stored))
            .collect();
        if roles.is_empty() {
            return Err(ServiceError::NotFound("contact of this patient"));
        }
        for role in &roles {
            tx.delete_patient_contact(organization_id, patient_id, contact_id, role)
                .await?;
        }
        let event = principal
            .audit("contact.unlink", Outcome::Success)
            .entity("contact", contact_id)
            .details(serde_json::json!({ "roles": roles }));
        tx.append_audit(event.patient(patient_id)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The patient's contacts with their links, opened, in the caller's transaction (the caller audits).
    pub async fn links_of_patient(
        &self,
        tx: &mut Tx,
        organization_id: Uuid,
        patient_id: Uuid,
    ) -> ServiceResult<Vec<PatientContactView>> {
        let links = tx.contacts_of_patient(organization_id, patient_id).await?;
        let mut views: Vec<PatientContactView> = Vec::with_capacity(links.len());
        for link in links {
            let contact = match views.iter().find(|view| view.contact.id == link.contact_id) {
                Some(known) => known.contact.clone(),
                None => self.load(tx, organization_id, link.contact_id).await?,
            };
            views.push(PatientContactView {
                contact,
                role: link.role,
                relationship: link.relationship,
                receives_invoices: link.receives_invoices,
                receives_messages: link.receives_messages,
            });
        }
        Ok(views)
    }

    /// A patient's contacts with their roles; the read is audited under the patient, naming the contacts.
    pub async fn contacts_of_patient(
        &self,
        principal: &Principal,
        patient_id: Uuid,
    ) -> ServiceResult<Vec<PatientContactView>> {
        principal
            .require(&self.store, Permission::PatientsRead, "patient.contacts")
            .await?;
        let organization_id = principal.organization_id;
        let mut tx = self.store.begin_write().await?;
        self.patient_row(&mut tx, organization_id, patient_id).await?;
        let views = self
            .links_of_patient(&mut tx, organization_id, patient_id)
            .await?;
        let mut contact_ids: Vec<Uuid> = views.iter().map(|view| view.contact.id).collect();
        contact_ids.dedup();
        let event = principal
            .audit("patient.contacts", Outcome::Success)
            .entity("patient", patient_id)
            .details(serde_json::json!({ "contact_ids": contact_ids }));
        tx.append_audit(event.patient(patient_id)).await?;
        tx.commit().await?;
        Ok(views)
    }

    /// The patients a contact is related to (for an owner, the animals); audited naming the patients.
    pub async fn patients_of_contact(
        &self,
        principal: &Principal,
        contact_id: Uuid,
    ) -> ServiceResult<Vec<ContactPatientView>> {
        principal
            .require(&self.store, Permission::PatientsRead, "contact.patients")
            .await?;
        let organization_id = principal.organization_id;
        let mut tx = self.store.begin_write().await?;
        self.row(&mut tx, organization_id, contact_id).await?;
        let links = tx.patients_of_contact(organization_id, contact_id).await?;
        let mut views = Vec::with_capacity(links.len());
        for link in links {
            let patient = self
                .patient_row(&mut tx, organization_id, link.patient_id)
                .await?;
            views.push(ContactPatientView {
                patient_id: patient.patient_id,
                patient_number: patient.patient_number,
                kind: patient.kind,
                given_name: patient.given_name,
                family_name: patient.family_name,
                role: link.role,
                relationship: link.relationship,
                receives_invoices: link.receives_invoices,
                receives_messages: link.receives_messages,
            });
        }
        let mut patient_ids: Vec<Uuid> = views.iter().map(|view| view.patient_id).collect();
        patient_ids.dedup();
        let event = principal
            .audit("contact.patients", Outcome::Success)
            .entity("contact", contact_id)
            .details(serde_json::json!({ "patient_ids": patient_ids }));
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(views)
    }
}
