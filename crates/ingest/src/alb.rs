//! AWS Application Load Balancer access logs: space-separated fields, some quoted, in the
//! order the ALB documentation gives.

use rampart_core::{EventTime, Exchange};

use crate::nginx::{host_only, LineError};

/// Parses one ALB log line.
pub fn parse_alb(line: &[u8]) -> Result<Exchange, LineError> {
    let text = String::from_utf8_lossy(line);
    let fields = split_fields(&text).map_err(|column| LineError {
        column,
        reason: "unterminated quoted field".into(),
    })?;
    let field = |i: usize| fields.get(i).map(|(_, s)| s.as_str()).unwrap_or("-");
    let column = |i: usize| fields.get(i).map_or(text.len() + 1, |(c, _)| *c);
    if fields.len() < 13 {
        return Err(LineError {
            column: text.len() + 1,
            reason: format!("{} fields, an ALB line has at least 13", fields.len()),
        });
    }
    let mut ex = Exchange {
        time: EventTime::parse_rfc3339(field(1)).map_err(|e| LineError {
            column: column(1),
            reason: format!("bad time: {e}"),
        })?,
        ..Exchange::default()
    };
    ex.client = field(3)
        .rsplit_once(':')
        .and_then(|(ip, _)| ip.trim_matches(['[', ']']).parse().ok());
    let secs: f64 = [5, 6, 7]
        .iter()
        .filter_map(|i| field(*i).parse::<f64>().ok())
        .filter(|v| *v >= 0.0)
        .sum();
    if [5, 6, 7]
        .iter()
        .any(|i| field(*i).parse::<f64>().is_ok_and(|v| v >= 0.0))
    {
        ex.duration_ms = Some(secs * 1000.0);
    }
    ex.status = field(8).parse().ok();
    ex.request_size = field(10).parse().ok();
    ex.response_size = field(11).parse().ok();
    let request = field(12);
    let mut parts = request.splitn(3, ' ');
    let method = parts.next().unwrap_or("");
    let url = parts.next().unwrap_or("");
    if method.is_empty() || method == "-" || url.is_empty() {
        return Err(LineError {
            column: column(12),
            reason: format!(
                "request `{}` has no method and URL",
                rampart_core::redact::escape_for_terminal(request, 60)
            ),
        });
    }
    ex.method = method.to_ascii_uppercase();
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    if !scheme.is_empty() {
        ex.scheme = Some(scheme.to_ascii_lowercase());
    }
    let path_start = rest.find('/').unwrap_or(rest.len());
    if !scheme.is_empty() {
        ex.host = Some(host_only(&rest[..path_start]));
    }
    let target = if scheme.is_empty() {
        rest
    } else {
        &rest[path_start..]
    };
    match target.split_once('?') {
        Some((p, q)) => {
            ex.path = if p.is_empty() { "/".into() } else { p.into() };
            if !q.is_empty() {
                ex.query = Some(q.into());
            }
        }
        None => {
            ex.path = if target.is_empty() {
                "/".into()
            } else {
                target.into()
            }
        }
    }
    let ua = field(13);
    if ua != "-" && !ua.is_empty() {
        ex.request_headers.push("user-agent", ua);
    }
    let domain = field(18);
    if ex.host.is_none() && domain != "-" && !domain.is_empty() {
        ex.host = Some(host_only(domain));
    }
    Ok(ex)
}

/// Fields with their 1-based columns; quoted fields lose their quotes. `Err` is the column of
/// an unterminated quote.
fn split_fields(text: &str) -> Result<Vec<(usize, String)>, usize> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let start = i;
        if b[i] == b'"' {
            let close = text[i + 1..].find('"').ok_or(i + 1)?;
            out.push((start + 1, text[i + 1..i + 1 + close].to_owned()));
            i += close + 2;
        } else {
            let end = text[i..].find(' ').map_or(b.len(), |e| i + e);
            out.push((start + 1, text[i..end].to_owned()));
            i = end;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const DOC_EXAMPLE: &str = "https 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 \"GET https://www.example.com:443/api/items?id=7 HTTP/1.1\" \"curl/7.46.0\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 \"Root=1-58337281-1d84f3d73c47ec4e58577259\" \"www.example.com\" \"arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012\" 1 2018-07-02T22:22:48.364000Z \"authenticate,forward\" \"-\" \"-\" \"10.0.0.1:80\" \"200\" \"-\" \"-\"";

    #[test]
    fn documented_example_parses() {
        let ex = parse_alb(DOC_EXAMPLE.as_bytes()).unwrap();
        assert_eq!(ex.method, "GET");
        assert_eq!(ex.host.as_deref(), Some("www.example.com"));
        assert_eq!(ex.path, "/api/items");
        assert_eq!(ex.query.as_deref(), Some("id=7"));
        assert_eq!(ex.status, Some(200));
        assert_eq!(ex.client, Some("192.168.131.39".parse().unwrap()));
        assert_eq!(ex.user_agent(), Some("curl/7.46.0"));
        assert!((ex.duration_ms.unwrap() - 171.0).abs() < 1e-6);
        assert_eq!(ex.response_size, Some(57));
    }

    #[test]
    fn short_and_broken_lines_are_errors() {
        assert!(parse_alb(b"http 2018-07-02T22:23:00Z app/x").is_err());
        assert!(parse_alb(
            b"http 2018-07-02T22:23:00Z app/x 1.2.3.4:5 - -1 -1 -1 460 - 0 0 \"- - - \" \"-\""
        )
        .is_err());
        assert!(parse_alb(b"https \"unterminated").is_err());
    }

    proptest! {
        #[test]
        fn never_panics(line in prop::collection::vec(any::<u8>(), 0..400)) {
            let _ = parse_alb(&line);
        }
    }
}
