//! Encryption at rest: the primitives the patient store builds on. No database and no HTTP here.
//!
//! - [`KeyRing`]: the organization's master keys (by key id, the first one current) and a separate
//!   blind-index key, from the `PRAXIS_MASTER_KEY` setting or the `master.keys` file in the data directory.
//! - [`DataKey`]: one per patient, stored only as a [`WrappedKey`] (AES-256-GCM under a master key, bound to
//!   its owner). Destroying the wrapped key destroys every field sealed under it (crypto-shredding).
//! - [`DataKey::seal`] / [`DataKey::open`]: AES-256-GCM field encryption, bound to the field's name.
//! - [`KeyRing::blind_index`]: HMAC-SHA256 over a normalized value, for exact-match search.
//!
//! Every AES-GCM message has the same layout: a format version byte, a random 96-bit nonce, then the
//! ciphertext with its 128-bit tag. Random nonces are safe here because no key seals anywhere near 2^32
//! messages: a data key serves one patient and a master key only wraps data keys.

mod blind_index;
mod envelope;
mod key_file;
mod keyring;
mod live;

use std::io;
use std::path::PathBuf;

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit};
use zeroize::Zeroizing;

pub use envelope::{DataKey, WrappedKey, owner_aad};
pub use key_file::KEY_FILE_NAME;
pub use keyring::KeyRing;
pub use live::LiveKeys;

/// What went wrong. No variant ever carries key bytes or plaintext.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("master key setting (PRAXIS_MASTER_KEY): {0}")]
    InvalidSpec(String),
    #[error("key file {}: {message}", path.display())]
    InvalidKeyFile { path: PathBuf, message: String },
    #[error(
        "key file {} can be read or written by group or others (mode {mode:04o}); run `chmod 600 {}`",
        path.display(),
        path.display()
    )]
    KeyFilePermissions { path: PathBuf, mode: u32 },
    #[error("key file {}: {source}", path.display())]
    KeyFileIo {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("unknown master key id `{0}`: the key ring no longer holds it")]
    UnknownKeyId(String),
    #[error("decryption failed: wrong key, wrong owner or field, or altered data")]
    Authentication,
    #[error("malformed ciphertext: {0}")]
    Malformed(String),
    #[error("decrypted field is not UTF-8")]
    NotUtf8,
    #[error("the operating system gave no randomness: {0}")]
    Randomness(String),
}

/// 256-bit key material, wiped from memory when dropped.
type Secret = Zeroizing<[u8; KEY_LEN]>;

const KEY_LEN: usize = 32;
/// Bumped if the layout or the algorithm ever changes, so old ciphertext stays readable.
const FORMAT_VERSION: u8 = 1;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const HEADER_LEN: usize = 1 + NONCE_LEN;

fn fill_random(bytes: &mut [u8]) -> Result<(), CryptoError> {
    getrandom::fill(bytes).map_err(|e| CryptoError::Randomness(e.to_string()))
}

/// For the hot paths (new data keys, nonces), which would otherwise all return a `Result` for a failure
/// the Linux kernel does not produce once booted.
fn must_fill_random(bytes: &mut [u8]) {
    if let Err(error) = fill_random(bytes) {
        panic!("{error}");
    }
}

fn random_secret() -> Result<Secret, CryptoError> {
    let mut secret = Zeroizing::new([0u8; KEY_LEN]);
    fill_random(secret.as_mut_slice())?;
    Ok(secret)
}

/// Joins parts so that no two different lists encode alike: each part is preceded by its length.
fn framed(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(parts.iter().map(|part| 8 + part.len()).sum());
    for part in parts {
        out.extend_from_slice(&(part.len() as u64).to_be_bytes());
        out.extend_from_slice(part);
    }
    out
}

/// AES-256-GCM with a fresh random nonce: `version ‖ nonce ‖ ciphertext ‖ tag`.
fn aead_seal(key: &[u8; KEY_LEN], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let mut nonce = [0u8; NONCE_LEN];
    must_fill_random(&mut nonce);
    let ciphertext = Aes256Gcm::new(key.into())
        .encrypt(&nonce.into(), Payload { msg: plaintext, aad })
        .expect("AES-GCM seals anything shorter than 64 GiB");
    let mut out = Vec::with_capacity(HEADER_LEN + ciphertext.len());
    out.push(FORMAT_VERSION);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ciphertext);
    out
}

fn aead_open(key: &[u8; KEY_LEN], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if sealed.len() < HEADER_LEN + TAG_LEN {
        return Err(CryptoError::Malformed(format!(
            "{} bytes, shorter than the {} bytes of header and tag",
            sealed.len(),
            HEADER_LEN + TAG_LEN
        )));
    }
    if sealed[0] != FORMAT_VERSION {
        return Err(CryptoError::Malformed(format!(
            "unknown format version {}",
            sealed[0]
        )));
    }
    let nonce: [u8; NONCE_LEN] = sealed[1..HEADER_LEN].try_into().expect("length checked above");
    Aes256Gcm::new(key.into())
        .decrypt(
            &nonce.into(),
            Payload {
                msg: &sealed[HEADER_LEN..],
                aad,
            },
        )
        .map_err(|_| CryptoError::Authentication)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Test case 14 of the GCM specification (McGrew and Viega): zero key, zero nonce, one zero block.
    /// It pins the layout to plain AES-256-GCM, so any other implementation can read what Praxis wrote.
    #[test]
    fn the_layout_is_version_nonce_and_standard_aes_256_gcm() {
        let mut sealed = vec![FORMAT_VERSION];
        sealed.extend_from_slice(&[0u8; NONCE_LEN]);
        sealed.extend_from_slice(&hex::decode("cea7403d4d606b6e074ec5d3baf39d18").unwrap());
        sealed.extend_from_slice(&hex::decode("d0d1c8a799996bf0265b98b5d48ab919").unwrap());
        assert_eq!(aead_open(&[0u8; KEY_LEN], b"", &sealed).unwrap(), [0u8; 16]);
    }

    #[test]
    fn framing_keeps_the_boundaries_between_parts() {
        assert_ne!(framed(&[b"ab", b"c"]), framed(&[b"a", b"bc"]));
        assert_eq!(framed(&[b"x"]), [0, 0, 0, 0, 0, 0, 0, 1, b'x']);
    }
}
