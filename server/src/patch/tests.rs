use super::*;
use crate::error::{ScimError, ScimType};
use crate::patch::parse::slash_to_colon;
use crate::schema::{ResourceSchemas, WriteOptions};
use scimock_profile::vocab::{CORE_USER, ENTERPRISE_USER as ENTERPRISE_USER_URN};
use scimock_profile::{Profile, UnknownAttributes};
use serde_json::{Value, json};

/// Elfsquad's extension (declared in its profile).
const ELFSQUAD_USER_URN: &str = "urn:ietf:params:scim:schemas:extension:elfsquad:2.0:User";
/// Atlassian's extension (declared in its profile).
const ATLASSIAN_EXTERNAL_URN: &str = "urn:scim:schemas:extension:atlassian-external:1.0";

fn profile(name: &str) -> Profile {
    Profile::builtin(name).expect("builtin profile")
}

fn body(ops: Value) -> Value {
    json!({"schemas": [PATCH_OP_URN], "Operations": ops})
}

fn parse(vendor: &str, body: &Value) -> Result<Vec<PatchOp>, ScimError> {
    parse_patch_body(body, &profile(vendor).patch)
}

/// Parses `ops` with the vendor's rules and applies them to `resource` (a User).
fn run(vendor: &str, resource: Value, ops: Value) -> Result<Value, ScimError> {
    let p = profile(vendor);
    let parsed = parse_patch_body(&body(ops), &p.patch)?;
    let mut r = resource;
    apply_patch(&mut r, &parsed, &ResourceSchemas::user(&p), &p.patch)?;
    Ok(r)
}

fn run_group(vendor: &str, resource: Value, ops: Value) -> Result<Value, ScimError> {
    let p = profile(vendor);
    let parsed = parse_patch_body(&body(ops), &p.patch)?;
    let mut r = resource;
    apply_patch(&mut r, &parsed, &ResourceSchemas::group(&p), &p.patch)?;
    Ok(r)
}

#[track_caller]
fn assert_err<T: std::fmt::Debug>(r: Result<T, ScimError>, t: ScimType) -> ScimError {
    let e = r.expect_err("expected an error");
    assert_eq!(e.status.as_u16(), 400, "{e}");
    assert_eq!(e.scim_type, Some(t), "{e}");
    e
}

fn user() -> Value {
    json!({
        "schemas": [CORE_USER],
        "id": "u1",
        "userName": "bjensen@example.com",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "displayName": "Babs",
        "emails": [
            {"value": "bjensen@example.com", "type": "work", "primary": true},
            {"value": "babs@jensen.org", "type": "home"}
        ],
        "active": true,
        "meta": {"resourceType": "User", "created": "2020-01-01T00:00:00Z"}
    })
}

fn group() -> Value {
    json!({
        "id": "g1",
        "displayName": "Tour Guides",
        "members": [
            {"value": "u1", "display": "Babs"},
            {"value": "u2", "display": "John"},
            {"value": "u3", "display": "Jane"}
        ]
    })
}

fn member_ids(g: &Value) -> Vec<&str> {
    g["members"]
        .as_array()
        .map(|a| a.iter().filter_map(|m| m["value"].as_str()).collect())
        .unwrap_or_default()
}

// ---- parsing ----------------------------------------------------------------------

#[test]
fn a_standard_body_parses_into_operations() {
    let ops = parse(
        "generic",
        &body(json!([
            {"op": "add", "path": "emails[type eq \"work\"].value", "value": "x@y"},
            {"op": "remove", "path": "name.givenName"},
            {"op": "replace", "value": {"active": false}}
        ])),
    )
    .expect("parses");
    assert_eq!(ops.len(), 3);
    assert_eq!(ops[0].op, PatchOpKind::Add);
    let p0 = ops[0].path.as_ref().expect("path");
    assert_eq!(
        (p0.attr.name.as_str(), p0.sub.as_deref()),
        ("emails", Some("value"))
    );
    assert!(p0.filter.is_some());
    assert_eq!(
        ops[0].raw_path.as_deref(),
        Some("emails[type eq \"work\"].value")
    );
    assert_eq!(
        ops[1].path.as_ref().and_then(|p| p.attr.sub.as_deref()),
        Some("givenName")
    );
    assert_eq!(
        (ops[2].op, ops[2].path.is_none()),
        (PatchOpKind::Replace, true)
    );
}

#[test]
fn schemas_are_required_when_the_profile_says_so() {
    let no_schemas = json!({"Operations": [{"op": "replace", "path": "active", "value": false}]});
    let e = assert_err(parse("generic", &no_schemas), ScimType::InvalidSyntax);
    assert!(e.detail.contains(PATCH_OP_URN), "{e}");
    assert!(
        parse("atlassian", &no_schemas).is_ok(),
        "atlassian-python-api omits schemas"
    );
    assert!(parse("adra", &no_schemas).is_ok());
}

#[test]
fn a_present_schemas_without_the_patch_urn_is_refused_even_when_optional() {
    let wrong = json!({"schemas": [CORE_USER], "Operations": [{"op": "remove", "path": "title"}]});
    assert_err(parse("atlassian", &wrong), ScimType::InvalidSyntax);
    assert_err(
        parse("generic", &json!({"schemas": 5, "Operations": []})),
        ScimType::InvalidSyntax,
    );
    let lower = json!({"schemas": [PATCH_OP_URN.to_lowercase()], "Operations": [{"op": "remove", "path": "title"}]});
    assert!(parse("generic", &lower).is_ok());
}

