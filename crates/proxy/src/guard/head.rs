//! What is known of a request before it is answered: its head as an [`Exchange`], and the
//! policy's [`RequestFacts`] filled from it, the inventory and the actors index.

use rampart_core::auth::identify;
use rampart_core::{Exchange, KeyedHasher};
use rampart_defend::{InventoryFacts, RequestFacts};

use crate::phases::RequestCtx;

/// The request head as an exchange: time, client (after trusted-proxy handling), method,
/// scheme, host, path, query and headers; no status or body yet.
pub(crate) fn head_exchange(ctx: &RequestCtx, req: &http::request::Parts) -> Exchange {
    let mut ex = Exchange {
        time: ctx.time,
        client: Some(ctx.client),
        method: req.method.as_str().to_owned(),
        scheme: Some(ctx.scheme.as_str().to_owned()),
        host: ctx.host.clone(),
        path: req.uri.path().to_owned(),
        query: req.uri.query().filter(|q| !q.is_empty()).map(str::to_owned),
        ..Exchange::default()
    };
    for (name, value) in &req.headers {
        if let Ok(v) = value.to_str() {
            ex.request_headers.push(name.as_str(), v);
        }
    }
    ex
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
) -> RequestFacts {
    let mut facts = RequestFacts::from_exchange(ex);
    let id = identify(ex, hasher);
    facts.session = id.session.map(|t| t.to_string());
    facts.principal = id.principal.map(|t| t.to_string());
    facts.credentials = id.has_credential;
    facts.fingerprint = Some(rampart_engine::Engine::fingerprint(ex));
    facts.endpoint = endpoint.template;
    facts.inventory = endpoint.inventory;
    facts
}
