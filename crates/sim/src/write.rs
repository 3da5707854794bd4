//! Exchanges as log lines: OpenTelemetry JSON and nginx `combined`.

pub use rampart_core::otel_line::to_otel_json;
use rampart_core::{EventTime, Exchange};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// One nginx `combined` line: `$remote_addr - $remote_user [$time_local] "$request" $status
/// $body_bytes_sent "$http_referer" "$http_user_agent"`, escaped as nginx does. No trailing
/// newline.
pub fn to_combined(ex: &Exchange) -> String {
    let addr = ex
        .client
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "-".into());
    let target = match &ex.query {
        Some(q) => format!("{}?{q}", ex.path),
        None => ex.path.clone(),
    };
    let request = format!("{} {target} HTTP/1.1", ex.method);
    format!(
        "{addr} - - [{}] \"{}\" {} {} \"{}\" \"{}\"",
        time_local(ex.time),
        escape(&request),
        ex.status.unwrap_or(0),
        ex.response_size.unwrap_or(0),
        escape(ex.request_headers.get("referer").unwrap_or("-")),
        escape(ex.user_agent().unwrap_or("-")),
    )
}

/// nginx `$time_local` in UTC: `01/May/2024:10:00:00 +0000`.
pub(crate) fn time_local(t: EventTime) -> String {
    let s = t.to_rfc3339();
    let field = |r: std::ops::Range<usize>| s.get(r).unwrap_or("00");
    let month = field(5..7)
        .parse::<usize>()
        .ok()
        .and_then(|m| MONTHS.get(m.wrapping_sub(1)))
        .copied()
        .unwrap_or("Jan");
    format!(
        "{}/{month}/{}:{} +0000",
        field(8..10),
        field(0..4),
        field(11..19)
    )
}

/// nginx's escaping of `"`, `\` and bytes outside printable ASCII as `\xHH`.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b == b'"' || b == b'\\' || !(0x20..0x7f).contains(&b) {
            out.push_str(&format!("\\x{b:02X}"));
        } else {
            out.push(char::from(b));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::{Body, Headers};

    fn sample() -> Exchange {
        let mut request_headers = Headers::new();
        request_headers.push("user-agent", "curl/8.5.0 \"x\"");
        request_headers.push("authorization", "Bearer abc");
        let mut response_headers = Headers::new();
        response_headers.push("content-type", "application/json");
        Exchange {
            time: EventTime::from_civil(2024, 5, 1, 10, 0, 0, 250),
            client: "203.0.113.9".parse().ok(),
            method: "GET".into(),
            scheme: Some("https".into()),
            host: Some("api.example.com".into()),
            path: "/v1/users/42".into(),
            query: Some("page=2".into()),
            status: Some(200),
            request_headers,
            response_headers,
            response_body: Some(Body::sample(
                Some("application/json".into()),
                br#"{"id":42}"#,
            )),
            response_size: Some(9),
            duration_ms: Some(135.985),
            ..Exchange::default()
        }
    }

    #[test]
    fn combined_line_has_nginx_shape() {
        let line = to_combined(&sample());
        assert_eq!(
            line,
            "203.0.113.9 - - [01/May/2024:10:00:00 +0000] \"GET /v1/users/42?page=2 HTTP/1.1\" 200 9 \"-\" \"curl/8.5.0 \\x22x\\x22\""
        );
        let re = regex_shape();
        assert!(re.is_match(&line), "{line}");
    }

    fn regex_shape() -> regex::Regex {
        regex::Regex::new(
            r#"^\S+ - \S+ \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "[A-Z]+ \S+ HTTP/1\.1" \d{3} \d+ "[^"]*" "[^"]*"$"#,
        )
        .unwrap()
    }

    #[test]
    fn otel_line_parses_back_with_semantic_keys() {
        let v: serde_json::Value = serde_json::from_str(&to_otel_json(&sample())).unwrap();
        assert_eq!(v["timestamp"], "2024-05-01T10:00:00.250Z");
        assert_eq!(v["client.address"], "203.0.113.9");
        assert_eq!(v["http.request.method"], "GET");
        assert_eq!(v["url.scheme"], "https");
        assert_eq!(v["server.address"], "api.example.com");
        assert_eq!(v["url.path"], "/v1/users/42");
        assert_eq!(v["url.query"], "page=2");
        assert_eq!(v["http.response.status_code"], 200);
        assert_eq!(v["user_agent.original"], "curl/8.5.0 \"x\"");
        assert_eq!(v["http.request.header.authorization"], "Bearer abc");
        assert!(v.get("http.request.header.user-agent").is_none());
        assert_eq!(v["http.response.header.content-type"], "application/json");
        assert_eq!(v["http.response.body.size"], 9);
        assert_eq!(v["http.server.request.duration"], 0.135985);
        assert_eq!(v["http.response.body"], r#"{"id":42}"#);
        assert!(v.get("http.request.body").is_none());
    }
}