#[test]
fn operations_key_spelling_follows_the_profile() {
    let lower =
        json!({"schemas": [PATCH_OP_URN], "operations": [{"op": "remove", "path": "title"}]});
    assert!(parse("atlassian", &lower).is_ok());
    assert!(parse("elfsquad", &lower).is_ok());
    let e = assert_err(parse("generic", &lower), ScimType::InvalidSyntax);
    assert!(e.detail.contains("Operations"), "{e}");
    assert_err(
        parse(
            "generic",
            &json!({"schemas": [PATCH_OP_URN], "Operations": {"op": "add"}}),
        ),
        ScimType::InvalidSyntax,
    );
    assert_err(
        parse(
            "generic",
            &json!({"schemas": [PATCH_OP_URN], "Operations": []}),
        ),
        ScimType::InvalidSyntax,
    );
    assert_err(
        parse(
            "generic",
            &json!({"schemas": [PATCH_OP_URN], "Operations": ["add"]}),
        ),
        ScimType::InvalidSyntax,
    );
}

#[test]
fn a_bare_array_body_is_accepted_only_by_elfsquad() {
    let bare = json!([{"op": "remove", "path": "roles[value eq \"r1\"]"}]);
    assert_eq!(parse("elfsquad", &bare).map(|o| o.len()).ok(), Some(1));
    for vendor in ["generic", "attio", "atlassian", "adra"] {
        assert_err(parse(vendor, &bare), ScimType::InvalidSyntax);
    }
    assert_err(parse("elfsquad", &json!("remove")), ScimType::InvalidSyntax);
}

#[test]
fn op_case_is_refused_when_profile_is_strict() {
    let capital = body(json!([{"op": "Replace", "path": "active", "value": false}]));
    let e = assert_err(parse("attio", &capital), ScimType::InvalidSyntax);
    assert!(
        e.detail.contains("Replace") && e.detail.contains("Operations[0]"),
        "{e}"
    );
    assert_err(parse("elfsquad", &capital), ScimType::InvalidSyntax);
    for vendor in ["generic", "adra", "atlassian"] {
        assert_eq!(
            parse(vendor, &capital).expect("lenient")[0].op,
            PatchOpKind::Replace,
            "{vendor}"
        );
    }
}

#[test]
fn an_unknown_or_missing_op_is_invalid_syntax() {
    for op in [
        json!({"op": "move", "path": "a"}),
        json!({"path": "title"}),
        json!({"op": 1, "path": "title"}),
    ] {
        assert_err(
            parse("generic", &body(json!([op]))),
            ScimType::InvalidSyntax,
        );
    }
}

#[test]
fn remove_without_path_is_no_target() {
    let e = assert_err(
        parse("generic", &body(json!([{"op": "remove"}]))),
        ScimType::NoTarget,
    );
    assert!(e.detail.contains("3.5.2.2"), "{e}");
    assert_err(
        parse("generic", &body(json!([{"op": "remove", "path": ""}]))),
        ScimType::NoTarget,
    );
}

#[test]
fn add_and_replace_without_value_are_invalid_value() {
    for op in ["add", "replace"] {
        assert_err(
            parse("generic", &body(json!([{"op": op, "path": "title"}]))),
            ScimType::InvalidValue,
        );
    }
    assert_err(
        parse(
            "generic",
            &body(json!([{"op": "add", "path": "title", "value": null}])),
        ),
        ScimType::InvalidValue,
    );
}

#[test]
fn a_missing_path_is_refused_unless_the_profile_allows_pathless_operations() {
    let pathless = body(json!([{"op": "replace", "value": {"active": false}}]));
    let e = assert_err(parse("adra", &pathless), ScimType::InvalidPath);
    assert!(e.detail.contains("path"), "{e}");
    assert!(parse("generic", &pathless).is_ok());
    assert!(parse("attio", &pathless).is_ok());
    for value in [json!("x"), json!([{"active": false}]), json!(null)] {
        let e = parse("generic", &body(json!([{"op": "add", "value": value}])));
        assert_err(e, ScimType::InvalidValue);
    }
}

#[test]
fn a_malformed_path_is_invalid_path_with_the_parser_message() {
    for bad in [
        "emails[type eq \"work\"",
        "name..givenName",
        "emails[type eq]",
        "1abc",
        "name.givenName[x eq 1]",
    ] {
        let e = assert_err(
            parse("generic", &body(json!([{"op": "remove", "path": bad}]))),
            ScimType::InvalidPath,
        );
        assert!(e.detail.contains("column"), "{bad}: {e}");
    }
    assert_err(
        parse("generic", &body(json!([{"op": "remove", "path": 5}]))),
        ScimType::InvalidPath,
    );
}

#[test]
fn elfsquad_slash_extension_paths_are_rewritten() {
    let slash = body(
        json!([{"op": "replace", "path": format!("{ELFSQUAD_USER_URN}/currencyIso"), "value": "c0ffee"}]),
    );
    let ops = parse("elfsquad", &slash).expect("elfsquad accepts /");
    let p = ops[0].path.as_ref().expect("path");
    assert_eq!(
        (p.attr.urn.as_deref(), p.attr.name.as_str()),
        (Some(ELFSQUAD_USER_URN), "currencyIso")
    );
    assert_eq!(
        ops[0].raw_path.as_deref(),
        Some(format!("{ELFSQUAD_USER_URN}/currencyIso").as_str())
    );
    assert_err(parse("generic", &slash), ScimType::InvalidPath);
    assert_eq!(
        slash_to_colon("emails[value eq \"a/b\"]"),
        "emails[value eq \"a/b\"]"
    );
    assert_eq!(
        slash_to_colon("urn:x:y/z[value eq \"a/b\"]"),
        "urn:x:y:z[value eq \"a/b\"]"
    );
}

