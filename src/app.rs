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

/// How long shutdown waits for event streams to say goodbye to their clients.
const STREAMS_CLOSE: Duration = Duration::from_secs(5);

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
        run(self.state, self.listener, router, shutdown).await
    }
}

/// Serves `router` over `state` with the application's background work beside it (event relaying and
/// pruning). When `shutdown` resolves, event streams are closed at once: they never finish on their own,
/// and clients reconnect elsewhere and resume. Requests in flight finish within the grace period; then the
/// background work stops and the database is closed.
pub async fn run(
    state: AppState,
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let grace = Duration::from_secs(state.settings.shutdown_grace_secs);
    let events = state.events.clone();
    let shutdown = async move {
        shutdown.await;
        events.close();
    };
    let serving = async {
        let result = serve(listener, router, shutdown, grace).await;
        // Also when serving failed before any shutdown signal: the background work must end either way.
        state.events.close();
        result
    };
    let (result, ()) = tokio::join!(serving, state.events.run_background());
    if tokio::time::timeout(STREAMS_CLOSE, state.events.closed())
        .await
        .is_err()
    {
        tracing::warn!("event streams still open after shutdown; closing the database anyway");
    }
    state.store.close().await;
    result
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
