//! Files that should never be served: private keys, environment files, git metadata, database
//! dumps and archives, Spring Boot actuators, server status and phpinfo pages.
//!
//! A file counts only when its content proves what it is (a PEM private-key header, `KEY=value`
//! lines, a git `[core]` section, JSON with `propertySources`, archive magic bytes, ...), never
//! by status code alone; and not when the host answers a random non-existent path with the same
//! body (a catch-all or soft-404 page). Evidence is redacted: it says what was seen and where,
//! never the secret (key names of a `.env`, not its values).

use rampart_core::Severity;

/// One path to try and how to recognise its content.
pub(crate) struct Probe {
    /// The path.
    pub(crate) path: &'static str,
    /// What it would expose.
    pub(crate) what: &'static str,
    /// How bad it is when found.
    pub(crate) severity: Severity,
    /// Most body bytes needed to recognise it.
    pub(crate) max_body: usize,
    /// Recognises the content; returns the redacted evidence.
    pub(crate) confirm: fn(&[u8]) -> Option<Vec<String>>,
}

const KB: usize = 1024;

/// Every path tried, in order.
pub(crate) const PROBES: &[Probe] = &[
    key("/id_rsa"),
    key("/id_dsa"),
    key("/id_ecdsa"),
    key("/id_ed25519"),
    key("/.ssh/id_rsa"),
    key("/server.key"),
    key("/private.key"),
    key("/private.pem"),
    key("/privkey.pem"),
    key("/key.pem"),
    key("/server.pem"),
    key("/cert.key"),
    key("/ssl/server.key"),
    key("/tls.key"),
    Probe {
        path: "/.env",
        what: "environment file",
        severity: Severity::High,
        max_body: 64 * KB,
        confirm: env_file,
    },
    Probe {
        path: "/.env.production",
        what: "environment file",
        severity: Severity::High,
        max_body: 64 * KB,
        confirm: env_file,
    },
    Probe {
        path: "/.env.local",
        what: "environment file",
        severity: Severity::High,
        max_body: 64 * KB,
        confirm: env_file,
    },
    Probe {
        path: "/.git/config",
        what: "git repository metadata",
        severity: Severity::High,
        max_body: 64 * KB,
        confirm: git_config,
    },
    Probe {
        path: "/.git/HEAD",
        what: "git repository metadata",
        severity: Severity::Medium,
        max_body: KB,
        confirm: git_head,
    },
    Probe {
        path: "/.aws/credentials",
        what: "cloud credentials",
        severity: Severity::Critical,
        max_body: 64 * KB,
        confirm: aws_credentials,
    },
    Probe {
        path: "/.htpasswd",
        what: "password hashes",
        severity: Severity::High,
        max_body: 64 * KB,
        confirm: htpasswd,
    },
    sql("/backup.sql"),
    sql("/db.sql"),
    sql("/dump.sql"),
    sql("/database.sql"),
    archive("/backup.zip"),
    archive("/backup.tar.gz"),
    archive("/backup.tgz"),
    archive("/site.zip"),
    archive("/www.zip"),
    archive("/db.sql.gz"),
    Probe {
        path: "/actuator/env",
        what: "Spring Boot environment (configuration and secrets)",
        severity: Severity::High,
        max_body: 1024 * KB,
        confirm: spring_env,
    },
    Probe {
        path: "/env",
        what: "Spring Boot environment (configuration and secrets)",
        severity: Severity::High,
        max_body: 1024 * KB,
        confirm: spring_env,
    },
    Probe {
        path: "/actuator/heapdump",
        what: "Java heap dump (memory with credentials and personal data)",
        severity: Severity::Critical,
        max_body: 64,
        confirm: heap_dump,
    },
    Probe {
        path: "/server-status",
        what: "Apache server status (clients and requested URLs)",
        severity: Severity::Medium,
        max_body: 256 * KB,
        confirm: server_status,
    },
    Probe {
        path: "/phpinfo.php",
        what: "phpinfo page (configuration and environment)",
        severity: Severity::Medium,
        max_body: 256 * KB,
        confirm: phpinfo,
    },
    Probe {
        path: "/info.php",
        what: "phpinfo page (configuration and environment)",
        severity: Severity::Medium,
        max_body: 256 * KB,
        confirm: phpinfo,
    },
    Probe {
        path: "/.DS_Store",
        what: "macOS folder index (file names)",
        severity: Severity::Low,
        max_body: 64,
        confirm: ds_store,
    },
];

