//! Test support shared by the crate's unit tests and its integration tests (`tests/`), so a
//! generator exists once. Built for `cfg(test)` and with the `testing` feature, which the
//! crate's own dev-dependency on itself turns on; not part of the public API.

use scimock_profile::{PROFILE_NAMES, Profile, ProfileKind};

/// The built-in profiles that are SCIM endpoints (not unified facades), from the registry:
/// a new vendor is tested without editing a list.
pub fn scim_profiles() -> Vec<&'static str> {
    PROFILE_NAMES
        .iter()
        .copied()
        .filter(|n| Profile::builtin(n).is_ok_and(|p| p.kind == ProfileKind::Scim))
        .collect()
}

/// proptest generators of PATCH bodies: near-misses of real ones, built from the attribute
/// names, paths and values that exercise each vendor's leniency.
pub mod patch {
    use proptest::prelude::*;
    use scimock_profile::vocab::{ENTERPRISE_USER, PATCH_OP};
    use serde_json::{Map, Value, json};

    /// Object keys: attributes, sub-attributes, PATCH body members, an extension URN.
    pub const KEYS: &[&str] = &[
        "value",
        "type",
        "primary",
        "display",
        "givenName",
        "familyName",
        "userName",
        "active",
        "emails",
        "name",
        "id",
        "members",
        "department",
        "manager",
        "schemas",
        "op",
        "path",
        "Operations",
        "operations",
        "meta",
        "title",
        "appRole",
        "name.givenName",
        ENTERPRISE_USER,
    ];

    /// Operation paths: valid ones of every shape, vendor spellings, and malformed ones.
    pub fn paths() -> Vec<String> {
        let fixed = [
            "userName",
            "name",
            "name.givenName",
            "emails",
            "emails[type eq \"work\"]",
            "emails[type eq \"work\"].value",
            "emails[value pr].primary",
            "members",
            "members[value eq \"u1\"]",
            "members[value eq \"x\"]",
            "meta.created",
            "id",
            "groups",
            "active",
            "appRole",
            "title",
            "roles",
            "department",
            "addresses[type eq \"work\" and country eq \"NL\"].locality",
            "phoneNumbers[type eq \"work\" and value co \"5\"].value",
            "urn:ietf:params:scim:schemas:extension:elfsquad:2.0:User/currencyIso",
            "urn:ietf:params:scim:schemas:extension:elfsquad:2.0:User/isAdmin",
            "x[",
            "emails[type eq",
            "name..givenName",
            "",
        ];
        fixed
            .into_iter()
            .map(str::to_string)
            .chain([
                ENTERPRISE_USER.to_string(),
                format!("{ENTERPRISE_USER}:department"),
                format!("{ENTERPRISE_USER}:manager.value"),
            ])
            .collect()
    }

    /// Any JSON value, nested up to four levels, with keys from [`KEYS`].
    pub fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| json!(f)),
            "[a-zA-Z0-9@. \\-]{0,10}".prop_map(Value::String),
            ".{0,6}".prop_map(Value::String),
            prop::sample::select(vec![
                "true",
                "False",
                "work",
                "{\"value\": \"r\"}",
                "u1",
                "a@example.com",
            ])
            .prop_map(|s| json!(s)),
        ];
        leaf.prop_recursive(4, 32, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((prop::sample::select(KEYS), inner), 0..4).prop_map(|kv| {
                    Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
                }),
            ]
        })
    }

    /// One operation: an `op` (valid, wrong case or unknown), maybe a path from [`paths`],
    /// maybe a value.
    pub fn arb_op() -> impl Strategy<Value = Value> {
        (
            prop::sample::select(vec!["add", "remove", "replace", "Replace", "ADD", "copy"]),
            prop::option::of(prop::sample::select(paths())),
            prop::option::of(arb_json()),
        )
            .prop_map(|(op, path, value)| {
                let mut m = Map::new();
                m.insert("op".into(), json!(op));
                if let Some(p) = path {
                    m.insert("path".into(), json!(p));
                }
                if let Some(v) = value {
                    m.insert("value".into(), v);
                }
                Value::Object(m)
            })
    }

    /// A whole body: the RFC shape, Elfsquad's `operations` and bare array, or any JSON.
    pub fn arb_body() -> impl Strategy<Value = Value> {
        prop_oneof![
            prop::collection::vec(arb_op(), 0..4)
                .prop_map(|ops| json!({"schemas": [PATCH_OP], "Operations": ops})),
            prop::collection::vec(arb_op(), 0..4).prop_map(|ops| json!({"operations": ops})),
            prop::collection::vec(arb_op(), 0..4).prop_map(Value::Array),
            arb_json(),
        ]
    }
}
