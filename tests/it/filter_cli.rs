//! `scimock filter` (DESIGN §4.4) and `scimock vendors`, through the real binary.

use crate::common::{run as scimock, scimock as command, text};

#[test]
fn a_valid_filter_prints_its_canonical_form_and_exits_0() {
    let o = scimock(&[
        "filter",
        "userName  EQ \"bjensen\"  AND (emails[Type eq \"work\"] Or active Pr)",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout).lines().next(),
        Some("userName eq \"bjensen\" and (emails[Type eq \"work\"] or active pr)")
    );
}

#[test]
fn json_prints_the_ast() {
    let o = scimock(&["filter", "userName eq \"a\"", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&text(&o.stdout)).expect("JSON AST");
    assert!(v.to_string().contains("userName"));
}

#[test]
fn an_invalid_filter_reports_the_column_on_stderr_and_exits_1() {
    let o = scimock(&["filter", "userName eqq \"a\""]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stdout).is_empty());
    assert!(
        text(&o.stderr).starts_with("error at column 10: "),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn a_filter_the_vendor_refuses_prints_the_vendors_reason_and_exits_3() {
    let o = scimock(&[
        "filter",
        "emails.value eq \"a@example.com\"",
        "--profile",
        "atlassian",
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        text(&o.stderr)
            .contains("Only a single 'eq' filter on userName or externalId is supported"),
        "{}",
        text(&o.stderr)
    );
    let ok = scimock(&[
        "filter",
        "emails.value eq \"a@example.com\"",
        "--profile",
        "attio",
    ]);
    assert_eq!(ok.status.code(), Some(0));
    let elf = scimock(&[
        "filter",
        "userName eq \"a\" and externalId eq \"b\"",
        "--profile",
        "elfsquad",
    ]);
    assert_eq!(elf.status.code(), Some(3));
    assert!(text(&elf.stderr).contains("Complex filters are not supported"));
    let unknown = scimock(&["filter", "a pr", "--profile", "okta"]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn vendors_lists_every_profile_with_its_quirks_and_details_with_sources() {
    let o = scimock(&["vendors"]);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o.stdout);
    for name in scimock_profile::PROFILE_NAMES {
        let p = scimock_profile::Profile::builtin(name).unwrap();
        assert!(out.contains(&p.base_path), "{name}");
        for q in &p.quirks {
            assert!(out.contains(&q.summary), "{name}: {}", q.id);
        }
    }
    let o = scimock(&["vendors", "adra"]);
    let out = text(&o.stdout);
    assert!(
        out.contains("problem-json-errors") && out.contains("source: S-003, I"),
        "{out}"
    );
    assert!(out.contains("--set errors.format=..."));
    assert_eq!(scimock(&["vendors", "okta"]).status.code(), Some(2));
}

/// `cross.cli.filter-agrees` — RFC 7644 §3.4.2.2: `scimock filter --profile generic` judges
/// a filter as the generic server does; `active gt true` is refused by both.
#[test]
fn the_cli_applies_the_servers_schema_checks() {
    let o = scimock(&["filter", "active gt true", "--profile", "generic"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("boolean"), "{}", text(&o.stderr));
    let ok = scimock(&["filter", "active eq true", "--profile", "generic"]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
}

/// A reader that stops early (`scimock vendors | head`) ends the output quietly: exit 0, no
/// panic about a broken pipe.
#[test]
fn output_to_a_closed_pipe_is_not_a_panic() {
    for args in [
        &["vendors"][..],
        &["vendors", "attio"],
        &["profile", "schema"],
        &["filter", "userName eq \"a\""],
    ] {
        let mut child = command(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
}
