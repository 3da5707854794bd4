//! "Acme", the sample API: a mobile operator and retail shop on `api.acme.example`, its mobile
//! twin on `m.acme.example`, a partner API, a forgotten test API and the shop's pages.
//!
//! | method | path | answers |
//! |---|---|---|
//! | GET | `/`, `/products/<slug>.html`, `/login.html`, `/account.html`, `/cart.html`, `/switch.html` | pages |
//! | GET | `/static/app.js`, `/static/app.css`, `/favicon.ico`, `/robots.txt`, `/sitemap.xml` | assets |
//! | GET | `/api/v1/health` | `{"status":"ok"}` |
//! | POST | `/api/v1/auth/login` | 200 with a `sid` cookie and a JWT, or 401 `{"error":"invalid credentials"}` |
//! | GET | `/api/v1/users/{id}`, `/api/v1/users/{id}/orders`, `/api/v1/orders/{id}` | the signed-in customer's own data (email, phone, address) |
//! | GET | `/api/v1/products`, `/api/v1/products/{sku}` | catalogue |
//! | GET | `/api/v1/inventory?zip=NNNNN&sku=SKU-NNNN` | stock in stores near a ZIP |
//! | GET | `/api/v1/numbers/{msisdn}/portability` | whether a number can be ported in, its carrier |
//! | POST | `/api/v1/payments/checkout` | guest or signed-in checkout |
//! | POST | `/api/v1/payments/applepay/session` | the (shadow) Apple Pay merchant session |
//! | GET | `m.acme.example/mobile/v1/products[/{sku}]`, `/mobile/v1/inventory` | the mobile twin |
//! | POST | `/partner/v1/auth/login` | partner sign-in on a customer's behalf (needs `x-api-key`) |
//! | GET | `/partner/v1/accounts/{id}/summary` | the account summary (needs the partner token) |
//! | GET | `/test/api/users/{id}` | the exposed test API: no authentication, live customer data |
//!
//! The server is a pure function of the request and the session the generator says it holds
//! ([`Auth`]); generators force 429/403 answers where a defender pushes back.

use std::net::IpAddr;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rampart_core::Headers;
use rand::rngs::SmallRng;
use rand::Rng;
use serde_json::{json, Value};

use super::catalog::{self, LAUNCH_SKU};
use super::cookies::{new_sid, SESSION_COOKIE};
use super::timing::lognormal;

/// The web and API host.
pub(crate) const WEB_HOST: &str = "api.acme.example";
/// The mobile twin's host.
pub(crate) const MOBILE_HOST: &str = "m.acme.example";

/// What the server knows about the request's session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    /// No valid session or token.
    Anonymous,
    /// Signed in as this customer (session cookie, app token or partner token).
    User(u64),
}

/// One request as a generator sends it.
#[derive(Debug, Clone)]
pub(crate) struct Req {
    pub(crate) time: i64,
    pub(crate) ip: IpAddr,
    pub(crate) country: &'static str,
    pub(crate) method: &'static str,
    pub(crate) host: &'static str,
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    pub(crate) headers: Headers,
    /// A JSON body.
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) auth: Auth,
    /// An answer a defence imposes (429, 403) instead of the API's own.
    pub(crate) force: Option<u16>,
}

/// The server's answer.
#[derive(Debug, Clone)]
pub(crate) struct Resp {
    pub(crate) status: u16,
    pub(crate) headers: Headers,
    /// A JSON body (its content type is in the headers).
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) size: u64,
    pub(crate) duration_ms: f64,
    /// The customer a sign-in succeeded for.
    pub(crate) user: Option<u64>,
    /// A new session id set by the answer.
    pub(crate) sid: Option<String>,
    /// A token issued by the answer.
    pub(crate) token: Option<String>,
}

impl Resp {
    fn json(status: u16, v: &Value, base_ms: f64, rng: &mut SmallRng) -> Self {
        let body = serde_json::to_vec(v).unwrap_or_default();
        let mut headers = Headers::new();
        headers.push("content-type", "application/json; charset=utf-8");
        headers.push("cache-control", "no-store");
        Self {
            status,
            headers,
            size: body.len() as u64,
            body: Some(body),
            duration_ms: latency(base_ms, rng),
            user: None,
            sid: None,
            token: None,
        }
    }

