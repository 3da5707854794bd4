//! A small memo of alert details: a rotating bot sends one user agent from thousands of
//! addresses, and each address's first request signals with the same text, which is costly to
//! write (formatting and terminal escaping) and kept only by the first signal of an alert.

use rampart_core::fast_hash;

/// Slots of the memo.
const SLOTS: usize = 256;
/// Longest user agent remembered; longer ones are written each time.
const MAX_KEY: usize = 1024;

/// A direct-mapped memo of the detail written for a (user agent, kind of finding). Bounded by
/// its slot count times the longest user agent kept (1 KiB) and its detail (cut by the
/// caller).
#[derive(Debug, Clone, Default)]
pub(super) struct Details {
    slots: Vec<Option<(u64, Box<str>, String)>>,
}

impl Details {
    /// The detail of `ua` for `kind`: from the memo when it was written last in its slot,
    /// else `write()`, remembered.
    pub(super) fn get(&mut self, ua: &str, kind: u8, write: impl FnOnce() -> String) -> String {
        if ua.len() > MAX_KEY {
            return write();
        }
        if self.slots.is_empty() {
            self.slots = vec![None; SLOTS];
        }
        let h = fast_hash(ua.as_bytes()) ^ u64::from(kind).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let slot = &mut self.slots[(h as usize) & (SLOTS - 1)];
        if let Some((sh, key, detail)) = slot {
            if *sh == h && **key == *ua {
                return detail.clone();
            }
        }
        let detail = write();
        *slot = Some((h, ua.into(), detail.clone()));
        detail
    }

    /// Bytes held.
    pub(super) fn bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Option<(u64, Box<str>, String)>>()
            + self
                .slots
                .iter()
                .flatten()
                .map(|(_, ua, d)| ua.len() + d.capacity())
                .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_memo_gives_what_writing_gives() {
        let mut d = Details::default();
        let mut writes = 0;
        for i in 0..1000 {
            let ua = format!("bot/{}", i % 7);
            let kind = (i % 3) as u8;
            let got = d.get(&ua, kind, || {
                writes += 1;
                format!("{kind} {ua}")
            });
            assert_eq!(got, format!("{kind} {ua}"));
        }
        assert!(writes < 100, "{writes} writes");
        assert!(d.bytes() > 0);
    }
}
