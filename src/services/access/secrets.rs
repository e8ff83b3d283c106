//! Bearer tokens, API-key secrets and password hashes.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use praxis_domain::password::Password;
use sha2::{Digest, Sha256};

use crate::services::error::ServiceError;

pub const API_KEY_PREFIX: &str = "prx_";
/// How much of a key is kept in clear so an admin can tell keys apart: the prefix and 8 hex digits.
const API_KEY_SHOWN_CHARS: usize = API_KEY_PREFIX.len() + 8;

/// 256 random bits, hex-encoded.
pub fn random_secret() -> Result<String, ServiceError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ServiceError::Internal(format!("no randomness: {e}")))?;
    Ok(hex::encode(bytes))
}

/// A strong password for an account created from the shell, printed once. Drawn again in the rare case
/// that it breaks the policy (hex can spell an e-mail's local part such as `cafe`).
pub fn generate_password(email: &str) -> Result<String, ServiceError> {
    loop {
        let candidate = random_secret()?[..32].to_owned();
        if praxis_domain::password::check_password(&candidate, email).is_ok() {
            return Ok(candidate);
        }
    }
}

/// A new API key: the secret shown once, and the prefix kept for listing.
pub fn new_api_key() -> Result<(String, String), ServiceError> {
    let secret = format!("{API_KEY_PREFIX}{}", random_secret()?);
    let shown = secret[..API_KEY_SHOWN_CHARS].to_owned();
    Ok((secret, shown))
}

/// Tokens carry 256 random bits, so a fast hash is enough: there is nothing to guess.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Argon2id with the OWASP-recommended parameters (19 MiB, 2 passes, 1 lane), off the async executor.
pub async fn hash_password(password: Password) -> Result<String, ServiceError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.expose().as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| ServiceError::Internal(format!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| ServiceError::Internal(e.to_string()))?
}

/// A hash of a password nobody knows, checked when there is no account, so that an unknown e-mail costs
/// the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let unknowable = random_secret().unwrap_or_else(|_| "praxis-dummy-password".to_owned());
    Argon2::default()
        .hash_password(unknowable.as_bytes())
        .map(|hash| hash.to_string())
        .expect("hashing a fixed-length password succeeds")
});

/// Whether `candidate` matches `stored`; with no stored hash, does the same work and answers false.
pub async fn verify_password(candidate: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let matches = Argon2::default()
            .verify_password(candidate.as_bytes(), hash.as_str())
            .is_ok();
        known && matches
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_keys_have_the_prefix_and_show_only_their_start() {
        let (secret, shown) = new_api_key().unwrap();
        assert!(secret.starts_with("prx_"));
        assert_eq!(secret.len(), 4 + 64);
        assert!(secret.starts_with(&shown));
        assert_eq!(shown.len(), 12);
    }

    #[test]
    fn token_hashes_are_stable_and_differ_from_the_token() {
        let token = random_secret().unwrap();
        assert_eq!(hash_token(&token), hash_token(&token));
        assert_ne!(hash_token(&token), token);
    }

    #[tokio::test]
    async fn a_password_verifies_against_its_own_hash_only() {
        let password = Password::new("correct horse battery staple", "kari@clinic.example").unwrap();
        let hash = hash_password(password).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery staple".into(), Some(hash.clone())).await);
        assert!(!verify_password("wrong horse battery staple".into(), Some(hash)).await);
        assert!(!verify_password("correct horse battery staple".into(), None).await);
    }
}
