//! The `app_user` table: staff accounts and their login state.

use uuid::Uuid;

use super::tx::on_conn;
use super::{Backend, DbTime, StoreError, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub user_id: Uuid,
    pub organization_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub roles: String,
    pub active: bool,
    pub failed_logins: i64,
    pub first_failed_login_at: Option<DbTime>,
    pub locked_until: Option<DbTime>,
    pub version: i64,
    pub created_at: DbTime,
    pub updated_at: DbTime,
}

/// Failed-login bookkeeping, written as one unit.
#[derive(Debug, Clone, Copy)]
pub struct LoginFailures {
    pub count: i64,
    pub first_at: Option<DbTime>,
    pub locked_until: Option<DbTime>,
}

const COLUMNS: &str =
    "user_id, organization_id, email, display_name, password_hash, roles, active, failed_logins,
    first_failed_login_at, locked_until, version, created_at, updated_at";

impl Tx {
    pub async fn insert_user(&mut self, row: &UserRow) -> Result<(), StoreError> {
        on_conn!(self, |conn| {
            sqlx::query(
            "insert into app_user (user_id, organization_id, email, display_name, password_hash, roles, active,
             failed_logins, version, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $10)"
        )
        .bind(row.user_id)
        .bind(row.organization_id)
        .bind(&row.email)
        .bind(&row.display_name)
        .bind(&row.password_hash)
        .bind(&row.roles)
        .bind(row.active)
        .bind(row.version)
        .bind(row.created_at)
        .bind(row.updated_at)
        .execute(conn)
        .await?
        .rows_affected()
        });
        Ok(())
    }

    /// `email` is the normalized (lower-case) address, as stored.
    pub async fn user_by_email(
        &mut self,
        organization_id: Uuid,
        email: &str,
    ) -> Result<Option<UserRow>, StoreError> {
        let sql = format!("select {COLUMNS} from app_user where organization_id = $1 and email = $2");
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(email)
            .fetch_optional(conn)
            .await?))
    }

    pub async fn user(
        &mut self,
        organization_id: Uuid,
        user_id: Uuid,
    ) -> Result<Option<UserRow>, StoreError> {
        let sql = format!("select {COLUMNS} from app_user where organization_id = $1 and user_id = $2");
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(user_id)
            .fetch_optional(conn)
            .await?))
    }

    /// The user, locked against concurrent writers until the transaction ends, so that read-modify-write
    /// sequences such as counting failed logins lose no update. SQLite's single writer already serializes
    /// write transactions; PostgreSQL needs the row lock.
    pub async fn user_for_update(
        &mut self,
        organization_id: Uuid,
        user_id: Uuid,
    ) -> Result<Option<UserRow>, StoreError> {
        let select = format!("select {COLUMNS} from app_user where organization_id = $1 and user_id = $2");
        let sql = match self.backend() {
            Backend::Sqlite => select,
            Backend::Postgres => format!("{select} for update"),
        };
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(user_id)
            .fetch_optional(conn)
            .await?))
    }

    /// Users in id order (UUIDv7: creation order) after the cursor; the nil id sorts before every other.
    pub async fn users(
        &mut self,
        organization_id: Uuid,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<UserRow>, StoreError> {
        let sql = format!(
            "select {COLUMNS} from app_user where organization_id = $1 and user_id > $2 order by user_id limit $3"
        );
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(after.unwrap_or(Uuid::nil()))
            .bind(limit)
            .fetch_all(conn)
            .await?))
    }

    /// Writes name, roles and active flag when the stored version is `row.version - 1`.
    pub async fn update_user(&mut self, row: &UserRow) -> Result<bool, StoreError> {
        let affected = on_conn!(self, |conn| {
            sqlx::query(
            "update app_user set display_name = $3, roles = $4, active = $5, version = $6, updated_at = $7
             where organization_id = $1 and user_id = $2 and version = $6 - 1"
        )
        .bind(row.organization_id)
        .bind(row.user_id)
        .bind(&row.display_name)
        .bind(&row.roles)
        .bind(row.active)
        .bind(row.version)
        .bind(row.updated_at)
        .execute(conn)
        .await?
        .rows_affected()
        });
        Ok(affected == 1)
    }

    /// A new password also clears any lockout: an admin's reset is how a locked-out user gets back in.
    pub async fn set_password_hash(
        &mut self,
        organization_id: Uuid,
        user_id: Uuid,
        password_hash: &str,
        now: DbTime,
    ) -> Result<(), StoreError> {
        on_conn!(self, |conn| sqlx::query(
            "update app_user set password_hash = $3, failed_logins = 0, first_failed_login_at = null,
             locked_until = null, version = version + 1, updated_at = $4
             where organization_id = $1 and user_id = $2"
        )
        .bind(organization_id)
        .bind(user_id)
        .bind(password_hash)
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(())
    }

    pub async fn set_login_failures(
        &mut self,
        organization_id: Uuid,
        user_id: Uuid,
        failures: LoginFailures,
    ) -> Result<(), StoreError> {
        on_conn!(self, |conn| {
            sqlx::query(
                "update app_user set failed_logins = $3, first_failed_login_at = $4, locked_until = $5
             where organization_id = $1 and user_id = $2",
            )
            .bind(organization_id)
            .bind(user_id)
            .bind(failures.count)
            .bind(failures.first_at)
            .bind(failures.locked_until)
            .execute(conn)
            .await?
            .rows_affected()
        });
        Ok(())
    }
}
