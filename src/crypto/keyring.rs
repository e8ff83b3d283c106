//! The key ring: master keys by id, the current one first, and the blind-index key.
//!
//! Format, shared by the `PRAXIS_MASTER_KEY` setting and the `master.keys` file: entries `<id>:<64 hex
//! digits>` separated by commas, semicolons or newlines; blank lines and lines starting with `#` are
//! ignored. The entry named `index` is the blind-index key; every other entry is a master key, and the
//! first one listed is current (new wraps use it). Older master keys stay listed so that data keys
//! wrapped under them still unwrap. Example: `k2:<hex>,k1:<hex>;index:<hex>`.

use std::fmt;

use zeroize::Zeroizing;

use super::{CryptoError, KEY_LEN, Secret, random_secret};

/// The name of the blind-index entry; no master key may use it.
pub(super) const INDEX_KEY_ID: &str = "index";
/// Key ids are stored next to every wrapped data key, so they stay short and plain.
const MAX_KEY_ID_LEN: usize = 32;

/// The organization's keys. `Debug` shows key ids only.
pub struct KeyRing {
    /// Never empty; the first is current.
    pub(super) master: Vec<MasterKey>,
    pub(super) index: Secret,
}

pub(super) struct MasterKey {
    pub(super) id: String,
    pub(super) key: Secret,
}

impl KeyRing {
    /// Reads the value of `PRAXIS_MASTER_KEY` (format in the module documentation).
    pub fn from_spec(spec: &str) -> Result<Self, CryptoError> {
        let entries = spec
            .split(['\n', ',', ';'])
            .enumerate()
            .map(|(number, entry)| (format!("entry {}", number + 1), entry));
        Self::parse(entries).map_err(CryptoError::InvalidSpec)
    }

    /// Parses the key file's text; errors name the line. A comment line is skipped whole, commas and all.
    pub(super) fn from_file_text(text: &str) -> Result<Self, String> {
        let lines = text.lines().enumerate();
        let entries = lines
            .filter(|(_, line)| !line.trim_start().starts_with('#'))
            .flat_map(|(number, line)| {
                line.split([',', ';'])
                    .map(move |entry| (format!("line {}", number + 1), entry))
            });
        Self::parse(entries)
    }

    /// A new ring with fresh random keys: one master key `k1` and the index key.
    pub(super) fn generate() -> Result<Self, CryptoError> {
        Ok(Self {
            master: vec![MasterKey {
                id: "k1".to_owned(),
                key: random_secret()?,
            }],
            index: random_secret()?,
        })
    }

    /// The same ring with a fresh master key in front, named after the highest `k<n>` id plus one.
    pub(super) fn with_new_master_key(mut self) -> Result<Self, CryptoError> {
        let highest = self
            .master
            .iter()
            .filter_map(|key| key.id.strip_prefix('k')?.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        let key = MasterKey {
            id: format!("k{}", highest + 1),
            key: random_secret()?,
        };
        self.master.insert(0, key);
        Ok(self)
    }

    /// The ring in the file and setting format, one entry per line. Zeroized when dropped, and allocated
    /// once so that no reallocation leaves a copy of the keys behind.
    pub(super) fn to_text(&self) -> Zeroizing<String> {
        let entries = self
            .master
            .iter()
            .map(|key| (key.id.as_str(), &key.key))
            .chain([(INDEX_KEY_ID, &self.index)]);
        let capacity = entries.clone().map(|(id, _)| id.len() + 2 * KEY_LEN + 2).sum();
        let mut text = Zeroizing::new(String::with_capacity(capacity));
        for (id, key) in entries {
            text.push_str(id);
            text.push(':');
            text.push_str(&Zeroizing::new(hex::encode(key.as_slice())));
            text.push('\n');
        }
        text
    }

    /// The id new wraps are made under.
    pub fn current_key_id(&self) -> &str {
        &self.master[0].id
    }

    /// Every master key id, the current one first.
    pub fn key_ids(&self) -> impl Iterator<Item = &str> {
        self.master.iter().map(|key| key.id.as_str())
    }

    pub(super) fn current(&self) -> &MasterKey {
        &self.master[0]
    }

    pub(super) fn master_key(&self, id: &str) -> Result<&MasterKey, CryptoError> {
        self.master
            .iter()
            .find(|key| key.id == id)
            .ok_or_else(|| CryptoError::UnknownKeyId(id.to_owned()))
    }

    /// Error messages name an entry by its position and id, never by its text: a mistyped entry may
    /// still hold most of a key.
    fn parse<'a>(entries: impl Iterator<Item = (String, &'a str)>) -> Result<Self, String> {
        let mut master: Vec<MasterKey> = Vec::new();
        let mut index: Option<Secret> = None;
        for (place, entry) in entries {
            let entry = entry.trim();
            if entry.is_empty() || entry.starts_with('#') {
                continue;
            }
            let (id, hex_key) = entry
                .split_once(':')
                .ok_or_else(|| format!("{place} is not `<id>:<64 hex digits>`"))?;
            let id = id.trim();
            check_key_id(id).map_err(|message| format!("{place}: {message}"))?;
            let key = decode_key(hex_key.trim()).map_err(|message| format!("{place} (`{id}`): {message}"))?;
            let duplicate =
                master.iter().any(|known| known.id == id) || (id == INDEX_KEY_ID && index.is_some());
            if duplicate {
                return Err(format!("{place}: key id `{id}` appears twice"));
            }
            if id == INDEX_KEY_ID {
                index = Some(key);
            } else {
                master.push(MasterKey {
                    id: id.to_owned(),
                    key,
                });
            }
        }
        let index = index.ok_or("no `index:` entry: the blind index needs its own key")?;
        if master.is_empty() {
            return Err("no master key: add an entry such as `k1:<64 hex digits>`".to_owned());
        }
        // One key for two algorithms would tie the index's secrecy to the master key's, and back.
        if master.iter().any(|key| *key.key == *index) {
            return Err("the `index` key must differ from every master key".to_owned());
        }
        Ok(Self { master, index })
    }
}

