//! Custom profiles through the real binary (DESIGN §4.5): `serve --vendor FILE`, `check
//! --profile FILE`, validation before anything listens, and `scimock profile schema|new|show`.

use crate::common::{output, run, scimock, text};
use crate::serve_cli::{get, serve};
use scimock_server::MockServer;
use serde_json::{Value, json};
use std::path::PathBuf;

/// A fresh directory for one test's profile files.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("scimock-profile-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `doc` to `dir/file` and returns the path as text.
fn write(dir: &std::path::Path, file: &str, doc: &Value) -> String {
    let path = dir.join(file);
    std::fs::write(&path, serde_json::to_string_pretty(doc).unwrap()).unwrap();
    path.display().to_string()
}

/// Attio under another name and path, with a smaller page cap: a short file over a built-in.
fn acme() -> Value {
    json!({
        "$schema": "./profile.schema.json",
        "extends": "attio",
        "name": "acme",
        "title": "Acme",
        "base_path": "/acme/scim/v2",
        "list": {"default_count": 2, "max_count": 2}
    })
}

/// The JSON Schema `scimock profile schema` prints, compiled.
fn profile_schema() -> jsonschema::Validator {
    let out = run(&["profile", "schema"]);
    assert_eq!(out.status.code(), Some(0));
    let schema: Value = serde_json::from_slice(&out.stdout).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

#[test]
fn a_file_that_extends_a_builtin_is_served_at_its_own_path_with_the_builtins_data_and_rules() {
    let dir = scratch("extends");
    let file = write(&dir, "acme.json", &acme());
    let s = serve(&["--vendor", &file, "--users", "3"]);
    let (status, body) = get(
        &format!("{}/acme/scim/v2/Users?count=50", s.origin),
        "scimock-token",
    );
    assert_eq!(status, 200, "{body}");
    // Attio's two seed users and three generated ones, a page capped at the file's max_count.
    assert_eq!(body["totalResults"], 5, "{body}");
    assert_eq!(body["Resources"][0]["userName"], "john.doe@example.com");
    assert_eq!(body["Resources"].as_array().unwrap().len(), 2, "{body}");
    // Attio's error envelope, inherited.
    let (status, body) = get(&format!("{}/acme/scim/v2/Users", s.origin), "wrong");
    assert_eq!(status, 401);
    assert_eq!(body["status_code"], 401, "{body}");
    // Not at the built-in's path.
    let (status, _) = get(&format!("{}/scim/v2/Users", s.origin), "scimock-token");
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_with_a_profile_file_passes_a_mock_of_that_file_with_writes() {
    let dir = scratch("check");
    let short = write(&dir, "acme.json", &acme());
    // A full file (no extends), as `profile new` writes it.
    let full = dir.join("full.json").display().to_string();
    let made = run(&[
        "profile", "new", "full", "--from", "elfsquad", "--output", &full,
    ]);
    assert_eq!(made.status.code(), Some(0), "{}", text(&made.stderr));
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&full).unwrap()).unwrap();
    assert!(written.get("extends").is_none());
    for file in [short, full] {
        let m = MockServer::start(&file).await.unwrap();
        let out = output(scimock(&[
            "check",
            &m.base_url(),
            "--profile",
            &file,
            "--token",
            m.token(),
            "--max-rps",
            "0",
            "--allow-writes",
        ]))
        .await;
        let stdout = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{file}:\n{stdout}\n{}",
            text(&out.stderr)
        );
        assert!(
            stdout
                .lines()
                .last()
                .unwrap_or_default()
                .contains(" 0 failed"),
            "{stdout}"
        );
    }
}

/// `serve --vendor FILE` and `check --profile FILE` on an invalid file: exit 2, nothing on
/// stdout (no listening line), and stderr says each of `needles`.
fn refused(file: &str, needles: &[&str]) {
    let served = run(&["serve", "--listen", "127.0.0.1:0", "--vendor", file]);
    let checked = run(&["check", "http://127.0.0.1:9/scim/v2", "--profile", file]);
    for (what, out) in [("serve", served), ("check", checked)] {
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what} {file}: {stderr}");
        assert_eq!(text(&out.stdout), "", "{what} {file}");
        for n in needles {
            assert!(stderr.contains(n), "{what} {file}: {n:?} not in {stderr}");
        }
    }
}

