//! End-to-end tests of `rampart analyze` and `rampart inventory`: the real binary, real files,
//! a real SQLite database.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn rampart() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rampart"))
}

fn run(args: &[&str]) -> Output {
    rampart().args(args).output().expect("rampart runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A combined log: users by id, `/users/me`, login failures, a scanner, an unauthenticated
/// endpoint.
fn combined_log(lines: usize) -> String {
    let mut s = String::new();
    for i in 0..lines {
        let ip = format!("203.0.113.{}", i % 200);
        let (path, status) = match i % 5 {
            0 => (format!("/api/v1/users/{}", 1000 + i), 200),
            1 => ("/api/v1/users/me".to_string(), 200),
            2 => (format!("/api/v1/orders/{}/items", 50_000 + i * 7), 200),
            3 => ("/api/v1/products?category=phones".to_string(), 200),
            _ => (
                format!("/.env{}", if i % 2 == 0 { "" } else { ".bak" }),
                404,
            ),
        };
        s.push_str(&format!(
            "{ip} - - [10/Oct/2024:13:{:02}:{:02} +0000] \"GET {path} HTTP/1.1\" {status} 512 \"-\" \"Mozilla/5.0\"\n",
            (i / 60) % 60,
            i % 60
        ));
    }
    s
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn analyzes_a_combined_log_and_templates_ids() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "access.log", &combined_log(500));
    let report = dir.path().join("report.json");
    let o = run(&[
        "analyze",
        log.to_str().unwrap(),
        "--no-store",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("500 exchanges"), "{out}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let templates: Vec<&str> = report["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["template"].as_str().unwrap())
        .collect();
    assert!(templates.contains(&"/api/v1/users/{id}"), "{templates:?}");
    assert!(templates.contains(&"/api/v1/users/me"), "{templates:?}");
    assert!(
        templates.contains(&"/api/v1/orders/{id}/items"),
        "{templates:?}"
    );
    assert!(
        !templates.iter().any(|t| t.contains(".env")),
        "probes are kept out: {templates:?}"
    );
    assert_eq!(report["probes"]["requests"], 100);
}

#[test]
fn malformed_lines_are_reported_and_the_rest_analysed() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = combined_log(20);
    text.push_str("this is not a log line\n");
    text.push_str(&combined_log(5));
    let log = write(dir.path(), "bad.log", &text);
    let o = run(&["analyze", log.to_str().unwrap(), "--no-store"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "exit code 1 says records were skipped"
    );
    let err = stderr(&o);
    assert!(err.contains("bad.log:21"), "names file and line: {err}");
    assert!(
        stdout(&o).contains("25 exchanges, 1 skipped"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn a_missing_spec_is_an_error_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "a.log", &combined_log(5));
    let o = run(&[
        "analyze",
        log.to_str().unwrap(),
        "--no-store",
        "--spec",
        "/nonexistent/spec.yaml",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("/nonexistent/spec.yaml"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn reads_standard_input_and_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let text = combined_log(50);
    let mut child = rampart()
        .args(["analyze", "-", "--no-store"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("50 exchanges"), "{}", stdout(&o));

    let gz = dir.path().join("access.log.1");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap();
    let o = run(&["analyze", gz.to_str().unwrap(), "--no-store"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("50 exchanges"),
        "gzip found by its magic bytes"
    );
}

#[test]
fn later_runs_merge_into_the_stored_inventory() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let log = write(dir.path(), "a.log", &combined_log(100));
    for _ in 0..2 {
        let o = run(&[
            "analyze",
            log.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "-q",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert!(
        dir.path().join("rampart.key").exists(),
        "the hashing key sits beside the db"
    );
    let o = run(&["inventory", "--db", db.to_str().unwrap(), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let users = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["template"] == "/api/v1/users/{id}")
        .expect("users endpoint stored");
    assert_eq!(users["hits"], 40, "20 hits per run, two runs");
    let o = run(&["inventory", "--db", db.to_str().unwrap()]);
    assert!(stdout(&o).contains("/api/v1/users/{id}"), "{}", stdout(&o));
}

#[test]
fn writes_an_openapi_document() {
    let dir = tempfile::tempdir().unwrap();
    let log = write(dir.path(), "a.log", &combined_log(100));
    let out = dir.path().join("learned.json");
    let o = run(&[
        "analyze",
        log.to_str().unwrap(),
        "--no-store",
        "-q",
        "--openapi",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "--quiet prints nothing");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(doc["openapi"], "3.0.3");
    assert!(
        doc["paths"]["/api/v1/users/{id}"]["get"].is_object(),
        "{doc}"
    );
}

#[test]
fn killing_a_run_never_corrupts_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let small = write(dir.path(), "small.log", &combined_log(50));
    let o = run(&[
        "analyze",
        small.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let big = write(dir.path(), "big.log", &combined_log(60_000));
    // Kill runs at increasing delays: before, during and around the final write.
    for delay_ms in [20u64, 80, 200, 400, 800] {
        let mut child = rampart()
            .args([
                "analyze",
                big.to_str().unwrap(),
                "--db",
                db.to_str().unwrap(),
                "-q",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let o = run(&["inventory", "--db", db.to_str().unwrap(), "--json"]);
        assert!(
            o.status.success(),
            "database readable after kill at {delay_ms} ms: {}",
            stderr(&o)
        );
        let rows: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert!(!rows.as_array().unwrap().is_empty());
    }
}

#[test]
fn help_explains_options_with_examples() {
    let o = run(&["analyze", "--help"]);
    assert!(o.status.success());
    let help = stdout(&o);
    for needle in [
        "--spec",
        "--openapi",
        "--report",
        "--log-format",
        "Examples:",
        "Exit codes",
    ] {
        assert!(help.contains(needle), "missing {needle} in help");
    }
}

#[test]
fn threads_and_a_single_thread_give_the_same_alerts_and_problems() {
    let dir = tempfile::tempdir().unwrap();
    let sim = dir.path().join("sim.jsonl");
    let o = run(&[
        "simulate",
        "--scenario",
        "all",
        "--minutes",
        "15",
        "--benign-users",
        "200",
        "--seed",
        "5",
        "-o",
        sim.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Unreadable lines spread through the file, so that problems come from every batch.
    let text = std::fs::read_to_string(&sim).unwrap();
    let mut mixed = String::new();
    for (i, line) in text.lines().enumerate() {
        if i % 3_001 == 17 {
            mixed.push_str("{\"not\": \"an exchange\"\n");
        }
        mixed.push_str(line);
        mixed.push('\n');
    }
    let lines = mixed.lines().count();
    assert!(lines > 20_000, "{lines} lines: too few for several batches");
    let input = write(dir.path(), "mixed.jsonl", &mixed);
    // One database key for both runs: copy a database made once.
    let base = dir.path().join("base.db");
    let first = write(dir.path(), "one.jsonl", text.lines().next().unwrap());
    assert!(run(&[
        "analyze",
        first.to_str().unwrap(),
        "--db",
        base.to_str().unwrap(),
        "-q"
    ])
    .status
    .code()
    .is_some());
    let mut outputs = Vec::new();
    for mode in ["threads", "single"] {
        let db = dir.path().join(format!("{mode}.db"));
        std::fs::copy(&base, &db).unwrap();
        let alerts = dir.path().join(format!("{mode}.jsonl"));
        let report = dir.path().join(format!("{mode}.json"));
        let mut args = vec![
            "analyze",
            input.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--alerts",
            alerts.to_str().unwrap(),
            "--report",
            report.to_str().unwrap(),
            "--max-errors",
            "1000",
            "-q",
        ];
        if mode == "single" {
            args.push("--single-thread");
        }
        let o = run(&args);
        assert_eq!(o.status.code(), Some(1), "bad lines give 1: {}", stderr(&o));
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
        outputs.push((
            std::fs::read_to_string(&alerts).unwrap(),
            stderr(&o),
            report["endpoints"].to_string(),
        ));
    }
    let (threads, single) = (&outputs[0], &outputs[1]);
    assert!(
        threads.0.lines().count() > 10,
        "{} alerts",
        threads.0.lines().count()
    );
    assert_eq!(threads.0, single.0, "alerts differ");
    assert_eq!(threads.1, single.1, "problems differ");
    assert!(threads.1.matches("line").count() >= 5, "{}", threads.1);
    assert!(threads.2.len() > 100, "{}", threads.2);
    assert_eq!(threads.2, single.2, "inventories differ");
}
