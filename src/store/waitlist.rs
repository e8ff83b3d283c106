//! The waitlist: entries with their time windows, and the offers of freed time made to them.

use uuid::Uuid;

use super::tx::on_conn;
use super::{DbTime, StoreError, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WaitlistEntryRow {
    pub entry_id: Uuid,
    pub organization_id: Uuid,
    pub patient_id: Uuid,
    pub service_id: Uuid,
    pub practitioner_id: Option<Uuid>,
    pub priority: i64,
    pub status: String,
    pub appointment_id: Option<Uuid>,
    pub version: i64,
    pub created_at: DbTime,
    pub updated_at: DbTime,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WaitlistOfferRow {
    pub offer_id: Uuid,
    pub organization_id: Uuid,
    pub entry_id: Uuid,
    pub practitioner_id: Uuid,
    pub start_at: DbTime,
    pub end_at: DbTime,
    pub status: String,
    pub appointment_id: Option<Uuid>,
    pub created_at: DbTime,
    pub updated_at: DbTime,
}

const ENTRY_COLUMNS: &str =
    "entry_id, organization_id, patient_id, service_id, practitioner_id, priority, status,
    appointment_id, version, created_at, updated_at";
const OFFER_COLUMNS: &str = "offer_id, organization_id, entry_id, practitioner_id, start_at, end_at, status,
    appointment_id, created_at, updated_at";

impl Tx {
    pub async fn insert_waitlist_entry(
        &mut self,
        row: &WaitlistEntryRow,
        windows: &[(DbTime, DbTime)],
    ) -> Result<(), StoreError> {
        let sql = format!(
            "insert into waitlist_entry ({ENTRY_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        );
        on_conn!(self, |conn| {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(row.entry_id)
                .bind(row.organization_id)
                .bind(row.patient_id)
                .bind(row.service_id)
                .bind(row.practitioner_id)
                .bind(row.priority)
                .bind(&row.status)
                .bind(row.appointment_id)
                .bind(row.version)
                .bind(row.created_at)
                .bind(row.updated_at)
                .execute(&mut *conn)
                .await?;
            for (start, end) in windows {
                sqlx::query(
                    "insert into waitlist_window (organization_id, entry_id, start_at, end_at) values ($1, $2, $3, $4)",
                )
                .bind(row.organization_id)
                .bind(row.entry_id)
                .bind(start)
                .bind(end)
                .execute(&mut *conn)
                .await?;
            }
        });
        Ok(())
    }

    /// Sets an entry's status (and the appointment that fulfilled it) over the version the caller read.
    pub async fn update_waitlist_entry(&mut self, row: &WaitlistEntryRow) -> Result<bool, StoreError> {
        let affected = on_conn!(self, |conn| sqlx::query(
            "update waitlist_entry set status = $3, appointment_id = $4, version = $5, updated_at = $6
             where entry_id = $1 and organization_id = $2 and version = $5 - 1"
        )
        .bind(row.entry_id)
        .bind(row.organization_id)
        .bind(&row.status)
        .bind(row.appointment_id)
        .bind(row.version)
        .bind(row.updated_at)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(affected == 1)
    }

    pub async fn waitlist_entry(
        &mut self,
        organization_id: Uuid,
        entry_id: Uuid,
    ) -> Result<Option<WaitlistEntryRow>, StoreError> {
        self.record("waitlist_entry", ENTRY_COLUMNS, organization_id, entry_id)
            .await
    }

    /// Entries in a status, most urgent first (lowest priority number, then longest waiting).
    pub async fn waitlist_entries(
        &mut self,
        organization_id: Uuid,
        status: &str,
        limit: i64,
    ) -> Result<Vec<WaitlistEntryRow>, StoreError> {
        let sql = format!(
            "select {ENTRY_COLUMNS} from waitlist_entry where organization_id = $1 and status = $2
             order by priority, created_at, entry_id limit $3"
        );
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(status)
            .bind(limit)
            .fetch_all(conn)
            .await?))
    }

    /// Every entry of one patient, whatever its status, oldest first.
    pub async fn waitlist_entries_of_patient(
        &mut self,
        organization_id: Uuid,
        patient_id: Uuid,
    ) -> Result<Vec<WaitlistEntryRow>, StoreError> {
        let sql = format!(
            "select {ENTRY_COLUMNS} from waitlist_entry where organization_id = $1 and patient_id = $2
             order by created_at, entry_id"
        );
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(patient_id)
            .fetch_all(conn)
            .await?))
    }

    /// An entry's windows, by start.
    pub async fn waitlist_windows(
        &mut self,
        organization_id: Uuid,
        entry_id: Uuid,
    ) -> Result<Vec<(DbTime, DbTime)>, StoreError> {
        Ok(on_conn!(self, |conn| sqlx::query_as(
            "select start_at, end_at from waitlist_window where organization_id = $1 and entry_id = $2
             order by start_at"
        )
        .bind(organization_id)
        .bind(entry_id)
        .fetch_all(conn)
        .await?))
    }

    pub async fn insert_waitlist_offer(&mut self, row: &WaitlistOfferRow) -> Result<(), StoreError> {
        let sql = format!(
            "insert into waitlist_offer ({OFFER_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        );
        on_conn!(self, |conn| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(row.offer_id)
            .bind(row.organization_id)
            .bind(row.entry_id)
            .bind(row.practitioner_id)
            .bind(row.start_at)
            .bind(row.end_at)
            .bind(&row.status)
            .bind(row.appointment_id)
            .bind(row.created_at)
            .bind(row.updated_at)
            .execute(conn)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Moves an offer from one status to another; false when it was no longer in `from`.
    pub async fn settle_waitlist_offer(
        &mut self,
        organization_id: Uuid,
        offer_id: Uuid,
        from: &str,
        to: &str,
        appointment_id: Option<Uuid>,
        at: DbTime,
    ) -> Result<bool, StoreError> {
        let affected = on_conn!(self, |conn| sqlx::query(
            "update waitlist_offer set status = $4, appointment_id = $5, updated_at = $6
             where organization_id = $1 and offer_id = $2 and status = $3"
        )
        .bind(organization_id)
        .bind(offer_id)
        .bind(from)
        .bind(to)
        .bind(appointment_id)
        .bind(at)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(affected == 1)
    }

    pub async fn waitlist_offer(
        &mut self,
        organization_id: Uuid,
        offer_id: Uuid,
    ) -> Result<Option<WaitlistOfferRow>, StoreError> {
        self.record("waitlist_offer", OFFER_COLUMNS, organization_id, offer_id)
            .await
    }

    /// Offers in a status, in the priority order of their entries.
    pub async fn waitlist_offers(
        &mut self,
        organization_id: Uuid,
        status: &str,
        limit: i64,
    ) -> Result<Vec<WaitlistOfferRow>, StoreError> {
        let columns = OFFER_COLUMNS
            .split(',')
            .map(|column| format!("o.{}", column.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "select {columns} from waitlist_offer o join waitlist_entry e on e.entry_id = o.entry_id
             where o.organization_id = $1 and o.status = $2
             order by o.start_at, e.priority, e.created_at, o.offer_id limit $3"
        );
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(status)
            .bind(limit)
            .fetch_all(conn)
            .await?))
    }

    /// Open offers of a practitioner's time that overlap `[start, end)`.
    pub async fn open_offers_overlapping(
        &mut self,
        organization_id: Uuid,
        practitioner_id: Uuid,
        start: DbTime,
        end: DbTime,
    ) -> Result<Vec<WaitlistOfferRow>, StoreError> {
        let sql = format!(
            "select {OFFER_COLUMNS} from waitlist_offer where organization_id = $1 and practitioner_id = $2
             and status = 'open' and end_at > $3 and start_at < $4"
        );
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(practitioner_id)
            .bind(start)
            .bind(end)
            .fetch_all(conn)
            .await?))
    }
}
