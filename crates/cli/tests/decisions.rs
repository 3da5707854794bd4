//! End-to-end tests of `rampart decisions add|list|remove` through the real binary, on a
//! throw-away database.

use std::path::Path;
use std::process::{Command, Output};

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(args)
        .arg("--db")
        .arg(db)
        .env_remove("RAMPART_DB")
        .output()
        .expect("rampart runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs `decisions add ...`, requires success and returns the printed id.
fn add(db: &Path, args: &[&str]) -> String {
    let mut all = vec!["decisions", "add"];
    all.extend_from_slice(args);
    let o = run(db, &all);
    assert!(
        o.status.success(),
        "{args:?}: {}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    let id = text(&o.stdout).trim().to_owned();
    assert_eq!(id.len(), 16, "one id on stdout: {id:?}");
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id:?}");
    id
}

fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    assert!(o.status.success(), "{}", text(&o.stderr));
    text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON decision per line"))
        .collect()
}

#[test]
fn add_list_remove_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nested").join("r.db");
    let block = add(
        &db,
        &[
            "--ip",
            "203.0.113.7",
            "--action",
            "block",
            "--status",
            "451",
            "--ttl",
            "1h",
            "--reason",
            "abuse report 4711",
        ],
    );
    let allow = add(
        &db,
        &[
            "--cidr",
            "198.51.100.9/24",
            "--action",
            "allow",
            "--reason",
            "partner",
        ],
    );
    let tarpit = add(
        &db,
        &[
            "--session",
            "9F86D081884C7D65A1B2C3D4E5F60718",
            "--action",
            "tarpit",
            "--delay",
            "3s",
            "--ttl",
            "30m",
        ],
    );
    let limit = add(
        &db,
        &[
            "--principal",
            "2c26b46b68ffc68f",
            "--action",
            "rate_limit",
            "--rate",
            "10/min",
            "--burst",
            "5",
        ],
    );
    let deceive = add(
        &db,
        &["--fingerprint", "0123456789abcdef", "--action", "deceive"],
    );

    let o = run(&db, &["decisions", "list"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let table = text(&o.stdout);
    for id in [&block, &allow, &tarpit, &limit, &deceive] {
        assert!(table.contains(id.as_str()), "{id} in {table}");
    }
    assert!(table.contains("block 451"), "{table}");
    assert!(table.contains("ip:203.0.113.7"), "{table}");
    assert!(
        table.contains("prefix:198.51.100.0/24"),
        "networks are truncated: {table}"
    );
    assert!(
        table.contains("session:9f86d081884c7d65a1b2c3d4e5f60718"),
        "hashes are lower case: {table}"
    );
    assert!(table.contains("tarpit 3s"), "{table}");
    assert!(table.contains("rate_limit 10/min burst 5"), "{table}");
    assert!(table.contains("abuse report 4711"), "{table}");
    assert!(table.contains("5 active decisions"), "{table}");

    let o = run(&db, &["decisions", "remove", &block]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = run(&db, &["decisions", "list"]);
    let table = text(&o.stdout);
    assert!(!table.contains(block.as_str()), "{table}");
    assert!(table.contains("4 active decisions"), "{table}");
}

#[test]
fn json_output_is_one_decision_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let id = add(
        &db,
        &[
            "--cidr",
            "203.0.113.0/24",
            "--action",
            "block",
            "--ttl",
            "2h",
            "--reason",
            "scraping",
        ],
    );
    let rows = json_lines(&run(&db, &["decisions", "list", "--json"]));
    assert_eq!(rows.len(), 1);
    let d = &rows[0];
    assert_eq!(d["id"], id.as_str());
    assert_eq!(d["action"]["type"], "block");
    assert_eq!(d["action"]["status"], 403);
    assert_eq!(d["scope"]["prefix"], "203.0.113.0/24");
    assert_eq!(d["origin"], "manual");
    assert_eq!(d["mode"], "enforce");
    assert_eq!(d["reason"], "scraping");
    let created = d["created"].as_str().unwrap();
    let expires = d["expires"].as_str().unwrap();
    assert!(created.ends_with('Z') && expires.ends_with('Z'), "{d}");
    assert!(expires > created, "{d}");
}

#[test]
fn a_bad_ip_is_refused_with_the_flag_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let o = run(
        &db,
        &["decisions", "add", "--ip", "300.1.2.3", "--action", "block"],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("--ip") && err.contains("300.1.2.3"), "{err}");
    assert!(err.contains("not an IP address"), "{err}");
    assert!(!db.exists(), "nothing is written for a refused decision");
}