#[test]
fn an_invalid_file_is_refused_before_listening_naming_the_path_the_type_and_the_allowed_values() {
    let dir = scratch("invalid");
    let bad_enum = write(
        &dir,
        "enum.json",
        &json!({"extends": "generic", "name": "acme", "list": {"over_max": "explode"}}),
    );
    refused(
        &bad_enum,
        &["list.over_max", "explode", "one of: clamp, reject"],
    );
    let bad_type = write(
        &dir,
        "type.json",
        &json!({"extends": "generic", "name": "acme", "list": {"max_count": "lots"}}),
    );
    refused(&bad_type, &["list.max_count", "integer"]);
    let unknown = write(
        &dir,
        "unknown.json",
        &json!({"extends": "generic", "name": "acme", "lsit": {}}),
    );
    refused(&unknown, &["lsit", "unknown field", "did you mean `list`"]);
    let nested_unknown = write(
        &dir,
        "nested.json",
        &json!({"extends": "generic", "errors": {"format": "scim", "colour": "red"}}),
    );
    refused(&nested_unknown, &["errors.colour", "unknown field"]);
    let bad_base = write(
        &dir,
        "base.json",
        &json!({"extends": "nosuchvendor", "name": "acme"}),
    );
    refused(&bad_base, &["extends", "generic, ", "attio"]);
    let partial = write(&dir, "partial.json", &json!({"name": "acme"}));
    refused(&partial, &["missing field `title`", "extends"]);
    let cross = write(
        &dir,
        "cross.json",
        &json!({"extends": "generic", "base_path": "/scim/{tenant}"}),
    );
    refused(&cross, &["path_params", "{tenant}"]);
    refused(
        &format!("{}/missing.json", dir.display()),
        &["missing.json"],
    );
}

