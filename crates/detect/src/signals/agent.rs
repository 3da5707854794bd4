//! User-agent classification: which family of client a `User-Agent` header claims, whether its
//! browser is outdated, and whether its claims contradict each other.
//!
//! The parser is hand-written rather than woothee's. Detection needs different answers from a
//! general-purpose parser: woothee reports browser name, OS and version, but has no notion of
//! scripting libraries, headless browsers, uptime monitors or security scanners as classes, nor of
//! mobile apps (their UAs come out as "UNKNOWN"), and it cannot say that a UA is *inconsistent*
//! — which needs the raw tokens. Its regex-driven lookups also cost more than the single pass
//! here: the UA is split once into words (`Name/Version`, comment words), each word is matched
//! whole against a fixed table (one hash probe, see `tokens.rs`), and the decision is made
//! on the facts collected. No allocation, no data file. Most traffic comes from a few agents:
//! [`AgentCache`] memoises classifications for a caller that sees many requests.

mod cache;
mod tokens;
mod words;

#[cfg(test)]
mod tests;

pub use cache::{AgentCache, MAX_CACHE_SLOTS};
use tokens::{generic_bot, Tok};
use words::Words;

/// Longest user agent read; the rest is ignored.
const MAX_UA: usize = words::MAX_LEN;
/// Longest word looked up in the table (longer words are in no table).
const MAX_WORD: usize = 48;

/// The kind of client a user agent claims to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// Google Chrome (and Chromium), desktop, Android and iOS (`CriOS`).
    Chrome,
    /// Microsoft Edge, Chromium-based (`Edg/`) or the old EdgeHTML one (`Edge/`, outdated).
    Edge,
    /// Mozilla Firefox, iOS (`FxiOS`) included.
    Firefox,
    /// Apple Safari, macOS and iOS.
    Safari,
    /// Opera (`OPR/`), and the old Presto Opera (outdated).
    Opera,
    /// Samsung Internet.
    SamsungInternet,
    /// Another browser: Internet Explorer, Vivaldi, Yandex, UC, Silk, Electron shells...
    OtherBrowser,
    /// A native mobile app or an app's web view (`AcmeApp/6.2 (iPhone; iOS 18.1)`, `Dalvik/`,
    /// `CFNetwork/`, Android `wv`, in-app browsers).
    MobileApp,
    /// An HTTP library or command-line tool (`"curl"`, `"python-requests"`, `"okhttp"`...).
    ScriptingLibrary(&'static str),
    /// A headless or automated browser (`"HeadlessChrome"`, `"PhantomJS"`, `"Puppeteer"`...).
    HeadlessBrowser(&'static str),
    /// A declared crawler or monitor (`"Googlebot"`, `"bingbot"`, `"UptimeRobot"`...);
    /// `"other"` for robots that name themselves but are in no table.
    Crawler(&'static str),
    /// A security scanner or attack tool that says so (`"sqlmap"`, `"Nuclei"`, `"zgrab"`...).
    Scanner(&'static str),
    /// No user agent: header absent, empty or `-`.
    Missing,
    /// Anything else.
    Unknown,
}

impl Family {
    /// Whether the family is a real (interactive) browser.
    pub fn is_browser(self) -> bool {
        matches!(
            self,
            Family::Chrome
                | Family::Edge
                | Family::Firefox
                | Family::Safari
                | Family::Opera
                | Family::SamsungInternet
                | Family::OtherBrowser
        )
    }

    /// Whether the family is automation of some kind: a library, a headless browser, a
    /// crawler or a scanner.
    pub fn is_automation(self) -> bool {
        matches!(
            self,
            Family::ScriptingLibrary(_)
                | Family::HeadlessBrowser(_)
                | Family::Crawler(_)
                | Family::Scanner(_)
        )
    }
}

/// What a user agent says about its client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentClass {
    /// The family claimed.
    pub family: Family,
    /// The major version of the product that names the family (browser, library, crawler or
    /// app), when one was given.
    pub major_version: Option<u32>,
    /// A browser older than [`AgentPolicy`] allows, or one that is end of life (IE, EdgeHTML,
    /// Presto Opera).
    pub outdated: bool,
    /// Claims that cannot be true together: a Chrome version with a Trident token, Windows with
    /// an iPhone, Safari's `Version/` without AppleWebKit, `Chrome/` on iOS (real iOS Chrome
    /// says `CriOS`), versions from the future (`Chrome/999`) or zero, a Chrome too new for the
    /// Windows version it claims.
    pub inconsistent: bool,
}

/// What "outdated" and "from the future" mean for browser versions. Defaults are for late 2026.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentPolicy {
    /// Current stable Chrome major (Edge and other Chromium browsers follow it).
    pub current_chrome_major: u32,
    /// Current stable Firefox major.
    pub current_firefox_major: u32,
    /// Current Safari major.
    pub current_safari_major: u32,
    /// How many majors behind current a Chrome or Firefox may be before it is outdated.
    pub max_major_lag: u32,
    /// How many majors behind current a Safari may be (Safari has one major a year).
    pub max_safari_lag: u32,
    /// How many majors *ahead* of current a Chrome or Firefox may claim (beta, dev and canary
    /// channels, and a policy that is some months old) before it is an impossible version.
    pub max_major_lead: u32,
    /// The same for Safari.
    pub max_safari_lead: u32,
}

impl Default for AgentPolicy {
    /// Chrome 143, Firefox 146, Safari 19; 12 majors of lag for Chrome and Firefox (Chrome
    /// before 131 is outdated), 3 for Safari (before 16); up to 24 majors of lead for Chrome and
    /// Firefox (two years), 3 for Safari.
    fn default() -> Self {
        Self {
            current_chrome_major: 143,
            current_firefox_major: 146,
            current_safari_major: 19,
            max_major_lag: 12,
            max_safari_lag: 3,
            max_major_lead: 24,
            max_safari_lead: 3,
        }
    }
}

/// Classifies user agents under one [`AgentPolicy`]. Cheap to build and to copy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AgentClassifier {
    policy: AgentPolicy,
}

