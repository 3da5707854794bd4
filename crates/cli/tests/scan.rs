//! End-to-end test of `rampart scan` through the real binary: test servers on 127.0.0.1, a
//! real SQLite file, JSON and table output, `--diff` between scans, and the unmonitored flag.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

type Handler = Arc<dyn Fn(&str, &str) -> (u16, &'static str, String) + Send + Sync>;

/// A small HTTP/1.1 server on 127.0.0.1, one thread per connection, `Connection: close`.
fn serve(handler: Handler) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { continue };
            let handler = handler.clone();
            std::thread::spawn(move || answer(conn, &handler));
        }
    });
    addr
}

fn answer(conn: TcpStream, handler: &Handler) {
    conn.set_read_timeout(Some(Duration::from_secs(5))).ok();
    let mut reader = BufReader::new(conn);
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let path = parts.next().unwrap_or("").to_owned();
    let mut length = 0usize;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
        if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; length.min(1 << 16)];
    let _ = reader.read_exact(&mut body);
    let (status, content_type, body) = handler(&method, &path);
    let mut conn = reader.into_inner();
    let _ = write!(
        conn,
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

const DOC: &str = r#"{"openapi":"3.0.0","info":{"title":"Users"},"paths":{"/users":{"get":{}},"/admin":{"get":{}}}}"#;

fn leaky(env_served: Arc<AtomicBool>) -> Handler {
    Arc::new(move |method, path| {
        match (method, path) {
        ("GET", "/.env") if env_served.load(Ordering::SeqCst) => (
            200,
            "text/plain",
            "DB_PASSWORD=hunter2\nAWS_SECRET_ACCESS_KEY=abc\n".into(),
        ),
        ("GET", "/openapi.json") => (200, "application/json", DOC.into()),
        ("GET", "/users") => (
            200,
            "application/json",
            r#"[{"id":1,"email":"jane.doe@example.com"},{"id":2,"email":"max.mustermann@example.org"}]"#.into(),
        ),
        ("GET", "/admin") => (401, "application/json", r#"{"error":"login"}"#.into()),
        _ => (404, "text/html", "<html>nothing here</html>".into()),
    }
    })
}

fn catch_all() -> Handler {
    Arc::new(|_, _| {
        (
            200,
            "text/html",
            "<!doctype html><html><body>Single page app. KEY=value [core]</body></html>".into(),
        )
    })
}

fn rampart(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rampart"))
        .arg("scan")
        .args(args)
        .arg("--db")
        .arg(db)
        .args(["--grace", "200ms", "--rate", "1000", "--timeout", "5s"])
        .env_remove("RAMPART_DB")
        .output()
        .expect("rampart runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}{}", text(&o.stdout), text(&o.stderr));
    assert!(
        o.stderr.is_empty(),
        "no progress bar off a terminal: {}",
        text(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("one JSON document")
}

fn of<'a>(doc: &'a serde_json::Value, list: &str, target: &str) -> Vec<&'a serde_json::Value> {
    doc[list]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["target"] == target)
        .collect()
}

fn kinds(findings: &[&serde_json::Value]) -> Vec<String> {
    let mut k: Vec<String> = findings
        .iter()
        .map(|f| f["kind"].as_str().unwrap().to_owned())
        .collect();
    k.sort();
    k
}

#[test]
fn scan_store_and_diff() {
    let env_served = Arc::new(AtomicBool::new(true));
    let leaky = serve(leaky(env_served.clone())).to_string();
    let catch_all = serve(catch_all()).to_string();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("state").join("r.db");

    let first = json(&rampart(&db, &[&leaky, &catch_all, "--json"]));
    assert_eq!(first["summary"]["ports_tried"], 2);
    assert_eq!(first["summary"]["ports_open"], 2);
    let l = of(&first, "findings", &leaky);
    assert_eq!(
        kinds(&l),
        vec![
            "api_docs_exposed",
            "api_service",
            "exposed_file",
            "missing_security_headers",
            "plaintext_http",
            "unauthenticated_api",
            "unmonitored",
        ],
        "{l:#?}"
    );
    let env = l.iter().find(|f| f["kind"] == "exposed_file").unwrap();
    assert_eq!(env["subject"], "/.env");
    let open = l
        .iter()
        .find(|f| f["kind"] == "unauthenticated_api")
        .unwrap();
    assert_eq!(open["subject"], "/users");
    assert_eq!(open["data_classes"], serde_json::json!(["email"]));
    let all = text(&serde_json::to_vec(&first).unwrap());
    for secret in ["hunter2", "jane.doe", "mustermann"] {
        assert!(!all.contains(secret), "{secret} in the output");
    }
    // The catch-all server: no exposed file, no document, only what applies.
    let c = of(&first, "findings", &catch_all);
    assert_eq!(kinds(&c), vec!["plaintext_http", "unmonitored"], "{c:#?}");

    // The same targets again, from a file and in another order: nothing new, nothing gone.
    let list = dir.path().join("estate.txt");
    std::fs::write(
        &list,
        format!("# the estate\n{catch_all}\n\n{leaky}  # leaky\n"),
    )
    .unwrap();
    let again = rampart(&db, &["--targets", list.to_str().unwrap(), "--diff"]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    let out = text(&again.stdout);
    assert!(out.contains("NEW (0: none)"), "{out}");
    assert!(out.contains("GONE (0: none)"), "{out}");
    assert!(out.contains("stored in"), "{out}");

    // The .env file is taken down: the next scan says it is gone.
    env_served.store(false, Ordering::SeqCst);
    let third = json(&rampart(&db, &[&leaky, &catch_all, "--diff", "--json"]));
    let gone = of(&third["diff"], "gone", &leaky);
    assert_eq!(kinds(&gone), vec!["exposed_file"], "{:#?}", third["diff"]);
    assert!(third["diff"]["new"].as_array().unwrap().is_empty());
    let first_seen = |doc: &serde_json::Value| {
        of(doc, "findings", &leaky)
            .iter()
            .find(|f| f["kind"] == "unauthenticated_api")
            .map(|f| f["first_seen_ms"].clone())
            .unwrap()
    };
    assert_eq!(
        first_seen(&third),
        first_seen(&first),
        "first sighting kept"
    );
}

#[test]
fn bad_targets_and_options_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    for args in [
        vec!["ftp://127.0.0.1"],
        vec!["127.0.0.1", "--ports", "0-5"],
        vec![],
        vec!["10.0.0.0/8"],
        vec!["127.0.0.1:1", "--connect-timeout", "soon"],
    ] {
        let o = rampart(&db, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stderr));
        assert!(
            text(&o.stderr).starts_with("rampart: error:"),
            "{}",
            text(&o.stderr)
        );
    }
}
