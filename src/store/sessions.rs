//! The `session` table: signed-in users, found by the hash of their bearer token.

use uuid::Uuid;

use super::tx::on_conn;
use super::{DbTime, StoreError, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub session_id: Uuid,
    pub organization_id: Uuid,
    pub user_id: Uuid,
    pub token_hash: String,
    pub created_at: DbTime,
    pub last_seen_at: DbTime,
    pub expires_at: DbTime,
    pub revoked_at: Option<DbTime>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// A session with what authorization needs of its user, read in one query on every request.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionWithUser {
    #[sqlx(flatten)]
    pub session: SessionRow,
    pub roles: String,
    pub active: bool,
}

const COLUMNS: &str =
    "s.session_id, s.organization_id, s.user_id, s.token_hash, s.created_at, s.last_seen_at,
    s.expires_at, s.revoked_at, s.ip, s.user_agent";

impl Tx {
    pub async fn insert_session(&mut self, row: &SessionRow) -> Result<(), StoreError> {
        on_conn!(self, |conn| sqlx::query(
            "insert into session (session_id, organization_id, user_id, token_hash, created_at, last_seen_at,
             expires_at, ip, user_agent) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        )
        .bind(row.session_id)
        .bind(row.organization_id)
        .bind(row.user_id)
        .bind(&row.token_hash)
        .bind(row.created_at)
        .bind(row.last_seen_at)
        .bind(row.expires_at)
        .bind(&row.ip)
        .bind(&row.user_agent)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(())
    }

    pub async fn session_by_token_hash(
        &mut self,
        token_hash: &str,
    ) -> Result<Option<SessionWithUser>, StoreError> {
        let sql = format!(
            "select {COLUMNS}, u.roles, u.active from session s join app_user u on u.user_id = s.user_id and u.organization_id = s.organization_id
             where s.token_hash = $1"
        );
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_optional(conn)
            .await?))
    }

    pub async fn touch_session(
        &mut self,
        organization_id: Uuid,
        session_id: Uuid,
        now: DbTime,
    ) -> Result<(), StoreError> {
        on_conn!(self, |conn| sqlx::query(
            "update session set last_seen_at = $3 where organization_id = $1 and session_id = $2"
        )
        .bind(organization_id)
        .bind(session_id)
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(())
    }

    /// The user's sessions that are neither revoked, past their absolute expiry, nor idle since
    /// `idle_cutoff`, newest first.
    pub async fn live_sessions(
        &mut self,
        organization_id: Uuid,
        user_id: Uuid,
        now: DbTime,
        idle_cutoff: DbTime,
    ) -> Result<Vec<SessionRow>, StoreError> {
        let sql = format!(
            "select {COLUMNS} from session s where s.organization_id = $1 and s.user_id = $2
             and s.revoked_at is null and s.expires_at > $3 and s.last_seen_at > $4 order by s.session_id desc"
        );
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(user_id)
            .bind(now)
            .bind(idle_cutoff)
            .fetch_all(conn)
            .await?))
    }

    /// Revokes one of the user's sessions; false when there is no such live session.
    pub async fn revoke_session(
        &mut self,
        organization_id: Uuid,
        user_id: Uuid,
        session_id: Uuid,
        now: DbTime,
    ) -> Result<bool, StoreError> {
        let affected = on_conn!(self, |conn| sqlx::query(
            "update session set revoked_at = $4
             where organization_id = $1 and user_id = $2 and session_id = $3 and revoked_at is null"
        )
        .bind(organization_id)
        .bind(user_id)
        .bind(session_id)
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(affected == 1)
    }

    /// Revokes every live session of the user but `keep` (the nil id keeps none).
    pub async fn revoke_user_sessions(
        &mut self,
        organization_id: Uuid,
        user_id: Uuid,
        keep: Uuid,
        now: DbTime,
    ) -> Result<u64, StoreError> {
        Ok(on_conn!(self, |conn| sqlx::query(
            "update session set revoked_at = $3
             where organization_id = $1 and user_id = $2 and session_id <> $4 and revoked_at is null"
        )
        .bind(organization_id)
        .bind(user_id)
        .bind(now)
        .bind(keep)
        .execute(conn)
        .await?
        .rows_affected()))
    }
}
