//! Schema-aware evaluation of a filter over a JSON resource (semantics on [`CompiledFilter`]).

use std::cmp::Ordering;

use serde_json::{Number, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::ast::{AttrOp, AttrPath, CompValue, CompareOp, Filter, SubAttrTest};
use crate::error::EvalError;
use crate::schema::{AttrInfo, AttrKind, SchemaInfo, is_core_urn};
use crate::view::{JsonKind, JsonView};

/// A filter prepared for fast repeated evaluation: case rules resolved from the schema,
/// string literals pre-folded, dateTime literals pre-parsed.
///
/// Semantics (RFC 7644 §3.4.2.2, RFC 7643 §2):
/// - Attribute names match JSON keys case-insensitively. A path qualified with a core schema
///   URN (`urn:ietf:params:scim:schemas:core:2.0:User:` / `Group:`) means the top level; any
///   other URN means the object stored under that URN key (matched case-insensitively).
///   Unqualified names are looked up at the top level only.
/// - Multi-valued attributes match when ANY element matches. A value path
///   `emails[type eq "work" and value co "x"]` needs ONE element to satisfy the whole bracket
///   (and the trailing `.sub op value` of `emails[...].sub op value` too).
/// - Comparing a complex attribute directly (`emails co "x"`) compares its `value` sub-attribute.
/// - Strings compare case-insensitively unless the schema says `caseExact` (`id`, `externalId`,
///   `meta.version`, ...); case-insensitive means each character upper- then lower-cased, so
///   `Straße` equals `STRASSE`. `dateTime` attributes compare as instants across offsets when both
///   sides parse as RFC 3339 (otherwise as strings). Numbers compare numerically. `co`/`sw`/`ew`
///   only match strings; `gt`/`lt`/`ge`/`le` on strings are lexicographic.
/// - `pr` is false for absent, `null`, `""`, `[]`, `{}` (recursively: a complex value needs a
///   non-empty member). For a multi-valued complex attribute whose schema has a `value`
///   sub-attribute (`emails`, `groups`, `members`, ...), an element counts only when its `value`
///   is non-empty; for others (`addresses`, unknown attributes) any non-empty member counts.
/// - `ne` is `not eq`: a resource without the attribute matches `ne`, and a multi-valued
///   attribute matches `ne` only when no element is equal.
/// - `eq null` matches when the attribute is absent or null (no non-null value); `ne null` is its
///   negation. Other operators with `null` are refused.
/// - Refused when compiling (`invalidFilter`): `gt`/`lt`/`ge`/`le`/`co`/`sw`/`ew` against a
///   boolean literal or a Boolean attribute, `co`/`sw`/`ew` against a number, and anything but
///   `eq`/`ne` against `null`.
/// - Unknown attributes simply do not match (no error).
///
/// Speed: literals are case-folded and dateTime literals parsed once, at compile time; the scan
/// of a resource does not allocate for ASCII strings (non-ASCII values are folded into a
/// temporary string, correct but slower).
#[derive(Debug, Clone)]
pub struct CompiledFilter {
    root: Node,
}

#[derive(Debug, Clone)]
enum Node {
    Test(Test),
    Not(Box<Node>),
    All(Vec<Node>),
    Any(Vec<Node>),
    /// A value path: one element of the attribute at `loc` satisfies `filter` and `then`.
    Element {
        loc: Loc,
        filter: Box<Node>,
        then: Option<Box<Node>>,
    },
}

/// Where an attribute lives, relative to the resource (or to the element, inside a value path).
#[derive(Debug, Clone)]
struct Loc {
    /// Extension URN key holding the attribute, `None` for the top level.
    ext: Option<Box<str>>,
    name: Box<str>,
    sub: Option<Box<str>>,
}

#[derive(Debug, Clone)]
struct Test {
    loc: Loc,
    check: Check,
}

#[derive(Debug, Clone)]
enum Check {
    /// `pr`; `value_sub`: elements of a multi-valued complex attribute count by their `value`.
    Present { value_sub: bool },
    /// `eq null`
    IsNull,
    /// `eq co sw ew gt lt ge le` (`ne` is compiled as `not eq`).
    Compare(Comparison),
}

#[derive(Debug, Clone)]
struct Comparison {
    op: CompareOp,
    literal: Literal,
    case_exact: bool,
}

#[derive(Debug, Clone)]
enum Literal {
    Str(StrLiteral),
    Num(Number),
    Bool(bool),
}

#[derive(Debug, Clone)]
struct StrLiteral {
    raw: Box<str>,
    folded: Box<str>,
    folded_ascii: bool,
    /// The literal as an instant, when the attribute is a dateTime and the literal parses.
    instant: Option<OffsetDateTime>,
}

impl CompiledFilter {
    /// Prepares `filter`; fails with `invalidFilter` for filters that can never be evaluated
    /// (e.g. `gt`/`lt`/`ge`/`le` against a boolean literal or a boolean attribute).
    pub fn new(filter: &Filter, schema: &dyn SchemaInfo) -> Result<CompiledFilter, EvalError> {
        Ok(CompiledFilter {
            root: compile(filter, schema, None)?,
        })
    }

    /// True when `resource` matches. A resource that is not a JSON object matches nothing
    /// (not even `not (...)`).
    pub fn matches(&self, resource: &Value) -> bool {
        self.matches_view(resource)
    }

    /// [`CompiledFilter::matches`] over any [`JsonView`] (a store's compact documents are
    /// evaluated in place, without building a `serde_json::Value`).
    #[inline]
    pub fn matches_view<'a, V: JsonView<'a>>(&self, resource: V) -> bool {
        resource.kind() == JsonKind::Object && eval(&self.root, resource)
    }
}

/// The value path a filter is compiled inside: its attribute, for schema look-ups.
type Within<'a> = Option<&'a AttrPath>;

fn compile(
    filter: &Filter,
    schema: &dyn SchemaInfo,
    within: Within<'_>,
) -> Result<Node, EvalError> {
    match filter {
        Filter::Attr { path, op } => compile_test(path, op, schema, within),
        Filter::Not { filter } => Ok(Node::Not(Box::new(compile(filter, schema, within)?))),
        Filter::And { .. } | Filter::Or { .. } => {
            let is_and = matches!(filter, Filter::And { .. });
            // Flatten chains of the same operator iteratively (long chains are deep trees).
            let mut nodes = Vec::new();
            let mut stack = vec![filter];
            while let Some(f) = stack.pop() {
                match f {
                    Filter::And { left, right } if is_and => {
                        stack.push(right);
                        stack.push(left);
                    }
                    Filter::Or { left, right } if !is_and => {
                        stack.push(right);
                        stack.push(left);
                    }
                    other => nodes.push(compile(other, schema, within)?),
                }
            }
            Ok(if is_and {
                Node::All(nodes)
            } else {
                Node::Any(nodes)
            })
        }
        Filter::ValuePath { attr, filter, then } => {
            let loc = locate(attr, within);
            let attr = absolute(attr, within);
            let inner = compile(filter, schema, Some(&attr))?;
            let then = match then.as_deref() {
                Some(SubAttrTest { sub, op }) => {
                    let path = AttrPath {
                        urn: None,
                        name: sub.clone(),
                        sub: None,
                    };
                    Some(Box::new(compile_test(&path, op, schema, Some(&attr))?))
                }
                None => None,
            };
            Ok(Node::Element {
                loc,
                filter: Box::new(inner),
                then,
            })
        }
    }
}

/// The absolute path of `path` written inside the value path `within` (`emails[type ...]`
/// gives `emails.type`), for schema look-ups.
fn absolute(path: &AttrPath, within: Within<'_>) -> AttrPath {
    match within {
        None => path.clone(),
        Some(outer) => AttrPath {
            urn: outer.urn.clone(),
            name: outer.name.clone(),
            sub: Some(path.name.clone()),
        },
    }
}

/// Where to find `path` at evaluation time; inside a value path, relative to the element.
fn locate(path: &AttrPath, within: Within<'_>) -> Loc {
    let ext = match (&path.urn, within) {
        (Some(urn), None) if !is_core_urn(urn) => Some(urn.as_str().into()),
        _ => None,
    };
    Loc {
        ext,
        name: path.name.as_str().into(),
        sub: path.sub.as_deref().map(Into::into),
    }
}

fn compile_test(
    path: &AttrPath,
    op: &AttrOp,
    schema: &dyn SchemaInfo,
    within: Within<'_>,
) -> Result<Node, EvalError> {
    let loc = locate(path, within);
    // Three levels (`addresses[x.y eq 1]`) are beyond any schema: use the defaults.
    let abs = match within {
        Some(_) if path.sub.is_some() => None,
        _ => Some(absolute(path, within)),
    };
    let info = abs.as_ref().and_then(|p| schema.attribute(p));
    let (op, value) = match op {
        AttrOp::Pr => {
            let value_sub = match (&abs, info) {
                (Some(p), Some(i))
                    if p.sub.is_none() && i.kind == AttrKind::Complex && i.multi_valued =>
                {
                    value_info(schema, p).is_some()
                }
                _ => false,
            };
            let check = Check::Present { value_sub };
            return Ok(Node::Test(Test { loc, check }));
        }
        AttrOp::Compare { op, value } => (*op, value),
    };
    // Comparing a complex attribute compares its `value` sub-attribute.
    let info = match (&abs, info) {
        (Some(p), Some(i)) if p.sub.is_none() && i.kind == AttrKind::Complex => {
            value_info(schema, p)
        }
        (_, i) => i,
    }
    .unwrap_or(AttrInfo::DEFAULT);
    let refuse = |what: &str| EvalError {
        message: format!(
            "the \"{op}\" operator cannot be used with {what} (attribute \"{}\")",
            abs.as_ref()
                .map_or_else(|| path.to_string(), ToString::to_string)
        ),
    };
    if info.kind == AttrKind::Boolean && (is_ordering(op) || is_substring(op)) {
        return Err(refuse("a boolean attribute"));
    }
    let Some(literal) = literal(op, value, info).map_err(refuse)? else {
        let test = Node::Test(Test {
            loc,
            check: Check::IsNull,
        });
        return match op {
            CompareOp::Eq => Ok(test),
            CompareOp::Ne => Ok(Node::Not(Box::new(test))),
            _ => Err(refuse("null")),
        };
    };
    let (op, negate) = match op {
        CompareOp::Ne => (CompareOp::Eq, true),
        other => (other, false),
    };
    let test = Node::Test(Test {
        loc,
        check: Check::Compare(Comparison {
            op,
            literal,
            case_exact: info.case_exact,
        }),
    });
    Ok(if negate {
        Node::Not(Box::new(test))
    } else {
        test
    })
}

/// Facts about `p.value`, the sub-attribute a complex attribute is compared by.
fn value_info(schema: &dyn SchemaInfo, p: &AttrPath) -> Option<AttrInfo> {
    schema.attribute(&AttrPath {
        sub: Some("value".into()),
        ..p.clone()
    })
}

/// `gt`, `lt`, `ge`, `le`.
fn is_ordering(op: CompareOp) -> bool {
    matches!(
        op,
        CompareOp::Gt | CompareOp::Lt | CompareOp::Ge | CompareOp::Le
    )
}

/// `co`, `sw`, `ew`.
fn is_substring(op: CompareOp) -> bool {
    matches!(op, CompareOp::Co | CompareOp::Sw | CompareOp::Ew)
}

/// The comparison value, prepared for `op` on an attribute described by `info`; `None` for
/// `null`; `Err(what)` when `op` cannot compare with it.
fn literal(
    op: CompareOp,
    value: &CompValue,
    info: AttrInfo,
) -> Result<Option<Literal>, &'static str> {
    Ok(Some(match value {
        CompValue::Null => return Ok(None),
        CompValue::Bool(_) if is_ordering(op) || is_substring(op) => return Err("a boolean"),
        CompValue::Number(_) if is_substring(op) => return Err("a number"),
        CompValue::Bool(b) => Literal::Bool(*b),
        CompValue::Number(n) => Literal::Num(n.clone()),
        CompValue::String(s) => {
            let folded = fold(s);
            Literal::Str(StrLiteral {
                raw: s.as_str().into(),
                folded_ascii: folded.is_ascii(),
                folded: folded.into(),
                instant: match info.kind {
                    AttrKind::DateTime => OffsetDateTime::parse(s, &Rfc3339).ok(),
                    _ => None,
                },
            })
        }
    }))
}

