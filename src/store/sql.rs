//! SQL pieces the record tables share, written once for both backends.

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Database, Encode, FromRow, QueryBuilder, Type};
use uuid::Uuid;

use super::tx::on_conn;
use super::{StoreError, Tx};

/// The largest code point: appended to a prefix it bounds every string that starts with the prefix, so a
/// prefix search is a range scan on the folded name's index (byte order on SQLite, `collate "C"` on PostgreSQL).
const PREFIX_END: char = '\u{10FFFF}';

/// `column = $n` for every column of `columns` after the first `keys`, numbered by position, so an update
/// binds the same values in the same order as the insert.
pub fn update_assignments(columns: &str, keys: usize) -> String {
    columns
        .split(',')
        .map(str::trim)
        .enumerate()
        .skip(keys)
        .map(|(index, column)| format!("{column} = ${}", index + 1))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A row type both backends can read.
pub trait Record: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Record for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

/// The id column of a column list: its first.
fn id_column(columns: &str) -> &str {
    columns.split(',').next().unwrap_or_default().trim()
}

impl Tx {
    /// One record of the organization by its id (the first of `columns`).
    pub(super) async fn record<T: Record>(
        &mut self,
        table: &str,
        columns: &str,
        organization_id: Uuid,
        id: Uuid,
    ) -> Result<Option<T>, StoreError> {
        let sql = format!(
            "select {columns} from {table} where organization_id = $1 and {} = $2",
            id_column(columns)
        );
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(id)
            .fetch_optional(conn)
            .await?))
    }

    /// The organization's records in id (creation) order after the cursor.
    pub(super) async fn records_after<T: Record>(
        &mut self,
        table: &str,
        columns: &str,
        organization_id: Uuid,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<T>, StoreError> {
        let id = id_column(columns);
        let sql = format!(
            "select {columns} from {table} where organization_id = $1 and {id} > $2 order by {id} limit $3"
        );
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(after.unwrap_or(Uuid::nil()))
            .bind(limit)
            .fetch_all(conn)
            .await?))
    }
}

/// ` and (<family name> or <given name> starts with the folded prefix)`.
pub fn push_name_prefix<DB>(query: &mut QueryBuilder<DB>, prefix: &str)
where
    DB: Database,
    for<'t> String: Encode<'t, DB> + Type<DB>,
{
    let end = format!("{prefix}{PREFIX_END}");
    query
        .push(" and ((search_family >= ")
        .push_bind(prefix.to_owned());
    query.push(" and search_family < ").push_bind(end.clone());
    query.push(") or (search_given >= ").push_bind(prefix.to_owned());
    query.push(" and search_given < ").push_bind(end).push("))");
}

#[cfg(test)]
mod tests {
    use super::update_assignments;

    #[test]
    fn assignments_skip_the_keys_and_keep_the_positions() {
        assert_eq!(
            update_assignments("id, org, name, version", 2),
            "name = $3, version = $4"
        );
    }
}
