//! Key rotation: a new master key, every data key rewrapped under it, servers running throughout.

mod common;

use std::process::Command;

use common::{Backend, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

/// Runs `praxis keys …` against the test app's database and key file.
fn keys(app: &TestApp, command: &str, extra_env: &[(&str, &str)]) -> std::process::Output {
    let mut praxis = Command::new(env!("CARGO_BIN_EXE_praxis"));
    for (key, _) in std::env::vars() {
        if key.starts_with("PRAXIS_") {
            praxis.env_remove(key);
        }
    }
    praxis.envs(extra_env.iter().copied());
    praxis
        .args(["keys", command, "--data-dir"])
        .arg(app.data_dir.path());
    if let Some(database) = &app.database {
        praxis.args(["--database-url", &database.url()]);
    }
    praxis.output().unwrap()
}

async fn rotation_rewraps_every_data_key_while_the_server_keeps_serving(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let clinic = app.clinic("fjord").await;
    let patient: Value = app
        .authed(Method::POST, "/api/v1/patients", &clinic.admin.token)
        .json(&json!({"kind": "person", "given_name": "Kari", "family_name": "Østby", "phone": "912 34 567"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let contact = app
        .authed(Method::POST, "/api/v1/contacts", &clinic.admin.token)
        .json(&json!({"given_name": "Per", "family_name": "Østby", "email": "per@example.org"}))
        .send()
        .await
        .unwrap();
    assert_eq!(contact.status(), 201);

    let rotated = keys(&app, "rotate", &[]);
    let stdout = String::from_utf8_lossy(&rotated.stdout);
    assert!(
        rotated.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    assert!(stdout.contains("current master key: k2"), "{stdout}");
    assert!(stdout.contains("2 data keys rewrapped"), "{stdout}");
    let key_file = std::fs::read_to_string(app.data_dir.path().join("master.keys")).unwrap();
    let first_key = key_file.lines().find(|line| !line.starts_with('#')).unwrap();
    assert!(first_key.starts_with("k2:"), "the new key is current");

    // The running server, started with k1 only, reads the rewrapped record without a restart.
    let path = format!("/api/v1/patients/{}", patient["id"].as_str().unwrap());
    let read = app
        .authed(Method::GET, &path, &clinic.admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    assert_eq!(read.json::<Value>().await.unwrap()["phone"], "+4791234567");

    let again = keys(&app, "rewrap", &[]);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("0 data keys rewrapped"),
        "nothing left to move"
    );
    let reports = praxis::services::audit::verify_all(&app.state.store)
        .await
        .unwrap();
    assert!(
        reports.iter().all(|report| report.outcome.is_ok()),
        "the audit chain still verifies"
    );
}

async fn keys_from_the_setting_are_rotated_by_changing_the_setting(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let spec = format!("k1:{};index:{}", "1".repeat(64), "2".repeat(64));
    let refused = keys(&app, "rotate", &[("PRAXIS_MASTER_KEY", &spec)]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("master_key"), "{stderr}");
    assert!(!stderr.contains(&"1".repeat(64)), "no key material in messages");
}

on_both_backends!(
    rotation_rewraps_every_data_key_while_the_server_keeps_serving,
    keys_from_the_setting_are_rotated_by_changing_the_setting,
);
