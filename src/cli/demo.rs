//! `praxis demo seed` and `praxis serve --demo`: the demo clinics, with their logins shown once.

use crate::http::AppState;
use crate::services::demo::{self, Seeded};

pub async fn seed(state: &AppState) -> anyhow::Result<()> {
    match demo::seed(&state.store, &state.patients, &state.contacts, &state.scheduling)
        .await
        .map_err(super::admin::explain)?
    {
        Seeded::AlreadyThere => {
            println!("The demo clinics exist already; their logins were shown when they were created.");
            println!(
                "Set a new password with `praxis admin reset-password --org fjordklinikken --email admin@fjordklinikken.example`."
            );
        }
        Seeded::Created(logins) => {
            println!("Demo clinics created. Sign in with POST /api/v1/auth/login (shown once, keep them):");
            println!("{:<16} {:<10} {:<36} password", "organization", "role", "email");
            for login in logins {
                println!(
                    "{:<16} {:<10} {:<36} {}",
                    login.organization,
                    login.role.as_str(),
                    login.email,
                    login.password
                );
            }
        }
    }
    Ok(())
}
