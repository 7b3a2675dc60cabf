//! STUB (replaced by the resource branch).
#![allow(missing_docs, dead_code, unused_variables)]
use crate::error::ScimError;
use scimock_filter::{AttrInfo, AttrPath, SchemaInfo};
use scimock_profile::{Profile, UnknownAttributes};
use serde_json::Value;

pub struct WriteOptions { pub unknown: UnknownAttributes, pub string_booleans: bool }
#[derive(Debug, Clone)]
pub struct ResourceSchemas { pub resource_type: String, pub endpoint: String }
impl ResourceSchemas {
    pub fn user(p: &Profile) -> ResourceSchemas { todo!() }
    pub fn group(p: &Profile) -> ResourceSchemas { todo!() }
    pub fn to_scim_json(&self, base_url: &str) -> Vec<Value> { todo!() }
    pub fn normalize_write(&self, body: Value, opts: &WriteOptions) -> Result<Value, ScimError> { todo!() }
    pub fn check_required(&self, v: &Value) -> Result<(), String> { todo!() }
    pub fn check_immutable(&self, old: &Value, new: &Value) -> Result<(), ScimError> { todo!() }
}
impl SchemaInfo for ResourceSchemas { fn attribute(&self, path: &AttrPath) -> Option<AttrInfo> { todo!() } }
