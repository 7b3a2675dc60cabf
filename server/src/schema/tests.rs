use super::*;
use crate::error::{ScimError, ScimType};
use crate::schema::defs::find_def;
use scimock_filter::{AttrKind, AttrPath, SchemaInfo};
use scimock_profile::{Profile, UnknownAttributes};
use serde_json::{Value, json};

/// Elfsquad's extension (declared in its profile).
const ELFSQUAD_USER_URN: &str = "urn:ietf:params:scim:schemas:extension:elfsquad:2.0:User";
/// Atlassian's extension (declared in its profile).
const ATLASSIAN_EXTERNAL_URN: &str = "urn:scim:schemas:extension:atlassian-external:1.0";

fn profile(name: &str) -> Profile {
    Profile::builtin(name).expect("builtin profile")
}

fn users(name: &str) -> ResourceSchemas {
    ResourceSchemas::user(&profile(name))
}

fn path(urn: Option<&str>, name: &str, sub: Option<&str>) -> AttrPath {
    AttrPath {
        urn: urn.map(str::to_string),
        name: name.to_string(),
        sub: sub.map(str::to_string),
    }
}

fn opts(unknown: UnknownAttributes) -> WriteOptions {
    WriteOptions {
        unknown,
        string_booleans: false,
    }
}

fn assert_err(e: &ScimError, status: u16, t: ScimType, mentions: &str) {
    assert_eq!(e.status.as_u16(), status, "{e}");
    assert_eq!(e.scim_type, Some(t), "{e}");
    assert!(e.detail.contains(mentions), "{e} should mention {mentions}");
}

#[test]
fn user_schema_has_every_rfc_7643_user_attribute_in_order() {
    let s = users("generic");
    let names: Vec<&str> = s.core.attributes.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "userName",
            "name",
            "displayName",
            "nickName",
            "profileUrl",
            "title",
            "userType",
            "preferredLanguage",
            "locale",
            "timezone",
            "active",
            "password",
            "emails",
            "phoneNumbers",
            "ims",
            "photos",
            "addresses",
            "groups",
            "entitlements",
            "roles",
            "x509Certificates"
        ]
    );
    let name = s.top_level("name").expect("name");
    let subs: Vec<&str> = name
        .sub_attributes
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(
        subs,
        [
            "formatted",
            "familyName",
            "givenName",
            "middleName",
            "honorificPrefix",
            "honorificSuffix"
        ]
    );
    let emails = s.top_level("emails").expect("emails");
    assert!(emails.multi_valued && emails.is_complex());
    assert_eq!(
        lookup_sub(emails, "type").map(|t| t.canonical_values.clone()),
        Some(vec!["work".into(), "home".into(), "other".into()])
    );
    assert_eq!(
        lookup_sub(s.top_level("x509Certificates").expect("x509"), "value").map(|v| v.kind),
        Some(AttrKind::Binary)
    );
    assert_eq!(
        lookup_sub(s.top_level("photos").expect("photos"), "value").map(|v| v.kind),
        Some(AttrKind::Reference)
    );
}

#[test]
fn common_attributes_follow_rfc_7643_section_3_1() {
    let s = users("generic");
    let id = s.top_level("id").expect("id");
    assert_eq!(
        (id.mutability, id.returned, id.case_exact, id.uniqueness),
        (
            Mutability::ReadOnly,
            Returned::Always,
            true,
            Uniqueness::Server
        )
    );
    let ext = s.top_level("externalId").expect("externalId");
    assert!(ext.case_exact && ext.mutability == Mutability::ReadWrite);
    let meta = s.top_level("meta").expect("meta");
    assert!(meta.is_read_only());
    assert!(meta.sub_attributes.iter().all(AttrDef::is_read_only));
    assert_eq!(
        lookup_sub(meta, "created").map(|c| c.kind),
        Some(AttrKind::DateTime)
    );
}

#[test]
fn user_name_is_required_case_insensitive_and_server_unique() {
    let s = users("generic");
    let u = s.top_level("userName").expect("userName");
    assert!(u.required && !u.case_exact);
    assert_eq!(u.uniqueness, Uniqueness::Server);
}

