//! `praxis admin …`: organizations and users from the shell, for the first admin and for getting back in.

use std::io::Read;

use clap::{Args, Subcommand};

use crate::services::access::users::NewUser;
use crate::services::access::{join_list, secrets};
use crate::services::error::ServiceError;
use crate::services::organizations::{self, Bootstrap, OrganizationFields};
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an organization and its first admin.
    Bootstrap(BootstrapArgs),
    /// Create a user in an organization.
    CreateUser(CreateUserArgs),
    /// Set a user's password (also lifts a lockout and ends their sessions).
    ResetPassword(ResetPasswordArgs),
}

#[derive(Debug, Args)]
pub struct BootstrapArgs {
    /// The organization's name, e.g. "Fjordklinikken".
    #[arg(long = "org", value_name = "NAME")]
    name: String,
    /// Short lowercase name used at login, e.g. fjordklinikken.
    #[arg(long)]
    slug: String,
    /// IANA time zone, e.g. Europe/Oslo.
    #[arg(long)]
    timezone: String,
    /// ISO 3166-1 alpha-2 country, e.g. NO.
    #[arg(long)]
    country: String,
    /// ISO 4217 currency, e.g. NOK.
    #[arg(long)]
    currency: String,
    /// BCP 47 language tag, e.g. nb-NO.
    #[arg(long, default_value = "en")]
    locale: String,
    /// The first admin's e-mail.
    #[arg(long)]
    email: String,
    /// The first admin's display name.
    #[arg(long, default_value = "Administrator")]
    name_of_admin: String,
    /// Read the password from standard input instead of generating one.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct CreateUserArgs {
    /// The organization's slug.
    #[arg(long = "org", value_name = "SLUG")]
    slug: String,
    #[arg(long)]
    email: String,
    #[arg(long)]
    name: String,
    /// Comma-separated: admin, clinician, reception, billing, auditor.
    #[arg(long, value_delimiter = ',', required = true)]
    roles: Vec<String>,
    /// Read the password from standard input instead of generating one.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct ResetPasswordArgs {
    /// The organization's slug.
    #[arg(long = "org", value_name = "SLUG")]
    slug: String,
    #[arg(long)]
    email: String,
    /// Read the password from standard input instead of generating one.
    #[arg(long)]
    password_stdin: bool,
}

/// The password from stdin (trailing newline dropped), or a generated one that is printed once.
fn password(from_stdin: bool, email: &str) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut input = String::new();
        std::io::stdin().read_to_string(&mut input)?;
        return Ok((input.trim_end_matches(['\r', '\n']).to_owned(), false));
    }
    Ok((secrets::generate_password(email)?, true))
}

fn show_generated(generated: bool, password: &str) {
    if generated {
        println!("password: {password}");
        println!("(shown once; Praxis keeps only its hash)");
    }
}

pub async fn run(store: &Store, command: AdminCommand) -> anyhow::Result<()> {
    match command {
        AdminCommand::Bootstrap(args) => {
            let (password, generated) = password(args.password_stdin, &args.email)?;
            let input = Bootstrap {
                slug: args.slug,
                fields: OrganizationFields {
                    name: Some(args.name),
                    time_zone: Some(args.timezone),
                    country: Some(args.country),
                    currency: Some(args.currency),
                    locale: Some(args.locale),
                },
                admin_email: args.email,
                admin_name: args.name_of_admin,
                admin_password: password.clone(),
            };
            let (organization, admin) = organizations::bootstrap(store, input).await.map_err(explain)?;
            println!("organization {} ({}) created", organization.slug, organization.id);
            println!("admin: {}", admin.email);
            show_generated(generated, &password);
        }
        AdminCommand::CreateUser(args) => {
            let (password, generated) = password(args.password_stdin, &args.email)?;
            let user =
                NewUser::parse(&args.email, &args.name, &args.roles, password.clone()).map_err(explain)?;
            let created = organizations::create_user_from_shell(store, &args.slug, user)
                .await
                .map_err(explain)?;
            println!(
                "user {} ({}) created with roles {}",
                created.email,
                created.id,
                join_list(&created.roles)
            );
            show_generated(generated, &password);
        }
        AdminCommand::ResetPassword(args) => {
            let (password, generated) = password(args.password_stdin, &args.email)?;
            organizations::reset_password_from_shell(store, &args.slug, &args.email, password.clone())
                .await
                .map_err(explain)?;
            println!("password of {} reset; their sessions have ended", args.email);
            show_generated(generated, &password);
        }
    }
    Ok(())
}

/// A service refusal as one readable message naming each bad field.
pub fn explain(error: ServiceError) -> anyhow::Error {
    match error {
        ServiceError::Invalid(issues) => anyhow::anyhow!(
            "{}",
            issues
                .iter()
                .map(|issue| format!("{}: {}", issue.field, issue.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::anyhow!("{other}"),
    }
}
