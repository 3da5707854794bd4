use super::*;
use crate::spec::Operation;

mod siblings;

fn learn(paths: &[(&str, &str)]) -> (Templater, Vec<EndpointId>) {
    let mut t = Templater::new(TemplateConfig::default(), &[]);
    let mut ids: Vec<EndpointId> = paths
        .iter()
        .map(|(m, p)| t.observe("api.example.com", m, p, Some(200)).id())
        .collect();
    let remaps = t.compact();
    for id in &mut ids {
        while let Some(r) = remaps.iter().find(|r| r.from == *id) {
            *id = r.to.unwrap_or(*id);
            if r.to.is_none() {
                break;
            }
        }
    }
    (t, ids)
}

fn templates(t: &Templater) -> Vec<String> {
    let mut v: Vec<String> = t
        .endpoints()
        .filter_map(|id| t.key(id))
        .map(|k| format!("{} {}", k.method, k.template))
        .collect();
    v.sort();
    v
}

#[test]
fn typed_segments_become_parameters_at_once() {
    let (t, _) = learn(&[
        ("GET", "/users/8812"),
        (
            "GET",
            "/users/9913/orders/5e8f8f8f-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
        ),
        ("GET", "/files/507f1f77bcf86cd799439011"),
        ("GET", "/commits/9fceb02d0ae598e95dc970b74767f19372d61af8"),
        ("GET", "/events/2024-05-01"),
    ]);
    assert_eq!(
        templates(&t),
        vec![
            "GET /commits/{hash}",
            "GET /events/{date}",
            "GET /files/{objectId}",
            "GET /users/{id}",
            "GET /users/{id}/orders/{uuid}",
        ]
    );
}

#[test]
fn static_siblings_stay_static() {
    let mut paths: Vec<(String, String)> = (0..50)
        .map(|i| ("GET".to_owned(), format!("/users/{}", 1000 + i)))
        .collect();
    for p in [
        "/users/me",
        "/users/export",
        "/orders/export",
        "/v1/ping",
        "/v2/ping",
    ] {
        paths.push(("GET".into(), p.into()));
    }
    let refs: Vec<(&str, &str)> = paths
        .iter()
        .map(|(m, p)| (m.as_str(), p.as_str()))
        .collect();
    let (t, _) = learn(&refs);
    let got = templates(&t);
    for want in [
        "GET /users/{id}",
        "GET /users/me",
        "GET /users/export",
        "GET /orders/export",
        "GET /v1/ping",
        "GET /v2/ping",
    ] {
        assert!(
            got.contains(&want.to_owned()),
            "{want} missing from {got:?}"
        );
    }
}

#[test]
fn high_cardinality_slugs_merge_and_keep_vocabulary() {
    let names = [
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
    ];
    let mut paths: Vec<(String, String)> = names
        .iter()
        .map(|n| ("GET".to_owned(), format!("/users/{n}")))
        .collect();
    paths.push(("GET".into(), "/users/search".into()));
    let refs: Vec<(&str, &str)> = paths
        .iter()
        .map(|(m, p)| (m.as_str(), p.as_str()))
        .collect();
    let (t, ids) = learn(&refs);
    assert_eq!(
        templates(&t),
        vec!["GET /users/search", "GET /users/{name}"]
    );
    let why = t.explain(ids[0]);
    assert!(why.iter().any(|w| w.contains("10 distinct")), "{why:?}");
}

#[test]
fn values_sharing_what_follows_merge_under_a_parameter() {
    let repos = [
        "widget",
        "gadget",
        "sprocket",
        "gizmo",
        "doohickey",
        "thingamajig",
        "whatsit",
    ];
    let mut paths = Vec::new();
    for (i, r) in repos.iter().enumerate() {
        paths.push(("GET".to_owned(), format!("/repos/owner{i}x/{r}/issues")));
        paths.push(("GET".to_owned(), format!("/repos/owner{i}x/{r}/pulls")));
    }
    let refs: Vec<(&str, &str)> = paths
        .iter()
        .map(|(m, p)| (m.as_str(), p.as_str()))
        .collect();
    let (t, _) = learn(&refs);
    let got = templates(&t);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got[0].starts_with("GET /repos/{") && got[0].ends_with("}/issues"),
        "{got:?}"
    );
}

