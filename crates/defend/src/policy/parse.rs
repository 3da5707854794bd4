//! Reading the located tree into a checked [`Policy`], collecting every problem on the way.
//!
//! Each section is read field by field: unknown fields, wrong types and bad values are all
//! recorded with their position and reading goes on, so one run reports everything wrong.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use super::rules::{
    Condition, EndpointPattern, LimitKey, Rule, ScopeKind, Test, KEY_NAMES, SCOPE_NAMES,
};
use super::validate::{self as check, Bad, Problems};
use super::yaml::{Key, Kind, Node, Pos};
use super::{Limits, Policy};
use crate::decision::{Action, Mode, ACTION_NAMES};
use crate::lists::EntityList;

mod when;
use when::condition;

const TOP_FIELDS: [&str; 3] = ["lists", "limits", "rules"];
const LIST_FIELDS: [&str; 5] = ["ips", "cidrs", "countries", "asns", "fingerprints"];
const LIMIT_FIELDS: [&str; 6] = [
    "max_tarpit_delay",
    "max_tarpitted",
    "tarpit_overflow_status",
    "max_rate_limit_keys",
    "max_decisions",
    "max_decisions_per_alert",
];
const RULE_FIELDS: [&str; 15] = [
    "name",
    "description",
    "when",
    "unless",
    "action",
    "mode",
    "status",
    "body",
    "rate",
    "burst",
    "key",
    "delay",
    "scope",
    "ttl",
    "within",
];
const MODE_NAMES: [&str; 2] = ["enforce", "monitor"];

/// Most rules in one policy.
const MAX_RULES: usize = 10_000;

/// The fields of one mapping, after unknown ones were reported.
struct Fields<'a> {
    entries: &'a [(Key, Node)],
}

impl<'a> Fields<'a> {
    fn get(&self, name: &str) -> Option<&'a Node> {
        self.entries
            .iter()
            .find(|(k, _)| k.name == name)
            .map(|(_, v)| v)
    }

    fn key_pos(&self, name: &str) -> Option<Pos> {
        self.entries
            .iter()
            .find(|(k, _)| k.name == name)
            .map(|(k, _)| k.pos)
    }
}

/// `node` as a mapping whose fields are among `known`; every other field is a problem.
fn fields<'a>(
    node: &'a Node,
    path: &str,
    what: &str,
    known: &[&str],
    p: &mut Problems,
) -> Option<Fields<'a>> {
    let Kind::Map(entries) = &node.kind else {
        p.add(
            node.pos,
            path,
            format!(
                "expected {what} (a mapping of fields), found {}",
                node.describe()
            ),
            format!("write `field: value` pairs indented under `{}`", leaf(path)),
        );
        return None;
    };
    for (i, (key, _)) in entries.iter().enumerate() {
        if entries[..i].iter().any(|(k, _)| k.name == key.name) {
            p.add(
                key.pos,
                &join(path, &key.name),
                format!("field `{}` is given twice", check::shown(&key.name)),
                "keep one of them",
            );
        } else if !known.contains(&key.name.as_str()) {
            let fix = match check::suggest(&key.name, known) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("remove it; {what} takes {}", known.join(", ")),
            };
            p.add(
                key.pos,
                &join(path, &key.name),
                format!("unknown field `{}` in {what}", check::shown(&key.name)),
                fix,
            );
        }
    }
    Some(Fields { entries })
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

