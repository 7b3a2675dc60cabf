//! The page stage (RFC 7644 §3.4.2.4, RFC 9865): the selected and sorted resources cut into
//! the page a request asks for — index pagination with the profile's cap and default, or
//! cursor pagination with signed, expiring cursors.

use crate::breaks::Bends;
use crate::error::{ScimError, ScimResult, ScimType};
use crate::query::ListRequest;
use crate::render::Envelope;
use crate::select;
use crate::sort;
use crate::store::{Kind, Stored};
use crate::tenant::Tenant;
use crate::violations::{Effect, note};
use scimock_profile::{BelowMinimum, OverMax, Pagination};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

/// An RFC 9865 cursor: a position (sequence number, or offset for sorted queries), the time it
/// was issued, and a MAC over both plus the query, so tampering and query changes are detected.
struct Cursor {
    pos: u64,
    issued: u64,
}

fn mac(secret: u64, pos: u64, issued: u64, qhash: u64) -> u64 {
    let mut h = DefaultHasher::new();
    (secret, pos, issued, qhash).hash(&mut h);
    h.finish()
}

impl Cursor {
    fn encode(&self, secret: u64, qhash: u64) -> String {
        format!(
            "{:x}.{:x}.{:x}",
            self.pos,
            self.issued,
            mac(secret, self.pos, self.issued, qhash)
        )
    }

    fn decode(s: &str, secret: u64, qhash: u64, timeout: u64) -> ScimResult<Cursor> {
        let invalid = || {
            ScimError::bad_request(
                ScimType::InvalidCursor,
                format!("Cursor {s:?} is not valid for this query"),
            )
        };
        let mut parts = s.split('.');
        let mut next = || parts.next().and_then(|p| u64::from_str_radix(p, 16).ok());
        let (pos, issued, m) = (
            next().ok_or_else(invalid)?,
            next().ok_or_else(invalid)?,
            next().ok_or_else(invalid)?,
        );
        if parts.next().is_some() || mac(secret, pos, issued, qhash) != m {
            return Err(invalid());
        }
        if crate::clock::now_secs().saturating_sub(issued) > timeout {
            return Err(ScimError::bad_request(
                ScimType::ExpiredCursor,
                format!("Cursor has expired; cursors are valid for {timeout} seconds"),
            ));
        }
        Ok(Cursor { pos, issued })
    }
}

/// The page to return, resolved from the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// 0-based index of the first resource.
    pub start: usize,
    /// Most resources on the page.
    pub count: usize,
    /// RFC 9865 cursor pagination.
    pub cursor_mode: bool,
    /// The page size asked for, after caps.
    pub requested: usize,
}

impl Page {
    /// The envelope of this page of `total` resources (without cursors).
    pub fn envelope(&self, total: usize) -> Envelope {
        Envelope {
            total: Some(total),
            start_index: (!self.cursor_mode).then_some(self.start + 1),
            requested: self.requested,
            next_cursor: None,
            previous_cursor: None,
        }
    }
}

/// A fetched page: what a list request selects, before rendering.
pub struct Fetched {
    /// The kind listed.
    pub kind: Kind,
    /// Matching resources in all pages.
    pub total: usize,
    /// This page.
    pub items: Vec<Arc<Stored>>,
    /// Where the page is.
    pub page: Page,
    matched: Option<Vec<Arc<Stored>>>,
    qhash: u64,
    sorted: bool,
}

impl Fetched {
    /// 0-based index of the first item of this page in the whole result.
    pub fn start(&self) -> usize {
        self.page.start
    }
}

