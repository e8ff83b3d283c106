//! Signing in and out, a user's own sessions, and changing one's own password.

use jiff::Timestamp;
use praxis_domain::audit::{Actor, AuditEvent, Outcome};
use praxis_domain::email::EmailAddress;
use praxis_domain::password::Password;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::users::UserView;
use super::{AccessService, Credential, Principal, RequestMeta, secrets};
use crate::services::audit::{self, EventExt};
use crate::services::error::{FieldIssue, ServiceError, ServiceResult};
use crate::store::{DbTime, LoginFailures, SessionRow, Tx, UserRow};

#[derive(Debug)]
pub struct LoginInput {
    pub organization: String,
    pub email: String,
    pub password: String,
}

#[derive(Debug)]
pub struct LoginOutcome {
    pub token: String,
    pub expires_at: Timestamp,
    pub user: UserView,
}

/// One of a user's sessions, as the user sees it (never its token).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionView {
    pub id: Uuid,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Whether this is the session making the request.
    pub current: bool,
}

enum Verdict {
    Success,
    WrongPassword,
    Locked,
}

impl AccessService {
    /// Every refusal is the same 401 after the same work: an unknown organization or e-mail, a wrong
    /// password and a locked account cannot be told apart from outside.
    pub async fn login(&self, input: LoginInput, meta: RequestMeta) -> ServiceResult<LoginOutcome> {
        if let Err(limited) = self
            .limits
            .login(meta.ip.as_deref(), &input.organization, &input.email)
        {
            self.audit_limited_login(&input.organization, &meta).await?;
            return Err(ServiceError::RateLimited {
                retry_after_secs: limited.retry_after_secs,
            });
        }
        let email = input
            .email
            .parse::<EmailAddress>()
            .ok()
            .map(|email| email.normalized());
        let mut tx = self.store.begin_read().await?;
        let organization = tx.organization_by_slug(&input.organization).await?;
        let user = match (&organization, &email) {
            (Some(organization), Some(email)) => {
                tx.user_by_email(organization.organization_id, email).await?
            }
            _ => None,
        };
        tx.commit().await?;
        let stored_hash = user
            .as_ref()
            .filter(|user| user.active)
            .map(|user| user.password_hash.clone());
        let password_matches = secrets::verify_password(input.password, stored_hash).await;

        let Some(organization) = organization else {
            tracing::info!("login refused: unknown organization");
            return Err(ServiceError::Unauthenticated);
        };
        let Some(user) = user.filter(|user| user.active) else {
            let failed = audit::event(
                organization.organization_id,
                Actor::Anonymous,
                None,
                &meta,
                "auth.login",
                Outcome::Failure,
            )
            .details(serde_json::json!({ "reason": "unknown_or_inactive_account" }));
            audit::record_alone(&self.store, failed).await?;
            return Err(ServiceError::Unauthenticated);
        };
        self.conclude_login(user, password_matches, meta).await
    }

