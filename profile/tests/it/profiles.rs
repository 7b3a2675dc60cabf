//! Every built-in profile loads, its fixtures parse, and overrides are checked.

use scimock_profile::{
    Mutability, PROFILE_NAMES, Profile, ProfileError, Returned, Uniqueness, builtin_fixtures,
    parse_override, vocab,
};
use serde_json::{Value, json};

#[test]
fn every_builtin_profile_loads_with_its_own_name() {
    for name in PROFILE_NAMES {
        let p = Profile::builtin(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(&p.name, name);
        assert!(p.base_path.starts_with('/'), "{name} base path");
        assert!(
            !p.concrete_base_path().contains('{'),
            "{name} has unfilled id segments"
        );
        assert!(!p.quirks.is_empty(), "{name} documents no quirks");
    }
}

#[test]
fn every_quirk_id_is_unique_and_every_switch_names_a_real_field() {
    for name in PROFILE_NAMES {
        let p = Profile::builtin(name).unwrap();
        let doc = serde_json::to_value(&p).unwrap();
        let mut ids = std::collections::HashSet::new();
        for q in &p.quirks {
            assert!(ids.insert(q.id.clone()), "{name}: duplicate quirk {}", q.id);
            for sw in &q.switches {
                let mut v = &doc;
                for part in sw.split('.') {
                    v = v.get(part).unwrap_or_else(|| {
                        panic!("{name}: quirk {} names missing field {sw}", q.id)
                    });
                }
            }
        }
    }
}

#[test]
fn every_builtin_fixture_parses_as_users_and_groups() {
    for name in PROFILE_NAMES {
        let v: Value = serde_json::from_str(builtin_fixtures(name).unwrap()).unwrap();
        assert!(v.is_object(), "{name}");
        if let Some(users) = v.get("users") {
            for u in users.as_array().unwrap() {
                assert!(
                    u.get("userName").is_some(),
                    "{name}: fixture user without userName"
                );
            }
        }
    }
}

#[test]
fn overrides_replace_fields_and_reject_unknown_paths() {
    let p = Profile::builtin("attio").unwrap();
    let q = p
        .with_overrides(&[("list.max_count".into(), json!(200))])
        .unwrap();
    assert_eq!(q.list.max_count, Some(200));
    assert!(
        p.with_overrides(&[("list.max_cuont".into(), json!(1))])
            .is_err()
    );
    assert!(
        p.with_overrides(&[("errors.format".into(), json!("nonsense"))])
            .is_err()
    );
    let (path, value) = parse_override("errors.format=scim").unwrap();
    assert_eq!(path, "errors.format");
    assert_eq!(value, json!("scim"));
    let q = p.with_overrides(&[(path, value)]).unwrap();
    assert_eq!(q.errors.format, scimock_profile::ErrorFormat::Scim);
}

#[test]
fn error_code_tables_are_data() {
    let attio = Profile::builtin("attio").unwrap();
    let codes = attio.errors.codes().expect("Attio's error-code table");
    assert_eq!(codes.for_status(429).kind, "rate_limit_error");
    assert_eq!(codes.for_status(429).code, "rate_limit_exceeded");
    assert_eq!(codes.for_status(404).code, "not_found");
    assert_eq!(codes.for_status(500).kind, "api_error");
    assert_eq!(codes.for_status(500).code, "internal_error");
    // The Attio envelope switched on for another profile uses Attio's table.
    let generic = Profile::builtin("generic").unwrap();
    assert!(generic.errors.codes().is_none());
    let switched = generic
        .with_overrides(&[("errors.format".into(), json!("attio"))])
        .unwrap();
    assert_eq!(switched.errors.codes(), Some(codes));
}

#[test]
fn overrides_go_to_the_profiles_that_have_the_field_or_that_they_name() {
    let set = vec![
        ("list.max_count".to_string(), json!(7)),
        ("attio.writes.role.keep_one".to_string(), json!(null)),
        ("unified.max_limit".to_string(), json!(5)),
        ("list.max_cont".to_string(), json!(1)),
    ];
    let attio = Profile::builtin("attio").unwrap();
    let (mine, taken) = attio.overrides_for(&set);
    assert_eq!(taken, [true, true, false, false]);
    let a = attio.with_overrides(&mine).unwrap();
    assert_eq!(a.list.max_count, Some(7));
    assert!(a.writes.role.as_ref().unwrap().keep_one.is_none());
    let generic = Profile::builtin("generic").unwrap();
    assert_eq!(generic.overrides_for(&set).1, [true, false, false, false]);
    let truto = Profile::builtin("truto").unwrap();
    assert_eq!(truto.overrides_for(&set).1, [true, false, true, false]);
    let all = Profile::all_builtin().unwrap();
    let check = |mounted: &[Profile], path: &str, value: Value| {
        scimock_profile::check_overrides(mounted, &[(path.to_string(), value)])
            .map_err(|e| e.to_string())
    };
    assert!(check(&all, "list.max_count", json!(5)).is_ok());
    assert!(check(&all, "attio.writes.role.keep_one", json!(null)).is_ok());
    let typo = check(std::slice::from_ref(&generic), "list.max_cont", json!(1)).unwrap_err();
    assert_eq!(typo, "override list.max_cont: no field \"max_cont\"");
    // A vendor-only field's typo is judged by the profile that has most of the path.
    let typo = check(&all, "writes.role.keep_on", json!(null)).unwrap_err();
    assert_eq!(typo, "override writes.role.keep_on: no field \"keep_on\"");
    let typo = check(&all, "attio.list.max_cont", json!(1)).unwrap_err();
    assert_eq!(typo, "override attio.list.max_cont: no field \"max_cont\"");
    let absent = check(
        std::slice::from_ref(&generic),
        "attio.list.max_count",
        json!(1),
    );
    assert!(absent.unwrap_err().contains("attio profile is not mounted"));
    let together = scimock_profile::check_overrides(
        &all,
        &[
            ("attio.writes.role".to_string(), json!(null)),
            ("attio.writes.role.keep_one".to_string(), json!("x")),
        ],
    );
    assert!(together.is_err(), "each applies alone, not after the other");
    let wrong = check(&all, "list.max_count", json!("abc")).unwrap_err();
    assert!(
        wrong.starts_with("override list.max_count: invalid type"),
        "{wrong}"
    );
}

#[test]
fn unknown_profile_names_are_refused_with_the_known_list() {
    let err = Profile::builtin("okta").unwrap_err().to_string();
    assert!(err.contains("attio") && err.contains("okta"), "{err}");
}

#[test]
fn the_not_offered_status_must_be_an_error_status() {
    let p = Profile::builtin("adra").unwrap();
    assert_eq!(p.errors.not_offered_status, 501);
    assert_eq!(
        Profile::builtin("generic")
            .unwrap()
            .errors
            .not_offered_status,
        405
    );
    let err = p
        .with_overrides(&[("errors.not_offered_status".into(), json!(302))])
        .unwrap_err()
        .to_string();
    assert!(err.contains("302 is not an error status"), "{err}");
}

#[test]
fn every_extension_of_a_builtin_profile_has_a_schema_in_its_order() {
    for name in PROFILE_NAMES {
        let p = Profile::builtin(name).unwrap();
        let ids: Vec<&str> = p.extension_schemas().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, p.shape.extensions, "{name}");
    }
    let elfsquad = Profile::builtin("elfsquad").unwrap();
    let ext = elfsquad
        .extension_schema("URN:ietf:params:scim:schemas:extension:elfsquad:2.0:user")
        .expect("declared in the profile, matched case-insensitively");
    assert_eq!(ext.name, "ElfsquadUser");
    assert!(
        elfsquad.extension_schema(vocab::ENTERPRISE_USER).is_some(),
        "well-known"
    );
    assert!(
        Profile::builtin("generic")
            .unwrap()
            .extension_schema("urn:ietf:params:scim:schemas:extension:elfsquad:2.0:User")
            .is_none(),
        "a vendor's schema belongs to its profile only"
    );
}

