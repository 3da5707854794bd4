use std::io::{BufReader, Cursor, Read};

use proptest::prelude::*;

use super::*;

fn entry(i: usize) -> String {
    format!(
        r#"{{"startedDateTime":"2024-05-01T10:00:0{}.000Z","time":12.5,"request":{{"method":"GET","url":"https://API.example.com:443/v1/users/{i}?x=1","httpVersion":"HTTP/2","headers":[{{"name":":authority","value":"api.example.com"}},{{"name":"Authorization","value":"Bearer t"}}],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":0}},"response":{{"status":200,"statusText":"OK","headers":[{{"name":"content-type","value":"application/json"}}],"content":{{"size":13,"mimeType":"application/json","text":"eyJpZCI6IDQyfQ==","encoding":"base64"}},"bodySize":13,"_transferSize":300}},"cache":{{}},"timings":{{}}}}"#,
        i % 10
    )
}

fn har(entries: &[String], pages_first: bool) -> String {
    let pages = r#""pages":[{"id":"page_1","title":"x"}]"#;
    let entries = format!(r#""entries":[{}]"#, entries.join(",\n"));
    if pages_first {
        format!("{{\"log\":{{\"version\":\"1.2\",\"creator\":{{\"name\":\"t\"}},{pages},\n{entries}}}}}")
    } else {
        format!("{{\"log\":{{\"version\":\"1.2\",{entries},{pages}}}}}")
    }
}

fn read_all(text: &str) -> Vec<Result<Exchange, RecordError>> {
    HarReader::new(BufReader::new(Cursor::new(text.as_bytes().to_vec()))).collect()
}

#[test]
fn entries_before_and_after_pages() {
    for pages_first in [true, false] {
        let items = read_all(&har(&[entry(1), entry(2)], pages_first));
        assert_eq!(items.len(), 2);
        let ex = items[0].as_ref().unwrap();
        assert_eq!(ex.method, "GET");
        assert_eq!(ex.host.as_deref(), Some("api.example.com"));
        assert_eq!(ex.path, "/v1/users/1");
        assert_eq!(ex.query.as_deref(), Some("x=1"));
        assert_eq!(ex.status, Some(200));
        assert_eq!(ex.request_headers.get("authorization"), Some("Bearer t"));
        assert_eq!(ex.request_headers.get(":authority"), None);
        assert_eq!(ex.response_body.as_ref().unwrap().bytes, b"{\"id\": 42}");
        assert_eq!(ex.duration_ms, Some(12.5));
    }
}

#[test]
fn a_broken_entry_does_not_stop_the_rest() {
    let text = har(&[entry(1), r#"{"request": 5}"#.into(), entry(3)], true);
    let items = read_all(&text);
    assert_eq!(items.len(), 3);
    assert!(items[0].is_ok() && items[2].is_ok());
    let e = items[1].as_ref().unwrap_err();
    assert!(e.reason.starts_with("entry 2:"), "{e}");
    assert_eq!(e.line, 3);
}

#[test]
fn not_a_har_and_truncated_files() {
    let items = read_all("hello");
    assert_eq!(items.len(), 1);
    assert!(items[0].as_ref().unwrap_err().reason.contains("not a HAR"));
    let items = read_all(r#"{"foo": 1}"#);
    assert_eq!(items.len(), 1);
    let full = har(&[entry(1), entry(2)], true);
    let items = read_all(&full[..full.len() - 40]);
    assert!(items[0].is_ok());
    assert!(items.last().unwrap().is_err());
}

struct Trickle<R> {
    inner: R,
    n: usize,
}

impl<R: Read> Read for Trickle<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.n = self.n % 7 + 1;
        let len = buf.len().min(self.n);
        self.inner.read(&mut buf[..len])
    }
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let reader = HarReader::new(BufReader::new(Cursor::new(bytes)));
        for item in reader.take(1000) {
            let _ = item;
        }
    }

    #[test]
    fn chunking_does_not_matter(n in 0usize..20, first in 1usize..7) {
        let entries: Vec<String> = (0..n).map(entry).collect();
        let text = har(&entries, n % 2 == 0);
        let reader = BufReader::with_capacity(16, Trickle { inner: Cursor::new(text.into_bytes()), n: first });
        let ok = HarReader::new(reader).filter(Result::is_ok).count();
        prop_assert_eq!(ok, n);
    }
}

#[test]
fn a_client_address_field_is_read_and_garbage_ignored() {
    let with = entry(1).replacen(
        "\"time\":12.5",
        "\"time\":12.5,\"_clientAddress\":\"203.0.113.7\"",
        1,
    );
    let bad = entry(2).replacen(
        "\"time\":12.5",
        "\"time\":12.5,\"_clientAddress\":\"not an ip\"",
        1,
    );
    let out = read_all(&har(&[with, bad, entry(3)], true));
    let clients: Vec<_> = out.iter().map(|r| r.as_ref().unwrap().client).collect();
    assert_eq!(
        clients,
        vec![Some("203.0.113.7".parse().unwrap()), None, None]
    );
}