/// The page a list request selects: filter (select), order (sort), then the vendor's caps and
/// paging.
pub fn fetch(t: &Tenant, kind: Kind, req: &ListRequest) -> ScimResult<Fetched> {
    let sort = sort::spec(t, req)?;
    let sel = select::select(t, kind, req.filter.as_deref())?;
    let mut matched = select::matching(t, kind, &sel);
    if let Some(spec) = &sort {
        let all = matched
            .take()
            .unwrap_or_else(|| select::all_matching(t, kind, &sel));
        matched = Some(sort::sort_kind(t, kind, all, spec));
    }
    // Eventual consistency (a testing aid): what was created a moment ago is not listed yet.
    let unlisted = t.not_yet_listed();
    if !unlisted.is_empty() {
        let mut all = matched
            .take()
            .unwrap_or_else(|| select::all_matching(t, kind, &sel));
        all.retain(|s| !unlisted.contains(&s.id));
        matched = Some(all);
    }
    let total = match &matched {
        Some(m) => m.len(),
        None => t.read().collection(kind).len(),
    };
    // The query's hash binds cursors to it; only cursor pages need it.
    let cursor_mode = req.cursor.is_some() && t.profile.list.cursor.is_some();
    let qhash = if cursor_mode {
        query_hash(kind, req)
    } else {
        0
    };
    let at = Position {
        kind,
        matched: &matched,
        sorted: sort.is_some(),
    };
    let page = resolve(t, req, total, qhash, &at)?;
    let end = page.start.saturating_add(page.count).min(total);
    let items: Vec<Arc<Stored>> = match &matched {
        Some(m) => m
            .get(page.start.min(total)..end)
            .unwrap_or_default()
            .to_vec(),
        None => {
            let store = t.read();
            let coll = store.collection(kind);
            (page.start..end)
                .filter_map(|i| coll.at(i).cloned())
                .collect()
        }
    };
    Ok(Fetched {
        kind,
        total,
        items,
        page,
        matched,
        qhash,
        sorted: sort.is_some(),
    })
}

fn query_hash(kind: Kind, req: &ListRequest) -> u64 {
    let mut h = DefaultHasher::new();
    (
        kind.endpoint(),
        &req.filter,
        &req.sort_by,
        &req.sort_order,
        &req.count,
        &req.attributes,
        &req.excluded,
    )
        .hash(&mut h);
    h.finish()
}

/// Where a cursor position falls in a result.
pub struct Position<'a> {
    kind: Kind,
    matched: &'a Option<Vec<Arc<Stored>>>,
    sorted: bool,
}

impl Position<'_> {
    /// A result that is never walked by cursor (the root query).
    pub fn index_only() -> Position<'static> {
        Position {
            kind: Kind::User,
            matched: &None,
            sorted: false,
        }
    }

    /// Index of the first resource with sequence number `>= seq` in the (unsorted) result.
    fn of_seq(&self, t: &Tenant, seq: u64) -> usize {
        match self.matched {
            Some(m) => m.partition_point(|s| s.seq < seq),
            None => t.read().collection(self.kind).position_of_seq(seq),
        }
    }
}

/// The page `req` asks for out of `total` resources, with the profile's caps and paging.
pub fn resolve(
    t: &Tenant,
    req: &ListRequest,
    total: usize,
    qhash: u64,
    at: &Position<'_>,
) -> ScimResult<Page> {
    let list = &t.profile.list;
    // D:W4 (AWS): startIndex is not supported; every index page starts at the first result.
    let start_index = if list.ignore_start_index {
        if req.start_index.is_some_and(|s| s != 1) {
            note(
                Effect::Altered,
                "list.ignore_start_index",
                "startIndex is not supported by the vendor and is ignored: the page starts at the first result",
            );
        }
        None
    } else {
        req.start_index
    };
    if list.below_minimum == BelowMinimum::Reject {
        // S-003 (Adra): startIndex and count: "Minimum value is 1".
        for (name, v) in [("startIndex", start_index), ("count", req.count)] {
            if v.is_some_and(|v| v < 1) {
                note(
                    Effect::Refused,
                    "list.below_minimum",
                    format!("{name} below 1 is refused (\"Minimum value is 1\")"),
                );
                return Err(ScimError::bad_request(
                    ScimType::InvalidValue,
                    format!("{name} must be at least 1"),
                ));
            }
        }
    }
    if list.pagination == Pagination::None {
        return Ok(Page {
            start: 0,
            count: total,
            cursor_mode: false,
            requested: total,
        });
    }
    let bends = t.shared.faults.bends();
    let cursor_mode = req.cursor.is_some() && list.cursor.is_some();
    let count = page_size(t, req, cursor_mode, &bends)?;
    if cursor_mode {
        let timeout = list.cursor.as_ref().map_or(600, |c| c.timeout_secs);
        let raw = req.cursor.as_deref().unwrap_or_default();
        let start = if raw.is_empty() {
            0
        } else {
            match Cursor::decode(raw, t.cursor_secret, qhash, timeout) {
                Ok(c) if at.sorted => usize::try_from(c.pos).unwrap_or(usize::MAX).min(total),
                Ok(c) => at.of_seq(t, c.pos),
                Err(_) if bends.cursor_invalid_accepted => 0,
                Err(e) => return Err(e),
            }
        };
        return Ok(Page {
            start,
            count,
            cursor_mode,
            requested: count,
        });
    }
    let mut start = usize::try_from(start_index.unwrap_or(1).max(1) - 1).unwrap_or(usize::MAX);
    if start > 0 && bends.pages_overlap {
        start -= 1;
    }
    if start >= total && bends.beyond_end_first_page {
        start = 0;
    }
    Ok(Page {
        start,
        count,
        cursor_mode,
        requested: count,
    })
}

