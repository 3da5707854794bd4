//! The per-installation hashing key.
//!
//! Secrets and personal values (cookies, tokens, user names, phone numbers) are only ever kept
//! as keyed hashes. The key lives in its own file, readable only by its owner, apart from the
//! database: a stolen database alone cannot be brute-forced back to phone numbers.

use std::io::Write;
use std::path::Path;

use rampart_core::KeyedHasher;

/// Why the key could not be loaded or created.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Reading or writing the key file failed.
    #[error("hash key file {path}: {source}")]
    Io {
        /// The key file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file exists but is not a key.
    #[error("hash key file {0} is not 64 hex digits; restore it from backup or delete it to start a new key (stored hashes will no longer match)")]
    Malformed(String),
    /// No randomness from the operating system.
    #[error("cannot get random bytes for a new hash key: {0}")]
    Random(String),
}

/// Loads the key at `path`, creating a new random one (mode 0600) if the file does not exist.
pub fn load_or_create(path: &Path) -> Result<KeyedHasher, KeyError> {
    let io = |source| KeyError::Io {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => parse_hex(text.trim())
            .map(KeyedHasher::new)
            .ok_or_else(|| KeyError::Malformed(path.display().to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; 32];
            getrandom::fill(&mut key).map_err(|e| KeyError::Random(e.to_string()))?;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut file = options.open(path).map_err(io)?;
            let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
            file.write_all(hex.as_bytes()).map_err(io)?;
            file.write_all(b"\n").map_err(io)?;
            Ok(KeyedHasher::new(key))
        }
        Err(e) => Err(io(e)),
    }
}

/// A random key that lives only in memory, for runs that store nothing: hashes then only need
/// to agree within the run.
pub fn ephemeral() -> Result<KeyedHasher, KeyError> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| KeyError::Random(e.to_string()))?;
    Ok(KeyedHasher::new(key))
}

fn parse_hex(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_then_reloads_the_same_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/rampart.key");
        let a = load_or_create(&path).unwrap();
        let b = load_or_create(&path).unwrap();
        assert_eq!(a.tag("x", b"v"), b.tag("x", b"v"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_malformed_key_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        std::fs::write(&path, "zz").unwrap();
        assert!(matches!(load_or_create(&path), Err(KeyError::Malformed(_))));
    }
}
