//! The embedded backend: one SQLite file in WAL mode, one writer connection and a pool of readers.
//!
//! SQLite allows one writer at a time; funnelling writes through a single connection makes them queue in
//! the pool instead of failing with `SQLITE_BUSY`, while readers proceed in parallel on the WAL snapshot.

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous as Synchronous,
};

use super::events::EventSignal;
use super::{ACQUIRE_TIMEOUT, APPLIED_VERSION_SQL, PoolStats, SchemaVersion, StoreError, expected_version};
use crate::config::{Settings, SqliteSynchronous};

pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// Long enough to ride out a checkpoint or a burst of writes, short enough to answer within a request.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone, Debug)]
pub struct SqliteStore {
    pub(super) writer: SqlitePool,
    pub(super) reader: SqlitePool,
    pub(super) signal: EventSignal,
}

/// The connect options for the embedded database in the data directory, or for a `sqlite:` URL.
pub fn options(url: Option<&str>, settings: &Settings) -> Result<SqliteConnectOptions, StoreError> {
    match url {
        Some(url) => SqliteConnectOptions::from_str(url).map_err(StoreError::Connect),
        None => Ok(SqliteConnectOptions::new().filename(settings.data_dir.join("praxis.db"))),
    }
}

impl SqliteStore {
    pub async fn open(base: SqliteConnectOptions, settings: &Settings) -> Result<Self, StoreError> {
        let base = base.foreign_keys(true).busy_timeout(BUSY_TIMEOUT);
        let synchronous = match settings.sqlite_synchronous {
            SqliteSynchronous::Full => Synchronous::Full,
            SqliteSynchronous::Normal => Synchronous::Normal,
        };
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(
                base.clone()
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(synchronous),
            )
            .await
            .map_err(StoreError::Connect)?;
        let reader = SqlitePoolOptions::new()
            .max_connections(settings.db_max_connections)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(base.read_only(true))
            .await
            .map_err(StoreError::Connect)?;
        Ok(Self {
            writer,
            reader,
            signal: EventSignal::new(),
        })
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.writer).await?;
        Ok(())
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("select 1").execute(&self.reader).await?;
        Ok(())
    }

    pub async fn schema_version(&self) -> Result<SchemaVersion, StoreError> {
        let applied: i64 = sqlx::query_scalar(APPLIED_VERSION_SQL)
            .fetch_one(&self.reader)
            .await?;
        Ok(SchemaVersion {
            applied,
            expected: expected_version(&MIGRATOR),
        })
    }

    pub fn pool_stats(&self) -> Vec<PoolStats> {
        [("sqlite_writer", &self.writer), ("sqlite_reader", &self.reader)]
            .into_iter()
            .map(|(name, pool)| PoolStats {
                name,
                size: pool.size(),
                idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
                max: pool.options().get_max_connections(),
            })
            .collect()
    }

    pub async fn close(&self) {
        self.reader.close().await;
        // Folding the WAL into the main file leaves a single self-contained file behind.
        if let Err(error) = sqlx::query("pragma wal_checkpoint(truncate)")
            .execute(&self.writer)
            .await
        {
            tracing::warn!(%error, "could not checkpoint the write-ahead log at shutdown");
        }
        self.writer.close().await;
    }
}
