//! Static siblings beside values: split off, learned vocabulary and own sub-resources.

use super::*;

/// Image names, one of them `search`, beside the `GET /images/search` endpoint.
fn images() -> Vec<(String, String)> {
    let names = [
        "web-api",
        "worker",
        "billing-job",
        "nginx-edge",
        "cache9",
        "auth-svc",
        "queue-2",
        "db-proxy",
        "search",
    ];
    let mut paths = Vec::new();
    for (i, name) in names.iter().enumerate() {
        paths.push(("POST".to_owned(), format!("/images/{name}/push")));
        paths.push(("POST".to_owned(), format!("/images/{name}/tag")));
        if i % 2 == 0 {
            paths.push(("GET".to_owned(), format!("/images/{name}/json")));
        } else {
            paths.push(("DELETE".to_owned(), format!("/images/{name}")));
        }
    }
    paths.push(("GET".into(), "/images/search".into()));
    paths
}

#[test]
fn a_word_that_is_also_a_value_keeps_its_own_endpoint() {
    let (mut t, _) = learn_owned(&images());
    let got = templates(&t);
    for want in [
        "GET /images/search",
        "POST /images/{name}/push",
        "POST /images/{name}/tag",
        "GET /images/{name}/json",
        "DELETE /images/{name}",
    ] {
        assert!(
            got.contains(&want.to_owned()),
            "{want} missing from {got:?}"
        );
    }
    assert!(
        !got.iter().any(|g| g.starts_with("POST /images/search")),
        "{got:?}"
    );
    // Later requests: the word's own path stays, what leads on from it is a value.
    let key = |t: &Templater, m: &str, p: &str| {
        let id = t.lookup("api.example.com", m, p).expect("known");
        t.key(id).expect("live").template
    };
    assert_eq!(key(&t, "GET", "/images/search"), "/images/search");
    assert_eq!(
        key(&t, "POST", "/images/search/push"),
        "/images/{name}/push"
    );
    let id = t
        .observe("api.example.com", "POST", "/images/search/push", Some(200))
        .id();
    assert_eq!(t.key(id).expect("live").template, "/images/{name}/push");
    t.compact();
    assert!(templates(&t).contains(&"GET /images/search".to_owned()));
}

#[test]
fn a_word_answering_the_values_methods_is_a_value() {
    let mut paths = images();
    paths.push(("DELETE".into(), "/images/search".into()));
    let (t, _) = learn_owned(&paths);
    let got = templates(&t);
    assert!(got.contains(&"GET /images/search".to_owned()), "{got:?}");
    assert!(
        !got.contains(&"DELETE /images/search".to_owned()),
        "{got:?}"
    );
}

#[test]
fn words_the_api_names_below_other_objects_stay_beside_word_values() {
    let mut paths: Vec<(String, String)> = Vec::new();
    for id in 100..104 {
        for leaf in ["display", "entities"] {
            paths.push(("GET".into(), format!("/actions/{id}/{leaf}")));
            paths.push(("GET".into(), format!("/notifications/{}/{leaf}", id + 50)));
        }
    }
    // Field values below notifications, some of them plain words.
    let values = [
        "alpha7",
        "beta12",
        "q3-docs",
        "red9",
        "team4",
        "zone11",
        "billing",
        "docs",
        "widgets",
        "analytics",
    ];
    for (i, v) in values.iter().enumerate() {
        paths.push(("GET".into(), format!("/notifications/{}/{v}", 200 + i)));
    }
    let (t, _) = learn_owned(&paths);
    let got = templates(&t);
    for want in [
        "GET /notifications/{id}/display",
        "GET /notifications/{id}/entities",
        "GET /notifications/{id}/{name}",
    ] {
        assert!(
            got.contains(&want.to_owned()),
            "{want} missing from {got:?}"
        );
    }
    assert!(!got.iter().any(|g| g.ends_with("/billing")), "{got:?}");
}

#[test]
fn a_field_style_name_leading_elsewhere_stays_beside_value_like_leaves() {
    let mut paths: Vec<(String, String)> = (0..12)
        .map(|i| {
            (
                "GET".to_owned(),
                format!("/checklists/{}/field{i}x", 300 + i),
            )
        })
        .collect();
    paths.push(("GET".into(), "/checklists/301/checkItems".into()));
    paths.push(("GET".into(), "/checklists/302/checkItems/77".into()));
    let (t, _) = learn_owned(&paths);
    let got = templates(&t);
    for want in [
        "GET /checklists/{id}/checkItems",
        "GET /checklists/{id}/checkItems/{id2}",
        "GET /checklists/{id}/{name}",
    ] {
        assert!(
            got.contains(&want.to_owned()),
            "{want} missing from {got:?}"
        );
    }
}

#[test]
fn words_leading_on_as_values_do_are_values() {
    let mut paths: Vec<(String, String)> = (0..12)
        .map(|i| {
            let name = format!("team{i}x");
            (
                "GET".to_owned(),
                format!("/cookies/set/{name}/v{i}q7Zr2Lx9"),
            )
        })
        .collect();
    for (i, word) in ["billing", "docs", "widgets", "analytics"]
        .iter()
        .enumerate()
    {
        paths.push(("GET".into(), format!("/cookies/set/{word}/w{i}Hk3Pq8Ys")));
    }
    let (t, _) = learn_owned(&paths);
    let got = templates(&t);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].starts_with("GET /cookies/set/{name}/{"), "{got:?}");
}

/// Accounts POSTed to a lot, and `admin` beside them only ever read.
fn accounts(prefix: &str) -> Vec<(String, String)> {
    let mut paths = Vec::new();
    for i in 0..20 {
        for _ in 0..10 {
            paths.push(("POST".to_owned(), format!("{prefix}/acct{i}x/sites")));
        }
        paths.push(("GET".to_owned(), format!("{prefix}/acct{i}x/members")));
    }
    for _ in 0..7 {
        paths.push(("GET".to_owned(), format!("{prefix}/admin/sites")));
    }
    for _ in 0..6 {
        paths.push(("POST".to_owned(), format!("{prefix}/payments/sites")));
    }
    paths
}

#[test]
fn a_word_whose_requests_go_where_values_seldom_go_stays() {
    let (t, _) = learn_owned(&accounts("/api/v1"));
    let got = templates(&t);
    for want in [
        "GET /api/v1/admin/sites",
        "POST /api/v1/{name}/sites",
        "GET /api/v1/{name}/members",
    ] {
        assert!(
            got.contains(&want.to_owned()),
            "{want} missing from {got:?}"
        );
    }
    assert!(!got.iter().any(|g| g.contains("payments")), "{got:?}");
}

#[test]
fn vocabulary_past_the_literal_cap_keeps_its_name_and_its_own_traffic() {
    let config = TemplateConfig {
        max_children: 8,
        ..TemplateConfig::default()
    };
    let mut t = Templater::new(config, &[]);
    for (m, p) in accounts("/api/v1") {
        t.observe("api.example.com", &m, &p, Some(200));
    }
    t.compact();
    let got = templates(&t);
    assert!(
        got.contains(&"GET /api/v1/admin/sites".to_owned()),
        "{got:?}"
    );
}
