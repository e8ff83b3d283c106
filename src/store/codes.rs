//! Code lists imported by an organization, one per code system.

use uuid::Uuid;

use super::tx::on_conn;
use super::{DbTime, StoreError, Tx};

/// Rows per insert statement: 2 parameters each keeps a statement well under SQLite's and PostgreSQL's
/// parameter limits while loading a full classification in a few hundred statements.
const ROWS_PER_INSERT: usize = 500;

impl Tx {
    /// Replaces the organization's list of `system` with `codes` (code, title), all imported at `at`.
    pub async fn replace_clinical_codes(
        &mut self,
        organization_id: Uuid,
        system: &str,
        codes: &[(&str, &str)],
        at: DbTime,
    ) -> Result<(), StoreError> {
        on_conn!(self, |conn| sqlx::query(
            "delete from clinical_code where organization_id = $1 and system = $2"
        )
        .bind(organization_id)
        .bind(system)
        .execute(conn)
        .await?
        .rows_affected());
        for chunk in codes.chunks(ROWS_PER_INSERT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|row| {
                    let code = row * 2 + 4;
                    format!("($1, $2, ${code}, ${}, $3)", code + 1)
                })
                .collect();
            let sql = format!(
                "insert into clinical_code (organization_id, system, code, title, imported_at) values {}",
                values.join(", ")
            );
            on_conn!(self, |conn| {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(organization_id)
                    .bind(system)
                    .bind(at);
                for (code, title) in chunk {
                    query = query.bind(*code).bind(*title);
                }
                query.execute(conn).await?.rows_affected()
            });
        }
        Ok(())
    }

    /// When the organization last imported its list of `system`, if it has one.
    pub async fn clinical_codes_imported_at(
        &mut self,
        organization_id: Uuid,
        system: &str,
    ) -> Result<Option<DbTime>, StoreError> {
        Ok(on_conn!(self, |conn| sqlx::query_scalar(
            "select imported_at from clinical_code where organization_id = $1 and system = $2 limit 1"
        )
        .bind(organization_id)
        .bind(system)
        .fetch_optional(conn)
        .await?))
    }

    /// The organization's imported list of `system`, as (code, title).
    pub async fn clinical_codes(
        &mut self,
        organization_id: Uuid,
        system: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        Ok(on_conn!(self, |conn| sqlx::query_as(
            "select code, title from clinical_code where organization_id = $1 and system = $2"
        )
        .bind(organization_id)
        .bind(system)
        .fetch_all(conn)
        .await?))
    }
}
