//! The body of `POST /api/v1/decisions`, checked field by field.
//!
//! It speaks the policy's vocabulary rather than the stored form:
//!
//! ```json
//! {"action": "block", "scope": {"ip": "203.0.113.7"}, "ttl": "1h", "reason": "abuse report 4411"}
//! ```
//!
//! `action` is an action name; its settings sit beside it as in a policy rule (`status` and
//! `body` for `block`, `delay` for `tarpit`, `rate` and `burst` for `rate_limit`). `scope` has
//! exactly one of `ip`, `prefix`, `session`, `principal`, `fingerprint`, `actor`. `ttl` is a
//! duration (absent or null: until removed), `mode` is `enforce` (the default) or `monitor`.
//! Every problem is a 400 naming its field.

use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;
use rampart_core::EventTime;
use rampart_defend::{Action, Decision, Mode, Scope, ACTION_NAMES};
use serde_json::{Map, Value};

use super::bad;
use crate::error::HttpError;
use crate::parse::{choose, duration_within, rate, shown};

const FIELDS: [&str; 10] = [
    "action", "scope", "ttl", "reason", "mode", "status", "body", "delay", "rate", "burst",
];
const SCOPES: [&str; 6] = [
    "ip",
    "prefix",
    "session",
    "principal",
    "fingerprint",
    "actor",
];
const MODES: [&str; 2] = ["enforce", "monitor"];

/// Shortest IPv4 prefix a decision may cover: a typo like `0.0.0.0/0` would act on everyone.
const MIN_PREFIX_V4: u8 = 8;
/// Shortest IPv6 prefix a decision may cover.
const MIN_PREFIX_V6: u8 = 16;
const MAX_TTL: Duration = Duration::from_secs(365 * 86_400);
const MAX_DELAY: Duration = Duration::from_secs(60);
const MAX_REASON_CHARS: usize = 1000;
const MAX_BODY_BYTES: usize = 4096;
const MAX_BURST: u64 = 1_000_000;
const DEFAULT_REASON: &str = "set by hand through the management API";

/// A checked request for a manual decision.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct NewDecision {
    action: Action,
    scope: Scope,
    ttl: Option<Duration>,
    reason: String,
    mode: Mode,
}

impl NewDecision {
    /// Reads and checks the request body.
    pub(super) fn from_json(body: &Value) -> Result<Self, HttpError> {
        let Some(obj) = body.as_object() else {
            return Err(HttpError::bad_field(
                "body",
                "the body must be a JSON object",
                "send {\"action\": \"block\", \"scope\": {\"ip\": \"203.0.113.7\"}, \"ttl\": \"1h\"}",
            ));
        };
        for key in obj.keys() {
            choose(key, "field", &FIELDS).map_err(|b| bad(key, b))?;
        }
        let action_name = string(obj, "action")?.ok_or_else(|| {
            HttpError::bad_field(
                "action",
                "`action` is missing",
                format!("give one of {}", ACTION_NAMES.join(", ")),
            )
        })?;
        let action_name =
            choose(action_name, "action", &ACTION_NAMES).map_err(|b| bad("action", b))?;
        let action = action(action_name, obj)?;
        let scope = scope(obj.get("scope"))?;
        let ttl = match string(obj, "ttl")? {
            None => None,
            Some(t) => Some(
                duration_within(t, Duration::from_secs(1), MAX_TTL, "365d")
                    .map_err(|b| bad("ttl", b))?,
            ),
        };
        let reason = match string(obj, "reason")? {
            None => DEFAULT_REASON.to_owned(),
            Some(r) if r.chars().count() > MAX_REASON_CHARS => {
                return Err(HttpError::bad_field(
                    "reason",
                    "the reason is longer than 1000 characters",
                    "say why in fewer words; link a ticket for the details",
                ))
            }
            Some(r) if r.trim().is_empty() => DEFAULT_REASON.to_owned(),
            Some(r) => r.to_owned(),
        };
        let mode = match string(obj, "mode")? {
            None => Mode::Enforce,
            Some(m) => match choose(m, "mode", &MODES).map_err(|b| bad("mode", b))? {
                "monitor" => Mode::Monitor,
                _ => Mode::Enforce,
            },
        };
        Ok(Self {
            action,
            scope,
            ttl,
            reason,
            mode,
        })
    }

