//! Data-subject requests (GDPR articles 15, 17 and 20) as recorded, and the erasure of a patient's data:
//! the data key destroyed, the clear-text fields overwritten, the blind indexes removed.

use sqlx::QueryBuilder;
use uuid::Uuid;

use super::tx::on_conn;
use super::{DbTime, StoreError, Tx};

/// The fixed value that replaces an erased patient's names.
pub const ERASED_MARKER: &str = "erased";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DataSubjectRequestRow {
    pub request_id: Uuid,
    pub organization_id: Uuid,
    pub patient_id: Uuid,
    /// `access`, `portability` or `erasure`.
    pub kind: String,
    pub requested_by: Uuid,
    pub requested_at: DbTime,
    /// `completed` or `refused`.
    pub outcome: String,
    pub legal_reason: Option<String>,
    /// ISO 8601 date until which the retention rule keeps the record, when refused for that reason.
    pub refused_until: Option<String>,
}

const COLUMNS: &str = "request_id, organization_id, patient_id, kind, requested_by, requested_at, outcome, \
                       legal_reason, refused_until";

impl Tx {
    pub async fn insert_data_subject_request(
        &mut self,
        row: &DataSubjectRequestRow,
    ) -> Result<(), StoreError> {
        let sql = format!(
            "insert into data_subject_request ({COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        );
        on_conn!(self, |conn| {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(row.request_id)
                .bind(row.organization_id)
                .bind(row.patient_id)
                .bind(&row.kind)
                .bind(row.requested_by)
                .bind(row.requested_at)
                .bind(&row.outcome)
                .bind(&row.legal_reason)
                .bind(&row.refused_until)
                .execute(conn)
                .await?;
        });
        Ok(())
    }

    /// The organization's requests in the order they were made, after the cursor, optionally for one patient.
    pub async fn data_subject_requests(
        &mut self,
        organization_id: Uuid,
        patient_id: Option<Uuid>,
        after: Option<Uuid>,
        limit: i64,
    ) -> Result<Vec<DataSubjectRequestRow>, StoreError> {
        Ok(on_conn!(self, |conn| {
            let mut query = QueryBuilder::new(format!(
                "select {COLUMNS} from data_subject_request where organization_id = "
            ));
            query.push_bind(organization_id);
            if let Some(patient_id) = patient_id {
                query.push(" and patient_id = ").push_bind(patient_id);
            }
            query
                .push(" and request_id > ")
                .push_bind(after.unwrap_or(Uuid::nil()));
            query.push(" order by request_id limit ").push_bind(limit);
            query.build_query_as().fetch_all(conn).await?
        }))
    }

    /// Erases a patient in place: destroys the data key (crypto-shredding), overwrites the names, clears the
    /// search keys, birth date, microchip and every sealed column, deletes identifiers and lookups (their
    /// blind indexes would still link to the person), and marks the record deleted. False when no such
    /// patient of the organization has a data key left.
    pub async fn erase_patient(
        &mut self,
        organization_id: Uuid,
        patient_id: Uuid,
        now: DbTime,
    ) -> Result<bool, StoreError> {
        let destroyed = on_conn!(self, |conn| {
            let destroyed = sqlx::query(
                "update patient_key set wrapped = null, destroyed_at = $3
                 where organization_id = $1 and patient_id = $2 and wrapped is not null",
            )
            .bind(organization_id)
            .bind(patient_id)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if destroyed == 1 {
                sqlx::query(
                    "update patient set given_name = $3, family_name = $3, search_given = '', search_family = '',
                     birth_date = null, deceased_on = null, microchip = null, phone = null, email = null,
                     address = null, notes = null, version = version + 1, updated_at = $4,
                     deleted_at = coalesce(deleted_at, $4)
                     where organization_id = $1 and patient_id = $2",
                )
                .bind(organization_id)
                .bind(patient_id)
                .bind(ERASED_MARKER)
                .bind(now)
                .execute(&mut *conn)
                .await?;
                sqlx::query("delete from patient_identifier where organization_id = $1 and patient_id = $2")
                    .bind(organization_id)
                    .bind(patient_id)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("delete from patient_lookup where organization_id = $1 and patient_id = $2")
                    .bind(organization_id)
                    .bind(patient_id)
                    .execute(&mut *conn)
                    .await?;
                // The links said who stood behind the patient (an owner, a guardian): they go too.
                sqlx::query("delete from patient_contact where organization_id = $1 and patient_id = $2")
                    .bind(organization_id)
                    .bind(patient_id)
                    .execute(&mut *conn)
                    .await?;
            }
            destroyed
        });
        Ok(destroyed == 1)
    }
}
