//! Pattern scanning of one value or a text, and the rules driven by field names.

use regex::{Regex, RegexSet};

use super::names::NameHints;
use super::redact;
use super::validate;
use super::{SensitiveClass, Sink};

/// Tokens with a fixed, recognisable prefix, and how to show them.
const TOKENS: &[(SensitiveClass, &str)] = &[
    (SensitiveClass::AwsAccessKey, r"(?:AKIA|ASIA)[A-Z0-9]{16}"),
    (
        SensitiveClass::GithubToken,
        r"gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,255}",
    ),
    (SensitiveClass::SlackToken, r"xox[baprs]-[A-Za-z0-9-]{10,}"),
    (
        SensitiveClass::StripeKey,
        r"(?:sk|rk)_(?:live|test)_[0-9a-zA-Z]{16,}",
    ),
    (SensitiveClass::GoogleApiKey, r"AIza[0-9A-Za-z_-]{35}"),
    (
        SensitiveClass::PrivateKey,
        r"-----BEGIN (?:RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----",
    ),
];

/// Compiled patterns, built once per [`super::Classifier`].
#[derive(Debug, Clone)]
pub(crate) struct Patterns {
    email: Regex,
    phone: Regex,
    ssn: Regex,
    iban: Regex,
    jwt: Regex,
    aws_secret: Regex,
    token_set: RegexSet,
    tokens: Vec<(SensitiveClass, Regex)>,
}

/// Shortest value any pattern can match (`+1234567` is eight characters).
const MIN_PATTERN_LEN: usize = 8;

fn compile(pattern: &str) -> Regex {
    // The patterns are constants of this file, covered by the tests.
    #[allow(clippy::expect_used)]
    Regex::new(pattern).expect("built-in pattern compiles")
}

impl Patterns {
    pub(crate) fn new() -> Self {
        #[allow(clippy::expect_used)]
        let token_set =
            RegexSet::new(TOKENS.iter().map(|(_, p)| *p)).expect("built-in patterns compile");
        Self {
            email: compile(
                r"[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}",
            ),
            phone: compile(
                r"\+[0-9]{1,3}(?:[ -]?\(?[0-9]{1,4}\)?){1,6}|\([0-9]{3}\) ?[0-9]{3}[ -][0-9]{4}|[0-9]{3}-[0-9]{3}-[0-9]{4}",
            ),
            ssn: compile(r"([0-9]{3})-([0-9]{2})-([0-9]{4})"),
            iban: compile(r"[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?"),
            jwt: compile(r"e[wy][A-Za-z0-9_-]{8,}\.e[wy][A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*"),
            aws_secret: compile(r"[A-Za-z0-9/+]{40}"),
            token_set,
            tokens: TOKENS.iter().map(|(c, p)| (*c, compile(p))).collect(),
        }
    }

    /// Scans `text` for every value pattern. `free_text` enables the context rule for AWS
    /// secret keys (the words `aws` or `secret` just before the key).
    pub(crate) fn scan(&self, text: &str, hints: &NameHints, free_text: bool, sink: &mut Sink) {
        if text.len() < MIN_PATTERN_LEN {
            return;
        }
        let bytes = text.as_bytes();
        let digits = bytes.iter().filter(|b| b.is_ascii_digit()).count();
        if memchr_byte(b'@', bytes) {
            self.emails(text, sink);
        }
        if digits >= 13 {
            cards(text, sink);
        }
        if digits >= 9 && memchr_byte(b'-', bytes) {
            self.ssns(text, sink);
        }
        if digits >= 8 {
            self.phones(text, sink);
        }
        if digits >= 10 {
            self.ibans(text, sink);
        }
        if text.contains("ey") || text.contains("ew") {
            self.jwts(text, sink);
        }
        if text.len() >= 20 {
            self.tokens(text, sink);
        }
        if text.len() >= 40 && (hints.aws || free_text) {
            self.aws_secrets(text, hints.aws, sink);
        }
    }

    fn emails(&self, text: &str, sink: &mut Sink) {
        for m in self.email.find_iter(text) {
            if next_is(text, m.end(), |c| {
                c.is_ascii_alphanumeric() || c == '-' || c == '_'
            }) {
                continue;
            }
            sink.push(SensitiveClass::Email, redact::email(m.as_str()));
            return;
        }
    }

    fn ssns(&self, text: &str, sink: &mut Sink) {
        for caps in self.ssn.captures_iter(text) {
            let (Some(m), Some(a), Some(g), Some(s)) =
                (caps.get(0), caps.get(1), caps.get(2), caps.get(3))
            else {
                continue;
            };
            let edge = |c: char| c.is_ascii_alphanumeric() || c == '-';
            if prev_is(text, m.start(), edge) || next_is(text, m.end(), edge) {
                continue;
            }
            if validate::ssn_valid(a.as_str(), g.as_str(), s.as_str()) {
                sink.push(SensitiveClass::Ssn, redact::ssn(m.as_str()));
                return;
            }
        }
    }