#[test]
fn profile_show_prints_the_effective_profile_after_extends_and_set() {
    let dir = scratch("show");
    let file = write(&dir, "acme.json", &acme());
    let out = run(&["profile", "show", &file, "--set", "list.default_count=1"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let p: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(p["name"], "acme");
    assert_eq!(p["base_path"], "/acme/scim/v2");
    assert_eq!(p["list"]["max_count"], 2);
    assert_eq!(p["list"]["default_count"], 1);
    // Inherited from attio: the error envelope and the named behaviour.
    assert_eq!(p["errors"]["format"], "attio");
    assert_eq!(p["behaviour"], "attio");
    assert!(p.get("extends").is_none() && p.get("$schema").is_none());
    let builtin = run(&["profile", "show", "generic"]);
    assert_eq!(builtin.status.code(), Some(0));
    let g: Value = serde_json::from_slice(&builtin.stdout).unwrap();
    assert_eq!(g["name"], "generic");
    let typo = run(&["profile", "show", &file, "--set", "list.max_cuont=1"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(text(&typo.stderr).contains("list.max_cuont"));
}

#[test]
fn profile_new_writes_a_documented_file_that_loads_and_never_overwrites() {
    let dir = scratch("new");
    let path = dir.join("acme.json");
    let file = path.display().to_string();
    let out = run(&[
        "profile", "new", "acme", "--from", "attio", "--output", &file,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(doc["name"], "acme");
    assert_eq!(doc["fixtures"], "attio");
    let docs = doc["$docs"].as_object().expect("$docs");
    assert!(docs["list.max_count"].as_str().unwrap().contains("integer"));
    assert!(docs.contains_key("writes.role.attr"), "{docs:?}");
    // It loads as it is, and editors accept it.
    let shown = run(&["profile", "show", &file]);
    assert_eq!(shown.status.code(), Some(0), "{}", text(&shown.stderr));
    let schema = profile_schema();
    let errors: Vec<String> = schema.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    // The file is not replaced.
    let again = run(&["profile", "new", "other", "--output", &file]);
    assert_eq!(again.status.code(), Some(2));
    let kept: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(kept["name"], "acme");
    let bad = run(&["profile", "new", "Not A Name"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn profile_schema_is_the_committed_docs_profile_schema_json() {
    let out = run(&["profile", "schema"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout) == include_str!("../../docs/profile.schema.json"),
        "docs/profile.schema.json is out of date: run `cargo run -- profile schema > docs/profile.schema.json`"
    );
}

#[test]
fn the_schema_accepts_every_builtin_and_short_files_and_refuses_unknown_fields() {
    let schema = profile_schema();
    for name in scimock_profile::PROFILE_NAMES {
        let out = run(&["profile", "show", name]);
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors: Vec<String> = schema.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
    }
    assert!(schema.is_valid(&acme()));
    assert!(!schema.is_valid(&json!({"extends": "generic", "lsit": {}})));
    assert!(!schema.is_valid(&json!({"extends": "nosuchvendor"})));
    assert!(!schema.is_valid(&json!({"name": "acme"})));
    assert!(!schema.is_valid(&json!({"extends": "generic", "list": {"over_max": "explode"}})));
}

const PROFILES_MD: &str = include_str!("../../docs/profiles.md");

#[test]
fn the_field_reference_in_docs_profiles_md_is_generated_from_the_types() {
    let begin = "<!-- BEGIN field reference (generated) -->\n";
    let start = PROFILES_MD.find(begin).expect("begin marker") + begin.len();
    let end = PROFILES_MD
        .find("<!-- END field reference -->")
        .expect("end marker");
    let out = run(&["profile", "schema", "--format", "markdown"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        PROFILES_MD[start..end] == text(&out.stdout),
        "docs/profiles.md's field reference is out of date: replace it with `scimock profile schema --format markdown`"
    );
    // Every field of the format is in it.
    for field in [
        "`list.max_count`",
        "`writes.role.keep_one`",
        "`behaviour`",
        "`extends`",
    ] {
        assert!(PROFILES_MD[start..end].contains(field), "{field}");
    }
}

/// The worked example of docs/profiles.md, as a file.
fn worked_example(dir: &std::path::Path) -> String {
    let marker = "<!-- example: acme -->\n```json\n";
    let start = PROFILES_MD.find(marker).expect("example marker") + marker.len();
    let len = PROFILES_MD[start..]
        .find("```")
        .expect("end of the example");
    let doc: Value =
        serde_json::from_str(&PROFILES_MD[start..start + len]).expect("the example is JSON");
    write(dir, "acme.json", &doc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worked_example_of_docs_profiles_md_serves_and_checks_clean_in_both_modes() {
    let dir = scratch("example");
    let file = worked_example(&dir);
    let m = MockServer::start(&file).await.unwrap();
    assert!(
        m.base_url().ends_with("/api/t-1234/scim/v2"),
        "{}",
        m.base_url()
    );
    for extra in [&[][..], &["--allow-writes"][..]] {
        let mut args = vec![
            "check",
            &m.base_url(),
            "--profile",
            &file,
            "--token",
            m.token(),
            "--max-rps",
            "0",
        ]
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>();
        args.extend(extra.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = output(scimock(&args)).await;
        assert_eq!(
            out.status.code(),
            Some(0),
            "{extra:?}:\n{}\n{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }
    // The refusal the text promises.
    let refused = run(&["filter", "title co \"x\"", "--profile", &file]);
    assert_eq!(refused.status.code(), Some(3));
    assert!(
        text(&refused.stderr).contains("Filtering on title with co is not supported"),
        "{}",
        text(&refused.stderr)
    );
    let vendors = run(&["vendors", &file]);
    assert_eq!(vendors.status.code(), Some(0));
    assert!(text(&vendors.stdout).contains("count-capped-at-50"));
}

/// A base path that starts with a parameter (`/{tenant_id}/scim/v2`, as AWS IAM Identity
/// Center's) is served at its id, alone or with others, and the admin API stays reachable (it
/// used to panic at start: the parameter claimed `/_scimock` too).
#[test]
fn a_base_path_that_starts_with_a_parameter_is_served() {
    let dir = scratch("leading-param");
    let file = write(
        &dir,
        "tenant.json",
        &json!({"extends": "generic", "name": "tenanted", "title": "Tenanted",
            "base_path": "/{tenant_id}/scim/v2", "path_params": {"tenant_id": "t-123"}}),
    );
    let s = serve(&["--vendor", &file]);
    let (status, body) = get(
        &format!("{}/t-123/scim/v2/Users", s.origin),
        "scimock-token",
    );
    assert_eq!(status, 200, "{body}");
    let (status, body) = get(&format!("{}/_scimock/health", s.origin), "");
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
    let (status, _) = get(
        &format!("{}/other/scim/v2/Users", s.origin),
        "scimock-token",
    );
    assert_eq!(status, 404);
}
