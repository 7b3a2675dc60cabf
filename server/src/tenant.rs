//! A tenant: one profile mounted at one path, with its own store. Holds the write rules
//! (validation, vendor requirements, uniqueness, If-Match) shared by HTTP handlers and the
//! unified facade.

use crate::error::{ScimError, ScimResult};
use crate::faults::{Break, Faults};
use crate::generate::Generator;
use crate::journal::Journal;
use crate::patch::{self, PatchOp};
use crate::schema::{ResourceSchemas, WriteOptions};
use crate::store::{Insert, Kind, Store, StoreError, Stored};
use crate::vendor::{self, VendorBehaviour};
use axum::http::StatusCode;
use scimock_profile::{DeleteMode, Profile, UnverifiedDomain};
use serde_json::{Map, Value, json};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Process-wide settings and state shared by every tenant.
#[derive(Debug)]
pub struct Shared {
    /// The accepted bearer token.
    pub token: String,
    /// Token for `/_scimock/` (when set, required there).
    pub admin_token: Option<String>,
    /// Added latency for every SCIM request.
    pub latency_ms: u64,
    /// Probability of an injected 500 per SCIM request.
    pub fail_rate: f64,
    /// Enforce each vendor's documented rate limits.
    pub rate_limits: bool,
    /// Largest accepted request body.
    pub body_limit: usize,
    /// The request journal.
    pub journal: Journal,
    /// Injected faults and break switches.
    pub faults: Faults,
    rng: Mutex<u64>,
}

impl Shared {
    /// Shared state from settings.
    pub fn new(
        token: String,
        admin_token: Option<String>,
        latency_ms: u64,
        fail_rate: f64,
        rate_limits: bool,
        seed: u64,
    ) -> Shared {
        Shared {
            token,
            admin_token,
            latency_ms,
            fail_rate,
            rate_limits,
            body_limit: 1024 * 1024,
            journal: Journal::new(10_000),
            faults: Faults::default(),
            rng: Mutex::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1),
        }
    }

    /// A uniform number in [0, 1) from a seeded xorshift (reproducible `--fail-rate`).
    pub fn random(&self) -> f64 {
        let mut g = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        let mut x = *g;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *g = x;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Per-second counters for a vendor's documented limits: (second, reads, writes) under one
/// lock, so the reset at a second's start and the counting cannot interleave.
#[derive(Debug, Default)]
pub struct RateLimiter {
    window: Mutex<(u64, u64, u64)>,
}

impl RateLimiter {
    /// Counts one request in the current second; false when over `limit`.
    pub fn admit(&self, write: bool, limit: u32, now_secs: u64) -> bool {
        let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
        if w.0 != now_secs {
            *w = (now_secs, 0, 0);
        }
        let c = if write { &mut w.2 } else { &mut w.1 };
        *c += 1;
        *c <= u64::from(limit)
    }
}

/// One mounted profile.
#[derive(Debug)]
pub struct Tenant {
    /// The profile (with overrides applied).
    pub profile: Arc<Profile>,
    /// Path prefix the routes are mounted at, ids filled in (`/attio/scim/v2` with `--vendor all`).
    pub public_path: String,
    /// Absolute base URL (`http://127.0.0.1:8080` + `public_path`).
    pub base_url: String,
    /// The resources.
    pub store: RwLock<Store>,
    /// User schemas (core + this vendor's extensions).
    pub users_schema: ResourceSchemas,
    /// Group schemas.
    pub groups_schema: ResourceSchemas,
    /// Vendor code beyond the profile's data.
    pub behaviour: Box<dyn VendorBehaviour>,
    /// What `POST /_scimock/reset` restores: the fixtures, `{"users": [...], "groups": [...]}`.
    pub seed_data: Value,
    /// `--users N --seed S`: N users generated after the fixture users on every reset
    /// (regenerated each time rather than kept).
    pub generated: Option<(usize, u64)>,
    /// Process-wide state.
    pub shared: Arc<Shared>,
    /// Documented rate limits.
    pub limiter: RateLimiter,
    /// For unified facades: integrated account id -> backing tenant.
    pub backends: Vec<(String, Arc<Tenant>)>,
    /// Key mixed into cursors so clients cannot forge them.
    pub cursor_secret: u64,
    /// `Idempotency-Key`s seen by a unified facade.
    pub idempotency: crate::idempotency::Idempotency,
}

/// Most operations one PATCH may carry (more is 400 `tooMany`).
pub const MAX_PATCH_OPERATIONS: usize = 1_000;

/// The answer to a successful write.
#[derive(Debug)]
pub struct Written {
    /// The resource after the write (for Suspend deletes too).
    pub stored: Arc<Stored>,
    /// 200 or 201 normally; 204 where the vendor answers without a body.
    pub status: StatusCode,
}

fn store_error(profile: &Profile, kind: Kind, e: StoreError) -> ScimError {
    match e {
        StoreError::NotFound => ScimError::not_found(format!("{} not found", kind.resource_type())),
        StoreError::Duplicate(v) => {
            ScimError::from_refusal(&profile.writes.duplicate_refusal, &v, "")
        }
        StoreError::UnknownMember(m) => ScimError::invalid_value(format!(
            "Group member {m:?} is not an existing User or Group"
        )),
        StoreError::TooLarge => ScimError::invalid_value(format!(
            "The {} is too large to store",
            kind.resource_type()
        )),
    }
}

/// RFC 9110 §13.1.1/§13.1.2 comparison of a stored ETag with an `If-Match` / `If-None-Match`
/// header: `*` matches anything; otherwise any listed tag matches by weak comparison (the `W/`
/// prefix is ignored), which is what scimock's weak ETags call for.
pub fn etag_matches(have: &str, header: &str) -> bool {
    let header = header.trim();
    if header == "*" {
        return true;
    }
    let opaque = |s: &str| {
        s.trim()
            .trim_start_matches("W/")
            .trim_matches('"')
            .to_string()
    };
    let have = opaque(have);
    header.split(',').any(|w| opaque(w) == have)
}

/// Checks `If-Match` against the stored version (RFC 7644 §3.14): 412 when it does not match.
pub fn check_if_match(stored: &Stored, if_match: Option<&str>) -> ScimResult<()> {
    match if_match {
        Some(want) if !etag_matches(&stored.etag(), want) => Err(ScimError::precondition_failed()),
        _ => Ok(()),
    }
}

/// The value at a dotted path: `name.givenName`, or `urn:...:1.0.sub` for an extension
/// sub-attribute (the sub-attribute follows the last dot).
fn dotted<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    dotted_in(v.as_object()?, path)
}

