//! Sensitive data in field values: personal data (emails, phones, card numbers, ...) and
//! secrets (tokens, keys, passwords), found by pattern plus validation and by field name.
//!
//! Precision comes first: a card number must pass Luhn and carry a known issuer prefix, an IBAN
//! its mod-97 checksum, a JWT must decode; bare digit runs count as phones or social security
//! numbers only when the field's name says so. Every [`Finding`] carries a redacted example that
//! keeps the shape of the value and never the value itself.

mod names;
mod redact;
mod scan;
mod validate;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::json_walk::{JsonNode, JsonPlace};
use names::NameHints;
use scan::Patterns;

/// Deepest JSON nesting walked; deeper values are skipped.
pub const MAX_JSON_DEPTH: usize = 32;
/// Most JSON values (containers and leaves) visited in one document.
pub const MAX_JSON_VALUES: usize = 10_000;

/// A kind of sensitive value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SensitiveClass {
    /// An email address.
    Email,
    /// A telephone number.
    Phone,
    /// A payment card number (Luhn-valid, known issuer).
    CardNumber,
    /// A US social security number.
    Ssn,
    /// An international bank account number (checksum-valid).
    Iban,
    /// A JSON Web Token.
    Jwt,
    /// An AWS access key id (`AKIA...`, `ASIA...`).
    AwsAccessKey,
    /// An AWS secret access key.
    AwsSecretKey,
    /// A GitHub token (`ghp_...`, `github_pat_...`).
    GithubToken,
    /// A Slack token (`xoxb-...`).
    SlackToken,
    /// A Stripe secret or restricted key.
    StripeKey,
    /// A Google API key (`AIza...`).
    GoogleApiKey,
    /// A high-entropy value in a field named like a key, token or secret.
    GenericSecret,
    /// A PEM private key.
    PrivateKey,
    /// A password, by field name.
    Password,
    /// A date of birth, by field name.
    DateOfBirth,
    /// A postal address, by field name.
    Address,
}

impl SensitiveClass {
    /// The snake_case name, as serialised.
    pub fn name(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
            Self::CardNumber => "card_number",
            Self::Ssn => "ssn",
            Self::Iban => "iban",
            Self::Jwt => "jwt",
            Self::AwsAccessKey => "aws_access_key",
            Self::AwsSecretKey => "aws_secret_key",
            Self::GithubToken => "github_token",
            Self::SlackToken => "slack_token",
            Self::StripeKey => "stripe_key",
            Self::GoogleApiKey => "google_api_key",
            Self::GenericSecret => "generic_secret",
            Self::PrivateKey => "private_key",
            Self::Password => "password",
            Self::DateOfBirth => "date_of_birth",
            Self::Address => "address",
        }
    }

    /// Whether the class is a credential or key (as opposed to personal data).
    pub fn is_secret(self) -> bool {
        matches!(
            self,
            Self::Jwt
                | Self::AwsAccessKey
                | Self::AwsSecretKey
                | Self::GithubToken
                | Self::SlackToken
                | Self::StripeKey
                | Self::GoogleApiKey
                | Self::GenericSecret
                | Self::PrivateKey
                | Self::Password
        )
    }

    /// Every class, in declaration order.
    pub fn all() -> &'static [SensitiveClass] {
        use SensitiveClass::*;
        &[
            Email,
            Phone,
            CardNumber,
            Ssn,
            Iban,
            Jwt,
            AwsAccessKey,
            AwsSecretKey,
            GithubToken,
            SlackToken,
            StripeKey,
            GoogleApiKey,
            GenericSecret,
            PrivateKey,
            Password,
            DateOfBirth,
            Address,
        ]
    }

    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

/// One sensitive value found.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Finding {
    /// What was found.
    pub class: SensitiveClass,
    /// Where: a JSON path (`user.email`, `items[].card`), a query parameter, form field or header
    /// name; `None` for free text. Control characters are escaped.
    pub field: Option<String>,
    /// A redacted example, safe to show and store.
    pub redacted: String,
}

/// The sensitive-data classifier. Patterns are compiled once; share one instance across
/// threads.
#[derive(Debug, Clone)]
pub struct Classifier {
    patterns: Patterns,
}

impl Default for Classifier {
    fn default() -> Self {
        Self::new()
    }
}

