//! Test helpers: exchanges with explicit times, and a runner that feeds one detector through the
//! alert book as the engine does.

use std::net::IpAddr;

use rampart_core::{Alert, Body, EventTime, Exchange, Headers, KeyedHasher};

use crate::alerts::{AlertBook, BookLimits};
use crate::detector::Detector;
use crate::request::{DeriveConfig, EndpointFacts, Request};
use crate::shared::SharedTables;

/// The hasher tests use.
pub(crate) fn hasher() -> KeyedHasher {
    KeyedHasher::new([7; 32])
}

/// A builder for one exchange.
pub(crate) struct Ex(pub(crate) Exchange);

/// A GET of `path` at `secs` from `ip`, answered `status`.
pub(crate) fn get(secs: f64, ip: &str, path: &str, status: u16) -> Ex {
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
        None => (path.to_owned(), None),
    };
    Ex(Exchange {
        time: EventTime::from_unix_millis(1_700_000_000_000 + (secs * 1000.0) as i64),
        client: Some(ip.parse::<IpAddr>().expect("test address")),
        method: "GET".into(),
        host: Some("api.example".into()),
        path,
        query,
        status: Some(status),
        request_headers: Headers::new(),
        ..Exchange::default()
    })
}

impl Ex {
    /// Sets the method.
    pub(crate) fn method(mut self, m: &str) -> Self {
        self.0.method = m.into();
        self
    }
    /// Adds a request header.
    pub(crate) fn header(mut self, name: &str, value: &str) -> Self {
        self.0.request_headers.push(name, value);
        self
    }
    /// Sets the user agent.
    pub(crate) fn ua(self, ua: &str) -> Self {
        self.header("user-agent", ua)
    }
    /// Sets a JSON request body.
    pub(crate) fn body(mut self, json: &str) -> Self {
        self.0.request_body = Some(Body::sample(
            Some("application/json".into()),
            json.as_bytes(),
        ));
        self
    }
    /// Sets a JSON response body.
    pub(crate) fn response(mut self, json: &str) -> Self {
        self.0.response_body = Some(Body::sample(
            Some("application/json".into()),
            json.as_bytes(),
        ));
        self
    }
}

/// A login POST to `/api/v1/auth/login` for `user`, failed or not.
pub(crate) fn login(secs: f64, ip: &str, user: &str, failed: bool) -> Ex {
    get(
        secs,
        ip,
        "/api/v1/auth/login",
        if failed { 401 } else { 200 },
    )
    .method("POST")
    .body(&format!(r#"{{"username":"{user}","password":"x"}}"#))
}

/// Feeds `exchanges` to `detector` through the shared records and an alert book, as
/// `Detection` does; returns the alerts.
pub(crate) fn run(
    detector: &mut dyn Detector,
    exchanges: impl IntoIterator<Item = Ex>,
) -> Vec<Alert> {
    let h = hasher();
    let mut tables = SharedTables::default();
    let mut book = AlertBook::new(BookLimits::default());
    let mut signals = Vec::new();
    for Ex(ex) in exchanges {
        let mut req = Request::derive(&ex, &DeriveConfig::default(), &h, EndpointFacts::default());
        let (traits, mut shared) = tables.open(&req);
        req.traits = traits;
        detector.observe_shared(&req, &mut shared, &mut signals);
        for s in signals.drain(..) {
            book.apply(s, &req);
        }
    }
    book.alerts()
}

/// The i-th address of 198.51.0.0/16 and beyond, for rotating pools.
pub(crate) fn pool_ip(i: u32) -> String {
    let n = 0xC633_0000u32 + i;
    IpAddr::from(n.to_be_bytes()).to_string()
}

/// A browser with many cookies that loaded a page first, as real users do.
pub(crate) fn browser(ex: Ex, session: &str) -> Ex {
    let cookies: Vec<String> = (0..30).map(|i| format!("c{i}=v{i}")).collect();
    ex.ua("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36")
        .header("accept-language", "en-US,en;q=0.9")
        .header("cookie", &format!("sid={session}; {}", cookies.join("; ")))
}