#[test]
fn other_bad_flags_exit_2_with_the_flag_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let cases: &[(&[&str], &str)] = &[
        (&["--ip", "192.0.2.1/24", "--action", "block"], "--cidr"),
        (&["--cidr", "192.0.2.0/33", "--action", "block"], "--cidr"),
        (&["--session", "not-hex!", "--action", "block"], "--session"),
        (&["--ip", "192.0.2.1", "--action", "nuke"], "--action"),
        (
            &["--ip", "192.0.2.1", "--action", "block", "--status", "200"],
            "--status",
        ),
        (
            &["--ip", "192.0.2.1", "--action", "tarpit", "--status", "403"],
            "--status applies only to --action block",
        ),
        (&["--ip", "192.0.2.1", "--action", "rate_limit"], "--rate"),
        (
            &[
                "--ip",
                "192.0.2.1",
                "--action",
                "rate_limit",
                "--rate",
                "lots",
            ],
            "--rate",
        ),
        (
            &["--ip", "192.0.2.1", "--action", "tarpit", "--delay", "1h"],
            "--delay",
        ),
        (
            &["--ip", "192.0.2.1", "--action", "block", "--ttl", "10"],
            "--ttl",
        ),
        (
            &["--ip", "192.0.2.1", "--action", "block", "--ttl", "0s"],
            "--ttl",
        ),
        (
            &["--ip", "192.0.2.1", "--action", "block", "--reason", "a\nb"],
            "--reason",
        ),
        // Two scopes, or none: clap refuses them.
        (
            &[
                "--ip",
                "192.0.2.1",
                "--cidr",
                "192.0.2.0/24",
                "--action",
                "block",
            ],
            "--cidr",
        ),
        (&["--action", "block"], "--ip"),
    ];
    for (args, expected) in cases {
        let mut all = vec!["decisions", "add"];
        all.extend_from_slice(args);
        let o = run(&db, &all);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stderr));
        let err = text(&o.stderr);
        assert!(err.contains(expected), "{args:?}: {err}");
    }
    assert!(!db.exists(), "nothing is written for a refused decision");
}

#[test]
fn removing_an_unknown_id_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    add(&db, &["--ip", "192.0.2.1", "--action", "deceive"]);
    let o = run(&db, &["decisions", "remove", "0000000000000000"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("no decision with id 0000000000000000"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(
        json_lines(&run(&db, &["decisions", "list", "--json"])).len(),
        1
    );
}

#[test]
fn expired_decisions_are_hidden_unless_all() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let short = add(
        &db,
        &["--ip", "192.0.2.1", "--action", "block", "--ttl", "1ms"],
    );
    let long = add(
        &db,
        &["--ip", "192.0.2.2", "--action", "block", "--ttl", "1d"],
    );
    std::thread::sleep(std::time::Duration::from_millis(20));

    let o = run(&db, &["decisions", "list"]);
    let table = text(&o.stdout);
    assert!(
        !table.contains(short.as_str()) && table.contains(long.as_str()),
        "{table}"
    );
    assert!(table.contains("1 active decisions"), "{table}");
    let ids: Vec<String> = json_lines(&run(&db, &["decisions", "list", "--json"]))
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, vec![long.clone()]);

    let o = run(&db, &["decisions", "list", "--all"]);
    let table = text(&o.stdout);
    let line = table
        .lines()
        .find(|l| l.contains(short.as_str()))
        .unwrap_or_else(|| panic!("expired one shown: {table}"));
    assert!(line.contains("expired"), "{line}");
    assert!(table.contains("1 active and 1 expired"), "{table}");
    assert_eq!(
        json_lines(&run(&db, &["decisions", "list", "--json", "--all"])).len(),
        2
    );
}

#[test]
fn listing_without_a_database_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&dir.path().join("absent.db"), &["decisions", "list"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("no database"));
}

#[test]
fn text_from_traffic_is_escaped_in_the_table() {
    use rampart_core::EventTime;
    use rampart_defend::{Action, Decision, Origin, Scope};
    use rampart_store::{SqliteStore, Store};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    // A decision made from an alert carries text from traffic in its reason.
    let mut d = Decision::manual(
        Action::Deceive,
        Scope::Session("ab12cd34ef".into()),
        "evil \u{1b}[31mred\u{1b}[0m",
        EventTime::from_unix_millis(0),
        None,
    );
    d.origin = Origin::Rule("x\u{7}y".into());
    SqliteStore::open(&db)
        .unwrap()
        .save_decisions(&[d.clone()])
        .unwrap();
    let o = run(&db, &["decisions", "list"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let table = text(&o.stdout);
    assert!(
        !table.contains('\u{1b}') && !table.contains('\u{7}'),
        "{table:?}"
    );
    assert!(table.contains("\\u{1b}[31mred"), "{table}");
    assert!(table.contains(d.id.as_str()), "{table}");
}

#[test]
fn a_decision_can_be_limited_to_one_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let id = add(
        &db,
        &[
            "--fingerprint",
            "5d41402abc4b2a76",
            "--endpoint",
            "post /api/v1/auth/login",
            "--action",
            "block",
            "--ttl",
            "15m",
        ],
    );
    let everywhere = add(
        &db,
        &["--fingerprint", "5d41402abc4b2a76", "--action", "block"],
    );
    assert_ne!(id, everywhere);
    let o = run(&db, &["decisions", "list", "--json"]);
    let lines = json_lines(&o);
    let limited = lines.iter().find(|d| d["id"] == id.as_str()).unwrap();
    assert_eq!(limited["endpoint"], "POST /api/v1/auth/login");
    let plain = lines
        .iter()
        .find(|d| d["id"] == everywhere.as_str())
        .unwrap();
    assert!(plain.get("endpoint").is_none(), "{plain}");
    let table = text(&run(&db, &["decisions", "list"]).stdout);
    assert!(
        table.contains("fingerprint:5d41402abc4b2a76 at POST /api/v1/auth/login"),
        "{table}"
    );
    for bad in ["/api/login", "POST api/login", "PO5T /x", "GET /a b"] {
        let o = run(
            &db,
            &[
                "decisions",
                "add",
                "--ip",
                "192.0.2.1",
                "--action",
                "block",
                "--endpoint",
                bad,
            ],
        );
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(
            text(&o.stderr).contains("--endpoint"),
            "{bad}: {}",
            text(&o.stderr)
        );
    }
}
