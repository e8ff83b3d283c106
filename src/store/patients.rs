//! Patients: the `patient` row with its sealed fields, the wrapped data key, identifiers and lookups
//! (blind indexes for exact search), and the per-organization patient number.

use sqlx::QueryBuilder;
use uuid::Uuid;

use super::sql::{push_name_prefix, update_assignments};
use super::tx::on_conn;
use super::{DataKeyRow, DbTime, KeyTable, StoreError, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PatientRow {
    pub patient_id: Uuid,
    pub organization_id: Uuid,
    pub patient_number: i64,
    pub kind: String,
    pub given_name: String,
    pub family_name: String,
    pub search_given: String,
    pub search_family: String,
    pub birth_date: Option<String>,
    pub sex: String,
    pub status: String,
    pub deceased_on: Option<String>,
    pub species: Option<String>,
    pub breed: Option<String>,
    pub colour: Option<String>,
    pub neuter_status: Option<String>,
    pub microchip: Option<String>,
    pub phone: Option<Vec<u8>>,
    pub email: Option<Vec<u8>>,
    pub address: Option<Vec<u8>>,
    pub notes: Option<Vec<u8>>,
    pub version: i64,
    pub created_at: DbTime,
    pub updated_at: DbTime,
    pub deleted_at: Option<DbTime>,
}

/// An identifier: its scheme, its sealed value, and the blind index that finds it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IdentifierRow {
    pub system: String,
    pub value: Vec<u8>,
    pub blind_index: String,
}

/// What a patient search may narrow on; every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct PatientSearch {
    /// Folded prefix of the given or the family name.
    pub name_prefix: Option<String>,
    pub birth_date: Option<String>,
    /// Blind indexes of the identifier as each scheme would normalise it.
    pub identifier_indexes: Vec<String>,
    /// A lookup kind (`phone`, `email`) and its blind index.
    pub lookup: Option<(&'static str, String)>,
    pub after: Option<Uuid>,
}

const COLUMNS: &str = "patient_id, organization_id, patient_number, kind, given_name, family_name, search_given,
    search_family, birth_date, sex, status, deceased_on, species, breed, colour, neuter_status, microchip, phone,
    email, address, notes, version, created_at, updated_at, deleted_at";

impl Tx {
    /// The next patient number of the organization; numbers are never reused, even after erasure.
    pub async fn next_patient_number(&mut self, organization_id: Uuid) -> Result<i64, StoreError> {
        Ok(on_conn!(self, |conn| sqlx::query_scalar(
            "insert into patient_counter (organization_id, last_number) values ($1, 1)
             on conflict (organization_id) do update set last_number = patient_counter.last_number + 1
             returning last_number"
        )
        .bind(organization_id)
        .fetch_one(conn)
        .await?))
    }

