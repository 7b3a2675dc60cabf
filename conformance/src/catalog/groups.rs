//! Groups (RFC 7643 §4.2, RFC 7644 §3): list, get, filter by displayName, excludedAttributes,
//! members that reference resources that exist, and — with `--allow-writes` — a group of the
//! run's own (displayName prefixed `scimock-check-`, removed whatever happens) created with the
//! run's test user as its member, membership PATCH (`members` and `members[value eq "…"]`),
//! PUT, DELETE, and the refusal of the group writes the vendor does not offer. Membership is
//! confirmed by reading the group back, or, where the vendor's reads leave `members` out
//! (`groups.members_in_reads`), by the member filter it documents (`Membership`).

use super::Probe;
use crate::client::{Exchange, Request, encode_component};
use crate::ctx::{CreatedGroup, Ctx, Kind, TEST_USER_PREFIX as PREFIX};
use crate::lenient::{Page, id_of, member, quote, str_attr};
use crate::outcome::{Outcome, Skip, SkipReason, skip_unless};
use reqwest::Method;
use scimock_profile::{Pagination, UrlStyle};
use serde_json::{Value, json};

const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// Groups read per list request.
const PAGE: u64 = 100;

fn group_path(id: &str) -> String {
    format!("/Groups/{}", encode_component(id))
}

fn list_req(ctx: &Ctx) -> Request {
    match ctx.profile().list.pagination {
        Pagination::Index => Request::get("/Groups")
            .query("startIndex", "1")
            .query("count", PAGE.to_string()),
        Pagination::None => Request::get("/Groups"),
    }
}

/// The member ids of a group (`members[].value`).
fn members(g: &Value) -> Vec<String> {
    crate::lenient::values_of(g, "members")
}

/// Lists the groups; a 404 from a target whose /ResourceTypes could not be read means it
/// serves no Groups (skip), anything else that is not a list is a problem.
async fn listed(p: &mut Probe<'_>) -> Result<Option<Page>, Skip> {
    let ctx = p.ctx;
    let ex = p.send(list_req(ctx)).await;
    if ex.is(404) && ctx.rfc_baseline() && ctx.plan.resource_types.is_none() {
        return Err(Skip::unobservable(
            "GET /Groups answered 404 and /ResourceTypes could not be read: the target serves no Groups",
        ));
    }
    Ok(p.page_ok(&ex, "GET /Groups"))
}

/// A listed group with an id (the first one), or a skip.
async fn first_group(p: &mut Probe<'_>) -> Result<Option<Value>, Skip> {
    let Some(page) = listed(p).await? else {
        return Ok(None);
    };
    if page.resources.is_empty() {
        return Err(Skip::unobservable("the target has no groups to read"));
    }
    match page.resources.into_iter().find(|g| !id_of(g).is_empty()) {
        Some(g) => Ok(Some(g)),
        None => Err(Skip::unobservable(
            "no listed group has an id to read it by (see groups.list)",
        )),
    }
}

/// GET /Groups: a list whose totalResults counts its groups, each with id and displayName.
pub async fn list(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.groups()?;
    let mut p = Probe::new(ctx);
    let Some(page) = listed(&mut p).await? else {
        return Ok(p.finish(""));
    };
    let n = page.resources.len() as u64;
    for g in &page.resources {
        p.require(!id_of(g).is_empty(), || {
            "a listed group has no id (RFC 7643 §3)".into()
        });
        p.require(
            str_attr(g, "displayName").is_some_and(|d| !d.is_empty()),
            || {
                format!(
                    "group {} has no displayName (RFC 7643 §4.2: REQUIRED)",
                    id_of(g)
                )
            },
        );
    }
    match page.total {
        None => p.problem("the /Groups list has no totalResults (RFC 7644 §3.4.2: REQUIRED)"),
        Some(t) if t <= PAGE || ctx.profile().list.pagination == Pagination::None => p
            .require(t == n, || {
                format!("totalResults is {t} but the page that holds every group has {n}")
            }),
        Some(_) => {}
    }
    Ok(p.finish(format!(
        "GET /Groups lists {n} group(s) with id and displayName"
    )))
}

