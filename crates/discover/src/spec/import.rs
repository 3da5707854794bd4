//! Reading OpenAPI 3.x and Swagger 2.0 documents (JSON or YAML) into the [`Spec`] model.
//!
//! The document is read as plain JSON values and walked by hand rather than through a typed
//! OpenAPI model: real documents are often slightly invalid, and Rampart reads what it can and
//! records the rest as [`SpecProblem`]s.

use std::path::Path;

use serde_json::{Map, Value};

use super::refs::{escape_pointer, Resolver};
use super::{Operation, Param, ParamIn, ResponseSpec, SecurityScheme, Spec};

/// Largest spec file read.
const MAX_SPEC_BYTES: u64 = 64 * 1024 * 1024;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Why a spec could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The file could not be read.
    #[error("cannot read spec {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// The file is neither valid JSON nor valid YAML.
    #[error("{path}:{line}:{column}: not valid JSON or YAML: {message}")]
    Syntax {
        /// The path.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// Valid JSON/YAML, but not an OpenAPI or Swagger document.
    #[error("{path}: not an OpenAPI or Swagger document: {reason}")]
    NotASpec {
        /// The path.
        path: String,
        /// What is missing.
        reason: String,
    },
}

/// Reads a spec file (JSON or YAML, by content).
pub fn load_spec(path: &Path) -> Result<Spec, SpecError> {
    let name = path.display().to_string();
    let io = |source| SpecError::Io {
        path: name.clone(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.len() > MAX_SPEC_BYTES {
        return Err(SpecError::NotASpec {
            path: name,
            reason: format!(
                "{} bytes is over the {MAX_SPEC_BYTES}-byte limit",
                meta.len()
            ),
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let text = String::from_utf8_lossy(&bytes);
    parse_spec(&name, &text)
}

/// Reads a spec from text; `source` names it in messages.
pub fn parse_spec(source: &str, text: &str) -> Result<Spec, SpecError> {
    let text = text.trim_start_matches('\u{feff}');
    let doc: Value = if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| SpecError::Syntax {
            path: source.to_owned(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?
    } else {
        serde_saphyr::from_str::<Value>(text).map_err(|e| {
            let (line, column) = yaml_location(&e.to_string());
            SpecError::Syntax {
                path: source.to_owned(),
                line,
                column,
                message: e.to_string(),
            }
        })?
    };
    from_value(source, &doc)
}

/// `line N column M` from a YAML error message, when present.
fn yaml_location(message: &str) -> (usize, usize) {
    let num_after = |key: &str| {
        let i = message.find(key)? + key.len();
        let digits: String = message[i..]
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    (
        num_after("line").unwrap_or(0),
        num_after("column").unwrap_or(0),
    )
}

/// Reads a spec already parsed into JSON values.
pub fn from_value(source: &str, doc: &Value) -> Result<Spec, SpecError> {
    let not_a_spec = |reason: &str| SpecError::NotASpec {
        path: source.to_owned(),
        reason: reason.to_owned(),
    };
    let Some(obj) = doc.as_object() else {
        return Err(not_a_spec("the document is not an object"));
    };
    let version = match (obj.get("openapi"), obj.get("swagger")) {
        (Some(v), _) | (None, Some(v)) => match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return Err(not_a_spec("`openapi`/`swagger` is not a string")),
        },
        (None, None) => return Err(not_a_spec("no `openapi` or `swagger` field")),
    };
    let Some(paths) = obj.get("paths").and_then(Value::as_object) else {
        return Err(not_a_spec("no `paths` object"));
    };
    let swagger2 = obj.contains_key("swagger") && !obj.contains_key("openapi");
    let mut spec = Spec {
        source: source.to_owned(),
        title: doc
            .pointer("/info/title")
            .and_then(Value::as_str)
            .map(str::to_owned),
        format_version: version,
        ..Spec::default()
    };
    let mut r = Resolver::new(doc);
    let (hosts, prefix) = if swagger2 {
        let host = obj.get("host").and_then(Value::as_str).map(host_only);
        let base = obj.get("basePath").and_then(Value::as_str).unwrap_or("");
        (host.into_iter().collect(), clean_prefix(base))
    } else {
        servers(obj.get("servers"))
    };
    spec.hosts = hosts;
    spec.security_schemes = security_schemes(doc, swagger2);
    let root_security = security(obj.get("security"));
    for (path, item) in paths {
        let item_at = format!("/paths/{}", escape_pointer(path));
        let Some(item) = r.deref(item, &item_at).and_then(Value::as_object).cloned() else {
            continue;
        };
        let path_prefix = if swagger2 {
            prefix.clone()
        } else {
            match item.get("servers") {
                Some(s) => servers(Some(s)).1,
                None => prefix.clone(),
            }
        };
        let shared = item.get("parameters").cloned().unwrap_or(Value::Null);
        for method in METHODS {
            let Some(op) = item.get(method).and_then(Value::as_object) else {
                continue;
            };
            let at = format!("{item_at}/{method}");
            let op_prefix = match (swagger2, op.get("servers")) {
                (false, Some(s)) => servers(Some(s)).1,
                _ => path_prefix.clone(),
            };
            let mut params = Vec::new();
            let mut request_schema = None;
            read_params(
                &mut r,
                &shared,
                &format!("{item_at}/parameters"),
                &mut params,
                &mut request_schema,
            );
            read_params(
                &mut r,
                op.get("parameters").unwrap_or(&Value::Null),
                &format!("{at}/parameters"),
                &mut params,
                &mut request_schema,
            );
            if !swagger2 {
                if let Some(body) = op.get("requestBody") {
                    let body_at = format!("{at}/requestBody");
                    if let Some(body) = r.deref(body, &body_at).cloned() {
                        request_schema = json_schema(&mut r, body.get("content"), &body_at);
                    }
                }
            }
            let responses = read_responses(
                &mut r,
                op.get("responses"),
                &format!("{at}/responses"),
                swagger2,
            );
            let security = match op.get("security") {
                Some(s) => security(Some(s)),
                None => root_security.clone(),
            };
            spec.operations.push(Operation {
                method: method.to_ascii_uppercase(),
                path: join_path(&op_prefix, path),
                operation_id: op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                deprecated: op
                    .get("deprecated")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
                    || item
                        .get("deprecated")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                params,
                request_schema,
                responses,
                security,
            });
        }
    }
    spec.problems = r.problems;
    Ok(spec)
}

fn read_params(
    r: &mut Resolver<'_>,
    list: &Value,
    at: &str,
    params: &mut Vec<Param>,
    request_schema: &mut Option<Value>,
) {
    let Some(items) = list.as_array() else {
        return;
    };
    for (i, p) in items.iter().enumerate() {
        let p_at = format!("{at}/{i}");
        let Some(p) = r.deref(p, &p_at).cloned() else {
            continue;
        };
        let name = p
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let location = match p.get("in").and_then(Value::as_str) {
            Some("path") => ParamIn::Path,
            Some("query") => ParamIn::Query,
            Some("header") => ParamIn::Header,
            Some("cookie") => ParamIn::Cookie,
            Some("body") => {
                *request_schema = p
                    .get("schema")
                    .map(|s| r.schema(s, &format!("{p_at}/schema")));
                continue;
            }
            Some("formData") => continue,
            other => {
                r.problem(&p_at, format!("unknown parameter location {other:?}"));
                continue;
            }
        };
        let schema = match p.get("schema") {
            Some(s) => r.schema(s, &format!("{p_at}/schema")),
            None => {
                // Swagger 2: type, format, enum and items sit on the parameter itself.
                let mut s = Map::new();
                for k in [
                    "type", "format", "enum", "items", "pattern", "minimum", "maximum",
                ] {
                    if let Some(v) = p.get(k) {
                        s.insert(k.to_owned(), v.clone());
                    }
                }
                Value::Object(s)
            }
        };
        let required = location == ParamIn::Path
            || p.get("required").and_then(Value::as_bool).unwrap_or(false);
        // Operation-level parameters override path-level ones of the same name and place.
        params.retain(|q| !(q.name == name && q.location == location));
        params.push(Param {
            name,
            location,
            required,
            schema,
        });
    }
}

fn read_responses(
    r: &mut Resolver<'_>,
    v: Option<&Value>,
    at: &str,
    swagger2: bool,
) -> Vec<ResponseSpec> {
    let Some(map) = v.and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (status, resp) in map {
        if status.starts_with("x-") {
            continue;
        }
        let resp_at = format!("{at}/{}", escape_pointer(status));
        let Some(resp) = r.deref(resp, &resp_at).cloned() else {
            out.push(ResponseSpec {
                status: status.clone(),
                schema: None,
            });
            continue;
        };
        let schema = if swagger2 {
            resp.get("schema")
                .map(|s| r.schema(s, &format!("{resp_at}/schema")))
        } else {
            json_schema(r, resp.get("content"), &resp_at)
        };
        out.push(ResponseSpec {
            status: status.clone(),
            schema,
        });
    }
    out
}

/// The schema of the first JSON media type of a `content` map (any media type if none is JSON).
fn json_schema(r: &mut Resolver<'_>, content: Option<&Value>, at: &str) -> Option<Value> {
    let content = content?.as_object()?;
    let (media, body) = content
        .iter()
        .find(|(m, _)| m.contains("json"))
        .or_else(|| content.iter().next())?;
    let schema = body.get("schema")?;
    Some(r.schema(
        schema,
        &format!("{at}/content/{}/schema", escape_pointer(media)),
    ))
}

/// Hosts and the path prefix of OpenAPI 3 `servers`.
fn servers(v: Option<&Value>) -> (Vec<String>, String) {
    let mut hosts = Vec::new();
    let mut prefix: Option<String> = None;
    for server in v.and_then(Value::as_array).into_iter().flatten() {
        let Some(url) = server.get("url").and_then(Value::as_str) else {
            continue;
        };
        let url = substitute(url, server.get("variables"));
        let (host, path) = split_url(&url);
        if let Some(h) = host {
            if !hosts.contains(&h) {
                hosts.push(h);
            }
        }
        prefix.get_or_insert(clean_prefix(&path));
    }
    (hosts, prefix.unwrap_or_default())
}

/// `{var}` in a server URL replaced by its default.
fn substitute(url: &str, vars: Option<&Value>) -> String {
    let mut out = url.to_owned();
    if let Some(vars) = vars.and_then(Value::as_object) {
        for (name, v) in vars {
            if let Some(d) = v.get("default").and_then(Value::as_str) {
                out = out.replace(&format!("{{{name}}}"), d);
            }
        }
    }
    out
}

/// Host (lower case, no port) and path of an absolute or relative URL.
fn split_url(url: &str) -> (Option<String>, String) {
    let Some((_, rest)) = url.split_once("://") else {
        return (None, url.to_owned());
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let host = host_only(authority);
    (
        (!host.is_empty() && !host.contains('{')).then_some(host),
        path.to_owned(),
    )
}

fn host_only(authority: &str) -> String {
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let host = if authority.starts_with('[') {
        authority
            .split(']')
            .next()
            .unwrap_or("")
            .trim_start_matches('[')
    } else {
        authority.split(':').next().unwrap_or("")
    };
    host.to_ascii_lowercase()
}

fn clean_prefix(p: &str) -> String {
    let p = p.split(['?', '#']).next().unwrap_or("");
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() || trimmed.contains('{') {
        String::new()
    } else if trimmed.starts_with('/') {
        trimmed.to_owned()
    } else {
        format!("/{trimmed}")
    }
}

/// A path template with its prefix: `//` collapsed, no trailing `/` except for the root.
fn join_path(prefix: &str, path: &str) -> String {
    let joined = format!("{prefix}/{path}");
    let mut out = String::with_capacity(joined.len());
    for seg in joined.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(seg);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

fn security(v: Option<&Value>) -> Option<Vec<String>> {
    let list = v?.as_array()?;
    let mut names = Vec::new();
    for req in list {
        if let Some(obj) = req.as_object() {
            for k in obj.keys() {
                if !names.contains(k) {
                    names.push(k.clone());
                }
            }
        }
    }
    Some(names)
}

fn security_schemes(doc: &Value, swagger2: bool) -> Vec<SecurityScheme> {
    let pointer = if swagger2 {
        "/securityDefinitions"
    } else {
        "/components/securitySchemes"
    };
    let Some(map) = doc.pointer(pointer).and_then(Value::as_object) else {
        return Vec::new();
    };
    map.iter()
        .map(|(name, s)| {
            let kind = s
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let scheme = s
                .get("scheme")
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
                .or_else(|| (kind == "basic").then(|| "basic".to_owned()));
            let key_location = match (
                s.get("in").and_then(Value::as_str),
                s.get("name").and_then(Value::as_str),
            ) {
                (Some(i), Some(n)) => Some((i.to_owned(), n.to_owned())),
                _ => None,
            };
            SecurityScheme {
                name: name.clone(),
                kind,
                scheme,
                key_location,
            }
        })
        .collect()
}
