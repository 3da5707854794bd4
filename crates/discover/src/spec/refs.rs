//! Local `$ref` resolution with a depth bound and cycle detection.

use serde_json::{json, Map, Value};

use super::SpecProblem;

/// Deepest chain of nested `$ref`s followed inside one schema.
const MAX_REF_DEPTH: usize = 8;
/// Most values copied while resolving one schema (a guard against exponential documents).
const MAX_NODES: usize = 20_000;

/// Resolves `$ref`s against one document.
pub(crate) struct Resolver<'a> {
    root: &'a Value,
    pub(crate) problems: Vec<SpecProblem>,
}

impl<'a> Resolver<'a> {
    pub(crate) fn new(root: &'a Value) -> Self {
        Self {
            root,
            problems: Vec::new(),
        }
    }

    /// Follows a `$ref` chain at the top of `v` (for parameters, responses, request bodies).
    /// `at` is the JSON pointer of `v`, for problems.
    pub(crate) fn deref<'v>(&mut self, v: &'v Value, at: &str) -> Option<&'v Value>
    where
        'a: 'v,
    {
        let mut cur = v;
        for _ in 0..MAX_REF_DEPTH {
            let Some(r) = cur.get("$ref").and_then(Value::as_str) else {
                return Some(cur);
            };
            match self.lookup(r) {
                Some(target) => cur = target,
                None => {
                    self.problem(at, format!("broken $ref `{r}`"));
                    return None;
                }
            }
        }
        self.problem(at, "$ref chain too long".into());
        None
    }

    fn lookup(&self, r: &str) -> Option<&'a Value> {
        let pointer = r.strip_prefix('#')?;
        let decoded = percent_decode(pointer);
        self.root.pointer(&decoded)
    }

    /// A copy of a schema with every local `$ref` inlined; recursive references are cut with
    /// an `x-rampart-recursive` marker.
    pub(crate) fn schema(&mut self, v: &Value, at: &str) -> Value {
        let mut budget = MAX_NODES;
        let mut stack = Vec::new();
        self.inline(v, at, &mut stack, &mut budget)
    }

    fn inline(
        &mut self,
        v: &Value,
        at: &str,
        stack: &mut Vec<String>,
        budget: &mut usize,
    ) -> Value {
        if *budget == 0 {
            return json!({});
        }
        *budget -= 1;
        match v {
            Value::Object(map) => {
                if let Some(r) = map.get("$ref").and_then(Value::as_str) {
                    if stack.iter().any(|s| s == r) || stack.len() >= MAX_REF_DEPTH {
                        return json!({"type": "object", "x-rampart-recursive": r});
                    }
                    let Some(target) = self.lookup(r) else {
                        self.problem(at, format!("broken $ref `{r}`"));
                        return json!({});
                    };
                    stack.push(r.to_owned());
                    let out = self.inline(target, at, stack, budget);
                    stack.pop();
                    return out;
                }
                let mut out = Map::new();
                for (k, child) in map {
                    let child_at = format!("{at}/{}", escape_pointer(k));
                    out.insert(k.clone(), self.inline(child, &child_at, stack, budget));
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, c)| self.inline(c, &format!("{at}/{i}"), stack, budget))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    pub(crate) fn problem(&mut self, at: &str, message: String) {
        if self.problems.len() < 1000 {
            self.problems.push(SpecProblem {
                pointer: at.to_owned(),
                message,
            });
        }
    }
}

/// Escapes a key for a JSON pointer (`~` → `~0`, `/` → `~1`).
pub(crate) fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