#[test]
fn attio_only_writes_its_documented_paths() {
    let ok = [
        json!({"op": "replace", "path": "name.givenName", "value": "B"}),
        json!({"op": "replace", "path": "NAME.FAMILYNAME", "value": "J"}),
        json!({"op": "replace", "path": "active", "value": false}),
        json!({"op": "replace", "path": "appRole", "value": "admin"}),
        json!({"op": "replace", "path": "name", "value": {"givenName": "B", "familyName": "J"}}),
        json!({"op": "replace", "path": format!("{CORE_USER}:active"), "value": true}),
        json!({"op": "replace", "value": {"active": false, "name": {"givenName": "B"}, "name.familyName": "J"}}),
    ];
    for op in ok {
        assert!(parse("attio", &body(json!([op.clone()]))).is_ok(), "{op}");
    }
    let refused = [
        json!({"op": "replace", "path": "emails", "value": [{"value": "x@y"}]}),
        json!({"op": "replace", "path": "name", "value": {"middleName": "Q"}}),
        json!({"op": "replace", "value": {"active": false, "userName": "x@y"}}),
        json!({"op": "add", "path": "title", "value": "Boss"}),
    ];
    for op in refused {
        let e = assert_err(
            parse("attio", &body(json!([op.clone()]))),
            ScimType::InvalidPath,
        );
        assert!(e.detail.contains("not supported"), "{op}: {e}");
    }
}

#[test]
fn attio_remove_is_limited_to_name_parts() {
    assert!(
        parse(
            "attio",
            &body(json!([{"op": "remove", "path": "name.familyName"}]))
        )
        .is_ok()
    );
    let e = assert_err(
        parse("attio", &body(json!([{"op": "remove", "path": "active"}]))),
        ScimType::InvalidPath,
    );
    assert!(e.detail.contains("remove of 'active'"), "{e}");
    assert!(
        parse(
            "generic",
            &body(json!([{"op": "remove", "path": "active"}]))
        )
        .is_ok()
    );
}

#[test]
fn an_empty_array_value_is_refused_when_the_profile_says_so() {
    let p = profile("atlassian")
        .with_overrides(&[("patch.reject_empty_array".to_string(), json!(true))])
        .expect("override");
    let empty = body(json!([{"op": "replace", "path": "emails", "value": []}]));
    let e = assert_err(parse_patch_body(&empty, &p.patch), ScimType::InvalidValue);
    assert!(e.detail.contains("empty array"), "{e}");
    assert!(parse("atlassian", &empty).is_ok());
}

#[test]
fn elfsquad_role_values_holding_json_strings_are_decoded() {
    let roles = json!({"operations": [{"op": "add", "path": "roles", "value": [{"value": "{\"value\": \"r-42\"}"}]}]});
    let ops = parse("elfsquad", &roles).expect("parses");
    assert_eq!(ops[0].value, Some(json!([{"value": "r-42"}])));
    let generic = parse("atlassian", &roles).expect("parses");
    assert_eq!(
        generic[0].value,
        Some(json!([{"value": "{\"value\": \"r-42\"}"}]))
    );
    // Strings that are not JSON objects stay as they are.
    let plain = json!([{"op": "add", "path": "roles", "value": [{"value": "r-1"}, {"value": "[1]"}, {"value": "{oops"}]}]);
    assert_eq!(
        parse("elfsquad", &plain).expect("parses")[0].value,
        Some(json!([{"value": "r-1"}, {"value": "[1]"}, {"value": "{oops"}]))
    );
    // End to end: the role lands as {"value": "r-42"}.
    let out = run(
        "elfsquad",
        user(),
        json!([{"op": "add", "path": "roles", "value": [{"value": "{\"value\": \"r-42\"}"}]}]),
    )
    .expect("applies");
    assert_eq!(out["roles"], json!([{"value": "r-42"}]));
}

#[test]
fn bodies_nested_deeper_than_32_levels_are_invalid_value() {
    let mut deep = json!(1);
    for _ in 0..40 {
        deep = json!([deep]);
    }
    let e = assert_err(
        parse(
            "generic",
            &body(json!([{"op": "add", "path": "title", "value": deep}])),
        ),
        ScimType::InvalidValue,
    );
    assert!(e.detail.contains("32"), "{e}");
    let nested = "{\"value\": ".repeat(40) + "1" + &"}".repeat(40);
    let json_string = json!([{"op": "add", "path": "roles", "value": [{"value": nested}]}]);
    assert_err(parse("elfsquad", &json_string), ScimType::InvalidValue);
}

// ---- add (RFC 7644 §3.5.2.1) --------------------------------------------------------

#[test]
fn add_sets_a_single_valued_attribute() {
    let out = run(
        "generic",
        user(),
        json!([{"op": "add", "path": "title", "value": "Tour Guide"}]),
    )
    .expect("ok");
    assert_eq!(out["title"], "Tour Guide");
    let out = run(
        "generic",
        user(),
        json!([{"op": "add", "path": "displayName", "value": "B. Jensen"}]),
    )
    .expect("ok");
    assert_eq!(out["displayName"], "B. Jensen");
}

#[test]
fn add_merges_the_sub_attributes_of_a_complex_attribute() {
    let out = run("generic", user(), json!([{"op": "add", "path": "name", "value": {"middleName": "Jane", "givenName": "Barb"}}])).expect("ok");
    assert_eq!(
        out["name"],
        json!({"givenName": "Barb", "familyName": "Jensen", "middleName": "Jane"})
    );
}

