//! The compact form the store keeps resources in: one immutable JSON document as a "tape" of
//! 8-byte nodes plus one string holding every string's bytes. Two allocations per resource
//! instead of dozens: a generated user takes ~600 bytes (its compact JSON is ~540), against
//! ~2.5 KB as a `serde_json::Value` with `preserve_order`, laid out front to back so a filter
//! scan reads it sequentially.
//!
//! Layout (pre-order): a scalar is one node (a number two: kind + payload); an array or object
//! is one node holding its member count and the number of nodes below it (so a reader skips a
//! whole subtree in one step), followed by its elements, or by key, value, key, value ...
//! Strings that name common SCIM attributes and values (`userName`, `emails`, `work`, `meta`,
//! the enterprise URN, ...) are not copied: the node points into a static table. Key order
//! is kept exactly, like `serde_json`'s `preserve_order`.
//!
//! Filters run over a document in place through [`scimock_filter::JsonView`]; code that needs
//! to edit a resource (shaping, PATCH, PUT, snapshots) materialises a `serde_json::Value` with
//! [`Doc::to_value`].

use scimock_filter::{JsonKind, JsonView, key_matches};
use scimock_profile::vocab;
use serde_json::{Map, Number, Value};
use std::fmt;
use std::sync::OnceLock;

const TAG_BITS: u32 = 29;
/// The largest member count or string length a node can hold.
const LEN_MAX: u32 = (1 << TAG_BITS) - 1;

const NULL: u32 = 0;
const FALSE: u32 = 1;
const TRUE: u32 = 2;
/// `len` is the representation (`NUM_*`), `data` the low 32 bits; the next node holds the high.
const NUMBER: u32 = 3;
/// `data` is the byte offset in the text, `len` the length.
const STRING: u32 = 4;
/// `data` is the index in [`STATIC_STRINGS`], `len` the length.
const STATIC: u32 = 5;
/// `len` elements; `data` nodes below.
const ARRAY: u32 = 6;
/// `len` members (key node, value subtree); `data` nodes below.
const OBJECT: u32 = 7;

const NUM_U64: u32 = 0;
const NUM_I64: u32 = 1;
const NUM_F64: u32 = 2;

/// One tape entry: three tag bits and a 29-bit length, then 32 bits of data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Node {
    head: u32,
    data: u32,
}

impl Node {
    const NULL: Node = Node::new(NULL, 0, 0);

    const fn new(tag: u32, len: u32, data: u32) -> Node {
        Node {
            head: (tag << TAG_BITS) | (len & LEN_MAX),
            data,
        }
    }

    #[inline]
    fn tag(self) -> u32 {
        self.head >> TAG_BITS
    }

    #[inline]
    fn len(self) -> u32 {
        self.head & LEN_MAX
    }

    /// How many nodes follow this one inside its own subtree.
    #[inline]
    fn below(self) -> usize {
        match self.tag() {
            ARRAY | OBJECT => self.data as usize,
            NUMBER => 1,
            _ => 0,
        }
    }
}

/// Attribute names and values common enough in SCIM resources to be shared by every document
/// rather than copied into each one.
const STATIC_STRINGS: &[&str] = &[
    "id",
    "externalId",
    "userName",
    "name",
    "formatted",
    "familyName",
    "givenName",
    "middleName",
    "honorificPrefix",
    "honorificSuffix",
    "displayName",
    "nickName",
    "profileUrl",
    "title",
    "userType",
    "preferredLanguage",
    "locale",
    "timezone",
    "active",
    "password",
    "emails",
    "phoneNumbers",
    "ims",
    "photos",
    "addresses",
    "streetAddress",
    "locality",
    "region",
    "postalCode",
    "country",
    "groups",
    "entitlements",
    "roles",
    "x509Certificates",
    "value",
    "display",
    "type",
    "primary",
    "$ref",
    "meta",
    "resourceType",
    "created",
    "lastModified",
    "location",
    "version",
    "members",
    "schemas",
    "employeeNumber",
    "costCenter",
    "organization",
    "division",
    "department",
    "manager",
    "appRole",
    "atlassianAccountId",
    vocab::CORE_USER,
    vocab::CORE_GROUP,
    vocab::ENTERPRISE_USER,
    // The extension keys of the built-in vendors (their schemas are in their profiles).
    "urn:scim:schemas:extension:atlassian-external:1.0",
    "urn:ietf:params:scim:schemas:extension:elfsquad:2.0:User",
    "User",
    "Group",
    "work",
    "home",
    "other",
    "mobile",
    "fax",
    "pager",
    "direct",
    "indirect",
    "admin",
    "member",
];