/// Collects findings for one value, at most one per class.
pub(crate) struct Sink<'a> {
    field: Option<&'a str>,
    seen: u32,
    out: &'a mut Vec<Finding>,
}

impl Sink<'_> {
    pub(crate) fn has(&self, class: SensitiveClass) -> bool {
        self.seen & class.bit() != 0
    }

    pub(crate) fn has_secret(&self) -> bool {
        SensitiveClass::all()
            .iter()
            .any(|c| c.is_secret() && self.has(*c))
    }

    pub(crate) fn push(&mut self, class: SensitiveClass, redacted: String) {
        if self.has(class) {
            return;
        }
        self.seen |= class.bit();
        self.out.push(Finding {
            class,
            field: self.field.map(field_name),
            redacted,
        });
    }
}

/// A field name as findings show it: control characters escaped, cut at 256 characters. Short
/// printable ASCII, the usual name, is copied as it is.
fn field_name(name: &str) -> String {
    if name.len() <= 256 && name.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return name.to_owned();
    }
    rampart_core::redact::escape_for_terminal(name, 256)
}

impl Classifier {
    /// A classifier with every pattern compiled.
    pub fn new() -> Self {
        Self {
            patterns: Patterns::new(),
        }
    }

    /// One field value (a JSON string or number, a query value, a header value), with its field
    /// name when there is one. Reports at most one finding per class.
    pub fn classify_field(&self, name: Option<&str>, value: &str, out: &mut Vec<Finding>) {
        let hints = NameHints::of(name);
        self.value(&hints, name, value, true, out);
    }

    /// A JSON document: walks objects and arrays (depth ≤ [`MAX_JSON_DEPTH`], at most
    /// [`MAX_JSON_VALUES`] values). Fields are named by path, `a.b`, with arrays as `a[]`; the
    /// name rules use the nearest object key.
    pub fn classify_json(&self, doc: &serde_json::Value, out: &mut Vec<Finding>) {
        crate::json_walk::walk_value(doc, &mut |place, node| {
            self.classify_json_node(place, node, out)
        });
    }

    /// One value of a JSON document met by [`crate::json_walk`]; values outside its
    /// every-value scope are left alone.
    pub fn classify_json_node(
        &self,
        place: &JsonPlace<'_>,
        node: JsonNode<'_>,
        out: &mut Vec<Finding>,
    ) {
        if !place.every {
            return;
        }
        let field = (!place.path.is_empty()).then_some(place.path);
        let hints = || NameHints::of(place.key);
        match node {
            JsonNode::Str(s) => self.value(&hints(), field, s, true, out),
            JsonNode::Int(i) => {
                let hints = hints();
                // An integer of at most seven characters matches no pattern, and only a
                // phone or social security name makes a number sensitive: no need to spell it.
                let short = (-999_999..=9_999_999).contains(&i);
                if short && !hints.phone && !hints.ssn {
                    return;
                }
                self.value(&hints, field, &i.to_string(), false, out);
            }
            JsonNode::Float(f) => {
                // Spelled as JSON spells it.
                let Some(n) = serde_json::Number::from_f64(f) else {
                    return;
                };
                self.value(&hints(), field, &n.to_string(), false, out);
            }
            JsonNode::Null | JsonNode::Bool(_) | JsonNode::Object | JsonNode::Array => {}
        }
    }

    /// Free text: a form body (`a=1&b=2`) is classified field by field; anything else is
    /// scanned for patterns, with no field name.
    pub fn classify_text(&self, text: &str, out: &mut Vec<Finding>) {
        if let Some(pairs) = scan::form_pairs(text) {
            for (name, value) in pairs {
                self.classify_field(Some(&name), &value, out);
            }
            return;
        }
        let mut sink = Sink {
            field: None,
            seen: 0,
            out,
        };
        self.patterns
            .scan(text, &NameHints::default(), true, &mut sink);
    }

    fn value(
        &self,
        hints: &NameHints,
        field: Option<&str>,
        value: &str,
        is_string: bool,
        out: &mut Vec<Finding>,
    ) {
        let mut sink = Sink {
            field,
            seen: 0,
            out,
        };
        self.patterns.scan(value, hints, false, &mut sink);
        scan::by_name(value, hints, is_string, &mut sink);
    }
}
