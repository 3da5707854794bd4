//! Cookie jars: what a returning shopper's browser carries (analytics, consent, bot-manager,
//! A/B and cart cookies, 20–50 of them) around the one session cookie, `sid`.
//!
//! None of the other names looks like a session cookie to Rampart's credential finder, so each
//! request names exactly one session.

use rand::rngs::SmallRng;
use rand::seq::SliceRandom;
use rand::Rng;

use crate::values::random_chars;

const HEX: &[u8] = b"0123456789abcdef";
const ALNUM: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Name of the session cookie.
pub(crate) const SESSION_COOKIE: &str = "sid";

/// Third-party and first-party cookie names a shopper picks up, none a session cookie.
const NAMES: &[&str] = &[
    "_ga",
    "_ga_3K5Q1VZ7LN",
    "_gid",
    "_gcl_au",
    "_fbp",
    "_fbc",
    "_uetvid",
    "_uetsid",
    "_clck",
    "_clsk",
    "_hjSessionUser_3105822",
    "_hjSession_3105822",
    "_pin_unauth",
    "_tt_enable_cookie",
    "_ttp",
    "ajs_anonymous_id",
    "ajs_user_id",
    "OptanonConsent",
    "OptanonAlertBoxClosed",
    "AMCV_7D1A2B3C4D5E6F70%40AdobeOrg",
    "AMCVS_7D1A2B3C4D5E6F70%40AdobeOrg",
    "s_cc",
    "s_sq",
    "s_ecid",
    "mbox",
    "at_check",
    "_abck",
    "bm_sz",
    "ak_bmsc",
    "bm_sv",
    "bm_mi",
    "_dd_s",
    "__cf_bm",
    "_cfuvid",
    "cart_count",
    "recently_viewed",
    "preferred_store",
    "zip_code",
    "currency",
    "ab_checkout_v2",
    "ab_pdp_gallery",
    "newsletter_dismissed",
    "cookie_banner_seen",
    "_rdt_uuid",
    "_scid",
    "_sctr",
    "IR_gbd",
    "IR_PI",
    "__attentive_id",
    "__attentive_cco",
    "__kla_id",
    "_derived_epik",
    "__stripe_mid",
    "tfpsi",
    "_lc2_fpi",
    "__ssid",
    "_pxvid",
    "pxcts",
];

fn value(name: &str, rng: &mut SmallRng) -> String {
    let ts = rng.random_range(1_735_689_600u64..1_772_000_000);
    match name {
        "_ga" => format!("GA1.1.{}.{ts}", rng.random_range(100_000_000u64..2_000_000_000)),
        n if n.starts_with("_ga_") => format!("GS2.1.s{ts}$o{}$g1$t{ts}$j60$l0$h0", rng.random_range(1..40)),
        "_gid" => format!("GA1.2.{}.{ts}", rng.random_range(100_000_000u64..2_000_000_000)),
        "_gcl_au" => format!("1.1.{}.{ts}", rng.random_range(100_000_000u64..2_000_000_000)),
        "_fbp" => format!("fb.1.{ts}123.{}", rng.random_range(100_000_000u64..999_999_999)),
        "cart_count" => rng.random_range(0..6).to_string(),
        "currency" => "USD".into(),
        "zip_code" | "preferred_store" => format!("{:05}", rng.random_range(1_000..99_000)),
        "OptanonAlertBoxClosed" => "2025-11-02T18:21:07.331Z".into(),
        "OptanonConsent" => format!(
            "isGpcEnabled=0&datestamp=Mon+Mar+02+2026&version=202501.1.0&consentId={}&interactionCount=1",
            crate::values::uuid(rng)
        ),
        "s_cc" | "_tt_enable_cookie" | "newsletter_dismissed" | "cookie_banner_seen" => {
            "true".into()
        }
        "_abck" | "bm_sz" | "ak_bmsc" | "bm_sv" => {
            let n = rng.random_range(40..120);
            format!("{}~-1~{}", random_chars(rng, ALNUM, n), random_chars(rng, ALNUM, 16))
        }
        "recently_viewed" => format!(
            "SKU-{}%2CSKU-{}",
            rng.random_range(1000..2000),
            rng.random_range(1000..2000)
        ),
        _ => {
            let n = rng.random_range(16..40);
            random_chars(rng, HEX, n)
        }
    }
}