const STATIC_SLOTS: usize = 256;

fn static_hash(b: &[u8]) -> usize {
    let (first, last, mid) = match b {
        [] => (0, 0, 0),
        _ => (b[0], b[b.len() - 1], b[b.len() / 2]),
    };
    (b.len() * 31 + usize::from(first) * 7 + usize::from(last) * 131 + usize::from(mid) * 17)
        % STATIC_SLOTS
}

/// The index of `s` in [`STATIC_STRINGS`], through a small open-addressing table (a few
/// nanoseconds: it runs for every string of every resource built).
fn static_index(s: &str) -> Option<u32> {
    static TABLE: OnceLock<[u8; STATIC_SLOTS]> = OnceLock::new();
    const EMPTY: u8 = u8::MAX;
    let table = TABLE.get_or_init(|| {
        let mut t = [EMPTY; STATIC_SLOTS];
        for (i, k) in STATIC_STRINGS.iter().enumerate() {
            let mut h = static_hash(k.as_bytes());
            while t[h] != EMPTY {
                h = (h + 1) % STATIC_SLOTS;
            }
            t[h] = u8::try_from(i).unwrap_or(EMPTY);
        }
        t
    });
    if s.len() > 64 {
        return None;
    }
    let mut h = static_hash(s.as_bytes());
    loop {
        let i = table[h];
        if i == EMPTY {
            return None;
        }
        if STATIC_STRINGS.get(usize::from(i)) == Some(&s) {
            return Some(u32::from(i));
        }
        h = (h + 1) % STATIC_SLOTS;
    }
}

/// A document too large for the compact form (a string or member count of 2^29 or more, or
/// more than 4 GiB of text); no request under the body limit comes near.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooLarge;

impl fmt::Display for TooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("resource too large to store")
    }
}

/// An immutable JSON document in compact form (see the module docs).
#[derive(Clone, PartialEq, Eq)]
pub struct Doc {
    nodes: Box<[Node]>,
    text: Box<str>,
}

impl fmt::Debug for Doc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Doc({})", self.to_value())
    }
}

impl Doc {
    /// The compact form of `v`.
    pub fn from_value(v: &Value) -> Result<Doc, TooLarge> {
        let mut b = DocBuilder::default();
        b.value(v);
        b.finish()
    }

    /// The document as a `serde_json::Value` (same keys in the same order).
    pub fn to_value(&self) -> Value {
        self.root().to_value()
    }

    /// A view of the top-level value.
    #[inline]
    pub fn root(&self) -> DocView<'_> {
        DocView { doc: self, at: 0 }
    }

    /// Reads one word from each of the first cache lines of the nodes and of the text, so they
    /// are in cache when the document is read a little later (see `Collection::scan`).
    #[inline]
    pub fn touch(&self) -> u64 {
        const LINES: usize = 4;
        let mut acc = 0u64;
        for n in self
            .nodes
            .iter()
            .step_by(64 / std::mem::size_of::<Node>())
            .take(LINES)
        {
            acc ^= u64::from(n.head);
        }
        for b in self.text.as_bytes().iter().step_by(64).take(LINES) {
            acc ^= u64::from(*b);
        }
        acc
    }

    /// Heap bytes held (nodes and text), for memory accounting.
    pub fn heap_bytes(&self) -> usize {
        self.nodes.len() * std::mem::size_of::<Node>() + self.text.len()
    }

    #[inline]
    fn node(&self, at: usize) -> Node {
        self.nodes.get(at).copied().unwrap_or(Node::NULL)
    }

    #[inline]
    fn str_of(&self, n: Node) -> &str {
        match n.tag() {
            STATIC => STATIC_STRINGS.get(n.data as usize).copied().unwrap_or(""),
            _ => {
                let start = n.data as usize;
                self.text
                    .get(start..start + n.len() as usize)
                    .unwrap_or_default()
            }
        }
    }
}