    fn error(status: u16, message: &str, base_ms: f64, rng: &mut SmallRng) -> Self {
        Self::json(status, &json!({ "error": message }), base_ms, rng)
    }

    fn asset(status: u16, content_type: &str, size: u64, base_ms: f64, rng: &mut SmallRng) -> Self {
        let mut headers = Headers::new();
        headers.push("content-type", content_type);
        if content_type.starts_with("text/html") {
            headers.push("cache-control", "no-cache");
        } else {
            headers.push("cache-control", "public, max-age=31536000, immutable");
        }
        Self {
            status,
            headers,
            body: None,
            size,
            duration_ms: latency(base_ms, rng),
            user: None,
            sid: None,
            token: None,
        }
    }

    /// Whether the answer is 2xx.
    pub(crate) fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

fn latency(base_ms: f64, rng: &mut SmallRng) -> f64 {
    (lognormal(rng, base_ms, 0.45, base_ms * 0.2, base_ms * 12.0) * 1000.0).round() / 1000.0
}

/// A query parameter's raw value.
pub(crate) fn param<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?.split('&').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k == name).then_some(v)
    })
}

fn looks_like_traversal(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.contains("/..")
        || lower.contains("%2e%2e")
        || lower.contains("..%2f")
        || lower.contains("%252e")
}

