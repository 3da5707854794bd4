//! `Policy::from_yaml` never panics, whatever it is given.

use proptest::prelude::*;
use rampart_defend::Policy;

/// Pieces of policy text, so the generator reaches deep into the reader and not only the YAML
/// parser.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("rules:\n".to_owned()),
        Just("  - name: r\n".to_owned()),
        Just("    action: block\n".to_owned()),
        Just("    action: rate_limit\n".to_owned()),
        Just("    action: tarpit\n".to_owned()),
        Just("    rate: 10/min\n".to_owned()),
        Just("    delay: 2s\n".to_owned()),
        Just("    ttl: 1h\n".to_owned()),
        Just("    status: 99999999999999999999999\n".to_owned()),
        Just("    when: { detector: enumeration, min_risk: -1 }\n".to_owned()),
        Just("    when: { any: [ { not: { cidrs: [::/0] } } ] }\n".to_owned()),
        Just("lists:\n  a: { cidrs: [10.0.0.0/8], asns: [AS1] }\n".to_owned()),
        Just("limits: { max_tarpitted: 0 }\n".to_owned()),
        Just("&a [*a]\n".to_owned()),
        "[ -~\n]{0,20}".prop_map(|s| s),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn from_yaml_never_panics_on_arbitrary_text(s in "\\PC{0,200}") {
        let _ = Policy::from_yaml(&s, "fuzz.yaml");
    }

    #[test]
    fn from_yaml_never_panics_on_policy_like_text(parts in prop::collection::vec(fragment(), 0..12)) {
        let text = parts.concat();
        if let Err(problems) = Policy::from_yaml(&text, "fuzz.yaml") {
            prop_assert!(!problems.is_empty());
            for p in problems {
                prop_assert!(!p.message.is_empty());
            }
        }
    }
}