fn leaf(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// A scalar as text.
fn text(node: &Node, path: &str, p: &mut Problems) -> Option<String> {
    match node.text() {
        Some(t) => Some(t.to_owned()),
        None => {
            p.add(
                node.pos,
                path,
                format!("expected text, found {}", node.describe()),
                "write a single value on the same line as the field",
            );
            None
        }
    }
}

/// A scalar, or a list of scalars, as texts with their positions.
fn texts(node: &Node, path: &str, p: &mut Problems) -> Vec<(String, Pos)> {
    match &node.kind {
        Kind::Seq(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| text(item, &format!("{path}[{i}]"), p).map(|t| (t, item.pos)))
            .collect(),
        _ => text(node, path, p)
            .map(|t| (t, node.pos))
            .into_iter()
            .collect(),
    }
}

/// Each text of `node` checked by `f`; bad ones are reported, good ones kept.
fn each<T>(
    node: &Node,
    path: &str,
    p: &mut Problems,
    f: impl Fn(&str) -> Result<T, Bad>,
) -> Vec<T> {
    texts(node, path, p)
        .into_iter()
        .filter_map(|(t, pos)| match f(&t) {
            Ok(v) => Some(v),
            Err(bad) => {
                p.bad(pos, path, bad);
                None
            }
        })
        .collect()
}

/// One text checked by `f`.
fn one<T>(
    node: &Node,
    path: &str,
    p: &mut Problems,
    f: impl Fn(&str) -> Result<T, Bad>,
) -> Option<T> {
    let t = text(node, path, p)?;
    match f(&t) {
        Ok(v) => Some(v),
        Err(bad) => {
            p.bad(node.pos, path, bad);
            None
        }
    }
}

fn boolean(node: &Node, path: &str, p: &mut Problems) -> Option<bool> {
    match &node.kind {
        Kind::Bool(b, _) => Some(*b),
        _ => {
            p.add(
                node.pos,
                path,
                format!("expected true or false, found {}", node.describe()),
                "write true or false",
            );
            None
        }
    }
}

/// A whole number in `min..=max`.
fn integer(node: &Node, path: &str, min: i128, max: i128, p: &mut Problems) -> Option<i128> {
    match &node.kind {
        Kind::Int(n, _) if (min..=max).contains(n) => Some(*n),
        Kind::Int(n, _) => {
            p.add(
                node.pos,
                path,
                format!("{n} is out of range"),
                format!("use a whole number from {min} to {max}"),
            );
            None
        }
        _ => {
            p.add(
                node.pos,
                path,
                format!("expected a whole number, found {}", node.describe()),
                format!("use a whole number from {min} to {max}"),
            );
            None
        }
    }
}

fn usize_of(n: i128) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Reads the whole policy. `known_detectors` are the names `detector:` accepts.
pub(crate) fn policy(
    root: &Node,
    source: &str,
    known_detectors: &[&str],
    p: &mut Problems,
) -> Policy {
    let mut policy = Policy {
        source: source.to_owned(),
        ..Policy::default()
    };
    if root.kind == Kind::Null {
        return policy;
    }
    let Some(top) = fields(root, "", "a policy", &TOP_FIELDS, p) else {
        return policy;
    };
    if let Some(node) = top.get("limits") {
        policy.limits = limits(node, p);
    }
    if let Some(node) = top.get("lists") {
        policy.lists = lists(node, p);
    }
    if let Some(node) = top.get("rules") {
        let ctx = Ctx {
            lists: &policy.lists,
            limits: &policy.limits,
            detectors: known_detectors,
        };
        policy.rules = rules(node, &ctx, p);
    }
    policy.index = policy
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.name.clone(), i))
        .collect();
    policy.uses_history = policy
        .rules
        .iter()
        .any(|r| r.when.uses_history() || r.unless.as_ref().is_some_and(Condition::uses_history));
    policy.reads_headers = policy
        .rules
        .iter()
        .any(|r| r.when.reads_headers() || r.unless.as_ref().is_some_and(Condition::reads_headers));
    policy
}

fn limits(node: &Node, p: &mut Problems) -> Limits {
    let mut out = Limits::default();
    let Some(f) = fields(node, "limits", "the limits", &LIMIT_FIELDS, p) else {
        return out;
    };
    if let Some(n) = f.get("max_tarpit_delay") {
        let path = "limits.max_tarpit_delay";
        match one(n, path, p, check::duration) {
            Some(d) if d.is_zero() || d > Duration::from_secs(600) => p.add(
                n.pos,
                path,
                "the tarpit cap must be more than 0 and at most 10m",
                "a few seconds is usual: 10s",
            ),
            Some(d) => out.max_tarpit_delay = d,
            None => {}
        }
    }
    let counts = [
        ("max_tarpitted", &mut out.max_tarpitted),
        ("max_rate_limit_keys", &mut out.max_rate_limit_keys),
        ("max_decisions", &mut out.max_decisions),
        ("max_decisions_per_alert", &mut out.max_decisions_per_alert),
    ];
    for (name, slot) in counts {
        if let Some(n) = f.get(name) {
            if let Some(v) = integer(n, &format!("limits.{name}"), 1, 100_000_000, p) {
                *slot = usize_of(v);
            }
        }
    }
    if let Some(n) = f.get("tarpit_overflow_status") {
        if let Some(v) = integer(n, "limits.tarpit_overflow_status", 400, 599, p) {
            out.tarpit_overflow_status = u16::try_from(v).unwrap_or(429);
        }
    }
    out
}