/// Builds [`Doc`]s. Reusable: [`DocBuilder::finish`] leaves it empty with its capacity, so
/// bulk loads build every document in the same scratch space and allocate exactly twice each.
#[derive(Debug, Default)]
pub struct DocBuilder {
    nodes: Vec<Node>,
    text: String,
    /// Open containers: node index and children pushed so far (keys count as children).
    open: Vec<(usize, u32)>,
    too_large: bool,
}

impl DocBuilder {
    fn child(&mut self) {
        if let Some((_, n)) = self.open.last_mut() {
            *n = n.saturating_add(1);
        }
    }

    fn push_str(&mut self, s: &str) {
        self.child();
        if let Some(i) = static_index(s) {
            self.nodes.push(Node::new(STATIC, s.len() as u32, i));
            return;
        }
        match (u32::try_from(self.text.len()), u32::try_from(s.len())) {
            (Ok(offset), Ok(len)) if len <= LEN_MAX && offset.checked_add(len).is_some() => {
                self.nodes.push(Node::new(STRING, len, offset));
                self.text.push_str(s);
            }
            _ => {
                self.too_large = true;
                self.nodes.push(Node::NULL);
            }
        }
    }

    /// Opens an object: keys and values follow, then [`DocBuilder::end`].
    pub fn begin_object(&mut self) {
        self.child();
        self.open.push((self.nodes.len(), 0));
        self.nodes.push(Node::new(OBJECT, 0, 0));
    }

    /// Opens an array: elements follow, then [`DocBuilder::end`].
    pub fn begin_array(&mut self) {
        self.child();
        self.open.push((self.nodes.len(), 0));
        self.nodes.push(Node::new(ARRAY, 0, 0));
    }

    /// Closes the innermost open object or array.
    pub fn end(&mut self) {
        let Some((at, children)) = self.open.pop() else {
            return;
        };
        let Some(node) = self.nodes.get(at).copied() else {
            return;
        };
        let len = if node.tag() == OBJECT {
            children / 2
        } else {
            children
        };
        let below = u32::try_from(self.nodes.len() - at - 1);
        match below {
            Ok(below) if len <= LEN_MAX => self.nodes[at] = Node::new(node.tag(), len, below),
            _ => self.too_large = true,
        }
    }

    /// An object member's key (its value follows).
    pub fn key(&mut self, k: &str) {
        self.push_str(k);
    }

    /// A string value.
    pub fn string(&mut self, s: &str) {
        self.push_str(s);
    }

    /// A boolean value.
    pub fn bool(&mut self, b: bool) {
        self.child();
        self.nodes
            .push(Node::new(if b { TRUE } else { FALSE }, 0, 0));
    }

    /// A `null`.
    pub fn null(&mut self) {
        self.child();
        self.nodes.push(Node::NULL);
    }

    /// A number, kept exactly (u64, i64 or f64 bits).
    pub fn number(&mut self, n: &Number) {
        self.child();
        let (kind, bits) = if let Some(u) = n.as_u64() {
            (NUM_U64, u)
        } else if let Some(i) = n.as_i64() {
            (NUM_I64, i as u64)
        } else {
            (NUM_F64, n.as_f64().unwrap_or(0.0).to_bits())
        };
        self.nodes.push(Node::new(NUMBER, kind, bits as u32));
        self.nodes.push(Node {
            head: (bits >> 32) as u32,
            data: 0,
        });
    }

    /// Any JSON value, recursively.
    pub fn value(&mut self, v: &Value) {
        match v {
            Value::Null => self.null(),
            Value::Bool(b) => self.bool(*b),
            Value::Number(n) => self.number(n),
            Value::String(s) => self.string(s),
            Value::Array(items) => {
                self.begin_array();
                for item in items {
                    self.value(item);
                }
                self.end();
            }
            Value::Object(members) => {
                self.begin_object();
                for (k, v) in members {
                    self.key(k);
                    self.value(v);
                }
                self.end();
            }
        }
    }

    /// The finished document; the builder is left empty for the next one.
    pub fn finish(&mut self) -> Result<Doc, TooLarge> {
        while !self.open.is_empty() {
            self.end();
        }
        if self.nodes.is_empty() {
            self.nodes.push(Node::NULL);
        }
        let result = if self.too_large || u32::try_from(self.nodes.len()).is_err() {
            Err(TooLarge)
        } else {
            Ok(Doc {
                nodes: Box::from(&self.nodes[..]),
                text: Box::from(self.text.as_str()),
            })
        };
        self.nodes.clear();
        self.text.clear();
        self.too_large = false;
        result
    }
}