/// GET /Groups/{id} of a listed group returns it.
pub async fn get(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.groups()?;
    let mut p = Probe::new(ctx);
    let Some(g) = first_group(&mut p).await? else {
        return Ok(p.finish(""));
    };
    let id = id_of(&g);
    let ex = p.send(Request::get(group_path(&id))).await;
    if let Some(v) = p.json_ok(&ex, "GET /Groups/{id}") {
        p.require(id_of(&v) == id, || {
            format!("asked for group {id}, got id {:?}", id_of(&v))
        });
        p.require(
            str_attr(&v, "displayName") == str_attr(&g, "displayName"),
            || {
                format!(
                    "displayName {:?} differs from the listed {:?}",
                    str_attr(&v, "displayName"),
                    str_attr(&g, "displayName")
                )
            },
        );
    }
    Ok(p.finish(format!("group {id} reads back as listed")))
}

/// Skips unless the target filters groups on `displayName eq`.
fn need_group_filter(ctx: &Ctx) -> Result<(), Skip> {
    ctx.filters()?;
    let r = &ctx.profile().filter.groups;
    let ok = r.any
        || r.allow.iter().any(|a| {
            a.attr.eq_ignore_ascii_case("displayName")
                && a.ops.iter().any(|o| o.eq_ignore_ascii_case("eq"))
        });
    skip_unless(ok, || SkipReason::NotFilterable {
        vendor: ctx.profile().title.clone(),
        attr: "Group displayName".into(),
    })
}

/// `displayName eq` finds the listed group (and only groups of that name); a name nobody has
/// finds nothing.
pub async fn filter(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.groups()?;
    need_group_filter(ctx)?;
    let mut p = Probe::new(ctx);
    let Some(g) = first_group(&mut p).await? else {
        return Ok(p.finish(""));
    };
    let (id, name) = (id_of(&g), str_attr(&g, "displayName").unwrap_or_default());
    let hit = p
        .send(Request::get("/Groups").query("filter", format!("displayName eq {}", quote(name))))
        .await;
    if let Some(pg) = p.page_ok(&hit, "displayName eq") {
        p.require(pg.ids().contains(&id), || {
            format!("displayName eq {} did not return group {id}", quote(name))
        });
        let strays: Vec<String> = pg
            .resources
            .iter()
            .filter(|r| !str_attr(r, "displayName").is_some_and(|d| d.eq_ignore_ascii_case(name)))
            .map(id_of)
            .collect();
        p.require(strays.is_empty(), || {
            format!(
                "displayName eq {} also returned groups of another name: {}",
                quote(name),
                strays.join(", ")
            )
        });
    }
    let nobody = format!("{PREFIX}nobody-{}", uuid::Uuid::new_v4().simple());
    let miss = p
        .send(Request::get("/Groups").query("filter", format!("displayName eq {}", quote(&nobody))))
        .await;
    if let Some(pg) = p.page_ok(&miss, "displayName eq (a name nobody has)") {
        p.require(pg.resources.is_empty(), || {
            format!(
                "displayName eq {} (a name no group has) returned {:?}",
                quote(&nobody),
                pg.ids()
            )
        });
    }
    Ok(p.finish(format!(
        "displayName eq finds group {id} alone, and nothing for a name nobody has"
    )))
}

/// `excludedAttributes=members` leaves members out of the list and of GET /Groups/{id}.
pub async fn excluded_members(ctx: &Ctx) -> Result<Outcome, Skip> {
    let spec = ctx.groups()?;
    let honoured = ctx.rfc_baseline()
        || ctx.profile().projection.excluded_attributes
        || spec.excluded_attributes;
    skip_unless(honoured, || SkipReason::ParameterNotDocumented {
        vendor: ctx.profile().title.clone(),
        what: "excludedAttributes on Groups".into(),
    })?;
    let mut p = Probe::new(ctx);
    let Some(page) = listed(&mut p).await? else {
        return Ok(p.finish(""));
    };
    let Some(g) = page.resources.iter().find(|g| !members(g).is_empty()) else {
        return Err(p.unobservable("no listed group has members to exclude"));
    };
    let id = id_of(g);
    let list = p
        .send(list_req(ctx).query("excludedAttributes", "members"))
        .await;
    let mut seen = 0;
    if let Some(pg) = p.page_ok(&list, "GET /Groups?excludedAttributes=members") {
        for r in &pg.resources {
            seen += 1;
            p.require(member(r, "members").is_none(), || {
                format!("group {} still carries members", id_of(r))
            });
        }
    }
    // A group listed without an id cannot be read by it (groups.list says so).
    if !id.is_empty() {
        let one = p
            .send(Request::get(group_path(&id)).query("excludedAttributes", "members"))
            .await;
        if let Some(v) = p.json_ok(&one, "GET /Groups/{id}?excludedAttributes=members") {
            seen += 1;
            p.require(member(&v, "members").is_none(), || {
                format!("GET /Groups/{id}?excludedAttributes=members still carries members")
            });
        }
    }
    Ok(p.finish(format!(
        "excludedAttributes=members leaves members out of {seen} group(s)"
    )))
}

