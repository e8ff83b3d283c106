//! Practitioners, resources and services: the set-up a clinic does once and changes now and then.

use jiff::Timestamp;
use praxis_domain::access::Permission;
use praxis_domain::appointment::{BUFFER_MINUTES, Colour, DURATION_MINUTES, ResourceKind};
use praxis_domain::audit::Outcome;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::input::{self, double_option};
use super::{SchedulingService, practitioner_row, resource_row, service_row};
use crate::services::access::Principal;
use crate::services::access::users::check_version;
use crate::services::audit::EventExt;
use crate::services::error::{FieldIssue, ServiceError, ServiceResult, Validation};
use crate::services::page::{Listing, PageRequest};
use crate::store::{DbTime, PractitionerRow, ResourceRow, ServiceRow, Tx};

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e50", "name": "Dr. Kari Berg", "user_id": null, "active": true,
    "version": 1, "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z"
}))]
pub struct PractitionerView {
    pub id: Uuid,
    pub name: String,
    /// The user who signs in as this practitioner, if any.
    pub user_id: Option<Uuid>,
    /// Inactive practitioners keep their history but cannot be booked.
    pub active: bool,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Dr. Kari Berg", "user_id": null}))]
pub struct PractitionerInput {
    pub name: String,
    pub user_id: Option<Uuid>,
}

/// Fields to change; absent ones stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Dr. Kari Berg-Hansen", "active": true}))]
pub struct PractitionerPatch {
    pub name: Option<String>,
    /// `null` unlinks the user.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub user_id: Option<Option<Uuid>>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e51", "name": "Treatment room 2", "kind": "room", "active": true,
    "version": 1, "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z"
}))]
pub struct ResourceView {
    pub id: Uuid,
    pub name: String,
    /// `room`, `equipment` or `other`.
    pub kind: String,
    pub active: bool,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Treatment room 2", "kind": "room"}))]
pub struct ResourceInput {
    pub name: String,
    /// `room` (the default), `equipment` or `other`.
    pub kind: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct ResourcePatch {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e52", "name": "Initial consultation", "duration_minutes": 45,
    "buffer_before_minutes": 0, "buffer_after_minutes": 10, "price_minor": 95000, "colour": "#3b82f6",
    "practitioner_ids": ["0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e50"], "active": true, "version": 1,
    "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z"
}))]
pub struct ServiceView {
    pub id: Uuid,
    pub name: String,
    pub duration_minutes: i64,
    /// Preparation time the practitioner and resource need before the appointment.
    pub buffer_before_minutes: i64,
    /// Time they need after it (cleaning, notes).
    pub buffer_after_minutes: i64,
    /// In the minor unit of the organization's currency (øre, cents).
    pub price_minor: Option<i64>,
    pub colour: Option<String>,
    /// Who offers the service.
    pub practitioner_ids: Vec<Uuid>,
    pub active: bool,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Initial consultation", "duration_minutes": 45, "buffer_after_minutes": 10, "price_minor": 95000,
    "colour": "#3b82f6", "practitioner_ids": ["0193b1f4-6c2e-7d10-8e55-3a1b2c3d4e50"]
}))]
pub struct ServiceInput {
    pub name: String,
    /// 5 to 720 minutes.
    pub duration_minutes: i64,
    /// 0 to 240 minutes (default 0).
    #[serde(default)]
    pub buffer_before_minutes: i64,
    /// 0 to 240 minutes (default 0).
    #[serde(default)]
    pub buffer_after_minutes: i64,
    pub price_minor: Option<i64>,
    /// `#rrggbb`.
    pub colour: Option<String>,
    #[serde(default)]
    pub practitioner_ids: Vec<Uuid>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"duration_minutes": 60, "practitioner_ids": []}))]
pub struct ServicePatch {
    pub name: Option<String>,
    pub duration_minutes: Option<i64>,
    pub buffer_before_minutes: Option<i64>,
    pub buffer_after_minutes: Option<i64>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub price_minor: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub colour: Option<Option<String>>,
    pub practitioner_ids: Option<Vec<Uuid>>,
    pub active: Option<bool>,
}

