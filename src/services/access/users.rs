//! Staff accounts: created, listed, changed and deactivated by admins (or from the shell).

use jiff::Timestamp;
use praxis_domain::access::{Permission, Role, Roles};
use praxis_domain::audit::{AuditEvent, Outcome};
use praxis_domain::email::EmailAddress;
use praxis_domain::password::Password;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{AccessService, Principal, join_list, parse_list, secrets};
use crate::services::audit::EventExt;
use crate::services::error::{FieldIssue, ServiceError, ServiceResult, Validation};
use crate::services::page::{Listing, PageRequest};
use crate::store::{DbTime, Tx, UserRow, is_unique_violation};

const DISPLAY_NAME_MAX: usize = 200;

/// A staff account as the API shows it; the password hash and login counters stay inside.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11", "email": "kari@clinic.example", "display_name": "Kari Nordmann",
    "roles": ["admin", "clinician"], "active": true, "version": 1,
    "created_at": "2026-11-23T09:00:00Z", "updated_at": "2026-11-23T09:00:00Z"
}))]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    #[schema(value_type = Vec<String>)]
    pub roles: Vec<Role>,
    pub active: bool,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl UserView {
    pub fn from_row(row: &UserRow) -> Self {
        Self {
            id: row.user_id,
            email: row.email.clone(),
            display_name: row.display_name.clone(),
            roles: parse_list(&row.roles),
            active: row.active,
            version: row.version,
            created_at: row.created_at.get(),
            updated_at: row.updated_at.get(),
        }
    }
}

/// A new account as a caller sends it, not yet checked.
#[derive(Debug)]
pub struct NewUserInput {
    pub email: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub password: String,
}

/// A new account's values, each checked.
#[derive(Debug)]
pub struct NewUser {
    email: EmailAddress,
    display_name: String,
    roles: Roles,
    password: Password,
}

fn display_name(raw: &str) -> Result<String, FieldIssue> {
    let trimmed = raw.trim();
    let chars = trimmed.chars().count();
    if chars == 0 || chars > DISPLAY_NAME_MAX || trimmed.chars().any(char::is_control) {
        return Err(FieldIssue::new(
            "display_name",
            "invalid_display_name",
            format!("a display name has 1 to {DISPLAY_NAME_MAX} characters and no control characters"),
        ));
    }
    Ok(trimmed.to_owned())
}

fn roles(raw: &[String], validation: &mut Validation) -> Option<Roles> {
    let mut parsed = Vec::with_capacity(raw.len());
    for (index, name) in raw.iter().enumerate() {
        if let Some(role) = validation.field(&format!("roles[{index}]"), name.parse::<Role>(), |e| e.code()) {
            parsed.push(role);
        }
    }
    if parsed.len() != raw.len() {
        return None;
    }
    validation.field("roles", Roles::try_from(parsed), |e| e.code())
}

impl NewUser {
    pub fn parse(email: &str, name: &str, role_names: &[String], password: String) -> ServiceResult<Self> {
        let mut validation = Validation::default();
        let email = validation.field("email", email.parse::<EmailAddress>(), |e| e.code());
        let display_name = display_name(name).map_err(|issue| validation.push(issue)).ok();
        let roles = roles(role_names, &mut validation);
        // An invalid e-mail must not hide a weak password: check it against what address there is.
        let address = email.as_ref().map_or("", EmailAddress::as_str);
        let password = validation.field("password", Password::new(password, address), |e| e.code());
        validation.finish()?;
        match (email, display_name, roles, password) {
            (Some(email), Some(display_name), Some(roles), Some(password)) => Ok(Self {
                email,
                display_name,
                roles,
                password,
            }),
            _ => Err(ServiceError::Internal(
                "validation passed without values".to_owned(),
            )),
        }
    }
}

