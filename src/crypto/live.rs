//! The key ring of a running server, which follows a rotation without a restart.
//!
//! `praxis keys rotate` adds a master key to the key file and rewraps every data key under it while servers
//! keep running. A server that meets a data key wrapped under a master key it does not hold reads the key
//! file again and carries on with the new ring, which also makes the new key current for its later wraps.
//! With keys from the `master_key` setting there is no file to read: every instance must be given the new
//! setting (new key first, old keys kept) before data keys are rewrapped.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use uuid::Uuid;

use super::{CryptoError, DataKey, KeyRing, WrappedKey};

#[derive(Debug)]
pub struct LiveKeys {
    ring: RwLock<Arc<KeyRing>>,
    /// The data directory holding the key file, when the keys come from it.
    key_file_dir: Option<PathBuf>,
}

impl LiveKeys {
    pub fn new(ring: KeyRing, key_file_dir: Option<PathBuf>) -> Self {
        Self {
            ring: RwLock::new(Arc::new(ring)),
            key_file_dir,
        }
    }

    /// The ring in use now.
    pub fn ring(&self) -> Arc<KeyRing> {
        Arc::clone(&self.ring.read().unwrap_or_else(|poisoned| poisoned.into_inner()))
    }

    pub fn wrap(&self, data_key: &DataKey, aad: &[u8]) -> WrappedKey {
        self.ring().wrap(data_key, aad)
    }

    pub fn blind_index(&self, organization_id: Uuid, kind: &str, normalized: &str) -> String {
        self.ring().blind_index(organization_id, kind, normalized)
    }

    /// Unwraps under the ring in use, reading the key file again once when the wrapping key is unknown.
    pub fn unwrap(&self, wrapped: &WrappedKey, aad: &[u8]) -> Result<DataKey, CryptoError> {
        match self.ring().unwrap(wrapped, aad) {
            Err(CryptoError::UnknownKeyId(id)) => match &self.key_file_dir {
                Some(dir) => {
                    let fresh = Arc::new(KeyRing::load_or_create(dir)?);
                    let result = fresh.unwrap(wrapped, aad);
                    *self.ring.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = fresh;
                    result
                }
                None => Err(CryptoError::UnknownKeyId(id)),
            },
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rotation_on_disk_is_picked_up_when_a_new_key_id_appears() {
        let dir = tempfile::tempdir().unwrap();
        let live = LiveKeys::new(
            KeyRing::load_or_create(dir.path()).unwrap(),
            Some(dir.path().to_owned()),
        );
        let data_key = DataKey::generate();
        let rotated = KeyRing::rotate(dir.path()).unwrap();
        let wrapped = rotated.wrap(&data_key, b"owner");
        assert_eq!(wrapped.key_id, "k2");

        let opened = live
            .unwrap(&wrapped, b"owner")
            .expect("the server reads the rotated key file");
        assert_eq!(opened.seal_str("f", "x").len(), data_key.seal_str("f", "x").len());
        assert_eq!(live.ring().current_key_id(), "k2", "later wraps use the new key");
    }

    #[test]
    fn keys_from_the_setting_are_not_reloaded() {
        let spec = format!("k1:{};index:{}", "1".repeat(64), "2".repeat(64));
        let live = LiveKeys::new(KeyRing::from_spec(&spec).unwrap(), None);
        let other = KeyRing::from_spec(&format!("k9:{};index:{}", "3".repeat(64), "2".repeat(64))).unwrap();
        let wrapped = other.wrap(&DataKey::generate(), b"owner");
        assert!(matches!(
            live.unwrap(&wrapped, b"owner"),
            Err(CryptoError::UnknownKeyId(_))
        ));
    }
}