/// A fresh session id as the sample API issues them.
pub(crate) fn new_sid(rng: &mut SmallRng) -> String {
    random_chars(rng, ALNUM, 32)
}

/// A browser's cookies for one site: the session cookie among others, in a fixed order.
#[derive(Debug, Clone)]
pub(crate) struct Jar {
    pairs: Vec<(String, String)>,
    sid_at: Option<usize>,
    header: String,
}

impl Jar {
    /// A shopper's jar with `others` cookies besides the session (capped at the names known).
    pub(crate) fn shopper(others: usize, sid: String, rng: &mut SmallRng) -> Self {
        let mut names: Vec<&str> = NAMES.to_vec();
        names.shuffle(rng);
        names.truncate(others.min(NAMES.len()));
        let mut pairs: Vec<(String, String)> = names
            .into_iter()
            .map(|n| (n.to_owned(), value(n, rng)))
            .collect();
        let sid_at = rng.random_range(0..=pairs.len());
        pairs.insert(sid_at, (SESSION_COOKIE.to_owned(), sid));
        let mut jar = Self {
            pairs,
            sid_at: Some(sid_at),
            header: String::new(),
        };
        jar.rebuild();
        jar
    }

    /// A jar with only the session cookie.
    pub(crate) fn single(sid: String) -> Self {
        let mut jar = Self {
            pairs: vec![(SESSION_COOKIE.to_owned(), sid)],
            sid_at: Some(0),
            header: String::new(),
        };
        jar.rebuild();
        jar
    }

    /// A jar of a few named cookies (bot-manager cookies a bot replays, an app's CDN cookies)
    /// and, when given, the session.
    pub(crate) fn few(names: &[&str], sid: Option<String>, rng: &mut SmallRng) -> Self {
        let mut pairs: Vec<(String, String)> = names
            .iter()
            .map(|n| ((*n).to_owned(), value(n, rng)))
            .collect();
        let sid_at = sid.map(|sid| {
            pairs.push((SESSION_COOKIE.to_owned(), sid));
            pairs.len() - 1
        });
        let mut jar = Self {
            pairs,
            sid_at,
            header: String::new(),
        };
        jar.rebuild();
        jar
    }

    fn rebuild(&mut self) {
        let mut s = String::new();
        for (i, (n, v)) in self.pairs.iter().enumerate() {
            if i > 0 {
                s.push_str("; ");
            }
            s.push_str(n);
            s.push('=');
            s.push_str(v);
        }
        self.header = s;
    }

    /// The `cookie` header value.
    pub(crate) fn header(&self) -> &str {
        &self.header
    }

    /// Replaces the session id (the site rotates it on sign-in).
    pub(crate) fn set_sid(&mut self, sid: String) {
        if let Some(p) = self.sid_at.and_then(|i| self.pairs.get_mut(i)) {
            p.1 = sid;
        }
        self.rebuild();
    }

    /// Number of cookies.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.pairs.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_core::{Exchange, Headers, KeyedHasher};
    use rand::SeedableRng;

    #[test]
    fn only_sid_is_a_session_cookie() {
        let mut rng = SmallRng::seed_from_u64(5);
        let jar = Jar::shopper(NAMES.len(), new_sid(&mut rng), &mut rng);
        assert_eq!(jar.len(), NAMES.len() + 1);
        let mut h = Headers::new();
        h.push("cookie", jar.header());
        let ex = Exchange {
            request_headers: h,
            ..Exchange::default()
        };
        let creds = rampart_core::auth::credentials(&ex, &KeyedHasher::new([0; 32]));
        let names: Vec<&str> = creds.iter().map(|c| c.location.as_str()).collect();
        assert_eq!(names, vec!["sid"]);
    }
}
