//! The integration-test harness: a real server on a random port against a fresh database, SQLite or
//! PostgreSQL, spoken to over HTTP.
#![allow(dead_code, unused_imports)] // each test binary uses a different part of the harness

pub mod cli;
pub mod clinic;
pub mod postgres;
pub mod scheduling;

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use praxis::app::{Application, run};
use praxis::config::{DatabaseUrl, Settings};
use praxis::crypto::KEY_FILE_NAME;
use praxis::http::{self, AppState, middleware};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use clinic::{Clinic, PASSWORD, Session};
pub use postgres::TestDatabase;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Declares each listed `async fn name(backend: Backend)` as two tests, `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::common::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::common::Backend::Postgres).await
            }
        }
    )+};
}

/// A running server and what it needs to stay alive; dropping it drops its database.
pub struct TestApp {
    pub address: SocketAddr,
    pub client: reqwest::Client,
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<io::Result<()>>>,
    pub data_dir: TempDir,
    pub database: Option<TestDatabase>,
}

/// Settings for a test server: port 0, a fresh data directory, and the given backend's fresh database.
pub async fn test_settings(backend: Backend) -> (Settings, TempDir, Option<TestDatabase>) {
    let data_dir = tempfile::tempdir().expect("a temporary directory");
    let database = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(TestDatabase::create().await),
    };
    (settings_for(&data_dir, database.as_ref()), data_dir, database)
}

/// Settings for a test server on this data directory and, for PostgreSQL, this database.
fn settings_for(data_dir: &TempDir, database: Option<&TestDatabase>) -> Settings {
    Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: data_dir.path().to_owned(),
        db_max_connections: 8,
        // Tests sign in far more often than people do; the tests of the limits set their own.
        rate_limit_login_per_ip: 100_000,
        rate_limit_login_per_account: 100_000,
        rate_limit_per_principal: 100_000,
        database_url: database.map(|database| DatabaseUrl::parse(&database.url()).unwrap()),
        ..Settings::default()
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}, |routes| routes).await
    }

    /// Spawns with adjusted settings and with extra routes inside the same pipeline as the real ones.
    pub async fn spawn_with(
        backend: Backend,
        configure: impl FnOnce(&mut Settings),
        extra_routes: impl FnOnce(Router) -> Router,
    ) -> Self {
        Self::spawn_with_state(backend, configure, |routes, _| extra_routes(routes)).await
    }

    /// Like `spawn_with`, for extra routes whose handlers need the application's state.
    pub async fn spawn_with_state(
        backend: Backend,
        configure: impl FnOnce(&mut Settings),
        extra_routes: impl FnOnce(Router, &AppState) -> Router,
    ) -> Self {
        let (mut settings, data_dir, database) = test_settings(backend).await;
        configure(&mut settings);
        Self::start(settings, data_dir, database, extra_routes).await
    }

    /// Stops the server and starts another on the same data directory and database, as a redeploy would.
    pub async fn restart(mut self) -> Self {
        self.stop().await.expect("the server stops cleanly");
        let data_dir = std::mem::replace(&mut self.data_dir, tempfile::tempdir().unwrap());
        let database = self.database.take();
        let settings = settings_for(&data_dir, database.as_ref());
        Self::start(settings, data_dir, database, |routes, _| routes).await
    }

    /// A second server on this one's PostgreSQL database and master keys, with pools and state of its own:
    /// what another `praxis serve` behind the same load balancer would be. The first keeps the database.
    pub async fn spawn_beside(&self, extra_routes: impl FnOnce(Router, &AppState) -> Router) -> Self {
        assert!(self.database.is_some(), "instances share a PostgreSQL database");
        let data_dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::copy(
            self.data_dir.path().join(KEY_FILE_NAME),
            data_dir.path().join(KEY_FILE_NAME),
        )
        .expect("the key file is shared");
        let mut settings = Settings::clone(&self.state.settings);
        settings.data_dir = data_dir.path().to_owned();
        Self::start(settings, data_dir, None, extra_routes).await
    }

    async fn start(
        settings: Settings,
        data_dir: TempDir,
        database: Option<TestDatabase>,
        extra_routes: impl FnOnce(Router, &AppState) -> Router,
    ) -> Self {
        let app = Application::build(settings)
            .await
            .expect("the test server starts");
        let address = app.local_addr().unwrap();
        let (state, listener) = app.into_parts();
        let routes = extra_routes(http::routes(state.clone()), &state);
        let router = middleware::apply(routes, &state);
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(run(state.clone(), listener, router, async {
            let _ = stopped.await;
        }));
        Self {
            address,
            client: reqwest::Client::new(),
            state,
            stop: Some(stop),
            server: Some(server),
            data_dir,
            database,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("the server answers")
    }

    /// Asks the server to shut down gracefully and waits until it has closed its database.
    pub async fn stop(&mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.server.take() {
            Some(server) => server.await.expect("the server task does not panic"),
            None => Ok(()),
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// Reads a problem answer, checking the parts every problem has.
pub async fn problem(response: reqwest::Response, status: u16) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert_eq!(content_type, "application/problem+json");
    let request_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert_eq!(body["request_id"], request_id.as_str());
    assert!(body["type"].as_str().unwrap().starts_with("/problems/"), "{body}");
    assert!(!body["title"].as_str().unwrap().is_empty());
    assert!(!body["detail"].as_str().unwrap().is_empty());
    body
}
