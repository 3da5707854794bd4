use crate::{Exchange, KeyedHasher};
use base64::Engine;

use super::*;

fn hasher() -> KeyedHasher {
    KeyedHasher::new([5; 32])
}

fn ex(headers: &[(&str, &str)], query: Option<&str>) -> Exchange {
    let mut e = Exchange {
        query: query.map(str::to_owned),
        ..Exchange::default()
    };
    for (n, v) in headers {
        e.request_headers.push(n, *v);
    }
    e
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

#[test]
fn basic_keeps_only_a_hash_of_the_user() {
    let creds = credentials(
        &ex(&[("authorization", "Basic YWxpY2U6czNjcmV0")], None),
        &hasher(),
    );
    assert_eq!(creds.len(), 1);
    assert_eq!(creds[0].kind, CredentialKind::Basic);
    assert_eq!(creds[0].location, "authorization");
    assert_eq!(
        creds[0].principal,
        Some(hasher().tag("auth.principal", b"alice"))
    );
    let shown = format!("{creds:?}");
    assert!(!shown.contains("alice") && !shown.contains("s3cret") && !shown.contains("YWxpY2U6"));
}

#[test]
fn jwts_are_decoded_without_verification_and_the_subject_is_hashed() {
    let token = format!(
        "{}.{}.sig",
        b64(r#"{"alg":"RS256","typ":"JWT"}"#),
        b64(
            r#"{"sub":"user-1234","iss":"https://auth.example.com/","exp":1714557600,"aud":["api"]}"#
        )
    );
    let creds = credentials(
        &ex(&[("authorization", &format!("Bearer {token}"))], None),
        &hasher(),
    );
    assert_eq!(creds[0].kind, CredentialKind::Jwt);
    let jwt = creds[0].jwt.as_ref().unwrap();
    assert_eq!(jwt.alg, "RS256");
    assert_eq!(jwt.issuer.as_deref(), Some("https://auth.example.com/"));
    assert_eq!(jwt.expires, Some(1_714_557_600));
    assert!(jwt.subject.is_some());
    assert!(!format!("{creds:?}").contains("user-1234"));
    let opaque = credentials(
        &ex(&[("authorization", "Bearer abcdef0123456789")], None),
        &hasher(),
    );
    assert_eq!(opaque[0].kind, CredentialKind::Bearer);
}

#[test]
fn api_keys_in_headers_and_queries_and_session_cookies() {
    let h = credentials(&ex(&[("x-api-key", "k_0123456789abcdef")], None), &hasher());
    assert_eq!(h[0].kind, CredentialKind::ApiKeyHeader);
    assert_eq!(h[0].location, "x-api-key");
    let q = credentials(
        &ex(&[], Some("page=2&api_key=k_0123456789abcdef")),
        &hasher(),
    );
    assert_eq!(q[0].kind, CredentialKind::ApiKeyQuery);
    let c = credentials(
        &ex(
            &[("cookie", "_ga=GA1.2.3; sessionid=abc123def456; lang=en")],
            None,
        ),
        &hasher(),
    );
    assert_eq!(c.len(), 1, "{c:?}");
    assert_eq!(c[0].kind, CredentialKind::SessionCookie);
    assert_eq!(c[0].location, "sessionid");
}

#[test]
fn things_that_look_like_credentials_but_are_not() {
    let e = ex(
        &[
            ("x-csrf-token", "abc"),
            ("x-request-id", "123"),
            ("cookie", "_ga=1; consent=yes; locale=en"),
            ("user-agent", "curl/8"),
        ],
        Some("page=2&sort=name"),
    );
    assert!(credentials(&e, &hasher()).is_empty());
    assert!(is_anonymous(&e));
    assert!(is_anonymous(&Exchange::default()));
}

mod fuzz {
    use crate::{Exchange, KeyedHasher};
    use proptest::prelude::*;

    use crate::auth::{credentials, is_anonymous};

    proptest! {
        #[test]
        fn arbitrary_headers_and_queries_never_panic(
            headers in prop::collection::vec(("(authorization|cookie|x-api-key|x-[a-z-]{1,12}-token|[a-z-]{1,16})", ".{0,120}"), 0..6),
            query in proptest::option::of("[ -~]{0,80}"),
        ) {
            let mut ex = Exchange { query, ..Exchange::default() };
            for (n, v) in &headers {
                ex.request_headers.push(n, v.clone());
            }
            let creds = credentials(&ex, &KeyedHasher::new([3; 32]));
            prop_assert_eq!(creds.is_empty(), is_anonymous(&ex));
            let id = super::super::identify(&ex, &KeyedHasher::new([3; 32]));
            prop_assert_eq!(id.has_credential, !creds.is_empty());
            // The identity's session is the first session cookie's hash when there is one.
            if let Some(c) = creds.iter().find(|c| c.kind == super::super::CredentialKind::SessionCookie) {
                prop_assert_eq!(id.session, Some(c.secret));
            }
            let shown = format!("{creds:?}");
            for (_, v) in &headers {
                // Credential values reach neither the result nor its Debug output.
                if v.len() >= 12 && v.chars().all(|c| c.is_ascii_alphanumeric()) {
                    prop_assert!(!shown.contains(v.as_str()));
                }
            }
        }
    }

    #[test]
    fn identity_agrees_with_the_credentials() {
        use crate::auth::{identify, CredentialKind};
        use base64::Engine as _;
        let h = KeyedHasher::new([4; 32]);
        let jwt = format!(
            "{}.{}.sig",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256"}"#),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"sub":"u-42"}"#)
        );
        let mut ex = Exchange::default();
        ex.request_headers
            .push("authorization", format!("Bearer {jwt}"));
        ex.request_headers.push("cookie", "theme=dark; sid=abc");
        let id = identify(&ex, &h);
        let creds = credentials(&ex, &h);
        let cookie = creds
            .iter()
            .find(|c| c.kind == CredentialKind::SessionCookie)
            .unwrap();
        let token = creds
            .iter()
            .find(|c| c.kind == CredentialKind::Jwt)
            .unwrap();
        assert_eq!(id.session, Some(cookie.secret));
        assert_eq!(id.principal, token.principal);
        let mut basic = Exchange::default();
        basic.request_headers.push(
            "authorization",
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("bob:pw")
            ),
        );
        assert_eq!(
            identify(&basic, &h).principal,
            credentials(&basic, &h)[0].principal
        );
        assert_eq!(identify(&Exchange::default(), &h), Default::default());
    }
}
