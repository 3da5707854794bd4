//! A copy of an exchange fit to be written down: every secret and personal value replaced by
//! its keyed hash, so that a log Rampart writes never holds what it must not store, and yet
//! the same value still reads the same everywhere (sessions, principals and login targets stay
//! distinct and consistent when the log is replayed).

use serde_json::Value;

use super::locate::{is_key_header, is_key_param};
use crate::{Body, Exchange, Headers, KeyedHasher};

/// Field names (lower case, `_` and `-` removed) whose values are secrets or personal data.
const PRIVATE_FIELDS: &[&str] = &[
    "password",
    "passwd",
    "pass",
    "pwd",
    "secret",
    "token",
    "accesstoken",
    "refreshtoken",
    "idtoken",
    "otp",
    "code",
    "pin",
    "username",
    "user",
    "login",
    "email",
    "mail",
    "phone",
    "mobile",
    "msisdn",
    "phonenumber",
    "name",
    "firstname",
    "lastname",
    "fullname",
    "card",
    "cardnumber",
    "pan",
    "cvv",
    "cvc",
    "ssn",
    "iban",
    "account",
    "accountnumber",
    "dob",
    "birthdate",
    "address",
    "apikey",
    "key",
    "credential",
    "credentials",
];

/// Responses whose bodies are kept (scrubbed): errors, which say why a request failed.
fn keeps_response_body(status: Option<u16>) -> bool {
    status.is_some_and(|s| s >= 400)
}

/// The exchange with credentials and personal values replaced by `rh.<hash>` tokens: the
/// `Authorization` credential (its scheme kept), API-key headers, every cookie value (names
/// kept), key-like query parameters, and private fields of JSON and form bodies. Response
/// bodies are kept only for error answers; other bodies that are neither JSON nor forms are
/// dropped (their sizes stay).
pub fn scrubbed(ex: &Exchange, hasher: &KeyedHasher) -> Exchange {
    let token = |v: &str| format!("rh.{:032x}", hasher.tag("log", v.as_bytes()).0);
    let mut out = ex.clone();
    out.request_headers = scrub_headers(&ex.request_headers, &token);
    out.response_headers = scrub_response_headers(&ex.response_headers, &token);
    out.query = ex.query.as_deref().map(|q| scrub_form(q, &token));
    out.request_body = ex.request_body.as_ref().and_then(|b| scrub_body(b, &token));
    out.response_body = if keeps_response_body(ex.status) {
        ex.response_body
            .as_ref()
            .and_then(|b| scrub_body(b, &token))
    } else {
        None
    };
    out
}

fn scrub_headers(headers: &Headers, token: &dyn Fn(&str) -> String) -> Headers {
    let mut out = Headers::new();
    for (name, value) in headers.iter() {
        let value = match name {
            "authorization" | "proxy-authorization" => match value.split_once(' ') {
                Some((scheme, cred)) => format!("{scheme} {}", token(cred.trim())),
                None => token(value),
            },
            "cookie" => scrub_cookies(value, token),
            _ if is_key_header(name) => token(value),
            _ => value.to_owned(),
        };
        out.push(name, value);
    }
    out
}

fn scrub_response_headers(headers: &Headers, token: &dyn Fn(&str) -> String) -> Headers {
    let mut out = Headers::new();
    for (name, value) in headers.iter() {
        let value = if name == "set-cookie" {
            match value.split_once('=') {
                Some((cookie, rest)) => {
                    let (v, attrs) = rest.split_once(';').unwrap_or((rest, ""));
                    let attrs = if attrs.is_empty() {
                        String::new()
                    } else {
                        format!(";{attrs}")
                    };
                    format!("{cookie}={}{attrs}", token(v))
                }
                None => token(value),
            }
        } else {
            value.to_owned()
        };
        out.push(name, value);
    }
    out
}