const fn key(path: &'static str) -> Probe {
    Probe {
        path,
        what: "private key",
        severity: Severity::Critical,
        max_body: 64 * KB,
        confirm: private_key,
    }
}

const fn sql(path: &'static str) -> Probe {
    Probe {
        path,
        what: "database dump",
        severity: Severity::Critical,
        max_body: 64 * KB,
        confirm: sql_dump,
    }
}

const fn archive(path: &'static str) -> Probe {
    Probe {
        path,
        what: "backup archive",
        severity: Severity::High,
        max_body: 512,
        confirm: archive_magic,
    }
}

/// A PEM private-key header: `-----BEGIN [RSA |EC |DSA |OPENSSH |ENCRYPTED ]PRIVATE KEY-----`.
pub(crate) fn private_key(body: &[u8]) -> Option<Vec<String>> {
    let text = String::from_utf8_lossy(body);
    for (i, line) in text.lines().enumerate().take(2000) {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("-----BEGIN ") else {
            continue;
        };
        let Some(kind) = rest.strip_suffix("PRIVATE KEY-----") else {
            continue;
        };
        let kind = kind.trim();
        if !kind.is_empty() && !matches!(kind, "RSA" | "EC" | "DSA" | "OPENSSH" | "ENCRYPTED") {
            continue;
        }
        let label = if kind.is_empty() {
            "PKCS#8".to_owned()
        } else {
            kind.to_owned()
        };
        let enc = kind == "ENCRYPTED" || text.contains("Proc-Type: 4,ENCRYPTED");
        return Some(vec![format!(
            "PEM {label} private key header at line {}{}",
            i + 1,
            if enc { " (passphrase-protected)" } else { "" }
        )]);
    }
    None
}

/// `KEY=value` lines: at least two, and most of the meaningful lines. Evidence lists the key
/// names, never the values.
pub(crate) fn env_file(body: &[u8]) -> Option<Vec<String>> {
    if looks_like_markup(body) {
        return None;
    }
    let text = String::from_utf8_lossy(body);
    let mut keys = Vec::new();
    let mut other = 0usize;
    for line in text.lines().take(5000) {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        match line.split_once('=') {
            Some((k, _))
                if !k.is_empty()
                    && k.len() <= 128
                    && k.bytes()
                        .next()
                        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
                    && k.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.') =>
            {
                keys.push(k.to_owned())
            }
            _ => other += 1,
        }
    }
    if keys.len() < 2 || other > keys.len() {
        return None;
    }
    let shown: Vec<_> = keys.iter().take(20).cloned().collect();
    let more = keys.len().saturating_sub(shown.len());
    Some(vec![format!(
        "{} KEY=value lines; keys: {}{} (values not shown)",
        keys.len(),
        shown.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    )])
}

/// A git config: a `[core]` section with `repositoryformatversion` or `bare`.
pub(crate) fn git_config(body: &[u8]) -> Option<Vec<String>> {
    if looks_like_markup(body) {
        return None;
    }
    let text = String::from_utf8_lossy(body);
    let lines: Vec<&str> = text.lines().map(str::trim).take(5000).collect();
    let core = lines.iter().position(|l| *l == "[core]")?;
    let known = lines
        .iter()
        .any(|l| l.starts_with("repositoryformatversion") || l.starts_with("bare"));
    if !known {
        return None;
    }
    let remotes = lines.iter().filter(|l| l.starts_with("[remote ")).count();
    Some(vec![format!(
        "git config with a [core] section at line {}; {remotes} remote(s) (URLs not shown)",
        core + 1
    )])
}

/// `.git/HEAD`: `ref: refs/heads/...` or a bare commit id.
pub(crate) fn git_head(body: &[u8]) -> Option<Vec<String>> {
    let text = std::str::from_utf8(body).ok()?.trim();
    if text.starts_with("ref: refs/") && !text.contains('<') && text.lines().count() == 1 {
        return Some(vec!["git HEAD reference (ref: refs/...)".into()]);
    }
    if text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(vec!["git HEAD with a detached commit id".into()]);
    }
    None
}

/// AWS shared credentials: a profile section and an `aws_access_key_id` key.
pub(crate) fn aws_credentials(body: &[u8]) -> Option<Vec<String>> {
    let text = String::from_utf8_lossy(body);
    let profiles = text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('[') && l.ends_with(']'))
        .count();
    let keys = text
        .lines()
        .filter(|l| l.trim_start().starts_with("aws_access_key_id"))
        .count();
    (profiles > 0 && keys > 0).then(|| {
        vec![format!(
            "{profiles} profile(s) with {keys} aws_access_key_id line(s) (values not shown)"
        )]
    })
}