/// Inserts the account and its audit event (`audited` is the event to complete) in the caller's transaction.
pub async fn insert_user(
    tx: &mut Tx,
    organization_id: Uuid,
    user: NewUser,
    audited: AuditEvent,
) -> ServiceResult<UserView> {
    let password_hash = secrets::hash_password(user.password).await?;
    let now = DbTime::now();
    let row = UserRow {
        user_id: Uuid::now_v7(),
        organization_id,
        email: user.email.normalized(),
        display_name: user.display_name,
        password_hash,
        roles: join_list(user.roles.as_slice()),
        active: true,
        failed_logins: 0,
        first_failed_login_at: None,
        locked_until: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    match tx.insert_user(&row).await {
        Err(error) if is_unique_violation(&error) => {
            return Err(ServiceError::Conflict(
                "a user with this e-mail already exists".to_owned(),
            ));
        }
        other => other?,
    }
    let event = audited
        .entity("user", row.user_id)
        .details(serde_json::json!({ "fields": ["email", "display_name", "roles"], "roles": row.roles.split(',').collect::<Vec<_>>() }));
    tx.append_audit(event).await?;
    Ok(UserView::from_row(&row))
}

/// Sets a new password chosen by an admin or the shell; the user's sessions end so the old one stops working.
pub async fn reset_password(
    tx: &mut Tx,
    user: &UserRow,
    password: String,
    audited: AuditEvent,
) -> ServiceResult<()> {
    let password = Password::new(password, &user.email).map_err(|rejected| {
        ServiceError::Invalid(vec![FieldIssue::new(
            "password",
            rejected.code(),
            rejected.to_string(),
        )])
    })?;
    let hash = secrets::hash_password(password).await?;
    let now = DbTime::now();
    tx.set_password_hash(user.organization_id, user.user_id, &hash, now)
        .await?;
    tx.revoke_user_sessions(user.organization_id, user.user_id, Uuid::nil(), now)
        .await?;
    tx.append_audit(audited.entity("user", user.user_id)).await?;
    Ok(())
}

/// What an admin may change about a user; absent fields stay.
#[derive(Debug, Default)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub roles: Option<Vec<String>>,
}

impl AccessService {
    /// Permission first: a caller who may not create users learns nothing about their input.
    pub async fn create_user(&self, principal: &Principal, input: NewUserInput) -> ServiceResult<UserView> {
        principal
            .require(&self.store, Permission::Administer, "user.create")
            .await?;
        let user = NewUser::parse(&input.email, &input.display_name, &input.roles, input.password)?;
        let mut tx = self.store.begin_write().await?;
        let view = insert_user(
            &mut tx,
            principal.organization_id,
            user,
            principal.audit("user.create", Outcome::Success),
        )
        .await?;
        tx.commit().await?;
        Ok(view)
    }

    pub async fn users(&self, principal: &Principal, page: &PageRequest) -> ServiceResult<Listing<UserView>> {
        principal
            .require(&self.store, Permission::Administer, "user.list")
            .await?;
        let spec = page.check::<Uuid>()?;
        let mut tx = self.store.begin_read().await?;
        let rows = tx
            .users(principal.organization_id, spec.after, spec.read_limit())
            .await?;
        tx.commit().await?;
        let views = rows.iter().map(UserView::from_row).collect();
        Ok(Listing::new(views, &spec, |user: &UserView| user.id))
    }

    pub async fn user(&self, principal: &Principal, user_id: Uuid) -> ServiceResult<UserView> {
        principal
            .require(&self.store, Permission::Administer, "user.read")
            .await?;
        let mut tx = self.store.begin_read().await?;
        let row = tx.user(principal.organization_id, user_id).await?;
        tx.commit().await?;
        row.as_ref()
            .map(UserView::from_row)
            .ok_or(ServiceError::NotFound("user"))
    }

