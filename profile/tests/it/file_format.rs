//! The profile file format: `extends` merges, errors name their path, and the JSON Schema's
//! picture of the types agrees with the types.

use scimock_filter::AttrKind;
use scimock_profile::file_schema::{allowed_values, schema_at};
use scimock_profile::{Behaviour, Profile, ProfileError, merge};
use serde_json::json;

fn problems(doc: serde_json::Value) -> Vec<String> {
    match Profile::from_document("test.json", &doc.to_string()) {
        Err(ProfileError::Invalid { problems, .. }) => {
            problems.iter().map(ToString::to_string).collect()
        }
        other => panic!("expected problems, got {other:?}"),
    }
}

#[test]
fn objects_merge_key_by_key_and_everything_else_replaces() {
    let mut base = json!({"a": {"b": 1, "c": [1, 2]}, "d": "x"});
    merge(&mut base, json!({"a": {"c": [3]}, "d": null}));
    assert_eq!(base, json!({"a": {"b": 1, "c": [3]}, "d": null}));
}

#[test]
fn a_file_extending_a_builtin_keeps_what_it_does_not_say() {
    let doc = json!({"extends": "atlassian", "name": "acme", "list": {"max_count": 100}});
    let p = Profile::from_document("acme.json", &doc.to_string()).unwrap();
    let atlassian = Profile::builtin("atlassian").unwrap();
    assert_eq!(p.name, "acme");
    assert_eq!(p.base_path, atlassian.base_path);
    assert_eq!(p.shape, atlassian.shape);
    assert_eq!(p.fixtures.as_deref(), Some("atlassian"));
    assert_eq!(p.seed_fixtures(), atlassian.seed_fixtures());
}

#[test]
fn problems_are_named_by_their_json_path() {
    let p = problems(
        json!({"extends": "generic", "filter": {"users": {"allow": [{"attr": "userName", "ops": ["equals"]}]}}}),
    );
    assert!(
        p.iter()
            .any(|p| p.starts_with("filter.users.allow[0].ops[0]:") && p.contains("eq, ne")),
        "{p:?}"
    );
    let p = problems(
        json!({"extends": "generic", "writes": {"duplicate_refusal": {"status": 200, "detail": "x"}}}),
    );
    assert!(
        p.iter()
            .any(|p| p.starts_with("writes.duplicate_refusal.status:")),
        "{p:?}"
    );
    let p = problems(json!({"extends": "generic", "name": "Acme"}));
    assert!(p.iter().any(|p| p.starts_with("name:")), "{p:?}");
}

#[test]
fn the_schemas_attribute_types_are_attr_kinds_spellings() {
    let allowed = allowed_values(schema_at("schemas[0].attributes[0].type").unwrap()).unwrap();
    let every = [
        AttrKind::String,
        AttrKind::Boolean,
        AttrKind::Decimal,
        AttrKind::Integer,
        AttrKind::DateTime,
        AttrKind::Reference,
        AttrKind::Binary,
        AttrKind::Complex,
    ];
    assert_eq!(allowed.len(), every.len(), "{allowed:?}");
    for k in every {
        assert!(
            allowed.iter().any(|a| a == k.as_str()),
            "{k:?} in {allowed:?}"
        );
        let back: AttrKind = serde_json::from_value(json!(k.as_str())).unwrap();
        assert_eq!(back, k);
    }
}

#[test]
fn every_named_behaviour_is_in_the_schema() {
    let allowed = allowed_values(schema_at("behaviour").unwrap()).unwrap();
    let names: Vec<&str> = Behaviour::ALL.iter().map(|b| b.as_str()).collect();
    assert_eq!(allowed, names);
}