/// Classifies `ua` under the default policy (see [`AgentClassifier::classify`]).
pub fn classify(ua: &str) -> AgentClass {
    AgentClassifier::default().classify(ua)
}

impl AgentClassifier {
    /// A classifier with this policy.
    pub fn new(policy: AgentPolicy) -> Self {
        Self { policy }
    }

    /// The policy in force.
    pub fn policy(&self) -> &AgentPolicy {
        &self.policy
    }

    /// Classifies one `User-Agent` value. Never panics, never allocates; reads at most the
    /// first 1024 bytes.
    pub fn classify(&self, ua: &str) -> AgentClass {
        let ua = ua.trim();
        if ua.is_empty() || ua == "-" {
            return AgentClass {
                family: Family::Missing,
                major_version: None,
                outdated: false,
                inconsistent: false,
            };
        }
        let facts = Facts::read(&ua.as_bytes()[..ua.len().min(MAX_UA)]);
        let (family, major_version) = facts.family();
        AgentClass {
            family,
            major_version,
            outdated: family.is_browser() && self.outdated(&facts, family),
            inconsistent: self.inconsistent(&facts),
        }
    }

    fn outdated(&self, f: &Facts, family: Family) -> bool {
        let p = &self.policy;
        let old = |v: u32, current: u32, lag: u32| v < current.saturating_sub(lag);
        if f.trident.is_some() || f.msie.is_some() || f.edge_legacy.is_some() || f.opera_presto {
            return true;
        }
        match family {
            Family::Firefox => f
                .firefox
                .or(f.fxios)
                .is_some_and(|v| old(v, p.current_firefox_major, p.max_major_lag)),
            Family::Safari => f
                .version
                .is_some_and(|v| old(v, p.current_safari_major, p.max_safari_lag)),
            _ => {
                let engine = f.edg.or(f.crios).or(f.chrome);
                match engine {
                    Some(v) => old(v, p.current_chrome_major, p.max_major_lag),
                    None => f
                        .firefox
                        .is_some_and(|v| old(v, p.current_firefox_major, p.max_major_lag)),
                }
            }
        }
    }

    fn inconsistent(&self, f: &Facts) -> bool {
        let p = &self.policy;
        let chromium = f.chrome.or(f.crios).or(f.edg);
        let future = |v: u32, current: u32, lead: u32| v == 0 || v > current.saturating_add(lead);
        // Blink and Trident are different engines.
        let engines = chromium.is_some() && (f.trident.is_some() || f.msie.is_some());
        let gecko_and_blink = f.firefox.is_some() && f.chrome.is_some();
        // One device runs one operating system.
        let platforms = (f.windows_nt.is_some()
            && (f.ios_device || f.android || f.macintosh || f.cros || f.x11))
            || (f.ios_device && f.android)
            || (f.macintosh && f.android);
        // Safari's `Version/` always comes with AppleWebKit; there is no Safari for Windows
        // since 5.1.
        let safari = f.safari
            && f.version.is_some()
            && chromium.is_none()
            && (!f.applewebkit || f.windows_nt.is_some());
        // On iOS every browser is WebKit with its own token: CriOS, FxiOS, EdgiOS.
        let ios = f.ios_device
            && ((f.chrome.is_some() && f.crios.is_none())
                || (f.firefox.is_some() && f.fxios.is_none()));
        let versions = chromium
            .is_some_and(|v| future(v, p.current_chrome_major, p.max_major_lead))
            || f.firefox
                .or(f.fxios)
                .is_some_and(|v| future(v, p.current_firefox_major, p.max_major_lead))
            || (f.safari
                && chromium.is_none()
                && f.version
                    .is_some_and(|v| future(v, p.current_safari_major, p.max_safari_lead)))
            || matches!((f.edg, f.chrome), (Some(e), Some(c)) if e.abs_diff(c) > 1);
        // Chrome and Edge 110 dropped Windows 7 and 8.1 (NT 6.x); XP (5.x) went long before.
        let windows = matches!(f.windows_nt, Some(5 | 6)) && chromium.is_some_and(|v| v >= 110);
        engines || gecko_and_blink || platforms || safari || ios || versions || windows
    }
}

