//! STUB (replaced by the resource branch).
#![allow(missing_docs, dead_code, unused_variables)]
use crate::error::ScimError;
use crate::schema::ResourceSchemas;
use scimock_filter::PatchPath;
use scimock_profile::PatchSpec;
use serde_json::Value;
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchOpKind { Add, Remove, Replace }
#[derive(Debug, Clone)]
pub struct PatchOp { pub op: PatchOpKind, pub path: Option<PatchPath>, pub raw_path: Option<String>, pub value: Option<Value> }
pub fn parse_patch_body(body: &Value, spec: &PatchSpec) -> Result<Vec<PatchOp>, ScimError> { todo!() }
pub fn apply_patch(resource: &mut Value, ops: &[PatchOp], schemas: &ResourceSchemas, spec: &PatchSpec) -> Result<(), ScimError> { todo!() }
