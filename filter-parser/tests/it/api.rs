//! The public API as other crates use it: capabilities, value resolution, schema facts,
//! custom schemas, the JSON form of the AST.

use scimock_filter::schema::is_core_urn;
use scimock_filter::{
    AttrInfo, AttrKind, AttrPath, AttrUse, Capabilities, CompareOp, CompiledFilter, CoreSchema,
    EvalError, SchemaInfo, parse_attr_path, parse_filter, parse_patch_path, resolve_values,
};
use scimock_profile::vocab::{CORE_GROUP, CORE_USER, ENTERPRISE_USER, ScimType};
use serde_json::{Value, json};

fn caps(filter: &str) -> Capabilities {
    Capabilities::of(&parse_filter(filter).expect(filter))
}

fn uses(list: &[(&str, Option<CompareOp>)]) -> Vec<AttrUse> {
    list.iter()
        .map(|&(path, op)| AttrUse {
            path: path.to_owned(),
            op,
        })
        .collect()
}

fn path(s: &str) -> AttrPath {
    parse_attr_path(s).expect(s)
}

fn matches(filter: &str, resource: &Value) -> bool {
    let ast = parse_filter(filter).expect(filter);
    CompiledFilter::new(&ast, &CoreSchema)
        .expect(filter)
        .matches(resource)
}

