//! Envelope encryption: a data key per patient seals that patient's fields, and is itself stored only
//! wrapped (encrypted) under a master key. Destroying the wrapped key makes every field sealed under it
//! unreadable, in old backups too: that is how erasure works (crypto-shredding).

use std::fmt;

use uuid::Uuid;
use zeroize::Zeroizing;

use super::{CryptoError, KEY_LEN, KeyRing, Secret, aead_open, aead_seal, framed, must_fill_random};

/// Domain labels keep a wrapped key from ever being read as a field, and the reverse.
const WRAP_LABEL: &[u8] = b"praxis/data-key/v1";
const FIELD_LABEL: &[u8] = b"praxis/field/v1";

/// The key that seals one patient's fields. It lives only in memory and is wiped when dropped;
/// `Debug` shows nothing of it.
pub struct DataKey(Secret);

/// A data key encrypted under the master key `key_id`: what the database stores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrappedKey {
    pub key_id: String,
    /// `version ‖ nonce ‖ encrypted key ‖ tag`, 61 bytes.
    pub bytes: Vec<u8>,
}

/// The associated data that binds a wrapped key to its owner, so that a wrapped key copied to another
/// patient or organization does not unwrap there.
pub fn owner_aad(organization_id: Uuid, patient_id: Uuid) -> [u8; 32] {
    let mut aad = [0u8; 32];
    aad[..16].copy_from_slice(organization_id.as_bytes());
    aad[16..].copy_from_slice(patient_id.as_bytes());
    aad
}

impl DataKey {
    /// 32 random bytes from the operating system.
    ///
    /// # Panics
    /// When the operating system has no randomness to give, which Linux does not do once booted.
    pub fn generate() -> Self {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        must_fill_random(key.as_mut_slice());
        Self(key)
    }

    /// Encrypts one field's value. `field` (such as `patient.phone`) is authenticated with it, so a value
    /// moved to another column does not open.
    ///
    /// # Panics
    /// As [`DataKey::generate`], for the nonce.
    pub fn seal(&self, field: &str, plaintext: &[u8]) -> Vec<u8> {
        aead_seal(&self.0, &field_aad(field), plaintext)
    }

    pub fn open(&self, field: &str, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        aead_open(&self.0, &field_aad(field), sealed)
    }

    pub fn seal_str(&self, field: &str, plaintext: &str) -> Vec<u8> {
        self.seal(field, plaintext.as_bytes())
    }

    pub fn open_str(&self, field: &str, sealed: &[u8]) -> Result<String, CryptoError> {
        String::from_utf8(self.open(field, sealed)?).map_err(|_| CryptoError::NotUtf8)
    }
}

fn field_aad(field: &str) -> Vec<u8> {
    framed(&[FIELD_LABEL, field.as_bytes()])
}

/// The key id is authenticated too, so relabelling a wrapped key cannot go unnoticed.
fn wrap_aad(key_id: &str, aad: &[u8]) -> Vec<u8> {
    framed(&[WRAP_LABEL, key_id.as_bytes(), aad])
}

impl KeyRing {
    /// Encrypts `data_key` under the current master key. `aad` names its owner; see [`owner_aad`].
    ///
    /// # Panics
    /// As [`DataKey::generate`], for the nonce.
    pub fn wrap(&self, data_key: &DataKey, aad: &[u8]) -> WrappedKey {
        let master = self.current();
        WrappedKey {
            key_id: master.id.clone(),
            bytes: aead_seal(&master.key, &wrap_aad(&master.id, aad), data_key.0.as_slice()),
        }
    }

    /// Decrypts a wrapped key under the master key it names, with the `aad` it was wrapped with.
    pub fn unwrap(&self, wrapped: &WrappedKey, aad: &[u8]) -> Result<DataKey, CryptoError> {
        let master = self.master_key(&wrapped.key_id)?;
        let plain = Zeroizing::new(aead_open(
            &master.key,
            &wrap_aad(&master.id, aad),
            &wrapped.bytes,
        )?);
        let key: [u8; KEY_LEN] = plain
            .as_slice()
            .try_into()
            .map_err(|_| CryptoError::Malformed(format!("a data key of {} bytes", plain.len())))?;
        Ok(DataKey(Zeroizing::new(key)))
    }