/// `count` with the profile's default and cap (RFC 7644 §3.4.2.4, RFC 9865 `invalidCount`).
fn page_size(t: &Tenant, req: &ListRequest, cursor_mode: bool, bends: &Bends) -> ScimResult<usize> {
    let list = &t.profile.list;
    let max = list.max_count.map(|m| m as usize);
    let default = list.default_count.map_or(usize::MAX, |d| d as usize);
    let mut count = match req.count {
        None => default,
        Some(c) if cursor_mode && c < 1 => {
            return Err(ScimError::bad_request(
                ScimType::InvalidCount,
                format!("count must be between 1 and {}", max.unwrap_or(usize::MAX)),
            ));
        }
        Some(c) if c < 0 => 0,
        Some(c) => usize::try_from(c).unwrap_or(usize::MAX),
    };
    if let Some(m) = max.filter(|m| count > *m) {
        if bends.count_ignored {
            count = count.saturating_add(1);
        } else if list.over_max == OverMax::Reject {
            note(
                Effect::Refused,
                "list.over_max",
                format!("count {count} is above the vendor's maximum of {m}: refused"),
            );
            let t = if cursor_mode {
                ScimType::InvalidCount
            } else {
                ScimType::InvalidValue
            };
            return Err(ScimError::bad_request(
                t,
                format!("count must not exceed {m}"),
            ));
        } else {
            note(
                Effect::Altered,
                "list.max_count",
                format!("count {count} is above the vendor's maximum of {m}: at most {m} returned"),
            );
            count = m;
        }
    } else if bends.count_ignored && req.count.is_some() {
        count = count.saturating_add(1);
    }
    Ok(count)
}

/// The envelope of a fetched page, with RFC 9865 `nextCursor` / `previousCursor` on cursor pages.
pub fn envelope(t: &Tenant, f: &Fetched) -> Envelope {
    let mut env = f.page.envelope(f.total);
    if f.page.cursor_mode {
        (env.next_cursor, env.previous_cursor) = cursors(t, f);
        // D:W4/D:W5 (AWS): cursor pages carry no totalResults.
        if t.profile
            .list
            .cursor
            .as_ref()
            .is_some_and(|c| !c.total_results)
        {
            env.total = None;
        }
    }
    env
}

/// RFC 9865 `nextCursor` / `previousCursor` for a fetched cursor page.
fn cursors(t: &Tenant, f: &Fetched) -> (Option<String>, Option<String>) {
    let (page, total) = (&f.page, f.total);
    let issued = crate::clock::now_secs();
    let pos_at = |i: usize| -> u64 {
        if f.sorted {
            i as u64
        } else {
            match &f.matched {
                Some(m) => m.get(i).map_or(u64::MAX, |s| s.seq),
                None => t
                    .read()
                    .collection(f.kind)
                    .at(i)
                    .map_or(u64::MAX, |s| s.seq),
            }
        }
    };
    let encode = |pos| Cursor { pos, issued }.encode(t.cursor_secret, f.qhash);
    let end = page.start + f.items.len();
    // The next page starts after this page's last resource: taken from the page itself, so a
    // delete elsewhere between the fetch and now cannot shift it (no gaps, RFC 9865).
    let after_last = match (f.sorted, f.items.last()) {
        (false, Some(last)) => last.seq + 1,
        _ => pos_at(end),
    };
    let next = if t.shared.faults.bends().cursor_repeats {
        Some(encode(pos_at(0)))
    } else {
        (end < total).then(|| encode(after_last))
    };
    let prev =
        (page.start > 0).then(|| encode(pos_at(page.start.saturating_sub(page.count.max(1)))));
    (next, prev)
}
