//! The token file: read it, or create it with a random token, readable by its owner only.

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::Path;

use crate::auth::Token;
use crate::error::ApiError;

/// Longest token file read.
const MAX_FILE_LEN: u64 = 4096;

/// The token in `path`, creating the file with a fresh random token when it does not exist.
pub(crate) fn read_or_create(path: &Path) -> Result<Token, ApiError> {
    match create(path) {
        Ok(token) => {
            tracing::info!(
                path = %path.display(),
                "management API: created a token file with a random token (mode 0600)"
            );
            Ok(token)
        }
        Err(e) if e.kind() == ErrorKind::AlreadyExists => read(path),
        Err(e) => Err(file_error(
            path,
            format!("cannot create it: {e}"),
            "create its folder, or point api.token_file at a writable place",
        )),
    }
}

/// Creates `path` (never over an existing file or link) with a new token.
fn create(path: &Path) -> std::io::Result<Token> {
    let text = random_token()?;
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    Token::new(&text, "generated token")
        .map_err(|e| std::io::Error::new(ErrorKind::InvalidData, e.to_string()))
}

/// Reads the token of an existing file, refusing one that others may read.
fn read(path: &Path) -> Result<Token, ApiError> {
    let meta = fs::metadata(path)
        .map_err(|e| file_error(path, format!("cannot read it: {e}"), "check the path"))?;
    if !meta.is_file() {
        return Err(file_error(
            path,
            "it is not a regular file".into(),
            "point api.token_file at a file",
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(file_error(
                path,
                "group or others may read it".into(),
                &format!("chmod 600 {}", path.display()),
            ));
        }
    }
    if meta.len() > MAX_FILE_LEN {
        return Err(file_error(
            path,
            "it is larger than 4 KiB".into(),
            "put only the token in it",
        ));
    }
    let text = fs::read_to_string(path).map_err(|e| {
        file_error(
            path,
            format!("cannot read it: {e}"),
            "check its owner and that it is UTF-8 text",
        )
    })?;
    Token::new(text.trim(), &path.display().to_string())
}

/// 32 random bytes from the operating system, as 64 hex digits.
fn random_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn file_error(path: &Path, reason: String, fix: &str) -> ApiError {
    ApiError::TokenFile {
        path: path.to_owned(),
        reason,
        fix: fix.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_then_reads_the_same_token() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("api-token");
        let first = read_or_create(&path).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.trim().len(), 64);
        assert!(first.verify(text.trim()));
        let second = read_or_create(&path).unwrap();
        assert_eq!(first, second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[cfg(unix)]
    #[test]
    fn refuses_a_file_others_can_read() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("api-token");
        fs::write(&path, "0123456789abcdef0123\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = read_or_create(&path).unwrap_err();
        assert!(err.to_string().contains("chmod 600"), "{err}");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        assert!(read_or_create(&path)
            .unwrap()
            .verify("0123456789abcdef0123"));
    }

    #[test]
    fn a_missing_folder_is_an_error_with_a_fix() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/dir/api-token");
        let err = read_or_create(&path).unwrap_err();
        assert!(err.to_string().contains("cannot create it"), "{err}");
    }

    #[test]
    fn random_tokens_differ() {
        assert_ne!(random_token().unwrap(), random_token().unwrap());
    }
}
