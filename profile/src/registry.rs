//! The built-in profiles: discovered at build time from `fixtures/profiles/*.json` (see
//! `build.rs`), with their seed data from `fixtures/users/NAME.json`. Adding a vendor is adding
//! those files.

/// One built-in profile's embedded sources.
struct Builtin {
    /// The file name without `.json`, which is also the profile's `name`.
    name: &'static str,
    /// The profile JSON.
    profile: &'static str,
    /// The seed data `{"users":[...],"groups":[...]}`, if the vendor has any.
    fixtures: Option<&'static str>,
}

include!(concat!(env!("OUT_DIR"), "/builtins.rs"));

fn find(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// A built-in profile's JSON source.
pub(crate) fn builtin_source(name: &str) -> Option<&'static str> {
    find(name).map(|b| b.profile)
}

/// A built-in vendor's seed data `{"users":[...],"groups":[...]}` (its documented example
/// bodies), embedded from `fixtures/users/`; `{}` for a built-in without any, `None` for a name
/// that is not a built-in.
pub fn builtin_fixtures(name: &str) -> Option<&'static str> {
    find(name).map(|b| b.fixtures.unwrap_or("{}"))
}

/// True when `name` is a built-in profile.
pub fn is_builtin(name: &str) -> bool {
    find(name).is_some()
}
