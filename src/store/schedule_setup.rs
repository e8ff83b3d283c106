//! What appointments are booked with: practitioners, resources (rooms, equipment), services and who offers
//! them, weekly working hours, and time blocks when someone or something is not bookable.

use uuid::Uuid;

use super::sql::update_assignments;
use super::tx::on_conn;
use super::{DbTime, StoreError, Tx, TxConn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PractitionerRow {
    pub practitioner_id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub user_id: Option<Uuid>,
    pub active: bool,
    pub version: i64,
    pub created_at: DbTime,
    pub updated_at: DbTime,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResourceRow {
    pub resource_id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub kind: String,
    pub active: bool,
    pub version: i64,
    pub created_at: DbTime,
    pub updated_at: DbTime,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ServiceRow {
    pub service_id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub duration_minutes: i64,
    pub buffer_before_minutes: i64,
    pub buffer_after_minutes: i64,
    pub price_minor: Option<i64>,
    pub colour: Option<String>,
    pub active: bool,
    pub version: i64,
    pub created_at: DbTime,
    pub updated_at: DbTime,
}

/// One weekday's hours, as local wall-clock text of the organization's time zone.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WorkingHoursRow {
    pub weekday: String,
    pub start_time: String,
    pub end_time: String,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TimeBlockRow {
    pub time_block_id: Uuid,
    pub organization_id: Uuid,
    pub practitioner_id: Option<Uuid>,
    pub resource_id: Option<Uuid>,
    pub kind: String,
    pub start_at: DbTime,
    pub end_at: DbTime,
    pub version: i64,
    pub created_at: DbTime,
    pub updated_at: DbTime,
}

/// Whose time blocks to read.
#[derive(Debug, Clone, Copy)]
pub enum BlockOwner {
    Practitioner(Uuid),
    Resource(Uuid),
}

const PRACTITIONER_COLUMNS: &str =
    "practitioner_id, organization_id, name, user_id, active, version, created_at, updated_at";
const RESOURCE_COLUMNS: &str =
    "resource_id, organization_id, name, kind, active, version, created_at, updated_at";
const SERVICE_COLUMNS: &str = "service_id, organization_id, name, duration_minutes, buffer_before_minutes,
    buffer_after_minutes, price_minor, colour, active, version, created_at, updated_at";
const BLOCK_COLUMNS: &str = "time_block_id, organization_id, practitioner_id, resource_id, kind, start_at, end_at, version, created_at, updated_at";

/// `insert into <table> (<columns>) values ($1, ..., $n)`.
fn insert_sql(table: &str, columns: &str) -> String {
    let count = columns.split(',').count();
    let placeholders = (1..=count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!("insert into {table} ({columns}) values ({placeholders})")
}

/// `update <table> set ... where <id> = $1 and organization_id = $2 and version = $<version> - 1`: the
/// update succeeds only over the version the caller read.
fn update_sql(table: &str, columns: &str) -> String {
    let id = columns.split(',').next().unwrap_or_default().trim();
    let version = columns
        .split(',')
        .position(|column| column.trim() == "version")
        .map_or(0, |index| index + 1);
    format!(
        "update {table} set {} where {id} = $1 and organization_id = $2 and version = ${version} - 1",
        update_assignments(columns, 2)
    )
}

/// `insert_<name>` and `update_<name>` for a versioned record table: one column list and one field list
/// serve both, so an insert and an update always bind the same values in the same order.
macro_rules! versioned_writes {
    ($insert:ident, $update:ident, $row:ty, $table:literal, $columns:expr, [$($field:ident),+ $(,)?]) => {
        impl Tx {
            pub async fn $insert(&mut self, row: &$row) -> Result<(), StoreError> {
                let sql = insert_sql($table, $columns);
                on_conn!(self, |conn| sqlx::query(sqlx::AssertSqlSafe(sql))
                    $(.bind(&row.$field))+
                    .execute(conn)
                    .await?
                    .rows_affected());
                Ok(())
            }

            /// Writes every column when the stored version is `row.version - 1`; false when someone changed
            /// it first.
            pub async fn $update(&mut self, row: &$row) -> Result<bool, StoreError> {
                let sql = update_sql($table, $columns);
                let affected = on_conn!(self, |conn| sqlx::query(sqlx::AssertSqlSafe(sql))
                    $(.bind(&row.$field))+
                    .execute(conn)
                    .await?
                    .rows_affected());
                Ok(affected == 1)
            }
        }
    };
}

versioned_writes!(
    insert_practitioner,
    update_practitioner,
    PractitionerRow,
    "practitioner",
    PRACTITIONER_COLUMNS,
    [
        practitioner_id,
        organization_id,
        name,
        user_id,
        active,
        version,
        created_at,
        updated_at
    ]
);
versioned_writes!(
    insert_resource,
    update_resource,
    ResourceRow,
    "resource",
    RESOURCE_COLUMNS,
    [
        resource_id,
        organization_id,
        name,
        kind,
        active,
        version,
        created_at,
        updated_at
    ]
);
versioned_writes!(
    insert_service,
    update_service,
    ServiceRow,
    "service",
    SERVICE_COLUMNS,
    [
        service_id,
        organization_id,
        name,
        duration_minutes,
        buffer_before_minutes,
        buffer_after_minutes,
        price_minor,
        colour,
        active,
        version,
        created_at,
        updated_at,
    ]
);
versioned_writes!(
    insert_time_block,
    update_time_block,
    TimeBlockRow,
    "time_block",
    BLOCK_COLUMNS,
    [
        time_block_id,
        organization_id,
        practitioner_id,
        resource_id,
        kind,
        start_at,
        end_at,
        version,
        created_at,
        updated_at,
    ]
);

impl Tx {
    pub async fn practitioner(
        &mut self,
        organization_id: Uuid,
        practitioner_id: Uuid,
    ) -> Result<Option<PractitionerRow>, StoreError> {
        self.record(
            "practitioner",
            PRACTITIONER_COLUMNS,
            organization_id,
            practitioner_id,
        )
        .await
    }

    /// Holds the practitioner's row until the transaction ends, so that PostgreSQL serializes the writers of
    /// one practitioner's schedule that touch more than the appointment itself (SQLite's single writer
    /// already does).
    pub async fn lock_practitioner(
        &mut self,
        organization_id: Uuid,
        practitioner_id: Uuid,
    ) -> Result<(), StoreError> {
        if let TxConn::Postgres(tx) = &mut self.conn {
            sqlx::query(
                "select 1 from practitioner where organization_id = $1 and practitioner_id = $2 for update",
            )
            .bind(organization_id)
            .bind(practitioner_id)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// Practitioners in creation order after the cursor.
    pub async fn practitioners(
        &mut self,
        organization_id: Uuid,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<PractitionerRow>, StoreError> {
        self.records_after(
            "practitioner",
            PRACTITIONER_COLUMNS,
            organization_id,
            after,
            limit,
        )
        .await
    }

    pub async fn resource(
        &mut self,
        organization_id: Uuid,
        resource_id: Uuid,
    ) -> Result<Option<ResourceRow>, StoreError> {
        self.record("resource", RESOURCE_COLUMNS, organization_id, resource_id)
            .await
    }

    pub async fn resources(
        &mut self,
        organization_id: Uuid,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<ResourceRow>, StoreError> {
        self.records_after("resource", RESOURCE_COLUMNS, organization_id, after, limit)
            .await
    }

    pub async fn service(
        &mut self,
        organization_id: Uuid,
        service_id: Uuid,
    ) -> Result<Option<ServiceRow>, StoreError> {
        self.record("service", SERVICE_COLUMNS, organization_id, service_id)
            .await
    }

    pub async fn services(
        &mut self,
        organization_id: Uuid,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<ServiceRow>, StoreError> {
        self.records_after("service", SERVICE_COLUMNS, organization_id, after, limit)
            .await
    }

    /// The practitioners who offer a service, in id order.
    pub async fn service_practitioners(
        &mut self,
        organization_id: Uuid,
        service_id: Uuid,
    ) -> Result<Vec<Uuid>, StoreError> {
        Ok(on_conn!(self, |conn| sqlx::query_scalar(
            "select practitioner_id from service_practitioner where organization_id = $1 and service_id = $2
             order by practitioner_id"
        )
        .bind(organization_id)
        .bind(service_id)
        .fetch_all(conn)
        .await?))
    }

    pub async fn replace_service_practitioners(
        &mut self,
        organization_id: Uuid,
        service_id: Uuid,
        practitioner_ids: &[Uuid],
    ) -> Result<(), StoreError> {
        on_conn!(self, |conn| {
            sqlx::query("delete from service_practitioner where organization_id = $1 and service_id = $2")
                .bind(organization_id)
                .bind(service_id)
                .execute(&mut *conn)
                .await?;
            for practitioner_id in practitioner_ids {
                sqlx::query(
                    "insert into service_practitioner (organization_id, service_id, practitioner_id)
                     values ($1, $2, $3)",
                )
                .bind(organization_id)
                .bind(service_id)
                .bind(practitioner_id)
                .execute(&mut *conn)
                .await?;
            }
        });
        Ok(())
    }

    pub async fn working_hours(
        &mut self,
        organization_id: Uuid,
        practitioner_id: Uuid,
    ) -> Result<Vec<WorkingHoursRow>, StoreError> {
        Ok(on_conn!(self, |conn| sqlx::query_as(
            "select weekday, start_time, end_time, valid_from, valid_until from working_hours
             where organization_id = $1 and practitioner_id = $2 order by position"
        )
        .bind(organization_id)
        .bind(practitioner_id)
        .fetch_all(conn)
        .await?))
    }

    pub async fn replace_working_hours(
        &mut self,
        organization_id: Uuid,
        practitioner_id: Uuid,
        hours: &[WorkingHoursRow],
    ) -> Result<(), StoreError> {
        on_conn!(self, |conn| {
            sqlx::query("delete from working_hours where organization_id = $1 and practitioner_id = $2")
                .bind(organization_id)
                .bind(practitioner_id)
                .execute(&mut *conn)
                .await?;
            for (position, row) in (0_i64..).zip(hours) {
                sqlx::query(
                    "insert into working_hours (organization_id, practitioner_id, position, weekday,
                         start_time, end_time, valid_from, valid_until)
                     values ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(organization_id)
                .bind(practitioner_id)
                .bind(position)
                .bind(&row.weekday)
                .bind(&row.start_time)
                .bind(&row.end_time)
                .bind(&row.valid_from)
                .bind(&row.valid_until)
                .execute(&mut *conn)
                .await?;
            }
        });
        Ok(())
    }

    pub async fn delete_time_block(
        &mut self,
        organization_id: Uuid,
        time_block_id: Uuid,
    ) -> Result<bool, StoreError> {
        let affected = on_conn!(self, |conn| sqlx::query(
            "delete from time_block where organization_id = $1 and time_block_id = $2"
        )
        .bind(organization_id)
        .bind(time_block_id)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(affected == 1)
    }

    pub async fn time_block(
        &mut self,
        organization_id: Uuid,
        time_block_id: Uuid,
    ) -> Result<Option<TimeBlockRow>, StoreError> {
        self.record("time_block", BLOCK_COLUMNS, organization_id, time_block_id)
            .await
    }

    /// The owner's blocks that overlap `[from, to)`, by start.
    pub async fn time_blocks(
        &mut self,
        organization_id: Uuid,
        owner: BlockOwner,
        from: DbTime,
        to: DbTime,
    ) -> Result<Vec<TimeBlockRow>, StoreError> {
        let (column, id) = match owner {
            BlockOwner::Practitioner(id) => ("practitioner_id", id),
            BlockOwner::Resource(id) => ("resource_id", id),
        };
        let sql = format!(
            "select {BLOCK_COLUMNS} from time_block where organization_id = $1 and {column} = $2
             and end_at > $3 and start_at < $4 order by start_at, time_block_id"
        );
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(id)
            .bind(from)
            .bind(to)
            .fetch_all(conn)
            .await?))
    }
}

#[cfg(test)]
mod tests {
    use super::{insert_sql, update_sql};

    #[test]
    fn statements_number_the_columns_in_order() {
        assert_eq!(
            insert_sql("t", "a, b, c"),
            "insert into t (a, b, c) values ($1, $2, $3)"
        );
        assert_eq!(
            update_sql("t", "id, organization_id, name, version"),
            "update t set name = $3, version = $4 where id = $1 and organization_id = $2 and version = $4 - 1"
        );
    }
}
