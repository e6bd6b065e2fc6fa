//! Pins the SCIM filter and path grammar shared by the reference server and the checks:
//! the RFC 7644 examples, error messages with their offsets, evaluation semantics, and
//! round-trip and robustness properties over generated input.

use scimcheck::scim::{
    AttrKind, AttrPath, AttributeTypes, CompareOp, Filter, MAX_FILTER_DEPTH, MAX_FILTER_LEN,
    NoSchema, matches, parse_body_path, parse_filter, parse_patch_path,
    parse_patch_path_with_schemas, select,
};
use serde_json::{Value, json};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// Every example filter of RFC 7644 section 3.4.2.2.
const RFC_EXAMPLES: &[&str] = &[
    r#"userName eq "bjensen""#,
    r#"name.familyName co "O'Malley""#,
    r#"userName sw "J""#,
    r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
    "title pr",
    r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
    r#"meta.lastModified ge "2011-05-13T04:42:34Z""#,
    r#"meta.lastModified lt "2011-05-13T04:42:34Z""#,
    r#"meta.lastModified le "2011-05-13T04:42:34Z""#,
    r#"title pr and userType eq "Employee""#,
    r#"title pr or userType eq "Intern""#,
    r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
    r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
    r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
    r#"userType eq "Employee" and (emails.type eq "work")"#,
    r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
    r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
];

fn path(text: &str) -> AttrPath {
    scimcheck::scim::parse_attr_path(text).unwrap()
}

fn cmp(attr: &str, op: CompareOp, value: Value) -> Filter {
    Filter::Compare {
        path: path(attr),
        op,
        value,
    }
}

fn and(a: Filter, b: Filter) -> Filter {
    Filter::And(Box::new(a), Box::new(b))
}

fn or(a: Filter, b: Filter) -> Filter {
    Filter::Or(Box::new(a), Box::new(b))
}

// ---------------------------------------------------------------- parsing