#[test]
fn add_appends_only_values_not_already_present() {
    let out = run(
        "generic",
        user(),
        json!([{"op": "add", "path": "emails", "value": [{"value": "BABS@jensen.org", "type": "home"}, {"value": "new@x.org", "type": "other"}]}]),
    )
    .expect("ok");
    let values: Vec<&str> = out["emails"]
        .as_array()
        .expect("emails")
        .iter()
        .filter_map(|e| e["value"].as_str())
        .collect();
    assert_eq!(
        values,
        ["bjensen@example.com", "babs@jensen.org", "new@x.org"]
    );
    // A single object is taken as a one-element array.
    let out = run(
        "generic",
        user(),
        json!([{"op": "add", "path": "phoneNumbers", "value": {"value": "555", "type": "work"}}]),
    )
    .expect("ok");
    assert_eq!(
        out["phoneNumbers"],
        json!([{"value": "555", "type": "work"}])
    );
}

#[test]
fn add_with_a_value_path_sets_the_sub_attribute_of_matching_elements() {
    let out = run(
        "generic",
        user(),
        json!([{"op": "add", "path": "emails[type eq \"home\"].display", "value": "Home"}]),
    )
    .expect("ok");
    assert_eq!(
        out["emails"][1],
        json!({"value": "babs@jensen.org", "type": "home", "display": "Home"})
    );
    assert!(out["emails"][0].get("display").is_none());
}

#[test]
fn add_with_an_eq_value_path_matching_nothing_creates_the_element() {
    let out = run(
        "generic",
        user(),
        json!([{"op": "add", "path": "phoneNumbers[type eq \"work\"].value", "value": "555-1234"}]),
    )
    .expect("ok");
    assert_eq!(
        out["phoneNumbers"],
        json!([{"type": "work", "value": "555-1234"}])
    );
    let out = run("generic", user(), json!([{"op": "add", "path": "addresses[type eq \"work\" and country eq \"NL\"]", "value": {"locality": "Utrecht"}}])).expect("ok");
    assert_eq!(
        out["addresses"],
        json!([{"type": "work", "country": "NL", "locality": "Utrecht"}])
    );
}

#[test]
fn add_with_another_value_path_matching_nothing_is_no_target() {
    let r = run(
        "generic",
        user(),
        json!([{"op": "add", "path": "emails[value co \"nobody\"].display", "value": "x"}]),
    );
    assert_err(r, ScimType::NoTarget);
}

// ---- replace (RFC 7644 §3.5.2.3) ----------------------------------------------------

#[test]
fn replace_sets_single_values_and_replaces_all_values_of_multi_valued_ones() {
    let out = run(
        "generic",
        user(),
        json!([
            {"op": "replace", "path": "displayName", "value": "B"},
            {"op": "replace", "path": "emails", "value": [{"value": "only@x.org", "type": "work"}]}
        ]),
    )
    .expect("ok");
    assert_eq!(out["displayName"], "B");
    assert_eq!(
        out["emails"],
        json!([{"value": "only@x.org", "type": "work"}])
    );
}

#[test]
fn replace_of_a_complex_attribute_leaves_unspecified_sub_attributes() {
    let out = run(
        "generic",
        user(),
        json!([{"op": "replace", "path": "name", "value": {"givenName": "Barb"}}]),
    )
    .expect("ok");
    assert_eq!(
        out["name"],
        json!({"givenName": "Barb", "familyName": "Jensen"})
    );
}

#[test]
fn replace_of_an_unassigned_attribute_acts_like_add() {
    let out = run("generic", user(), json!([{"op": "replace", "path": "nickName", "value": "Babs"}, {"op": "replace", "path": "addresses", "value": [{"locality": "Utrecht"}]}])).expect("ok");
    assert_eq!(out["nickName"], "Babs");
    assert_eq!(out["addresses"], json!([{"locality": "Utrecht"}]));
}

#[test]
fn replace_with_a_value_path_replaces_the_matching_elements() {
    let out = run("generic", user(), json!([{"op": "replace", "path": "emails[type eq \"home\"]", "value": {"value": "b@home.org", "type": "home"}}])).expect("ok");
    assert_eq!(
        out["emails"][1],
        json!({"value": "b@home.org", "type": "home"})
    );
    assert_eq!(out["emails"][0]["value"], "bjensen@example.com");
}

#[test]
fn replace_with_a_value_path_and_sub_attribute_sets_that_sub_attribute() {
    let out = run("generic", user(), json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "new@example.com"}])).expect("ok");
    assert_eq!(
        out["emails"][0],
        json!({"value": "new@example.com", "type": "work", "primary": true})
    );
}

#[test]
fn replace_with_a_value_path_matching_nothing_is_no_target() {
    let e = assert_err(
        run(
            "generic",
            user(),
            json!([{"op": "replace", "path": "emails[type eq \"other\"].value", "value": "x"}]),
        ),
        ScimType::NoTarget,
    );
    assert!(e.detail.contains("emails"), "{e}");
    assert_err(
        run(
            "generic",
            user(),
            json!([{"op": "replace", "path": "phoneNumbers[type eq \"work\"]", "value": {"value": "1"}}]),
        ),
        ScimType::NoTarget,
    );
}

#[test]
fn value_filters_use_the_sub_attribute_case_rules() {
    let out = run(
        "generic",
        user(),
        json!([{"op": "replace", "path": "emails[type eq \"WORK\"].display", "value": "Work"}]),
    )
    .expect("ok");
    assert_eq!(out["emails"][0]["display"], "Work");
    let out = run(
        "generic",
        user(),
        json!([{"op": "remove", "path": "emails[value eq \"BABS@JENSEN.ORG\"]"}]),
    )
    .expect("ok");
    assert_eq!(out["emails"].as_array().map(Vec::len), Some(1));
}

