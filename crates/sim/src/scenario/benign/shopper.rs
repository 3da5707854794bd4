//! A person shopping in a browser: pages first, then the APIs those pages call, with human think
//! times; sometimes a sign-in (with a mistyped password or three), the account pages, a
//! checkout, a port-in check of their own number.

use std::net::IpAddr;

use rand::rngs::SmallRng;
use rand::Rng;
use serde_json::json;

use crate::scenario::acme::{Auth, WEB_HOST};
use crate::scenario::actor::Recorder;
use crate::scenario::agents::Fetch;
use crate::scenario::catalog::{self, SKUS};
use crate::scenario::client::{url, Client};
use crate::scenario::cookies::new_sid;
use crate::scenario::timing::{between, lognormal, think_ms};

/// Share of product views that check stock in nearby stores.
const INVENTORY_CHECK: f64 = 0.08;
/// Share of product views on the launch sneaker (people waiting for the drop).
const LAUNCH_INTEREST: f64 = 0.05;

/// A shopper: their account, browser and addresses.
pub(crate) struct Shopper {
    pub(crate) user: u64,
    pub(crate) client: Client,
    /// Home address and, for phones, the carrier address some sessions come from.
    pub(crate) home: (IpAddr, &'static str),
    pub(crate) away: Option<(IpAddr, &'static str)>,
}

/// One visit.
pub(crate) struct Visit {
    pub(crate) start: i64,
    /// Still signed in from an earlier visit.
    pub(crate) signed_in: bool,
    /// Will sign in during the visit if not yet.
    pub(crate) wants_login: bool,
    /// Wrong passwords typed before the right one.
    pub(crate) typos: u8,
}

/// A popular catalogue item: a skewed pick, or the launch sneaker.
pub(crate) fn pick_product(rng: &mut SmallRng) -> u64 {
    if rng.random_bool(LAUNCH_INTEREST) {
        return SKUS;
    }
    let u: f64 = rng.random();
    ((SKUS as f64) * u.powf(2.5)) as u64 % SKUS
}

/// A mistyped version of a password.
fn mistype(pw: &str, rng: &mut SmallRng) -> String {
    match rng.random_range(0..4) {
        0 => pw[..pw.len().saturating_sub(1)].to_owned(),
        1 => format!("{pw}{}", rng.random_range(0..10)),
        2 => {
            let mut c = pw.chars();
            match c.next() {
                Some(f) if f.is_ascii_uppercase() => {
                    f.to_ascii_lowercase().to_string() + c.as_str()
                }
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => "x".into(),
            }
        }
        _ => pw.replacen(|c: char| c.is_ascii_digit(), "0", 1) + "!",
    }
}

/// Loads a page: the document, then (on the first page of a visit) its assets.
fn page(
    rec: &mut Recorder<'_>,
    rng: &mut SmallRng,
    c: &Client,
    t: i64,
    path: &str,
    referer: Option<&str>,
    first: bool,
) {
    rec.send(c.fetch(t, path, Fetch::Document, referer));
    if first {
        let here = url(path);
        rec.send(c.fetch(
            t + between(rng, 25, 70),
            "/static/app.css",
            Fetch::Style,
            Some(&here),
        ));
        rec.send(c.fetch(
            t + between(rng, 30, 110),
            "/static/app.js",
            Fetch::Script,
            Some(&here),
        ));
        rec.send(c.fetch(
            t + between(rng, 300, 900),
            "/favicon.ico",
            Fetch::Image,
            Some(&here),
        ));
    }
}

/// Runs one visit; returns the time of its last request.
pub(crate) fn visit(rec: &mut Recorder<'_>, rng: &mut SmallRng, s: &mut Shopper, v: Visit) -> i64 {
    let (ip, country) = match s.away {
        Some(away) if rng.random_bool(0.5) => away,
        _ => s.home,
    };
    s.client.ip = ip;
    s.client.country = country;
    if let Some(jar) = s.client.jar.as_mut() {
        jar.set_sid(new_sid(rng));
    }
    s.client.auth = if v.signed_in {
        Auth::User(s.user)
    } else {
        Auth::Anonymous
    };
    let pages = lognormal(rng, 6.0, 0.6, 2.0, 25.0) as usize;
    // Few visits buy anything; those that do go to the cart more than once.
    let p_cart = if rng.random_bool(0.06) { 0.12 } else { 0.004 };
    let mut t = v.start;
    let mut here: Option<String> = None;
    let mut signed_in = v.signed_in;
    for i in 0..pages {
        if t >= rec.end_ms() {
            break;
        }
        let first = i == 0;
        let r: f64 = rng.random();
        let referer = here.as_deref().map(url);
        let path: String = if first {
            if r < 0.55 {
                home(rec, rng, s, t, referer.as_deref(), true)
            } else {
                product_page(rec, rng, s, t, referer.as_deref(), true)
            }
        } else if !signed_in && v.wants_login && (r < 0.35 || i + 1 == pages) {
            signed_in = sign_in(rec, rng, s, &mut t, referer.as_deref(), v.typos);
            "/account.html".into()
        } else if r < 0.10 {
            if signed_in {
                account(rec, rng, s, t, referer.as_deref())
            } else {
                product_page(rec, rng, s, t, referer.as_deref(), false)
            }
        } else if r < 0.10 + p_cart {
            cart(rec, rng, s, t, referer.as_deref())
        } else if r < 0.28 + p_cart {
            home(rec, rng, s, t, referer.as_deref(), false)
        } else if r < 0.292 + p_cart {
            switch(rec, rng, s, t, referer.as_deref())
        } else {
            product_page(rec, rng, s, t, referer.as_deref(), false)
        };
        here = Some(path);
        t += think_ms(rng);
    }
    t
}

fn xhr_at(rng: &mut SmallRng, t: i64) -> i64 {
    t + between(rng, 350, 1_400)
}

fn home(
    rec: &mut Recorder<'_>,
    rng: &mut SmallRng,
    s: &Shopper,
    t: i64,
    referer: Option<&str>,
    first: bool,
) -> String {
    page(rec, rng, &s.client, t, "/", referer, first);
    let p = rng.random_range(1..=4);
    rec.send(s.client.api_get(
        xhr_at(rng, t),
        WEB_HOST,
        &format!("/api/v1/products?page={p}"),
        Some(&url("/")),
    ));
    "/".into()
}

fn product_page(
    rec: &mut Recorder<'_>,
    rng: &mut SmallRng,
    s: &Shopper,
    t: i64,
    referer: Option<&str>,
    first: bool,
) -> String {
    let i = pick_product(rng);
    let (_, slug) = catalog::product(i);
    let path = format!("/products/{slug}.html");
    page(rec, rng, &s.client, t, &path, referer, first);
    let here = url(&path);
    let sku = catalog::sku_of(i);
    let t1 = xhr_at(rng, t);
    rec.send(s.client.api_get(
        t1,
        WEB_HOST,
        &format!("/api/v1/products/{sku}"),
        Some(&here),
    ));
    if rng.random_bool(INVENTORY_CHECK) {
        let zip = catalog::zip(s.user % catalog::ZIPS);
        let t2 = t1 + think_ms(rng) / 4;
        rec.send(s.client.api_get(
            t2,
            WEB_HOST,
            &format!("/api/v1/inventory?zip={zip}&sku={sku}"),
            Some(&here),
        ));
    }
    path
}

/// Signs in, after `typos` wrong passwords; advances `t`. Returns whether it worked.
fn sign_in(
    rec: &mut Recorder<'_>,
    rng: &mut SmallRng,
    s: &mut Shopper,
    t: &mut i64,
    referer: Option<&str>,
    typos: u8,
) -> bool {
    page(rec, rng, &s.client, *t, "/login.html", referer, false);
    let here = url("/login.html");
    let pw = catalog::password(s.user);
    let email = catalog::email(s.user);
    *t += (lognormal(rng, 9.0, 0.4, 3.0, 40.0) * 1000.0) as i64;
    for _ in 0..typos {
        let body = json!({"username": email, "password": mistype(&pw, rng)});
        rec.send(
            s.client
                .api_post(*t, WEB_HOST, "/api/v1/auth/login", &body, Some(&here)),
        );
        *t += (lognormal(rng, 7.0, 0.5, 2.0, 60.0) * 1000.0) as i64;
    }
    let body = json!({"username": email, "password": pw});
    let Some(resp) =
        rec.send(
            s.client
                .api_post(*t, WEB_HOST, "/api/v1/auth/login", &body, Some(&here)),
        )
    else {
        return false;
    };
    if !resp.ok() {
        return false;
    }
    if let (Some(jar), Some(sid)) = (s.client.jar.as_mut(), resp.sid) {
        jar.set_sid(sid);
    }
    s.client.auth = Auth::User(s.user);
    *t += between(rng, 150, 600);
    account(rec, rng, s, *t, Some(&here));
    true
}

fn account(
    rec: &mut Recorder<'_>,
    rng: &mut SmallRng,
    s: &Shopper,
    t: i64,
    referer: Option<&str>,
) -> String {
    page(rec, rng, &s.client, t, "/account.html", referer, false);
    let here = url("/account.html");
    let t1 = xhr_at(rng, t);
    rec.send(s.client.api_get(
        t1,
        WEB_HOST,
        &format!("/api/v1/users/{}", s.user),
        Some(&here),
    ));
    let t2 = t1 + between(rng, 40, 300);
    rec.send(s.client.api_get(
        t2,
        WEB_HOST,
        &format!("/api/v1/users/{}/orders", s.user),
        Some(&here),
    ));
    if rng.random_bool(0.4) {
        let oid = s.user * 10 + rng.random_range(0..1 + s.user % 4);
        let t3 = t2 + think_ms(rng) / 2;
        rec.send(
            s.client
                .api_get(t3, WEB_HOST, &format!("/api/v1/orders/{oid}"), Some(&here)),
        );
    }
    "/account.html".into()
}

fn cart(
    rec: &mut Recorder<'_>,
    rng: &mut SmallRng,
    s: &Shopper,
    t: i64,
    referer: Option<&str>,
) -> String {
    page(rec, rng, &s.client, t, "/cart.html", referer, false);
    let here = url("/cart.html");
    let i = pick_product(rng);
    let mut t1 = t + (lognormal(rng, 25.0, 0.6, 5.0, 240.0) * 1000.0) as i64;
    let apple = s.client.agent.is_ios_safari() && rng.random_bool(0.4);
    if apple {
        let body = json!({
            "validationURL": "https://apple-pay-gateway.apple.com/paymentservices/startSession",
            "domainName": WEB_HOST,
            "displayName": "Acme",
        });
        rec.send(s.client.api_post(
            t1,
            WEB_HOST,
            "/api/v1/payments/applepay/session",
            &body,
            Some(&here),
        ));
        t1 += (lognormal(rng, 6.0, 0.5, 2.0, 40.0) * 1000.0) as i64;
    }
    let body = json!({
        "sku": catalog::sku_of(i),
        "qty": 1,
        "email": catalog::email(s.user),
        "shipping_zip": catalog::zip(s.user % catalog::ZIPS),
        "payment_method": if apple { "apple_pay" } else { "card" },
        "payment_token": format!("tok_{}", crate::values::random_chars(rng, b"0123456789abcdefghijklmnopqrstuvwxyz", 24)),
    });
    rec.send(s.client.api_post(
        t1,
        WEB_HOST,
        "/api/v1/payments/checkout",
        &body,
        Some(&here),
    ));
    "/cart.html".into()
}

fn switch(
    rec: &mut Recorder<'_>,
    rng: &mut SmallRng,
    s: &Shopper,
    t: i64,
    referer: Option<&str>,
) -> String {
    page(rec, rng, &s.client, t, "/switch.html", referer, false);
    let here = url("/switch.html");
    let n = catalog::msisdn(s.user);
    let t1 = t + (lognormal(rng, 12.0, 0.5, 3.0, 90.0) * 1000.0) as i64;
    rec.send(s.client.api_get(
        t1,
        WEB_HOST,
        &format!("/api/v1/numbers/{n}/portability"),
        Some(&here),
    ));
    if rng.random_bool(0.3) {
        // A family member's line too.
        let other = catalog::msisdn(s.user + 1);
        let t2 = t1 + (lognormal(rng, 15.0, 0.5, 3.0, 90.0) * 1000.0) as i64;
        rec.send(s.client.api_get(
            t2,
            WEB_HOST,
            &format!("/api/v1/numbers/{other}/portability"),
            Some(&here),
        ));
    }
    "/switch.html".into()
}