/// [`dotted`] starting from an object's members.
fn dotted_in<'a>(o: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    if path.starts_with("urn:") {
        return match path.rsplit_once('.') {
            Some((urn, sub)) if !sub.contains(':') => o.get(urn)?.get(sub),
            _ => o.get(path),
        };
    }
    let mut parts = path.split('.');
    let first = o.get(parts.next()?)?;
    parts.try_fold(first, |cur, part| cur.get(part))
}

/// [`dotted`] read in place from a stored resource.
fn dotted_stored(s: &Stored, path: &str) -> Option<Value> {
    let root = s.view();
    let found = if path.starts_with("urn:") {
        match path.rsplit_once('.') {
            Some((urn, sub)) if !sub.contains(':') => root.get(urn).and_then(|u| u.get(sub)),
            _ => root.get(path),
        }
    } else {
        let mut parts = path.split('.');
        let first = root.get(parts.next()?)?;
        parts.try_fold(first, |cur, part| cur.get(part))
    };
    found.map(|v| v.to_value())
}

fn is_blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.trim().is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        _ => false,
    }
}

/// Fills a generated attribute: `hex24` (Atlassian account ids) or `uuid`.
fn generate(kind: &str) -> Value {
    let u = uuid::Uuid::new_v4().simple().to_string();
    match kind {
        "hex24" => Value::String(u[..24].to_string()),
        _ => Value::String(uuid::Uuid::new_v4().to_string()),
    }
}

/// Sets `path` (`attr` or `urn:...:1.0.sub`) in `obj`.
fn set_generated(obj: &mut Map<String, Value>, path: &str, value: Value) {
    if path.starts_with("urn:") {
        if let Some((urn, sub)) = path.rsplit_once('.') {
            let ext = obj.entry(urn.to_string()).or_insert_with(|| json!({}));
            if let Some(e) = ext.as_object_mut() {
                e.insert(sub.to_string(), value);
            }
            return;
        }
    }
    obj.insert(path.to_string(), value);
}

