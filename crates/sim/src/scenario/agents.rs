//! Client software: user agents and the header sets they send, in their own order.
//!
//! Browsers are the versions current in 2026 (Chrome and Edge 140+, Firefox 143+, Safari 18
//! and 26) with client hints and fetch metadata where the browser sends them; attack tools are
//! what they really are (scripting libraries, headless Chrome, Chrome 69–79 from before client
//! hints and fetch metadata existed) or a modern browser's user agent pasted into a script,
//! so that the user agent alone never gives every attack away.

use rampart_core::Headers;
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use rand::Rng;

/// What a request fetches, which decides a browser's `accept` and fetch metadata.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fetch {
    /// A top-level page.
    Document,
    /// A script.
    Script,
    /// A style sheet.
    Style,
    /// An image or icon.
    Image,
    /// A `fetch()` of JSON from the page.
    Api,
}

/// Scripting libraries and their default headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tool {
    PythonRequests,
    GoHttp,
    Curl,
    Aiohttp,
    Okhttp,
    ApacheHttpClient,
}

impl Tool {
    fn default_ua(self) -> &'static str {
        match self {
            Self::PythonRequests => "python-requests/2.32.3",
            Self::GoHttp => "Go-http-client/2.0",
            Self::Curl => "curl/8.7.1",
            Self::Aiohttp => "Python/3.12 aiohttp/3.10.5",
            Self::Okhttp => "okhttp/4.12.0",
            Self::ApacheHttpClient => "Apache-HttpClient/5.3.1 (Java/17.0.12)",
        }
    }
}

/// How a client orders and chooses its headers.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Style {
    /// Chromium with client hints: the `sec-ch-ua` value, platform and whether mobile.
    Chromium {
        hints: String,
        platform: &'static str,
        mobile: bool,
    },
    Firefox,
    Safari,
    /// Chrome before version 76: no client hints, no fetch metadata.
    LegacyChrome,
    Tool(Tool),
    /// The official app on iOS (Alamofire defaults) or Android (okhttp).
    App {
        ios: bool,
    },
    Crawler,
    Monitor,
}

/// One client program: its user agent, language and header habits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Agent {
    pub(crate) ua: String,
    pub(crate) lang: Option<&'static str>,
    style: Style,
}

fn chrome_hints(brand: &str, v: u32) -> String {
    // The GREASE brand changes with the version, as Chromium's does.
    let grease = match v % 4 {
        0 => "\"Not_A Brand\";v=\"99\"",
        1 => "\"Not=A?Brand\";v=\"24\"",
        2 => "\"Not?A_Brand\";v=\"8\"",
        _ => "\"Not A(Brand\";v=\"24\"",
    };
    format!("\"Chromium\";v=\"{v}\", \"{brand}\";v=\"{v}\", {grease}")
}

const LANGS_US: &[&str] = &[
    "en-US,en;q=0.9",
    "en-US,en;q=0.9",
    "en-US,en;q=0.9,es;q=0.8",
];

/// The `accept-language` a browser in `country` sends.
pub(crate) fn language_for(country: &str, rng: &mut SmallRng) -> &'static str {
    match country {
        "CA" => [
            "en-CA,en;q=0.9",
            "en-CA,en-US;q=0.9,en;q=0.8,fr-CA;q=0.7",
            "fr-CA,fr;q=0.9,en;q=0.8",
        ]
        .choose(rng)
        .copied()
        .unwrap_or("en-CA,en;q=0.9"),
        "MX" => "es-MX,es;q=0.9,en;q=0.8",
        "GB" => "en-GB,en;q=0.9",
        _ => LANGS_US.choose(rng).copied().unwrap_or("en-US,en;q=0.9"),
    }
}

