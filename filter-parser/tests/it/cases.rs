//! The table-driven specification in `fixtures/filter/cases.json`, evaluated against
//! `fixtures/filter/users.json`.

use scimock_filter::{
    CompiledFilter, CoreSchema, Limits, ParseErrorKind, parse_attr_list, parse_filter,
    parse_filter_with, parse_patch_path,
};
use scimock_profile::vocab::ScimType;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!("{}/../fixtures/filter/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn cases(section: &str) -> Vec<Value> {
    let all = fixture("cases.json");
    let rows = all[section].as_array().cloned().unwrap_or_default();
    assert!(!rows.is_empty(), "section {section} is empty");
    rows
}

fn s<'a>(row: &'a Value, key: &str) -> &'a str {
    row[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {row}"))
}

#[test]
fn valid_filters_print_their_canonical_form_and_round_trip() {
    let mut failures = Vec::new();
    for row in cases("parse") {
        let input = s(&row, "input");
        let expected = s(&row, "canonical");
        match parse_filter(input) {
            Ok(ast) => {
                let printed = ast.to_string();
                if printed != expected {
                    failures.push(format!("{input:?}: printed {printed:?}, want {expected:?}"));
                }
                match parse_filter(&printed) {
                    Ok(again) if again == ast => {}
                    other => {
                        failures.push(format!("{input:?}: reparse of {printed:?} gave {other:?}"))
                    }
                }
            }
            Err(e) => failures.push(format!("{input:?}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn invalid_filters_report_column_kind_and_expectation() {
    let mut failures = Vec::new();
    for row in cases("parse_errors") {
        let input = s(&row, "input");
        let mut limits = Limits::default();
        if let Some(n) = row["max_len"].as_u64() {
            limits.max_len = n as usize;
        }
        if let Some(n) = row["max_depth"].as_u64() {
            limits.max_depth = n as usize;
        }
        let kind = match s(&row, "kind") {
            "syntax" => ParseErrorKind::Syntax,
            "too_long" => ParseErrorKind::TooLong,
            "too_deep" => ParseErrorKind::TooDeep,
            other => panic!("unknown kind {other}"),
        };
        let column = row["column"].as_u64().map(|c| c as usize);
        match parse_filter_with(input, &limits) {
            Ok(ast) => failures.push(format!("{input:?}: parsed as {ast}")),
            Err(e) => {
                let want_expected = row["expected"].as_str();
                if e.kind != kind
                    || Some(e.column) != column
                    || want_expected.is_some_and(|x| x != e.expected)
                {
                    failures.push(format!(
                        "{input:?}: got {:?} col {} expected {:?} ({}); want {kind:?} col {column:?} expected {want_expected:?}",
                        e.kind, e.column, e.expected, e
                    ));
                }
                let prefix = format!("error at column {}: ", e.column);
                assert!(e.to_string().starts_with(&prefix), "{e}");
                assert!(
                    e.message.contains(&e.expected) || e.kind != ParseErrorKind::Syntax,
                    "{e}"
                );
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn filters_select_the_expected_users() {
    let users = fixture("users.json");
    let users = users.as_array().cloned().unwrap_or_default();
    assert_eq!(users.len(), 8);
    let mut failures = Vec::new();
    for row in cases("eval") {
        let filter = s(&row, "filter");
        let want: Vec<&str> = row["ids"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let compiled = match parse_filter(filter)
            .map_err(|e| e.to_string())
            .and_then(|f| CompiledFilter::new(&f, &CoreSchema).map_err(|e| e.to_string()))
        {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{filter:?}: {e}"));
                continue;
            }
        };
        let got: Vec<&str> = users
            .iter()
            .filter(|u| compiled.matches(u))
            .filter_map(|u| u["id"].as_str())
            .collect();
        if got != want {
            failures.push(format!("{filter:?}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn filters_that_cannot_be_evaluated_are_invalid_filter_errors() {
    for row in cases("eval_errors") {
        let filter = s(&row, "filter");
        let ast = parse_filter(filter).unwrap_or_else(|e| panic!("{filter:?}: {e}"));
        match CompiledFilter::new(&ast, &CoreSchema) {
            Ok(_) => panic!("{filter:?} compiled"),
            Err(e) => assert_eq!(e.scim_type(), ScimType::InvalidFilter.as_str()),
        }
    }
}

#[test]
fn patch_paths_parse_into_attribute_filter_and_sub_attribute() {
    for row in cases("patch_paths") {
        let input = s(&row, "input");
        let path = parse_patch_path(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(path.to_string(), s(&row, "canonical"), "{input:?}");
        assert_eq!(path.attr.to_string(), s(&row, "attr"), "{input:?}");
        assert_eq!(
            path.filter.as_ref().map(ToString::to_string).as_deref(),
            row["filter"].as_str(),
            "{input:?}"
        );
        assert_eq!(path.sub.as_deref(), row["sub"].as_str(), "{input:?}");
        if path.filter.is_some() {
            assert!(path.attr.sub.is_none(), "{input:?}");
        }
    }
    for row in cases("patch_path_errors") {
        let input = s(&row, "input");
        let err = parse_patch_path(input).expect_err(input);
        assert_eq!(
            Some(err.column as u64),
            row["column"].as_u64(),
            "{input:?}: {err}"
        );
    }
}

#[test]
fn attribute_lists_split_on_commas() {
    for row in cases("attr_lists") {
        let input = s(&row, "input");
        let paths = parse_attr_list(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        let printed: Vec<String> = paths.iter().map(ToString::to_string).collect();
        let want: Vec<&str> = row["paths"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        assert_eq!(printed, want, "{input:?}");
    }
    for row in cases("attr_list_errors") {
        let input = s(&row, "input");
        let err = parse_attr_list(input).expect_err(input);
        assert_eq!(
            Some(err.column as u64),
            row["column"].as_u64(),
            "{input:?}: {err}"
        );
    }
}

#[test]
fn table_has_at_least_sixty_cases() {
    let all = fixture("cases.json");
    let total: usize = all
        .as_object()
        .map(|o| o.values().filter_map(Value::as_array).map(Vec::len).sum())
        .unwrap_or(0);
    assert!(total >= 60, "{total}");
}
