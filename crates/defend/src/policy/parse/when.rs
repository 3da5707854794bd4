//! Reading a rule's `when`: the conditions, header tests and endpoint patterns.

use super::*;

const WHEN_FIELDS: [&str; 21] = [
    "detector",
    "min_severity",
    "min_risk",
    "list",
    "ips",
    "cidrs",
    "countries",
    "asns",
    "fingerprints",
    "endpoint",
    "method",
    "inventory",
    "path_prefix",
    "header_present",
    "header_absent",
    "header_equals",
    "user_agent_contains",
    "authenticated",
    "history",
    "any",
    "not",
];
const INVENTORY_FIELDS: [&str; 3] = ["shadow", "unauthenticated", "sensitive"];
const HISTORY_FIELDS: [&str; 3] = ["min_requests", "min_endpoints", "min_age"];

pub(super) fn condition(node: &Node, path: &str, ctx: &Ctx<'_>, p: &mut Problems) -> Condition {
    let mut tests = Vec::new();
    let Some(f) = fields(node, path, "a condition", &WHEN_FIELDS, p) else {
        return Condition { tests };
    };
    let field = |name: &str| join(path, name);
    let detectors: Vec<String> = match f.get("detector") {
        Some(n) => each(n, &field("detector"), p, |t| {
            let t = t.trim();
            if ctx.detectors.contains(&t) {
                Ok(t.to_owned())
            } else {
                check::choose(t, "detector", ctx.detectors).map(str::to_owned)
            }
        }),
        None => Vec::new(),
    };
    let min_severity = f
        .get("min_severity")
        .and_then(|n| one(n, &field("min_severity"), p, check::severity));
    if f.get("detector").is_some() || f.get("min_severity").is_some() {
        tests.push(Test::Alert {
            detectors,
            min_severity,
        });
    }
    if let Some(n) = f.get("min_risk") {
        if let Some(v) = integer(n, &field("min_risk"), 0, 100, p) {
            tests.push(Test::MinRisk(u8::try_from(v).unwrap_or(100)));
        }
    }
    if let Some(n) = f.get("list") {
        let path = field("list");
        let names: Vec<&str> = ctx.lists.keys().map(String::as_str).collect();
        let found: Vec<_> = texts(n, &path, p)
            .into_iter()
            .filter_map(|(t, pos)| match ctx.lists.get(t.trim()) {
                Some(l) => Some(l.clone()),
                None => {
                    let fix = match check::suggest(&t, &names) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None if names.is_empty() => "define it under `lists:`".to_owned(),
                        None => format!("define it under `lists:` (defined: {})", names.join(", ")),
                    };
                    p.add(
                        pos,
                        &path,
                        format!("no list is named `{}`", check::shown(&t)),
                        fix,
                    );
                    None
                }
            })
            .collect();
        tests.push(Test::InList(found));
    }
    for name in LIST_FIELDS {
        if let Some(n) = f.get(name) {
            let mut list = EntityList::new();
            add_entities(&mut list, name, n, path, p);
            tests.push(Test::InList(vec![Arc::new(list)]));
        }
    }
    if let Some(n) = f.get("endpoint") {
        let patterns = each(n, &field("endpoint"), p, endpoint);
        tests.push(Test::Endpoint(patterns));
    }
    if let Some(n) = f.get("method") {
        tests.push(Test::Method(each(n, &field("method"), p, check::method)));
    }
    if let Some(n) = f.get("inventory") {
        let path = field("inventory");
        if let Some(inv) = fields(n, &path, "inventory facts", &INVENTORY_FIELDS, p) {
            let mut get = |name: &str| {
                inv.get(name)
                    .and_then(|n| boolean(n, &join(&path, name), p))
            };
            let (shadow, unauthenticated, sensitive) =
                (get("shadow"), get("unauthenticated"), get("sensitive"));
            tests.push(Test::Inventory {
                shadow,
                unauthenticated,
                sensitive,
            });
        }
    }
    if let Some(n) = f.get("path_prefix") {
        let prefixes = each(n, &field("path_prefix"), p, |t| {
            if t.starts_with('/') {
                Ok(t.to_owned())
            } else {
                Err((
                    format!("path prefix `{}` does not start with `/`", check::shown(t)),
                    format!("write /{}", check::shown(t)),
                ))
            }
        });
        tests.push(Test::PathPrefix(prefixes));
    }
    if let Some(n) = f.get("header_present") {
        tests.push(Test::HeaderPresent(each(
            n,
            &field("header_present"),
            p,
            check::header_name,
        )));
    }
    if let Some(n) = f.get("header_absent") {
        tests.push(Test::HeaderAbsent(each(
            n,
            &field("header_absent"),
            p,
            check::header_name,
        )));
    }
    if let Some(n) = f.get("header_equals") {
        tests.push(Test::HeaderEquals(header_equals(
            n,
            &field("header_equals"),
            p,
        )));
    }
    if let Some(n) = f.get("user_agent_contains") {
        let needles = each(n, &field("user_agent_contains"), p, |t| {
            if t.is_empty() {
                Err((
                    "an empty text matches every user agent".into(),
                    "remove it".into(),
                ))
            } else {
                Ok(t.to_ascii_lowercase())
            }
        });
        tests.push(Test::UserAgentContains(needles));
    }
    if let Some(n) = f.get("authenticated") {
        if let Some(b) = boolean(n, &field("authenticated"), p) {
            tests.push(Test::Authenticated(b));
        }
    }
    if let Some(n) = f.get("history") {
        tests.extend(history(n, &field("history"), p));
    }
    if let Some(n) = f.get("any") {
        let path = field("any");
        match &n.kind {
            Kind::Seq(items) if !items.is_empty() => {
                let subs = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| condition(item, &format!("{path}[{i}]"), ctx, p))
                    .collect();
                tests.push(Test::Any(subs));
            }
            _ => p.add(
                n.pos,
                &path,
                format!(
                    "`any` takes a non-empty list of conditions, found {}",
                    n.describe()
                ),
                "write `any: [{ detector: scraping }, { min_risk: 80 }]`",
            ),
        }
    }
    if let Some(n) = f.get("not") {
        let sub = condition(n, &field("not"), ctx, p);
        tests.push(Test::Not(Box::new(sub)));
    }
    Condition { tests }
}