/// The tokens found in one user agent.
#[derive(Debug, Default)]
struct Facts {
    /// The first word's meaning, and its version.
    first: Option<Tok>,
    first_version: Option<u32>,
    chrome: Option<u32>,
    crios: Option<u32>,
    edg: Option<u32>,
    edge_legacy: Option<u32>,
    opr: Option<u32>,
    opera_presto: bool,
    opera_version: Option<u32>,
    samsung: Option<u32>,
    firefox: Option<u32>,
    fxios: Option<u32>,
    safari: bool,
    version: Option<u32>,
    applewebkit: bool,
    trident: Option<u32>,
    msie: Option<u32>,
    rv: Option<u32>,
    other_browser: bool,
    windows_nt: Option<u32>,
    ios_device: bool,
    ios_word: bool,
    android: bool,
    macintosh: bool,
    cros: bool,
    x11: bool,
    wv: bool,
    dalvik: bool,
    cfnetwork: bool,
    darwin: bool,
    in_app: bool,
    url: bool,
    headless: Option<(&'static str, Option<u32>)>,
    crawler: Option<(&'static str, Option<u32>)>,
    library: Option<(&'static str, Option<u32>)>,
    scanner: Option<(&'static str, Option<u32>)>,
    generic_bot: bool,
}

/// The major version at the start of `text` (`143.0.0.0` → 143); `None` without digits.
fn major(text: &[u8]) -> Option<u32> {
    let digits = text.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let mut v: u32 = 0;
    for &b in &text[..digits.min(9)] {
        v = v * 10 + u32::from(b - b'0');
    }
    Some(v)
}

impl Facts {
    fn read(ua: &[u8]) -> Self {
        let mut f = Facts::default();
        let table = tokens::table();
        let (mut prev, mut prev2) = (Tok::Plain, Tok::Plain);
        for word in Words::new(ua) {
            let cut = word
                .iter()
                .position(|&b| b == b'/' || b == b':')
                .unwrap_or(word.len());
            let (name, rest) = (&word[..cut], word.get(cut + 1..).unwrap_or(&[]));
            let name = name.strip_prefix(b"+").unwrap_or(name);
            let version = major(rest);
            let mut buf = [0u8; MAX_WORD];
            // Numbers (versions, builds, screen sizes) are in no table: skip them early.
            let wordy = name.len() >= 2 && !name[0].is_ascii_digit();
            let t = if wordy && name.len() <= MAX_WORD {
                let lower = &mut buf[..name.len()];
                for (l, b) in lower.iter_mut().zip(name) {
                    *l = b.to_ascii_lowercase();
                }
                let t = table.get(lower);
                if t == Tok::Plain && generic_bot(lower) {
                    f.generic_bot = true;
                }
                t
            } else {
                Tok::Plain
            };
            if f.first.is_none() {
                f.first = Some(t);
                f.first_version = version;
            }
            f.note(t, version, word, prev, prev2);
            prev2 = prev;
            prev = t;
        }
        f
    }

    fn note(&mut self, t: Tok, version: Option<u32>, word: &[u8], prev: Tok, prev2: Tok) {
        let v0 = version.unwrap_or(0);
        match t {
            Tok::Chrome => {
                self.chrome.get_or_insert(v0);
            }
            Tok::CriOS => self.crios = Some(v0),
            Tok::Edg => self.edg = Some(v0),
            Tok::EdgeLegacy => self.edge_legacy = Some(v0),
            Tok::Opr => self.opr = Some(v0),
            Tok::OperaPresto => {
                self.opera_presto = true;
                self.opera_version = version;
            }
            Tok::Samsung => self.samsung = Some(v0),
            Tok::Firefox => self.firefox = Some(v0),
            Tok::FxiOS => self.fxios = Some(v0),
            Tok::Safari => self.safari = true,
            Tok::Version => self.version = Some(v0),
            Tok::AppleWebKit => self.applewebkit = true,
            Tok::Trident => self.trident = Some(v0),
            Tok::Msie => self.msie = Some(0),
            Tok::Rv => self.rv = version,
            Tok::OtherBrowser => self.other_browser = true,
            Tok::Nt if prev == Tok::Windows => self.windows_nt = Some(0),
            Tok::IosDevice => self.ios_device = true,
            Tok::Ios => self.ios_word = true,
            Tok::Android => self.android = true,
            Tok::Macintosh => self.macintosh = true,
            Tok::CrOS => self.cros = true,
            Tok::X11 => self.x11 = true,
            Tok::Wv => self.wv = true,
            Tok::Dalvik => self.dalvik = true,
            Tok::CfNetwork => self.cfnetwork = true,
            Tok::Darwin => self.darwin = true,
            Tok::InApp => self.in_app = true,
            Tok::Url => self.url = true,
            Tok::Headless(n) => {
                self.headless.get_or_insert((n, version));
            }
            Tok::Crawler(n) => {
                self.crawler.get_or_insert((n, version));
            }
            Tok::Library(n) => {
                self.library.get_or_insert((n, version));
            }
            Tok::Scanner(n) => {
                self.scanner.get_or_insert((n, version));
            }
            Tok::Plain => {
                // A bare number after `MSIE` or `Windows NT` is their version.
                if prev == Tok::Msie {
                    self.msie = major(word);
                } else if prev == Tok::Nt && prev2 == Tok::Windows {
                    self.windows_nt = major(word).or(Some(0));
                }
            }
            Tok::Mozilla | Tok::Gecko | Tok::Windows | Tok::Nt => {}
        }
    }

    /// The family claimed and the version of the product that names it.
    fn family(&self) -> (Family, Option<u32>) {
        if let Some((name, v)) = self.scanner {
            return (Family::Scanner(name), v);
        }
        if let Some((name, v)) = self.headless {
            return (Family::HeadlessBrowser(name), v.or(self.chrome));
        }
        if let Some((name, v)) = self.crawler {
            return (Family::Crawler(name), v);
        }
        let first_is_library = matches!(self.first, Some(Tok::Library(_)));
        if let (true, Some((name, v))) = (first_is_library, self.library) {
            return (Family::ScriptingLibrary(name), v);
        }
        if self.is_mobile_app() {
            let app_first = self.first != Some(Tok::Mozilla);
            return (Family::MobileApp, self.first_version.filter(|_| app_first));
        }
        if let Some((name, v)) = self.library {
            return (Family::ScriptingLibrary(name), v);
        }
        if self.generic_bot || self.url {
            return (Family::Crawler("other"), None);
        }
        self.browser()
    }

    fn is_mobile_app(&self) -> bool {
        let mozilla = self.first == Some(Tok::Mozilla);
        let mobile_os = self.ios_device || self.ios_word || self.android || self.darwin;
        self.dalvik
            || self.cfnetwork
            || self.in_app
            || (self.wv && self.android)
            // An app's own product token first, then its platform: `AcmeApp/6.2 (iPhone; ...)`.
            || (!mozilla && self.first_version.is_some() && mobile_os && self.first.is_some_and(|t| t == Tok::Plain))
            // WKWebView: an iOS WebKit UA without any browser's token.
            || (mozilla
                && self.ios_device
                && self.applewebkit
                && !self.safari
                && self.crios.is_none()
                && self.fxios.is_none()
                && self.edg.is_none()
                && self.opr.is_none()
                && self.chrome.is_none())
    }

    fn browser(&self) -> (Family, Option<u32>) {
        if self.trident.is_some() || self.msie.is_some() {
            let v = self.msie.or(self.rv).or(self.trident.map(|t| t + 4));
            return (Family::OtherBrowser, v);
        }
        if let Some(v) = self.edge_legacy.filter(|_| self.edg.is_none()) {
            return (Family::Edge, Some(v));
        }
        if let Some(v) = self.edg {
            return (Family::Edge, Some(v));
        }
        if let Some(v) = self.opr {
            return (Family::Opera, Some(v));
        }
        if self.opera_presto {
            return (Family::Opera, self.version.or(self.opera_version));
        }
        if let Some(v) = self.samsung {
            return (Family::SamsungInternet, Some(v));
        }
        if self.other_browser {
            return (Family::OtherBrowser, self.chrome.or(self.firefox));
        }
        if let Some(v) = self.fxios.or(self.firefox) {
            return (Family::Firefox, Some(v));
        }
        if let Some(v) = self.crios.or(self.chrome) {
            return (Family::Chrome, Some(v));
        }
        if self.safari || (self.version.is_some() && self.applewebkit) {
            return (Family::Safari, self.version);
        }
        (Family::Unknown, None)
    }
}
