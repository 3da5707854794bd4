//! Masking for the redacted examples that reports show in place of raw values.
//!
//! A redacted example keeps the *shape* of a value (its length class, separators and a few
//! characters that identify the kind) and never enough to recover it.

/// The character that replaces hidden characters.
pub const MASK: char = '*';

/// Keeps the first `keep_start` and last `keep_end` characters of `value` and masks the rest.
/// Values too short to hide anything are masked whole. Output length is capped at 64 characters.
pub fn mask(value: &str, keep_start: usize, keep_end: usize) -> String {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    if n <= keep_start + keep_end + 2 {
        return MASK.to_string().repeat(n.clamp(1, 8));
    }
    let hidden = (n - keep_start - keep_end).min(64 - keep_start - keep_end);
    let mut out: String = chars[..keep_start].iter().collect();
    out.extend(std::iter::repeat_n(MASK, hidden));
    out.extend(&chars[n - keep_end..]);
    out
}

/// Masks every ASCII letter and digit but keeps punctuation, so `+1 (415) 555-0100` reads
/// `+* (***) ***-****`: the format stays visible, the value does not.
pub fn mask_alnum(value: &str) -> String {
    value
        .chars()
        .take(64)
        .map(|c| if c.is_alphanumeric() { MASK } else { c })
        .collect()
}

/// Escapes a value that came from traffic for display on a terminal: control characters
/// (including ANSI escape sequences) become `\u{..}` and the result is cut to `max` characters.
pub fn escape_for_terminal(value: &str, max: usize) -> String {
    let mut out = String::with_capacity(value.len().min(max));
    for (i, c) in value.chars().enumerate() {
        if i >= max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn mask_keeps_ends_only() {
        assert_eq!(mask("4111111111111111", 0, 4), "************1111");
        assert_eq!(mask("abc", 1, 1), "***");
    }

    #[test]
    fn mask_alnum_keeps_format() {
        assert_eq!(mask_alnum("+1 (415) 555-0100"), "+* (***) ***-****");
    }

    #[test]
    fn terminal_escape_neutralises_ansi() {
        let s = escape_for_terminal("/a\u{1b}[31mred", 100);
        assert!(!s.contains('\u{1b}'));
        assert_eq!(escape_for_terminal("abcdef", 3), "abc…");
    }

    proptest! {
        #[test]
        fn mask_hides_the_middle(s in "[a-z0-9]{12,80}") {
            let m = mask(&s, 2, 2);
            prop_assert!(m.chars().count() <= 64);
            prop_assert!(!m.contains(&s[2..s.len() - 2]));
        }
    }
}