impl Agent {
    /// A current browser, drawn from a 2026 market share: Chrome, Safari on iPhone, Edge,
    /// Safari on macOS, Firefox.
    pub(crate) fn modern_browser(rng: &mut SmallRng, lang: &'static str) -> Self {
        let r = rng.random_range(0..100);
        let chrome = *[140u32, 141, 142, 142, 143, 143]
            .choose(rng)
            .unwrap_or(&142);
        match r {
            0..=34 => {
                let (os, platform) = *[
                    ("Windows NT 10.0; Win64; x64", "\"Windows\""),
                    ("Windows NT 10.0; Win64; x64", "\"Windows\""),
                    ("Macintosh; Intel Mac OS X 10_15_7", "\"macOS\""),
                    ("X11; Linux x86_64", "\"Linux\""),
                ]
                .choose(rng)
                .unwrap_or(&("Windows NT 10.0; Win64; x64", "\"Windows\""));
                Self::chrome(os, platform, chrome, false, lang)
            }
            35..=52 => Self::chrome("Linux; Android 10; K", "\"Android\"", chrome, true, lang),
            53..=72 => {
                let v = *["18.5", "18.6", "26.0", "26.1", "26.2"]
                    .choose(rng)
                    .unwrap_or(&"26.1");
                // iOS 26 freezes the OS version in the user agent at 18_6.
                let os = if v.starts_with("18.5") {
                    "18_5"
                } else {
                    "18_6"
                };
                Self::safari(format!(
                    "Mozilla/5.0 (iPhone; CPU iPhone OS {os} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{v} Mobile/15E148 Safari/604.1"
                ), lang)
            }
            73..=81 => {
                let v = *[141u32, 142, 143].choose(rng).unwrap_or(&142);
                Self {
                    ua: format!("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36 Edg/{v}.0.0.0"),
                    lang: Some(lang),
                    style: Style::Chromium {
                        hints: chrome_hints("Microsoft Edge", v),
                        platform: "\"Windows\"",
                        mobile: false,
                    },
                }
            }
            82..=88 => {
                let v = *["18.6", "26.1", "26.2"].choose(rng).unwrap_or(&"26.1");
                Self::safari(format!(
                    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{v} Safari/605.1.15"
                ), lang)
            }
            _ => {
                let v = *[143u32, 144, 145, 146, 147].choose(rng).unwrap_or(&145);
                let os = *[
                    "Windows NT 10.0; Win64; x64",
                    "Macintosh; Intel Mac OS X 10.15",
                    "X11; Ubuntu; Linux x86_64",
                ]
                .choose(rng)
                .unwrap_or(&"Windows NT 10.0; Win64; x64");
                Self {
                    ua: format!("Mozilla/5.0 ({os}; rv:{v}.0) Gecko/20100101 Firefox/{v}.0"),
                    lang: Some(firefox_lang(lang)),
                    style: Style::Firefox,
                }
            }
        }
    }

    fn chrome(os: &str, platform: &'static str, v: u32, mobile: bool, lang: &'static str) -> Self {
        let tail = if mobile {
            "Mobile Safari/537.36"
        } else {
            "Safari/537.36"
        };
        Self {
            ua: format!(
                "Mozilla/5.0 ({os}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 {tail}"
            ),
            lang: Some(lang),
            style: Style::Chromium {
                hints: chrome_hints("Google Chrome", v),
                platform,
                mobile,
            },
        }
    }

    fn safari(ua: String, lang: &'static str) -> Self {
        Self {
            ua,
            lang: Some(lang),
            style: Style::Safari,
        }
    }

    /// Whether this is Safari on an iPhone (the clients that use Apple Pay on the web).
    pub(crate) fn is_ios_safari(&self) -> bool {
        self.style == Style::Safari && self.ua.contains("iPhone")
    }

    /// A modern Chrome user agent whose client hints name an older Chrome: a bot that copied
    /// a current user agent into an older automation profile. `mac` picks the kit: a macOS
    /// profile (hints of Chrome 128–130, as sneaker bots ship) or a Windows one (120–124).
    pub(crate) fn chrome_with_stale_hints(rng: &mut SmallRng, mac: bool) -> Self {
        let v = *[141u32, 142, 143].choose(rng).unwrap_or(&142);
        let (os, platform, stale) = if mac {
            (
                "Macintosh; Intel Mac OS X 10_15_7",
                "\"macOS\"",
                *[128u32, 129, 130].choose(rng).unwrap_or(&130),
            )
        } else {
            (
                "Windows NT 10.0; Win64; x64",
                "\"Windows\"",
                *[120u32, 122, 124].choose(rng).unwrap_or(&124),
            )
        };
        Self {
            ua: format!("Mozilla/5.0 ({os}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36"),
            lang: Some("en-US,en;q=0.9"),
            style: Style::Chromium {
                hints: chrome_hints("Google Chrome", stale),
                platform,
                mobile: false,
            },
        }
    }

