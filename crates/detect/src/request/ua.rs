//! What the user agent declares, judged once per distinct user agent: most traffic comes from a
//! few of them, and detectors ask on every request.

use rampart_core::KeyedHasher;

/// Facts read off a user agent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UaFacts {
    /// It claims to be a browser (`Mozilla/...`, not `compatible;`, not a declared crawler).
    pub claims_browser: bool,
    /// It declares a search-engine crawler (Googlebot, bingbot, ...).
    pub declared_crawler: bool,
    /// It declares a bot, monitor or crawler by a word (`bot`, `monitor`, `uptime`, ...).
    pub declared_bot: bool,
}

const CRAWLERS: &[&[u8]] = &[
    b"googlebot",
    b"bingbot",
    b"duckduckbot",
    b"baiduspider",
    b"yandexbot",
    b"applebot",
    b"slurp",
    b"facebookexternalhit",
];

const BOT_WORDS: &[&[u8]] = &[b"bot", b"monitor", b"uptime", b"crawler", b"spider"];

/// Longest user agent lower-cased on the stack, in bytes.
const MAX_UA: usize = 1024;

impl UaFacts {
    /// Judges `ua`.
    pub fn of(ua: &str) -> Self {
        let mut buf = [0u8; MAX_UA];
        let long;
        let lower: &[u8] = if ua.len() <= MAX_UA {
            let b = &mut buf[..ua.len()];
            b.copy_from_slice(ua.as_bytes());
            b.make_ascii_lowercase();
            b
        } else {
            long = ua.to_ascii_lowercase();
            long.as_bytes()
        };
        let has = |w: &[u8]| memchr::memmem::find(lower, w).is_some();
        let declared_crawler = CRAWLERS.iter().any(|w| has(w));
        Self {
            claims_browser: ua.starts_with("Mozilla/")
                && !ua.contains("compatible;")
                && !declared_crawler,
            declared_crawler,
            declared_bot: BOT_WORDS.iter().any(|w| has(w)),
        }
    }
}

/// A direct-mapped memo of [`UaFacts`] by user-agent hash; a collision only costs a
/// recomputation. The text is compared by its hash alone, so the hash is keyed
/// ([`KeyedHasher::cache_hash`]): a scripting client cannot craft a user agent that collides
/// with a browser's cached one and be read as that browser.
#[derive(Debug, Clone)]
pub struct UaCache {
    slots: Vec<(u64, UaFacts)>,
}

impl UaCache {
    /// A memo of `slots` entries (a power of two, at least 1).
    pub fn new(slots: usize) -> Self {
        Self {
            slots: vec![(0, UaFacts::default()); slots.max(1).next_power_of_two()],
        }
    }

    /// The facts of `ua`, memoised under `hasher`'s cache hash.
    pub fn facts(&mut self, ua: &str, hasher: &KeyedHasher) -> UaFacts {
        if ua.is_empty() {
            return UaFacts::default();
        }
        let h = hasher.cache_hash(ua.as_bytes()) | 1;
        let idx = (h >> 7) as usize & (self.slots.len() - 1);
        let slot = &mut self.slots[idx];
        if slot.0 == h {
            return slot.1;
        }
        let f = UaFacts::of(ua);
        *slot = (h, f);
        f
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<(u64, UaFacts)>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_crawlers_and_monitors() {
        let chrome = UaFacts::of("Mozilla/5.0 (X11; Linux x86_64) Chrome/142.0.0.0 Safari/537.36");
        assert!(chrome.claims_browser && !chrome.declared_crawler && !chrome.declared_bot);
        let google = UaFacts::of(
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1)",
        );
        assert!(!google.claims_browser && google.declared_crawler && google.declared_bot);
        let monitor = UaFacts::of("UptimeRobot/2.0");
        assert!(!monitor.claims_browser && monitor.declared_bot);
        let mut cache = UaCache::new(4);
        let k = crate::testing::hasher();
        assert_eq!(cache.facts("UptimeRobot/2.0", &k), monitor);
        assert_eq!(cache.facts("UptimeRobot/2.0", &k), monitor);
        assert_eq!(cache.facts("", &k), UaFacts::default());
        let long = "é".repeat(2000);
        assert_eq!(cache.facts(&long, &k), UaFacts::of(&long));
    }
}
