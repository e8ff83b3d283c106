//! Contacts: the `contact` row with its sealed fields, its wrapped data key, its lookups (blind indexes for
//! exact search), and the links that say which patients a contact is related to, and how.

use sqlx::QueryBuilder;
use uuid::Uuid;

use super::sql::{push_name_prefix, update_assignments};
use super::tx::on_conn;
use super::{DataKeyRow, DbTime, KeyTable, StoreError, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ContactRow {
    pub contact_id: Uuid,
    pub organization_id: Uuid,
    pub given_name: String,
    pub family_name: String,
    pub search_given: String,
    pub search_family: String,
    pub phone: Option<Vec<u8>>,
    pub email: Option<Vec<u8>>,
    pub address: Option<Vec<u8>>,
    pub version: i64,
    pub created_at: DbTime,
    pub updated_at: DbTime,
    pub deleted_at: Option<DbTime>,
}

/// One role a contact has for a patient.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PatientContactRow {
    pub patient_id: Uuid,
    pub contact_id: Uuid,
    pub role: String,
    pub relationship: Option<String>,
    pub receives_invoices: bool,
    pub receives_messages: bool,
    pub created_at: DbTime,
    pub updated_at: DbTime,
}

/// What a contact search may narrow on; every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct ContactSearch {
    /// Folded prefix of the given or the family name.
    pub name_prefix: Option<String>,
    /// A lookup kind (`phone`, `email`) and its blind index.
    pub lookup: Option<(&'static str, String)>,
    pub after: Option<Uuid>,
}

const COLUMNS: &str =
    "contact_id, organization_id, given_name, family_name, search_given, search_family, phone,
    email, address, version, created_at, updated_at, deleted_at";

const LINK_COLUMNS: &str = "patient_id, contact_id, role, relationship, receives_invoices, receives_messages, created_at, updated_at";

