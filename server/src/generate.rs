//! Deterministic generated users for `--users N --seed S`: `user{i}@example.com`, names,
//! emails, `externalId` `ext-{i}`, shaped to satisfy the profile's write rules.

use crate::doc::DocBuilder;
use scimock_profile::Profile;
use scimock_profile::vocab::ENTERPRISE_USER;
use serde_json::Value;
use time::OffsetDateTime;

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
    let mut g = Generator::new(profile, n, seed);
    std::iter::from_fn(move || g.next_user().map(|u| u.to_value()))
}

/// Draws users one at a time; each can be written straight into a store's document builder
/// ([`GeneratedUser::write_attributes`]) or turned into JSON ([`GeneratedUser::to_value`]).
#[derive(Debug)]
pub struct Generator<'p> {
    profile: &'p Profile,
    rng: Rng,
    next: usize,
    n: usize,
    single_email: bool,
    enterprise: bool,
    app_role: bool,
}

/// One generated user: its number and random draws.
#[derive(Debug, Clone)]
pub struct GeneratedUser {
    /// 1-based number (`user{i}@example.com`).
    pub i: usize,
    /// Resource id.
    pub id: String,
    /// `userName`.
    pub user_name: String,
    /// `meta.created` and `meta.lastModified`.
    pub created: OffsetDateTime,
    given: &'static str,
    family: &'static str,
    single_email: bool,
    enterprise: bool,
    app_role: bool,
    /// Vendor-generated attributes: extension URN, sub-attribute, value.
    generated: Vec<(String, String, String)>,
}

impl<'p> Generator<'p> {
    /// Users 1..=n for `profile` from `seed`.
    pub fn new(profile: &'p Profile, n: usize, seed: u64) -> Generator<'p> {
        Generator {
            profile,
            rng: Rng::new(seed),
            next: 1,
            n,
            single_email: profile.writes.emails.exactly_one
                || profile.writes.emails.only_type.is_some(),
            enterprise: profile
                .shape
                .extensions
                .iter()
                .any(|e| e.ends_with("enterprise:2.0:User")),
            app_role: profile.shape.vendor_attributes.contains_key("appRole"),
        }
    }

    /// True when every write rule for loaded users is already met by what the generator
    /// writes (each vendor-generated attribute is a sub-attribute of its own extension), so
    /// the users can go straight into the store. Profiles changed with `--set` may not be.
    pub fn complete(&self) -> bool {
        let mut urns = Vec::new();
        self.profile.writes.generated.iter().all(|(path, _)| {
            match path.rsplit_once('.').filter(|_| path.starts_with("urn:")) {
                Some((urn, _)) if urn != ENTERPRISE_USER && !urns.contains(&urn) => {
                    urns.push(urn);
                    true
                }
                _ => false,
            }
        })
    }

    /// The next user, or `None` after the n-th.
    pub fn next_user(&mut self) -> Option<GeneratedUser> {
        if self.next > self.n {
            return None;
        }
        let i = self.next;
        self.next += 1;
        let rng = &mut self.rng;
        let given = GIVEN[(rng.next_u64() % 32) as usize];
        let family = FAMILY[(rng.next_u64() % 32) as usize];
        let id = rng.uuid();
        let mut generated = Vec::new();
        for (path, kind) in &self.profile.writes.generated {
            if let Some((urn, sub)) = path.rsplit_once('.').filter(|_| path.starts_with("urn:")) {
                let v = if kind == "hex24" {
                    format!("{:012x}{:012x}", rng.next_u64() >> 16, rng.next_u64() >> 16)
                } else {
                    rng.uuid()
                };
                generated.push((urn.to_string(), sub.to_string(), v));
            }
        }
        Some(GeneratedUser {
            i,
            id,
            user_name: format!("user{i}@example.com"),
            created: time::macros::datetime!(2024-01-01 00:00:00 UTC)
                + time::Duration::minutes(i as i64),
            given,
            family,
            single_email: self.single_email,
            enterprise: self.enterprise,
            app_role: self.app_role,
            generated,
        })
    }
}

impl GeneratedUser {
    /// Writes the attributes after `id` and before `meta` as object members: `externalId`,
    /// `userName`, `name`, `displayName`, `title`, `emails`, `active`, then extensions.
    pub fn write_attributes(&self, b: &mut DocBuilder) {
        let (i, given, family) = (self.i, self.given, self.family);
        let full = format!("{given} {family}");
        b.key("externalId");
        b.string(&format!("ext-{i}"));
        b.key("userName");
        b.string(&self.user_name);
        b.key("name");
        b.begin_object();
        b.key("givenName");
        b.string(given);
        b.key("familyName");
        b.string(family);
        b.key("formatted");
        b.string(&full);
        b.end();
        b.key("displayName");
        b.string(&full);
        b.key("title");
        b.string(TITLES[i % TITLES.len()]);
        b.key("emails");
        b.begin_array();
        b.begin_object();
        b.key("value");
        b.string(&self.user_name);
        b.key("type");
        b.string("work");
        b.key("primary");
        b.bool(true);
        b.end();
        if !self.single_email && i % 3 == 0 {
            b.begin_object();
            b.key("value");
            b.string(&format!(
                "{}.{}{i}@home.example.org",
                given.to_lowercase(),
                family.to_lowercase()
            ));
            b.key("type");
            b.string("home");
            b.end();
        }
        b.end();
        b.key("active");
        b.bool(i % 10 != 0);
        if self.enterprise {
            b.key(ENTERPRISE_USER);
            b.begin_object();
            b.key("employeeNumber");
            b.string(&i.to_string());
            b.key("department");
            b.string(DEPARTMENTS[i % DEPARTMENTS.len()]);
            b.end();
        }
        if self.app_role {
            b.key("appRole");
            b.string(if i % 20 == 5 { "admin" } else { "member" });
        }
        for (urn, sub, v) in &self.generated {
            b.key(urn);
            b.begin_object();
            b.key(sub);
            b.string(v);
            b.end();
        }
    }