fn lists(node: &Node, p: &mut Problems) -> BTreeMap<String, Arc<EntityList>> {
    let mut out = BTreeMap::new();
    let Kind::Map(entries) = &node.kind else {
        p.add(
            node.pos,
            "lists",
            format!("expected named lists, found {}", node.describe()),
            "write `NAME: { cidrs: [...], asns: [...] }` under `lists:`",
        );
        return out;
    };
    for (key, value) in entries {
        let path = format!("lists.{}", key.name);
        let name = match check::name(&key.name, "list") {
            Ok(n) => n,
            Err(bad) => {
                p.bad(key.pos, &path, bad);
                continue;
            }
        };
        if out.contains_key(&name) {
            p.add(
                key.pos,
                &path,
                format!("list `{name}` is defined twice"),
                "keep one of them",
            );
            continue;
        }
        let list = entity_list(value, &path, p);
        out.insert(name, Arc::new(list));
    }
    out
}

/// The entity fields of `f` (`ips`, `cidrs`, ...) read into one list.
fn add_entities(list: &mut EntityList, field: &str, node: &Node, path: &str, p: &mut Problems) {
    let path = join(path, field);
    match field {
        "ips" => each(node, &path, p, check::ip)
            .into_iter()
            .for_each(|ip| list.add_ip(ip)),
        "cidrs" => each(node, &path, p, check::net)
            .into_iter()
            .for_each(|n| list.add_net(n)),
        "countries" => each(node, &path, p, check::country)
            .iter()
            .for_each(|c| list.add_country(c)),
        "asns" => each(node, &path, p, check::asn)
            .into_iter()
            .for_each(|a| list.add_asn(a)),
        _ => each(node, &path, p, check::fingerprint)
            .iter()
            .for_each(|f| list.add_fingerprint(f)),
    }
}

fn entity_list(node: &Node, path: &str, p: &mut Problems) -> EntityList {
    let mut list = EntityList::new();
    if let Some(f) = fields(node, path, "a list", &LIST_FIELDS, p) {
        for field in LIST_FIELDS {
            if let Some(n) = f.get(field) {
                add_entities(&mut list, field, n, path, p);
            }
        }
    }
    list
}

/// What reading rules needs from the rest of the policy.
struct Ctx<'a> {
    lists: &'a BTreeMap<String, Arc<EntityList>>,
    limits: &'a Limits,
    detectors: &'a [&'a str],
}

fn rules(node: &Node, ctx: &Ctx<'_>, p: &mut Problems) -> Vec<Rule> {
    let Kind::Seq(items) = &node.kind else {
        p.add(
            node.pos,
            "rules",
            format!("expected a list of rules, found {}", node.describe()),
            "start each rule with `- name: ...` under `rules:`",
        );
        return Vec::new();
    };
    if items.len() > MAX_RULES {
        p.add(
            node.pos,
            "rules",
            format!("{} rules is more than the {MAX_RULES} allowed", items.len()),
            "merge rules with lists and `any:`",
        );
        return Vec::new();
    }
    let mut seen: HashMap<&str, u64> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let Kind::Map(entries) = &item.kind else {
            continue;
        };
        let Some((_, name)) = entries.iter().find(|(k, _)| k.name == "name") else {
            continue;
        };
        let Some(text) = name.text() else { continue };
        match seen.get(text.trim()) {
            Some(first) => p.add(
                name.pos,
                &format!("rules[{i}].name"),
                format!(
                    "rule name `{}` is already used at line {first}",
                    check::shown(text)
                ),
                "give every rule its own name; decisions and limits are kept by name",
            ),
            None => {
                seen.insert(text.trim(), item.pos.line);
            }
        }
    }
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| rule(item, &format!("rules[{i}]"), ctx, p))
        .collect()
}

