//! Bounded parsing of untrusted input: length and nesting limits, no stack overflow, no
//! exponential work.

use scimock_filter::{
    Capabilities, CompiledFilter, CoreSchema, Limits, ParseErrorKind, parse_filter,
    parse_filter_with, parse_patch_path,
};
use serde_json::json;

const UNBOUNDED_LEN: Limits = Limits {
    max_len: usize::MAX,
    max_depth: 64,
};

#[test]
fn ten_thousand_open_parentheses_are_refused_at_the_sixty_fifth() {
    let input = "(".repeat(10_000);
    let err = parse_filter_with(&input, &UNBOUNDED_LEN).expect_err("too deep");
    assert_eq!(err.kind, ParseErrorKind::TooDeep);
    assert_eq!(err.column, 65);
    assert_eq!(err.expected, "at most 64 levels of nesting");
}

#[test]
fn a_million_open_parentheses_are_refused_without_overflowing_the_stack() {
    let input = format!("{}a pr{}", "(".repeat(1_000_000), ")".repeat(1_000_000));
    let err = parse_filter_with(&input, &UNBOUNDED_LEN).expect_err("too deep");
    assert_eq!((err.kind, err.column), (ParseErrorKind::TooDeep, 65));
    // With the default limits the same input is too long before anything is parsed.
    let err = parse_filter(&input).expect_err("too long");
    assert_eq!(
        (err.kind, err.column),
        (ParseErrorKind::TooLong, 8 * 1024 + 1)
    );
}

#[test]
fn a_million_nested_nots_are_refused() {
    let input = "not (".repeat(200_000);
    let err = parse_filter_with(&input, &UNBOUNDED_LEN).expect_err("too deep");
    assert_eq!(
        (err.kind, err.column),
        (ParseErrorKind::TooDeep, 64 * 5 + 1)
    );
    let input = "not(".repeat(1_000_000);
    let err = parse_filter_with(&input, &UNBOUNDED_LEN).expect_err("too deep");
    assert_eq!(
        (err.kind, err.column),
        (ParseErrorKind::TooDeep, 64 * 4 + 1)
    );
}

#[test]
fn brackets_count_towards_depth() {
    let limits = Limits {
        max_depth: 1,
        ..Limits::default()
    };
    assert!(parse_filter_with("emails[type pr]", &limits).is_ok());
    let err = parse_filter_with("emails[(type pr)]", &limits).expect_err("too deep");
    assert_eq!((err.kind, err.column), (ParseErrorKind::TooDeep, 8));
    let err = parse_filter_with("(emails[type pr])", &limits).expect_err("too deep");
    assert_eq!((err.kind, err.column), (ParseErrorKind::TooDeep, 8));
}

#[test]
fn max_depth_zero_allows_only_flat_filters() {
    let limits = Limits {
        max_depth: 0,
        ..Limits::default()
    };
    assert!(parse_filter_with("a pr and b pr or c pr", &limits).is_ok());
    let err = parse_filter_with("(a pr)", &limits).expect_err("too deep");
    assert_eq!((err.kind, err.column), (ParseErrorKind::TooDeep, 1));
}

#[test]
fn exactly_max_len_bytes_is_accepted() {
    let limits = Limits {
        max_len: 8,
        ..Limits::default()
    };
    assert!(parse_filter_with("abcd pr ", &limits).is_ok());
    let err = parse_filter_with("abcde pr ", &limits).expect_err("too long");
    assert_eq!((err.kind, err.column), (ParseErrorKind::TooLong, 9));
}

#[test]
fn patch_paths_have_the_default_limits() {
    let input = format!("emails[{}type pr{}]", "(".repeat(100), ")".repeat(100));
    let err = parse_patch_path(&input).expect_err("too deep");
    assert_eq!(err.kind, ParseErrorKind::TooDeep);
    let err = parse_patch_path(&"a".repeat(9000)).expect_err("too long");
    assert_eq!(err.kind, ParseErrorKind::TooLong);
}

/// Depth 60 mixing groups, `not` and a value path: parses, prints, re-parses, and a thousand
/// parses complete (an exponential parser would not finish one).
#[test]
fn depth_sixty_mixed_input_parses_and_round_trips() {
    let mut input =
        String::from(r#"emails[type eq "work" and (value co "x" or not (primary eq true))]"#);
    for level in 0..57 {
        input = if level % 2 == 0 {
            format!("(a{level} pr and {input}) or b{level} eq {level}")
        } else {
            format!("not ({input}) and c{level} pr")
        };
    }
    let ast = parse_filter(&input).expect("depth 60 is within the default 64");
    // The `(a pr and ...) or b` groups are needless in the canonical form, which keeps the 28
    // `not`s and the 3 levels of the value path: 31.
    assert_eq!(Capabilities::of(&ast).depth, 31);
    assert_eq!(parse_filter(&ast.to_string()), Ok(ast.clone()));
    for _ in 0..1000 {
        assert!(parse_filter(&input).is_ok());
    }
    let limits = Limits {
        max_depth: 59,
        ..Limits::default()
    };
    let err = parse_filter_with(&input, &limits).expect_err("deeper than 59");
    assert_eq!(err.kind, ParseErrorKind::TooDeep);
}

/// The longest `and`/`or` chain that fits in the default 8 KiB is a deep left-leaning tree;
/// printing, summarising, compiling and evaluating it walk chains without recursing per operand.
#[test]
fn longest_chain_within_the_default_length_works_everywhere() {
    let chain = vec!["a pr"; 1000].join(" or ");
    assert!(chain.len() <= 8 * 1024);
    let ast = parse_filter(&chain).expect("chain");
    assert_eq!(ast.to_string(), chain);
    let caps = Capabilities::of(&ast);
    assert_eq!(
        (caps.attrs.len(), caps.depth, caps.uses_or),
        (1000, 0, true)
    );
    let compiled = CompiledFilter::new(&ast, &CoreSchema).expect("compiles");
    assert!(compiled.matches(&json!({"a": 1})));
    assert!(!compiled.matches(&json!({"b": 1})));
}
