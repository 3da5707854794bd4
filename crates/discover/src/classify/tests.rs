use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use proptest::prelude::*;
use serde_json::json;

use super::names::{words, NameHints};
use super::validate::{iban_valid, luhn_valid};
use super::*;

fn field(name: Option<&str>, value: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    Classifier::new().classify_field(name, value, &mut out);
    out
}

fn classes(name: Option<&str>, value: &str) -> Vec<SensitiveClass> {
    field(name, value).into_iter().map(|f| f.class).collect()
}

fn text_classes(text: &str) -> Vec<SensitiveClass> {
    let mut out = Vec::new();
    Classifier::new().classify_text(text, &mut out);
    out.into_iter().map(|f| f.class).collect()
}

fn jwt(header: &str, payload: &str) -> String {
    format!(
        "{}.{}.c2lnbmF0dXJl",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    )
}

use SensitiveClass::*;

#[test]
fn class_names_match_serde() {
    for c in SensitiveClass::all() {
        let s = serde_json::to_string(c).unwrap_or_default();
        assert_eq!(s, format!("\"{}\"", c.name()));
    }
    assert!(Password.is_secret() && AwsAccessKey.is_secret());
    assert!(!Email.is_secret() && !CardNumber.is_secret());
}

#[test]
fn name_words_ignore_case_separators_and_camel_case() {
    assert_eq!(words("dateOfBirth"), words("date_of_birth"));
    assert_eq!(words("DATE-OF-BIRTH"), vec!["date", "of", "birth"]);
    assert_eq!(words("APIKey"), vec!["api", "key"]);
    assert_eq!(words("addressLine2"), vec!["address", "line", "2"]);
    assert!(NameHints::of(Some("dateOfBirth")).birth);
    assert!(NameHints::of(Some("DOB")).birth);
    assert!(NameHints::of(Some("mobileNumber")).phone);
    assert!(!NameHints::of(Some("hotel")).phone);
}

#[test]
fn emails_are_found_and_redacted() {
    let f = field(None, "jane.doe@example.com");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].class, Email);
    assert_eq!(f[0].redacted, "j***@e***.com");
    assert_eq!(
        classes(None, "contact: a.b+tag@mail.example.co.uk."),
        vec![Email]
    );
    assert!(classes(None, "user@localhost").is_empty());
    assert!(classes(None, "not an email @ all").is_empty());
    assert!(classes(None, "x@example.c0m").is_empty());
}

#[test]
fn phones_need_a_plus_a_phone_shape_or_a_phone_name() {
    assert_eq!(classes(None, "+14155550100"), vec![Phone]);
    assert_eq!(classes(None, "+44 20 7946 0958"), vec![Phone]);
    assert_eq!(classes(None, "(555) 123-4567"), vec![Phone]);
    assert_eq!(classes(None, "555-123-4567"), vec![Phone]);
    assert!(classes(None, "5551234567").is_empty());
    assert!(classes(None, "1700000000").is_empty());
    assert!(classes(None, "2024-01-15").is_empty());
    assert!(classes(None, "192.168.100.200").is_empty());
    assert_eq!(classes(Some("phone"), "5551234567"), vec![Phone]);
    assert_eq!(classes(Some("msisdn"), "447700900123"), vec![Phone]);
    assert!(classes(Some("phone"), "n/a").is_empty());
    let f = field(Some("tel"), "+1 (415) 555-0100");
    assert_eq!(f[0].redacted, "+* (***) ***-****");
}

#[test]
fn cards_need_luhn_and_a_known_issuer() {
    for card in [
        "4111111111111111",
        "4242 4242 4242 4242",
        "5555-5555-5555-4444",
        "2223003122003222",
        "378282246310005",
        "3782 822463 10005",
        "6011111111111117",
        "3530111333300000",
        "30569309025904",
        "6200000000000005",
    ] {
        assert_eq!(classes(None, card), vec![CardNumber], "{card}");
    }
    // Luhn-invalid, unknown issuer, timestamps and order ids.
    for not_card in [
        "4111111111111112",
        "1234567890123456",
        "9999999999999995",
        "1700000000000",
        "ORD-2024-000123-77",
        "4111 11111111 1111 1",
    ] {
        assert!(!classes(None, not_card).contains(&CardNumber), "{not_card}");
    }
    let f = field(Some("card"), "4242 4242 4242 4242");
    assert_eq!(f[0].redacted, "**** **** **** 4242");
    assert_eq!(
        field(None, "4111111111111111")[0].redacted,
        "************1111"
    );
}