/// Fields that belong to some actions only.
const ACTION_FIELDS: [(&str, &[&str]); 7] = [
    ("status", &["block"]),
    ("body", &["block"]),
    ("rate", &["rate_limit"]),
    ("burst", &["rate_limit"]),
    ("key", &["rate_limit"]),
    ("delay", &["tarpit"]),
    (
        "ttl",
        &["block", "rate_limit", "tarpit", "deceive", "require_auth"],
    ),
];

fn rule(node: &Node, path: &str, ctx: &Ctx<'_>, p: &mut Problems) -> Option<Rule> {
    let f = fields(node, path, "a rule", &RULE_FIELDS, p)?;
    let before = p.list.len();
    let name = match f.get("name") {
        Some(n) => one(n, &join(path, "name"), p, |t| check::name(t, "rule")),
        None => {
            p.add(
                node.pos,
                path,
                "the rule has no `name`",
                "add `name: some-rule-name`",
            );
            None
        }
    };
    let action_name = match f.get("action") {
        Some(n) => one(n, &join(path, "action"), p, |t| {
            check::choose(t.trim(), "action", &ACTION_NAMES)
        }),
        None => {
            p.add(
                node.pos,
                path,
                "the rule has no `action`",
                format!("add `action:` with one of {}", ACTION_NAMES.join(", ")),
            );
            None
        }
    };
    let when = match f.get("when") {
        Some(n) if n.kind == Kind::Null => Condition::default(),
        Some(n) => condition(n, &join(path, "when"), ctx, p),
        None => Condition::default(),
    };
    let unless = match f.get("unless") {
        Some(n) if n.kind == Kind::Null => {
            p.add(
                n.pos,
                &join(path, "unless"),
                "an empty `unless` would exempt every request from the rule",
                "write the conditions that exempt a request, like `unless: { history: { min_requests: 3 } }`, or remove `unless`",
            );
            None
        }
        Some(n) => Some(condition(n, &join(path, "unless"), ctx, p)),
        None => None,
    };
    let mode = f
        .get("mode")
        .and_then(|n| {
            one(n, &join(path, "mode"), p, |t| {
                check::choose(t.trim(), "mode", &MODE_NAMES)
            })
        })
        .map_or(Mode::Monitor, |m| {
            if m == "enforce" {
                Mode::Enforce
            } else {
                Mode::Monitor
            }
        });
    if let Some(action) = action_name {
        for (field, actions) in ACTION_FIELDS {
            if let (Some(pos), false) = (f.key_pos(field), actions.contains(&action)) {
                p.add(
                    pos,
                    &join(path, field),
                    format!("`{field}` does not apply to action `{action}`"),
                    format!("remove it, or use it with action {}", actions.join(" or ")),
                );
            }
        }
    }
    let ttl = f.get("ttl").and_then(|n| {
        let field = join(path, "ttl");
        match one(n, &field, p, check::duration) {
            Some(d) if d.is_zero() => {
                p.add(
                    n.pos,
                    &field,
                    "a ttl of 0 makes decisions that never apply",
                    "use 1h, for example",
                );
                None
            }
            other => other,
        }
    });
    if let (Some(pos), None) = (f.key_pos("ttl"), when.alert_test()) {
        p.add(
            pos,
            &join(path, "ttl"),
            "`ttl` turns alerts into decisions, but this rule's `when` names no `detector` or `min_severity`",
            "add `detector: NAME` (or `min_severity:`) to `when`, or remove `ttl`",
        );
    }
    let scope = match f.get("scope") {
        Some(n) => {
            let field = join(path, "scope");
            if f.get("ttl").is_none() {
                p.add(
                    n.pos,
                    &field,
                    "`scope` only applies to decisions, which need a `ttl`",
                    "add `ttl: 1h` (for example), or remove `scope`",
                );
            }
            one(n, &field, p, |t| {
                check::choose(t.trim(), "scope", &SCOPE_NAMES)
                    .map(|s| ScopeKind::from_name(s).unwrap_or_default())
            })
            .unwrap_or_default()
        }
        None => ScopeKind::Ip,
    };
    let within_endpoint = match f.get("within") {
        Some(n) => {
            let field = join(path, "within");
            if f.get("ttl").is_none() {
                p.add(
                    n.pos,
                    &field,
                    "`within` only applies to decisions, which need a `ttl`",
                    "add `ttl: 1h` (for example), or remove `within`",
                );
            }
            one(n, &field, p, |t| {
                check::choose(t.trim(), "within", &["endpoint", "everywhere"])
                    .map(|w| w == "endpoint")
            })
            .unwrap_or(false)
        }
        None => false,
    };
    let key = f
        .get("key")
        .and_then(|n| {
            one(n, &join(path, "key"), p, |t| {
                check::choose(t.trim(), "rate-limit key", &KEY_NAMES)
                    .map(|k| LimitKey::from_name(k).unwrap_or_default())
            })
        })
        .unwrap_or_default();
    let action = action_name.and_then(|a| action(a, &f, node.pos, path, ctx, p));
    if action == Some(Action::RequireAuth) && when.tests.contains(&Test::Authenticated(true)) {
        p.add(
            f.key_pos("when").unwrap_or(node.pos),
            &join(path, "when.authenticated"),
            "require_auth only acts on requests without credentials, but `when` asks for `authenticated: true`",
            "remove `authenticated: true` (require_auth already skips authenticated requests)",
        );
    }
    let description = f
        .get("description")
        .and_then(|n| text(n, &join(path, "description"), p));
    if p.list.len() > before {
        return None;
    }
    Some(Rule {
        name: Arc::from(name?),
        description,
        when,
        unless,
        action: action?,
        mode,
        scope,
        within_endpoint,
        ttl,
        key,
        line: node.pos.line,
    })
}

