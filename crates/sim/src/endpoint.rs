//! One served endpoint as the generator sees it: its template split into pieces, its value
//! pools and its latency.

use rampart_discover::spec::{Operation, ParamIn};
use rand::Rng;
use serde_json::Value;

use crate::values::{kind_for, percent_encode, ValuePool};

/// A piece of a path template.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Piece {
    Literal(String),
    Param(String),
}

/// Splits a template into literal text and `{name}` variables; an unclosed `{` stays literal.
pub(crate) fn parse_template(template: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest.get(open..).and_then(|r| r.find('}')).map(|c| c + open) else {
            break;
        };
        if open > 0 {
            pieces.push(Piece::Literal(rest.get(..open).unwrap_or("").to_owned()));
        }
        pieces.push(Piece::Param(
            rest.get(open + 1..close).unwrap_or("").to_owned(),
        ));
        rest = rest.get(close + 1..).unwrap_or("");
    }
    if !rest.is_empty() {
        pieces.push(Piece::Literal(rest.to_owned()));
    }
    pieces
}

/// An endpoint with everything needed to produce requests for it.
pub(crate) struct Endpoint<'a> {
    pub(crate) method: String,
    pub(crate) template: String,
    pub(crate) op: Option<&'a Operation>,
    pub(crate) shadow: bool,
    pub(crate) requests: u64,
    pieces: Vec<Piece>,
    pools: Vec<ValuePool>,
    /// Chance that each optional query parameter is sent, by parameter.
    query_chances: Vec<f64>,
    pub(crate) base_latency_ms: f64,
}

impl<'a> Endpoint<'a> {
    /// Prepares an endpoint expected to see `requests` requests.
    pub(crate) fn new<R: Rng + ?Sized>(
        method: String,
        template: String,
        op: Option<&'a Operation>,
        shadow: bool,
        requests: u64,
        rng: &mut R,
    ) -> Self {
        let pieces = parse_template(&template);
        let pools = pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Param(name) => Some(name),
                Piece::Literal(_) => None,
            })
            .map(|name| {
                let schema = op
                    .and_then(|o| {
                        o.params
                            .iter()
                            .find(|p| p.location == ParamIn::Path && &p.name == name)
                    })
                    .map(|p| &p.schema)
                    .unwrap_or(&Value::Null);
                let kind = kind_for(name, schema, rng);
                ValuePool::new(&kind, requests, rng)
            })
            .collect();
        let query_chances = op
            .map(|o| {
                o.params
                    .iter()
                    .map(|_| rng.random_range(0.05..0.6))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            method,
            template,
            op,
            shadow,
            requests,
            pieces,
            pools,
            query_chances,
            base_latency_ms: rng.random_range(4.0..120.0),
        }
    }

    /// Whether the path holds a variable (so a missing object can answer 404).
    pub(crate) fn has_path_params(&self) -> bool {
        !self.pools.is_empty()
    }

    /// Whether the spec marks the operation explicitly public.
    pub(crate) fn is_public(&self) -> bool {
        self.op
            .is_some_and(|o| o.security.as_ref().is_some_and(Vec::is_empty))
    }

    /// A concrete path.
    pub(crate) fn render_path<R: Rng + ?Sized>(&self, rng: &mut R) -> String {
        let mut path = String::with_capacity(self.template.len() + 16);
        let mut pools = self.pools.iter();
        for piece in &self.pieces {
            match piece {
                Piece::Literal(text) => path.push_str(text),
                Piece::Param(_) => {
                    let value = pools.next().map(|p| p.draw(rng)).unwrap_or("1");
                    path.push_str(&percent_encode(value));
                }
            }
        }
        path
    }

    /// Documented parameters sent with one request at `location`: required ones always,
    /// optional ones at their own rate.
    pub(crate) fn pick_params<R: Rng + ?Sized>(
        &self,
        location: ParamIn,
        rng: &mut R,
    ) -> Vec<(&'a str, &'a Value)> {
        let Some(op) = self.op else {
            return Vec::new();
        };
        op.params
            .iter()
            .zip(self.query_chances.iter())
            .filter(|(p, _)| p.location == location && !p.name.is_empty())
            .filter(|(p, chance)| p.required || rng.random_bool(**chance))
            .map(|(p, _)| (p.name.as_str(), &p.schema))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_split_into_pieces() {
        assert_eq!(
            parse_template("/f/{n}.json"),
            vec![
                Piece::Literal("/f/".into()),
                Piece::Param("n".into()),
                Piece::Literal(".json".into())
            ]
        );
        assert_eq!(
            parse_template("/a/{b"),
            vec![Piece::Literal("/a/{b".into())]
        );
        assert_eq!(parse_template("{x}"), vec![Piece::Param("x".into())]);
    }
}
