//! Organizations: created from the shell with their first admin, read by everyone in them, changed by admins.

use jiff::Timestamp;
use praxis_domain::access::Permission;
use praxis_domain::audit::{Actor, Outcome};
use praxis_domain::organization::{CountryCode, CurrencyCode, Locale, OrganizationName, Slug, TimeZoneName};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::access::users::{self, NewUser, UserView, check_version};
use super::access::{Principal, RequestMeta};
use super::audit::{self, EventExt};
use super::error::{ServiceError, ServiceResult, Validation};
use crate::store::{DbTime, OrganizationRow, Store, is_unique_violation};

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11", "slug": "fjordklinikken", "name": "Fjordklinikken",
    "time_zone": "Europe/Oslo", "country": "NO", "currency": "NOK", "locale": "nb-NO", "version": 1,
    "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z"
}))]
pub struct OrganizationView {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    /// IANA time zone; working hours and slots are computed in it.
    pub time_zone: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// ISO 4217.
    pub currency: String,
    /// BCP 47 language tag.
    pub locale: String,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl OrganizationView {
    fn from_row(row: &OrganizationRow) -> Self {
        Self {
            id: row.organization_id,
            slug: row.slug.clone(),
            name: row.name.clone(),
            time_zone: row.time_zone.clone(),
            country: row.country.clone(),
            currency: row.currency.clone(),
            locale: row.locale.clone(),
            version: row.version,
            created_at: row.created_at.get(),
            updated_at: row.updated_at.get(),
        }
    }
}

/// An organization's settings as given; every field is optional so the same type serves a change.
#[derive(Debug, Default, Clone)]
pub struct OrganizationFields {
    pub name: Option<String>,
    pub time_zone: Option<String>,
    pub country: Option<String>,
    pub currency: Option<String>,
    pub locale: Option<String>,
}

/// Checks the given fields and writes the valid ones onto `row`; returns the names of those that changed.
fn apply(fields: &OrganizationFields, row: &mut OrganizationRow) -> ServiceResult<Vec<&'static str>> {
    let mut validation = Validation::default();
    let mut changed = Vec::new();
    let mut set = |name: &'static str, target: &mut String, value: Option<String>| {
        if let Some(value) = value.filter(|value| value != target) {
            *target = value;
            changed.push(name);
        }
    };
    let name = fields
        .name
        .as_deref()
        .and_then(|v| validation.field("name", v.parse::<OrganizationName>(), |e| e.code()));
    let zone = fields
        .time_zone
        .as_deref()
        .and_then(|v| validation.field("time_zone", v.parse::<TimeZoneName>(), |e| e.code()));
    let country = fields
        .country
        .as_deref()
        .and_then(|v| validation.field("country", v.parse::<CountryCode>(), |e| e.code()));
    let currency = fields
        .currency
        .as_deref()
        .and_then(|v| validation.field("currency", v.parse::<CurrencyCode>(), |e| e.code()));
    let locale = fields
        .locale
        .as_deref()
        .and_then(|v| validation.field("locale", v.parse::<Locale>(), |e| e.code()));
    validation.finish()?;
    set("name", &mut row.name, name.map(String::from));
    set("time_zone", &mut row.time_zone, zone.map(String::from));
    set("country", &mut row.country, country.map(String::from));
    set("currency", &mut row.currency, currency.map(String::from));
    set("locale", &mut row.locale, locale.map(String::from));
    Ok(changed)
}

/// What `praxis admin bootstrap` creates.
#[derive(Debug)]
pub struct Bootstrap {
    pub slug: String,
    pub fields: OrganizationFields,
    pub admin_email: String,
    pub admin_name: String,
    pub admin_password: String,
}

