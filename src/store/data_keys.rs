//! The wrapped data keys of patients and contacts: stored beside their records, read to open them, and
//! moved onto the current master key after a rotation.

use sqlx::QueryBuilder;
use uuid::Uuid;

use super::tx::on_conn;
use super::{StoreError, Tx};

/// Which records' keys: both tables have the same shape, only their names differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyTable {
    Patient,
    Contact,
}

impl KeyTable {
    pub const ALL: [Self; 2] = [Self::Patient, Self::Contact];

    fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::Patient => ("patient_key", "patient_id"),
            Self::Contact => ("contact_key", "contact_id"),
        }
    }
}

/// A record's data key as stored: wrapped by a master key, or gone once the record was erased.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DataKeyRow {
    pub key_id: String,
    pub wrapped: Option<Vec<u8>>,
}

/// A data key still wrapped under an older master key.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredDataKey {
    pub organization_id: Uuid,
    pub owner_id: Uuid,
    pub key_id: String,
    pub wrapped: Vec<u8>,
}

impl Tx {
    pub async fn insert_data_key(
        &mut self,
        table: KeyTable,
        organization_id: Uuid,
        owner_id: Uuid,
        key: &DataKeyRow,
    ) -> Result<(), StoreError> {
        let (table, id) = table.names();
        let sql =
            format!("insert into {table} ({id}, organization_id, key_id, wrapped) values ($1, $2, $3, $4)");
        on_conn!(self, |conn| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(owner_id)
            .bind(organization_id)
            .bind(&key.key_id)
            .bind(&key.wrapped)
            .execute(conn)
            .await?
            .rows_affected());
        Ok(())
    }

    pub async fn data_key(
        &mut self,
        table: KeyTable,
        organization_id: Uuid,
        owner_id: Uuid,
    ) -> Result<Option<DataKeyRow>, StoreError> {
        let (table, id) = table.names();
        let sql = format!("select key_id, wrapped from {table} where organization_id = $1 and {id} = $2");
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(owner_id)
            .fetch_optional(conn)
            .await?))
    }

    /// The data keys of a page of records.
    pub async fn data_keys(
        &mut self,
        table: KeyTable,
        organization_id: Uuid,
        owner_ids: &[Uuid],
    ) -> Result<Vec<(Uuid, DataKeyRow)>, StoreError> {
        // PostgreSQL refuses an empty `in ()`, and there is nothing to read anyway.
        if owner_ids.is_empty() {
            return Ok(Vec::new());
        }
        let (table, id) = table.names();
        let rows: Vec<(Uuid, String, Option<Vec<u8>>)> = on_conn!(self, |conn| {
            let mut query = QueryBuilder::new(format!(
                "select {id}, key_id, wrapped from {table} where organization_id = "
            ));
            query.push_bind(organization_id).push(format!(" and {id} in ("));
            let mut ids = query.separated(", ");
            for owner_id in owner_ids {
                ids.push_bind(*owner_id);
            }
            query.push(")");
            query.build_query_as().fetch_all(conn).await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, key_id, wrapped)| (id, DataKeyRow { key_id, wrapped }))
            .collect())
    }

    /// Up to `limit` live (not erased) keys wrapped under any master key but `current`.
    pub async fn data_keys_not_under(
        &mut self,
        table: KeyTable,
        current: &str,
        limit: i64,
    ) -> Result<Vec<StoredDataKey>, StoreError> {
        let (table, id) = table.names();
        let sql = format!(
            "select organization_id, {id} as owner_id, key_id, wrapped from {table}
             where wrapped is not null and key_id <> $1 order by {id} limit $2"
        );
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(current)
            .bind(limit)
            .fetch_all(conn)
            .await?))
    }

    /// Stores a key rewrapped under `key_id`; an erased key (wrapped is null) is never brought back.
    pub async fn set_data_key(
        &mut self,
        table: KeyTable,
        key: &StoredDataKey,
        key_id: &str,
        wrapped: &[u8],
    ) -> Result<(), StoreError> {
        let (table, id) = table.names();
        let sql = format!(
            "update {table} set key_id = $3, wrapped = $4
             where organization_id = $1 and {id} = $2 and wrapped is not null"
        );
        on_conn!(self, |conn| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(key.organization_id)
            .bind(key.owner_id)
            .bind(key_id)
            .bind(wrapped)
            .execute(conn)
            .await?
            .rows_affected());
        Ok(())
    }
}
