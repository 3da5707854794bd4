//! Redacted examples: enough to recognise the kind of value, never enough to recover it.

use rampart_core::redact::{escape_for_terminal, mask, mask_alnum, MASK};

/// Longest redacted example, in characters.
const MAX_REDACTED: usize = 64;

/// Escapes control characters and bounds the length of a redacted example.
pub(crate) fn finish(s: &str) -> String {
    if plain(s) {
        return s.to_owned();
    }
    escape_for_terminal(s, MAX_REDACTED)
}

/// [`finish`] for a string already owned: kept as it is when there is nothing to escape or cut.
fn finish_owned(s: String) -> String {
    if plain(&s) {
        return s;
    }
    escape_for_terminal(&s, MAX_REDACTED)
}

/// Short printable ASCII, which [`escape_for_terminal`] would copy unchanged.
fn plain(s: &str) -> bool {
    s.len() <= MAX_REDACTED && s.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// `jane.doe@example.com` reads `j***@e***.com`. One-character parts are hidden whole.
pub(crate) fn email(value: &str) -> String {
    let (local, domain) = value.rsplit_once('@').unwrap_or((value, ""));
    let (host, tld) = domain.rsplit_once('.').unwrap_or((domain, ""));
    let first = |out: &mut String, s: &str| {
        let mut chars = s.chars();
        if let (Some(c), Some(_)) = (chars.next(), chars.next()) {
            out.push(c);
        }
        out.push_str("***");
    };
    let mut out = String::with_capacity(16 + tld.len());
    first(&mut out, local);
    out.push('@');
    first(&mut out, host);
    out.push('.');
    out.push_str(tld);
    finish_owned(out)
}

/// Every digit masked but the last four; separators stay, so the grouping stays visible.
pub(crate) fn card(value: &str) -> String {
    let total = value.bytes().filter(u8::is_ascii_digit).count();
    let mut seen = 0;
    let out: String = value
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen + 4 > total {
                    c
                } else {
                    MASK
                }
            } else {
                c
            }
        })
        .collect();
    finish_owned(out)
}

/// `123-45-6789` reads `***-**-6789`.
pub(crate) fn ssn(value: &str) -> String {
    card(value)
}

/// Country code and the last two characters: `DE********************00`.
pub(crate) fn iban(compact: &str) -> String {
    finish_owned(mask(compact, 2, 2))
}

/// The kind prefix of a token (`ghp_`, `sk_live_`, `xoxb-`) followed by a mask.
pub(crate) fn prefixed(prefix: &str) -> String {
    finish_owned(format!("{prefix}****"))
}

/// An AWS access key id keeps its `AKIA`/`ASIA` kind and last four: `AKIA************MPLE`.
pub(crate) fn aws_access_key(value: &str) -> String {
    finish_owned(mask(value, 4, 4))
}

/// A high-entropy secret keeps two characters at each end.
pub(crate) fn secret(value: &str) -> String {
    finish_owned(mask(value, 2, 2))
}

/// Passwords never show anything, not even their length.
pub(crate) fn password() -> String {
    "********".to_owned()
}

/// Personal values shown by format only: `+* (***) ***-****`, `****-**-**`.
pub(crate) fn shape(value: &str) -> String {
    finish_owned(mask_alnum(value.trim()))
}