fn check_key_id(id: &str) -> Result<(), String> {
    let well_formed = !id.is_empty()
        && id.len() <= MAX_KEY_ID_LEN
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if well_formed {
        Ok(())
    } else {
        Err(format!(
            "a key id is 1 to {MAX_KEY_ID_LEN} letters, digits, `-` or `_` (such as `k1`)"
        ))
    }
}

/// The hex crate's own errors quote the offending character, which is key material: they are not used.
fn decode_key(hex_key: &str) -> Result<Secret, String> {
    if hex_key.len() != 2 * KEY_LEN {
        return Err(format!(
            "a key is {} hex digits (32 bytes), this one has {} characters",
            2 * KEY_LEN,
            hex_key.chars().count()
        ));
    }
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    hex::decode_to_slice(hex_key, key.as_mut_slice())
        .map_err(|_| "a key holds only hex digits (0-9, a-f)".to_owned())?;
    if key.iter().all(|byte| *byte == 0) {
        return Err("the key is all zeros; generate one with `openssl rand -hex 32`".to_owned());
    }
    Ok(key)
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("current", &self.current_key_id())
            .field("master_keys", &self.key_ids().collect::<Vec<_>>())
            .field("index_key", &"[redacted]")
            .finish()
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(crate) const K1: &str = "1111111111111111111111111111111111111111111111111111111111111111";
    pub(crate) const K2: &str = "2222222222222222222222222222222222222222222222222222222222222222";
    pub(crate) const IX: &str = "abababababababababababababababababababababababababababababababab";

    pub(crate) fn ring() -> KeyRing {
        KeyRing::from_spec(&format!("k2:{K2},k1:{K1};index:{IX}")).unwrap()
    }

    fn spec_error(spec: &str) -> String {
        KeyRing::from_spec(spec).unwrap_err().to_string()
    }

    #[test]
    fn the_first_master_key_in_a_spec_is_current_and_index_is_separate() {
        let ring = ring();
        assert_eq!(ring.current_key_id(), "k2");
        assert_eq!(ring.key_ids().collect::<Vec<_>>(), ["k2", "k1"]);
        let spaced = KeyRing::from_spec(&format!(" k1 : {K1} ;\n index:{IX} ")).unwrap();
        assert_eq!(spaced.current_key_id(), "k1");
    }

    #[test]
    fn spec_errors_name_the_entry_and_never_echo_key_material() {
        let cases = [
            (format!("k1:{K1}"), "no `index:` entry"),
            (format!("index:{IX}"), "no master key"),
            (
                format!("k1:{}", &K1[..40]),
                "entry 1 (`k1`): a key is 64 hex digits",
            ),
            (
                format!("k1:{K1},index:{}zz", &IX[..62]),
                "entry 2 (`index`): a key holds only hex digits",
            ),
            (
                format!("{K1},index:{IX}"),
                "entry 1 is not `<id>:<64 hex digits>`",
            ),
            (
                format!("k1:{K1},k1:{K2},index:{IX}"),
                "entry 2: key id `k1` appears twice",
            ),
            (format!("k 1:{K1},index:{IX}"), "entry 1: a key id is"),
            (format!("k1:{K1},index:{K1}"), "must differ from every master key"),
            (format!("k1:{},index:{IX}", "0".repeat(64)), "all zeros"),
        ];
        for (spec, expected) in cases {
            let error = spec_error(&spec);
            assert!(error.contains(expected), "{spec:?} gave {error:?}");
            assert!(
                error.starts_with("master key setting (PRAXIS_MASTER_KEY): "),
                "{error}"
            );
            for secret in [K1, K2, IX] {
                assert!(!error.contains(&secret[..8]), "{error} echoes key material");
            }
        }
    }

    #[test]
    fn debug_shows_key_ids_but_no_key_bytes() {
        let shown = format!("{:?}", ring());
        assert!(shown.contains("k2") && shown.contains("[redacted]"), "{shown}");
        for secret in [K1, K2, IX] {
            assert!(!shown.contains(&secret[..8]), "{shown}");
        }
        assert!(!shown.contains("17, 17") && !shown.contains("171"), "{shown}");
    }

    #[test]
    fn a_new_master_key_takes_the_next_number_and_becomes_current() {
        let rotated = ring().with_new_master_key().unwrap();
        assert_eq!(rotated.key_ids().collect::<Vec<_>>(), ["k3", "k2", "k1"]);
        let named = KeyRing::from_spec(&format!("spring:{K1},index:{IX}")).unwrap();
        assert_eq!(named.with_new_master_key().unwrap().current_key_id(), "k1");
    }

    #[test]
    fn the_text_form_reads_back_as_the_same_ring() {
        let ring = KeyRing::generate().unwrap().with_new_master_key().unwrap();
        let again = KeyRing::from_file_text(&ring.to_text()).unwrap();
        assert_eq!(again.key_ids().collect::<Vec<_>>(), ["k2", "k1"]);
        assert_eq!(*again.index, *ring.index);
        assert!(
            again
                .master
                .iter()
                .zip(&ring.master)
                .all(|(a, b)| *a.key == *b.key)
        );
    }
}
