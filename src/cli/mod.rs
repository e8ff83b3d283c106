//! The command line: parses arguments, loads the settings and hands over to the library.

mod admin;
mod audit;
mod codes;
mod demo;
mod keys;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::config::{Overrides, Settings};

#[derive(Debug, Parser)]
#[command(name = "praxis", version, about = "Practice-management server for clinics")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (creates and migrates the database on first start).
    Serve {
        #[command(flatten)]
        config: ConfigArgs,
        /// Create the demo clinics on first start and print their logins once.
        #[arg(long)]
        demo: bool,
    },
    /// Apply the database migrations and exit.
    Migrate(ConfigArgs),
    /// Organizations and users, from the shell.
    Admin {
        #[command(flatten)]
        config: ConfigArgs,
        #[command(subcommand)]
        command: admin::AdminCommand,
    },
    /// Encryption keys.
    Keys {
        #[command(flatten)]
        config: ConfigArgs,
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// The demo clinics.
    Demo {
        #[command(flatten)]
        config: ConfigArgs,
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// Clinical code lists.
    Codes {
        #[command(flatten)]
        config: ConfigArgs,
        #[command(subcommand)]
        command: codes::CodesCommand,
    },
    /// The audit trail.
    Audit {
        #[command(flatten)]
        config: ConfigArgs,
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Add a new master key to the key file and rewrap every data key under it; servers keep running.
    Rotate,
    /// Rewrap every data key still under an older master key (after a rotation, or a new `master_key` setting).
    Rewrap,
}

#[derive(Debug, Subcommand)]
enum DemoCommand {
    /// Create a general practice and an animal clinic with one user per role and synthetic patients.
    Seed,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Recompute every organization's hash chain; exits non-zero naming the first broken link.
    Verify,
}

/// The settings every subcommand can be given on the command line; see `docs/configuration.md`.
#[derive(Debug, Args)]
struct ConfigArgs {
    /// Configuration file (default: ./praxis.toml when it exists).
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
    /// Address and port to listen on.
    #[arg(long, value_name = "ADDR:PORT", global = true)]
    listen: Option<std::net::SocketAddr>,
    /// Directory for the embedded database and other local files.
    #[arg(long, value_name = "DIR", global = true)]
    data_dir: Option<PathBuf>,
    /// postgres://… to run on PostgreSQL; the embedded SQLite database otherwise.
    #[arg(long, value_name = "URL", global = true)]
    database_url: Option<String>,
}

impl ConfigArgs {
    fn load(self) -> Result<Settings, crate::config::ConfigError> {
        Settings::load(&Overrides {
            config_file: self.config,
            listen: self.listen,
            data_dir: self.data_dir,
            database_url: self.database_url,
        })
    }
}

/// Runs the command line and turns any failure into one message on stderr and a failing exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("praxis: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    match cli.command {
        Command::Serve { config, demo } => {
            let settings = config.load()?;
            crate::telemetry::logging::init(settings.log_format, &settings.log_level)?;
            runtime.block_on(serve::run(settings, demo))
        }
        Command::Keys { config, command } => {
            let settings = config.load()?;
            let spec = settings.master_key.clone();
            let data_dir = settings.data_dir.clone();
            with_store(&runtime, settings, |store| async move {
                keys::run(
                    &store,
                    command,
                    spec.as_ref().map(crate::config::Secret::expose),
                    &data_dir,
                )
                .await
            })
        }
        Command::Demo { config, command } => {
            let settings = config.load()?;
            crate::telemetry::logging::init(settings.log_format, "warn")?;
            match command {
                DemoCommand::Seed => runtime.block_on(async {
                    let app = crate::app::Application::build(settings).await?;
                    let outcome = demo::seed(app.state()).await;
                    app.state().store.close().await;
                    outcome
                }),
            }
        }
        Command::Migrate(args) => with_store(&runtime, args.load()?, |store| async move {
            let version = store.schema_version().await?;
            println!("schema at version {}", version.applied);
            Ok(())
        }),
        Command::Admin { config, command } => with_store(&runtime, config.load()?, |store| async move {
            admin::run(&store, command).await
        }),
        Command::Codes { config, command } => with_store(&runtime, config.load()?, |store| async move {
            codes::run(&store, command).await
        }),
        Command::Audit { config, command } => with_store(&runtime, config.load()?, |store| async move {
            match command {
                AuditCommand::Verify => audit::verify(&store).await,
            }
        }),
    }
}

/// Runs a one-off command against the migrated store, closing it cleanly whatever the outcome.
fn with_store<F, Fut>(runtime: &tokio::runtime::Runtime, settings: Settings, command: F) -> anyhow::Result<()>
where
    F: FnOnce(crate::store::Store) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    crate::telemetry::logging::init(settings.log_format, "warn")?;
    runtime.block_on(async {
        let store = crate::app::open_store(&settings).await?;
        let outcome = command(store.clone()).await;
        store.close().await;
        outcome
    })
}
