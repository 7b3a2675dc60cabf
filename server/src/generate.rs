//! Deterministic generated users for `--users N --seed S`: `user{i}@example.com`, names,
//! emails, `externalId` `ext-{i}`, shaped to satisfy the profile's write rules.

use scimock_profile::Profile;
use serde_json::{Map, Value, json};

const GIVEN: [&str; 32] = [
    "Ada", "Alan", "Barbara", "Brian", "Carla", "Chen", "Dana", "Dmitri", "Elena", "Emeka",
    "Fatima", "Felix", "Grace", "Hiro", "Ines", "Ivan", "Jamal", "Jane", "Kofi", "Lena", "Liam",
    "Maya", "Nadia", "Noah", "Olga", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Yusuf",
];
const FAMILY: [&str; 32] = [
    "Abbott", "Baker", "Castro", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito",
    "Jensen", "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Petrov", "Quispe", "Rossi",
    "Schmidt", "Tanaka", "Uddin", "Varga", "Weber", "Xu", "Yilmaz", "Zhang", "Andersen", "Bianchi",
    "Costa", "Dvorak", "Evans", "Silva",
];
const TITLES: [&str; 8] = [
    "Engineer",
    "Designer",
    "Account Executive",
    "Support Specialist",
    "Product Manager",
    "Analyst",
    "Recruiter",
    "Director",
];
const DEPARTMENTS: [&str; 6] = [
    "Engineering",
    "Sales",
    "Support",
    "Product",
    "Finance",
    "People",
];

/// SplitMix64: small, fast and good enough for reproducible test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A random (version 4 layout) UUID.
    pub fn uuid(&mut self) -> String {
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        b[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        uuid::Builder::from_random_bytes(b).into_uuid().to_string()
    }
}

/// `n` users for `profile`, the same for the same `seed`.
pub fn users(profile: &Profile, n: usize, seed: u64) -> Vec<Value> {
    iter(profile, n, seed).collect()
}

/// The same users as [`users`], one at a time (a million of them never exist at once).
pub fn iter(profile: &Profile, n: usize, seed: u64) -> impl Iterator<Item = Value> + '_ {
    let mut rng = Rng::new(seed);
    let single_email =
        profile.writes.emails.exactly_one || profile.writes.emails.only_type.is_some();
    let base = time::macros::datetime!(2024-01-01 00:00:00 UTC);
    (1..=n)
        .map(move |i| {
            let given = GIVEN[(rng.next_u64() % 32) as usize];
            let family = FAMILY[(rng.next_u64() % 32) as usize];
            let user_name = format!("user{i}@example.com");
            let mut emails = vec![json!({"value": user_name, "type": "work", "primary": true})];
            if !single_email && i % 3 == 0 {
                emails.push(json!({"value": format!("{}.{}{i}@home.example.org", given.to_lowercase(), family.to_lowercase()), "type": "home"}));
            }
            let created = base + time::Duration::minutes(i as i64);
            let ts = crate::clock::format(created, scimock_profile::Precision::Micros);
            let mut u = Map::new();
            u.insert("id".into(), Value::String(rng.uuid()));
            u.insert("externalId".into(), Value::String(format!("ext-{i}")));
            u.insert("userName".into(), Value::String(user_name));
            u.insert(
                "name".into(),
                json!({"givenName": given, "familyName": family, "formatted": format!("{given} {family}")}),
            );
            u.insert("displayName".into(), Value::String(format!("{given} {family}")));
            u.insert("title".into(), Value::String(TITLES[i % TITLES.len()].into()));
            u.insert("emails".into(), Value::Array(emails));
            u.insert("active".into(), Value::Bool(i % 10 != 0));
            if profile.shape.extensions.iter().any(|e| e.ends_with("enterprise:2.0:User")) {
                u.insert(
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User".into(),
                    json!({"employeeNumber": format!("{i}"), "department": DEPARTMENTS[i % DEPARTMENTS.len()]}),
                );
            }
            if profile.shape.vendor_attributes.contains_key("appRole") {
                u.insert("appRole".into(), json!(if i % 20 == 0 { "admin" } else { "member" }));
            }
            for (path, kind) in &profile.writes.generated {
                if let Some((urn, sub)) = path.rsplit_once('.').filter(|_| path.starts_with("urn:")) {
                    let v = if kind == "hex24" {
                        format!("{:012x}{:012x}", rng.next_u64() >> 16, rng.next_u64() >> 16)
                    } else {
                        rng.uuid()
                    };
                    u.insert(urn.to_string(), json!({ sub: v }));
                }
            }
            u.insert("meta".into(), json!({"created": ts, "lastModified": ts}));
            Value::Object(u)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_users_and_different_seed_different_ids() {
        let p = Profile::builtin("generic").unwrap();
        let a = users(&p, 50, 7);
        assert_eq!(a, users(&p, 50, 7));
        assert_ne!(a[0]["id"], users(&p, 50, 8)[0]["id"]);
        assert_eq!(a[41]["userName"], "user42@example.com");
        assert_eq!(a[41]["externalId"], "ext-42");
    }

    #[test]
    fn generated_users_follow_vendor_email_rules() {
        let adra = Profile::builtin("adra").unwrap();
        assert!(
            users(&adra, 30, 1)
                .iter()
                .all(|u| u["emails"].as_array().unwrap().len() == 1)
        );
        let atl = Profile::builtin("atlassian").unwrap();
        let u = &users(&atl, 1, 1)[0];
        let id = u["urn:scim:schemas:extension:atlassian-external:1.0"]["atlassianAccountId"]
            .as_str()
            .unwrap();
        assert_eq!(id.len(), 24);
    }
}
