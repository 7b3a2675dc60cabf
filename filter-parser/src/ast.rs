//! The filter AST: what RFC 7644 §3.4.2.2 filters, attribute lists and PATCH paths parse into.

use serde::Serialize;

/// An attribute path: `[URN ":"] name ["." sub]`, e.g. `emails.value` or
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.
///
/// Names keep the casing the client sent; comparisons of paths are case-insensitive
/// (RFC 7644 §3.4.2.2 "Attribute names and attribute operators used in filters are case insensitive").
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct AttrPath {
    /// Schema URN prefix, without the trailing `:` (e.g. `urn:ietf:params:scim:schemas:core:2.0:User`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urn: Option<String>,
    /// Top-level attribute name (e.g. `emails`).
    pub name: String,
    /// Sub-attribute name (e.g. `value` in `emails.value`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
}

/// A comparison operator (`eq ne co sw ew gt lt ge le`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CompareOp {
    /// equal
    Eq,
    /// not equal
    Ne,
    /// contains
    Co,
    /// starts with
    Sw,
    /// ends with
    Ew,
    /// greater than
    Gt,
    /// less than
    Lt,
    /// greater than or equal
    Ge,
    /// less than or equal
    Le,
}

/// A literal on the right-hand side of a comparison (`compValue` in the ABNF).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum CompValue {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A JSON number (integer, negative, decimal or with exponent).
    Number(serde_json::Number),
    /// A JSON string, escapes already decoded.
    String(String),
}

/// What an attribute expression tests: presence, or a comparison with a value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum AttrOp {
    /// `pr`: the attribute has a non-empty value.
    Pr,
    /// `op value`
    #[serde(untagged)]
    Compare {
        /// The operator.
        op: CompareOp,
        /// The right-hand side literal.
        value: CompValue,
    },
}

/// A parsed SCIM filter.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Filter {
    /// `attrPath pr` or `attrPath compareOp compValue`.
    Attr {
        /// Left-hand side.
        path: AttrPath,
        /// Operator and value.
        #[serde(flatten)]
        op: AttrOp,
    },
    /// `attrPath "[" valFilter "]"`, optionally followed by the identity-provider form
    /// `"." subAttr op value` (e.g. `emails[type eq "work"].value eq "x"`): one element of
    /// `attr` must satisfy `filter` (and, when present, the trailing comparison) together.
    ValuePath {
        /// The multi-valued complex attribute (no sub-attribute).
        attr: AttrPath,
        /// The filter each element is tested against; paths inside are relative to the element.
        filter: Box<Filter>,
        /// The trailing `.sub op value` form, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        then: Option<Box<SubAttrTest>>,
    },
    /// `not (filter)`
    Not {
        /// The negated filter.
        filter: Box<Filter>,
    },
    /// `filter and filter`
    And {
        /// Left operand.
        left: Box<Filter>,
        /// Right operand.
        right: Box<Filter>,
    },
    /// `filter or filter`
    Or {
        /// Left operand.
        left: Box<Filter>,
        /// Right operand.
        right: Box<Filter>,
    },
}

/// The trailing `.sub op value` of the identity-provider value-path form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubAttrTest {
    /// Sub-attribute name.
    pub sub: String,
    /// Operator and value.
    #[serde(flatten)]
    pub op: AttrOp,
}

/// A PATCH operation path (RFC 7644 §3.5.2): `attrPath` or `valuePath ["." subAttr]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchPath {
    /// The attribute (with a sub-attribute only when there is no value filter).
    pub attr: AttrPath,
    /// The value filter selecting elements of a multi-valued attribute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<Filter>,
    /// The sub-attribute after the value filter (`emails[type eq "work"].value`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
}
