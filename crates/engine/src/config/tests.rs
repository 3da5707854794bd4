use super::*;

#[test]
fn empty_text_is_the_default_config() {
    let c = parse(Path::new("r.yaml"), "  \n").unwrap();
    assert!(c.specs.is_empty());
    assert_eq!(c.discover.compact_every, 50_000);
}

#[test]
fn reads_sections() {
    let text = "ingest:\n  trusted_proxies: [10.0.0.0/8, '2001:db8::/32']\nspecs: [a.yaml]\ndiscover:\n  compact_every: 1000\n";
    let c = parse(Path::new("r.yaml"), text).unwrap();
    assert_eq!(c.ingest.trusted_proxies.len(), 2);
    assert_eq!(c.discover.compact_every, 1000);
    assert_eq!(c.specs, vec![PathBuf::from("a.yaml")]);
}

#[test]
fn unknown_key_names_the_line_and_a_fix() {
    let text = "ingest:\n  trusted_proxies: []\ndiscover:\n  compact_evry: 10\n";
    let err = parse(Path::new("r.yaml"), text).unwrap_err();
    let shown = err.to_string();
    assert_eq!(err.problems[0].line, 4, "{shown}");
    assert!(shown.contains("compact_evry"), "{shown}");
    assert!(shown.contains("fix:"), "{shown}");
}

#[test]
fn bad_values_are_reported_with_lines() {
    let text = "ingest:\n  trusted_proxies: [not-a-cidr]\n";
    let err = parse(Path::new("r.yaml"), text).unwrap_err();
    assert_eq!(err.problems[0].line, 2, "{err}");
    let text = "discover:\n  compact_every: 0\n";
    let err = parse(Path::new("r.yaml"), text).unwrap_err();
    assert_eq!(err.problems[0].line, 2, "{err}");
}

#[test]
fn relative_specs_resolve_against_the_config_folder() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rampart.yaml");
    std::fs::write(&path, "specs: [api/openapi.yaml]\n").unwrap();
    let c = load(&path).unwrap();
    assert_eq!(c.specs, vec![dir.path().join("api/openapi.yaml")]);
}

#[test]
fn a_custom_field_mapping_is_read_and_used() {
    let text = "ingest:\n  mapping:\n    time: {key: t, format: unix_ms}\n    method: {key: m}\n    path: {key: p, format: path_and_query}\n";
    let c = parse(Path::new("r.yaml"), text).unwrap();
    let options = crate::persist::ingest_options(&c.ingest, None, None).unwrap();
    let rampart_ingest::Format::Mapped(m) = options.format else {
        panic!("a mapping in the config selects the mapped format");
    };
    let ex = m
        .parse(br#"{"t": 1000, "m": "get", "p": "/a?b=1"}"#)
        .unwrap();
    assert_eq!((ex.method.as_str(), ex.path.as_str()), ("GET", "/a"));
    let err = parse(Path::new("r.yaml"), "ingest:\n  format: mapped\n").unwrap_err();
    assert_eq!(err.problems[0].line, 2, "{err}");
}

mod fuzz {
    use std::path::Path;

    use proptest::prelude::*;

    use crate::config::parse;

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "[ -~\n]{0,300}") {
            let _ = parse(Path::new("fuzz.yaml"), &text);
        }

        #[test]
        fn arbitrary_values_in_known_keys_never_panic(
            key in "(format|log_format|trusted_proxies|min_distinct_values|pin|compact_every|max_nodes)",
            value in "[ -~]{0,40}",
        ) {
            let text = format!("ingest:\n  {key}: {value}\ndiscover:\n  templates:\n    {key}: {value}\n");
            let _ = parse(Path::new("fuzz.yaml"), &text);
        }
    }
}