#[test]
fn password_is_write_only_and_never_returned() {
    let p = users("generic")
        .top_level("password")
        .cloned()
        .expect("password");
    assert_eq!(
        (p.mutability, p.returned),
        (Mutability::WriteOnly, Returned::Never)
    );
}

#[test]
fn user_groups_are_read_only_down_to_their_sub_attributes() {
    let s = users("generic");
    let g = s.top_level("groups").expect("groups");
    assert!(g.is_read_only() && g.multi_valued);
    assert!(g.sub_attributes.iter().all(AttrDef::is_read_only));
    assert_eq!(
        lookup_sub(g, "$REF").map(|r| r.reference_types.clone()),
        Some(vec!["User".into(), "Group".into()])
    );
}

#[test]
fn group_display_name_is_required_and_member_value_immutable() {
    let g = ResourceSchemas::group(&profile("generic"));
    assert_eq!(
        (g.resource_type.as_str(), g.endpoint.as_str()),
        ("Group", "/Groups")
    );
    assert!(g.top_level("displayName").expect("displayName").required);
    let members = g.top_level("members").expect("members");
    assert!(members.multi_valued);
    let names: Vec<&str> = members
        .sub_attributes
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["value", "$ref", "display", "type"]);
    assert_eq!(
        lookup_sub(members, "value").map(|v| v.mutability),
        Some(Mutability::Immutable)
    );
    assert_eq!(
        lookup_sub(members, "type").map(|v| v.canonical_values.len()),
        Some(2)
    );
    assert!(g.extensions.is_empty());
}

#[test]
fn enterprise_extension_is_present_only_when_the_profile_lists_it() {
    let generic = users("generic");
    let ids: Vec<&str> = generic.extensions.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, [ENTERPRISE_USER_URN]);
    let ent = &generic.extensions[0];
    let names: Vec<&str> = ent.attributes.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "employeeNumber",
            "costCenter",
            "organization",
            "division",
            "department",
            "manager"
        ]
    );
    let manager = find_def(&ent.attributes, "manager").expect("manager");
    assert!(
        lookup_sub(manager, "displayName")
            .expect("displayName")
            .is_read_only()
    );
    assert!(users("attio").extensions.is_empty());
}

#[test]
fn elfsquad_extension_has_uuid_strings_and_a_boolean_is_admin() {
    let s = users("elfsquad");
    let ids: Vec<&str> = s.extensions.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, [ENTERPRISE_USER_URN, ELFSQUAD_USER_URN]);
    let elf = s.extension(ELFSQUAD_USER_URN).expect("elfsquad");
    for n in [
        "currencyIso",
        "languageIso",
        "crmAccountId",
        "crmContactId",
        "organizationId",
        "twoFactorAuthenticationStatus",
    ] {
        assert_eq!(
            find_def(&elf.attributes, n).map(|d| d.kind),
            Some(AttrKind::String),
            "{n}"
        );
    }
    assert_eq!(
        find_def(&elf.attributes, "isAdmin").map(|d| d.kind),
        Some(AttrKind::Boolean)
    );
}

#[test]
fn atlassian_account_id_is_read_only_and_department_is_mirrored_top_level() {
    let s = users("atlassian");
    let ext = s.extension(ATLASSIAN_EXTERNAL_URN).expect("atlassian ext");
    assert!(ext.attributes.iter().all(AttrDef::is_read_only));
    assert_eq!(s.extensions.len(), 2);
    assert_eq!(
        s.top_level("department").map(|d| d.kind),
        Some(AttrKind::String)
    );
    assert!(s.top_level("organization").is_some());
    assert!(users("generic").top_level("department").is_none());
}

#[test]
fn attio_app_role_is_a_core_string_with_canonical_values_and_emails_are_read_only() {
    let s = users("attio");
    let role = s.top_level("approle").expect("appRole");
    assert_eq!(role.name, "appRole");
    assert_eq!(role.kind, AttrKind::String);
    assert_eq!(role.canonical_values, ["admin", "member"]);
    assert!(s.top_level("emails").expect("emails").is_read_only());
    assert!(
        !users("generic")
            .top_level("emails")
            .expect("emails")
            .is_read_only()
    );
}

