//! Builds the application from settings and serves it until told to stop.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;

use crate::config::{DatabaseKind, Secret, Settings};
use crate::crypto::{CryptoError, KeyRing, LiveKeys};
use crate::http::{self, AppState};
use crate::store::{DataDirError, Store, StoreError, prepare_data_dir};

/// Why the server could not start; each names the setting to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("invalid setting `data_dir`: {0}")]
    DataDir(#[from] DataDirError),
    #[error("invalid setting `{setting}`: {source}")]
    Database {
        setting: &'static str,
        #[source]
        source: StoreError,
    },
    #[error("invalid setting `master_key`: {0}")]
    Keys(#[from] CryptoError),
    #[error("invalid setting `listen`: cannot listen on {address}: {source}")]
    Listen {
        address: SocketAddr,
        #[source]
        source: io::Error,
    },
}

/// Opens the data directory and the database, bringing the schema up to date.
pub async fn open_store(settings: &Settings) -> Result<Store, StartError> {
    prepare_data_dir(&settings.data_dir)?;
    let setting = match settings.database_kind() {
        DatabaseKind::Postgres => "database_url",
        DatabaseKind::Sqlite if settings.database_url.is_some() => "database_url",
        DatabaseKind::Sqlite => "data_dir",
    };
    let store = Store::connect(settings)
        .await
        .map_err(|source| StartError::Database { setting, source })?;
    store
        .migrate()
        .await
        .map_err(|source| StartError::Database { setting, source })?;
    Ok(store)
}

/// A server ready to run: its database open and migrated, its port bound.
#[derive(Debug)]
pub struct Application {
    state: AppState,
    listener: TcpListener,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartError> {
        let store = open_store(&settings).await?;
        // Key material is loaded (and on first start, created) before the port opens, so a bad key stops
        // the start instead of failing on the first patient.
        let spec = settings.master_key.as_ref().map(Secret::expose);
        let keys = KeyRing::load(spec, &settings.data_dir)?;
        // Keys from the file follow a rotation on disk; keys from the setting change only with the setting.
        let keys = LiveKeys::new(keys, spec.is_none().then(|| settings.data_dir.clone()));
        let address = settings.listen;
        let listener = TcpListener::bind(address)
            .await
            .map_err(|source| StartError::Listen { address, source })?;
        Ok(Self {
            state: AppState::new(settings, store, keys),
            listener,
        })
    }

    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The state and the bound listener, for callers that assemble their own router around the state.
    pub fn into_parts(self) -> (AppState, TcpListener) {
        (self.state, self.listener)
    }

    /// Serves the full application until `shutdown` resolves, then drains and closes the database.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> io::Result<()> {
        let router = http::router(self.state.clone());
        let grace = Duration::from_secs(self.state.settings.shutdown_grace_secs);
        serve(self.listener, router, shutdown, grace).await?;
        self.state.store.close().await;
        Ok(())
    }
}

/// Serves `router`; once `shutdown` resolves, stops accepting and lets requests in flight finish, for up
/// to `grace`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> io::Result<()> {
    let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        tracing::info!("shutting down: no new connections, finishing requests in flight");
        let _ = stopping_tx.send(());
    });
    let deadline = async move {
        if stopping_rx.await.is_ok() {
            tokio::time::sleep(grace).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        result = server => result,
        () = deadline => {
            tracing::warn!(grace_secs = grace.as_secs(), "requests still in flight after the grace period; closing");
            Ok(())
        }
    }
}
