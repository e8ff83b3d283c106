//! The walk-in queue: `queue` rows with their day's ticket counter, and the `queue_ticket` rows of each day.

use uuid::Uuid;

use super::Backend;
use super::tx::on_conn;
use super::{DbTime, StoreError, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QueueRow {
    pub queue_id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    pub location: Option<String>,
    pub average_service_minutes: i64,
    pub display_token_hash: String,
    pub version: i64,
    pub created_at: DbTime,
    pub updated_at: DbTime,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TicketRow {
    pub ticket_id: Uuid,
    pub organization_id: Uuid,
    pub queue_id: Uuid,
    /// The organization's day the ticket was issued on, ISO 8601.
    pub service_day: String,
    pub number: i64,
    pub patient_id: Option<Uuid>,
    /// In clear, for a ticket that names no patient.
    pub reason: Option<String>,
    /// Sealed under the patient's data key, for a ticket that names one.
    pub reason_sealed: Option<Vec<u8>>,
    pub status: String,
    pub desk: Option<String>,
    pub issued_at: DbTime,
    pub called_at: Option<DbTime>,
    pub serving_at: Option<DbTime>,
    pub finished_at: Option<DbTime>,
    pub version: i64,
    pub updated_at: DbTime,
}

const QUEUE_COLUMNS: &str = "queue_id, organization_id, name, location, average_service_minutes,
    display_token_hash, version, created_at, updated_at";

const TICKET_COLUMNS: &str = "ticket_id, organization_id, queue_id, service_day, number, patient_id, reason,
    reason_sealed, status, desk, issued_at, called_at, serving_at, finished_at, version, updated_at";

impl Tx {
    pub async fn insert_queue(&mut self, row: &QueueRow) -> Result<(), StoreError> {
        let sql = format!(
            "insert into queue ({QUEUE_COLUMNS}, ticket_day, last_ticket_number)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, null, 0)"
        );
        on_conn!(self, |conn| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(row.queue_id)
            .bind(row.organization_id)
            .bind(&row.name)
            .bind(&row.location)
            .bind(row.average_service_minutes)
            .bind(&row.display_token_hash)
            .bind(row.version)
            .bind(row.created_at)
            .bind(row.updated_at)
            .execute(conn)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Writes the queue's settings when the stored version is `row.version - 1`; false when someone changed
    /// it first. The day's ticket counter is not part of the record and is left alone.
    pub async fn update_queue(&mut self, row: &QueueRow) -> Result<bool, StoreError> {
        let affected = on_conn!(self, |conn| {
            sqlx::query(
            "update queue set name = $3, location = $4, average_service_minutes = $5, display_token_hash = $6,
             version = $7, updated_at = $8
             where organization_id = $1 and queue_id = $2 and version = $7 - 1"
        )
        .bind(row.organization_id)
        .bind(row.queue_id)
        .bind(&row.name)
        .bind(&row.location)
        .bind(row.average_service_minutes)
        .bind(&row.display_token_hash)
        .bind(row.version)
        .bind(row.updated_at)
        .execute(conn)
        .await?
        .rows_affected()
        });
        Ok(affected == 1)
    }

    pub async fn queue(
        &mut self,
        organization_id: Uuid,
        queue_id: Uuid,
    ) -> Result<Option<QueueRow>, StoreError> {
        let sql = format!("select {QUEUE_COLUMNS} from queue where organization_id = $1 and queue_id = $2");
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(queue_id)
            .fetch_optional(conn)
            .await?))
    }

    /// The organization's queues in creation order, after the cursor.
    pub async fn queues(
        &mut self,
        organization_id: Uuid,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<QueueRow>, StoreError> {
        let sql = format!(
            "select {QUEUE_COLUMNS} from queue where organization_id = $1 and queue_id > $2
             order by queue_id limit $3"
        );
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(after.unwrap_or(Uuid::nil()))
            .bind(limit)
            .fetch_all(conn)
            .await?))
    }

    /// The queue a waiting-room screen's token belongs to, in whichever organization: the token is the key.
    pub async fn queue_by_display_token(&mut self, token_hash: &str) -> Result<Option<QueueRow>, StoreError> {
        let sql = format!("select {QUEUE_COLUMNS} from queue where display_token_hash = $1");
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(token_hash)
            .fetch_optional(conn)
            .await?))
    }

    /// The next ticket number of the queue on `day`: 1 on a day's first ticket, then one more each time.
    ///
    /// One update of the queue's row: on PostgreSQL a second issuer waits for the first one's row lock and
    /// then counts on from its number, on SQLite the single writer does the same. When the day changes the
    /// count restarts from the day's highest number, which is 0 on a new day but not when the organization's
    /// time zone moved back into a day that already had tickets. None when there is no such queue.
    pub async fn next_ticket_number(
        &mut self,
        organization_id: Uuid,
        queue_id: Uuid,
        day: &str,
    ) -> Result<Option<i64>, StoreError> {
        Ok(on_conn!(self, |conn| sqlx::query_scalar(
            "update queue set
                 last_ticket_number = case when ticket_day = $3 then last_ticket_number + 1 else coalesce(
                     (select max(number) from queue_ticket
                      where organization_id = $1 and queue_id = $2 and service_day = $3), 0) + 1 end,
                 ticket_day = $3
             where organization_id = $1 and queue_id = $2
             returning last_ticket_number"
        )
        .bind(organization_id)
        .bind(queue_id)
        .bind(day)
        .fetch_optional(conn)
        .await?))
    }

    pub async fn insert_ticket(&mut self, row: &TicketRow) -> Result<(), StoreError> {
        let sql = format!(
            "insert into queue_ticket ({TICKET_COLUMNS})
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
        );
        on_conn!(self, |conn| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(row.ticket_id)
            .bind(row.organization_id)
            .bind(row.queue_id)
            .bind(&row.service_day)
            .bind(row.number)
            .bind(row.patient_id)
            .bind(&row.reason)
            .bind(&row.reason_sealed)
            .bind(&row.status)
            .bind(&row.desk)
            .bind(row.issued_at)
            .bind(row.called_at)
            .bind(row.serving_at)
            .bind(row.finished_at)
            .bind(row.version)
            .bind(row.updated_at)
            .execute(conn)
            .await?
            .rows_affected());
        Ok(())
    }

    pub async fn ticket(
        &mut self,
        organization_id: Uuid,
        queue_id: Uuid,
        ticket_id: Uuid,
    ) -> Result<Option<TicketRow>, StoreError> {
        let sql = format!(
            "select {TICKET_COLUMNS} from queue_ticket
             where organization_id = $1 and queue_id = $2 and ticket_id = $3"
        );
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(queue_id)
            .bind(ticket_id)
            .fetch_optional(conn)
            .await?))
    }

    /// Every ticket of the queue on `day`, by number. A day holds at most a few hundred.
    pub async fn tickets_of_day(
        &mut self,
        organization_id: Uuid,
        queue_id: Uuid,
        day: &str,
    ) -> Result<Vec<TicketRow>, StoreError> {
        let sql = format!(
            "select {TICKET_COLUMNS} from queue_ticket
             where organization_id = $1 and queue_id = $2 and service_day = $3 order by number"
        );
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(queue_id)
            .bind(day)
            .fetch_all(conn)
            .await?))
    }

    /// Hands the oldest waiting ticket of the day to `desk`, or None when nobody waits.
    ///
    /// One statement that picks and changes the ticket, so that desks calling at the same moment each get a
    /// different one: on PostgreSQL the pick locks its row and skips rows another desk has just locked; on
    /// SQLite the single writer runs the statements one after the other, so there is nothing to skip.
    pub async fn call_next_ticket(
        &mut self,
        organization_id: Uuid,
        queue_id: Uuid,
        day: &str,
        desk: &str,
        now: DbTime,
    ) -> Result<Option<TicketRow>, StoreError> {
        let lock = match self.backend() {
            Backend::Postgres => " for update skip locked",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "update queue_ticket set status = $5, desk = $6, called_at = $7, updated_at = $7, version = version + 1
             where organization_id = $1 and status = $4 and ticket_id = (
                 select ticket_id from queue_ticket
                 where organization_id = $1 and queue_id = $2 and service_day = $3 and status = $4
                 order by number limit 1{lock})
             returning {TICKET_COLUMNS}"
        );
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(queue_id)
            .bind(day)
            .bind(praxis_domain::queue::TicketStatus::Waiting.as_str())
            .bind(praxis_domain::queue::TicketStatus::Called.as_str())
            .bind(desk)
            .bind(now)
            .fetch_optional(conn)
            .await?))
    }

    /// Writes a ticket's status, desk and times when the stored version is `row.version - 1`; false when
    /// another desk changed it first.
    pub async fn update_ticket_status(&mut self, row: &TicketRow) -> Result<bool, StoreError> {
        let affected = on_conn!(self, |conn| {
            sqlx::query(
            "update queue_ticket set status = $3, desk = $4, called_at = $5, serving_at = $6, finished_at = $7,
             version = $8, updated_at = $9
             where organization_id = $1 and ticket_id = $2 and version = $8 - 1"
        )
        .bind(row.organization_id)
        .bind(row.ticket_id)
        .bind(&row.status)
        .bind(&row.desk)
        .bind(row.called_at)
        .bind(row.serving_at)
        .bind(row.finished_at)
        .bind(row.version)
        .bind(row.updated_at)
        .execute(conn)
        .await?
        .rows_affected()
        });
        Ok(affected == 1)
    }
}