#[test]
fn an_unknown_extension_urn_is_a_load_error_naming_it() {
    let unknown = "urn:example:params:scim:schemas:extension:nobody:2.0:User";
    let mut doc: Value =
        serde_json::from_str(include_str!("../../../fixtures/profiles/generic.json")).unwrap();
    doc["shape"]["extensions"] = json!([vocab::ENTERPRISE_USER, unknown]);
    let e = Profile::from_json("generic", &doc.to_string()).unwrap_err();
    assert!(
        matches!(&e, ProfileError::UnknownExtension { profile, urn } if profile == "generic" && urn == unknown),
        "{e:?}"
    );
    assert!(e.to_string().contains(unknown), "{e}");
    let e = Profile::builtin("generic")
        .unwrap()
        .with_overrides(&[("shape.extensions".into(), json!([unknown]))])
        .unwrap_err();
    assert!(
        matches!(&e, ProfileError::UnknownExtension { urn, .. } if urn == unknown),
        "{e:?}"
    );
}

#[test]
fn a_declared_extension_schema_takes_rfc_7643_defaults() {
    let urn = "urn:example:params:scim:schemas:extension:acme:2.0:User";
    let mut doc: Value =
        serde_json::from_str(include_str!("../../../fixtures/profiles/generic.json")).unwrap();
    doc["shape"]["extensions"] = json!([urn]);
    doc["schemas"] = json!([{
        "id": urn,
        "name": "AcmeUser",
        "attributes": [
            {"name": "badge"},
            {"name": "hired", "type": "dateTime", "mutability": "immutable", "returned": "request"}
        ]
    }]);
    let p = Profile::from_json("acme", &doc.to_string()).unwrap();
    let s = p.extension_schema(urn).unwrap();
    let badge = &s.attributes[0];
    assert_eq!(badge.kind, scimock_filter::AttrKind::String);
    assert!(!badge.multi_valued && !badge.required && !badge.case_exact);
    assert_eq!(
        (badge.mutability, badge.returned, badge.uniqueness),
        (Mutability::ReadWrite, Returned::Default, Uniqueness::None)
    );
    let hired = &s.attributes[1];
    assert_eq!(
        (hired.kind, hired.mutability, hired.returned),
        (
            scimock_filter::AttrKind::DateTime,
            Mutability::Immutable,
            Returned::Request
        )
    );
    doc["schemas"][0]["attributes"][0]["typo"] = json!(true);
    assert!(matches!(
        Profile::from_json("acme", &doc.to_string()),
        Err(ProfileError::Invalid { .. })
    ));
}

/// Adding a vendor is adding its JSON file: the registry is every `fixtures/profiles/*.json`,
/// found at build time, generic first.
#[test]
fn the_registry_is_every_file_in_fixtures_profiles() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/profiles");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|f| f.strip_suffix(".json").map(str::to_string))
        .collect();
    files.sort();
    let mut names: Vec<String> = PROFILE_NAMES.iter().map(|n| n.to_string()).collect();
    assert_eq!(names[0], "generic");
    names.sort();
    assert_eq!(names, files);
    for name in PROFILE_NAMES {
        assert!(scimock_profile::is_builtin(name));
        assert!(builtin_fixtures(name).is_some(), "{name}");
    }
}
