//! The sample API's data, computed from ids rather than stored: customers (profile, phone
//! number, password), products and SKUs, store ZIP codes and phone-number portability.
//!
//! Everything is a pure function of an id, so the server answers consistently without keeping
//! a table, and generators can pick real customers, valid SKUs or leaked passwords.

use rampart_core::fast_hash;

use crate::words::{EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES};

/// Highest customer id; about 62 % of the ids up to it exist.
pub(crate) const USERS_MAX: u64 = 250_000;
/// Products in the catalogue (besides the launch sneaker).
pub(crate) const SKUS: u64 = 330;
/// ZIP codes with stores.
pub(crate) const ZIPS: u64 = 3_000;
/// The sneaker of the launch.
pub(crate) const LAUNCH_SKU: &str = "SKU-7777";

fn h(domain: &str, id: u64) -> u64 {
    let mut buf = Vec::with_capacity(domain.len() + 8);
    buf.extend_from_slice(domain.as_bytes());
    buf.extend_from_slice(&id.to_le_bytes());
    fast_hash(&buf)
}

fn pick<'a>(list: &[&'a str], x: u64) -> &'a str {
    list.get((x % list.len().max(1) as u64) as usize)
        .copied()
        .unwrap_or("x")
}

/// Whether customer `id` exists.
pub(crate) fn user_exists(id: u64) -> bool {
    (1..=USERS_MAX).contains(&id) && h("user", id) % 100 < 62
}

/// A customer's first and last name.
pub(crate) fn name(id: u64) -> (&'static str, &'static str) {
    let x = h("name", id);
    (pick(FIRST_NAMES, x), pick(LAST_NAMES, x >> 20))
}

/// A customer's e-mail, which is also the sign-in name: `first.last<id>@domain`.
pub(crate) fn email(id: u64) -> String {
    let (f, l) = name(id);
    format!(
        "{}.{}{id}@{}",
        f.to_ascii_lowercase(),
        l.to_ascii_lowercase(),
        pick(EMAIL_DOMAINS, h("mail", id))
    )
}

/// A customer's password.
pub(crate) fn password(id: u64) -> String {
    let x = h("pw", id);
    let words = [
        "Sunshine", "Dragon", "Mustang", "Shadow", "Soccer", "Hunter", "Tigger", "Charlie",
        "Summer", "Winter", "Jordan", "Pepper", "Ginger", "Maggie", "Cowboys", "Yankees",
    ];
    let syms = ["!", "#", "$", "", "?", "1"];
    format!(
        "{}{}{}",
        pick(&words, x),
        x % 9_000 / 9 + 10,
        pick(&syms, x >> 32)
    )
}

/// The customer id a sign-in name belongs to, if it is a customer's e-mail.
pub(crate) fn user_by_login(login: &str) -> Option<u64> {
    let local = login.split('@').next()?;
    let digits: String = local
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let id: u64 = digits.parse().ok()?;
    (user_exists(id) && email(id) == login).then_some(id)
}

/// A customer's mobile number, `+1` and ten digits.
pub(crate) fn msisdn(id: u64) -> String {
    let x = h("msisdn", id);
    format!("+1{}{:07}", 201 + x % 780, (x >> 16) % 10_000_000)
}

/// Whether a number can be ported in, and from which carrier.
pub(crate) fn portability(msisdn: &str) -> Option<(bool, &'static str, &'static str)> {
    let digits = msisdn.strip_prefix('+')?;
    if digits.len() != 11 || !digits.starts_with('1') || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let x = fast_hash(digits.as_bytes());
    let carrier = pick(
        &[
            "Verizon Wireless",
            "AT&T Mobility",
            "T-Mobile USA",
            "US Cellular",
            "Visible",
            "Mint Mobile",
        ],
        x,
    );
    let account = pick(&["postpaid", "postpaid", "prepaid", "business"], x >> 8);
    Some((x % 5 < 3, carrier, account))
}

/// The SKU of catalogue item `i` (`SKU-1000` ...).
pub(crate) fn sku(i: u64) -> String {
    format!("SKU-{:04}", 1000 + (i % SKUS) * 3)
}