    pub async fn update_user(
        &self,
        principal: &Principal,
        user_id: Uuid,
        changes: UserChanges,
        expected_version: Option<i64>,
    ) -> ServiceResult<UserView> {
        principal
            .require(&self.store, Permission::Administer, "user.update")
            .await?;
        let mut validation = Validation::default();
        let name = changes
            .display_name
            .as_deref()
            .map(display_name)
            .transpose()
            .map_err(|issue| validation.push(issue))
            .ok()
            .flatten();
        let roles = changes
            .roles
            .as_deref()
            .and_then(|names| roles(names, &mut validation));
        validation.finish()?;
        // Taking away one's own admin role could leave the organization with nobody to manage it.
        let demotes_self = principal.user_id() == Some(user_id)
            && roles.as_ref().is_some_and(|roles| !roles.contains(Role::Admin));
        if demotes_self {
            return Err(ServiceError::Conflict(
                "you cannot remove your own admin role".to_owned(),
            ));
        }

        let mut tx = self.store.begin_write().await?;
        let mut row = user_for_change(&mut tx, principal, user_id, expected_version).await?;
        let mut changed = Vec::new();
        if let Some(name) = name.filter(|name| *name != row.display_name) {
            row.display_name = name;
            changed.push("display_name");
        }
        if let Some(roles) = roles
            .map(|roles| join_list(roles.as_slice()))
            .filter(|roles| *roles != row.roles)
        {
            row.roles = roles;
            changed.push("roles");
        }
        if changed.is_empty() {
            tx.commit().await?;
            return Ok(UserView::from_row(&row));
        }
        let details =
            serde_json::json!({ "fields": changed, "roles": row.roles.split(',').collect::<Vec<_>>() });
        self.save_user(&mut tx, principal, &mut row, "user.update", details)
            .await?;
        tx.commit().await?;
        Ok(UserView::from_row(&row))
    }

    /// Deactivation ends the user's sessions at once; the account stays for the audit trail.
    pub async fn deactivate_user(
        &self,
        principal: &Principal,
        user_id: Uuid,
        expected_version: Option<i64>,
    ) -> ServiceResult<UserView> {
        principal
            .require(&self.store, Permission::Administer, "user.deactivate")
            .await?;
        if principal.user_id() == Some(user_id) {
            return Err(ServiceError::Conflict(
                "you cannot deactivate your own account".to_owned(),
            ));
        }
        let mut tx = self.store.begin_write().await?;
        let mut row = user_for_change(&mut tx, principal, user_id, expected_version).await?;
        if !row.active {
            tx.commit().await?;
            return Ok(UserView::from_row(&row));
        }
        row.active = false;
        let ended = tx
            .revoke_user_sessions(principal.organization_id, user_id, Uuid::nil(), DbTime::now())
            .await?;
        self.save_user(
            &mut tx,
            principal,
            &mut row,
            "user.deactivate",
            serde_json::json!({ "sessions_ended": ended }),
        )
        .await?;
        tx.commit().await?;
        Ok(UserView::from_row(&row))
    }

    async fn save_user(
        &self,
        tx: &mut Tx,
        principal: &Principal,
        row: &mut UserRow,
        action: &str,
        details: serde_json::Value,
    ) -> ServiceResult<()> {
        row.version += 1;
        row.updated_at = DbTime::now();
        if !tx.update_user(row).await? {
            return Err(ServiceError::StaleVersion {
                current: row.version - 1,
            });
        }
        tx.append_audit(
            principal
                .audit(action, Outcome::Success)
                .entity("user", row.user_id)
                .details(details),
        )
        .await?;
        Ok(())
    }
}

/// The user a change applies to, in the caller's organization and at the version the caller read.
async fn user_for_change(
    tx: &mut Tx,
    principal: &Principal,
    user_id: Uuid,
    expected_version: Option<i64>,
) -> ServiceResult<UserRow> {
    let row = tx
        .user(principal.organization_id, user_id)
        .await?
        .ok_or(ServiceError::NotFound("user"))?;
    check_version(row.version, expected_version)?;
    Ok(row)
}

/// A write naming a version (`If-Match`) proceeds only on that version.
pub fn check_version(current: i64, expected: Option<i64>) -> ServiceResult<()> {
    match expected {
        Some(expected) if expected != current => Err(ServiceError::StaleVersion { current }),
        _ => Ok(()),
    }
}