/// Where a member's `$ref` must point, per the profile's member_ref style (any form for the
/// RFC profile: RFC 7643 §4.2 only says it is "the URI corresponding to a SCIM resource").
fn ref_ok(ctx: &Ctx, r: &str, value: &str) -> bool {
    let points = [format!("/Users/{value}"), format!("/Groups/{value}")]
        .iter()
        .any(|s| r.ends_with(s.as_str()));
    if ctx.rfc_baseline() {
        return points;
    }
    let style = ctx.groups().map(|g| g.member_ref);
    points
        && match style {
            Ok(UrlStyle::Absolute) => r.starts_with("http://") || r.starts_with("https://"),
            Ok(UrlStyle::Relative) => r.starts_with('/'),
            Err(_) => true,
        }
}

/// Members reference resources that exist: GET /Users/{value} (or /Groups/{value} for a
/// nested group) answers, and `$ref`, when present, points at it.
pub async fn members_exist(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.groups()?;
    if membership(ctx) != Membership::Read {
        return Err(Skip::unobservable(format!(
            "{} leaves members out of group reads (groups.members_in_reads)",
            ctx.profile().title
        )));
    }
    let mut p = Probe::new(ctx);
    let Some(page) = listed(&mut p).await? else {
        return Ok(p.finish(""));
    };
    let mut checked = 0;
    for g in page
        .resources
        .iter()
        .filter(|g| !members(g).is_empty())
        .take(3)
    {
        let entries = member(g, "members")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for m in entries.iter().take(4) {
            let Some(value) = str_attr(m, "value").map(str::to_string) else {
                p.problem(format!("a member of group {} has no value", id_of(g)));
                continue;
            };
            checked += 1;
            if let Some(r) = str_attr(m, "$ref") {
                p.require(ref_ok(ctx, r, &value), || {
                    format!(
                        "member {value} of group {} has $ref {r:?}, which does not point at /Users/{value} or /Groups/{value}",
                        id_of(g)
                    )
                });
            }
            let nested = str_attr(m, "type").is_some_and(|t| t.eq_ignore_ascii_case("Group"));
            let first = if nested { "/Groups" } else { "/Users" };
            let ex = p
                .send(Request::get(format!(
                    "{first}/{}",
                    encode_component(&value)
                )))
                .await;
            let mut found = ex.ok();
            if !found && ex.is(404) && str_attr(m, "type").is_none() {
                found = p.send(Request::get(group_path(&value))).await.ok();
            }
            p.require(found, || {
                format!(
                    "member {value} of group {} is no existing resource: GET {first}/{value} answered {}",
                    id_of(g),
                    ex.outcome()
                )
            });
        }
    }
    if checked == 0 {
        return Err(p.unobservable("no listed group has members"));
    }
    Ok(p.finish(format!(
        "{checked} member(s) reference resources that exist"
    )))
}

fn patch_body(ops: Value) -> Value {
    json!({"schemas": [PATCH_URN], "Operations": ops})
}

fn group_body(name: &str, member: &str) -> Value {
    json!({
        "schemas": [GROUP_URN],
        "displayName": name,
        "members": [{"value": member}],
    })
}

/// The run's test user (from `writes.create`): a group's member.
fn test_user(ctx: &Ctx) -> Result<String, Skip> {
    ctx.created
        .lock()
        .ok()
        .and_then(|c| c.as_ref().map(|c| c.id.clone()))
        .ok_or_else(|| SkipReason::NoTestUser.into())
}

