//! The command line: parses arguments, loads the settings and hands over to the library.

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
    Serve(ConfigArgs),
    /// Apply the database migrations and exit.
    Migrate(ConfigArgs),
}

/// The settings every subcommand can be given on the command line; see `docs/configuration.md`.
#[derive(Debug, Args)]
struct ConfigArgs {
    /// Configuration file (default: ./praxis.toml when it exists).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address and port to listen on.
    #[arg(long, value_name = "ADDR:PORT")]
    listen: Option<std::net::SocketAddr>,
    /// Directory for the embedded database and other local files.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// postgres://… to run on PostgreSQL; the embedded SQLite database otherwise.
    #[arg(long, value_name = "URL")]
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
        Command::Serve(args) => {
            let settings = args.load()?;
            crate::telemetry::logging::init(settings.log_format, &settings.log_level)?;
            runtime.block_on(serve::run(settings))
        }
        Command::Migrate(args) => {
            let settings = args.load()?;
            crate::telemetry::logging::init(settings.log_format, &settings.log_level)?;
            runtime.block_on(async {
                let store = crate::app::open_store(&settings).await?;
                let version = store.schema_version().await?;
                store.close().await;
                tracing::info!(schema_version = version.applied, "migrations applied");
                Ok(())
            })
        }
    }
}
