//! The password policy of the security model, and a type for a new password that has passed it.
//!
//! The policy follows NIST SP 800-63B: length and a blocklist rather than composition rules, which push
//! people towards `Password1!`.

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

/// Fewer characters than this are too easy to guess offline, whatever their mix.
pub const MIN_CHARS: usize = 12;

/// Long enough for any passphrase, short enough that hashing a hostile input stays cheap.
pub const MAX_CHARS: usize = 1024;

/// Local parts this short would turn up by chance in many good passwords (`jo@…` in "majolica-…"), so
/// refusing them would cost users much and an attacker who guesses from the e-mail address nothing.
const MIN_LOCAL_PART_CHARS: usize = 3;

/// Lowercase, one per line; its provenance is in `data/README.md`.
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("../data/common-passwords.txt").lines().collect());

/// Why a new password was refused. Messages name the rule, never the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordRejected {
    #[error("the password must have at least {min} characters")]
    TooShort { min: usize },
    #[error("the password must have at most {max} characters")]
    TooLong { max: usize },
    #[error("the password is among the most common passwords")]
    TooCommon,
    #[error("the password must not contain the e-mail address's local part")]
    ContainsEmail,
}

impl PasswordRejected {
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooShort { .. } => "too_short",
            Self::TooLong { .. } => "too_long",
            Self::TooCommon => "too_common",
            Self::ContainsEmail => "contains_email",
        }
    }
}

/// Checks a password that a user chooses for the account with this e-mail address.
///
/// Only for setting a password: logging in must compare with the stored hash alone, or a policy change
/// would lock out users whose older passwords no longer pass.
pub fn check_password(candidate: &str, email: &str) -> Result<(), PasswordRejected> {
    // Counting stops past the maximum, so a huge input costs no more than a long one.
    let chars = candidate.chars().take(MAX_CHARS + 1).count();
    if chars < MIN_CHARS {
        return Err(PasswordRejected::TooShort { min: MIN_CHARS });
    }
    if chars > MAX_CHARS {
        return Err(PasswordRejected::TooLong { max: MAX_CHARS });
    }
    let lowered = candidate.to_lowercase();
    if COMMON_PASSWORDS.contains(lowered.as_str()) {
        return Err(PasswordRejected::TooCommon);
    }
    // The last `@` separates the domain: a quoted local part may itself contain `@`.
    let local_part = email
        .rsplit_once('@')
        .map_or(email, |(local, _)| local)
        .to_lowercase();
    if local_part.chars().count() >= MIN_LOCAL_PART_CHARS && lowered.contains(&local_part) {
        return Err(PasswordRejected::ContainsEmail);
    }
    Ok(())
}

/// A new password that passed [`check_password`], on its way to the hasher.
///
/// It is a secret: `Debug` redacts it, and it has no `Display`, `Serialize` or `Clone`, so it cannot end
/// up in a log line, a response or a stray copy by accident.
pub struct Password(String);

impl Password {
    pub fn new(candidate: impl Into<String>, email: &str) -> Result<Self, PasswordRejected> {
        let candidate = candidate.into();
        check_password(&candidate, email)?;
        Ok(Self(candidate))
    }

    /// The clear text, for the password hasher only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Password").field(&"[redacted]").finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const EMAIL: &str = "anna.meier@praxis-example.ch";
    const STRONG: &str = "correct horse battery staple";

    #[test]
    fn the_common_password_list_has_exactly_ten_thousand_distinct_lowercase_entries() {
        let text = include_str!("../data/common-passwords.txt");
        assert_eq!(text.lines().count(), 10_000);
        assert_eq!(COMMON_PASSWORDS.len(), 10_000);
        assert!(
            text.lines()
                .all(|line| !line.is_empty() && line == line.to_lowercase())
        );
    }

    #[test]
    fn a_strong_passphrase_is_accepted() {
        assert_eq!(check_password(STRONG, EMAIL), Ok(()));
        assert_eq!(Password::new(STRONG, EMAIL).unwrap().expose(), STRONG);
    }

    #[test]
    fn a_password_of_eleven_characters_is_refused_and_one_of_twelve_is_not() {
        assert_eq!(check_password("Tr0ub4dor&3x", EMAIL), Ok(()));
        let refused = check_password("Tr0ub4dor&3", EMAIL).unwrap_err();
        assert_eq!(refused, PasswordRejected::TooShort { min: 12 });
        assert_eq!(refused.code(), "too_short");
        assert_eq!(
            refused.to_string(),
            "the password must have at least 12 characters"
        );
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // Eleven two-byte characters: 22 bytes, still too short.
        assert!(matches!(
            check_password("ééééééééééé", EMAIL),
            Err(PasswordRejected::TooShort { .. })
        ));
        assert_eq!(check_password("żółw-gęś-ćma-źdźbło", EMAIL), Ok(()));
    }

    #[test]
    fn a_password_longer_than_the_maximum_is_refused() {
        assert_eq!(check_password(&"x1-".repeat(342)[..MAX_CHARS], EMAIL), Ok(()));
        let refused = check_password(&"a".repeat(MAX_CHARS + 1), EMAIL).unwrap_err();
        assert_eq!(
            (refused.clone(), refused.code()),
            (PasswordRejected::TooLong { max: 1024 }, "too_long")
        );
    }

    #[test]
    fn a_top_ranked_common_password_is_refused_whatever_its_case() {
        for common in ["qwerty123456", "QWERTY123456", "1qaz2wsx3edc", "123qweasdzxc"] {
            let refused = check_password(common, EMAIL).unwrap_err();
            assert_eq!(
                (refused.clone(), refused.code()),
                (PasswordRejected::TooCommon, "too_common")
            );
        }
    }

    #[test]
    fn a_password_containing_the_email_local_part_is_refused() {
        let refused = check_password("Anna.Meier-2024-summer", EMAIL).unwrap_err();
        assert_eq!(
            (refused.clone(), refused.code()),
            (PasswordRejected::ContainsEmail, "contains_email")
        );
    }

    #[test]
    fn the_domain_of_the_email_is_not_part_of_the_rule() {
        assert_eq!(check_password("praxis-example.ch rocks!", EMAIL), Ok(()));
    }

    #[test]
    fn a_local_part_shorter_than_three_characters_is_ignored() {
        assert_eq!(check_password("majolica pottery jar", "jo@example.org"), Ok(()));
        assert!(check_password("majolica pottery jar", "jar@example.org").is_err());
    }

    #[test]
    fn debug_never_shows_the_password() {
        let password = Password::new(STRONG, EMAIL).unwrap();
        assert_eq!(format!("{password:?}"), r#"Password("[redacted]")"#);
    }

    proptest! {
        #[test]
        fn any_password_containing_the_local_part_is_refused(
            before in "[a-z0-9 ]{0,12}",
            local in "[a-z0-9._-]{3,20}",
            after in "[a-z0-9 ]{12,20}",
        ) {
            let candidate = format!("{before}{}{after}", local.to_uppercase());
            let email = format!("{local}@example.org");
            prop_assert!(check_password(&candidate, &email).is_err());
        }

        #[test]
        // Starting with a capital or a digit, such a candidate cannot match a word of any message by chance;
        // its own letters make up the local part, so both the length and the e-mail rules get exercised.
        fn a_refusal_never_echoes_the_password(candidate in "[A-Z0-9][A-Za-z0-9]{5,39}") {
            let email = format!("{}@example.org", &candidate[1..4]);
            if let Err(refused) = check_password(&candidate, &email) {
                prop_assert!(!refused.to_string().contains(&candidate));
            }
        }
    }
}