/// An RS256-shaped access token for customer `user`, issued at `iat` (Unix seconds), valid for
/// `ttl` seconds; the signature is random bytes.
pub(crate) fn jwt(user: u64, iat: i64, ttl: i64, scope: &str, rng: &mut SmallRng) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT","kid":"acme-2026-01"}"#);
    let claims = json!({
        "sub": user.to_string(),
        "iss": "https://auth.acme.example/",
        "aud": WEB_HOST,
        "iat": iat,
        "exp": iat + ttl,
        "scope": scope,
    });
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signature: Vec<u8> = (0..256).map(|_| rng.random()).collect();
    format!("{header}.{payload}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// Answers a request.
pub(crate) fn serve(req: &Req, rng: &mut SmallRng) -> Resp {
    if let Some(status) = req.force {
        let mut r = Resp::error(
            status,
            if status == 429 {
                "too many requests"
            } else {
                "forbidden"
            },
            3.0,
            rng,
        );
        if status == 429 {
            r.headers.push("retry-after", "30");
        }
        return r;
    }
    if looks_like_traversal(&req.path) {
        return Resp::asset(400, "text/html", 150, 1.0, rng);
    }
    let segs: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
    if req.host == MOBILE_HOST {
        return match (req.method, segs.as_slice()) {
            ("GET", ["mobile", "v1", "products"]) => products(req, rng),
            ("GET", ["mobile", "v1", "products", sku]) => product(sku, rng),
            ("GET", ["mobile", "v1", "inventory"]) => inventory(req, rng),
            _ => Resp::error(404, "not found", 2.0, rng),
        };
    }
    match (req.method, segs.as_slice()) {
        ("GET", [""]) => Resp::asset(200, "text/html; charset=utf-8", 48_211, 25.0, rng),
        ("GET", ["products", page]) if page.ends_with(".html") => {
            let known = page.starts_with("acme-") || page.starts_with("air-acme");
            if known {
                Resp::asset(
                    200,
                    "text/html; charset=utf-8",
                    61_000 + rng.random_range(0..9_000),
                    30.0,
                    rng,
                )
            } else {
                Resp::asset(404, "text/html; charset=utf-8", 1_245, 4.0, rng)
            }
        }
        ("GET", [page])
            if matches!(
                *page,
                "login.html" | "account.html" | "cart.html" | "switch.html"
            ) =>
        {
            Resp::asset(
                200,
                "text/html; charset=utf-8",
                22_000 + rng.random_range(0..4_000),
                18.0,
                rng,
            )
        }
        ("GET", ["static", "app.js"]) => {
            Resp::asset(200, "application/javascript", 412_377, 6.0, rng)
        }
        ("GET", ["static", "app.css"]) => Resp::asset(200, "text/css", 68_904, 4.0, rng),
        ("GET", ["favicon.ico"]) => Resp::asset(200, "image/x-icon", 15_086, 2.0, rng),
        ("GET", ["robots.txt"]) => Resp::asset(200, "text/plain", 312, 1.0, rng),
        ("GET", ["sitemap.xml"]) => Resp::asset(200, "application/xml", 88_410, 9.0, rng),
        ("GET", [".git", "config"]) => Resp::asset(403, "text/html", 162, 1.0, rng),
        ("GET" | "HEAD", ["api", "v1", "health"]) => {
            Resp::json(200, &json!({"status": "ok"}), 1.5, rng)
        }
        ("POST", ["api", "v1", "auth", "login"]) => login(req, false, rng),
        ("GET", ["api", "v1", "users", id]) => own(req, id, rng, |uid| profile(uid, false)),
        ("GET", ["api", "v1", "users", id, "orders"]) => own(req, id, rng, orders),
        ("GET", ["api", "v1", "orders", id]) => order(req, id, rng),
        ("GET", ["api", "v1", "products"]) => products(req, rng),
        ("GET", ["api", "v1", "products", sku]) => product(sku, rng),
        ("GET", ["api", "v1", "inventory"]) => inventory(req, rng),
        ("GET", ["api", "v1", "numbers", n, "portability"]) => portability(n, rng),
        ("POST", ["api", "v1", "payments", "checkout"]) => checkout(req, rng),
        ("POST", ["api", "v1", "payments", "applepay", "session"]) => applepay(rng),
        ("POST", ["partner", "v1", "auth", "login"]) => login(req, true, rng),
        ("GET", ["partner", "v1", "accounts", id, "summary"]) => summary(req, id, rng),
        ("GET", ["test", "api", "users", id]) => match id.parse::<u64>() {
            Ok(uid) if catalog::user_exists(uid) => Resp::json(200, &profile(uid, true), 12.0, rng),
            _ => Resp::error(404, "user not found", 8.0, rng),
        },
        _ if req.path.starts_with("/api/") || req.path.starts_with("/partner/") => {
            Resp::error(404, "not found", 2.0, rng)
        }
        _ => Resp::asset(404, "text/html; charset=utf-8", 1_245, 1.5, rng),
    }
}

fn login(req: &Req, partner: bool, rng: &mut SmallRng) -> Resp {
    if partner {
        let key = req.headers.get("x-api-key").unwrap_or("");
        if !(key.starts_with("pk_live_") || key.starts_with("pk_dev_")) {
            return Resp::error(401, "invalid api key", 3.0, rng);
        }
    }
    let parsed: Option<(String, String)> = req
        .body
        .as_deref()
        .and_then(|b| serde_json::from_slice::<Value>(b).ok())
        .and_then(|v| {
            Some((
                v.get("username")?.as_str()?.to_owned(),
                v.get("password")?.as_str()?.to_owned(),
            ))
        });
    let Some((user, pass)) = parsed else {
        return Resp::error(400, "invalid request", 4.0, rng);
    };
    // Password hashing makes sign-in the slowest call, success or not.
    let base = 190.0;
    match catalog::user_by_login(&user).filter(|&id| catalog::password(id) == pass) {
        Some(id) => {
            let scope = if partner {
                "partner:accounts.read"
            } else {
                "openid profile orders"
            };
            let token = jwt(id, req.time.div_euclid(1000), 3600, scope, rng);
            let mut r = Resp::json(
                200,
                &json!({
                    "user_id": id,
                    "token": token,
                    "token_type": "Bearer",
                    "expires_in": 3600,
                }),
                base,
                rng,
            );
            if !partner {
                let sid = new_sid(rng);
                r.headers.push(
                    "set-cookie",
                    format!("{SESSION_COOKIE}={sid}; Path=/; Secure; HttpOnly; SameSite=Lax"),
                );
                r.sid = Some(sid);
            }
            r.user = Some(id);
            r.token = Some(token);
            r
        }
        None => Resp::error(401, "invalid credentials", base, rng),
    }
}

fn own(req: &Req, id: &str, rng: &mut SmallRng, f: fn(u64) -> Value) -> Resp {
    let Ok(id) = id.parse::<u64>() else {
        return Resp::error(400, "invalid id", 2.0, rng);
    };
    match req.auth {
        Auth::Anonymous => Resp::error(401, "authentication required", 2.0, rng),
        Auth::User(u) if u == id => Resp::json(200, &f(id), 28.0, rng),
        Auth::User(_) => Resp::error(403, "forbidden", 3.0, rng),
    }
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

const PLANS: [&str; 4] = [
    "Unlimited Plus",
    "Unlimited Starter",
    "Prepaid 15GB",
    "Family Share",
];
const ORDER_STATES: [&str; 3] = ["delivered", "shipped", "processing"];

/// A customer's profile; the test API leaks more of it.
fn profile(id: u64, test_api: bool) -> Value {
    let (first, last) = catalog::name(id);
    let zip = catalog::zip(id % catalog::ZIPS);
    let mut v = json!({
        "id": id,
        "first_name": cap(first),
        "last_name": cap(last),
        "email": catalog::email(id),
        "phone": catalog::msisdn(id),
        "address": {
            "street": format!("{} {} St", 10 + id % 9_000, cap(catalog::name(id / 7 + 3).1)),
            "zip": zip,
            "country": "US",
        },
        "plan": PLANS[(id % 4) as usize],
        "member_since": format!("{}-{:02}-{:02}", 2012 + id % 13, 1 + id % 12, 1 + id % 28),
    });
    if test_api {
        if let Some(o) = v.as_object_mut() {
            o.insert(
                "date_of_birth".into(),
                json!(format!(
                    "{}-{:02}-{:02}",
                    1950 + id % 50,
                    1 + id % 12,
                    1 + id % 27
                )),
            );
            o.insert("ssn_last4".into(), json!(format!("{:04}", id * 7 % 10_000)));
            o.insert(
                "account_pin".into(),
                json!(format!("{:04}", id * 13 % 10_000)),
            );
            o.insert(
                "imsi".into(),
                json!(format!("310260{:09}", id * 31 % 1_000_000_000)),
            );
        }
    }
    v
}

fn orders(id: u64) -> Value {
    let n = 1 + id % 4;
    let list: Vec<Value> = (0..n)
        .map(|k| {
            let item = (id + k * 17) % catalog::SKUS;
            json!({
                "order_id": id * 10 + k,
                "sku": catalog::sku(item),
                "total_cents": catalog::price_cents(item),
                "status": ORDER_STATES[(k % 3) as usize],
            })
        })
        .collect();
    json!({ "user_id": id, "orders": list })
}

fn order(req: &Req, id: &str, rng: &mut SmallRng) -> Resp {
    let Ok(oid) = id.parse::<u64>() else {
        return Resp::error(400, "invalid id", 2.0, rng);
    };
    match req.auth {
        Auth::Anonymous => Resp::error(401, "authentication required", 2.0, rng),
        Auth::User(u) if oid / 10 == u && oid % 10 < 1 + u % 4 => {
            let item = (u + (oid % 10) * 17) % catalog::SKUS;
            Resp::json(
                200,
                &json!({
                    "order_id": oid,
                    "user_id": u,
                    "items": [{"sku": catalog::sku(item), "qty": 1, "price_cents": catalog::price_cents(item)}],
                    "shipping": {"name": format!("{} {}", cap(catalog::name(u).0), cap(catalog::name(u).1)), "zip": catalog::zip(u % catalog::ZIPS)},
                    "payment": {"brand": "visa", "last4": format!("{:04}", u * 3 % 10_000)},
                }),
                35.0,
                rng,
            )
        }
        Auth::User(_) => Resp::error(404, "order not found", 4.0, rng),
    }
}

fn product_json(i: u64) -> Value {
    let (name, slug) = catalog::product(i);
    json!({
        "sku": if i == catalog::SKUS { LAUNCH_SKU.to_owned() } else { catalog::sku(i) },
        "name": name,
        "url": format!("/products/{slug}.html"),
        "price_cents": catalog::price_cents(i),
        "currency": "USD",
    })
}

fn products(req: &Req, rng: &mut SmallRng) -> Resp {
    let page: u64 = param(req.query.as_deref(), "page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .clamp(1, 30);
    let items: Vec<Value> = (0..12)
        .map(|k| product_json(((page - 1) * 12 + k) % catalog::SKUS))
        .collect();
    Resp::json(200, &json!({"page": page, "items": items}), 40.0, rng)
}

fn product(sku: &str, rng: &mut SmallRng) -> Resp {
    match catalog::sku_index(sku) {
        Some(i) => {
            let mut v = product_json(i);
            if let Some(o) = v.as_object_mut() {
                o.insert(
                    "in_stock".into(),
                    json!(i != catalog::SKUS || rng.random_bool(0.3)),
                );
                o.insert("rating".into(), json!(3.5 + (i % 15) as f64 / 10.0));
            }
            Resp::json(200, &v, 22.0, rng)
        }
        None => Resp::error(404, "product not found", 3.0, rng),
    }
}

fn inventory(req: &Req, rng: &mut SmallRng) -> Resp {
    let q = req.query.as_deref();
    let (Some(zip), Some(sku)) = (param(q, "zip"), param(q, "sku")) else {
        return Resp::error(400, "zip and sku are required", 3.0, rng);
    };
    if !catalog::zip_ok(zip) || catalog::sku_index(sku).is_none() {
        return Resp::error(400, "invalid zip or sku", 3.0, rng);
    }
    let seed = rampart_core::fast_hash(format!("{zip}{sku}").as_bytes());
    let stores: Vec<Value> = (0..1 + seed % 3)
        .map(|k| {
            json!({
                "store_id": 1000 + (seed >> (8 * k)) % 900,
                "distance_mi": ((seed >> (4 * k)) % 250) as f64 / 10.0,
                "quantity": (seed >> (6 * k)) % 14,
            })
        })
        .collect();
    Resp::json(
        200,
        &json!({"zip": zip, "sku": sku, "stores": stores}),
        55.0,
        rng,
    )
}

fn portability(msisdn: &str, rng: &mut SmallRng) -> Resp {
    match catalog::portability(msisdn) {
        Some((portable, carrier, account)) => Resp::json(
            200,
            &json!({
                "msisdn": msisdn,
                "portable": portable,
                "current_carrier": carrier,
                "account_type": account,
            }),
            110.0,
            rng,
        ),
        None => Resp::error(400, "invalid phone number", 3.0, rng),
    }
}

fn checkout(req: &Req, rng: &mut SmallRng) -> Resp {
    let body: Option<Value> = req
        .body
        .as_deref()
        .and_then(|b| serde_json::from_slice(b).ok());
    let Some(sku) = body
        .as_ref()
        .and_then(|b| b.get("sku"))
        .and_then(Value::as_str)
    else {
        return Resp::error(400, "invalid request", 4.0, rng);
    };
    if catalog::sku_index(sku).is_none() {
        return Resp::error(400, "unknown sku", 4.0, rng);
    }
    if sku == LAUNCH_SKU && rng.random_bool(0.92) {
        return Resp::error(409, "sold out", 60.0, rng);
    }
    if rng.random_bool(0.04) {
        return Resp::error(402, "payment declined", 420.0, rng);
    }
    Resp::json(
        200,
        &json!({"order_id": rng.random_range(10_000_000u64..99_999_999), "status": "confirmed"}),
        450.0,
        rng,
    )
}

fn applepay(rng: &mut SmallRng) -> Resp {
    let sig = crate::values::random_chars(
        rng,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        1_200,
    );
    let id = crate::values::random_chars(rng, b"0123456789ABCDEF", 64);
    Resp::json(
        200,
        &json!({
            "epochTimestamp": 1_772_553_600_000u64,
            "expiresAt": 1_772_557_200_000u64,
            "merchantSessionIdentifier": format!("SSH{id}"),
            "nonce": crate::values::random_chars(rng, b"0123456789abcdef", 8),
            "merchantIdentifier": "8C1D6A2F0E5B4C3D9A7E6F5B4C3D2E1F0A9B8C7D6E5F4A3B2C1D0E9F8A7B6C5D",
            "domainName": WEB_HOST,
            "displayName": "Acme",
            "signature": sig,
        }),
        240.0,
        rng,
    )
}

fn summary(req: &Req, id: &str, rng: &mut SmallRng) -> Resp {
    let Ok(id) = id.parse::<u64>() else {
        return Resp::error(400, "invalid id", 2.0, rng);
    };
    match req.auth {
        Auth::User(u) if u == id => {
            let (first, last) = catalog::name(id);
            Resp::json(
                200,
                &json!({
                    "account_id": id,
                    "holder": {"name": format!("{} {}", cap(first), cap(last)), "email": catalog::email(id)},
                    "balance_cents": id * 7_919 % 2_500_000,
                    "net_worth_cents": id * 104_729 % 90_000_000,
                    "retirement_cents": id * 15_485 % 40_000_000,
                    "linked_accounts": 1 + id % 5,
                }),
                75.0,
                rng,
            )
        }
        Auth::User(_) => Resp::error(403, "forbidden", 3.0, rng),
        Auth::Anonymous => Resp::error(401, "authentication required", 2.0, rng),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn req(method: &'static str, path: &str, body: Option<Value>, auth: Auth) -> Req {
        Req {
            time: 0,
            ip: "73.32.0.1".parse().unwrap(),
            country: "US",
            method,
            host: WEB_HOST,
            path: path.into(),
            query: None,
            headers: Headers::new(),
            body: body.map(|b| serde_json::to_vec(&b).unwrap()),
            auth,
            force: None,
        }
    }

    #[test]
    fn login_answers_per_the_contract() {
        let mut rng = SmallRng::seed_from_u64(1);
        let id = (1..100).find(|&i| catalog::user_exists(i)).unwrap();
        let ok = serve(
            &req(
                "POST",
                "/api/v1/auth/login",
                Some(json!({"username": catalog::email(id), "password": catalog::password(id)})),
                Auth::Anonymous,
            ),
            &mut rng,
        );
        assert_eq!(ok.status, 200);
        assert!(ok.headers.get("set-cookie").unwrap().starts_with("sid="));
        assert!(ok.token.is_some() && ok.user == Some(id));
        let bad = serve(
            &req(
                "POST",
                "/api/v1/auth/login",
                Some(json!({"username": catalog::email(id), "password": "nope"})),
                Auth::Anonymous,
            ),
            &mut rng,
        );
        assert_eq!(bad.status, 401);
        assert_eq!(
            bad.body.as_deref(),
            Some(&br#"{"error":"invalid credentials"}"#[..])
        );
    }

    #[test]
    fn private_data_needs_the_owner_but_the_test_api_does_not() {
        let mut rng = SmallRng::seed_from_u64(2);
        let id = (1..100).find(|&i| catalog::user_exists(i)).unwrap();
        let path = format!("/api/v1/users/{id}");
        assert_eq!(
            serve(&req("GET", &path, None, Auth::Anonymous), &mut rng).status,
            401
        );
        assert_eq!(
            serve(&req("GET", &path, None, Auth::User(id + 1)), &mut rng).status,
            403
        );
        let mine = serve(&req("GET", &path, None, Auth::User(id)), &mut rng);
        assert_eq!(mine.status, 200);
        let text = String::from_utf8(mine.body.unwrap()).unwrap();
        assert!(text.contains(&catalog::email(id)) && text.contains("\"phone\":\"+1"));
        let leaked = serve(
            &req(
                "GET",
                &format!("/test/api/users/{id}"),
                None,
                Auth::Anonymous,
            ),
            &mut rng,
        );
        assert_eq!(leaked.status, 200);
        let missing = (1..100).find(|&i| !catalog::user_exists(i)).unwrap();
        let gone = serve(
            &req(
                "GET",
                &format!("/test/api/users/{missing}"),
                None,
                Auth::Anonymous,
            ),
            &mut rng,
        );
        assert_eq!(gone.status, 404);
        assert_eq!(
            serve(
                &req("GET", "/../../etc/passwd", None, Auth::Anonymous),
                &mut rng
            )
            .status,
            400
        );
    }
}
