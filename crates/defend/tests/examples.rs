//! The example policies under `examples/policies/` parse, and the docs show them verbatim, so
//! the docs stay true.

mod common;

use std::path::PathBuf;

use rampart_defend::{render_problems, Policy};

fn examples() -> Vec<(PathBuf, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/policies");
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_example_policy_parses() {
    let all = examples();
    assert!(all.len() >= 4, "{all:?}");
    for (path, text) in all {
        if let Err(p) = Policy::from_yaml(&text, &path.display().to_string()) {
            panic!("{}", render_problems(&p));
        }
    }
}

#[test]
fn docs_show_every_example_verbatim() {
    let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/policy.md");
    let docs = std::fs::read_to_string(docs).unwrap();
    for (path, text) in examples() {
        assert!(
            docs.contains(text.trim()),
            "docs/policy.md does not show {} verbatim",
            path.display()
        );
    }
}

#[test]
fn every_yaml_block_in_the_docs_parses() {
    let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/policy.md");
    let docs = std::fs::read_to_string(docs).unwrap();
    let mut blocks = 0;
    let mut rest = docs.as_str();
    while let Some(start) = rest.find("```yaml\n") {
        let body = &rest[start + 8..];
        let end = body.find("```").unwrap();
        let block = &body[..end];
        if let Err(p) = Policy::from_yaml(block, &format!("docs/policy.md block {blocks}")) {
            panic!("{}\n---\n{block}", render_problems(&p));
        }
        blocks += 1;
        rest = &body[end + 3..];
    }
    assert!(blocks >= 5, "only {blocks} yaml blocks");
}

#[test]
fn the_starter_policy_reads_as_written() {
    let (_, text) = examples()
        .into_iter()
        .find(|(p, _)| p.ends_with("starter.yaml"))
        .unwrap();
    let p = common::policy(&text);
    let names: Vec<&str> = p.rules().iter().map(|r| &*r.name).collect();
    assert_eq!(
        names,
        [
            "allow-partners",
            "block-stuffers",
            "login-limit",
            "tarpit-scrapers",
            "deceive-enumerators",
            "sensitive-needs-auth"
        ]
    );
    let block = p.rule("block-stuffers").unwrap();
    assert_eq!(block.mode, rampart_defend::Mode::Enforce);
    assert_eq!(block.ttl, Some(std::time::Duration::from_secs(3600)));
    assert_eq!(
        p.rule("login-limit").unwrap().mode,
        rampart_defend::Mode::Monitor,
        "monitor is the default"
    );
    assert!(p.lists().contains_key("partners"));
}
