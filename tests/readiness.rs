//! Readiness follows the database: 503 while PostgreSQL is unreachable, 200 again once it is back, without
//! a restart. The database "goes away" behind a TCP relay the test controls, so the real server is untouched.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{Backend, TestApp, postgres::url_for, problem};
use praxis::config::DatabaseUrl;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Relays connections to PostgreSQL while up; while down it cuts every relayed connection and closes new ones.
struct Relay {
    address: SocketAddr,
    up: watch::Sender<bool>,
}

impl Relay {
    async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (up, _) = watch::channel(true);
        let state = up.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let mut up = state.subscribe();
                if !*up.borrow() {
                    continue; // dropping the socket closes it
                }
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = up.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Self { address, up }
    }

    fn set_up(&self, up: bool) {
        self.up.send_replace(up);
    }
}

fn upstream_of(url: &str) -> SocketAddr {
    let authority = url.split("://").nth(1).unwrap().split('/').next().unwrap();
    let host_port = authority.rsplit('@').next().unwrap();
    let host_port = if host_port.contains(':') {
        host_port.to_owned()
    } else {
        format!("{host_port}:5432")
    };
    let host_port = host_port.replace("localhost", "127.0.0.1");
    host_port
        .parse()
        .expect("PRAXIS_TEST_POSTGRES_URL names host:port for this test")
}

fn through(url: &str, relay: SocketAddr) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let user = authority
        .rsplit_once('@')
        .map(|(user, _)| format!("{user}@"))
        .unwrap_or_default();
    format!("{scheme}://{user}{relay}/{path}")
}

async fn readiness_status(app: &TestApp) -> u16 {
    app.get("/health/ready").await.status().as_u16()
}

/// Polls until the status is reached; the pool notices a lost server on its next use, not at once.
async fn until_status(app: &TestApp, wanted: u16) {
    for _ in 0..50 {
        if readiness_status(app).await == wanted {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("readiness never answered {wanted}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_turns_503_while_postgres_is_away_and_200_when_it_returns() {
    let server = upstream_of(&url_for("postgres"));
    let relay = Relay::start(server).await;
    let app = TestApp::spawn_with(
        Backend::Postgres,
        |settings| {
            let direct = settings.database_url.as_ref().unwrap().expose().to_owned();
            settings.database_url = Some(DatabaseUrl::parse(&through(&direct, relay.address)).unwrap());
        },
        |routes| routes,
    )
    .await;
    assert_eq!(readiness_status(&app).await, 200);

    relay.set_up(false);
    until_status(&app, 503).await;
    let body = problem(app.get("/health/ready").await, 503).await;
    assert_eq!(body["type"], "/problems/not-ready");
    let database = body["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "database")
        .unwrap();
    assert_eq!(database["ok"], false);
    assert!(body["detail"].as_str().unwrap().contains("database"), "{body}");
    assert_eq!(
        app.get("/health/live").await.status(),
        200,
        "alive while not ready"
    );

    relay.set_up(true);
    until_status(&app, 200).await;
}
