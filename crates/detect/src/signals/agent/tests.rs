use super::*;
use proptest::prelude::*;

use Family::*;

/// (user agent, family, major version, outdated, inconsistent)
const TABLE: &[(&str, Family, Option<u32>, bool, bool)] = &[
    // Chrome, current and old, desktop and mobile.
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Safari/537.36", Chrome, Some(143), false, false),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36", Chrome, Some(142), false, false),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36", Chrome, Some(141), false, false),
    ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Mobile Safari/537.36", Chrome, Some(143), false, false),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/142.0.7444.77 Mobile/15E148 Safari/604.1", Chrome, Some(142), false, false),
    ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36", Chrome, Some(140), false, false),
    ("Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36", Chrome, Some(109), true, false),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.130 Safari/537.36", Chrome, Some(79), true, false),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", Chrome, Some(131), false, false),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36", Chrome, Some(130), true, false),
    // Firefox.
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:146.0) Gecko/20100101 Firefox/146.0", Firefox, Some(146), false, false),
    ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:145.0) Gecko/20100101 Firefox/145.0", Firefox, Some(145), false, false),
    ("Mozilla/5.0 (Android 14; Mobile; rv:145.0) Gecko/145.0 Firefox/145.0", Firefox, Some(145), false, false),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/145.0 Mobile/15E148 Safari/605.1.15", Firefox, Some(145), false, false),
    ("Mozilla/5.0 (Windows NT 6.1; WOW64; rv:52.0) Gecko/20100101 Firefox/52.0", Firefox, Some(52), true, false),
    // Safari.
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/19.0 Safari/605.1.15", Safari, Some(19), false, false),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.6 Mobile/15E148 Safari/604.1", Safari, Some(18), false, false),
    ("Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1", Safari, Some(17), false, false),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.2 Safari/605.1.15", Safari, Some(13), true, false),
    // Edge, Opera, Samsung Internet.
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Safari/537.36 Edg/143.0.0.0", Edge, Some(143), false, false),
    ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Mobile Safari/537.36 EdgA/142.0.0.0", Edge, Some(142), false, false),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.17763", Edge, Some(18), true, false),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36 OPR/125.0.0.0", Opera, Some(125), false, false),
    ("Opera/9.80 (Windows NT 6.1; U; en) Presto/2.12.388 Version/12.18", Opera, Some(12), true, false),
    ("Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/28.0 Chrome/130.0.0.0 Mobile Safari/537.36", SamsungInternet, Some(28), true, false),
    ("Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/29.0 Chrome/136.0.0.0 Mobile Safari/537.36", SamsungInternet, Some(29), false, false),
    // Internet Explorer and other browsers.
    ("Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko", OtherBrowser, Some(11), true, false),
    ("Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0)", OtherBrowser, Some(9), true, false),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 YaBrowser/25.10.0.0 Safari/537.36", OtherBrowser, Some(140), false, false),
    // Headless and automated browsers.
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/143.0.0.0 Safari/537.36", HeadlessBrowser("HeadlessChrome"), Some(143), false, false),
    ("Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1", HeadlessBrowser("PhantomJS"), Some(2), false, false),
    // Scripting libraries and tools.
    ("curl/8.5.0", ScriptingLibrary("curl"), Some(8), false, false),
    ("python-requests/2.32.3", ScriptingLibrary("python-requests"), Some(2), false, false),
    ("Python-urllib/3.12", ScriptingLibrary("Python-urllib"), Some(3), false, false),
    ("Python/3.12 aiohttp/3.10.5", ScriptingLibrary("aiohttp"), Some(3), false, false),
    ("python-httpx/0.27.2", ScriptingLibrary("httpx"), Some(0), false, false),
    ("Go-http-client/1.1", ScriptingLibrary("Go-http-client"), Some(1), false, false),
    ("Go-http-client/2.0", ScriptingLibrary("Go-http-client"), Some(2), false, false),
    ("okhttp/4.12.0", ScriptingLibrary("okhttp"), Some(4), false, false),
    ("axios/1.7.7", ScriptingLibrary("axios"), Some(1), false, false),
    ("node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", ScriptingLibrary("node-fetch"), Some(1), false, false),
    ("node", ScriptingLibrary("node"), None, false, false),
    ("Java/17.0.2", ScriptingLibrary("Java"), Some(17), false, false),
    ("Apache-HttpClient/4.5.14 (Java/17.0.9)", ScriptingLibrary("Apache-HttpClient"), Some(4), false, false),
    ("libwww-perl/6.72", ScriptingLibrary("libwww-perl"), Some(6), false, false),
    ("Wget/1.21.4", ScriptingLibrary("Wget"), Some(1), false, false),
    ("PostmanRuntime/7.42.0", ScriptingLibrary("PostmanRuntime"), Some(7), false, false),
    ("Scrapy/2.11.2 (+https://scrapy.org)", ScriptingLibrary("Scrapy"), Some(2), false, false),
    ("Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.3031", ScriptingLibrary("PowerShell"), Some(5), false, false),
    ("Dart/3.5 (dart:io)", ScriptingLibrary("Dart"), Some(3), false, false),
    // Crawlers and monitors.
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", Crawler("Googlebot"), Some(2), false, false),
    ("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.7390.122 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", Crawler("Googlebot"), Some(2), false, false),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36", Crawler("bingbot"), Some(2), false, false),
    ("DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)", Crawler("DuckDuckBot"), Some(1), false, false),
    ("Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", Crawler("Baiduspider"), Some(2), false, false),
    ("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", Crawler("YandexBot"), Some(3), false, false),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)", Crawler("Applebot"), Some(0), false, false),
    ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", Crawler("facebookexternalhit"), Some(1), false, false),
    ("Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", Crawler("UptimeRobot"), Some(2), false, false),
    ("Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)", Crawler("Pingdom"), None, false, false),
    ("Mozilla/5.0 (compatible; StatusCake)", Crawler("StatusCake"), None, false, false),
    ("Datadog/Synthetics", Crawler("Datadog Synthetics"), None, false, false),
    ("Mozilla/5.0 (compatible; SomeNewBot/0.3; +https://example.org/bot)", Crawler("other"), None, false, false),
    ("kube-probe/1.31", Crawler("kube-probe"), Some(1), false, false),
    // Scanners.
    ("sqlmap/1.8.2#stable (https://sqlmap.org)", Scanner("sqlmap"), Some(1), false, false),
    ("Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)", Scanner("Nmap"), None, false, false),
    ("Mozilla/5.0 zgrab/0.x", Scanner("zgrab"), Some(0), false, false),
    // Mobile apps.
    ("AcmeApp/6.2.0 (iPhone; iOS 18.1; Scale/3.00)", MobileApp, Some(6), false, false),
    ("AcmeApp/6.2.0 (com.acme.app; build:6201; iOS 18.1.0) Alamofire/5.9.1", MobileApp, Some(6), false, false),
    ("Acme/3 CFNetwork/1568.100.1 Darwin/24.0.0", MobileApp, Some(3), false, false),
    ("Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/UQ1A.240205.004)", MobileApp, Some(2), false, false),
    ("AcmeApp/5.1 (Android 14; Pixel 8) okhttp/4.12.0", MobileApp, Some(5), false, false),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/142.0.0.0 Mobile Safari/537.36", MobileApp, None, false, false),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148", MobileApp, None, false, false),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/480.0.0.41.108;FBBV/663;FBDV/iPhone15,2]", MobileApp, None, false, false),
    ("Mozilla/5.0 (Linux; Android 14; SM-S918B Build/UP1A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/142.0.0.0 Mobile Safari/537.36 Instagram 350.0.0.0.0 Android", MobileApp, None, false, false),
    // Missing and garbage.
    ("", Missing, None, false, false),
    ("-", Missing, None, false, false),
    ("   ", Missing, None, false, false),
    ("asdkjhqwe", Unknown, None, false, false),
    ("Mozilla/5.0", Unknown, None, false, false),
    ("()", Unknown, None, false, false),
    ("\u{1b}[31mred", Unknown, None, false, false),
    ("Mozilla/5.0 (Linux; Android 12; CUBOT X30 Build/SP1A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Mobile Safari/537.36", Chrome, Some(141), false, false),
    // Inconsistent claims.
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; Trident/7.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", OtherBrowser, Some(11), true, true),
    ("Mozilla/5.0 (Windows NT 10.0; iPhone) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Safari/537.36", Chrome, Some(143), false, true),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Version/19.0 Safari/605.1.15", Safari, Some(19), false, true),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36", Chrome, Some(120), true, true),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/999.0.0.0 Safari/537.36", Chrome, Some(999), false, true),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/ Safari/537.36", Chrome, Some(0), true, true),
    ("Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36", Chrome, Some(140), false, true),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Safari/537.36 Edg/120.0.0.0", Edge, Some(120), true, true),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:146.0) Gecko/20100101 Firefox/146.0 Chrome/143.0.0.0", Firefox, Some(146), false, true),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X; rv:146.0) Gecko/20100101 Firefox/146.0", Firefox, Some(146), false, true),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/19.0 Safari/605.1.15", Safari, Some(19), false, true),
    ("Mozilla/5.0 (Linux; Android 14; iPhone) AppleWebKit/537.36 (KHTML, like Gecko) CriOS/143.0.0.0 Mobile Safari/537.36", Chrome, Some(143), false, true),
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html) Chrome/999.0.0.0", Crawler("Googlebot"), Some(2), false, true),
];

