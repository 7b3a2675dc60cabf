//! What makes `--state` durable: the files (where they live and how they are replaced) and the
//! write log (every acknowledged write on disk before its answer).
pub mod files;
pub mod log;