/// A handle on one value inside a [`Doc`] (cheap to copy).
#[derive(Clone, Copy)]
pub struct DocView<'a> {
    doc: &'a Doc,
    at: usize,
}

impl fmt::Debug for DocView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_value())
    }
}

impl<'a> DocView<'a> {
    #[inline]
    fn node(self) -> Node {
        self.doc.node(self.at)
    }

    /// The member named exactly `key`, when this is an object.
    pub fn get(self, key: &str) -> Option<DocView<'a>> {
        self.members().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// The string, when this is one.
    #[inline]
    pub fn str(self) -> Option<&'a str> {
        let n = self.node();
        match n.tag() {
            STRING | STATIC => Some(self.doc.str_of(n)),
            _ => None,
        }
    }

    /// The boolean, when this is one.
    pub fn boolean(self) -> Option<bool> {
        match self.node().tag() {
            TRUE => Some(true),
            FALSE => Some(false),
            _ => None,
        }
    }

    /// The number, when this is one.
    pub fn number(self) -> Option<Number> {
        let n = self.node();
        if n.tag() != NUMBER {
            return None;
        }
        let high = self.doc.node(self.at + 1).head;
        let bits = (u64::from(high) << 32) | u64::from(n.data);
        match n.len() {
            NUM_U64 => Some(Number::from(bits)),
            NUM_I64 => Some(Number::from(bits as i64)),
            _ => Number::from_f64(f64::from_bits(bits)),
        }
    }

    /// The number of elements or members (0 for scalars).
    pub fn len(self) -> usize {
        match self.node().tag() {
            ARRAY | OBJECT => self.node().len() as usize,
            _ => 0,
        }
    }

    /// True for scalars and empty arrays and objects.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// An object's members in order (nothing for other kinds).
    pub fn members(self) -> Members<'a> {
        let n = self.node();
        Members {
            doc: self.doc,
            next: self.at + 1,
            left: if n.tag() == OBJECT { n.len() } else { 0 },
        }
    }

    /// An array's elements in order (nothing for other kinds).
    pub fn elements(self) -> Items<'a> {
        let n = self.node();
        Items {
            doc: self.doc,
            next: self.at + 1,
            left: if n.tag() == ARRAY { n.len() } else { 0 },
        }
    }

    /// This value as a `serde_json::Value`.
    pub fn to_value(self) -> Value {
        let n = self.node();
        match n.tag() {
            NULL => Value::Null,
            FALSE => Value::Bool(false),
            TRUE => Value::Bool(true),
            NUMBER => self.number().map_or(Value::Null, Value::Number),
            STRING | STATIC => Value::String(self.doc.str_of(n).to_string()),
            ARRAY => Value::Array(self.elements().map(DocView::to_value).collect()),
            _ => {
                let mut m = Map::with_capacity(n.len() as usize);
                for (k, v) in self.members() {
                    m.insert(k.to_string(), v.to_value());
                }
                Value::Object(m)
            }
        }
    }
}

/// Written straight from the tape, without materialising a `Value` (state snapshots of a million
/// users stream this way).
impl serde::Serialize for DocView<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = self.node();
        match n.tag() {
            NULL => s.serialize_unit(),
            FALSE => s.serialize_bool(false),
            TRUE => s.serialize_bool(true),
            NUMBER => match self.number() {
                Some(num) => num.serialize(s),
                None => s.serialize_unit(),
            },
            STRING | STATIC => s.serialize_str(self.doc.str_of(n)),
            ARRAY => s.collect_seq(self.elements()),
            _ => s.collect_map(self.members()),
        }
    }
}

/// An array's elements (see [`DocView::elements`]).
#[derive(Debug, Clone)]
pub struct Items<'a> {
    doc: &'a Doc,
    next: usize,
    left: u32,
}

impl<'a> Iterator for Items<'a> {
    type Item = DocView<'a>;

    #[inline]
    fn next(&mut self) -> Option<DocView<'a>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let at = self.next;
        self.next = at + 1 + self.doc.node(at).below();
        Some(DocView { doc: self.doc, at })
    }
}