#[test]
fn root_vocabulary_is_never_merged() {
    let words = [
        "containers",
        "images",
        "networks",
        "volumes",
        "swarm",
        "nodes",
        "services",
        "tasks",
        "secrets",
        "configs",
        "plugins",
        "system",
        "info",
        "version",
        "events",
        "auth",
        "build",
    ];
    let paths: Vec<(String, String)> = words
        .iter()
        .map(|w| ("GET".to_owned(), format!("/{w}")))
        .collect();
    let refs: Vec<(&str, &str)> = paths
        .iter()
        .map(|(m, p)| (m.as_str(), p.as_str()))
        .collect();
    let (t, _) = learn(&refs);
    assert_eq!(templates(&t).len(), words.len());
}

#[test]
fn extensions_are_kept() {
    let (t, _) = learn(&[("GET", "/reports/1234.pdf"), ("GET", "/reports/99.pdf")]);
    assert_eq!(templates(&t), vec!["GET /reports/{id}.pdf"]);
}

#[test]
fn documented_templates_win_and_record_their_operation() {
    let spec = Spec {
        source: "acme.yaml".into(),
        operations: vec![
            Operation {
                method: "GET".into(),
                path: "/accounts/{accountName}".into(),
                ..Operation::default()
            },
            Operation {
                method: "GET".into(),
                path: "/accounts/me".into(),
                ..Operation::default()
            },
        ],
        ..Spec::default()
    };
    let mut t = Templater::new(TemplateConfig::default(), &[spec]);
    let a = t.observe("h", "GET", "/accounts/alice", Some(200)).id();
    let me = t.observe("h", "get", "/accounts/me", Some(200)).id();
    let del = t.observe("h", "DELETE", "/accounts/bob", Some(204)).id();
    assert_eq!(t.key(a).unwrap().template, "/accounts/{accountName}");
    assert_eq!(t.documented(a), Some((0, 0)));
    assert_eq!(t.documented(me), Some((0, 1)));
    assert_eq!(t.key(del).unwrap().template, "/accounts/{accountName}");
    assert_eq!(t.documented(del), None);
    assert!(t.explain(a)[0].contains("acme.yaml"));
}

#[test]
fn pins_force_static_and_parametric_positions() {
    let config = TemplateConfig {
        pin: vec!["/shops/{shop}".into(), "GET /shops/main".into()],
        ..TemplateConfig::default()
    };
    let mut t = Templater::new(config, &[]);
    let a = t.observe("h", "GET", "/shops/berlin", Some(200)).id();
    let main = t.observe("h", "GET", "/shops/main", Some(200)).id();
    assert_eq!(t.key(a).unwrap().template, "/shops/{shop}");
    assert_eq!(t.key(main).unwrap().template, "/shops/main");
    assert_eq!(t.explain(a), vec!["pinned in the configuration".to_owned()]);
}

#[test]
fn never_served_paths_are_probes() {
    let mut t = Templater::new(TemplateConfig::default(), &[]);
    let env = t.observe("h", "GET", "/.env", Some(404)).id();
    let ok = t.observe("h", "GET", "/health", Some(200)).id();
    t.observe("h", "GET", "/health", Some(404));
    assert!(t.is_probe(env));
    assert!(!t.is_probe(ok));
}

#[test]
fn a_million_random_paths_stay_bounded() {
    let config = TemplateConfig {
        max_nodes: 2_000,
        max_children: 64,
        ..TemplateConfig::default()
    };
    let mut t = Templater::new(config, &[]);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..200_000u64 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let a = (b'a' + (x % 26) as u8) as char;
        let b = (b'a' + ((x >> 8) % 26) as u8) as char;
        let c = (b'a' + ((x >> 16) % 26) as u8) as char;
        let path = format!("/{a}{b}{c}/{c}{a}{b}x/{b}{c}");
        t.observe("h", "GET", &path, Some(404));
        if i % 20_000 == 0 {
            t.compact();
        }
    }
    t.compact();
    let stats = t.stats();
    assert!(stats.nodes <= 4_100, "{stats:?}");
    assert!(stats.endpoints <= 4_100, "{stats:?}");
    assert!(
        stats.overflowed_requests > 0 || stats.collapsed_positions > 0,
        "{stats:?}"
    );
}