impl Tenant {
    /// Read access to the store.
    pub fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Write access to the store.
    pub fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The schemas of `kind`.
    pub fn schemas(&self, kind: Kind) -> &ResourceSchemas {
        match kind {
            Kind::User => &self.users_schema,
            Kind::Group => &self.groups_schema,
        }
    }

    fn write_options(&self) -> WriteOptions {
        WriteOptions {
            unknown: self.profile.writes.unknown_attributes,
            string_booleans: self.profile.patch.string_booleans,
        }
    }

    /// Moves top-level mirrors (Atlassian `department`) into their extension before validation.
    fn mirror_in(&self, body: &mut Value) {
        let Some(obj) = body.as_object_mut() else {
            return;
        };
        for m in &self.profile.shape.mirrors {
            let key = obj.keys().find(|k| k.eq_ignore_ascii_case(&m.top)).cloned();
            if let Some(v) = key.and_then(|k| obj.shift_remove(&k)) {
                let ext = obj.entry(m.urn.clone()).or_insert_with(|| json!({}));
                if let Some(e) = ext.as_object_mut() {
                    e.entry(m.sub.clone()).or_insert(v);
                }
            }
        }
    }

    /// Applies the profile's email rules (D:A10, D:E2, D:R5).
    fn check_emails(&self, attrs: &mut Value) -> ScimResult<()> {
        let rules = &self.profile.writes.emails;
        if rules.from_user_name {
            if let Some(u) = attrs
                .get("userName")
                .and_then(Value::as_str)
                .map(str::to_string)
            {
                if let Some(o) = attrs.as_object_mut() {
                    o.insert(
                        "emails".into(),
                        json!([{"value": u, "type": "work", "primary": true}]),
                    );
                }
            }
            return Ok(());
        }
        let Some(emails) = attrs.get_mut("emails").and_then(Value::as_array_mut) else {
            return Ok(());
        };
        if rules.exactly_one && emails.len() != 1 {
            return Err(ScimError::invalid_value(format!(
                "Exactly one email is required, got {}",
                emails.len()
            )));
        }
        for e in emails.iter_mut() {
            if let Some(t) = &rules.only_type {
                match e.get("type").and_then(Value::as_str) {
                    None => {
                        if let Some(o) = e.as_object_mut() {
                            o.insert("type".into(), Value::String(t.clone()));
                        }
                    }
                    Some(got) if !got.eq_ignore_ascii_case(t) => {
                        return Err(ScimError::invalid_value(format!(
                            "Email type {got:?} is not supported; only {t:?}"
                        )));
                    }
                    Some(_) => {}
                }
            }
            if rules.primary_required && e.get("primary") != Some(&Value::Bool(true)) {
                return Err(ScimError::invalid_value(
                    "The email must have primary: true",
                ));
            }
        }
        Ok(())
    }

    /// Runs every write rule over a normalized user body. `existing` is the stored user for
    /// replace and patch. Returns the attributes to store and whether it is a pending invite.
    fn finish_user_write(
        &self,
        mut attrs: Value,
        existing: Option<&Stored>,
    ) -> ScimResult<(Value, bool)> {
        let p = &self.profile;
        self.check_emails(&mut attrs)?;
        if let Some(obj) = attrs.as_object_mut() {
            if !obj.contains_key("active") && existing.is_none() {
                obj.insert("active".into(), Value::Bool(p.writes.active_default));
            }
        }
        if let Err(attr) = self.users_schema.check_required(&attrs) {
            return Err(ScimError::from_refusal(
                &p.writes.required_refusal,
                &attr,
                "",
            ));
        }
        for r in &p.writes.required {
            if is_blank(dotted(&attrs, r)) {
                return Err(ScimError::from_refusal(&p.writes.required_refusal, r, ""));
            }
        }
        let user_name = attrs
            .get("userName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if p.writes.user_name_is_email && !user_name.contains('@') {
            return Err(ScimError::invalid_value(format!(
                "userName {user_name:?} must be an email address"
            )));
        }
        if existing.is_none() && p.writes.unverified_domain == UnverifiedDomain::Reject {
            let email = attrs
                .get("emails")
                .and_then(Value::as_array)
                .and_then(|es| {
                    es.iter()
                        .find(|e| e.get("primary") == Some(&Value::Bool(true)))
                        .or_else(|| es.first())
                })
                .and_then(|e| e.get("value"))
                .and_then(Value::as_str)
                .unwrap_or(&user_name)
                .to_string();
            if !vendor::domain_verified(p, &email) {
                let domain = email.rsplit_once('@').map_or(email.as_str(), |(_, d)| d);
                if let Some(r) = &p.writes.unverified_refusal {
                    return Err(ScimError::from_refusal(r, domain, ""));
                }
            }
        }
        if let Some(obj) = attrs.as_object_mut() {
            for (path, generator) in &p.writes.generated {
                let kept = existing.and_then(|s| dotted_stored(s, path));
                set_generated(obj, path, kept.unwrap_or_else(|| generate(generator)));
            }
        }
        self.normalize_role(&mut attrs);
        let invite = self.behaviour.prepare_user_write(p, &mut attrs, existing);
        Ok((attrs, invite))
    }