#[test]
fn read_only_entries_accept_dotted_and_urn_qualified_names() {
    let mut s = users("generic");
    s.make_read_only("name.givenName");
    s.make_read_only(&format!("{ENTERPRISE_USER_URN}:department"));
    s.make_read_only("noSuchAttribute");
    let name = s.top_level("name").expect("name");
    assert!(
        lookup_sub(name, "givenName")
            .expect("givenName")
            .is_read_only()
    );
    assert!(
        !lookup_sub(name, "familyName")
            .expect("familyName")
            .is_read_only()
    );
    assert!(!name.is_read_only());
    let dept = s
        .lookup(&path(Some(ENTERPRISE_USER_URN), "department", None))
        .expect("department");
    assert!(dept.is_read_only());
}

#[test]
fn lookup_is_case_insensitive_and_the_core_urn_means_the_core_schema() {
    let s = users("generic");
    assert_eq!(
        s.lookup(&path(None, "USERNAME", None))
            .map(|d| d.name.as_str()),
        Some("userName")
    );
    assert_eq!(
        s.lookup(&path(None, "name", Some("GIVENNAME")))
            .map(|d| d.name.as_str()),
        Some("givenName")
    );
    let core = path(
        Some("URN:ietf:params:scim:schemas:core:2.0:user"),
        "emails",
        Some("value"),
    );
    assert_eq!(s.lookup(&core).map(|d| d.name.as_str()), Some("value"));
    assert!(s.lookup(&path(None, "name", Some("nope"))).is_none());
    assert!(s.lookup(&path(None, "nope", None)).is_none());
}

#[test]
fn lookup_with_an_extension_urn_selects_the_extension_and_bare_names_stay_in_core() {
    let s = users("generic");
    let dept = path(
        Some(&ENTERPRISE_USER_URN.to_uppercase()),
        "Department",
        None,
    );
    let r = s.resolve(&dept).expect("department");
    assert_eq!(
        r.extension.map(|e| e.id.as_str()),
        Some(ENTERPRISE_USER_URN)
    );
    assert_eq!(r.attr.map(|a| a.name.as_str()), Some("department"));
    assert!(s.lookup(&path(None, "department", None)).is_none());
    let mgr = path(Some(ENTERPRISE_USER_URN), "manager", Some("value"));
    assert_eq!(s.lookup(&mgr).map(|d| d.name.as_str()), Some("value"));
    // A bare extension URN, both as the grammar splits it and as one string.
    let (urn, name) = ENTERPRISE_USER_URN.rsplit_once(':').expect("a URN");
    let split = path(Some(urn), name, None);
    let whole = s.resolve(&split).expect("whole extension");
    assert!(whole.attr.is_none() && whole.extension.is_some());
    assert!(
        s.resolve(&urn_path(ENTERPRISE_USER_URN))
            .is_some_and(|r| r.attr.is_none())
    );
    assert!(
        s.lookup(&path(Some(ELFSQUAD_USER_URN), "isAdmin", None))
            .is_none()
    );
}

#[test]
fn schema_info_gives_the_filter_evaluator_kind_case_and_multiplicity() {
    let s = users("generic");
    let info = |p: AttrPath| SchemaInfo::attribute(&s, &p);
    assert_eq!(
        info(path(None, "id", None)).map(|i| i.case_exact),
        Some(true)
    );
    assert_eq!(
        info(path(None, "emails", None)).map(|i| (i.kind, i.multi_valued)),
        Some((AttrKind::Complex, true))
    );
    assert_eq!(
        info(path(None, "emails", Some("value"))).map(|i| (i.kind, i.case_exact)),
        Some((AttrKind::String, false))
    );
    assert_eq!(
        info(path(None, "active", None)).map(|i| i.kind),
        Some(AttrKind::Boolean)
    );
    assert_eq!(
        info(path(None, "meta", Some("lastModified"))).map(|i| i.kind),
        Some(AttrKind::DateTime)
    );
    assert!(info(path(None, "unknown", None)).is_none());
}