    pub async fn insert_patient(&mut self, row: &PatientRow, key: &DataKeyRow) -> Result<(), StoreError> {
        let sql = format!(
            "insert into patient ({COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
             $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)"
        );
        on_conn!(self, |conn| bind_patient(
            sqlx::query(sqlx::AssertSqlSafe(sql)),
            row
        )
        .execute(conn)
        .await?
        .rows_affected());
        self.insert_data_key(KeyTable::Patient, row.organization_id, row.patient_id, key)
            .await
    }

    /// Writes every column when the stored version is `row.version - 1`; false when someone changed it first.
    pub async fn update_patient(&mut self, row: &PatientRow) -> Result<bool, StoreError> {
        let assignments = update_assignments(COLUMNS, 3);
        let sql = format!(
            "update patient set {assignments} where patient_id = $1 and organization_id = $2 and version = $22 - 1"
        );
        let affected = on_conn!(self, |conn| bind_patient(
            sqlx::query(sqlx::AssertSqlSafe(sql)),
            row
        )
        .execute(conn)
        .await?
        .rows_affected());
        Ok(affected == 1)
    }

    pub async fn patient(
        &mut self,
        organization_id: Uuid,
        patient_id: Uuid,
    ) -> Result<Option<PatientRow>, StoreError> {
        let sql = format!("select {COLUMNS} from patient where organization_id = $1 and patient_id = $2");
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(patient_id)
            .fetch_optional(conn)
            .await?))
    }

    /// Replaces the patient's identifiers and lookups with the given ones.
    pub async fn replace_patient_indexes(
        &mut self,
        organization_id: Uuid,
        patient_id: Uuid,
        identifiers: &[IdentifierRow],
        lookups: &[(&'static str, String)],
    ) -> Result<(), StoreError> {
        on_conn!(self, |conn| {
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
            for identifier in identifiers {
                sqlx::query(
                    "insert into patient_identifier (organization_id, patient_id, system, value, blind_index)
                     values ($1, $2, $3, $4, $5)",
                )
                .bind(organization_id)
                .bind(patient_id)
                .bind(&identifier.system)
                .bind(&identifier.value)
                .bind(&identifier.blind_index)
                .execute(&mut *conn)
                .await?;
            }
            for (kind, blind_index) in lookups {
                sqlx::query(
                    "insert into patient_lookup (organization_id, patient_id, kind, blind_index) values ($1, $2, $3, $4)",
                )
                .bind(organization_id)
                .bind(patient_id)
                .bind(*kind)
                .bind(blind_index)
                .execute(&mut *conn)
                .await?;
            }
        });
        Ok(())
    }

    pub async fn patient_identifiers(
        &mut self,
        organization_id: Uuid,
        patient_id: Uuid,
    ) -> Result<Vec<IdentifierRow>, StoreError> {
        Ok(on_conn!(self, |conn| sqlx::query_as(
            "select system, value, blind_index from patient_identifier
             where organization_id = $1 and patient_id = $2 order by system, blind_index"
        )
        .bind(organization_id)
        .bind(patient_id)
        .fetch_all(conn)
        .await?))
    }

    /// Patients that are not deleted and match every condition, in creation order after the cursor.
    pub async fn search_patients(
        &mut self,
        organization_id: Uuid,
        search: &PatientSearch,
        limit: i64,
    ) -> Result<Vec<PatientRow>, StoreError> {
        Ok(on_conn!(self, |conn| {
            let mut query = QueryBuilder::new(format!(
                "select {COLUMNS} from patient where deleted_at is null and organization_id = "
            ));
            query.push_bind(organization_id);
            if let Some(prefix) = &search.name_prefix {
                push_name_prefix(&mut query, prefix);
            }
            if let Some(birth_date) = &search.birth_date {
                query.push(" and birth_date = ").push_bind(birth_date.clone());
            }
            if !search.identifier_indexes.is_empty() {
                query.push(
                    " and patient_id in (select patient_id from patient_identifier where organization_id = ",
                );
                query.push_bind(organization_id).push(" and blind_index in (");
                let mut indexes = query.separated(", ");
                for index in &search.identifier_indexes {
                    indexes.push_bind(index.clone());
                }
                query.push("))");
            }
            if let Some((kind, index)) = &search.lookup {
                query.push(
                    " and patient_id in (select patient_id from patient_lookup where organization_id = ",
                );
                query.push_bind(organization_id);
                query.push(" and kind = ").push_bind(*kind);
                query
                    .push(" and blind_index = ")
                    .push_bind(index.clone())
                    .push(")");
            }
            query
                .push(" and patient_id > ")
                .push_bind(search.after.unwrap_or(Uuid::nil()));
            query.push(" order by patient_id limit ").push_bind(limit);
            query.build_query_as().fetch_all(conn).await?
        }))
    }
}

/// Binds the row's columns in `COLUMNS` order, so insert and update share one binding.
fn bind_patient<'q, DB>(
    query: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>,
    row: &'q PatientRow,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>
where
    DB: sqlx::Database,
    Uuid: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<Vec<u8>>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    DbTime: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<DbTime>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    query
        .bind(row.patient_id)
        .bind(row.organization_id)
        .bind(row.patient_number)
        .bind(&row.kind)
        .bind(&row.given_name)
        .bind(&row.family_name)
        .bind(&row.search_given)
        .bind(&row.search_family)
        .bind(&row.birth_date)
        .bind(&row.sex)
        .bind(&row.status)
        .bind(&row.deceased_on)
        .bind(&row.species)
        .bind(&row.breed)
        .bind(&row.colour)
        .bind(&row.neuter_status)
        .bind(&row.microchip)
        .bind(&row.phone)
        .bind(&row.email)
        .bind(&row.address)
        .bind(&row.notes)
        .bind(row.version)
        .bind(row.created_at)
        .bind(row.updated_at)
        .bind(row.deleted_at)
}
