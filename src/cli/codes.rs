//! `praxis codes …`: loading an organization's own ICD-10 or ICPC-2 list from a CSV file.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use praxis_domain::codes::{CodeSystem, parse_csv};

use crate::services::codes;
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum CodesCommand {
    /// Replace an organization's list of one code system with the codes of a CSV file (header `code,title`,
    /// UTF-8). Any bad row stops the import, naming its line, and leaves the previous list as it was; so does
    /// a file without any code.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The organization's slug.
    #[arg(long = "org", value_name = "SLUG")]
    slug: String,
    /// icd10 or icpc2.
    #[arg(long)]
    system: CodeSystem,
    /// The CSV file.
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

pub async fn run(store: &Store, command: CodesCommand) -> anyhow::Result<()> {
    match command {
        CodesCommand::Import(args) => {
            let text = std::fs::read_to_string(&args.file)
                .with_context(|| format!("cannot read {}", args.file.display()))?;
            let entries = parse_csv(args.system, &text)
                .with_context(|| format!("{} is not a valid {} list", args.file.display(), args.system))?;
            // An empty export would otherwise silently replace a full list with nothing.
            if entries.is_empty() {
                anyhow::bail!("{} has no codes; nothing was imported", args.file.display());
            }
            let count = codes::import_from_shell(store, &args.slug, args.system, &entries)
                .await
                .map_err(super::admin::explain)?;
            println!("loaded {count} {} codes for {}", args.system, args.slug);
            Ok(())
        }
    }
}
