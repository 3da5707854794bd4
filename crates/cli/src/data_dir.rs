//! Where Rampart keeps its database by default: the user's data directory.

use std::path::PathBuf;

/// `$XDG_DATA_HOME/rampart`, else `~/.local/share/rampart` (`~/Library/Application Support/rampart`
/// on macOS, `%APPDATA%\rampart` on Windows), else `./.rampart`.
pub(crate) fn default_dir() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(x) = env("XDG_DATA_HOME") {
        return x.join("rampart");
    }
    if cfg!(windows) {
        if let Some(a) = env("APPDATA") {
            return a.join("rampart");
        }
    }
    if let Some(home) = env("HOME") {
        if cfg!(target_os = "macos") {
            return home.join("Library/Application Support/rampart");
        }
        return home.join(".local/share/rampart");
    }
    PathBuf::from(".rampart")
}

/// The database path: the one given, or `rampart.db` in the default directory.
pub(crate) fn db_path(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(|| default_dir().join("rampart.db"))
}
