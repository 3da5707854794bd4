//! The cheap first look at a field: does it hold anything a probe could start with?
//!
//! Each check jumps between candidate bytes with a vectorised `memchr3` and looks at the next
//! few bytes by hand. Multi-pattern automata (Aho-Corasick) were measured first: about 20 ns of
//! fixed cost per call plus, for a set of triggers with many start bytes, about 1.4 ns per byte,
//! against 5–10 ns per field here. Headers are many and short, so the fixed cost decides.

use memchr::memmem::Finder;

/// Whether `text` holds an (encoded) `$` that could open a Log4j lookup: one of
/// [`super::log4shell::TRIGGERS`].
pub(super) fn lookup_suspect(text: &[u8]) -> bool {
    // Below a vector's width the search's setup costs more than a plain loop over the bytes.
    if text.len() < 32 {
        return any_lookup_byte(text)
            && text
                .iter()
                .enumerate()
                .any(|(at, c)| matches!(c, b'$' | b'%' | b'\\') && lookup_trigger(&text[at..]));
    }
    memchr::memchr3_iter(b'$', b'%', b'\\', text).any(|at| lookup_trigger(&text[at..]))
}

/// Whether `text` holds a `$`, `%` or `\` at all, eight bytes at a time: most short fields
/// hold none, and a word-wide test of three bytes costs less than a look at every byte.
fn any_lookup_byte(text: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // Non-zero exactly when some byte of `x` is zero.
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let hit = |w: u64| {
        zero(w ^ (ONES * u64::from(b'$')))
            | zero(w ^ (ONES * u64::from(b'%')))
            | zero(w ^ (ONES * u64::from(b'\\')))
            != 0
    };
    let mut chunks = text.chunks_exact(8);
    for c in &mut chunks {
        if hit(u64::from_le_bytes([
            c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
        ])) {
            return true;
        }
    }
    // The remainder, zero-padded: a zero byte is none of the three.
    let rest = chunks.remainder();
    !rest.is_empty()
        && hit(rest
            .iter()
            .rev()
            .fold(0u64, |w, &b| (w << 8) | u64::from(b)))
}

/// What the prefilters say of a path, from one pass over its bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct PathSuspects {
    /// [`lookup_suspect`].
    pub(super) lookup: bool,
    /// Whether the path holds a `%` (so it may hide a file name behind an encoding).
    pub(super) encoded: bool,
    /// Whether a path could name a sensitive file at all: every rule needs a `.` or `_` in
    /// some segment, or an `actuator/` segment (routes are case-sensitive, so is this).
    pub(super) file: bool,
    /// [`Finders::traversal_suspect`].
    pub(super) traversal: bool,
}

/// Bytes at which [`path_suspects`] looks further; every other byte costs one table load.
static PATH_BYTES: [bool; 256] = {
    let mut t = [false; 256];
    let special = *b"$%\\._/a";
    let mut i = 0;
    while i < special.len() {
        t[special[i] as usize] = true;
        i += 1;
    }
    t
};

/// [`lookup_suspect`], a `%`, a possible file name and [`Finders::traversal_suspect`]
/// of a path in one pass: paths are short, and four searches cost four setups.
pub(super) fn path_suspects(path: &[u8]) -> PathSuspects {
    let mut s = PathSuspects::default();
    for (at, &c) in path.iter().enumerate() {
        if !PATH_BYTES[usize::from(c)] {
            continue;
        }
        let rest = &path[at..];
        match c {
            b'$' => s.lookup = s.lookup || lookup_trigger(rest),
            b'%' => {
                s.encoded = true;
                s.lookup = s.lookup || lookup_trigger(rest);
                s.traversal = s.traversal || traversal_trigger(rest);
            }
            b'\\' => {
                s.lookup = s.lookup || lookup_trigger(rest);
                s.traversal = s.traversal || traversal_trigger(rest);
            }
            b'.' => {
                s.file = true;
                s.traversal = s.traversal || traversal_trigger(rest);
            }
            b'_' => s.file = true,
            b'/' => {
                s.traversal =
                    s.traversal || rest.starts_with(b"/etc/") || rest.starts_with(b"/proc/");
            }
            _ => s.file = s.file || rest.starts_with(b"actuator/"),
        }
    }
    s
}

fn lookup_trigger(rest: &[u8]) -> bool {
    matches!(
        rest,
        [b'$', b'{' | b'%' | b'\\', ..]
            | [b'%', b'2', b'4' | b'5', ..]
            | [b'%', b'u' | b'U', b'0', b'0', b'2', b'4', ..]
            | [b'\\', b'u', b'0', b'0', b'2', b'4', ..]
            | [b'\\', b'x', b'2', b'4', ..]
    )
}

