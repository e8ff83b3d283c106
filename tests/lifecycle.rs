//! Starting and stopping: settings errors stop the start with one message, and shutdown is graceful.

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::sync::Arc;

use axum::routing::get;
use common::{Backend, TestApp};
use tokio::sync::Notify;

fn praxis(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_praxis"));
    command.current_dir(dir).env("PRAXIS_LOG_FORMAT", "json");
    for (key, _) in std::env::vars() {
        if key.starts_with("PRAXIS_") && key != "PRAXIS_LOG_FORMAT" {
            command.env_remove(key);
        }
    }
    command
}

/// Runs `praxis serve` expecting it to refuse to start; returns its stderr.
fn refused_start(configure: impl FnOnce(&mut Command)) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut command = praxis(dir.path());
    command.arg("serve");
    configure(&mut command);
    let output = command.output().unwrap();
    assert!(!output.status.success(), "the start was refused");
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn an_unparsable_listen_address_stops_the_start_naming_it() {
    let stderr = refused_start(|command| {
        command.env("PRAXIS_LISTEN", "localhost-ish");
    });
    assert!(stderr.contains("`listen`"), "{stderr}");
    assert!(stderr.contains("PRAXIS_LISTEN"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one message: {stderr}");
}

#[test]
fn a_listen_flag_that_is_not_an_address_is_refused_by_the_parser() {
    let stderr = refused_start(|command| {
        command.args(["--listen", "nope"]);
    });
    assert!(stderr.contains("--listen"), "{stderr}");
}

#[test]
fn an_unreachable_database_stops_the_start_naming_the_setting() {
    let stderr = refused_start(|command| {
        command.args([
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            "postgres://praxis:secret-pw@127.0.0.1:1/praxis",
        ]);
    });
    assert!(stderr.contains("database_url"), "{stderr}");
    assert!(!stderr.contains("secret-pw"), "no password in messages: {stderr}");
}

#[test]
fn a_data_directory_that_cannot_be_written_stops_the_start() {
    let stderr = refused_start(|command| {
        // A regular file where the directory should be: refused even for root, unlike a permission bit.
        std::fs::write(command.get_current_dir().unwrap().join("occupied"), b"").unwrap();
        command.args(["--listen", "127.0.0.1:0", "--data-dir", "occupied"]);
    });
    assert!(stderr.contains("data_dir"), "{stderr}");
    assert!(stderr.contains("occupied"), "{stderr}");
}

#[test]
fn sigterm_stops_the_server_with_exit_code_zero() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = praxis(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let listening = lines
        .by_ref()
        .map(Result::unwrap)
        .find(|line| line.contains("praxis is listening"))
        .expect("the server logs its address");
    let event: serde_json::Value = serde_json::from_str(&listening).unwrap();
    let address = event["address"].as_str().unwrap().to_owned();
    assert!(
        dir.path().join("praxis-data/praxis.db").exists(),
        "the default data directory is created"
    );
    let keys = std::fs::metadata(dir.path().join("praxis-data/master.keys")).expect("a key file is created");
    assert_eq!(
        keys.permissions().mode() & 0o777,
        0o600,
        "only the server's user may read the keys"
    );

    let health = std::net::TcpStream::connect(&address);
    assert!(health.is_ok(), "the server accepts connections");

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    assert!(rest.iter().any(|line| line.contains("stopped")), "{rest:?}");
}

#[test]
fn migrate_applies_the_schema_and_exits() {
    let dir = tempfile::tempdir().unwrap();
    let output = praxis(dir.path())
        .args(["migrate", "--data-dir", "db"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(dir.path().join("db/praxis.db").exists());
}

async fn shutdown_lets_a_request_in_flight_finish(backend: Backend) {
    let entered = Arc::new(Notify::new());
    let release = Arc::new(Notify::new());
    let (handler_entered, handler_release) = (Arc::clone(&entered), Arc::clone(&release));
    let slow = move || {
        let (entered, release) = (Arc::clone(&handler_entered), Arc::clone(&handler_release));
        async move {
            entered.notify_one();
            release.notified().await;
            "finished"
        }
    };
    let mut app = TestApp::spawn_with(backend, |_| {}, |routes| routes.route("/test/slow", get(slow))).await;

    let in_flight = tokio::spawn(app.client.get(app.url("/test/slow")).send());
    entered.notified().await;
    let stopping = tokio::spawn(async move {
        let result = app.stop().await;
        (app, result)
    });
    // The server now refuses new work but still owes the slow request its answer.
    tokio::task::yield_now().await;
    release.notify_one();

    let response = in_flight
        .await
        .unwrap()
        .expect("the request in flight is answered");
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "finished");
    let (app, result) = stopping.await.unwrap();
    result.expect("the server stops cleanly");
    assert!(
        std::net::TcpStream::connect(app.address).is_err(),
        "no connections are accepted after shutdown"
    );
}

on_both_backends!(shutdown_lets_a_request_in_flight_finish);

#[test]
fn logs_hold_no_passwords_tokens_or_e_mail_addresses() {
    let dir = tempfile::tempdir().unwrap();
    const PASSWORD: &str = "harbour lantern quiet meadow";
    let mut bootstrap = praxis(dir.path())
        .args(["admin", "bootstrap", "--org", "Fjordklinikken", "--slug", "fjord"])
        .args([
            "--timezone",
            "Europe/Oslo",
            "--country",
            "NO",
            "--currency",
            "NOK",
        ])
        .args(["--email", "kari.nordmann@fjord.example", "--password-stdin"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut bootstrap.stdin.take().unwrap(), PASSWORD.as_bytes()).unwrap();
    assert!(bootstrap.wait().unwrap().success());

    let mut server = praxis(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("PRAXIS_LOG_LEVEL", "debug")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let mut log = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let listening = line.contains("praxis is listening");
        log.push(line);
        if listening {
            break;
        }
    }
    let event: serde_json::Value = serde_json::from_str(log.last().unwrap()).unwrap();
    let base = format!("http://{}", event["address"].as_str().unwrap());

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let token = runtime.block_on(async {
        let client = reqwest::Client::new();
        let login = |email: &'static str, password: &'static str| {
            client
                .post(format!("{base}/api/v1/auth/login"))
                .json(&serde_json::json!({ "organization": "fjord", "email": email, "password": password }))
                .send()
        };
        assert_eq!(
            login("kari.nordmann@fjord.example", "not the password at all")
                .await
                .unwrap()
                .status(),
            401
        );
        assert_eq!(
            login("someone.else@fjord.example", PASSWORD)
                .await
                .unwrap()
                .status(),
            401
        );
        let body: serde_json::Value = login("kari.nordmann@fjord.example", PASSWORD)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = body["token"].as_str().unwrap().to_owned();
        let created = client
            .post(format!("{base}/api/v1/users"))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "email": "ola.hansen@fjord.example", "display_name": "Ola Hansen",
                "roles": ["reception"], "password": "copper kettle winter road"
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
        token
    });
    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(server.wait().unwrap().success());
    log.extend(lines.map(Result::unwrap));
    let log = log.join("\n");

    assert!(log.contains("\"route\":\"/api/v1/users\""), "requests are logged");
    for secret in [
        PASSWORD,
        "not the password at all",
        "copper kettle winter road",
        token.as_str(),
        "kari.nordmann",
        "someone.else",
        "ola.hansen",
        "Ola Hansen",
    ] {
        assert!(!log.contains(secret), "the log holds {secret:?}");
    }
}

#[test]
fn a_malformed_master_key_stops_the_start_without_showing_it() {
    let stderr = refused_start(|command| {
        command.args(["--listen", "127.0.0.1:0"]);
        command.env("PRAXIS_MASTER_KEY", "k1:0123456789abcdef");
    });
    assert!(stderr.contains("master_key"), "{stderr}");
    assert!(!stderr.contains("0123456789abcdef"), "{stderr}");
}

#[test]
fn a_key_file_others_can_read_stops_the_start() {
    let stderr = refused_start(|command| {
        let data = command.get_current_dir().unwrap().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let keys = data.join("master.keys");
        let line = format!("k1:{}\nindex:{}\n", "1".repeat(64), "2".repeat(64));
        std::fs::write(&keys, line).unwrap();
        std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o644)).unwrap();
        command.args(["--listen", "127.0.0.1:0", "--data-dir", "data"]);
    });
    assert!(stderr.contains("chmod 600"), "{stderr}");
}