    /// Stores a recognised value of the profile's role attribute in its canonical spelling and
    /// an unrecognised one as the fallback (Attio: anything but admin is member, D:A6).
    fn normalize_role(&self, attrs: &mut Value) {
        let Some(role) = &self.profile.writes.role else {
            return;
        };
        let Some(allowed) = self
            .profile
            .shape
            .vendor_attributes
            .get(&role.attr)
            .filter(|a| !a.is_empty())
        else {
            return;
        };
        if let Some(v) = attrs.get_mut(&role.attr) {
            if let Some(s) = v.as_str() {
                let canonical = allowed
                    .iter()
                    .find(|a| a.eq_ignore_ascii_case(s))
                    .unwrap_or(&role.fallback);
                *v = Value::String(canonical.clone());
            }
        }
    }

    /// Refuses a write that would leave no active holder of the profile's `keep_one` role
    /// (Attio: the last admin, D:A6). `after` is the user's new attributes and invite flag,
    /// `None` when the user is deleted.
    fn keep_last_holder(
        &self,
        store: &Store,
        old: &Stored,
        after: Option<(&Value, bool)>,
    ) -> ScimResult<()> {
        let Some(role) = &self.profile.writes.role else {
            return Ok(());
        };
        let Some(keep) = role.keep_one.as_deref() else {
            return Ok(());
        };
        let holds = |s: &Stored| {
            !s.invite
                && s.view().get("active").and_then(|a| a.boolean()) != Some(false)
                && s.str_attr(&role.attr)
                    .is_some_and(|r| r.eq_ignore_ascii_case(keep))
        };
        if !holds(old) {
            return Ok(());
        }
        let keeps = after.is_some_and(|(v, invite)| {
            !invite
                && v.get("active") != Some(&Value::Bool(false))
                && v.get(&role.attr)
                    .and_then(Value::as_str)
                    .is_some_and(|r| r.eq_ignore_ascii_case(keep))
        });
        if keeps || store.users.iter().any(|s| s.id != old.id && holds(s)) {
            return Ok(());
        }
        Err(ScimError::from_refusal(
            &role.last_holder_refusal,
            &role.attr,
            "",
        ))
    }

    /// POST /Users.
    pub fn create_user(&self, mut body: Value) -> ScimResult<Written> {
        self.mirror_in(&mut body);
        let attrs = self
            .users_schema
            .normalize_write(body, &self.write_options())?;
        let (attrs, invite) = self.finish_user_write(attrs, None)?;
        let mut store = self.write();
        if let Some(limit) = &self.profile.writes.max_users {
            // A duplicate userName is refused as a duplicate (409) even in a full directory.
            let user_name = attrs.get("userName").and_then(Value::as_str).unwrap_or("");
            if store.users.len() as u64 >= limit.max && !store.has_user(user_name, None) {
                return Err(ScimError::from_refusal(
                    &limit.refusal,
                    &limit.max.to_string(),
                    "",
                ));
            }
        }
        store.allow_duplicate_user_names =
            self.shared.faults.is_broken(Break::CreateAllowDuplicates);
        let stored = store
            .create_user(
                attrs,
                Insert {
                    invite,
                    ..Insert::default()
                },
            )
            .map_err(|e| store_error(&self.profile, Kind::User, e))?;
        let status = self
            .behaviour
            .user_write_status(None, &stored)
            .unwrap_or(StatusCode::CREATED);
        Ok(Written { stored, status })
    }