#[test]
fn replace_with_null_unassigns_the_attribute() {
    let out = run(
        "generic",
        user(),
        json!([{"op": "replace", "path": "displayName", "value": null}]),
    )
    .expect("ok");
    assert!(out.get("displayName").is_none());
}

// ---- remove (RFC 7644 §3.5.2.2) -----------------------------------------------------

#[test]
fn remove_drops_a_whole_attribute() {
    let out = run("generic", user(), json!([{"op": "remove", "path": "emails"}, {"op": "remove", "path": "displayName"}, {"op": "remove", "path": "title"}])).expect("ok");
    assert!(out.get("emails").is_none() && out.get("displayName").is_none());
}

#[test]
fn remove_of_a_sub_attribute_keeps_the_rest_and_drops_an_emptied_parent() {
    let out = run(
        "generic",
        user(),
        json!([{"op": "remove", "path": "name.givenName"}]),
    )
    .expect("ok");
    assert_eq!(out["name"], json!({"familyName": "Jensen"}));
    let out = run(
        "generic",
        out,
        json!([{"op": "remove", "path": "name.familyName"}]),
    )
    .expect("ok");
    assert!(out.get("name").is_none());
}

#[test]
fn remove_with_value_filter_removes_only_matching_members() {
    let out = run_group(
        "generic",
        group(),
        json!([{"op": "remove", "path": "members[value eq \"u2\"]"}]),
    )
    .expect("ok");
    assert_eq!(member_ids(&out), ["u1", "u3"]);
    let out = run_group(
        "generic",
        group(),
        json!([{"op": "remove", "path": "members[value eq \"u1\" or value eq \"u3\"]"}]),
    )
    .expect("ok");
    assert_eq!(member_ids(&out), ["u2"]);
}

#[test]
fn remove_with_a_value_filter_matching_nothing_succeeds() {
    let out = run_group(
        "generic",
        group(),
        json!([{"op": "remove", "path": "members[value eq \"nobody\"]"}]),
    )
    .expect("ok");
    assert_eq!(out, group());
    let out = run(
        "generic",
        user(),
        json!([{"op": "remove", "path": "phoneNumbers[type eq \"fax\"]"}]),
    )
    .expect("ok");
    assert_eq!(out, user());
}

#[test]
fn remove_of_members_with_a_value_array_removes_those_members() {
    // What Entra ID and Okta send.
    let ops = json!([{"op": "remove", "path": "members", "value": [{"value": "u1"}, {"value": "U3", "display": "ignored"}]}]);
    let out = run_group("generic", group(), ops).expect("ok");
    assert_eq!(member_ids(&out), ["u2"]);
    let out = run_group(
        "adra",
        group(),
        json!([{"op": "Remove", "path": "members"}]),
    )
    .expect("ok");
    assert!(
        out.get("members").is_none(),
        "remove without value clears all members (Adra D:R4)"
    );
}

#[test]
fn remove_of_a_sub_attribute_of_matching_elements() {
    let out = run(
        "generic",
        user(),
        json!([{"op": "remove", "path": "emails[type eq \"work\"].primary"}]),
    )
    .expect("ok");
    assert_eq!(
        out["emails"][0],
        json!({"value": "bjensen@example.com", "type": "work"})
    );
    let out = run(
        "generic",
        user(),
        json!([{"op": "remove", "path": "emails.type"}]),
    )
    .expect("ok");
    assert!(
        out["emails"]
            .as_array()
            .expect("emails")
            .iter()
            .all(|e| e.get("type").is_none())
    );
}

#[test]
fn group_members_can_be_added_and_renamed_with_a_path_less_replace() {
    let out = run_group(
        "generic",
        group(),
        json!([
            {"op": "add", "path": "members", "value": [{"value": "u4"}, {"value": "u1"}]},
            {"op": "replace", "value": {"id": "g1", "displayName": "Guides"}}
        ]),
    )
    .expect("ok");
    assert_eq!(member_ids(&out), ["u1", "u2", "u3", "u4"]);
    assert_eq!(out["displayName"], "Guides");
}

// ---- path-less operations -----------------------------------------------------------

#[test]
fn pathless_replace_applies_each_member_as_a_path() {
    let out = run(
        "generic",
        user(),
        json!([{"op": "replace", "value": {"ACTIVE": false, "name": {"givenName": "Barb"}, "emails": [{"value": "x@y.org"}], "schemas": ["ignored"]}}]),
    )
    .expect("ok");
    assert_eq!(out["active"], false);
    assert_eq!(
        out["name"],
        json!({"givenName": "Barb", "familyName": "Jensen"})
    );
    assert_eq!(out["emails"], json!([{"value": "x@y.org"}]));
    assert_eq!(out["schemas"], user()["schemas"]);
}

#[test]
fn pathless_replace_accepts_entra_dotted_keys() {
    let out = run(
        "generic",
        user(),
        json!([{"op": "replace", "value": {
            "name.givenName": "Barb",
            format!("{ENTERPRISE_USER_URN}:department"): "Tours",
            format!("{ENTERPRISE_USER_URN}:manager"): "m-9",
            format!("{CORE_USER}:title"): "Guide"
        }}]),
    )
    .expect("ok");
    assert_eq!(out["name"]["givenName"], "Barb");
    assert_eq!(
        out[ENTERPRISE_USER_URN],
        json!({"department": "Tours", "manager": {"value": "m-9"}})
    );
    assert_eq!(out["title"], "Guide");
}

