//! The RFC 7643 schemas as data: the §3.1 common attributes, §4.1 User, §4.2 Group and the
//! §4.3 Enterprise User extension, in §7 representation (`fixtures/schemas/`), embedded at
//! build time and parsed once.
//!
//! These are the schemas every profile starts from; a profile adds its own extensions in its
//! `schemas` and names the ones it uses in `shape.extensions`.

use crate::model::{Schema, SchemaAttribute};
use std::sync::LazyLock;

/// Parses an embedded schema file. The files are part of the build and a test loads every
/// one, so a failure here is a broken build, not bad input.
fn embedded<T: serde::de::DeserializeOwned>(file: &str, src: &str) -> T {
    match serde_json::from_str(src) {
        Ok(v) => v,
        Err(e) => panic!("embedded fixtures/schemas/{file} is not a §7 schema: {e}"),
    }
}

static COMMON: LazyLock<Vec<SchemaAttribute>> = LazyLock::new(|| {
    embedded(
        "common-attributes.json",
        include_str!("../../fixtures/schemas/common-attributes.json"),
    )
});

static CORE_USER: LazyLock<Schema> = LazyLock::new(|| {
    embedded(
        "core-user.json",
        include_str!("../../fixtures/schemas/core-user.json"),
    )
});

static CORE_GROUP: LazyLock<Schema> = LazyLock::new(|| {
    embedded(
        "core-group.json",
        include_str!("../../fixtures/schemas/core-group.json"),
    )
});

static ENTERPRISE_USER: LazyLock<Schema> = LazyLock::new(|| {
    embedded(
        "enterprise-user.json",
        include_str!("../../fixtures/schemas/enterprise-user.json"),
    )
});

/// RFC 7643 §3.1 `id`, `externalId` and `meta`: part of every resource, not of any schema's
/// §7 representation.
pub fn common_attributes() -> &'static [SchemaAttribute] {
    &COMMON
}

/// RFC 7643 §4.1 / §8.7.1 User.
pub fn core_user() -> &'static Schema {
    &CORE_USER
}

/// RFC 7643 §4.2 / §8.7.1 Group (`displayName` required, as §4.2 says).
pub fn core_group() -> &'static Schema {
    &CORE_GROUP
}

/// RFC 7643 §4.3 / §8.7.1 Enterprise User extension.
pub fn enterprise_user() -> &'static Schema {
    &ENTERPRISE_USER
}

/// The well-known extension schema with this URN (case-insensitive): a profile may name it in
/// `shape.extensions` without declaring it.
pub fn well_known_extension(urn: &str) -> Option<&'static Schema> {
    [enterprise_user()]
        .into_iter()
        .find(|s| s.id.eq_ignore_ascii_case(urn))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab;
    use scimock_filter::AttrKind;

    #[test]
    fn every_embedded_schema_parses_under_its_vocabulary_urn() {
        assert_eq!(core_user().id, vocab::CORE_USER);
        assert_eq!(core_group().id, vocab::CORE_GROUP);
        assert_eq!(enterprise_user().id, vocab::ENTERPRISE_USER);
        let names: Vec<&str> = common_attributes()
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(names, ["id", "externalId", "meta"]);
    }

    #[test]
    fn sub_attributes_belong_to_complex_attributes_only() {
        fn check(attrs: &[SchemaAttribute]) {
            for a in attrs {
                assert_eq!(
                    a.kind == AttrKind::Complex,
                    !a.sub_attributes.is_empty(),
                    "{}",
                    a.name
                );
                check(&a.sub_attributes);
            }
        }
        for s in [core_user(), core_group(), enterprise_user()] {
            check(&s.attributes);
        }
        check(common_attributes());
    }

    #[test]
    fn only_the_enterprise_extension_is_well_known() {
        assert_eq!(
            well_known_extension(&vocab::ENTERPRISE_USER.to_uppercase()).map(|s| s.name.as_str()),
            Some("EnterpriseUser")
        );
        assert!(well_known_extension(vocab::CORE_USER).is_none());
        assert!(
            well_known_extension("urn:ietf:params:scim:schemas:extension:elfsquad:2.0:User")
                .is_none()
        );
    }
}
