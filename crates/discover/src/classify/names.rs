//! What a field's name says about its value.
//!
//! Names are split into lower-case words on `_`, `-`, `.`, spaces and camelCase boundaries, so
//! `dateOfBirth`, `date_of_birth` and `DATE-OF-BIRTH` read the same.

/// Hints drawn from one field name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct NameHints {
    pub(crate) phone: bool,
    pub(crate) ssn: bool,
    pub(crate) birth: bool,
    pub(crate) address: bool,
    pub(crate) secret: bool,
    pub(crate) aws: bool,
    pub(crate) password: bool,
}

/// Longest name looked at; longer names are cut (keys are short in practice).
const MAX_NAME: usize = 128;

/// Splits a name into lower-case words.
pub(crate) fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().take(MAX_NAME).collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some(&prev) = i.checked_sub(1).and_then(|j| chars.get(j)) {
            let next = chars.get(i + 1).copied();
            let lower_to_upper = prev.is_lowercase() && c.is_uppercase();
            let acronym_end =
                prev.is_uppercase() && c.is_uppercase() && next.is_some_and(char::is_lowercase);
            let letter_digit = prev.is_alphabetic() != c.is_alphabetic() && prev.is_alphanumeric();
            if (lower_to_upper || acronym_end || letter_digit) && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

const PASSWORD_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "secret",
    "passphrase",
    "passcode",
    "pin",
];
const PASSWORD_SUFFIXES: &[&str] = &["confirmation", "confirm", "again", "repeat", "confirmed"];
const SECRET_WORDS: &[&str] = &[
    "key",
    "token",
    "secret",
    "apikey",
    "auth",
    "authorization",
    "credential",
    "credentials",
    "accesstoken",
    "refreshtoken",
    "clientsecret",
    "authtoken",
    "privatekey",
];
const ADDRESS_WORDS: &[&str] = &[
    "address",
    "street",
    "addr",
    "addressline",
    "postaladdress",
    "streetaddress",
    "zip",
    "zipcode",
    "postcode",
    "postalcode",
];
/// Words that make an `...address` field something other than a postal address.
const NOT_POSTAL: &[&str] = &[
    "email",
    "mail",
    "ip",
    "ipv",
    "mac",
    "url",
    "uri",
    "web",
    "wallet",
    "host",
    "server",
    "remote",
    "forwarded",
    "hardware",
    "contract",
    "bitcoin",
    "eth",
];

/// Names whose hints are remembered per thread: the same few field names come back in every
/// body, and splitting them costs far more than a lookup. The memo is emptied when full, so
/// names chosen by a client cannot grow it.
const MEMO_CAP: usize = 4096;
/// Longer names are not remembered.
const MEMO_NAME: usize = 64;

thread_local! {
    static MEMO: std::cell::RefCell<std::collections::HashMap<Box<str>, NameHints>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

impl NameHints {
    /// Hints for `name`; the default (no hints) when there is no name.
    pub(crate) fn of(name: Option<&str>) -> Self {
        let Some(name) = name else {
            return Self::default();
        };
        if name.len() > MEMO_NAME {
            return Self::read(name);
        }
        MEMO.with(|memo| {
            if let Some(h) = memo.borrow().get(name) {
                return *h;
            }
            let h = Self::read(name);
            let mut memo = memo.borrow_mut();
            if memo.len() >= MEMO_CAP {
                memo.clear();
            }
            memo.insert(name.into(), h);
            h
        })
    }

    fn read(name: &str) -> Self {
        let words = words(name);
        let has = |set: &[&str]| words.iter().any(|w| set.contains(&w.as_str()));
        let joined: String = words.concat();
        let last = words.last().map(String::as_str).unwrap_or("");
        Self {
            phone: has(&[
                "phone",
                "mobile",
                "tel",
                "telephone",
                "msisdn",
                "cell",
                "cellphone",
                "phonenumber",
                "fax",
            ]) || joined.ends_with("phone"),
            ssn: has(&["ssn", "social"]) || joined.contains("socialsecurity"),
            birth: has(&["dob", "birth", "birthday", "birthdate", "born"])
                || joined.contains("dateofbirth"),
            address: (has(ADDRESS_WORDS) || joined.ends_with("address"))
                && !has(NOT_POSTAL)
                && !joined.starts_with("email")
                && !joined.starts_with("ip"),
            secret: has(SECRET_WORDS)
                || ["apikey", "accesstoken", "clientsecret", "secret", "token"]
                    .iter()
                    .any(|s| joined.contains(s)),
            aws: has(&["aws", "secret"]),
            password: password_name(&words, last, &joined),
        }
    }
}

/// A password field: the name ends with a password word (`newPassword`, `user_pwd`), or a
/// password word is followed by a confirmation word (`password_confirmation`). Metadata such as
/// `passwordPolicy` or `password_reset_required` ends with another word and does not count.
fn password_name(words: &[String], last: &str, joined: &str) -> bool {
    if PASSWORD_WORDS.contains(&last) {
        return true;
    }
    let has_word = words.iter().any(|w| PASSWORD_WORDS.contains(&w.as_str()));
    if has_word && PASSWORD_SUFFIXES.contains(&last) {
        return true;
    }
    // Single lower-case words such as `newpassword` or `passwordconfirmation`.
    words.len() == 1
        && (["password", "passwd", "passphrase", "passcode"]
            .iter()
            .any(|p| joined.ends_with(p))
            || (joined.starts_with("password")
                && PASSWORD_SUFFIXES.iter().any(|s| joined.ends_with(s))))
}