#[test]
fn every_rfc_example_parses_and_prints_back_unchanged() {
    for example in RFC_EXAMPLES {
        let filter = parse_filter(example).unwrap_or_else(|e| panic!("{example}: {e}"));
        // The RFC writes `(emails.type eq "work")` with redundant parentheses.
        let expected = example.replace(r#"(emails.type eq "work")"#, r#"emails.type eq "work""#);
        assert_eq!(filter.to_string(), expected);
    }
}

#[test]
fn rfc_example_with_grouping_has_the_expected_tree() {
    let filter = parse_filter(RFC_EXAMPLES[12]).unwrap();
    assert_eq!(
        filter,
        and(
            cmp("userType", CompareOp::Eq, json!("Employee")),
            or(
                cmp("emails", CompareOp::Co, json!("example.com")),
                cmp("emails.value", CompareOp::Co, json!("example.org")),
            ),
        )
    );
}

#[test]
fn rfc_example_with_value_paths_has_relative_inner_paths() {
    let filter = parse_filter(RFC_EXAMPLES[16]).unwrap();
    let value_path = |attr: &str, kind: &str, domain: &str| Filter::ValuePath {
        path: path(attr),
        filter: Box::new(and(
            cmp("type", CompareOp::Eq, json!(kind)),
            cmp("value", CompareOp::Co, json!(domain)),
        )),
    };
    assert_eq!(
        filter,
        or(
            value_path("emails", "work", "@example.com"),
            value_path("ims", "xmpp", "@foo.com")
        )
    );
}

#[test]
fn core_urn_prefix_is_kept_on_the_path() {
    let filter = parse_filter(RFC_EXAMPLES[3]).unwrap();
    let Filter::Compare { path, .. } = filter else {
        panic!("expected a comparison")
    };
    assert_eq!(
        path.urn.as_deref(),
        Some("urn:ietf:params:scim:schemas:core:2.0:User")
    );
    assert_eq!(path.name, "userName");
}

#[test]
fn extension_urn_with_a_dotted_version_splits_before_the_attribute() {
    let filter = parse_filter(&format!(r#"{ENTERPRISE}:employeeNumber eq "701984""#)).unwrap();
    assert_eq!(
        filter,
        Filter::Compare {
            path: AttrPath::new("employeeNumber").with_urn(ENTERPRISE),
            op: CompareOp::Eq,
            value: json!("701984"),
        }
    );
}

#[test]
fn operators_and_logical_keywords_are_case_insensitive() {
    let lower = parse_filter(r#"userName eq "x" and not (title pr) or active eq true"#).unwrap();
    let upper = parse_filter(r#"userName EQ "x" AND NOT (title PR) OR active Eq true"#).unwrap();
    assert_eq!(lower, upper);
}

#[test]
fn and_binds_tighter_than_or_and_parentheses_regroup() {
    let a = || cmp("a", CompareOp::Eq, json!(1));
    let b = || cmp("b", CompareOp::Eq, json!(2));
    let c = || cmp("c", CompareOp::Eq, json!(3));
    assert_eq!(
        parse_filter("a eq 1 or b eq 2 and c eq 3").unwrap(),
        or(a(), and(b(), c()))
    );
    assert_eq!(
        parse_filter("(a eq 1 or b eq 2) and c eq 3").unwrap(),
        and(or(a(), b()), c())
    );
}

#[test]
fn not_accepts_a_space_or_none_before_the_parenthesis() {
    assert_eq!(
        parse_filter("not (title pr)").unwrap(),
        parse_filter("not(title pr)").unwrap()
    );
}

#[test]
fn string_values_are_json_strings_with_escapes() {
    let filter = parse_filter(r#"displayName eq "Say \"h\u00e9llo\" \\ \ud83d\ude00""#).unwrap();
    assert_eq!(
        filter,
        cmp("displayName", CompareOp::Eq, json!("Say \"héllo\" \\ 😀"))
    );
}

#[test]
fn number_and_literal_values() {
    for (text, value) in [
        ("42", json!(42)),
        ("-7", json!(-7)),
        ("2.75", json!(2.75)),
        ("-0.001", json!(-0.001)),
        ("1e3", json!(1000.0)),
        ("true", json!(true)),
        ("false", json!(false)),
        ("null", Value::Null),
    ] {
        assert_eq!(
            parse_filter(&format!("x eq {text}")).unwrap(),
            cmp("x", CompareOp::Eq, value)
        );
    }
}

#[test]
fn patch_paths_from_rfc_7644_section_3_5_2() {
    let members =
        parse_patch_path(r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#).unwrap();
    assert_eq!(members.attr, AttrPath::new("members"));
    assert!(members.filter.is_some() && members.sub.is_none());

    let street = parse_patch_path(r#"addresses[type eq "work"].streetAddress"#).unwrap();
    assert_eq!(street.sub.as_deref(), Some("streetAddress"));

    let given = parse_patch_path("name.givenName").unwrap();
    assert_eq!(given.attr, AttrPath::new("name").with_sub("givenName"));

    let manager = parse_patch_path(&format!("{ENTERPRISE}:manager.value")).unwrap();
    assert_eq!(
        manager.attr,
        AttrPath::new("manager")
            .with_urn(ENTERPRISE)
            .with_sub("value")
    );

    let whole = parse_patch_path_with_schemas(
        ENTERPRISE,
        &["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
    )
    .unwrap();
    assert!(whole.attr.is_schema());
}

// ---------------------------------------------------------------- errors

#[test]
fn error_messages_say_what_was_expected_where_and_what_came() {
    let cases = [
        (
            "userName eq",
            "expected a value after 'eq' at offset 11, found end of input",
        ),
        (
            r#"userName equals "x""#,
            "unknown operator 'equals' at offset 9 (did you mean 'eq'?)",
        ),
        (
            r#"userName ~= "x""#,
            "unknown operator '~=' at offset 9 (operators are eq, ne, co, sw, ew, gt, ge, lt, le and pr)",
        ),
        (
            "(userName pr",
            "expected ')' at offset 12, found end of input (the '(' at offset 0 is not closed)",
        ),
        (
            "userName pr)",
            "unexpected ')' without a matching '(' at offset 11",
        ),
        (
            "userName pr garbage",
            "expected 'and', 'or' or end of input at offset 12, found 'garbage'",
        ),
        (
            r#"userName eq "x" and"#,
            "expected an expression after 'and' at offset 19, found end of input",
        ),
        (
            "",
            "expected an expression (an attribute path, '(' or 'not') at offset 0, found end of input",
        ),
        (
            r#"userName eq "bjensen"#,
            "unterminated string at offset 12, found end of input",
        ),
        (
            r#"emails[type eq "work""#,
            "expected ']' at offset 21, found end of input (the '[' at offset 6 is not closed)",
        ),
        (
            r#"emails[value[type pr]]"#,
            "a value filter cannot nest another '[...]' (already inside 'emails'[...]) at offset 12",
        ),
        (
            r#"1userName pr"#,
            "expected an attribute name (starting with a letter) at offset 0, found '1userName'",
        ),
        (
            "userName eq bjensen",
            r#"expected a value after 'eq' at offset 12, found 'bjensen' (strings are quoted: "bjensen")"#,
        ),
        (
            "title pr \"x\"",
            "'pr' takes no value at offset 9, found '\"x\"'",
        ),
        (
            "not title pr",
            "expected '(' after 'not' at offset 4, found 'title' (write not (filter))",
        ),
    ];
    for (input, expected) in cases {
        let error = parse_filter(input).unwrap_err();
        assert_eq!(error.to_string(), expected, "input: {input}");
    }
}

#[test]
fn hundred_thousand_open_parentheses_are_an_error_not_a_crash() {
    let error = parse_filter(&"(".repeat(100_000)).unwrap_err();
    assert!(error.message.contains("longer than"), "{error}");
}

#[test]
fn nesting_deeper_than_the_limit_is_an_error_within_the_length_limit() {
    let depth = MAX_FILTER_DEPTH + 1;
    let input = format!("{}a pr{}", "(".repeat(depth), ")".repeat(depth));
    let error = parse_filter(&input).unwrap_err();
    assert_eq!(error.offset, MAX_FILTER_DEPTH);
    assert!(error.message.contains("deeper"), "{error}");

    let nots = format!("{}a pr{}", "not (".repeat(depth), ")".repeat(depth));
    assert!(parse_filter(&nots).unwrap_err().message.contains("deeper"));
}

#[test]
fn longest_accepted_chain_parses_prints_evaluates_and_drops_on_a_small_stack() {
    // `or` chains are built iteratively but give a tree as deep as the chain is long.
    let term = "a pr or ";
    let count = MAX_FILTER_LEN / term.len();
    let input = format!("{}a pr", term.repeat(count - 1));
    assert!(input.len() <= MAX_FILTER_LEN);
    let worker = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || {
            let filter = parse_filter(&input).unwrap();
            assert_eq!(filter.to_string(), input);
            let copy = filter.clone();
            assert_eq!(copy, filter);
            assert!(!matches(&filter, &json!({}), &NoSchema));
            assert!(matches(&filter, &json!({"a": 1}), &NoSchema));
        })
        .unwrap();
    worker.join().expect("no stack overflow");
}

// ---------------------------------------------------------------- evaluation

fn user() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "BJensen-701984",
        "userName": "bjensen@example.com",
        "name": { "familyName": "Müller", "givenName": "Barbara" },
        "displayName": "Babs Jensen",
        "title": "Tour Guide",
        "userType": "Employee",
        "nickName": "",
        "active": true,
        "emails": [
            { "value": "bjensen@example.com", "type": "work", "primary": true },
            { "value": "babs@jensen.org", "type": "home" }
        ],
        "ims": [{ "value": "babs@foo.com", "type": "xmpp" }],
        "x509Certificates": [],
        ENTERPRISE: { "employeeNumber": "701984", "costCenter": "4130" },
        "meta": {
            "resourceType": "User",
            "created": "2010-01-23T04:56:22Z",
            "lastModified": "2011-05-13T04:42:34Z"
        }
    })
}

fn group() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "id": "e9e30dba-f08f-4109-8486-d5c6a331660a",
        "displayName": "Tour Guides",
        "members": [
            { "value": "2819c223-7f76-453a-919d-413861904646", "display": "Babs Jensen" },
            { "value": "902c246b-6245-4190-8e05-00816be7344a", "display": "Mandy Pepperidge" }
        ]
    })
}

fn user_matches(filter: &str) -> bool {
    matches(&parse_filter(filter).unwrap(), &user(), &NoSchema)
}

/// Schema knowledge as the reference server has it: `id` and `externalId` are
/// caseExact, `meta.*` dates are dateTime.
struct CoreUser;

impl AttributeTypes for CoreUser {
    fn case_exact(&self, path: &AttrPath) -> bool {
        path.sub.is_none()
            && (path.name.eq_ignore_ascii_case("id")
                || path.name.eq_ignore_ascii_case("externalId"))
    }
    fn kind(&self, path: &AttrPath) -> Option<AttrKind> {
        match (path.name.to_ascii_lowercase().as_str(), path.sub.as_deref()) {
            ("meta", Some(sub)) if sub.eq_ignore_ascii_case("lastModified") => {
                Some(AttrKind::DateTime)
            }
            ("active", None) => Some(AttrKind::Boolean),
            _ => Some(AttrKind::String),
        }
    }
}

#[test]
fn every_rfc_example_evaluates_against_the_sample_user() {
    let expected = [
        false, // userName eq "bjensen"
        false, // name.familyName co "O'Malley"
        false, // userName sw "J"
        false, // urn:...:User:userName sw "J"
        true,  // title pr
        false, // meta.lastModified gt (equal instant)
        true,  // meta.lastModified ge
        false, // meta.lastModified lt
        true,  // meta.lastModified le
        true,  // title pr and userType eq "Employee"
        true,  // title pr or userType eq "Intern"
        true,  // schemas eq enterprise URN
        true,  // Employee and (emails co example.com or ...)
        false, // ne Employee and not (...)
        true,  // Employee and (emails.type eq "work")
        true,  // Employee and emails[type eq "work" and value co "@example.com"]
        true,  // emails[...] or ims[...]
    ];
    for (example, expected) in RFC_EXAMPLES.iter().zip(expected) {
        assert_eq!(user_matches(example), expected, "{example}");
    }
}

#[test]
fn string_comparison_is_case_insensitive_by_default() {
    assert!(user_matches(r#"userName eq "BJENSEN@EXAMPLE.COM""#));
    assert!(user_matches(r#"displayName sw "babs""#));
    assert!(user_matches(
        r#"id eq "2819C223-7F76-453A-919D-413861904646""#
    ));
}

#[test]
fn case_exact_attributes_compare_exactly() {
    let filter = parse_filter(r#"id eq "2819C223-7F76-453A-919D-413861904646""#).unwrap();
    assert!(!matches(&filter, &user(), &CoreUser));
    let filter = parse_filter(r#"externalId eq "BJensen-701984""#).unwrap();
    assert!(matches(&filter, &user(), &CoreUser));
    let filter = parse_filter(r#"userName eq "BJENSEN@example.com""#).unwrap();
    assert!(
        matches(&filter, &user(), &CoreUser),
        "userName stays case-insensitive"
    );
}

#[test]
fn unicode_case_folding_applies_to_case_insensitive_strings() {
    assert!(user_matches(r#"name.familyName eq "MÜLLER""#));
    assert!(user_matches(r#"name.familyName co "ülle""#));
}

#[test]
fn absent_attributes() {
    assert!(!user_matches(r#"profileUrl eq "x""#));
    assert!(user_matches(r#"profileUrl ne "x""#));
    assert!(!user_matches("profileUrl pr"));
    assert!(user_matches("not (profileUrl pr)"));
    assert!(!user_matches(r#"profileUrl gt "a""#));
}

#[test]
fn empty_values_are_not_present() {
    assert!(!user_matches("nickName pr"));
    assert!(!user_matches("x509Certificates pr"));
    assert!(user_matches("emails pr"));
}

#[test]
fn multi_valued_attributes_match_if_any_value_matches() {
    assert!(user_matches(r#"emails.type eq "home""#));
    assert!(user_matches(r#"emails co "jensen.org""#));
    assert!(!user_matches(
        r#"emails[type eq "home" and value co "example.com"]"#
    ));
    assert!(user_matches(r#"emails[type eq "home" or primary eq true]"#));
}

#[test]
fn date_times_order_as_instants_across_offsets() {
    // 06:00+02:00 is 04:00Z, before 04:42:34Z, though the text sorts after it.
    assert!(user_matches(
        r#"meta.lastModified gt "2011-05-13T06:00:00+02:00""#
    ));
    assert!(user_matches(
        r#"meta.lastModified eq "2011-05-13T06:42:34+02:00""#
    ));
    assert!(user_matches(
        r#"meta.lastModified lt "2011-05-12T23:42:35-05:00""#
    ));
    let filter = parse_filter(r#"meta.lastModified gt "2011-05-13T06:00:00+02:00""#).unwrap();
    assert!(matches(&filter, &user(), &CoreUser));
}

#[test]
fn booleans_and_null_support_only_equality() {
    assert!(user_matches("active eq true"));
    assert!(user_matches("active ne false"));
    assert!(!user_matches("active gt false"));
    assert!(!user_matches(r#"active co "t""#));
    assert!(!user_matches(r#"active eq "true""#));
    assert!(user_matches("profileUrl eq null"));
    assert!(!user_matches("userName eq null"));
}

#[test]
fn extension_attributes_are_found_under_their_urn() {
    assert!(user_matches(&format!(
        r#"{ENTERPRISE}:employeeNumber eq "701984""#
    )));
    assert!(user_matches(&format!(
        r#"{}:costCenter sw "41""#,
        ENTERPRISE.to_uppercase()
    )));
    assert!(!user_matches(r#"employeeNumber eq "701984""#));
}

#[test]
fn group_membership_filters() {
    let group = group();
    let holds = |filter: &str| matches(&parse_filter(filter).unwrap(), &group, &NoSchema);
    assert!(holds(
        r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#
    ));
    assert!(holds(
        r#"members eq "902c246b-6245-4190-8e05-00816be7344a""#
    ));
    assert!(holds(r#"members.display co "mandy""#));
    assert!(!holds(r#"members[value eq "unknown"]"#));
    assert!(holds(r#"displayName eq "tour guides""#));
}

// ---------------------------------------------------------------- body paths

#[test]
fn body_paths_select_from_list_responses() {
    let list = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 2,
        "Resources": [user(), group()]
    });
    let pick = |text: &str| select(&list, &parse_body_path(text).unwrap()).values;
    assert_eq!(pick("totalResults"), vec![&json!(2)]);
    assert_eq!(
        pick("Resources[1].displayName"),
        vec![&json!("Tour Guides")]
    );
    assert_eq!(
        pick(r#"Resources[userName eq "BJENSEN@example.com"].name.givenName"#),
        vec![&json!("Barbara")]
    );
    assert_eq!(
        pick(r#"Resources[0].emails[type eq "work"].value"#),
        vec![&json!("bjensen@example.com")]
    );
    assert_eq!(
        pick(&format!("Resources[0].{ENTERPRISE}.employeeNumber")),
        vec![&json!("701984")]
    );
    assert_eq!(
        pick(&format!("Resources[0].{ENTERPRISE}:employeeNumber")),
        vec![&json!("701984")]
    );
}

// ---------------------------------------------------------------- properties

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const NAMES: &[&str] = &[
    "userName", "emails", "x", "not", "and", "or", "pr", "eq", "$ref", "a-b_c9", "Title",
];
const URNS: &[&str] = &[
    ENTERPRISE,
    "urn:ietf:params:scim:schemas:core:2.0:User",
    "urn:acme:v1.2:Thing",
];
const CHARS: &[char] = &[
    'a', 'Z', ' ', '"', '\\', '/', '\n', '\t', '\u{1}', 'é', 'ß', '😀', ']', ')', '[', '(',
];

fn gen_path(rng: &mut Rng, relative: bool) -> AttrPath {
    let mut path = AttrPath::new(*rng.pick(NAMES));
    if !relative && rng.below(4) == 0 {
        path = path.with_urn(*rng.pick(URNS));
    }
    if rng.below(3) == 0 {
        path = path.with_sub(*rng.pick(NAMES));
    }
    path
}

fn gen_value(rng: &mut Rng) -> Value {
    match rng.below(6) {
        0 => Value::String((0..rng.below(6)).map(|_| *rng.pick(CHARS)).collect()),
        1 => json!(rng.next() as i64),
        2 => json!((rng.below(200_000) as f64 - 100_000.0) / 64.0),
        3 => json!(rng.below(2) == 0),
        4 => Value::Null,
        _ => json!(rng.next() >> 1),
    }
}

fn gen_filter(rng: &mut Rng, depth: usize, relative: bool) -> Filter {
    let leaf = depth == 0 || rng.below(3) == 0;
    if leaf {
        return match rng.below(if relative { 2 } else { 3 }) {
            0 => Filter::Present(gen_path(rng, relative)),
            1 => Filter::Compare {
                path: gen_path(rng, relative),
                op: *rng.pick(&CompareOp::ALL),
                value: gen_value(rng),
            },
            _ => {
                let mut path = gen_path(rng, false);
                path.sub = None;
                Filter::ValuePath {
                    path,
                    filter: Box::new(gen_filter(rng, depth.saturating_sub(1), true)),
                }
            }
        };
    }
    let a = Box::new(gen_filter(rng, depth - 1, relative));
    match rng.below(3) {
        0 => Filter::And(a, Box::new(gen_filter(rng, depth - 1, relative))),
        1 => Filter::Or(a, Box::new(gen_filter(rng, depth - 1, relative))),
        _ => Filter::Not(a),
    }
}

#[test]
fn parse_of_display_gives_back_the_same_filter_for_generated_filters() {
    let mut rng = Rng(0x5C1C_0FFE_E123_4567);
    for case in 0..3000 {
        let filter = gen_filter(&mut rng, 5, false);
        let text = filter.to_string();
        let parsed = parse_filter(&text).unwrap_or_else(|e| panic!("case {case}: {text}: {e}"));
        assert_eq!(parsed, filter, "case {case}: {text}");
        assert_eq!(parsed.to_string(), text);
    }
}

#[test]
fn patch_and_body_paths_round_trip_for_generated_filters() {
    let mut rng = Rng(0xB0D7_9A7E_0000_0001);
    for _ in 0..500 {
        let inner = gen_filter(&mut rng, 3, true);
        let patch = format!("emails[{inner}].value");
        let parsed = parse_patch_path(&patch).unwrap_or_else(|e| panic!("{patch}: {e}"));
        assert_eq!(parsed.filter.as_ref(), Some(&inner));
        assert_eq!(parsed.to_string(), patch);

        let outer = gen_filter(&mut rng, 3, false);
        let body = format!("Resources[{outer}][0].id");
        let parsed = parse_body_path(&body).unwrap_or_else(|e| panic!("{body}: {e}"));
        assert_eq!(parsed.to_string(), body);
    }
}

#[test]
fn mangled_input_gives_an_error_or_a_filter_never_a_panic() {
    let mut rng = Rng(0xDEAD_BEEF_CAFE_F00D);
    let pieces = [
        "(", ")", "[", "]", "\"", "\\", " ", "not", "and", "or", "eq", "pr", "é", ":", ".", "1",
        "-", "\\u",
    ];
    for _ in 0..5000 {
        let base = gen_filter(&mut rng, 3, false).to_string();
        let mut text = base.clone();
        for _ in 0..1 + rng.below(3) {
            let boundaries: Vec<usize> = (0..=text.len())
                .filter(|i| text.is_char_boundary(*i))
                .collect();
            let at = *rng.pick(&boundaries);
            match rng.below(3) {
                0 => {
                    let piece = *rng.pick(&pieces);
                    text.insert_str(at, piece)
                }
                1 => text.truncate(at),
                _ => {
                    let end = *rng.pick(&boundaries);
                    if end > at {
                        text.replace_range(at..end, "");
                    }
                }
            }
        }
        let errors = [
            parse_filter(&text).err(),
            parse_patch_path(&text).err(),
            parse_body_path(&text).err(),
        ];
        for error in errors.into_iter().flatten() {
            assert!(error.offset <= text.len(), "{text}: {error}");
            assert!(text.is_char_boundary(error.offset), "{text}: {error}");
        }
        if let Ok(filter) = parse_filter(&text) {
            assert_eq!(parse_filter(&filter.to_string()).unwrap(), filter, "{text}");
            let _ = matches(&filter, &user(), &NoSchema);
        }
    }
}