    /// The same data key wrapped under the current master key, for moving off a retired one. Fields sealed
    /// under the data key are untouched.
    pub fn rewrap(&self, wrapped: &WrappedKey, aad: &[u8]) -> Result<WrappedKey, CryptoError> {
        Ok(self.wrap(&self.unwrap(wrapped, aad)?, aad))
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::super::keyring::tests::{IX, K1, K2, ring};
    use super::*;

    const PHONE: &str = "patient.phone";

    fn owner() -> [u8; 32] {
        owner_aad(Uuid::from_u128(1), Uuid::from_u128(2))
    }

    #[test]
    fn a_sealed_field_opens_to_its_plaintext() {
        let key = DataKey::generate();
        let sealed = key.seal_str(PHONE, "+41 79 123 45 67");
        assert!(!sealed.windows(6).any(|w| w == b"123 45"), "plaintext visible");
        assert_eq!(key.open_str(PHONE, &sealed).unwrap(), "+41 79 123 45 67");
        assert_eq!(key.open(PHONE, &key.seal(PHONE, b"")).unwrap(), b"");
    }

    #[test]
    fn sealing_twice_gives_different_ciphertexts() {
        let key = DataKey::generate();
        assert_ne!(key.seal_str(PHONE, "same"), key.seal_str(PHONE, "same"));
    }

    #[test]
    fn a_field_moved_to_another_column_does_not_open() {
        let key = DataKey::generate();
        let sealed = key.seal_str(PHONE, "+41 79 123 45 67");
        assert!(matches!(
            key.open("patient.email", &sealed),
            Err(CryptoError::Authentication)
        ));
    }

    #[test]
    fn any_altered_byte_is_detected() {
        let key = DataKey::generate();
        let sealed = key.seal_str(PHONE, "+41 79 123 45 67");
        for position in 1..sealed.len() {
            let mut altered = sealed.clone();
            altered[position] ^= 0x01;
            assert!(matches!(
                key.open(PHONE, &altered),
                Err(CryptoError::Authentication)
            ));
        }
        let mut versioned = sealed.clone();
        versioned[0] = 2;
        let error = key.open(PHONE, &versioned).unwrap_err().to_string();
        assert!(error.contains("unknown format version 2"), "{error}");
    }

    #[test]
    fn truncated_input_is_refused() {
        let key = DataKey::generate();
        let sealed = key.seal_str(PHONE, "+41 79 123 45 67");
        for length in [0, 1, 13, 28] {
            assert!(matches!(
                key.open(PHONE, &sealed[..length]),
                Err(CryptoError::Malformed(_))
            ));
        }
        for length in [29, sealed.len() - 1] {
            assert!(matches!(
                key.open(PHONE, &sealed[..length]),
                Err(CryptoError::Authentication)
            ));
        }
    }

    #[test]
    fn without_its_data_key_old_ciphertext_is_unreadable() {
        let sealed = DataKey::generate().seal_str(PHONE, "+41 79 123 45 67");
        // The key above is dropped and was never stored: a new one, as after erasure, cannot open it.
        assert!(matches!(
            DataKey::generate().open(PHONE, &sealed),
            Err(CryptoError::Authentication)
        ));
    }

    #[test]
    fn a_wrapped_key_unwraps_to_the_same_data_key() {
        let ring = ring();
        let key = DataKey::generate();
        let wrapped = ring.wrap(&key, &owner());
        assert_eq!(wrapped.key_id, "k2");
        assert_eq!(wrapped.bytes.len(), 61);
        let sealed = key.seal_str(PHONE, "+41 79 123 45 67");
        let unwrapped = ring.unwrap(&wrapped, &owner()).unwrap();
        assert_eq!(unwrapped.open_str(PHONE, &sealed).unwrap(), "+41 79 123 45 67");
    }

    #[test]
    fn a_wrapped_key_does_not_unwrap_for_another_owner_or_when_altered() {
        let ring = ring();
        let wrapped = ring.wrap(&DataKey::generate(), &owner());
        let stranger = owner_aad(Uuid::from_u128(1), Uuid::from_u128(3));
        assert!(matches!(
            ring.unwrap(&wrapped, &stranger),
            Err(CryptoError::Authentication)
        ));
        let mut altered = wrapped.clone();
        altered.bytes[20] ^= 0x80;
        assert!(matches!(
            ring.unwrap(&altered, &owner()),
            Err(CryptoError::Authentication)
        ));
        let relabelled = WrappedKey {
            key_id: "k1".into(),
            ..wrapped.clone()
        };
        assert!(matches!(
            ring.unwrap(&relabelled, &owner()),
            Err(CryptoError::Authentication)
        ));
        let unknown = WrappedKey {
            key_id: "k9".into(),
            ..wrapped
        };
        let error = ring.unwrap(&unknown, &owner()).unwrap_err();
        assert!(
            matches!(&error, CryptoError::UnknownKeyId(id) if id == "k9"),
            "{error}"
        );
    }

    #[test]
    fn after_rotation_old_and_new_wraps_unwrap_and_rewrap_moves_to_the_current_key() {
        let old_ring = KeyRing::from_spec(&format!("k1:{K1},index:{IX}")).unwrap();
        let key = DataKey::generate();
        let sealed = key.seal_str(PHONE, "+41 79 123 45 67");
        let old_wrap = old_ring.wrap(&key, &owner());
        assert_eq!(old_wrap.key_id, "k1");

        let rotated = KeyRing::from_spec(&format!("k2:{K2},k1:{K1},index:{IX}")).unwrap();
        let new_wrap = rotated.wrap(&rotated.unwrap(&old_wrap, &owner()).unwrap(), &owner());
        assert_eq!(new_wrap.key_id, "k2");
        for wrapped in [&old_wrap, &new_wrap] {
            let unwrapped = rotated.unwrap(wrapped, &owner()).unwrap();
            assert_eq!(unwrapped.open_str(PHONE, &sealed).unwrap(), "+41 79 123 45 67");
        }

        let moved = rotated.rewrap(&old_wrap, &owner()).unwrap();
        assert_eq!(moved.key_id, "k2");
        let retired = KeyRing::from_spec(&format!("k2:{K2},index:{IX}")).unwrap();
        let unwrapped = retired.unwrap(&moved, &owner()).unwrap();
        assert_eq!(unwrapped.open_str(PHONE, &sealed).unwrap(), "+41 79 123 45 67");
        assert!(matches!(
            retired.unwrap(&old_wrap, &owner()),
            Err(CryptoError::UnknownKeyId(_))
        ));
    }

    #[test]
    fn debug_of_a_data_key_shows_nothing_of_it() {
        assert_eq!(format!("{:?}", DataKey::generate()), "DataKey([redacted])");
    }
}
