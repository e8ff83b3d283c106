//! The one store API over two backends: SQLite (embedded, the default) and PostgreSQL (scale-out).
//!
//! Callers hold a [`Store`] and never learn which backend is behind it; the SQL is written once where the
//! dialects agree and forked per backend only where they really differ.

mod api_keys;
mod appointments;
mod audit;
mod codes;
mod contacts;
mod data_dir;
mod data_keys;
mod data_subject_requests;
mod events;
mod idempotency;
mod organizations;
mod patients;
mod postgres;
mod queues;
mod schedule_setup;
mod sessions;
mod sql;
mod sqlite;
mod tx;
mod types;
mod users;
mod waitlist;

use std::time::Duration;

pub use api_keys::{ApiKeyRow, ApiKeyWithCreator};
pub use appointments::{
    AppointmentFilter, AppointmentHistoryRow, AppointmentRow, Occupant, SeriesRow, overlap_violation,
};
pub use audit::{AuditFilter, AuditRow, UnreadableEvent};
pub use contacts::{ContactRow, ContactSearch, PatientContactRow};
pub use data_dir::{DataDirError, prepare_data_dir, probe_writable};
pub use data_keys::{DataKeyRow, KeyTable, StoredDataKey};
pub use data_subject_requests::{DataSubjectRequestRow, ERASED_MARKER};
pub use events::{EventBounds, EventRow, EventSignal};
pub use idempotency::{IdempotencyClaimRow, IdempotencyKeyRow, IdempotentAnswerRow};
pub use organizations::OrganizationRow;
pub use patients::{IdentifierRow, PatientRow, PatientSearch};
pub use postgres::PgStore;
pub use queues::{QueueRow, TicketRow};
pub use schedule_setup::{
    BlockOwner, PractitionerRow, ResourceRow, ServiceRow, TimeBlockRow, WorkingHoursRow,
};
pub use sessions::{SessionRow, SessionWithUser};
pub use sqlite::SqliteStore;
pub use tx::{Tx, TxConn, is_unique_violation};
pub use types::DbTime;
pub use users::{LoginFailures, UserRow};
pub use waitlist::{WaitlistEntryRow, WaitlistOfferRow};

use crate::config::{DatabaseKind, Settings};

/// How long a request waits for a pooled connection before it fails instead of hanging.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool's state, for the metrics endpoint.
#[derive(Clone, Copy, Debug)]
pub struct PoolStats {
    pub name: &'static str,
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

/// Whether the database's schema is the one this binary was built for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SchemaVersion {
    pub applied: i64,
    pub expected: i64,
}

impl SchemaVersion {
    pub fn is_current(&self) -> bool {
        self.applied == self.expected
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("cannot apply the migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

impl Store {
    /// Opens the database the settings name, creating an embedded one in the data directory when none is named.
    pub async fn connect(settings: &Settings) -> Result<Self, StoreError> {
        match (settings.database_kind(), &settings.database_url) {
            (DatabaseKind::Postgres, Some(url)) => {
                Ok(Self::Postgres(PgStore::connect(url.expose(), settings).await?))
            }
            (_, url) => {
                let options = sqlite::options(url.as_ref().map(|url| url.expose()), settings)?;
                Ok(Self::Sqlite(SqliteStore::open(options, settings).await?))
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(store) => store.migrate().await,
            Self::Postgres(store) => store.migrate().await,
        }
    }

    /// A round trip to the database.
    pub async fn ping(&self) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(store) => store.ping().await,
            Self::Postgres(store) => store.ping().await,
        }
    }

    pub async fn schema_version(&self) -> Result<SchemaVersion, StoreError> {
        match self {
            Self::Sqlite(store) => store.schema_version().await,
            Self::Postgres(store) => store.schema_version().await,
        }
    }

    pub fn pool_stats(&self) -> Vec<PoolStats> {
        match self {
            Self::Sqlite(store) => store.pool_stats(),
            Self::Postgres(store) => store.pool_stats(),
        }
    }

    /// Waits for connections in use to be returned, then closes them; SQLite also folds its WAL back.
    pub async fn close(&self) {
        match self {
            Self::Sqlite(store) => store.close().await,
            Self::Postgres(store) => store.close().await,
        }
    }
}

fn expected_version(migrator: &sqlx::migrate::Migrator) -> i64 {
    migrator
        .iter()
        .map(|migration| migration.version)
        .max()
        .unwrap_or(0)
}

const APPLIED_VERSION_SQL: &str = "select coalesce(max(version), 0) from _sqlx_migrations where success";
