//! The entities an alert names as members (client addresses and sessions), written without
//! the formatting machinery: a campaign adds a member on almost every request, and `format!`
//! costs more than the rest of applying a signal. The text is exactly what `Display` gives.

use std::net::IpAddr;

use rampart_core::{Entity, EntityKind, HashTag};

/// The address as an entity, as [`Entity::ip`] writes it.
pub(super) fn ip_entity(ip: IpAddr) -> Entity {
    let value = match ip {
        IpAddr::V4(v4) => {
            let mut s = String::with_capacity(15);
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    s.push('.');
                }
                push_decimal(&mut s, octet);
            }
            s
        }
        // Rare enough, and with compression rules of its own.
        IpAddr::V6(_) => ip.to_string(),
    };
    Entity::new(EntityKind::Ip, value)
}

/// The session as an entity: its tag in 32 lower-case hex digits, as `HashTag` displays.
pub(super) fn session_entity(tag: HashTag) -> Entity {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut digits = [0u8; 32];
    for (pair, byte) in digits.chunks_exact_mut(2).zip(tag.0.to_be_bytes()) {
        pair[0] = HEX[usize::from(byte >> 4)];
        pair[1] = HEX[usize::from(byte & 0xf)];
    }
    // Hex digits are ASCII: this never falls back.
    let value = std::str::from_utf8(&digits).unwrap_or_default().to_owned();
    Entity::new(EntityKind::Session, value)
}

fn push_decimal(s: &mut String, n: u8) {
    if n >= 100 {
        s.push(char::from(b'0' + n / 100));
    }
    if n >= 10 {
        s.push(char::from(b'0' + n / 10 % 10));
    }
    s.push(char::from(b'0' + n % 10));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_text_is_what_display_gives(v4 in any::<u32>(), v6 in any::<u128>(), tag in any::<u128>()) {
            for ip in [IpAddr::from(v4.to_be_bytes()), IpAddr::from(v6.to_be_bytes())] {
                prop_assert_eq!(ip_entity(ip), Entity::ip(ip));
            }
            let t = HashTag(tag);
            prop_assert_eq!(session_entity(t), Entity::new(EntityKind::Session, t.to_string()));
        }
    }

    #[test]
    fn edge_addresses_and_tags() {
        for ip in [
            "0.0.0.0",
            "255.255.255.255",
            "10.0.100.9",
            "::",
            "::ffff:1.2.3.4",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert_eq!(ip_entity(ip), Entity::ip(ip));
        }
        for t in [0u128, 1, u128::MAX] {
            let t = HashTag(t);
            assert_eq!(session_entity(t).value, t.to_string());
        }
    }
}