/// `user:hash` lines with a known hash prefix.
pub(crate) fn htpasswd(body: &[u8]) -> Option<Vec<String>> {
    let text = String::from_utf8_lossy(body);
    let users = text
        .lines()
        .filter_map(|l| l.trim().split_once(':'))
        .filter(|(u, h)| {
            !u.is_empty()
                && !u.contains(' ')
                && ["$apr1$", "$2y$", "$2a$", "$2b$", "{SHA}", "$5$", "$6$"]
                    .iter()
                    .any(|p| h.starts_with(p))
        })
        .count();
    (users > 0).then(|| vec![format!("{users} user:hash line(s) (hashes not shown)")])
}

/// A SQL dump: a dump banner, or `CREATE TABLE` / `INSERT INTO` statements.
pub(crate) fn sql_dump(body: &[u8]) -> Option<Vec<String>> {
    if looks_like_markup(body) {
        return None;
    }
    let text = String::from_utf8_lossy(body);
    let upper = text.to_ascii_uppercase();
    let banner = [
        "-- MYSQL DUMP",
        "-- POSTGRESQL DATABASE DUMP",
        "-- MARIADB DUMP",
    ]
    .iter()
    .find(|b| upper.contains(*b));
    let creates = upper.matches("CREATE TABLE").count();
    let inserts = upper.matches("INSERT INTO").count();
    if banner.is_none() && creates + inserts == 0 {
        return None;
    }
    Some(vec![format!(
        "SQL dump{}: {creates} CREATE TABLE, {inserts} INSERT INTO statements in the first {} bytes",
        banner.map(|b| format!(" ({})", b.trim_start_matches("-- ").to_ascii_lowercase())).unwrap_or_default(),
        body.len()
    )])
}

/// Archive magic bytes: zip, gzip, tar, 7z, bzip2, xz.
pub(crate) fn archive_magic(body: &[u8]) -> Option<Vec<String>> {
    let kind = if body.starts_with(b"PK\x03\x04") {
        "zip"
    } else if body.starts_with(&[0x1f, 0x8b]) {
        "gzip"
    } else if body.len() >= 262 && &body[257..262] == b"ustar" {
        "tar"
    } else if body.starts_with(b"7z\xbc\xaf\x27\x1c") {
        "7z"
    } else if body.starts_with(b"BZh") && body.len() > 3 && body[3].is_ascii_digit() {
        "bzip2"
    } else if body.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        "xz"
    } else {
        return None;
    };
    Some(vec![format!("{kind} archive (magic bytes at offset 0)")])
}

/// Spring Boot's `/actuator/env`: JSON with `propertySources` (or Boot 1's `profiles`).
pub(crate) fn spring_env(body: &[u8]) -> Option<Vec<String>> {
    let doc: serde_json::Value = serde_json::from_slice(body).ok()?;
    let obj = doc.as_object()?;
    if let Some(sources) = obj.get("propertySources").and_then(|v| v.as_array()) {
        let props: usize = sources
            .iter()
            .filter_map(|s| s.get("properties").and_then(|p| p.as_object()))
            .map(|p| p.len())
            .sum();
        return Some(vec![format!(
            "JSON with propertySources: {} sources, {props} properties (values not shown)",
            sources.len()
        )]);
    }
    if obj.contains_key("profiles") && obj.contains_key("systemProperties") {
        return Some(vec![
            "JSON with profiles and systemProperties (Spring Boot 1 /env)".into(),
        ]);
    }
    None
}

/// An HPROF heap dump (`JAVA PROFILE 1.0.x`), or a gzip of one.
pub(crate) fn heap_dump(body: &[u8]) -> Option<Vec<String>> {
    if body.starts_with(b"JAVA PROFILE 1.0") {
        return Some(vec!["HPROF header (JAVA PROFILE 1.0) at offset 0".into()]);
    }
    if body.starts_with(&[0x1f, 0x8b]) {
        return Some(vec![
            "gzip-compressed body (heap dumps are served so)".into()
        ]);
    }
    None
}

/// Apache's mod_status page.
pub(crate) fn server_status(body: &[u8]) -> Option<Vec<String>> {
    let text = String::from_utf8_lossy(body);
    let title = text.contains("Apache Server Status for");
    let uptime = text.contains("Server uptime") || text.contains("ServerUptime");
    (title || (uptime && text.contains("requests currently being processed")))
        .then(|| vec!["Apache server status page (\"Apache Server Status for\")".into()])
}

