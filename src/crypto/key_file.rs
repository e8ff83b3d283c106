//! The key file, `master.keys` in the data directory: where the keys live when no `PRAXIS_MASTER_KEY` is
//! configured. It is created with fresh random keys on first start, readable by its owner only.
//!
//! Several `praxis serve` instances must share one ring: give them all the same `PRAXIS_MASTER_KEY`
//! rather than a key file each. A running server keeps the ring it started with, so after a rotation
//! it wraps new data keys under the old current key until restarted; those wraps stay valid.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::{CryptoError, KeyRing, fill_random};

pub const KEY_FILE_NAME: &str = "master.keys";
/// Held while a rotation writes the new file, then renamed over it.
const ROTATION_FILE_NAME: &str = "master.keys.rotating";
/// Permission bits for group and others: any of them set and the file is refused.
const SHARED_BITS: u32 = 0o077;

const HEADER: &str = "\
# Praxis master keys. Keep this file secret (mode 0600) and back it up apart from the database:
# without it no encrypted field can be read, and with it anyone holding the database can read them.
# One `<id>:<64 hex digits>` per line. The first master key is current; older ones stay so that
# data keys wrapped under them still unwrap. `index` is the blind-index key and never changes.
";

impl KeyRing {
    /// The configured `PRAXIS_MASTER_KEY` when there is one, otherwise the key file.
    pub fn load(spec: Option<&str>, data_dir: &Path) -> Result<Self, CryptoError> {
        match spec {
            Some(spec) => Self::from_spec(spec),
            None => Self::load_or_create(data_dir),
        }
    }

