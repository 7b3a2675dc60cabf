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
use scimock_server::testing::patch::{arb_body, paths};
use scimock_server::testing::scim_profiles;
use scimock_server::{App, ServeConfig, VendorChoice};
use serde_json::Value;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

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
        vendor in prop::sample::select(scim_profiles()),
        group in any::<bool>(),
    ) {
        let t = app().tenant(vendor).expect("tenant");
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
        let rendered = t.renderer.resource(
            kind,
            &s,
            &scimock_server::projection::Projection::default(),
            scimock_server::render::View::Stored,
        );
        prop_assert!(serde_json::from_slice::<Value>(&rendered).is_ok());
    }

    #[test]
    fn patch_paths_never_panic(path in ".{0,40}", suffix in prop::sample::select(paths())) {
        for p in [path.clone(), format!("{suffix}{path}"), format!("{path}{suffix}")] {
            let start = Instant::now();
            let _ = scimock_filter::parse_patch_path(&p);
            within_budget(start.elapsed(), &p);
        }
    }
}