    fn phones(&self, text: &str, sink: &mut Sink) {
        if sink.has(SensitiveClass::Phone) {
            return;
        }
        for m in self.phone.find_iter(text) {
            let edge = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '+' || c == '_';
            if prev_is(text, m.start(), edge) || next_is(text, m.end(), edge) {
                continue;
            }
            let s = m.as_str().trim_end_matches([' ', '-']);
            let n = s.bytes().filter(u8::is_ascii_digit).count();
            let ok = if s.starts_with('+') {
                (8..=15).contains(&n) && balanced_parens(s)
            } else {
                n == 10
            };
            if ok {
                sink.push(SensitiveClass::Phone, redact::shape(s));
                return;
            }
        }
    }

    fn ibans(&self, text: &str, sink: &mut Sink) {
        for m in self.iban.find_iter(text) {
            if prev_is(text, m.start(), |c| c.is_ascii_alphanumeric())
                || next_is(text, m.end(), |c| c.is_ascii_alphanumeric())
            {
                continue;
            }
            let compact: String = m.as_str().chars().filter(|c| *c != ' ').collect();
            if validate::iban_valid(&compact) {
                sink.push(SensitiveClass::Iban, redact::iban(&compact));
                return;
            }
        }
    }

    fn jwts(&self, text: &str, sink: &mut Sink) {
        for m in self.jwt.find_iter(text) {
            let b64 = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
            if prev_is(text, m.start(), b64) {
                continue;
            }
            if crate::auth::jwt::header_alg(m.as_str()).is_some() {
                sink.push(SensitiveClass::Jwt, redact::prefixed("eyJ"));
                return;
            }
        }
    }

    fn tokens(&self, text: &str, sink: &mut Sink) {
        let matched = self.token_set.matches(text);
        if !matched.matched_any() {
            return;
        }
        for (i, (class, re)) in self.tokens.iter().enumerate() {
            if !matched.matched(i) {
                continue;
            }
            for m in re.find_iter(text) {
                let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
                let bounded = *class == SensitiveClass::PrivateKey
                    || !(prev_is(text, m.start(), word) || next_is(text, m.end(), word));
                if bounded {
                    sink.push(*class, token_redaction(*class, m.as_str()));
                    break;
                }
            }
        }
    }

    fn aws_secrets(&self, text: &str, named: bool, sink: &mut Sink) {
        for m in self.aws_secret.find_iter(text) {
            let b64 = |c: char| c.is_ascii_alphanumeric() || c == '/' || c == '+';
            if prev_is(text, m.start(), b64) || next_is(text, m.end(), |c| b64(c) || c == '=') {
                continue;
            }
            let s = m.as_str();
            let mixed = s.bytes().any(|b| b.is_ascii_uppercase())
                && s.bytes().any(|b| b.is_ascii_lowercase())
                && s.bytes().any(|b| b.is_ascii_digit());
            if mixed && (named || context_says_aws(text, m.start())) {
                sink.push(SensitiveClass::AwsSecretKey, redact::secret(s));
                return;
            }
        }
    }
}

/// Whether the 32 bytes before `at` mention `aws` or `secret`.
fn context_says_aws(text: &str, at: usize) -> bool {
    let start = at.saturating_sub(32);
    let before = text.as_bytes().get(start..at).unwrap_or(&[]);
    let lower = before.to_ascii_lowercase();
    lower.windows(3).any(|w| w == b"aws") || lower.windows(6).any(|w| w == b"secret")
}

fn token_redaction(class: SensitiveClass, token: &str) -> String {
    let prefix_len = match class {
        SensitiveClass::AwsAccessKey => return redact::aws_access_key(token),
        SensitiveClass::PrivateKey => return redact::finish(token),
        SensitiveClass::GithubToken if token.starts_with("github_pat_") => 11,
        SensitiveClass::GithubToken | SensitiveClass::GoogleApiKey => 4,
        SensitiveClass::SlackToken => 5,
        // `sk_live_`, `rk_test_`.
        SensitiveClass::StripeKey => 8,
        _ => 0,
    };
    redact::prefixed(token.get(..prefix_len).unwrap_or(""))
}

fn balanced_parens(s: &str) -> bool {
    s.matches('(').count() == s.matches(')').count()
}

fn memchr_byte(needle: u8, haystack: &[u8]) -> bool {
    haystack.contains(&needle)
}

fn prev_is(text: &str, at: usize, f: impl Fn(char) -> bool) -> bool {
    text.get(..at)
        .and_then(|s| s.chars().next_back())
        .is_some_and(f)
}

fn next_is(text: &str, at: usize, f: impl Fn(char) -> bool) -> bool {
    text.get(at..).and_then(|s| s.chars().next()).is_some_and(f)
}

