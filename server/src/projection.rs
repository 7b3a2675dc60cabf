//! `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9) applied with the
//! schema's `returned` characteristic (RFC 7643 §2.2).
//!
//! scimock's contract: `id`, `schemas` and `meta` are always returned; `returned: always`
//! attributes too; `returned: never` ones (password) never; `returned: request` ones only
//! when `attributes` names them. Names match case-insensitively; the input's key order is
//! kept.

use crate::error::ScimError;
use crate::schema::{AttrDef, ResourceSchemas, Returned, is_bare_urn, lookup_sub, urn_path};
use scimock_filter::{AttrPath, parse_attr_list, parse_attr_path};
use serde_json::{Map, Value};

/// Members returned whatever the projection says.
const ALWAYS_RETURNED: [&str; 3] = ["schemas", "id", "meta"];

/// The parsed `attributes` and `excludedAttributes` query parameters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Projection {
    /// `attributes`: return only these (plus the always-returned ones).
    pub attributes: Vec<AttrPath>,
    /// `excludedAttributes`: return the default set minus these.
    pub excluded: Vec<AttrPath>,
}

impl Projection {
    /// Parses both parameters. An absent or blank parameter is no projection; a malformed
    /// list is 400 `invalidValue` (RFC 7644 Table 9 reserves `invalidSyntax` for request
    /// bodies; a bad query value is "not compatible with the operation"). A bare schema URN
    /// (`urn:...:enterprise:2.0:User`) names the whole extension.
    pub fn parse(
        attributes: Option<&str>,
        excluded: Option<&str>,
    ) -> Result<Projection, ScimError> {
        Ok(Projection {
            attributes: parse_list(attributes, "attributes")?,
            excluded: parse_list(excluded, "excludedAttributes")?,
        })
    }

    /// True when neither parameter was given.
    pub fn is_empty(&self) -> bool {
        self.attributes.is_empty() && self.excluded.is_empty()
    }
}

fn parse_list(input: Option<&str>, param: &str) -> Result<Vec<AttrPath>, ScimError> {
    let Some(list) = input.filter(|s| !s.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    let whole_err = match parse_attr_list(list) {
        Ok(paths) => return Ok(paths),
        Err(e) => e,
    };
    // The grammar cannot split a URN whose last segment is not a name (`...:1.0`); such an
    // item is a bare schema URN.
    let mut paths = Vec::new();
    for item in list.split(',').map(str::trim) {
        match parse_attr_path(item) {
            Ok(p) => paths.push(p),
            Err(_) if is_bare_urn(item) => paths.push(urn_path(item)),
            Err(_) => {
                return Err(ScimError::invalid_value(format!(
                    "Invalid {param} parameter: {whole_err}"
                )));
            }
        }
    }
    Ok(paths)
}

/// Which part of a resource a selector applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Top-level (common and core) attributes.
    Core,
    /// The members of the extension at this index of `ResourceSchemas::extensions`.
    Ext(usize),
}

/// One resolved entry of `attributes` / `excludedAttributes`.
#[derive(Debug, Clone, Copy)]
struct Selector<'p> {
    scope: Scope,
    /// `None`: everything in the scope (a bare schema URN).
    attr: Option<&'p str>,
    sub: Option<&'p str>,
}

impl Selector<'_> {
    /// Selects the whole of `key` in `scope`.
    fn whole(&self, scope: Scope, key: &str) -> bool {
        self.scope == scope
            && match self.attr {
                None => true,
                Some(a) => a.eq_ignore_ascii_case(key) && self.sub.is_none(),
            }
    }

    /// The sub-attribute of `key` in `scope` this selects, if any.
    fn sub_of(&self, scope: Scope, key: &str) -> Option<&str> {
        match self.attr {
            Some(a) if self.scope == scope && a.eq_ignore_ascii_case(key) => self.sub,
            _ => None,
        }
    }
}

fn ext_index(schemas: &ResourceSchemas, urn: &str) -> Option<usize> {
    schemas
        .extensions
        .iter()
        .position(|e| e.id.eq_ignore_ascii_case(urn))
}