/// An object's members (see [`DocView::members`]).
#[derive(Debug, Clone)]
pub struct Members<'a> {
    doc: &'a Doc,
    next: usize,
    left: u32,
}

impl<'a> Iterator for Members<'a> {
    type Item = (&'a str, DocView<'a>);

    #[inline]
    fn next(&mut self) -> Option<(&'a str, DocView<'a>)> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let key = self.doc.node(self.next);
        let at = self.next + 1;
        self.next = at + 1 + self.doc.node(at).below();
        Some((self.doc.str_of(key), DocView { doc: self.doc, at }))
    }
}

/// An object's member values (for [`JsonView::values`]).
#[derive(Debug, Clone)]
pub struct Values<'a>(Members<'a>);

impl<'a> Iterator for Values<'a> {
    type Item = DocView<'a>;

    #[inline]
    fn next(&mut self) -> Option<DocView<'a>> {
        self.0.next().map(|(_, v)| v)
    }
}

impl<'a> JsonView<'a> for DocView<'a> {
    type Items = Items<'a>;
    type Values = Values<'a>;

    #[inline]
    fn kind(self) -> JsonKind {
        match self.node().tag() {
            NULL => JsonKind::Null,
            FALSE | TRUE => JsonKind::Bool,
            NUMBER => JsonKind::Number,
            STRING | STATIC => JsonKind::String,
            ARRAY => JsonKind::Array,
            _ => JsonKind::Object,
        }
    }

    #[inline]
    fn as_str(self) -> Option<&'a str> {
        self.str()
    }

    #[inline]
    fn as_bool(self) -> Option<bool> {
        self.boolean()
    }

    #[inline]
    fn as_number(self) -> Option<Number> {
        self.number()
    }

    /// Walks the members comparing lengths from the nodes first, so most keys are rejected
    /// without touching their bytes.
    #[inline]
    fn get_ci(self, key: &str) -> Option<DocView<'a>> {
        let n = self.node();
        if n.tag() != OBJECT {
            return None;
        }
        let doc = self.doc;
        let nodes = &doc.nodes[..];
        let mut at = self.at + 1;
        for _ in 0..n.len() {
            let k = *nodes.get(at)?;
            if k.len() as usize == key.len() && key_matches(doc.str_of(k), key) {
                return Some(DocView { doc, at: at + 1 });
            }
            at += 2 + nodes.get(at + 1)?.below();
        }
        None
    }

    #[inline]
    fn items(self) -> Items<'a> {
        self.elements()
    }

    #[inline]
    fn values(self) -> Values<'a> {
        Values(self.members())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use scimock_filter::{CompiledFilter, CoreSchema, parse_attr_path, parse_filter, resolve_view};
    use serde_json::json;

    fn sample() -> Value {
        json!({
            "id": "2819c223",
            "userName": "bjensen@example.com",
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            "emails": [
                {"value": "bjensen@example.com", "type": "work", "primary": true},
                {"value": "babs@jensen.org", "type": "home"}
            ],
            "n": [0, -1, 18446744073709551615u64, 2.5, -0.0, 1e300],
            "empty": {}, "none": [], "nothing": null,
            "quote\"d": "tab\there \u{1} é ß",
            vocab::ENTERPRISE_USER: {"department": "Sales"},
            "meta": {"resourceType": "User", "created": "2024-01-01T00:00:00.000000Z"}
        })
    }

    #[test]
    fn round_trips_keys_order_and_numbers_exactly() {
        let v = sample();
        let d = Doc::from_value(&v).unwrap();
        assert_eq!(d.to_value(), v);
        let keys: Vec<&str> = d.root().members().map(|(k, _)| k).collect();
        let want: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, want);
    }

    #[test]
    fn common_strings_are_not_copied() {
        let d = Doc::from_value(&json!({"emails": [{"type": "work"}], "meta": {}})).unwrap();
        assert_eq!(d.text.len(), 0);
        let d = Doc::from_value(&json!({"userName": "someone"})).unwrap();
        assert_eq!(&*d.text, "someone");
    }

    #[test]
    fn every_static_string_is_found() {
        for (i, s) in STATIC_STRINGS.iter().enumerate() {
            assert_eq!(static_index(s), Some(i as u32), "{s}");
        }
        for (i, a) in STATIC_STRINGS.iter().enumerate() {
            for b in &STATIC_STRINGS[i + 1..] {
                assert!(
                    !a.eq_ignore_ascii_case(b),
                    "{a} and {b} differ only in case"
                );
            }
        }
        assert_eq!(static_index("usernam"), None);
        assert_eq!(static_index(""), None);
        assert!(STATIC_STRINGS.len() < usize::from(u8::MAX));
    }

    #[test]
    fn views_answer_like_values() {
        let v = sample();
        let d = Doc::from_value(&v).unwrap();
        let r = d.root();
        assert_eq!(
            r.get("userName").and_then(DocView::str),
            Some("bjensen@example.com")
        );
        assert_eq!(
            r.get_ci("USERNAME").and_then(DocView::str),
            Some("bjensen@example.com")
        );
        assert!(r.get("username").is_none());
        assert_eq!(r.get_ci("emails").unwrap().items().count(), 2);
        assert_eq!(r.get("nothing").unwrap().kind(), JsonKind::Null);
        assert_eq!(
            r.get("n").unwrap().items().nth(2).unwrap().number(),
            Some(Number::from(u64::MAX))
        );
        let department = format!(r#"{}:department eq "sales""#, vocab::ENTERPRISE_USER);
        for (filter, want) in [
            (
                r#"emails[type eq "work" and value ew "@EXAMPLE.com"]"#,
                true,
            ),
            (r#"emails[type eq "home" and primary eq true]"#, false),
            ("empty pr or none pr", false),
            ("n gt 1e299", true),
            (department.as_str(), true),
            (r#"meta.created gt "2023-12-31T23:00:00-02:00""#, false),
        ] {
            let f = CompiledFilter::new(&parse_filter(filter).unwrap(), &CoreSchema).unwrap();
            assert_eq!(f.matches(&v), want, "{filter}");
            assert_eq!(f.matches_view(r), want, "{filter} over the doc");
        }
        let path = parse_attr_path("emails.value").unwrap();
        let got: Vec<Value> = resolve_view(r, &path)
            .into_iter()
            .map(DocView::to_value)
            .collect();
        assert_eq!(
            got,
            vec![json!("bjensen@example.com"), json!("babs@jensen.org")]
        );
    }

    #[test]
    fn filter_table_gives_the_same_answers_over_docs() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/filter/");
        let read = |f: &str| -> Value {
            serde_json::from_str(&std::fs::read_to_string(format!("{dir}{f}")).unwrap()).unwrap()
        };
        let users = read("users.json");
        let users = users.as_array().unwrap();
        let docs: Vec<Doc> = users.iter().map(|u| Doc::from_value(u).unwrap()).collect();
        let cases = read("cases.json");
        let rows = cases["eval"].as_array().unwrap();
        assert!(rows.len() > 50);
        for row in rows {
            let f = row["filter"].as_str().unwrap();
            let c = CompiledFilter::new(&parse_filter(f).unwrap(), &CoreSchema).unwrap();
            for (u, d) in users.iter().zip(&docs) {
                assert_eq!(c.matches(u), c.matches_view(d.root()), "{f} on {}", u["id"]);
            }
        }
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<u64>().prop_map(|n| json!(n)),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| json!(f)),
            prop_oneof![Just("work".to_string()), Just("userName".to_string()), ".*"]
                .prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec(("[a-zA-Z$]{0,6}|value|emails", inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_value_round_trips(v in json_value()) {
            let d = Doc::from_value(&v).unwrap();
            prop_assert_eq!(d.to_value(), v.clone());
        }

        #[test]
        fn any_value_serialises_to_the_same_text(v in json_value()) {
            let d = Doc::from_value(&v).unwrap();
            prop_assert_eq!(
                serde_json::to_string(&d.root()).unwrap(),
                serde_json::to_string(&v).unwrap()
            );
        }
    }

    #[test]
    fn serialising_a_view_writes_what_the_value_writes() {
        let v = sample();
        let d = Doc::from_value(&v).unwrap();
        assert_eq!(
            serde_json::to_string(&d.root()).unwrap(),
            serde_json::to_string(&v).unwrap()
        );
    }
}