#[inline]
fn eval<'a, V: JsonView<'a>>(node: &Node, obj: V) -> bool {
    match node {
        Node::Test(test) => eval_test(test, obj),
        Node::Not(inner) => !eval(inner, obj),
        Node::All(nodes) => nodes.iter().all(|n| eval(n, obj)),
        Node::Any(nodes) => nodes.iter().any(|n| eval(n, obj)),
        Node::Element { loc, filter, then } => {
            let element_matches = |e: V| {
                e.kind() == JsonKind::Object
                    && eval(filter, e)
                    && then.as_deref().is_none_or(|t| eval(t, e))
            };
            match lookup(obj, loc) {
                Some(v) => match v.kind() {
                    JsonKind::Array => v.items().any(element_matches),
                    JsonKind::Object => element_matches(v),
                    _ => false,
                },
                None => false,
            }
        }
    }
}

/// The attribute at `loc` (before descending into `loc.sub`).
#[inline]
fn lookup<'a, V: JsonView<'a>>(obj: V, loc: &Loc) -> Option<V> {
    let base = match &loc.ext {
        None => obj,
        Some(urn) => obj.get_ci(urn).filter(|e| e.kind() == JsonKind::Object)?,
    };
    base.get_ci(&loc.name)
}

#[inline]
fn eval_test<'a, V: JsonView<'a>>(test: &Test, obj: V) -> bool {
    let found = lookup(obj, &test.loc);
    let sub = test.loc.sub.as_deref();
    match &test.check {
        Check::Compare(cmp) => any_leaf(found, sub, |v| compare(cmp, v)),
        Check::Present { value_sub } => is_present(found, sub, *value_sub),
        Check::IsNull => !any_leaf(found, sub, |v: V| !v.is_null()),
    }
}