fn selector<'p>(path: &'p AttrPath, schemas: &ResourceSchemas) -> Option<Selector<'p>> {
    let whole = |scope| Selector {
        scope,
        attr: None,
        sub: None,
    };
    let Some(urn) = path.urn.as_deref() else {
        return Some(Selector {
            scope: Scope::Core,
            attr: Some(&path.name),
            sub: path.sub.as_deref(),
        });
    };
    let scope_of = |u: &str| {
        if schemas.is_core_urn(u) {
            Some(Scope::Core)
        } else {
            ext_index(schemas, u).map(Scope::Ext)
        }
    };
    if path.name.is_empty() {
        return scope_of(urn).map(whole);
    }
    if let Some(scope) = scope_of(urn) {
        return Some(Selector {
            scope,
            attr: Some(&path.name),
            sub: path.sub.as_deref(),
        });
    }
    if path.sub.is_none() {
        // `urn:...:2.0:User` parses as URN `urn:...:2.0` + name `User`.
        return scope_of(&format!("{urn}:{}", path.name)).map(whole);
    }
    None
}

fn selectors<'p>(paths: &'p [AttrPath], schemas: &ResourceSchemas) -> Vec<Selector<'p>> {
    paths.iter().filter_map(|p| selector(p, schemas)).collect()
}

/// Which sub-attributes of a value survive.
#[derive(Debug, Clone, Copy)]
enum SubRule<'a> {
    /// Everything but `returned: never`.
    AllButNever,
    /// `returned: always` ones and these.
    Only(&'a [&'a str]),
    /// Default-returned ones except these.
    Except(&'a [&'a str]),
}

struct Projector<'p> {
    /// `Some` when `attributes` was given.
    only: Option<Vec<Selector<'p>>>,
    excluded: Vec<Selector<'p>>,
}

/// The representation of `resource` that `proj` asks for.
pub fn project(resource: &Value, proj: &Projection, schemas: &ResourceSchemas) -> Value {
    let Some(obj) = resource.as_object() else {
        return resource.clone();
    };
    let projector = Projector {
        only: (!proj.attributes.is_empty()).then(|| selectors(&proj.attributes, schemas)),
        excluded: selectors(&proj.excluded, schemas),
    };
    let mut out = Map::new();
    for (key, value) in obj {
        if ALWAYS_RETURNED.iter().any(|a| a.eq_ignore_ascii_case(key)) {
            out.insert(key.clone(), value.clone());
            continue;
        }
        let kept = match ext_index(schemas, key) {
            Some(i) => projector.extension(i, &schemas.extensions[i].attributes, value),
            None => projector.attr(Scope::Core, key, value, schemas.top_level(key)),
        };
        if let Some(v) = kept {
            out.insert(key.clone(), v);
        }
    }
    Value::Object(out)
}

impl Projector<'_> {
    /// An extension object: kept whole, member by member, or not at all.
    fn extension(&self, i: usize, defs: &[AttrDef], value: &Value) -> Option<Value> {
        let scope = Scope::Ext(i);
        let whole = |sels: &[Selector]| sels.iter().any(|s| s.scope == scope && s.attr.is_none());
        let Some(obj) = value.as_object() else {
            return match &self.only {
                Some(only) => whole(only).then(|| value.clone()),
                None => (!whole(&self.excluded)).then(|| value.clone()),
            };
        };
        let mut out = Map::new();
        match &self.only {
            Some(only) if whole(only) => {
                for (k, v) in obj {
                    let def = defs.iter().find(|d| d.name.eq_ignore_ascii_case(k));
                    if def.is_some_and(|d| d.returned == Returned::Never) {
                        continue;
                    }
                    if let Some(v) = keep_subs(def, v, SubRule::AllButNever) {
                        out.insert(k.clone(), v);
                    }
                }
            }
            None if whole(&self.excluded) => return None,
            _ => {
                for (k, v) in obj {
                    let def = defs.iter().find(|d| d.name.eq_ignore_ascii_case(k));
                    if let Some(v) = self.attr(scope, k, v, def) {
                        out.insert(k.clone(), v);
                    }
                }
            }
        }
        (!out.is_empty()).then_some(Value::Object(out))
    }

    /// One attribute (`def` is `None` for attributes the schema does not know: they behave
    /// like `returned: default`).
    fn attr(&self, scope: Scope, key: &str, value: &Value, def: Option<&AttrDef>) -> Option<Value> {
        let returned = def.map_or(Returned::Default, |d| d.returned);
        match returned {
            Returned::Never => return None,
            Returned::Always => return keep_subs(def, value, SubRule::AllButNever),
            Returned::Default | Returned::Request => {}
        }
        match &self.only {
            Some(only) => {
                if only.iter().any(|s| s.whole(scope, key)) {
                    return keep_subs(def, value, SubRule::AllButNever);
                }
                let subs: Vec<&str> = only.iter().filter_map(|s| s.sub_of(scope, key)).collect();
                if subs.is_empty() {
                    return None;
                }
                keep_subs(def, value, SubRule::Only(&subs))
            }
            None => {
                if returned == Returned::Request
                    || self.excluded.iter().any(|s| s.whole(scope, key))
                {
                    return None;
                }
                let subs: Vec<&str> = self
                    .excluded
                    .iter()
                    .filter_map(|s| s.sub_of(scope, key))
                    .collect();
                keep_subs(def, value, SubRule::Except(&subs))
            }
        }
    }
}

