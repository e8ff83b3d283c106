//! Transactions over either backend, and the macro that runs one piece of SQL code on both.

use sqlx::{Postgres, Sqlite, Transaction};

use super::events::EventSignal;
use super::{Backend, Store, StoreError};

/// A transaction on whichever backend the store has. Repository methods are `impl Tx` blocks, one file
/// per table group.
#[derive(Debug)]
pub struct Tx {
    /// The backend's transaction; repository code reaches it through [`on_conn!`].
    pub conn: TxConn,
    /// Woken after a commit that wrote events, so this process's subscribers look again.
    signal: EventSignal,
    wrote_events: bool,
}

#[derive(Debug)]
pub enum TxConn {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Expands `$body` once per backend with `$conn` bound to that backend's connection. The SQL text is
/// shared; only the Rust types differ, and sqlx infers them from the connection.
macro_rules! on_conn {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match &mut $tx.conn {
            $crate::store::TxConn::Sqlite(tx) => {
                let $conn: &mut sqlx::SqliteConnection = &mut *tx;
                $body
            }
            $crate::store::TxConn::Postgres(tx) => {
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
        let conn = match self {
            Self::Sqlite(store) => TxConn::Sqlite(store.writer.begin_with("begin immediate").await?),
            Self::Postgres(store) => TxConn::Postgres(store.pool.begin().await?),
        };
        Ok(self.tx(conn))
    }

    /// A transaction that only reads; on SQLite it runs on the reader pool, beside the writer.
    pub async fn begin_read(&self) -> Result<Tx, StoreError> {
        let conn = match self {
            Self::Sqlite(store) => TxConn::Sqlite(store.reader.begin().await?),
            Self::Postgres(store) => TxConn::Postgres(store.pool.begin().await?),
        };
        Ok(self.tx(conn))
    }

    /// A read-only transaction that sees one consistent snapshot across all its statements (PostgreSQL's
    /// default isolation takes a new snapshot per statement; a SQLite read transaction already holds one).
    pub async fn begin_snapshot(&self) -> Result<Tx, StoreError> {
        let conn = match self {
            Self::Sqlite(store) => TxConn::Sqlite(store.reader.begin().await?),
            Self::Postgres(store) => TxConn::Postgres(
                store
                    .pool
                    .begin_with("begin isolation level repeatable read read only")
                    .await?,
            ),
        };
        Ok(self.tx(conn))
    }

    fn tx(&self, conn: TxConn) -> Tx {
        Tx {
            conn,
            signal: self.event_signal().clone(),
            wrote_events: false,
        }
    }
}

impl Tx {
    pub fn backend(&self) -> Backend {
        match self.conn {
            TxConn::Sqlite(_) => Backend::Sqlite,
            TxConn::Postgres(_) => Backend::Postgres,
        }
    }

    /// Commits; if events were written, wakes this process's subscribers once the events are visible.
    pub async fn commit(self) -> Result<(), StoreError> {
        match self.conn {
            TxConn::Sqlite(tx) => tx.commit().await?,
            TxConn::Postgres(tx) => tx.commit().await?,
        }
        if self.wrote_events {
            self.signal.wake();
        }
        Ok(())
    }

    pub(super) fn mark_events_written(&mut self) {
        self.wrote_events = true;
    }
}

/// Whether the error is a unique-constraint violation, which callers answer as a conflict.
pub fn is_unique_violation(error: &StoreError) -> bool {
    match error {
        StoreError::Database(error) => error.as_database_error().is_some_and(|e| e.is_unique_violation()),
        _ => false,
    }
}