#[test]
fn ssn_with_dashes_or_by_name() {
    assert_eq!(classes(None, "SSN 123-45-6789 on file"), vec![Ssn]);
    for bad in [
        "000-12-3456",
        "666-12-3456",
        "900-12-3456",
        "123-00-4567",
        "123-45-0000",
    ] {
        assert!(classes(None, bad).is_empty(), "{bad}");
    }
    assert!(classes(None, "123456789").is_empty());
    assert_eq!(classes(Some("ssn"), "123456789"), vec![Ssn]);
    assert_eq!(
        classes(Some("socialSecurityNumber"), "123456789"),
        vec![Ssn]
    );
    assert_eq!(field(None, "123-45-6789")[0].redacted, "***-**-6789");
}

#[test]
fn ibans_need_length_and_checksum() {
    assert!(iban_valid("DE89370400440532013000"));
    assert!(!iban_valid("DE89370400440532013001"));
    assert!(!iban_valid("DE8937040044053201300"));
    for iban in [
        "DE89370400440532013000",
        "GB82 WEST 1234 5698 7654 32",
        "FR1420041010050500013M02606",
        "NL91ABNA0417164300",
        "BE68539007547034",
        "CH9300762011623852957",
    ] {
        assert_eq!(classes(None, iban), vec![Iban], "{iban}");
    }
    assert!(classes(None, "DE89370400440532013001").is_empty());
    assert_eq!(
        field(None, "DE89370400440532013000")[0]
            .redacted
            .matches(char::is_numeric)
            .count(),
        2
    );
}

#[test]
fn jwts_must_decode() {
    let token = jwt(r#"{"alg":"HS256","typ":"JWT"}"#, r#"{"sub":"42"}"#);
    let f = field(None, &token);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].class, Jwt);
    assert_eq!(f[0].redacted, "eyJ****");
    assert_eq!(
        text_classes(&format!("Authorization: Bearer {token}\n")),
        vec![Jwt]
    );
    let no_alg = jwt(r#"{"typ":"JWT"}"#, r#"{"sub":"42"}"#);
    assert!(classes(None, &no_alg).is_empty());
    assert!(classes(None, "eyJhbGciOiJIUzI1Ni.eyJzdWIiOiIxIn0.sig").is_empty());
}

#[test]
fn vendor_tokens_by_prefix() {
    let cases = [
        ("AKIAIOSFODNN7EXAMPLE", AwsAccessKey, "AKIA************MPLE"),
        (
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            GithubToken,
            "ghp_****",
        ),
        (
            "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
            GithubToken,
            "github_pat_****",
        ),
        ("xoxb-1234567890-abcdefghij", SlackToken, "xoxb-****"),
        (
            "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
            StripeKey,
            "sk_live_****",
        ),
        (
            "AIzaSyA-1234567890abcdefghijklmnopqrstu",
            GoogleApiKey,
            "AIza****",
        ),
    ];
    for (value, class, redacted) in cases {
        let f = field(None, value);
        assert_eq!(f.len(), 1, "{value}");
        assert_eq!(f[0].class, class);
        assert_eq!(f[0].redacted, redacted);
    }
    let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----";
    assert_eq!(text_classes(pem), vec![PrivateKey]);
    assert!(!field(None, pem)[0].redacted.contains("MIIE"));
    // Embedded in a longer word, or too short: not a token.
    assert!(classes(None, "XAKIAIOSFODNN7EXAMPLE").is_empty());
    assert!(classes(None, "sk_live_short").is_empty());
}

#[test]
fn aws_secret_needs_a_name_or_context() {
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    assert_eq!(
        classes(Some("aws_secret_access_key"), secret),
        vec![AwsSecretKey]
    );
    assert!(classes(Some("description"), secret).is_empty());
    assert_eq!(
        text_classes(&format!("export AWS_SECRET_ACCESS_KEY={secret} ")),
        vec![AwsSecretKey]
    );
    assert!(text_classes(&format!("blob {secret} end")).is_empty());
    // A git SHA has no upper case.
    assert!(text_classes("aws commit da39a3ee5e6b4b0d3255bfef95601890afd80709").is_empty());
}

