//! Validation errors: every problem at once, each with its line, column, message and fix.

use rampart_defend::{Policy, PolicyProblem};

fn problems(yaml: &str) -> Vec<PolicyProblem> {
    match Policy::from_yaml(yaml, "policy.yaml") {
        Ok(_) => panic!("expected problems"),
        Err(p) => p,
    }
}

fn find<'a>(all: &'a [PolicyProblem], needle: &str) -> &'a PolicyProblem {
    all.iter()
        .find(|p| p.message.contains(needle))
        .unwrap_or_else(|| panic!("no problem mentions {needle:?}: {all:#?}"))
}

const BROKEN: &str = "\
lists:
  partners: { cidrs: [203.0.113.0/33] }
rules:
  - name: block-stuffers
    when: { detector: credential_stuffing }
    action: blok
  - name: ban
    when: { detector: enumeration }
    action: block
    ttl: 1hr
  - name: limit
    whne: { endpoint: \"POST /api/login\" }
    action: rate_limit
    rate: 10/min
";

#[test]
fn typo_in_action_names_the_choices_and_the_fix() {
    let all = problems(BROKEN);
    let p = find(&all, "unknown action");
    assert_eq!(
        p.message,
        "unknown action `blok`; expected one of allow, monitor, block, rate_limit, tarpit, deceive, require_auth"
    );
    assert_eq!(p.fix, "did you mean `block`?");
    assert_eq!((p.line, p.column), (6, 13));
    assert_eq!(p.field, "rules[0].action");
}

#[test]
fn bad_duration_is_located() {
    let all = problems(BROKEN);
    let p = find(&all, "1hr");
    assert_eq!(p.message, "`1hr` is not a duration: unknown unit `hr`");
    assert_eq!(p.line, 10);
    assert_eq!(p.field, "rules[1].ttl");
    assert!(p.fix.contains("30s, 5m, 1h"), "{}", p.fix);
}

#[test]
fn bad_cidr_is_located() {
    let all = problems(BROKEN);
    let p = find(&all, "CIDR");
    assert_eq!(
        p.message,
        "`203.0.113.0/33` is not a CIDR block: prefix length `33` must be 0 to 32"
    );
    assert_eq!((p.line, p.column), (2, 23));
    assert_eq!(p.field, "lists.partners.cidrs");
}

#[test]
fn unknown_field_suggests_the_known_one() {
    let all = problems(BROKEN);
    let p = find(&all, "unknown field");
    assert_eq!(p.message, "unknown field `whne` in a rule");
    assert_eq!(p.fix, "did you mean `when`?");
    assert_eq!((p.line, p.column), (12, 5));
}

#[test]
fn all_problems_come_at_once_in_file_order() {
    let all = problems(BROKEN);
    assert_eq!(all.len(), 4, "{all:#?}");
    let lines: Vec<u64> = all.iter().map(|p| p.line).collect();
    assert_eq!(lines, [2, 6, 10, 12]);
}

#[test]
fn problems_display_with_source_line_column_and_fix() {
    let all = problems(BROKEN);
    let text = find(&all, "unknown action").to_string();
    assert_eq!(
        text,
        "policy.yaml:6:13: rules[0].action: unknown action `blok`; expected one of allow, monitor, block, rate_limit, tarpit, deceive, require_auth\n  fix: did you mean `block`?"
    );
}

#[test]
fn yaml_syntax_errors_have_a_line() {
    let all = problems("rules:\n  - name: a\n    action: [block\n");
    assert_eq!(all.len(), 1);
    assert!(all[0].line >= 3, "{all:#?}");
    assert!(all[0].fix.contains("YAML syntax"));
}

#[test]
fn fields_that_do_not_fit_the_action() {
    let all = problems(
        "rules:\n  - name: a\n    action: block\n    delay: 2s\n  - name: b\n    action: tarpit\n    delay: 1m\n",
    );
    let p = find(&all, "does not apply");
    assert_eq!(p.message, "`delay` does not apply to action `block`");
    assert_eq!(p.line, 4);
    let p = find(&all, "tarpit delay");
    assert_eq!(p.line, 7);
}

#[test]
fn cross_checks() {
    let all = problems(
        "\
rules:
  - name: a
    action: block
    ttl: 1h
  - name: a
    action: allow
  - name: c
    when: { list: partnrs, detector: credential_stuffng, min_risk: 101 }
    action: rate_limit
  - name: d
    when: { authenticated: true }
    action: require_auth
    scope: ip
",
    );
    assert_eq!(find(&all, "names no `detector`").line, 4);
    assert_eq!(find(&all, "already used at line 2").line, 5);
    assert_eq!(find(&all, "already used at line 2").column, 11);
    assert!(find(&all, "no list is named `partnrs`")
        .fix
        .contains("define it"));
    assert_eq!(
        find(&all, "unknown detector").fix,
        "did you mean `credential_stuffing`?"
    );
    assert!(find(&all, "101 is out of range").fix.contains("0 to 100"));
    assert_eq!(find(&all, "needs a `rate`").line, 7);
    find(&all, "require_auth only acts");
    find(&all, "`scope` only applies");
}

#[test]
fn wrong_types_are_reported() {
    let all = problems(
        "rules:\n  - name: a\n    action: block\n    status: \"forbidden\"\n  - name: b\n    action: allow\n    when: { authenticated: maybe }\n  - just a string\n",
    );
    assert_eq!(find(&all, "expected a whole number").line, 4);
    assert_eq!(find(&all, "expected true or false").line, 7);
    assert_eq!(find(&all, "expected a rule").line, 8);
}

#[test]
fn empty_and_comment_only_policies_are_valid() {
    assert!(Policy::from_yaml("", "p").unwrap().rules().is_empty());
    assert!(Policy::from_yaml("# nothing yet\n", "p")
        .unwrap()
        .rules()
        .is_empty());
    assert!(Policy::from_yaml("rules: []\n", "p")
        .unwrap()
        .rules()
        .is_empty());
}
