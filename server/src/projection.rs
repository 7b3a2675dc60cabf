//! STUB (replaced by the resource branch).
#![allow(missing_docs, dead_code, unused_variables)]
use crate::error::ScimError;
use crate::schema::ResourceSchemas;
use scimock_filter::AttrPath;
use serde_json::Value;
#[derive(Debug, Clone, Default)]
pub struct Projection { pub attributes: Vec<AttrPath>, pub excluded: Vec<AttrPath> }
impl Projection {
    pub fn parse(attributes: Option<&str>, excluded: Option<&str>) -> Result<Projection, ScimError> { todo!() }
    pub fn is_empty(&self) -> bool { self.attributes.is_empty() && self.excluded.is_empty() }
}
pub fn project(resource: &Value, proj: &Projection, schemas: &ResourceSchemas) -> Value { todo!() }
pub fn strip_never(resource: &mut Value, schemas: &ResourceSchemas) { todo!() }
