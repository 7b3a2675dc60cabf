//! PATCH (RFC 7644 §3.5.2): parsing the request body with a vendor's leniency
//! ([`PatchSpec`](scimock_profile::PatchSpec)) and applying the operations to a stored resource.
//!
//! - `parse`: the body (every vendor's shape and leniency) into [`PatchOp`]s; `allow`: a
//!   vendor's list of writable paths.
//! - `apply`: operations onto a resource, by target: `whole` (a whole attribute or one
//!   sub-attribute), `elements` (the elements a value filter selects); `guard`: the
//!   mutability rules every write passes.
//!
//! Choices where the RFC leaves room (each one is tested):
//! - An `op` other than `add`/`remove`/`replace` (or one in the wrong case for a strict
//!   profile) is 400 `invalidSyntax`: §3.5.2 lists the three values and Table 9 gives
//!   `invalidSyntax` to a body that does "not conform to the request schema".
//! - A path naming an attribute the schema does not have is 400 `invalidPath` (Table 9:
//!   "the path attribute was invalid"); `noTarget` is kept for a value filter matching nothing
//!   on `replace` (§3.5.2.3) and for a path-less `remove` (§3.5.2.2).
//! - `remove` with a value filter that matches nothing succeeds (the state asked for holds).
//! - `remove` of a multi-valued attribute with a `value` removes just those values (what Entra
//!   ID and Okta send for group members).
//! - `add` with a value filter that matches nothing appends a new element built from the
//!   filter's `eq` comparisons (`emails[type eq "work"].value` creates a work email, as Entra
//!   ID expects); any other filter gives `noTarget`.
//! - `value: null` on `replace` (or a `null` member of a path-less value) unassigns the target
//!   (RFC 7643 §2.5).
//! - A single value given for a multi-valued attribute is taken as a one-element array; a
//!   string given for a complex attribute with a `value` sub-attribute (`manager`) is its
//!   `value`.
//! - Writing a read-only attribute with the value it already has is a no-op (§3.5.2.1: no
//!   change, success), so Okta's path-less `{"id": ..., "displayName": ...}` works; any other
//!   write is 400 `mutability`. `schemas` in a path-less value is ignored (the server
//!   recomputes it); as an explicit path it is 400 `mutability`.
//! - Read-only sub-attributes inside a complex value (`manager.displayName`) are ignored as
//!   in a PUT body, and unknown ones dropped.

mod allow;
mod apply;
mod elements;
mod guard;
mod parse;
mod whole;

#[cfg(test)]
mod tests;

pub use apply::apply_patch;
pub use parse::parse_patch_body;

use scimock_filter::{AttrPath, PatchPath};
use scimock_profile::vocab;
use serde_json::Value;

/// RFC 7644 §3.5.2 PATCH request message URN.
pub const PATCH_OP_URN: &str = vocab::PATCH_OP;

/// The three PATCH operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchOpKind {
    /// §3.5.2.1
    Add,
    /// §3.5.2.2
    Remove,
    /// §3.5.2.3
    Replace,
}

impl PatchOpKind {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            PatchOpKind::Add => "add",
            PatchOpKind::Remove => "remove",
            PatchOpKind::Replace => "replace",
        }
    }

    fn parse(op: &str, case_insensitive: bool) -> Option<PatchOpKind> {
        [PatchOpKind::Add, PatchOpKind::Remove, PatchOpKind::Replace]
            .into_iter()
            .find(|k| {
                if case_insensitive {
                    k.as_str().eq_ignore_ascii_case(op)
                } else {
                    k.as_str() == op
                }
            })
    }
}

/// One parsed operation.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOp {
    /// The operation.
    pub op: PatchOpKind,
    /// The parsed path (`None`: the resource itself).
    pub path: Option<PatchPath>,
    /// The path as the client sent it.
    pub raw_path: Option<String>,
    /// The value (JSON-string values already decoded when the profile says so).
    pub value: Option<Value>,
}

/// A path as the allow-lists spell it: no core URN, `name.sub`, `urn:...:name.sub`.
fn path_label(attr: &AttrPath, sub_after_filter: Option<&str>) -> String {
    let mut s = String::new();
    if let Some(urn) = attr.urn.as_deref().filter(|u| !is_core_urn(u)) {
        s.push_str(urn);
        if !attr.name.is_empty() {
            s.push(':');
        }
    }
    s.push_str(&attr.name);
    for sub in [attr.sub.as_deref(), sub_after_filter]
        .into_iter()
        .flatten()
    {
        s.push('.');
        s.push_str(sub);
    }
    s
}

fn is_core_urn(urn: &str) -> bool {
    scimock_filter::schema::is_core_urn(urn)
}