    /// The decision, made by hand at `now`.
    pub(super) fn into_decision(self, now: EventTime) -> Decision {
        let mut d = Decision::manual(self.action, self.scope, self.reason, now, self.ttl);
        d.mode = self.mode;
        d
    }
}

/// The action named `name` with its settings, refusing settings of other actions.
fn action(name: &str, obj: &Map<String, Value>) -> Result<Action, HttpError> {
    let own: &[&str] = match name {
        "block" => &["status", "body"],
        "tarpit" => &["delay"],
        "rate_limit" => &["rate", "burst"],
        _ => &[],
    };
    for field in ["status", "body", "delay", "rate", "burst"] {
        if obj.get(field).is_some_and(|v| !v.is_null()) && !own.contains(&field) {
            return Err(HttpError::bad_field(
                field,
                format!("`{field}` does not apply to the action `{name}`"),
                format!("remove `{field}`, or use the action it belongs to"),
            ));
        }
    }
    Ok(match name {
        "allow" => Action::Allow,
        "monitor" => Action::Monitor,
        "deceive" => Action::Deceive,
        "require_auth" => Action::RequireAuth,
        "block" => {
            let status = match integer(obj, "status")? {
                None => 403,
                Some(s @ 400..=599) => s as u16,
                Some(_) => {
                    return Err(HttpError::bad_field(
                        "status",
                        "the status must be from 400 to 599",
                        "use 403 (the default), 404 or 429",
                    ))
                }
            };
            let body = string(obj, "body")?.unwrap_or("forbidden");
            if body.len() > MAX_BODY_BYTES {
                return Err(HttpError::bad_field(
                    "body",
                    "the body is longer than 4096 bytes",
                    "use a short message",
                ));
            }
            Action::Block {
                status,
                body: body.into(),
            }
        }
        "tarpit" => {
            let delay = match string(obj, "delay")? {
                None => Duration::from_secs(2),
                Some(d) => duration_within(d, Duration::from_millis(1), MAX_DELAY, "60s")
                    .map_err(|b| bad("delay", b))?,
            };
            Action::Tarpit {
                delay_ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            }
        }
        _ => {
            let Some(text) = string(obj, "rate")? else {
                return Err(HttpError::bad_field(
                    "rate",
                    "a rate_limit needs a `rate`",
                    "write a count and a period, like 10/min",
                ));
            };
            let rate = rate(text).map_err(|b| bad("rate", b))?;
            let burst = match integer(obj, "burst")? {
                None => rate.count,
                Some(b @ 1..=MAX_BURST) => b as u32,
                Some(_) => return Err(HttpError::bad_field(
                    "burst",
                    "the burst must be from 1 to 1000000",
                    "give the requests allowed at once, or leave it out to use the rate's count",
                )),
            };
            Action::RateLimit { rate, burst }
        }
    })
}

