//! Organizations, users and signed-in sessions for tests, made through the same services the CLI uses.

use praxis::services::access::users::NewUser;
use praxis::services::organizations::{self, Bootstrap, OrganizationFields};
use reqwest::{Method, RequestBuilder};
use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection, SqliteConnection};
use uuid::Uuid;

use super::TestApp;

/// The password every test user gets: long, uncommon, and free of any test e-mail's local part.
pub const PASSWORD: &str = "tidal basin copper lantern";

#[derive(Debug, Clone)]
pub struct Clinic {
    pub organization_id: Uuid,
    pub slug: String,
    pub admin: Session,
}

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: Uuid,
    pub email: String,
    pub token: String,
}

impl TestApp {
    /// Creates an organization (Europe/Oslo, NO, NOK) with an admin `admin@<slug>.example`, signed in.
    pub async fn clinic(&self, slug: &str) -> Clinic {
        let email = format!("admin@{slug}.example");
        let input = Bootstrap {
            slug: slug.to_owned(),
            fields: OrganizationFields {
                name: Some(format!("Clinic {slug}")),
                time_zone: Some("Europe/Oslo".to_owned()),
                country: Some("NO".to_owned()),
                currency: Some("NOK".to_owned()),
                locale: Some("nb-NO".to_owned()),
            },
            admin_email: email.clone(),
            admin_name: "Admin".to_owned(),
            admin_password: PASSWORD.to_owned(),
        };
        let (organization, _) = organizations::bootstrap(&self.state.store, input)
            .await
            .expect("bootstrap");
        let admin = self.sign_in(slug, &email).await;
        Clinic {
            organization_id: organization.id,
            slug: slug.to_owned(),
            admin,
        }
    }

    /// Creates a user with these roles (`<name>@<slug>.example`) and signs them in.
    pub async fn user(&self, clinic: &Clinic, name: &str, roles: &[&str]) -> Session {
        let email = format!("{name}@{}.example", clinic.slug);
        let roles: Vec<String> = roles.iter().map(|role| role.to_string()).collect();
        let user = NewUser::parse(&email, name, &roles, PASSWORD.to_owned()).expect("valid test user");
        organizations::create_user_from_shell(&self.state.store, &clinic.slug, user)
            .await
            .expect("user created");
        self.sign_in(&clinic.slug, &email).await
    }

    pub async fn login(&self, slug: &str, email: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({ "organization": slug, "email": email, "password": password }))
            .send()
            .await
            .expect("the server answers")
    }

    pub async fn sign_in(&self, slug: &str, email: &str) -> Session {
        let response = self.login(slug, email, PASSWORD).await;
        assert_eq!(response.status(), 200, "login of {email}");
        let body: serde_json::Value = response.json().await.unwrap();
        Session {
            user_id: body["user"]["id"].as_str().unwrap().parse().unwrap(),
            email: email.to_owned(),
            token: body["token"].as_str().unwrap().to_owned(),
        }
    }

    /// A request with `Authorization: Bearer <token>`.
    pub fn authed(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.client.request(method, self.url(path)).bearer_auth(token)
    }

    /// Runs SQL straight on the test database, as someone with database access could (no parameters).
    pub async fn sql(&self, statements: &str) {
        self.try_sql(statements).await.expect("the statements run");
    }

    /// Everything stored, as text, the way someone holding the database would see it: the SQLite files
    /// byte for byte (the server's connections closed first, so the write-ahead log is folded in), or the
    /// named PostgreSQL tables row by row.
    pub async fn raw_database_text(&self, postgres_tables: &[&str]) -> String {
        match &self.database {
            None => {
                self.state.store.close().await;
                let mut bytes = Vec::new();
                for entry in std::fs::read_dir(self.data_dir.path()).unwrap() {
                    let path = entry.unwrap().path();
                    if path
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with("praxis.db")
                    {
                        bytes.extend(std::fs::read(&path).unwrap());
                    }
                }
                String::from_utf8_lossy(&bytes).into_owned()
            }
            Some(database) => {
                let mut conn = PgConnection::connect(&database.url()).await.unwrap();
                let mut dump = String::new();
                for table in postgres_tables {
                    let rows: Vec<(String,)> =
                        sqlx::query_as(AssertSqlSafe(format!("select t::text from {table} t")))
                            .fetch_all(&mut conn)
                            .await
                            .unwrap();
                    dump.extend(rows.into_iter().map(|(row,)| row));
                }
                dump
            }
        }
    }

    /// Like `sql`, but returns the database's refusal instead of panicking.
    pub async fn try_sql(&self, statements: &str) -> Result<(), sqlx::Error> {
        match &self.database {
            Some(database) => {
                let mut conn = PgConnection::connect(&database.url()).await?;
                conn.execute(AssertSqlSafe(statements.to_owned())).await.map(drop)
            }
            None => {
                let path = self.data_dir.path().join("praxis.db");
                let mut conn = SqliteConnection::connect(&format!("sqlite://{}", path.display())).await?;
                conn.execute(AssertSqlSafe(statements.to_owned())).await.map(drop)
            }
        }
    }
}
