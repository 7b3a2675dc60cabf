//! Property tests for PATCH bodies through the whole write pipeline of every profile (parse,
//! apply, validate, store), and for PATCH paths: no panic, no store corruption, and (in
//! release builds) no case slower than 10 ms.
//!
//! CI runs a moderate number of cases. The long run, a million cases:
//!
//! ```sh
//! PROPTEST_CASES=1000000 cargo test --release -p scimock-server --test it fuzz_patch
//! ```

use proptest::prelude::*;
use scimock_server::store::Kind;
use scimock_server::{App, ServeConfig, VendorChoice};
use serde_json::{Map, Value, json};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const KEYS: &[&str] = &[
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
    "schemas",
    "op",
    "path",
    "Operations",
    "operations",
    "meta",
    "title",
    "appRole",
    "name.givenName",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
];

const PATHS: &[&str] = &[
    "userName",
    "name",
    "name.givenName",
    "emails",
    "emails[type eq \"work\"]",
    "emails[type eq \"work\"].value",
    "emails[value pr].primary",
    "members",
    "members[value eq \"x\"]",
    "meta.created",
    "id",
    "groups",
    "active",
    "appRole",
    "title",
    "roles",
    "x[",
    "emails[type eq",
    "name..givenName",
    "",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
    "urn:ietf:params:scim:schemas:extension:elfsquad:2.0:User/currencyIso",
    "department",
    "phoneNumbers[type eq \"work\" and value co \"5\"].value",
];

fn arb_json() -> impl Strategy<Value = Value> {
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
            "a@example.com"
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

fn arb_op() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec!["add", "remove", "replace", "Replace", "ADD", "copy"]),
        prop::option::of(prop::sample::select(PATHS)),
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

fn arb_body() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::collection::vec(arb_op(), 0..4)
            .prop_map(|ops| json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})),
        prop::collection::vec(arb_op(), 0..4).prop_map(|ops| json!({"operations": ops})),
        prop::collection::vec(arb_op(), 0..4).prop_map(Value::Array),
        arb_json(),
    ]
}

/// One app with every profile mounted (built once; writes accumulate, which is the point).
fn app() -> &'static App {
    static APP: OnceLock<App> = OnceLock::new();
    APP.get_or_init(|| {
        let cfg = ServeConfig {
            vendor: VendorChoice::All,
            ..ServeConfig::default()
        };
        App::build(&cfg, "http://127.0.0.1:1").expect("app builds")
    })
}

/// Every built-in SCIM profile (the registry, less unified facades, which take no PATCH body).
fn scim_vendors() -> Vec<String> {
    crate::common::scim_profiles()
        .into_iter()
        .map(|p| p.name)
        .collect()
}

fn within_budget(elapsed: Duration, what: &str) {
    if cfg!(not(debug_assertions)) {
        assert!(
            elapsed < Duration::from_millis(10),
            "{what} took {elapsed:?}"
        );
    }
}

proptest! {
    #[test]
    fn patch_bodies_never_panic_and_never_corrupt_the_store(
        body in arb_body(),
        vendor in prop::sample::select(scim_vendors()),
        group in any::<bool>(),
    ) {
        let t = app().tenant(&vendor).expect("tenant");
        let kind = if group && t.profile.groups.is_some() { Kind::Group } else { Kind::User };
        let target = t.read().collection(kind).at(0).map(|s| s.id.to_string());
        let Some(id) = target else { return Ok(()) };
        let before = t.read().collection(kind).len();
        let start = Instant::now();
        let result = scimock_server::writes::patch(t, kind, &id, &body, None);
        within_budget(start.elapsed(), &format!("PATCH {body}"));
        if let Err(e) = &result {
            prop_assert!(e.status.is_client_error(), "{vendor}: {e} for {body}");
        }
        // Still readable, still the same number of resources, still unique userNames.
        prop_assert_eq!(t.read().collection(kind).len(), before);
        let s = t.get(kind, &id).expect("the patched resource is still there");
        let rendered = t.renderer.resource(kind, &s, &scimock_server::projection::Projection::default());
        prop_assert!(serde_json::from_slice::<Value>(&rendered).is_ok());
    }

    #[test]
    fn patch_paths_never_panic(path in ".{0,40}", suffix in prop::sample::select(PATHS)) {
        for p in [path.clone(), format!("{suffix}{path}"), format!("{path}{suffix}")] {
            let start = Instant::now();
            let _ = scimock_filter::parse_patch_path(&p);
            within_budget(start.elapsed(), &p);
        }
    }
}