#[test]
fn pathless_add_with_an_extension_object_merges_into_the_extension() {
    let start = run("generic", user(), json!([{"op": "add", "path": format!("{ENTERPRISE_USER_URN}:costCenter"), "value": "4130"}])).expect("ok");
    let out = run("generic", start, json!([{"op": "add", "value": {ENTERPRISE_USER_URN: {"department": "Tours", "manager": {"value": "m1"}}}}])).expect("ok");
    assert_eq!(
        out[ENTERPRISE_USER_URN],
        json!({"costCenter": "4130", "department": "Tours", "manager": {"value": "m1"}})
    );
    let gone = run(
        "generic",
        out,
        json!([{"op": "remove", "path": ENTERPRISE_USER_URN}]),
    )
    .expect("ok");
    assert!(gone.get(ENTERPRISE_USER_URN).is_none());
}

#[test]
fn pathless_null_members_unassign() {
    let out = run(
        "generic",
        user(),
        json!([{"op": "replace", "value": {"displayName": null, "name.givenName": null}}]),
    )
    .expect("ok");
    assert!(out.get("displayName").is_none());
    assert_eq!(out["name"], json!({"familyName": "Jensen"}));
}

// ---- extensions ---------------------------------------------------------------------

#[test]
fn extension_objects_are_created_on_demand_and_dropped_when_emptied() {
    let out = run("generic", user(), json!([{"op": "add", "path": format!("{ENTERPRISE_USER_URN}:department"), "value": "Tours"}])).expect("ok");
    assert_eq!(out[ENTERPRISE_USER_URN], json!({"department": "Tours"}));
    let out = run(
        "generic",
        out,
        json!([{"op": "remove", "path": format!("{ENTERPRISE_USER_URN}:department")}]),
    )
    .expect("ok");
    assert!(out.get(ENTERPRISE_USER_URN).is_none());
    let out = run(
        "generic",
        user(),
        json!([{"op": "remove", "path": format!("{ENTERPRISE_USER_URN}:department")}]),
    )
    .expect("ok");
    assert_eq!(out, user());
}

#[test]
fn elfsquad_slash_path_writes_the_extension_attribute() {
    let ops = json!([
        {"op": "replace", "path": format!("{ELFSQUAD_USER_URN}/currencyIso"), "value": "5c3a0f6e-0000-4000-8000-000000000001"},
        {"op": "add", "path": format!("{ELFSQUAD_USER_URN}:isAdmin"), "value": true}
    ]);
    let out = run("elfsquad", user(), ops).expect("ok");
    assert_eq!(
        out[ELFSQUAD_USER_URN],
        json!({"currencyIso": "5c3a0f6e-0000-4000-8000-000000000001", "isAdmin": true})
    );
}

#[test]
fn entra_manager_given_as_a_string_becomes_its_value() {
    let out = run(
        "generic",
        user(),
        json!([{"op": "Add", "path": format!("{ENTERPRISE_USER_URN}:manager"), "value": "m-1"}]),
    )
    .expect("ok");
    assert_eq!(out[ENTERPRISE_USER_URN]["manager"], json!({"value": "m-1"}));
    let out = run(
        "generic",
        out,
        json!([{"op": "remove", "path": format!("{ENTERPRISE_USER_URN}:manager.value")}]),
    )
    .expect("ok");
    assert!(out.get(ENTERPRISE_USER_URN).is_none());
}

// ---- mutability, types, unknown attributes ------------------------------------------

#[test]
fn read_only_targets_are_refused_with_mutability() {
    let cases = [
        json!({"op": "replace", "path": "id", "value": "other"}),
        json!({"op": "remove", "path": "id"}),
        json!({"op": "replace", "path": "meta.created", "value": "2021-01-01T00:00:00Z"}),
        json!({"op": "add", "path": "groups", "value": [{"value": "g1"}]}),
        json!({"op": "replace", "path": "schemas", "value": ["x"]}),
        json!({"op": "replace", "value": {"id": "other"}}),
    ];
    for op in cases {
        let e = assert_err(
            run("generic", user(), json!([op.clone()])),
            ScimType::Mutability,
        );
        assert!(!e.detail.is_empty(), "{op}");
    }
    let atl =
        json!({"id": "u1", "userName": "u", ATLASSIAN_EXTERNAL_URN: {"atlassianAccountId": "a1"}});
    let op = json!([{"op": "replace", "path": format!("{ATLASSIAN_EXTERNAL_URN}:atlassianAccountId"), "value": "a2"}]);
    assert_err(run("atlassian", atl.clone(), op), ScimType::Mutability);
    assert_err(
        run(
            "atlassian",
            atl,
            json!([{"op": "remove", "path": ATLASSIAN_EXTERNAL_URN}]),
        ),
        ScimType::Mutability,
    );
}

#[test]
fn writing_a_read_only_attribute_with_its_current_value_is_a_no_op() {
    let out = run(
        "generic",
        user(),
        json!([{"op": "replace", "value": {"id": "u1", "displayName": "B"}}]),
    )
    .expect("okta style");
    assert_eq!(out["id"], "u1");
    assert_eq!(out["displayName"], "B");
}

#[test]
fn immutable_attributes_may_be_set_once_but_not_changed() {
    let e = assert_err(
        run_group(
            "generic",
            group(),
            json!([{"op": "replace", "path": "members[value eq \"u1\"].value", "value": "u9"}]),
        ),
        ScimType::Mutability,
    );
    assert!(e.detail.contains("immutable"), "{e}");
    assert_err(
        run_group(
            "generic",
            group(),
            json!([{"op": "replace", "path": "members[value eq \"u1\"]", "value": {"value": "u9"}}]),
        ),
        ScimType::Mutability,
    );
    let out = run_group(
        "generic",
        group(),
        json!([{"op": "replace", "path": "members[value eq \"u1\"].display", "value": "Barbara"}]),
    )
    .expect("display is writable");
    assert_eq!(
        out["members"][0],
        json!({"value": "u1", "display": "Barbara"})
    );
    let bare = json!({"id": "g2", "displayName": "G", "members": [{"display": "nobody yet"}]});
    let out = run_group(
        "generic",
        bare,
        json!([{"op": "add", "path": "members[display eq \"nobody yet\"].value", "value": "u5"}]),
    )
    .expect("first value");
    assert_eq!(out["members"][0]["value"], "u5");
}

