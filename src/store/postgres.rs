//! The scale-out backend: PostgreSQL, shared by any number of stateless `praxis serve` instances.

use std::sync::Arc;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::events::EventSignal;
use super::{ACQUIRE_TIMEOUT, APPLIED_VERSION_SQL, PoolStats, SchemaVersion, StoreError, expected_version};
use crate::config::Settings;

pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

/// Connections are recycled so that a server restarted behind a proxy or failover is picked up again.
const MAX_LIFETIME: Duration = Duration::from_secs(30 * 60);

#[derive(Clone, Debug)]
pub struct PgStore {
    pub(super) pool: PgPool,
    /// Kept for the event listener's connection, which lives outside the pool.
    pub(super) options: Arc<PgConnectOptions>,
    pub(super) signal: EventSignal,
}

impl PgStore {
    pub async fn connect(url: &str, settings: &Settings) -> Result<Self, StoreError> {
        let options: PgConnectOptions = url.parse().map_err(StoreError::Connect)?;
        let pool = PgPoolOptions::new()
            .max_connections(settings.db_max_connections)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .max_lifetime(MAX_LIFETIME)
            .connect_with(options.clone())
            .await
            .map_err(StoreError::Connect)?;
        Ok(Self {
            pool,
            options: Arc::new(options),
            signal: EventSignal::new(),
        })
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("select 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn schema_version(&self) -> Result<SchemaVersion, StoreError> {
        let applied: i64 = sqlx::query_scalar(APPLIED_VERSION_SQL)
            .fetch_one(&self.pool)
            .await?;
        Ok(SchemaVersion {
            applied,
            expected: expected_version(&MIGRATOR),
        })
    }

    pub fn pool_stats(&self) -> Vec<PoolStats> {
        vec![PoolStats {
            name: "postgres",
            size: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
            max: self.pool.options().get_max_connections(),
        }]
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
