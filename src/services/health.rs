//! Is this instance able to serve? The checks behind `/health/ready` and `/health`.

use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;
use utoipa::ToSchema;

use crate::store::{Backend, Store, probe_writable};

/// A check that has not answered by then counts as failed: a probe must not hang with the database.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone)]
pub struct HealthService {
    store: Store,
    data_dir: PathBuf,
    started: Instant,
}

/// The outcome of one check.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"name": "database", "ok": true, "latency_ms": 0.41}))]
pub struct Check {
    /// `database`, `migrations` or `data_dir`.
    pub name: &'static str,
    pub ok: bool,
    pub latency_ms: f64,
    /// Why the check failed; absent when it passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Readiness {
    pub checks: Vec<Check>,
}

impl Readiness {
    pub fn is_ready(&self) -> bool {
        self.checks.iter().all(|check| check.ok)
    }

    /// One line naming each failed check and its reason.
    pub fn failures(&self) -> String {
        self.checks
            .iter()
            .filter(|check| !check.ok)
            .map(|check| format!("{}: {}", check.name, check.error.as_deref().unwrap_or("failed")))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl HealthService {
    pub fn new(store: Store, data_dir: PathBuf) -> Self {
        Self {
            store,
            data_dir,
            started: Instant::now(),
        }
    }

    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    pub fn backend(&self) -> Backend {
        self.store.backend()
    }

    /// Runs every check at once, each bounded by the check timeout.
    pub async fn readiness(&self) -> Readiness {
        let (database, migrations, data_dir) = tokio::join!(
            timed("database", async {
                self.store.ping().await.map_err(|e| e.to_string())
            }),
            timed("migrations", self.migrations_current()),
            timed("data_dir", self.data_dir_writable()),
        );
        Readiness {
            checks: vec![database, migrations, data_dir],
        }
    }

    async fn migrations_current(&self) -> Result<(), String> {
        let version = self.store.schema_version().await.map_err(|e| e.to_string())?;
        if version.is_current() {
            Ok(())
        } else {
            Err(format!(
                "schema version {} applied, this binary expects {}",
                version.applied, version.expected
            ))
        }
    }

    async fn data_dir_writable(&self) -> Result<(), String> {
        let dir = self.data_dir.clone();
        tokio::task::spawn_blocking(move || probe_writable(&dir))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())
    }
}

async fn timed(name: &'static str, check: impl Future<Output = Result<(), String>>) -> Check {
    let started = Instant::now();
    let outcome = tokio::time::timeout(CHECK_TIMEOUT, check)
        .await
        .unwrap_or_else(|_| Err(format!("no answer within {} s", CHECK_TIMEOUT.as_secs())));
    Check {
        name,
        ok: outcome.is_ok(),
        latency_ms: started.elapsed().as_secs_f64() * 1000.0,
        error: outcome.err(),
    }
}
