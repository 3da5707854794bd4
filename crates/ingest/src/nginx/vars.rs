//! What each log variable means for the [`Exchange`].

use rampart_core::{EventTime, Exchange};

use super::time::{parse_clf_time, parse_msec};

/// A variable of a compiled log format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Var {
    RemoteAddr,
    RemoteUser,
    TimeLocal,
    TimeIso8601,
    Msec,
    Request,
    Method,
    /// `$uri` / `$request_uri`: path, maybe with a query.
    Uri,
    /// `$args`: query without `?`.
    Args,
    /// Apache `%q`: query with its leading `?`.
    QueryWithMark,
    Status,
    BytesSent,
    RequestLength,
    /// Seconds with a fraction (`$request_time`, Apache `%T`).
    RequestTimeS,
    /// Microseconds (Apache `%D`).
    RequestTimeUs,
    Host,
    Scheme,
    /// A request header (lower-case name, `-` separated).
    RequestHeader(String),
    /// A response header.
    ResponseHeader(String),
    /// `$cookie_<name>`.
    Cookie(String),
    /// `$arg_<name>`.
    Arg(String),
    /// Anything else, kept in `Exchange::extra`.
    Other(String),
}

impl Var {
    /// The variable named `name` (without `$`) in nginx syntax.
    pub(crate) fn from_nginx(name: &str) -> Var {
        let header = |rest: &str| rest.replace('_', "-").to_ascii_lowercase();
        match name {
            "remote_addr" | "realip_remote_addr" | "binary_remote_addr" => Var::RemoteAddr,
            "remote_user" => Var::RemoteUser,
            "time_local" => Var::TimeLocal,
            "time_iso8601" => Var::TimeIso8601,
            "msec" => Var::Msec,
            "request" => Var::Request,
            "request_method" => Var::Method,
            "uri" | "request_uri" | "document_uri" => Var::Uri,
            "args" | "query_string" => Var::Args,
            "status" => Var::Status,
            "body_bytes_sent" | "bytes_sent" => Var::BytesSent,
            "request_length" => Var::RequestLength,
            "request_time" => Var::RequestTimeS,
            "host" | "server_name" | "http_host" => Var::Host,
            "scheme" => Var::Scheme,
            _ => {
                if let Some(rest) = name.strip_prefix("http_") {
                    Var::RequestHeader(header(rest))
                } else if let Some(rest) = name.strip_prefix("sent_http_") {
                    Var::ResponseHeader(header(rest))
                } else if let Some(rest) = name.strip_prefix("cookie_") {
                    Var::Cookie(rest.to_owned())
                } else if let Some(rest) = name.strip_prefix("arg_") {
                    Var::Arg(rest.to_owned())
                } else {
                    Var::Other(name.to_owned())
                }
            }
        }
    }