/// `history: { min_requests: 3, min_endpoints: 2, min_age: 10s }`: at least one of them.
fn history(node: &Node, path: &str, p: &mut Problems) -> Option<Test> {
    let f = fields(node, path, "a history", &HISTORY_FIELDS, p)?;
    let count = |name: &str, max: i128, p: &mut Problems| {
        f.get(name)
            .and_then(|n| integer(n, &join(path, name), 0, max, p))
            .map_or(0, |v| u32::try_from(v).unwrap_or(u32::MAX))
    };
    let min_requests = count("min_requests", 1_000_000, p);
    let min_endpoints = count("min_endpoints", 64, p);
    let min_age = f
        .get("min_age")
        .and_then(|n| one(n, &join(path, "min_age"), p, check::duration))
        .unwrap_or_default();
    if HISTORY_FIELDS.iter().all(|name| f.get(name).is_none()) {
        p.add(
            node.pos,
            path,
            "a history with no minimum holds for every client that has a session",
            "give at least one of min_requests, min_endpoints and min_age, like `history: { min_requests: 3, min_age: 10s }`",
        );
        return None;
    }
    Some(Test::History {
        min_requests,
        min_endpoints,
        min_age,
    })
}

fn header_equals(node: &Node, path: &str, p: &mut Problems) -> Vec<(String, String)> {
    let Kind::Map(entries) = &node.kind else {
        p.add(
            node.pos,
            path,
            format!(
                "expected header names and values, found {}",
                node.describe()
            ),
            "write `header_equals: { x-env: staging }`",
        );
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|(k, v)| {
            let field = join(path, &k.name);
            let name = match check::header_name(&k.name) {
                Ok(n) => n,
                Err(bad) => {
                    p.bad(k.pos, &field, bad);
                    return None;
                }
            };
            text(v, &field, p).map(|value| (name, value))
        })
        .collect()
}

/// `POST /api/login`, `GET /api/*`, `* /admin/*` or `/admin/*`.
fn endpoint(text: &str) -> Result<EndpointPattern, Bad> {
    let mut parts = text.split_whitespace();
    let (first, second, rest) = (parts.next(), parts.next(), parts.next());
    let fix =
        || "write `METHOD /path/template`, like `POST /api/login` or `GET /api/users/*`".to_owned();
    let (method, template) = match (first, second, rest) {
        (Some(t), None, None) => (None, t),
        (Some("*"), Some(t), None) => (None, t),
        (Some(m), Some(t), None) => (Some(check::method(m)?), t),
        _ => {
            return Err((
                format!("`{}` is not an endpoint", check::shown(text)),
                fix(),
            ))
        }
    };
    if !template.starts_with('/') && !template.starts_with('*') {
        return Err((
            format!(
                "endpoint template `{}` does not start with `/`",
                check::shown(template)
            ),
            fix(),
        ));
    }
    Ok(EndpointPattern {
        method,
        template: template.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse_with_and_without_method() {
        let e = endpoint("post /api/login").unwrap();
        assert_eq!(e.method.as_deref(), Some("POST"));
        assert_eq!(endpoint("/admin/*").unwrap().method, None);
        assert_eq!(endpoint("* /admin/*").unwrap().method, None);
        assert!(endpoint("GET api").is_err());
        assert!(endpoint("GET /a /b").is_err());
        assert!(endpoint("").is_err());
    }
}
