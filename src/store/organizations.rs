//! The `organization` table.

use uuid::Uuid;

use super::tx::on_conn;
use super::{DbTime, StoreError, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrganizationRow {
    pub organization_id: Uuid,
    pub slug: String,
    pub name: String,
    pub time_zone: String,
    pub country: String,
    pub currency: String,
    pub locale: String,
    pub version: i64,
    pub created_at: DbTime,
    pub updated_at: DbTime,
}

const COLUMNS: &str =
    "organization_id, slug, name, time_zone, country, currency, locale, version, created_at, updated_at";

impl Tx {
    /// Creates the organization with an empty audit chain.
    pub async fn insert_organization(&mut self, row: &OrganizationRow) -> Result<(), StoreError> {
        on_conn!(self, |conn| {
            sqlx::query(
                "insert into organization (organization_id, slug, name, time_zone, country, currency, locale,
                 version, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(row.organization_id)
            .bind(&row.slug)
            .bind(&row.name)
            .bind(&row.time_zone)
            .bind(&row.country)
            .bind(&row.currency)
            .bind(&row.locale)
            .bind(row.version)
            .bind(row.created_at)
            .bind(row.updated_at)
            .execute(&mut *conn)
            .await?;
            sqlx::query("insert into audit_head (organization_id, seq, hash) values ($1, 0, $2)")
                .bind(row.organization_id)
                .bind(praxis_domain::audit::ChainHash::GENESIS.to_string())
                .execute(&mut *conn)
                .await?;
        });
        Ok(())
    }

    pub async fn organization_by_slug(&mut self, slug: &str) -> Result<Option<OrganizationRow>, StoreError> {
        let sql = format!("select {COLUMNS} from organization where slug = $1");
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(slug)
            .fetch_optional(conn)
            .await?))
    }

    pub async fn organization(
        &mut self,
        organization_id: Uuid,
    ) -> Result<Option<OrganizationRow>, StoreError> {
        let sql = format!("select {COLUMNS} from organization where organization_id = $1");
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .fetch_optional(conn)
            .await?))
    }

    pub async fn organization_ids(&mut self) -> Result<Vec<Uuid>, StoreError> {
        Ok(on_conn!(self, |conn| sqlx::query_scalar(
            "select organization_id from organization order by organization_id"
        )
        .fetch_all(conn)
        .await?))
    }

    /// Writes the row when its version is still `row.version - 1`; false when someone else changed it first.
    pub async fn update_organization(&mut self, row: &OrganizationRow) -> Result<bool, StoreError> {
        let result = on_conn!(self, |conn| sqlx::query(
            "update organization set name = $2, time_zone = $3, country = $4, currency = $5, locale = $6,
             version = $7, updated_at = $8 where organization_id = $1 and version = $7 - 1"
        )
        .bind(row.organization_id)
        .bind(&row.name)
        .bind(&row.time_zone)
        .bind(&row.country)
        .bind(&row.currency)
        .bind(&row.locale)
        .bind(row.version)
        .bind(row.updated_at)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(result == 1)
    }
}