    /// Stores `value` (already unescaped, not `-`) into the exchange.
    pub(crate) fn apply(&self, value: &str, ex: &mut Exchange) -> Result<(), String> {
        match self {
            Var::RemoteAddr => match value.parse() {
                Ok(ip) => ex.client = Some(ip),
                Err(_) => ex.extra.push(("remote_addr".into(), value.to_owned())),
            },
            Var::RemoteUser => ex.extra.push(("remote_user".into(), value.to_owned())),
            Var::TimeLocal => {
                ex.time =
                    parse_clf_time(value).ok_or_else(|| format!("bad time `{}`", clip(value)))?
            }
            Var::TimeIso8601 => {
                ex.time = EventTime::parse_rfc3339(value)
                    .map_err(|e| format!("bad time `{}`: {e}", clip(value)))?
            }
            Var::Msec => {
                ex.time = parse_msec(value).ok_or_else(|| format!("bad msec `{}`", clip(value)))?
            }
            Var::Request => request_line(value, ex)?,
            Var::Method => ex.method = value.to_ascii_uppercase(),
            Var::Uri => set_target(value, ex),
            Var::Args => ex.query = Some(value.to_owned()),
            Var::QueryWithMark => {
                let q = value.strip_prefix('?').unwrap_or(value);
                if !q.is_empty() {
                    ex.query = Some(q.to_owned());
                }
            }
            Var::Status => {
                ex.status = Some(
                    value
                        .parse()
                        .map_err(|_| format!("bad status `{}`", clip(value)))?,
                )
            }
            Var::BytesSent => ex.response_size = value.parse().ok(),
            Var::RequestLength => ex.request_size = value.parse().ok(),
            Var::RequestTimeS => ex.duration_ms = value.parse::<f64>().ok().map(|s| s * 1000.0),
            Var::RequestTimeUs => ex.duration_ms = value.parse::<f64>().ok().map(|us| us / 1000.0),
            Var::Host => ex.host = Some(host_only(value)),
            Var::Scheme => ex.scheme = Some(value.to_ascii_lowercase()),
            Var::RequestHeader(name) => {
                if name == "host" {
                    ex.host = Some(host_only(value));
                }
                ex.request_headers.push(name, value)
            }
            Var::ResponseHeader(name) => ex.response_headers.push(name, value),
            Var::Cookie(name) => ex.request_headers.push("cookie", format!("{name}={value}")),
            Var::Arg(name) => {
                let q = ex.query.get_or_insert_with(String::new);
                if !q.is_empty() {
                    q.push('&');
                }
                q.push_str(name);
                q.push('=');
                q.push_str(value);
            }
            Var::Other(name) => ex.extra.push((name.clone(), value.to_owned())),
        }
        Ok(())
    }
}

fn clip(s: &str) -> String {
    rampart_core::redact::escape_for_terminal(s, 40)
}

/// `GET /path?q HTTP/1.1` (or without the protocol).
fn request_line(value: &str, ex: &mut Exchange) -> Result<(), String> {
    let (method, rest) = value.split_once(' ').unwrap_or((value, ""));
    if method.is_empty()
        || !method
            .bytes()
            .all(|c| c.is_ascii_alphabetic() || c == b'-' || c == b'_')
    {
        return Err(format!(
            "request line `{}` is not HTTP (TLS or garbage sent to a plain-text port?)",
            clip(value)
        ));
    }
    if rest.is_empty() {
        return Err(format!(
            "request line `{}` is not `METHOD target PROTOCOL`",
            clip(value)
        ));
    }
    let target = match rest.rsplit_once(' ') {
        Some((t, proto)) if proto.starts_with("HTTP/") => t,
        _ => rest,
    };
    ex.method = method.to_ascii_uppercase();
    set_target(target, ex);
    Ok(())
}

/// A request target: origin form (`/a?b`) or absolute form (`http://h/a?b`).
fn set_target(target: &str, ex: &mut Exchange) {
    let mut t = target;
    // Origin form (`/a?b`), by far the most common, has no scheme to look for.
    let absolute = if t.starts_with('/') {
        None
    } else {
        t.split_once("://")
    };
    if let Some((scheme, rest)) = absolute {
        if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") {
            ex.scheme = Some(scheme.to_ascii_lowercase());
            let end = rest.find(['/', '?']).unwrap_or(rest.len());
            ex.host = Some(host_only(&rest[..end]));
            t = &rest[end..];
        }
    }
    match t.split_once('?') {
        Some((p, q)) => {
            ex.path = if p.is_empty() {
                "/".into()
            } else {
                p.to_owned()
            };
            if !q.is_empty() {
                ex.query = Some(q.to_owned());
            }
        }
        None => {
            ex.path = if t.is_empty() {
                "/".into()
            } else {
                t.to_owned()
            }
        }
    }
}

/// Host without port, lower case (`API.example.com:443` → `api.example.com`, `[::1]:80` → `::1`).
pub(crate) fn host_only(value: &str) -> String {
    let v = value.trim();
    let host = if let Some(rest) = v.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else if v.matches(':').count() == 1 {
        v.split(':').next().unwrap_or("")
    } else {
        v
    };
    host.to_ascii_lowercase()
}