#[test]
fn schemas_json_follows_rfc_7643_section_7() {
    let s = users("generic");
    let docs = s.to_scim_json("http://h/scim/v2/");
    assert_eq!(docs.len(), 2);
    let user = &docs[0];
    assert_eq!(user["schemas"], json!([SCHEMA_URN]));
    assert_eq!(user["id"], CORE_USER_URN);
    assert_eq!(user["name"], "User");
    assert_eq!(
        user["meta"],
        json!({"resourceType": "Schema", "location": format!("http://h/scim/v2/Schemas/{CORE_USER_URN}")})
    );
    let attrs = user["attributes"].as_array().expect("attributes");
    assert!(
        attrs
            .iter()
            .all(|a| a["name"] != "id" && a["name"] != "meta"),
        "common attributes are not part of the schema"
    );
    let user_name = &attrs[0];
    assert_eq!(
        user_name,
        &json!({"name": "userName", "type": "string", "multiValued": false,
                "description": user_name["description"], "required": true, "caseExact": false,
                "mutability": "readWrite", "returned": "default", "uniqueness": "server"})
    );
    let emails = attrs
        .iter()
        .find(|a| a["name"] == "emails")
        .expect("emails");
    assert_eq!(emails["multiValued"], true);
    assert_eq!(emails["subAttributes"].as_array().map(Vec::len), Some(4));
    assert_eq!(
        emails["subAttributes"][2]["canonicalValues"],
        json!(["work", "home", "other"])
    );
    let password = attrs
        .iter()
        .find(|a| a["name"] == "password")
        .expect("password");
    assert_eq!(
        (
            password["mutability"].as_str(),
            password["returned"].as_str()
        ),
        (Some("writeOnly"), Some("never"))
    );
    let profile_url = attrs
        .iter()
        .find(|a| a["name"] == "profileUrl")
        .expect("profileUrl");
    assert_eq!(profile_url["referenceTypes"], json!(["external"]));
    assert!(
        attrs
            .iter()
            .all(|a| a.get("subAttributes").is_some() == (a["type"] == "complex"))
    );
    assert_eq!(docs[1]["id"], ENTERPRISE_USER_URN);
    assert_eq!(docs[1]["name"], "EnterpriseUser");
}

