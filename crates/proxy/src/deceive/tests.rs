use super::values::{email, ipv4, phone, uuid, TEST_NETS};
use super::*;

#[test]
fn names_become_hints() {
    assert_eq!(Hint::of("createdAt"), Hint::DateTime);
    assert_eq!(Hint::of("created_at"), Hint::DateTime);
    assert_eq!(Hint::of("first_name"), Hint::FirstName);
    assert_eq!(Hint::of("firstName"), Hint::FirstName);
    assert_eq!(Hint::of("user_id"), Hint::Id);
    assert_eq!(Hint::of("postal_code"), Hint::Zip);
    assert_eq!(Hint::of("contactEmail"), Hint::Email);
    assert_eq!(Hint::of("product_name"), Hint::ProductName);
    assert_eq!(Hint::of("name"), Hint::FullName);
    assert_eq!(Hint::of("unit_price"), Hint::Price);
    assert_eq!(Hint::of("is_active"), Hint::Active);
    assert_eq!(Hint::of("country_code"), Hint::CountryCode);
    assert_eq!(Hint::of("paid"), Hint::None);
}

#[test]
fn arrays_name_their_items() {
    assert_eq!(singular("tags"), "tag");
    assert_eq!(singular("categories"), "category");
    assert_eq!(singular("addresses"), "address");
    assert_eq!(singular("boxes"), "box");
    assert_eq!(singular("status"), "status");
    assert_eq!(singular("emails"), "email");
}

#[test]
fn fake_values_use_reserved_ranges() {
    let mut rng = Rng::new(7);
    for _ in 0..200 {
        let e = email(&mut rng);
        assert!(
            e.ends_with("@example.com") || e.ends_with("@example.net"),
            "{e}"
        );
        let p = phone(&mut rng);
        assert!(p.contains("-555-01"), "{p}");
        let ip = ipv4(&mut rng);
        assert!(
            TEST_NETS.iter().any(|n| ip.starts_with(&format!("{n}."))),
            "{ip}"
        );
        let u = uuid(&mut rng);
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }
}