#[test]
fn unknown_methods_are_folded() {
    assert_eq!(normalize_method("get"), "GET");
    assert_eq!(normalize_method("FOO\u{1b}[31m"), "OTHER");
}

#[test]
fn version_numbers_among_the_first_positions_stay_literal() {
    let (t, _) = learn(&[
        ("GET", "/api/1.0/users"),
        ("GET", "/api/2.0/users"),
        ("GET", "/1/boards"),
    ]);
    assert_eq!(
        templates(&t),
        vec!["GET /1/boards", "GET /api/1.0/users", "GET /api/2.0/users"]
    );
    let many: Vec<(String, String)> = (0..10)
        .map(|i| ("GET".to_owned(), format!("/{}/info.0.json", 600 + i)))
        .collect();
    let refs: Vec<(&str, &str)> = many.iter().map(|(m, p)| (m.as_str(), p.as_str())).collect();
    let (t, _) = learn(&refs);
    assert_eq!(templates(&t), vec!["GET /{id}/info.0.json"]);
}

fn learn_owned(paths: &[(String, String)]) -> (Templater, Vec<EndpointId>) {
    let refs: Vec<(&str, &str)> = paths
        .iter()
        .map(|(m, p)| (m.as_str(), p.as_str()))
        .collect();
    learn(&refs)
}

#[test]
fn format_variants_become_one_template() {
    let (t, _) = learn(&[
        ("GET", "/svc/books/v3/lists.json"),
        ("GET", "/svc/books/v3/lists.jsonp"),
        ("GET", "/svc/books/v3/reviews.json"),
    ]);
    assert_eq!(
        templates(&t),
        vec![
            "GET /svc/books/v3/lists.{format}",
            "GET /svc/books/v3/reviews.json"
        ]
    );
}

#[test]
fn an_old_version_follows_the_current_one() {
    let names = [
        "acme", "globex", "initech", "umbrella", "hooli", "wonka", "stark",
    ];
    let mut paths: Vec<(String, String)> = Vec::new();
    for n in names {
        for _ in 0..3 {
            paths.push(("GET".into(), format!("/api/v1/teams/{n}x/members")));
        }
    }
    paths.push(("GET".into(), "/api/v0/teams/oldteam/members".into()));
    let (t, _) = learn_owned(&paths);
    let got = templates(&t);
    assert!(
        got.contains(&"GET /api/v0/teams/{name}/members".to_owned()),
        "{got:?}"
    );
    assert!(
        got.contains(&"GET /api/v1/teams/{name}/members".to_owned()),
        "{got:?}"
    );
}

#[test]
fn many_words_where_values_are_are_values_but_actions_stay() {
    let mut paths: Vec<(String, String)> = (0..20)
        .map(|i| ("DELETE".to_owned(), format!("/envvar/key-{i}x")))
        .collect();
    for w in [
        "billing",
        "checkout",
        "dashboard",
        "payments",
        "analytics",
        "docs",
        "export",
    ] {
        paths.push(("DELETE".into(), format!("/envvar/{w}")));
    }
    let (t, _) = learn_owned(&paths);
    assert_eq!(
        templates(&t),
        vec!["DELETE /envvar/export", "DELETE /envvar/{name}"]
    );
}

#[test]
fn a_name_holding_values_somewhere_holds_them_elsewhere() {
    let mut paths: Vec<(String, String)> = (0..12)
        .map(|i| {
            (
                "GET".to_owned(),
                format!("/cards/{}/board/field-{i}x", 100 + i),
            )
        })
        .collect();
    paths.push(("GET".into(), "/lists/77/board/name_weekly".into()));
    let (t, _) = learn_owned(&paths);
    let got = templates(&t);
    assert!(
        got.contains(&"GET /lists/{id}/board/{name}".to_owned()),
        "{got:?}"
    );
}
