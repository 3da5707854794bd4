//! Guessing an input's format from its first bytes.

use crate::mapping::FieldMapping;
use crate::Format;

/// The format the start of an input suggests. `head` is the first buffered bytes (decoded).
pub(crate) fn detect(head: &[u8]) -> Format {
    let text = String::from_utf8_lossy(&head[..head.len().min(64 * 1024)]);
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return detect_json(trimmed);
    }
    let first = trimmed.lines().next().unwrap_or("");
    if is_alb(first) {
        return Format::Alb;
    }
    Format::Nginx
}

fn detect_json(text: &str) -> Format {
    let first_line = text.lines().next().unwrap_or("");
    // A HAR document is one object whose first key is `log` (possibly on a later line).
    let compact: String = text
        .chars()
        .take(256)
        .filter(|c| !c.is_whitespace())
        .collect();
    if compact.starts_with("{\"log\":") {
        return Format::Har;
    }
    let Ok(serde_json::Value::Object(obj)) = serde_json::from_str::<serde_json::Value>(first_line)
    else {
        // Not one object per line: a pretty-printed HAR or JSON document.
        return if text.contains("\"entries\"") {
            Format::Har
        } else {
            Format::OtelJsonl
        };
    };
    let has = |k: &str| obj.contains_key(k);
    if has("http.request.method") || has("url.path") || has("http") || has("url") {
        return Format::OtelJsonl;
    }
    let preset = if has("RequestMethod") || has("DownstreamStatus") {
        "traefik"
    } else if has("request") && has("ts") && (has("status") || has("resp_headers")) {
        "caddy"
    } else if has("response_code") || has("upstream_host") || has("downstream_remote_address") {
        "envoy"
    } else if has("started_at") && has("latencies") {
        "kong"
    } else if has("httpMethod") && (has("requestId") || has("requestTime")) {
        "aws-apigw"
    } else {
        return Format::OtelJsonl;
    };
    FieldMapping::preset(preset).map_or(Format::OtelJsonl, |m| Format::Mapped(Box::new(m)))
}

/// ALB lines start with the connection type and an ISO timestamp, and name the balancer.
fn is_alb(line: &str) -> bool {
    let mut parts = line.split(' ');
    let kind = parts.next().unwrap_or("");
    let time = parts.next().unwrap_or("");
    let elb = parts.next().unwrap_or("");
    matches!(kind, "http" | "https" | "h2" | "grpcs" | "ws" | "wss")
        && time.len() >= 20
        && time.as_bytes().get(4) == Some(&b'-')
        && elb.starts_with("app/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_recognised() {
        assert_eq!(
            detect(b"{\"log\": {\"version\": \"1.2\", \"entries\": []}}"),
            Format::Har
        );
        assert_eq!(
            detect(b"{\n  \"log\": {\n    \"version\": \"1.2\""),
            Format::Har
        );
        assert_eq!(
            detect(b"{\"http.request.method\":\"GET\",\"url.path\":\"/\"}\n"),
            Format::OtelJsonl
        );
        assert_eq!(
            detect(b"127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326\n"),
            Format::Nginx
        );
        assert_eq!(
            detect(b"https 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 \"GET https://www.example.com:443/ HTTP/1.1\"\n"),
            Format::Alb
        );
        assert!(matches!(
            detect(b"{\"RequestMethod\":\"GET\",\"RequestPath\":\"/\",\"DownstreamStatus\":200}\n"),
            Format::Mapped(_)
        ));
    }
}
