//! Idempotency keys: a client names a creating request so that sending it again, after a lost answer, returns
//! the first answer instead of creating a second record.

use std::fmt;

use sha2::{Digest, Sha256};

/// How long the first answer to a key is kept and replayed; after that the key counts as unused.
pub const REPLAY_WINDOW_SECS: i64 = 24 * 60 * 60;

/// The longest key taken: room for a UUID with any prefix a client likes, short enough to index.
pub const MAX_KEY_LEN: usize = 255;

/// A key as the `Idempotency-Key` header carries it: 1 to 255 visible ASCII characters (no spaces or
/// controls), compared exactly. Clients usually send a UUID.
///
/// A client may put anything in it, so `Debug` shows only its length.
#[derive(Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Idempotency-Key must be 1 to 255 visible ASCII characters, without spaces")]
pub struct IdempotencyKeyError;

impl IdempotencyKey {
    pub fn parse(raw: &[u8]) -> Result<Self, IdempotencyKeyError> {
        let visible = |byte: &u8| byte.is_ascii_graphic();
        if raw.is_empty() || raw.len() > MAX_KEY_LEN || !raw.iter().all(visible) {
            return Err(IdempotencyKeyError);
        }
        let text = std::str::from_utf8(raw).map_err(|_| IdempotencyKeyError)?;
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdempotencyKey({} characters)", self.0.len())
    }
}

/// What makes two requests "the same request": method, path with query, and the body byte for byte.
/// A replay must match it; the same key with another fingerprint is a client error, not a replay.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RequestFingerprint([u8; 32]);

impl RequestFingerprint {
    /// SHA-256 over the three parts, each preceded by its length so no two different requests encode alike.
    pub fn of(method: &str, path_and_query: &str, body: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        for part in [method.as_bytes(), path_and_query.as_bytes(), body] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part);
        }
        Self(hasher.finalize().into())
    }

    pub fn to_hex(self) -> String {
        hex::encode(self.0)
    }
}

/// The body holds personal data, and a digest of it could be tested against guesses: never print it.
impl fmt::Debug for RequestFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RequestFingerprint(..)")
    }
}

/// Whether an answer with this status is kept for replay. Server faults (5xx) and rate limiting (429) are
/// passing conditions: the client is meant to retry them, and the retry must be able to run.
pub fn answer_is_kept(status: u16) -> bool {
    status < 500 && status != 429
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn uuids_and_other_visible_ascii_are_keys() {
        let key = IdempotencyKey::parse(b"0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11").unwrap();
        assert_eq!(key.as_str(), "0193b1f4-5a53-7c3e-9a43-2f0f6f8e4b11");
        assert!(IdempotencyKey::parse(b"order:42/try#1!").is_ok());
        assert!(IdempotencyKey::parse(&[b'k'; MAX_KEY_LEN]).is_ok());
    }

    #[test]
    fn empty_long_spaced_control_and_non_ascii_keys_are_refused() {
        for raw in [
            &b""[..],
            &[b'k'; MAX_KEY_LEN + 1],
            b"two words",
            b"tab\there",
            b"line\nbreak",
            "blåbær".as_bytes(),
            b"\x7f",
        ] {
            assert_eq!(IdempotencyKey::parse(raw), Err(IdempotencyKeyError), "{raw:?}");
        }
    }

    #[test]
    fn debug_shows_neither_the_key_nor_the_fingerprint() {
        let key = IdempotencyKey::parse(b"kari-ostby-01019012480").unwrap();
        assert_eq!(format!("{key:?}"), "IdempotencyKey(22 characters)");
        let fingerprint = RequestFingerprint::of("POST", "/api/v1/patients", b"{}");
        assert!(!format!("{fingerprint:?}").contains(&fingerprint.to_hex()[..8]));
    }

    #[test]
    fn method_path_and_body_each_count() {
        let base = RequestFingerprint::of("POST", "/api/v1/patients", b"{\"a\":1}");
        assert_eq!(
            base,
            RequestFingerprint::of("POST", "/api/v1/patients", b"{\"a\":1}")
        );
        assert_ne!(
            base,
            RequestFingerprint::of("PUT", "/api/v1/patients", b"{\"a\":1}")
        );
        assert_ne!(
            base,
            RequestFingerprint::of("POST", "/api/v1/contacts", b"{\"a\":1}")
        );
        assert_ne!(
            base,
            RequestFingerprint::of("POST", "/api/v1/patients", b"{\"a\": 1}")
        );
        assert_eq!(base.to_hex().len(), 64);
    }

    #[test]
    fn server_faults_and_rate_limits_are_not_kept() {
        for status in [200, 201, 400, 403, 404, 409, 422] {
            assert!(answer_is_kept(status), "{status}");
        }
        for status in [429, 500, 502, 503] {
            assert!(!answer_is_kept(status), "{status}");
        }
    }

    proptest! {
        #[test]
        fn moving_bytes_between_path_and_body_changes_the_fingerprint(
            path in "[a-z/]{0,12}", body in proptest::collection::vec(any::<u8>(), 1..12)
        ) {
            let mut longer_path = path.clone();
            longer_path.push(body[0] as char);
            prop_assume!(longer_path.len() == path.len() + 1);
            prop_assert_ne!(
                RequestFingerprint::of("POST", &path, &body),
                RequestFingerprint::of("POST", &longer_path, &body[1..])
            );
        }
    }
}