    /// The user as a JSON body: `id`, the attributes, `meta` with `created` and `lastModified`.
    pub fn to_value(&self) -> Value {
        let ts = crate::clock::format(self.created, scimock_profile::Precision::Micros);
        let mut b = DocBuilder::default();
        b.begin_object();
        b.key("id");
        b.string(&self.id);
        self.write_attributes(&mut b);
        b.key("meta");
        b.begin_object();
        b.key("created");
        b.string(&ts);
        b.key("lastModified");
        b.string(&ts);
        b.end();
        b.end();
        // A URN written twice (profiles changed with `--set`) keeps its first place and its
        // last value, as a JSON object built member by member does.
        b.finish().map_or(Value::Null, |doc| doc.to_value())
    }
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
    fn users_go_into_the_store_as_their_json_bodies_would() {
        use crate::store::{Insert, Store};
        for name in scimock_profile::PROFILE_NAMES {
            let p = Profile::builtin(name).unwrap();
            let (mut direct, mut via_json) = (Store::new(), Store::new());
            let mut g = Generator::new(&p, 40, 3);
            assert!(g.complete(), "{name}");
            while let Some(u) = g.next_user() {
                direct.create_generated_user(&u).unwrap();
                let opts = Insert {
                    id: Some(u.id.clone()),
                    ..Insert::default()
                };
                via_json.create_user(u.to_value(), opts).unwrap();
            }
            let all = |s: &Store| s.users.iter().map(|u| u.to_value()).collect::<Vec<_>>();
            assert_eq!(all(&direct), all(&via_json), "{name}");
            let u = Generator::new(&p, 1, 3).next_user().unwrap();
            assert!(
                direct.create_generated_user(&u).is_err(),
                "duplicates are refused"
            );
        }
        let mut p = Profile::builtin("generic").unwrap();
        p.writes.generated.insert("nickName".into(), "uuid".into());
        assert!(
            !Generator::new(&p, 1, 1).complete(),
            "left to the load rules"
        );
    }

    #[test]
    fn a_generated_user_takes_about_600_bytes_of_document() {
        let p = Profile::builtin("generic").unwrap();
        let mut s = crate::store::Store::new();
        let mut g = Generator::new(&p, 3000, 1);
        while let Some(u) = g.next_user() {
            s.create_generated_user(&u).unwrap();
        }
        let bytes: usize = s.users.iter().map(|u| u.doc.heap_bytes()).sum();
        let per_user = bytes / 3000;
        assert!((500..700).contains(&per_user), "{per_user} bytes per user");
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