    /// The stored resource, or 404.
    pub fn get(&self, kind: Kind, id: &str) -> ScimResult<Arc<Stored>> {
        self.read()
            .collection(kind)
            .get(id)
            .cloned()
            .ok_or_else(|| ScimError::not_found(format!("{} {id} not found", kind.resource_type())))
    }

    fn check_etag(&self, stored: &Stored, if_match: Option<&str>) -> ScimResult<()> {
        if !self.profile.etag.supported || self.shared.faults.is_broken(Break::EtagIgnoreIfMatch) {
            return Ok(());
        }
        check_if_match(stored, if_match)
    }

    fn replace_user_locked(
        &self,
        store: &mut Store,
        old: &Arc<Stored>,
        attrs: Value,
    ) -> ScimResult<Written> {
        if self.users_schema.has_immutable() {
            self.users_schema.check_immutable(&old.to_value(), &attrs)?;
        }
        let (attrs, invite) = self.finish_user_write(attrs, Some(old))?;
        self.keep_last_holder(store, old, Some((&attrs, invite)))?;
        let stored = store
            .replace_user(&old.id, attrs, invite)
            .map_err(|e| store_error(&self.profile, Kind::User, e))?;
        let status = self
            .behaviour
            .user_write_status(Some(old), &stored)
            .unwrap_or(StatusCode::OK);
        Ok(Written { stored, status })
    }

    /// PUT /Users/{id} or /Groups/{id}: replace with mutability rules (RFC 7644 §3.5.1).
    pub fn replace(
        &self,
        kind: Kind,
        id: &str,
        mut body: Value,
        if_match: Option<&str>,
    ) -> ScimResult<Written> {
        if kind == Kind::User {
            self.mirror_in(&mut body);
        }
        let attrs = self
            .schemas(kind)
            .normalize_write(body, &self.write_options())?;
        let mut store = self.write();
        let old = store.collection(kind).get(id).cloned().ok_or_else(|| {
            ScimError::not_found(format!("{} {id} not found", kind.resource_type()))
        })?;
        self.check_etag(&old, if_match)?;
        if self.shared.faults.is_broken(Break::ReplaceIgnored) {
            return Ok(Written {
                stored: old,
                status: StatusCode::OK,
            });
        }
        match kind {
            Kind::User => self.replace_user_locked(&mut store, &old, attrs),
            Kind::Group => self.replace_group_locked(&mut store, &old, attrs),
        }
    }

    /// Rewrites PATCH paths that name a top-level mirror (Atlassian `department`) to the extension.
    fn mirror_ops(&self, ops: &mut [PatchOp]) {
        for op in ops.iter_mut() {
            let Some(path) = op.path.as_mut() else {
                continue;
            };
            if path.attr.urn.is_some() {
                continue;
            }
            if let Some(m) = self
                .profile
                .shape
                .mirrors
                .iter()
                .find(|m| m.top.eq_ignore_ascii_case(&path.attr.name))
            {
                path.attr.urn = Some(m.urn.clone());
                path.attr.name = m.sub.clone();
            }
        }
    }

    /// The client-writable view of a stored resource (no id, meta, groups).
    fn writable_view(stored: &Stored) -> Value {
        let mut v = stored.to_value();
        if let Some(o) = v.as_object_mut() {
            o.shift_remove("id");
            o.shift_remove("meta");
        }
        v
    }

    /// PATCH /Users/{id} or /Groups/{id}: every operation applies, or none does.
    pub fn patch(
        &self,
        kind: Kind,
        id: &str,
        body: &Value,
        if_match: Option<&str>,
    ) -> ScimResult<Written> {
        let ops = patch::parse_patch_body(body, &self.profile.patch)?;
        self.patch_ops(kind, id, ops, if_match)
    }