    /// A very outdated Chrome (69–79), as scraping kits ship.
    pub(crate) fn outdated_chrome(rng: &mut SmallRng) -> Self {
        let v = *[
            "72.0.3626.121",
            "72.0.3626.119",
            "69.0.3497.100",
            "74.0.3729.169",
            "75.0.3770.142",
            "71.0.3578.98",
        ]
        .choose(rng)
        .unwrap_or(&"72.0.3626.121");
        let os = *[
            "Windows NT 10.0; Win64; x64",
            "Windows NT 6.1; Win64; x64",
            "Macintosh; Intel Mac OS X 10_14_2",
        ]
        .choose(rng)
        .unwrap_or(&"Windows NT 10.0; Win64; x64");
        Self {
            ua: format!("Mozilla/5.0 ({os}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v} Safari/537.36"),
            lang: Some("en-US,en;q=0.9"),
            style: Style::LegacyChrome,
        }
    }

    /// Headless Chrome as Puppeteer or Playwright launch it.
    pub(crate) fn headless_chrome() -> Self {
        Self {
            ua: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/139.0.0.0 Safari/537.36".into(),
            lang: None,
            style: Style::Chromium {
                hints: chrome_hints("HeadlessChrome", 139),
                platform: "\"Linux\"",
                mobile: false,
            },
        }
    }

    /// A scripting library with its own user agent.
    pub(crate) fn tool(tool: Tool) -> Self {
        Self {
            ua: tool.default_ua().into(),
            lang: None,
            style: Style::Tool(tool),
        }
    }

    /// A scripting library sending someone else's user agent (and optionally a language).
    pub(crate) fn tool_as(tool: Tool, ua: &str, lang: Option<&'static str>) -> Self {
        Self {
            ua: ua.into(),
            lang,
            style: Style::Tool(tool),
        }
    }

    /// The official Acme app on iOS or Android.
    pub(crate) fn acme_app(ios: bool, version: &str, os: &str) -> Self {
        let ua = if ios {
            format!("AcmeApp/{version} (iPhone; iOS {os})")
        } else {
            "okhttp/4.12.0".to_owned()
        };
        Self {
            ua,
            lang: Some(if ios { "en-US;q=1.0" } else { "en-US" }),
            style: Style::App { ios },
        }
    }

    /// A crawler with its published user agent.
    pub(crate) fn crawler(ua: &str) -> Self {
        Self {
            ua: ua.into(),
            lang: None,
            style: Style::Crawler,
        }
    }

    /// An uptime monitor.
    pub(crate) fn monitor(ua: &str) -> Self {
        Self {
            ua: ua.into(),
            lang: None,
            style: Style::Monitor,
        }
    }

