//! The two migration sets stay in step: same versions, same tables, same columns.

mod common;

use std::collections::BTreeSet;

use common::{Backend, test_settings};
use praxis::store::Store;
use sqlx::{Connection, PgConnection, SqliteConnection};

fn migration_names(backend: &str) -> Vec<String> {
    let dir = format!("{}/migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn both_backends_have_the_same_migration_versions() {
    let sqlite = migration_names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, migration_names("postgres"));
}

async fn migrated(backend: Backend) -> (Store, tempfile::TempDir, Option<common::TestDatabase>) {
    let (settings, dir, database) = test_settings(backend).await;
    let store = praxis::app::open_store(&settings)
        .await
        .expect("the store opens and migrates");
    (store, dir, database)
}

#[tokio::test]
async fn both_backends_produce_the_same_tables_and_columns() {
    let (sqlite_store, dir, _) = migrated(Backend::Sqlite).await;
    sqlite_store.close().await;
    let mut sqlite =
        SqliteConnection::connect(&format!("sqlite://{}", dir.path().join("praxis.db").display()))
            .await
            .unwrap();
    let sqlite_columns: BTreeSet<(String, String)> = sqlx::query_as(
        "select m.name, p.name from sqlite_master m join pragma_table_info(m.name) p
         where m.type = 'table' and m.name not like 'sqlite_%' and m.name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut sqlite)
    .await
    .unwrap()
    .into_iter()
    .collect();

    let (pg_store, _dir, database) = migrated(Backend::Postgres).await;
    pg_store.close().await;
    let database = database.unwrap();
    let mut postgres = PgConnection::connect(&database.url()).await.unwrap();
    let postgres_columns: BTreeSet<(String, String)> = sqlx::query_as(
        "select table_name::text, column_name::text from information_schema.columns
         where table_schema = current_schema() and table_name <> '_sqlx_migrations'",
    )
    .fetch_all(&mut postgres)
    .await
    .unwrap()
    .into_iter()
    .collect();
    postgres.close().await.unwrap();

    assert!(sqlite_columns.contains(&("organization".into(), "organization_id".into())));
    let only_sqlite: Vec<_> = sqlite_columns.difference(&postgres_columns).collect();
    let only_postgres: Vec<_> = postgres_columns.difference(&sqlite_columns).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "only in SQLite: {only_sqlite:?}; only in PostgreSQL: {only_postgres:?}"
    );
}