    /// Reads `data_dir/master.keys`, or creates it with fresh keys when it is missing. A file that group
    /// or others may access is refused rather than trusted.
    pub fn load_or_create(data_dir: &Path) -> Result<Self, CryptoError> {
        let path = data_dir.join(KEY_FILE_NAME);
        match read_key_file(&path) {
            Err(CryptoError::KeyFileIo { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
                create_key_file(data_dir, &path)
            }
            loaded => loaded,
        }
    }

    /// Adds a master key with the next id (`k2` after `k1`) to the key file and makes it current, keeping
    /// the old ones. Returns the new ring. Data keys wrapped before stay as they are until rewrapped.
    pub fn rotate(data_dir: &Path) -> Result<Self, CryptoError> {
        let path = data_dir.join(KEY_FILE_NAME);
        let next_path = data_dir.join(ROTATION_FILE_NAME);
        // Two rotations at once would each write their own `k<n+1>`, and the data keys wrapped under the
        // loser's would be lost; the exclusive file makes the second one fail instead.
        let mut next = create_private(&next_path).map_err(|source| match source.kind() {
            io::ErrorKind::AlreadyExists => CryptoError::InvalidKeyFile {
                path: next_path.clone(),
                message: "exists: another rotation is running or one was interrupted; \
                          if none is running, remove it and rotate again"
                    .to_owned(),
            },
            _ => key_file_io(&next_path, source),
        })?;
        let rotated = read_key_file(&path)
            .and_then(KeyRing::with_new_master_key)
            .and_then(|rotated| {
                write_ring(&mut next, &rotated).map_err(|source| key_file_io(&next_path, source))?;
                fs::rename(&next_path, &path).map_err(|source| key_file_io(&path, source))?;
                sync_dir(data_dir)?;
                Ok(rotated)
            });
        if rotated.is_err() {
            // Left behind, the file would block the next rotation; the key file itself is untouched
            // unless the rename went through.
            let _ = fs::remove_file(&next_path);
        }
        rotated
    }
}

/// Writes the whole file under a temporary name, then links it into place: the link fails if another
/// process created the key file meanwhile (then its keys are used), and nobody ever reads a half-written
/// file.
fn create_key_file(data_dir: &Path, path: &Path) -> Result<KeyRing, CryptoError> {
    let ring = KeyRing::generate()?;
    let mut suffix = [0u8; 8];
    fill_random(&mut suffix)?;
    let temp_path = data_dir.join(format!("{KEY_FILE_NAME}.{}.new", hex::encode(suffix)));
    let written = create_private(&temp_path)
        .and_then(|mut file| write_ring(&mut file, &ring))
        .map_err(|source| key_file_io(&temp_path, source))
        .and_then(|()| fs::hard_link(&temp_path, path).map_err(|source| key_file_io(path, source)));
    let _ = fs::remove_file(&temp_path);
    match written {
        Ok(()) => {
            sync_dir(data_dir)?;
            tracing::info!(
                path = %path.display(),
                "created a new master key file; back it up apart from the database"
            );
            Ok(ring)
        }
        Err(CryptoError::KeyFileIo { source, .. }) if source.kind() == io::ErrorKind::AlreadyExists => {
            read_key_file(path)
        }
        Err(error) => Err(error),
    }
}

fn read_key_file(path: &Path) -> Result<KeyRing, CryptoError> {
    let mut file = File::open(path).map_err(|source| key_file_io(path, source))?;
    let metadata = file.metadata().map_err(|source| key_file_io(path, source))?;
    if !metadata.is_file() {
        return Err(CryptoError::InvalidKeyFile {
            path: path.to_owned(),
            message: "not a regular file".to_owned(),
        });
    }
    let mode = metadata.permissions().mode() & 0o7777;
    if mode & SHARED_BITS != 0 {
        return Err(CryptoError::KeyFilePermissions {
            path: path.to_owned(),
            mode,
        });
    }
    // Sized up front so that growing the buffer leaves no unzeroized copy of the keys behind.
    let capacity = usize::try_from(metadata.len()).unwrap_or(0) + 1;
    let mut text = Zeroizing::new(String::with_capacity(capacity));
    file.read_to_string(&mut text)
        .map_err(|source| key_file_io(path, source))?;
    KeyRing::from_file_text(&text).map_err(|message| CryptoError::InvalidKeyFile {
        path: path.to_owned(),
        message,
    })
}

/// Mode 0600 from the moment the file exists: setting it afterwards would leave a window.
fn create_private(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

fn write_ring(file: &mut File, ring: &KeyRing) -> io::Result<()> {
    file.write_all(HEADER.as_bytes())?;
    file.write_all(ring.to_text().as_bytes())?;
    file.sync_all()
}

/// A new or renamed file survives power loss only once its directory entry is on disk too.
fn sync_dir(dir: &Path) -> Result<(), CryptoError> {
    File::open(dir)
        .and_then(|dir| dir.sync_all())
        .map_err(|source| key_file_io(dir, source))
}

fn key_file_io(path: &Path, source: io::Error) -> CryptoError {
    CryptoError::KeyFileIo {
        path: PathBuf::from(path),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::super::envelope::{DataKey, owner_aad};
    use super::*;
    use uuid::Uuid;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    fn file_names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn owner() -> [u8; 32] {
        owner_aad(Uuid::from_u128(1), Uuid::from_u128(2))
    }

    #[test]
    fn the_key_file_is_created_with_mode_0600_and_reloads_identically() {
        let dir = tempfile::tempdir().unwrap();
        let created = KeyRing::load_or_create(dir.path()).unwrap();
        let path = dir.path().join(KEY_FILE_NAME);
        assert_eq!(mode(&path), 0o600);
        assert_eq!(
            file_names(dir.path()),
            [KEY_FILE_NAME],
            "no temporary file left behind"
        );

        let reloaded = KeyRing::load_or_create(dir.path()).unwrap();
        assert_eq!(reloaded.key_ids().collect::<Vec<_>>(), ["k1"]);
        let wrapped = created.wrap(&DataKey::generate(), &owner());
        assert!(reloaded.unwrap(&wrapped, &owner()).is_ok());
        let org = Uuid::from_u128(7);
        assert_eq!(
            created.blind_index(org, "phone", "+41"),
            reloaded.blind_index(org, "phone", "+41")
        );
        let text = fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("# Praxis master keys") && text.contains("\nk1:"),
            "{text}"
        );
    }

    #[test]
    fn a_key_file_readable_by_others_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        KeyRing::load_or_create(dir.path()).unwrap();
        let path = dir.path().join(KEY_FILE_NAME);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let error = KeyRing::load_or_create(dir.path()).unwrap_err();
        assert!(
            matches!(error, CryptoError::KeyFilePermissions { mode: 0o644, .. }),
            "{error}"
        );
        let message = error.to_string();
        assert!(message.contains("mode 0644"), "{message}");
        assert!(
            message.contains(&format!("chmod 600 {}", path.display())),
            "{message}"
        );
        let rotation = KeyRing::rotate(dir.path()).unwrap_err();
        assert!(
            matches!(rotation, CryptoError::KeyFilePermissions { .. }),
            "{rotation}"
        );
        assert_eq!(file_names(dir.path()), [KEY_FILE_NAME]);
    }

    #[test]
    fn rotation_adds_a_current_key_and_old_wraps_still_unwrap() {
        let dir = tempfile::tempdir().unwrap();
        let first = KeyRing::load_or_create(dir.path()).unwrap();
        let old_wrap = first.wrap(&DataKey::generate(), &owner());

        let rotated = KeyRing::rotate(dir.path()).unwrap();
        assert_eq!(rotated.key_ids().collect::<Vec<_>>(), ["k2", "k1"]);
        let path = dir.path().join(KEY_FILE_NAME);
        assert_eq!(mode(&path), 0o600);
        assert_eq!(file_names(dir.path()), [KEY_FILE_NAME]);

        let reloaded = KeyRing::load_or_create(dir.path()).unwrap();
        assert_eq!(reloaded.current_key_id(), "k2");
        assert!(reloaded.unwrap(&old_wrap, &owner()).is_ok());
        assert_eq!(reloaded.wrap(&DataKey::generate(), &owner()).key_id, "k2");
        assert_eq!(KeyRing::rotate(dir.path()).unwrap().current_key_id(), "k3");
    }

    #[test]
    fn an_interrupted_rotation_blocks_the_next_until_its_file_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        KeyRing::load_or_create(dir.path()).unwrap();
        let leftover = dir.path().join(ROTATION_FILE_NAME);
        fs::write(&leftover, "").unwrap();
        let error = KeyRing::rotate(dir.path()).unwrap_err().to_string();
        assert!(
            error.contains(&leftover.display().to_string()) && error.contains("remove it"),
            "{error}"
        );
        fs::remove_file(&leftover).unwrap();
        assert_eq!(KeyRing::rotate(dir.path()).unwrap().current_key_id(), "k2");
    }

