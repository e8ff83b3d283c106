//! Listing and searching patients: names by folded prefix, identifiers, phones and e-mails by blind index.

use praxis_domain::access::Permission;
use praxis_domain::audit::Outcome;
use praxis_domain::identifier::IdentifierSystem;
use praxis_domain::patient::search_key;
use uuid::Uuid;

use super::sealed::unseal;
use super::{Context, PatientQuery, PatientService, PatientView};
use crate::services::access::Principal;
use crate::services::audit::EventExt;
use crate::services::error::{ServiceError, ServiceResult};
use crate::services::page::{Listing, PageRequest};
use crate::services::record_keys::{LookupQuery, identifier_index, lookup_query};
use crate::store::{KeyTable, PatientSearch};

impl PatientService {
    /// Lists and searches patients; one audit event names every patient returned.
    pub async fn list(
        &self,
        principal: &Principal,
        query: PatientQuery,
        page: &PageRequest,
    ) -> ServiceResult<Listing<PatientView>> {
        principal
            .require(&self.store, Permission::PatientsRead, "patient.list")
            .await?;
        let spec = page.check::<Uuid>()?;
        let mut tx = self.store.begin_write().await?;
        let context = self.context(&mut tx, principal.organization_id).await?;
        let search = self.search(principal.organization_id, &query, &context, spec.after)?;
        let rows = match search {
            Some(search) => {
                tx.search_patients(principal.organization_id, &search, spec.read_limit())
                    .await?
            }
            // A search value that cannot be valid matches nobody.
            None => Vec::new(),
        };
        let ids: Vec<Uuid> = rows.iter().map(|row| row.patient_id).collect();
        let keys = tx
            .data_keys(KeyTable::Patient, principal.organization_id, &ids)
            .await?;
        let mut views = Vec::with_capacity(rows.len());
        for row in &rows {
            let key = keys
                .iter()
                .find(|(id, _)| *id == row.patient_id)
                .map(|(_, key)| key)
                .ok_or(ServiceError::NotFound("patient"))?;
            let identifiers = tx
                .patient_identifiers(principal.organization_id, row.patient_id)
                .await?;
            views.push(unseal(&self.keys, row, key, &identifiers)?);
        }
        let listing = Listing::new(views, &spec, |view: &PatientView| view.id);
        let returned: Vec<Uuid> = listing.items.iter().map(|view| view.id).collect();
        let event = principal
            .audit("patient.list", Outcome::Success)
            .details(serde_json::json!({ "patient_ids": returned }));
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(listing)
    }

    /// The store search for a query, or `None` when a search value cannot match anyone.
    fn search(
        &self,
        organization_id: Uuid,
        query: &PatientQuery,
        context: &Context,
        after: Option<Uuid>,
    ) -> ServiceResult<Option<PatientSearch>> {
        let mut search = PatientSearch {
            name_prefix: query.q.as_deref().map(search_key).filter(|key| !key.is_empty()),
            birth_date: query.birth_date.map(|date| date.to_string()),
            after,
            ..PatientSearch::default()
        };
        if let Some(identifier) = &query.identifier {
            let candidates: Vec<(IdentifierSystem, &str)> = match identifier.split_once('|') {
                Some((system, value)) => match system.parse::<IdentifierSystem>() {
                    Ok(system) => vec![(system, value)],
                    Err(_) => return Ok(None),
                },
                None => IdentifierSystem::ALL
                    .iter()
                    .map(|system| (*system, identifier.as_str()))
                    .collect(),
            };
            search.identifier_indexes = candidates
                .into_iter()
                .filter_map(|(system, value)| {
                    praxis_domain::identifier::NationalIdentifier::parse(system, value, context.today).ok()
                })
                .map(|parsed| identifier_index(&self.keys, organization_id, &parsed))
                .collect();
            if search.identifier_indexes.is_empty() {
                return Ok(None);
            }
        }
        match lookup_query(
            &self.keys,
            organization_id,
            &context.country,
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
