//! What makes `--state` durable: the files (where they live and how they are replaced).
pub mod files;