#[test]
fn removing_a_required_attribute_is_mutability() {
    let e = assert_err(
        run(
            "generic",
            user(),
            json!([{"op": "remove", "path": "userName"}]),
        ),
        ScimType::Mutability,
    );
    assert!(e.detail.contains("required"), "{e}");
    assert_err(
        run(
            "generic",
            user(),
            json!([{"op": "replace", "path": "userName", "value": null}]),
        ),
        ScimType::Mutability,
    );
    assert_err(
        run_group(
            "generic",
            group(),
            json!([{"op": "remove", "path": "displayName"}]),
        ),
        ScimType::Mutability,
    );
}

#[test]
fn unknown_attributes_are_invalid_path() {
    for op in [
        json!({"op": "replace", "path": "favouriteColour", "value": "blue"}),
        json!({"op": "replace", "path": "name.nickname", "value": "B"}),
        json!({"op": "replace", "path": "emails[type eq \"work\"].label", "value": "B"}),
        json!({"op": "replace", "path": format!("{ELFSQUAD_USER_URN}:isAdmin"), "value": true}),
        json!({"op": "replace", "path": "urn:example:unknown:1.0", "value": {"a": 1}}),
        json!({"op": "add", "value": {"favouriteColour": "blue"}}),
        json!({"op": "add", "path": "title.value", "value": "x"}),
        json!({"op": "add", "path": "title[value eq \"x\"]", "value": "x"}),
    ] {
        assert_err(
            run("generic", user(), json!([op.clone()])),
            ScimType::InvalidPath,
        );
    }
}

#[test]
fn wrong_value_types_are_invalid_value() {
    for op in [
        json!({"op": "replace", "path": "active", "value": "false"}),
        json!({"op": "replace", "path": "userName", "value": 42}),
        json!({"op": "replace", "path": "name", "value": 3}),
        json!({"op": "add", "path": "emails", "value": ["plain@string"]}),
        json!({"op": "replace", "path": "emails[type eq \"work\"].primary", "value": "yes"}),
        json!({"op": "replace", "path": "emails[type eq \"work\"]", "value": "x@y"}),
        json!({"op": "replace", "value": {"displayName": ["a"]}}),
    ] {
        assert_err(
            run("generic", user(), json!([op.clone()])),
            ScimType::InvalidValue,
        );
    }
}

#[test]
fn string_booleans_are_coerced_for_adra() {
    let op = json!([{"op": "replace", "path": "active", "value": "False"}]);
    let out = run("adra", user(), op.clone()).expect("adra sends string booleans (D:R6)");
    assert_eq!(out["active"], false);
    assert_err(run("generic", user(), op), ScimType::InvalidValue);
}

#[test]
fn keys_are_written_in_the_schema_spelling() {
    let odd = json!({"id": "u1", "username": "old", "DisplayName": "x"});
    let out = run("generic", odd, json!([{"op": "replace", "path": "USERNAME", "value": "new"}, {"op": "replace", "value": {"displayname": "y"}}])).expect("ok");
    assert_eq!(
        out,
        json!({"id": "u1", "userName": "new", "displayName": "y"})
    );
}

// ---- primary ------------------------------------------------------------------------

#[test]
fn setting_primary_on_one_value_clears_it_on_the_others() {
    let out = run(
        "generic",
        user(),
        json!([{"op": "replace", "path": "emails[type eq \"home\"].primary", "value": true}]),
    )
    .expect("ok");
    assert_eq!(out["emails"][0]["primary"], false);
    assert_eq!(out["emails"][1]["primary"], true);
    let out = run(
        "generic",
        user(),
        json!([{"op": "add", "path": "emails", "value": [{"value": "n@x.org", "primary": true}]}]),
    )
    .expect("ok");
    let primaries: Vec<bool> = out["emails"]
        .as_array()
        .expect("emails")
        .iter()
        .map(|e| e["primary"] == true)
        .collect();
    assert_eq!(primaries, [false, false, true]);
}

#[test]
fn two_primary_values_in_one_replace_are_refused() {
    let op = json!([{"op": "replace", "path": "emails", "value": [{"value": "a", "primary": true}, {"value": "b", "primary": true}]}]);
    assert_err(run("generic", user(), op), ScimType::InvalidValue);
    let op = json!([{"op": "replace", "path": "emails[value pr].primary", "value": true}]);
    assert_err(run("generic", user(), op), ScimType::InvalidValue);
}

// ---- robustness ---------------------------------------------------------------------

#[test]
fn operations_apply_in_order_and_the_first_error_is_returned() {
    let p = profile("generic");
    let ops = parse_patch_body(
        &body(json!([
            {"op": "replace", "path": "displayName", "value": "First"},
            {"op": "replace", "path": "id", "value": "x"},
            {"op": "replace", "path": "title", "value": "never"}
        ])),
        &p.patch,
    )
    .expect("parses");
    let mut r = user();
    let e = apply_patch(&mut r, &ops, &ResourceSchemas::user(&p), &p.patch)
        .expect_err("id is readOnly");
    assert_eq!(e.scim_type, Some(ScimType::Mutability));
    assert_eq!(
        r["displayName"], "First",
        "earlier operations were applied to the working copy"
    );
    assert!(r.get("title").is_none());
}