/// True when `f` holds for some value at the path: the sub-attribute of the attribute (or of
/// each of its elements), or, without a sub-attribute, the attribute itself (each element of a
/// multi-valued one; the `value` of a complex one).
#[inline]
fn any_leaf<'a, V: JsonView<'a>>(
    found: Option<V>,
    sub: Option<&str>,
    mut f: impl FnMut(V) -> bool,
) -> bool {
    let Some(v) = found else { return false };
    let mut leaf = |x: V| match x.kind() {
        JsonKind::Array => x.items().any(&mut f),
        _ => f(x),
    };
    let key = sub.unwrap_or("value");
    match v.kind() {
        JsonKind::Array => v.items().any(|e| match e.kind() {
            JsonKind::Object => e.get_ci(key).is_some_and(&mut leaf),
            _ if sub.is_none() => leaf(e),
            _ => false,
        }),
        JsonKind::Object => v.get_ci(key).is_some_and(leaf),
        _ if sub.is_none() => leaf(v),
        _ => false,
    }
}

fn is_present<'a, V: JsonView<'a>>(found: Option<V>, sub: Option<&str>, value_sub: bool) -> bool {
    let Some(v) = found else { return false };
    match (sub, v.kind()) {
        (Some(sub), JsonKind::Array) => v.items().any(|e| match e.kind() {
            JsonKind::Object => e.get_ci(sub).is_some_and(non_empty),
            _ => false,
        }),
        (Some(sub), JsonKind::Object) => v.get_ci(sub).is_some_and(non_empty),
        (Some(_), _) => false,
        (None, JsonKind::Array) if value_sub => v.items().any(|e| match e.kind() {
            JsonKind::Object => e.get_ci("value").is_some_and(non_empty),
            _ => non_empty(e),
        }),
        (None, _) => non_empty(v),
    }
}

