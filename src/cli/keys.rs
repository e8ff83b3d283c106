//! `praxis keys rotate|rewrap`: a new master key, and every data key moved under it.

use std::path::Path;

use super::KeysCommand;
use crate::crypto::KeyRing;
use crate::services::keys;
use crate::store::Store;

pub async fn run(
    store: &Store,
    command: KeysCommand,
    spec: Option<&str>,
    data_dir: &Path,
) -> anyhow::Result<()> {
    let ring = match (command, spec) {
        (KeysCommand::Rotate, Some(_)) => anyhow::bail!(
            "the keys come from the `master_key` setting (PRAXIS_MASTER_KEY), not a key file: put a new key \
             first in the setting of every instance, keep the old ones after it, restart them, then run \
             `praxis keys rewrap`"
        ),
        (KeysCommand::Rotate, None) => KeyRing::rotate(data_dir)?,
        (KeysCommand::Rewrap, spec) => KeyRing::load(spec, data_dir)?,
    };
    let rewrapped = keys::rewrap_all(store, &ring)
        .await
        .map_err(super::admin::explain)?;
    println!("current master key: {}", ring.current_key_id());
    println!("{rewrapped} data keys rewrapped under it");
    Ok(())
}
