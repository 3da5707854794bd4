//! Traffic nobody documented: scanner probes and shadow endpoints.

use std::collections::HashSet;

use rand::seq::{IndexedRandom, SliceRandom};
use rand::Rng;

use crate::template::{is_param, normalize_template, segments};
use crate::values::random_chars;

const PROBE_PATHS: &[&str] = &[
    "/.env",
    "/wp-login.php",
    "/.git/config",
    "/admin.php",
    "/phpmyadmin/index.php",
    "/actuator/env",
    "/server-status",
    "/api/v1/../../etc/passwd",
    "/wp-admin/setup-config.php",
    "/.aws/credentials",
    "/config.json",
    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
    "/cgi-bin/luci/;stok=/locale",
    "/.DS_Store",
    "/xmlrpc.php",
    "/solr/admin/info/system",
    "/boaform/admin/formLogin",
    "/owa/auth/logon.aspx",
    "/HNAP1/",
    "/backup.sql",
];

/// One probe: method, path and query.
pub(crate) struct Probe {
    pub(crate) method: &'static str,
    pub(crate) path: String,
    pub(crate) status: u16,
}

/// A random scanner request.
pub(crate) fn probe<R: Rng + ?Sized>(rng: &mut R) -> Probe {
    let path = if rng.random_bool(0.2) {
        let ext = [".php", "", ".bak", ".zip", "/"]
            .choose(rng)
            .copied()
            .unwrap_or("");
        format!(
            "/{}{ext}",
            random_chars(rng, b"abcdefghijklmnopqrstuvwxyz0123456789", 8)
        )
    } else {
        PROBE_PATHS
            .choose(rng)
            .copied()
            .unwrap_or("/.env")
            .to_owned()
    };
    let method = match rng.random_range(0..20) {
        0..=15 => "GET",
        16..=17 => "POST",
        18 => "HEAD",
        _ => "OPTIONS",
    };
    let status = match rng.random_range(0..20) {
        0 => 405,
        1 => 403,
        _ => 404,
    };
    Probe {
        method,
        path,
        status,
    }
}