/// RFC 7644: "If the attribute has a non-empty value, or if it contains a non-empty node for
/// complex attributes, there is a match."
fn non_empty<'a, V: JsonView<'a>>(v: V) -> bool {
    match v.kind() {
        JsonKind::Null => false,
        JsonKind::String => v.as_str().is_some_and(|s| !s.is_empty()),
        JsonKind::Array => v.items().any(non_empty),
        JsonKind::Object => v.values().any(non_empty),
        JsonKind::Bool | JsonKind::Number => true,
    }
}

#[inline]
fn compare<'a, V: JsonView<'a>>(cmp: &Comparison, v: V) -> bool {
    match (v.kind(), &cmp.literal) {
        (JsonKind::String, Literal::Str(lit)) => {
            let Some(s) = v.as_str() else { return false };
            if let Some(instant) = lit.instant {
                if !matches!(cmp.op, CompareOp::Co | CompareOp::Sw | CompareOp::Ew) {
                    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
                        return ordering_matches(cmp.op, t.cmp(&instant));
                    }
                }
            }
            if cmp.case_exact {
                exact_str(cmp.op, s, &lit.raw)
            } else if lit.folded_ascii && s.is_ascii() {
                ascii_str(cmp.op, s.as_bytes(), lit.folded.as_bytes())
            } else {
                exact_str(cmp.op, &fold(s), &lit.folded)
            }
        }
        (JsonKind::Number, Literal::Num(lit)) => v
            .as_number()
            .and_then(|n| num_cmp(&n, lit))
            .is_some_and(|o| ordering_matches(cmp.op, o)),
        (JsonKind::Bool, Literal::Bool(lit)) => {
            cmp.op == CompareOp::Eq && v.as_bool() == Some(*lit)
        }
        _ => false,
    }
}