/// Substring searchers built once: the unencoded targets of traversal.
#[derive(Debug, Clone)]
pub(super) struct Finders {
    etc: Finder<'static>,
    proc: Finder<'static>,
}

impl Default for Finders {
    fn default() -> Self {
        Self {
            etc: Finder::new(b"/etc/"),
            proc: Finder::new(b"/proc/"),
        }
    }
}

impl Finders {
    /// Whether `text` holds a possible traversal: one of [`super::traversal::TRIGGERS`]
    /// (dot-dot and its encodings), or `/etc/` or `/proc/`.
    pub(super) fn traversal_suspect(&self, text: &[u8]) -> bool {
        memchr::memchr3_iter(b'.', b'%', b'\\', text).any(|at| traversal_trigger(&text[at..]))
            || self.etc.find(text).is_some()
            || self.proc.find(text).is_some()
    }
}

fn traversal_trigger(rest: &[u8]) -> bool {
    let lower = |i: usize| rest.get(i).map(u8::to_ascii_lowercase);
    match rest[0] {
        b'.' => {
            lower(1) == Some(b'.')
                || (lower(1), lower(2), lower(3)) == (Some(b'i'), Some(b'n'), Some(b'i'))
        }
        b'%' => matches!(
            (lower(1), lower(2)),
            (Some(b'2'), Some(b'e' | b'5' | b'f'))
                | (Some(b'c'), Some(b'0' | b'1'))
                | (Some(b'e'), Some(b'0'))
                | (Some(b'u'), Some(b'0' | b'f'))
        ),
        _ => {
            lower(1) == Some(b'u')
                && rest
                    .get(2..6)
                    .is_some_and(|h| h.eq_ignore_ascii_case(b"002e"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_trigger_is_seen() {
        let f = Finders::default();
        for t in super::super::log4shell::TRIGGERS {
            assert!(lookup_suspect(t.as_bytes()), "{t}");
            assert!(
                lookup_suspect(t.to_ascii_uppercase().as_bytes()) || t.contains('\\'),
                "{t}"
            );
        }
        for t in super::super::traversal::TRIGGERS {
            assert!(f.traversal_suspect(t.as_bytes()), "{t}");
            assert!(
                f.traversal_suspect(t.to_ascii_uppercase().as_bytes()),
                "{t}"
            );
        }
        for t in ["/etc/passwd", "/proc/self/environ"] {
            assert!(f.traversal_suspect(t.as_bytes()), "{t}");
        }
    }

    #[test]
    fn clean_fields_are_not_suspect() {
        let f = Finders::default();
        let ua =
            b"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)";
        assert!(!lookup_suspect(ua));
        assert!(!lookup_suspect(b"page=2&q=a%20b&price=10$"));
        assert!(!f.traversal_suspect(b"/api/v1.2/users/me"));
        assert!(!path_suspects(b"/api/v1/users/8812/orders").file);
        assert!(path_suspects(b"/manage/actuator/env").file);
    }

    proptest::proptest! {
        #[test]
        fn one_pass_agrees_with_the_searches(
            path in proptest::collection::vec(proptest::sample::select(
                b"$%\\._/aeptcorsuiv{24xfAE0-".to_vec()), 0..80),
        ) {
            let f = Finders::default();
            let want = PathSuspects {
                lookup: memchr::memchr3_iter(b'$', b'%', b'\\', &path)
                    .any(|at| lookup_trigger(&path[at..])),
                encoded: path.contains(&b'%'),
                file: memchr::memchr2(b'.', b'_', &path).is_some()
                    || memchr::memmem::find(&path, b"actuator/").is_some(),
                traversal: f.traversal_suspect(&path),
            };
            proptest::prop_assert_eq!(
                any_lookup_byte(&path),
                path.iter().any(|c| matches!(c, b'$' | b'%' | b'\\'))
            );
            proptest::prop_assert_eq!(path_suspects(&path), want);
            proptest::prop_assert_eq!(lookup_suspect(&path), want.lookup);
        }
    }

    #[test]
    fn one_pass_sees_the_usual_targets() {
        for (p, want) in [
            (&b"/etc/passwd"[..], (false, false, false, true)),
            (b"/x/proc/self", (false, false, false, true)),
            (b"/manage/actuator/env", (false, false, true, false)),
            (b"/api/v1/%24%7Bjndi", (true, true, false, false)),
            (b"/a/../b", (false, false, true, true)),
            (b"/api/v1/users/8812", (false, false, false, false)),
        ] {
            let s = path_suspects(p);
            assert_eq!((s.lookup, s.encoded, s.file, s.traversal), want, "{p:?}");
        }
    }
}