    /// Decides under the write lock, so concurrent attempts count every failure exactly once.
    async fn conclude_login(
        &self,
        user: UserRow,
        password_matches: bool,
        meta: RequestMeta,
    ) -> ServiceResult<LoginOutcome> {
        let now = DbTime::now();
        let mut tx = self.store.begin_write().await?;
        let user = tx
            .user_for_update(user.organization_id, user.user_id)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        let locked = user.locked_until.is_some_and(|until| until > now);
        let verdict = match (locked, password_matches) {
            (true, _) => Verdict::Locked,
            (false, true) => Verdict::Success,
            (false, false) => Verdict::WrongPassword,
        };
        let actor = Actor::User { id: user.user_id };
        let event = |action: &str, outcome| {
            audit::event(
                user.organization_id,
                actor,
                Some(user.roles.clone()),
                &meta,
                action,
                outcome,
            )
            .entity("user", user.user_id)
        };
        match verdict {
            Verdict::Locked => {
                tx.append_audit(
                    event("auth.login", Outcome::Failure).details(serde_json::json!({ "reason": "locked" })),
                )
                .await?;
                tx.commit().await?;
                Err(ServiceError::Unauthenticated)
            }
            Verdict::WrongPassword => {
                let wrong = event("auth.login", Outcome::Failure);
                self.count_wrong_password(&mut tx, &user, wrong, event("auth.lockout", Outcome::Success))
                    .await?;
                tx.commit().await?;
                Err(ServiceError::Unauthenticated)
            }
            Verdict::Success => {
                let token = secrets::random_secret()?;
                let expires_at = DbTime::new(
                    now.get()
                        .checked_add(self.policy.session_absolute)
                        .unwrap_or(Timestamp::MAX),
                );
                let session = SessionRow {
                    session_id: Uuid::now_v7(),
                    organization_id: user.organization_id,
                    user_id: user.user_id,
                    token_hash: secrets::hash_token(&token),
                    created_at: now,
                    last_seen_at: now,
                    expires_at,
                    revoked_at: None,
                    ip: meta.ip.clone(),
                    user_agent: meta.user_agent.clone(),
                };
                tx.insert_session(&session).await?;
                tx.set_login_failures(
                    user.organization_id,
                    user.user_id,
                    LoginFailures {
                        count: 0,
                        first_at: None,
                        locked_until: None,
                    },
                )
                .await?;
                tx.append_audit(
                    event("auth.login", Outcome::Success)
                        .details(serde_json::json!({ "session_id": session.session_id })),
                )
                .await?;
                tx.commit().await?;
                Ok(LoginOutcome {
                    token,
                    expires_at: expires_at.get(),
                    user: UserView::from_row(&user),
                })
            }
        }
    }

    /// Records a wrong password against the account; answers whether it is now locked.
    async fn count_wrong_password(
        &self,
        tx: &mut Tx,
        user: &UserRow,
        failure: AuditEvent,
        lockout: AuditEvent,
    ) -> ServiceResult<bool> {
        let failures = self.count_failure(user, DbTime::now());
        tx.set_login_failures(user.organization_id, user.user_id, failures)
            .await?;
        tx.append_audit(failure.details(serde_json::json!({ "reason": "wrong_password" })))
            .await?;
        let locked = failures.locked_until.is_some();
        if locked {
            let minutes = self.policy.lockout.as_mins();
            tx.append_audit(lockout.details(serde_json::json!({ "minutes": minutes })))
                .await?;
        }
        Ok(locked)
    }

    /// Failures count within a sliding window that starts at the first failure; reaching the threshold locks.
    fn count_failure(&self, user: &UserRow, now: DbTime) -> LoginFailures {
        let window_open = user
            .first_failed_login_at
            .is_some_and(|first| now.get().duration_since(first.get()) < self.policy.lockout_window);
        let (count, first_at) = if window_open {
            (user.failed_logins + 1, user.first_failed_login_at)
        } else {
            (1, Some(now))
        };
        let locked_until = (count >= self.policy.lockout_threshold).then(|| {
            DbTime::new(
                now.get()
                    .checked_add(self.policy.lockout)
                    .unwrap_or(Timestamp::MAX),
            )
        });
        // A lock starts a fresh count, so the next window begins when it ends.
        if locked_until.is_some() {
            return LoginFailures {
                count: 0,
                first_at: None,
                locked_until,
            };
        }
        LoginFailures {
            count,
            first_at,
            locked_until: None,
        }
    }

    async fn audit_limited_login(&self, organization: &str, meta: &RequestMeta) -> ServiceResult<()> {
        let mut tx = self.store.begin_read().await?;
        let found = tx.organization_by_slug(organization).await?;
        tx.commit().await?;
        if let Some(organization) = found {
            let limited = audit::event(
                organization.organization_id,
                Actor::Anonymous,
                None,
                meta,
                "auth.login",
                Outcome::Denied,
            )
            .details(serde_json::json!({ "reason": "rate_limited" }));
            audit::record_alone(&self.store, limited).await?;
        }
        Ok(())
    }