    /// Applies parsed PATCH operations (also used by the unified facade).
    pub fn patch_ops(
        &self,
        kind: Kind,
        id: &str,
        mut ops: Vec<PatchOp>,
        if_match: Option<&str>,
    ) -> ScimResult<Written> {
        if kind == Kind::User {
            self.mirror_ops(&mut ops);
        }
        if kind == Kind::Group {
            let renames = self
                .profile
                .groups
                .as_ref()
                .is_some_and(|g| !g.rename_by_patch);
            let touches_name = ops.iter().any(|op| match &op.path {
                Some(p) => p.attr.name.eq_ignore_ascii_case("displayName"),
                None => op
                    .value
                    .as_ref()
                    .and_then(Value::as_object)
                    .is_some_and(|o| o.keys().any(|k| k.eq_ignore_ascii_case("displayName"))),
            });
            if renames && touches_name {
                return Err(ScimError::mutability(
                    "Group displayName cannot be changed with PATCH",
                ));
            }
        }
        if ops.len() > MAX_PATCH_OPERATIONS {
            return Err(ScimError::bad_request(
                crate::error::ScimType::TooMany,
                format!("A PATCH request carries at most {MAX_PATCH_OPERATIONS} operations"),
            ));
        }
        // The operations are applied to a copy without holding the lock (a large PATCH must not
        // stall every other request), then committed only if nobody wrote the resource meanwhile;
        // otherwise they are applied again to the newer version.
        let mut attempts = 0;
        let mut written = loop {
            attempts += 1;
            let old = self.get(kind, id)?;
            self.check_etag(&old, if_match)?;
            if self.shared.faults.is_broken(Break::PatchIgnored) {
                return Ok(Written {
                    stored: old,
                    status: StatusCode::OK,
                });
            }
            let mut work = Self::writable_view(&old);
            patch::apply_patch(&mut work, &ops, self.schemas(kind), &self.profile.patch)?;
            let attrs = self
                .schemas(kind)
                .normalize_write(work, &self.write_options())?;
            let mut store = self.write();
            match store.collection(kind).get(id).map(|s| s.version) {
                None => {
                    return Err(ScimError::not_found(format!(
                        "{} {id} not found",
                        kind.resource_type()
                    )));
                }
                Some(v) if v != old.version && attempts < 64 => continue,
                Some(v) if v != old.version => {
                    return Err(ScimError::new(
                        StatusCode::CONFLICT,
                        "The resource kept changing while this PATCH was applied; retry",
                    ));
                }
                Some(_) => {}
            }
            break match kind {
                Kind::User => self.replace_user_locked(&mut store, &old, attrs)?,
                Kind::Group => self.replace_group_locked(&mut store, &old, attrs)?,
            };
        };
        if written.status == StatusCode::OK
            && self.profile.patch.response == scimock_profile::PatchResponse::NoContent
        {
            written.status = StatusCode::NO_CONTENT;
        }
        Ok(written)
    }

    /// DELETE /Users/{id}: delete, deactivate-then-404 or suspend, per the profile.
    pub fn delete_user(&self, id: &str, if_match: Option<&str>) -> ScimResult<()> {
        let mut store = self.write();
        let old = store
            .users
            .get(id)
            .cloned()
            .ok_or_else(|| ScimError::not_found(format!("User {id} not found")))?;
        self.check_etag(&old, if_match)?;
        if self.shared.faults.is_broken(Break::DeleteIgnored) {
            return Ok(());
        }
        self.keep_last_holder(&store, &old, None)?;
        match self.profile.writes.delete_mode {
            DeleteMode::Delete | DeleteMode::DeactivateThen404 => {
                store
                    .delete_user(id)
                    .map_err(|e| store_error(&self.profile, Kind::User, e))?;
            }
            DeleteMode::Suspend => {
                let mut v = Self::writable_view(&old);
                if let Some(o) = v.as_object_mut() {
                    o.insert("active".into(), Value::Bool(false));
                }
                store
                    .replace_user(id, v, old.invite)
                    .map_err(|e| store_error(&self.profile, Kind::User, e))?;
            }
        }
        Ok(())
    }

    fn group_attrs(&self, body: Value) -> ScimResult<Value> {
        let attrs = self
            .groups_schema
            .normalize_write(body, &self.write_options())?;
        if let Err(attr) = self.groups_schema.check_required(&attrs) {
            return Err(ScimError::from_refusal(
                &self.profile.writes.required_refusal,
                &attr,
                "",
            ));
        }
        Ok(attrs)
    }

