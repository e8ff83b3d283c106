//! The demo: a newcomer's first look at Praxis.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{Backend, TestApp};
use praxis::services::demo::{self, Seeded};
use reqwest::Method;
use serde_json::Value;

async fn the_demo_has_two_clinics_one_user_per_role_and_patients(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let Seeded::Created(logins) = demo::seed(
        &app.state.store,
        &app.state.patients,
        &app.state.contacts,
        &app.state.scheduling,
    )
    .await
    .unwrap() else {
        panic!("a fresh database gets the demo");
    };
    assert_eq!(logins.len(), 10, "five roles in each of two clinics");
    let mut tokens = Vec::new();
    for login in &logins {
        let response = app
            .login(&login.organization, &login.email, &login.password)
            .await;
        assert_eq!(response.status(), 200, "{} can sign in", login.email);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["user"]["roles"][0], login.role.as_str());
        tokens.push((
            login.organization.clone(),
            login.role,
            body["token"].as_str().unwrap().to_owned(),
        ));
    }
    let reception = |clinic: &str| {
        tokens
            .iter()
            .find(|(org, role, _)| org == clinic && *role == praxis_domain::access::Role::Reception)
            .map(|(_, _, token)| token.clone())
            .unwrap()
    };
    let people: Value = app
        .authed(
            Method::GET,
            "/api/v1/patients?limit=500",
            &reception("fjordklinikken"),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let people = people["data"].as_array().unwrap();
    assert_eq!(people.len(), 40);
    let first = people[0]["id"].as_str().unwrap();
    let kin: Value = app
        .authed(
            Method::GET,
            &format!("/api/v1/patients/{first}/contacts"),
            &reception("fjordklinikken"),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(kin["data"][0]["role"], "next_of_kin", "{kin}");
    // The next working morning is booked, back to back, for the front desk's day view.
    let booked: Value = app
        .authed(Method::GET, "/api/v1/appointments", &reception("fjordklinikken"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let booked = booked["data"].as_array().unwrap();
    assert_eq!(booked.len(), 6);
    assert!(
        booked[0]["start"].as_str().unwrap().contains("T09:00:00+0"),
        "{booked:?}"
    );
    assert!(booked.iter().all(|a| a["status"] == "booked"));
    assert!(
        people
            .iter()
            .all(|p| p["kind"] == "person" && p["identifiers"][0]["system"] == "no-fnr")
    );
    let animals: Value = app
        .authed(
            Method::GET,
            "/api/v1/patients?limit=500",
            &reception("dyreklinikken"),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let animals = animals["data"].as_array().unwrap();
    assert_eq!(animals.len(), 16);
    assert!(
        animals
            .iter()
            .all(|p| p["kind"] == "animal" && p["animal"]["microchip"].is_string())
    );
    let first = animals[0]["id"].as_str().unwrap();
    let owners: Value = app
        .authed(
            Method::GET,
            &format!("/api/v1/patients/{first}/contacts"),
            &reception("dyreklinikken"),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let owner = &owners["data"][0];
    assert_eq!(owner["role"], "owner", "every animal has its owner: {owners}");
    let owner_id = owner["contact"]["id"].as_str().unwrap();
    let pets: Value = app
        .authed(
            Method::GET,
            &format!("/api/v1/contacts/{owner_id}/patients"),
            &reception("dyreklinikken"),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        pets["data"].as_array().unwrap().len(),
        2,
        "an owner has two animals"
    );

    let again = demo::seed(
        &app.state.store,
        &app.state.patients,
        &app.state.contacts,
        &app.state.scheduling,
    )
    .await
    .unwrap();
    assert!(
        matches!(again, Seeded::AlreadyThere),
        "seeding twice creates nothing"
    );
}

on_both_backends!(the_demo_has_two_clinics_one_user_per_role_and_patients);

#[test]
fn serve_demo_prints_the_logins_once_and_serves() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_praxis"))
        .current_dir(dir.path())
        .env_remove("PRAXIS_DATABASE_URL")
        .env("PRAXIS_LOG_FORMAT", "json")
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines: Vec<String> = BufReader::new(server.stdout.take().unwrap())
        .lines()
        .map(Result::unwrap)
        .take_while(|line| !line.contains("praxis is listening"))
        .collect();
    Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(server.wait().unwrap().success());
    let logins = lines.iter().filter(|line| line.contains(".example")).count();
    assert_eq!(logins, 10, "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|line| line.starts_with("fjordklinikken   admin")),
        "{lines:?}"
    );
}
