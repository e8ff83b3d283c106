//! Who is asking and what they may do: sessions, API keys, users, and the permission checks every other
//! service calls.

pub mod api_keys;
mod login;
mod rate_limit;
pub mod secrets;
pub mod users;

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use praxis_domain::access::{Grants, Permission, Role, Scope, scopes_exceeding};
use praxis_domain::audit::{Actor, AuditEvent, Outcome};
use uuid::Uuid;

pub use login::{LoginInput, LoginOutcome, SessionView};
pub use rate_limit::RateLimits;

use super::audit::{self, EventExt};
use super::error::{ServiceError, ServiceResult};
use crate::config::Settings;
use crate::store::{DbTime, Store};

/// Writes to `last_seen_at` and `last_used_at` at most this often, so reads do not each cost a write.
const TOUCH_INTERVAL: SignedDuration = SignedDuration::from_secs(60);
const USER_AGENT_MAX: usize = 256;

/// Where a request came from, for the audit trail.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl RequestMeta {
    pub fn new(request_id: Option<String>, ip: Option<String>, user_agent: Option<&str>) -> Self {
        let user_agent = user_agent.map(|agent| agent.chars().take(USER_AGENT_MAX).collect());
        Self {
            request_id,
            ip,
            user_agent,
        }
    }
}

/// An authenticated caller. Services take one and read the organization from it, never from the input.
#[derive(Debug, Clone)]
pub struct Principal {
    pub organization_id: Uuid,
    pub credential: Credential,
    grants: Grants,
    pub meta: RequestMeta,
}

#[derive(Debug, Clone)]
pub enum Credential {
    User {
        user_id: Uuid,
        session_id: Uuid,
        roles: Vec<Role>,
    },
    ApiKey {
        api_key_id: Uuid,
        scopes: Vec<Scope>,
    },
}

impl Principal {
    /// A user acting from the shell rather than over HTTP (the demo seeding acts as the clinic's admin).
    pub fn from_shell(organization_id: Uuid, user_id: Uuid, roles: Vec<Role>) -> Self {
        Self {
            organization_id,
            grants: Grants::from_roles(&roles),
            credential: Credential::User {
                user_id,
                session_id: Uuid::nil(),
                roles,
            },
            meta: RequestMeta::default(),
        }
    }

    pub fn actor(&self) -> Actor {
        match &self.credential {
            Credential::User { user_id, .. } => Actor::User { id: *user_id },
            Credential::ApiKey { api_key_id, .. } => Actor::ApiKey { id: *api_key_id },
        }
    }

    /// The id of the user or API key acting.
    pub fn actor_id(&self) -> Uuid {
        match &self.credential {
            Credential::User { user_id, .. } => *user_id,
            Credential::ApiKey { api_key_id, .. } => *api_key_id,
        }
    }

    /// The roles (or, for a key, the scopes) the actor held, as the audit trail records them.
    pub fn role_label(&self) -> String {
        match &self.credential {
            Credential::User { roles, .. } => roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(","),
            Credential::ApiKey { scopes, .. } => {
                scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
            }
        }
    }

    pub fn allows(&self, permission: Permission) -> bool {
        self.grants.allows(permission)
    }

    pub fn user_id(&self) -> Option<Uuid> {
        match &self.credential {
            Credential::User { user_id, .. } => Some(*user_id),
            Credential::ApiKey { .. } => None,
        }
    }

    /// An audit event by this principal.
    pub fn audit(&self, action: &str, outcome: Outcome) -> AuditEvent {
        audit::event(
            self.organization_id,
            self.actor(),
            Some(self.role_label()),
            &self.meta,
            action,
            outcome,
        )
    }

    /// Passes when the principal holds the permission; otherwise records the denial and answers 403.
    pub async fn require(&self, store: &Store, permission: Permission, action: &str) -> ServiceResult<()> {
        if self.allows(permission) {
            return Ok(());
        }
        let denied = self
            .audit(action, Outcome::Denied)
            .details(serde_json::json!({ "missing_permission": format!("{permission:?}") }));
        audit::record_alone(store, denied).await?;
        Err(ServiceError::Forbidden(format!(
            "this needs a role or scope that grants {permission:?}"
        )))
    }

    /// Passes for a signed-in user; API keys are refused things that only a person does.
    pub async fn require_user(&self, store: &Store, action: &str) -> ServiceResult<Uuid> {
        if let Some(user_id) = self.user_id() {
            return Ok(user_id);
        }
        audit::record_alone(store, self.audit(action, Outcome::Denied)).await?;
        Err(ServiceError::Forbidden(
            "only a signed-in user can do this, not an API key".to_owned(),
        ))
    }
}

/// Session lifetimes and lockout rules, from the settings.
#[derive(Debug, Clone, Copy)]
pub struct AccessPolicy {
    pub session_idle: SignedDuration,
    pub session_absolute: SignedDuration,
    pub lockout_threshold: i64,
    pub lockout_window: SignedDuration,
    pub lockout: SignedDuration,
}

impl AccessPolicy {
    pub fn from_settings(settings: &Settings) -> Self {
        let minutes = |m: u32| SignedDuration::from_mins(i64::from(m));
        Self {
            session_idle: minutes(settings.session_idle_minutes),
            session_absolute: SignedDuration::from_hours(i64::from(settings.session_absolute_hours)),
            lockout_threshold: i64::from(settings.lockout_threshold),
            lockout_window: minutes(settings.lockout_window_minutes),
            lockout: minutes(settings.lockout_minutes),
        }
    }
}

#[derive(Debug, Clone)]
pub struct AccessService {
    store: Store,
    policy: AccessPolicy,
    limits: Arc<RateLimits>,
}

