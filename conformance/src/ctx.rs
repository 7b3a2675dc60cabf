//! The context every check reads: the HTTP client, the run configuration (which holds the
//! profile, once), what planning learned (a first page, sampled users, the service provider
//! configuration), and the users the run created, tracked for cleanup. Its predicates turn a
//! missing precondition into a typed [`Skip`], so a check states them with `?`.

use crate::client::Client;
use crate::config::Config;
use crate::lenient::member;
use crate::outcome::{Skip, SkipReason};
use scimock_profile::{Pagination, Profile, ProfileKind};
use serde_json::Value;
use std::sync::Mutex;

/// Every userName the runner creates starts with this; cleanup removes nobody else.
pub const TEST_USER_PREFIX: &str = "scimock-check-";

/// What the run learned before the checks: a first page, a sample of users, discovery.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The first list page (SCIM ListResponse or unified envelope).
    pub first_page: Option<Value>,
    /// Users to work with (at most `sample_size`).
    pub sample: Vec<Value>,
    /// `totalResults` of the first page.
    pub total: Option<u64>,
    /// The service provider configuration, when the profile documents one and it parsed.
    pub spc: Option<Value>,
    /// Unified: the `integrated_account_id` used.
    pub account: Option<String>,
}

/// A user created by the write checks.
#[derive(Debug, Clone)]
pub struct Created {
    /// Its id.
    pub id: String,
    /// Its userName.
    pub user_name: String,
    /// The body it was created with.
    pub body: Value,
}

/// A user the run may have created, for cleanup.
#[derive(Debug, Clone)]
pub(crate) struct Tracked {
    pub(crate) user_name: String,
    pub(crate) ids: Vec<String>,
    pub(crate) removed: bool,
}

/// The state checks share.
#[derive(Debug)]
pub struct Ctx {
    /// The HTTP client.
    pub client: Client,
    /// The run configuration, with the profile the target is expected to follow.
    pub cfg: Config,
    /// Planning results.
    pub plan: Plan,
    /// The user `writes.create` made.
    pub created: Mutex<Option<Created>>,
    tracked: Mutex<Vec<Tracked>>,
}

impl Ctx {
    /// The context of a run that has planned.
    pub fn new(client: Client, cfg: Config, plan: Plan) -> Ctx {
        Ctx {
            client,
            cfg,
            plan,
            created: Mutex::new(None),
            tracked: Mutex::new(Vec::new()),
        }
    }

    /// The profile the target is expected to follow.
    pub fn profile(&self) -> &Profile {
        &self.cfg.profile
    }

    /// The profile's title, as skip reasons name the vendor.
    fn vendor(&self) -> String {
        self.profile().title.clone()
    }

    /// True when the profile is a SCIM endpoint (not a unified facade).
    pub fn is_scim(&self) -> bool {
        self.profile().kind == ProfileKind::Scim
    }

    /// A skip: the profile documents no `what`.
    pub fn not_documented(&self, what: impl Into<String>) -> Skip {
        SkipReason::NotDocumented {
            vendor: self.vendor(),
            what: what.into(),
        }
        .into()
    }

    /// Skips unless the tenant has users to work with.
    pub fn need_users(&self) -> Result<(), Skip> {
        if self.plan.sample.is_empty() {
            Err(SkipReason::NoUsers.into())
        } else {
            Ok(())
        }
    }

    /// Skips unless the run has credentials (to withhold or falsify).
    pub fn need_credentials(&self) -> Result<(), Skip> {
        if self.cfg.credentials.is_empty() {
            Err(SkipReason::NoCredentials.into())
        } else {
            Ok(())
        }
    }

    /// Skips unless writes are allowed and the tenant has room for one more user.
    pub fn writes(&self) -> Result<(), Skip> {
        if !self.cfg.allow_writes {
            return Err(SkipReason::ReadOnly.into());
        }
        let cap = self.profile().writes.max_users.as_ref().map(|l| l.max);
        if let (Some(max), Some(total)) = (cap, self.plan.total) {
            if total >= max {
                return Err(SkipReason::UserLimit {
                    vendor: self.vendor(),
                    total,
                    max,
                }
                .into());
            }
        }
        Ok(())
    }

    /// A boolean claim of the service provider configuration (`sort.supported`).
    pub fn spc_claim(&self, feature: &str) -> Option<bool> {
        let spc = self.plan.spc.as_ref()?;
        let mut v = spc;
        for part in feature.split('.') {
            v = member(v, part)?;
        }
        v.as_bool()
    }

    /// Skips unless the profile documents `offered` and the configuration (its `spc_path`
    /// claim, when it has one) does not deny it.
    pub fn feature(&self, offered: bool, what: &str, spc_path: Option<&str>) -> Result<(), Skip> {
        if !offered {
            return Err(self.not_documented(what));
        }
        if let Some(spc_path) = spc_path.filter(|p| self.spc_claim(p) == Some(false)) {
            return Err(SkipReason::SpcDenies {
                path: spc_path.to_string(),
            }
            .into());
        }
        Ok(())
    }

    /// Skips unless index pagination (startIndex/count) is documented.
    pub fn index_paging(&self) -> Result<(), Skip> {
        match self.profile().list.pagination {
            Pagination::Index => Ok(()),
            Pagination::None => Err(SkipReason::NoPaging {
                vendor: self.vendor(),
            }
            .into()),
        }
    }

    /// True when `attr eq` is an accepted filter.
    pub fn filterable(&self, attr: &str) -> bool {
        let r = &self.profile().filter.users;
        r.any
            || r.allow.iter().any(|a| {
                a.attr.eq_ignore_ascii_case(attr)
                    && a.ops.iter().any(|o| o.eq_ignore_ascii_case("eq"))
            })
    }

    /// Skips unless `attr eq` is an accepted filter.
    pub fn need_filter(&self, attr: &str) -> Result<(), Skip> {
        if self.filterable(attr) {
            Ok(())
        } else {
            Err(SkipReason::NotFilterable {
                vendor: self.vendor(),
                attr: attr.to_string(),
            }
            .into())
        }
    }

    /// Records a userName the run is about to create (before the request, so a lost answer
    /// is still cleaned up).
    pub fn track(&self, user_name: &str) {
        if let Ok(mut t) = self.tracked.lock() {
            if !t.iter().any(|x| x.user_name == user_name) {
                t.push(Tracked {
                    user_name: user_name.to_string(),
                    ids: Vec::new(),
                    removed: false,
                });
            }
        }
    }

    /// Records the id a create answered with.
    pub fn track_id(&self, user_name: &str, id: &str) {
        if id.is_empty() {
            return;
        }
        if let Ok(mut t) = self.tracked.lock() {
            if let Some(x) = t.iter_mut().find(|x| x.user_name == user_name) {
                if !x.ids.iter().any(|i| i == id) {
                    x.ids.push(id.to_string());
                }
                x.removed = false;
            }
        }
    }

    /// Marks a tracked user as removed (its DELETE was verified).
    pub fn untrack(&self, user_name: &str) {
        if let Ok(mut t) = self.tracked.lock() {
            if let Some(x) = t.iter_mut().find(|x| x.user_name == user_name) {
                x.removed = true;
            }
        }
    }

    /// The users the run may have created, for cleanup.
    pub(crate) fn tracked(&self) -> Vec<Tracked> {
        self.tracked.lock().map(|t| t.clone()).unwrap_or_default()
    }
}
