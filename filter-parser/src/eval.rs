//! Schema-aware evaluation of a filter over a JSON resource.

use crate::ast::{AttrPath, Filter};
use crate::error::EvalError;
use crate::schema::SchemaInfo;
use serde_json::Value;

/// A filter prepared for fast repeated evaluation: case rules resolved from the schema,
/// string literals pre-folded, dateTime literals pre-parsed.
#[derive(Debug, Clone)]
pub struct CompiledFilter {
    _private: (),
}

impl CompiledFilter {
    /// Prepares `filter`; fails with `invalidFilter` for filters that can never be evaluated
    /// (e.g. `gt`/`lt`/`ge`/`le` against a boolean literal or a boolean attribute).
    pub fn new(filter: &Filter, schema: &dyn SchemaInfo) -> Result<CompiledFilter, EvalError> {
        let _ = (filter, schema);
        todo!("compile")
    }

    /// True when `resource` matches.
    pub fn matches(&self, resource: &Value) -> bool {
        let _ = resource;
        todo!("matches")
    }
}

/// The values found at `path` in `resource` (attribute names matched case-insensitively,
/// URN prefixes resolved, multi-valued attributes flattened). Used for sorting and projection.
pub fn resolve_values<'a>(resource: &'a Value, path: &AttrPath) -> Vec<&'a Value> {
    let _ = (resource, path);
    todo!("resolve")
}