/// For `eq gt lt ge le`: does `ord` (value compared with literal) satisfy `op`?
fn ordering_matches(op: CompareOp, ord: Ordering) -> bool {
    match op {
        CompareOp::Eq => ord == Ordering::Equal,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Ge => ord != Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        CompareOp::Ne | CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}

fn exact_str(op: CompareOp, s: &str, lit: &str) -> bool {
    match op {
        CompareOp::Co => s.contains(lit),
        CompareOp::Sw => s.starts_with(lit),
        CompareOp::Ew => s.ends_with(lit),
        _ => ordering_matches(op, s.cmp(lit)),
    }
}

/// ASCII case-insensitive comparison against a literal already folded to lowercase.
fn ascii_str(op: CompareOp, s: &[u8], lit: &[u8]) -> bool {
    let n = lit.len();
    match op {
        CompareOp::Eq => s.len() == n && ascii_eq_folded(s, lit),
        CompareOp::Sw => s.len() >= n && ascii_eq_folded(&s[..n], lit),
        CompareOp::Ew => s.len() >= n && ascii_eq_folded(&s[s.len() - n..], lit),
        CompareOp::Co => {
            let Some(&first) = lit.first() else {
                return true;
            };
            s.len() >= n
                && (0..=s.len() - n).any(|k| {
                    s[k].to_ascii_lowercase() == first && ascii_eq_folded(&s[k..k + n], lit)
                })
        }
        _ => ordering_matches(
            op,
            s.iter()
                .map(u8::to_ascii_lowercase)
                .cmp(lit.iter().copied()),
        ),
    }
}

/// `s` lower-cased equals `lit` (same length, ASCII, already lower case), eight bytes at a time.
#[inline]
fn ascii_eq_folded(s: &[u8], lit: &[u8]) -> bool {
    /// Sets the 0x20 bit of every byte in `A..=Z` (for ASCII bytes).
    fn lower(w: u64) -> u64 {
        const ONES: u64 = 0x0101_0101_0101_0101;
        let heptets = w & (0x7f * ONES);
        let ge_a = heptets + (0x80 - u64::from(b'A')) * ONES;
        let gt_z = heptets + (0x80 - u64::from(b'Z') - 1) * ONES;
        w | ((ge_a & !gt_z & (0x80 * ONES)) >> 2)
    }
    let word = |b: &[u8]| {
        let mut w = [0u8; 8];
        w[..b.len()].copy_from_slice(b);
        u64::from_le_bytes(w)
    };
    let (mut s, mut lit) = (s, lit);
    while s.len() >= 8 && lit.len() >= 8 {
        if lower(word(&s[..8])) != word(&lit[..8]) {
            return false;
        }
        (s, lit) = (&s[8..], &lit[8..]);
    }
    s.len() == lit.len() && lower(word(s)) == word(lit)
}

/// Case folding for `caseExact: false` comparisons: upper- then lower-case each character, so
/// that `ß`/`SS`, `ς`/`Σ`/`σ` compare equal (a close approximation of Unicode full case folding).
fn fold(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.chars()
        .flat_map(char::to_uppercase)
        .flat_map(char::to_lowercase)
        .collect()
}

fn num_cmp(a: &Number, b: &Number) -> Option<Ordering> {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return Some(x.cmp(&y));
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return Some(x.cmp(&y));
    }
    a.as_f64()?.partial_cmp(&b.as_f64()?)
}

