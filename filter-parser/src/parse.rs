//! The nom grammar (RFC 7644 §3.4.2.2 ABNF, function names follow the ABNF rules).

use crate::Limits;
use crate::ast::{AttrPath, Filter, PatchPath};
use crate::error::ParseError;

pub(crate) fn filter(input: &str, limits: &Limits) -> Result<Filter, ParseError> {
    let _ = (input, limits);
    todo!()
}

pub(crate) fn attr_path_only(input: &str) -> Result<AttrPath, ParseError> {
    let _ = input;
    todo!()
}

pub(crate) fn attr_list(input: &str) -> Result<Vec<AttrPath>, ParseError> {
    let _ = input;
    todo!()
}

pub(crate) fn patch_path(input: &str, limits: &Limits) -> Result<PatchPath, ParseError> {
    let _ = (input, limits);
    todo!()
}