#[test]
fn a_stored_resource_that_is_not_an_object_is_a_server_error_not_a_panic() {
    let p = profile("generic");
    let ops = parse_patch_body(&body(json!([{"op": "remove", "path": "title"}])), &p.patch)
        .expect("parses");
    let mut r = json!([1, 2]);
    let e =
        apply_patch(&mut r, &ops, &ResourceSchemas::user(&p), &p.patch).expect_err("not an object");
    assert_eq!(e.status.as_u16(), 500);
    let mut odd =
        json!({"id": "u1", "userName": "u", "emails": "not-an-array", ENTERPRISE_USER_URN: 5});
    let ops = parse_patch_body(
        &body(json!([
            {"op": "add", "path": "emails", "value": [{"value": "a@b"}]},
            {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "x"}
        ])),
        &p.patch,
    )
    .expect("parses");
    assert!(apply_patch(&mut odd.clone(), &ops, &ResourceSchemas::user(&p), &p.patch).is_err());
    let ext = parse_patch_body(&body(json!([{"op": "add", "path": format!("{ENTERPRISE_USER_URN}:department"), "value": "x"}])), &p.patch).expect("parses");
    assert!(apply_patch(&mut odd, &ext, &ResourceSchemas::user(&p), &p.patch).is_err());
}

// ---- untrusted input never panics -------------------------------------------------

mod never_panics {
    use super::*;
    use crate::testing::patch::{arb_json, arb_op};
    use crate::testing::scim_profiles;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn patch_parsing_and_application_never_panic(
            ops in prop::collection::vec(arb_op(), 1..4),
            vendor in prop::sample::select(scim_profiles()),
            start in arb_json(),
        ) {
            let _ = run(vendor, user(), Value::Array(ops.clone()));
            let _ = run_group(vendor, group(), Value::Array(ops.clone()));
            let _ = run(vendor, start, Value::Array(ops.clone()));
            let _ = parse(vendor, &Value::Array(ops));
        }

        #[test]
        fn write_normalisation_never_panics(body in arb_json()) {
            for vendor in scim_profiles() {
                let s = ResourceSchemas::user(&profile(vendor));
                for unknown in [UnknownAttributes::Keep, UnknownAttributes::Drop, UnknownAttributes::Reject] {
                    let opts = WriteOptions { unknown, string_booleans: true };
                    if let Ok(v) = s.normalize_write(body.clone(), &opts) {
                        let _ = s.check_required(&v);
                        let _ = s.check_immutable(&body, &v);
                    }
                }
            }
        }
    }
}

mod add_is_linear {
    use super::*;
    use crate::json::{clear_primary, is_primary};
    use crate::patch::guard::is_subset;
    use crate::patch::whole::add_new;
    use proptest::prelude::*;

    /// The definition of a multi-valued attribute of the generic User.
    fn def(name: &str) -> crate::schema::AttrDef {
        let s = ResourceSchemas::user(&profile("generic"));
        s.core
            .attributes
            .iter()
            .find(|a| a.name == name)
            .cloned()
            .unwrap()
    }

    /// `add` as RFC 7644 §3.5.2.1 reads, compared element by element (quadratic).
    fn naive(def: &crate::schema::AttrDef, current: Vec<Value>, items: Vec<Value>) -> Vec<Value> {
        let mut merged = current;
        if items.iter().any(is_primary) {
            merged.iter_mut().for_each(clear_primary);
        }
        for item in items {
            if !merged.iter().any(|e| is_subset(def, &item, e)) {
                merged.push(item);
            }
        }
        merged
    }

    /// Elements that collide often: few values in mixed case, with and without `type`,
    /// `primary`, a non-string or a missing `value`, and bare strings.
    fn element() -> impl Strategy<Value = Value> {
        prop_oneof![
            (
                "[aAbB]{1,2}",
                prop::option::of(prop_oneof![Just("work"), Just("home")]),
                any::<bool>()
            )
                .prop_map(|(v, t, p)| {
                    let mut o = json!({"value": format!("{v}@x.test")});
                    if let Some(t) = t {
                        o["type"] = json!(t);
                    }
                    if p {
                        o["primary"] = json!(true);
                    }
                    o
                }),
            prop_oneof![Just("work"), Just("home")].prop_map(|t| json!({"type": t})),
            (0u8..3).prop_map(|n| json!({"value": n})),
            "[aA]{1,2}".prop_map(|v| json!(format!("{v}@x.test"))),
        ]
    }

    proptest! {
        #[test]
        fn add_keeps_what_the_element_by_element_reading_keeps(
            current in prop::collection::vec(element(), 0..12),
            items in prop::collection::vec(element(), 0..12),
            attr in prop_oneof![Just("emails"), Just("phoneNumbers"), Just("roles")],
        ) {
            let d = def(attr);
            prop_assert_eq!(
                add_new(&d, current.clone(), items.clone()),
                naive(&d, current, items)
            );
        }
    }

    #[test]
    fn sixteen_thousand_new_emails_are_added_once_each() {
        let d = def("emails");
        let current: Vec<Value> = (0..100)
            .map(|i| json!({"value": format!("old{i}@x.test"), "type": "work"}))
            .collect();
        let items: Vec<Value> = (0..16_000)
            .map(|i| json!({"value": format!("NEW{}@x.test", i % 8_000), "type": "work"}))
            .collect();
        let merged = add_new(&d, current, items);
        assert_eq!(merged.len(), 8_100, "repeats in the PATCH are added once");
    }
}
