//! Blind indexes: exact-match search over encrypted identifiers, phone numbers and e-mail addresses.
//!
//! The database stores, next to the sealed value, an HMAC-SHA256 of the normalized value under the ring's
//! `index` key. Equal values give equal indexes, so an equality lookup works, while someone holding the
//! database but not the key learns nothing from them. The organization id and the kind are part of the
//! input, so the same phone number in two organizations, or a value that is both an identifier and a
//! phone number, gives unrelated indexes: they cannot be joined across tenants or columns.
//!
//! The index key does not rotate with the master keys: a new one would mean recomputing every index.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use uuid::Uuid;

use super::{KeyRing, framed};

const LABEL: &[u8] = b"praxis/blind-index/v1";

impl KeyRing {
    /// 64 hex digits. `normalized` must already be in canonical form (the domain types normalize), or
    /// two spellings of one value would not match; `kind` names what it is, such as `phone`.
    pub fn blind_index(&self, organization_id: Uuid, kind: &str, normalized: &str) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.index.as_slice()).expect("HMAC takes a key of any length");
        mac.update(&framed(&[
            LABEL,
            organization_id.as_bytes(),
            kind.as_bytes(),
            normalized.as_bytes(),
        ]));
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::super::keyring::tests::{IX, K1, ring};
    use super::*;

    const ORG_A: Uuid = Uuid::from_u128(0xa);
    const ORG_B: Uuid = Uuid::from_u128(0xb);

    #[test]
    fn the_same_value_gives_the_same_index() {
        let ring = ring();
        let index = ring.blind_index(ORG_A, "phone", "+41791234567");
        assert_eq!(index, ring.blind_index(ORG_A, "phone", "+41791234567"));
        assert_eq!(index.len(), 64);
        assert!(index.chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn the_index_differs_by_organization_kind_and_value() {
        let ring = ring();
        let index = ring.blind_index(ORG_A, "phone", "+41791234567");
        assert_ne!(index, ring.blind_index(ORG_B, "phone", "+41791234567"));
        assert_ne!(index, ring.blind_index(ORG_A, "national_id", "+41791234567"));
        assert_ne!(index, ring.blind_index(ORG_A, "phone", "+41791234568"));
        // Moving bytes between kind and value must not give the same input.
        assert_ne!(
            ring.blind_index(ORG_A, "ab", "c"),
            ring.blind_index(ORG_A, "a", "bc")
        );
    }

    #[test]
    fn the_index_depends_on_the_index_key_and_does_not_contain_the_value() {
        let index = ring().blind_index(ORG_A, "email", "123456789");
        assert!(!index.contains("123456789"));
        assert!(!index.contains(&hex::encode("12345")));
        let other = KeyRing::from_spec(&format!("k1:{K1},index:{}", IX.replace('a', "c"))).unwrap();
        assert_ne!(index, other.blind_index(ORG_A, "email", "123456789"));
        // Master keys play no part: rotating them keeps every index valid.
        let rotated = ring().with_new_master_key().unwrap();
        assert_eq!(index, rotated.blind_index(ORG_A, "email", "123456789"));
    }

    #[test]
    fn the_index_is_hmac_sha256_over_the_framed_input() {
        let ring = KeyRing::from_spec(&format!("k1:{K1},index:{IX}")).unwrap();
        let mut expected = Hmac::<Sha256>::new_from_slice(&hex::decode(IX).unwrap()).unwrap();
        let mut input = Vec::new();
        let parts: [&[u8]; 4] = [LABEL, ORG_A.as_bytes(), b"phone", b"+41791234567"];
        for part in parts {
            input.extend_from_slice(&(part.len() as u64).to_be_bytes());
            input.extend_from_slice(part);
        }
        expected.update(&input);
        assert_eq!(
            ring.blind_index(ORG_A, "phone", "+41791234567"),
            hex::encode(expected.finalize().into_bytes())
        );
    }
}
