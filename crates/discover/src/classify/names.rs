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
/// body, and splitting them costs far more than a lookup. The memo is a direct-mapped table (a
/// name's slot is picked by its hash; a newcomer replaces whatever held the slot), so names
/// chosen by a client can neither grow it nor make a lookup cost more than one comparison.
const MEMO_SLOTS: usize = 2048;
/// Longer names are not remembered.
const MEMO_NAME: usize = 64;

type Memo = Vec<Option<(Box<str>, NameHints)>>;

thread_local! {
    static MEMO: std::cell::RefCell<Memo> = const { std::cell::RefCell::new(Vec::new()) };
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
        let slot = rampart_core::fast_hash(name.as_bytes()) as usize % MEMO_SLOTS;
        MEMO.with(|memo| {
            let mut memo = memo.borrow_mut();
            if memo.is_empty() {
                memo.resize(MEMO_SLOTS, None);
            }
            match &mut memo[slot] {
                Some((known, h)) if **known == *name => *h,
                entry => {
                    let h = Self::read(name);
                    *entry = Some((name.into(), h));
                    h
                }
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sharing_a_memo_slot_keep_their_own_hints() {
        let slot = |n: &str| rampart_core::fast_hash(n.as_bytes()) as usize % MEMO_SLOTS;
        let target = slot("password");
        let rival = (0..100_000)
            .map(|i| format!("field{i}"))
            .find(|n| slot(n) == target)
            .expect("some name shares the slot");
        for _ in 0..3 {
            assert_eq!(NameHints::of(Some("password")), NameHints::read("password"));
            assert!(NameHints::of(Some("password")).password);
            assert_eq!(NameHints::of(Some(&rival)), NameHints::read(&rival));
            assert!(!NameHints::of(Some(&rival)).password);
        }
        let long = "x".repeat(MEMO_NAME + 1) + "_password";
        assert!(NameHints::of(Some(&long)).password);
    }
}