/// Creates an organization and its first admin in one transaction, audited as done by the system.
pub async fn bootstrap(store: &Store, input: Bootstrap) -> ServiceResult<(OrganizationView, UserView)> {
    let mut validation = Validation::default();
    let slug = validation.field("slug", input.slug.parse::<Slug>(), |e| e.code());
    for (field, value) in [
        ("name", &input.fields.name),
        ("time_zone", &input.fields.time_zone),
        ("country", &input.fields.country),
        ("currency", &input.fields.currency),
        ("locale", &input.fields.locale),
    ] {
        if value.is_none() {
            validation.push(super::error::FieldIssue::new(
                field,
                "required",
                format!("{field} is required"),
            ));
        }
    }
    let now = DbTime::now();
    let mut row = OrganizationRow {
        organization_id: Uuid::now_v7(),
        slug: slug.map(String::from).unwrap_or_default(),
        name: String::new(),
        time_zone: String::new(),
        country: String::new(),
        currency: String::new(),
        locale: String::new(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    if let Err(ServiceError::Invalid(issues)) = apply(&input.fields, &mut row) {
        issues.into_iter().for_each(|issue| validation.push(issue));
    }
    validation.finish()?;
    let admin = NewUser::parse(
        &input.admin_email,
        &input.admin_name,
        &["admin".to_owned()],
        input.admin_password,
    )?;

    let mut tx = store.begin_write().await?;
    match tx.insert_organization(&row).await {
        Err(error) if is_unique_violation(&error) => {
            return Err(ServiceError::Conflict(format!(
                "an organization with the slug {:?} exists already",
                row.slug
            )));
        }
        other => other?,
    }
    let system = |action: &str| {
        audit::event(
            row.organization_id,
            Actor::System,
            None,
            &RequestMeta::default(),
            action,
            Outcome::Success,
        )
    };
    tx.append_audit(system("organization.create").entity("organization", row.organization_id))
        .await?;
    let user = users::insert_user(&mut tx, row.organization_id, admin, system("user.create")).await?;
    tx.commit().await?;
    Ok((OrganizationView::from_row(&row), user))
}

/// Creates a user from the shell, audited as done by the system.
pub async fn create_user_from_shell(store: &Store, slug: &str, user: NewUser) -> ServiceResult<UserView> {
    let mut tx = store.begin_write().await?;
    let organization = tx
        .organization_by_slug(slug)
        .await?
        .ok_or(ServiceError::NotFound("organization"))?;
    let event = audit::event(
        organization.organization_id,
        Actor::System,
        None,
        &RequestMeta::default(),
        "user.create",
        Outcome::Success,
    );
    let view = users::insert_user(&mut tx, organization.organization_id, user, event).await?;
    tx.commit().await?;
    Ok(view)
}

/// Sets a password from the shell (the way back in for a locked-out or forgetful admin).
pub async fn reset_password_from_shell(
    store: &Store,
    slug: &str,
    email: &str,
    password: String,
) -> ServiceResult<()> {
    let mut tx = store.begin_write().await?;
    let organization = tx
        .organization_by_slug(slug)
        .await?
        .ok_or(ServiceError::NotFound("organization"))?;
    let email = email
        .parse::<praxis_domain::email::EmailAddress>()
        .map_err(|_| ServiceError::NotFound("user"))?;
    let user = tx
        .user_by_email(organization.organization_id, &email.normalized())
        .await?
        .ok_or(ServiceError::NotFound("user"))?;
    let event = audit::event(
        organization.organization_id,
        Actor::System,
        None,
        &RequestMeta::default(),
        "user.password_reset",
        Outcome::Success,
    );
    users::reset_password(&mut tx, &user, password, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Everyone in the organization may read its settings; they drive what every screen shows.
pub async fn get(store: &Store, principal: &Principal) -> ServiceResult<OrganizationView> {
    let mut tx = store.begin_read().await?;
    let row = tx.organization(principal.organization_id).await?;
    tx.commit().await?;
    row.as_ref()
        .map(OrganizationView::from_row)
        .ok_or(ServiceError::NotFound("organization"))
}

pub async fn update(
    store: &Store,
    principal: &Principal,
    fields: OrganizationFields,
    expected_version: Option<i64>,
) -> ServiceResult<OrganizationView> {
    principal
        .require(store, Permission::Administer, "organization.update")
        .await?;
    let mut tx = store.begin_write().await?;
    let mut row = tx
        .organization(principal.organization_id)
        .await?
        .ok_or(ServiceError::NotFound("organization"))?;
    check_version(row.version, expected_version)?;
    let changed = apply(&fields, &mut row)?;
    if !changed.is_empty() {
        row.version += 1;
        row.updated_at = DbTime::now();
        if !tx.update_organization(&row).await? {
            return Err(ServiceError::StaleVersion {
                current: row.version - 1,
            });
        }
        let event = principal
            .audit("organization.update", Outcome::Success)
            .entity("organization", row.organization_id)
            .details(serde_json::json!({ "fields": changed }));
        tx.append_audit(event).await?;
    }
    tx.commit().await?;
    Ok(OrganizationView::from_row(&row))
}