impl From<PractitionerRow> for PractitionerView {
    fn from(row: PractitionerRow) -> Self {
        Self {
            id: row.practitioner_id,
            name: row.name,
            user_id: row.user_id,
            active: row.active,
            version: row.version,
            created_at: row.created_at.get(),
            updated_at: row.updated_at.get(),
        }
    }
}

impl From<ResourceRow> for ResourceView {
    fn from(row: ResourceRow) -> Self {
        Self {
            id: row.resource_id,
            name: row.name,
            kind: row.kind,
            active: row.active,
            version: row.version,
            created_at: row.created_at.get(),
            updated_at: row.updated_at.get(),
        }
    }
}

fn service_view(row: ServiceRow, practitioner_ids: Vec<Uuid>) -> ServiceView {
    ServiceView {
        id: row.service_id,
        name: row.name,
        duration_minutes: row.duration_minutes,
        buffer_before_minutes: row.buffer_before_minutes,
        buffer_after_minutes: row.buffer_after_minutes,
        price_minor: row.price_minor,
        colour: row.colour,
        practitioner_ids,
        active: row.active,
        version: row.version,
        created_at: row.created_at.get(),
        updated_at: row.updated_at.get(),
    }
}

/// The user exists in the organization and is not already another practitioner.
async fn check_user(
    tx: &mut Tx,
    validation: &mut Validation,
    organization_id: Uuid,
    user_id: Option<Uuid>,
) -> ServiceResult<()> {
    if let Some(user_id) = user_id
        && tx.user(organization_id, user_id).await?.is_none()
    {
        validation.push(FieldIssue::new(
            "user_id",
            "unknown_user",
            "no such user in this organization",
        ));
    }
    Ok(())
}

/// Every id names a practitioner of the organization; duplicates are dropped.
async fn check_practitioners(
    tx: &mut Tx,
    validation: &mut Validation,
    organization_id: Uuid,
    ids: &[Uuid],
) -> ServiceResult<Vec<Uuid>> {
    let mut unique = ids.to_vec();
    unique.sort();
    unique.dedup();
    for (index, id) in ids.iter().enumerate() {
        if tx.practitioner(organization_id, *id).await?.is_none() {
            validation.push(FieldIssue::new(
                format!("practitioner_ids[{index}]"),
                "unknown_practitioner",
                "no such practitioner in this organization",
            ));
        }
    }
    Ok(unique)
}

fn check_price(validation: &mut Validation, price_minor: Option<i64>) -> Option<i64> {
    if price_minor.is_some_and(|price| price < 0) {
        validation.push(FieldIssue::new(
            "price_minor",
            "negative",
            "a price is zero or more",
        ));
    }
    price_minor
}

fn check_colour(validation: &mut Validation, colour: Option<&str>) -> Option<String> {
    let colour = colour?;
    validation
        .field("colour", Colour::parse(colour), |_| "invalid_colour")
        .map(|colour| colour.as_str().to_owned())
}

/// A user may be linked to one practitioner only: the unique index says so, the caller hears a 409.
fn user_taken(error: crate::store::StoreError) -> ServiceError {
    if crate::store::is_unique_violation(&error) {
        ServiceError::Conflict("this user is already linked to another practitioner".to_owned())
    } else {
        error.into()
    }
}

