//! E-mail addresses: users' login names and patients' contact addresses.
//!
//! An address is personal data. Its `Display` prints it, because a user must be able to see their own
//! address; its `Debug` never does, so that a value reaching a log line through `{:?}` leaks nothing. Error
//! messages never repeat the input either.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A syntactically valid address in the form mail systems deliver to in practice.
///
/// The local part is a dot-atom of ASCII letters, digits and ``!#$%&'*+-/=?^_`{|}~`` (no quoted local
/// parts, no internationalised local parts: few systems deliver to them). The domain is a host name of at
/// least two labels, each 1–63 letters, digits or hyphens, not starting or ending with a hyphen, and a
/// top-level label that is not all digits (an IP literal is not an address a clinic should mail). An
/// internationalised domain must be given already in its punycode form (`xn--...`): converting Unicode
/// domains needs IDNA tables this crate does not carry, and a half-right conversion would send mail to
/// the wrong place.
///
/// The local part is kept as given, since a few mail systems do deliver by case. Praxis itself treats
/// addresses case-insensitively, as users expect: equality and hashing ignore ASCII case, and logins and
/// uniqueness use [`EmailAddress::normalized`].
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress {
    /// The address with its domain lowercased.
    address: String,
    /// Where the `@` is in `address`.
    at: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailAddressError {
    #[error("An e-mail address must not be empty.")]
    Empty,
    #[error("An e-mail address must be at most 254 characters long.")]
    TooLong,
    #[error("An e-mail address must contain exactly one @.")]
    At,
    #[error("The part of an e-mail address before the @ must be 1 to 64 characters long.")]
    LocalPartLength,
    #[error("The part of an e-mail address before the @ contains a character or dot that is not allowed.")]
    LocalPart,
    #[error("The domain of an e-mail address must be a host name such as example.no.")]
    Domain,
}

impl EmailAddressError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "email_empty",
            Self::TooLong => "email_too_long",
            Self::At => "email_at",
            Self::LocalPartLength => "email_local_part_length",
            Self::LocalPart => "email_local_part",
            Self::Domain => "email_domain",
        }
    }
}

impl EmailAddress {
    pub const MAX_LEN: usize = 254;
    pub const MAX_LOCAL_PART_LEN: usize = 64;

    pub fn as_str(&self) -> &str {
        &self.address
    }

    /// The part before the `@`, as given; the password rules refuse passwords that contain it.
    pub fn local_part(&self) -> &str {
        &self.address[..self.at]
    }

    /// The part after the `@`, lowercased.
    pub fn domain(&self) -> &str {
        &self.address[self.at + 1..]
    }

    /// The whole address lowercased: the form to compare, look up and blind-index by, so that
    /// `Kari@Example.no` and `kari@example.no` are the same user.
    pub fn normalized(&self) -> String {
        self.address.to_ascii_lowercase()
    }
}

fn is_atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b)
}

fn is_valid_local_part(local: &str) -> bool {
    local
        .split('.')
        .all(|atom| !atom.is_empty() && atom.bytes().all(is_atext))
}

fn is_valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let valid_label = |label: &&str| {
        (1..=63).contains(&label.len())
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    labels.len() >= 2
        && labels.iter().all(valid_label)
        && labels
            .last()
            .is_some_and(|tld| !tld.bytes().all(|b| b.is_ascii_digit()))
}

impl FromStr for EmailAddress {
    type Err = EmailAddressError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let address = s.trim();
        if address.is_empty() {
            return Err(EmailAddressError::Empty);
        }
        if address.len() > Self::MAX_LEN {
            return Err(EmailAddressError::TooLong);
        }
        let (local, domain) = address.split_once('@').ok_or(EmailAddressError::At)?;
        if domain.contains('@') {
            return Err(EmailAddressError::At);
        }
        if local.is_empty() || local.len() > Self::MAX_LOCAL_PART_LEN {
            return Err(EmailAddressError::LocalPartLength);
        }
        if !is_valid_local_part(local) {
            return Err(EmailAddressError::LocalPart);
        }
        if !is_valid_domain(domain) {
            return Err(EmailAddressError::Domain);
        }
        Ok(Self {
            address: format!("{local}@{}", domain.to_ascii_lowercase()),
            at: local.len(),
        })
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = EmailAddressError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.address
    }
}

impl PartialEq for EmailAddress {
    fn eq(&self, other: &Self) -> bool {
        self.address.eq_ignore_ascii_case(&other.address)
    }
}

impl Eq for EmailAddress {}