fn action(
    name: &str,
    f: &Fields<'_>,
    pos: Pos,
    path: &str,
    ctx: &Ctx<'_>,
    p: &mut Problems,
) -> Option<Action> {
    Some(match name {
        "allow" => Action::Allow,
        "monitor" => Action::Monitor,
        "deceive" => Action::Deceive,
        "require_auth" => Action::RequireAuth,
        "block" => {
            let status = match f.get("status") {
                Some(n) => u16::try_from(integer(n, &join(path, "status"), 400, 599, p)?).ok()?,
                None => 403,
            };
            let body = match f.get("body") {
                Some(n) => text(n, &join(path, "body"), p)?,
                None => "forbidden\n".to_owned(),
            };
            if body.len() > 64 * 1024 {
                p.add(
                    pos,
                    &join(path, "body"),
                    "the body is over 64 KiB",
                    "keep block bodies short",
                );
                return None;
            }
            Action::Block {
                status,
                body: Arc::from(body),
            }
        }
        "rate_limit" => {
            let Some(rate_node) = f.get("rate") else {
                p.add(
                    pos,
                    path,
                    "action `rate_limit` needs a `rate`",
                    "add `rate: 10/min` (requests per s, min, hour or day)",
                );
                return None;
            };
            let rate = one(rate_node, &join(path, "rate"), p, check::rate)?;
            let burst = match f.get("burst") {
                Some(n) => {
                    u32::try_from(integer(n, &join(path, "burst"), 1, 1_000_000, p)?).ok()?
                }
                None => rate.count,
            };
            Action::RateLimit { rate, burst }
        }
        _ => {
            let delay = match f.get("delay") {
                Some(n) => {
                    let field = join(path, "delay");
                    let d = one(n, &field, p, check::duration)?;
                    let cap = ctx.limits.max_tarpit_delay;
                    if d.is_zero() || d > cap {
                        p.add(
                            n.pos,
                            &field,
                            format!(
                                "a tarpit delay must be more than 0 and at most limits.max_tarpit_delay ({}s)",
                                cap.as_secs_f64()
                            ),
                            "use a delay of a few seconds, or raise limits.max_tarpit_delay",
                        );
                        return None;
                    }
                    d
                }
                None => Duration::from_secs(2).min(ctx.limits.max_tarpit_delay),
            };
            Action::Tarpit {
                delay_ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            }
        }
    })
}