/// The SKU of catalogue item `i`, where `SKUS` is the launch sneaker.
pub(crate) fn sku_of(i: u64) -> String {
    if i == SKUS {
        LAUNCH_SKU.to_owned()
    } else {
        sku(i)
    }
}

/// The catalogue index of a SKU, or `None` (the launch sneaker is `Some(SKUS)`).
pub(crate) fn sku_index(sku: &str) -> Option<u64> {
    if sku == LAUNCH_SKU {
        return Some(SKUS);
    }
    let n: u64 = sku.strip_prefix("SKU-")?.parse().ok()?;
    (n >= 1000 && (n - 1000).is_multiple_of(3) && (n - 1000) / 3 < SKUS).then(|| (n - 1000) / 3)
}

const ADJ: &[&str] = &[
    "ultra", "classic", "pro", "lite", "max", "air", "retro", "trail", "cloud", "studio",
];
const NOUN: &[&str] = &[
    "earbuds",
    "charger",
    "case",
    "sneaker",
    "hoodie",
    "backpack",
    "watch",
    "tablet",
    "speaker",
    "router",
    "phone",
    "cable",
    "jacket",
    "runner",
    "headphones",
];

/// A product's name and page slug.
pub(crate) fn product(i: u64) -> (String, String) {
    if i == SKUS {
        return (
            "Air Acme 1 Retro 'Launch'".into(),
            "air-acme-1-retro-launch".into(),
        );
    }
    let x = h("product", i);
    let (a, n) = (pick(ADJ, x), pick(NOUN, x >> 12));
    (
        format!("Acme {} {} {}", capital(a), capital(n), 2 + x % 9),
        format!("acme-{a}-{n}-{}", 2 + x % 9),
    )
}

/// The price of catalogue item `i`, in cents.
pub(crate) fn price_cents(i: u64) -> u64 {
    if i == SKUS {
        return 18_000;
    }
    999 + h("price", i) % 60_000
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// Store ZIP code `i`, spread over the US.
pub(crate) fn zip(i: u64) -> String {
    format!("{:05}", 1_001 + (i % ZIPS) * 32 + h("zip", i) % 29)
}

/// Whether a ZIP code is well formed.
pub(crate) fn zip_ok(zip: &str) -> bool {
    zip.len() == 5 && zip.bytes().all(|b| b.is_ascii_digit())
}

/// Common passwords, as a guessing tool's dictionary starts.
pub(crate) const COMMON_PASSWORDS: &[&str] = &[
    "123456",
    "password",
    "123456789",
    "12345678",
    "qwerty",
    "abc123",
    "password1",
    "111111",
    "iloveyou",
    "1q2w3e4r",
    "admin",
    "welcome",
    "monkey",
    "letmein",
    "dragon",
    "football",
    "baseball",
    "sunshine",
    "princess",
    "qwerty123",
    "Password1",
    "Welcome1",
    "Summer2025!",
    "Winter2025!",
    "Spring2026!",
    "P@ssw0rd",
    "Passw0rd!",
    "trustno1",
    "master",
    "shadow",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_resolve_only_to_the_right_customer() {
        let id = (1..1000).find(|&i| user_exists(i)).unwrap();
        assert_eq!(user_by_login(&email(id)), Some(id));
        assert_eq!(user_by_login("nobody@example.com"), None);
        let other = (id + 1..2000).find(|&i| user_exists(i)).unwrap();
        let forged = email(id).replace(&id.to_string(), &other.to_string());
        assert_ne!(user_by_login(&forged), Some(id));
        let share = (1..10_001).filter(|&i| user_exists(i)).count();
        assert!((5_700..6_700).contains(&share), "{share}");
    }

    #[test]
    fn skus_and_numbers_are_well_formed() {
        for i in [0, 1, SKUS - 1] {
            assert_eq!(sku_index(&sku(i)), Some(i));
        }
        assert_eq!(sku_index(LAUNCH_SKU), Some(SKUS));
        assert_eq!(sku_index("SKU-1001"), None);
        let m = msisdn(42);
        assert_eq!(m.len(), 12);
        assert!(portability(&m).is_some());
        assert!(portability("+4412").is_none());
        assert!(zip_ok(&zip(ZIPS - 1)));
    }
}