#[test]
fn real_user_agents_are_classified() {
    let c = AgentClassifier::default();
    let mut failures = Vec::new();
    for &(ua, family, major, outdated, inconsistent) in TABLE {
        let want = AgentClass {
            family,
            major_version: major,
            outdated,
            inconsistent,
        };
        let got = c.classify(ua);
        if got != want {
            failures.push(format!("{ua}\n   got  {got:?}\n   want {want:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn policy_moves_the_outdated_line() {
    let ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/135.0.0.0 Safari/537.36";
    assert!(!classify(ua).outdated);
    let strict = AgentClassifier::new(AgentPolicy {
        max_major_lag: 4,
        ..AgentPolicy::default()
    });
    assert!(strict.classify(ua).outdated);
    let later = AgentClassifier::new(AgentPolicy {
        current_chrome_major: 170,
        ..AgentPolicy::default()
    });
    assert!(later.classify(ua).outdated);
    assert!(!later.classify(&ua.replace("135", "168")).inconsistent);
}

#[test]
fn families_say_what_they_are() {
    assert!(Chrome.is_browser() && !Chrome.is_automation());
    assert!(ScriptingLibrary("curl").is_automation() && !MobileApp.is_automation());
    assert!(!Missing.is_browser() && !Unknown.is_automation());
}

#[test]
fn very_long_agents_are_read_only_in_part() {
    let ua = format!("{}curl/8.0", "x".repeat(5000));
    assert_eq!(classify(&ua).family, Unknown);
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn never_panics(ua in ".{0,400}") {
        let _ = classify(&ua);
    }

    #[test]
    fn never_panics_on_token_soup(
        words in proptest::collection::vec(
            "(Chrome|CriOS|Edg|Firefox|Safari|Version|MSIE|Trident|rv|Windows|NT|iPhone|Android|wv|Mozilla|curl|bot)[/: ]?[0-9]{0,12}(\\.[0-9]{1,3})?",
            0..20,
        ),
        seps in proptest::collection::vec("[ ;()+,\\[\\]]", 20),
    ) {
        let mut ua = String::new();
        for (w, s) in words.iter().zip(&seps) {
            ua.push_str(w);
            ua.push_str(s);
        }
        let class = classify(&ua);
        prop_assert!(!class.outdated || class.family.is_browser());
    }
}

fn time_per_call(ua: &str) -> f64 {
    let c = AgentClassifier::default();
    let n = 1_000_000;
    let start = std::time::Instant::now();
    let mut browsers = 0;
    for _ in 0..n {
        browsers += usize::from(c.classify(std::hint::black_box(ua)).family.is_browser());
    }
    assert!(browsers == 0 || browsers == n as usize);
    start.elapsed().as_nanos() as f64 / f64::from(n)
}

/// Cost per call. Run with
/// `cargo test -p rampart-detect --release -- --ignored --nocapture agent_timing`.
#[test]
#[ignore]
fn agent_timing() {
    let mut cache = AgentCache::new(AgentClassifier::default(), 256);
    let n = 1_000_000;
    let start = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(cache.classify(std::hint::black_box(TABLE[0].0)));
    }
    let per = start.elapsed().as_nanos() as f64 / f64::from(n);
    println!("AgentCache::classify, desktop Chrome, hit: {per:.0} ns/call");
    for (label, ua) in [
        ("desktop Chrome", TABLE[0].0),
        ("iOS Safari", TABLE[16].0),
        ("Googlebot smartphone", TABLE[51].0),
        ("curl", "curl/8.5.0"),
    ] {
        println!("agent::classify, {label}: {:.0} ns/call", time_per_call(ua));
    }
}