#[test]
fn generic_secrets_need_a_name_and_entropy() {
    let s = "Zx8q2LmN4vR7tY1wK9pB3cF6";
    // `secret` is also a password word; the password finding covers it.
    assert_eq!(classes(Some("client_secret"), s), vec![Password]);
    assert_eq!(classes(Some("apiKey"), s), vec![GenericSecret]);
    assert_eq!(classes(Some("access_token"), s), vec![GenericSecret]);
    assert!(classes(Some("description"), s).is_empty());
    for not_secret in [
        "550e8400-e29b-41d4-a716-446655440000",
        "da39a3ee5e6b4b0d3255",
        "https://example.com/a1b2c3d4e5f6g7h8",
        "aaaaaaaaaaaaaaaaaaaaaaaa1",
        "short1",
    ] {
        assert!(
            classes(Some("api_key"), not_secret).is_empty(),
            "{not_secret}"
        );
    }
    assert!(field(Some("token"), s)[0].redacted.starts_with("Zx*"));
}

#[test]
fn passwords_by_name_only_for_strings() {
    for name in [
        "password",
        "Password",
        "password_confirmation",
        "newPassword",
        "user_pwd",
        "passwd",
        "pin",
        "passphrase",
        "newpassword",
    ] {
        let f = field(Some(name), "hunter2");
        assert_eq!(f.len(), 1, "{name}");
        assert_eq!(f[0].class, Password);
        assert_eq!(f[0].redacted, "********");
    }
    for name in [
        "passwordPolicy",
        "password_reset_required",
        "password_length",
        "passport",
        "bypass_cache",
    ] {
        assert!(classes(Some(name), "hunter2").is_empty(), "{name}");
    }
    assert!(classes(Some("password"), "").is_empty());
    let mut out = Vec::new();
    Classifier::new().classify_json(
        &json!({"password_reset_required": true, "pin": 1234, "password": "s3cret"}),
        &mut out,
    );
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].field.as_deref(), Some("password"));
}

#[test]
fn date_of_birth_and_address_by_name() {
    assert_eq!(
        classes(Some("dateOfBirth"), "1990-04-12"),
        vec![DateOfBirth]
    );
    assert_eq!(
        classes(Some("date_of_birth"), "12/04/1990"),
        vec![DateOfBirth]
    );
    assert_eq!(classes(Some("dob"), "19900412"), vec![DateOfBirth]);
    assert!(classes(Some("birth_place"), "Paris").is_empty());
    assert!(classes(Some("created_at"), "1990-04-12").is_empty());
    assert_eq!(field(Some("dob"), "1990-04-12")[0].redacted, "****-**-**");

    assert_eq!(classes(Some("street"), "1 Main St"), vec![Address]);
    assert_eq!(
        classes(Some("billingAddress"), "1 Main St, Springfield"),
        vec![Address]
    );
    assert_eq!(classes(Some("zip"), "10001"), vec![Address]);
    assert_eq!(
        classes(Some("email_address"), "jane@example.com"),
        vec![Email]
    );
    assert!(classes(Some("ip_address"), "10.0.0.1").is_empty());
    assert!(classes(Some("address"), "10.0.0.1").is_empty());
    assert!(classes(Some("address"), "  ").is_empty());
}

#[test]
fn json_walk_reports_paths() {
    let doc = json!({
        "user": {"email": "jane@example.com", "dateOfBirth": "1990-04-12"},
        "items": [{"card": "4111111111111111"}, {"card": "not a card"}],
        "ids": ["550e8400-e29b-41d4-a716-446655440000", 1700000000000u64],
        "ok": true,
        "n": null
    });
    let mut out = Vec::new();
    Classifier::new().classify_json(&doc, &mut out);
    let got: Vec<(SensitiveClass, Option<&str>)> =
        out.iter().map(|f| (f.class, f.field.as_deref())).collect();
    assert_eq!(
        got,
        vec![
            (CardNumber, Some("items[].card")),
            (DateOfBirth, Some("user.dateOfBirth")),
            (Email, Some("user.email")),
        ]
    );
    let mut out = Vec::new();
    Classifier::new().classify_json(&json!(["jane@example.com"]), &mut out);
    assert_eq!(out[0].field.as_deref(), Some("[]"));
    let mut out = Vec::new();
    Classifier::new().classify_json(&json!("jane@example.com"), &mut out);
    assert_eq!(out[0].field, None);
}

#[test]
fn json_walk_is_bounded_in_depth_and_size() {
    let mut deep = json!({"email": "deep@example.com"});
    for _ in 0..40 {
        deep = json!({ "a": deep });
    }
    let mut out = Vec::new();
    Classifier::new().classify_json(&deep, &mut out);
    assert!(out.is_empty());

    let mut shallow = json!({"email": "deep@example.com"});
    for _ in 0..20 {
        shallow = json!({ "a": shallow });
    }
    Classifier::new().classify_json(&shallow, &mut out);
    assert_eq!(out.len(), 1);

    let many: Vec<serde_json::Value> = (0..20_000)
        .map(|i| json!(format!("user{i}@example.com")))
        .collect();
    let mut out = Vec::new();
    Classifier::new().classify_json(&serde_json::Value::Array(many), &mut out);
    assert_eq!(out.len(), MAX_JSON_VALUES - 1);
}

