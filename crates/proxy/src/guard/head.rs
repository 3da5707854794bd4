//! What is known of a request before it is answered: its head as an [`Exchange`], and the
//! policy's [`RequestFacts`] filled from it, the inventory and the actors index.

use rampart_core::auth::identify;
use rampart_core::{Exchange, KeyedHasher};
use rampart_defend::{InventoryFacts, RequestFacts};

use crate::phases::RequestCtx;

/// The request head as judged, kept in the request's context so that `on_done` finishes it
/// into the exchange the engine observes instead of converting the head again.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    pub(crate) ex: Exchange,
    /// Whether every header value was text, so that `ex` holds all of them as the finished
    /// exchange would.
    pub(crate) every_header: bool,
}

/// The request head as an exchange: time, client (after trusted-proxy handling), method,
/// scheme, host, path, query and headers; no status or body yet.
pub(crate) fn head_exchange(ctx: &RequestCtx, req: &http::request::Parts) -> Head {
    let mut every_header = true;
    let mut ex = Exchange {
        time: ctx.time,
        client: Some(ctx.client),
        method: req.method.as_str().to_owned(),
        scheme: Some(ctx.scheme.as_str().to_owned()),
        host: ctx.host.as_deref().map(str::to_owned),
        path: req.uri.path().to_owned(),
        query: req.uri.query().filter(|q| !q.is_empty()).map(str::to_owned),
        request_headers: rampart_core::Headers::with_capacity(req.headers.len()),
        ..Exchange::default()
    };
    for (name, value) in &req.headers {
        match value.to_str() {
            Ok(v) => ex.request_headers.push(name.as_str(), v),
            Err(_) => every_header = false,
        }
    }
    Head { ex, every_header }
}

/// What the inventory says of the endpoint, as the policy reads it.
#[derive(Debug, Clone, Default)]
pub(crate) struct EndpointFacts {
    pub(crate) template: Option<String>,
    pub(crate) inventory: InventoryFacts,
}

/// The facts the policy judges `ex` on. Session and principal are the same keyed hashes the
/// detectors name in their alerts, so decisions made from alerts match later requests.
pub(crate) fn request_facts(
    ex: &Exchange,
    hasher: &KeyedHasher,
    endpoint: EndpointFacts,
    headers: bool,
) -> RequestFacts {
    let mut facts = RequestFacts::from_exchange_keeping(ex, headers);
    let id = identify(ex, hasher);
    facts.session = id.session.map(|t| t.to_string());
    facts.principal = id.principal.map(|t| t.to_string());
    facts.credentials = id.has_credential;
    facts.fingerprint = Some(rampart_engine::Engine::fingerprint(ex));
    facts.endpoint = endpoint.template;
    facts.inventory = endpoint.inventory;
    facts
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use http::{HeaderMap, HeaderValue, Method, Request, StatusCode, Version};
    use rampart_core::EventTime;

    use super::*;
    use crate::body::BodySample;
    use crate::exchange::{build_exchange, finish_exchange};
    use crate::phases::{Completed, Outcome, Scheme};

    fn ctx() -> RequestCtx {
        RequestCtx {
            id: 1,
            time: EventTime::from_unix_millis(1_700_000_000_000),
            peer: "10.0.0.1:5000".parse().unwrap(),
            client: "1.2.3.4".parse().unwrap(),
            local: "127.0.0.1:8080".parse().unwrap(),
            scheme: Scheme::Http,
            version: Version::HTTP_11,
            host: Some("api.test".into()),
            route: None,
            extensions: http::Extensions::new(),
            delay_guard: None,
            head: None,
        }
    }

    fn completed(parts: &http::request::Parts, ctx: &RequestCtx) -> Completed {
        let mut response_headers = HeaderMap::new();
        response_headers.insert("content-type", HeaderValue::from_static("application/json"));
        response_headers.insert("server", HeaderValue::from_static("nginx"));
        Completed {
            time: ctx.time,
            peer: ctx.peer,
            client: ctx.client,
            scheme: ctx.scheme,
            version: parts.version,
            method: parts.method.clone(),
            uri: parts.uri.clone(),
            host: ctx.host.clone(),
            request_headers: parts.headers.clone(),
            status: Some(StatusCode::OK),
            response_headers,
            request_body: BodySample {
                bytes: b"a=1".to_vec(),
                size: 3,
                truncated: false,
                complete: true,
            },
            response_body: BodySample {
                bytes: b"{\"id\":1}".to_vec(),
                size: 8,
                truncated: false,
                complete: true,
            },
            duration: Duration::from_micros(750),
            outcome: Outcome::Proxied,
            upstream_server: Some(http::uri::Authority::from_static("127.0.0.1:9000")),
        }
    }

    #[test]
    fn the_finished_head_is_the_exchange_built_from_the_record() {
        for (method, target) in [
            (Method::GET, "/api/v1/users/7?expand=1&x=%40"),
            (Method::POST, "/login"),
            (Method::GET, "/search?"),
            (Method::from_bytes(b"purge").unwrap(), "/cache/item"),
        ] {
            let (parts, ()) = Request::builder()
                .method(method)
                .uri(target)
                .header("Host", "api.test")
                .header("User-Agent", "curl/8")
                .header("X-Api-Key", "k-123")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "a")
                .header("accept", "b")
                .body(())
                .unwrap()
                .into_parts();
            let ctx = ctx();
            let head = head_exchange(&ctx, &parts);
            assert!(head.every_header);
            let record = completed(&parts, &ctx);
            assert_eq!(
                finish_exchange(&record, head.ex),
                build_exchange(&record),
                "{target}"
            );
        }
    }

    #[test]
    fn the_record_copies_request_headers_only_when_the_head_lacks_some() {
        let (parts, ()) = Request::builder()
            .uri("/")
            .header("user-agent", "curl/8")
            .body(())
            .unwrap()
            .into_parts();
        let mut c = ctx();
        assert!(
            c.needs_request_headers(),
            "no head judged: the record needs them"
        );
        c.head = Some(Box::new(head_exchange(&c, &parts)));
        assert!(!c.needs_request_headers(), "the head holds every header");
        let (odd, ()) = Request::builder()
            .uri("/")
            .header("x-odd", HeaderValue::from_bytes(b"caf\xe9").unwrap())
            .body(())
            .unwrap()
            .into_parts();
        c.head = Some(Box::new(head_exchange(&c, &odd)));
        assert!(
            c.needs_request_headers(),
            "a header the head could not hold"
        );
    }

    #[test]
    fn a_header_that_is_not_text_is_noticed() {
        let (parts, ()) = Request::builder()
            .uri("/")
            .header("x-odd", HeaderValue::from_bytes(b"caf\xe9").unwrap())
            .body(())
            .unwrap()
            .into_parts();
        let head = head_exchange(&ctx(), &parts);
        assert!(!head.every_header);
        assert!(head.ex.request_headers.get("x-odd").is_none());
    }
}
