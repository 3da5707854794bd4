//! Path template text: splitting, normalising and matching.

/// The template with every `{name}` replaced by `{}` (also inside a segment) and a trailing `/`
/// dropped, so that parameter names never matter when comparing.
pub fn normalize_template(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut depth = 0usize;
    for c in t.chars() {
        match c {
            '{' => {
                if depth == 0 {
                    out.push_str("{}");
                }
                depth += 1;
            }
            '}' if depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            _ => out.push(c),
        }
    }
    while out.len() > 1 && out.ends_with('/') {
        out.pop();
    }
    out
}

/// Segments of a path or template, without the empty one before the leading `/`.
pub(crate) fn segments(t: &str) -> Vec<&str> {
    t.strip_prefix('/').unwrap_or(t).split('/').collect()
}

/// Whether a segment holds a template variable.
pub(crate) fn is_param(segment: &str) -> bool {
    segment.contains('{')
}

/// Whether normalised `pattern` (with `{}` wildcards) matches normalised `template` segment by
/// segment, a wildcard standing for any non-empty text (a literal or another variable).
pub(crate) fn covers(pattern: &str, template: &str) -> bool {
    let p = segments(pattern);
    let t = segments(template);
    p.len() == t.len() && p.iter().zip(&t).all(|(p, t)| segment_matches(p, t))
}

fn segment_matches(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split("{}").collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (
        parts.first().copied().unwrap_or(""),
        parts.last().copied().unwrap_or(""),
    );
    if !text.starts_with(first) || text.len() < first.len() + last.len() {
        return false;
    }
    let Some(mut rest) = text.get(first.len()..) else {
        return false;
    };
    let Some(end) = rest.len().checked_sub(last.len()) else {
        return false;
    };
    if !rest.ends_with(last) {
        return false;
    }
    rest = rest.get(..end).unwrap_or("");
    // Middle literals, in order, each after a non-empty wildcard.
    for middle in parts.iter().skip(1).take(parts.len().saturating_sub(2)) {
        let found = rest
            .char_indices()
            .skip(1)
            .find(|(i, _)| rest.get(*i..).is_some_and(|r| r.starts_with(middle)));
        match found {
            Some((i, _)) => rest = rest.get(i + middle.len()..).unwrap_or(""),
            None => return false,
        }
    }
    !rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalizes_names_and_trailing_slash() {
        assert_eq!(normalize_template("/v1/users/{id}/"), "/v1/users/{}");
        assert_eq!(normalize_template("/f/{n}.json"), "/f/{}.json");
        assert_eq!(normalize_template("/a/{x}-{y}"), "/a/{}-{}");
        assert_eq!(normalize_template("/"), "/");
        assert_eq!(normalize_template("/users/me"), "/users/me");
    }

    #[test]
    fn covering_matches_literals_under_wildcards() {
        assert!(covers("/users/{}", "/users/me"));
        assert!(covers("/users/{}", "/users/{}"));
        assert!(!covers("/users/{}", "/users/me/orders"));
        assert!(covers("/f/{}.json", "/f/a.json"));
        assert!(!covers("/f/{}.json", "/f/.json"));
        assert!(!covers("/orders/{}", "/users/me"));
    }

    proptest! {
        #[test]
        fn normalize_and_cover_never_panic(a in "\\PC{0,30}", b in "\\PC{0,30}") {
            let n = normalize_template(&a);
            prop_assert!(!n.contains("{}}"), "left a brace in {}", n);
            let _ = covers(&n, &normalize_template(&b));
        }
    }
}