impl AccessService {
    pub fn new(store: Store, settings: &Settings) -> Self {
        Self {
            store,
            policy: AccessPolicy::from_settings(settings),
            limits: Arc::new(RateLimits::new(settings)),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Resolves a bearer credential to a principal, or 401. Expired and revoked credentials are audited in
    /// their organization; unknown ones have no organization to be audited in.
    pub async fn authenticate(&self, bearer: &str, meta: RequestMeta) -> ServiceResult<Principal> {
        let principal = if bearer.starts_with(secrets::API_KEY_PREFIX) {
            self.authenticate_key(bearer, meta).await?
        } else {
            self.authenticate_session(bearer, meta).await?
        };
        if let Err(limited) = self.limits.principal(principal.actor().id().unwrap_or_default()) {
            audit::record_alone(
                &self.store,
                principal.audit("request.rate_limited", Outcome::Denied),
            )
            .await?;
            return Err(ServiceError::RateLimited {
                retry_after_secs: limited.retry_after_secs,
            });
        }
        Ok(principal)
    }

    async fn authenticate_session(&self, token: &str, meta: RequestMeta) -> ServiceResult<Principal> {
        let now = DbTime::now();
        let mut tx = self.store.begin_read().await?;
        let found = tx.session_by_token_hash(&secrets::hash_token(token)).await?;
        tx.commit().await?;
        let Some(found) = found else {
            return Err(ServiceError::Unauthenticated);
        };
        let session = &found.session;
        let idle_until = session
            .last_seen_at
            .get()
            .checked_add(self.policy.session_idle)
            .unwrap_or(Timestamp::MAX);
        let refusal = if session.revoked_at.is_some() {
            Some("revoked")
        } else if session.expires_at <= now || idle_until <= now.get() {
            Some("expired")
        } else if !found.active {
            Some("user_deactivated")
        } else {
            None
        };
        if let Some(reason) = refusal {
            let actor = Actor::User { id: session.user_id };
            let credential = Refused {
                organization_id: session.organization_id,
                actor,
                entity: ("session", session.session_id),
            };
            return Err(self.refuse(credential, "auth.session", reason, &meta).await);
        }
        if now.get().duration_since(session.last_seen_at.get()) >= TOUCH_INTERVAL {
            let mut tx = self.store.begin_write().await?;
            tx.touch_session(session.organization_id, session.session_id, now)
                .await?;
            tx.commit().await?;
        }
        let roles = parse_list::<Role>(&found.roles);
        Ok(Principal {
            organization_id: session.organization_id,
            grants: Grants::from_roles(&roles),
            credential: Credential::User {
                user_id: session.user_id,
                session_id: session.session_id,
                roles,
            },
            meta,
        })
    }

    async fn authenticate_key(&self, secret: &str, meta: RequestMeta) -> ServiceResult<Principal> {
        let now = DbTime::now();
        let mut tx = self.store.begin_read().await?;
        let found = tx.api_key_by_secret_hash(&secrets::hash_token(secret)).await?;
        tx.commit().await?;
        let Some(found) = found else {
            return Err(ServiceError::Unauthenticated);
        };
        let key = &found.key;
        let refusal = if key.revoked_at.is_some() {
            Some("revoked")
        } else if key.expires_at.is_some_and(|expiry| expiry <= now) {
            Some("expired")
        } else if !found.creator_active {
            Some("creator_deactivated")
        } else {
            None
        };
        if let Some(reason) = refusal {
            let actor = Actor::ApiKey { id: key.api_key_id };
            let credential = Refused {
                organization_id: key.organization_id,
                actor,
                entity: ("api_key", key.api_key_id),
            };
            return Err(self.refuse(credential, "auth.api_key", reason, &meta).await);
        }
        let stale = key
            .last_used_at
            .is_none_or(|used| now.get().duration_since(used.get()) >= TOUCH_INTERVAL);
        if stale {
            let mut tx = self.store.begin_write().await?;
            tx.touch_api_key(key.organization_id, key.api_key_id, now).await?;
            tx.commit().await?;
        }
        // A scope its maker's current roles no longer cover grants nothing, so a demoted admin's keys shrink too.
        let creator_roles = parse_list::<Role>(&found.creator_roles);
        let scopes: Vec<Scope> = parse_list::<Scope>(&key.scopes)
            .into_iter()
            .filter(|scope| scopes_exceeding(&creator_roles, &[*scope]).is_empty())
            .collect();
        Ok(Principal {
            organization_id: key.organization_id,
            grants: Grants::from_scopes(&scopes),
            credential: Credential::ApiKey {
                api_key_id: key.api_key_id,
                scopes,
            },
            meta,
        })
    }
}

/// A known credential that may no longer be used, and whose organization therefore learns of the attempt.
struct Refused {
    organization_id: Uuid,
    actor: Actor,
    entity: (&'static str, Uuid),
}

impl AccessService {
    /// Audits the refusal and answers 401 (or the store's error, should the audit write fail).
    async fn refuse(&self, refused: Refused, action: &str, reason: &str, meta: &RequestMeta) -> ServiceError {
        let (entity_type, entity_id) = refused.entity;
        let denied = audit::event(
            refused.organization_id,
            refused.actor,
            None,
            meta,
            action,
            Outcome::Denied,
        )
        .entity(entity_type, entity_id)
        .details(serde_json::json!({ "reason": reason }));
        match audit::record_alone(&self.store, denied).await {
            Ok(()) => ServiceError::Unauthenticated,
            Err(error) => error.into(),
        }
    }
}

/// Reads a comma-joined list as stored; entries this version does not know are skipped, so they grant nothing.
pub fn parse_list<T: std::str::FromStr>(joined: &str) -> Vec<T> {
    joined
        .split(',')
        .filter_map(|item| item.trim().parse().ok())
        .collect()
}

pub fn join_list<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}