impl Hash for EmailAddress {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.normalized().hash(state);
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.address)
    }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EmailAddress([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn email(s: &str) -> EmailAddress {
        s.parse().unwrap()
    }

    #[test]
    fn email_accepts_ordinary_addresses() {
        for ok in [
            "kari@example.no",
            "kari.nordmann+praxis@mail.example.no",
            "o'brien@example.ie",
            "x@a-b.co",
            "post@xn--bcher-kva.example",
            "1234@example.com",
        ] {
            assert_eq!(email(ok).as_str(), ok);
        }
    }

    #[test]
    fn email_is_trimmed_and_its_domain_lowercased() {
        let address = email("  Kari.Nordmann@Example.NO \n");
        assert_eq!(address.as_str(), "Kari.Nordmann@example.no");
        assert_eq!(address.local_part(), "Kari.Nordmann");
        assert_eq!(address.domain(), "example.no");
    }

    #[test]
    fn email_compares_case_insensitively() {
        let a = email("Kari@Example.no");
        let b = email("kari@example.NO");
        assert_eq!(a, b);
        assert_eq!(a.normalized(), "kari@example.no");
        assert_eq!(a.normalized(), b.normalized());
        let set: std::collections::HashSet<_> = [a, b].into_iter().collect();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn email_refuses_each_broken_rule_with_its_code() {
        let long_local = format!("{}@example.no", "a".repeat(65));
        let long_address = format!("a@{}.no", vec!["b".repeat(60); 5].join("."));
        let cases = [
            ("", "email_empty"),
            ("   ", "email_empty"),
            (long_address.as_str(), "email_too_long"),
            ("kari.example.no", "email_at"),
            ("kari@nordmann@example.no", "email_at"),
            ("@example.no", "email_local_part_length"),
            (long_local.as_str(), "email_local_part_length"),
            ("kari nordmann@example.no", "email_local_part"),
            (".kari@example.no", "email_local_part"),
            ("kari.@example.no", "email_local_part"),
            ("kari..n@example.no", "email_local_part"),
            ("\"kari\"@example.no", "email_local_part"),
            ("kåre@example.no", "email_local_part"),
            ("kari@localhost", "email_domain"),
            ("kari@", "email_domain"),
            ("kari@example.no.", "email_domain"),
            ("kari@-example.no", "email_domain"),
            ("kari@example-.no", "email_domain"),
            ("kari@exa_mple.no", "email_domain"),
            ("kari@bücher.de", "email_domain"),
            ("kari@10.0.0.1", "email_domain"),
            ("kari@[10.0.0.1]", "email_domain"),
        ];
        for (input, code) in cases {
            assert_eq!(
                input.parse::<EmailAddress>().unwrap_err().code(),
                code,
                "{input:?}"
            );
        }
    }

    #[test]
    fn email_length_limits_are_inclusive() {
        let local = "a".repeat(64);
        assert_eq!(email(&format!("{local}@example.no")).local_part(), local);
        let domain = format!(
            "{}.{}.{}.{}",
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(63),
            "e".repeat(60)
        );
        assert_eq!(email(&format!("a@{domain}")).as_str().len(), 254);
    }

    #[test]
    fn email_debug_is_redacted_but_display_shows_the_address() {
        let address = email("kari@example.no");
        assert_eq!(format!("{address:?}"), "EmailAddress([redacted])");
        assert_eq!(address.to_string(), "kari@example.no");
    }

    #[test]
    fn email_errors_do_not_echo_the_input() {
        let err = "kari nordmann@example.no".parse::<EmailAddress>().unwrap_err();
        assert!(!err.to_string().contains("kari"));
        assert!(!format!("{err:?}").contains("kari"));
    }

    #[test]
    fn email_serde_round_trips_and_refuses_invalid() {
        let address = email("Kari@Example.no");
        let json = serde_json::to_string(&address).unwrap();
        assert_eq!(json, r#""Kari@example.no""#);
        let back: EmailAddress = serde_json::from_str(&json).unwrap();
        assert_eq!(back.as_str(), "Kari@example.no");
        assert!(serde_json::from_str::<EmailAddress>(r#""kari@localhost""#).is_err());
    }

    proptest! {
        #[test]
        fn email_parsing_is_idempotent(s in "[ -~]{0,80}") {
            if let Ok(address) = s.parse::<EmailAddress>() {
                let again: EmailAddress = address.as_str().parse().unwrap();
                prop_assert_eq!(again.as_str(), address.as_str());
                prop_assert_eq!(address.as_str().matches('@').count(), 1);
                prop_assert!(address.as_str().len() <= EmailAddress::MAX_LEN);
            }
        }

        #[test]
        fn email_accepts_generated_valid_addresses(
            local in "[a-zA-Z0-9_+-]{1,20}(\\.[a-zA-Z0-9_+-]{1,20}){0,2}",
            labels in proptest::collection::vec("[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?", 1..4),
            tld in "[a-zA-Z]{2,10}",
        ) {
            let input = format!("{local}@{}.{tld}", labels.join("."));
            let address: EmailAddress = input.parse().unwrap();
            prop_assert_eq!(address.local_part(), local.as_str());
            prop_assert_eq!(address.normalized(), input.to_ascii_lowercase());
        }
    }
}