fn is_version(seg: &str) -> bool {
    seg.strip_prefix('v')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The shared leading segments that look like a mount point (`/api`, `/v1`, `/api/v2`).
fn common_prefix(templates: &[&str]) -> String {
    let split: Vec<Vec<&str>> = templates.iter().map(|t| segments(t)).collect();
    let mut prefix = String::new();
    for pos in 0..2 {
        let Some(seg) = split.first().and_then(|s| s.get(pos)) else {
            break;
        };
        let mount = is_version(seg) || ["api", "rest", "service", "services"].contains(seg);
        let shared = split
            .iter()
            .all(|s| s.get(pos) == Some(seg) && s.len() > pos + 1);
        if !mount || !shared {
            break;
        }
        prefix.push('/');
        prefix.push_str(seg);
    }
    prefix
}

pub(crate) fn older_version(template: &str) -> String {
    let segs = segments(template);
    if let Some(pos) = segs.iter().position(|s| is_version(s)) {
        let n: u32 = segs
            .get(pos)
            .and_then(|s| s.get(1..))
            .and_then(|n| n.parse().ok())
            .unwrap_or(1);
        let mut out: Vec<String> = segs.iter().map(|s| (*s).to_owned()).collect();
        if let Some(slot) = out.get_mut(pos) {
            *slot = format!("v{}", n.saturating_sub(1));
        }
        format!("/{}", out.join("/"))
    } else {
        format!("/v0{template}")
    }
}

/// `count` undocumented `(method, template)` endpoints built from the spec's own vocabulary,
/// none equal to a documented one.
pub(crate) fn shadow_endpoints<R: Rng + ?Sized>(
    documented: &[(String, String)],
    count: usize,
    rng: &mut R,
) -> Vec<(String, String)> {
    let templates: Vec<&str> = documented.iter().map(|(_, t)| t.as_str()).collect();
    let prefix = common_prefix(&templates);
    let resources: Vec<&str> = templates
        .iter()
        .filter_map(|t| {
            segments(t.strip_prefix(prefix.as_str()).unwrap_or(t))
                .into_iter()
                .find(|s| !s.is_empty() && !is_param(s))
        })
        .collect();
    let resource = resources.choose(rng).copied().unwrap_or("users");
    let gets: Vec<&str> = documented
        .iter()
        .filter(|(m, _)| m == "GET")
        .map(|(_, t)| t.as_str())
        .collect();
    let parametric_tails: Vec<&str> = gets
        .iter()
        .copied()
        .filter(|t| {
            segments(t)
                .last()
                .is_some_and(|s| s.starts_with('{') && s.ends_with('}'))
        })
        .collect();

    let mut candidates: Vec<(String, String)> = vec![
        ("GET".into(), format!("{prefix}/internal/health")),
        ("GET".into(), format!("{prefix}/debug/vars")),
        ("GET".into(), format!("{prefix}/metrics")),
        ("GET".into(), format!("{prefix}/admin/{resource}")),
        ("GET".into(), format!("{prefix}/internal/{resource}/{{id}}")),
        ("POST".into(), format!("{prefix}/internal/cache/flush")),
        ("GET".into(), format!("{prefix}/_status")),
    ];
    if let Some(t) = gets.choose(rng) {
        candidates.push(("GET".into(), older_version(t)));
    }
    for word in ["export", "admin"] {
        if let Some(t) = parametric_tails.choose(rng) {
            let parent = t.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
            candidates.push(("GET".into(), format!("{parent}/{word}")));
        }
    }
    candidates.shuffle(rng);
    // Leftovers that every real API has are likelier than the rest: keep a sibling and an old
    // version near the front when there is one.
    candidates.sort_by_key(|(_, t)| !(t.ends_with("/export") || t.starts_with("/v0")));

    let mut taken: HashSet<(String, String)> = documented
        .iter()
        .map(|(m, t)| (m.clone(), normalize_template(t)))
        .collect();
    let mut out = Vec::with_capacity(count);
    let mut extra = 0usize;
    let mut candidates = candidates.into_iter();
    while out.len() < count {
        let (method, template) = candidates.next().unwrap_or_else(|| {
            extra += 1;
            (
                "GET".into(),
                format!("{prefix}/internal/{resource}-{extra}"),
            )
        });
        if taken.insert((method.clone(), normalize_template(&template))) {
            out.push((method, template));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::SmallRng, SeedableRng};

    fn docs(ts: &[(&str, &str)]) -> Vec<(String, String)> {
        ts.iter().map(|(m, t)| ((*m).into(), (*t).into())).collect()
    }

    #[test]
    fn prefix_is_a_shared_mount_point() {
        assert_eq!(
            common_prefix(&["/api/v1/users", "/api/v1/orders/{id}"]),
            "/api/v1"
        );
        assert_eq!(common_prefix(&["/v2/users", "/v2/orders"]), "/v2");
        assert_eq!(common_prefix(&["/users", "/orders"]), "");
        assert_eq!(common_prefix(&["/v1"]), "");
    }

    #[test]
    fn shadows_are_new_and_use_the_vocabulary() {
        let documented = docs(&[
            ("GET", "/v1/users/{id}"),
            ("GET", "/v1/users"),
            ("POST", "/v1/users"),
        ]);
        let mut rng = SmallRng::seed_from_u64(7);
        let shadows = shadow_endpoints(&documented, 12, &mut rng);
        assert_eq!(shadows.len(), 12);
        let norm: HashSet<_> = shadows
            .iter()
            .map(|(m, t)| (m.clone(), normalize_template(t)))
            .collect();
        assert_eq!(norm.len(), 12);
        for (m, t) in &shadows {
            assert!(
                !documented.iter().any(|(dm, dt)| dm == m && dt == t),
                "{m} {t}"
            );
            assert!(t.starts_with("/v1/") || t.starts_with("/v0/"), "{t}");
        }
        assert!(shadows.iter().any(|(_, t)| t == "/v1/users/export"));
        assert!(shadows
            .iter()
            .any(|(_, t)| t == "/v0/users/{id}" || t == "/v0/users"));
    }

    #[test]
    fn probes_are_refused() {
        let mut rng = SmallRng::seed_from_u64(1);
        for _ in 0..200 {
            let p = probe(&mut rng);
            assert!((403..=405).contains(&p.status));
            assert!(p.path.starts_with('/'));
        }
    }
}