/// The values found at `path` in `resource` (attribute names matched case-insensitively,
/// URN prefixes resolved, multi-valued attributes flattened). Used for sorting and projection.
/// For a sub-attribute of a multi-valued complex attribute, the sub-attribute of each element.
/// JSON `null`s are left out.
pub fn resolve_values<'a>(resource: &'a Value, path: &AttrPath) -> Vec<&'a Value> {
    resolve_view(resource, path)
}

/// [`resolve_values`] over any [`JsonView`].
pub fn resolve_view<'a, V: JsonView<'a>>(resource: V, path: &AttrPath) -> Vec<V> {
    let mut out = Vec::new();
    if resource.kind() != JsonKind::Object {
        return out;
    }
    let loc = locate(path, None);
    let Some(found) = lookup(resource, &loc) else {
        return out;
    };
    let mut push = |v: V| match v.kind() {
        JsonKind::Array => out.extend(v.items().filter(|x| !x.is_null())),
        JsonKind::Null => {}
        _ => out.push(v),
    };
    match (loc.sub.as_deref(), found.kind()) {
        (None, _) => push(found),
        (Some(sub), JsonKind::Array) => {
            for e in found.items() {
                if let Some(v) = e.get_ci(sub) {
                    push(v);
                }
            }
        }
        (Some(sub), JsonKind::Object) => {
            if let Some(v) = found.get_ci(sub) {
                push(v);
            }
        }
        (Some(_), _) => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_handles_sharp_s_and_sigma() {
        assert_eq!(fold("STRAßE"), fold("strasse"));
        assert_eq!(fold("ΟΔΥΣΣΕΥΣ"), fold("οδυσσευς"));
        assert_eq!(fold("Émile"), "émile");
    }

    #[test]
    fn word_at_a_time_lowering_matches_to_ascii_lowercase() {
        for b in 0u8..=0x7f {
            for len in 1..=17 {
                let s = vec![b; len];
                let lit: Vec<u8> = s.iter().map(u8::to_ascii_lowercase).collect();
                assert!(ascii_eq_folded(&s, &lit), "{b:#x} x{len}");
                let mut other = lit.clone();
                other[len - 1] ^= 0x01;
                assert!(!ascii_eq_folded(&s, &other), "{b:#x} x{len}");
            }
        }
        assert!(ascii_eq_folded(
            b"User77777@EXAMPLE.com",
            b"user77777@example.com"
        ));
        assert!(!ascii_eq_folded(b"abc", b"abcd"));
        assert!(ascii_eq_folded(b"", b""));
    }

    #[test]
    fn ascii_contains_is_case_insensitive() {
        assert!(ascii_str(
            CompareOp::Co,
            b"BJensen@Example.COM",
            b"example.com"
        ));
        assert!(ascii_str(CompareOp::Co, b"abc", b""));
        assert!(!ascii_str(CompareOp::Co, b"ab", b"abc"));
        assert!(ascii_str(CompareOp::Gt, b"B", b"a"));
    }
}
