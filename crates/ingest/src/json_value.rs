//! Reading scalar JSON values the lenient way log writers need: numbers as strings, strings as
//! numbers.

use serde_json::Value;

/// A scalar as text (`"a"`, `12`, `true`); `None` for null, arrays and objects.
pub(crate) fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A finite number, from a JSON number or a numeric string.
pub(crate) fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|n: &f64| n.is_finite())
}

/// A value cut and escaped for an error message.
pub(crate) fn short(v: &Value) -> String {
    rampart_core::redact::escape_for_terminal(&v.to_string(), 40)
}
