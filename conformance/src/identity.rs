//! The identity of a run's target, for comparing reports like with like: SHA-256 digests of
//! canonical JSON (object keys sorted by code point, no insignificant whitespace, serde_json's
//! number and string encoding) of the profile and of the `ServiceProviderConfig` body the
//! target served.

use crate::model::Identity;
use scimock_profile::Profile;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// `v` as canonical JSON: the same value always gives the same text, whatever its key order.
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                if let Some(x) = map.get(k) {
                    write_canonical(x, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `sha256:` and the hex SHA-256 of `v`'s canonical JSON.
pub fn digest(v: &Value) -> String {
    format!("sha256:{}", sha256_hex(canonical_json(v).as_bytes()))
}

/// The digest of a profile (with its overrides): its version in reports.
pub fn profile_digest(p: &Profile) -> String {
    digest(&serde_json::to_value(p).unwrap_or(Value::Null))
}

/// The identity of a run against `base_url` with `profile`, given the configuration body the
/// target served (if any).
pub fn identity(base_url: &str, profile: &Profile, spc: Option<&Value>) -> Identity {
    Identity {
        base_url: base_url.to_string(),
        profile: profile.name.clone(),
        profile_digest: profile_digest(profile),
        service_provider_config_sha256: spc.map(digest),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_json_sorts_keys_at_every_depth_and_drops_whitespace() {
        let a: Value =
            serde_json::from_str(r#"{"b": 1, "a": {"y": [1, {"d": 2, "c": "é"}], "x": null}}"#)
                .unwrap();
        let b: Value =
            serde_json::from_str(r#"{"a":{"x":null,"y":[1,{"c":"é","d":2}]},"b":1}"#).unwrap();
        assert_eq!(
            canonical_json(&a),
            r#"{"a":{"x":null,"y":[1,{"c":"é","d":2}]},"b":1}"#
        );
        assert_eq!(digest(&a), digest(&b));
        assert_ne!(digest(&a), digest(&json!({"a": 1})));
        assert!(digest(&a).starts_with("sha256:") && digest(&a).len() == 7 + 64);
    }

    #[test]
    fn the_digest_of_the_empty_string_is_the_known_one() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn profiles_differ_in_digest_when_a_fact_differs() {
        let g = Profile::builtin("generic").unwrap();
        let changed = g
            .with_overrides(&[("list.max_count".into(), json!(7))])
            .unwrap();
        assert_eq!(profile_digest(&g), profile_digest(&g.clone()));
        assert_ne!(profile_digest(&g), profile_digest(&changed));
    }
}
