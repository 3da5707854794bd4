//! Checksums and shape checks that turn a pattern match into a confident finding.

/// Luhn checksum over ASCII digits; anything else fails.
pub(crate) fn luhn_valid(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, &b) in digits.iter().rev().enumerate() {
        if !b.is_ascii_digit() {
            return false;
        }
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// Value of the leading `n` digits, or `None` when there are fewer.
fn prefix_value(digits: &[u8], n: usize) -> Option<u32> {
    let head = digits.get(..n)?;
    head.iter().try_fold(0u32, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
    })
}

/// Whether the digits start with the issuer prefix of a card network and have a length that
/// network issues.
pub(crate) fn card_iin_known(digits: &[u8]) -> bool {
    let len = digits.len();
    let p1 = prefix_value(digits, 1);
    let p2 = prefix_value(digits, 2);
    let p3 = prefix_value(digits, 3);
    let p4 = prefix_value(digits, 4);
    let visa = p1 == Some(4) && matches!(len, 13 | 16 | 19);
    let mastercard = len == 16 && (matches!(p2, Some(51..=55)) || matches!(p4, Some(2221..=2720)));
    let amex = len == 15 && matches!(p2, Some(34 | 37));
    let discover = (16..=19).contains(&len) && (p4 == Some(6011) || p2 == Some(65));
    let jcb = (16..=19).contains(&len) && matches!(p4, Some(3528..=3589));
    let diners =
        (14..=19).contains(&len) && (matches!(p3, Some(300..=305)) || matches!(p2, Some(36 | 38)));
    let unionpay = (16..=19).contains(&len) && p2 == Some(62);
    visa || mastercard || amex || discover || jcb || diners || unionpay
}

/// US social security number rules: area not 000, 666 or 9xx; group not 00; serial not 0000.
pub(crate) fn ssn_valid(area: &str, group: &str, serial: &str) -> bool {
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if area.len() != 3 || group.len() != 2 || serial.len() != 4 {
        return false;
    }
    if !(all_digits(area) && all_digits(group) && all_digits(serial)) {
        return false;
    }
    area != "000" && area != "666" && !area.starts_with('9') && group != "00" && serial != "0000"
}

/// IBAN length per country (ISO 13616 registry, SEPA members and common others).
fn iban_length(country: &str) -> Option<usize> {
    let len = match country {
        "AD" => 24,
        "AE" => 23,
        "AT" => 20,
        "BE" => 16,
        "BG" => 22,
        "BH" => 22,
        "BR" => 29,
        "CH" => 21,
        "CY" => 28,
        "CZ" => 24,
        "DE" => 22,
        "DK" => 18,
        "EE" => 20,
        "ES" => 24,
        "FI" => 18,
        "FO" => 18,
        "FR" => 27,
        "GB" => 22,
        "GI" => 23,
        "GL" => 18,
        "GR" => 27,
        "HR" => 21,
        "HU" => 28,
        "IE" => 22,
        "IL" => 23,
        "IS" => 26,
        "IT" => 27,
        "LI" => 21,
        "LT" => 20,
        "LU" => 20,
        "LV" => 21,
        "MC" => 27,
        "MT" => 31,
        "NL" => 18,
        "NO" => 15,
        "PL" => 28,
        "PT" => 25,
        "RO" => 24,
        "SA" => 24,
        "SE" => 24,
        "SI" => 19,
        "SK" => 24,
        "SM" => 27,
        "TR" => 26,
        "VA" => 22,
        _ => return None,
    };
    Some(len)
}

/// Whether `compact` (no spaces, upper case) is an IBAN of the right length for its country
/// with a valid mod-97 checksum.
pub(crate) fn iban_valid(compact: &str) -> bool {
    let bytes = compact.as_bytes();
    let (Some(country), Some(check)) = (compact.get(..2), bytes.get(2..4)) else {
        return false;
    };
    if iban_length(country) != Some(bytes.len()) || !check.iter().all(u8::is_ascii_digit) {
        return false;
    }
    if !bytes
        .iter()
        .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
    {
        return false;
    }
    let rearranged = bytes[4..].iter().chain(&bytes[..4]);
    let mut rem = 0u32;
    for &b in rearranged {
        let v = if b.is_ascii_digit() {
            u32::from(b - b'0')
        } else {
            u32::from(b - b'A') + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// Shannon entropy in bits per character.
pub(crate) fn shannon_entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    let mut n = 0u32;
    for b in s.bytes() {
        counts[usize::from(b)] += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    let n = f64::from(n);
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// `8-4-4-4-12` hex digits.
pub(crate) fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Whether the value is only hex digits.
pub(crate) fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether the value looks like a URL or a host name path rather than a secret.
pub(crate) fn is_url(s: &str) -> bool {
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    s.contains("://") || lower.starts_with("www.") || lower.starts_with("mailto:")
}

/// A dotted-quad IPv4 or an IPv6 address.
pub(crate) fn is_ip(s: &str) -> bool {
    s.trim().parse::<std::net::IpAddr>().is_ok()
}

/// A date in a common written form: ISO `1990-04-12`, `12/04/1990`, `12.04.1990`, `19900412`,
/// optionally followed by a time.
pub(crate) fn looks_like_date(s: &str) -> bool {
    let s = s.trim();
    let date = s.split(['T', ' ']).next().unwrap_or("");
    let parts: Vec<&str> = date.split(['-', '/', '.']).collect();
    let digits = |p: &str, lo: usize, hi: usize| {
        (lo..=hi).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => digits(y, 4, 4) && digits(m, 1, 2) && digits(d, 1, 2),
        [a, b, y] => digits(a, 1, 2) && digits(b, 1, 2) && digits(y, 2, 4),
        [one] => digits(one, 8, 8) && (one.starts_with("19") || one.starts_with("20")),
        _ => false,
    }
}
