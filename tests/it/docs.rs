//! The repository documents itself: every vendor fact's source tag resolves in
//! `docs/vendors.md`, and nothing a user reads points outside the repository.

use crate::common::{run, text};
use scimock_profile::{PROFILE_NAMES, Profile};

const VENDORS_MD: &str = include_str!("../../docs/vendors.md");

/// A tag such as `D:A3` or `S-002` is documented when a Sources table has a row for it.
fn has_source_row(tag: &str) -> bool {
    VENDORS_MD.contains(&format!("| {tag} |"))
}

#[test]
fn every_quirk_source_tag_is_in_the_vendor_reference() {
    let mut missing = Vec::new();
    for name in PROFILE_NAMES {
        let profile = Profile::builtin(name).unwrap();
        for quirk in &profile.quirks {
            for tag in quirk.source.split(',').map(str::trim) {
                // `I` is an inference (no document); RFC sections are cited by number.
                if tag == "I" || tag.starts_with("RFC ") {
                    continue;
                }
                if !has_source_row(tag) {
                    missing.push(format!("{name}/{}: {tag}", quirk.id));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "source tags without a row in docs/vendors.md: {missing:#?}"
    );
}

#[test]
fn user_facing_text_stays_inside_the_repository() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut texts = vec![(
        "README.md".to_string(),
        std::fs::read_to_string(format!("{root}/README.md")).unwrap(),
    )];
    for entry in std::fs::read_dir(format!("{root}/docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md" || e == "json") {
            let body = std::fs::read_to_string(&path).unwrap();
            texts.push((path.display().to_string(), body));
        }
    }
    // The dashboard's page, script and style sheet (served by the binary).
    for asset in ["index.html", "ui.js", "ui.css"] {
        let path = format!("{root}/server/src/ui/{asset}");
        texts.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
    }
    for name in PROFILE_NAMES {
        let out = run(&["vendors", name]);
        assert!(out.status.success(), "scimock vendors {name}");
        texts.push((format!("scimock vendors {name}"), text(&out.stdout)));
    }
    let help = run(&["--help"]);
    texts.push(("scimock --help".into(), text(&help.stdout)));
    for (what, body) in &texts {
        for outside in [
            "../shared",
            "VENDORS.md",
            "DESIGN.md",
            "IDP-TRAFFIC.md",
            "/work/",
        ] {
            assert!(!body.contains(outside), "{what} mentions {outside}");
        }
    }
}