    #[test]
    fn rotating_without_a_key_file_fails_and_creates_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let error = KeyRing::rotate(dir.path()).unwrap_err();
        let not_found = io::ErrorKind::NotFound;
        assert!(
            matches!(&error, CryptoError::KeyFileIo { source, .. } if source.kind() == not_found),
            "{error}"
        );
        assert!(file_names(dir.path()).is_empty());
    }

    #[test]
    fn a_damaged_key_file_is_refused_naming_its_path_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEY_FILE_NAME);
        let mut file = create_private(&path).unwrap();
        file.write_all(format!("# comment\nk1:{}\nindex:1234\n", "5".repeat(64)).as_bytes())
            .unwrap();
        let error = KeyRing::load_or_create(dir.path()).unwrap_err().to_string();
        assert!(error.contains(&path.display().to_string()), "{error}");
        assert!(
            error.contains("line 3 (`index`): a key is 64 hex digits"),
            "{error}"
        );
        assert!(!error.contains("5555"), "{error}");
    }

    #[test]
    fn a_configured_spec_is_used_instead_of_the_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let spec = format!("k7:{},index:{}", "1".repeat(64), "2".repeat(64));
        let ring = KeyRing::load(Some(&spec), dir.path()).unwrap();
        assert_eq!(ring.current_key_id(), "k7");
        assert!(file_names(dir.path()).is_empty(), "no key file is created");
        assert_eq!(KeyRing::load(None, dir.path()).unwrap().current_key_id(), "k1");
    }
}