#[test]
fn capabilities_list_every_attribute_test_in_source_order() {
    let c = caps(r#"userName eq "x" and not (emails[type eq "work" or value pr]) or title pr"#);
    assert_eq!(
        c.attrs,
        uses(&[
            ("userName", Some(CompareOp::Eq)),
            ("emails.type", Some(CompareOp::Eq)),
            ("emails.value", None),
            ("title", None),
        ])
    );
    assert!(c.uses_and && c.uses_or && c.uses_not && c.uses_value_path);
    assert_eq!(c.depth, 2);
}

#[test]
fn capabilities_of_the_identity_provider_form_and_urn_paths() {
    let c = caps(r#"emails[type eq "work"].value eq "x""#);
    assert_eq!(
        c.attrs,
        uses(&[
            ("emails.type", Some(CompareOp::Eq)),
            ("emails.value", Some(CompareOp::Eq)),
        ])
    );
    assert!(c.uses_value_path && !c.uses_and && !c.uses_or && !c.uses_not);
    assert_eq!(c.depth, 1);

    let manager = format!("{ENTERPRISE_USER}:manager.value");
    let c = caps(&format!(r#"{manager} sw "u-" and emails[value ew "x"]"#));
    assert_eq!(
        c.attrs,
        uses(&[
            (&manager, Some(CompareOp::Sw)),
            ("emails.value", Some(CompareOp::Ew)),
        ])
    );
    assert!(c.uses_and);
}

#[test]
fn capabilities_depth_counts_the_parentheses_the_canonical_form_needs() {
    assert_eq!(caps("a pr or b pr and c pr").depth, 0);
    assert_eq!(caps("(a pr or b pr) and c pr").depth, 1);
    assert_eq!(caps("a pr and (b pr and (c pr or d pr))").depth, 2);
    assert_eq!(caps("((a pr))").depth, 0);
    assert_eq!(caps("not (not (a pr))").depth, 2);
}

#[test]
fn parse_attr_path_splits_urn_at_its_last_colon() {
    let p = path(&format!("{ENTERPRISE_USER}:manager.value"));
    assert_eq!(p.urn.as_deref(), Some(ENTERPRISE_USER));
    assert_eq!(p.name, "manager");
    assert_eq!(p.sub.as_deref(), Some("value"));
    let p = path("  name.givenName ");
    assert_eq!(
        (p.urn, p.name.as_str(), p.sub.as_deref()),
        (None, "name", Some("givenName"))
    );
    assert_eq!(path("members.$ref").sub.as_deref(), Some("$ref"));
    assert!(parse_attr_path("name.givenName.x").is_err());
    assert!(parse_attr_path("").is_err());
    assert!(parse_attr_path("a b").is_err());
}

#[test]
fn patch_path_with_filter_keeps_the_attribute_without_sub() {
    let p = parse_patch_path(r#"emails[type eq "work"].value"#).expect("path");
    assert_eq!(p.attr, path("emails"));
    assert_eq!(p.sub.as_deref(), Some("value"));
    assert_eq!(
        p.filter,
        Some(parse_filter(r#"type eq "work""#).expect("filter"))
    );
}

#[test]
fn core_schema_knows_rfc_7643_case_exactness_and_types() {
    let info = |s: &str| CoreSchema.attribute(&path(s));
    let exact = |s: &str| info(s).map(|i| i.case_exact);
    assert_eq!(exact("id"), Some(true));
    assert_eq!(exact("externalId"), Some(true));
    assert_eq!(exact("meta.version"), Some(true));
    assert_eq!(exact("meta.resourceType"), Some(true));
    assert_eq!(exact("userName"), Some(false));
    assert_eq!(exact("emails.value"), Some(false));
    assert_eq!(exact("groups.value"), Some(false));
    assert_eq!(exact("members.value"), Some(false));
    assert_eq!(
        info("meta.created").map(|i| i.kind),
        Some(AttrKind::DateTime)
    );
    assert_eq!(
        info("meta.lastModified").map(|i| i.kind),
        Some(AttrKind::DateTime)
    );
    assert_eq!(
        info("meta.location").map(|i| i.kind),
        Some(AttrKind::Reference)
    );
    assert_eq!(
        info("profileUrl").map(|i| i.kind),
        Some(AttrKind::Reference)
    );
    assert_eq!(info("active").map(|i| i.kind), Some(AttrKind::Boolean));
    assert_eq!(
        info("emails.primary").map(|i| i.kind),
        Some(AttrKind::Boolean)
    );
    assert_eq!(
        info("members.$ref").map(|i| i.kind),
        Some(AttrKind::Reference)
    );
    assert_eq!(
        info("x509Certificates.value").map(|i| i.kind),
        Some(AttrKind::Binary)
    );
    let emails = info("EMAILS").expect("case-insensitive names");
    assert!(emails.multi_valued && emails.kind == AttrKind::Complex);
    assert_eq!(info("nope"), None);
    assert_eq!(info("name.nope"), None);
    // Core URN-qualified paths resolve like unqualified ones; the enterprise URN to the extension.
    assert_eq!(info(&format!("{CORE_USER}:id")), info("id"));
    assert_eq!(
        info(&format!("{CORE_GROUP}:members.value")),
        info("members.value")
    );
    let manager = info(&format!("{ENTERPRISE_USER}:manager.value")).expect("manager.value");
    assert_eq!(manager.kind, AttrKind::String);
    assert_eq!(info(&format!("{ENTERPRISE_USER}:userName")), None);
    assert_eq!(info("employeeNumber"), None);
    assert_eq!(info("urn:example:other:1.0:User:x"), None);
    assert!(is_core_urn("URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER"));
    assert!(!is_core_urn(ENTERPRISE_USER));
}

#[test]
fn resolve_values_flattens_and_follows_urns_case_insensitively() {
    let enterprise_lowercase = ENTERPRISE_USER.replace(":User", ":user");
    let user = json!({
        "UserName": "bjensen",
        "emails": [{"value": "a@x"}, {"VALUE": "b@x"}, {"type": "home"}],
        "schemas": ["s1", null, "s2"],
        "name": {"givenName": "Barbara"},
        enterprise_lowercase: {"manager": {"value": "m1"}}
    });
    let strs = |p: &str| -> Vec<String> {
        resolve_values(&user, &path(p))
            .into_iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect()
    };
    assert_eq!(strs("userName"), ["bjensen"]);
    assert_eq!(strs(&format!("{CORE_USER}:userName")), ["bjensen"]);
    assert_eq!(strs("emails.value"), ["a@x", "b@x"]);
    assert_eq!(strs("schemas"), ["s1", "s2"]);
    assert_eq!(strs("name.givenName"), ["Barbara"]);
    assert_eq!(strs(&format!("{ENTERPRISE_USER}:manager.value")), ["m1"]);
    assert_eq!(strs("emails").len(), 3);
    assert!(strs("missing").is_empty());
    assert!(resolve_values(&json!("not an object"), &path("a")).is_empty());
}

#[test]
fn group_members_value_paths() {
    let group = json!({
        "id": "g1", "displayName": "Admins",
        "members": [
            {"value": "u-1", "$ref": "https://example.com/v2/Users/u-1", "type": "User"},
            {"value": "g-2", "type": "Group"}
        ]
    });
    assert!(matches(r#"members[value eq "U-1"]"#, &group));
    assert!(matches(
        r#"members[type eq "group" and value sw "g-"]"#,
        &group
    ));
    assert!(!matches(
        r#"members[type eq "group" and value sw "u-"]"#,
        &group
    ));
    assert!(matches(r#"members.$ref co "/Users/""#, &group));
    assert!(matches(r#"members[type eq "User"].$ref ew "u-1""#, &group));
    assert!(matches(
        &format!(r#"{CORE_GROUP}:displayName eq "admins""#),
        &group
    ));
}

#[test]
fn non_object_resources_match_nothing_positive() {
    assert!(!matches("a pr", &json!([1, 2])));
    assert!(!matches("not (a pr)", &json!(null)));
}

#[test]
fn singular_complex_attributes_and_presence() {
    let user =
        json!({"name": {"givenName": "", "familyName": null}, "manager": {}, "x": {"y": {"z": 1}}});
    assert!(!matches("name pr", &user));
    assert!(!matches("name.givenName pr", &user));
    assert!(!matches("manager pr", &user));
    assert!(matches("x pr", &user));
    assert!(matches("name.familyName eq null", &user));
    assert!(matches("nothere eq null", &user));
    assert!(!matches("name.givenName ne \"\"", &user));
}

#[test]
fn numbers_and_dates_compare_by_value() {
    let r = json!({"n": -3, "big": 18446744073709551615u64, "f": 2.5, "meta": {"created": "2020-02-29T23:00:00-01:00"}});
    assert!(matches("n lt -2", &r));
    assert!(matches("n ge -3.0", &r));
    assert!(matches("big gt 9223372036854775807", &r));
    assert!(matches("big eq 18446744073709551615", &r));
    assert!(matches("f gt 2", &r));
    assert!(matches("f le 25e-1", &r));
    assert!(!matches("f co \"2\"", &r));
    assert!(matches(r#"meta.created eq "2020-03-01T00:00:00Z""#, &r));
    assert!(matches(r#"meta.created sw "2020-02-29""#, &r));
    assert!(matches(
        r#"meta.created gt "not a date""#,
        &json!({"meta": {"created": "zzz"}})
    ));
}

/// A vendor's schema can make any attribute case-exact or typed.
struct ExactUserName;

impl SchemaInfo for ExactUserName {
    fn attribute(&self, path: &AttrPath) -> Option<AttrInfo> {
        if path.name.eq_ignore_ascii_case("userName") {
            return Some(AttrInfo {
                case_exact: true,
                ..AttrInfo::DEFAULT
            });
        }
        if path.name.eq_ignore_ascii_case("enabled") {
            return Some(AttrInfo {
                kind: AttrKind::Boolean,
                ..AttrInfo::DEFAULT
            });
        }
        CoreSchema.attribute(path)
    }
}

#[test]
fn a_custom_schema_changes_case_rules_and_types() {
    let user = json!({"userName": "BJensen", "enabled": true});
    let compile = |f: &str| CompiledFilter::new(&parse_filter(f).expect(f), &ExactUserName);
    assert!(
        !compile(r#"userName eq "bjensen""#)
            .expect("ok")
            .matches(&user)
    );
    assert!(
        compile(r#"userName eq "BJensen""#)
            .expect("ok")
            .matches(&user)
    );
    let err: EvalError = compile("enabled gt false").expect_err("boolean ordering");
    assert_eq!(err.scim_type(), ScimType::InvalidFilter.as_str());
    assert!(err.to_string().contains("gt"), "{err}");
    assert!(
        CompiledFilter::new(&parse_filter("enabled gt false").expect("f"), &CoreSchema).is_err()
    );
}

#[test]
fn the_ast_serialises_to_readable_json() {
    let ast =
        parse_filter(r#"userName eq "x" and not (emails[type eq "work"].value pr)"#).expect("f");
    assert_eq!(
        serde_json::to_value(&ast).expect("json"),
        json!({
            "type": "and",
            "left": {"type": "attr", "path": {"name": "userName"}, "op": "eq", "value": "x"},
            "right": {"type": "not", "filter": {
                "type": "valuePath",
                "attr": {"name": "emails"},
                "filter": {"type": "attr", "path": {"name": "type"}, "op": "eq", "value": "work"},
                "then": {"sub": "value", "op": "pr"}
            }}
        })
    );
}

#[test]
fn display_of_small_types() {
    assert_eq!(CompareOp::Ge.to_string(), "ge");
    assert_eq!(CompareOp::Ew.as_str(), "ew");
    assert_eq!(path("urn:a:b:c.d").to_string(), "urn:a:b:c.d");
    let err = parse_filter("a eq").expect_err("bad");
    assert_eq!(err.scim_type(), ScimType::InvalidFilter.as_str());
    assert_eq!(
        err.to_string(),
        "error at column 5: unexpected end of input, expected a value"
    );
}
