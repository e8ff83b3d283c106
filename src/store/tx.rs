//! Transactions over either backend, and the macro that runs one piece of SQL code on both.

use sqlx::{Postgres, Sqlite, Transaction};

use super::{Store, StoreError};

/// A transaction on whichever backend the store has. Repository methods are `impl Tx` blocks, one file
/// per table group.
#[derive(Debug)]
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Expands `$body` once per backend with `$conn` bound to that backend's connection. The SQL text is
/// shared; only the Rust types differ, and sqlx infers them from the connection.
macro_rules! on_conn {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::store::Tx::Sqlite(tx) => {
                let $conn: &mut sqlx::SqliteConnection = &mut *tx;
                $body
            }
            $crate::store::Tx::Postgres(tx) => {
                let $conn: &mut sqlx::PgConnection = &mut *tx;
                $body
            }
        }
    };
}
pub(crate) use on_conn;

impl Store {
    /// A transaction that writes. On SQLite it takes the write lock at once (`begin immediate`), so it can
    /// never fail half-way trying to upgrade a read lock while another writer holds it.
    pub async fn begin_write(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Self::Sqlite(store) => Tx::Sqlite(store.writer.begin_with("begin immediate").await?),
            Self::Postgres(store) => Tx::Postgres(store.pool.begin().await?),
        })
    }

    /// A transaction that only reads; on SQLite it runs on the reader pool, beside the writer.
    pub async fn begin_read(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Self::Sqlite(store) => Tx::Sqlite(store.reader.begin().await?),
            Self::Postgres(store) => Tx::Postgres(store.pool.begin().await?),
        })
    }
}

impl Store {
    /// A read-only transaction that sees one consistent snapshot across all its statements (PostgreSQL's
    /// default isolation takes a new snapshot per statement; a SQLite read transaction already holds one).
    pub async fn begin_snapshot(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Self::Sqlite(store) => Tx::Sqlite(store.reader.begin().await?),
            Self::Postgres(store) => Tx::Postgres(
                store
                    .pool
                    .begin_with("begin isolation level repeatable read read only")
                    .await?,
            ),
        })
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(tx) => tx.commit().await?,
            Self::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// Whether the error is a unique-constraint violation, which callers answer as a conflict.
pub fn is_unique_violation(error: &StoreError) -> bool {
    match error {
        StoreError::Database(error) => error.as_database_error().is_some_and(|e| e.is_unique_violation()),
        _ => false,
    }
}