/// Skips unless group writes can run and the run can remove what it creates.
fn group_writes(ctx: &Ctx) -> Result<scimock_profile::GroupSpec, Skip> {
    ctx.writes()?;
    let spec = ctx.groups()?;
    ctx.feature(spec.create, "POST /Groups", None)?;
    skip_unless(spec.delete, || {
        Skip::unobservable(format!(
            "{} documents no DELETE /Groups/{{id}}: a group the run created could not be removed",
            ctx.profile().title
        ))
    })?;
    Ok(spec)
}

/// The run's group, for a check that also needs `feature`.
fn created_group(ctx: &Ctx, feature: Result<(), Skip>) -> Result<CreatedGroup, Skip> {
    group_writes(ctx)?;
    let g = ctx
        .created_group
        .lock()
        .ok()
        .and_then(|g| g.clone())
        .ok_or_else(|| {
            Skip::unobservable("no test group exists (groups.create did not create one)")
        })?;
    feature?;
    Ok(g)
}

async fn read_group(p: &mut Probe<'_>, id: &str) -> Option<Value> {
    let ex = p.send(Request::get(group_path(id))).await;
    p.json_ok(&ex, "reading the group back")
}

/// How the run confirms a group's membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Membership {
    /// From `members` of the group read back (RFC 7643 §4.2).
    Read,
    /// Where the vendor's reads leave `members` out (`groups.members_in_reads`: AWS GetGroup
    /// and ListGroups, D:W5): by the member filter it documents, `<attr> eq "<userId>"`,
    /// joined to `id eq "<groupId>"` with `and` where its filter rules allow both.
    Filter {
        /// The member attribute the rules allow (`members` or `members.value`).
        attr: &'static str,
        /// `id eq "<groupId>" and` goes first.
        with_id: bool,
    },
    /// Reads leave `members` out and no member filter is allowed: nothing shows membership.
    Unobservable,
}

/// How the run confirms membership on this target.
pub(super) fn membership(ctx: &Ctx) -> Membership {
    if ctx
        .profile()
        .groups
        .as_ref()
        .is_none_or(|g| g.members_in_reads)
    {
        return Membership::Read;
    }
    let rules = &ctx.profile().filter.groups;
    let eq = |attr: &str| {
        rules.any
            || rules.allow.iter().any(|a| {
                a.attr.eq_ignore_ascii_case(attr)
                    && a.ops.iter().any(|o| o.eq_ignore_ascii_case("eq"))
            })
    };
    let attr = ["members", "members.value"].into_iter().find(|a| eq(a));
    match attr {
        Some(attr) if ctx.filters().is_ok() => Membership::Filter {
            attr,
            with_id: (rules.any || rules.logical) && eq("id"),
        },
        _ => Membership::Unobservable,
    }
}

/// Whether `user` is a member of group `id` as the target shows it, and what was seen (for a
/// problem's text). `read_back` is the group already read, if any. `None`: the answer could
/// not be read (a problem is recorded) or membership is [`Membership::Unobservable`].
pub(super) async fn member_seen(
    p: &mut Probe<'_>,
    id: &str,
    user: &str,
    read_back: Option<&Value>,
) -> Option<(bool, String)> {
    match membership(p.ctx) {
        Membership::Read => {
            let read = match read_back {
                Some(v) => v.clone(),
                None => read_group(p, id).await?,
            };
            let m = members(&read);
            Some((
                m.iter().any(|v| v == user),
                format!("the group reads back with members {m:?}"),
            ))
        }
        Membership::Filter { attr, with_id } => {
            let f = match with_id {
                true => format!("id eq {} and {attr} eq {}", quote(id), quote(user)),
                false => format!("{attr} eq {}", quote(user)),
            };
            let ex = p
                .send(Request::get("/Groups").query("filter", f.clone()))
                .await;
            let ids = p.page_ok(&ex, &format!("filter {f}"))?.ids();
            Some((
                ids.iter().any(|g| g == id),
                format!("the filter {f} finds groups {ids:?}"),
            ))
        }
        Membership::Unobservable => None,
    }
}