impl SchedulingService {
    pub async fn create_practitioner(
        &self,
        principal: &Principal,
        input: PractitionerInput,
    ) -> ServiceResult<PractitionerView> {
        principal
            .require(&self.store, Permission::SchedulingWrite, "practitioner.create")
            .await?;
        let mut tx = self.store.begin_write().await?;
        let mut validation = Validation::default();
        let name = input::name(&mut validation, "name", &input.name);
        check_user(&mut tx, &mut validation, principal.organization_id, input.user_id).await?;
        validation.finish()?;
        let now = DbTime::now();
        let row = PractitionerRow {
            practitioner_id: Uuid::now_v7(),
            organization_id: principal.organization_id,
            name: name.unwrap_or_default(),
            user_id: input.user_id,
            active: true,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        tx.insert_practitioner(&row).await.map_err(user_taken)?;
        let event = principal
            .audit("practitioner.create", Outcome::Success)
            .entity("practitioner", row.practitioner_id);
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(row.into())
    }

    pub async fn update_practitioner(
        &self,
        principal: &Principal,
        id: Uuid,
        patch: PractitionerPatch,
        expected_version: Option<i64>,
    ) -> ServiceResult<PractitionerView> {
        principal
            .require(&self.store, Permission::SchedulingWrite, "practitioner.update")
            .await?;
        let mut tx = self.store.begin_write().await?;
        let mut row = practitioner_row(&mut tx, principal.organization_id, id).await?;
        check_version(row.version, expected_version)?;
        let mut validation = Validation::default();
        if let Some(name) = &patch.name {
            row.name = input::name(&mut validation, "name", name).unwrap_or_default();
        }
        if let Some(user_id) = patch.user_id {
            check_user(&mut tx, &mut validation, principal.organization_id, user_id).await?;
            row.user_id = user_id;
        }
        validation.finish()?;
        row.active = patch.active.unwrap_or(row.active);
        row.version += 1;
        row.updated_at = DbTime::now();
        if !tx.update_practitioner(&row).await.map_err(user_taken)? {
            return Err(ServiceError::StaleVersion {
                current: row.version - 1,
            });
        }
        let event = principal
            .audit("practitioner.update", Outcome::Success)
            .entity("practitioner", id)
            .details(changed(&[
                ("name", patch.name.is_some()),
                ("user_id", patch.user_id.is_some()),
                ("active", patch.active.is_some()),
            ]));
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(row.into())
    }

    pub async fn practitioner(&self, principal: &Principal, id: Uuid) -> ServiceResult<PractitionerView> {
        principal
            .require(&self.store, Permission::SchedulingRead, "practitioner.read")
            .await?;
        let mut tx = self.store.begin_read().await?;
        Ok(practitioner_row(&mut tx, principal.organization_id, id)
            .await?
            .into())
    }

    pub async fn practitioners(
        &self,
        principal: &Principal,
        page: &PageRequest,
    ) -> ServiceResult<Listing<PractitionerView>> {
        principal
            .require(&self.store, Permission::SchedulingRead, "practitioner.list")
            .await?;
        let spec = page.check::<Uuid>()?;
        let mut tx = self.store.begin_read().await?;
        let rows = tx
            .practitioners(principal.organization_id, spec.after, spec.read_limit())
            .await?;
        let views = rows.into_iter().map(PractitionerView::from).collect();
        Ok(Listing::new(views, &spec, |view: &PractitionerView| view.id))
    }

    pub async fn create_resource(
        &self,
        principal: &Principal,
        input: ResourceInput,
    ) -> ServiceResult<ResourceView> {
        principal
            .require(&self.store, Permission::SchedulingWrite, "resource.create")
            .await?;
        let mut validation = Validation::default();
        let name = input::name(&mut validation, "name", &input.name);
        let kind = match &input.kind {
            Some(kind) => input::coded::<ResourceKind>(&mut validation, "kind", kind),
            None => Some(ResourceKind::Room),
        };
        validation.finish()?;
        let now = DbTime::now();
        let row = ResourceRow {
            resource_id: Uuid::now_v7(),
            organization_id: principal.organization_id,
            name: name.unwrap_or_default(),
            kind: kind.unwrap_or(ResourceKind::Room).as_str().to_owned(),
            active: true,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let mut tx = self.store.begin_write().await?;
        tx.insert_resource(&row).await?;
        let event = principal
            .audit("resource.create", Outcome::Success)
            .entity("resource", row.resource_id);
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(row.into())
    }

    pub async fn update_resource(
        &self,
        principal: &Principal,
        id: Uuid,
        patch: ResourcePatch,
        expected_version: Option<i64>,
    ) -> ServiceResult<ResourceView> {
        principal
            .require(&self.store, Permission::SchedulingWrite, "resource.update")
            .await?;
        let mut tx = self.store.begin_write().await?;
        let mut row = resource_row(&mut tx, principal.organization_id, id).await?;
        check_version(row.version, expected_version)?;
        let mut validation = Validation::default();
        if let Some(name) = &patch.name {
            row.name = input::name(&mut validation, "name", name).unwrap_or_default();
        }
        if let Some(kind) = &patch.kind
            && let Some(kind) = input::coded::<ResourceKind>(&mut validation, "kind", kind)
        {
            row.kind = kind.as_str().to_owned();
        }
        validation.finish()?;
        row.active = patch.active.unwrap_or(row.active);
        row.version += 1;
        row.updated_at = DbTime::now();
        if !tx.update_resource(&row).await? {
            return Err(ServiceError::StaleVersion {
                current: row.version - 1,
            });
        }
        let event = principal
            .audit("resource.update", Outcome::Success)
            .entity("resource", id)
            .details(changed(&[
                ("name", patch.name.is_some()),
                ("kind", patch.kind.is_some()),
                ("active", patch.active.is_some()),
            ]));
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(row.into())
    }

    pub async fn resource(&self, principal: &Principal, id: Uuid) -> ServiceResult<ResourceView> {
        principal
            .require(&self.store, Permission::SchedulingRead, "resource.read")
            .await?;
        let mut tx = self.store.begin_read().await?;
        Ok(resource_row(&mut tx, principal.organization_id, id).await?.into())
    }

    pub async fn resources(
        &self,
        principal: &Principal,
        page: &PageRequest,
    ) -> ServiceResult<Listing<ResourceView>> {
        principal
            .require(&self.store, Permission::SchedulingRead, "resource.list")
            .await?;
        let spec = page.check::<Uuid>()?;
        let mut tx = self.store.begin_read().await?;
        let rows = tx
            .resources(principal.organization_id, spec.after, spec.read_limit())
            .await?;
        let views = rows.into_iter().map(ResourceView::from).collect();
        Ok(Listing::new(views, &spec, |view: &ResourceView| view.id))
    }

    pub async fn create_service(
        &self,
        principal: &Principal,
        input: ServiceInput,
    ) -> ServiceResult<ServiceView> {
        principal
            .require(&self.store, Permission::SchedulingWrite, "service.create")
            .await?;
        let mut tx = self.store.begin_write().await?;
        let mut validation = Validation::default();
        let name = input::name(&mut validation, "name", &input.name);
        let duration = input::minutes(
            &mut validation,
            "duration_minutes",
            input.duration_minutes,
            DURATION_MINUTES,
        );
        input::minutes(
            &mut validation,
            "buffer_before_minutes",
            input.buffer_before_minutes,
            BUFFER_MINUTES,
        );
        input::minutes(
            &mut validation,
            "buffer_after_minutes",
            input.buffer_after_minutes,
            BUFFER_MINUTES,
        );
        let price_minor = check_price(&mut validation, input.price_minor);
        let colour = check_colour(&mut validation, input.colour.as_deref());
        let practitioner_ids = check_practitioners(
            &mut tx,
            &mut validation,
            principal.organization_id,
            &input.practitioner_ids,
        )
        .await?;
        validation.finish()?;
        let now = DbTime::now();
        let row = ServiceRow {
            service_id: Uuid::now_v7(),
            organization_id: principal.organization_id,
            name: name.unwrap_or_default(),
            duration_minutes: duration.unwrap_or_default(),
            buffer_before_minutes: input.buffer_before_minutes,
            buffer_after_minutes: input.buffer_after_minutes,
            price_minor,
            colour,
            active: true,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        tx.insert_service(&row).await?;
        tx.replace_service_practitioners(principal.organization_id, row.service_id, &practitioner_ids)
            .await?;
        let event = principal
            .audit("service.create", Outcome::Success)
            .entity("service", row.service_id);
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(service_view(row, practitioner_ids))
    }

    pub async fn update_service(
        &self,
        principal: &Principal,
        id: Uuid,
        patch: ServicePatch,
        expected_version: Option<i64>,
    ) -> ServiceResult<ServiceView> {
        principal
            .require(&self.store, Permission::SchedulingWrite, "service.update")
            .await?;
        let mut tx = self.store.begin_write().await?;
        let organization_id = principal.organization_id;
        let mut row = service_row(&mut tx, organization_id, id).await?;
        check_version(row.version, expected_version)?;
        let mut validation = Validation::default();
        if let Some(name) = &patch.name {
            row.name = input::name(&mut validation, "name", name).unwrap_or_default();
        }
        let timing = [
            (
                "duration_minutes",
                patch.duration_minutes,
                DURATION_MINUTES,
                &mut row.duration_minutes,
            ),
            (
                "buffer_before_minutes",
                patch.buffer_before_minutes,
                BUFFER_MINUTES,
                &mut row.buffer_before_minutes,
            ),
            (
                "buffer_after_minutes",
                patch.buffer_after_minutes,
                BUFFER_MINUTES,
                &mut row.buffer_after_minutes,
            ),
        ];
        for (field, value, bounds, target) in timing {
            if let Some(value) = value {
                *target = input::minutes(&mut validation, field, value, bounds).unwrap_or(*target);
            }
        }
        if let Some(price_minor) = patch.price_minor {
            row.price_minor = check_price(&mut validation, price_minor);
        }
        if let Some(colour) = &patch.colour {
            row.colour = check_colour(&mut validation, colour.as_deref());
        }
        let practitioner_ids = match &patch.practitioner_ids {
            Some(ids) => Some(check_practitioners(&mut tx, &mut validation, organization_id, ids).await?),
            None => None,
        };
        validation.finish()?;
        row.active = patch.active.unwrap_or(row.active);
        row.version += 1;
        row.updated_at = DbTime::now();
        if !tx.update_service(&row).await? {
            return Err(ServiceError::StaleVersion {
                current: row.version - 1,
            });
        }
        if let Some(ids) = &practitioner_ids {
            tx.replace_service_practitioners(organization_id, id, ids).await?;
        }
        let practitioner_ids = tx.service_practitioners(organization_id, id).await?;
        let event = principal
            .audit("service.update", Outcome::Success)
            .entity("service", id)
            .details(changed(&[
                ("name", patch.name.is_some()),
                ("duration_minutes", patch.duration_minutes.is_some()),
                ("buffer_before_minutes", patch.buffer_before_minutes.is_some()),
                ("buffer_after_minutes", patch.buffer_after_minutes.is_some()),
                ("price_minor", patch.price_minor.is_some()),
                ("colour", patch.colour.is_some()),
                ("practitioner_ids", patch.practitioner_ids.is_some()),
                ("active", patch.active.is_some()),
            ]));
        tx.append_audit(event).await?;
        tx.commit().await?;
        Ok(service_view(row, practitioner_ids))
    }

    pub async fn service(&self, principal: &Principal, id: Uuid) -> ServiceResult<ServiceView> {
        principal
            .require(&self.store, Permission::SchedulingRead, "service.read")
            .await?;
        let mut tx = self.store.begin_read().await?;
        let row = service_row(&mut tx, principal.organization_id, id).await?;
        let practitioner_ids = tx.service_practitioners(principal.organization_id, id).await?;
        Ok(service_view(row, practitioner_ids))
    }

    pub async fn services(
        &self,
        principal: &Principal,
        page: &PageRequest,
    ) -> ServiceResult<Listing<ServiceView>> {
        principal
            .require(&self.store, Permission::SchedulingRead, "service.list")
            .await?;
        let spec = page.check::<Uuid>()?;
        let mut tx = self.store.begin_read().await?;
        let rows = tx
            .services(principal.organization_id, spec.after, spec.read_limit())
            .await?;
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            let practitioner_ids = tx
                .service_practitioners(principal.organization_id, row.service_id)
                .await?;
            views.push(service_view(row, practitioner_ids));
        }
        Ok(Listing::new(views, &spec, |view: &ServiceView| view.id))
    }
}

/// The audit details of a patch: the names of the fields it changed, never their values.
pub(super) fn changed(fields: &[(&str, bool)]) -> serde_json::Value {
    let names: Vec<&str> = fields
        .iter()
        .filter(|(_, changed)| *changed)
        .map(|(name, _)| *name)
        .collect();
    serde_json::json!({ "fields": names })
}