    /// The headers of one request, in this client's order. `extra` (content type, origin,
    /// credentials, app headers) goes where this client puts such headers; `cookie` is the
    /// whole `cookie` header value.
    pub(crate) fn headers(
        &self,
        fetch: Fetch,
        referer: Option<&str>,
        cookie: Option<&str>,
        extra: &[(&str, String)],
    ) -> Headers {
        let mut h = Headers::new();
        let push_extra = |h: &mut Headers| {
            for (n, v) in extra {
                h.push(n, v.clone());
            }
        };
        match &self.style {
            Style::Chromium {
                hints,
                platform,
                mobile,
            } => {
                let mobile = if *mobile { "?1" } else { "?0" };
                if fetch == Fetch::Document {
                    h.push("sec-ch-ua", hints.clone());
                    h.push("sec-ch-ua-mobile", mobile);
                    h.push("sec-ch-ua-platform", *platform);
                    h.push("upgrade-insecure-requests", "1");
                    h.push("user-agent", self.ua.clone());
                    h.push("accept", chrome_accept(fetch));
                    h.push(
                        "sec-fetch-site",
                        if referer.is_some() {
                            "same-origin"
                        } else {
                            "none"
                        },
                    );
                    h.push("sec-fetch-mode", "navigate");
                    h.push("sec-fetch-user", "?1");
                    h.push("sec-fetch-dest", "document");
                } else {
                    h.push("sec-ch-ua-platform", *platform);
                    h.push("user-agent", self.ua.clone());
                    h.push("sec-ch-ua", hints.clone());
                    h.push("sec-ch-ua-mobile", mobile);
                    h.push("accept", chrome_accept(fetch));
                    push_extra(&mut h);
                    h.push("sec-fetch-site", "same-origin");
                    h.push(
                        "sec-fetch-mode",
                        if fetch == Fetch::Api {
                            "cors"
                        } else {
                            "no-cors"
                        },
                    );
                    h.push("sec-fetch-dest", dest(fetch));
                }
                if let Some(r) = referer {
                    h.push("referer", r);
                }
                h.push("accept-encoding", "gzip, deflate, br, zstd");
                if let Some(l) = self.lang {
                    h.push("accept-language", l);
                }
                if let Some(c) = cookie {
                    h.push("cookie", c);
                }
                h.push(
                    "priority",
                    if fetch == Fetch::Document {
                        "u=0, i"
                    } else {
                        "u=1, i"
                    },
                );
            }
            Style::Firefox => {
                h.push("user-agent", self.ua.clone());
                h.push("accept", firefox_accept(fetch));
                if let Some(l) = self.lang {
                    h.push("accept-language", l);
                }
                h.push("accept-encoding", "gzip, deflate, br, zstd");
                if let Some(r) = referer {
                    h.push("referer", r);
                }
                push_extra(&mut h);
                if let Some(c) = cookie {
                    h.push("cookie", c);
                }
                if fetch == Fetch::Document {
                    h.push("upgrade-insecure-requests", "1");
                }
                h.push("sec-fetch-dest", dest(fetch));
                h.push(
                    "sec-fetch-mode",
                    match fetch {
                        Fetch::Document => "navigate",
                        Fetch::Api => "cors",
                        _ => "no-cors",
                    },
                );
                h.push(
                    "sec-fetch-site",
                    if referer.is_some() {
                        "same-origin"
                    } else {
                        "none"
                    },
                );
                if fetch == Fetch::Document {
                    h.push("sec-fetch-user", "?1");
                }
                h.push(
                    "priority",
                    if fetch == Fetch::Document {
                        "u=0, i"
                    } else {
                        "u=4"
                    },
                );
                h.push("te", "trailers");
            }
            Style::Safari => {
                h.push("accept", safari_accept(fetch));
                h.push(
                    "sec-fetch-site",
                    if referer.is_some() {
                        "same-origin"
                    } else {
                        "none"
                    },
                );
                if let Some(c) = cookie {
                    h.push("cookie", c);
                }
                push_extra(&mut h);
                h.push("sec-fetch-dest", dest(fetch));
                if let Some(l) = self.lang {
                    h.push("accept-language", l);
                }
                h.push(
                    "sec-fetch-mode",
                    match fetch {
                        Fetch::Document => "navigate",
                        Fetch::Api => "cors",
                        _ => "no-cors",
                    },
                );
                h.push("user-agent", self.ua.clone());
                if let Some(r) = referer {
                    h.push("referer", r);
                }
                h.push("accept-encoding", "gzip, deflate, br");
                h.push(
                    "priority",
                    if fetch == Fetch::Document {
                        "u=0, i"
                    } else {
                        "u=3, i"
                    },
                );
            }
            Style::LegacyChrome => {
                if fetch == Fetch::Document {
                    h.push("upgrade-insecure-requests", "1");
                }
                h.push("user-agent", self.ua.clone());
                h.push("accept", match fetch {
                    Fetch::Document => "text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,image/apng,*/*;q=0.8",
                    Fetch::Api => "application/json, text/plain, */*",
                    _ => "*/*",
                });
                push_extra(&mut h);
                if let Some(r) = referer {
                    h.push("referer", r);
                }
                h.push("accept-encoding", "gzip, deflate, br");
                if let Some(l) = self.lang {
                    h.push("accept-language", l);
                }
                if let Some(c) = cookie {
                    h.push("cookie", c);
                }
            }
            Style::Tool(tool) => {
                match tool {
                    Tool::PythonRequests => {
                        h.push("user-agent", self.ua.clone());
                        h.push("accept-encoding", "gzip, deflate");
                        h.push("accept", "*/*");
                        h.push("connection", "keep-alive");
                    }
                    Tool::GoHttp => {
                        h.push("user-agent", self.ua.clone());
                    }
                    Tool::Curl => {
                        h.push("user-agent", self.ua.clone());
                        h.push("accept", "*/*");
                    }
                    Tool::Aiohttp => {
                        h.push("accept", "*/*");
                        h.push("accept-encoding", "gzip, deflate");
                        h.push("user-agent", self.ua.clone());
                    }
                    Tool::Okhttp => {}
                    Tool::ApacheHttpClient => {
                        h.push("accept", "application/json");
                    }
                }
                if let Some(l) = self.lang {
                    h.push("accept-language", l);
                }
                push_extra(&mut h);
                if let Some(r) = referer {
                    h.push("referer", r);
                }
                if let Some(c) = cookie {
                    h.push("cookie", c);
                }
                match tool {
                    Tool::GoHttp => h.push("accept-encoding", "gzip"),
                    Tool::Okhttp => {
                        h.push("accept-encoding", "gzip");
                        h.push("user-agent", self.ua.clone());
                    }
                    Tool::ApacheHttpClient => {
                        h.push("user-agent", self.ua.clone());
                        h.push("accept-encoding", "gzip, x-gzip, deflate");
                    }
                    _ => {}
                }
            }
            Style::App { ios } => {
                if *ios {
                    h.push("accept", "application/json");
                    push_extra(&mut h);
                    if let Some(l) = self.lang {
                        h.push("accept-language", l);
                    }
                    h.push("user-agent", self.ua.clone());
                    h.push("accept-encoding", "br;q=1.0, gzip;q=0.9, deflate;q=0.8");
                    if let Some(c) = cookie {
                        h.push("cookie", c);
                    }
                } else {
                    h.push("accept", "application/json");
                    push_extra(&mut h);
                    if let Some(c) = cookie {
                        h.push("cookie", c);
                    }
                    h.push("accept-encoding", "gzip");
                    h.push("user-agent", self.ua.clone());
                }
            }
            Style::Crawler => {
                h.push(
                    "accept",
                    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                );
                h.push("accept-encoding", "gzip, deflate, br");
                h.push("user-agent", self.ua.clone());
                if self.ua.contains("Googlebot") {
                    h.push("from", "googlebot(at)googlebot.com");
                }
                push_extra(&mut h);
            }
            Style::Monitor => {
                h.push("user-agent", self.ua.clone());
                h.push("accept", "*/*");
                h.push("cache-control", "no-cache");
                push_extra(&mut h);
            }
        }
        h
    }
}