    /// POST /Groups.
    pub fn create_group(&self, body: Value) -> ScimResult<Written> {
        let attrs = self.group_attrs(body)?;
        let stored = self
            .write()
            .create_group(attrs, Insert::default())
            .map_err(|e| store_error(&self.profile, Kind::Group, e))?;
        Ok(Written {
            stored,
            status: StatusCode::CREATED,
        })
    }

    fn replace_group_locked(
        &self,
        store: &mut Store,
        old: &Arc<Stored>,
        attrs: Value,
    ) -> ScimResult<Written> {
        if self.groups_schema.has_immutable() {
            self.groups_schema
                .check_immutable(&old.to_value(), &attrs)?;
        }
        if let Err(attr) = self.groups_schema.check_required(&attrs) {
            return Err(ScimError::from_refusal(
                &self.profile.writes.required_refusal,
                &attr,
                "",
            ));
        }
        let stored = store
            .replace_group(&old.id, attrs)
            .map_err(|e| store_error(&self.profile, Kind::Group, e))?;
        Ok(Written {
            stored,
            status: StatusCode::OK,
        })
    }

    /// DELETE /Groups/{id}.
    pub fn delete_group(&self, id: &str, if_match: Option<&str>) -> ScimResult<()> {
        let mut store = self.write();
        let old = store
            .groups
            .get(id)
            .cloned()
            .ok_or_else(|| ScimError::not_found(format!("Group {id} not found")))?;
        self.check_etag(&old, if_match)?;
        if self.shared.faults.is_broken(Break::DeleteIgnored) {
            return Ok(());
        }
        store
            .delete_group(id)
            .map_err(|e| store_error(&self.profile, Kind::Group, e))?;
        Ok(())
    }

    /// Replaces the store's content with `data` (`{"users": [...], "groups": [...]}`), keeping
    /// given ids and timestamps. Returns how many users and groups were loaded.
    pub fn load(&self, data: &Value) -> Result<(usize, usize), String> {
        self.load_with(data, None)
    }