/// POST /Groups with the run's test user as member: 201, Location, and the membership shows
/// (read back, or by the member filter).
pub async fn create(ctx: &Ctx) -> Result<Outcome, Skip> {
    group_writes(ctx)?;
    let user = test_user(ctx)?;
    let name = format!(
        "{PREFIX}{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    ctx.track_kind(Kind::Group, &name);
    let mut p = Probe::new(ctx);
    let ex = p
        .send(Request::new(Method::POST, "/Groups").json(group_body(&name, &user)))
        .await;
    let id = ex.json().map(|v| id_of(&v)).unwrap_or_default();
    if ex.ok() {
        ctx.track_id(&name, &id);
    } else if crate::ctx::refused(&ex) {
        ctx.forget(&name);
    }
    p.require(ex.is(201), || {
        format!(
            "POST /Groups answered {}; RFC 7644 §3.3 requires 201 Created",
            ex.outcome()
        )
    });
    if !ex.ok() {
        return Ok(p.finish(""));
    }
    p.require(!id.is_empty(), || "the created group has no id".into());
    match ex.header("location") {
        None => p.problem("no Location header (RFC 7644 §3.3: SHALL be returned with 201)"),
        Some(loc) => p.require(loc.ends_with(&format!("/Groups/{id}")), || {
            format!("Location {loc:?} does not point at /Groups/{id}")
        }),
    }
    if id.is_empty() {
        return Ok(p.finish(""));
    }
    if let Some(v) = read_group(&mut p, &id).await {
        p.require(str_attr(&v, "displayName") == Some(name.as_str()), || {
            format!(
                "the group reads back with displayName {:?}, not {name:?}",
                str_attr(&v, "displayName")
            )
        });
        if let Some((has, seen)) = member_seen(&mut p, &id, &user, Some(&v)).await {
            p.require(has, || {
                format!("the group was created with member {user}, but {seen}")
            });
        }
    }
    if let Ok(mut g) = ctx.created_group.lock() {
        *g = Some(CreatedGroup {
            id: id.clone(),
            display_name: name.clone(),
            member: user,
        });
    }
    Ok(p.finish(format!(
        "created group {name} ({id}) with 201, Location and its member"
    )))
}

fn patched(p: &mut Probe<'_>, ex: &Exchange, what: &str) {
    p.require(ex.is(200) || ex.is(204), || {
        format!(
            "PATCH {what} answered {}; RFC 7644 §3.5.2 answers 200 or 204",
            ex.outcome()
        )
    });
}

/// PATCH membership: remove with `members[value eq "…"]`, add with `members`, each confirmed
/// (read back, or by the member filter).
pub async fn patch_members(ctx: &Ctx) -> Result<Outcome, Skip> {
    let spec = ctx.groups()?;
    let g = created_group(
        ctx,
        ctx.feature(spec.patch, "PATCH /Groups/{id}", Some("patch.supported")),
    )?;
    if membership(ctx) == Membership::Unobservable {
        return Err(Skip::unobservable(format!(
            "{} leaves members out of group reads and allows no member filter",
            ctx.profile().title
        )));
    }
    let m = g.member.clone();
    let mut p = Probe::new(ctx);
    let Some((now, _)) = member_seen(&mut p, &g.id, &m, None).await else {
        return Ok(p.finish(""));
    };
    let remove_path = format!("members[value eq {}]", quote(&m));
    let remove = patch_body(json!([{"op": "remove", "path": remove_path}]));
    let add = patch_body(json!([{"op": "add", "path": "members", "value": [{"value": m}]}]));
    // Start from what the group holds, so a create that dropped the member is not judged twice.
    let steps = if now {
        [
            (remove_path.as_str(), remove, false),
            ("members", add, true),
        ]
    } else {
        [
            ("members", add, true),
            (remove_path.as_str(), remove, false),
        ]
    };
    for (path, body, present) in steps {
        let ex = p
            .send(Request::new(Method::PATCH, group_path(&g.id)).json(body))
            .await;
        let op = if present { "add" } else { "remove" };
        patched(&mut p, &ex, &format!("{op} {path}"));
        if let Some((has, seen)) = member_seen(&mut p, &g.id, &m, None).await {
            p.require(has == present, || {
                format!("after PATCH {op} {path}, {seen}")
            });
        }
    }
    Ok(p.finish(format!(
        "PATCH remove {remove_path} and add members change the membership"
    )))
}

/// PUT /Groups/{id}: a new displayName and the member, read back.
pub async fn replace(ctx: &Ctx) -> Result<Outcome, Skip> {
    let spec = ctx.groups()?;
    let g = created_group(ctx, ctx.feature(spec.replace, "PUT /Groups/{id}", None))?;
    let name = format!("{}-replaced", g.display_name);
    let mut p = Probe::new(ctx);
    let ex = p
        .send(Request::new(Method::PUT, group_path(&g.id)).json(group_body(&name, &g.member)))
        .await;
    p.require(ex.is(200), || {
        format!(
            "PUT /Groups/{{id}} answered {}; RFC 7644 §3.5.1 answers 200 with the resource",
            ex.outcome()
        )
    });
    if let Some(v) = read_group(&mut p, &g.id).await {
        p.require(str_attr(&v, "displayName") == Some(name.as_str()), || {
            format!(
                "after PUT the group reads back with displayName {:?}, not {name:?}",
                str_attr(&v, "displayName")
            )
        });
        if let Some((has, seen)) = member_seen(&mut p, &g.id, &g.member, Some(&v)).await {
            p.require(has, || {
                format!("after PUT with member {}, {seen}", g.member)
            });
        }
    }
    Ok(p.finish("PUT replaced the group's displayName and members"))
}

/// DELETE /Groups/{id}: 204, then 404.
pub async fn delete(ctx: &Ctx) -> Result<Outcome, Skip> {
    let g = created_group(ctx, Ok(()))?;
    let mut p = Probe::new(ctx);
    let ex = p
        .send(Request::new(Method::DELETE, group_path(&g.id)))
        .await;
    p.require(ex.is(204), || {
        format!(
            "DELETE /Groups/{{id}} answered {}; RFC 7644 §3.6 answers 204 No Content",
            ex.outcome()
        )
    });
    let get = p.send(Request::get(group_path(&g.id))).await;
    p.expect_error(&get, "GET after DELETE", 404, None);
    if p.clean() {
        ctx.untrack(&g.display_name);
    }
    Ok(p.finish("DELETE answered 204; the group then answers 404"))
}

/// Group writes the vendor does not offer are refused with its documented status (405, or
/// Adra's 501), on the run's own group body or an id nobody has, so nothing else can change.
pub async fn read_only(ctx: &Ctx) -> Result<Outcome, Skip> {
    ctx.writes()?;
    let spec = ctx.groups()?;
    let unknown = group_path(&super::resource::unknown_id());
    let refused: Vec<(Method, String)> = [
        (spec.create, Method::POST, "/Groups".to_string()),
        (spec.replace, Method::PUT, unknown.clone()),
        (spec.patch, Method::PATCH, unknown.clone()),
        (spec.delete, Method::DELETE, unknown),
    ]
    .into_iter()
    .filter(|(offered, _, _)| !offered)
    .map(|(_, m, path)| (m, path))
    .collect();
    skip_unless(!refused.is_empty(), || {
        Skip::unobservable(format!(
            "{} documents every group write: none to refuse",
            ctx.profile().title
        ))
    })?;
    let status = ctx.profile().errors.not_offered_status;
    let mut p = Probe::new(ctx);
    let name = format!(
        "{PREFIX}{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    let mut methods = Vec::new();
    for (method, path) in refused {
        let mut req = Request::new(method.clone(), path);
        let posts = method == Method::POST;
        if posts {
            ctx.track_kind(Kind::Group, &name);
        }
        if method != Method::DELETE {
            req = req.json(if method == Method::PATCH {
                patch_body(json!([{"op": "replace", "path": "displayName", "value": name}]))
            } else {
                json!({"schemas": [GROUP_URN], "displayName": name})
            });
        }
        let ex = p.send(req).await;
        if posts {
            if ex.ok() {
                ctx.track_id(&name, &ex.json().map(|v| id_of(&v)).unwrap_or_default());
            } else if crate::ctx::refused(&ex) {
                ctx.forget(&name);
            }
        }
        p.expect_error(
            &ex,
            &format!("{method} {} (not offered)", ex.target),
            status,
            None,
        );
        methods.push(method.to_string());
    }
    Ok(p.finish(format!(
        "{} on Groups, which {} does not offer, answer {status}",
        methods.join(", "),
        ctx.profile().title
    )))
}