impl Tx {
    pub async fn insert_contact(&mut self, row: &ContactRow, key: &DataKeyRow) -> Result<(), StoreError> {
        let sql = format!(
            "insert into contact ({COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        );
        on_conn!(self, |conn| bind_contact(
            sqlx::query(sqlx::AssertSqlSafe(sql)),
            row
        )
        .execute(conn)
        .await?
        .rows_affected());
        self.insert_data_key(KeyTable::Contact, row.organization_id, row.contact_id, key)
            .await
    }

    /// Writes every column when the stored version is `row.version - 1`; false when someone changed it first.
    pub async fn update_contact(&mut self, row: &ContactRow) -> Result<bool, StoreError> {
        let assignments = update_assignments(COLUMNS, 2);
        let sql = format!(
            "update contact set {assignments} where contact_id = $1 and organization_id = $2 and version = $10 - 1"
        );
        let affected = on_conn!(self, |conn| bind_contact(
            sqlx::query(sqlx::AssertSqlSafe(sql)),
            row
        )
        .execute(conn)
        .await?
        .rows_affected());
        Ok(affected == 1)
    }

    pub async fn contact(
        &mut self,
        organization_id: Uuid,
        contact_id: Uuid,
    ) -> Result<Option<ContactRow>, StoreError> {
        let sql = format!("select {COLUMNS} from contact where organization_id = $1 and contact_id = $2");
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(contact_id)
            .fetch_optional(conn)
            .await?))
    }

    /// Replaces the contact's lookups with the given ones.
    pub async fn replace_contact_lookups(
        &mut self,
        organization_id: Uuid,
        contact_id: Uuid,
        lookups: &[(&'static str, String)],
    ) -> Result<(), StoreError> {
        on_conn!(self, |conn| {
            sqlx::query("delete from contact_lookup where organization_id = $1 and contact_id = $2")
                .bind(organization_id)
                .bind(contact_id)
                .execute(&mut *conn)
                .await?;
            for (kind, blind_index) in lookups {
                sqlx::query(
                    "insert into contact_lookup (organization_id, contact_id, kind, blind_index) values ($1, $2, $3, $4)",
                )
                .bind(organization_id)
                .bind(contact_id)
                .bind(*kind)
                .bind(blind_index)
                .execute(&mut *conn)
                .await?;
            }
        });
        Ok(())
    }

    /// Contacts that are not deleted and match every condition, in creation order after the cursor.
    pub async fn search_contacts(
        &mut self,
        organization_id: Uuid,
        search: &ContactSearch,
        limit: i64,
    ) -> Result<Vec<ContactRow>, StoreError> {
        Ok(on_conn!(self, |conn| {
            let mut query = QueryBuilder::new(format!(
                "select {COLUMNS} from contact where deleted_at is null and organization_id = "
            ));
            query.push_bind(organization_id);
            if let Some(prefix) = &search.name_prefix {
                push_name_prefix(&mut query, prefix);
            }
            if let Some((kind, index)) = &search.lookup {
                query.push(
                    " and contact_id in (select contact_id from contact_lookup where organization_id = ",
                );
                query.push_bind(organization_id);
                query.push(" and kind = ").push_bind(*kind);
                query
                    .push(" and blind_index = ")
                    .push_bind(index.clone())
                    .push(")");
            }
            query
                .push(" and contact_id > ")
                .push_bind(search.after.unwrap_or(Uuid::nil()));
            query.push(" order by contact_id limit ").push_bind(limit);
            query.build_query_as().fetch_all(conn).await?
        }))
    }

    /// Creates the link, or replaces its relationship and flags when the contact already has this role.
    pub async fn upsert_patient_contact(
        &mut self,
        organization_id: Uuid,
        link: &PatientContactRow,
    ) -> Result<(), StoreError> {
        on_conn!(self, |conn| sqlx::query(
            "insert into patient_contact (organization_id, patient_id, contact_id, role, relationship,
                 receives_invoices, receives_messages, created_at, updated_at)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             on conflict (organization_id, patient_id, contact_id, role) do update set
                 relationship = excluded.relationship, receives_invoices = excluded.receives_invoices,
                 receives_messages = excluded.receives_messages, updated_at = excluded.updated_at"
        )
        .bind(organization_id)
        .bind(link.patient_id)
        .bind(link.contact_id)
        .bind(&link.role)
        .bind(&link.relationship)
        .bind(link.receives_invoices)
        .bind(link.receives_messages)
        .bind(link.created_at)
        .bind(link.updated_at)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Removes one role of a contact for a patient; false when there was no such link.
    pub async fn delete_patient_contact(
        &mut self,
        organization_id: Uuid,
        patient_id: Uuid,
        contact_id: Uuid,
        role: &str,
    ) -> Result<bool, StoreError> {
        let affected = on_conn!(self, |conn| sqlx::query(
            "delete from patient_contact
             where organization_id = $1 and patient_id = $2 and contact_id = $3 and role = $4"
        )
        .bind(organization_id)
        .bind(patient_id)
        .bind(contact_id)
        .bind(role)
        .execute(conn)
        .await?
        .rows_affected());
        Ok(affected == 1)
    }

    /// The links of a patient to contacts that are not deleted, by contact then role.
    pub async fn contacts_of_patient(
        &mut self,
        organization_id: Uuid,
        patient_id: Uuid,
    ) -> Result<Vec<PatientContactRow>, StoreError> {
        let sql = format!(
            "select {LINK_COLUMNS} from patient_contact l
             where l.organization_id = $1 and l.patient_id = $2
               and exists (select 1 from contact c where c.organization_id = l.organization_id
                           and c.contact_id = l.contact_id and c.deleted_at is null)
             order by l.contact_id, l.role"
        );
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(patient_id)
            .fetch_all(conn)
            .await?))
    }

    /// The links of a contact to patients that are not deleted, by patient then role.
    pub async fn patients_of_contact(
        &mut self,
        organization_id: Uuid,
        contact_id: Uuid,
    ) -> Result<Vec<PatientContactRow>, StoreError> {
        let sql = format!(
            "select {LINK_COLUMNS} from patient_contact l
             where l.organization_id = $1 and l.contact_id = $2
               and exists (select 1 from patient p where p.organization_id = l.organization_id
                           and p.patient_id = l.patient_id and p.deleted_at is null)
             order by l.patient_id, l.role"
        );
        Ok(on_conn!(self, |conn| sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(contact_id)
            .fetch_all(conn)
            .await?))
    }
}

/// Binds the row's columns in `COLUMNS` order, so insert and update share one binding.
fn bind_contact<'q, DB>(
    query: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>,
    row: &'q ContactRow,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>
where
    DB: sqlx::Database,
    Uuid: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<Vec<u8>>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    DbTime: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<DbTime>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    query
        .bind(row.contact_id)
        .bind(row.organization_id)
        .bind(&row.given_name)
        .bind(&row.family_name)
        .bind(&row.search_given)
        .bind(&row.search_family)
        .bind(&row.phone)
        .bind(&row.email)
        .bind(&row.address)
        .bind(row.version)
        .bind(row.created_at)
        .bind(row.updated_at)
        .bind(row.deleted_at)
}
