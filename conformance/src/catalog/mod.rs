//! The check catalog (DESIGN §5): one table, [`CATALOG`], where each row is a check as data —
//! id, group, title, severity, reference, the profile switches and quirks whose sources extend
//! the reference, the planning predicate `applies`, and `run`, a function pointer to the code.
//! The code lives in one module per group; checks read the run through [`Ctx`] and return
//! `Result<Outcome, Skip>`.

mod auth;
mod discovery;
mod entra;
mod errors;
mod filter;
mod groups;
mod idp;
mod list;
mod okta;
mod pagination;
pub mod probe;
mod projection;
mod rate_limit;
mod resource;
mod table;
mod unified;
mod writes;

pub use probe::Probe;

use crate::config::{AAD_OPT_SCIM_062020, Config, IdpClient};
use crate::ctx::Ctx;
use crate::model::Severity;
use crate::outcome::{Outcome, Skip};
use scimock_profile::{Profile, ProfileKind};
use std::future::Future;
use std::pin::Pin;

/// The future a check's `run` returns.
pub type CheckFuture<'a> = Pin<Box<dyn Future<Output = Result<Outcome, Skip>> + Send + 'a>>;

/// A check's code: reads the run through the context, returns its outcome or why it skipped.
pub type RunFn = for<'a> fn(&'a Ctx) -> CheckFuture<'a>;

/// A check as data.
#[derive(Debug, Clone, Copy)]
pub struct CheckDef {
    /// Stable id.
    pub id: &'static str,
    /// The group: the id up to its first dot (JUnit's classname).
    pub group: &'static str,
    /// One line.
    pub title: &'static str,
    /// Severity.
    pub severity: Severity,
    /// RFC section(s) or vendor document.
    pub reference: &'static str,
    /// Profile fields whose documented source (a quirk's docs/vendors.md tags) is added to the reference.
    pub switches: &'static [&'static str],
    /// Profile quirk ids whose sources are added to the reference.
    pub quirks: &'static [&'static str],
    /// Planning: true when the check belongs in a run of this configuration. Checks that do
    /// not apply are left out of the plan, not skipped.
    pub applies: fn(&Config) -> bool,
    /// The code that runs it.
    pub run: RunFn,
}

/// For SCIM endpoints (not a unified facade).
pub fn scim_api(cfg: &Config) -> bool {
    cfg.profile.kind == ProfileKind::Scim
}

/// For unified (Truto-style) facades only.
pub fn unified_api(cfg: &Config) -> bool {
    cfg.profile.kind == ProfileKind::Unified
}

/// For `--client entra` against a SCIM endpoint.
pub fn entra_client(cfg: &Config) -> bool {
    cfg.client == Some(IdpClient::Entra) && scim_api(cfg)
}

/// For `--client entra --client-option aadOptscim062020` against a SCIM endpoint.
pub fn entra_flagged(cfg: &Config) -> bool {
    entra_client(cfg) && cfg.client_option(AAD_OPT_SCIM_062020)
}

/// For `--client okta` against a SCIM endpoint.
pub fn okta_client(cfg: &Config) -> bool {
    cfg.client == Some(IdpClient::Okta) && scim_api(cfg)
}

/// For every kind of API.
pub fn any_api(_: &Config) -> bool {
    true
}

pub use table::CATALOG;

/// The definition of a check id.
pub fn find(id: &str) -> Option<&'static CheckDef> {
    CATALOG.iter().find(|d| d.id == id)
}

impl CheckDef {
    /// The reference shown for the check: its RFC sections plus the profile's documented sources.
    pub fn reference_for(&self, profile: &Profile) -> String {
        let mut tags: Vec<String> = Vec::new();
        for q in &profile.quirks {
            let by_switch = q.switches.iter().any(|s| {
                self.switches.iter().any(|w| {
                    s == w || s.starts_with(&format!("{w}.")) || w.starts_with(&format!("{s}."))
                })
            });
            if by_switch || self.quirks.contains(&q.id.as_str()) {
                for t in q.source.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                    let t = t.to_string();
                    if !tags.contains(&t) && !self.reference.contains(&t) {
                        tags.push(t);
                    }
                }
            }
        }
        if tags.is_empty() {
            self.reference.to_string()
        } else {
            format!("{}; {} {}", self.reference, profile.title, tags.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_grouped_and_implemented() {
        let mut seen = std::collections::HashSet::new();
        for d in CATALOG {
            assert!(seen.insert(d.id), "duplicate {}", d.id);
            assert!(
                d.id.contains('.') && d.id == d.id.to_ascii_lowercase(),
                "{}",
                d.id
            );
            assert!(!d.reference.is_empty() && !d.title.is_empty());
            assert_eq!(d.group, crate::model::group_of(d.id), "{}", d.id);
        }
        assert!(CATALOG.len() >= 40);
    }

    #[test]
    fn the_readme_catalog_lists_every_check() {
        let readme = include_str!("../../../README.md");
        for d in CATALOG {
            assert!(
                readme.contains(&format!("| `{}` |", d.id)),
                "README.md does not list {}",
                d.id
            );
        }
    }

    #[test]
    fn references_add_the_vendor_sources_of_the_switches() {
        let attio = Profile::builtin("attio").unwrap();
        let cap = find("list.pagination.cap").unwrap();
        assert_eq!(cap.reference_for(&attio), "RFC 7644 §3.4.2.4; Attio S-002");
        let truto = Profile::builtin("truto").unwrap();
        assert!(
            find("unified.key-by")
                .unwrap()
                .reference_for(&truto)
                .starts_with("Truto S-000")
        );
    }

    #[test]
    fn the_plan_keeps_unified_checks_for_unified_apis_and_scim_checks_for_scim_endpoints() {
        let kinds = |name: &str| {
            let cfg = Config::new("http://127.0.0.1:9", Profile::builtin(name).unwrap());
            CATALOG
                .iter()
                .filter(|d| (d.applies)(&cfg))
                .map(|d| d.id)
                .collect::<Vec<_>>()
        };
        let scim = kinds("generic");
        assert!(scim.contains(&"errors.scim-type") && scim.contains(&"writes.create"));
        assert!(!scim.iter().any(|i| i.starts_with("unified.")));
        let unified = kinds("truto");
        assert!(unified.iter().all(|i| {
            i.starts_with("unified.")
                || ["errors.format", "errors.status", "errors.content-type"].contains(i)
                || i.starts_with("auth.")
                || i.starts_with("media.")
                || i.starts_with("rate-limit.")
        }));
        assert!(!unified.contains(&"errors.scim-type"));
    }
}