/// Card numbers: runs of 13 to 19 digits, either contiguous or in groups of 3 to 6 split by one
/// consistent separator (space or dash), Luhn-valid, with a known issuer prefix.
fn cards(text: &str, sink: &mut Sink) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        let mut j = i;
        while j < bytes.len() {
            if bytes[j].is_ascii_digit() {
                j += 1;
                end = j;
            } else if matches!(bytes[j], b' ' | b'-')
                && bytes.get(j + 1).is_some_and(u8::is_ascii_digit)
            {
                j += 1;
            } else {
                break;
            }
        }
        i = end.max(start + 1);
        let run = &bytes[start..end];
        let before_ok = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let after_ok = bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric());
        if before_ok && after_ok && card_run(run) {
            if let Some(s) = text.get(start..end) {
                sink.push(SensitiveClass::CardNumber, redact::card(s));
                return;
            }
        }
    }
}

fn card_run(run: &[u8]) -> bool {
    let digits: Vec<u8> = run.iter().copied().filter(u8::is_ascii_digit).collect();
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    let seps: Vec<u8> = run
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_digit())
        .collect();
    if let Some(&first) = seps.first() {
        if seps.iter().any(|&s| s != first) {
            return false;
        }
        let groups_ok = run
            .split(|&b| b == first)
            .all(|g| (3..=6).contains(&g.len()));
        if !groups_ok {
            return false;
        }
    }
    validate::card_iin_known(&digits) && validate::luhn_valid(&digits)
}

/// The rules that need the field's name: national phone formats, bare social security numbers,
/// dates of birth, addresses, passwords and generic secrets.
pub(crate) fn by_name(value: &str, hints: &NameHints, is_string: bool, sink: &mut Sink) {
    let v = value.trim();
    if v.is_empty() {
        return;
    }
    if hints.phone && !sink.has(SensitiveClass::Phone) && phone_shaped(v) {
        sink.push(SensitiveClass::Phone, redact::shape(v));
    }
    if hints.ssn
        && !sink.has(SensitiveClass::Ssn)
        && v.len() == 9
        && v.bytes().all(|b| b.is_ascii_digit())
        && validate::ssn_valid(
            v.get(..3).unwrap_or(""),
            v.get(3..5).unwrap_or(""),
            v.get(5..).unwrap_or(""),
        )
    {
        sink.push(SensitiveClass::Ssn, redact::ssn(v));
    }
    if !is_string {
        return;
    }
    if hints.birth && validate::looks_like_date(v) {
        sink.push(SensitiveClass::DateOfBirth, redact::shape(v));
    }
    if hints.address
        && v.chars().any(char::is_alphanumeric)
        && !sink.has(SensitiveClass::Email)
        && !v.contains('@')
        && !validate::is_ip(v)
        && !validate::is_url(v)
        && !matches!(v, "true" | "false" | "null")
    {
        sink.push(SensitiveClass::Address, redact::shape(v));
    }
    if hints.password {
        sink.push(SensitiveClass::Password, redact::password());
    }
    if hints.secret && !sink.has_secret() && generic_secret(v) {
        sink.push(SensitiveClass::GenericSecret, redact::secret(v));
    }
}

fn phone_shaped(v: &str) -> bool {
    let n = v.bytes().filter(u8::is_ascii_digit).count();
    (7..=15).contains(&n)
        && v.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'(' | b')' | b'-' | b'.' | b' '))
        && v.find('+').is_none_or(|i| i == 0)
}

/// At least 20 characters, no spaces, letters and digits mixed, entropy ≥ 4 bits per character,
/// and not a UUID, a short hex id or a URL.
fn generic_secret(v: &str) -> bool {
    v.len() >= 20
        && !v.contains(char::is_whitespace)
        && v.bytes().any(|b| b.is_ascii_alphabetic())
        && v.bytes().any(|b| b.is_ascii_digit())
        && !validate::is_uuid(v)
        && !(validate::is_hex(v) && v.len() < 32)
        && !validate::is_url(v)
        && validate::shannon_entropy(v) >= 4.0
}

/// Splits a form body (`a=1&b=x%40y.com`) into decoded pairs; `None` when the text is not shaped
/// like one.
pub(crate) fn form_pairs(text: &str) -> Option<Vec<(String, String)>> {
    let text = text.trim_end_matches(['\r', '\n']);
    if !text.contains('=') || text.contains(char::is_whitespace) {
        return None;
    }
    let mut out = Vec::new();
    for pair in text.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=')?;
        let name_ok = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-[]%+".contains(&b));
        if !name_ok {
            return None;
        }
        out.push((percent_decode(name), percent_decode(value)));
    }
    Some(out)
}

/// Decodes `%XX` escapes and `+` as a space; invalid escapes stay as written.
pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = b
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(v) = hex {
                    out.push(v);
                    i += 3;
                    continue;
                }
                out.push(c);
            }
            _ => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
