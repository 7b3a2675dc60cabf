//! What the evaluator needs to know about attributes: type, case-sensitivity, multi-valuedness.

use crate::ast::AttrPath;

/// RFC 7643 attribute data types that matter for comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrKind {
    /// `string`
    String,
    /// `boolean`
    Boolean,
    /// `decimal`
    Decimal,
    /// `integer`
    Integer,
    /// `dateTime` (compared as instants)
    DateTime,
    /// `reference`
    Reference,
    /// `binary`
    Binary,
    /// `complex`
    Complex,
}

/// Facts about one attribute (or sub-attribute).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttrInfo {
    /// Data type.
    pub kind: AttrKind,
    /// RFC 7643 `caseExact`.
    pub case_exact: bool,
    /// RFC 7643 `multiValued`.
    pub multi_valued: bool,
}

impl AttrInfo {
    /// The RFC 7643 default for an attribute nobody described: a case-insensitive single string.
    pub const DEFAULT: AttrInfo = AttrInfo {
        kind: AttrKind::String,
        case_exact: false,
        multi_valued: false,
    };
}

/// A source of attribute facts. `path` is absolute (value-path filters are resolved by the
/// evaluator, so `emails[type eq "work"]` asks about `emails.type`).
pub trait SchemaInfo: Send + Sync {
    /// Facts about `path`; `None` when the schema does not know it (the evaluator then uses
    /// [`AttrInfo::DEFAULT`] and infers the type from the value found).
    fn attribute(&self, path: &AttrPath) -> Option<AttrInfo>;
}

/// RFC 7643 §4.1 User, §4.2 Group and §4.3 Enterprise User attributes.
#[derive(Debug, Clone, Copy, Default)]
pub struct CoreSchema;

impl SchemaInfo for CoreSchema {
    fn attribute(&self, path: &AttrPath) -> Option<AttrInfo> {
        let _ = path;
        None
    }
}