/// `value` with only the sub-attributes `rule` keeps (element by element for multi-valued
/// attributes); `None` when nothing is left.
fn keep_subs(def: Option<&AttrDef>, value: &Value, rule: SubRule) -> Option<Value> {
    match value {
        Value::Object(m) => keep_members(def, m, rule).map(Value::Object),
        Value::Array(items) => {
            let kept: Vec<Value> = items
                .iter()
                .filter_map(|item| match item {
                    Value::Object(m) => keep_members(def, m, rule).map(Value::Object),
                    other => match rule {
                        SubRule::Only(_) => None,
                        _ => Some(other.clone()),
                    },
                })
                .collect();
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        other => match rule {
            SubRule::Only(_) => None,
            _ => Some(other.clone()),
        },
    }
}

fn keep_members(
    def: Option<&AttrDef>,
    m: &Map<String, Value>,
    rule: SubRule,
) -> Option<Map<String, Value>> {
    let mut out = Map::new();
    for (k, v) in m {
        let returned = def
            .and_then(|d| lookup_sub(d, k))
            .map_or(Returned::Default, |s| s.returned);
        let named = |list: &[&str]| list.iter().any(|s| s.eq_ignore_ascii_case(k));
        let keep = match (returned, rule) {
            (Returned::Never, _) => false,
            (Returned::Always, _) | (_, SubRule::AllButNever) => true,
            (_, SubRule::Only(list)) => named(list),
            (Returned::Request, SubRule::Except(_)) => false,
            (_, SubRule::Except(list)) => !named(list),
        };
        if keep {
            out.insert(k.clone(), v.clone());
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Removes `returned: never` attributes and sub-attributes in place (the path for requests
/// without `attributes` / `excludedAttributes`).
pub fn strip_never(resource: &mut Value, schemas: &ResourceSchemas) {
    let Some(obj) = resource.as_object_mut() else {
        return;
    };
    obj.retain(|k, v| {
        if let Some(ext) = schemas.extension(k) {
            if let Some(members) = v.as_object_mut() {
                members.retain(|mk, mv| {
                    let def = ext
                        .attributes
                        .iter()
                        .find(|d| d.name.eq_ignore_ascii_case(mk));
                    retain_not_never(def, mv)
                });
            }
            return true;
        }
        retain_not_never(schemas.top_level(k), v)
    });
}

/// False for a `returned: never` attribute; otherwise strips its never-returned sub-attributes.
fn retain_not_never(def: Option<&AttrDef>, v: &mut Value) -> bool {
    let Some(def) = def else {
        return true;
    };
    if def.returned == Returned::Never {
        return false;
    }
    if def
        .sub_attributes
        .iter()
        .any(|s| s.returned == Returned::Never)
    {
        let strip = |m: &mut Map<String, Value>| {
            m.retain(|k, _| lookup_sub(def, k).is_none_or(|s| s.returned != Returned::Never));
        };
        match v {
            Value::Object(m) => strip(m),
            Value::Array(items) => items
                .iter_mut()
                .filter_map(Value::as_object_mut)
                .for_each(strip),
            _ => {}
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ScimType;
    use crate::schema::{AttrDef, ResourceSchemas};
    use scimock_filter::AttrKind;
    use scimock_profile::Profile;
    use scimock_profile::vocab::{CORE_USER, ENTERPRISE_USER as ENTERPRISE_USER_URN};
    use serde_json::json;

    /// Atlassian's extension (declared in its profile).
    const ATLASSIAN_EXTERNAL_URN: &str = "urn:scim:schemas:extension:atlassian-external:1.0";

    fn users(name: &str) -> ResourceSchemas {
        ResourceSchemas::user(&Profile::builtin(name).expect("profile"))
    }

    fn bjensen() -> Value {
        json!({
            "schemas": [CORE_USER, ENTERPRISE_USER_URN],
            "id": "2819c223",
            "externalId": "701984",
            "userName": "bjensen@example.com",
            "name": {"formatted": "Ms. Barbara J Jensen", "familyName": "Jensen", "givenName": "Barbara"},
            "displayName": "Babs Jensen",
            "password": "t1meMa$heen",
            "emails": [
                {"value": "bjensen@example.com", "type": "work", "primary": true},
                {"value": "babs@jensen.org", "type": "home"}
            ],
            "active": true,
            ENTERPRISE_USER_URN: {"employeeNumber": "701984", "department": "Tour Operations", "manager": {"value": "m1", "displayName": "Boss"}},
            "meta": {"resourceType": "User", "created": "2010-01-23T04:56:22Z"}
        })
    }

    fn project_with(attributes: Option<&str>, excluded: Option<&str>) -> Value {
        let proj = Projection::parse(attributes, excluded).expect("valid projection");
        project(&bjensen(), &proj, &users("generic"))
    }

    fn keys(v: &Value) -> Vec<&str> {
        v.as_object()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default()
    }

    #[test]
    fn absent_or_blank_parameters_are_no_projection() {
        assert!(Projection::parse(None, None).expect("none").is_empty());
        assert!(
            Projection::parse(Some(""), Some("  "))
                .expect("blank")
                .is_empty()
        );
        let p = Projection::parse(Some("userName, name.givenName"), None).expect("list");
        assert!(!p.is_empty());
        assert_eq!(p.attributes.len(), 2);
        assert_eq!(p.attributes[1].sub.as_deref(), Some("givenName"));
    }

    #[test]
    fn a_malformed_list_is_invalid_value() {
        for bad in [
            "userName,",
            "name..givenName",
            "emails[type eq \"work\"]",
            "user name",
            "1abc",
        ] {
            let e = Projection::parse(Some(bad), None).unwrap_err();
            assert_eq!(e.status.as_u16(), 400, "{bad}");
            assert_eq!(e.scim_type, Some(ScimType::InvalidValue), "{bad}");
            assert!(e.detail.contains("attributes"), "{e}");
        }
        let e = Projection::parse(None, Some(",")).unwrap_err();
        assert!(e.detail.contains("excludedAttributes"), "{e}");
    }

    #[test]
    fn a_bare_urn_the_grammar_cannot_split_is_a_whole_schema() {
        let p = Projection::parse(Some(&format!("userName,{ATLASSIAN_EXTERNAL_URN}")), None)
            .expect("parses");
        assert_eq!(p.attributes[1].urn.as_deref(), Some(ATLASSIAN_EXTERNAL_URN));
        assert!(p.attributes[1].name.is_empty());
        let user = json!({"id": "1", "userName": "u", "title": "t", ATLASSIAN_EXTERNAL_URN: {"atlassianAccountId": "a1"}});
        let out = project(&user, &p, &users("atlassian"));
        assert_eq!(
            out,
            json!({"id": "1", "userName": "u", ATLASSIAN_EXTERNAL_URN: {"atlassianAccountId": "a1"}})
        );
    }

    #[test]
    fn id_schemas_and_meta_are_always_returned() {
        let out = project_with(Some("userName"), None);
        assert_eq!(keys(&out), ["schemas", "id", "userName", "meta"]);
        let out = project_with(None, Some("id,schemas,meta,userName"));
        assert!(
            out.get("id").is_some() && out.get("meta").is_some() && out.get("schemas").is_some()
        );
        assert!(out.get("userName").is_none());
    }

    #[test]
    fn attributes_keep_a_single_sub_attribute_of_a_complex_attribute() {
        let out = project_with(Some("name.givenName"), None);
        assert_eq!(out["name"], json!({"givenName": "Barbara"}));
        assert!(out.get("displayName").is_none());
    }

    #[test]
    fn attributes_keep_one_sub_attribute_of_every_element() {
        let out = project_with(Some("emails.value"), None);
        assert_eq!(
            out["emails"],
            json!([{"value": "bjensen@example.com"}, {"value": "babs@jensen.org"}])
        );
        let out = project_with(Some("emails.value,emails.type"), None);
        assert_eq!(
            out["emails"][1],
            json!({"value": "babs@jensen.org", "type": "home"})
        );
    }

    #[test]
    fn attributes_with_an_extension_urn_keep_that_extension_attribute() {
        let out = project_with(Some(&format!("{ENTERPRISE_USER_URN}:department")), None);
        assert_eq!(
            out[ENTERPRISE_USER_URN],
            json!({"department": "Tour Operations"})
        );
        assert!(out.get("userName").is_none());
        let out = project_with(Some(&format!("{ENTERPRISE_USER_URN}:manager.value")), None);
        assert_eq!(
            out[ENTERPRISE_USER_URN],
            json!({"manager": {"value": "m1"}})
        );
    }

    #[test]
    fn attributes_with_a_bare_extension_urn_keep_the_whole_extension() {
        let out = project_with(Some(ENTERPRISE_USER_URN), None);
        assert_eq!(out[ENTERPRISE_USER_URN], bjensen()[ENTERPRISE_USER_URN]);
        assert_eq!(keys(&out), ["schemas", "id", ENTERPRISE_USER_URN, "meta"]);
    }

    #[test]
    fn core_urn_qualified_attributes_mean_core_attributes() {
        let out = project_with(
            Some(&format!("{CORE_USER}:name.familyName,{CORE_USER}:active")),
            None,
        );
        assert_eq!(out["name"], json!({"familyName": "Jensen"}));
        assert_eq!(out["active"], true);
    }

    #[test]
    fn excluded_attributes_remove_attributes_and_sub_attributes() {
        let out = project_with(None, Some("emails.type,displayName,name"));
        assert_eq!(
            out["emails"],
            json!([{"value": "bjensen@example.com", "primary": true}, {"value": "babs@jensen.org"}])
        );
        assert!(out.get("displayName").is_none() && out.get("name").is_none());
        assert_eq!(out["userName"], "bjensen@example.com");
        assert!(out.get("password").is_none());
    }

    #[test]
    fn excluded_extension_urn_or_extension_attribute() {
        let out = project_with(None, Some(ENTERPRISE_USER_URN));
        assert!(out.get(ENTERPRISE_USER_URN).is_none());
        let out = project_with(
            None,
            Some(&format!(
                "{ENTERPRISE_USER_URN}:manager,{ENTERPRISE_USER_URN}:employeeNumber"
            )),
        );
        assert_eq!(
            out[ENTERPRISE_USER_URN],
            json!({"department": "Tour Operations"})
        );
        let out = project_with(
            None,
            Some(&format!("{ENTERPRISE_USER_URN}:manager.displayName")),
        );
        assert_eq!(out[ENTERPRISE_USER_URN]["manager"], json!({"value": "m1"}));
    }

    #[test]
    fn password_is_never_returned_even_when_asked_for() {
        assert!(
            project_with(Some("password,userName"), None)
                .get("password")
                .is_none()
        );
        assert!(project_with(None, None).get("password").is_none());
    }

    #[test]
    fn request_only_attributes_appear_only_when_named() {
        let mut s = users("generic");
        s.core.attributes.push(
            AttrDef::new("secretQuestion", AttrKind::String, "t").returned(Returned::Request),
        );
        let user = json!({"id": "1", "userName": "u", "secretQuestion": "pet?"});
        let none = Projection::default();
        assert!(project(&user, &none, &s).get("secretQuestion").is_none());
        let excl = Projection::parse(None, Some("userName")).expect("p");
        assert_eq!(project(&user, &excl, &s), json!({"id": "1"}));
        let asked = Projection::parse(Some("secretQuestion"), None).expect("p");
        assert_eq!(
            project(&user, &asked, &s),
            json!({"id": "1", "secretQuestion": "pet?"})
        );
    }

    #[test]
    fn always_returned_attributes_survive_exclusion_and_selection() {
        let mut s = users("generic");
        if let Some(u) = s.core.attributes.iter_mut().find(|a| a.name == "userName") {
            u.returned = Returned::Always;
        }
        let user = json!({"id": "1", "userName": "u", "title": "t"});
        let excl = Projection::parse(None, Some("userName,title")).expect("p");
        assert_eq!(
            project(&user, &excl, &s),
            json!({"id": "1", "userName": "u"})
        );
        let only = Projection::parse(Some("title"), None).expect("p");
        assert_eq!(
            project(&user, &only, &s),
            json!({"id": "1", "userName": "u", "title": "t"})
        );
    }

    #[test]
    fn attribute_names_match_case_insensitively() {
        let out = project_with(Some("USERNAME,Name.GIVENNAME,emails.VALUE"), None);
        assert_eq!(out["userName"], "bjensen@example.com");
        assert_eq!(out["name"], json!({"givenName": "Barbara"}));
        assert_eq!(out["emails"][0], json!({"value": "bjensen@example.com"}));
        let odd = json!({"id": "1", "USERNAME": "u", "Title": "t"});
        let p = Projection::parse(Some("userName"), None).expect("p");
        assert_eq!(
            project(&odd, &p, &users("generic")),
            json!({"id": "1", "USERNAME": "u"})
        );
    }

    #[test]
    fn the_input_key_order_is_preserved() {
        let out = project_with(Some("active,userName,emails,displayName"), None);
        assert_eq!(
            keys(&out),
            [
                "schemas",
                "id",
                "userName",
                "displayName",
                "emails",
                "active",
                "meta"
            ]
        );
        let all = project_with(None, Some("password"));
        let original = bjensen();
        let mut expected = keys(&original);
        expected.retain(|k| *k != "password");
        assert_eq!(keys(&all), expected);
    }

    #[test]
    fn unknown_attributes_behave_like_default_returned_ones() {
        let user = json!({"id": "1", "userName": "u", "favouriteColour": "blue"});
        let s = users("generic");
        assert_eq!(project(&user, &Projection::default(), &s), user);
        let only = Projection::parse(Some("favouriteColour"), None).expect("p");
        assert_eq!(
            project(&user, &only, &s),
            json!({"id": "1", "favouriteColour": "blue"})
        );
        let excl = Projection::parse(None, Some("favouriteColour")).expect("p");
        assert_eq!(
            project(&user, &excl, &s),
            json!({"id": "1", "userName": "u"})
        );
    }

    #[test]
    fn sub_attributes_of_elements_that_lack_them_drop_the_element() {
        let user = json!({"id": "1", "emails": [{"value": "a"}, {"type": "home"}]});
        let p = Projection::parse(Some("emails.value"), None).expect("p");
        assert_eq!(
            project(&user, &p, &users("generic")),
            json!({"id": "1", "emails": [{"value": "a"}]})
        );
        let p = Projection::parse(Some("emails.display"), None).expect("p");
        assert_eq!(project(&user, &p, &users("generic")), json!({"id": "1"}));
    }

    #[test]
    fn strip_never_removes_only_never_returned_attributes() {
        let mut user = bjensen();
        strip_never(&mut user, &users("generic"));
        let mut expected = bjensen();
        expected.as_object_mut().map(|m| m.shift_remove("password"));
        assert_eq!(user, expected);
        let mut s = users("generic");
        if let Some(mgr) = s.extensions[0]
            .attributes
            .iter_mut()
            .find(|a| a.name == "manager")
        {
            mgr.sub_attributes[1].returned = Returned::Never;
            mgr.sub_attributes[2].returned = Returned::Never;
        }
        if let Some(emails) = s.core.attributes.iter_mut().find(|a| a.name == "emails") {
            emails.sub_attributes[2].returned = Returned::Never;
        }
        let mut user = bjensen();
        strip_never(&mut user, &s);
        assert_eq!(user[ENTERPRISE_USER_URN]["manager"], json!({"value": "m1"}));
        assert_eq!(user["emails"][1], json!({"value": "babs@jensen.org"}));
        let mut not_object = json!(["x"]);
        strip_never(&mut not_object, &s);
        assert_eq!(not_object, json!(["x"]));
    }
}