/// The scope: an object with exactly one kind.
fn scope(value: Option<&Value>) -> Result<Scope, HttpError> {
    let fix = || {
        format!(
            "give exactly one of {}, like {{\"ip\": \"203.0.113.7\"}}",
            SCOPES.join(", ")
        )
    };
    let obj = match value {
        Some(Value::Object(o)) => o,
        None | Some(Value::Null) => {
            return Err(HttpError::bad_field("scope", "`scope` is missing", fix()))
        }
        Some(_) => {
            return Err(HttpError::bad_field(
                "scope",
                "`scope` must be an object",
                fix(),
            ))
        }
    };
    let mut entries = obj.iter();
    let (Some((kind, value)), None) = (entries.next(), entries.next()) else {
        return Err(HttpError::bad_field(
            "scope",
            "`scope` must have exactly one kind",
            fix(),
        ));
    };
    let kind = choose(kind, "scope", &SCOPES).map_err(|b| bad("scope", b))?;
    let field = format!("scope.{kind}");
    let Some(text) = value.as_str().map(str::trim) else {
        return Err(HttpError::bad_field(
            &field,
            format!("`{field}` must be a string"),
            fix(),
        ));
    };
    match kind {
        "ip" => text.parse::<IpAddr>().map(Scope::Ip).map_err(|_| {
            HttpError::bad_field(
                &field,
                format!("`{}` is not an IP address", shown(text)),
                "write an IPv4 or IPv6 address, like 203.0.113.7 or 2001:db8::7",
            )
        }),
        "prefix" => {
            let net = text.parse::<IpNet>().map_err(|_| {
                HttpError::bad_field(
                    &field,
                    format!("`{}` is not a CIDR block", shown(text)),
                    "write an address and a prefix length, like 203.0.113.0/24 or 2001:db8::/48 \
                     (one address is the scope `ip`)",
                )
            })?;
            let (min, family) = match net {
                IpNet::V4(_) => (MIN_PREFIX_V4, "IPv4"),
                IpNet::V6(_) => (MIN_PREFIX_V6, "IPv6"),
            };
            if net.prefix_len() < min {
                return Err(HttpError::bad_field(
                    &field,
                    format!("`{net}` covers too much: {family} prefixes must be /{min} or longer"),
                    "name a narrower network; to act on all traffic, write a policy rule",
                ));
            }
            Ok(Scope::Prefix(net))
        }
        "actor" => {
            let ok = !text.is_empty()
                && text.len() <= 128
                && text
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
            if ok {
                Ok(Scope::Actor(text.to_owned()))
            } else {
                Err(HttpError::bad_field(
                    &field,
                    format!("`{}` is not an actor id", shown(text)),
                    "copy the `actor` of an alert (letters, digits, - _ . :)",
                ))
            }
        }
        _ => {
            let ok = (8..=128).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit());
            if !ok {
                return Err(HttpError::bad_field(
                    &field,
                    format!("`{}` is not a {kind} hash", shown(text)),
                    format!("copy the hex value of a {kind} entity from an alert (8 to 128 hex digits); Rampart never takes the raw value"),
                ));
            }
            let text = text.to_owned();
            Ok(match kind {
                "session" => Scope::Session(text),
                "principal" => Scope::Principal(text),
                _ => Scope::Fingerprint(text),
            })
        }
    }
}

/// A string field; null counts as absent.
fn string<'v>(obj: &'v Map<String, Value>, field: &str) -> Result<Option<&'v str>, HttpError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(HttpError::bad_field(
            field,
            format!("`{field}` must be a string"),
            match field {
                "ttl" | "delay" => "write a duration in quotes, like \"1h\" or \"2s\"",
                "rate" => "write a rate in quotes, like \"10/min\"",
                _ => "put the value in quotes",
            },
        )),
    }
}