/// PHP's phpinfo() page.
pub(crate) fn phpinfo(body: &[u8]) -> Option<Vec<String>> {
    let text = String::from_utf8_lossy(body);
    let title = text.contains("<title>phpinfo()</title>") || text.contains("<title>PHP ");
    let table = text.contains("PHP Version") && text.contains("Loaded Configuration File");
    (title || table)
        .then(|| vec!["phpinfo() output (PHP Version, Loaded Configuration File)".into()])
}

/// The macOS `.DS_Store` magic.
pub(crate) fn ds_store(body: &[u8]) -> Option<Vec<String>> {
    body.starts_with(&[0, 0, 0, 1, b'B', b'u', b'd', b'1'])
        .then(|| vec![".DS_Store magic (Bud1) at offset 0".into()])
}

/// Whether a body starts like an HTML or XML page (a catch-all page is never a key file).
fn looks_like_markup(body: &[u8]) -> bool {
    matches!(crate::http::first_byte(body), Some(b'<'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keys_are_recognised_and_never_quoted() {
        let pem = b"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAsecret\n-----END RSA PRIVATE KEY-----\n";
        let ev = private_key(pem).unwrap();
        assert_eq!(ev, vec!["PEM RSA private key header at line 1".to_owned()]);
        assert!(!ev[0].contains("MIIE"));
        assert!(
            private_key(b"\n\n-----BEGIN PRIVATE KEY-----\n").unwrap()[0]
                .contains("PKCS#8 private key header at line 3")
        );
        assert!(private_key(b"-----BEGIN CERTIFICATE-----\n").is_none());
        assert!(private_key(b"<html>BEGIN PRIVATE KEY</html>").is_none());
    }

    #[test]
    fn env_files_give_key_names_only() {
        let ev =
            env_file(b"# prod\nDB_PASSWORD=hunter2\nexport API_KEY=sk_live_x\n\nDEBUG=false\n")
                .unwrap();
        assert!(ev[0].contains("DB_PASSWORD, API_KEY, DEBUG"), "{ev:?}");
        assert!(!ev[0].contains("hunter2"));
        assert!(env_file(b"<!doctype html><p>A=1</p>\nB=2").is_none());
        assert!(env_file(b"ONLY=one").is_none());
        assert!(env_file(b"Hello world\nthis is prose\nA=1\nB=2\nand more prose\nyes").is_none());
    }

    #[test]
    fn git_archives_and_actuators() {
        assert!(git_config(b"[core]\n\trepositoryformatversion = 0\n[remote \"origin\"]\n\turl = https://u:p@example.com/r.git\n").unwrap()[0].contains("1 remote(s)"));
        assert!(git_config(b"[core]\n").is_none());
        assert!(git_head(b"ref: refs/heads/main\n").is_some());
        assert!(archive_magic(b"PK\x03\x04rest").is_some());
        assert!(archive_magic(&[0x1f, 0x8b, 8, 0]).is_some());
        assert!(archive_magic(b"<html>").is_none());
        assert!(spring_env(br#"{"activeProfiles":[],"propertySources":[{"name":"a","properties":{"x":{"value":"s"}}}]}"#).unwrap()[0].contains("1 properties"));
        assert!(spring_env(b"{}").is_none());
        assert!(sql_dump(
            b"-- MySQL dump 10.13\nCREATE TABLE users (id int);\nINSERT INTO users VALUES (1);"
        )
        .is_some());
        assert!(sql_dump(b"<html>CREATE TABLE</html>").is_none());
        assert!(heap_dump(b"JAVA PROFILE 1.0.2\0").is_some());
        assert!(htpasswd(b"admin:$apr1$abc$def\n").is_some());
        assert!(aws_credentials(b"[default]\naws_access_key_id = AKIA...\n").is_some());
    }

    #[test]
    fn a_generic_page_confirms_nothing() {
        let page = b"<!doctype html><html><head><title>Welcome</title></head><body>It works! [core] KEY=value PRIVATE KEY</body></html>";
        for p in PROBES {
            assert!((p.confirm)(page).is_none(), "{}", p.path);
        }
    }

    proptest! {
        #[test]
        fn confirmers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            for p in PROBES {
                let _ = (p.confirm)(&bytes);
            }
        }
    }
}
