//! The context every check reads: the HTTP client, the run configuration (which holds the
//! profile, once), what planning learned (a first page, sampled users, the service provider
//! configuration), and the users the run created, tracked for cleanup. Its predicates turn a
//! missing precondition into a typed [`Skip`], so a check states them with `?`.

use crate::client::Client;
use crate::config::Config;
use crate::lenient::member;
use crate::outcome::{Skip, SkipReason};
use scimock_profile::{GroupSpec, Pagination, Profile, ProfileKind};
use serde_json::Value;
use std::sync::Mutex;

/// Every userName (and group displayName) the runner creates starts with this; cleanup removes
/// nobody else.
pub const TEST_USER_PREFIX: &str = "scimock-check-";

/// The profile that stands for the RFCs rather than for a vendor: against it, what the target
/// advertises (ServiceProviderConfig, /ResourceTypes, /Schemas) decides what is required.
pub const RFC_PROFILE: &str = "generic";

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
    /// The `Resources` of /ResourceTypes, when the profile documents it and it answered a list.
    pub resource_types: Option<Vec<Value>>,
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

/// True when a create was answered with a definite refusal — a 4xx, or 501 Not Implemented —
/// so nothing was created. A 5xx otherwise leaves it open (the run then looks the name up).
pub fn refused(ex: &crate::client::Exchange) -> bool {
    ex.status
        .is_some_and(|s| (400..500).contains(&s) || s == 501)
}

/// A group created by `groups.create`.
#[derive(Debug, Clone)]
pub struct CreatedGroup {
    /// Its id.
    pub id: String,
    /// Its displayName (prefixed [`TEST_USER_PREFIX`]).
    pub display_name: String,
    /// The id of the user it was created with as its member.
    pub member: String,
}

/// What kind of resource the run created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A SCIM User (`/Users`).
    User,
    /// A SCIM Group (`/Groups`).
    Group,
    /// A user of a unified facade (`/{id}?integrated_account_id=`).
    Unified,
}

/// A resource the run may have created, for cleanup: its userName (or displayName) and ids.
#[derive(Debug, Clone)]
pub(crate) struct Tracked {
    pub(crate) kind: Kind,
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
    /// The group `groups.create` made.
    pub created_group: Mutex<Option<CreatedGroup>>,
    /// The user `unified.create` made through the facade.
    pub created_unified: Mutex<Option<Created>>,
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
            created_group: Mutex::new(None),
            created_unified: Mutex::new(None),
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

    /// True when the profile stands for RFC 7643/7644 rather than a vendor ([`RFC_PROFILE`]):
    /// then RFC requirements plus what the target advertises are expected, not what scimock's
    /// own generic mock happens to do (DESIGN §5).
    pub fn rfc_baseline(&self) -> bool {
        self.profile().name == RFC_PROFILE
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

    /// A numeric claim of the service provider configuration (`filter.maxResults`).
    pub fn spc_number(&self, path: &str) -> Option<u64> {
        let mut v = self.plan.spc.as_ref()?;
        for part in path.split('.') {
            v = member(v, part)?;
        }
        match v {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// Skips when the service provider configuration says `filter.supported` is false: such
    /// a target may answer a filter any way it likes, so filters judge nothing.
    pub fn filters(&self) -> Result<(), Skip> {
        if self.spc_claim("filter.supported") == Some(false) {
            return Err(SkipReason::SpcDenies {
                path: "filter.supported".into(),
            }
            .into());
        }
        Ok(())
    }

    /// The Group resource type as the target offers it: the profile's groups (for a vendor),
    /// or, for the RFC profile, whatever /ResourceTypes advertises (a target whose
    /// /ResourceTypes could not be read is tried with the generic expectations).
    pub fn groups(&self) -> Result<GroupSpec, Skip> {
        let spec = self.profile().groups.clone();
        if self.rfc_baseline() {
            if let Some(types) = &self.plan.resource_types {
                let advertised = types.iter().any(|t| {
                    crate::lenient::str_attr(t, "endpoint").is_some_and(|e| {
                        let e = e.to_ascii_lowercase();
                        e == "/groups" || e.ends_with("/groups")
                    })
                });
                if !advertised {
                    return Err(Skip::unobservable(
                        "the target's /ResourceTypes advertises no Group resource type",
                    ));
                }
            }
        }
        spec.ok_or_else(|| self.not_documented("Groups"))
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

    /// Skips unless index pagination is documented with `startIndex` honoured (AWS ignores it,
    /// `list.ignore_start_index`, and pages by cursor).
    pub fn start_index_paging(&self) -> Result<(), Skip> {
        self.index_paging()?;
        self.feature(
            !self.profile().list.ignore_start_index,
            "startIndex paging",
            None,
        )
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

    /// Skips unless `attr eq` is an accepted filter (and the configuration does not deny
    /// filtering).
    pub fn need_filter(&self, attr: &str) -> Result<(), Skip> {
        self.filters()?;
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
        self.track_kind(Kind::User, user_name);
    }

    /// Records a resource of `kind` the run is about to create, by its userName (or
    /// displayName for a group).
    pub fn track_kind(&self, kind: Kind, name: &str) {
        if let Ok(mut t) = self.tracked.lock() {
            if !t.iter().any(|x| x.user_name == name && x.kind == kind) {
                t.push(Tracked {
                    kind,
                    user_name: name.to_string(),
                    ids: Vec::new(),
                    removed: false,
                });
            }
        }
    }

    /// Forgets a tracked name the target refused to create (see [`refused`]) while no id was
    /// recorded for it: there is nothing to clean up.
    pub fn forget(&self, name: &str) {
        if let Ok(mut t) = self.tracked.lock() {
            t.retain(|x| x.user_name != name || !x.ids.is_empty());
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
