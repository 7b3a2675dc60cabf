//! Vendor behaviour that is genuinely code, not data, behind one trait.
//!
//! Everything a profile can say as data (paths, caps, allow-lists, shapes, PATCH leniency)
//! lives in `scimock_profile::Profile`. What remains here is behaviour that depends on a
//! resource's state: Attio's pending invites and suspended members.

use crate::store::Stored;
use axum::http::StatusCode;
use scimock_profile::{Behaviour, Profile, UnverifiedDomain};
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// What a vendor does beyond its profile's data.
pub trait VendorBehaviour: Send + Sync + std::fmt::Debug {
    /// Adjusts a normalized create/replace body before it is stored; returns whether the
    /// resource is a pending account (an invite).
    fn prepare_user_write(
        &self,
        profile: &Profile,
        attrs: &mut Value,
        existing: Option<&Stored>,
    ) -> bool {
        let _ = (profile, attrs);
        existing.is_some_and(|s| s.pending)
    }

    /// Adjusts a shaped user on its way out.
    fn shape_user(&self, out: &mut Map<String, Value>, stored: &Stored) {
        let _ = (out, stored);
    }

    /// True when deactivating or deleting a pending invite cancels it: the invite is removed
    /// and later requests get 404 (Attio, D:A8).
    fn deactivation_cancels_invite(&self) -> bool {
        false
    }

    /// The status of a successful user write, when the vendor answers something other
    /// than the usual 200/201 (Attio: 204 when a pending invite is deactivated).
    fn user_write_status(&self, before: Option<&Stored>, after: &Stored) -> Option<StatusCode> {
        let _ = (before, after);
        None
    }
}

/// RFC behaviour: nothing beyond the profile's data.
#[derive(Debug, Default)]
pub struct Standard;

impl VendorBehaviour for Standard {}

/// Attio: invites for unverified domains, default `appRole`, `appRole` hidden when suspended,
/// 204 when an invite is deactivated (D:A1, D:A2, D:A3, D:A4).
#[derive(Debug, Default)]
pub struct Attio;

fn domain_of(user_name: &str) -> Option<&str> {
    user_name.rsplit_once('@').map(|(_, d)| d)
}

/// True when `user_name`'s domain is one of the profile's verified domains.
pub fn domain_verified(profile: &Profile, user_name: &str) -> bool {
    domain_of(user_name).is_some_and(|d| {
        profile
            .writes
            .verified_domains
            .iter()
            .any(|v| v.eq_ignore_ascii_case(d))
    })
}

impl VendorBehaviour for Attio {
    fn prepare_user_write(
        &self,
        profile: &Profile,
        attrs: &mut Value,
        existing: Option<&Stored>,
    ) -> bool {
        if let Some(o) = attrs.as_object_mut() {
            // appRole defaults to member on create (D:A2); a replace that leaves it out keeps
            // the stored role rather than demoting an admin [I].
            let kept = existing
                .and_then(|s| s.str_attr("appRole"))
                .unwrap_or("member");
            o.entry("appRole").or_insert_with(|| json!(kept));
        }
        match existing {
            Some(s) => s.pending,
            None => {
                profile.writes.unverified_domain == UnverifiedDomain::Invite
                    && attrs
                        .get("userName")
                        .and_then(Value::as_str)
                        .is_some_and(|u| !domain_verified(profile, u))
            }
        }
    }

    fn shape_user(&self, out: &mut Map<String, Value>, stored: &Stored) {
        // appRole is omitted for suspended users (D:A4); pending invites are active (D:A1).
        if stored.pending {
            out.insert("active".into(), json!(true));
        } else if out.get("active") == Some(&Value::Bool(false)) {
            out.shift_remove("appRole");
        }
    }

    fn deactivation_cancels_invite(&self) -> bool {
        true
    }

    fn user_write_status(&self, before: Option<&Stored>, after: &Stored) -> Option<StatusCode> {
        let deactivated = after.view().get("active").and_then(|a| a.boolean()) == Some(false);
        (before.is_some_and(|b| b.pending) && deactivated).then_some(StatusCode::NO_CONTENT)
    }
}

/// The behaviour a profile selects by name (`behaviour`), whatever the profile is called.
pub fn behaviour_for(profile: &Profile) -> Arc<dyn VendorBehaviour> {
    match profile.behaviour {
        Behaviour::Attio => Arc::new(Attio),
        Behaviour::Standard => Arc::new(Standard),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str, behaviour: Behaviour) -> Profile {
        let mut p = Profile::builtin("attio").unwrap();
        p.name = name.into();
        p.behaviour = behaviour;
        p
    }

    #[test]
    fn the_behaviour_is_the_one_the_profile_names_not_the_profiles_name() {
        assert_eq!(
            format!("{:?}", behaviour_for(&named("acme", Behaviour::Attio))),
            "Attio"
        );
        assert_eq!(
            format!("{:?}", behaviour_for(&named("attio", Behaviour::Standard))),
            "Standard"
        );
        for name in scimock_profile::PROFILE_NAMES {
            let p = Profile::builtin(name).unwrap();
            let expected = if *name == "attio" {
                "Attio"
            } else {
                "Standard"
            };
            assert_eq!(format!("{:?}", behaviour_for(&p)), expected, "{name}");
        }
    }
}