    /// [`Tenant::load`], with `n` users generated from `seed` after `data`'s users.
    fn load_with(
        &self,
        data: &Value,
        generated: Option<(usize, u64)>,
    ) -> Result<(usize, usize), String> {
        // Built aside and swapped in whole: readers never see a half-loaded tenant, and a load
        // that fails leaves the previous content in place.
        let mut guard = self.write();
        let mut fresh = guard.emptied();
        let store = &mut fresh;
        let fixtures = data.get("users").unwrap_or(&Value::Null);
        let mut added = self.add_users_locked(store, fixtures)?;
        if let Some((n, seed)) = generated {
            store.reserve_users(n);
            let mut g = Generator::new(&self.profile, n, seed);
            let direct = g.complete();
            while let Some(u) = g.next_user() {
                if direct {
                    store
                        .create_generated_user(&u)
                        .map_err(|e| format!("user #{added}: {e:?}"))?;
                } else {
                    self.add_user(store, added, u.to_value())?;
                }
                added += 1;
            }
        }
        let mut groups = 0;
        for g in data
            .get("groups")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let id = g.get("id").and_then(Value::as_str).map(str::to_string);
            store
                .create_group(
                    g.clone(),
                    Insert {
                        id,
                        ..Insert::default()
                    },
                )
                .map_err(|e| {
                    format!(
                        "group {}: {e:?}",
                        g.get("displayName").unwrap_or(&Value::Null)
                    )
                })?;
            groups += 1;
        }
        let users = store.users.len();
        *guard = fresh;
        Ok((users, groups))
    }

    /// Adds users (fixture or bulk-load bodies: ids and meta timestamps kept, vendor-generated
    /// attributes filled in). Fails on the first invalid one.
    pub fn add_users(&self, users: &Value) -> Result<usize, String> {
        self.add_users_locked(&mut self.write(), users)
    }

    fn add_users_locked(&self, store: &mut Store, users: &Value) -> Result<usize, String> {
        let list = match users {
            Value::Null => return Ok(0),
            Value::Array(a) => a,
            _ => return Err("expected a JSON array of users".into()),
        };
        // Validate the whole batch first, so a bad user refuses the load without adding any.
        let mut names = std::collections::HashSet::new();
        let mut ids = std::collections::HashSet::new();
        for (i, u) in list.iter().enumerate() {
            let name = u
                .get("userName")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("user #{i} has no userName (or is not a JSON object)"))?;
            let id = u.get("id").and_then(Value::as_str);
            if !names.insert(crate::store::fold(name))
                || !id.is_none_or(|i| ids.insert(i))
                || store.has_user(name, id)
            {
                return Err(format!(
                    "user #{i}: userName {name:?} or its id is already taken"
                ));
            }
        }
        for (i, u) in list.iter().enumerate() {
            self.add_user(store, i, u.clone())?;
        }
        Ok(list.len())
    }

    /// Adds user number `i` of a load (the number is for error messages).
    fn add_user(&self, store: &mut Store, i: usize, mut attrs: Value) -> Result<(), String> {
        let id = attrs.get("id").and_then(Value::as_str).map(str::to_string);
        let invite = attrs.get("x-scimock-invite") == Some(&Value::Bool(true));
        if let Some(o) = attrs.as_object_mut() {
            o.shift_remove("x-scimock-invite");
            for (path, generator) in &self.profile.writes.generated {
                if dotted_in(o, path).is_none() {
                    set_generated(o, path, generate(generator));
                }
            }
        } else {
            return Err(format!("user #{i} is not a JSON object"));
        }
        if attrs.get("userName").and_then(Value::as_str).is_none() {
            return Err(format!("user #{i} has no userName"));
        }
        store
            .create_user(
                attrs,
                Insert {
                    id,
                    invite,
                    ..Insert::default()
                },
            )
            .map_err(|e| format!("user #{i}: {e:?}"))?;
        Ok(())
    }

    /// Restores the seed data: the fixtures, then the generated users.
    pub fn reset(&self) -> Result<(usize, usize), String> {
        self.idempotency.clear();
        self.load_with(&self.seed_data, self.generated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dotted_paths_reach_core_and_extension_attributes() {
        let v = json!({"name": {"givenName": "A"}, "urn:scim:schemas:extension:atlassian-external:1.0": {"atlassianAccountId": "x"}});
        assert_eq!(dotted(&v, "name.givenName"), Some(&json!("A")));
        assert_eq!(
            dotted(
                &v,
                "urn:scim:schemas:extension:atlassian-external:1.0.atlassianAccountId"
            ),
            Some(&json!("x"))
        );
        assert_eq!(dotted(&v, "name.familyName"), None);
    }

    #[test]
    fn if_match_accepts_star_and_the_current_weak_or_strong_tag() {
        let mut s = Store::new();
        let u = s
            .create_user(json!({"userName": "a"}), Insert::default())
            .unwrap();
        assert!(check_if_match(&u, Some("*")).is_ok());
        assert!(check_if_match(&u, Some(&u.etag())).is_ok());
        assert!(check_if_match(&u, Some(u.etag().trim_start_matches("W/"))).is_ok());
        assert_eq!(
            check_if_match(&u, Some("W/\"nope\"")).unwrap_err().status,
            StatusCode::PRECONDITION_FAILED
        );
    }

    #[test]
    fn dotted_paths_read_in_place_match_the_json_ones() {
        let v = json!({"userName": "a", "name": {"givenName": "A"}, "urn:scim:schemas:extension:atlassian-external:1.0": {"atlassianAccountId": "x"}});
        let mut s = Store::new();
        let u = s.create_user(v.clone(), Insert::default()).unwrap();
        for path in [
            "name.givenName",
            "name.familyName",
            "urn:scim:schemas:extension:atlassian-external:1.0.atlassianAccountId",
            "urn:scim:schemas:extension:atlassian-external:1.0",
            "nope",
        ] {
            assert_eq!(dotted_stored(&u, path), dotted(&v, path).cloned(), "{path}");
        }
    }

    #[test]
    fn only_schemas_with_immutable_attributes_compare_them() {
        let generic = Profile::builtin("generic").unwrap();
        assert!(!ResourceSchemas::user(&generic).has_immutable());
        assert!(!ResourceSchemas::group(&generic).has_immutable());
    }

    #[test]
    fn rate_limiter_admits_up_to_the_limit_per_second() {
        let r = RateLimiter::default();
        assert!((0..5).all(|_| r.admit(false, 5, 100)));
        assert!(!r.admit(false, 5, 100));
        assert!(r.admit(true, 1, 100));
        assert!(r.admit(false, 5, 101));
    }
}
