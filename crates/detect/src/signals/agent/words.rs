//! Splitting a user agent into words without a branch per byte.
//!
//! A byte-at-a-time loop that stops at each separator mispredicts twice per word, which was
//! most of the cost of classifying a UA. Instead, one branch-free pass sets a bit per
//! separator byte (a table lookup, a shift, an or), and words are then found with
//! `trailing_zeros` on those masks.

/// Bytes between words: space, tab, `(`, `)`, `;`, `,`, `[`, `]`.
const SEPARATORS: [bool; 256] = {
    let mut t = [false; 256];
    let seps = b" \t();,[]";
    let mut i = 0;
    while i < seps.len() {
        t[seps[i] as usize] = true;
        i += 1;
    }
    t
};

/// Longest text split; callers cut the UA to this.
pub(super) const MAX_LEN: usize = 1024;
const CHUNKS: usize = MAX_LEN / 64;

/// The words of one text (at most [`MAX_LEN`] bytes), as byte ranges.
pub(super) struct Words<'a> {
    text: &'a [u8],
    /// Bit `i` set when byte `i` is a separator; bytes past the end count as separators.
    seps: [u64; CHUNKS],
    at: usize,
}

impl<'a> Words<'a> {
    /// Splits `text`, which must be at most [`MAX_LEN`] bytes.
    pub(super) fn new(text: &'a [u8]) -> Self {
        let text = &text[..text.len().min(MAX_LEN)];
        let mut seps = [u64::MAX; CHUNKS];
        for (c, chunk) in text.chunks(64).enumerate() {
            let mut m = 0u64;
            for (i, &b) in chunk.iter().enumerate() {
                m |= u64::from(SEPARATORS[usize::from(b)]) << i;
            }
            if chunk.len() < 64 {
                m |= u64::MAX << chunk.len();
            }
            seps[c] = m;
        }
        Self { text, seps, at: 0 }
    }

    /// The first position at or after `from` whose separator bit equals `want`.
    fn next(&self, from: usize, want: bool) -> usize {
        let mut c = from / 64;
        if c >= CHUNKS {
            return MAX_LEN;
        }
        let mut m = if want { self.seps[c] } else { !self.seps[c] };
        m &= u64::MAX << (from % 64);
        loop {
            if m != 0 {
                return c * 64 + m.trailing_zeros() as usize;
            }
            c += 1;
            if c >= CHUNKS {
                return MAX_LEN;
            }
            m = if want { self.seps[c] } else { !self.seps[c] };
        }
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let start = self.next_from(self.at, false);
        if start >= self.text.len() {
            self.at = self.text.len();
            return None;
        }
        let end = self.next_from(start, true).min(self.text.len());
        self.at = end;
        Some(&self.text[start..end])
    }
}

impl Words<'_> {
    fn next_from(&self, from: usize, want: bool) -> usize {
        Words::next(self, from, want)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Vec<String> {
        Words::new(s.as_bytes())
            .map(|w| String::from_utf8_lossy(w).into_owned())
            .collect()
    }

    #[test]
    fn splits_on_separators() {
        assert_eq!(
            split("Mozilla/5.0 (X11; Linux x86_64)"),
            ["Mozilla/5.0", "X11", "Linux", "x86_64"]
        );
        assert_eq!(split(""), Vec::<String>::new());
        assert_eq!(split(" ;; "), Vec::<String>::new());
        assert_eq!(split("a"), ["a"]);
        let long = format!("{} tail", "w".repeat(70));
        assert_eq!(split(&long), [&"w".repeat(70), "tail"]);
        let words: Vec<String> = (0..300).map(|i| format!("w{i}")).collect();
        let text = words.join(" ");
        let got = split(&text);
        let cut = &text[..MAX_LEN];
        let want: Vec<&str> = cut.split(' ').filter(|w| !w.is_empty()).collect();
        assert_eq!(got, want);
    }
}