#[test]
fn form_bodies_are_classified_by_field() {
    let mut out = Vec::new();
    Classifier::new().classify_text(
        "user=jane%40example.com&password=hunter2&remember=1",
        &mut out,
    );
    let got: Vec<(SensitiveClass, Option<&str>)> =
        out.iter().map(|f| (f.class, f.field.as_deref())).collect();
    assert_eq!(
        got,
        vec![(Email, Some("user")), (Password, Some("password"))]
    );
}

#[test]
fn free_text_gets_patterns_without_fields() {
    let mut out = Vec::new();
    Classifier::new().classify_text(
        "Dear jane@example.com, card 4111 1111 1111 1111 expires. Call +14155550100.",
        &mut out,
    );
    let got: Vec<SensitiveClass> = out.iter().map(|f| f.class).collect();
    assert_eq!(got, vec![Email, CardNumber, Phone]);
    assert!(out.iter().all(|f| f.field.is_none()));
}

#[test]
fn control_characters_are_escaped() {
    let f = field(Some("street\u{1b}[31m"), "1 Main St\u{1b}[2J");
    assert_eq!(f.len(), 1);
    assert!(!f[0].redacted.contains('\u{1b}'));
    assert!(!f[0].field.as_deref().unwrap_or("").contains('\u{1b}'));
}

#[test]
fn ten_kilobyte_body_is_fast() {
    let items: Vec<serde_json::Value> = (0..100)
        .map(|i| {
            json!({"id": i, "sku": format!("SKU-{i:06}"), "name": "Widget deluxe", "price": 19.99,
                   "created": "2024-01-15T10:00:00Z", "tags": ["a", "b"]})
        })
        .collect();
    let doc = json!({ "items": items });
    assert!(serde_json::to_string(&doc).map(|s| s.len()).unwrap_or(0) >= 10_000);
    let c = Classifier::new();
    let start = std::time::Instant::now();
    let mut out = Vec::new();
    for _ in 0..10 {
        c.classify_json(&doc, &mut out);
    }
    assert!(out.is_empty());
    // Generous for unoptimised builds; release builds take well under 100 µs per body.
    assert!(start.elapsed() < std::time::Duration::from_millis(200));
}

fn with_luhn(prefix_and_body: &str) -> String {
    for d in 0..10 {
        let candidate = format!("{prefix_and_body}{d}");
        if luhn_valid(candidate.as_bytes()) {
            return candidate;
        }
    }
    String::new()
}

proptest! {
    #[test]
    fn classify_field_never_panics(name in proptest::option::of(".{0,40}"), value in ".{0,300}") {
        let mut out = Vec::new();
        Classifier::new().classify_field(name.as_deref(), &value, &mut out);
        prop_assert!(out.len() <= SensitiveClass::all().len());
    }

    #[test]
    fn classify_text_never_panics(text in "(.|[0-9 @+=&-]){0,400}") {
        let mut out = Vec::new();
        Classifier::new().classify_text(&text, &mut out);
        for f in &out {
            prop_assert!(f.redacted.chars().count() <= 65);
        }
    }

    #[test]
    fn redacted_cards_show_at_most_four_digits(body in "4[0-9]{14}") {
        let card = with_luhn(&body);
        let f = field(None, &card);
        prop_assert_eq!(f.len(), 1);
        prop_assert!(!f[0].redacted.contains(&card));
        prop_assert!(f[0].redacted.matches(|c: char| c.is_ascii_digit()).count() <= 4);
    }

    #[test]
    fn redacted_emails_hide_the_local_part(local in "[a-z]{1,20}", host in "[a-z]{2,10}") {
        let email = format!("{local}@{host}.com");
        let f = field(Some("email"), &email);
        prop_assert_eq!(f.len(), 1);
        let local_at = format!("{}@", local);
        prop_assert!(!f[0].redacted.contains(&local_at));
        prop_assert!(!f[0].redacted.contains(&email));
    }

    #[test]
    fn redacted_passwords_show_nothing(pw in "[ -~]{1,40}") {
        prop_assume!(!pw.trim().is_empty());
        let f = field(Some("password"), &pw);
        prop_assert!(f.iter().any(|f| f.class == Password));
        for finding in &f {
            if finding.class == Password {
                prop_assert_eq!(finding.redacted.as_str(), "********");
            }
        }
    }
}
