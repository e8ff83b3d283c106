//! Appointments, their change history, and the series recurring appointments belong to.
//!
//! The overlap queries count only the statuses that hold time (`AppointmentStatus::HOLDING_TIME`); on
//! PostgreSQL the exclusion constraints of the schema say the same, so the database refuses what the
//! application would have let through in a race.

use praxis_domain::appointment::AppointmentStatus;
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::tx::on_conn;
use super::{DbTime, StoreError, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppointmentRow {
    pub appointment_id: Uuid,
    pub organization_id: Uuid,
    pub patient_id: Uuid,
    pub practitioner_id: Uuid,
    pub service_id: Uuid,
    pub resource_id: Option<Uuid>,
    pub series_id: Option<Uuid>,
    pub series_index: Option<i64>,
    pub start_at: DbTime,
    pub end_at: DbTime,
    pub occupied_start: DbTime,
    pub occupied_end: DbTime,
    pub status: String,
    pub cancel_reason: Option<String>,
    pub cancelled_by: Option<Uuid>,
    pub cancelled_at: Option<DbTime>,
    pub late_cancellation: bool,
    pub override_reason: Option<Vec<u8>>,
    pub version: i64,
    pub created_at: DbTime,
    pub updated_at: DbTime,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppointmentHistoryRow {
    pub appointment_id: Uuid,
    pub version: i64,
    pub action: String,
    pub status: String,
    pub practitioner_id: Uuid,
    pub resource_id: Option<Uuid>,
    pub start_at: DbTime,
    pub end_at: DbTime,
    pub actor_id: Uuid,
    pub changed_at: DbTime,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SeriesRow {
    pub series_id: Uuid,
    pub organization_id: Uuid,
    pub patient_id: Uuid,
    pub practitioner_id: Uuid,
    pub service_id: Uuid,
    pub resource_id: Option<Uuid>,
    pub rrule: String,
    pub first_local: String,
    pub time_zone: String,
    pub created_at: DbTime,
}

/// Who an overlap is looked for: a practitioner or a resource is busy for the occupied interval (with the
/// service's buffers), a patient for the appointment itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occupant {
    Practitioner(Uuid),
    Resource(Uuid),
    Patient(Uuid),
}

/// What an appointment listing narrows on; every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct AppointmentFilter {
    pub patient_id: Option<Uuid>,
    pub practitioner_id: Option<Uuid>,
    pub status: Option<String>,
    /// Appointments that end after this.
    pub from: Option<DbTime>,
    /// Appointments that start before this.
    pub to: Option<DbTime>,
    /// Cursor: (start, id) of the last appointment of the previous page.
    pub after: Option<(DbTime, Uuid)>,
}

const COLUMNS: &str = "appointment_id, organization_id, patient_id, practitioner_id, service_id, resource_id,
    series_id, series_index, start_at, end_at, occupied_start, occupied_end, status, cancel_reason,
    cancelled_by, cancelled_at, late_cancellation, override_reason, version, created_at, updated_at";

/// `status in (...)` over the statuses that hold time, from the domain's one list of them.
fn holding_time() -> String {
    let codes = AppointmentStatus::HOLDING_TIME
        .iter()
        .map(|status| format!("'{}'", status.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    format!("status in ({codes})")
}

impl Tx {
    pub async fn insert_appointment(&mut self, row: &AppointmentRow) -> Result<(), StoreError> {
        let sql = format!(
            "insert into appointment ({COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
             $13, $14, $15, $16, $17, $18, $19, $20, $21)"
        );
        self.write_appointment(sql, row).await.map(drop)
    }

    /// Writes every column when the stored version is `row.version - 1`; false when someone changed it first.
    pub async fn update_appointment(&mut self, row: &AppointmentRow) -> Result<bool, StoreError> {
        let sql = format!(
            "update appointment set {} where appointment_id = $1 and organization_id = $2 and version = $19 - 1",
            super::sql::update_assignments(COLUMNS, 2)
        );
        Ok(self.write_appointment(sql, row).await? == 1)
    }

    async fn write_appointment(&mut self, sql: String, row: &AppointmentRow) -> Result<u64, StoreError> {
        Ok(on_conn!(self, |conn| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(row.appointment_id)
            .bind(row.organization_id)
            .bind(row.patient_id)
            .bind(row.practitioner_id)
            .bind(row.service_id)
            .bind(row.resource_id)
            .bind(row.series_id)
            .bind(row.series_index)
            .bind(row.start_at)
            .bind(row.end_at)
            .bind(row.occupied_start)
            .bind(row.occupied_end)
            .bind(&row.status)
            .bind(&row.cancel_reason)
            .bind(row.cancelled_by)
            .bind(row.cancelled_at)
            .bind(row.late_cancellation)
            .bind(&row.override_reason)
            .bind(row.version)
            .bind(row.created_at)
            .bind(row.updated_at)
            .execute(conn)
            .await?
            .rows_affected()))
    }

    pub async fn appointment(
        &mut self,
        organization_id: Uuid,
        appointment_id: Uuid,
    ) -> Result<Option<AppointmentRow>, StoreError> {
        self.record("appointment", COLUMNS, organization_id, appointment_id)
            .await
    }

    /// Appointments holding time that overlap `[start, end)` for the occupant, leaving out `except`.
    pub async fn overlapping_appointments(
        &mut self,
        organization_id: Uuid,
        occupant: Occupant,
        start: DbTime,
        end: DbTime,
        except: Option<Uuid>,
    ) -> Result<Vec<AppointmentRow>, StoreError> {
        let (column, id, from, to) = match occupant {
            Occupant::Practitioner(id) => ("practitioner_id", id, "occupied_start", "occupied_end"),
            Occupant::Resource(id) => ("resource_id", id, "occupied_start", "occupied_end"),
            Occupant::Patient(id) => ("patient_id", id, "start_at", "end_at"),
        };
        let sql = format!(
            "select {COLUMNS} from appointment where organization_id = $1 and {column} = $2
             and {to} > $3 and {from} < $4 and appointment_id <> $5 and {} order by start_at",
            holding_time()
        );
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(id)
            .bind(start)
            .bind(end)
            .bind(except.unwrap_or(Uuid::nil()))
            .fetch_all(conn)
            .await?))
    }

    /// Appointments matching the filter, by start then id, after the cursor.
    pub async fn appointments(
        &mut self,
        organization_id: Uuid,
        filter: &AppointmentFilter,
        limit: i64,
    ) -> Result<Vec<AppointmentRow>, StoreError> {
        Ok(on_conn!(self, |conn| {
            let mut query = QueryBuilder::new(format!(
                "select {COLUMNS} from appointment where organization_id = "
            ));
            query.push_bind(organization_id);
            if let Some(patient_id) = filter.patient_id {
                query.push(" and patient_id = ").push_bind(patient_id);
            }
            if let Some(practitioner_id) = filter.practitioner_id {
                query.push(" and practitioner_id = ").push_bind(practitioner_id);
            }
            if let Some(status) = &filter.status {
                query.push(" and status = ").push_bind(status.clone());
            }
            if let Some(from) = filter.from {
                query.push(" and end_at > ").push_bind(from);
            }
            if let Some(to) = filter.to {
                query.push(" and start_at < ").push_bind(to);
            }
            if let Some((start, id)) = filter.after {
                query.push(" and (start_at > ").push_bind(start);
                query.push(" or (start_at = ").push_bind(start);
                query.push(" and appointment_id > ").push_bind(id).push("))");
            }
            query
                .push(" order by start_at, appointment_id limit ")
                .push_bind(limit);
            query.build_query_as().fetch_all(conn).await?
        }))
    }

    /// The occurrences of a series, in order.
    pub async fn series_appointments(
        &mut self,
        organization_id: Uuid,
        series_id: Uuid,
    ) -> Result<Vec<AppointmentRow>, StoreError> {
        let sql = format!(
            "select {COLUMNS} from appointment where organization_id = $1 and series_id = $2
             order by series_index"
        );
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(series_id)
            .fetch_all(conn)
            .await?))
    }

    pub async fn insert_appointment_history(
        &mut self,
        organization_id: Uuid,
        row: &AppointmentHistoryRow,
    ) -> Result<(), StoreError> {
        on_conn!(self, |conn| sqlx::query(
            "insert into appointment_history (organization_id, appointment_id, version, action, status,
                 practitioner_id, resource_id, start_at, end_at, actor_id, changed_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        )
        .bind(organization_id)
        .bind(row.appointment_id)
        .bind(row.version)
        .bind(&row.action)
        .bind(&row.status)
        .bind(row.practitioner_id)
        .bind(row.resource_id)
        .bind(row.start_at)
        .bind(row.end_at)
        .bind(row.actor_id)
        .bind(row.changed_at)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(())
    }

    pub async fn appointment_history(
        &mut self,
        organization_id: Uuid,
        appointment_id: Uuid,
    ) -> Result<Vec<AppointmentHistoryRow>, StoreError> {
        Ok(on_conn!(self, |conn| sqlx::query_as(
            "select appointment_id, version, action, status, practitioner_id, resource_id, start_at, end_at,
                 actor_id, changed_at
             from appointment_history where organization_id = $1 and appointment_id = $2 order by version"
        )
        .bind(organization_id)
        .bind(appointment_id)
        .fetch_all(conn)
        .await?))
    }

    pub async fn insert_series(&mut self, row: &SeriesRow) -> Result<(), StoreError> {
        on_conn!(self, |conn| sqlx::query(
            "insert into appointment_series (series_id, organization_id, patient_id, practitioner_id,
                 service_id, resource_id, rrule, first_local, time_zone, created_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        )
        .bind(row.series_id)
        .bind(row.organization_id)
        .bind(row.patient_id)
        .bind(row.practitioner_id)
        .bind(row.service_id)
        .bind(row.resource_id)
        .bind(&row.rrule)
        .bind(&row.first_local)
        .bind(&row.time_zone)
        .bind(row.created_at)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(())
    }

    pub async fn series(
        &mut self,
        organization_id: Uuid,
        series_id: Uuid,
    ) -> Result<Option<SeriesRow>, StoreError> {
        Ok(on_conn!(self, |conn| sqlx::query_as(
            "select series_id, organization_id, patient_id, practitioner_id, service_id, resource_id, rrule,
                 first_local, time_zone, created_at
             from appointment_series where organization_id = $1 and series_id = $2"
        )
        .bind(organization_id)
        .bind(series_id)
        .fetch_optional(conn)
        .await?))
    }
}

/// Which occupant a PostgreSQL exclusion violation is about, when the error is one.
pub fn overlap_violation(error: &StoreError) -> Option<&'static str> {
    let StoreError::Database(error) = error else {
        return None;
    };
    let database = error.as_database_error()?;
    if database.code().as_deref() != Some("23P01") {
        return None;
    }
    Some(match database.constraint() {
        Some("appointment_resource_overlap") => "resource",
        Some("appointment_patient_overlap") => "patient",
        _ => "practitioner",
    })
}
