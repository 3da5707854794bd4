//! Apache `LogFormat` strings (`%h %l %u %t "%r" %>s %b`), compiled into the same parser as
//! nginx formats.

use crate::nginx::{FormatError, LogFormat, Part, Var};

/// Apache's `combined` format.
pub const APACHE_COMBINED: &str = "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\"";
/// Apache's `common` format.
pub const APACHE_COMMON: &str = "%h %l %u %t \"%r\" %>s %b";

/// Whether a format string uses Apache `%` directives rather than nginx `$variables`.
pub fn looks_like_apache(format: &str) -> bool {
    let f = format.trim();
    f.contains("%h")
        || f.contains("%r")
        || f.contains("%>s")
        || f.contains("%t")
        || f.contains("%{")
}

/// Compiles an Apache `LogFormat` string (`\"` is read as `"`, as in `httpd.conf`).
pub fn compile_apache(format: &str) -> Result<LogFormat, FormatError> {
    let format = match format.trim() {
        "combined" => APACHE_COMBINED,
        "common" => APACHE_COMMON,
        other => other,
    };
    let unquoted = format.replace("\\\"", "\"");
    let b = unquoted.as_bytes();
    let mut parts: Vec<(usize, Part)> = Vec::new();
    let mut lit: Vec<u8> = Vec::new();
    let mut lit_start = 0;
    let mut i = 0;
    let push_lit = |parts: &mut Vec<(usize, Part)>, lit: &mut Vec<u8>, start: usize| {
        if !lit.is_empty() {
            parts.push((start, Part::Literal(std::mem::take(lit))));
        }
    };
    while i < b.len() {
        if b[i] != b'%' {
            if lit.is_empty() {
                lit_start = i;
            }
            lit.push(b[i]);
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        // Optional status conditions and `<`/`>` modifiers: `%>s`, `%400,501{User-agent}i`.
        while i < b.len()
            && (b[i] == b'<'
                || b[i] == b'>'
                || b[i] == b'!'
                || b[i] == b','
                || b[i].is_ascii_digit())
        {
            i += 1;
        }
        let mut arg: Option<String> = None;
        if b.get(i) == Some(&b'{') {
            let close = unquoted[i..].find('}').ok_or(FormatError {
                offset: start,
                message: "`%{` without a closing `}`".into(),
            })?;
            arg = Some(unquoted[i + 1..i + close].to_owned());
            i += close + 1;
        }
        let Some(&d) = b.get(i) else {
            return Err(FormatError {
                offset: start,
                message: "the format ends with a lone `%`".into(),
            });
        };
        i += 1;
        if d == b'%' {
            if lit.is_empty() {
                lit_start = start;
            }
            lit.push(b'%');
            continue;
        }
        let var = match (d, arg.as_deref()) {
            (b'h' | b'a', _) => Var::RemoteAddr,
            (b'l', _) => Var::Other("ident".into()),
            (b'u', _) => Var::RemoteUser,
            (b't', None) => {
                // `%t` is written with its brackets: `[10/Oct/2000:13:55:36 -0700]`.
                Var::TimeLocal
            }
            (b't', Some(_)) => {
                return Err(FormatError {
                    offset: start,
                    message: "custom `%{...}t` time formats are not supported; use `%t`".into(),
                })
            }
            (b'r', _) => Var::Request,
            (b's', _) => Var::Status,
            (b'b' | b'B' | b'O', _) => Var::BytesSent,
            (b'I', _) => Var::RequestLength,
            (b'D', _) => Var::RequestTimeUs,
            (b'T', _) => Var::RequestTimeS,
            (b'v' | b'V', _) => Var::Host,
            (b'U', _) => Var::Uri,
            (b'q', _) => Var::QueryWithMark,
            (b'm', _) => Var::Method,
            (b'H', _) => Var::Other("protocol".into()),
            (b'i', Some(name)) => Var::RequestHeader(name.to_ascii_lowercase()),
            (b'o', Some(name)) => Var::ResponseHeader(name.to_ascii_lowercase()),
            (b'C', Some(name)) => Var::Cookie(name.to_owned()),
            (other, _) => Var::Other(format!("%{}", other as char)),
        };
        push_lit(&mut parts, &mut lit, lit_start);
        let name = match &arg {
            Some(a) => format!("%{{{a}}}{}", d as char),
            None => format!("%{}", d as char),
        };
        parts.push((start, Part::Var(name, var)));
    }
    push_lit(&mut parts, &mut lit, lit_start);
    LogFormat::from_parts(format, parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apache_combined_and_microseconds() {
        let f = compile_apache(
            "%h %l %u %t \\\"%r\\\" %>s %b \\\"%{Referer}i\\\" \\\"%{User-agent}i\\\" %D",
        )
        .unwrap();
        let ex = f
            .parse(b"192.0.2.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif?x=1 HTTP/1.0\" 200 2326 \"http://example.com/start.html\" \"Mozilla/4.08\" 1500")
            .unwrap();
        assert_eq!(ex.client, Some("192.0.2.1".parse().unwrap()));
        assert_eq!(ex.path, "/apache_pb.gif");
        assert_eq!(ex.query.as_deref(), Some("x=1"));
        assert_eq!(ex.status, Some(200));
        assert_eq!(ex.user_agent(), Some("Mozilla/4.08"));
        assert_eq!(ex.duration_ms, Some(1.5));
        assert!(looks_like_apache("%h %t"));
        assert!(!looks_like_apache("$remote_addr"));
        assert!(compile_apache("combined").is_ok());
        assert!(compile_apache("%{%Y}t").is_err());
        assert!(compile_apache("%h%u").is_err());
    }
}