/// `/Schemas` of every built-in profile, byte for byte: the User schemas (and the Group
/// schema where the profile has groups) as `fixtures/golden/{profile}-schemas.json` holds them.
#[test]
fn schemas_json_of_every_profile_matches_its_golden_file() {
    for name in scimock_profile::PROFILE_NAMES {
        let p = profile(name);
        let base = format!("https://scim.example{}", p.concrete_base_path());
        let mut docs = ResourceSchemas::user(&p).to_scim_json(&base);
        if p.groups.is_some() {
            docs.extend(ResourceSchemas::group(&p).to_scim_json(&base));
        }
        let got = serde_json::to_string_pretty(&Value::Array(docs)).expect("serialises") + "\n";
        let file = format!(
            "{}/../fixtures/golden/{name}-schemas.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let want = std::fs::read_to_string(&file).expect("golden file");
        assert!(got == want, "{name}: /Schemas differs from {file}");
    }
}

#[test]
fn normalize_refuses_a_body_that_is_not_an_object() {
    for body in [json!([]), json!("x"), json!(null), json!(1)] {
        let e = users("generic")
            .normalize_write(body, &opts(UnknownAttributes::Keep))
            .unwrap_err();
        assert_err(&e, 400, ScimType::InvalidSyntax, "JSON object");
    }
}

#[test]
fn normalize_canonicalises_attribute_names_at_every_level() {
    let s = users("generic");
    let body = json!({
        "USERNAME": "bjensen",
        "Name": {"GivenName": "Barbara", "familyname": "Jensen"},
        "EMAILS": [{"VALUE": "b@example.com", "Primary": true}],
        "urn:IETF:params:scim:schemas:extension:ENTERPRISE:2.0:user": {"DEPARTMENT": "Tours", "Manager": {"VALUE": "m1"}}
    });
    let out = s
        .normalize_write(body, &opts(UnknownAttributes::Reject))
        .expect("valid");
    assert_eq!(
        out,
        json!({
            "userName": "bjensen",
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            "emails": [{"value": "b@example.com", "primary": true}],
            ENTERPRISE_USER_URN: {"department": "Tours", "manager": {"value": "m1"}}
        })
    );
}

#[test]
fn normalize_drops_read_only_attributes_schemas_and_nulls() {
    let s = users("atlassian");
    let body = json!({
        "schemas": [CORE_USER_URN],
        "id": "client-chosen",
        "meta": {"created": "2020-01-01T00:00:00Z"},
        "userName": "u",
        "groups": [{"value": "g1"}],
        "displayName": null,
        "emails": [],
        "name": {"givenName": null},
        ATLASSIAN_EXTERNAL_URN: {"atlassianAccountId": "abc"},
        ENTERPRISE_USER_URN: {"manager": {"value": "m", "displayName": "Boss"}}
    });
    let out = s
        .normalize_write(body, &opts(UnknownAttributes::Reject))
        .expect("valid");
    assert_eq!(
        out,
        json!({"userName": "u", ENTERPRISE_USER_URN: {"manager": {"value": "m"}}})
    );
}

#[test]
fn normalize_type_errors_are_invalid_value_naming_the_attribute() {
    let s = users("generic");
    let cases = [
        (json!({"userName": 5}), "userName"),
        (json!({"active": "yes"}), "active"),
        (json!({"active": "true"}), "active"),
        (json!({"emails": {"value": "a@b"}}), "emails"),
        (json!({"emails": ["a@b"]}), "emails"),
        (json!({"name": "Barbara"}), "name"),
        (json!({"name": {"givenName": ["B"]}}), "name.givenName"),
        (json!({"displayName": ["B"]}), "displayName"),
        (json!({"emails": [{"primary": "yes"}]}), "emails.primary"),
        (json!({"emails": [[{"value": "x"}]]}), "emails"),
        (
            json!({"x509Certificates": [{"value": 12}]}),
            "x509Certificates.value",
        ),
        (
            json!({ENTERPRISE_USER_URN: {"department": 1}}),
            "department",
        ),
        (json!({ENTERPRISE_USER_URN: "Tours"}), ENTERPRISE_USER_URN),
    ];
    for (body, attr) in cases {
        let e = s
            .normalize_write(body.clone(), &opts(UnknownAttributes::Keep))
            .unwrap_err();
        assert_err(&e, 400, ScimType::InvalidValue, attr);
    }
}

#[test]
fn normalize_checks_integer_decimal_and_rfc_3339_date_times() {
    let mut s = users("generic");
    s.core
        .attributes
        .push(AttrDef::new("hired", AttrKind::DateTime, "test"));
    s.core
        .attributes
        .push(AttrDef::new("level", AttrKind::Integer, "test"));
    s.core
        .attributes
        .push(AttrDef::new("score", AttrKind::Decimal, "test"));
    let o = opts(UnknownAttributes::Reject);
    let ok = json!({"hired": "2024-02-29T12:00:00.123+01:00", "level": 3, "score": 2.5});
    assert_eq!(s.normalize_write(ok.clone(), &o).expect("valid"), ok);
    for (body, attr) in [
        (json!({"hired": "2024-02-30T12:00:00Z"}), "hired"),
        (json!({"hired": "yesterday"}), "hired"),
        (json!({"hired": 1700000000}), "hired"),
        (json!({"level": 2.5}), "level"),
        (json!({"level": "3"}), "level"),
        (json!({"score": "2.5"}), "score"),
    ] {
        let e = s.normalize_write(body, &o).unwrap_err();
        assert_err(&e, 400, ScimType::InvalidValue, attr);
    }
}

#[test]
fn string_booleans_are_coerced_only_when_the_profile_allows_them() {
    let s = users("adra");
    let lenient = WriteOptions::for_profile(&profile("adra"));
    assert!(lenient.string_booleans);
    let out = s
        .normalize_write(
            json!({"active": "FALSE", "emails": [{"value": "a@b", "primary": "True"}]}),
            &lenient,
        )
        .expect("valid");
    assert_eq!(
        out,
        json!({"active": false, "emails": [{"value": "a@b", "primary": true}]})
    );
    let strict = WriteOptions::for_profile(&profile("generic"));
    let e = users("generic")
        .normalize_write(json!({"active": "false"}), &strict)
        .unwrap_err();
    assert_err(&e, 400, ScimType::InvalidValue, "active");
    let e = s
        .normalize_write(json!({"active": "no"}), &lenient)
        .unwrap_err();
    assert_err(&e, 400, ScimType::InvalidValue, "active");
}

#[test]
fn unknown_attributes_are_kept_dropped_or_rejected_per_profile() {
    let s = users("generic");
    let body = json!({"userName": "u", "favouriteColour": "blue", "name": {"nickname2": "x"}});
    let kept = s
        .normalize_write(body.clone(), &opts(UnknownAttributes::Keep))
        .expect("keep");
    assert_eq!(
        kept,
        json!({"userName": "u", "favouriteColour": "blue", "name": {"nickname2": "x"}})
    );
    let dropped = s
        .normalize_write(body.clone(), &opts(UnknownAttributes::Drop))
        .expect("drop");
    assert_eq!(dropped, json!({"userName": "u"}));
    let e = s
        .normalize_write(body, &opts(UnknownAttributes::Reject))
        .unwrap_err();
    assert_err(&e, 400, ScimType::InvalidSyntax, "favouriteColour");
    let e = s
        .normalize_write(
            json!({"name": {"nickname2": "x"}}),
            &opts(UnknownAttributes::Reject),
        )
        .unwrap_err();
    assert_err(&e, 400, ScimType::InvalidSyntax, "name.nickname2");
    assert_eq!(
        WriteOptions::for_profile(&profile("adra")).unknown,
        UnknownAttributes::Drop
    );
}

#[test]
fn an_extension_the_resource_type_lacks_is_an_unknown_attribute() {
    let s = users("attio");
    let body = json!({"userName": "u", ENTERPRISE_USER_URN: {"department": "x"}});
    assert_eq!(
        s.normalize_write(body.clone(), &opts(UnknownAttributes::Drop))
            .expect("drop"),
        json!({"userName": "u"})
    );
    let e = s
        .normalize_write(body, &opts(UnknownAttributes::Reject))
        .unwrap_err();
    assert_err(&e, 400, ScimType::InvalidSyntax, ENTERPRISE_USER_URN);
}

#[test]
fn two_spellings_of_one_attribute_are_refused() {
    let e = users("generic")
        .normalize_write(
            json!({"userName": "a", "USERNAME": "b"}),
            &opts(UnknownAttributes::Keep),
        )
        .unwrap_err();
    assert_err(&e, 400, ScimType::InvalidSyntax, "more than once");
}

#[test]
fn more_than_one_primary_value_is_refused() {
    let body =
        json!({"emails": [{"value": "a", "primary": true}, {"value": "b", "primary": true}]});
    let e = users("generic")
        .normalize_write(body, &opts(UnknownAttributes::Keep))
        .unwrap_err();
    assert_err(&e, 400, ScimType::InvalidValue, "primary");
}

#[test]
fn bodies_nested_deeper_than_32_levels_are_refused() {
    let mut deep = json!("leaf");
    for _ in 0..40 {
        deep = json!({ "x": deep });
    }
    let e = users("generic")
        .normalize_write(
            json!({"userName": "u", "junk": deep}),
            &opts(UnknownAttributes::Keep),
        )
        .unwrap_err();
    assert_err(&e, 400, ScimType::InvalidValue, "32");
    let mut shallow = json!("leaf");
    for _ in 0..30 {
        shallow = json!([shallow]);
    }
    assert!(
        users("generic")
            .normalize_write(json!({"junk": shallow}), &opts(UnknownAttributes::Keep))
            .is_ok()
    );
}

#[test]
fn check_required_names_the_missing_attribute() {
    let s = users("generic");
    assert_eq!(s.check_required(&json!({"userName": "u"})), Ok(()));
    assert_eq!(
        s.check_required(&json!({"displayName": "u"})),
        Err(MissingAttribute("userName".to_string()))
    );
    assert_eq!(
        s.check_required(&json!({"userName": "  "})),
        Err(MissingAttribute("userName".to_string()))
    );
    assert_eq!(
        s.check_required(&json!({"userName": null})),
        Err(MissingAttribute("userName".to_string()))
    );
    assert_eq!(s.check_required(&json!({"USERNAME": "u"})), Ok(()));
    let g = ResourceSchemas::group(&profile("generic"));
    assert_eq!(
        g.check_required(&json!({"members": []})),
        Err(MissingAttribute("displayName".to_string()))
    );
    let mut strict = users("generic");
    strict.make_read_only("nothing");
    if let Some(mgr) = strict.extensions[0]
        .attributes
        .iter_mut()
        .find(|a| a.name == "manager")
    {
        mgr.sub_attributes[0].required = true;
    }
    let body = json!({"userName": "u", ENTERPRISE_USER_URN: {"manager": {"displayName": "x"}}});
    assert_eq!(
        strict.check_required(&body),
        Err(MissingAttribute(format!(
            "{ENTERPRISE_USER_URN}:manager.value"
        )))
    );
}

#[test]
fn check_immutable_refuses_changing_a_set_immutable_value() {
    let mut s = users("generic");
    if let Some(ext) = s.common.iter_mut().find(|a| a.name == "externalId") {
        ext.set_mutability(Mutability::Immutable);
    }
    assert!(s.has_immutable());
    let old = json!({"userName": "u", "externalId": "E1"});
    let e = s
        .check_immutable(&old, &json!({"externalId": "E2"}))
        .unwrap_err();
    assert_err(&e, 400, ScimType::Mutability, "externalId");
    // externalId is caseExact: a different case is a different value.
    assert!(
        s.check_immutable(&old, &json!({"externalId": "e1"}))
            .is_err()
    );
    assert!(
        s.check_immutable(&old, &json!({"externalId": "E1"}))
            .is_ok()
    );
    assert!(
        s.check_immutable(&old, &json!({"userName": "v"})).is_ok(),
        "absent is carried over"
    );
    assert!(
        s.check_immutable(&json!({}), &json!({"externalId": "E9"}))
            .is_ok(),
        "first value may be set"
    );
    // Sub-attributes of a single-valued complex attribute, in an extension.
    let mut s = users("generic");
    if let Some(mgr) = s.extensions[0]
        .attributes
        .iter_mut()
        .find(|a| a.name == "manager")
    {
        mgr.sub_attributes[0].set_mutability(Mutability::Immutable);
    }
    assert!(
        s.has_immutable(),
        "found inside a single-valued complex extension attribute"
    );
    let old = json!({ENTERPRISE_USER_URN: {"manager": {"value": "m1"}}});
    let e = s
        .check_immutable(
            &old,
            &json!({ENTERPRISE_USER_URN: {"manager": {"value": "m2"}}}),
        )
        .unwrap_err();
    assert_err(&e, 400, ScimType::Mutability, "manager.value");
    assert!(
        s.check_immutable(
            &old,
            &json!({ENTERPRISE_USER_URN: {"manager": {"value": "M1"}}})
        )
        .is_ok()
    );
}

#[test]
fn bare_urn_detection_is_strict_and_never_panics() {
    assert!(is_bare_urn(ATLASSIAN_EXTERNAL_URN));
    assert!(is_bare_urn(ENTERPRISE_USER_URN));
    assert!(!is_bare_urn("urn:"));
    assert!(!is_bare_urn("urn:a"));
    assert!(!is_bare_urn("urn::b"));
    assert!(!is_bare_urn("emails[type eq \"work\"]"));
    assert!(!is_bare_urn("ür"));
    assert!(!is_bare_urn("urn:x:y z"));
}