fn scrub_cookies(value: &str, token: &dyn Fn(&str) -> String) -> String {
    value
        .split(';')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| match c.split_once('=') {
            Some((name, v)) => format!("{name}={}", token(v)),
            None => token(c),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn normalized(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

fn is_private(name: &str) -> bool {
    let n = normalized(name);
    PRIVATE_FIELDS.contains(&n.as_str()) || is_key_param(name)
}

fn scrub_form(form: &str, token: &dyn Fn(&str) -> String) -> String {
    form.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, v)) if is_private(name) && !v.is_empty() => {
                format!("{name}={}", token(v))
            }
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn scrub_body(body: &Body, token: &dyn Fn(&str) -> String) -> Option<Body> {
    let ct = body.content_type.as_deref().unwrap_or("");
    let text = std::str::from_utf8(&body.bytes).ok()?;
    let scrubbed = if body.is_json() || text.trim_start().starts_with(['{', '[']) {
        let mut doc: Value = serde_json::from_str(text).ok()?;
        scrub_json(&mut doc, false, token);
        doc.to_string()
    } else if ct.contains("x-www-form-urlencoded") {
        scrub_form(text, token)
    } else {
        return None;
    };
    Some(Body {
        content_type: body.content_type.clone(),
        bytes: scrubbed.into_bytes(),
        truncated: body.truncated,
    })
}

fn scrub_json(v: &mut Value, private: bool, token: &dyn Fn(&str) -> String) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                scrub_json(child, private || is_private(k), token);
            }
        }
        Value::Array(items) => {
            for child in items {
                scrub_json(child, private, token);
            }
        }
        Value::String(s) if private => *s = token(s),
        Value::Number(n) if private => *v = Value::String(token(&n.to_string())),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher() -> KeyedHasher {
        KeyedHasher::new([7; 32])
    }

    #[test]
    fn secrets_and_personal_values_are_replaced_consistently() {
        let mut ex = Exchange {
            method: "POST".into(),
            path: "/api/login".into(),
            query: Some("api_key=sk_live_123&page=2".into()),
            status: Some(401),
            ..Exchange::default()
        };
        ex.request_headers
            .push("authorization", "Bearer eyJhbGciOi.payload.sig");
        ex.request_headers.push("cookie", "sid=abc123; theme=dark");
        ex.request_headers.push("x-api-key", "k-999");
        ex.request_headers.push("user-agent", "curl/8.0");
        ex.request_body = Some(Body::sample(
            Some("application/json".into()),
            br#"{"username":"alice@example.com","password":"hunter2","remember":true}"#,
        ));
        ex.response_body = Some(Body::sample(
            Some("application/json".into()),
            br#"{"error":"invalid password"}"#,
        ));
        let s = scrubbed(&ex, &hasher());
        let line = crate::otel_line::to_otel_json(&s);
        for secret in [
            "eyJhbGciOi",
            "abc123",
            "k-999",
            "sk_live_123",
            "alice@example.com",
            "hunter2",
        ] {
            assert!(!line.contains(secret), "{secret} leaked: {line}");
        }
        for kept in [
            "Bearer rh.",
            "sid=rh.",
            "theme=rh.",
            "page=2",
            "curl/8.0",
            "invalid password",
            "remember",
        ] {
            assert!(line.contains(kept), "{kept} missing: {line}");
        }
        // The same value reads the same: replay sees one session, one user.
        let again = scrubbed(&ex, &hasher());
        assert_eq!(crate::otel_line::to_otel_json(&again), line);
    }

    #[test]
    fn successful_response_bodies_are_not_kept() {
        let ex = Exchange {
            method: "GET".into(),
            path: "/api/users/1".into(),
            status: Some(200),
            response_body: Some(Body::sample(
                Some("application/json".into()),
                br#"{"email":"bob@example.com"}"#,
            )),
            ..Exchange::default()
        };
        assert!(scrubbed(&ex, &hasher()).response_body.is_none());
    }
}
