//! A fresh PostgreSQL database per test on the server named by `PRAXIS_TEST_POSTGRES_URL`, dropped after.

use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection};

const DEFAULT_SERVER: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The maintenance database URL; CI sets the variable, a developer machine falls back to the local server.
pub fn server_url() -> String {
    std::env::var("PRAXIS_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_SERVER.to_owned())
}

/// `server_url` with its database name replaced.
pub fn url_for(database: &str) -> String {
    let server = server_url();
    let (base, query) = match server.split_once('?') {
        Some((base, query)) => (base.to_owned(), format!("?{query}")),
        None => (server.clone(), String::new()),
    };
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => base[..authority_end + slash].to_owned(),
        None => base,
    };
    format!("{base}/{database}{query}")
}

#[derive(Debug)]
pub struct TestDatabase {
    pub name: String,
}

impl TestDatabase {
    pub async fn create() -> Self {
        let name = format!("praxis_test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = PgConnection::connect(&server_url())
            .await
            .expect("PostgreSQL for the tests is reachable (set PRAXIS_TEST_POSTGRES_URL)");
        admin
            .execute(AssertSqlSafe(format!(r#"create database "{name}""#)))
            .await
            .expect("the test database is created");
        Self { name }
    }

    pub fn url(&self) -> String {
        url_for(&self.name)
    }
}

impl Drop for TestDatabase {
    /// Drop cannot await, and the test's runtime may be shutting down, so a thread with its own runtime
    /// removes the database.
    fn drop(&mut self) {
        let statement = format!(r#"drop database if exists "{}" with (force)"#, self.name);
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&server_url()).await?;
                admin.execute(AssertSqlSafe(statement)).await?;
                Ok::<_, sqlx::Error>(())
            })?;
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
        })
        .join();
        if let Ok(Err(error)) = dropped {
            eprintln!("could not drop a test database: {error}");
        }
    }
}
