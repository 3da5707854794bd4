//! Exporters write the expected lines.

mod common;

use std::time::Duration;

use common::secs;
use rampart_defend::{
    Action, Decision, Exporter, IpsetExporter, JsonLinesExporter, Scope, SetFormat,
};

fn block(scope: Scope, ttl: Option<Duration>) -> Decision {
    Decision::manual(
        Action::Block {
            status: 403,
            body: "no".into(),
        },
        scope,
        "test",
        secs(0),
        ttl,
    )
}

fn ip(s: &str) -> Scope {
    Scope::Ip(s.parse().unwrap())
}

#[test]
fn json_lines_file_holds_one_decision_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("decisions.jsonl");
    let a = block(ip("1.2.3.4"), Some(Duration::from_secs(3600)));
    let b = Decision::manual(
        Action::Deceive,
        Scope::Actor("actor-1".into()),
        "x",
        secs(5),
        None,
    );
    {
        let mut ex = JsonLinesExporter::append(&path).unwrap();
        ex.publish(&a).unwrap();
        ex.publish(&b).unwrap();
        assert_eq!(ex.written(), 2);
    }
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(serde_json::from_str::<Decision>(lines[0]).unwrap(), a);
    assert_eq!(serde_json::from_str::<Decision>(lines[1]).unwrap(), b);
    assert!(lines[0].contains("\"ip\":\"1.2.3.4\""), "{}", lines[0]);
    // Appending keeps what was there.
    JsonLinesExporter::append(&path)
        .unwrap()
        .publish(&a)
        .unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 3);
}

#[test]
fn ipset_file_holds_blocked_addresses_with_timeouts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("block.ipset");
    {
        let mut ex =
            IpsetExporter::append(&path, "rampart-block", SetFormat::IpsetCommands).unwrap();
        ex.publish(&block(ip("1.2.3.4"), Some(Duration::from_secs(3600))))
            .unwrap();
        ex.publish(&block(
            Scope::Prefix("203.0.113.0/24".parse().unwrap()),
            Some(Duration::from_millis(1500)),
        ))
        .unwrap();
        ex.publish(&block(ip("2001:db8::1"), None)).unwrap();
        // Not a block, or not an address: skipped.
        ex.publish(&Decision::manual(
            Action::Deceive,
            ip("5.6.7.8"),
            "",
            secs(0),
            None,
        ))
        .unwrap();
        ex.publish(&block(Scope::Session("ab".into()), None))
            .unwrap();
        ex.withdraw(&block(ip("1.2.3.4"), None)).unwrap();
        assert_eq!((ex.written(), ex.skipped()), (4, 2));
    }
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "ipset add rampart-block 1.2.3.4 timeout 3600\n\
         ipset add rampart-block 203.0.113.0/24 timeout 2\n\
         ipset add rampart-block-v6 2001:db8::1\n\
         ipset del rampart-block 1.2.3.4\n"
    );
}

#[test]
fn restore_and_nft_formats() {
    let d = block(ip("1.2.3.4"), Some(Duration::from_secs(3600)));
    let mut restore = IpsetExporter::new(Vec::new(), "rampart-block", SetFormat::IpsetRestore);
    restore.publish(&d).unwrap();
    assert_eq!(
        String::from_utf8(restore.into_inner()).unwrap(),
        "add rampart-block 1.2.3.4 timeout 3600\n"
    );
    let mut nft = IpsetExporter::new(
        Vec::new(),
        "rampart-block",
        SetFormat::Nft("inet filter".into()),
    )
    .with_v6_set("rampart-block6");
    nft.publish(&d).unwrap();
    nft.publish(&block(ip("::1"), None)).unwrap();
    nft.withdraw(&d).unwrap();
    assert_eq!(
        String::from_utf8(nft.into_inner()).unwrap(),
        "add element inet filter rampart-block { 1.2.3.4 timeout 3600s }\n\
         add element inet filter rampart-block6 { ::1 }\n\
         delete element inet filter rampart-block { 1.2.3.4 }\n"
    );
}
