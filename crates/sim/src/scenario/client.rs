//! A client as generators drive it: an address, a program, a cookie jar and credentials, and
//! the requests it builds.

use std::net::IpAddr;

use serde_json::Value;

use super::acme::{Auth, Req, WEB_HOST};
use super::agents::{Agent, Fetch};
use super::cookies::Jar;

/// One client.
#[derive(Debug, Clone)]
pub(crate) struct Client {
    pub(crate) ip: IpAddr,
    pub(crate) country: &'static str,
    pub(crate) agent: Agent,
    pub(crate) jar: Option<Jar>,
    /// Headers sent on API calls (`authorization`, `x-api-key`, app headers).
    pub(crate) creds: Vec<(&'static str, String)>,
    /// The session the server will find valid.
    pub(crate) auth: Auth,
}

impl Client {
    /// A client without cookies or credentials.
    pub(crate) fn new(ip: IpAddr, country: &'static str, agent: Agent) -> Self {
        Self {
            ip,
            country,
            agent,
            jar: None,
            creds: Vec::new(),
            auth: Auth::Anonymous,
        }
    }

    fn req(
        &self,
        time: i64,
        method: &'static str,
        host: &'static str,
        target: &str,
        headers: rampart_core::Headers,
        body: Option<Vec<u8>>,
    ) -> Req {
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
            None => (target.to_owned(), None),
        };
        Req {
            time,
            ip: self.ip,
            country: self.country,
            method,
            host,
            path,
            query,
            headers,
            body,
            auth: self.auth,
            force: None,
        }
    }

    /// A GET of a page or asset on the web host (no API credentials).
    pub(crate) fn fetch(
        &self,
        time: i64,
        target: &str,
        fetch: Fetch,
        referer: Option<&str>,
    ) -> Req {
        let h = self
            .agent
            .headers(fetch, referer, self.jar.as_ref().map(Jar::header), &[]);
        self.req(time, "GET", WEB_HOST, target, h, None)
    }

    /// An API GET on `host`, with the client's credentials.
    pub(crate) fn api_get(
        &self,
        time: i64,
        host: &'static str,
        target: &str,
        referer: Option<&str>,
    ) -> Req {
        let h = self.agent.headers(
            Fetch::Api,
            referer,
            self.jar.as_ref().map(Jar::header),
            &self.creds,
        );
        self.req(time, "GET", host, target, h, None)
    }

    /// An API POST of a JSON body on `host`, with the client's credentials.
    pub(crate) fn api_post(
        &self,
        time: i64,
        host: &'static str,
        target: &str,
        body: &Value,
        referer: Option<&str>,
    ) -> Req {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        let mut extra: Vec<(&str, String)> = vec![
            ("content-type", "application/json".to_owned()),
            ("content-length", bytes.len().to_string()),
        ];
        if referer.is_some() {
            extra.push(("origin", format!("https://{WEB_HOST}")));
        }
        extra.extend(self.creds.iter().cloned());
        let h = self.agent.headers(
            Fetch::Api,
            referer,
            self.jar.as_ref().map(Jar::header),
            &extra,
        );
        self.req(time, "POST", host, target, h, Some(bytes))
    }
}

/// `https://api.acme.example<path>`, for referers.
pub(crate) fn url(path: &str) -> String {
    format!("https://{WEB_HOST}{path}")
}
