//! Requests for files that should never be served: secrets, keys, repositories, backups,
//! debug endpoints. Scanners try them on every host they meet.
//!
//! The check works on path segments, never on substrings, so `/api/v1/env-settings` and
//! `/docs/key-concepts` stay clean while `/app/.env.production` and `/old/site.bak` do not. A
//! file name counts by its *last* extension: `/static/app.key.js` is a script a server is
//! meant to serve, not a private key, so it does not match.
//!
//! There is no prefilter: one pass over the segments, with length checks before any
//! comparison, costs less than a multi-pattern scan would.

/// Segments that mark a hidden repository, credential store or editor folder, anywhere in
/// the path (`/.git/config`, `/app/.aws/credentials`).
const HIDDEN_DIRS: &[(&str, &str)] = &[
    (".env", "dotenv file"),
    (".git", "git repository"),
    (".git-credentials", "git credentials"),
    (".svn", "subversion repository"),
    (".hg", "mercurial repository"),
    (".bzr", "bazaar repository"),
    (".aws", "AWS credentials"),
    (".ssh", "SSH keys"),
    (".ds_store", "macOS folder index"),
    (".htpasswd", "htpasswd file"),
    (".htaccess", "htaccess file"),
    (".npmrc", "npm credentials"),
    (".docker", "docker credentials"),
    (".dockercfg", "docker credentials"),
    (".kube", "kubernetes credentials"),
    (".bash_history", "shell history"),
    (".zsh_history", "shell history"),
    (".idea", "IDE project"),
    (".vscode", "IDE project"),
];

/// File names that are probes wherever they are (`/backup/dump.sql`).
const FILE_NAMES: &[(&str, &str)] = &[
    ("id_rsa", "SSH private key"),
    ("id_dsa", "SSH private key"),
    ("id_ecdsa", "SSH private key"),
    ("id_ed25519", "SSH private key"),
    ("server.key", "TLS private key"),
    ("backup.sql", "database dump"),
    ("dump.sql", "database dump"),
    ("database.sql", "database dump"),
    ("wp-config.php", "WordPress configuration"),
    ("phpinfo.php", "phpinfo page"),
    ("web.config", "IIS configuration"),
    ("docker-compose.yml", "compose file"),
    ("docker-compose.yaml", "compose file"),
    ("sftp-config.json", "editor SFTP credentials"),
];

/// File names that are probes only at the root (`/config.json`): deeper, they are often
/// ordinary front-end configuration (`/assets/config.json`).
const ROOT_FILES: &[(&str, &str)] = &[("config.json", "root configuration file")];

/// Extensions of the last segment.
const EXTENSIONS: &[(&str, &str)] = &[
    (".pem", "key or certificate"),
    (".key", "private key"),
    (".p12", "key store"),
    (".pfx", "key store"),
    (".jks", "key store"),
    (".ppk", "PuTTY private key"),
    (".bak", "backup file"),
    (".swp", "editor swap file"),
    (".sql", "database dump"),
    (".sql.gz", "database dump"),
    (".sql.zip", "database dump"),
];

/// Spring Boot actuator endpoints that leak secrets or memory (`/actuator/env`).
const ACTUATOR: &[&str] = &["env", "heapdump", "threaddump", "configprops", "logfile"];

/// Names the sensitive file that `path` (percent-decoded) asks for, if any.
pub(super) fn find(path: &[u8]) -> Option<&'static str> {
    let mut segments = path
        .split(|&b| b == b'/' || b == b'\\')
        .filter(|s| !s.is_empty())
        .peekable();
    let mut index = 0;
    while let Some(seg) = segments.next() {
        let seg = strip_matrix(seg);
        let last = segments.peek().is_none();
        if seg.first() == Some(&b'.') {
            if let Some(what) = lookup(HIDDEN_DIRS, seg) {
                return Some(what);
            }
            if starts_with_ignore_case(seg, b".env.") || starts_with_ignore_case(seg, b".env~") {
                return Some("dotenv file");
            }
        }
        if seg.len() == 8 && seg.eq_ignore_ascii_case(b"actuator") {
            if let Some(next) = segments.peek() {
                let next = strip_matrix(next);
                if ACTUATOR
                    .iter()
                    .any(|a| next.eq_ignore_ascii_case(a.as_bytes()))
                {
                    return Some("actuator endpoint");
                }
            }
        }
        if last && memchr::memchr2(b'.', b'_', seg).is_some() {
            if let Some(what) = lookup(FILE_NAMES, seg) {
                return Some(what);
            }
            if index == 0 {
                if let Some(what) = lookup(ROOT_FILES, seg) {
                    return Some(what);
                }
            }
            for (ext, what) in EXTENSIONS {
                if seg.len() > ext.len() && ends_with_ignore_case(seg, ext.as_bytes()) {
                    return Some(what);
                }
            }
        }
        index += 1;
    }
    None
}

/// `name;jsessionid=...` → `name`: matrix parameters don't change the file asked for.
fn strip_matrix(seg: &[u8]) -> &[u8] {
    memchr::memchr(b';', seg).map_or(seg, |i| &seg[..i])
}

fn lookup(table: &[(&str, &'static str)], seg: &[u8]) -> Option<&'static str> {
    table
        .iter()
        .find(|(name, _)| seg.eq_ignore_ascii_case(name.as_bytes()))
        .map(|(_, what)| *what)
}

fn starts_with_ignore_case(s: &[u8], prefix: &[u8]) -> bool {
    s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn ends_with_ignore_case(s: &[u8], suffix: &[u8]) -> bool {
    s.len() >= suffix.len() && s[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_match() {
        for p in [
            "/.env",
            "/app/.env.production",
            "/.git/config",
            "/.git/HEAD",
            "/.svn/entries",
            "/.aws/credentials",
            "/id_rsa",
            "/home/u/.ssh/authorized_keys",
            "/certs/server.pem",
            "/private.key",
            "/server.key",
            "/backup.sql",
            "/db/dump.sql",
            "/index.php.bak",
            "/wp-config.php",
            "/blog/wp-config.php",
            "/config.json",
            "/actuator/env",
            "/manage/actuator/heapdump",
            "/phpinfo.php",
            "/.DS_Store",
            "/web.config",
            "/.GIT/config",
            "/site.sql.gz",
            "/.git;x=1/config",
        ] {
            assert!(find(p.as_bytes()).is_some(), "{p}");
        }
    }

    #[test]
    fn look_alikes_do_not_match() {
        for p in [
            "/",
            "/api/v1/env-settings",
            "/docs/key-concepts",
            "/static/app.key.js",
            "/.well-known/openid-configuration",
            "/environment",
            "/api/git/commits",
            "/api/keys",
            "/assets/config.json",
            "/api/actuator-docs",
            "/actuator/health",
            "/actuator",
            "/products/sql-books",
            "/backup",
            "/key",
            "/.key",
            "/v1/pem-certificates",
            "/blog/how-to-configure-web-config",
            "/static/app.bak.js",
            "/users/id_card",
        ] {
            assert_eq!(find(p.as_bytes()), None, "{p}");
        }
    }
}
