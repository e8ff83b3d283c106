//! The `api_key` table: integration keys, found by the hash of their secret.

use uuid::Uuid;

use super::tx::on_conn;
use super::{DbTime, StoreError, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiKeyRow {
    pub api_key_id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub prefix: String,
    pub secret_hash: String,
    pub scopes: String,
    pub created_by: Uuid,
    pub created_at: DbTime,
    pub expires_at: Option<DbTime>,
    pub revoked_at: Option<DbTime>,
    pub last_used_at: Option<DbTime>,
}

/// A key with what authorization needs of its maker: a key never outlasts or outranks the admin behind it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiKeyWithCreator {
    #[sqlx(flatten)]
    pub key: ApiKeyRow,
    pub creator_roles: String,
    pub creator_active: bool,
}

const COLUMNS: &str =
    "api_key_id, organization_id, name, prefix, secret_hash, scopes, created_by, created_at,
    expires_at, revoked_at, last_used_at";

impl Tx {
    pub async fn insert_api_key(&mut self, row: &ApiKeyRow) -> Result<(), StoreError> {
        on_conn!(self, |conn| sqlx::query(
            "insert into api_key (api_key_id, organization_id, name, prefix, secret_hash, scopes, created_by,
             created_at, expires_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        )
        .bind(row.api_key_id)
        .bind(row.organization_id)
        .bind(&row.name)
        .bind(&row.prefix)
        .bind(&row.secret_hash)
        .bind(&row.scopes)
        .bind(row.created_by)
        .bind(row.created_at)
        .bind(row.expires_at)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(())
    }

    pub async fn api_key_by_secret_hash(
        &mut self,
        secret_hash: &str,
    ) -> Result<Option<ApiKeyWithCreator>, StoreError> {
        let columns = COLUMNS
            .split(',')
            .map(|c| format!("k.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "select {columns}, u.roles as creator_roles, u.active as creator_active
             from api_key k join app_user u on u.user_id = k.created_by and u.organization_id = k.organization_id where k.secret_hash = $1"
        );
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(secret_hash)
            .fetch_optional(conn)
            .await?))
    }

    pub async fn api_key(
        &mut self,
        organization_id: Uuid,
        api_key_id: Uuid,
    ) -> Result<Option<ApiKeyRow>, StoreError> {
        let sql = format!("select {COLUMNS} from api_key where organization_id = $1 and api_key_id = $2");
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(api_key_id)
            .fetch_optional(conn)
            .await?))
    }

    pub async fn api_keys(
        &mut self,
        organization_id: Uuid,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<ApiKeyRow>, StoreError> {
        let sql = format!(
            "select {COLUMNS} from api_key where organization_id = $1 and api_key_id > $2 order by api_key_id limit $3"
        );
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(after.unwrap_or(Uuid::nil()))
            .bind(limit)
            .fetch_all(conn)
            .await?))
    }

    pub async fn revoke_api_key(
        &mut self,
        organization_id: Uuid,
        api_key_id: Uuid,
        now: DbTime,
    ) -> Result<bool, StoreError> {
        let affected = on_conn!(self, |conn| {
            sqlx::query(
            "update api_key set revoked_at = $3 where organization_id = $1 and api_key_id = $2 and revoked_at is null"
        )
        .bind(organization_id)
        .bind(api_key_id)
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected()
        });
        Ok(affected == 1)
    }

    pub async fn touch_api_key(
        &mut self,
        organization_id: Uuid,
        api_key_id: Uuid,
        now: DbTime,
    ) -> Result<(), StoreError> {
        on_conn!(self, |conn| sqlx::query(
            "update api_key set last_used_at = $3 where organization_id = $1 and api_key_id = $2"
        )
        .bind(organization_id)
        .bind(api_key_id)
        .bind(now)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(())
    }
}