fn firefox_lang(chrome_style: &'static str) -> &'static str {
    match chrome_style {
        "en-US,en;q=0.9" => "en-US,en;q=0.5",
        "en-GB,en;q=0.9" => "en-GB,en;q=0.5",
        other => other,
    }
}

fn dest(fetch: Fetch) -> &'static str {
    match fetch {
        Fetch::Document => "document",
        Fetch::Script => "script",
        Fetch::Style => "style",
        Fetch::Image => "image",
        Fetch::Api => "empty",
    }
}

fn chrome_accept(fetch: Fetch) -> &'static str {
    match fetch {
        Fetch::Document => "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
        Fetch::Style => "text/css,*/*;q=0.1",
        Fetch::Image => "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
        Fetch::Api => "application/json, text/plain, */*",
        Fetch::Script => "*/*",
    }
}

fn firefox_accept(fetch: Fetch) -> &'static str {
    match fetch {
        Fetch::Document => "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        Fetch::Style => "text/css,*/*;q=0.1",
        Fetch::Image => "image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5",
        Fetch::Api => "application/json, text/plain, */*",
        Fetch::Script => "*/*",
    }
}

fn safari_accept(fetch: Fetch) -> &'static str {
    match fetch {
        Fetch::Document => "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        Fetch::Style => "text/css,*/*;q=0.1",
        Fetch::Image => "image/webp,image/avif,image/jxl,image/heic,image/heic-sequence,video/*;q=0.8,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5",
        Fetch::Api => "application/json, text/plain, */*",
        Fetch::Script => "*/*",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn browsers_are_current_and_send_their_headers() {
        let mut rng = SmallRng::seed_from_u64(3);
        for _ in 0..200 {
            let a = Agent::modern_browser(&mut rng, "en-US,en;q=0.9");
            if let Some(v) = a.ua.split("Chrome/").nth(1) {
                let major: u32 = v.split('.').next().unwrap().parse().unwrap();
                assert!(major >= 140, "{}", a.ua);
            }
            if let Some(v) = a.ua.split("Firefox/").nth(1) {
                assert!(
                    v.trim_end_matches(".0").parse::<u32>().unwrap() >= 140,
                    "{}",
                    a.ua
                );
            }
            let h = a.headers(Fetch::Document, None, Some("a=1"), &[]);
            assert_eq!(h.get("user-agent"), Some(a.ua.as_str()));
            assert_eq!(h.get("cookie"), Some("a=1"));
            assert!(h.get("accept-language").is_some());
            assert!(h.get("sec-fetch-dest").is_some());
        }
        let old = Agent::outdated_chrome(&mut rng);
        let h = old.headers(Fetch::Api, None, None, &[]);
        assert!(h.get("sec-ch-ua").is_none() && h.get("sec-fetch-mode").is_none());
    }
}
