//! The data directory: the embedded database, and later key files and backups, live here.

use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct DataDirError {
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

/// Creates the directory when it is missing and proves it can be written to.
pub fn prepare_data_dir(path: &Path) -> Result<(), DataDirError> {
    std::fs::create_dir_all(path).map_err(|source| DataDirError {
        path: path.to_owned(),
        source,
    })?;
    probe_writable(path)
}

/// Writes, syncs and removes a small file: what a write of the database or a backup would need.
pub fn probe_writable(path: &Path) -> Result<(), DataDirError> {
    let probe = path.join(".praxis-write-probe");
    let attempt = || -> io::Result<()> {
        let file = std::fs::File::create(&probe)?;
        file.sync_all()?;
        std::fs::remove_file(&probe)
    };
    attempt().map_err(|source| DataDirError {
        path: path.to_owned(),
        source,
    })
}