/// A whole-number field; null counts as absent.
fn integer(obj: &Map<String, Value>, field: &str) -> Result<Option<u64>, HttpError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_u64().map(Some).ok_or_else(|| {
            HttpError::bad_field(
                field,
                format!("`{field}` must be a whole number"),
                "write it without quotes, like 403",
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_defend::Rate;
    use serde_json::json;

    fn read(v: Value) -> Result<NewDecision, HttpError> {
        NewDecision::from_json(&v)
    }

    fn field_of(v: Value) -> String {
        read(v).unwrap_err().field.unwrap_or_default()
    }

    #[test]
    fn reads_the_documented_example() {
        let d = read(json!({"action": "block", "scope": {"ip": "203.0.113.7"}, "ttl": "1h", "reason": "abuse"}))
            .unwrap();
        assert_eq!(
            d.action,
            Action::Block {
                status: 403,
                body: "forbidden".into()
            }
        );
        assert_eq!(d.scope, Scope::Ip("203.0.113.7".parse().unwrap()));
        assert_eq!(d.ttl, Some(Duration::from_secs(3600)));
        let decision = d.into_decision(EventTime::from_unix_millis(1000));
        assert_eq!(decision.ttl(), Some(Duration::from_secs(3600)));
        assert_eq!(decision.mode, Mode::Enforce);
        assert_eq!(decision.reason, "abuse");
    }

    #[test]
    fn reads_each_action_with_its_settings() {
        let d = read(json!({"action": "rate_limit", "rate": "10/min", "burst": 5, "scope": {"prefix": "198.51.100.7/24"}}))
            .unwrap();
        assert_eq!(
            d.action,
            Action::RateLimit {
                rate: Rate::new(10, Duration::from_secs(60)),
                burst: 5
            }
        );
        assert_eq!(d.ttl, None);
        let d = read(json!({"action": "tarpit", "delay": "3s", "scope": {"session": "ABCDEF0123456789"}, "mode": "monitor"}))
            .unwrap();
        assert_eq!(d.action, Action::Tarpit { delay_ms: 3000 });
        assert_eq!(d.mode, Mode::Monitor);
        let stored = d.into_decision(EventTime::from_unix_millis(0));
        assert_eq!(stored.scope, Scope::Session("abcdef0123456789".into()));
        assert_eq!(stored.mode, Mode::Monitor);
        for action in ["allow", "monitor", "deceive", "require_auth"] {
            assert!(read(json!({"action": action, "scope": {"actor": "actor-1"}})).is_ok());
        }
    }

    #[test]
    fn every_problem_names_its_field() {
        let ip = json!({"ip": "203.0.113.7"});
        let cases = [
            (
                json!({"action": "block", "scope": {"ip": "203.0.113.999"}}),
                "scope.ip",
            ),
            (
                json!({"action": "block", "scope": {"prefix": "10.0.0.0/33"}}),
                "scope.prefix",
            ),
            (
                json!({"action": "block", "scope": {"prefix": "0.0.0.0/0"}}),
                "scope.prefix",
            ),
            (
                json!({"action": "block", "scope": {"prefix": "::/8"}}),
                "scope.prefix",
            ),
            (
                json!({"action": "block", "scope": {"session": "not-hex"}}),
                "scope.session",
            ),
            (
                json!({"action": "block", "scope": {"actor": "a b"}}),
                "scope.actor",
            ),
            (json!({"action": "block", "scope": {"ip": 7}}), "scope.ip"),
            (json!({"action": "block", "scope": {"host": "x"}}), "scope"),
            (json!({"action": "block", "scope": {}}), "scope"),
            (
                json!({"action": "block", "scope": {"ip": "192.0.2.1", "actor": "a"}}),
                "scope",
            ),
            (json!({"action": "block"}), "scope"),
            (json!({"action": "blok", "scope": ip}), "action"),
            (json!({"scope": ip}), "action"),
            (json!({"action": 3, "scope": ip}), "action"),
            (json!({"action": "block", "scope": ip, "ttl": "1hr"}), "ttl"),
            (json!({"action": "block", "scope": ip, "ttl": 3600}), "ttl"),
            (
                json!({"action": "block", "scope": ip, "ttl": "400d"}),
                "ttl",
            ),
            (json!({"action": "block", "scope": ip, "ttl": "0s"}), "ttl"),
            (
                json!({"action": "block", "scope": ip, "status": 200}),
                "status",
            ),
            (
                json!({"action": "block", "scope": ip, "delay": "1s"}),
                "delay",
            ),
            (
                json!({"action": "tarpit", "scope": ip, "delay": "2m"}),
                "delay",
            ),
            (json!({"action": "rate_limit", "scope": ip}), "rate"),
            (
                json!({"action": "rate_limit", "scope": ip, "rate": "10/fortnight"}),
                "rate",
            ),
            (
                json!({"action": "rate_limit", "scope": ip, "rate": "10/min", "burst": 0}),
                "burst",
            ),
            (
                json!({"action": "block", "scope": ip, "mode": "dry"}),
                "mode",
            ),
            (
                json!({"action": "block", "scope": ip, "reason": "x".repeat(1001)}),
                "reason",
            ),
            (json!({"action": "block", "scope": ip, "tll": "1h"}), "tll"),
            (json!(["block"]), "body"),
        ];
        for (body, field) in cases {
            assert_eq!(field_of(body.clone()), field, "{body}");
        }
        let e = read(json!({"action": "block", "scope": ip, "tll": "1h"})).unwrap_err();
        assert_eq!(e.fix, "did you mean `ttl`?");
    }
}