    pub async fn logout(&self, principal: &Principal) -> ServiceResult<()> {
        let user_id = principal.require_user(&self.store, "auth.logout").await?;
        let Credential::User { session_id, .. } = principal.credential else {
            return Err(ServiceError::Unauthenticated);
        };
        let mut tx = self.store.begin_write().await?;
        tx.revoke_session(principal.organization_id, user_id, session_id, DbTime::now())
            .await?;
        tx.append_audit(
            principal
                .audit("auth.logout", Outcome::Success)
                .entity("session", session_id),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn sessions(&self, principal: &Principal) -> ServiceResult<Vec<SessionView>> {
        let user_id = principal.require_user(&self.store, "session.list").await?;
        let current = match principal.credential {
            Credential::User { session_id, .. } => Some(session_id),
            Credential::ApiKey { .. } => None,
        };
        let mut tx = self.store.begin_read().await?;
        let now = DbTime::now();
        let idle_cutoff = DbTime::new(
            now.get()
                .checked_sub(self.policy.session_idle)
                .unwrap_or(Timestamp::MIN),
        );
        let rows = tx
            .live_sessions(principal.organization_id, user_id, now, idle_cutoff)
            .await?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(|row| SessionView {
                id: row.session_id,
                created_at: row.created_at.get(),
                last_seen_at: row.last_seen_at.get(),
                expires_at: row.expires_at.get(),
                current: Some(row.session_id) == current,
                ip: row.ip,
                user_agent: row.user_agent,
            })
            .collect())
    }

    pub async fn revoke_session(&self, principal: &Principal, session_id: Uuid) -> ServiceResult<()> {
        let user_id = principal.require_user(&self.store, "session.revoke").await?;
        let mut tx = self.store.begin_write().await?;
        if !tx
            .revoke_session(principal.organization_id, user_id, session_id, DbTime::now())
            .await?
        {
            return Err(ServiceError::NotFound("session"));
        }
        tx.append_audit(
            principal
                .audit("session.revoke", Outcome::Success)
                .entity("session", session_id),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Needs the current password; on success every other session of the user ends.
    pub async fn change_password(
        &self,
        principal: &Principal,
        current: String,
        new: String,
    ) -> ServiceResult<()> {
        let user_id = principal
            .require_user(&self.store, "user.password_change")
            .await?;
        let mut tx = self.store.begin_read().await?;
        let user = tx
            .user(principal.organization_id, user_id)
            .await?
            .ok_or(ServiceError::NotFound("user"))?;
        tx.commit().await?;
        // A wrong current password counts towards the lockout like a failed login, so a stolen session
        // cannot be used to guess the password; once locked, every attempt is refused and the user's
        // sessions end.
        let locked = user.locked_until.is_some_and(|until| until > DbTime::now());
        if locked || !secrets::verify_password(current, Some(user.password_hash.clone())).await {
            let mut tx = self.store.begin_write().await?;
            let wrong = principal
                .audit("user.password_change", Outcome::Failure)
                .entity("user", user_id);
            let lockout = principal
                .audit("auth.lockout", Outcome::Success)
                .entity("user", user_id);
            let current = tx
                .user_for_update(principal.organization_id, user_id)
                .await?
                .ok_or(ServiceError::NotFound("user"))?;
            if locked
                || self
                    .count_wrong_password(&mut tx, &current, wrong, lockout)
                    .await?
            {
                tx.revoke_user_sessions(principal.organization_id, user_id, Uuid::nil(), DbTime::now())
                    .await?;
            }
            tx.commit().await?;
            return Err(ServiceError::Invalid(vec![FieldIssue::new(
                "current_password",
                "incorrect",
                "the current password is not correct",
            )]));
        }
        let password = Password::new(new, &user.email).map_err(|rejected| {
            ServiceError::Invalid(vec![FieldIssue::new(
                "new_password",
                rejected.code(),
                rejected.to_string(),
            )])
        })?;
        let hash = secrets::hash_password(password).await?;
        let now = DbTime::now();
        let mut tx = self.store.begin_write().await?;
        tx.set_password_hash(principal.organization_id, user_id, &hash, now)
            .await?;
        let Credential::User { session_id, .. } = principal.credential else {
            return Err(ServiceError::Unauthenticated);
        };
        // The session that changed the password stays: ending it too would sign the user out mid-task.
        let ended = tx
            .revoke_user_sessions(principal.organization_id, user_id, session_id, now)
            .await?;
        tx.append_audit(
            principal
                .audit("user.password_change", Outcome::Success)
                .entity("user", user_id)
                .details(serde_json::json!({ "other_sessions_ended": ended })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
